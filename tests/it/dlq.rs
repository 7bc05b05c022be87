//! `evrelay dlq`: both record shapes in the failure queue, read without consuming, drained to a
//! file without loss (even when killed), re-sent to the bus, purged.

use std::collections::HashSet;
use std::time::Duration;

use predicates::prelude::*;
use serde_json::{json, Value};

use crate::harness::{stdout_json, Moto};
use crate::ops_fixtures::*;

/// A destination record, a rule-level DLQ message and an unknown body; returns their message ids.
async fn seed_three(c: &Clients, url: &str) -> Vec<String> {
    let dest = destination_record(Some(event("ev-dest", "e-100")));
    // Apart in time, so the table (sorted by arrival) has one order.
    let pause = || tokio::time::sleep(Duration::from_millis(5));
    let a = send_message(&c.sqs, url, &dest.to_string(), None).await;
    pause().await;
    let b = send_message(
        &c.sqs,
        url,
        &event("ev-rule", "e-200").to_string(),
        Some(rule_dlq_attributes()),
    )
    .await;
    pause().await;
    let unknown = send_message(&c.sqs, url, "this is not an event", None).await;
    vec![a, b, unknown]
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn peek_shows_both_shapes_and_leaves_them_in_the_queue() {
    let moto = Moto::start();
    let c = clients(&moto).await;
    let (url, _) = create_queue(&c.sqs, "pk-dlq").await;
    seed_three(&c, &url).await;

    let out = moto
        .evrelay()
        .args(["--stack", "pk", "dlq", "peek"])
        .assert()
        .success();
    let stdout = text(&out.get_output().stdout);
    crate::snap::settings().bind(|| insta::assert_snapshot!("dlq_peek_table", stdout));
    assert_eq!(
        depth(&c.sqs, &url).await,
        (3, 0),
        "peek must make every message visible again"
    );

    let out = moto
        .evrelay()
        .args([
            "--stack", "pk", "--output", "json", "dlq", "peek", "--max", "2",
        ])
        .assert()
        .success();
    let doc = stdout_json(out.get_output());
    assert_eq!(
        doc["records"].as_array().unwrap().len(),
        2,
        "--max limits the records shown"
    );
    let out = moto
        .evrelay()
        .args(["--stack", "pk", "--output", "json", "dlq", "peek"])
        .assert()
        .success();
    let doc = stdout_json(out.get_output());
    let shapes: HashSet<&str> = doc["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["shape"].as_str().unwrap())
        .collect();
    assert_eq!(
        shapes,
        HashSet::from(["lambda-destination", "rule-dlq", "unknown"])
    );
    let dest = doc["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["shape"] == "lambda-destination")
        .unwrap();
    assert_eq!(dest["event"]["detail"]["event-id"], "e-100");
    assert_eq!(dest["attempts"], 3);
    assert_eq!(depth(&c.sqs, &url).await, (3, 0));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_queue_and_a_missing_queue() {
    let moto = Moto::start();
    let c = clients(&moto).await;
    create_queue(&c.sqs, "em-dlq").await;
    moto.evrelay()
        .args(["--stack", "em", "dlq", "peek"])
        .assert()
        .success()
        .stdout(predicate::str::contains("`em-dlq` is empty"));
    // Nothing to ask about an empty queue: no prompt (stdin is no terminal, no --yes), exit 0.
    for (action, says) in [
        (&["purge"][..], "`em-dlq` is empty: nothing to purge."),
        (
            &["redrive", "--bus", "default"][..],
            "`em-dlq` is empty: nothing to re-send.",
        ),
    ] {
        moto.evrelay()
            .args(["--stack", "em", "dlq"])
            .args(action)
            .assert()
            .success()
            .stdout(predicate::str::contains(says));
    }
    moto.evrelay()
        .args(["--stack", "nosuch", "dlq", "peek"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("queue `nosuch-dlq` not found")
                .and(predicate::str::contains("evrelay deploy")),
        );
}

#[tokio::test(flavor = "multi_thread")]
async fn drain_writes_every_message_then_empties_the_queue() {
    let moto = Moto::start();
    let c = clients(&moto).await;
    let (url, _) = create_queue(&c.sqs, "dr-dlq").await;
    let seeded = seed_three(&c, &url).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dlq.jsonl");

    moto.evrelay()
        .args([
            "--stack",
            "dr",
            "dlq",
            "drain",
            "--out",
            file.to_str().unwrap(),
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("Drained 3 messages from `dr-dlq`"));
    let ids: HashSet<String> = drained_ids(&file).into_iter().collect();
    assert_eq!(ids, seeded.into_iter().collect());
    assert_eq!(depth(&c.sqs, &url).await, (0, 0));
    let lines: Vec<Value> = std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let rule = lines
        .iter()
        .find(|l| l["message_attributes"]["ERROR_CODE"] == "SDK_CLIENT_ERROR")
        .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(rule["body"].as_str().unwrap()).unwrap()["id"],
        "ev-rule"
    );
    assert!(rule["attributes"]["SentTimestamp"].is_string());

    // A second drain appends (here: nothing) and reports it as JSON.
    let out = moto
        .evrelay()
        .args([
            "--stack",
            "dr",
            "--output",
            "json",
            "dlq",
            "drain",
            "--out",
            file.to_str().unwrap(),
        ])
        .assert()
        .success();
    assert_eq!(stdout_json(out.get_output())["drained"], 0);
    assert_eq!(drained_ids(&file).len(), 3);
}

/// A message whose line is already in the file (a drain stopped between its fsync and its
/// delete) is deleted without being written again.
#[tokio::test(flavor = "multi_thread")]
async fn drain_deletes_what_the_file_already_holds_without_writing_it_again() {
    let moto = Moto::start();
    let c = clients(&moto).await;
    let (url, _) = create_queue(&c.sqs, "ds-dlq").await;
    let saved = send_message(&c.sqs, &url, &event("ev-1", "e-1").to_string(), None).await;
    let fresh = send_message(&c.sqs, &url, &event("ev-2", "e-2").to_string(), None).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dlq.jsonl");
    let line = json!({"message_id": saved, "queue": "ds-dlq", "attributes": {}, "message_attributes": {}, "body": "{}"});
    std::fs::write(&file, format!("{line}\n")).unwrap();

    let out = moto
        .evrelay()
        .args([
            "--stack",
            "ds",
            "dlq",
            "drain",
            "--out",
            file.to_str().unwrap(),
        ])
        .assert()
        .success();
    let stdout = text(&out.get_output().stdout);
    assert!(stdout.contains("Drained 1 message from"), "{stdout}");
    assert!(
        stdout.contains("1 message was already in the file"),
        "{stdout}"
    );
    assert_eq!(drained_ids(&file), vec![saved, fresh]);
    assert_eq!(depth(&c.sqs, &url).await, (0, 0));
}

/// Killed at moments spread evenly from start-up to the end of a whole drain (measured first),
/// so the kills land in every phase — start-up, receives, writes, deletes — drain never loses a
/// message and never writes one twice. What every run guarantees is asserted, whatever phase it
/// was killed in: after each kill no message is in the file twice, and after final drains the
/// file holds each seeded message exactly once (a message deleted unwritten would be missing).
#[tokio::test(flavor = "multi_thread")]
async fn drain_killed_at_any_moment_loses_nothing_and_writes_nothing_twice() {
    const RUNS: usize = 12;
    const MESSAGES: usize = 200;
    let moto = Moto::start();
    let c = clients(&moto).await;
    let dir = tempfile::tempdir().unwrap();
    let mut runs = Vec::new();
    for run in 0..RUNS {
        let stack = format!("kill{run}");
        let (url, _) = create_queue(&c.sqs, &format!("{stack}-dlq")).await;
        let bodies: Vec<String> = (0..MESSAGES)
            .map(|i| event(&format!("ev-{run}-{i}"), &format!("e-{i}")).to_string())
            .collect();
        let ids = send_many(&c.sqs, &url, &bodies).await;
        assert_eq!(ids.len(), MESSAGES);
        runs.push((stack, url, ids));
    }
    // How long an uninterrupted drain of the same size takes here.
    let (calibration, _) = create_queue(&c.sqs, "calib-dlq").await;
    let bodies: Vec<String> = (0..MESSAGES)
        .map(|i| event(&format!("ev-c-{i}"), "e").to_string())
        .collect();
    send_many(&c.sqs, &calibration, &bodies).await;
    let started = std::time::Instant::now();
    let file = dir.path().join("calib.jsonl");
    moto.evrelay()
        .args([
            "--stack",
            "calib",
            "dlq",
            "drain",
            "--out",
            file.to_str().unwrap(),
        ])
        .assert()
        .success();
    let full_drain = started.elapsed().as_millis().max(300) as u64;

    let drain_args = |stack: &str, file: &std::path::Path| -> Vec<String> {
        [
            "--stack",
            stack,
            "dlq",
            "drain",
            "--out",
            file.to_str().unwrap(),
            "--visibility-timeout",
            "2s",
        ]
        .map(String::from)
        .to_vec()
    };
    for (n, (stack, url, ids)) in runs.iter().enumerate() {
        let file = dir.path().join(format!("{stack}.jsonl"));
        let home = tempfile::tempdir().unwrap();
        let args = drain_args(stack, &file);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut child = spawn_evrelay(&moto, home.path(), &args);
        let at = full_drain * n as u64 / (RUNS as u64 - 1);
        std::thread::sleep(Duration::from_millis(at));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let lines = drained_ids(&file);
        let in_file: HashSet<String> = lines.iter().cloned().collect();
        assert_eq!(
            in_file.len(),
            lines.len(),
            "{stack}: a message written twice"
        );
        assert!(
            in_file.iter().all(|id| ids.contains(id)),
            "{stack}: the file holds only this queue's messages"
        );
        // No count check here: moto computes a queue's visible and in-flight counts at two
        // instants, so a message changing state in between is counted twice or not at all.
        // A lost message cannot come back, so the final drains below show any loss.
        let (visible, in_flight) = depth(&c.sqs, url).await;
        eprintln!(
            "{stack}: killed after {at} ms with {} in the file, {visible} visible, {in_flight} in flight",
            in_file.len()
        );
    }

    for (stack, url, ids) in &runs {
        let file = dir.path().join(format!("{stack}.jsonl"));
        // Messages a killed drain held come back after their 2 s visibility timeout (and a
        // receive the killed process had in flight may still be answered by moto after the
        // kill, hiding a batch for another 2 s): drain again until the queue is empty, as an
        // operator would.
        let args = drain_args(stack, &file);
        let seeded: HashSet<String> = ids.iter().cloned().collect();
        for _ in 0..8 {
            moto.evrelay().args(&args).assert().success();
            let in_file: HashSet<String> = drained_ids(&file).into_iter().collect();
            if in_file == seeded && depth(&c.sqs, url).await == (0, 0) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(2500)).await;
        }
        let lines = drained_ids(&file);
        let mut sorted = lines.clone();
        sorted.sort();
        let mut seeded = ids.clone();
        seeded.sort();
        assert_eq!(
            sorted, seeded,
            "{stack}: the file must hold each seeded message exactly once"
        );
        assert_eq!(depth(&c.sqs, url).await, (0, 0), "{stack}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn redrive_puts_the_originals_back_and_keeps_what_failed() {
    let moto = Moto::start();
    let c = clients(&moto).await;
    let (url, _) = create_queue(&c.sqs, "rd-dlq").await;
    create_bus(&c.events, "rd-bus").await;
    let (capture, capture_arn) = create_queue(&c.sqs, "rd-capture").await;
    rule_to_queue(
        &c.events,
        "rd-bus",
        "rd-capture-all",
        json!({"account": ["123456789012"]}),
        &capture_arn,
    )
    .await;

    let dest = send_message(
        &c.sqs,
        &url,
        &destination_record(Some(event("ev-dest", "e-100"))).to_string(),
        None,
    )
    .await;
    let rule = send_message(
        &c.sqs,
        &url,
        &event("ev-rule", "e-200").to_string(),
        Some(rule_dlq_attributes()),
    )
    .await;
    let no_payload = send_message(&c.sqs, &url, &destination_record(None).to_string(), None).await;
    // EventBridge refuses this entry (an empty source): its message must stay.
    let mut bad = event("ev-bad", "e-300");
    bad["source"] = json!("");
    let refused = send_message(&c.sqs, &url, &bad.to_string(), Some(rule_dlq_attributes())).await;

    // A dry run sends nothing and deletes nothing.
    let out = moto
        .evrelay()
        .args(["--stack", "rd", "dlq", "redrive", "--dry-run"])
        .assert()
        .success();
    assert!(
        text(&out.get_output().stdout).contains("Dry run: 3 events would be put back on `rd-bus`")
    );
    assert_eq!(depth(&c.sqs, &url).await, (4, 0));
    assert_eq!(depth(&c.sqs, &capture).await, (0, 0));

    // Answered "no": nothing is sent or deleted, exit 1.
    let (code, screen) = evrelay_on_a_terminal(&moto, &["--stack", "rd", "dlq", "redrive"], "no\n");
    assert_eq!(code, Some(1), "{screen}");
    assert!(screen.contains("error: cancelled"), "{screen}");
    assert_eq!(depth(&c.sqs, &url).await, (4, 0));
    assert_eq!(depth(&c.sqs, &capture).await, (0, 0));

    // Without --yes and without a terminal, it refuses to ask.
    moto.evrelay()
        .args(["--stack", "rd", "dlq", "redrive"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--yes"));

    let out = moto
        .evrelay()
        .args([
            "--stack", "rd", "--output", "json", "--yes", "dlq", "redrive",
        ])
        .assert()
        .code(1);
    let stderr = text(&out.get_output().stderr);
    assert!(
        stderr.contains("1 of 3 events could not be re-sent"),
        "{stderr}"
    );
    let doc = stdout_json(out.get_output());
    let ids = |key: &str| -> HashSet<String> {
        doc[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["message_id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids("resent"), HashSet::from([dest, rule]));
    let keys: HashSet<&str> = doc["resent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["idempotency_key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, HashSet::from(["ev-dest", "ev-rule"]));
    assert_eq!(ids("failed"), HashSet::from([refused.clone()]));
    assert_eq!(ids("skipped"), HashSet::from([no_payload.clone()]));

    // The originals are on the bus, as they were, each carrying the id it was first delivered
    // under as its idempotency key: the endpoint sees the same `Idempotency-Key` again.
    let captured = receive_all(&c.sqs, &capture).await;
    let mut got: Vec<(String, String, Value)> = captured
        .iter()
        .map(|m| {
            let e: Value = serde_json::from_str(m.body().unwrap()).unwrap();
            (
                e["source"].as_str().unwrap().into(),
                e["detail-type"].as_str().unwrap().into(),
                e["detail"].clone(),
            )
        })
        .collect();
    got.sort_by(|a, b| a.2["event-id"].as_str().cmp(&b.2["event-id"].as_str()));
    assert_eq!(
        got,
        vec![
            (
                "eventProducerApp".into(),
                "inbound-event-sent".into(),
                json!({"event-id": "e-100", "order": 7, "idempotency-key": "ev-dest"})
            ),
            (
                "eventProducerApp".into(),
                "inbound-event-sent".into(),
                json!({"event-id": "e-200", "order": 7, "idempotency-key": "ev-rule"})
            ),
        ]
    );
    // What was not re-sent is still there, visible at once.
    let left: HashSet<String> = receive_all(&c.sqs, &url)
        .await
        .into_iter()
        .map(|m| m.message_id.unwrap())
        .collect();
    assert_eq!(left, HashSet::from([refused, no_payload]));
}

#[tokio::test(flavor = "multi_thread")]
async fn redrive_to_a_missing_bus_changes_nothing() {
    let moto = Moto::start();
    let c = clients(&moto).await;
    let (url, _) = create_queue(&c.sqs, "nb-dlq").await;
    seed_three(&c, &url).await;
    moto.evrelay()
        .args(["--stack", "nb", "--yes", "dlq", "redrive"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("bus `nb-bus` not found"));
    assert_eq!(depth(&c.sqs, &url).await, (3, 0));
}

#[tokio::test(flavor = "multi_thread")]
async fn purge_asks_then_empties_and_a_second_purge_is_explained() {
    let moto = Moto::start();
    let c = clients(&moto).await;
    let (url, _) = create_queue(&c.sqs, "pg-dlq").await;
    seed_three(&c, &url).await;
    moto.evrelay()
        .args(["--stack", "pg", "dlq", "purge"])
        .assert()
        .code(2);
    assert_eq!(depth(&c.sqs, &url).await, (3, 0));
    // Answered "no" on a terminal: a cancelled change is a runtime failure, exit 1.
    let (code, screen) = evrelay_on_a_terminal(&moto, &["--stack", "pg", "dlq", "purge"], "n\n");
    assert_eq!(code, Some(1), "{screen}");
    assert!(
        screen.contains("Delete all 3 messages in `pg-dlq`?"),
        "{screen}"
    );
    assert!(screen.contains("error: cancelled"), "{screen}");
    assert_eq!(depth(&c.sqs, &url).await, (3, 0));
    moto.evrelay()
        .args(["--stack", "pg", "--yes", "dlq", "purge"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Purging `pg-dlq` (about 3 messages)",
        ));
    assert_eq!(depth(&c.sqs, &url).await, (0, 0));
    // SQS allows one purge a minute, whatever arrived since.
    send_message(&c.sqs, &url, "this is not an event", None).await;
    moto.evrelay()
        .args(["--stack", "pg", "--yes", "dlq", "purge"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("already in progress")
                .and(predicate::str::contains("60 seconds")),
        );
}
