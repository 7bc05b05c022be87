//! A failure record Lambda wrote without its event (request + response were larger than the
//! queue takes): `dlq peek` and `dlq drain` flag it unrecoverable by its request id and time,
//! `dlq redrive` leaves it in the queue and says why.

use serde_json::Value;

use crate::harness::{stdout_json, Moto};
use crate::ops_fixtures::*;

const REQUEST_ID: &str = "8f5ad2b1-0000-4000-8000-000000000001";

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_record_whose_event_lambda_dropped_is_flagged_never_lost() {
    let moto = Moto::start();
    let c = clients(&moto).await;
    let (url, _) = create_queue(&c.sqs, "dp-dlq").await;
    create_bus(&c.events, "dp-bus").await;
    let dropped = send_message(&c.sqs, &url, &destination_record(None).to_string(), None).await;
    send_message(
        &c.sqs,
        &url,
        &destination_record(Some(event("ev-kept", "e-1"))).to_string(),
        None,
    )
    .await;

    // The operator looks: the dropped one is named by its request id and time, and flagged.
    let out = moto
        .evrelay()
        .args(["--stack", "dp", "dlq", "peek"])
        .assert()
        .success();
    let stdout = text(&out.get_output().stdout);
    let words = stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains(&format!(
            "unrecoverable, event dropped by Lambda: request {REQUEST_ID} at "
        )),
        "{stdout}"
    );
    assert!(words.contains("1 record has no event"), "{stdout}");
    let out = moto
        .evrelay()
        .args(["--stack", "dp", "--output", "json", "dlq", "peek"])
        .assert()
        .success();
    let doc = stdout_json(out.get_output());
    let flags: Vec<(bool, Option<&str>)> = doc["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["payload_dropped"].as_bool().unwrap(),
                r["request_id"].as_str(),
            )
        })
        .collect();
    assert!(flags.contains(&(true, Some(REQUEST_ID))), "{doc}");
    assert!(flags.contains(&(false, Some(REQUEST_ID))), "{doc}");

    // Redrive re-sends the one with its event and leaves the other, saying why.
    let out = moto
        .evrelay()
        .args([
            "--stack", "dp", "--output", "json", "--yes", "dlq", "redrive",
        ])
        .assert()
        .success();
    let doc = stdout_json(out.get_output());
    assert_eq!(doc["resent"].as_array().unwrap().len(), 1, "{doc}");
    let skipped = &doc["skipped"][0];
    assert_eq!(skipped["message_id"], dropped.as_str());
    assert_eq!(skipped["error_code"], "PayloadDropped");
    assert!(
        skipped["error_message"]
            .as_str()
            .unwrap()
            .contains("nothing to redrive"),
        "{doc}"
    );
    assert_eq!(
        depth(&c.sqs, &url).await,
        (1, 0),
        "the dropped record stays"
    );

    // Drain keeps what is left of it, and lists it as unrecoverable.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("failed.jsonl");
    let out = moto
        .evrelay()
        .args(["--stack", "dp", "dlq", "drain", "--out"])
        .arg(&file)
        .assert()
        .success();
    let stdout = text(&out.get_output().stdout);
    let words = stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("1 record has no event"), "{stdout}");
    assert!(
        words.contains(&format!("{dropped} (request {REQUEST_ID}, ")),
        "{stdout}"
    );
    assert_eq!(drained_ids(&file), vec![dropped.clone()]);
    let line: Value = serde_json::from_str(
        std::fs::read_to_string(&file)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert!(line["body"].as_str().unwrap().contains(REQUEST_ID));
    assert_eq!(depth(&c.sqs, &url).await, (0, 0));
}
