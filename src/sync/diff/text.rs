//! Long text in a diff: a short preview for the before/after columns and a line diff with a little
//! context, so a changed script or description reads as the lines that changed.

use similar::{ChangeTag, TextDiff};

/// Text longer than this many characters is long.
const LONG_CHARS: usize = 200;
/// Text with more than this many lines is long.
const LONG_LINES: usize = 3;
/// Characters of the first line a preview keeps.
const PREVIEW_CHARS: usize = 40;
/// Unchanged lines shown around each change.
const CONTEXT_LINES: usize = 1;
/// Lines of a line diff before the rest is counted instead of shown.
const MAX_DIFF_LINES: usize = 30;

/// True for text a reviewer reads better as a line diff than as two quoted values.
pub fn is_long(text: &str) -> bool {
    text.chars().count() > LONG_CHARS || text.lines().count() > LONG_LINES
}

/// A one-line stand-in for long text: `"first line…" (12 lines)`.
pub fn preview(text: &str) -> String {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
    let head: String = first.chars().take(PREVIEW_CHARS).collect();
    let quoted = serde_json::Value::String(format!("{head}…")).to_string();
    match text.lines().count() {
        0 | 1 => format!("{quoted} ({} characters)", text.chars().count()),
        n => format!("{quoted} ({n} lines)"),
    }
}

/// The changed lines of `before` → `after`, each prefixed `-`, `+` or (context) a space, with `…`
/// between hunks and at most [`MAX_DIFF_LINES`] lines.
pub fn line_diff(before: &str, after: &str) -> Vec<String> {
    let diff = TextDiff::from_lines(before, after);
    let mut out = Vec::new();
    for (i, group) in diff.grouped_ops(CONTEXT_LINES).iter().enumerate() {
        if i > 0 {
            out.push("…".to_string());
        }
        for op in group {
            for change in diff.iter_changes(op) {
                let sign = match change.tag() {
                    ChangeTag::Delete => '-',
                    ChangeTag::Insert => '+',
                    ChangeTag::Equal => ' ',
                };
                let line = change.value().trim_end_matches(['\n', '\r']);
                out.push(format!("{sign} {line}"));
            }
        }
    }
    if out.len() > MAX_DIFF_LINES {
        let rest = out.len() - MAX_DIFF_LINES;
        out.truncate(MAX_DIFF_LINES);
        out.push(format!("… {rest} more line(s)"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(lines: &[&str]) -> String {
        lines.join("\n")
    }

    #[test]
    fn long_text_is_many_lines_or_many_characters() {
        assert!(!is_long("one\ntwo\nthree"));
        assert!(is_long("1\n2\n3\n4"));
        assert!(is_long(&"x".repeat(201)));
        assert!(!is_long(&"x".repeat(200)));
    }

    #[test]
    fn a_changed_line_shows_with_one_line_of_context_and_hunks_apart() {
        let before = script(&["a", "b", "c", "d", "e", "f", "g", "h"]);
        let after = script(&["a", "B", "c", "d", "e", "f", "G", "h"]);
        assert_eq!(
            line_diff(&before, &after),
            ["  a", "- b", "+ B", "  c", "…", "  f", "- g", "+ G", "  h"]
        );
    }

    #[test]
    fn a_huge_change_is_cut_short_and_says_how_much_is_left() {
        let after: Vec<String> = (0..100).map(|i| format!("line {i}")).collect();
        let lines = line_diff("", &after.join("\n"));
        assert_eq!(lines.len(), MAX_DIFF_LINES + 1);
        assert_eq!(lines[0], "+ line 0");
        assert_eq!(lines.last().unwrap(), "… 70 more line(s)");
    }

    #[test]
    fn a_preview_names_the_first_line_and_the_size() {
        assert_eq!(
            preview("\n#!/bin/bash\necho hi\nexit 0\n"),
            "\"#!/bin/bash…\" (4 lines)"
        );
        assert_eq!(
            preview(&"y".repeat(250)),
            format!("\"{}…\" (250 characters)", "y".repeat(40))
        );
    }
}
