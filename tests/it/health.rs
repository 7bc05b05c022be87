//! `evrelay status`'s health section against the strict emulator's CloudWatch (its Smithy RPC
//! v2 CBOR front, tests/emulator/strict/cloudwatch.py). The emulator emits no AWS metric by
//! itself, so each test publishes what AWS would: the names and dimensions of the AWS/Lambda,
//! AWS/SQS and AWS/Events references, values an operator can check by eye.

use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
use aws_smithy_types::DateTime;

use crate::harness::{status_json, Moto};
use crate::ops_fixtures::now_ms;
use crate::stack::net::{deploy_args, deploy_ok, seed};

/// One datapoint of `metric` `minutes_ago`, as AWS would have published it.
pub fn datum(metric: &str, dims: &[(&str, &str)], minutes_ago: i64, value: f64) -> MetricDatum {
    let unit = match metric {
        "ApproximateAgeOfOldestMessage" => StandardUnit::Seconds,
        "Duration" | "DeliveryLatency" => StandardUnit::Milliseconds,
        _ => StandardUnit::Count,
    };
    MetricDatum::builder()
        .metric_name(metric)
        .set_dimensions(Some(
            dims.iter()
                .map(|(k, v)| Dimension::builder().name(*k).value(*v).build())
                .collect(),
        ))
        .timestamp(DateTime::from_millis(now_ms() - minutes_ago * 60_000))
        .value(value)
        .unit(unit)
        .build()
}

/// PutMetricData as AWS itself: CloudWatch refuses `AWS/` namespaces to everyone else, and so
/// does the strict emulator unless the request says it plays AWS (moto_launcher.py).
pub async fn publish(moto: &Moto, namespace: &str, data: Vec<MetricDatum>) {
    let cw = aws_sdk_cloudwatch::Client::new(&moto.sdk().await);
    cw.put_metric_data()
        .namespace(namespace)
        .set_metric_data(Some(data))
        .customize()
        .mutate_request(|req| {
            req.headers_mut()
                .insert("x-evrelay-emulator-plays-aws", "true");
        })
        .send()
        .await
        .unwrap();
}

fn signal<'a>(status: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    status["health"]["signals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no signal {name}: {status}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_relay_has_no_traffic_yet_and_a_failing_one_names_its_errors_and_dlq() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let stack = "health";
    deploy_ok(&moto, &net, stack);

    // Just deployed: nothing has any datapoint, which is news, not an error.
    let status = status_json(&moto, stack, &[]);
    assert_eq!(status["health"]["verdict"]["state"], "no_traffic_yet");
    assert_eq!(status["health"]["verdict"]["line"], "no traffic yet");
    assert_eq!(signal(&status, "relay_errors")["total"], 0.0);
    let out = moto
        .evrelay()
        .args(["--stack", stack, "status"])
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("Health over the last 1 h"), "{table}");
    assert!(table.contains("no traffic yet"), "{table}");

    // The endpoint starts failing: the relay errors, Lambda gives up, the events land in the
    // DLQ. This is what AWS publishes for that minute by minute.
    let function = [("FunctionName", "health-relay")];
    publish(
        &moto,
        "AWS/Lambda",
        vec![
            datum("Invocations", &function, 3, 10.0),
            datum("Invocations", &function, 2, 5.0),
            datum("Invocations", &function, 1, 7.0),
            datum("Errors", &function, 2, 5.0),
            datum("Errors", &function, 1, 7.0),
            datum("Duration", &function, 2, 120.0),
            datum("Duration", &function, 1, 3000.0),
        ],
    )
    .await;
    let dlq = [("QueueName", "health-dlq")];
    publish(
        &moto,
        "AWS/SQS",
        vec![
            datum("ApproximateNumberOfMessagesVisible", &dlq, 2, 5.0),
            datum("ApproximateNumberOfMessagesVisible", &dlq, 1, 12.0),
            datum("ApproximateAgeOfOldestMessage", &dlq, 1, 240.0),
        ],
    )
    .await;
    let rule = [
        ("EventBusName", "health-bus"),
        ("RuleName", "health-inbound"),
    ];
    publish(
        &moto,
        "AWS/Events",
        vec![
            datum("MatchedEvents", &rule, 3, 10.0),
            datum("MatchedEvents", &rule, 2, 5.0),
            datum("MatchedEvents", &rule, 1, 7.0),
        ],
    )
    .await;

    let status = status_json(&moto, stack, &[]);
    let verdict = &status["health"]["verdict"];
    assert_eq!(verdict["state"], "failing", "{status}");
    assert_eq!(verdict["worst"], "relay_errors");
    assert_eq!(
        verdict["line"],
        "failing: 12 errors in the last 5 min, DLQ 12, oldest 4 min"
    );
    // The numbers are the published ones, per minute and summed, raw.
    let errors = signal(&status, "relay_errors");
    assert_eq!(errors["total"], 12.0);
    assert_eq!(errors["statistic"], "Sum");
    assert_eq!(errors["dimensions"]["FunctionName"], "health-relay");
    let values: Vec<f64> = errors["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["value"].as_f64().unwrap())
        .collect();
    assert_eq!(values, [5.0, 7.0]);
    assert_eq!(signal(&status, "inbound_rule_matched")["total"], 22.0);
    assert_eq!(signal(&status, "dlq_messages")["latest"], 12.0);
    assert_eq!(signal(&status, "dlq_oldest_age")["latest"], 240.0);
    assert_eq!(signal(&status, "relay_duration_p99")["max"], 3000.0);
    assert_eq!(status["health"]["period"], 60);
    // Only non-zero counts are sent by AWS: a count without data is 0, a time without data none.
    let dropped = signal(&status, "async_events_dropped");
    assert_eq!(dropped["total"], 0.0);
    assert_eq!(dropped["no_data_is_zero"], true);
    assert!(signal(&status, "delivery_latency_p99")["max"].is_null());

    // The table: the verdict, a sparkline per signal, and what a missing series means.
    let out = moto
        .evrelay()
        .args(["--stack", stack, "status"])
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("failing: 12 errors in the last 5 min, DLQ 12, oldest 4 min"),
        "{table}"
    );
    let row = table
        .lines()
        .find(|l| l.trim_start().starts_with("relay_errors"))
        .unwrap_or_else(|| panic!("no relay_errors row:\n{table}"));
    assert!(row.contains('█') && row.contains('▁'), "{row}");
    let dropped = table
        .lines()
        .find(|l| l.trim_start().starts_with("async_events_dropped"))
        .unwrap();
    assert!(dropped.contains("no data = 0"), "{dropped}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_window_cloudwatch_cannot_serve_is_a_usage_error_before_any_call() {
    let moto = Moto::start();
    // No stack at all: the flags are checked first, so the answer is exit 2, not "not found".
    for (args, says) in [
        (
            &["--since", "20d", "--period", "1m"][..],
            "1-minute data 15 days",
        ),
        (
            &["--since", "70d", "--period", "5m"][..],
            "5-minute data 63 days",
        ),
        (&["--since", "500d"][..], "455 days"),
        (&["--since", "30s"][..], "shorter than one minute"),
        (&["--period", "90s"][..], "whole number of minutes"),
    ] {
        let out = moto
            .evrelay()
            .args(["--stack", "nothing-here", "status"])
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    // Leaving the section out and sizing it at once is a contradiction clap refuses.
    let out = moto
        .evrelay()
        .args(["status", "--no-health", "--since", "2h"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn no_health_leaves_the_section_out() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let out = moto
        .evrelay()
        .args(deploy_args(&net, "nohealth"))
        .args(["--yes", "--generate-secret"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let status = status_json(&moto, "nohealth", &["--no-health"]);
    assert!(status["health"].is_null(), "{status}");
    assert_eq!(status["status"], "CREATE_COMPLETE");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_healthy_relay_counts_what_its_own_metrics_say_it_delivered() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let stack = "fine";
    deploy_ok(&moto, &net, stack);

    // What CloudWatch makes of the relay's embedded-metric log lines (namespace evrelay,
    // dimension Stack): one value per event, so percentiles are over events.
    let relay = [("Stack", "fine")];
    let mut data = Vec::new();
    for (minutes_ago, latency) in [(20, 90.0), (10, 110.0), (2, 120.0), (1, 220.0)] {
        data.push(datum("Delivered", &relay, minutes_ago, 1.0));
        data.push(datum("Endpoint2xx", &relay, minutes_ago, 1.0));
        data.push(datum("DeliveryLatency", &relay, minutes_ago, latency));
    }
    publish(&moto, "evrelay", data).await;

    let status = status_json(&moto, stack, &["--since", "30m"]);
    let verdict = &status["health"]["verdict"];
    assert_eq!(verdict["state"], "healthy", "{status}");
    assert_eq!(verdict["line"], "healthy: 4 delivered, p99 220 ms");
    assert!(verdict["worst"].is_null());
    assert_eq!(signal(&status, "delivered")["total"], 4.0);
    assert_eq!(signal(&status, "endpoint_2xx")["total"], 4.0);
    assert_eq!(signal(&status, "delivery_latency_p99")["latest"], 220.0);
    // A 30-minute window at one point a minute.
    assert_eq!(status["health"]["period"], 60);
}
