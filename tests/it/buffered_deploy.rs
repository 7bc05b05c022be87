//! `deploy --delivery buffered` as an operator meets it: each bad value refused in one line with
//! nothing made; a buffered relay deployed with the asked settings (read back from the queue and
//! the event source mapping); a switch back to direct refused while the buffer holds events,
//! which stay; destroy under --yes refusing a non-empty buffer until told.
//!
//! The strict emulator unhooks moto's own mapping from the queue (tests/emulator/strict/
//! lambda_esm.py), so messages put in the buffer here stay there: nothing polls them.

use std::process::Output;

use aws_sdk_sqs::types::QueueAttributeName;

use crate::harness::Moto;
use crate::stack::net::{deploy_args, seed, Net};

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn deploy(moto: &Moto, net: &Net, stack: &str, extra: &[&str]) -> Output {
    moto.evrelay()
        .args(deploy_args(net, stack))
        .args(["--yes", "--generate-secret"])
        .args(extra)
        .output()
        .unwrap()
}

fn destroy(moto: &Moto, stack: &str, extra: &[&str]) -> Output {
    moto.evrelay()
        .args(["--stack", stack, "destroy", "--yes"])
        .args(extra)
        .output()
        .unwrap()
}

async fn buffer_url(sqs: &aws_sdk_sqs::Client, stack: &str) -> Option<String> {
    sqs.get_queue_url()
        .queue_name(format!("{stack}-buffer"))
        .send()
        .await
        .ok()
        .and_then(|o| o.queue_url)
}

async fn attributes(
    sqs: &aws_sdk_sqs::Client,
    url: &str,
) -> std::collections::HashMap<QueueAttributeName, String> {
    sqs.get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::All)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap_or_default()
}

/// Visible + in flight + delayed: what a switch or a destroy would lose.
async fn held(sqs: &aws_sdk_sqs::Client, url: &str) -> u64 {
    let a = attributes(sqs, url).await;
    [
        QueueAttributeName::ApproximateNumberOfMessages,
        QueueAttributeName::ApproximateNumberOfMessagesNotVisible,
        QueueAttributeName::ApproximateNumberOfMessagesDelayed,
    ]
    .iter()
    .map(|k| a.get(k).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0))
    .sum()
}

/// stdout's lines with their cells one space apart (the table pads them to the widest).
fn table_rows(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

fn stack_parameter(stack: &aws_sdk_cloudformation::types::Stack, key: &str) -> Option<String> {
    stack
        .parameters()
        .iter()
        .find(|p| p.parameter_key() == Some(key))
        .and_then(|p| p.parameter_value().map(str::to_string))
}

async fn delivery_of(net: &Net, stack: &str) -> Option<String> {
    let out = net
        .cfn
        .describe_stacks()
        .stack_name(stack)
        .send()
        .await
        .unwrap();
    stack_parameter(&out.stacks()[0], "Delivery")
}

/// Issue 22 item 4: a mode switch is a change set like any other, both ways (an empty buffer
/// goes with the switch back).
#[tokio::test]
async fn direct_to_buffered_and_back_are_ordinary_change_sets() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let sqs = aws_sdk_sqs::Client::new(&moto.sdk().await);
    let out = deploy(&moto, &net, "sw", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(buffer_url(&sqs, "sw").await, None);

    let out = deploy(
        &moto,
        &net,
        "sw",
        &["--delivery", "buffered", "--max-concurrency", "4"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let rows = table_rows(&out);
    for row in ["Delivery direct buffered", "MaxConcurrency 2 4"] {
        assert!(rows.iter().any(|r| r == row), "{row}\n{}", text(&out));
    }
    assert_eq!(delivery_of(&net, "sw").await.as_deref(), Some("buffered"));
    assert!(buffer_url(&sqs, "sw").await.is_some());

    let out = deploy(&moto, &net, "sw", &["--delivery", "direct"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let rows = table_rows(&out);
    assert!(
        rows.iter().any(|r| r == "Delivery buffered direct"),
        "{}",
        text(&out)
    );
    assert!(
        !rows.iter().any(|r| r.starts_with("MaxConcurrency")),
        "{}",
        text(&out)
    );
    assert_eq!(delivery_of(&net, "sw").await.as_deref(), Some("direct"));
    // (On AWS the empty buffer goes with the switch; moto 5.2.5 leaves a resource whose
    // Condition turned false in place, so its queue is not looked at here.)
    // The buffered numbers stay on the stack for a switch back.
    let out = net
        .cfn
        .describe_stacks()
        .stack_name("sw")
        .send()
        .await
        .unwrap();
    assert_eq!(
        stack_parameter(&out.stacks()[0], "MaxConcurrency").as_deref(),
        Some("4")
    );
}

#[tokio::test]
async fn each_bad_buffered_setting_is_one_line_exit_2_and_makes_nothing() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let sqs = aws_sdk_sqs::Client::new(&moto.sdk().await);
    for (flags, said) in [
        (
            &["--delivery", "buffered", "--max-concurrency", "1"][..],
            "invalid value '1' for '--max-concurrency <N>'",
        ),
        (
            &["--delivery", "buffered", "--max-concurrency", "1001"],
            "invalid value '1001' for '--max-concurrency <N>'",
        ),
        (
            &["--delivery", "buffered", "--batch-size", "50"],
            "--batch-size 50 needs a batch window of at least 1 s, and the default batch window 0 is below it (Lambda API Reference, CreateEventSourceMapping MaximumBatchingWindowInSeconds: above 10 records)",
        ),
        (
            &["--delivery", "direct", "--batch-window", "5"],
            "--batch-window 5 with direct delivery: only buffered delivery has a batch window",
        ),
        // No --delivery and no stack: direct, the template's default.
        (
            &["--max-concurrency", "5"],
            "--max-concurrency 5 with direct delivery: only buffered delivery has a maximum concurrency",
        ),
        (
            &["--delivery", "buffered", "--max-concurrency", "5", "--reserved-concurrency", "3"],
            "--reserved-concurrency 3 is below --max-concurrency 5: the mapping does not account for reserved concurrency",
        ),
    ] {
        let out = deploy(&moto, &net, "bad", flags);
        assert_eq!(out.status.code(), Some(2), "{flags:?}\n{}", text(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(said), "{flags:?}\n{stderr}");
        assert!(out.stdout.is_empty(), "{flags:?}\n{}", text(&out));
    }
    assert!(!net.stack_exists("bad").await);
    assert!(net.live_endpoints().await.is_empty());
    assert_eq!(buffer_url(&sqs, "bad").await, None);
}

#[tokio::test]
async fn a_buffered_relay_keeps_its_backlog_through_a_refused_switch_and_a_refused_destroy() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let sdk = moto.sdk().await;
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let lambda = aws_sdk_lambda::Client::new(&sdk);

    // Deployed buffered with the operator's numbers: the plan shows them and warns that a
    // batch of 20 is more than a 90 s function is sure to try with a slow endpoint.
    let out = deploy(
        &moto,
        &net,
        "bq",
        &[
            "--delivery",
            "buffered",
            "--max-concurrency",
            "3",
            "--batch-size",
            "20",
            "--batch-window",
            "2",
            "--max-receive-count",
            "4",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let rows = table_rows(&out);
    for row in [
        "+ Add Buffer AWS::SQS::Queue",
        "+ Add BufferMapping AWS::Lambda::EventSourceMapping",
        "Delivery - buffered",
        "MaxConcurrency - 3",
        "BatchSize - 20",
        "BatchWindowSeconds - 2",
        "BufferVisibilityTimeoutSeconds - 542",
        "MaxReceiveCount - 4",
    ] {
        assert!(rows.iter().any(|r| r == row), "{row}\n{}", text(&out));
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("a batch holds up to 20 events, but with an endpoint at its slowest (58 s an event) only 1 is sure to be tried within the function timeout of 90 s"),
        "{stderr}"
    );

    // What AWS holds: the queue's visibility (6 x 90 s + the 2 s window) and redrive, the mapping.
    let url = buffer_url(&sqs, "bq").await.expect("the buffer");
    let attrs = attributes(&sqs, &url).await;
    assert_eq!(attrs[&QueueAttributeName::VisibilityTimeout], "542");
    let redrive: serde_json::Value =
        serde_json::from_str(&attrs[&QueueAttributeName::RedrivePolicy]).unwrap();
    assert_eq!(
        redrive["maxReceiveCount"].to_string().trim_matches('"'),
        "4"
    );
    assert!(
        redrive["deadLetterTargetArn"]
            .as_str()
            .unwrap()
            .ends_with(":bq-dlq"),
        "{redrive}"
    );
    let mappings = lambda
        .list_event_source_mappings()
        .function_name("bq-relay")
        .send()
        .await
        .unwrap();
    let [mapping] = mappings.event_source_mappings() else {
        panic!("one mapping: {mappings:?}");
    };
    assert!(mapping.event_source_arn().unwrap().ends_with(":bq-buffer"));
    assert_eq!(mapping.batch_size(), Some(20));
    assert_eq!(mapping.maximum_batching_window_in_seconds(), Some(2));
    assert_eq!(
        mapping
            .scaling_config()
            .and_then(|s| s.maximum_concurrency()),
        Some(3)
    );
    assert_eq!(
        mapping
            .function_response_types()
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>(),
        ["ReportBatchItemFailures"]
    );

    // evrelay.toml keeps them, so a bare `evrelay deploy` (after a destroy too) stays buffered.
    let file = std::fs::read_to_string(moto.config_file()).unwrap();
    for line in [
        "delivery = \"buffered\"",
        "max_concurrency = 3",
        "batch_size = 20",
        "batch_window = 2",
        "max_receive_count = 4",
    ] {
        assert!(file.contains(line), "{line}\n{file}");
    }

    // A switch kept for review while the buffer is empty (nothing to refuse yet).
    let out = deploy(&moto, &net, "bq", &["--delivery", "direct", "--no-execute"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let kept = String::from_utf8_lossy(&out.stderr)
        .split_whitespace()
        .find(|w| w.starts_with("evrelay-"))
        .expect("the kept change set's name")
        .to_string();

    // Three events wait in the buffer: switching back to direct would delete them with it.
    for i in 0..3 {
        sqs.send_message()
            .queue_url(&url)
            .message_body(format!("{{\"detail\": {{\"event-id\": \"b-{i}\"}}}}"))
            .send()
            .await
            .unwrap();
    }
    let out = deploy(&moto, &net, "bq", &["--delivery", "direct"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("refusing to switch stack `bq` to direct delivery: its buffer bq-buffer holds 3 events the relay has not delivered yet, and the switch deletes the buffer; nothing changed"),
        "{stderr}"
    );
    assert!(stderr.contains("`evrelay --stack bq status`"), "{stderr}");
    assert_eq!(held(&sqs, &url).await, 3, "every event kept");
    assert_eq!(delivery_of(&net, "bq").await.as_deref(), Some("buffered"));
    // The kept change set is checked again when it runs: the buffer filled since.
    let out = moto
        .evrelay()
        .args(["--stack", "bq", "deploy", "--execute", &kept, "--yes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("its buffer bq-buffer holds 3 events"),
        "{}",
        text(&out)
    );
    assert_eq!(held(&sqs, &url).await, 3);
    assert_eq!(delivery_of(&net, "bq").await.as_deref(), Some("buffered"));

    // A redeploy without delivery flags keeps the stack's: buffered, the same numbers.
    let out = deploy(&moto, &net, "bq", &["--dry-run", "--read-timeout", "5"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let rows = table_rows(&out);
    assert!(
        rows.iter().any(|r| r == "ReadTimeoutSeconds 10 5"),
        "{}",
        text(&out)
    );
    let buffered_rows = [
        "Delivery",
        "MaxConcurrency",
        "BatchSize",
        "BatchWindowSeconds",
        "MaxReceiveCount",
    ];
    assert!(
        !rows.iter().any(|r| buffered_rows
            .iter()
            .any(|k| r.starts_with(&format!("{k} ")))),
        "{}",
        text(&out)
    );

    // destroy --yes: the buffer's events refuse it, and --delete-failed-events is not enough.
    for extra in [&[][..], &["--delete-failed-events"]] {
        let out = destroy(&moto, "bq", extra);
        assert_eq!(out.status.code(), Some(1), "{extra:?}\n{}", text(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("refusing to destroy stack `bq`: bq-buffer holds 3 buffered events that would be lost; nothing was deleted"),
            "{stderr}"
        );
        assert!(stderr.contains("--delete-buffered-events"), "{stderr}");
        assert!(net.stack_exists("bq").await);
        assert_eq!(held(&sqs, &url).await, 3);
    }

    // Told they may go: the plan shows the buffer's depth, the result counts them.
    let out = destroy(&moto, "bq", &["--delete-buffered-events"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("queues: bq-dlq (empty), bq-responses (empty), bq-buffer (3 messages)"),
        "{stderr}"
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Deleted 3 buffered events with the buffer."),
        "{}",
        text(&out)
    );
    assert!(!net.stack_exists("bq").await);
}
