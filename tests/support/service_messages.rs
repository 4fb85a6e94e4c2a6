//! A strict reader of Octopus service messages in captured stdout, for tests.
//!
//! Written from the wire grammar and catalogue in `reference/octopus-step.md` §1.1/§1.2, not from our
//! emitter, so it can tell us when the emitter drifts. It is stricter than the server: anything the
//! server would log as "Could not parse", read as plain text by accident, or read differently from
//! Calamari's own parser is an error here.
//!
//! Include it with `#[path = "support/service_messages.rs"] mod service_messages;`.
#![allow(dead_code)]

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The level of a plain stdout line, from the sticky `stdout-*` mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// `stdout-default` (Info), the mode at the start.
    Default,
    /// `stdout-verbose`.
    Verbose,
    /// `stdout-warning`.
    Warning,
    /// `stdout-error`.
    Error,
    /// `stdout-highlight`.
    Highlight,
    /// `stdout-wait`.
    Wait,
}

/// One thing the server would see in stdout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A plain text line at the level in force (lines under `stdout-ignore` are discarded).
    Text {
        /// Level from the sticky mode.
        level: Level,
        /// The line without its line ending.
        line: String,
    },
    /// A service message; attribute names are lower-cased, values decoded.
    Message {
        /// The message name, case as written.
        name: String,
        /// Decoded attribute values by lower-cased name.
        attrs: BTreeMap<String, String>,
    },
}

/// The prefix that starts every service message.
const PREFIX: &str = "##octopus";

/// Mode switches: they never take attributes.
const MODE_SWITCHES: &[&str] = &[
    "stdout-default",
    "stdout-verbose",
    "stdout-warning",
    "stdout-error",
    "stdout-highlight",
    "stdout-wait",
    "stdout-ignore",
    "stderr-default",
    "stderr-error",
    "stderr-progress",
    "stderr-ignore",
];

/// Messages with attributes (§1.2; Calamari `ServiceMessageNames.cs`, `ScriptServiceMessageNames.cs`).
const MESSAGES: &[&str] = &[
    "setVariable",
    "progress",
    "createArtifact",
    "resultMessage",
    "mask",
    "set-environmentstate",
    "foundPackage",
    "calamari-found-package",
    "deltaVerification",
    "calamari-timed-operation",
    "calamari-deployment-metric",
    "calamari-script-isolation-alert",
    "create-tokenaccount",
    "create-userpassaccount",
    "create-awsaccount",
    "create-azureaccount",
    "create-kubernetestarget",
    "create-azurewebapptarget",
    "create-azurecloudservicetarget",
    "create-azureservicefabrictarget",
    "createStepPackageTarget",
    "delete-target",
    "k8s-manifest-applied",
    "pull-request-created",
];

/// The stdout mode a switch selects; `None` means lines are discarded (`stdout-ignore`).
fn stdout_mode(name: &str) -> Option<Option<Level>> {
    Some(match name {
        "stdout-default" => Some(Level::Default),
        "stdout-verbose" => Some(Level::Verbose),
        "stdout-warning" => Some(Level::Warning),
        "stdout-error" => Some(Level::Error),
        "stdout-highlight" => Some(Level::Highlight),
        "stdout-wait" => Some(Level::Wait),
        "stdout-ignore" => None,
        _ => return None,
    })
}

/// Parses captured stdout into entries, or says which line breaks the grammar.
pub fn parse(stdout: &str) -> Result<Vec<Entry>, String> {
    let mut entries = Vec::new();
    let mut mode = Some(Level::Default);
    let mut lines = stdout.split('\n').enumerate().peekable();
    while let Some((index, raw)) = lines.next() {
        // The text after the final newline is not a line.
        if lines.peek().is_none() && raw.is_empty() {
            break;
        }
        let number = index + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(rest) = line.strip_prefix(PREFIX) {
            let Some(rest) = rest.strip_prefix('[') else {
                return Err(format!("line {number}: `{PREFIX}` must be followed by `[`: {line:?}"));
            };
            // A message may span lines: the parsers drop CR and LF and read up to the first `]`.
            let mut body = rest.to_string();
            while !body.contains(']') {
                match lines.next() {
                    Some((_, more)) => body.push_str(more.strip_suffix('\r').unwrap_or(more)),
                    None => return Err(format!("line {number}: message never closed by `]`")),
                }
            }
            let end = body.find(']').expect("checked above");
            // The server logs such text as a separate line; our emitter never writes it.
            if !body[end + 1..].is_empty() {
                return Err(format!(
                    "line {number}: text after the closing `]` of a message: {line:?}"
                ));
            }
            let (name, attrs) = parse_body(&body[..end]).map_err(|e| format!("line {number}: {e}: {line:?}"))?;
            if let Some(new_mode) = stdout_mode(&name) {
                mode = new_mode;
            }
            entries.push(Entry::Message { name, attrs });
        } else if line.contains(PREFIX) {
            // The server reads this as text; Calamari's own parser reads a message: ambiguous.
            return Err(format!(
                "line {number}: `{PREFIX}` not at the start of a line: {line:?}"
            ));
        } else if let Some(level) = mode {
            entries.push(Entry::Text {
                level,
                line: line.to_string(),
            });
        }
    }
    Ok(entries)
}

/// Parses `name attr='b64' attr="b64" …` (what sits between `##octopus[` and `]`).
fn parse_body(body: &str) -> Result<(String, BTreeMap<String, String>), String> {
    // The parsers trim the body, then parse `<body/>` as XML: no whitespace may precede the name.
    let body = body.trim_end();
    let name_end = body.find(|c: char| c.is_ascii_whitespace()).unwrap_or(body.len());
    let name = &body[..name_end];
    if !is_xml_name(name) {
        return Err(format!("invalid message name {name:?}"));
    }
    let is_switch = MODE_SWITCHES.contains(&name);
    if !is_switch && !MESSAGES.contains(&name) {
        return Err(format!("unknown message {name:?}"));
    }

    let mut attrs = BTreeMap::new();
    let mut rest = &body[name_end..];
    loop {
        let trimmed = rest.trim_start();
        if trimmed.is_empty() {
            break;
        }
        if trimmed.len() == rest.len() {
            return Err("attributes must be separated by whitespace".into());
        }
        let eq = trimmed
            .find('=')
            .ok_or_else(|| format!("attribute without a value: {trimmed:?}"))?;
        let key = trimmed[..eq].trim_end();
        if !is_xml_name(key) {
            return Err(format!("invalid attribute name {key:?}"));
        }
        let after = trimmed[eq + 1..].trim_start();
        let quote = after
            .chars()
            .next()
            .filter(|c| *c == '\'' || *c == '"')
            .ok_or_else(|| format!("attribute {key} is not quoted"))?;
        let close = after[1..]
            .find(quote)
            .ok_or_else(|| format!("attribute {key} has no closing quote"))?;
        let encoded = &after[1..1 + close];
        let decoded = STANDARD
            .decode(encoded)
            .map_err(|e| format!("attribute {key} is not base64 ({e}): {encoded:?}"))?;
        let decoded = String::from_utf8(decoded).map_err(|_| format!("attribute {key} is not base64 of UTF-8"))?;
        // Names match case-insensitively, so `Name` and `name` together are a duplicate.
        if attrs.insert(key.to_ascii_lowercase(), decoded).is_some() {
            return Err(format!("duplicate attribute {key}"));
        }
        rest = &after[close + 2..];
    }
    if is_switch && !attrs.is_empty() {
        return Err(format!("mode switch {name} takes no attributes"));
    }
    Ok((name.to_string(), attrs))
}

/// An XML name as far as service messages use them (ASCII letters, digits, `-`, `_`, `.`).
fn is_xml_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// The messages called `name`, in order.
fn messages<'a>(entries: &'a [Entry], name: &'a str) -> impl Iterator<Item = &'a BTreeMap<String, String>> + 'a {
    entries.iter().filter_map(move |e| match e {
        Entry::Message { name: n, attrs } if n == name => Some(attrs),
        _ => None,
    })
}

/// Output variables set by `setVariable` (a later one wins); panics if one lacks `name` or `value`.
pub fn output_variables(entries: &[Entry]) -> BTreeMap<String, String> {
    let mut variables = BTreeMap::new();
    for attrs in messages(entries, "setVariable") {
        // The server ignores a setVariable without both attributes, so it is a bug in the emitter.
        let name = attrs
            .get("name")
            .unwrap_or_else(|| panic!("setVariable without a name: {attrs:?}"));
        let value = attrs
            .get("value")
            .unwrap_or_else(|| panic!("setVariable {name} without a value"));
        variables.insert(name.clone(), value.clone());
    }
    variables
}

/// `(percentage, message)` of every `progress`; panics if one lacks either or the percentage is not 0–100.
pub fn progress(entries: &[Entry]) -> Vec<(u8, String)> {
    messages(entries, "progress")
        .map(|attrs| {
            let percentage = attrs
                .get("percentage")
                .unwrap_or_else(|| panic!("progress without a percentage: {attrs:?}"));
            let percentage: u8 = percentage
                .parse()
                .ok()
                .filter(|p| *p <= 100)
                .unwrap_or_else(|| panic!("progress percentage {percentage:?} is not 0..=100"));
            let message = attrs
                .get("message")
                .unwrap_or_else(|| panic!("progress without a message: {attrs:?}"));
            (percentage, message.clone())
        })
        .collect()
}

/// `(path, name, length)` of every `createArtifact`; panics if an attribute is missing or bad.
pub fn artifacts(entries: &[Entry]) -> Vec<(PathBuf, String, u64)> {
    messages(entries, "createArtifact")
        .map(|attrs| {
            let get = |key: &str| {
                attrs
                    .get(key)
                    .unwrap_or_else(|| panic!("createArtifact without {key}: {attrs:?}"))
            };
            let length = get("length");
            let length = length
                .parse()
                .unwrap_or_else(|_| panic!("createArtifact length {length:?} is not a number"));
            (PathBuf::from(get("path")), get("name").clone(), length)
        })
        .collect()
}

/// True when stdout ends in default mode (the last `stdout-*` switch, if any, is `stdout-default`).
pub fn final_mode_is_default(entries: &[Entry]) -> bool {
    entries
        .iter()
        .rev()
        .find_map(|e| match e {
            Entry::Message { name, .. } if name.starts_with("stdout-") => Some(name == "stdout-default"),
            _ => None,
        })
        .unwrap_or(true)
}

/// True when every non-default block (verbose, warning, highlight …) holds only its text lines and is
/// closed by `stdout-default` before any other message or the end of output.
pub fn blocks_return_to_default(entries: &[Entry]) -> bool {
    let mut in_block = false;
    for entry in entries {
        match entry {
            Entry::Message { name, .. } if name == "stdout-default" => in_block = false,
            Entry::Message { name, .. } if name.starts_with("stdout-") => {
                // Switching from one block straight into another skips the return to default.
                if in_block {
                    return false;
                }
                in_block = true;
            }
            Entry::Message { .. } if in_block => return false,
            _ => {}
        }
    }
    !in_block
}

/// The last `resultMessage` text, if any.
pub fn result_message(entries: &[Entry]) -> Option<String> {
    messages(entries, "resultMessage")
        .last()
        .map(|attrs| attrs.get("message").cloned().unwrap_or_default())
}
