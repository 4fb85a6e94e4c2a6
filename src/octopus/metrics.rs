//! Request counts per method and status, for the report.

use crate::report::RequestCounts;
use std::sync::Mutex;

/// Thread-safe request counters of one instance.
#[derive(Debug, Default)]
pub struct Metrics {
    counts: Mutex<RequestCounts>,
}

impl Metrics {
    /// Records one attempt; `status` is `None` for a transport failure.
    pub fn record(&self, method: &str, status: Option<u16>) {
        let mut c = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let key = status.map(|s| s.to_string()).unwrap_or_else(|| "error".into());
        *c.by_method
            .entry(method.to_string())
            .or_default()
            .entry(key)
            .or_default() += 1;
        c.total += 1;
    }

    /// Records that an attempt is being retried.
    pub fn record_retry(&self) {
        self.counts.lock().unwrap_or_else(|e| e.into_inner()).retries += 1;
    }

    /// A copy of the counts so far.
    pub fn snapshot(&self) -> RequestCounts {
        self.counts.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}
