//! Fault injection: a seeded RNG decides, per request, whether and how it fails.

use std::sync::Mutex;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// How an injected fault shows itself to the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 503 before the request is processed.
    Unavailable,
    /// 429 with `Retry-After: 1` before the request is processed.
    RateLimited,
    /// The TCP connection is closed without a response, before processing.
    DroppedBefore,
    /// Writes only: the work is committed, then the connection is closed without a response.
    DroppedAfterCommit,
    /// The server sits on the request this long, then does the work and answers: a client with a
    /// shorter timeout gives up on a request that still succeeds. Only by [`Faults::inject`].
    Stalled(Duration),
}

impl Fault {
    /// The label recorded in `LoggedRequest::fault`.
    pub fn label(self) -> &'static str {
        match self {
            Fault::Unavailable => "unavailable_503",
            Fault::RateLimited => "rate_limited_429",
            Fault::DroppedBefore => "dropped_before_processing",
            Fault::DroppedAfterCommit => "dropped_after_commit",
            Fault::Stalled(_) => "stalled",
        }
    }
}

/// The fault dial: a rate and a deterministic RNG (one draw per request, whatever the rate, so a
/// test that changes the rate mid-way still sees a repeatable sequence).
pub(crate) struct Faults {
    state: Mutex<(f64, StdRng)>,
    /// Faults a test asked for: (method, fault, how many more requests get it).
    scripted: Mutex<Vec<(String, Fault, usize)>>,
}

impl Faults {
    pub fn new(rate: f64, seed: u64) -> Faults {
        Faults {
            state: Mutex::new((rate.clamp(0.0, 1.0), StdRng::seed_from_u64(seed))),
            scripted: Mutex::new(Vec::new()),
        }
    }

    pub fn set_rate(&self, rate: f64) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.0 = rate.clamp(0.0, 1.0);
    }

    /// The next `count` requests with `method` get `fault`, before any random fault.
    pub fn inject(&self, method: &str, fault: Fault, count: usize) {
        let mut q = self.scripted.lock().unwrap_or_else(|e| e.into_inner());
        q.push((method.to_ascii_uppercase(), fault, count));
    }

    pub fn decide(&self, method: &str, is_write: bool) -> Option<Fault> {
        {
            let mut q = self.scripted.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(i) = q.iter().position(|(m, _, left)| m == method && *left > 0) {
                q[i].2 -= 1;
                let fault = q[i].1;
                q.retain(|(_, _, left)| *left > 0);
                return Some(fault);
            }
        }
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let rate = s.0;
        let hit: f64 = s.1.random();
        let pick: u32 = s.1.random_range(0..if is_write { 4 } else { 3 });
        if hit >= rate {
            return None;
        }
        Some(match pick {
            0 => Fault::Unavailable,
            1 => Fault::RateLimited,
            2 => Fault::DroppedBefore,
            _ => Fault::DroppedAfterCommit,
        })
    }
}
