//! The lower bound of a scenario, from the generated spaces (the simulators' stores), never from
//! octosync's own report:
//! `max(critical path, requests on the busier instance / concurrency) x latency`.

use octosync::sim::SimServer;
use std::collections::BTreeSet;
use std::time::Duration;

/// Collections a sync of everything lists, page by page (30 items a page, the server's default).
pub const LISTED: &[&str] = &[
    "environments",
    "projectgroups",
    "tagsets",
    "feeds",
    "accounts",
    "certificates",
    "machinepolicies",
    "workerpools",
    "lifecycles",
    "actiontemplates",
    "libraryvariablesets",
    "projects",
    "channels",
    "runbooks",
    "tenants",
    "teams",
    "userroles",
    "users",
];

pub const PAGE: usize = 30;

fn pages(n: usize) -> usize {
    n.div_ceil(PAGE).max(1)
}

/// The minimum reads of one instance and the longest chain of them.
#[derive(Clone, Copy, Default)]
pub struct Reads {
    pub requests: usize,
    /// Root, space, the longest collection's pages one after another, then one bulk read of the
    /// documents its last page names.
    pub chain: usize,
}

/// Reads one instance must make: `/api` and the space; every listed collection, a page per 30;
/// the documents each item owns through bulk routes, 30 per request: deployment processes and
/// variable sets by `ids=`, runbook processes by paging `/{space}/runbookProcesses` (OpenAPI
/// 2021.2: `skip`, `take`; the 2020.4 and 2022.1 root links also advertise `ids`); every tenant's
/// variables in one `tenantvariables/all`. No document is left that only a route of its own
/// serves, so no term grows one per document.
pub fn reads(sim: &SimServer) -> Reads {
    let space = sim.space_id("Default").expect("space");
    let n = |c: &str| sim.items(&space, c).len();
    let listed: Vec<usize> = LISTED.iter().map(|c| pages(n(c))).collect();
    let projects = n("projects");
    let runbooks = n("runbooks");
    let libraries = n("libraryvariablesets");
    let owned = pages(projects) + pages(runbooks) + pages(projects + libraries) + 1;
    Reads {
        requests: 2 + listed.iter().sum::<usize>() + owned,
        chain: 2 + listed.iter().copied().max().unwrap_or(1) + 1,
    }
}

/// The writes a scenario needs and the longest chain of them.
#[derive(Clone, Copy, Default)]
pub struct Writes {
    pub requests: usize,
    pub chain: usize,
}

/// The first sync: every source item the destination lacks by name is created (a project then
/// also gets its process and variables written, a runbook its process, a tenant its variables);
/// the generated destination's copies of source projects differ in settings, process and
/// variables (three writes each), its copies of tenants in links and values (two). Scaffolding the
/// destination already has is counted as equal, so this is a floor. Chain: environment,
/// lifecycle, project, runbook, runbook process.
pub fn first_sync(source: &SimServer, destination: &SimServer) -> Writes {
    let s = source.space_id("Default").expect("space");
    let d = destination.space_id("Default").expect("space");
    let mut requests = 0;
    for c in LISTED {
        if matches!(*c, "channels" | "runbooks" | "users" | "userroles") {
            continue;
        }
        let have = names(destination, &d, c, None);
        for name in names(source, &s, c, None) {
            let owned = match *c {
                "projects" => 2,
                "tenants" => 1,
                _ => 0,
            };
            let existing = match *c {
                "projects" => 3,
                "tenants" => 2,
                _ => 0,
            };
            requests += if have.contains(&name) { existing } else { 1 + owned };
        }
    }
    for c in ["channels", "runbooks"] {
        let have = names(destination, &d, c, Some(destination));
        for name in names(source, &s, c, Some(source)) {
            if !have.contains(&name) {
                requests += if c == "runbooks" { 2 } else { 1 };
            }
        }
    }
    Writes { requests, chain: 5 }
}

/// Names of a collection's items; under a project as `project/name`.
fn names(sim: &SimServer, space: &str, collection: &str, by_project: Option<&SimServer>) -> BTreeSet<String> {
    let project_names: std::collections::BTreeMap<String, String> = match by_project {
        Some(p) => p
            .items(space, "projects")
            .iter()
            .map(|d| (s(d, "Id"), s(d, "Name")))
            .collect(),
        None => Default::default(),
    };
    sim.items(space, collection)
        .iter()
        .map(|d| match by_project {
            Some(_) => format!(
                "{}/{}",
                project_names.get(&s(d, "ProjectId")).cloned().unwrap_or_default(),
                s(d, "Name")
            ),
            None => s(d, "Name"),
        })
        .collect()
}

fn s(d: &serde_json::Value, f: &str) -> String {
    d.get(f).and_then(|v| v.as_str()).unwrap_or_default().to_string()
}

/// One scenario's bound and its terms.
pub struct Bound {
    pub source: Reads,
    pub destination: Reads,
    pub writes: Writes,
    pub concurrency: usize,
    pub latency: Duration,
}

impl Bound {
    pub fn requests(&self) -> usize {
        self.source.requests + self.destination.requests + self.writes.requests
    }

    /// Reads of both instances run side by side, so the chain is the longer reads chain then
    /// the writes chain.
    pub fn chain(&self) -> usize {
        self.source.chain.max(self.destination.chain) + self.writes.chain
    }

    /// Rounds of `concurrency` requests on the busier instance (each instance has its own limit).
    pub fn rounds(&self) -> usize {
        self.source
            .requests
            .max(self.destination.requests + self.writes.requests)
            .div_ceil(self.concurrency)
    }

    pub fn time(&self) -> Duration {
        self.latency * self.chain().max(self.rounds()) as u32
    }

    pub fn terms(&self) -> String {
        format!(
            "{} requests (source {} reads, destination {} reads + {} writes), chain {}, {} rounds of {} in flight per instance; bound max({}, {}) x {} ms = {:.2} s",
            self.requests(),
            self.source.requests,
            self.destination.requests,
            self.writes.requests,
            self.chain(),
            self.rounds(),
            self.concurrency,
            self.chain(),
            self.rounds(),
            self.latency.as_millis(),
            self.time().as_secs_f64()
        )
    }
}
