//! The live view against the time-shaped emulator (tests/emulator/strict/waits.py): the watch
//! follows a create that takes time, resource by resource, and the terminal block's lines and
//! counters say what happened; a rollback's block and error put the failing resource first.

use std::time::Instant;

use aws_sdk_cloudformation::types::ChangeSetType;
use evrelay::printer::Style;
use evrelay::stack::events::{latest_events, Cursor};
use evrelay::stack::follow::outcome_error;
use evrelay::stack::progress::Progress;
use evrelay::stack::render::{live_block, LineSink};
use evrelay::stack::watch::{watch, Outcome, WatchOptions};
use evrelay::stack::Operation;

use crate::harness::Moto;

const TEMPLATE: &str = r#"
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
  Function:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Code: {ZipFile: "def handler(e, c): return e"}
      Environment: {Variables: {QUEUE: !Ref Queue}}
"#;

const PLAIN: Style = Style { color: false };

/// Creates `stack` through a change set, executed with a token, and follows it to the end.
async fn create_and_follow(moto: &Moto, stack: &str) -> (Outcome, Progress) {
    let cfn = aws_sdk_cloudformation::Client::new(&moto.sdk().await);
    let made = cfn
        .create_change_set()
        .stack_name(stack)
        .change_set_name("live")
        .change_set_type(ChangeSetType::Create)
        .template_body(TEMPLATE)
        .send()
        .await
        .unwrap();
    let before = latest_events(&cfn, stack).await.unwrap();
    let token = evrelay::stack::request_token("test");
    cfn.execute_change_set()
        .change_set_name(made.id().unwrap())
        .client_request_token(&token)
        .send()
        .await
        .unwrap();
    let mut progress = Progress::new(stack, Operation::Create, Vec::new());
    let mut sink = LineSink::new(Vec::new(), PLAIN);
    let opts = WatchOptions {
        poll: std::time::Duration::from_millis(100),
        token: Some(token),
        ..WatchOptions::default()
    };
    let outcome = watch(
        &cfn,
        made.stack_id().unwrap(),
        Cursor::after(&before),
        &mut progress,
        &mut sink,
        &opts,
        None,
    )
    .await
    .unwrap();
    (outcome, progress)
}

#[tokio::test]
async fn a_create_that_takes_time_ends_with_every_resource_done_and_counted() {
    let moto = Moto::start_with_env(&[("EVRELAY_EMULATOR_TIME_SCALE", "0.02")]);
    let (outcome, progress) = create_and_follow(&moto, "live").await;
    assert!(outcome.ok, "{outcome:?}");
    let block = live_block(&progress, None, Instant::now(), &PLAIN);
    assert!(
        block[0]
            .starts_with("Creating stack live — CREATE_COMPLETE (3 done, 0 in progress, 0 failed)"),
        "{block:#?}"
    );
    for id in ["Queue", "Role", "Function"] {
        let line = block.iter().find(|l| l.contains(id)).expect(id);
        assert!(
            line.contains("✓") && line.contains("CREATE_COMPLETE"),
            "{block:#?}"
        );
    }
}

#[tokio::test]
async fn a_rollback_shows_the_failing_resource_and_its_reason_first() {
    let moto = Moto::start_with_env(&[
        ("EVRELAY_EMULATOR_TIME_SCALE", "0.02"),
        (
            "EVRELAY_EMULATOR_FAIL_RESOURCE",
            "Function=Memory size 99 is invalid",
        ),
    ]);
    let (outcome, progress) = create_and_follow(&moto, "live-bad").await;
    assert!(!outcome.ok);
    assert_eq!(outcome.status, "ROLLBACK_COMPLETE");
    let block = live_block(&progress, None, Instant::now(), &PLAIN);
    assert!(block[0].contains("ROLLBACK_COMPLETE"), "{block:#?}");
    assert!(
        block
            .iter()
            .any(|l| l.contains("↳ Memory size 99 is invalid")),
        "{block:#?}"
    );
    let err = outcome_error(&outcome);
    assert_eq!(
        err.message,
        "stack `live-bad` failed to create (ROLLBACK_COMPLETE): Function (AWS::Lambda::Function): Memory size 99 is invalid"
    );
}
