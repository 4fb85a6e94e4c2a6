//! The task log: Octopus service messages when Calamari runs us, readable lines otherwise.
//!
//! The wire format follows `reference/octopus-step.md` §1: every service message starts a line and is
//! flushed at once; attribute values are STANDARD base64 (with padding) of UTF-8 in single quotes; the
//! sticky `stdout-*` mode is tracked like Calamari's `AbstractLog.SetMode` and every verbose, warning or
//! highlight block ends in `stdout-default`, so the log is in default mode between any two calls (a
//! process that exits abruptly never leaves the rest of the step's output at the wrong level).
//!
//! Everything written (text lines and attribute values alike) goes through redaction first.

use crate::redact::Redactor;
use anyhow::{bail, Context as _};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, Once};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::Context;
use tracing_subscriber::Layer;

/// What the binary's output is read by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// Calamari is running us: write service messages.
    Octopus,
    /// A person or a plain CI log: write readable lines.
    Plain,
}

/// Environment variables that only exist when Calamari (on a Tentacle or a worker) started the process
/// (`reference/octopus-step.md` §2.3): Calamari sets `OctopusCalamariWorkingDirectory`, and the child
/// inherits the `Tentacle*` variables, which Calamari copies even when running as another user.
const CALAMARI_MARKERS: [&str; 3] = [
    "OctopusCalamariWorkingDirectory",
    "TentacleHome",
    "TentacleInstanceName",
];

/// Octopus when forced, or when the environment shows Calamari is running us; Plain otherwise.
pub fn detect_flavor(force: Option<bool>) -> Flavor {
    detect_flavor_with(force, |name| std::env::var_os(name).is_some_and(|v| !v.is_empty()))
}

/// Testable core of [`detect_flavor`]: `present(name)` says whether a non-empty variable is set.
fn detect_flavor_with(force: Option<bool>, present: impl Fn(&str) -> bool) -> Flavor {
    match force {
        Some(true) => Flavor::Octopus,
        Some(false) => Flavor::Plain,
        None if CALAMARI_MARKERS.iter().any(|name| present(name)) => Flavor::Octopus,
        None => Flavor::Plain,
    }
}

/// The sticky mode of stdout lines as Octopus sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StdoutMode {
    Default,
    Verbose,
    Warning,
    Highlight,
}

impl StdoutMode {
    fn switch_message(self) -> &'static str {
        match self {
            StdoutMode::Default => "##octopus[stdout-default]",
            StdoutMode::Verbose => "##octopus[stdout-verbose]",
            StdoutMode::Warning => "##octopus[stdout-warning]",
            StdoutMode::Highlight => "##octopus[stdout-highlight]",
        }
    }
}

struct Inner {
    flavor: Flavor,
    verbose_in_plain: bool,
    out: Box<dyn Write + Send>,
    err: Box<dyn Write + Send>,
    mode: StdoutMode,
    /// Masks secrets and credential-shaped text in everything written.
    redactor: Redactor,
}

/// The task log: cheap to clone, safe to share between threads.
#[derive(Clone)]
pub struct TaskLog {
    inner: Arc<Mutex<Inner>>,
}

impl fmt::Debug for TaskLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the redaction list.
        f.debug_struct("TaskLog")
            .field("flavor", &self.flavor())
            .finish_non_exhaustive()
    }
}

impl TaskLog {
    /// A task log writing to this process's stdout and stderr.
    pub fn new(flavor: Flavor, verbose_in_plain: bool) -> TaskLog {
        TaskLog::with_writers(
            flavor,
            verbose_in_plain,
            Box::new(std::io::stdout()),
            Box::new(std::io::stderr()),
        )
    }

    /// A task log writing to the given streams (for tests).
    pub fn with_writers(
        flavor: Flavor,
        verbose_in_plain: bool,
        out: Box<dyn Write + Send>,
        err: Box<dyn Write + Send>,
    ) -> TaskLog {
        TaskLog {
            inner: Arc::new(Mutex::new(Inner {
                flavor,
                verbose_in_plain,
                out,
                err,
                mode: StdoutMode::Default,
                redactor: Redactor::default(),
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while logging must not silence the rest of the run.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The flavor this log writes.
    pub fn flavor(&self) -> Flavor {
        self.lock().flavor
    }

    /// Masks every later occurrence of `secret` as `********` (secrets shorter than 4 chars are ignored).
    pub fn add_redaction(&self, secret: &str) {
        self.lock().redactor.add(secret);
    }

    /// The redaction this log applies, for text that leaves octosync another way (the reports).
    pub fn redactor(&self) -> Redactor {
        self.lock().redactor.clone()
    }

    /// Verbose text (hidden by default in the Octopus task log; shown in Plain only when asked for).
    pub fn verbose(&self, text: &str) {
        let mut inner = self.lock();
        match inner.flavor {
            Flavor::Octopus => inner.block(StdoutMode::Verbose, text),
            Flavor::Plain if inner.verbose_in_plain => inner.plain_out("", text),
            Flavor::Plain => {}
        }
    }

    /// Ordinary information.
    pub fn info(&self, text: &str) {
        let mut inner = self.lock();
        match inner.flavor {
            Flavor::Octopus => inner.block(StdoutMode::Default, text),
            Flavor::Plain => inner.plain_out("", text),
        }
    }

    /// A warning.
    pub fn warning(&self, text: &str) {
        let mut inner = self.lock();
        match inner.flavor {
            Flavor::Octopus => inner.block(StdoutMode::Warning, text),
            Flavor::Plain => inner.plain_out("warning: ", text),
        }
    }

    /// An error line: stderr in both flavors (Octopus logs stderr as Error).
    pub fn error(&self, text: &str) {
        let mut inner = self.lock();
        match inner.flavor {
            Flavor::Octopus => inner.plain_err("", text),
            Flavor::Plain => inner.plain_err("error: ", text),
        }
    }

    /// Highlighted text (bold in the task log and shown on the task summary).
    pub fn highlight(&self, text: &str) {
        let mut inner = self.lock();
        match inner.flavor {
            Flavor::Octopus => inner.block(StdoutMode::Highlight, text),
            Flavor::Plain => inner.plain_out("", text),
        }
    }

    /// Moves the task's progress bar; `percentage` is clamped to 100.
    pub fn progress(&self, percentage: u8, message: &str) {
        let percentage = percentage.min(100);
        let mut inner = self.lock();
        match inner.flavor {
            Flavor::Octopus => inner.message(
                "progress",
                &[("percentage", &percentage.to_string()), ("message", message)],
            ),
            Flavor::Plain => inner.plain_out("", &format!("[{percentage:>3}%] {message}")),
        }
    }

    /// Sets an output variable (`Octopus.Action[Step].Output.<name>`); never sensitive.
    pub fn set_output(&self, name: &str, value: &str) {
        let mut inner = self.lock();
        match inner.flavor {
            // Always send `value`, even empty: the server ignores a setVariable without one.
            Flavor::Octopus => inner.message("setVariable", &[("name", name), ("value", value)]),
            Flavor::Plain => inner.plain_out("", &format!("output: {name} = {value}")),
        }
    }

    /// Registers an existing file as an artifact, collected by Octopus after the step ends.
    pub fn artifact(&self, path: &Path) -> anyhow::Result<()> {
        let absolute =
            std::fs::canonicalize(path).with_context(|| format!("artifact file {} cannot be found", path.display()))?;
        let absolute = without_verbatim_prefix(absolute);
        let metadata = std::fs::metadata(&absolute)
            .with_context(|| format!("cannot read artifact file {}", absolute.display()))?;
        if !metadata.is_file() {
            bail!("artifact {} is not a file", absolute.display());
        }
        // A lossy path would name a file the server cannot find.
        let Some(path_text) = absolute.to_str() else {
            bail!("artifact path {} is not valid UTF-8", absolute.display());
        };
        let name = absolute
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let length = metadata.len();
        let mut inner = self.lock();
        match inner.flavor {
            Flavor::Octopus => inner.message(
                "createArtifact",
                &[("path", path_text), ("name", &name), ("length", &length.to_string())],
            ),
            Flavor::Plain => inner.plain_out("", &format!("artifact: {path_text} ({length} bytes)")),
        }
        Ok(())
    }

    /// Sets the step's failure text; the caller exits non-zero right afterwards.
    pub fn fail(&self, message: &str) {
        let mut inner = self.lock();
        match inner.flavor {
            Flavor::Octopus => inner.message("resultMessage", &[("message", message)]),
            Flavor::Plain => inner.plain_err("error: ", message),
        }
    }

    /// A `tracing` layer that writes every event to this log.
    pub fn layer(&self) -> TaskLogLayer {
        TaskLogLayer { log: self.clone() }
    }
}

impl Inner {
    fn redact(&self, text: &str) -> String {
        self.redactor.redact(text)
    }

    /// Redacted, `\r`-free lines of `text`, each prefixed and safe to write as plain text.
    fn lines(&self, prefix: &str, text: &str) -> Vec<String> {
        // Redact before and after dropping `\r`, so neither form of a secret survives.
        let text = self.redact(&self.redact(text).replace('\r', ""));
        let text = text.strip_suffix('\n').unwrap_or(&text);
        // `warning: ` / `error: ` on every line keeps each one greppable.
        text.split('\n')
            .map(|line| neutralise(&format!("{prefix}{line}")))
            .collect()
    }

    fn write_out(&mut self, line: &str) {
        // Logging must never abort the run; a closed pipe simply loses the line.
        let _ = writeln!(self.out, "{line}");
        let _ = self.out.flush();
    }

    fn write_err(&mut self, line: &str) {
        let _ = writeln!(self.err, "{line}");
        let _ = self.err.flush();
    }

    fn set_mode(&mut self, mode: StdoutMode) {
        if self.mode != mode {
            self.write_out(mode.switch_message());
            self.mode = mode;
        }
    }

    /// Octopus: `text` at `mode`, ending in default mode.
    fn block(&mut self, mode: StdoutMode, text: &str) {
        let lines = self.lines("", text);
        self.set_mode(mode);
        for line in &lines {
            self.write_out(line);
        }
        self.set_mode(StdoutMode::Default);
    }

    /// Octopus: one service message with redacted, base64-encoded attributes, written in default mode.
    fn message(&mut self, name: &str, attrs: &[(&str, &str)]) {
        let mut line = format!("##octopus[{name}");
        for (key, value) in attrs {
            let value = STANDARD.encode(self.redact(value));
            line.push_str(&format!(" {key}='{value}'"));
        }
        line.push(']');
        self.set_mode(StdoutMode::Default);
        self.write_out(&line);
    }

    fn plain_out(&mut self, prefix: &str, text: &str) {
        for line in self.lines(prefix, text) {
            self.write_out(&line);
        }
    }

    fn plain_err(&mut self, prefix: &str, text: &str) {
        for line in self.lines(prefix, text) {
            self.write_err(&line);
        }
    }
}

/// Makes sure no text line can be read as a service message.
///
/// The server's parser only matches `##octopus` at the start of a line, but Calamari's own parser
/// matches it anywhere (and then swallows text up to the next `]`, real messages included), so a leading
/// space is not enough: every occurrence is broken up to `# #octopus`.
fn neutralise(line: &str) -> String {
    if line.contains("##octopus") {
        line.replace("##octopus", "# #octopus")
    } else {
        line.to_string()
    }
}

/// Windows `canonicalize` returns `\\?\C:\…`; Octopus expects the ordinary `C:\…` form.
#[cfg(windows)]
fn without_verbatim_prefix(path: PathBuf) -> PathBuf {
    match path.to_str().and_then(|p| p.strip_prefix(r"\\?\")) {
        Some(rest) if rest.as_bytes().get(1) == Some(&b':') => PathBuf::from(rest),
        _ => path,
    }
}

/// Windows `canonicalize` returns `\\?\C:\…`; elsewhere the path is already plain.
#[cfg(not(windows))]
fn without_verbatim_prefix(path: PathBuf) -> PathBuf {
    path
}

/// A `tracing_subscriber::Layer` that routes events to a [`TaskLog`].
#[derive(Debug, Clone)]
pub struct TaskLogLayer {
    log: TaskLog,
}

impl<S: Subscriber> Layer<S> for TaskLogLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut fields = EventFields::default();
        event.record(&mut fields);
        let text = fields.render();
        match *event.metadata().level() {
            Level::ERROR => self.log.error(&text),
            Level::WARN => self.log.warning(&text),
            // An error or warning keeps its severity even when marked as a highlight.
            _ if fields.highlight => self.log.highlight(&text),
            Level::INFO => self.log.info(&text),
            _ => self.log.verbose(&text),
        }
    }
}

/// The fields of one event: `message`, a `highlight` flag, and the rest as `key=value`.
#[derive(Default)]
struct EventFields {
    message: Option<String>,
    highlight: bool,
    others: Vec<(&'static str, String)>,
}

impl EventFields {
    fn push(&mut self, field: &Field, value: String) {
        match field.name() {
            "message" => self.message = Some(value),
            // Bridged `log` records carry their origin as fields; that is noise in a task log.
            name if name.starts_with("log.") => {}
            name => self.others.push((name, value)),
        }
    }

    fn render(&self) -> String {
        let mut text = self.message.clone().unwrap_or_default();
        for (key, value) in &self.others {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(&format!("{key}={value}"));
        }
        text
    }
}

impl Visit for EventFields {
    fn record_bool(&mut self, field: &Field, value: bool) {
        if field.name() == "highlight" {
            self.highlight = value;
        } else {
            self.push(field, value.to_string());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.push(field, value.to_string());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.push(field, format!("{value:?}"));
    }
}

/// Installs a global subscriber that sends `tracing` events to `log`; later calls do nothing.
pub fn init_tracing(log: &TaskLog, verbose: bool) {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        use tracing_subscriber::layer::SubscriberExt as _;
        use tracing_subscriber::util::SubscriberInitExt as _;
        // Our own debug events are always recorded (the task log hides verbose lines by default, and
        // Plain shows them only when asked); dependencies only speak up about problems.
        let directives = if verbose {
            "info,octosync=trace"
        } else {
            "warn,octosync=debug"
        };
        let filter = tracing_subscriber::EnvFilter::new(directives);
        // Another global subscriber (e.g. a test harness's) wins; that is not our error to report.
        let _ = tracing_subscriber::registry()
            .with(log.layer().with_filter(filter))
            .try_init();
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;

    /// A writer whose bytes stay readable after the log took ownership of it.
    #[derive(Clone, Default)]
    struct Capture(Arc<Mutex<Vec<u8>>>);

    impl Capture {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    impl Write for Capture {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn capture(flavor: Flavor, verbose_in_plain: bool) -> (TaskLog, Capture, Capture) {
        let (out, err) = (Capture::default(), Capture::default());
        let log = TaskLog::with_writers(flavor, verbose_in_plain, Box::new(out.clone()), Box::new(err.clone()));
        (log, out, err)
    }

    fn b64(s: &str) -> String {
        STANDARD.encode(s)
    }

    #[test]
    fn detect_flavor_honours_force_and_calamari_markers() {
        assert_eq!(detect_flavor_with(Some(true), |_| false), Flavor::Octopus);
        assert_eq!(detect_flavor_with(Some(false), |_| true), Flavor::Plain);
        assert_eq!(detect_flavor_with(None, |_| false), Flavor::Plain);
        for marker in CALAMARI_MARKERS {
            let found = detect_flavor_with(None, |name| name == marker);
            assert_eq!(found, Flavor::Octopus, "{marker}");
        }
    }

    #[test]
    fn info_is_a_plain_line() {
        let (log, out, err) = capture(Flavor::Octopus, false);
        log.info("Loading the source space");
        assert_eq!(out.text(), "Loading the source space\n");
        assert_eq!(err.text(), "");
    }

    #[test]
    fn verbose_warning_and_highlight_are_blocks_ending_in_default() {
        let (log, out, _) = capture(Flavor::Octopus, false);
        log.verbose("v");
        log.warning("w");
        log.highlight("h");
        log.info("i");
        assert_eq!(
            out.text(),
            "##octopus[stdout-verbose]\nv\n##octopus[stdout-default]\n\
             ##octopus[stdout-warning]\nw\n##octopus[stdout-default]\n\
             ##octopus[stdout-highlight]\nh\n##octopus[stdout-default]\n\
             i\n"
        );
    }

    #[test]
    fn multi_line_text_is_one_block_without_carriage_returns() {
        let (log, out, _) = capture(Flavor::Octopus, false);
        log.warning("first\r\nsecond\n");
        assert_eq!(
            out.text(),
            "##octopus[stdout-warning]\nfirst\nsecond\n##octopus[stdout-default]\n"
        );
    }

    #[test]
    fn text_that_looks_like_a_message_is_neutralised() {
        let (log, out, err) = capture(Flavor::Octopus, false);
        log.info("##octopus[setVariable name='eA==' value='eQ==']\nsee ##octopus[stdout-ignore");
        log.error("##octopus[stdout-ignore]");
        assert_eq!(
            out.text(),
            "# #octopus[setVariable name='eA==' value='eQ==']\nsee # #octopus[stdout-ignore\n"
        );
        assert_eq!(err.text(), "# #octopus[stdout-ignore]\n");
    }

    #[test]
    fn errors_go_to_stderr() {
        let (log, out, err) = capture(Flavor::Octopus, false);
        log.error("it broke\nbadly");
        assert_eq!(out.text(), "");
        assert_eq!(err.text(), "it broke\nbadly\n");
    }

    #[test]
    fn progress_has_both_attributes_and_is_clamped() {
        let (log, out, _) = capture(Flavor::Octopus, false);
        log.progress(40, "Loading");
        log.progress(250, "");
        assert_eq!(
            out.text(),
            format!(
                "##octopus[progress percentage='{}' message='{}']\n\
                 ##octopus[progress percentage='{}' message='']\n",
                b64("40"),
                b64("Loading"),
                b64("100")
            )
        );
    }

    #[test]
    fn set_output_always_has_a_value() {
        let (log, out, _) = capture(Flavor::Octopus, false);
        log.set_output("Changes", "3");
        log.set_output("Empty", "");
        assert_eq!(
            out.text(),
            format!(
                "##octopus[setVariable name='{}' value='{}']\n\
                 ##octopus[setVariable name='{}' value='']\n",
                b64("Changes"),
                b64("3"),
                b64("Empty")
            )
        );
    }

    #[test]
    fn fail_writes_result_message() {
        let (log, out, err) = capture(Flavor::Octopus, false);
        log.fail("Destination is unreachable");
        assert_eq!(
            out.text(),
            format!(
                "##octopus[resultMessage message='{}']\n",
                b64("Destination is unreachable")
            )
        );
        assert_eq!(err.text(), "");
    }

    #[test]
    fn artifact_has_absolute_path_name_and_real_length() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("octosync-report.json");
        std::fs::write(&file, b"{\"a\": 1}\n").unwrap();
        let absolute = std::fs::canonicalize(&file).unwrap();
        let absolute = absolute.to_str().unwrap();

        let (log, out, _) = capture(Flavor::Octopus, false);
        // A relative spelling of the path still yields the absolute one.
        let relative = dir.path().join(".").join("octosync-report.json");
        log.artifact(&relative).unwrap();
        assert_eq!(
            out.text(),
            format!(
                "##octopus[createArtifact path='{}' name='{}' length='{}']\n",
                b64(absolute),
                b64("octosync-report.json"),
                b64("9")
            )
        );

        let (plain, out, _) = capture(Flavor::Plain, false);
        plain.artifact(&file).unwrap();
        assert_eq!(out.text(), format!("artifact: {absolute} (9 bytes)\n"));
    }

    #[test]
    fn missing_artifact_is_an_error_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let (log, out, err) = capture(Flavor::Octopus, false);
        let error = log.artifact(&dir.path().join("missing.json")).unwrap_err();
        assert!(format!("{error:#}").contains("missing.json"), "{error:#}");
        assert!(log.artifact(dir.path()).is_err(), "a folder is not an artifact");
        assert_eq!(out.text(), "");
        assert_eq!(err.text(), "");
    }

    #[test]
    fn redaction_covers_text_and_attributes() {
        let (log, out, err) = capture(Flavor::Octopus, false);
        log.add_redaction("API-SECRET1234");
        log.add_redaction("abc"); // too short: ignored, as Octopus does
        log.info("key is API-SECRET1234, abc stays");
        log.error("API-SECRET1234");
        log.set_output("Key", "x API-SECRET1234 y");
        assert_eq!(
            out.text(),
            format!(
                "key is ********, abc stays\n##octopus[setVariable name='{}' value='{}']\n",
                b64("Key"),
                b64("x ******** y")
            )
        );
        assert_eq!(err.text(), "********\n");
    }

    #[test]
    fn redaction_prefers_the_longest_secret_and_survives_line_splitting() {
        let (log, out, _) = capture(Flavor::Octopus, false);
        log.add_redaction("pass");
        log.add_redaction("password123");
        log.add_redaction("multi\nline secret");
        log.info("password123 / multi\r\nline secret");
        assert_eq!(out.text(), "******** / ********\n");
    }

    #[test]
    fn plain_flavor_is_readable() {
        let (log, out, err) = capture(Flavor::Plain, false);
        log.verbose("hidden");
        log.info("info");
        log.warning("careful\ntwice");
        log.highlight("look");
        log.progress(7, "Loading");
        log.set_output("Changes", "3");
        log.error("bad");
        log.fail("failed");
        assert_eq!(
            out.text(),
            "info\nwarning: careful\nwarning: twice\nlook\n[  7%] Loading\noutput: Changes = 3\n"
        );
        assert_eq!(err.text(), "error: bad\nerror: failed\n");

        let (log, out, _) = capture(Flavor::Plain, true);
        log.verbose("shown");
        assert_eq!(out.text(), "shown\n");
    }

    #[test]
    fn tracing_events_are_routed_by_level() {
        use tracing_subscriber::layer::SubscriberExt as _;
        let (log, out, err) = capture(Flavor::Octopus, false);
        let subscriber = tracing_subscriber::registry().with(log.layer());
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(count = 3, kind = "Environment", "loaded");
            tracing::info!(highlight = true, "Plan: 1 to add");
            tracing::warn!("slow");
            tracing::debug!("detail");
            tracing::error!(status = 500, "failed");
        });
        assert_eq!(
            out.text(),
            "loaded count=3 kind=Environment\n\
             ##octopus[stdout-highlight]\nPlan: 1 to add\n##octopus[stdout-default]\n\
             ##octopus[stdout-warning]\nslow\n##octopus[stdout-default]\n\
             ##octopus[stdout-verbose]\ndetail\n##octopus[stdout-default]\n"
        );
        assert_eq!(err.text(), "failed status=500\n");
    }

    #[test]
    fn clones_share_state() {
        let (log, out, _) = capture(Flavor::Octopus, false);
        let clone = log.clone();
        clone.add_redaction("s3cr3t-value");
        std::thread::spawn(move || clone.info("from a thread")).join().unwrap();
        log.info("s3cr3t-value");
        assert_eq!(out.text(), "from a thread\n********\n");
        assert_eq!(log.flavor(), Flavor::Octopus);
    }
}
