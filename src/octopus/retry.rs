//! The one retry policy: exponential backoff with full jitter, bounded attempts, `Retry-After` honoured.

use rand::Rng;
use std::time::Duration;

/// When and how long to wait between attempts.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts including the first.
    pub max_attempts: u32,
    /// Backoff of the first retry before jitter.
    pub base_delay: Duration,
    /// Upper bound of any wait, including a server's `Retry-After`.
    pub max_delay: Duration,
}

impl RetryPolicy {
    /// A policy with `max_attempts` and the usual delays (0.5 s doubling, at most 30 s).
    pub fn new(max_attempts: u32) -> RetryPolicy {
        RetryPolicy {
            max_attempts: max_attempts.max(1),
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
        }
    }

    /// The wait before attempt `attempt + 1` (attempt counts from 1); `retry_after` wins when given.
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(server) = retry_after {
            return server.min(self.max_delay);
        }
        let exp = self
            .base_delay
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
        let cap = exp.min(self.max_delay);
        // Full jitter spreads retries of concurrent requests so they do not hit the server together.
        let millis = rand::rng().random_range(cap.as_millis() as u64 / 2..=cap.as_millis().max(1) as u64);
        Duration::from_millis(millis)
    }
}

/// Parses a `Retry-After` header: delta-seconds or an HTTP date.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(std::time::SystemTime::now()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::new(5);
        assert!(p.delay(1, None) <= Duration::from_millis(500));
        assert!(p.delay(3, None) <= Duration::from_secs(2));
        assert!(p.delay(3, None) >= Duration::from_secs(1));
        assert!(p.delay(30, None) <= Duration::from_secs(30));
    }

    #[test]
    fn retry_after_wins_but_is_capped() {
        let p = RetryPolicy::new(5);
        assert_eq!(p.delay(1, Some(Duration::from_secs(2))), Duration::from_secs(2));
        assert_eq!(p.delay(1, Some(Duration::from_secs(3600))), Duration::from_secs(30));
    }

    #[test]
    fn retry_after_parses_seconds_and_dates() {
        assert_eq!(parse_retry_after(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon"), None);
    }
}
