//! The relay's time budget, computed here and nowhere else.
//!
//! One invocation's worst case must end before the function timeout: if Lambda kills the
//! relay after its POST went out, Lambda's retry POSTs the same event again — the duplicate
//! the relay is designed to avoid. The numbers below are also the relay's own: the template
//! passes them to it as environment variables (deploy sends them as parameters), so the CLI's
//! check and the relay's timeouts cannot drift apart.
//!
//! Worst case of one invocation (every step at its timeout, every AWS call retried to the end):
//!
//! ```text
//! aws_call = A × (Ca + Ra) + Σ_{k=1}^{A-1} (min(2^(k-1), 20) + 5)   botocore "standard" retries
//! post     = C + R                                                  urllib3, retries=False
//! worst    = aws_call            secret read (cache miss or TTL expired)
//!          + post                the POST
//!          + aws_call + post     401/403 or `"success": false`: re-read the key, POST once more
//!          + aws_call            the response event (PutEvents)
//!          + MARGIN              client creation on a cold start, JSON, the log line
//! ```
//!
//! Addresses: urllib3 alone would apply the connect timeout once per address a name resolves
//! to (an internal ALB has one per enabled AZ, an interface endpoint one per subnet). The relay
//! replaces urllib3's `create_connection` so that every address shares one connect deadline of
//! `C` (or `Ca`) — for its POST and botocore's calls alike — so the sum above holds whatever the
//! number of addresses. Beyond it, the relay bounds every step by the invocation's own deadline
//! (`context.get_remaining_time_in_millis()` minus [`MARGIN`], DEADLINE_MARGIN_SECONDS in the
//! template): it never starts a POST that could not finish before it. So `worst` is a floor
//! for the function timeout, not a guess at it: a shorter timeout never makes an invocation
//! outlive its deadline, it makes the relay cut steps short (a POST not started, a response
//! event skipped) on a slow day.
//!
//! The backoff term is botocore's standard mode: before retry k it sleeps
//! `rand(0,1) × min(2^(k-1), 20)` s (throttling base scale 1 s; other errors 50 ms, so 1 s is
//! the worst case), and newer botocore raises that to an `x-amz-retry-after` header's value,
//! capped at 5 s more (botocore/retries/standard.py, ExponentialBackoff).

use std::fmt;

/// The relay's connect timeout to the endpoint (CONNECT_TIMEOUT_SECONDS in the template).
pub const CONNECT_TIMEOUT: u32 = 3;
/// Connect and read timeouts of the relay's boto3 clients (Secrets Manager, EventBridge).
pub const AWS_CONNECT_TIMEOUT: u32 = 2;
pub const AWS_READ_TIMEOUT: u32 = 3;
/// Attempts per AWS call, the first included (botocore's `total_max_attempts`).
pub const AWS_MAX_ATTEMPTS: u32 = 2;
/// Headroom for what no timeout bounds: boto3 client creation on a cold start, JSON, logging.
/// The relay keeps it back from Lambda's deadline (DEADLINE_MARGIN_SECONDS in the template).
pub const MARGIN: u32 = 5;
/// botocore's cap on one backoff, and the most a retry-after header adds to it.
const MAX_BACKOFF: u32 = 20;
const RETRY_AFTER_EXTRA: u32 = 5;

/// Everything the worst case is made of, in whole seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub connect: u32,
    pub read: u32,
    pub aws_connect: u32,
    pub aws_read: u32,
    pub aws_attempts: u32,
}

impl Budget {
    /// The relay's numbers with a given endpoint read timeout (`--read-timeout`).
    pub fn with_read_timeout(read: u32) -> Self {
        Self {
            connect: CONNECT_TIMEOUT,
            read,
            aws_connect: AWS_CONNECT_TIMEOUT,
            aws_read: AWS_READ_TIMEOUT,
            aws_attempts: AWS_MAX_ATTEMPTS,
        }
    }

    /// The sleeps between the attempts of one AWS call, at their maximum.
    pub fn aws_backoff(&self) -> u32 {
        (1..self.aws_attempts.max(1))
            .map(|k| 2u32.saturating_pow(k - 1).min(MAX_BACKOFF) + RETRY_AFTER_EXTRA)
            .sum()
    }

    /// One AWS call with all its attempts and backoffs.
    pub fn aws_call(&self) -> u32 {
        self.aws_attempts.max(1) * (self.aws_connect + self.aws_read) + self.aws_backoff()
    }

    /// One POST to the endpoint (never retried by urllib3).
    pub fn post(&self) -> u32 {
        self.connect + self.read
    }

    /// The whole invocation at its worst, margin included.
    pub fn worst_case(&self) -> u32 {
        3 * self.aws_call() + 2 * self.post() + MARGIN
    }

    /// Whether a function timeout holds the worst case.
    pub fn fits(&self, function_timeout: u32) -> bool {
        function_timeout >= self.worst_case()
    }
}

/// One line: the total and how it is made up (for the too-short `--function-timeout` error).
impl fmt::Display for Budget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let aws = self.aws_call();
        let post = self.post();
        write!(
            f,
            "{} s = secret read {aws} s ({} attempts × ({} s connect + {} s read) + {} s backoff) \
             + POST {post} s ({} s connect + {} s read) + key re-read {aws} s + retried POST {post} s \
             + response event {aws} s + margin {MARGIN} s",
            self.worst_case(),
            self.aws_attempts,
            self.aws_connect,
            self.aws_read,
            self.aws_backoff(),
            self.connect,
            self.read,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_make_up_79_seconds() {
        let b = Budget::with_read_timeout(10);
        // 2 × (2 + 3) + (1 + 5)
        assert_eq!(b.aws_call(), 16);
        assert_eq!(b.post(), 13);
        assert_eq!(b.worst_case(), 3 * 16 + 2 * 13 + 5);
        assert_eq!(b.worst_case(), 79);
        assert!(b.fits(79) && !b.fits(78));
    }

    #[test]
    fn backoff_doubles_up_to_botocores_cap() {
        let b = |aws_attempts| Budget {
            aws_attempts,
            ..Budget::with_read_timeout(10)
        };
        assert_eq!(b(1).aws_backoff(), 0);
        assert_eq!(b(1).aws_call(), 5);
        assert_eq!(b(3).aws_backoff(), (1 + 5) + (2 + 5));
        // 1, 2, 4, 8, 16, then capped at 20.
        assert_eq!(b(7).aws_backoff(), 1 + 2 + 4 + 8 + 16 + 20 + 6 * 5);
        // 0 attempts is read as 1: the call is still made once.
        assert_eq!(b(0).aws_call(), b(1).aws_call());
    }

    #[test]
    fn the_read_timeout_counts_twice() {
        let short = Budget::with_read_timeout(1).worst_case();
        let long = Budget::with_read_timeout(25).worst_case();
        assert_eq!(long - short, 2 * 24);
        assert_eq!(long, 109);
    }

    #[test]
    fn the_template_passes_the_relay_the_same_numbers() {
        let t = crate::template::TEMPLATE_SOURCE;
        assert!(t.contains(&format!("CONNECT_TIMEOUT_SECONDS: \"{CONNECT_TIMEOUT}\"")));
        assert!(t.contains(&format!("DEADLINE_MARGIN_SECONDS: \"{MARGIN}\"")));
    }

    #[test]
    fn the_explanation_names_every_part() {
        assert_eq!(
            Budget::with_read_timeout(10).to_string(),
            "79 s = secret read 16 s (2 attempts × (2 s connect + 3 s read) + 6 s backoff) \
             + POST 13 s (3 s connect + 10 s read) + key re-read 16 s + retried POST 13 s \
             + response event 16 s + margin 5 s"
        );
    }
}
