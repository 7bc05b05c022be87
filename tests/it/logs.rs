//! `evrelay logs`: both log groups interleaved by time, one source, a filter, JSON lines, a
//! missing group, and `--follow` (live tail where it works, polling where it does not) ended by
//! Ctrl-C.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use predicates::prelude::*;
use serde_json::Value;

use crate::harness::Moto;
use crate::ops_fixtures::*;

const RELAY: &str = "/aws/lambda/lg-relay";
const EVENTS: &str = "/aws/events/evrelay/lg";

/// Relay lines at t0, t0+2 s, t0+4 s; bus events at t0+1 s, t0+3 s (five minutes ago).
async fn seed(c: &Clients) -> i64 {
    let t0 = now_ms() - 300_000;
    let pretty =
        "{\n  \"event-id\": \"e-1\",\n  \"status\": 200,\n  \"outcome\": \"delivered\"\n}\n";
    put_logs(
        &c.logs,
        RELAY,
        "2026/11/24/[$LATEST]a",
        &[
            (t0, "START RequestId: r-1 Version: $LATEST\n"),
            (t0 + 2000, pretty),
            (t0 + 4000, "END RequestId: r-1\n"),
        ],
    )
    .await;
    put_logs(
        &c.logs,
        EVENTS,
        "ev-1",
        &[(
            t0 + 1000,
            r#"{"id":"ev-1","detail-type":"inbound-event-sent"}"#,
        )],
    )
    .await;
    put_logs(
        &c.logs,
        EVENTS,
        "ev-2",
        &[(
            t0 + 3000,
            r#"{"id":"ev-2","detail-type":"outbound-event-sent"}"#,
        )],
    )
    .await;
    t0
}

fn stdout(out: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&out.get_output().stdout).to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn both_groups_interleaved_by_time() {
    let moto = Moto::start();
    let c = clients(&moto).await;
    seed(&c).await;
    let out = moto
        .evrelay()
        .args(["--stack", "lg", "logs", "--since", "10m"])
        .assert()
        .success();
    let text = stdout(&out);
    crate::snap::settings().bind(|| insta::assert_snapshot!("logs_interleaved", text));
    let sources: Vec<&str> = text
        .lines()
        .map(|l| l.split_whitespace().nth(1).unwrap())
        .collect();
    assert_eq!(sources, vec!["relay", "events", "relay", "events", "relay"]);
    let times: Vec<&str> = text
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "sorted by time: {times:?}"
    );

    // A window that excludes them.
    moto.evrelay()
        .args(["--stack", "lg", "logs", "--since", "1m"])
        .assert()
        .success()
        .stdout("");
}

#[tokio::test(flavor = "multi_thread")]
async fn one_source_a_filter_and_json_lines() {
    let moto = Moto::start();
    let c = clients(&moto).await;
    let t0 = seed(&c).await;
    let out = moto
        .evrelay()
        .args(["--stack", "lg", "logs", "--source", "events"])
        .assert()
        .success();
    assert_eq!(stdout(&out).lines().count(), 2);
    assert!(stdout(&out).lines().all(|l| l.contains("  events  ")));
    let out = moto
        .evrelay()
        .args(["--stack", "lg", "logs", "--source", "relay"])
        .assert()
        .success();
    assert_eq!(stdout(&out).lines().count(), 3);

    let out = moto
        .evrelay()
        .args(["--stack", "lg", "logs", "--filter", "delivered"])
        .assert()
        .success();
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.contains(r#"{"event-id":"e-1","status":200,"outcome":"delivered"}"#),
        "compacted: {text}"
    );

    // --since as an RFC 3339 time, and JSON lines with messages parsed when they are JSON.
    let since = time::OffsetDateTime::from_unix_timestamp(t0 / 1000 - 1).unwrap();
    let since = since
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let out = moto
        .evrelay()
        .args([
            "--stack", "lg", "--output", "json", "logs", "--since", &since,
        ])
        .assert()
        .success();
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[0]["source"], "relay");
    assert_eq!(lines[0]["stream"], "2026/11/24/[$LATEST]a");
    assert_eq!(lines[0]["message"], "START RequestId: r-1 Version: $LATEST");
    assert_eq!(lines[1]["source"], "events");
    assert_eq!(lines[2]["message"]["outcome"], "delivered");
    // The ids under the names `send` and `dlq` use: the bus's line carries the EventBridge id,
    // the relay's line the detail's event-id.
    assert_eq!(lines[1]["event_id"], "ev-1");
    assert_eq!(lines[2]["detail_event_id"], "e-1");
    assert!(lines[0].get("event_id").is_none());
    assert!(lines[0]["time"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_group_is_a_note_and_bad_since_a_usage_error() {
    let moto = Moto::start();
    let c = clients(&moto).await;
    put_logs(
        &c.logs,
        "/aws/lambda/mg-relay",
        "s",
        &[(now_ms() - 1000, "hello")],
    )
    .await;
    moto.evrelay()
        .args(["--stack", "mg", "logs"])
        .assert()
        .success()
        .stdout(predicate::str::contains("relay   hello"))
        .stderr(predicate::str::contains(
            "log group `/aws/events/evrelay/mg` does not exist yet",
        ));
    moto.evrelay()
        .args(["--stack", "mg", "logs", "--since", "last tuesday"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("last tuesday"));
}

/// `--follow` prints each new line once, also lines that arrive late with an older timestamp
/// (the bus's group lagging the relay's; a relay stream flushing after another), and ends
/// normally on Ctrl-C. evrelay listens for Ctrl-C before it prints its first line, so the
/// history appearing is the readiness signal: no sleep before the signal.
#[tokio::test(flavor = "multi_thread")]
async fn follow_prints_new_and_late_lines_once_and_ends_on_ctrl_c() {
    let moto = Moto::start();
    let c = clients(&moto).await;
    seed(&c).await;
    let home = tempfile::tempdir().unwrap();
    let mut child = spawn_evrelay_with(
        &moto,
        home.path(),
        &["--stack", "lg", "logs", "--follow"],
        Stdio::piped(),
    );
    let (tx, rx) = mpsc::channel();
    let reader = BufReader::new(child.stdout.take().unwrap());
    std::thread::spawn(move || {
        for line in reader.lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let collect_until = |want: &str, lines: &mut Vec<String>| {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if lines.iter().any(|l| l.contains(want)) {
                return;
            }
            if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
                lines.push(line);
            }
        }
        panic!("`{want}` did not appear; got {lines:?}");
    };
    let mut lines = Vec::new();
    collect_until("END RequestId: r-1", &mut lines); // the history first

    let t = now_ms();
    put_logs(
        &c.logs,
        RELAY,
        "2026/11/24/[$LATEST]b",
        &[(t, "a new relay line")],
    )
    .await;
    collect_until("a new relay line", &mut lines);
    // Older than the relay's newest line, arriving after it: one in the bus's group, one in
    // another stream of the relay's.
    put_logs(&c.logs, EVENTS, "ev-3", &[(t - 5_000, r#"{"id":"ev-3"}"#)]).await;
    put_logs(
        &c.logs,
        RELAY,
        "2026/11/24/[$LATEST]c",
        &[(t - 2_000, "a late relay line")],
    )
    .await;
    collect_until(r#"{"id":"ev-3"}"#, &mut lines);
    collect_until("a late relay line", &mut lines);
    // A last line: by the time it shows, every earlier line has been polled again.
    put_logs(
        &c.logs,
        RELAY,
        "2026/11/24/[$LATEST]d",
        &[(now_ms(), "the last line")],
    )
    .await;
    collect_until("the last line", &mut lines);
    lines.extend(rx.try_iter());
    for once in [
        "a new relay line",
        "a late relay line",
        r#"{"id":"ev-3"}"#,
        "END RequestId: r-1",
    ] {
        assert_eq!(
            lines.iter().filter(|l| l.contains(once)).count(),
            1,
            "`{once}` once: {lines:?}"
        );
    }
    assert_eq!(lines.len(), 9, "{lines:?}");

    // Ctrl-C ends a follow normally.
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{status:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn until_closes_the_window_and_must_come_after_since() {
    let moto = Moto::start();
    let c = clients(&moto).await;
    let t0 = seed(&c).await;
    // The seeded lines sit at t0 .. t0 + 4 s: a window ending at t0 + 2.5 s keeps the first
    // three (t0, t0 + 1 s, t0 + 2 s) of the five.
    let until = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(t0 + 2500) * 1_000_000)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let out = moto
        .evrelay()
        .args(["--stack", "lg", "logs", "--since", "1h", "--until", &until])
        .assert()
        .success();
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(!text.contains("END RequestId"), "{text}");

    for bad in [
        vec!["logs", "--since", "10m", "--until", "1h"],
        vec!["logs", "--until", "soon"],
        vec!["logs", "--until", "5m", "--follow"],
    ] {
        let out = moto
            .evrelay()
            .args(["--stack", "lg"])
            .args(&bad)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
    }
}
