//! Tests of the strict service-message reader, then of our emitter against it.

#[path = "support/service_messages.rs"]
mod service_messages;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use octosync::octolog::{Flavor, TaskLog};
use service_messages::*;
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

fn b64(s: &str) -> String {
    STANDARD.encode(s)
}

fn text(level: Level, line: &str) -> Entry {
    Entry::Text {
        level,
        line: line.into(),
    }
}

fn message(name: &str, attrs: &[(&str, &str)]) -> Entry {
    Entry::Message {
        name: name.into(),
        attrs: attrs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
    }
}

fn parse_ok(stdout: &str) -> Vec<Entry> {
    parse(stdout).unwrap_or_else(|e| panic!("{e}\n--- stdout ---\n{stdout}"))
}

fn parse_err(stdout: &str) -> String {
    match parse(stdout) {
        Ok(entries) => panic!("expected an error, got {entries:?}"),
        Err(e) => e,
    }
}

// ---- the reader on hand-written samples -------------------------------------------------------

/// The approved Calamari output quoted in `reference/octopus-step.md` §1.2.
const CALAMARI_SAMPLE: &str = "##octopus[stdout-verbose]\n\
There is no file at 'C:\\Path\\File.txt' right now. Writing the service message just in case ...\n\
##octopus[stdout-default]\n\
##octopus[createArtifact path='QzpcUGF0aFxGaWxlLnR4dA==' name='RmlsZS50eHQ=' length='MA==']\n";

#[test]
fn reads_the_calamari_sample() {
    let entries = parse_ok(CALAMARI_SAMPLE);
    assert_eq!(
        entries,
        [
            message("stdout-verbose", &[]),
            text(
                Level::Verbose,
                "There is no file at 'C:\\Path\\File.txt' right now. Writing the service message just in case ..."
            ),
            message("stdout-default", &[]),
            message(
                "createArtifact",
                &[("path", "C:\\Path\\File.txt"), ("name", "File.txt"), ("length", "0")]
            ),
        ]
    );
    assert_eq!(
        artifacts(&entries),
        [(PathBuf::from("C:\\Path\\File.txt"), "File.txt".to_string(), 0)]
    );
    assert!(final_mode_is_default(&entries));
    assert!(blocks_return_to_default(&entries));
    assert_eq!(result_message(&entries), None);
}

#[test]
fn tracks_the_sticky_mode_and_ignores_discarded_lines() {
    let entries = parse_ok(
        "a\n##octopus[stdout-warning]\nb\nc\n##octopus[stdout-ignore]\ngone\n\
         ##octopus[stdout-error]\nd\n##octopus[stdout-wait]\ne\n##octopus[stdout-highlight]\nf\n\
         ##octopus[stderr-progress]\ng\n##octopus[stdout-default]\nh\n",
    );
    let texts: Vec<(Level, &str)> = entries
        .iter()
        .filter_map(|e| match e {
            Entry::Text { level, line } => Some((*level, line.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(
        texts,
        [
            (Level::Default, "a"),
            (Level::Warning, "b"),
            (Level::Warning, "c"),
            (Level::Error, "d"),
            (Level::Wait, "e"),
            (Level::Highlight, "f"),
            // stderr-* switches do not change the stdout mode.
            (Level::Highlight, "g"),
            (Level::Default, "h"),
        ]
    );
}

#[test]
fn accepts_both_quotes_any_attribute_case_empty_values_and_crlf() {
    let stdout = format!(
        "##octopus[setVariable Name=\"{}\" VALUE='{}']\r\n\
         ##octopus[setVariable name='{}' value='']\r\n\
         ##octopus[progress  percentage = '{}'   message='{}' ]\r\n",
        b64("Changes"),
        b64("3"),
        b64("Empty"),
        b64("50"),
        b64("Half way")
    );
    let entries = parse_ok(&stdout);
    assert_eq!(
        output_variables(&entries),
        BTreeMap::from([
            ("Changes".to_string(), "3".to_string()),
            ("Empty".to_string(), String::new()),
        ])
    );
    assert_eq!(progress(&entries), [(50, "Half way".to_string())]);
}

#[test]
fn decodes_utf8_and_reads_messages_split_over_lines() {
    // Line breaks are dropped, not turned into spaces, so the separating space must be on a line.
    let encoded = b64("Zürich → Tokyo failed");
    let (head, tail) = encoded.split_at(10);
    let stdout = format!("##octopus[resultMessage \r\nmessage='{head}\n{tail}'\n]\nafter\n");
    let entries = parse_ok(&stdout);
    assert_eq!(result_message(&entries).as_deref(), Some("Zürich → Tokyo failed"));
    assert_eq!(entries.last(), Some(&text(Level::Default, "after")));
}

#[test]
fn output_without_trailing_newline_keeps_its_last_line() {
    let entries = parse_ok("one\ntwo");
    assert_eq!(entries, [text(Level::Default, "one"), text(Level::Default, "two")]);
    assert!(parse_ok("").is_empty());
}

#[test]
fn rejects_what_breaks_the_grammar() {
    let cases: &[(&str, &str)] = &[
        ("hello ##octopus[stdout-verbose]\n", "not at the start"),
        (" ##octopus[stdout-verbose]\n", "not at the start"),
        ("##octopusfoo\n", "followed by `[`"),
        ("##octopus[stdout-loud]\n", "unknown message"),
        ("##octopus[deployment.failed]\n", "unknown message"),
        ("##octopus[ stdout-default]\n", "invalid message name"),
        ("##octopus[]\n", "invalid message name"),
        ("##octopus[progress percentage=NTA= message='']\n", "not quoted"),
        ("##octopus[progress percentage='NTA= message='']\n", "not base64"),
        ("##octopus[progress percentage='50' message='']\n", "not base64"),
        ("##octopus[progress percentage='NTA' message='']\n", "not base64"),
        ("##octopus[resultMessage message='/w==']\n", "UTF-8"),
        ("##octopus[resultMessage message]\n", "without a value"),
        ("##octopus[resultMessage message='' MESSAGE='']\n", "duplicate"),
        ("##octopus[resultMessage message=''message='']\n", "separated"),
        ("##octopus[stdout-default] trailing\n", "after the closing"),
        ("##octopus[stdout-verbose name='']\n", "takes no attributes"),
        ("##octopus[stdout-verbose\nnever closed\n", "never closed"),
        // Without a space before the line break the name runs into the attribute.
        ("##octopus[resultMessage\nmessage='']\n", "invalid message name"),
    ];
    for (stdout, expected) in cases {
        let error = parse_err(stdout);
        assert!(
            error.contains(expected),
            "{stdout:?}: expected an error mentioning {expected:?}, got {error:?}"
        );
    }
}

#[test]
fn knows_whether_blocks_return_to_default() {
    let closed = parse_ok("##octopus[stdout-verbose]\nv\n##octopus[stdout-default]\ni\n");
    assert!(blocks_return_to_default(&closed));
    assert!(final_mode_is_default(&closed));

    let open_at_end = parse_ok("##octopus[stdout-warning]\nw\n");
    assert!(!blocks_return_to_default(&open_at_end));
    assert!(!final_mode_is_default(&open_at_end));

    let message_inside = parse_ok(&format!(
        "##octopus[stdout-verbose]\nv\n##octopus[progress percentage='{}' message='']\n\
         ##octopus[stdout-default]\n",
        b64("1")
    ));
    assert!(!blocks_return_to_default(&message_inside));
    assert!(final_mode_is_default(&message_inside));

    let block_to_block =
        parse_ok("##octopus[stdout-verbose]\nv\n##octopus[stdout-highlight]\nh\n##octopus[stdout-default]\n");
    assert!(!blocks_return_to_default(&block_to_block));

    assert!(blocks_return_to_default(&parse_ok("plain\n")));
    assert!(final_mode_is_default(&parse_ok("plain\n")));
}

#[test]
#[should_panic(expected = "without a value")]
fn set_variable_without_value_is_an_error() {
    let entries = parse_ok(&format!("##octopus[setVariable name='{}']\n", b64("X")));
    output_variables(&entries);
}

#[test]
#[should_panic(expected = "without a message")]
fn progress_without_message_is_an_error() {
    let entries = parse_ok(&format!("##octopus[progress percentage='{}']\n", b64("5")));
    progress(&entries);
}

#[test]
#[should_panic(expected = "not 0..=100")]
fn progress_over_100_is_an_error() {
    let entries = parse_ok(&format!("##octopus[progress percentage='{}' message='']\n", b64("101")));
    progress(&entries);
}

// ---- our emitter against the reader -----------------------------------------------------------

/// A writer that keeps its bytes in a buffer the test can read after handing the writer over.
#[derive(Clone, Default)]
struct SharedBuffer(Arc<Mutex<Vec<u8>>>);

impl SharedBuffer {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).expect("UTF-8 output")
    }
}

impl Write for SharedBuffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn octopus_log() -> (TaskLog, SharedBuffer, SharedBuffer) {
    let (out, err) = (SharedBuffer::default(), SharedBuffer::default());
    let log = TaskLog::with_writers(Flavor::Octopus, false, Box::new(out.clone()), Box::new(err.clone()));
    (log, out, err)
}

#[test]
fn emitter_output_conforms() {
    let temp = tempfile::tempdir().unwrap();
    let file = temp.path().join("octosync-report.md");
    std::fs::write(&file, "# report\n").unwrap();

    let (log, out, err) = octopus_log();
    log.add_redaction("API-TOPSECRET");
    log.info("Syncing Default → Mirror");
    log.verbose("GET /api/spaces\r\nGET /api/Spaces-1/environments with API-TOPSECRET");
    log.warning("two lines\nof warning");
    log.highlight("Plan: 1 to add");
    log.info("##octopus[setVariable name='eA==' value='eQ==']");
    log.verbose("also ##octopus[stdout-ignore] mid-line");
    log.progress(150, "Done with API-TOPSECRET");
    log.set_output("OctoSync.Changes", "1");
    log.set_output("OctoSync.Key", "API-TOPSECRET");
    log.set_output("OctoSync.Empty", "");
    log.artifact(&file).unwrap();
    log.error("boom");
    log.fail("Could not reach the destination");

    let stdout = out.text();
    let entries = parse_ok(&stdout);
    assert!(blocks_return_to_default(&entries), "{stdout}");
    assert!(final_mode_is_default(&entries), "{stdout}");
    assert!(!stdout.contains("API-TOPSECRET"), "{stdout}");

    assert_eq!(
        output_variables(&entries),
        BTreeMap::from([
            ("OctoSync.Changes".to_string(), "1".to_string()),
            ("OctoSync.Empty".to_string(), String::new()),
            ("OctoSync.Key".to_string(), "********".to_string()),
        ])
    );
    assert_eq!(progress(&entries), [(100, "Done with ********".to_string())]);
    let absolute = std::fs::canonicalize(&file).unwrap();
    assert_eq!(artifacts(&entries), [(absolute, "octosync-report.md".to_string(), 9)]);
    assert_eq!(
        result_message(&entries).as_deref(),
        Some("Could not reach the destination")
    );

    let texts: Vec<(Level, String)> = entries
        .iter()
        .filter_map(|e| match e {
            Entry::Text { level, line } => Some((*level, line.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        texts,
        [
            (Level::Default, "Syncing Default → Mirror".to_string()),
            (Level::Verbose, "GET /api/spaces".to_string()),
            (
                Level::Verbose,
                "GET /api/Spaces-1/environments with ********".to_string()
            ),
            (Level::Warning, "two lines".to_string()),
            (Level::Warning, "of warning".to_string()),
            (Level::Highlight, "Plan: 1 to add".to_string()),
            (
                Level::Default,
                "# #octopus[setVariable name='eA==' value='eQ==']".to_string()
            ),
            (Level::Verbose, "also # #octopus[stdout-ignore] mid-line".to_string()),
        ]
    );

    // stderr is read by the same parser (messages are accepted on either stream) and must hold none.
    let stderr = parse_ok(&err.text());
    assert_eq!(stderr, [text(Level::Default, "boom")]);
}

#[test]
fn emitter_output_from_tracing_conforms() {
    use tracing_subscriber::layer::SubscriberExt as _;
    let (log, out, _) = octopus_log();
    let subscriber = tracing_subscriber::registry().with(log.layer());
    tracing::subscriber::with_default(subscriber, || {
        tracing::debug!(url = "https://x.example", "loading");
        tracing::info!(highlight = true, "Plan: nothing to do");
        tracing::warn!(kind = "Feed", "skipped\nacross lines");
        tracing::info!("done");
    });
    let stdout = out.text();
    let entries = parse_ok(&stdout);
    assert!(blocks_return_to_default(&entries), "{stdout}");
    assert!(final_mode_is_default(&entries), "{stdout}");
    assert_eq!(
        entries
            .iter()
            .filter(|e| matches!(e, Entry::Text { .. }))
            .cloned()
            .collect::<Vec<_>>(),
        [
            text(Level::Verbose, "loading url=https://x.example"),
            text(Level::Highlight, "Plan: nothing to do"),
            text(Level::Warning, "skipped"),
            text(Level::Warning, "across lines kind=Feed"),
            text(Level::Default, "done"),
        ]
    );
}

#[test]
fn init_tracing_installs_once_and_filters_by_target() {
    let (first, out, _) = octopus_log();
    let (second, other, _) = octopus_log();
    octosync::octolog::init_tracing(&first, false);
    octosync::octolog::init_tracing(&second, true); // a no-op
                                                    // The global subscriber serves threads without a scoped one.
    std::thread::spawn(|| {
        tracing::debug!(target: "octosync::engine", "planned");
        tracing::trace!(target: "octosync::engine", "too fine without verbose");
        tracing::info!(target: "hyper::client", "dependency chatter");
        tracing::warn!(target: "hyper::client", "dependency trouble");
    })
    .join()
    .unwrap();
    let entries = parse_ok(&out.text());
    assert!(blocks_return_to_default(&entries));
    let texts: Vec<Entry> = entries
        .into_iter()
        .filter(|e| matches!(e, Entry::Text { .. }))
        .collect();
    assert_eq!(
        texts,
        [
            text(Level::Verbose, "planned"),
            text(Level::Warning, "dependency trouble"),
        ]
    );
    assert_eq!(other.text(), "");
}
