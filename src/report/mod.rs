//! The run report: its model and its renderers (JSON for machines, Markdown for people).

pub mod json;
pub mod markdown;
pub mod model;

pub use json::{from_json, to_json};
pub use markdown::to_markdown;
pub use model::*;

use anyhow::Context as _;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// File name of the JSON report inside the report folder.
pub const JSON_FILE_NAME: &str = "octosync-report.json";
/// File name of the human-readable report inside the report folder.
pub const MARKDOWN_FILE_NAME: &str = "octosync-report.md";

/// Where [`write_reports`] put the two files (absolute paths).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenReport {
    /// The JSON report.
    pub json_path: PathBuf,
    /// The Markdown report.
    pub markdown_path: PathBuf,
}

/// Checks, before any request, that the reports can be written to `dir`: created if missing, and a
/// file can be made there. A run whose report would be lost must not write to the destination.
pub fn check_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create the report folder {}", dir.display()))?;
    let probe = dir.join(format!(".octosync-write-check-{}", std::process::id()));
    std::fs::write(&probe, b"").with_context(|| format!("cannot write in the report folder {}", dir.display()))?;
    // Leaving the probe behind is harmless; failing to remove it is not worth stopping the run for.
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// Writes `octosync-report.json` and `octosync-report.md` into `dir` (created if missing, files overwritten).
pub fn write_reports(report: &Report, dir: &Path) -> anyhow::Result<WrittenReport> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create the report folder {}", dir.display()))?;
    // Absolute paths, because artifacts must be registered by absolute path.
    let dir =
        std::fs::canonicalize(dir).with_context(|| format!("cannot resolve the report folder {}", dir.display()))?;
    let json_path = dir.join(JSON_FILE_NAME);
    let markdown_path = dir.join(MARKDOWN_FILE_NAME);

    // Streamed to the file: a first sync's report is tens of megabytes as one string.
    write_json(report, &json_path)
        .with_context(|| format!("cannot write {JSON_FILE_NAME} in the report folder {}", dir.display()))?;
    write_markdown_file(report, &markdown_path).with_context(|| {
        format!(
            "cannot write {MARKDOWN_FILE_NAME} in the report folder {}",
            dir.display()
        )
    })?;
    Ok(WrittenReport {
        json_path,
        markdown_path,
    })
}

/// Writes `report` as [`to_json`] does, and a final line break, to `path`.
fn write_json(report: &Report, path: &Path) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    serde_json::to_writer_pretty(&mut file, report)?;
    file.write_all(b"\n")?;
    file.flush()?;
    Ok(())
}

/// Writes `report` as [`to_markdown`] renders it to `path`, as it renders.
fn write_markdown_file(report: &Report, path: &Path) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut file = FmtFile {
        file: std::io::BufWriter::new(std::fs::File::create(path)?),
        error: None,
    };
    markdown::write_markdown(report, &mut file);
    if let Some(e) = file.error {
        return Err(e.into());
    }
    file.file.flush()?;
    Ok(())
}

/// A file written through `std::fmt::Write`; the first error is kept and every later write refused.
struct FmtFile {
    file: std::io::BufWriter<std::fs::File>,
    error: Option<std::io::Error>,
}

impl std::fmt::Write for FmtFile {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        use std::io::Write as _;
        if self.error.is_some() {
            return Err(std::fmt::Error);
        }
        self.file.write_all(s.as_bytes()).map_err(|e| {
            self.error = Some(e);
            std::fmt::Error
        })
    }
}

/// The plan fingerprint: lowercase hex SHA-256 of each decision's compact JSON, joined with `\n`;
/// built one decision at a time so a plan never holds its write bodies twice.
#[derive(Default)]
pub struct Fingerprint {
    hasher: Sha256,
    added: usize,
}

impl Fingerprint {
    /// Adds one decision's compact JSON (after a `\n` unless it is the first).
    pub fn add(&mut self, decision: &serde_json::Value) {
        if self.added > 0 {
            self.hasher.update(b"\n");
        }
        self.added += 1;
        // Serialising a `Value` cannot fail: its keys are always strings.
        let _ = serde_json::to_writer(HashWriter(&mut self.hasher), decision);
    }

    /// The lowercase hex digest.
    pub fn finish(self) -> String {
        self.hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Feeds what is written straight into the hash, with no string in between.
struct HashWriter<'a>(&'a mut Sha256);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::BTreeMap;

    /// The fingerprint of `writes`, added in order.
    fn fingerprint(writes: &[serde_json::Value]) -> String {
        let mut f = Fingerprint::default();
        writes.iter().for_each(|w| f.add(w));
        f.finish()
    }

    /// A small report touching every part of the model.
    pub(crate) fn sample_report() -> Report {
        let mut source = RequestCounts::default();
        source
            .by_method
            .insert("GET".into(), BTreeMap::from([("200".into(), 42)]));
        source.total = 42;
        let mut destination = RequestCounts::default();
        destination
            .by_method
            .insert("GET".into(), BTreeMap::from([("200".into(), 30), ("404".into(), 1)]));
        destination
            .by_method
            .insert("POST".into(), BTreeMap::from([("201".into(), 2)]));
        destination.retries = 1;
        destination.total = 33;
        destination.concurrency = Some(ConcurrencyHistory {
            ceiling: 32,
            start: 8,
            highest: 14,
            lowest: 4,
            decreases: 2,
        });
        Report {
            format_version: REPORT_FORMAT_VERSION,
            tool_version: "0.1.0".into(),
            mode: Mode::Plan,
            started_at: "2026-01-02T03:04:05Z".into(),
            duration_ms: 1234,
            source: Endpoint {
                url: "https://source.example".into(),
                space: "Default".into(),
                space_id: Some("Spaces-1".into()),
                version: Some("2024.2.9000".into()),
            },
            destination: Endpoint {
                url: "https://dest.example".into(),
                space: "Mirror".into(),
                space_id: None,
                version: None,
            },
            summary: Summary {
                planned_create: 2,
                planned_update: 1,
                planned_reorder: 0,
                created: 0,
                updated: 0,
                reordered: 0,
                unchanged: 1,
                skipped: 1,
                cleanup: 1,
                warnings: 1,
                errors: 1,
                in_sync: false,
            },
            plan_fingerprint: fingerprint(&[json!({"op": "create"})]),
            changes: vec![
                Change {
                    kind: "Environment".into(),
                    name: "Staging".into(),
                    action: Action::Create,
                    reason: "missing on the destination".into(),
                    changed_fields: vec!["Name".into(), "Description".into()],
                    diff: vec![FieldDiff {
                        path: "Name".into(),
                        op: DiffOp::Added,
                        before: None,
                        after: Some("\"Staging\"".into()),
                        lines: vec![],
                    }],
                    notes: vec![],
                    warnings: vec![],
                    destination_id: None,
                    error: None,
                },
                Change {
                    kind: "Lifecycle".into(),
                    name: "Default | Fast".into(),
                    action: Action::Update,
                    reason: "phases differ".into(),
                    changed_fields: vec!["Phases".into()],
                    diff: vec![
                        FieldDiff {
                            path: "Phases[Prod | Live].AutomaticDeploymentTargets".into(),
                            op: DiffOp::Changed,
                            before: Some("[Staging (Environments-31)]".into()),
                            after: Some("[Staging (Environments-31), Production (Environments-32)]".into()),
                            lines: vec![],
                        },
                        FieldDiff {
                            path: "Description".into(),
                            op: DiffOp::Changed,
                            before: Some("\"Runs…\" (4 lines)".into()),
                            after: Some("\"Runs…\" (4 lines)".into()),
                            lines: vec!["  Runs".into(), "- ```old".into(), "+ new".into()],
                        },
                    ],
                    notes: vec!["phase dropped:\nProduction".into()],
                    warnings: vec!["phase 'QA' left out: none of its environments exist".into()],
                    destination_id: Some("Lifecycles-3".into()),
                    error: None,
                },
                Change {
                    kind: "Environment".into(),
                    name: "Production".into(),
                    action: Action::Unchanged,
                    reason: "already in sync".into(),
                    changed_fields: vec![],
                    diff: vec![],
                    notes: vec![],
                    warnings: vec![],
                    destination_id: Some("Environments-2".into()),
                    error: None,
                },
                Change {
                    kind: "Account".into(),
                    name: "Azure".into(),
                    action: Action::Skip,
                    reason: "accounts are excluded".into(),
                    changed_fields: vec![],
                    diff: vec![],
                    notes: vec![],
                    warnings: vec![],
                    destination_id: None,
                    error: None,
                },
                Change {
                    kind: "Feed".into(),
                    name: "Nexus".into(),
                    action: Action::Create,
                    reason: "missing on the destination".into(),
                    changed_fields: vec!["FeedUri".into()],
                    diff: vec![],
                    notes: vec![],
                    warnings: vec![],
                    destination_id: None,
                    error: Some("HTTP 400: FeedUri is invalid".into()),
                },
            ],
            cleanup: vec![CleanupItem {
                kind: "Feed".into(),
                name: "Nexus".into(),
                action: "set the password".into(),
            }],
            errors: vec!["destination version could not be read".into()],
            requests: BTreeMap::from([("destination".into(), destination), ("source".into(), source)]),
            applied: false,
            stopped: None,
        }
    }

    #[test]
    fn write_reports_creates_both_files_with_absolute_paths() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("nested").join("reports");
        let report = sample_report();
        let written = write_reports(&report, &dir).unwrap();
        assert!(written.json_path.is_absolute());
        assert!(written.markdown_path.is_absolute());
        assert!(written.json_path.ends_with(JSON_FILE_NAME));
        assert!(written.markdown_path.ends_with(MARKDOWN_FILE_NAME));
        let json = std::fs::read_to_string(&written.json_path).unwrap();
        assert_eq!(
            json,
            format!("{}\n", to_json(&report).unwrap()),
            "the file is the pretty JSON, line-terminated"
        );
        assert_eq!(from_json(&json).unwrap(), report);
        let markdown = std::fs::read_to_string(&written.markdown_path).unwrap();
        assert_eq!(markdown, to_markdown(&report), "the file is the Markdown, whole");

        // A second run overwrites.
        let mut applied = report.clone();
        applied.mode = Mode::Apply;
        let again = write_reports(&applied, &dir).unwrap();
        assert_eq!(again, written);
        let json = std::fs::read_to_string(&again.json_path).unwrap();
        assert_eq!(from_json(&json).unwrap().mode, Mode::Apply);
    }

    #[test]
    fn write_reports_names_the_folder_on_error() {
        let temp = tempfile::tempdir().unwrap();
        let blocker = temp.path().join("a-file");
        std::fs::write(&blocker, "not a folder").unwrap();
        let error = write_reports(&sample_report(), &blocker.join("reports")).unwrap_err();
        assert!(
            format!("{error:#}").contains("a-file"),
            "error should name the folder: {error:#}"
        );
    }

    #[test]
    fn a_secret_in_any_part_of_the_report_is_masked_by_its_redaction() {
        let secret = "hunter2-correct-horse-battery";
        let mut report = sample_report();
        report.errors.push(format!("the server said {secret}"));
        report.changes[1].error = Some(format!("refused: {secret}"));
        report.changes[1].diff[1].lines.push(format!("+ {secret}"));
        report.changes[3].notes.push(secret.to_string());
        report.stopped = Some(format!("stopped at {secret}"));
        let mut redactor = crate::redact::Redactor::default();
        redactor.add(secret);

        let mut redacted = report.clone();
        redacted.redact(&redactor).unwrap();

        let json = to_json(&redacted).unwrap();
        assert!(!json.contains(secret), "{json}");
        assert!(!to_markdown(&redacted).contains(secret));
        // Only the secret changed: the same changes, in order, with everything else as it was.
        assert_eq!(redacted.changes.len(), report.changes.len());
        assert_eq!(redacted.changes[0], report.changes[0]);
        assert_eq!(redacted.summary, report.summary);
        assert_eq!(redacted.requests, report.requests);
        assert!(redacted.changes[1].error.as_deref().unwrap().starts_with("refused: "));
    }

    #[test]
    fn fingerprint_is_sha256_of_canonical_lines() {
        // SHA-256 of the empty string.
        assert_eq!(
            fingerprint(&[]),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        // `printf '{"a":1}\n2' | sha256sum`
        assert_eq!(
            fingerprint(&[json!({"a": 1}), json!(2)]),
            "826ca851f0e1c8b95d2eafc112150127fbce8466ec8745c636b4d6a467786701"
        );
        assert_ne!(fingerprint(&[json!(1), json!(2)]), fingerprint(&[json!(2), json!(1)]));
    }
}
