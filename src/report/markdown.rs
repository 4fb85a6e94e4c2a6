//! The human-readable report (Markdown), registered as an artifact next to the JSON one.
//!
//! It prints only what the model holds; every piece of text from the model is escaped so a name with
//! `|` or a line break cannot break the tables.

use super::model::{Action, Change, DiffOp, Endpoint, FieldDiff, Report, RequestCounts};
use std::fmt::Write;

/// Renders the report as Markdown.
pub fn to_markdown(report: &Report) -> String {
    let mut md = String::new();
    write_markdown(report, &mut md);
    md
}

/// Writes the report as Markdown into `md` piece by piece (a first sync's is tens of megabytes:
/// a file is written as it renders, never held whole). Write errors are not returned here: a writer
/// that can fail keeps its first error for its owner to check (the report file's does).
pub fn write_markdown(report: &Report, md: &mut dyn Write) {
    let _ = writeln!(md, "# octosync {} report\n", report.mode.as_str());
    write_endpoints(md, report);
    let _ = writeln!(md, "**{}**\n", inline(&report.summary_line()));
    if report.summary.in_sync {
        let _ = writeln!(md, "The destination is in sync with the source.\n");
    }
    write_errors(md, report);
    write_warnings(md, &report.changes);
    write_changes(md, &report.changes);
    write_cleanup(md, report);
    write_requests(md, report);
}

fn write_endpoints(md: &mut dyn Write, report: &Report) {
    let endpoint = |e: &Endpoint| {
        let space = match &e.space_id {
            Some(id) => format!("{} ({})", cell(&e.space), cell(id)),
            None => cell(&e.space),
        };
        let version = e.version.as_deref().map(cell).unwrap_or_else(|| "unknown".into());
        (cell(&e.url), space, version)
    };
    let (s, d) = (endpoint(&report.source), endpoint(&report.destination));
    let _ = writeln!(
        md,
        "{} on {} → {} on {}\n",
        inline(&report.source.space),
        inline(&report.source.url),
        inline(&report.destination.space),
        inline(&report.destination.url)
    );
    let _ = md.write_str("| | Source | Destination |\n|---|---|---|\n");
    let _ = writeln!(md, "| URL | {} | {} |", s.0, d.0);
    let _ = writeln!(md, "| Space | {} | {} |", s.1, d.1);
    let _ = writeln!(md, "| Octopus version | {} | {} |\n", s.2, d.2);
    let _ = writeln!(
        md,
        "- Started: {}\n- Duration: {:.1} s\n- octosync: {}\n- Plan fingerprint: {}\n",
        inline(&report.started_at),
        report.duration_ms as f64 / 1000.0,
        inline(&report.tool_version),
        inline(&report.plan_fingerprint),
    );
}

fn write_errors(md: &mut dyn Write, report: &Report) {
    let failed: Vec<&Change> = report.changes.iter().filter(|c| c.error.is_some()).collect();
    if report.errors.is_empty() && failed.is_empty() && report.stopped.is_none() {
        return;
    }
    let _ = md.write_str("## Errors\n\n");
    if let Some(stopped) = &report.stopped {
        let _ = writeln!(md, "**{}**\n", inline(stopped));
    }
    for error in &report.errors {
        let _ = writeln!(md, "- {}", inline(error));
    }
    for change in failed {
        let _ = writeln!(
            md,
            "- {} {}: {}",
            inline(&change.kind),
            inline(&change.name),
            inline(change.error.as_deref().unwrap_or_default())
        );
    }
    let _ = md.write_char('\n');
}

/// Every warning in one list near the top, so a reader skimming the report cannot miss a dropped
/// reference behind a "create".
fn write_warnings(md: &mut dyn Write, changes: &[Change]) {
    let warned: Vec<&Change> = changes.iter().filter(|c| !c.warnings.is_empty()).collect();
    if warned.is_empty() {
        return;
    }
    let _ = md.write_str("## Warnings\n\n");
    for change in warned {
        for warning in &change.warnings {
            let _ = writeln!(
                md,
                "- {} {} ({}): {}",
                inline(&change.kind),
                inline(&change.name),
                change.action.as_str(),
                inline(warning)
            );
        }
    }
    let _ = md.write_char('\n');
}

fn write_changes(md: &mut dyn Write, changes: &[Change]) {
    let _ = md.write_str("## Changes\n\n");
    if changes.is_empty() {
        let _ = md.write_str("No items were compared.\n\n");
        return;
    }
    // Kinds in the order they first appear, which is the sync order.
    let mut kinds: Vec<&str> = Vec::new();
    for change in changes {
        if !kinds.contains(&change.kind.as_str()) {
            kinds.push(&change.kind);
        }
    }
    for kind in kinds {
        let group: Vec<&Change> = changes.iter().filter(|c| c.kind == kind).collect();
        let _ = writeln!(md, "### {} ({})\n", inline(kind), group.len());
        let _ = md.write_str("| Name | Action | Reason | Changed fields | Notes |\n");
        let _ = md.write_str("|---|---|---|---|---|\n");
        for change in &group {
            let mut notes: Vec<String> = change
                .warnings
                .iter()
                .map(|w| format!("**warning:** {}", cell(w)))
                .collect();
            notes.extend(change.notes.iter().map(|n| cell(n)));
            if let Some(error) = &change.error {
                notes.push(format!("**error:** {}", cell(error)));
            }
            let fields: Vec<String> = change.changed_fields.iter().map(|f| cell(f)).collect();
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} |",
                cell(&change.name),
                change.action.as_str(),
                cell(&change.reason),
                fields.join(", "),
                notes.join("<br>")
            );
        }
        let _ = md.write_char('\n');
        for change in group {
            write_diff(md, change);
        }
    }
}

/// What a write will do, field by field, under its change: a create's fields as `+` rows, an
/// update's `~`/`+`/`-` rows with before and after, then each long text's line diff.
fn write_diff(md: &mut dyn Write, change: &Change) {
    if change.diff.is_empty() {
        return;
    }
    let create = change.action == Action::Create;
    let _ = writeln!(md, "**{} {}**\n", if create { "+" } else { "~" }, inline(&change.name));
    let shown = |v: &Option<String>| v.as_deref().map(cell).unwrap_or_default();
    if create {
        let _ = md.write_str("| Field | Value |\n|---|---|\n");
        for entry in &change.diff {
            let value = entry.after.as_ref().or(entry.before.as_ref()).cloned();
            let _ = writeln!(md, "| {} | {} |", cell(&field_label(entry)), shown(&value));
        }
    } else {
        let _ = md.write_str("| | Field | Before | After |\n|---|---|---|---|\n");
        for entry in &change.diff {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} |",
                entry.op.sign(),
                cell(&field_label(entry)),
                shown(&entry.before),
                shown(&entry.after)
            );
        }
    }
    let _ = md.write_char('\n');
    for entry in change.diff.iter().filter(|e| !e.lines.is_empty()) {
        let _ = writeln!(md, "{} {}, line by line:\n", entry.op.sign(), inline(&entry.path));
        // A fence longer than any run of backticks in the text, so no line can close it.
        let fence = "`".repeat(longest_backtick_run(&entry.lines).max(2) + 1);
        let _ = writeln!(md, "{fence}diff");
        for line in &entry.lines {
            let _ = writeln!(md, "{}", line.replace('\r', ""));
        }
        let _ = writeln!(md, "{fence}\n");
    }
}

/// The field as a reviewer reads it; a reordering names the order.
fn field_label(entry: &FieldDiff) -> String {
    match entry.op {
        DiffOp::Reordered => format!("{} (order)", entry.path),
        _ => entry.path.clone(),
    }
}

fn longest_backtick_run(lines: &[String]) -> usize {
    lines
        .iter()
        .flat_map(|l| l.split(|c| c != '`'))
        .map(str::len)
        .max()
        .unwrap_or(0)
}

fn write_cleanup(md: &mut dyn Write, report: &Report) {
    let _ = md.write_str("## Clean-up\n\n");
    if report.cleanup.is_empty() {
        let _ = md.write_str("Nothing to finish by hand.\n\n");
        return;
    }
    for item in &report.cleanup {
        let _ = writeln!(
            md,
            "- [ ] {} {}: {}",
            inline(&item.kind),
            inline(&item.name),
            inline(&item.action)
        );
    }
    let _ = md.write_char('\n');
}

fn write_requests(md: &mut dyn Write, report: &Report) {
    let _ = md.write_str("## Requests\n\n");
    if report.requests.is_empty() {
        let _ = md.write_str("No requests were recorded.\n");
        return;
    }
    let _ = md.write_str("| Side | Method | Requests | By status |\n|---|---|---|---|\n");
    for (side, counts) in &report.requests {
        for (method, by_status) in &counts.by_method {
            let statuses: Vec<String> = by_status
                .iter()
                .map(|(status, n)| format!("{} × {n}", cell(status)))
                .collect();
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} |",
                cell(side),
                cell(method),
                counts.count(method),
                statuses.join(", ")
            );
        }
    }
    let _ = md.write_char('\n');
    for (side, counts) in &report.requests {
        let _ = writeln!(md, "- {}: {}", inline(side), totals(counts));
    }
}

fn totals(counts: &RequestCounts) -> String {
    let mut line = format!(
        "{} attempt(s), {} write(s), {} retried",
        counts.total,
        counts.writes(),
        counts.retries
    );
    if let Some(c) = &counts.concurrency {
        line.push_str(&format!("; {}", c.describe()));
    }
    line
}

/// Text for a table cell: no line breaks, no unescaped `|` (a backslash is escaped first so `\|` in the
/// text cannot turn back into a column separator).
fn cell(text: &str) -> String {
    inline(text).replace('|', "\\|")
}

/// Text for one line of Markdown: line breaks become `<br>`, and `<`, `>` and `&` are escaped so
/// text from a server (an HTML error page, a name with markup) renders as text, never as HTML.
fn inline(text: &str) -> String {
    text.trim()
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\\', "\\\\")
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\n', "<br>")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::Mode;
    use crate::report::tests::sample_report;

    #[test]
    fn has_title_endpoints_and_summary_line() {
        let report = sample_report();
        let md = to_markdown(&report);
        assert!(md.starts_with("# octosync plan report\n"), "{md}");
        assert!(md.contains(&report.summary_line()), "{md}");
        assert!(md.contains("Default on https://source.example → Mirror on https://dest.example"));
        assert!(md.contains("| URL | https://source.example | https://dest.example |"));
        assert!(md.contains("| Space | Default (Spaces-1) | Mirror |"));
        assert!(md.contains("| Octopus version | 2024.2.9000 | unknown |"));

        let mut applied = report.clone();
        applied.mode = Mode::Apply;
        let md = to_markdown(&applied);
        assert!(md.starts_with("# octosync apply report\n"));
        assert!(md.contains(&applied.summary_line()));
    }

    #[test]
    fn lists_every_change_grouped_by_kind_in_sync_order() {
        let report = sample_report();
        let md = to_markdown(&report);
        for change in &report.changes {
            assert!(md.contains(&cell(&change.name)), "missing {}: {md}", change.name);
        }
        let environment = md.find("### Environment (2)").unwrap();
        let lifecycle = md.find("### Lifecycle (1)").unwrap();
        let account = md.find("### Account (1)").unwrap();
        assert!(environment < lifecycle && lifecycle < account);
        assert!(md.contains("| Staging | create | missing on the destination | Name, Description |  |"));
        assert!(md.contains("**error:** HTTP 400: FeedUri is invalid"));
    }

    #[test]
    fn escapes_pipes_and_line_breaks_in_cells() {
        let md = to_markdown(&sample_report());
        assert!(
            md.contains("| Default \\| Fast | update | phases differ | Phases | **warning:** phase 'QA' left out: none of its environments exist<br>phase dropped:<br>Production |"),
            "{md}"
        );
        assert_eq!(cell("a\\|b"), "a\\\\\\|b");
        assert_eq!(cell("x\r\ny"), "x<br>y");
    }

    #[test]
    fn server_html_renders_as_text_never_as_markup() {
        let mut report = sample_report();
        report.errors = vec!["HTTP 502: <html><script>alert(1)</script></html> & more".into()];
        let md = to_markdown(&report);
        assert!(!md.contains("<script>"), "{md}");
        assert!(md.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{md}");
        assert!(md.contains("&amp; more"), "{md}");
    }

    #[test]
    fn every_warning_is_listed_in_its_own_section_and_on_its_change() {
        let md = to_markdown(&sample_report());
        let section = md.find("## Warnings").expect("a warnings section");
        let changes = md.find("## Changes").unwrap();
        assert!(section < changes, "warnings come before the change tables");
        assert!(
            md.contains("- Lifecycle Default | Fast (update): phase 'QA' left out: none of its environments exist"),
            "{md}"
        );
    }

    #[test]
    fn an_update_shows_each_field_before_and_after_and_long_text_line_by_line() {
        let md = to_markdown(&sample_report());
        assert!(
            md.contains("**~ Default | Fast**\n\n| | Field | Before | After |\n|---|---|---|---|\n"),
            "{md}"
        );
        assert!(
            md.contains("| ~ | Phases[Prod \\| Live].AutomaticDeploymentTargets | [Staging (Environments-31)] | [Staging (Environments-31), Production (Environments-32)] |"),
            "{md}"
        );
        assert!(
            md.contains("| ~ | Description | \"Runs…\" (4 lines) | \"Runs…\" (4 lines) |"),
            "{md}"
        );
        // The text holds three backticks, so the fence is four long.
        assert!(
            md.contains("~ Description, line by line:\n\n````diff\n  Runs\n- ```old\n+ new\n````\n"),
            "{md}"
        );
    }

    #[test]
    fn a_create_shows_the_fields_it_will_have() {
        let md = to_markdown(&sample_report());
        assert!(
            md.contains("**+ Staging**\n\n| Field | Value |\n|---|---|\n| Name | \"Staging\" |\n"),
            "{md}"
        );
        // Changes that write nothing have no field table.
        assert!(
            !md.contains("**~ Production**") && !md.contains("**+ Production**"),
            "{md}"
        );
    }

    #[test]
    fn a_reordering_is_labelled_as_the_order() {
        let mut report = sample_report();
        report.changes[1].diff = vec![FieldDiff {
            path: "Tags".into(),
            op: DiffOp::Reordered,
            before: Some("[APAC, EU]".into()),
            after: Some("[EU, APAC]".into()),
            lines: vec![],
        }];
        let md = to_markdown(&report);
        assert!(md.contains("| ~ | Tags (order) | [APAC, EU] | [EU, APAC] |"), "{md}");
    }

    #[test]
    fn has_cleanup_errors_and_request_counts() {
        let md = to_markdown(&sample_report());
        assert!(md.contains("- [ ] Feed Nexus: set the password"));
        assert!(md.contains("- destination version could not be read"));
        assert!(md.contains("- Feed Nexus: HTTP 400: FeedUri is invalid"));
        assert!(md.contains("| destination | GET | 31 | 200 × 30, 404 × 1 |"), "{md}");
        assert!(md.contains("| destination | POST | 2 | 201 × 2 |"));
        assert!(md.contains("| source | GET | 42 | 200 × 42 |"));
        assert!(md.contains("- destination: 33 attempt(s), 2 write(s), 1 retried; up to 14 request(s) in flight of at most 32 (started at 8; halved twice after 429/503, timeouts or slower answers, to 4 at the lowest)"), "{md}");
        assert!(md.contains("- source: 42 attempt(s), 0 write(s), 0 retried\n"), "{md}");
    }

    #[test]
    fn empty_report_still_renders() {
        let mut report = sample_report();
        report.changes.clear();
        report.cleanup.clear();
        report.errors.clear();
        report.requests.clear();
        let md = to_markdown(&report);
        assert!(!md.contains("## Errors"));
        assert!(md.contains("No items were compared."));
        assert!(md.contains("Nothing to finish by hand."));
        assert!(md.contains("No requests were recorded."));
    }
}
