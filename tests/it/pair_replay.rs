//! `evrelay replay` of a relay pair's secondary archive: bad windows are refused before anything
//! starts, and a replay of what the secondary's bus received delivers those events again.

use serde_json::json;

use crate::harness::{stdout_json, Moto};
use crate::ops_fixtures::{create_queue, rule_to_queue};
use crate::pair_fixtures::{deploy_pair_by_hand, seed_pair, SECONDARY};

async fn secondary_events(moto: &Moto) -> aws_sdk_eventbridge::Client {
    aws_sdk_eventbridge::Client::new(&moto.sdk_in(SECONDARY).await)
}

/// Messages in the queue, drained.
async fn drained(sqs: &aws_sdk_sqs::Client, url: &str) -> Vec<serde_json::Value> {
    crate::ops_fixtures::drain_all(sqs, url)
        .await
        .iter()
        .map(|m| serde_json::from_str(m.body().unwrap()).unwrap())
        .collect()
}

fn replay_cmd(moto: &Moto, args: &[&str]) -> std::process::Output {
    moto.evrelay()
        .args(["--stack", "again", "--output", "json", "replay"])
        .args(args)
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_replay_delivers_the_secondary_s_archived_events_again() {
    let moto = Moto::start();
    let nets = seed_pair(&moto).await;
    deploy_pair_by_hand(&moto, &nets, "again", false).await;
    let events = secondary_events(&moto).await;
    let sqs = aws_sdk_sqs::Client::new(&moto.sdk_in(SECONDARY).await);
    let (url, arn) = create_queue(&sqs, "again-consumer").await;
    let consumer = json!({"source": ["orders.test"]});
    rule_to_queue(&events, "again-bus", "consumer", consumer, &arn).await;

    // What the secondary received while the endpoint had failed over.
    for order in [1, 2] {
        events
            .put_events()
            .entries(
                aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
                    .source("orders.test")
                    .detail_type("order")
                    .detail(json!({ "order": order }).to_string())
                    .event_bus_name("again-bus")
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }
    assert_eq!(drained(&sqs, &url).await.len(), 2, "delivered once");
    let archive = &events.list_archives().send().await.unwrap().archives()[0].clone();
    let created = archive
        .creation_time()
        .unwrap()
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap();

    // Bad windows: exit 2, and no replay started.
    for (args, says) in [
        (
            vec!["--from", "1h", "--to", "2h", "--yes"],
            "is not after --from",
        ),
        (
            vec!["--from", "10m", "--to", "2099-01-01T00:00:00Z", "--yes"],
            "in the future",
        ),
        (vec!["--from", "8d", "--yes"], "7 days"),
        (vec!["--from", "2d", "--yes"], "before archive"),
        (
            vec!["--from", "yesterday", "--yes"],
            "neither a duration nor an RFC 3339 time",
        ),
        (vec!["--from", created.as_str()], "no terminal"),
    ] {
        let out = replay_cmd(&moto, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    let replays = events.list_replays().send().await.unwrap();
    assert!(replays.replays().is_empty(), "{replays:?}");

    // The failback replay: the same two events, through the same bus, once more.
    let out = replay_cmd(&moto, &["--from", &created, "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let report = stdout_json(&out);
    assert_eq!(report["state"], "COMPLETED");
    assert_eq!(report["region"], SECONDARY);
    assert_eq!(report["bus"], "again-bus");
    let name = report["replay"].as_str().unwrap().to_string();
    assert!(name.starts_with("again-2"), "{name}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("must be idempotent"), "{stderr}");
    let again = drained(&sqs, &url).await;
    let mut orders: Vec<_> = again.iter().map(|e| e["detail"]["order"].clone()).collect();
    orders.sort_by_key(|o| o.as_i64());
    assert_eq!(orders, [json!(1), json!(2)]);
    assert!(again.iter().all(|e| e["replay-name"] == name.as_str()));

    // --cancel acts only on a replay it named for this stack; a finished one has nothing left.
    let out = replay_cmd(&moto, &["--cancel", "someone-elses"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let out = replay_cmd(&moto, &["--cancel", &name]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(stdout_json(&out)["state"], "COMPLETED");
}

/// A replay that takes time (the emulator keeps it RUNNING): Ctrl-C stops the watching and says
/// the replay goes on and how to cancel it; `--cancel` then stops it.
#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_leaves_the_replay_running_and_cancel_stops_it() {
    let moto = Moto::start_with_env(&[("EVRELAY_EMULATOR_REPLAY_SECONDS", "120")]);
    let nets = seed_pair(&moto).await;
    deploy_pair_by_hand(&moto, &nets, "again", false).await;
    let events = secondary_events(&moto).await;
    let archive = &events.list_archives().send().await.unwrap().archives()[0].clone();
    let created = archive
        .creation_time()
        .unwrap()
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap();

    let child = moto
        .evrelay_std()
        .args(["--stack", "again", "replay", "--from", &created, "--yes"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let (out, stderr) =
        crate::safety_interrupt::interrupt_when(child, "Ctrl-C stops watching, not the replay");
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("stopped watching (Ctrl-C)"), "{stderr}");
    assert!(stderr.contains("goes on in us-west-2"), "{stderr}");
    assert!(stderr.contains("replay --cancel again-"), "{stderr}");

    let replays = events.list_replays().send().await.unwrap();
    let [replay] = replays.replays() else {
        panic!("one replay: {replays:?}")
    };
    assert_eq!(
        replay.state().unwrap().as_str(),
        "RUNNING",
        "Ctrl-C did not stop it"
    );
    let name = replay.replay_name().unwrap().to_string();

    let out = replay_cmd(&moto, &["--cancel", &name]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let report = stdout_json(&out);
    assert_eq!(report["was"], "RUNNING");
    assert_eq!(report["state"], "CANCELLING");
}
