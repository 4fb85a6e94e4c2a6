//! `octosync sim` started by hand, then `octosync apply` twice with OCTOSYNC_* settings, as the README says.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn octosync(args: &[&str], vars: &[(String, String)]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_octosync"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(vars.iter().cloned())
        .output()
        .expect("octosync runs")
}

#[test]
fn a_hand_started_simulator_pair_syncs_and_the_second_apply_is_a_no_op() {
    let mut sim = Command::new(env!("CARGO_BIN_EXE_octosync"))
        .args(["sim", "--seed", "demo"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("octosync sim starts");
    let mut vars: Vec<(String, String)> = Vec::new();
    let mut lines = BufReader::new(sim.stdout.take().expect("piped stdout")).lines();
    for line in lines.by_ref() {
        let line = line.expect("sim output");
        if let Some((k, v)) = line.strip_prefix("export ").and_then(|kv| kv.split_once('=')) {
            vars.push((k.to_string(), v.to_string()));
        }
        if line.starts_with("serving") {
            break;
        }
    }
    assert_eq!(
        vars.len(),
        6,
        "the simulator printed the six connection settings: {vars:?}"
    );
    let dir = tempfile::tempdir().unwrap();
    vars.extend(
        [
            ("OCTOSYNC_ENVIRONMENTS", "all\n!Development\n!Test"),
            ("OCTOSYNC_PROJECT_GROUPS", "all"),
            ("OCTOSYNC_TENANT_TAG_SETS", "all"),
            ("OCTOSYNC_LIFECYCLES", "all"),
            ("OCTOSYNC_REPORT_DIR", dir.path().to_str().unwrap()),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string())),
    );

    let first = octosync(&["apply"], &vars);
    let second = octosync(&["apply"], &vars);
    let _ = sim.kill();
    let _ = sim.wait();

    let out1 = String::from_utf8_lossy(&first.stdout);
    assert_eq!(first.status.code(), Some(0), "{out1}");
    // One tag set's tags change, and the tag sets are put in order once for the new one.
    assert!(
        out1.contains("Apply complete: 3 added, 1 changed, 1 collection order(s) set"),
        "{out1}"
    );
    let out2 = String::from_utf8_lossy(&second.stdout);
    assert_eq!(second.status.code(), Some(0), "{out2}");
    assert!(
        out2.contains("Apply complete: nothing to change, nothing was written"),
        "{out2}"
    );
    let report =
        octosync::report::from_json(&std::fs::read_to_string(dir.path().join("octosync-report.json")).unwrap())
            .unwrap();
    assert_eq!(report.requests["destination"].writes(), 0);
    assert!(report.summary.in_sync);
}
