//! `send --global --return-response` timing out during a failover: the events went to the
//! secondary Region, so the diagnosis reads both Regions' DLQs and relay logs and names the
//! Region of each finding (JSON `region`, text "in us-west-2"), and the hint says where to look.
//! The warning before a big send reads both Regions' DLQs too.

use aws_sdk_eventbridge::types::Target;
use aws_sdk_sqs::types::QueueAttributeName;

use crate::harness::{stderr_of_exit, stdout_json, Moto};
use crate::ops_fixtures::{now_ms, put_logs, receive_all};
use crate::pair_fixtures::*;
use crate::pair_send::tap_inbound;

/// The secondary's relay cannot be invoked: EventBridge puts each inbound event in the rule's
/// DLQ, the stack's DLQ (the stand-in: the inbound rule's only target is that queue, so the
/// event is there when PutEvents returns).
/// Returns the SQS client there and the DLQ's URL.
async fn relay_fails_in(
    moto: &Moto,
    stack: &str,
    region: &'static str,
) -> (aws_sdk_sqs::Client, String) {
    let tap = tap_inbound(moto, stack, region).await;
    let dlq = tap
        .sqs
        .get_queue_url()
        .queue_name(format!("{stack}-dlq"))
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let arn = tap
        .sqs
        .get_queue_attributes()
        .queue_url(&dlq)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap()[&QueueAttributeName::QueueArn]
        .clone();
    let (bus, rule) = (format!("{stack}-bus"), format!("{stack}-inbound"));
    tap.events
        .remove_targets()
        .rule(&rule)
        .event_bus_name(&bus)
        .ids("tap")
        .send()
        .await
        .unwrap();
    let target = Target::builder().id("dlq").arn(arn).build().unwrap();
    tap.events
        .put_targets()
        .rule(&rule)
        .event_bus_name(&bus)
        .targets(target)
        .send()
        .await
        .unwrap();
    (tap.sqs, dlq)
}

fn send_global_waiting(moto: &Moto, stack: &str, output: &str) -> std::process::Output {
    moto.evrelay()
        .args(["--stack", stack, "--output", output, "send", "--global"])
        .args(["--return-response", "--timeout", "1s"])
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_timeout_during_a_failover_names_the_secondary_s_dlq_and_log() {
    let moto = Moto::start();
    let nets = seed_pair(&moto).await;
    deploy_pair_by_hand(&moto, &nets, "gd", false).await;
    let (west_sqs, west_dlq) = relay_fails_in(&moto, "gd", SECONDARY).await;
    // Another event's failure in the secondary's relay log (stamped after the send starts).
    let west_logs = aws_sdk_cloudwatchlogs::Client::new(&moto.sdk_in(SECONDARY).await);
    put_logs(
        &west_logs,
        "/aws/lambda/gd-relay",
        "2026/12/05/[$LATEST]other",
        &[(
            now_ms() + 120_000,
            "[ERROR] RelayError: event someone-else: 500: boom",
        )],
    )
    .await;

    // The operator fails over to the secondary, then sends through the endpoint.
    let out = moto
        .evrelay()
        .args(["--stack", "gd", "failover", "start", "--yes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let out = send_global_waiting(&moto, "gd", "json");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let doc = stdout_json(&out);
    let id = doc["events"][0]["event_id"].as_str().unwrap().to_string();
    let d = &doc["diagnosis"];
    assert_eq!(d["region"], PRIMARY, "{d}");
    assert_eq!(d["dlq_depth"]["visible"], 0, "{d}");
    let west = &d["secondary"];
    assert_eq!(west["region"], SECONDARY, "{d}");
    assert_eq!(west["dlq"], "gd-dlq", "{d}");
    assert_eq!(west["dlq_depth"]["visible"], 1, "{d}");
    assert_eq!(west["relay_log_group"], "/aws/lambda/gd-relay", "{d}");
    assert!(
        west["recent_errors"].to_string().contains("someone-else"),
        "{d}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("`evrelay --region {SECONDARY} dlq peek`")),
        "{stderr}"
    );

    // As text: each finding says which Region's queue or log it read.
    let out = send_global_waiting(&moto, "gd", "table");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for said in [
        format!("DLQ `gd-dlq` in {PRIMARY} holds about 0 messages"),
        format!("DLQ `gd-dlq` in {SECONDARY} holds about 2 messages"),
        format!("A failure record is due in the DLQ in either {PRIMARY} or {SECONDARY} by"),
        format!("Other failure lines in `/aws/lambda/gd-relay` in {SECONDARY} since the send"),
    ] {
        assert!(words.contains(&said), "{said}\n{text}");
    }

    // What the secondary's DLQ holds: the first send's event among them.
    let held = receive_all(&west_sqs, &west_dlq).await;
    assert!(
        held.iter().any(|m| m.body().unwrap().contains(&id)),
        "{held:?}"
    );
}

/// A big event through the endpoint may fail in either Region: the warning that its failure
/// record could outgrow a DLQ reads both, and names the Region of the small one.
#[tokio::test(flavor = "multi_thread")]
async fn a_record_that_could_outgrow_the_secondary_s_dlq_is_warned_of_by_region() {
    let moto = Moto::start();
    let nets = seed_pair(&moto).await;
    deploy_pair_by_hand(&moto, &nets, "gw", false).await;
    tap_inbound(&moto, "gw", PRIMARY).await;
    // The secondary's DLQ made before the template asked for 1 MiB: SQS's old 256 KiB.
    let west = aws_sdk_sqs::Client::new(&moto.sdk_in(SECONDARY).await);
    let dlq = west
        .get_queue_url()
        .queue_name("gw-dlq")
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    west.set_queue_attributes()
        .queue_url(&dlq)
        .attributes(QueueAttributeName::MaximumMessageSize, "262144")
        .send()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.json");
    let detail = serde_json::json!({"event-id": "big-1", "blob": "a".repeat(250_000)});
    std::fs::write(&big, detail.to_string()).unwrap();

    let out = moto
        .evrelay()
        .args(["--stack", "gw", "send", "--global", "--detail"])
        .arg(format!("@{}", big.display()))
        .output()
        .unwrap();
    let stderr = stderr_of_exit(&out, 0);
    let words = stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains(&format!(
            "1 event could outgrow `gw-dlq` in {SECONDARY} (262144-byte messages)"
        )),
        "{stderr}"
    );
    assert!(!words.contains(&format!("in {PRIMARY} (")), "{stderr}");
}
