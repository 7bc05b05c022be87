//! What counts as "slow down" across the services evrelay's data path calls, and how long to
//! wait before trying again. One list, so PutEvents entries, log polls and SQS calls agree.

use std::time::Duration;

use rand::Rng;

/// The one list of throttling codes lives with the error type (the SDK's own list, less the
/// quota and conflict codes); re-exported so the data path and the error classifier agree.
pub use crate::error::{is_throttling_code, THROTTLING_CODES};

/// PutEvents per-entry errors worth another try: throttling, and the internal failures the
/// PutEvents reference says to retry.
pub fn entry_retryable(code: &str) -> bool {
    is_throttling_code(code) || matches!(code, "InternalFailure" | "InternalException")
}

/// Exponential backoff with full jitter: a random wait in [0, min(2 s, 100 ms × 2^attempt)].
pub fn backoff(attempt: u32) -> Duration {
    let cap = Duration::from_millis(100u64 << attempt.min(5)).min(Duration::from_secs(2));
    Duration::from_millis(rand::thread_rng().gen_range(0..=cap.as_millis() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_bounded_and_codes_are_classified() {
        for attempt in 0..10 {
            assert!(backoff(attempt) <= Duration::from_secs(2));
        }
        assert!(entry_retryable("ThrottlingException") && entry_retryable("InternalFailure"));
        assert!(!entry_retryable("MalformedDetail"));
        assert!(is_throttling_code("Throttling") && !is_throttling_code("AccessDenied"));
    }
}
