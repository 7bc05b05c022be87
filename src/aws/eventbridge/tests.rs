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
        .match_requests(|r| r.entries().len() == 1 && r.entries()[0].detail() == Some("{\"n\":2}"))
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
