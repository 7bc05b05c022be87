//! `deploy --alarms`: the stack's CloudWatch alarms and their topic, kept by a redeploy without
//! the flag, removed by `--no-alarms` and by destroy; `status` shows their states, and the
//! DLQ-not-empty alarm goes to ALARM when the DLQ's depth metric says it holds events.

use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, MetricDatum, Statistic};

use crate::harness::{assert_ok, stdout_json, Moto};
use crate::stack::net::{deploy_args, seed, Net};

const EVALUATE: (&str, &str) = ("EVRELAY_EMULATOR_EVALUATE_ALARMS", "1");

fn deploy(moto: &Moto, net: &Net, stack: &str, extra: &[&str]) -> std::process::Output {
    moto.evrelay()
        .args(deploy_args(net, stack))
        .args(["--yes", "--generate-secret"])
        .args(extra)
        .output()
        .unwrap()
}

fn status(moto: &Moto, stack: &str) -> serde_json::Value {
    let out = moto
        .evrelay()
        .args(["--stack", stack, "--output", "json", "status"])
        .output()
        .unwrap();
    assert_ok(&out);
    stdout_json(&out)
}

fn alarm_states(status: &serde_json::Value) -> Vec<(String, String)> {
    status["alarms"]
        .as_array()
        .unwrap_or_else(|| panic!("no alarms[] in {status}"))
        .iter()
        .map(|a| {
            (
                a["name"].as_str().unwrap().to_string(),
                a["state"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn resource_ids(status: &serde_json::Value) -> Vec<String> {
    status["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["logical_id"].as_str().unwrap().to_string())
        .collect()
}

const DIRECT_ALARMS: [&str; 5] = [
    "dlq-not-empty",
    "relay-errors",
    "relay-throttles",
    "event-age",
    "events-dropped",
];

#[tokio::test(flavor = "multi_thread")]
async fn alarms_to_an_email_are_kept_by_a_redeploy_and_removed_by_no_alarms() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let stack = "alarmed";
    assert_ok(&deploy(
        &moto,
        &net,
        stack,
        &["--alarms", "ops@example.com"],
    ));

    // The stack made the alarms, a topic and the address's subscription; new alarms have no
    // data yet.
    let s = status(&moto, stack);
    let expected: Vec<(String, String)> = DIRECT_ALARMS
        .iter()
        .map(|a| (format!("{stack}-{a}"), "INSUFFICIENT_DATA".to_string()))
        .collect();
    assert_eq!(alarm_states(&s), expected);
    let ids = resource_ids(&s);
    for id in [
        "AlarmTopic",
        "AlarmSubscription",
        "DlqAlarm",
        "DroppedAlarm",
    ] {
        assert!(ids.contains(&id.to_string()), "{id} missing: {ids:?}");
    }
    assert!(!ids.contains(&"BufferAgeAlarm".to_string()), "{ids:?}");
    let cw = aws_sdk_cloudwatch::Client::new(&moto.sdk().await);
    let dlq_alarm = cw
        .describe_alarms()
        .alarm_names(format!("{stack}-dlq-not-empty"))
        .send()
        .await
        .unwrap();
    let actions = dlq_alarm.metric_alarms()[0].alarm_actions().to_vec();
    assert_eq!(actions.len(), 1, "{actions:?}");
    assert!(
        actions[0].ends_with(&format!(":{stack}-alarms")),
        "{actions:?}"
    );

    // A redeploy that changes something else keeps the alarms.
    assert_ok(&deploy(
        &moto,
        &net,
        stack,
        &["--detail-type", "order-placed"],
    ));
    assert_eq!(alarm_states(&status(&moto, stack)), expected);

    // --no-alarms removes them and the topic.
    assert_ok(&deploy(&moto, &net, stack, &["--no-alarms"]));
    let s = status(&moto, stack);
    assert_eq!(alarm_states(&s), Vec::<(String, String)>::new());
    let ids = resource_ids(&s);
    assert!(!ids.iter().any(|i| i.contains("Alarm")), "{ids:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_malformed_topic_arn_or_address_is_a_usage_error_and_nothing_is_made() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    for bad in [
        "arn:aws:sns:us-east-1:12345:ops",
        "ops@example",
        "arn:aws:sns:eu-west-1:123456789012:ops",
    ] {
        let out = deploy(&moto, &net, "badalarms", &["--alarms", bad]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{bad}: {err}");
        assert!(
            err.lines().next().unwrap_or_default().contains(bad),
            "{err}"
        );
    }
    let cfn = aws_sdk_cloudformation::Client::new(&moto.sdk().await);
    let stacks = cfn.list_stacks().send().await.unwrap();
    assert!(stacks.stack_summaries().is_empty(), "{stacks:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dlq_alarm_fires_when_the_dlq_fills_and_destroy_removes_only_the_stacks_alarms() {
    let moto = Moto::start_with_env(&[EVALUATE]);
    let net = seed(&moto).await;
    let stack = "firing";
    assert_ok(&deploy(
        &moto,
        &net,
        stack,
        &["--alarms", "ops@example.com"],
    ));
    // A quiet DLQ publishes no depth and missing data is notBreaching: once evaluated (AWS
    // within a minute, the emulator when the alarms are described) the alarm is OK.
    let s = status(&moto, stack);
    assert_eq!(
        alarm_states(&s)[0],
        (format!("{stack}-dlq-not-empty"), "OK".into())
    );

    // SQS reports the DLQ's depth: three events wait there.
    let datum = MetricDatum::builder()
        .metric_name("ApproximateNumberOfMessagesVisible")
        .dimensions(
            Dimension::builder()
                .name("QueueName")
                .value(format!("{stack}-dlq"))
                .build(),
        )
        .value(3.0)
        .timestamp(aws_smithy_types::DateTime::from(
            std::time::SystemTime::now(),
        ))
        .build();
    crate::health::publish(&moto, "AWS/SQS", vec![datum]).await;
    let s = status(&moto, stack);
    let dlq = &s["alarms"][0];
    assert_eq!(dlq["name"], format!("{stack}-dlq-not-empty"));
    assert_eq!(dlq["state"], "ALARM", "{s}");
    assert!(
        dlq["since"].is_string() && dlq["reason"].is_string(),
        "{dlq}"
    );
    let table = moto
        .evrelay()
        .args(["--stack", stack, "status"])
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&table.stdout);
    // The alarms table's row (the resources table lists the alarm by name too).
    let row = table
        .lines()
        .skip_while(|l| !l.trim_start().to_lowercase().starts_with("alarm "))
        .find(|l| l.contains(&format!("{stack}-dlq-not-empty")))
        .unwrap_or_else(|| panic!("no alarm row:\n{table}"));
    assert!(row.contains("ALARM"), "{row}");

    // An operator's own alarm beside the stack's, named like them.
    let cw = aws_sdk_cloudwatch::Client::new(&moto.sdk().await);
    cw.put_metric_alarm()
        .alarm_name(format!("{stack}-hand-made"))
        .namespace("Orders")
        .metric_name("Placed")
        .statistic(Statistic::Sum)
        .period(60)
        .evaluation_periods(1)
        .threshold(1.0)
        .comparison_operator(ComparisonOperator::LessThanThreshold)
        .send()
        .await
        .unwrap();
    let out = moto
        .evrelay()
        .args(["--stack", stack, "--yes", "destroy"])
        .output()
        .unwrap();
    assert_ok(&out);
    let left = cw
        .describe_alarms()
        .alarm_name_prefix(format!("{stack}-"))
        .send()
        .await
        .unwrap();
    let names: Vec<_> = left
        .metric_alarms()
        .iter()
        .filter_map(|a| a.alarm_name())
        .collect();
    assert_eq!(names, [format!("{stack}-hand-made")]);
}
