//! The limit on requests in flight to one instance, as plain bookkeeping: fed what became of each
//! attempt, it says how many may be in flight (additive increase, multiplicative decrease).
//!
//! The rules, so an administrator can predict them:
//! - start at [`START`] (or the ceiling, if lower);
//! - add one after every `limit` answers in a row that were not slower (below), never past the ceiling;
//! - halve (never below 1) on a 429 or 503 answer or an attempt that timed out, or when the median
//!   latency of a full window of answers is slower than the baseline;
//! - at most one decrease per window of requests in flight: after a decrease, the answers to the
//!   `limit` requests that may have been in flight then are not judged (a burst of 429s halves once);
//! - "slower" is more than twice the baseline and at least [`SLACK`] more; the baseline is the lowest
//!   window median seen. A rise that outlives a halving is not octosync's load (fewer requests did
//!   not bring it down): it becomes the new baseline instead of halving again.

use crate::report::ConcurrencyHistory;
use std::time::Duration;

/// Where the limit starts (or the ceiling, if lower): the fixed limit of earlier versions.
pub const START: usize = 8;

/// Fewest answers a window is judged on, so one slow answer at a low limit is not a trend.
const MIN_WINDOW: usize = 4;

/// Latency rises smaller than this are noise (server work varies by route), never a slowdown; it
/// matters only for servers a few milliseconds away.
const SLACK: Duration = Duration::from_millis(10);

/// What became of one attempt, as far as the limit is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The server answered (anything but 429 and 5xx) and its answer's head took this long.
    Answered(Duration),
    /// A 429 or 503, or no answer within the attempt's time limit: the server is overloaded.
    Overloaded,
    /// Anything else (a dropped connection, another 5xx, an attempt given up): says nothing about load.
    Other,
}

/// The AIMD limit of one instance.
#[derive(Debug)]
pub struct Controller {
    ceiling: usize,
    limit: usize,
    /// Answers in a row, not slower, since the limit last changed.
    streak: usize,
    /// Latencies of the window being gathered.
    window: Vec<Duration>,
    /// The lowest window median seen (or the one a lasting rise settled at).
    baseline: Option<Duration>,
    /// Completions still to come of requests that may have been in flight at the last decrease.
    cooldown: usize,
    /// The last decrease was for slower answers and no window has been judged since.
    slowed: bool,
    history: ConcurrencyHistory,
}

impl Controller {
    /// A limit starting at [`START`] under `ceiling` (at least 1).
    pub fn new(ceiling: usize) -> Controller {
        let ceiling = ceiling.max(1);
        let limit = START.min(ceiling);
        Controller {
            ceiling,
            limit,
            streak: 0,
            window: Vec::new(),
            baseline: None,
            cooldown: 0,
            slowed: false,
            history: ConcurrencyHistory {
                ceiling,
                start: limit,
                highest: limit,
                lowest: limit,
                decreases: 0,
            },
        }
    }

    /// Requests that may be in flight now.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// What the limit did so far.
    pub fn history(&self) -> ConcurrencyHistory {
        self.history.clone()
    }

    /// Takes in one finished attempt and returns the limit after it.
    pub fn record(&mut self, outcome: Outcome) -> usize {
        // Answers to requests sent before the last decrease tell nothing about the new limit.
        let judged = self.cooldown == 0;
        self.cooldown = self.cooldown.saturating_sub(1);
        match outcome {
            Outcome::Other => {}
            Outcome::Overloaded => {
                self.decrease();
            }
            Outcome::Answered(latency) if judged => self.answered(latency),
            Outcome::Answered(_) => {}
        }
        self.limit
    }

    /// One answer: towards growth unless slower, and into the window.
    fn answered(&mut self, latency: Duration) {
        if self.baseline.is_some_and(|b| slower(latency, b)) {
            self.streak = 0;
        } else {
            self.streak += 1;
            if self.streak >= self.limit {
                self.grow();
            }
        }
        self.window.push(latency);
        if self.window.len() < self.limit.max(MIN_WINDOW) {
            return;
        }
        let typical = median(&mut self.window);
        self.window.clear();
        match self.baseline {
            Some(b) if slower(typical, b) => {
                if self.slowed {
                    // Half as many requests did not bring it down: the server is slower, not busier.
                    self.baseline = Some(typical);
                    self.slowed = false;
                } else if self.decrease() {
                    self.slowed = true;
                }
            }
            b => {
                self.baseline = Some(b.map_or(typical, |b| b.min(typical)));
                self.slowed = false;
            }
        }
    }

    /// One more request in flight, up to the ceiling.
    fn grow(&mut self) {
        self.streak = 0;
        if self.limit < self.ceiling {
            self.limit += 1;
            self.history.highest = self.history.highest.max(self.limit);
        }
    }

    /// Halves the limit unless one window has not passed since the last decrease; true if it did.
    fn decrease(&mut self) -> bool {
        self.streak = 0;
        if self.cooldown > 0 || self.limit == 1 {
            return false;
        }
        self.cooldown = self.limit;
        self.limit = (self.limit / 2).max(1);
        self.window.clear();
        self.history.decreases += 1;
        self.history.lowest = self.history.lowest.min(self.limit);
        true
    }
}

/// Whether `latency` is slower than `baseline`: more than twice it, and by more than [`SLACK`].
fn slower(latency: Duration, baseline: Duration) -> bool {
    latency > baseline.saturating_mul(2) && latency > baseline + SLACK
}

/// The middle value (the upper one of an even count); `samples` must not be empty.
fn median(samples: &mut [Duration]) -> Duration {
    samples.sort_unstable();
    samples[samples.len() / 2]
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS20: Duration = Duration::from_millis(20);

    fn answered(ms: u64) -> Outcome {
        Outcome::Answered(Duration::from_millis(ms))
    }

    /// Feeds `n` outcomes and returns the limit after them.
    fn feed(c: &mut Controller, outcome: Outcome, n: usize) -> usize {
        for _ in 0..n {
            c.record(outcome);
        }
        c.limit()
    }

    #[test]
    fn grows_by_one_per_window_to_the_ceiling_under_steady_latency() {
        let mut c = Controller::new(32);
        assert_eq!(c.limit(), 8);
        assert_eq!(feed(&mut c, Outcome::Answered(MS20), 7), 8);
        assert_eq!(feed(&mut c, Outcome::Answered(MS20), 1), 9, "+1 after 8 answers at 8");
        assert_eq!(feed(&mut c, Outcome::Answered(MS20), 9), 10, "+1 after 9 answers at 9");
        assert_eq!(feed(&mut c, Outcome::Answered(MS20), 1000), 32);
        let h = c.history();
        assert_eq!(
            (h.ceiling, h.start, h.highest, h.lowest, h.decreases),
            (32, 8, 32, 8, 0)
        );
    }

    #[test]
    fn a_burst_of_429s_from_one_window_halves_once() {
        let mut c = Controller::new(32);
        feed(&mut c, Outcome::Answered(MS20), 8 + 9 + 10 + 11 + 12 + 13 + 14 + 15);
        assert_eq!(c.limit(), 16);
        // All 16 requests in flight come back 429: one halving.
        assert_eq!(feed(&mut c, Outcome::Overloaded, 16), 8);
        assert_eq!(c.history().decreases, 1);
        // A 429 to a request sent at the new limit halves again.
        assert_eq!(feed(&mut c, Outcome::Overloaded, 1), 4);
        assert_eq!(c.history().decreases, 2);
        assert_eq!(c.history().lowest, 4);
        assert_eq!(c.history().highest, 16);
    }

    #[test]
    fn halves_when_latency_doubles_and_takes_a_lasting_rise_as_the_new_normal() {
        let mut c = Controller::new(8);
        feed(&mut c, Outcome::Answered(MS20), 40);
        assert_eq!(c.limit(), 8);
        // One slow answer in a window is an outlier, not a slowdown.
        feed(&mut c, answered(100), 1);
        feed(&mut c, Outcome::Answered(MS20), 7);
        assert_eq!(c.limit(), 8);
        assert_eq!(c.history().decreases, 0);
        // A whole window more than twice as slow halves.
        assert_eq!(feed(&mut c, answered(50), 8), 4);
        assert_eq!(c.history().decreases, 1);
        // The 8 sent before the halving are not judged; then a window at 4, still slow: that is
        // the server, not octosync's load, so no second halving, and 50 ms is the new baseline.
        feed(&mut c, answered(50), 8);
        assert_eq!(feed(&mut c, answered(50), 4), 4);
        assert_eq!(c.history().decreases, 1);
        assert_eq!(feed(&mut c, answered(50), 4), 5, "growing again at the new baseline");
        // Back to the old speed, then slower again: a new rise halves again.
        assert_eq!(feed(&mut c, Outcome::Answered(MS20), 40), 8);
        assert_eq!(feed(&mut c, answered(45), 16), 4);
        assert_eq!(c.history().decreases, 2);
    }

    #[test]
    fn small_rises_on_a_near_server_are_noise() {
        let mut c = Controller::new(16);
        feed(&mut c, answered(1), 8);
        assert_eq!(
            feed(&mut c, answered(6), 200),
            16,
            "6 ms against 1 ms is under the slack"
        );
        assert_eq!(c.history().decreases, 0);
    }

    #[test]
    fn never_below_one_nor_above_the_ceiling() {
        let mut c = Controller::new(4);
        assert_eq!(c.limit(), 4, "starts at the ceiling when it is below 8");
        assert_eq!(feed(&mut c, Outcome::Answered(MS20), 500), 4);
        for _ in 0..100 {
            c.record(Outcome::Overloaded);
            assert!(c.limit() >= 1);
        }
        assert_eq!(c.limit(), 1);
        assert_eq!(c.history().lowest, 1);
        assert_eq!(c.history().decreases, 2, "4 -> 2 -> 1, then nothing to halve");
        assert_eq!(feed(&mut c, Outcome::Answered(MS20), 500), 4);
    }

    #[test]
    fn a_ceiling_of_one_stays_one() {
        let mut c = Controller::new(1);
        assert_eq!(feed(&mut c, Outcome::Answered(MS20), 100), 1);
        assert_eq!(feed(&mut c, Outcome::Overloaded, 10), 1);
        let h = c.history();
        assert_eq!((h.start, h.highest, h.lowest, h.decreases), (1, 1, 1, 0));
    }

    #[test]
    fn other_failures_neither_grow_nor_shrink_the_limit() {
        let mut c = Controller::new(32);
        assert_eq!(feed(&mut c, Outcome::Other, 100), 8);
        assert_eq!(c.history().decreases, 0);
    }
}
