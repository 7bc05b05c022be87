//! `evrelay send`: events on the bus (checked by a rule delivering to a capture queue), input
//! errors that send nothing, refused entries, and `--return-response` against a simulated relay.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use predicates::prelude::*;
use serde_json::{json, Value};

use crate::harness::{stdout_json, Moto};
use crate::ops_fixtures::*;

/// The stack's bus with a rule copying every event to a capture queue; returns the queue URL.
async fn bus_with_capture(c: &Clients, stack: &str) -> String {
    let bus = format!("{stack}-bus");
    create_bus(&c.events, &bus).await;
    let (url, arn) = create_queue(&c.sqs, &format!("{stack}-capture")).await;
    rule_to_queue(
        &c.events,
        &bus,
        &format!("{stack}-capture"),
        json!({"account": ["123456789012"]}),
        &arn,
    )
    .await;
    url
}

async fn captured_events(c: &Clients, url: &str) -> Vec<Value> {
    receive_all(&c.sqs, url)
        .await
        .iter()
        .map(|m| serde_json::from_str(m.body().unwrap()).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_default_event_is_the_tutorials() {
    let moto = Moto::start();
    let c = clients(&moto).await;
    let capture = bus_with_capture(&c, "sd").await;
    let out = moto
        .evrelay()
        .args(["--stack", "sd", "send"])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    crate::snap::settings().bind(|| insta::assert_snapshot!("send_one_event", stdout));
    let events = captured_events(&c, &capture).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["source"], "eventProducerApp");
    assert_eq!(events[0]["detail-type"], "inbound-event-sent");
    let id = events[0]["detail"]["event-id"].as_str().unwrap();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    let row = |label: &str| {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(label).map(str::trim))
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(row("detail event id"), id, "{stdout}");
    // `event id` is the EventBridge id, as `dlq peek` and the relay's log show it.
    assert_eq!(
        row("event id"),
        events[0]["id"].as_str().unwrap(),
        "{stdout}"
    );
    assert_eq!(
        events[0]["detail"].as_object().unwrap().len(),
        1,
        "only the event-id"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn many_events_each_get_their_own_event_id() {
    let moto = Moto::start();
    let c = clients(&moto).await;
    let capture = bus_with_capture(&c, "sm").await;
    let out = moto
        .evrelay()
        .args([
            "--stack",
            "sm",
            "--output",
            "json",
            "send",
            "--count",
            "25",
            "--concurrency",
            "3",
        ])
        .assert()
        .success();
    let doc = stdout_json(out.get_output());
    assert_eq!(doc["summary"]["sent"], 25);
    assert_eq!(doc["summary"]["failed"], 0);
    assert!(doc["summary"]["events_per_second"].as_f64().unwrap() > 0.0);
    let reported: HashSet<&str> = doc["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["detail_event_id"].as_str().unwrap())
        .collect();
    assert_eq!(reported.len(), 25);
    // `event_id` is the EventBridge id, one per event, as `dlq` and the relay's log name it.
    let eventbridge_ids: HashSet<&str> = doc["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event_id"].as_str().unwrap())
        .collect();
    assert_eq!(eventbridge_ids.len(), 25);
    assert!(eventbridge_ids.is_disjoint(&reported));
    let delivered: HashSet<String> = captured_events(&c, &capture)
        .await
        .iter()
        .map(|e| e["detail"]["event-id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(delivered, reported.iter().map(|s| s.to_string()).collect());
}

#[tokio::test(flavor = "multi_thread")]
async fn details_from_stdin_a_file_and_the_flags() {
    let moto = Moto::start();
    let c = clients(&moto).await;
    let capture = bus_with_capture(&c, "si").await;
    moto.evrelay()
        .args([
            "--stack",
            "si",
            "send",
            "--detail",
            "-",
            "--source",
            "billing",
            "--detail-type",
            "invoice-paid",
        ])
        .write_stdin("{\"n\": 1}\n{\"n\": 2}\n\n{\"n\": 3}\n")
        .assert()
        .success()
        .stdout(predicate::str::contains("Sent 3 events to `si-bus`"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("detail.json");
    std::fs::write(&file, "{\n  \"n\": 4\n}\n").unwrap();
    moto.evrelay()
        .args([
            "--stack",
            "si",
            "send",
            "--detail",
            &format!("@{}", file.display()),
            "--count",
            "2",
        ])
        .assert()
        .success();
    let mut got: Vec<(String, String, i64)> = captured_events(&c, &capture)
        .await
        .iter()
        .map(|e| {
            (
                e["source"].as_str().unwrap().into(),
                e["detail-type"].as_str().unwrap().into(),
                e["detail"]["n"].as_i64().unwrap(),
            )
        })
        .collect();
    got.sort_by_key(|g| g.2);
    let billing = |n| ("billing".to_string(), "invoice-paid".to_string(), n);
    let default = |n| {
        (
            "eventProducerApp".to_string(),
            "inbound-event-sent".to_string(),
            n,
        )
    };
    assert_eq!(
        got,
        vec![billing(1), billing(2), billing(3), default(4), default(4)]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_a_usage_error_and_sends_nothing() {
    let moto = Moto::start();
    let c = clients(&moto).await;
    let capture = bus_with_capture(&c, "sb").await;
    let send = |args: &[&str]| {
        let mut cmd = moto.evrelay();
        cmd.args(["--stack", "sb", "send"]).args(args);
        cmd
    };
    let out = send(&["--detail", "-"])
        .write_stdin("{\"n\": 1}\n{\"n\": 2,}\n")
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    crate::snap::settings().bind(|| insta::assert_snapshot!("send_malformed_stdin", stderr));
    send(&["--detail", "{\"a\": "])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--detail is not valid JSON"));
    send(&["--detail", "[1, 2]"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("an array, not a JSON object"));
    send(&["--detail", "-"])
        .write_stdin("\n\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no JSON document"));
    send(&["--detail", "@/nonexistent/detail.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read"));

    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.json");
    std::fs::write(&big, json!({"blob": "a".repeat(256 * 1024)}).to_string()).unwrap();
    send(&["--detail", &format!("@{}", big.display())])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("less than 262144 (256 KB)"));
    // Exactly 262,144 bytes by AWS's formula (source + detail-type + detail) is refused too:
    // the entry must be less than 256 KB.
    let fixed = "eventProducerApp".len() + "inbound-event-sent".len() + "{\"blob\":\"\"}".len();
    let exact = dir.path().join("exact.json");
    std::fs::write(
        &exact,
        json!({"blob": "a".repeat(262_144 - fixed)}).to_string(),
    )
    .unwrap();
    send(&["--detail", &format!("@{}", exact.display())])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("an event entry of 262144 bytes"));
    assert!(
        captured_events(&c, &capture).await.is_empty(),
        "nothing may be sent"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_bus_or_stack_is_named() {
    let moto = Moto::start();
    moto.evrelay()
        .args(["--stack", "nosuch", "send"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("bus `nosuch-bus` not found")
                .and(predicate::str::contains("evrelay deploy")),
        );
    moto.evrelay()
        .args(["send", "--bus", "nope"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("bus `nope` not found").and(predicate::str::contains("--bus")),
        );
    // --return-response needs the responses queue.
    let c = clients(&moto).await;
    create_bus(&c.events, "nr-bus").await;
    moto.evrelay()
        .args(["--stack", "nr", "send", "--return-response"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("queue `nr-responses` not found"));
}

#[tokio::test(flavor = "multi_thread")]
async fn refused_entries_are_reported_and_exit_1() {
    let moto = Moto::start();
    let c = clients(&moto).await;
    bus_with_capture(&c, "sr").await;
    // EventBridge refuses an entry with an empty source (InvalidArgument), entry by entry.
    let out = moto
        .evrelay()
        .args([
            "--stack", "sr", "--output", "json", "send", "--source", "", "--count", "3",
        ])
        .assert()
        .code(1);
    let doc = stdout_json(out.get_output());
    assert_eq!(doc["summary"]["failed"], 3);
    assert_eq!(doc["events"][0]["error_code"], "InvalidArgument");
    let stderr = String::from_utf8_lossy(&out.get_output().stderr);
    assert!(
        stderr.contains("3 of 3 events not accepted by EventBridge (InvalidArgument)"),
        "{stderr}"
    );
}

/// Stands in for the relay: reads the inbound events from a tap queue and, for those that ask
/// for it, puts the `outbound-event-sent` response on the bus, as relay.py does.
fn simulate_relay(
    c: &Clients,
    stack: &str,
    tap: String,
    stop: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<usize> {
    let (sqs, events, bus) = (c.sqs.clone(), c.events.clone(), format!("{stack}-bus"));
    tokio::spawn(async move {
        let mut answered = 0;
        while !stop.load(Ordering::Relaxed) {
            let out = sqs
                .receive_message()
                .queue_url(&tap)
                .max_number_of_messages(10)
                .wait_time_seconds(1)
                .send()
                .await
                .unwrap();
            for m in out.messages.unwrap_or_default() {
                let event: Value = serde_json::from_str(m.body().unwrap()).unwrap();
                if event["detail"]["return-response-event"] == json!(true) {
                    let detail = json!({
                        "request-id": event["id"], "event-id": event["detail"]["event-id"], "status": 200,
                        "response": {"success": true, "echo": event["detail"]["event-id"]}, "latency-ms": 12
                    });
                    let entry = aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
                        .event_bus_name(&bus)
                        .source("evrelay.relay")
                        .detail_type("outbound-event-sent")
                        .detail(detail.to_string())
                        .build();
                    events.put_events().entries(entry).send().await.unwrap();
                    answered += 1;
                }
                sqs.delete_message()
                    .queue_url(&tap)
                    .receipt_handle(m.receipt_handle().unwrap())
                    .send()
                    .await
                    .unwrap();
            }
        }
        answered
    })
}

/// Runs evrelay on a blocking thread, so the simulated relay keeps running meanwhile.
async fn run_beside(mut cmd: assert_cmd::Command) -> std::process::Output {
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

/// The relay's side of the stack: bus, responses queue with the outbound rule, and a tap
/// queue receiving the inbound events. Returns (responses URL, tap URL).
async fn relay_plumbing(c: &Clients, stack: &str) -> (String, String) {
    let bus = format!("{stack}-bus");
    create_bus(&c.events, &bus).await;
    let (responses, responses_arn) = create_queue(&c.sqs, &format!("{stack}-responses")).await;
    rule_to_queue(
        &c.events,
        &bus,
        &format!("{stack}-outbound"),
        json!({"detail-type": ["outbound-event-sent"]}),
        &responses_arn,
    )
    .await;
    let (tap, tap_arn) = create_queue(&c.sqs, &format!("{stack}-tap")).await;
    rule_to_queue(
        &c.events,
        &bus,
        &format!("{stack}-tap"),
        json!({"detail-type": ["inbound-event-sent"]}),
        &tap_arn,
    )
    .await;
    (responses, tap)
}

#[tokio::test(flavor = "multi_thread")]
async fn return_response_matches_our_responses_and_leaves_others() {
    let moto = Moto::start();
    let c = clients(&moto).await;
    let (responses, tap) = relay_plumbing(&c, "rr").await;
    // Another sender's response, waiting in the queue: it must be left for its owner.
    let foreign = json!({"request-id": "someone-elses-event", "event-id": "x", "status": 200, "response": "theirs", "latency-ms": 1});
    c.events
        .put_events()
        .entries(
            aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
                .event_bus_name("rr-bus")
                .source("evrelay.relay")
                .detail_type("outbound-event-sent")
                .detail(foreign.to_string())
                .build(),
        )
        .send()
        .await
        .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let relay = simulate_relay(&c, "rr", tap, stop.clone());

    let mut cmd = moto.evrelay();
    cmd.args([
        "--stack",
        "rr",
        "--output",
        "json",
        "send",
        "--return-response",
        "--count",
        "30",
    ])
    .timeout(Duration::from_secs(120));
    let out = run_beside(cmd).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = stdout_json(&out);
    assert_eq!(doc["responses"]["received"], 30, "{doc}");
    assert_eq!(doc["responses"]["missing"], 0);
    assert!(doc["responses"]["round_trip_ms"]["p99"].as_u64().is_some());
    assert_eq!(doc["responses"]["relay_latency_ms"]["max"], 12);
    // The distributions behind the charts: every relay latency of 12 ms in the 10–20 ms
    // bucket, every round trip counted once, every accepted event in one second of the run.
    assert_eq!(
        doc["responses"]["relay_latency_histogram"],
        json!([{"from_ms": 10, "to_ms": 20, "events": 30}])
    );
    let counted = |v: &Value, field: &str| -> u64 {
        v.as_array()
            .unwrap()
            .iter()
            .map(|b| b[field].as_u64().unwrap_or(0))
            .sum()
    };
    assert_eq!(
        counted(&doc["responses"]["round_trip_histogram"], "events"),
        30
    );
    let each_second: u64 = doc["summary"]["accepted_each_second"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(each_second, 30, "{}", doc["summary"]);
    for e in doc["events"].as_array().unwrap() {
        assert_eq!(e["response"]["status"], 200);
        assert_eq!(
            e["response"]["response"]["echo"], e["detail_event_id"],
            "each response matched to its own event"
        );
    }
    stop.store(true, Ordering::Relaxed);
    assert_eq!(relay.await.unwrap(), 30);
    // Ours were deleted; the foreign one is still there, visible.
    let left: Vec<Value> = captured_events(&c, &responses).await;
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0]["detail"]["request-id"], "someone-elses-event");
}

#[tokio::test(flavor = "multi_thread")]
async fn return_response_human_output_for_one_event() {
    let moto = Moto::start();
    let c = clients(&moto).await;
    let (_, tap) = relay_plumbing(&c, "r1").await;
    let stop = Arc::new(AtomicBool::new(false));
    let relay = simulate_relay(&c, "r1", tap, stop.clone());
    let mut cmd = moto.evrelay();
    cmd.args(["--stack", "r1", "send", "--return-response"]);
    let out = run_beside(cmd).await;
    stop.store(true, Ordering::Relaxed);
    relay.await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    crate::snap::settings().bind(|| insta::assert_snapshot!("send_return_response_one", stdout));
}

/// Stands in for a relay whose endpoint refuses every event: for each inbound event it logs
/// what relay.py logs on a 401 (its JSON line with `request-id`, then the RelayError naming the
/// event's id) and never answers.
fn simulate_failing_relay(
    c: &Clients,
    tap: String,
    group: &'static str,
    stop: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<usize> {
    let (sqs, logs) = (c.sqs.clone(), c.logs.clone());
    tokio::spawn(async move {
        let mut failed = 0;
        while !stop.load(Ordering::Relaxed) {
            let out = sqs
                .receive_message()
                .queue_url(&tap)
                .max_number_of_messages(10)
                .wait_time_seconds(1)
                .send()
                .await
                .unwrap();
            for m in out.messages.unwrap_or_default() {
                let event: Value = serde_json::from_str(m.body().unwrap()).unwrap();
                let id = event["id"].as_str().unwrap();
                let log = json!({"event-id": event["detail"]["event-id"], "request-id": id,
                                 "status": 401, "outcome": "failed", "reason": "unauthorized"});
                let now = now_ms();
                put_logs(
                    &logs,
                    group,
                    &format!("2026/11/24/[$LATEST]{failed}"),
                    &[
                        (now, "START RequestId: 1 Version: $LATEST"),
                        (now + 1, &log.to_string()),
                        (
                            now + 2,
                            &format!("[ERROR] RelayError: event {id}: 401: unauthorized"),
                        ),
                    ],
                )
                .await;
                sqs.delete_message()
                    .queue_url(&tap)
                    .receipt_handle(m.receipt_handle().unwrap())
                    .send()
                    .await
                    .unwrap();
                failed += 1;
            }
        }
        failed
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_timeout_names_the_events_log_lines_and_when_the_dlq_record_is_due() {
    let moto = Moto::start();
    let c = clients(&moto).await;
    let (_, tap) = relay_plumbing(&c, "rt").await;
    let (dlq, _) = create_queue(&c.sqs, "rt-dlq").await;
    send_many(&c.sqs, &dlq, &["{}".to_string(), "{}".to_string()]).await;
    let group = "/aws/lambda/rt-relay";
    // Another event's failure (stamped later than both sends start): not one of ours.
    put_logs(
        &c.logs,
        group,
        "2026/11/24/[$LATEST]other",
        &[(
            now_ms() + 120_000,
            "[ERROR] RelayError: event someone-else: 500: boom",
        )],
    )
    .await;
    let stop = Arc::new(AtomicBool::new(false));
    let relay = simulate_failing_relay(&c, tap, group, stop.clone());

    let started = std::time::Instant::now();
    let mut cmd = moto.evrelay();
    cmd.args([
        "--stack",
        "rt",
        "send",
        "--return-response",
        "--timeout",
        "3s",
    ]);
    let out = run_beside(cmd).await;
    stop.store(true, Ordering::Relaxed);
    assert_eq!(relay.await.unwrap(), 1);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "the timeout is honoured"
    );
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    crate::snap::settings()
        .bind(|| insta::assert_snapshot!("send_return_response_timeout", stdout));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no response for 1 of 1 event within 3 s"),
        "{stderr}"
    );
    assert!(
        stderr.contains("evrelay dlq peek")
            && stderr.contains("evrelay logs")
            && stderr.contains("--timeout 9m"), // the template's default FunctionTimeout (90 s) × 3 attempts + waits
        "{stderr}"
    );

    // The same as JSON: the lines are tied to the event by its EventBridge id.
    let mut cmd = moto.evrelay();
    cmd.args([
        "--stack",
        "rt",
        "--output",
        "json",
        "send",
        "--return-response",
        "--timeout",
        "1s",
    ]);
    let out = run_beside(cmd).await;
    let doc = stdout_json(&out);
    let id = doc["events"][0]["event_id"].as_str().unwrap();
    let d = &doc["diagnosis"];
    // No relay runs now: nothing names this event; the other event's failure is still shown.
    assert_eq!(d["event_lines"].as_array().unwrap().len(), 0, "{d}");
    assert!(
        d["recent_errors"].to_string().contains("someone-else"),
        "{d}"
    );
    assert!(!d.to_string().contains(id), "{d}");
    assert_eq!(d["schedule"]["attempts"], 3);
    assert_eq!(
        d["schedule"]["function_timeout_s"], 90,
        "the template's default"
    );
}
