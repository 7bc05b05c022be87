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

/// Buffered delivery (EventBridge → buffer queue → event source mapping → relay): the numbers
/// deploy passes the template and the rules it checks before anything is created. Each limit is
/// AWS's, with its page; the strict emulator enforces the same ones
/// (tests/emulator/strict/lambda_esm.py).
pub mod buffered {
    use super::{Budget, MARGIN};

    /// Lambda Developer Guide, services-sqs-configure.html: "set the source queue's visibility
    /// timeout to at least six times the configuration timeout on your function", plus the
    /// batching window (services-sqs-parameters.html). CloudFormation cannot multiply, so deploy
    /// passes this as BufferVisibilityTimeoutSeconds.
    pub fn visibility_timeout(function_timeout: u32, batch_window: u32) -> u32 {
        6 * function_timeout + batch_window
    }

    /// SQS API Reference, SetQueueAttributes: VisibilityTimeout "from 0 to 43,200 (12 hours)".
    pub const MAX_VISIBILITY_TIMEOUT: u32 = 43_200;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Settings {
        pub max_concurrency: u32,
        pub batch_size: u32,
        pub batch_window: u32,
        pub function_timeout: u32,
        /// None: the visibility timeout deploy computes ([`visibility_timeout`]).
        pub visibility_timeout: Option<u32>,
        /// 0: none reserved.
        pub reserved_concurrency: u32,
    }

    /// A rule of AWS's the settings break: the value, and (in its `Display`) the rule with its
    /// page. Deploy words each with the flag or the stack's parameter the value came from.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Violation {
        MaxConcurrency(u32),
        BatchSize(u32),
        BatchWindow(u32),
        /// More than 10 records with no batching window.
        BatchNeedsWindow(u32),
        /// Below the function timeout x 6 + the window (the floor is the second field).
        VisibilityBelow(u32, u32),
        VisibilityAbove(u32),
        /// (reserved, max concurrency)
        ReservedBelowMax(u32, u32),
    }

    /// Lambda Developer Guide, services-sqs-scaling.html (maximum concurrency above the
    /// function's reserved concurrency gets the mapping's invocations throttled); AWS Knowledge
    /// Center, lambda-sqs-scaling: "Event source mappings don't account for reserved
    /// concurrency and can process more messages off your queue than can be sent to your
    /// function".
    pub const SCALING_PAGE: &str = "Lambda Developer Guide, services-sqs-scaling";
    /// Lambda API Reference, CreateEventSourceMapping (BatchSize, MaximumBatchingWindowInSeconds).
    pub const BATCHING_PAGE: &str =
        "Lambda API Reference, CreateEventSourceMapping MaximumBatchingWindowInSeconds";

    impl std::fmt::Display for Violation {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            match *self {
                Violation::MaxConcurrency(n) => write!(
                    f,
                    "max concurrency {n} is outside 2-1000 (Lambda API Reference, ScalingConfig)"
                ),
                Violation::BatchSize(n) => write!(
                    f,
                    "batch size {n} is outside 1-10000 (Lambda API Reference, CreateEventSourceMapping BatchSize)"
                ),
                Violation::BatchWindow(n) => write!(
                    f,
                    "batch window {n} s is above 300 s (Lambda API Reference, MaximumBatchingWindowInSeconds)"
                ),
                Violation::BatchNeedsWindow(n) => write!(
                    f,
                    "batch size {n} needs a batch window of at least 1 s ({BATCHING_PAGE}: above 10 records)"
                ),
                Violation::VisibilityBelow(v, floor) => write!(
                    f,
                    "the buffer's visibility timeout {v} s is below {floor} s, 6 x the function timeout \
                     + the batch window (Lambda Developer Guide, services-sqs-configure; Lambda \
                     refuses the mapping outright below the function timeout)"
                ),
                Violation::VisibilityAbove(v) => write!(
                    f,
                    "the buffer's visibility timeout {v} s is above SQS's 43200 s \
                     (SQS API Reference, SetQueueAttributes)"
                ),
                Violation::ReservedBelowMax(reserved, max) => write!(
                    f,
                    "reserved concurrency {reserved} is below max concurrency {max}: Lambda would \
                     throttle the mapping's invocations, which do not account for it ({SCALING_PAGE})"
                ),
            }
        }
    }

    /// The first rule the settings break.
    pub fn check(s: &Settings) -> Result<(), Violation> {
        let floor = visibility_timeout(s.function_timeout, s.batch_window);
        let visibility = s.visibility_timeout.unwrap_or(floor);
        if !(2..=1000).contains(&s.max_concurrency) {
            return Err(Violation::MaxConcurrency(s.max_concurrency));
        }
        if !(1..=10_000).contains(&s.batch_size) {
            return Err(Violation::BatchSize(s.batch_size));
        }
        if s.batch_window > 300 {
            return Err(Violation::BatchWindow(s.batch_window));
        }
        if s.batch_size > 10 && s.batch_window < 1 {
            return Err(Violation::BatchNeedsWindow(s.batch_size));
        }
        if visibility < floor {
            return Err(Violation::VisibilityBelow(visibility, floor));
        }
        if visibility > MAX_VISIBILITY_TIMEOUT {
            return Err(Violation::VisibilityAbove(visibility));
        }
        if s.reserved_concurrency != 0 && s.reserved_concurrency < s.max_concurrency {
            return Err(Violation::ReservedBelowMax(
                s.reserved_concurrency,
                s.max_concurrency,
            ));
        }
        Ok(())
    }

    /// How many records of a batch the relay is sure to try within the function timeout, each
    /// at its worst (POST, key re-read and retried POST, response event) after one secret read.
    /// Records not reached go back to the buffer and count a receive, so a larger batch can
    /// send its tail to the DLQ untried on a slow day: deploy should say so.
    pub fn records_sure_to_be_tried(b: &Budget, function_timeout: u32) -> u32 {
        function_timeout.saturating_sub(MARGIN + b.aws_call()) / per_record(b)
    }

    /// One record at its worst: POST, key re-read, retried POST, response event.
    pub fn per_record(b: &Budget) -> u32 {
        2 * b.post() + 2 * b.aws_call()
    }

    /// The function timeout under which every record of a batch of `records` is sure to be tried.
    pub fn function_timeout_for(b: &Budget, records: u32) -> u32 {
        MARGIN + b.aws_call() + records * per_record(b)
    }
}

#[cfg(test)]
mod tests;
