//! Following an operation by its ClientRequestToken: right after ExecuteChangeSet or DeleteStack,
//! DescribeStacks may still show the previous settled status. Replayed with `aws-smithy-mocks` in
//! the shapes of the CloudFormation API reference (StackEvent.ClientRequestToken: "All events
//! triggered by a given stack operation are assigned the same client request token").

use std::time::Duration;

use aws_sdk_cloudformation::operation::describe_stack_events::DescribeStackEventsOutput;
use aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksOutput;
use aws_sdk_cloudformation::types::{ResourceStatus, Stack, StackEvent, StackStatus};
use aws_sdk_cloudformation::Client;
use aws_smithy_mocks::{mock, mock_client, RuleMode};
use aws_smithy_types::DateTime;
use evrelay::printer::Style;
use evrelay::stack::events::Cursor;
use evrelay::stack::progress::Progress;
use evrelay::stack::render::LineSink;
use evrelay::stack::watch::{watch, Outcome, WatchOptions};
use evrelay::stack::Operation;
use evrelay::Result;

const STACK: &str = "relay-app";
const STACK_ID: &str =
    "arn:aws:cloudformation:us-east-1:123456789012:stack/relay-app/6f1c5e30-c9d2-11f0-8a2b-0affd1b4e4a1";
const MINE: &str = "evrelay-deploy-mine";

/// `(logical id, status, reason, token)`, oldest first.
type Row = (
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
);

fn page(rows: &[Row]) -> DescribeStackEventsOutput {
    let mut events: Vec<StackEvent> = rows
        .iter()
        .enumerate()
        .map(|(i, (logical, status, reason, token))| {
            let rtype = if *logical == STACK {
                "AWS::CloudFormation::Stack"
            } else {
                "AWS::Lambda::Function"
            };
            StackEvent::builder()
                .stack_id(STACK_ID)
                .event_id(format!("{logical}-{status}-{i}"))
                .stack_name(STACK)
                .logical_resource_id(*logical)
                .resource_type(rtype)
                .timestamp(DateTime::from_secs(1_795_000_000 + i as i64))
                .resource_status(ResourceStatus::from(*status))
                .set_resource_status_reason(reason.map(str::to_string))
                .client_request_token(*token)
                .build()
        })
        .collect();
    events.reverse();
    DescribeStackEventsOutput::builder()
        .set_stack_events(Some(events))
        .build()
}

fn described(status: &str) -> DescribeStacksOutput {
    DescribeStacksOutput::builder()
        .stacks(
            Stack::builder()
                .stack_name(STACK)
                .stack_id(STACK_ID)
                .creation_time(DateTime::from_secs(1_795_000_000))
                .stack_status(StackStatus::from(status))
                .build(),
        )
        .build()
}

/// Polls: after poll `i`, `events[i]` is the stream and `statuses[i]` what DescribeStacks says.
async fn follow(
    operation: Operation,
    events: &'static [&'static [Row]],
    statuses: &'static [&'static str],
) -> Result<Outcome> {
    let mut ev = mock!(Client::describe_stack_events).sequence();
    for rows in events {
        ev = ev.output(move || page(rows));
    }
    let mut st = mock!(Client::describe_stacks).sequence();
    for status in statuses {
        st = st.output(move || described(status));
    }
    let (ev, st) = (ev.repeatedly().build(), st.repeatedly().build());
    let client = mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, [&ev, &st]);
    let mut progress = Progress::new(STACK, operation, Vec::new());
    let mut sink = LineSink::new(Vec::new(), Style { color: false });
    let opts = WatchOptions {
        poll: Duration::from_millis(1),
        token: Some(MINE.into()),
        ..WatchOptions::default()
    };
    watch(
        &client,
        STACK_ID,
        Cursor::default(),
        &mut progress,
        &mut sink,
        &opts,
        None,
    )
    .await
}

const UPDATE_STARTED: &[Row] = &[(STACK, "UPDATE_IN_PROGRESS", None, MINE)];
const UPDATE_FAILED: &[Row] = &[
    (STACK, "UPDATE_IN_PROGRESS", None, MINE),
    (
        "Function",
        "UPDATE_FAILED",
        Some("Memory size 99 is invalid"),
        MINE,
    ),
    (STACK, "UPDATE_ROLLBACK_IN_PROGRESS", None, MINE),
    (STACK, "UPDATE_ROLLBACK_COMPLETE", None, MINE),
];

#[tokio::test]
async fn an_update_is_not_reported_done_on_the_previous_update_s_status() {
    // The first two reads still show the last update's UPDATE_COMPLETE.
    let outcome = follow(
        Operation::Update,
        &[&[], &[], UPDATE_STARTED, UPDATE_FAILED],
        &[
            "UPDATE_COMPLETE",
            "UPDATE_COMPLETE",
            "UPDATE_IN_PROGRESS",
            "UPDATE_ROLLBACK_COMPLETE",
        ],
    )
    .await
    .unwrap();
    assert!(!outcome.ok);
    assert_eq!(outcome.status, "UPDATE_ROLLBACK_COMPLETE");
    let failure = outcome.failure.expect("the failing resource");
    assert_eq!(failure.logical_id, "Function");
    assert_eq!(failure.reason, "Memory size 99 is invalid");
}

const DELETE_STARTED: &[Row] = &[(STACK, "DELETE_IN_PROGRESS", Some("User Initiated"), MINE)];
const DELETED: &[Row] = &[
    (STACK, "DELETE_IN_PROGRESS", Some("User Initiated"), MINE),
    ("Function", "DELETE_COMPLETE", None, MINE),
    (STACK, "DELETE_COMPLETE", None, MINE),
];

#[tokio::test]
async fn a_retried_delete_is_not_reported_failed_on_the_last_attempt_s_status() {
    let outcome = follow(
        Operation::Delete,
        &[&[], DELETE_STARTED, DELETED],
        &["DELETE_FAILED", "DELETE_IN_PROGRESS", "DELETE_COMPLETE"],
    )
    .await
    .unwrap();
    assert!(outcome.ok, "{outcome:?}");
    assert_eq!(outcome.status, "DELETE_COMPLETE");
}

const SOMEONE_ELSE: &[Row] = &[(STACK, "UPDATE_IN_PROGRESS", None, "Console-UpdateStack-42")];

#[tokio::test]
async fn someone_else_s_change_is_reported_as_such() {
    let err = follow(
        Operation::Update,
        &[&[], SOMEONE_ELSE],
        &["UPDATE_COMPLETE", "UPDATE_IN_PROGRESS"],
    )
    .await
    .unwrap_err();
    assert!(
        err.message
            .contains("another change started on stack `relay-app`"),
        "{err:?}"
    );
    assert!(err.message.contains("Console-UpdateStack-42"), "{err:?}");
}
