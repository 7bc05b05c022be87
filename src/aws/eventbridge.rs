//! EventBridge as evrelay uses it: does a bus exist, and PutEvents for one request's worth of
//! entries (≤ 10, < 256 KB: see [`crate::model::event::pack`]), retrying the entries
//! EventBridge reports as throttled or failed internally.

use std::time::Instant;

use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use aws_sdk_eventbridge::Client;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use serde::Serialize;

use crate::aws::retry::{backoff, entry_retryable, is_throttling_code};
use crate::error::{AwsResultExt, Error, Result};
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
    /// Of those, the ones that answered it was throttled.
    pub throttled: u32,
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
            sent_at: None,
        }
    }
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
/// internally (with backoff), and the whole request when it is throttled. Outcomes come back
/// in the entries' order. Any other whole-request failure (after the SDK's own retries) is an
/// error.
pub async fn put_batch(
    client: &Client,
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
            throttled: 0,
            sent_at: None,
        })
        .collect();
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
            .send()
            .await
            .aws_context("PutEvents");
        let out = match answer {
            Ok(out) => out,
            // EventBridge can refuse the whole request when the account's PutEvents quota is
            // spent (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html).
            // Past the SDK's own retries, every pending entry counts as throttled and waits
            // like a throttled entry: a load test ends with a report, not a lost run.
            Err(e) if e.is_throttling() => {
                let code = e.aws.as_ref().and_then(|a| a.code.clone());
                let code = code.unwrap_or_else(|| "ThrottlingException".into());
                for &i in &pending {
                    let o = &mut outcomes[i];
                    o.attempts = attempt + 1;
                    o.sent_at = Some(started);
                    o.throttled += 1;
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
    Ok(outcomes)
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
            .unwrap();
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
        let client = without_sdk_retries(&[&put]);
        let out = put_batch(&client, "bus", &[entry(1), entry(2)])
            .await
            .unwrap();
        assert!(out.iter().all(EntryOutcome::ok), "{out:?}");
        assert!(out.iter().all(|o| (o.attempts, o.throttled) == (2, 1)));
        assert_eq!(put.num_calls(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_throttled_every_time_ends_as_refused_entries_not_an_error() {
        let refused = mock!(Client::put_events)
            .sequence()
            .error(throttled_request)
            .times(MAX_ATTEMPTS as usize)
            .build();
        let client = without_sdk_retries(&[&refused]);
        let out = put_batch(&client, "bus", &[entry(1)]).await.unwrap();
        assert_eq!(out[0].error_code.as_deref(), Some("ThrottlingException"));
        assert_eq!(
            (out[0].attempts, out[0].throttled),
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
        let out = put_batch(&client, "bus", &[entry(1)]).await.unwrap();
        assert_eq!(out[0].error_code.as_deref(), Some("InvalidArgument"));
        assert_eq!(out[0].attempts, 1);
        assert!(!out[0].ok());
        assert_eq!(put.num_calls(), 1);
    }
}
