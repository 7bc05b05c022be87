//! `send` warns before sending an event whose failure record could outgrow the stack's DLQ:
//! Lambda would drop the event from the record, and `dlq redrive` could not re-send it.

use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::json;

use crate::harness::Moto;
use crate::ops_fixtures::*;

#[tokio::test(flavor = "multi_thread")]
async fn a_big_event_is_sent_with_a_warning_only_where_its_record_could_be_dropped() {
    let moto = Moto::start();
    let c = clients(&moto).await;
    create_bus(&c.events, "bg-bus").await;
    // A DLQ made before the template asked for 1 MiB: SQS's old default, 256 KiB.
    let (dlq, _) = create_queue(&c.sqs, "bg-dlq").await;
    c.sqs
        .set_queue_attributes()
        .queue_url(&dlq)
        .attributes(QueueAttributeName::MaximumMessageSize, "262144")
        .send()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.json");
    std::fs::write(
        &big,
        json!({"event-id": "big-1", "blob": "a".repeat(250_000)}).to_string(),
    )
    .unwrap();
    let big = format!("@{}", big.display());
    let send = |detail: &str| {
        moto.evrelay()
            .args(["--stack", "bg", "send", "--detail", detail])
            .assert()
            .success()
    };

    let out = send(&big);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    let words = stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains(
            "warning: 1 event could outgrow `bg-dlq` (262144-byte messages) with its failure record"
        ),
        "{stderr}"
    );
    assert!(
        words.contains("`evrelay dlq redrive` cannot re-send it"),
        "{stderr}"
    );
    assert!(
        words.contains("`evrelay deploy` again raises the queue to 1 MiB"),
        "{stderr}"
    );

    // A small event says nothing; nor does the big one once the queue takes 1 MiB.
    let out = send(r#"{"event-id": "small-1"}"#);
    assert!(!String::from_utf8_lossy(&out.get_output().stderr).contains("outgrow"));
    c.sqs
        .set_queue_attributes()
        .queue_url(&dlq)
        .attributes(QueueAttributeName::MaximumMessageSize, "1048576")
        .send()
        .await
        .unwrap();
    let out = send(&big);
    assert!(!String::from_utf8_lossy(&out.get_output().stderr).contains("outgrow"));
}
