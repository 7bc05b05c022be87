//! Ctrl-C inside `dlq redrive`'s StartMessageMoveTask (buffered delivery): the call is held
//! open by the proxy after SQS has it, the operator presses Ctrl-C. evrelay waits for the
//! answer, says the move task started and goes on in SQS, exits 1; the task moves every event
//! back to the buffer and none is lost; the next `dlq redrive` finds nothing left to move.

use crate::buffered_status::{deploy_buffered, fail_once, queue_url};
use crate::harness::{stdout_json, Moto};
use crate::hold_proxy::{interrupt_while_held, HoldProxy};
use crate::ops_fixtures::*;
use crate::safety_interrupt::spawn;

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_while_the_move_task_is_being_started_says_it_goes_on_and_loses_nothing() {
    let moto = Moto::start();
    let c = clients(&moto).await;
    deploy_buffered(&moto, "held-move").await;
    let (buffer, dlq) = (
        queue_url(&c.sqs, "held-move-buffer").await,
        queue_url(&c.sqs, "held-move-dlq").await,
    );
    let bodies: Vec<String> = (0..4)
        .map(|i| event(&format!("ev-{i}"), &format!("e-{i}")).to_string())
        .collect();
    send_many(&c.sqs, &buffer, &bodies).await;
    fail_once(&c.sqs, &buffer, 4).await;
    assert_eq!(depth(&c.sqs, &dlq).await, (4, 0), "four failed events");

    let home = tempfile::tempdir().unwrap();
    let proxy = HoldProxy::start(&moto.endpoint, Some("StartMessageMoveTask"));
    let args: Vec<String> = ["--stack", "held-move", "--yes", "dlq", "redrive"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let child = spawn(&proxy.endpoint, home.path(), &args);
    let (out, err) = interrupt_while_held(child, &proxy, "StartMessageMoveTask was already sent");
    assert_eq!(out.status.code(), Some(1), "a cancelled run: {err}");
    assert!(
        err.contains("the move task started and goes on in SQS"),
        "{err}"
    );
    assert!(err.contains("evrelay dlq redrive"), "the way back: {err}");

    // SQS moves them all: each event is in the buffer, under its own id, none left behind.
    let mut moved = Vec::new();
    for _ in 0..600 {
        if depth(&c.sqs, &dlq).await == (0, 0) {
            moved = receive_all(&c.sqs, &buffer).await;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let mut ids: Vec<String> = moved
        .iter()
        .map(|m| {
            serde_json::from_str::<serde_json::Value>(m.body().unwrap()).unwrap()["id"].to_string()
        })
        .collect();
    ids.sort();
    assert_eq!(ids, ["\"ev-0\"", "\"ev-1\"", "\"ev-2\"", "\"ev-3\""]);

    // The next redrive finds nothing to move and says so.
    let out = moto
        .evrelay()
        .args([
            "--stack",
            "held-move",
            "--yes",
            "--output",
            "json",
            "dlq",
            "redrive",
        ])
        .output()
        .unwrap();
    crate::harness::assert_ok(&out);
    assert_eq!(stdout_json(&out)["left"], 0);
}
