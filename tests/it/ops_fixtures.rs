//! Fixtures for the `send`, `logs` and `dlq` tests: the relay's bus, queues and log groups
//! created directly with the SDK (no stack needed: evrelay finds everything by name), the two
//! DLQ record shapes, and a way to run evrelay as a child process that can be killed.

use std::collections::HashMap;
use std::process::{Child, Command as StdCommand, Stdio};

use aws_sdk_sqs::types::{MessageAttributeValue, QueueAttributeName, SendMessageBatchRequestEntry};
use serde_json::{json, Value};

use crate::harness::{Moto, REGION};

pub struct Clients {
    pub sqs: aws_sdk_sqs::Client,
    pub events: aws_sdk_eventbridge::Client,
    pub logs: aws_sdk_cloudwatchlogs::Client,
}

pub async fn clients(moto: &Moto) -> Clients {
    let sdk = moto.sdk().await;
    Clients {
        sqs: aws_sdk_sqs::Client::new(&sdk),
        events: aws_sdk_eventbridge::Client::new(&sdk),
        logs: aws_sdk_cloudwatchlogs::Client::new(&sdk),
    }
}

/// Creates a queue; returns its URL and ARN.
pub async fn create_queue(sqs: &aws_sdk_sqs::Client, name: &str) -> (String, String) {
    let url = sqs
        .create_queue()
        .queue_name(name)
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let attrs = sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap();
    let arn = attrs[&QueueAttributeName::QueueArn].clone();
    (url, arn)
}

/// A rule on `bus` delivering events that match `pattern` to `queue_arn`.
pub async fn rule_to_queue(
    events: &aws_sdk_eventbridge::Client,
    bus: &str,
    rule: &str,
    pattern: Value,
    queue_arn: &str,
) {
    events
        .put_rule()
        .name(rule)
        .event_bus_name(bus)
        .event_pattern(pattern.to_string())
        .send()
        .await
        .unwrap();
    events
        .put_targets()
        .rule(rule)
        .event_bus_name(bus)
        .targets(
            aws_sdk_eventbridge::types::Target::builder()
                .id("q")
                .arn(queue_arn)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
}

pub async fn create_bus(events: &aws_sdk_eventbridge::Client, name: &str) {
    events.create_event_bus().name(name).send().await.unwrap();
}

/// An EventBridge event as the relay receives it.
pub fn event(id: &str, event_id: &str) -> Value {
    json!({
        "version": "0", "id": id, "detail-type": "inbound-event-sent", "source": "eventProducerApp",
        "account": "123456789012", "time": "2026-11-24T08:00:00Z", "region": REGION, "resources": [],
        "detail": {"event-id": event_id, "order": 7}
    })
}

/// A Lambda destination record for a failed relay invocation (relay-lambda/README.md).
pub fn destination_record(event: Option<Value>) -> Value {
    let mut record = json!({
        "version": "1.0", "timestamp": "2026-11-24T08:00:05.000Z",
        "requestContext": {"requestId": "8f5ad2b1-0000-4000-8000-000000000001",
                           "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:s-relay:$LATEST",
                           "condition": "RetriesExhausted", "approximateInvokeCount": 3},
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "responsePayload": {"errorMessage": "event ev-dest: 401: unauthorized", "errorType": "RelayError",
                            "requestId": "8f5ad2b1-0000-4000-8000-000000000001", "stackTrace": []}
    });
    if let Some(e) = event {
        record["requestPayload"] = e;
    }
    record
}

/// The message attributes EventBridge puts on a rule-level DLQ message.
pub fn rule_dlq_attributes() -> HashMap<String, MessageAttributeValue> {
    let s = |v: &str| {
        MessageAttributeValue::builder()
            .data_type("String")
            .string_value(v)
            .build()
            .unwrap()
    };
    HashMap::from([
        ("ERROR_CODE".to_string(), s("SDK_CLIENT_ERROR")),
        (
            "ERROR_MESSAGE".to_string(),
            s("Unable to invoke the Lambda function"),
        ),
        (
            "RULE_ARN".to_string(),
            s("arn:aws:events:us-east-1:123456789012:rule/s-bus/s-inbound"),
        ),
        (
            "TARGET_ARN".to_string(),
            s("arn:aws:lambda:us-east-1:123456789012:function:s-relay"),
        ),
        ("RETRY_ATTEMPTS".to_string(), s("185")),
    ])
}

/// Sends one message; returns its message id.
pub async fn send_message(
    sqs: &aws_sdk_sqs::Client,
    url: &str,
    body: &str,
    attributes: Option<HashMap<String, MessageAttributeValue>>,
) -> String {
    sqs.send_message()
        .queue_url(url)
        .message_body(body)
        .set_message_attributes(attributes)
        .send()
        .await
        .unwrap()
        .message_id
        .unwrap()
}

/// Sends many bodies, 10 a call; returns the message ids.
pub async fn send_many(sqs: &aws_sdk_sqs::Client, url: &str, bodies: &[String]) -> Vec<String> {
    let calls = bodies.chunks(10).map(|chunk| {
        let entries = chunk
            .iter()
            .enumerate()
            .map(|(i, b)| {
                SendMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .message_body(b)
                    .build()
                    .unwrap()
            })
            .collect::<Vec<_>>();
        sqs.send_message_batch()
            .queue_url(url)
            .set_entries(Some(entries))
            .send()
    });
    let results = futures::future::join_all(calls).await;
    results
        .into_iter()
        .flat_map(|r| r.unwrap().successful.into_iter().map(|s| s.message_id))
        .collect()
}

/// Every message now visible in the queue (received with a long visibility, so each is seen once).
pub async fn receive_all(sqs: &aws_sdk_sqs::Client, url: &str) -> Vec<aws_sdk_sqs::types::Message> {
    let mut all = Vec::new();
    let mut empties = 0;
    while empties < 2 {
        let out = sqs
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .visibility_timeout(600)
            .message_attribute_names("All")
            .send()
            .await
            .unwrap();
        let msgs = out.messages.unwrap_or_default();
        if msgs.is_empty() {
            empties += 1;
        } else {
            empties = 0;
            all.extend(msgs);
        }
    }
    all
}

/// Every message now visible in the queue, deleted once read (a later drain sees only newer ones).
pub async fn drain_all(sqs: &aws_sdk_sqs::Client, url: &str) -> Vec<aws_sdk_sqs::types::Message> {
    let all = receive_all(sqs, url).await;
    for m in &all {
        sqs.delete_message()
            .queue_url(url)
            .receipt_handle(m.receipt_handle().unwrap())
            .send()
            .await
            .unwrap();
    }
    all
}

/// (visible, in flight)
pub async fn depth(sqs: &aws_sdk_sqs::Client, url: &str) -> (u64, u64) {
    let attrs = sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap();
    let get = |k: QueueAttributeName| attrs.get(&k).map(|v| v.parse().unwrap()).unwrap_or(0);
    (
        get(QueueAttributeName::ApproximateNumberOfMessages),
        get(QueueAttributeName::ApproximateNumberOfMessagesNotVisible),
    )
}

/// evrelay as a plain child process (so a test can kill it), with the harness's isolation:
/// dummy credentials, this moto, empty AWS config files.
pub fn spawn_evrelay(moto: &Moto, home: &std::path::Path, args: &[&str]) -> Child {
    spawn_evrelay_with(moto, home, args, Stdio::null())
}

/// As `spawn_evrelay`, with stdout where the test wants it (e.g. piped, to read as it runs).
pub fn spawn_evrelay_with(
    moto: &Moto,
    home: &std::path::Path,
    args: &[&str],
    stdout: Stdio,
) -> Child {
    let mut cmd = StdCommand::new(assert_cmd::cargo::cargo_bin("evrelay"));
    isolate(&mut cmd, moto, home);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn evrelay")
}

/// The harness's isolation, wired to this moto with dummy credentials.
fn isolate(cmd: &mut StdCommand, moto: &Moto, home: &std::path::Path) {
    crate::harness::isolate(cmd, home);
    cmd.env("AWS_ENDPOINT_URL", &moto.endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", REGION);
}

/// evrelay on a pseudo-terminal (util-linux `script`), so it asks its questions; `answer` is
/// typed in. Returns the exit code and everything the terminal showed.
pub fn evrelay_on_a_terminal(moto: &Moto, args: &[&str], answer: &str) -> (Option<i32>, String) {
    let home = tempfile::tempdir().unwrap();
    let quote = |a: &str| format!("'{}'", a.replace('\'', "'\\''"));
    let line = std::iter::once(
        assert_cmd::cargo::cargo_bin("evrelay")
            .display()
            .to_string(),
    )
    .chain(args.iter().map(|a| a.to_string()))
    .map(|a| quote(&a))
    .collect::<Vec<_>>()
    .join(" ");
    let mut cmd = StdCommand::new("script");
    isolate(&mut cmd, moto, home.path());
    let mut child = cmd
        .args(["-q", "-e", "-c", &line, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("these tests need util-linux `script` to give evrelay a terminal");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(answer.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).to_string(),
    )
}

/// The message ids recorded in a drain file; a torn last line (a killed writer) is skipped.
pub fn drained_ids(path: &std::path::Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .map(|v| v["message_id"].as_str().unwrap().to_string())
        .collect()
}

/// Puts log lines into a group (created if needed) in one new stream; `(timestamp ms, message)`.
pub async fn put_logs(
    logs: &aws_sdk_cloudwatchlogs::Client,
    group: &str,
    stream: &str,
    lines: &[(i64, &str)],
) {
    let _ = logs.create_log_group().log_group_name(group).send().await;
    logs.create_log_stream()
        .log_group_name(group)
        .log_stream_name(stream)
        .send()
        .await
        .unwrap();
    let events = lines
        .iter()
        .map(|(ts, m)| {
            aws_sdk_cloudwatchlogs::types::InputLogEvent::builder()
                .timestamp(*ts)
                .message(*m)
                .build()
                .unwrap()
        })
        .collect::<Vec<_>>();
    logs.put_log_events()
        .log_group_name(group)
        .log_stream_name(stream)
        .set_log_events(Some(events))
        .send()
        .await
        .unwrap();
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}
