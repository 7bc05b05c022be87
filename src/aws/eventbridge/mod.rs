//! EventBridge as evrelay uses it: does a bus exist, and PutEvents for one request's worth of
//! entries (≤ 10, < 256 KB: see [`crate::model::event::pack`]), retrying the entries
//! EventBridge reports as throttled or failed internally, and the whole request when it is
//! throttled or fails on the way. The SDK's own retries are off for PutEvents: each retry is
//! evrelay's, so a load test counts every throttle it met. The same requests go through a global
//! endpoint when given its id ([`Through`]); [`signing`] times each request's signature.

pub mod signing;

use std::time::Instant;

use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use aws_sdk_eventbridge::{Client, Config};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_smithy_types::retry::RetryConfig;
use serde::Serialize;

use crate::aws::retry::{backoff, entry_retryable, is_throttling_code};
use crate::error::{AwsResultExt, Cause, Error, Result};
use crate::model::event::EventEntry;
use signing::{Signature, SigningTimer};

/// Attempts per entry when PutEvents reports it throttled or failed internally.
const MAX_ATTEMPTS: u32 = 6;

/// What became of one entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryOutcome {
    /// The id EventBridge gave the event.
    pub event_id: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    /// PutEvents calls this entry took.
    pub attempts: u32,
    /// Of those, the ones whose 200 answer said this entry was throttled.
    pub throttled: u32,
    /// Of those, the ones throttled whole (the request refused, every entry in it with it).
    pub request_throttled: u32,
    /// When the call that accepted (or finally refused) this entry started.
    #[serde(skip)]
    pub sent_at: Option<Instant>,
}

impl EntryOutcome {
    pub fn ok(&self) -> bool {
        self.error_code.is_none() && self.event_id.is_some()
    }

    /// An entry no PutEvents result speaks for (its request failed before answering).
    pub fn not_sent() -> Self {
        Self {
            event_id: None,
            error_code: Some("NotSent".into()),
            error_message: Some("no PutEvents result".into()),
            attempts: 0,
            throttled: 0,
            request_throttled: 0,
            sent_at: None,
        }
    }
}

/// One request's worth of entries, put.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutBatch {
    /// In the entries' order.
    pub outcomes: Vec<EntryOutcome>,
    /// PutEvents calls refused whole as throttled (each retried).
    pub throttled_requests: u32,
    /// Each call's signature (SigV4, or SigV4a through a global endpoint) and how long it took.
    pub signatures: Vec<Signature>,
}

/// Where PutEvents sends: the client's Region, or a global endpoint. With an `EndpointId` the
/// SDK's endpoint rules send to `https://<id>.endpoint.events.amazonaws.com` (or to the
/// configured endpoint URL, e.g. an emulator's) and sign with SigV4a over every Region
/// (aws-sdk-eventbridge's endpoint rules; the crate's `sigv4a` feature). The bus is named the
/// same in both Regions: EventBridge resolves it in the Region the endpoint routes to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Through<'a> {
    pub endpoint_id: Option<&'a str>,
}

fn request_entry(bus: &str, e: &EventEntry) -> PutEventsRequestEntry {
    PutEventsRequestEntry::builder()
        .event_bus_name(bus)
        .source(&e.source)
        .detail_type(&e.detail_type)
        .detail(&e.detail)
        .set_resources((!e.resources.is_empty()).then(|| e.resources.clone()))
        .build()
}

/// One PutEvents request, retrying entries EventBridge reports as throttled or failed
/// internally (with backoff), and the whole request when it is throttled or fails the way the
/// SDK's standard retries would retry (a timeout, a lost connection, a 5xx). Outcomes come back
/// in the entries' order. Any other whole-request failure is an error.
pub async fn put_batch(client: &Client, bus: &str, entries: &[EventEntry]) -> Result<PutBatch> {
    put_batch_through(client, bus, Through::default(), entries).await
}

/// [`put_batch`], through a global endpoint when `through` names one.
pub async fn put_batch_through(
    client: &Client,
    bus: &str,
    through: Through<'_>,
    entries: &[EventEntry],
) -> Result<PutBatch> {
    let mut outcomes: Vec<EntryOutcome> = entries
        .iter()
        .map(|_| EntryOutcome {
            event_id: None,
            error_code: None,
            error_message: None,
            attempts: 0,
            throttled: 0,
            request_throttled: 0,
            sent_at: None,
        })
        .collect();
    let mut throttled_requests = 0;
    let mut signatures = Vec::new();
    let mut pending: Vec<usize> = (0..entries.len()).collect();
    for attempt in 0..MAX_ATTEMPTS {
        let request: Vec<PutEventsRequestEntry> = pending
            .iter()
            .map(|&i| request_entry(bus, &entries[i]))
            .collect();
        let started = Instant::now();
        let timer = SigningTimer::default();
        let answer = client
            .put_events()
            .set_entries(Some(request))
            .set_endpoint_id(through.endpoint_id.map(str::to_string))
            .customize()
            .config_override(Config::builder().retry_config(RetryConfig::disabled()))
            .interceptor(timer.clone())
            .send()
            .await
            .aws_context("PutEvents");
        signatures.extend(timer.signature());
        let out = match answer {
            Ok(out) => out,
            // EventBridge can refuse the whole request when the account's PutEvents quota is
            // spent (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html);
            // an answer can also be lost on the way. Every pending entry waits like a throttled
            // entry and is tried again: a load test ends with a report, not a lost run.
            Err(e) if e.is_throttling() || is_transient(&e) => {
                let throttled = e.is_throttling();
                throttled_requests += u32::from(throttled);
                let code = e.aws.as_ref().and_then(|a| a.code.clone());
                let code = code.unwrap_or_else(|| {
                    if throttled {
                        "ThrottlingException"
                    } else {
                        "RequestFailed"
                    }
                    .into()
                });
                for &i in &pending {
                    let o = &mut outcomes[i];
                    o.attempts = attempt + 1;
                    o.sent_at = Some(started);
                    o.request_throttled += u32::from(throttled);
                    o.error_code = Some(code.clone());
                    o.error_message = Some(e.message.clone());
                }
                if attempt + 1 == MAX_ATTEMPTS {
                    break;
                }
                tokio::time::sleep(backoff(attempt)).await;
                clear_errors(&mut outcomes, &pending);
                continue;
            }
            Err(e) => return Err(e),
        };
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
                    o.throttled += u32::from(is_throttling_code(&code));
                    if entry_retryable(&code) && attempt + 1 < MAX_ATTEMPTS {
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
        clear_errors(&mut outcomes, &retry);
        pending = retry;
    }
    Ok(PutBatch {
        outcomes,
        throttled_requests,
        signatures,
    })
}

/// A failure the SDK's standard retries would try again: no answer in time, a connection lost
/// on the way, or a server error (5xx).
fn is_transient(e: &Error) -> bool {
    e.aws.as_ref().is_some_and(|a| match a.cause {
        Cause::Timeout | Cause::Dispatch => true,
        Cause::Service => a.status.is_some_and(|s| s >= 500),
        _ => false,
    })
}

/// The entries about to be tried again carry no error until their next answer.
fn clear_errors(outcomes: &mut [EntryOutcome], retry: &[usize]) {
    for &i in retry {
        outcomes[i].error_code = None;
        outcomes[i].error_message = None;
    }
}

/// Fails with a clear message when the bus does not exist, before anything is sent.
/// `named_by_flag`: the operator typed the name (--bus), so the hint is about that name.
pub async fn require_bus(client: &Client, bus: &str, named_by_flag: bool) -> Result<()> {
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
mod tests;
