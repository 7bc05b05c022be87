//! `send --rate N/s` for load tests: events leave on a schedule (a lower bound on the time the
//! send takes, by construction), the report gives the rate asked for and kept, throttled
//! entries and retries; a rate of zero, or `--duration` alone, is a usage error.

use serde_json::Value;

use crate::harness::{stdout_json, Moto};
use crate::ops_fixtures::{clients, create_bus};

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

async fn paced_send(moto: &Moto, args: &[&str]) -> Value {
    let out = moto
        .evrelay()
        .args(["--stack", "rate", "--output", "json", "send"])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stdout_json(&out)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_steady_rate_spreads_the_events_and_reports_the_rate_kept() {
    let moto = Moto::start();
    let c = clients(&moto).await;
    create_bus(&c.events, "rate-bus").await;

    // 20/s in requests of two: the fifth and last request is due 0.4 s after the first.
    let report = paced_send(&moto, &["--rate", "20/s", "--count", "10"]).await;
    let s = &report["summary"];
    assert_eq!(
        (s["events"].as_u64(), s["sent"].as_u64()),
        (Some(10), Some(10))
    );
    assert!(s["elapsed_ms"].as_u64().unwrap() >= 400, "{s}");
    assert_eq!(s["rate"]["target_per_second"], 20.0);
    let kept = s["rate"]["achieved_per_second"].as_f64().unwrap();
    assert!(kept > 0.0 && kept <= 20.0, "never faster than asked: {s}");
    assert_eq!(
        (
            s["throttled_entries"].as_u64(),
            s["throttled_requests"].as_u64(),
            s["retries"].as_u64()
        ),
        (Some(0), Some(0), Some(0))
    );

    // --duration: rate × duration events, the last due 0.9 s in.
    let report = paced_send(&moto, &["--rate", "10/s", "--duration", "1s"]).await;
    let s = &report["summary"];
    assert_eq!(s["sent"].as_u64(), Some(10), "{s}");
    assert!(s["elapsed_ms"].as_u64().unwrap() >= 900, "{s}");
    // The rate over time: each second's accepted events, adding up to all of them.
    let each: Vec<u64> = s["accepted_each_second"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_u64().unwrap())
        .collect();
    assert_eq!(each.iter().sum::<u64>(), 10, "{s}");

    // The table's summary names each rate once, on one line.
    let out = moto
        .evrelay()
        .args(["--stack", "rate", "send", "--rate", "20/s", "--count", "4"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("\nRate: asked 20/s; issued "), "{text}");
    assert!(text.contains("/s; accepted "), "{text}");
    assert!(
        !text.contains("events/s)"),
        "no second, unnamed rate: {text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_zero_rate_and_a_duration_without_rate_are_usage_errors() {
    let moto = Moto::start();
    for (args, names) in [
        (&["--rate", "0/s"][..], "0/s"),
        (&["--rate", "fast"], "fast"),
        (&["--duration", "5s"], "--rate"),
        (
            &["--rate", "5/s", "--duration", "5s", "--count", "3"],
            "--count",
        ),
    ] {
        let out = moto
            .evrelay()
            .args(["--stack", "rate", "send"])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(names), "{args:?}: {}", stderr(&out));
    }
}
