//! `evrelay top`: without a terminal, one JSON object (or plain line) per refresh until
//! Ctrl-C, which ends it with exit 0 (a follow, as `logs --follow`); on a terminal (tmux), the
//! dashboard, which `q` quits with the terminal restored. Signals and keys are sent when the
//! printed line or the drawn frame shows the state asked for, never after a fixed sleep.

use std::io::{BufRead, BufReader};
use std::process::{Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_cloudwatch::types::{Dimension, MetricDatum};
use aws_smithy_types::DateTime;
use serde_json::Value;

use crate::harness::{Moto, REGION};
use crate::ops_fixtures::{
    clients, create_queue, now_ms, put_logs, send_message, spawn_evrelay_with,
};

/// What `top` needs of a stack: that it exists, and its DLQ.
const STACK: &str = "
Resources:
  Dlq:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: top-dlq
";

/// The relay's errors as AWS/Lambda publishes them (5 two minutes ago, 7 a minute ago): the
/// strict emulator takes an `AWS/` namespace only from a request that says it plays AWS.
async fn publish_relay_errors(moto: &Moto) {
    let datum = |minutes_ago: i64, value: f64| {
        MetricDatum::builder()
            .metric_name("Errors")
            .dimensions(
                Dimension::builder()
                    .name("FunctionName")
                    .value("top-relay")
                    .build(),
            )
            .timestamp(DateTime::from_millis(now_ms() - minutes_ago * 60_000))
            .value(value)
            .build()
    };
    aws_sdk_cloudwatch::Client::new(&moto.sdk().await)
        .put_metric_data()
        .namespace("AWS/Lambda")
        .metric_data(datum(2, 5.0))
        .metric_data(datum(1, 7.0))
        .customize()
        .mutate_request(|req| {
            req.headers_mut()
                .insert("x-evrelay-emulator-plays-aws", "true");
        })
        .send()
        .await
        .unwrap();
}

async fn a_stack_with_two_failed_events(moto: &Moto) -> String {
    let c = clients(moto).await;
    let cfn = aws_sdk_cloudformation::Client::new(&moto.sdk().await);
    cfn.create_stack()
        .stack_name("top")
        .template_body(STACK)
        .send()
        .await
        .unwrap();
    let (dlq, _) = create_queue(&c.sqs, "top-dlq").await;
    send_message(&c.sqs, &dlq, "{\"failed\":1}", None).await;
    send_message(&c.sqs, &dlq, "{\"failed\":2}", None).await;
    let logs = aws_sdk_cloudwatchlogs::Client::new(&moto.sdk().await);
    let now = now_ms();
    put_logs(
        &logs,
        "/aws/lambda/top-relay",
        "s1",
        &[
            (now - 2_000, "{\"request-id\":\"ev-1\",\"status\":500}"),
            (now - 1_000, "{\"request-id\":\"ev-2\",\"status\":500}"),
        ],
    )
    .await;
    publish_relay_errors(moto).await;
    dlq
}

/// Sends SIGINT (what Ctrl-C sends) to the child.
fn interrupt(child: &std::process::Child) {
    let status = StdCommand::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_terminal_json_comes_one_object_per_refresh_until_ctrl_c() {
    let moto = Moto::start();
    let dlq = a_stack_with_two_failed_events(&moto).await;
    let home = tempfile::tempdir().unwrap();
    let mut child = spawn_evrelay_with(
        &moto,
        home.path(),
        &[
            "--stack",
            "top",
            "--output",
            "json",
            "top",
            "--interval",
            "1s",
        ],
        Stdio::piped(),
    );
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut next = || -> Value {
        let line = lines.next().expect("a refresh line").unwrap();
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"))
    };

    // The first refresh: the errors' verdict and numbers, both failed events waiting, both
    // log lines new.
    let first = next();
    assert_eq!(first["stack"], "top");
    let health = &first["health"];
    assert_eq!(health["verdict"]["state"], "failing", "{health}");
    assert!(
        health["verdict"]["line"]
            .as_str()
            .unwrap()
            .starts_with("failing: 12 errors"),
        "{health}"
    );
    let errors = health["signals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "relay_errors")
        .unwrap();
    assert_eq!(errors["total"], 12.0, "{errors}");
    assert_eq!(first["dlq"]["visible"], 2, "{first}");
    assert!(first.get("buffer").is_none(), "direct delivery: {first}");
    let messages: Vec<&str> = first["new_log_lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "{\"request-id\":\"ev-1\",\"status\":500}",
            "{\"request-id\":\"ev-2\",\"status\":500}"
        ]
    );
    assert_eq!(first["errors"], serde_json::json!([]));

    // A third failure arrives: a later refresh shows it, and no log line twice.
    let c = clients(&moto).await;
    send_message(&c.sqs, &dlq, "{\"failed\":3}", None).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let later = next();
        assert_eq!(later["new_log_lines"], serde_json::json!([]), "{later}");
        if later["dlq"]["visible"] == 3 {
            break;
        }
        assert_eq!(later["dlq"]["visible"], 2, "{later}");
        assert!(Instant::now() < deadline, "the third failure never showed");
    }

    interrupt(&child);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "Ctrl-C ends a follow with 0");
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_terminal_or_json_a_plain_line_per_refresh() {
    let moto = Moto::start();
    a_stack_with_two_failed_events(&moto).await;
    let home = tempfile::tempdir().unwrap();
    let mut child = spawn_evrelay_with(
        &moto,
        home.path(),
        &["--stack", "top", "top", "--interval", "1s"],
        Stdio::piped(),
    );
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    // When, the stack, the verdict, the queues now, the log lines this refresh read first.
    assert!(
        first.ends_with(" top: failing: 12 errors in the last 5 min · DLQ 2 · 2 new log lines"),
        "{first}"
    );
    let second = lines.next().unwrap().unwrap();
    assert!(second.ends_with(" · DLQ 2 · 0 new log lines"), "{second}");
    interrupt(&child);
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

#[test]
fn an_interval_below_a_second_is_a_usage_error() {
    let moto = Moto::start();
    let out = moto
        .evrelay()
        .args(["top", "--interval", "500ms"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("`500ms` is below 1 s"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn a_missing_stack_is_named() {
    let moto = Moto::start();
    let out = moto
        .evrelay()
        .args(["--stack", "nothere", "top"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("stack `nothere` not found"), "{err}");
}

/// The pane's text now.
fn capture(socket: &str) -> String {
    let out = StdCommand::new("tmux")
        .args(["-L", socket, "capture-pane", "-p", "-t", "top"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn wait_for_pane(socket: &str, what: &str) -> String {
    wait_for_frame(socket, what, |pane| pane.contains(what))
}

/// tmux may be captured while a frame is half drawn, so a frame is judged only
/// once it is whole; a wrong frame shows as the last one seen at the deadline.
fn wait_for_frame(socket: &str, what: &str, whole: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let pane = capture(socket);
        if whole(&pane) {
            return pane;
        }
        if Instant::now() >= deadline {
            let _ = StdCommand::new("tmux")
                .args(["-L", socket, "kill-server"])
                .status();
            panic!("{what} never showed:\n{pane}");
        }
        std::thread::yield_now();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn on_a_terminal_the_dashboard_draws_and_q_quits_restoring_the_terminal() {
    if StdCommand::new("tmux").arg("-V").output().is_err() {
        eprintln!("skipped: tmux is not installed, so no real terminal to draw on");
        return;
    }
    let moto = Moto::start();
    a_stack_with_two_failed_events(&moto).await;
    let home = tempfile::tempdir().unwrap();
    let socket = format!("evrelay-top-{}", std::process::id());
    let bin = assert_cmd::cargo::cargo_bin("evrelay");
    let script = format!(
        "{} --stack top top --interval 1s; echo \"top exited $?\"; sleep 60",
        bin.display()
    );
    let mut cmd = StdCommand::new("tmux");
    cmd.args([
        "-L",
        &socket,
        "-f",
        "/dev/null",
        "new-session",
        "-d",
        "-s",
        "top",
        "-x",
        "120",
        "-y",
        "40",
    ]);
    for (k, v) in [
        ("AWS_ENDPOINT_URL", moto.endpoint.as_str()),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", REGION),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        (
            "AWS_CONFIG_FILE",
            &home.path().join("config").display().to_string(),
        ),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            &home.path().join("credentials").display().to_string(),
        ),
        ("HOME", &home.path().display().to_string()),
    ] {
        cmd.args(["-e", &format!("{k}={v}")]);
    }
    std::fs::write(home.path().join("config"), "").unwrap();
    std::fs::write(home.path().join("credentials"), "").unwrap();
    assert!(cmd.arg(&script).status().unwrap().success());
    let kill = || {
        let _ = StdCommand::new("tmux")
            .args(["-L", &socket, "kill-server"])
            .status();
    };

    // The first refresh's frame (before it, the frame says it is reading).
    wait_for_frame(&socket, "the first refresh's whole frame", |pane| {
        let rows: Vec<&str> = pane.lines().collect();
        rows.len() > 1
            && rows[0].starts_with("evrelay top · top · last 1h · every 1s")
            && rows[1].starts_with("failing: 12 errors")
            && pane.contains("relay_errors  12")
            && pane.contains("{\"request-id\":\"ev-2\",\"status\":500}")
    });
    StdCommand::new("tmux")
        .args(["-L", &socket, "send-keys", "-t", "top", "q"])
        .status()
        .unwrap();
    let after = wait_for_pane(&socket, "top exited");
    kill();
    assert!(after.contains("top exited 0"), "{after}");
    // The alternate screen is gone: the dashboard no longer shows.
    assert!(!after.contains("Relay log"), "{after}");
}
