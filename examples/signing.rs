//! What SigV4a costs `send --global`: signing one PutEvents request (10 entries, as `send`
//! packs them) with SigV4 and with SigV4a, through the same `aws-sigv4` crate and features the
//! SDK signs with. Prints per-signature times; asserts nothing (timings are the machine's).
//!
//!     cargo run --example signing [-- N]
//!
//! A debug build, as the repository's tests run: absolute numbers are slower than a release
//! build's, the ratio between the two algorithms is the point. SigV4a derives an ECDSA P-256
//! key from the secret key on every signature (aws-sigv4 keeps no cache), so its first
//! signature costs what the others do.

use std::time::{Duration, Instant, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    sign, SignableBody, SignableRequest, SigningParams, SigningSettings,
};
use aws_sigv4::sign::{v4, v4a};
use aws_smithy_runtime_api::client::identity::Identity;

/// A PutEvents body of 10 tutorial events, as `evrelay send --count 10` sends.
fn body() -> String {
    let entry = r#"{"Source":"eventProducerApp","DetailType":"inbound-event-sent","Detail":"{\"event-id\":\"0b6c4a61-6f0e-4b7c-9e3f-2d1f6b5e8a10\"}","EventBusName":"orders-bus"}"#;
    format!(
        r#"{{"Entries":[{}],"EndpointId":"abcde12345.veo"}}"#,
        [entry; 10].join(",")
    )
}

fn sign_once(params: &SigningParams<'_>, body: &[u8]) -> Duration {
    let headers = [
        ("host", "abcde12345.veo.endpoint.events.amazonaws.com"),
        ("content-type", "application/x-amz-json-1.1"),
        ("x-amz-target", "AWSEvents.PutEvents"),
    ];
    let started = Instant::now();
    let request = SignableRequest::new(
        "POST",
        "https://abcde12345.veo.endpoint.events.amazonaws.com/",
        headers.into_iter(),
        SignableBody::Bytes(body),
    )
    .expect("a signable request");
    let out = sign(request, params).expect("signed");
    let took = started.elapsed();
    std::hint::black_box(out);
    took
}

struct Stats {
    n: usize,
    first: Duration,
    p50: Duration,
    p99: Duration,
    mean: Duration,
}

fn measure(params: &SigningParams<'_>, body: &[u8], n: usize) -> Stats {
    let first = sign_once(params, body);
    let mut times: Vec<Duration> = (0..n).map(|_| sign_once(params, body)).collect();
    let mean = times.iter().sum::<Duration>() / n as u32;
    times.sort_unstable();
    let rank = |p: f64| times[((p * n as f64).ceil() as usize).clamp(1, n) - 1];
    Stats {
        n,
        first,
        p50: rank(0.50),
        p99: rank(0.99),
        mean,
    }
}

fn us(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e6)
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2000);
    let identity: Identity = Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        None,
        None,
        "bench",
    )
    .into();
    let body = body();
    let now = SystemTime::now();
    let v4: SigningParams = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("events")
        .time(now)
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let v4a: SigningParams = v4a::SigningParams::builder()
        .identity(&identity)
        .region_set("*")
        .name("events")
        .time(now)
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    println!(
        "Signing one PutEvents request ({} bytes, 10 entries), {} each, debug build:",
        body.len(),
        n
    );
    println!(
        "{:<8} {:>10} {:>10} {:>10} {:>10} {:>8}",
        "", "first µs", "p50 µs", "p99 µs", "mean µs", "N"
    );
    let sigv4 = measure(&v4, body.as_bytes(), n);
    let sigv4a = measure(&v4a, body.as_bytes(), n);
    for (name, s) in [("SigV4", &sigv4), ("SigV4a", &sigv4a)] {
        println!(
            "{name:<8} {:>10} {:>10} {:>10} {:>10} {:>8}",
            us(s.first),
            us(s.p50),
            us(s.p99),
            us(s.mean),
            s.n
        );
    }
    println!(
        "SigV4a / SigV4 at p50: {:.1}×",
        sigv4a.p50.as_secs_f64() / sigv4.p50.as_secs_f64()
    );
}
