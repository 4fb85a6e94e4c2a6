//! The gate every attempt passes on one instance: a semaphore whose permits follow the adaptive
//! limit of [`control::Controller`], never more than the ceiling (`OCTOSYNC_CONCURRENCY`).

mod control;

pub(super) use control::Outcome;

use crate::report::ConcurrencyHistory;
use control::Controller;
use std::sync::{Mutex, MutexGuard};
use tokio::sync::{AcquireError, Semaphore, SemaphorePermit};

/// The adaptive limit on requests in flight to one instance.
#[derive(Debug)]
pub(super) struct Limiter {
    /// Holds `limit + debt` permits, never more than the ceiling.
    gate: Semaphore,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    control: Controller,
    /// Permits still to take out of the gate after a decrease: requests in flight hold them, and
    /// each is forgotten instead of returned when its request finishes.
    debt: usize,
}

/// Leave to send one request; on drop, the outcome it was given feeds the limit.
pub(super) struct Permit<'a> {
    limiter: &'a Limiter,
    permit: Option<SemaphorePermit<'a>>,
    outcome: Outcome,
}

impl Permit<'_> {
    /// What became of the request, for the limit: the last word counts (an answer whose body then
    /// timed out is an overload).
    pub(super) fn set_outcome(&mut self, outcome: Outcome) {
        self.outcome = outcome;
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if let Some(permit) = self.permit.take() {
            self.limiter.finish(permit, self.outcome);
        }
    }
}

impl Limiter {
    /// A limiter under `ceiling` (at least 1), starting at [`control::START`] or the ceiling.
    pub(super) fn new(ceiling: usize) -> Limiter {
        let control = Controller::new(ceiling);
        Limiter {
            gate: Semaphore::new(control.limit()),
            state: Mutex::new(State { control, debt: 0 }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // The state is consistent after every statement, so a panic elsewhere leaves it usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until one more request may be in flight. A request whose permit is dropped without an
    /// outcome (given up, or failed before sending) says nothing about the server's load.
    pub(super) async fn acquire(&self) -> Result<Permit<'_>, AcquireError> {
        let permit = self.gate.acquire().await?;
        Ok(Permit {
            limiter: self,
            permit: Some(permit),
            outcome: Outcome::Other,
        })
    }

    /// Requests that may be in flight now.
    pub(super) fn limit(&self) -> usize {
        self.state().control.limit()
    }

    /// What the limit did so far.
    pub(super) fn history(&self) -> ConcurrencyHistory {
        self.state().control.history()
    }

    /// Feeds a finished request's outcome to the limit and moves the gate's permits to match.
    fn finish(&self, permit: SemaphorePermit<'_>, outcome: Outcome) {
        let mut state = self.state();
        let before = state.control.limit();
        let after = state.control.record(outcome);
        if after > before {
            // Growth first cancels debt, so the gate never holds more than the ceiling.
            let paid = (after - before).min(state.debt);
            state.debt -= paid;
            self.gate.add_permits(after - before - paid);
        } else {
            state.debt += before - after;
        }
        if state.debt > 0 {
            permit.forget();
            state.debt -= 1;
        } else {
            drop(permit);
        }
        // Idle permits go at once, so the lower limit holds now, not only as requests finish.
        while state.debt > 0 {
            match self.gate.try_acquire() {
                Ok(idle) => {
                    idle.forget();
                    state.debt -= 1;
                }
                Err(_) => break,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Permits the gate would hand out now, without waiting.
    fn available(l: &Limiter) -> usize {
        l.gate.available_permits()
    }

    #[tokio::test]
    async fn the_gate_follows_the_limit_down_and_up() {
        let l = Limiter::new(32);
        assert_eq!(available(&l), 8);
        let mut held = Vec::new();
        for _ in 0..8 {
            held.push(l.acquire().await.unwrap());
        }
        assert_eq!(available(&l), 0);
        // A 429 halves: the 4 permits above the new limit are forgotten as requests finish.
        held[0].set_outcome(Outcome::Overloaded);
        held.remove(0);
        assert_eq!(l.limit(), 4);
        assert_eq!(available(&l), 0, "7 still in flight, above the limit of 4");
        for _ in 0..3 {
            held.remove(0);
        }
        assert_eq!(available(&l), 0, "4 in flight: the limit");
        held.remove(0);
        assert_eq!(available(&l), 1);
        held.clear();
        assert_eq!(available(&l), 4);
        // Answers grow it again, one permit per window; the first is the last of the 8 sent
        // before the decrease, which is not judged.
        for _ in 0..5 {
            let mut p = l.acquire().await.unwrap();
            p.set_outcome(Outcome::Answered(Duration::from_millis(20)));
        }
        assert_eq!(l.limit(), 5);
        assert_eq!(available(&l), 5);
        let h = l.history();
        assert_eq!((h.start, h.highest, h.lowest, h.decreases), (8, 8, 4, 1));
    }

    #[tokio::test]
    async fn idle_permits_leave_at_once_on_a_decrease() {
        let l = Limiter::new(32);
        let mut p = l.acquire().await.unwrap();
        p.set_outcome(Outcome::Overloaded);
        drop(p);
        assert_eq!(l.limit(), 4);
        assert_eq!(available(&l), 4);
    }
}
