//! `evrelay status` of a relay pair: the global endpoint, its health check, the Region that
//! receives events now (it flips when the check is inverted), the secondary's relay in brief and
//! the archive's size. A single-Region stack's status has none of it.

use crate::harness::{status_json, Moto};
use crate::pair_fixtures::*;
use crate::pair_send::{invert_health_check, tap_inbound};

#[tokio::test(flavor = "multi_thread")]
async fn a_pair_s_status_shows_which_region_receives_and_follows_the_drill() {
    let moto = Moto::start();
    let nets = seed_pair(&moto).await;
    deploy_pair_by_hand(&moto, &nets, "ps", true).await;

    let doc = status_json(&moto, "ps", &["--no-health"]);
    let pair = &doc["global_endpoint"];
    assert_eq!(pair["name"], "ps");
    assert_eq!(pair["state"], "ACTIVE");
    assert_eq!(pair["replication"], true);
    assert_eq!(pair["primary_region"], PRIMARY);
    assert_eq!(pair["secondary_region"], SECONDARY);
    assert_eq!(pair["active_region"], PRIMARY);
    assert_eq!(pair["health_check"]["inverted"], false);
    assert_eq!(pair["health_check"]["healthy"], true);
    assert!(
        pair["active_region_basis"]
            .as_str()
            .unwrap()
            .starts_with("the primary, because"),
        "{pair}"
    );
    assert_eq!(pair["secondary"]["region"], SECONDARY);
    assert_eq!(pair["secondary"]["status"], "CREATE_COMPLETE");
    assert_eq!(pair["secondary"]["dlq"]["visible"], 0);
    assert_eq!(pair["archive"]["state"], "ENABLED", "{pair}");
    assert_eq!(pair["archive"]["retention_days"], 7);

    // The drill's first step: Route 53 now reports the check unhealthy, events go west.
    invert_health_check(&moto, "ps", true).await;
    tap_inbound(&moto, "ps", SECONDARY).await;
    tap_inbound(&moto, "ps", PRIMARY).await;
    let sent = moto
        .evrelay()
        .args(["--stack", "ps", "send", "--global", "--count", "2"])
        .output()
        .unwrap();
    assert_eq!(sent.status.code(), Some(0), "{sent:?}");
    let doc = status_json(&moto, "ps", &["--no-health"]);
    let pair = &doc["global_endpoint"];
    assert_eq!(pair["active_region"], SECONDARY);
    assert_eq!(pair["health_check"]["inverted"], true);
    assert_eq!(pair["health_check"]["healthy"], false);
    // Both events, received by the secondary's bus (replication copies them to the primary's).
    assert_eq!(pair["archive"]["event_count"], 2, "{pair}");

    let out = moto
        .evrelay()
        .args(["--stack", "ps", "status", "--no-health"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    let line = |label: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(label))
            .unwrap_or_else(|| panic!("no `{label}` line in:\n{text}"))
            .to_string()
    };
    assert!(line("Global endpoint ps").contains("ACTIVE"));
    assert!(
        line("receiving").contains(&format!("{SECONDARY} (the secondary, because")),
        "{text}"
    );
    assert!(line("health check").contains("inverted (failover drill)"));
    assert!(
        line("secondary").contains("stack CREATE_COMPLETE"),
        "{text}"
    );
    assert!(line("archive").contains("2 events"), "{text}");

    // A real failover: the drill undone, the primary's latency alarm fires; Route 53 reports the
    // check unhealthy without any inversion.
    invert_health_check(&moto, "ps", false).await;
    assert_eq!(
        status_json(&moto, "ps", &["--no-health"])["global_endpoint"]["active_region"],
        PRIMARY
    );
    let cloudwatch = aws_sdk_cloudwatch::Client::new(&moto.sdk_in(PRIMARY).await);
    cloudwatch
        .set_alarm_state()
        .alarm_name("ps-primary-latency")
        .state_value(aws_sdk_cloudwatch::types::StateValue::Alarm)
        .state_reason("ingestion latency over 30 s")
        .send()
        .await
        .unwrap();
    let pair = &status_json(&moto, "ps", &["--no-health"])["global_endpoint"];
    assert_eq!(pair["active_region"], SECONDARY, "{pair}");
    assert_eq!(pair["health_check"]["inverted"], false);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_single_region_stack_s_status_has_no_pair_section() {
    let moto = Moto::start();
    let nets = seed_pair(&moto).await;
    let out = moto
        .evrelay()
        .args(relay_deploy_args(&nets.primary, "solo", PRIMARY))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let doc = status_json(&moto, "solo", &["--no-health"]);
    assert!(doc.get("global_endpoint").is_none(), "{doc}");
    let out = moto
        .evrelay()
        .args(["--stack", "solo", "status", "--no-health"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("Global endpoint"), "{text}");
    // Nothing was said about a missing endpoint: a single Region is not a fault.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("global endpoint"), "{stderr}");
}
