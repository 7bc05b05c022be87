//! Buffered delivery, operated: `status` shows the event source mapping and the buffer's
//! backlog, `dlq peek` shows each failed event's receive count and the relay's last reason, and
//! `dlq redrive` moves the events back to the buffer with SQS's move task (ids unchanged, the
//! DLQ empty after; tests/it/dlq_buffered.rs). The strict emulator keeps moto's own mapping off the buffer
//! (tests/emulator/strict/lambda_esm.py), so the test plays the relay: it receives from the
//! buffer and lets the redrive policy move what it did not delete.

use std::collections::BTreeSet;
use std::path::Path;

use crate::harness::{status_json, stdout_json, Moto};
use crate::ops_fixtures::*;
use crate::stack::net::{deploy_args, seed};

/// Deploys a buffered relay: at most 2 at a time, an event moved to the DLQ after one receive.
pub(crate) async fn deploy_buffered(moto: &Moto, stack: &str) {
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
    crate::harness::assert_ok(&out);
}

pub(crate) async fn queue_url(sqs: &aws_sdk_sqs::Client, name: &str) -> String {
    sqs.get_queue_url()
        .queue_name(name)
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap()
}

/// The IAM actions the emulator recorded (tests/emulator/strict/recording.py), one a line.
pub(crate) fn recorded(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Runs evrelay; the IAM actions it called go into `calls`.
pub(crate) fn run_recorded(
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

/// The relay fails every event once: one receive each (visibility 0, never deleted), then the
/// next receive finds them over maxReceiveCount and SQS moves them to the DLQ.
pub(crate) async fn fail_once(sqs: &aws_sdk_sqs::Client, buffer: &str, n: usize) {
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

    let status = status_json(&moto, "bstat", &[]);
    assert_eq!(status["delivery"], "buffered");
    assert_eq!(status["mapping"]["state"], "Enabled", "{status}");
    assert_eq!(status["mapping"]["maximum_concurrency"], 2, "{status}");
    // The template's default: one event per invocation (src/budget.rs, records_sure_to_be_tried).
    assert_eq!(status["mapping"]["batch_size"], 1, "{status}");
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
    let status = status_json(&moto, "bstat", &[]);
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
    crate::harness::assert_ok(&out);
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
