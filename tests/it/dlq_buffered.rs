//! `dlq` in buffered delivery: the DLQ holds the events themselves (moved there by the buffer's
//! redrive policy). Peek shows their receives and the relay's reason; redrive moves them back
//! to the buffer with SQS's move task, and refuses while the queue holds what is not an event.
//! The fixtures are tests/it/buffered_status.rs's.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::buffered_status::{deploy_buffered, fail_once, queue_url, run_recorded};
use crate::harness::{stdout_json, Moto};
use crate::ops_fixtures::*;

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
    crate::harness::assert_ok(&out);
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
    crate::harness::assert_ok(&out);
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
    crate::harness::assert_ok(&out);
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
