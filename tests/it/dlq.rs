//! `evrelay dlq`: both record shapes in the failure queue, read without consuming, drained to a
//! file without loss (even when killed), re-sent to the bus, purged.

use std::collections::HashSet;
use std::time::Duration;

use predicates::prelude::*;
use rand::Rng;
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

/// Killed at random instants over many runs, drain never loses a message: each is in the file,
/// still in the queue, or both; a final drain leaves the file holding exactly the seeded set.
/// The kill lands at a random moment between the start and the time a whole drain takes on this
/// machine (measured first; at least 300 ms), so it hits start-up, receives, writes and deletes.
#[tokio::test(flavor = "multi_thread")]
async fn drain_killed_at_random_moments_loses_nothing() {
    const RUNS: usize = 20;
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

    let mut rng = rand::thread_rng();
    let mut killed_mid_drain = 0;
    for (stack, url, ids) in &runs {
        let file = dir.path().join(format!("{stack}.jsonl"));
        let home = tempfile::tempdir().unwrap();
        let args = [
            "--stack",
            stack,
            "dlq",
            "drain",
            "--out",
            file.to_str().unwrap(),
            "--visibility-timeout",
            "2s",
        ];
        let mut child = spawn_evrelay(&moto, home.path(), &args);
        std::thread::sleep(Duration::from_millis(rng.gen_range(0..=full_drain)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let in_file: HashSet<String> = drained_ids(&file).into_iter().collect();
        let (visible, in_flight) = depth(&c.sqs, url).await;
        assert!(
            in_file.len() as u64 + visible + in_flight >= ids.len() as u64,
            "{stack}: {} in the file + {visible} visible + {in_flight} in flight < {}",
            in_file.len(),
            ids.len()
        );
        if !in_file.is_empty() && (visible + in_flight) > 0 {
            killed_mid_drain += 1;
        }
        eprintln!(
            "{stack}: killed with {} in the file, {visible} visible, {in_flight} in flight",
            in_file.len()
        );
    }
    assert!(
        killed_mid_drain >= 3,
        "only {killed_mid_drain} of {RUNS} kills landed mid-drain; the test proves little"
    );

    // Hidden messages of killed drains come back after the 2 s visibility timeout.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    for (stack, url, ids) in &runs {
        let file = dir.path().join(format!("{stack}.jsonl"));
        // A receive the killed process had in flight may still be answered by the server after
        // the kill (moto keeps long polls of dead clients), hiding a batch for another 2 s: drain
        // again until nothing is left in flight, as an operator would.
        // A short visibility timeout here too: a batch whose delete raced such a zombie receive
        // comes back in 2 s rather than 60 (it is already in the file; a duplicate line is fine).
        for _ in 0..8 {
            moto.evrelay()
                .args([
                    "--stack",
                    stack,
                    "dlq",
                    "drain",
                    "--out",
                    file.to_str().unwrap(),
                    "--visibility-timeout",
                    "2s",
                ])
                .assert()
                .success();
            if depth(&c.sqs, url).await == (0, 0) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(2500)).await;
        }
        let in_file: HashSet<String> = drained_ids(&file).into_iter().collect();
        let seeded: HashSet<String> = ids.iter().cloned().collect();
        assert_eq!(
            in_file, seeded,
            "{stack}: the file must hold exactly the seeded messages"
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
    assert_eq!(ids("failed"), HashSet::from([refused.clone()]));
    assert_eq!(ids("skipped"), HashSet::from([no_payload.clone()]));

    // The originals are on the bus, as they were.
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
                json!({"event-id": "e-100", "order": 7})
            ),
            (
                "eventProducerApp".into(),
                "inbound-event-sent".into(),
                json!({"event-id": "e-200", "order": 7})
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
    moto.evrelay()
        .args(["--stack", "pg", "--yes", "dlq", "purge"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Purging `pg-dlq` (about 3 messages)",
        ));
    assert_eq!(depth(&c.sqs, &url).await, (0, 0));
    moto.evrelay()
        .args(["--stack", "pg", "--yes", "dlq", "purge"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("already in progress")
                .and(predicate::str::contains("60 seconds")),
        );
}
