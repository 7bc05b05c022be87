//! `evrelay send`: put test events on the relay's bus and, optionally, wait for the endpoint's
//! response event.

use std::ops::Range;
use std::time::{Duration, Instant};

use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use clap::Args;
use rand::Rng;
use serde::Serialize;

use crate::context::Context;
use crate::error::{AwsResultExt, Error, Result};

#[derive(Debug, Clone, Args)]
pub struct SendArgs {
    /// The event's detail: inline JSON, @FILE, or - for stdin (one JSON document per line).
    #[arg(long, value_name = "JSON|@FILE|-")]
    pub detail: Option<String>,

    /// The event's detail-type.
    #[arg(long, value_name = "TYPE", default_value = "inbound-event-sent")]
    pub detail_type: String,

    /// The event's source.
    #[arg(long, value_name = "SOURCE", default_value = "eventProducerApp")]
    pub source: String,

    /// The bus to send to (default: the stack's bus).
    #[arg(long, value_name = "NAME")]
    pub bus: Option<String>,

    /// How many events to send.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    pub count: u64,

    /// PutEvents requests in flight at once.
    #[arg(long, value_name = "C", default_value_t = 8, value_parser = clap::value_parser!(u64).range(1..=256))]
    pub concurrency: u64,

    /// Ask the relay for a response event and wait for it.
    #[arg(long)]
    pub return_response: bool,

    /// How long to wait for responses, e.g. 30s, 2m.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = crate::commands::parse_duration)]
    pub timeout: Duration,
}

pub async fn run(_ctx: &Context, _args: SendArgs) -> Result<()> {
    Err(Error::failed("send is not built yet"))
}

// ---------------------------------------------------------------------------------------------
// PutEvents, shared with `dlq redrive`.

/// PutEvents takes at most 10 entries, and at most 256 KB of entries per request.
pub const MAX_ENTRIES_PER_REQUEST: usize = 10;
pub const MAX_REQUEST_BYTES: usize = 256 * 1024;

/// Attempts per entry when PutEvents reports it throttled or failed internally.
const MAX_ATTEMPTS: u32 = 6;

/// One event to put on a bus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventEntry {
    pub source: String,
    pub detail_type: String,
    pub detail: String,
    pub resources: Vec<String>,
}

impl EventEntry {
    /// The size EventBridge counts against the 256 KB limit ("Calculating PutEvents event entry
    /// size"): the UTF-8 bytes of Source, DetailType, Detail and each Resource, plus 14 for a
    /// Time (never set here).
    pub fn size(&self) -> usize {
        self.source.len()
            + self.detail_type.len()
            + self.detail.len()
            + self.resources.iter().map(String::len).sum::<usize>()
    }
}

/// Splits entries, in order, into requests of at most 10 entries and 256 KB. An entry over the
/// limit on its own gets a request of its own (and is refused by EventBridge).
pub fn pack(sizes: &[usize]) -> Vec<Range<usize>> {
    let mut batches = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, &size) in sizes.iter().enumerate() {
        let full = i - start == MAX_ENTRIES_PER_REQUEST || bytes + size > MAX_REQUEST_BYTES;
        if i > start && full {
            batches.push(start..i);
            start = i;
            bytes = 0;
        }
        bytes += size;
    }
    if start < sizes.len() {
        batches.push(start..sizes.len());
    }
    batches
}

/// What became of one entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryOutcome {
    /// The id EventBridge gave the event.
    pub event_id: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    /// PutEvents calls this entry took.
    pub attempts: u32,
    /// When the call that accepted (or finally refused) this entry started.
    #[serde(skip)]
    pub sent_at: Option<Instant>,
}

impl EntryOutcome {
    pub fn ok(&self) -> bool {
        self.error_code.is_none() && self.event_id.is_some()
    }
}

/// Per-entry errors that are worth another try (the PutEvents reference's retry advice).
fn retryable(code: &str) -> bool {
    matches!(
        code,
        "ThrottlingException" | "InternalFailure" | "InternalException"
    )
}

/// Exponential backoff with full jitter: a random wait in [0, min(2 s, 100 ms × 2^attempt)].
fn backoff(attempt: u32) -> Duration {
    let cap = Duration::from_millis(100u64 << attempt.min(5)).min(Duration::from_secs(2));
    Duration::from_millis(rand::thread_rng().gen_range(0..=cap.as_millis() as u64))
}

/// One PutEvents request (≤ 10 entries, ≤ 256 KB), retrying entries EventBridge reports as
/// throttled or failed internally. Outcomes come back in the entries' order. Whole-request
/// failures (throttling of the call itself is retried by the SDK) are errors.
pub async fn put_batch(
    client: &aws_sdk_eventbridge::Client,
    bus: &str,
    entries: &[EventEntry],
) -> Result<Vec<EntryOutcome>> {
    let mut outcomes: Vec<EntryOutcome> = entries
        .iter()
        .map(|_| EntryOutcome {
            event_id: None,
            error_code: None,
            error_message: None,
            attempts: 0,
            sent_at: None,
        })
        .collect();
    let mut pending: Vec<usize> = (0..entries.len()).collect();
    for attempt in 0..MAX_ATTEMPTS {
        let request: Vec<PutEventsRequestEntry> = pending
            .iter()
            .map(|&i| {
                let e = &entries[i];
                PutEventsRequestEntry::builder()
                    .event_bus_name(bus)
                    .source(&e.source)
                    .detail_type(&e.detail_type)
                    .detail(&e.detail)
                    .set_resources((!e.resources.is_empty()).then(|| e.resources.clone()))
                    .build()
            })
            .collect();
        let started = Instant::now();
        let out = client
            .put_events()
            .set_entries(Some(request))
            .send()
            .await
            .aws_context("PutEvents")?;
        let results = out.entries.unwrap_or_default();
        let mut retry = Vec::new();
        for (n, &i) in pending.iter().enumerate() {
            let o = &mut outcomes[i];
            o.attempts = attempt + 1;
            o.sent_at = Some(started);
            match results.get(n) {
                Some(r) if r.error_code.is_none() && r.event_id.is_some() => {
                    o.event_id = r.event_id.clone()
                }
                Some(r) => {
                    let code = r.error_code.clone().unwrap_or_else(|| "Unknown".into());
                    if retryable(&code) && attempt + 1 < MAX_ATTEMPTS {
                        retry.push(i);
                    }
                    o.error_code = Some(code);
                    o.error_message = r.error_message.clone();
                }
                None => {
                    o.error_code = Some("NoResult".into());
                    o.error_message = Some("PutEvents returned fewer results than entries".into());
                }
            }
        }
        if retry.is_empty() {
            break;
        }
        tokio::time::sleep(backoff(attempt)).await;
        for &i in &retry {
            outcomes[i].error_code = None;
            outcomes[i].error_message = None;
        }
        pending = retry;
    }
    Ok(outcomes)
}

/// Fails with a clear message when the bus does not exist, before anything is sent.
pub async fn ensure_bus(
    client: &aws_sdk_eventbridge::Client,
    bus: &str,
    named_by_flag: bool,
) -> Result<()> {
    match client.describe_event_bus().name(bus).send().await {
        Ok(_) => Ok(()),
        Err(e) if e.code() == Some("ResourceNotFoundException") => {
            let hint = if named_by_flag {
                "check the name given to --bus (`aws events list-event-buses` lists them)"
            } else {
                "deploy the relay with `evrelay deploy`, or pass --stack with the relay's stack name"
            };
            Err(Error::failed(format!("bus `{bus}` not found")).hint(hint))
        }
        Err(e) => Err(Error::aws("DescribeEventBus", e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_size_follows_the_documented_calculation() {
        let e = EventEntry {
            source: "src".into(),
            detail_type: "dt".into(),
            detail: "{\"é\":1}".into(),
            resources: vec!["arn:x".into()],
        };
        assert_eq!(e.size(), 3 + 2 + 8 + 5);
    }

    #[test]
    fn batches_hold_ten_entries_and_256kb_at_most() {
        assert_eq!(pack(&[1; 25]), vec![0..10, 10..20, 20..25]);
        assert_eq!(pack(&[]), Vec::<Range<usize>>::new());
        let big = MAX_REQUEST_BYTES / 2;
        assert_eq!(pack(&[big, big, 1, big]), vec![0..2, 2..4]);
        assert_eq!(pack(&[big, big + 1, 5]), vec![0..1, 1..3]);
        // An oversized entry stands alone.
        assert_eq!(pack(&[1, MAX_REQUEST_BYTES + 1, 1]), vec![0..1, 1..2, 2..3]);
    }

    #[test]
    fn backoff_is_bounded() {
        for attempt in 0..10 {
            assert!(backoff(attempt) <= Duration::from_secs(2));
        }
        assert!(
            retryable("ThrottlingException")
                && retryable("InternalFailure")
                && !retryable("MalformedDetail")
        );
    }
}
