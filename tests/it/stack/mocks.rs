//! What moto cannot show (per-resource events, rollbacks, DELETE_FAILED, empty change sets,
//! throttling), replayed from responses in the shapes AWS documents for DescribeStackEvents,
//! DescribeStacks and DescribeChangeSet, through `aws-smithy-mocks`: no server, no sleeps.

use std::time::Duration;

use aws_sdk_cloudformation::error::ErrorMetadata;
use aws_sdk_cloudformation::operation::describe_change_set::DescribeChangeSetOutput;
use aws_sdk_cloudformation::operation::describe_stack_events::DescribeStackEventsOutput;
use aws_sdk_cloudformation::operation::describe_stacks::{
    DescribeStacksError, DescribeStacksOutput,
};
use aws_sdk_cloudformation::types::{
    Change, ChangeAction, ChangeSetStatus, ChangeType, Replacement, ResourceChange, ResourceStatus,
    Stack, StackEvent, StackStatus,
};
use aws_sdk_cloudformation::Client;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use aws_smithy_types::DateTime;
use evrelay::printer::Style;
use evrelay::stack::changeset::{wait_for_change_set, ChangeRow, ChangeSetState};
use evrelay::stack::events::Cursor;
use evrelay::stack::follow::outcome_error;
use evrelay::stack::progress::Progress;
use evrelay::stack::render::{live_block, JsonSink, LineSink};
use evrelay::stack::watch::{watch, Outcome, WatchOptions};
use evrelay::stack::Operation;

const STACK: &str = "relay-app";
const STACK_ID: &str = "arn:aws:cloudformation:us-east-1:123456789012:stack/relay-app/6f1c5e30-c9d2-11f0-8a2b-0affd1b4e4a1";
const T0: i64 = 1_795_000_000;

/// One DescribeStackEvents row: `(logical id, type, status, reason, seconds after T0)`.
type Row = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    i64,
);

fn event(i: usize, (logical, rtype, status, reason, secs): Row) -> StackEvent {
    let physical = if logical == STACK {
        STACK_ID.to_string()
    } else {
        format!("{STACK}-{}", logical.to_lowercase())
    };
    StackEvent::builder()
        .stack_id(STACK_ID)
        .event_id(format!("{logical}-{status}-{i}"))
        .stack_name(STACK)
        .logical_resource_id(logical)
        .physical_resource_id(physical)
        .resource_type(rtype)
        .timestamp(DateTime::from_secs(T0 + secs))
        .resource_status(ResourceStatus::from(status))
        .set_resource_status_reason(reason.map(str::to_string))
        .build()
}

/// DescribeStackEvents after the first `n` rows happened: newest first, as AWS returns them.
fn events_page(rows: &[Row], n: usize) -> DescribeStackEventsOutput {
    let mut events: Vec<StackEvent> = rows[..n]
        .iter()
        .enumerate()
        .map(|(i, r)| event(i, *r))
        .collect();
    events.reverse();
    DescribeStackEventsOutput::builder()
        .set_stack_events(Some(events))
        .build()
}

fn stacks(status: &str, reason: Option<&str>) -> DescribeStacksOutput {
    DescribeStacksOutput::builder()
        .stacks(
            Stack::builder()
                .stack_name(STACK)
                .stack_id(STACK_ID)
                .creation_time(DateTime::from_secs(T0))
                .stack_status(StackStatus::from(status))
                .set_stack_status_reason(reason.map(str::to_string))
                .build(),
        )
        .build()
}

/// A stack's life as a sequence of polls: after poll `i`, `cuts[i]` events have happened and
/// the stack is in `statuses[i]`. The last answer repeats (the final events fetch).
fn replay(
    rows: &'static [Row],
    cuts: &[usize],
    statuses: &[(&'static str, Option<&'static str>)],
) -> (Rule, Rule) {
    let mut ev = mock!(Client::describe_stack_events).sequence();
    for &n in cuts {
        ev = ev.output(move || events_page(rows, n));
    }
    let mut st = mock!(Client::describe_stacks).sequence();
    for &(status, reason) in statuses {
        st = st.output(move || stacks(status, reason));
    }
    (ev.repeatedly().build(), st.repeatedly().build())
}

fn client(rules: &[&Rule]) -> Client {
    // SDK retries off: the wait loop's own back-off is what is under test.
    mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, rules, |c| c
        .retry_config(
            aws_sdk_cloudformation::config::retry::RetryConfig::disabled()
        ))
}

fn fast() -> WatchOptions {
    WatchOptions {
        poll: Duration::from_millis(1),
        max_backoff: Duration::from_millis(8),
        ..WatchOptions::default()
    }
}

fn descriptions() -> Vec<(String, String)> {
    evrelay::template::resource_descriptions(evrelay::template::TEMPLATE_SOURCE)
}

const PLAIN: Style = Style { color: false };

async fn follow_lines(client: &Client, operation: Operation) -> (Outcome, Progress, String) {
    let mut progress = Progress::new(STACK, operation, descriptions());
    let mut sink = LineSink::new(Vec::new(), PLAIN);
    let outcome = watch(
        client,
        STACK_ID,
        Cursor::default(),
        &mut progress,
        &mut sink,
        &fast(),
        None,
    )
    .await
    .unwrap();
    (
        outcome,
        progress,
        String::from_utf8(sink.into_inner()).unwrap(),
    )
}

static CREATE_OK: [Row; 9] = [
    (
        STACK,
        "AWS::CloudFormation::Stack",
        "CREATE_IN_PROGRESS",
        Some("User Initiated"),
        0,
    ),
    (
        "Bus",
        "AWS::Events::EventBus",
        "CREATE_IN_PROGRESS",
        None,
        2,
    ),
    ("Dlq", "AWS::SQS::Queue", "CREATE_IN_PROGRESS", None, 2),
    ("Bus", "AWS::Events::EventBus", "CREATE_COMPLETE", None, 3),
    ("Dlq", "AWS::SQS::Queue", "CREATE_COMPLETE", None, 28),
    (
        "Function",
        "AWS::Lambda::Function",
        "CREATE_IN_PROGRESS",
        None,
        30,
    ),
    (
        "Function",
        "AWS::Lambda::Function",
        "CREATE_IN_PROGRESS",
        Some("Eventual consistency check initiated"),
        31,
    ),
    (
        "Function",
        "AWS::Lambda::Function",
        "CREATE_COMPLETE",
        None,
        95,
    ),
    (
        STACK,
        "AWS::CloudFormation::Stack",
        "CREATE_COMPLETE",
        None,
        97,
    ),
];

#[tokio::test]
async fn a_create_is_shown_resource_by_resource_until_complete() {
    let (ev, st) = replay(
        &CREATE_OK,
        &[3, 5, 7, 9],
        &[
            ("CREATE_IN_PROGRESS", None),
            ("CREATE_IN_PROGRESS", None),
            ("CREATE_IN_PROGRESS", None),
            ("CREATE_COMPLETE", None),
        ],
    );
    let (outcome, progress, lines) = follow_lines(&client(&[&ev, &st]), Operation::Create).await;
    assert!(outcome.ok, "{outcome:?}");
    assert_eq!(outcome.status, "CREATE_COMPLETE");
    assert!(outcome.failure.is_none());
    // Each event once, in order, though every poll returned the whole history.
    assert_eq!(lines.matches("CREATE_COMPLETE").count(), 4, "{lines}");
    insta::assert_snapshot!("create_lines", lines);
    insta::assert_snapshot!(
        "create_live_block",
        live_block(&progress, None, progress.started, &PLAIN).join("\n")
    );
}

#[tokio::test]
async fn json_mode_prints_one_event_object_per_line() {
    let (ev, st) = replay(&CREATE_OK, &[9], &[("CREATE_COMPLETE", None)]);
    let client = client(&[&ev, &st]);
    let mut progress = Progress::new(STACK, Operation::Create, descriptions());
    let mut sink = JsonSink::new(Vec::new());
    watch(
        &client,
        STACK_ID,
        Cursor::default(),
        &mut progress,
        &mut sink,
        &fast(),
        None,
    )
    .await
    .unwrap();
    let text = String::from_utf8(sink.into_inner()).unwrap();
    let objects: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(objects.len(), CREATE_OK.len());
    assert!(objects.iter().all(|o| o["type"] == "event"));
    assert_eq!(objects[1]["logical_id"], "Bus");
    assert_eq!(objects[1]["description"], "Event bus producers send to");
    assert_eq!(objects[0]["timestamp"], "2026-11-18T11:06:40Z");
}

static ROLLBACK: [Row; 9] = [
    (STACK, "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS", Some("User Initiated"), 0),
    ("Dlq", "AWS::SQS::Queue", "CREATE_IN_PROGRESS", None, 2),
    ("Function", "AWS::Lambda::Function", "CREATE_IN_PROGRESS", None, 30),
    ("Dlq", "AWS::SQS::Queue", "CREATE_FAILED", Some("Resource creation cancelled"), 31),
    (
        "Function",
        "AWS::Lambda::Function",
        "CREATE_FAILED",
        Some("Resource handler returned message: \"The provided subnet subnet-0aaa does not exist (Service: Lambda, Status Code: 400, Request ID: 5d6e…)\" (HandlerErrorCode: InvalidRequest)"),
        32,
    ),
    (STACK, "AWS::CloudFormation::Stack", "ROLLBACK_IN_PROGRESS", Some("The following resource(s) failed to create: [Dlq, Function]. Rollback requested by user."), 33),
    ("Dlq", "AWS::SQS::Queue", "DELETE_COMPLETE", None, 60),
    ("Function", "AWS::Lambda::Function", "DELETE_COMPLETE", None, 61),
    (STACK, "AWS::CloudFormation::Stack", "ROLLBACK_COMPLETE", None, 62),
];

#[tokio::test]
async fn a_rollback_names_the_first_resource_that_failed_for_a_reason_of_its_own() {
    let (ev, st) = replay(
        &ROLLBACK,
        &[3, 6, 9],
        &[
            ("CREATE_IN_PROGRESS", None),
            (
                "ROLLBACK_IN_PROGRESS",
                Some("The following resource(s) failed to create: [Dlq, Function]."),
            ),
            ("ROLLBACK_COMPLETE", None),
        ],
    );
    let (outcome, progress, lines) = follow_lines(&client(&[&ev, &st]), Operation::Create).await;
    assert!(!outcome.ok);
    assert_eq!(outcome.status, "ROLLBACK_COMPLETE");
    let failure = outcome.failure.clone().unwrap();
    assert_eq!(
        failure.logical_id, "Function",
        "the cancelled Dlq failed first but is not the cause"
    );
    let error = outcome_error(&outcome);
    assert_eq!(error.exit_code(), 1);
    insta::assert_snapshot!("rollback_lines", lines);
    insta::assert_snapshot!(
        "rollback_live_block",
        live_block(&progress, None, progress.started, &PLAIN).join("\n")
    );
    insta::assert_snapshot!(
        "rollback_error",
        format!("error: {}\nhint: {}", error.message, error.hint.unwrap())
    );
}

static DELETE_FAILED: [Row; 5] = [
    (STACK, "AWS::CloudFormation::Stack", "DELETE_IN_PROGRESS", Some("User Initiated"), 0),
    ("Function", "AWS::Lambda::Function", "DELETE_COMPLETE", None, 40),
    ("RelaySecurityGroupRule", "AWS::EC2::SecurityGroupIngress", "DELETE_IN_PROGRESS", None, 41),
    (
        "RelaySecurityGroupRule",
        "AWS::EC2::SecurityGroupIngress",
        "DELETE_FAILED",
        Some("resource sg-0b1c has a dependent object (Service: Ec2, Status Code: 400, Request ID: 1a2b…)"),
        2400,
    ),
    (STACK, "AWS::CloudFormation::Stack", "DELETE_FAILED", Some("The following resource(s) failed to delete: [RelaySecurityGroupRule]. "), 2401),
];

#[tokio::test]
async fn delete_failed_says_which_resource_why_and_what_next() {
    let (ev, st) = replay(
        &DELETE_FAILED,
        &[1, 3, 5],
        &[
            ("DELETE_IN_PROGRESS", None),
            ("DELETE_IN_PROGRESS", None),
            ("DELETE_FAILED", None),
        ],
    );
    let (outcome, _, lines) = follow_lines(&client(&[&ev, &st]), Operation::Delete).await;
    assert!(!outcome.ok);
    assert_eq!(
        outcome.failure.as_ref().unwrap().logical_id,
        "RelaySecurityGroupRule"
    );
    let error = outcome_error(&outcome);
    assert!(error.hint.as_deref().unwrap().contains("evrelay destroy"));
    insta::assert_snapshot!("delete_failed_lines", lines);
    insta::assert_snapshot!(
        "delete_failed_error",
        format!("error: {}\nhint: {}", error.message, error.hint.unwrap())
    );
}

#[tokio::test]
async fn a_deleted_stack_that_no_longer_answers_is_delete_complete() {
    static ROWS: [Row; 1] = [(
        STACK,
        "AWS::CloudFormation::Stack",
        "DELETE_IN_PROGRESS",
        Some("User Initiated"),
        0,
    )];
    let ev = mock!(Client::describe_stack_events).then_output(|| events_page(&ROWS, 1));
    let gone = mock!(Client::describe_stacks).then_error(|| {
        DescribeStacksError::generic(
            ErrorMetadata::builder()
                .code("ValidationError")
                .message(format!("Stack with id {STACK} does not exist"))
                .build(),
        )
    });
    let (outcome, _, _) = follow_lines(&client(&[&ev, &gone]), Operation::Delete).await;
    assert!(outcome.ok);
    assert_eq!(outcome.status, "DELETE_COMPLETE");
}

#[tokio::test]
async fn throttling_backs_off_and_carries_on() {
    static ROWS: [Row; 2] = [
        (
            STACK,
            "AWS::CloudFormation::Stack",
            "UPDATE_IN_PROGRESS",
            Some("User Initiated"),
            0,
        ),
        (
            STACK,
            "AWS::CloudFormation::Stack",
            "UPDATE_COMPLETE",
            None,
            5,
        ),
    ];
    let ev = mock!(Client::describe_stack_events)
        .sequence()
        .output(|| events_page(&ROWS, 2))
        .repeatedly()
        .build();
    let throttled = || {
        DescribeStacksError::generic(
            ErrorMetadata::builder()
                .code("Throttling")
                .message("Rate exceeded")
                .build(),
        )
    };
    let st = mock!(Client::describe_stacks)
        .sequence()
        .error(throttled)
        .times(3)
        .output(|| stacks("UPDATE_COMPLETE", None))
        .repeatedly()
        .build();
    let (outcome, _, lines) = follow_lines(&client(&[&ev, &st]), Operation::Update).await;
    assert!(outcome.ok);
    assert_eq!(st.num_calls(), 4, "three throttled polls, then the answer");
    assert_eq!(
        lines.lines().count(),
        2 + 1,
        "each event once (the first carries its reason line): {lines}"
    );
}

#[tokio::test]
async fn other_errors_stop_the_watch_with_the_operation_named() {
    let ev = mock!(Client::describe_stack_events).then_output(|| events_page(&CREATE_OK, 1));
    let denied = mock!(Client::describe_stacks).then_error(|| {
        DescribeStacksError::generic(
            ErrorMetadata::builder()
                .code("AccessDenied")
                .message("not authorized to perform: cloudformation:DescribeStacks")
                .build(),
        )
    });
    let client = client(&[&ev, &denied]);
    let mut progress = Progress::new(STACK, Operation::Create, descriptions());
    let mut sink = LineSink::new(Vec::new(), PLAIN);
    let e = watch(
        &client,
        STACK_ID,
        Cursor::default(),
        &mut progress,
        &mut sink,
        &fast(),
        None,
    )
    .await
    .unwrap_err();
    assert!(
        e.message.starts_with("DescribeStacks failed: AccessDenied"),
        "{}",
        e.message
    );
    assert!(e.hint.is_some());
}

#[tokio::test]
async fn a_timeout_says_the_change_goes_on() {
    let (ev, st) = replay(&CREATE_OK, &[3], &[("CREATE_IN_PROGRESS", None)]);
    let client = client(&[&ev, &st]);
    let mut progress = Progress::new(STACK, Operation::Create, descriptions());
    let mut sink = LineSink::new(Vec::new(), PLAIN);
    let opts = WatchOptions {
        timeout: Some(Duration::from_millis(20)),
        ..fast()
    };
    let e = watch(
        &client,
        STACK_ID,
        Cursor::default(),
        &mut progress,
        &mut sink,
        &opts,
        None,
    )
    .await
    .unwrap_err();
    assert!(
        e.message.contains("still CREATE_IN_PROGRESS"),
        "{}",
        e.message
    );
    assert!(e.hint.unwrap().contains("evrelay status --watch"));
}

fn change_set(status: ChangeSetStatus, reason: Option<&str>) -> DescribeChangeSetOutput {
    DescribeChangeSetOutput::builder()
        .change_set_name("evrelay-1795000000")
        .stack_name(STACK)
        .status(status)
        .set_status_reason(reason.map(str::to_string))
        .build()
}

#[tokio::test]
async fn an_empty_change_set_means_up_to_date_in_both_of_aws_s_wordings() {
    for reason in [
        "The submitted information didn't contain changes. Submit different information to create a change set.",
        "No updates are to be performed.",
    ] {
        let cs = mock!(Client::describe_change_set)
            .sequence()
            .output(|| change_set(ChangeSetStatus::CreatePending, None))
            .output(|| change_set(ChangeSetStatus::CreateInProgress, None))
            .output(move || change_set(ChangeSetStatus::Failed, Some(reason)))
            .build();
        let state = wait_for_change_set(&client(&[&cs]), "arn:cs", Duration::from_millis(1), Duration::from_secs(5)).await.unwrap();
        assert_eq!(state, ChangeSetState::NoChanges, "{reason}");
    }
    let cs = mock!(Client::describe_change_set).then_output(|| {
        change_set(
            ChangeSetStatus::Failed,
            Some("Parameters: [Secret] must have values"),
        )
    });
    let state = wait_for_change_set(
        &client(&[&cs]),
        "arn:cs",
        Duration::from_millis(1),
        Duration::from_secs(5),
    )
    .await
    .unwrap();
    assert_eq!(
        state,
        ChangeSetState::Failed("Parameters: [Secret] must have values".into())
    );
}

#[tokio::test]
async fn a_ready_change_set_lists_every_page_of_changes() {
    let change = |action: ChangeAction, id: &str, rtype: &str, replacement: Option<Replacement>| {
        Change::builder()
            .r#type(ChangeType::Resource)
            .resource_change(
                ResourceChange::builder()
                    .action(action)
                    .logical_resource_id(id)
                    .resource_type(rtype)
                    .set_replacement(replacement)
                    .build(),
            )
            .build()
    };
    let page1 = move || {
        DescribeChangeSetOutput::builder()
            .status(ChangeSetStatus::CreateComplete)
            .changes(change(
                ChangeAction::Modify,
                "Function",
                "AWS::Lambda::Function",
                Some(Replacement::False),
            ))
            .next_token("page2")
            .build()
    };
    let page2 = move || {
        DescribeChangeSetOutput::builder()
            .status(ChangeSetStatus::CreateComplete)
            .changes(change(
                ChangeAction::Add,
                "EventsLogGroup",
                "AWS::Logs::LogGroup",
                None,
            ))
            .build()
    };
    // Polled until ready, then read again from the first page.
    let cs = mock!(Client::describe_change_set)
        .sequence()
        .output(|| change_set(ChangeSetStatus::CreateInProgress, None))
        .output(page1)
        .output(page1)
        .output(page2)
        .build();
    let state = wait_for_change_set(
        &client(&[&cs]),
        "arn:cs",
        Duration::from_millis(1),
        Duration::from_secs(5),
    )
    .await
    .unwrap();
    let ChangeSetState::Ready(rows) = state else {
        panic!("not ready: {state:?}")
    };
    assert_eq!(
        rows,
        [
            ChangeRow {
                action: "Modify".into(),
                logical_id: "Function".into(),
                resource_type: "AWS::Lambda::Function".into(),
                replacement: "False".into()
            },
            ChangeRow {
                action: "Add".into(),
                logical_id: "EventsLogGroup".into(),
                resource_type: "AWS::Logs::LogGroup".into(),
                replacement: String::new()
            },
        ]
    );
}

#[tokio::test]
async fn a_slow_delete_shows_the_network_interfaces_it_waits_on() {
    use evrelay::stack::watch::{SideFetch, WaitItem, WaitingOn};
    use futures::FutureExt;
    static ROWS: [Row; 3] = [
        (
            STACK,
            "AWS::CloudFormation::Stack",
            "DELETE_IN_PROGRESS",
            Some("User Initiated"),
            0,
        ),
        (
            "Function",
            "AWS::Lambda::Function",
            "DELETE_IN_PROGRESS",
            None,
            1,
        ),
        (
            "Function",
            "AWS::Lambda::Function",
            "DELETE_COMPLETE",
            None,
            1800,
        ),
    ];
    let (ev, st) = replay(
        &ROWS,
        &[2, 2, 2, 2, 3],
        &[
            ("DELETE_IN_PROGRESS", None),
            ("DELETE_IN_PROGRESS", None),
            ("DELETE_IN_PROGRESS", None),
            ("DELETE_IN_PROGRESS", None),
            ("DELETE_COMPLETE", None),
        ],
    );
    let client = client(&[&ev, &st]);
    // What DescribeNetworkInterfaces would list, refresh after refresh (popped from the end):
    // two interfaces, the same two a little older (no new lines), one, none.
    let answers = std::sync::Arc::new(std::sync::Mutex::new(vec![
        vec![],
        vec![("eni-0b", "26m")],
        vec![("eni-0a", "25m"), ("eni-0b", "25m")],
        vec![("eni-0a", "24m"), ("eni-0b", "24m")],
    ]));
    let side: SideFetch<'_> = Box::new(move || {
        let ids = answers.lock().unwrap().pop().unwrap_or_default();
        async move {
            Some(WaitingOn {
                what: "the relay's network interfaces".into(),
                items: ids
                    .into_iter()
                    .map(|(id, age)| WaitItem {
                        id: id.into(),
                        detail: format!("in-use, attached {age} ago"),
                    })
                    .collect(),
            })
        }
        .boxed()
    });
    let mut progress = Progress::new(STACK, Operation::Delete, descriptions());
    let mut sink = LineSink::new(Vec::new(), PLAIN);
    let opts = WatchOptions {
        side_every: Duration::ZERO,
        ..fast()
    };
    let outcome = watch(
        &client,
        STACK_ID,
        Cursor::default(),
        &mut progress,
        &mut sink,
        &opts,
        Some(side),
    )
    .await
    .unwrap();
    assert!(outcome.ok);
    let lines = String::from_utf8(sink.into_inner()).unwrap();
    assert!(
        lines.contains("eni-0a") && lines.contains("none left"),
        "{lines}"
    );
    insta::assert_snapshot!("delete_waits_on_interfaces", lines);
}
