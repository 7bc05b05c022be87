//! `evrelay failover start|stop` on a relay pair: the drill moves what is sent through the
//! global endpoint to the secondary's bus and back, refuses to start twice or stop what is not
//! on, and says the drill goes on when the watch is stopped.

use serde_json::json;

use crate::harness::{stdout_json, Moto};
use crate::ops_fixtures::{create_queue, rule_to_queue};
use crate::pair_fixtures::{deploy_pair_by_hand, seed_pair, PRIMARY, SECONDARY};

/// A queue in each Region receiving what the pair's bus there gets from `source`.
pub async fn watch_buses(moto: &Moto, stack: &str, source: &str) -> Vec<(String, String)> {
    let mut queues = Vec::new();
    for region in [PRIMARY, SECONDARY] {
        let sdk = moto.sdk_in(region).await;
        let (sqs, events) = (
            aws_sdk_sqs::Client::new(&sdk),
            aws_sdk_eventbridge::Client::new(&sdk),
        );
        let (url, arn) = create_queue(&sqs, &format!("{stack}-seen-{region}")).await;
        let bus = format!("{stack}-bus");
        rule_to_queue(&events, &bus, "seen", json!({"source": [source]}), &arn).await;
        queues.push((region.to_string(), url));
    }
    queues
}

/// The Regions whose queue received an event, each event once (drained).
pub async fn landed(moto: &Moto, queues: &[(String, String)]) -> Vec<String> {
    let mut regions = Vec::new();
    for (region, url) in queues {
        let sqs = aws_sdk_sqs::Client::new(&moto.sdk_in(region).await);
        let n = crate::ops_fixtures::drain_all(&sqs, url).await.len();
        regions.extend(std::iter::repeat(region.clone()).take(n));
    }
    regions
}

/// PutEvents through the global endpoint, as a producer does (EndpointId, SigV4a).
async fn put_through_endpoint(moto: &Moto, stack: &str, source: &str) {
    let events = aws_sdk_eventbridge::Client::new(&moto.sdk_in(PRIMARY).await);
    let id = events
        .describe_endpoint()
        .name(stack)
        .send()
        .await
        .unwrap()
        .endpoint_id()
        .unwrap()
        .to_string();
    let out = events
        .put_events()
        .endpoint_id(id)
        .entries(
            aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
                .source(source)
                .detail_type("drill")
                .detail(r#"{"order": 1}"#)
                .event_bus_name(format!("{stack}-bus"))
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(out.failed_entry_count(), 0, "{out:?}");
}

fn failover(moto: &Moto, stack: &str, args: &[&str]) -> std::process::Output {
    moto.evrelay()
        .args(["--stack", stack, "--output", "json", "failover"])
        .args(args)
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_drill_moves_the_endpoint_s_events_to_the_secondary_and_back() {
    let moto = Moto::start();
    let nets = seed_pair(&moto).await;
    deploy_pair_by_hand(&moto, &nets, "drill", false).await;
    let queues = watch_buses(&moto, "drill", "drill.test").await;
    put_through_endpoint(&moto, "drill", "drill.test").await;
    assert_eq!(landed(&moto, &queues).await, [PRIMARY], "before the drill");

    // No terminal and no --yes: nothing is asked, nothing changes.
    let out = failover(&moto, "drill", &["start"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");

    // The operator starts the drill: the endpoint routes to the secondary.
    let out = failover(&moto, "drill", &["start", "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let report = stdout_json(&out);
    assert_eq!(report["routes_to"], SECONDARY);
    assert_eq!(report["inverted"], true);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("will go to {SECONDARY}'s bus drill-bus")),
        "the plan says where events go: {stderr}"
    );
    put_through_endpoint(&moto, "drill", "drill.test").await;
    assert_eq!(
        landed(&moto, &queues).await,
        [SECONDARY],
        "during the drill"
    );

    // Starting it twice is refused, and says how to end it.
    let out = failover(&moto, "drill", &["start", "--yes"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("already on"), "{stderr}");
    assert!(stderr.contains("failover stop"), "{stderr}");

    // Stopping it routes the endpoint back to the primary.
    let out = failover(&moto, "drill", &["stop", "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(stdout_json(&out)["routes_to"], PRIMARY);
    put_through_endpoint(&moto, "drill", "drill.test").await;
    assert_eq!(landed(&moto, &queues).await, [PRIMARY], "after the drill");

    // Stopping what is not on is refused too.
    let out = failover(&moto, "drill", &["stop", "--yes"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("failover start"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stack_without_an_endpoint_is_no_pair() {
    let moto = Moto::start();
    let out = failover(&moto, "lonely", &["start", "--yes"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no global endpoint `lonely`"), "{stderr}");
    assert!(stderr.contains("--secondary-region"), "{stderr}");
}

/// While the primary's alarm is in ALARM, inverting the check reads healthy: Route 53 never
/// reports what start waits for. Ctrl-C and the timeout end the watch, and both say the
/// health check stays inverted and how to undo it.
#[tokio::test(flavor = "multi_thread")]
async fn a_stopped_watch_says_the_drill_is_still_on() {
    let moto = Moto::start();
    let nets = seed_pair(&moto).await;
    deploy_pair_by_hand(&moto, &nets, "slow", false).await;
    let cw = aws_sdk_cloudwatch::Client::new(&moto.sdk_in(PRIMARY).await);
    cw.set_alarm_state()
        .alarm_name("slow-primary-latency")
        .state_value(aws_sdk_cloudwatch::types::StateValue::Alarm)
        .state_reason("the primary is slow")
        .send()
        .await
        .unwrap();

    let out = failover(&moto, "slow", &["start", "--yes", "--timeout", "1s"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("the drill is on"), "{stderr}");
    assert!(stderr.contains("failover stop"), "{stderr}");

    // Ended by hand, so the drill can start again and be watched, then interrupted.
    let out = failover(&moto, "slow", &["stop", "--yes", "--timeout", "1s"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "restored, but the alarm keeps it unhealthy"
    );
    let child = moto
        .evrelay_std()
        .args(["--stack", "slow", "failover", "start", "--yes"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let (out, stderr) = crate::safety_interrupt::interrupt_when(child, "Ctrl-C stops waiting");
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("stopped waiting (Ctrl-C)"), "{stderr}");
    assert!(stderr.contains("the drill is on"), "{stderr}");
    assert!(stderr.contains("failover stop"), "{stderr}");
    let r53 = aws_sdk_route53::Client::new(&moto.sdk().await);
    let checks = r53.list_health_checks().send().await.unwrap();
    assert!(
        checks
            .health_checks()
            .iter()
            .all(|c| c.health_check_config().unwrap().inverted() == Some(true)),
        "Ctrl-C stops the watch, not the drill"
    );
}
