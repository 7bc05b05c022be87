//! Buffered delivery, operated: `status` shows the event source mapping and the buffer's
//! backlog, `dlq peek` shows each failed event's receive count and the relay's last reason, and
//! `dlq redrive` moves the events back to the buffer with SQS's move task (ids unchanged, the
//! DLQ empty after). The strict emulator keeps moto's own mapping off the buffer
//! (tests/emulator/strict/lambda_esm.py), so the test plays the relay: it receives from the
//! buffer and lets the redrive policy move what it did not delete.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::harness::{stdout_json, Moto};
use crate::ops_fixtures::*;
use crate::stack::net::{deploy_args, seed};

/// Deploys a buffered relay: at most 2 at a time, an event moved to the DLQ after one receive.
async fn deploy_buffered(moto: &Moto, stack: &str) {
    let net = seed(moto).await;
    let out = moto
        .evrelay()
        .args(deploy_args(&net, stack))
        .args([
            "--delivery",
            "buffered",
            "--max-concurrency",
            "2",
            "--max-receive-count",
            "1",
            "--yes",
            "--generate-secret",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn queue_url(sqs: &aws_sdk_sqs::Client, name: &str) -> String {
    sqs.get_queue_url()
        .queue_name(name)
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap()
}

/// The IAM actions the emulator recorded (tests/emulator/strict/recording.py), one a line.
fn recorded(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Runs evrelay; the IAM actions it called go into `calls`.
fn run_recorded(
    moto: &Moto,
    record: &Path,
    calls: &mut BTreeSet<String>,
    args: &[&str],
) -> std::process::Output {
    let before = recorded(record).len();
    let out = moto.evrelay().args(args).output().unwrap();
    calls.extend(recorded(record).into_iter().skip(before));
    out
}

fn status_json(moto: &Moto, stack: &str) -> Value {
    let out = moto
        .evrelay()
        .args(["--stack", stack, "--output", "json", "status"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout_json(&out)
}

/// The relay fails every event once: one receive each (visibility 0, never deleted), then the
/// next receive finds them over maxReceiveCount and SQS moves them to the DLQ.
async fn fail_once(sqs: &aws_sdk_sqs::Client, buffer: &str, n: usize) {
    for _ in 0..n {
        sqs.receive_message()
            .queue_url(buffer)
            .max_number_of_messages(10)
            .visibility_timeout(0)
            .send()
            .await
            .unwrap();
    }
    sqs.receive_message()
        .queue_url(buffer)
        .max_number_of_messages(10)
        .visibility_timeout(0)
        .send()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn status_of_a_buffered_stack_shows_the_mapping_and_the_backlog() {
    let moto = Moto::start();
    let c = clients(&moto).await;
    deploy_buffered(&moto, "bstat").await;
    let buffer = queue_url(&c.sqs, "bstat-buffer").await;
    let bodies: Vec<String> = (0..3)
        .map(|i| event(&format!("ev-{i}"), &format!("e-{i}")).to_string())
        .collect();
    send_many(&c.sqs, &buffer, &bodies).await;

    let status = status_json(&moto, "bstat");
    assert_eq!(status["delivery"], "buffered");
    assert_eq!(status["mapping"]["state"], "Enabled", "{status}");
    assert_eq!(status["mapping"]["maximum_concurrency"], 2, "{status}");
    assert_eq!(status["mapping"]["batch_size"], 10, "{status}");
    assert!(status["mapping"]["uuid"]
        .as_str()
        .is_some_and(|u| !u.is_empty()));
    assert_eq!(status["backlog"]["queue"], "bstat-buffer");
    assert_eq!(status["backlog"]["visible"], 3, "{status}");
    assert_eq!(status["backlog"]["in_flight"], 0, "{status}");
    // No relay log lines yet: the estimate says it has no rate rather than inventing one.
    assert_eq!(status["drain"]["basis"], "unknown", "{status}");
    assert!(status["drain"]["seconds"].is_null(), "{status}");

    // The relay logged deliveries of 500 ms each: 2 at a time drain 3 events in 1 s or so.
    let relay_log = "/aws/lambda/bstat-relay";
    let line = r#"{"message-id": "m", "request-id": "ev-x", "status": 200, "latency-ms": 500, "outcome": "delivered", "reason": null}"#;
    put_logs(
        &c.logs,
        relay_log,
        "2026/12/04/[$LATEST]a",
        &[(now_ms(), line)],
    )
    .await;
    let status = status_json(&moto, "bstat");
    assert_eq!(status["drain"]["basis"], "capacity", "{status}");
    assert_eq!(status["drain"]["rate_per_second"], 4.0, "{status}");
    assert_eq!(status["drain"]["seconds"], 1, "{status}");

    let out = moto
        .evrelay()
        .args(["--stack", "bstat", "status"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let mapping = status["mapping"]["uuid"].as_str().unwrap();
    // Its own table (the resources table names the mapping too, by the same uuid).
    let row = text
        .lines()
        .find(|l| l.contains(mapping) && !l.contains("AWS::"))
        .unwrap_or_else(|| panic!("no mapping row:\n{text}"));
    assert!(row.contains("Enabled") && row.contains(" 2 "), "{row}");
    assert!(
        text.lines()
            .any(|l| l.contains("bstat-buffer") && l.contains(" 3 ")),
        "{text}"
    );
    assert!(
        text.contains("time to drain: about 1 s (capacity"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn failed_events_are_peeked_with_their_receives_and_moved_back_to_the_buffer() {
    let dir = tempfile::tempdir().unwrap();
    let record_path = dir.path().join("actions.txt");
    let moto = Moto::start_recording(&record_path);
    let mut calls = BTreeSet::new();
    let c = clients(&moto).await;
    deploy_buffered(&moto, "bdlq").await;
    let (buffer, dlq) = (
        queue_url(&c.sqs, "bdlq-buffer").await,
        queue_url(&c.sqs, "bdlq-dlq").await,
    );
    let bodies: Vec<String> = (0..3)
        .map(|i| event(&format!("ev-{i}"), &format!("e-{i}")).to_string())
        .collect();
    send_many(&c.sqs, &buffer, &bodies).await;
    fail_once(&c.sqs, &buffer, 3).await;
    assert_eq!(
        depth(&c.sqs, &dlq).await,
        (3, 0),
        "the redrive policy moved all three"
    );
    assert_eq!(depth(&c.sqs, &buffer).await, (0, 0));
    // The relay said why, for one of them.
    let failed = r#"{"message-id": "m-1", "request-id": "ev-1", "event-id": "e-1", "status": 503, "latency-ms": 40, "outcome": "failed", "reason": "Service Unavailable upstream busy"}"#;
    put_logs(
        &c.logs,
        "/aws/lambda/bdlq-relay",
        "2026/12/04/[$LATEST]b",
        &[(now_ms(), failed)],
    )
    .await;

    // The operator looks: each event, how often it was received, and the relay's reason.
    let out = run_recorded(
        &moto,
        &record_path,
        &mut calls,
        &["--stack", "bdlq", "--output", "json", "dlq", "peek"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = stdout_json(&out);
    assert_eq!(doc["delivery"], "buffered");
    let records = doc["records"].as_array().unwrap();
    assert_eq!(records.len(), 3, "{doc}");
    for r in records {
        assert_eq!(r["shape"], "buffer", "{r}");
        assert_eq!(r["detail_type"], "inbound-event-sent", "{r}");
        // One receive in the buffer, and this read.
        assert!(r["receive_count"].as_u64().unwrap() >= 2, "{r}");
    }
    let one = records.iter().find(|r| r["event_id"] == "ev-1").unwrap();
    assert_eq!(
        one["relay_reason"], "Service Unavailable upstream busy",
        "{one}"
    );
    assert!(records
        .iter()
        .all(|r| r["event_id"] == "ev-1" || r["relay_reason"].is_null()));
    assert_eq!(
        depth(&c.sqs, &dlq).await,
        (3, 0),
        "peek leaves every event in the DLQ"
    );
    let out = run_recorded(
        &moto,
        &record_path,
        &mut calls,
        &["--stack", "bdlq", "dlq", "peek"],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.lines().next().unwrap().contains("RECEIVES"), "{text}");
    assert!(text.contains("Service Unavailable upstream busy"), "{text}");

    // A dry run moves nothing.
    let out = run_recorded(
        &moto,
        &record_path,
        &mut calls,
        &["--stack", "bdlq", "dlq", "redrive", "--dry-run"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("nothing was moved"));
    assert_eq!(depth(&c.sqs, &dlq).await, (3, 0));

    // Redrive: SQS moves them back to the buffer; the relay sees the same events again.
    let out = run_recorded(
        &moto,
        &record_path,
        &mut calls,
        &[
            "--stack", "bdlq", "--yes", "--output", "json", "dlq", "redrive",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = stdout_json(&out);
    assert_eq!(report["status"], "COMPLETED", "{report}");
    assert_eq!(report["moved"], 3, "{report}");
    assert_eq!(report["left"], 0, "{report}");
    assert_eq!(report["destination"], "bdlq-buffer");
    assert_eq!(depth(&c.sqs, &dlq).await, (0, 0), "the DLQ is empty after");
    let back = receive_all(&c.sqs, &buffer).await;
    let mut ids: Vec<String> = back
        .iter()
        .map(|m| {
            let v: Value = serde_json::from_str(m.body().unwrap()).unwrap();
            v["id"].as_str().unwrap().to_string()
        })
        .collect();
    ids.sort();
    assert_eq!(ids, ["ev-0", "ev-1", "ev-2"], "each event keeps its id");

    // Nothing left: a second redrive says so and moves nothing.
    let out = run_recorded(
        &moto,
        &record_path,
        &mut calls,
        &["--stack", "bdlq", "--yes", "dlq", "redrive"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("is empty: nothing to move"));

    // A destination record left from direct delivery is not an event: a move would hand it to
    // the relay as one, so redrive refuses and names `--bus`, which unwraps it.
    let record = destination_record(Some(event("ev-9", "e-9")));
    send_message(&c.sqs, &dlq, &record.to_string(), None).await;
    let out = run_recorded(
        &moto,
        &record_path,
        &mut calls,
        &["--stack", "bdlq", "--yes", "dlq", "redrive"],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("1 message in `bdlq-dlq` is not an event"),
        "{stderr}"
    );
    assert!(stderr.contains("--bus bdlq-bus"), "{stderr}");
    assert_eq!(
        depth(&c.sqs, &dlq).await,
        (1, 0),
        "nothing moved, the record visible again"
    );
    let out = run_recorded(
        &moto,
        &record_path,
        &mut calls,
        &[
            "--stack", "bdlq", "--yes", "dlq", "redrive", "--bus", "bdlq-bus",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        depth(&c.sqs, &dlq).await,
        (0, 0),
        "re-sent through the bus, then deleted"
    );

    // Every call those commands (and status) made is in the operate policy.
    let out = run_recorded(
        &moto,
        &record_path,
        &mut calls,
        &["--stack", "bdlq", "status"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(calls.contains("sqs:StartMessageMoveTask"), "{calls:?}");
    assert!(
        calls.contains("lambda:ListEventSourceMappings"),
        "{calls:?}"
    );
    let out = moto
        .evrelay()
        .args(["--stack", "bdlq", "--output", "json", "policy", "operate"])
        .output()
        .unwrap();
    let policy = stdout_json(&out);
    let allowed: BTreeSet<String> = policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["Action"].as_array().unwrap().iter())
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    let missing: Vec<&String> = calls.difference(&allowed).collect();
    assert!(
        missing.is_empty(),
        "not in `evrelay policy operate`: {missing:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn status_watch_measures_the_drain_rate_while_the_relay_works() {
    let moto = Moto::start();
    let c = clients(&moto).await;
    deploy_buffered(&moto, "bwatch").await;
    let buffer = queue_url(&c.sqs, "bwatch-buffer").await;
    let bodies: Vec<String> = (0..100)
        .map(|i| event(&format!("ev-{i}"), &format!("e-{i}")).to_string())
        .collect();
    send_many(&c.sqs, &buffer, &bodies).await;

    // The test plays the relay: it takes and delivers (deletes) events until told to stop.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let relay = {
        let (sqs, buffer, stop) = (c.sqs.clone(), buffer.clone(), stop.clone());
        tokio::spawn(async move {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let got = sqs
                    .receive_message()
                    .queue_url(&buffer)
                    .max_number_of_messages(2)
                    .send()
                    .await
                    .unwrap();
                for m in got.messages.unwrap_or_default() {
                    sqs.delete_message()
                        .queue_url(&buffer)
                        .receipt_handle(m.receipt_handle.unwrap())
                        .send()
                        .await
                        .unwrap();
                }
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
        })
    };
    let out = moto
        .evrelay()
        .args(["--stack", "bwatch", "--output", "json", "status", "--watch"])
        .output()
        .unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    relay.await.unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let status = stdout_json(&out);
    assert_eq!(status["drain"]["basis"], "observed", "{status}");
    assert!(
        status["drain"]["rate_per_second"].as_f64().unwrap() > 0.0,
        "{status}"
    );
    assert!(status["drain"]["seconds"].as_u64().is_some(), "{status}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("measuring the buffer's drain rate"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
