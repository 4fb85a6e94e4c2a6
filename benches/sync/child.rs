//! Runs octosync as its own process (the binary cargo built for this bench) against the
//! simulators served by the bench process, and gathers what the simulators saw.

use octosync::report::Report;
use octosync::sim::{LoggedRequest, SimServer};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How the peak RSS of the child was read.
pub const TIME_V: &str = "/usr/bin/time";

/// What one octosync run cost.
pub struct Run {
    pub took: Duration,
    /// Peak resident set size of the octosync process, in KiB.
    pub peak_kib: Option<u64>,
    /// CPU time of the octosync process (user + system), where GNU time reports it.
    pub cpu: Option<Duration>,
    /// CPU time of this process meanwhile: the simulators' work (they share the machine's cores).
    pub sim_cpu: Duration,
    pub exit: Option<i32>,
    pub report: Option<Report>,
    pub traffic: Traffic,
}

/// The requests the simulators served during a run.
#[derive(Default, Clone)]
pub struct Traffic {
    pub source: Vec<LoggedRequest>,
    pub destination: Vec<LoggedRequest>,
}

impl Traffic {
    /// Takes (and forgets) both simulators' logs.
    pub fn take(source: &SimServer, destination: &SimServer) -> Traffic {
        let t = Traffic {
            source: source.request_log(),
            destination: destination.request_log(),
        };
        source.clear_request_log();
        destination.clear_request_log();
        t
    }

    pub fn total(&self) -> usize {
        self.source.len() + self.destination.len()
    }

    /// Successful POST, PUT and DELETE on the destination.
    pub fn writes(&self) -> usize {
        self.destination
            .iter()
            .filter(|r| matches!(r.method.as_str(), "POST" | "PUT" | "DELETE") && (200..300).contains(&r.status))
            .count()
    }

    /// `GET 200 x1234, PUT 200 x17` for one side.
    pub fn by_method_status(log: &[LoggedRequest]) -> String {
        let mut m: BTreeMap<(String, u16), usize> = BTreeMap::new();
        for r in log {
            *m.entry((r.method.clone(), r.status)).or_default() += 1;
        }
        if m.is_empty() {
            return "none".into();
        }
        m.iter()
            .map(|((meth, st), n)| format!("{meth} {st} x{n}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The busiest route shapes (ids replaced by `{id}`, query names kept), most requests first.
    pub fn routes(log: &[LoggedRequest], top: usize) -> String {
        let mut m: BTreeMap<String, usize> = BTreeMap::new();
        for r in log {
            *m.entry(format!("{} {}", r.method, shape(&r.path))).or_default() += 1;
        }
        let mut v: Vec<_> = m.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v.iter()
            .take(top)
            .map(|(k, n)| format!("{n} {k}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

fn shape(path: &str) -> String {
    let (p, q) = path.split_once('?').unwrap_or((path, ""));
    let segs: Vec<String> = p
        .split('/')
        .map(|s| {
            if s.chars().any(|c| c.is_ascii_digit()) {
                "{id}".to_string()
            } else {
                s.to_ascii_lowercase()
            }
        })
        .collect();
    let names: Vec<&str> = q
        .split('&')
        .filter_map(|kv| kv.split('=').next())
        .filter(|k| !k.is_empty() && *k != "skip" && *k != "take")
        .collect();
    if names.is_empty() {
        segs.join("/")
    } else {
        format!("{}?{}", segs.join("/"), names.join("&"))
    }
}

/// Runs `octosync apply` with `vars` as its environment and waits for it without blocking the
/// simulators' runtime.
pub async fn octosync(
    source: &SimServer,
    destination: &SimServer,
    vars: Vec<(String, String)>,
    report_dir: &Path,
) -> Run {
    source.clear_request_log();
    destination.clear_request_log();
    let _ = std::fs::remove_file(report_dir.join(octosync::report::JSON_FILE_NAME));
    let bin = env!("CARGO_BIN_EXE_octosync");
    // octosync refuses OCTOSYNC_* names it does not know (the bench's own, e.g. OCTOSYNC_BENCH_SCALE):
    // the child gets only the settings passed here.
    let inherited: Vec<String> = std::env::vars()
        .map(|(k, _)| k)
        .filter(|k| k.starts_with("OCTOSYNC_"))
        .collect();
    let started = Instant::now();
    let sims_before = own_cpu();
    let (exit, peak_kib, cpu) = tokio::task::spawn_blocking(move || {
        if Path::new(TIME_V).exists() {
            let out = Command::new(TIME_V)
                .arg("-v")
                .arg(bin)
                .arg("apply")
                .env_clear()
                .envs(std::env::vars().filter(|(k, _)| !inherited.contains(k)))
                .envs(vars)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .output()
                .expect("run octosync under /usr/bin/time");
            let err = String::from_utf8_lossy(&out.stderr);
            // GNU time's report: one `Label: value` line per figure.
            let figure = |label: &str| err.lines().find_map(|l| l.trim().strip_prefix(label)).map(str::trim);
            let peak = figure("Maximum resident set size (kbytes):").and_then(|v| v.parse().ok());
            let seconds = |label: &str| figure(label).and_then(|v| v.parse::<f64>().ok());
            let cpu = seconds("User time (seconds):")
                .zip(seconds("System time (seconds):"))
                .map(|(u, s)| Duration::from_secs_f64(u + s));
            if !out.status.success() {
                let own = err.split("\tCommand being timed").next().unwrap_or_default();
                eprintln!("octosync failed; its stderr ends:\n{}", tail(own));
            }
            (out.status.code(), peak, cpu)
        } else {
            // No GNU time: poll the child's VmHWM until it exits (misses at most the last 5 ms).
            let mut child = Command::new(bin)
                .arg("apply")
                .env_clear()
                .envs(std::env::vars().filter(|(k, _)| !inherited.contains(k)))
                .envs(vars)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("run octosync");
            let status_file = format!("/proc/{}/status", child.id());
            let mut peak = None;
            loop {
                if let Some(kib) = std::fs::read_to_string(&status_file).ok().and_then(|s| vm_hwm(&s)) {
                    peak = Some(peak.unwrap_or(0).max(kib));
                }
                if let Ok(Some(status)) = child.try_wait() {
                    break (status.code(), peak, None);
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    })
    .await
    .expect("octosync's waiter");
    let took = started.elapsed();
    let sim_cpu = own_cpu().saturating_sub(sims_before);
    let report = std::fs::read_to_string(report_dir.join(octosync::report::JSON_FILE_NAME))
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok());
    Run {
        took,
        peak_kib,
        cpu,
        sim_cpu,
        exit,
        report,
        traffic: Traffic::take(source, destination),
    }
}

/// CPU time (user + system) this process has used, all threads; zero where it cannot be read.
#[cfg(target_os = "linux")]
fn own_cpu() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given and touches nothing else.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) } != 0 {
        return Duration::ZERO;
    }
    // SAFETY: zeroed is a valid rusage, and getrusage succeeded.
    let usage = unsafe { usage.assume_init() };
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    time(usage.ru_utime) + time(usage.ru_stime)
}

#[cfg(not(target_os = "linux"))]
fn own_cpu() -> Duration {
    Duration::ZERO
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}

fn vm_hwm(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
