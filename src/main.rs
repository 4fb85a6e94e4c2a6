//! `octosync`: the command line. Mode from the command line, settings from the environment, run,
//! exit code. Nothing else lives here.

use clap::{Parser, Subcommand};
use octosync::octolog::{detect_flavor, init_tracing, Flavor, TaskLog};
use octosync::report::Mode;
use octosync::{demo, engine, settings};
use std::path::PathBuf;
use std::process::ExitCode;

// musl's allocator (the static Linux build's) is slow under many threads, and a sync is mostly
// building and dropping JSON documents: mimalloc keeps that off the run's wall time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Keeps the allocator's memory in 4 KiB pages. Where transparent huge pages are `always` (common on
/// Linux workers), mimalloc's sparse arenas become resident 2 MiB at a time: a large sync's peak RSS
/// was a sixth higher for no gain in time.
#[cfg(target_os = "linux")]
fn no_transparent_huge_pages() {
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and only sets a flag of this process.
    // A kernel that refuses it leaves THP as it was, which is harmless: nothing to handle.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[cfg(not(target_os = "linux"))]
fn no_transparent_huge_pages() {}

/// Exit code when the spaces are out of sync and `OCTOSYNC_FAIL_ON_CHANGES` asks for it.
const EXIT_CHANGES_PENDING: u8 = 2;

#[derive(Parser)]
#[command(
    name = "octosync",
    version,
    about = "Keeps an Octopus Deploy space in sync with a space on another instance."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Sync as OCTOSYNC_MODE says (plan unless set); what the step template runs.
    Run,
    /// Read both spaces and report what would change; writes nothing.
    Plan,
    /// Make the changes.
    Apply,
    /// Sync between two simulated instances: plan, apply, apply again.
    Demo {
        /// Folder for the three runs' reports.
        #[arg(long, default_value = "octosync-demo")]
        report_dir: PathBuf,
    },
    /// Start simulated Octopus instances on local ports until Ctrl+C.
    Sim(octosync::sim::SimCliArgs),
    /// Write the Octopus step templates (generated from the settings) to a folder, or check them.
    StepTemplate {
        /// Folder for the template files.
        #[arg(long, default_value = "step-template")]
        out: PathBuf,
        /// Only check that the files there are up to date; fail if not.
        #[arg(long)]
        check: bool,
    },
}

fn main() -> ExitCode {
    no_transparent_huge_pages();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: could not start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match cli.command.unwrap_or(Command::Run) {
        Command::Run => sync(&runtime, None),
        Command::Plan => sync(&runtime, Some(Mode::Plan)),
        Command::Apply => sync(&runtime, Some(Mode::Apply)),
        Command::Demo { report_dir } => {
            let log = TaskLog::new(detect_flavor(None), false);
            init_tracing(&log, false);
            finish(&log, runtime.block_on(demo::run(&report_dir, &log)).map(|_| 0))
        }
        Command::Sim(args) => {
            let log = TaskLog::new(detect_flavor(Some(false)), true);
            init_tracing(&log, false);
            finish(&log, runtime.block_on(octosync::sim::run_cli(args)).map(|_| 0))
        }
        Command::StepTemplate { out, check } => match octosync::step_template::run_cli(&out, check) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::FAILURE
            }
        },
    }
}

fn sync(runtime: &tokio::runtime::Runtime, forced: Option<Mode>) -> ExitCode {
    let job = match settings::from_vars_with_mode(std::env::vars(), forced) {
        Ok(job) => job,
        Err(e) => {
            let log = TaskLog::new(detect_flavor(None), false);
            return finish(&log, Err(anyhow::Error::new(e)));
        }
    };
    let log = TaskLog::new(detect_flavor(job.service_messages), job.verbose);
    init_tracing(&log, job.verbose);
    let result = runtime.block_on(async {
        let mut report = engine::run(&job, &log).await?;
        engine::publish(&mut report, &job, &log)?;
        if report.summary.errors > 0 {
            let first = report
                .errors
                .iter()
                .cloned()
                .chain(
                    report
                        .changes
                        .iter()
                        .filter_map(|c| c.error.as_ref().map(|e| format!("{} '{}': {e}", c.kind, c.name))),
                )
                .next()
                .unwrap_or_default();
            let why = report
                .stopped
                .clone()
                .unwrap_or_else(|| "see the report for what to fix".into());
            anyhow::bail!(
                "{} error(s), the first: {}. {why}",
                report.summary.errors,
                first.trim_end_matches('.')
            );
        }
        if job.fail_on_changes && job.mode == Mode::Plan && !report.summary.in_sync {
            log.fail(&format!("The spaces are out of sync: {}", report.summary_line()));
            return Ok(EXIT_CHANGES_PENDING);
        }
        Ok(0)
    });
    finish(&log, result)
}

fn finish(log: &TaskLog, result: anyhow::Result<u8>) -> ExitCode {
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let message = format!("{e:#}");
            // Under Octopus the task log gets the detail and the step its failure text; plain output
            // would show the same lines twice.
            if log.flavor() == Flavor::Octopus {
                log.error(&message);
            }
            log.fail(&message);
            ExitCode::FAILURE
        }
    }
}
