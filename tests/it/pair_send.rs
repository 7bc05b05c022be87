//! `send --global` and `--endpoint-id`: PutEvents through a relay pair's global endpoint, signed
//! with SigV4a, routed by the endpoint's Route 53 health check (the emulator routes each request
//! by the check's status at that moment); `--return-response` says which Region's relay
//! answered. Bad input sends nothing.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde_json::{json, Value};

use crate::harness::{stdout_json, Moto};
use crate::ops_fixtures::{create_queue, receive_all};
use crate::pair_fixtures::*;

pub struct Tap {
    pub sqs: aws_sdk_sqs::Client,
    pub events: aws_sdk_eventbridge::Client,
    pub url: String,
    pub region: &'static str,
}

/// The Lambda service's stand-in in `region`: the inbound rule's relay target swapped for a tap
/// queue (moto cannot invoke Lambda, and a rule with a Lambda target fails PutEvents with 500).
pub async fn tap_inbound(moto: &Moto, stack: &str, region: &'static str) -> Tap {
    let sdk = moto.sdk_in(region).await;
    let (sqs, events) = (
        aws_sdk_sqs::Client::new(&sdk),
        aws_sdk_eventbridge::Client::new(&sdk),
    );
    let (bus, rule) = (format!("{stack}-bus"), format!("{stack}-inbound"));
    let targets = events
        .list_targets_by_rule()
        .rule(&rule)
        .event_bus_name(&bus)
        .send()
        .await
        .unwrap();
    let ids: Vec<String> = targets
        .targets()
        .iter()
        .map(|t| t.id().to_string())
        .collect();
    events
        .remove_targets()
        .rule(&rule)
        .event_bus_name(&bus)
        .set_ids(Some(ids))
        .send()
        .await
        .unwrap();
    let (url, arn) = create_queue(&sqs, &format!("{stack}-tap")).await;
    events
        .put_targets()
        .rule(&rule)
        .event_bus_name(&bus)
        .targets(
            aws_sdk_eventbridge::types::Target::builder()
                .id("tap")
                .arn(arn)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    Tap {
        sqs,
        events,
        url,
        region,
    }
}

/// The `detail.event-id`s the tap received.
pub async fn tapped(tap: &Tap) -> Vec<String> {
    receive_all(&tap.sqs, &tap.url)
        .await
        .iter()
        .map(|m| serde_json::from_str::<Value>(m.body().unwrap()).unwrap())
        .map(|e| {
            e["detail"]["event-id"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

/// The failover drill's step: Route 53 UpdateHealthCheck Inverted on the endpoint's check.
pub async fn invert_health_check(moto: &Moto, stack: &str, inverted: bool) {
    let events = aws_sdk_eventbridge::Client::new(&moto.sdk_in(PRIMARY).await);
    let endpoint = events.describe_endpoint().name(stack).send().await.unwrap();
    let arn = endpoint
        .routing_config()
        .unwrap()
        .failover_config()
        .unwrap()
        .primary()
        .unwrap()
        .health_check()
        .to_string();
    let id = arn.rsplit('/').next().unwrap();
    let route53 = aws_sdk_route53::Client::new(&moto.sdk_in(PRIMARY).await);
    route53
        .update_health_check()
        .health_check_id(id)
        .inverted(inverted)
        .send()
        .await
        .unwrap();
}

fn send_global(moto: &Moto, stack: &str, extra: &[&str]) -> std::process::Output {
    moto.evrelay()
        .args(["--stack", stack, "--output", "json", "send", "--global"])
        .args(extra)
        .output()
        .unwrap()
}

fn sent_event_id(doc: &Value) -> String {
    doc["events"][0]["detail_event_id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn send_global_reaches_the_primary_and_after_inverting_the_check_the_secondary() {
    let moto = Moto::start();
    let nets = seed_pair(&moto).await;
    deploy_pair_by_hand(&moto, &nets, "gs", false).await;
    let (east, west) = (
        tap_inbound(&moto, "gs", PRIMARY).await,
        tap_inbound(&moto, "gs", SECONDARY).await,
    );

    let out = send_global(&moto, "gs", &[]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let doc = stdout_json(&out);
    let first = sent_event_id(&doc);
    let events = aws_sdk_eventbridge::Client::new(&moto.sdk_in(PRIMARY).await);
    let endpoint = events.describe_endpoint().name("gs").send().await.unwrap();
    assert_eq!(doc["endpoint"]["id"], endpoint.endpoint_id().unwrap());
    assert_eq!(doc["endpoint"]["secondary_region"], SECONDARY);
    // What the SDK signed with, read from the request it sent.
    assert_eq!(doc["summary"]["signing"]["algorithm"], "SigV4a");
    assert_eq!(doc["summary"]["signing"]["requests"], 1);
    assert_eq!(tapped(&east).await, [first]);
    assert!(tapped(&west).await.is_empty());

    invert_health_check(&moto, "gs", true).await;
    let out = send_global(&moto, "gs", &["--count", "3"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let doc = stdout_json(&out);
    assert_eq!(doc["summary"]["sent"], 3);
    assert_eq!(tapped(&west).await.len(), 3);
    assert!(tapped(&east).await.is_empty());

    // The endpoint's id given by hand goes the same way.
    let id = endpoint.endpoint_id().unwrap();
    let out = moto
        .evrelay()
        .args(["--stack", "gs", "send", "--endpoint-id", id])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("through global endpoint `gs` ({id})")),
        "{stdout}"
    );
    assert!(stdout.contains("Signing: SigV4a for 1 request"), "{stdout}");
    assert_eq!(tapped(&west).await.len(), 1);
}

/// A relay stand-in for one Region: answers each inbound event asking for it with the
/// `outbound-event-sent` event on that Region's bus, as relay.py does.
fn answer_as_relay(tap: Tap, stack: &str, stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<()> {
    let bus = format!("{stack}-bus");
    tokio::spawn(async move {
        while !stop.load(Ordering::Relaxed) {
            let out = tap
                .sqs
                .receive_message()
                .queue_url(&tap.url)
                .max_number_of_messages(10)
                .wait_time_seconds(1)
                .send()
                .await
                .unwrap();
            for m in out.messages.unwrap_or_default() {
                let event: Value = serde_json::from_str(m.body().unwrap()).unwrap();
                let detail = json!({
                    "request-id": event["id"], "event-id": event["detail"]["event-id"],
                    "status": 200, "response": {"region": tap.region}, "latency-ms": 5
                });
                let entry = aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
                    .event_bus_name(&bus)
                    .source("evrelay.relay")
                    .detail_type("outbound-event-sent")
                    .detail(detail.to_string())
                    .build();
                tap.events.put_events().entries(entry).send().await.unwrap();
                tap.sqs
                    .delete_message()
                    .queue_url(&tap.url)
                    .receipt_handle(m.receipt_handle().unwrap())
                    .send()
                    .await
                    .unwrap();
            }
        }
    })
}

async fn send_beside(moto: &Moto, stack: &str, output: &str) -> std::process::Output {
    let mut cmd = moto.evrelay();
    cmd.args([
        "--stack",
        stack,
        "--output",
        output,
        "send",
        "--global",
        "--return-response",
        "--timeout",
        "20s",
    ]);
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn return_response_names_the_region_whose_relay_answered() {
    let moto = Moto::start();
    let nets = seed_pair(&moto).await;
    deploy_pair_by_hand(&moto, &nets, "gr", false).await;
    let stop = Arc::new(AtomicBool::new(false));
    let relays = [
        answer_as_relay(tap_inbound(&moto, "gr", PRIMARY).await, "gr", stop.clone()),
        answer_as_relay(
            tap_inbound(&moto, "gr", SECONDARY).await,
            "gr",
            stop.clone(),
        ),
    ];

    let out = send_beside(&moto, "gr", "json").await;
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let doc = stdout_json(&out);
    assert_eq!(doc["events"][0]["response"]["answered_by_region"], PRIMARY);

    // The drill: the check inverted, the next event is answered by the secondary's relay.
    invert_health_check(&moto, "gr", true).await;
    let out = send_beside(&moto, "gr", "json").await;
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let doc = stdout_json(&out);
    let response = &doc["events"][0]["response"];
    assert_eq!(response["answered_by_region"], SECONDARY);
    assert_eq!(response["response"]["region"], SECONDARY);
    let out = send_beside(&moto, "gr", "table").await;
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    let answered = text.lines().find(|l| l.starts_with("answered by"));
    assert!(
        answered.is_some_and(|l| l.ends_with(&format!("the relay in {SECONDARY}"))),
        "{text}"
    );
    stop.store(true, Ordering::Relaxed);
    for r in relays {
        r.await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_endpoint_input_sends_nothing() {
    let moto = Moto::start();
    // Malformed id: a usage error naming the value, before any AWS call.
    let out = moto
        .evrelay()
        .args(["--stack", "gb", "send", "--endpoint-id", "badactor.com?x=1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`badactor.com?x=1` is not an endpoint id"),
        "{stderr}"
    );
    // --global and --endpoint-id together: one way at a time.
    let out = moto
        .evrelay()
        .args([
            "--stack",
            "gb",
            "send",
            "--global",
            "--endpoint-id",
            "abc.veo",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    // No endpoint: exit 1 with the command that makes one.
    let out = moto
        .evrelay()
        .args(["--stack", "gb", "send", "--global"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no global endpoint `gb` in us-east-1"),
        "{stderr}"
    );
    assert!(
        stderr.contains("evrelay deploy --secondary-region R"),
        "{stderr}"
    );
}

/// An endpoint made with the API in the primary over both Regions' buses (no relays: nothing is
/// sent), still CREATING for as long as the emulator is told.
async fn endpoint_being_created(moto: &Moto, stack: &str) {
    let bus = format!("{stack}-bus");
    for region in [PRIMARY, SECONDARY] {
        let events = aws_sdk_eventbridge::Client::new(&moto.sdk_in(region).await);
        events.create_event_bus().name(&bus).send().await.unwrap();
    }
    let route53 = aws_sdk_route53::Client::new(&moto.sdk_in(PRIMARY).await);
    let check = route53
        .create_health_check()
        .caller_reference(stack)
        .health_check_config(
            aws_sdk_route53::types::HealthCheckConfig::builder()
                .r#type(aws_sdk_route53::types::HealthCheckType::CloudwatchMetric)
                .alarm_identifier(
                    aws_sdk_route53::types::AlarmIdentifier::builder()
                        .region(aws_sdk_route53::types::CloudWatchRegion::UsEast1)
                        .name(format!("{stack}-primary-latency"))
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let check_id = check.health_check().unwrap().id().to_string();
    use aws_sdk_eventbridge::types::*;
    let bus_arn = |region: &str| format!("arn:aws:events:{region}:123456789012:event-bus/{bus}");
    let events = aws_sdk_eventbridge::Client::new(&moto.sdk_in(PRIMARY).await);
    events
        .create_endpoint()
        .name(stack)
        .routing_config(
            RoutingConfig::builder()
                .failover_config(
                    FailoverConfig::builder()
                        .primary(
                            Primary::builder()
                                .health_check(format!("arn:aws:route53:::healthcheck/{check_id}"))
                                .build()
                                .unwrap(),
                        )
                        .secondary(Secondary::builder().route(SECONDARY).build().unwrap())
                        .build(),
                )
                .build(),
        )
        // Replication is on unless turned off, and then needs a role (API_CreateEndpoint.html).
        .replication_config(
            ReplicationConfig::builder()
                .state(ReplicationState::Disabled)
                .build(),
        )
        .event_buses(
            EndpointEventBus::builder()
                .event_bus_arn(bus_arn(PRIMARY))
                .build()
                .unwrap(),
        )
        .event_buses(
            EndpointEventBus::builder()
                .event_bus_arn(bus_arn(SECONDARY))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_endpoint_not_yet_active_is_named_with_its_state_and_nothing_is_sent() {
    let moto = Moto::start_with_env(&[("EVRELAY_EMULATOR_ENDPOINT_SECONDS", "600")]);
    endpoint_being_created(&moto, "gc").await;
    let out = send_global(&moto, "gc", &[]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("global endpoint `gc` in us-east-1 is CREATING; nothing sent"),
        "{stderr}"
    );
    assert!(stderr.contains("wait until it is ACTIVE"), "{stderr}");
    assert!(out.stdout.is_empty(), "no report: nothing was sent");
}
