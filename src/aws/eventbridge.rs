//! EventBridge as evrelay uses it: does a bus exist, and PutEvents for one request's worth of
//! entries (≤ 10, < 256 KB: see [`crate::model::event::pack`]), retrying the entries
//! EventBridge reports as throttled or failed internally, and the whole request when it is
//! throttled or fails on the way. The SDK's own retries are off for PutEvents: each retry is
//! evrelay's, so a load test counts every throttle it met.

use std::time::Instant;

use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use aws_sdk_eventbridge::{Client, Config};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_smithy_types::retry::RetryConfig;
use serde::Serialize;

use crate::aws::retry::{backoff, entry_retryable, is_throttling_code};
use crate::error::{AwsResultExt, Cause, Error, Result};
use crate::model::event::EventEntry;

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
    let mut pending: Vec<usize> = (0..entries.len()).collect();
    for attempt in 0..MAX_ATTEMPTS {
        let request: Vec<PutEventsRequestEntry> = pending
            .iter()
            .map(|&i| request_entry(bus, &entries[i]))
            .collect();
        let started = Instant::now();
        let answer = client
            .put_events()
            .set_entries(Some(request))
            .customize()
            .config_override(Config::builder().retry_config(RetryConfig::disabled()))
            .send()
            .await
            .aws_context("PutEvents");
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
mod tests {
    use aws_sdk_eventbridge::error::ErrorMetadata;
    use aws_sdk_eventbridge::operation::put_events::{PutEventsError, PutEventsOutput};
    use aws_sdk_eventbridge::types::PutEventsResultEntry;
    use aws_smithy_mocks::{mock, mock_client, RuleMode};

    use super::*;

    fn entry(n: u32) -> EventEntry {
        EventEntry {
            source: "s".into(),
            detail_type: "t".into(),
            detail: format!("{{\"n\":{n}}}"),
            resources: Vec::new(),
        }
    }

    fn accepted(id: &str) -> PutEventsResultEntry {
        PutEventsResultEntry::builder().event_id(id).build()
    }

    fn refused(code: &str) -> PutEventsResultEntry {
        PutEventsResultEntry::builder()
            .error_code(code)
            .error_message("refused")
            .build()
    }

    // moto never throttles an entry: the per-entry retry is shown with recorded answers.
    #[tokio::test]
    async fn a_throttled_entry_is_retried_alone_and_the_accepted_one_kept() {
        let both = mock!(Client::put_events)
            .match_requests(|r| r.entries().len() == 2)
            .then_output(|| {
                PutEventsOutput::builder()
                    .failed_entry_count(1)
                    .entries(accepted("eb-1"))
                    .entries(refused("ThrottlingException"))
                    .build()
            });
        let second = mock!(Client::put_events)
            .match_requests(|r| {
                r.entries().len() == 1 && r.entries()[0].detail() == Some("{\"n\":2}")
            })
            .then_output(|| PutEventsOutput::builder().entries(accepted("eb-2")).build());
        let client = mock_client!(aws_sdk_eventbridge, RuleMode::MatchAny, [&both, &second]);
        let out = put_batch(&client, "bus", &[entry(1), entry(2)])
            .await
            .unwrap()
            .outcomes;
        assert_eq!(out[0].event_id.as_deref(), Some("eb-1"));
        assert_eq!(out[0].attempts, 1);
        assert_eq!(out[1].event_id.as_deref(), Some("eb-2"));
        assert_eq!((out[1].attempts, out[1].throttled), (2, 1));
        assert!(out.iter().all(EntryOutcome::ok));
        assert_eq!((both.num_calls(), second.num_calls()), (1, 1));
    }

    fn throttled_request() -> PutEventsError {
        PutEventsError::generic(
            ErrorMetadata::builder()
                .code("ThrottlingException")
                .message("Rate exceeded")
                .build(),
        )
    }

    fn without_sdk_retries(rules: &[&aws_smithy_mocks::Rule]) -> Client {
        mock_client!(aws_sdk_eventbridge, RuleMode::Sequential, rules, |c| c
            .retry_config(aws_smithy_types::retry::RetryConfig::disabled()))
    }

    // moto never throttles a request: the account quota's answer is recorded.
    #[tokio::test(start_paused = true)]
    async fn a_throttled_request_is_tried_again_and_its_entries_counted_as_throttled() {
        let put = mock!(Client::put_events)
            .sequence()
            .error(throttled_request)
            .output(|| {
                PutEventsOutput::builder()
                    .entries(accepted("eb-1"))
                    .entries(accepted("eb-2"))
                    .build()
            })
            .build();
        // The client's own config retries (as every evrelay client does): PutEvents turns
        // them off, so the throttle reaches evrelay and is counted.
        let client = mock_client!(aws_sdk_eventbridge, RuleMode::Sequential, [&put], |c| c
            .retry_config(
                aws_smithy_types::retry::RetryConfig::standard().with_max_attempts(3)
            ));
        let put_result = put_batch(&client, "bus", &[entry(1), entry(2)])
            .await
            .unwrap();
        assert_eq!(put_result.throttled_requests, 1);
        let out = put_result.outcomes;
        assert!(out.iter().all(EntryOutcome::ok), "{out:?}");
        // Throttled whole, not inside a 200 answer.
        assert!(out
            .iter()
            .all(|o| (o.attempts, o.request_throttled, o.throttled) == (2, 1, 0)));
        assert_eq!(put.num_calls(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_server_error_is_tried_again_but_not_counted_as_a_throttle() {
        let put = mock!(Client::put_events)
            .sequence()
            .http_status(503, None)
            .output(|| PutEventsOutput::builder().entries(accepted("eb-1")).build())
            .build();
        let client = without_sdk_retries(&[&put]);
        let put_result = put_batch(&client, "bus", &[entry(1)]).await.unwrap();
        assert_eq!(put_result.throttled_requests, 0);
        let o = &put_result.outcomes[0];
        assert!(o.ok(), "{o:?}");
        assert_eq!((o.attempts, o.request_throttled, o.throttled), (2, 0, 0));
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_throttled_every_time_ends_as_refused_entries_not_an_error() {
        let refused = mock!(Client::put_events)
            .sequence()
            .error(throttled_request)
            .times(MAX_ATTEMPTS as usize)
            .build();
        let client = without_sdk_retries(&[&refused]);
        let put_result = put_batch(&client, "bus", &[entry(1)]).await.unwrap();
        assert_eq!(put_result.throttled_requests, MAX_ATTEMPTS);
        let out = put_result.outcomes;
        assert_eq!(out[0].error_code.as_deref(), Some("ThrottlingException"));
        assert_eq!(
            (out[0].attempts, out[0].request_throttled),
            (MAX_ATTEMPTS, MAX_ATTEMPTS)
        );
        assert_eq!(refused.num_calls(), MAX_ATTEMPTS as usize);
    }

    #[tokio::test]
    async fn a_refused_entry_is_not_retried() {
        let put = mock!(Client::put_events).then_output(|| {
            PutEventsOutput::builder()
                .failed_entry_count(1)
                .entries(refused("InvalidArgument"))
                .build()
        });
        let client = mock_client!(aws_sdk_eventbridge, RuleMode::MatchAny, [&put]);
        let out = put_batch(&client, "bus", &[entry(1)])
            .await
            .unwrap()
            .outcomes;
        assert_eq!(out[0].error_code.as_deref(), Some("InvalidArgument"));
        assert_eq!(out[0].attempts, 1);
        assert!(!out[0].ok());
        assert_eq!(put.num_calls(), 1);
    }
}
