//! `send`'s summary: counts, rates, throttles and retries, and the response latencies as
//! percentiles (the numbers; [`super::charts`] draws them).

use serde::Serialize;

use crate::aws::eventbridge::signing::Signature;
use crate::printer::Style;

use super::super::waiter::Response;
use super::charts::{histogram, LatencyBucket};
use super::SendReport;

#[derive(Debug, Serialize)]
pub(in crate::commands::send) struct Summary {
    pub events: usize,
    pub sent: usize,
    pub failed: usize,
    pub elapsed_ms: u64,
    pub events_per_second: f64,
    /// Entries a 200 PutEvents answer said were throttled, at least once (each retried).
    pub throttled_entries: usize,
    /// PutEvents requests EventBridge refused whole as throttled (each retried, its entries
    /// with it): counted by evrelay, which makes every PutEvents retry itself.
    pub throttled_requests: u64,
    /// PutEvents attempts beyond each entry's first.
    pub retries: u64,
    /// `--rate` only: the rate asked for and the rate issued.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate: Option<RateSummary>,
    /// Events accepted in each second of the run, from its start (the rate over time; the
    /// last second may be partial).
    pub accepted_each_second: Vec<u64>,
    /// Through a global endpoint: how long the SDK took to sign the requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing: Option<SigningSummary>,
}

/// The signatures of a send's requests: the algorithm (SigV4a through a global endpoint) and
/// the time the SDK spent signing, per request, in microseconds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(in crate::commands::send) struct SigningSummary {
    /// `SigV4a` (or, if the SDK signed otherwise, what it used; several: joined with `+`).
    pub algorithm: String,
    pub requests: usize,
    pub p50_us: u64,
    pub p99_us: u64,
    pub max_us: u64,
    pub total_ms: f64,
}

impl SigningSummary {
    pub(in crate::commands::send) fn of(signatures: &[Signature]) -> Option<Self> {
        let mut algorithms: Vec<&str> = signatures.iter().map(|s| s.algorithm.as_str()).collect();
        algorithms.sort_unstable();
        algorithms.dedup();
        let micros: Vec<u64> = signatures
            .iter()
            .map(|s| s.took.as_micros() as u64)
            .collect();
        let total: u64 = micros.iter().sum();
        let p = Percentiles::of(micros)?;
        Some(Self {
            algorithm: algorithms.join("+"),
            requests: signatures.len(),
            p50_us: p.p50,
            p99_us: p.p99,
            max_us: p.max,
            total_ms: (total as f64 / 100.0).round() / 10.0,
        })
    }

    fn line(&self) -> String {
        format!(
            "Signing: {} for {}: p50 {} µs, p99 {} µs, max {} µs ({} ms in all).",
            self.algorithm,
            plural(self.requests, "request"),
            self.p50_us,
            self.p99_us,
            self.max_us,
            self.total_ms
        )
    }
}

#[derive(Debug, Serialize)]
pub(in crate::commands::send) struct RateSummary {
    pub target_per_second: f64,
    /// The schedule kept: entries issued per second, accepted or not (vegeta's "rate"); the
    /// accepted ones per second are `events_per_second` (its "throughput").
    pub achieved_per_second: f64,
}

pub(in crate::commands::send) fn one_decimal(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

#[derive(Debug, Serialize)]
pub(in crate::commands::send) struct ResponseSummary {
    pub expected: usize,
    pub received: usize,
    pub missing: usize,
    round_trip_ms: Option<Percentiles>,
    relay_latency_ms: Option<Percentiles>,
    /// The round trips' distribution: how many fell in each log-spaced bucket.
    pub round_trip_histogram: Vec<LatencyBucket>,
    pub relay_latency_histogram: Vec<LatencyBucket>,
}

impl ResponseSummary {
    pub(super) fn of(expected: usize, got: &[&Response]) -> Self {
        let round_trips: Vec<u64> = got.iter().map(|r| r.round_trip_ms).collect();
        let relay: Vec<u64> = got.iter().filter_map(|r| r.relay_latency_ms).collect();
        Self {
            expected,
            received: got.len(),
            missing: expected - got.len(),
            round_trip_histogram: histogram(&round_trips),
            relay_latency_histogram: histogram(&relay),
            round_trip_ms: Percentiles::of(round_trips),
            relay_latency_ms: Percentiles::of(relay),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Percentiles {
    p50: u64,
    p90: u64,
    p99: u64,
    max: u64,
}

impl Percentiles {
    /// Nearest-rank percentiles.
    fn of(mut values: Vec<u64>) -> Option<Self> {
        if values.is_empty() {
            return None;
        }
        values.sort_unstable();
        let rank = |p: f64| {
            values[((p / 100.0 * values.len() as f64).ceil() as usize).clamp(1, values.len()) - 1]
        };
        Some(Self {
            p50: rank(50.0),
            p90: rank(90.0),
            p99: rank(99.0),
            max: values[values.len() - 1],
        })
    }

    fn line(&self) -> String {
        format!(
            "p50 {} ms, p90 {} ms, p99 {} ms, max {} ms",
            self.p50, self.p90, self.p99, self.max
        )
    }
}

fn plural(n: usize, what: &str) -> String {
    match (n, what.strip_suffix('y')) {
        (1, _) => format!("1 {what}"),
        (_, Some(stem)) => format!("{n} {stem}ies"),
        _ => format!("{n} {what}s"),
    }
}

/// `--rate`'s one line: the rate asked for, the rate requests went out at (the schedule kept)
/// and the rate EventBridge accepted events at over the whole run (the last answers included).
fn rate_line(rate: &RateSummary, s: &Summary) -> String {
    format!(
        "Rate: asked {}/s; issued {}/s; accepted {}/s; {}, {}.",
        rate.target_per_second,
        rate.achieved_per_second,
        s.events_per_second,
        throttles(s),
        plural(s.retries as usize, "retry")
    )
}

/// Both kinds of throttle, apart: requests refused whole, entries refused inside a 200 answer.
fn throttles(s: &Summary) -> String {
    format!(
        "{} throttled whole, {} throttled",
        plural(s.throttled_requests as usize, "request"),
        plural(s.throttled_entries, "entry")
    )
}

/// The summary's lines, as a person reads them.
pub(super) fn text(report: &SendReport, style: &Style) -> String {
    let s = &report.summary;
    let what = if s.sent == s.events {
        plural(s.events, "event")
    } else {
        format!("{} of {}", s.sent, plural(s.events, "event"))
    };
    // With --rate the rates get a line of their own, each named: the accepted rate over the
    // whole run beside "kept" read as if the schedule had slipped.
    let accepted = match &s.rate {
        Some(_) => String::new(),
        None => format!(" ({} events/s)", s.events_per_second),
    };
    let through = match &report.endpoint {
        Some(e) => match &e.name {
            Some(name) => format!(" through global endpoint `{name}` ({})", e.id),
            None => format!(" through global endpoint {}", e.id),
        },
        None => String::new(),
    };
    let mut summary = format!(
        "Sent {what} to `{}`{through} in {:.2} s{accepted}",
        report.bus,
        s.elapsed_ms as f64 / 1000.0,
    );
    if s.failed > 0 {
        summary.push_str(&format!(
            "; {}",
            style.red(&format!("{} refused", s.failed))
        ));
    }
    summary.push('.');
    if let Some(rate) = &s.rate {
        summary.push_str(&format!("\n{}", rate_line(rate, s)));
    } else if s.retries > 0 {
        summary.push_str(&format!(
            "\nRetried: {} ({}).",
            plural(s.retries as usize, "retry"),
            throttles(s)
        ));
    }
    if let Some(signing) = &s.signing {
        summary.push_str(&format!("\n{}", signing.line()));
    }
    if let Some(r) = report
        .responses
        .as_ref()
        .filter(|_| report.events.len() > 1)
    {
        summary.push_str(&format!("\nResponses: {} of {}.", r.received, r.expected));
        if let Some(p) = &r.round_trip_ms {
            summary.push_str(&format!("\nRound trip: {}.", p.line()));
        }
        if let Some(p) = &r.relay_latency_ms {
            summary.push_str(&format!("\nRelay latency: {}.", p.line()));
        }
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::printer::Report;

    fn report(rate: Option<RateSummary>) -> SendReport {
        SendReport {
            bus: "relay-bus".into(),
            events: Vec::new(),
            summary: Summary {
                events: 100,
                sent: 100,
                failed: 0,
                elapsed_ms: 1670,
                events_per_second: 59.9,
                throttled_entries: 1,
                throttled_requests: 2,
                retries: 3,
                rate,
                accepted_each_second: Vec::new(),
                signing: None,
            },
            endpoint: None,
            responses: None,
            diagnosis: None,
        }
    }

    #[test]
    fn a_paced_send_names_each_rate_once() {
        let text = report(Some(RateSummary {
            target_per_second: 100.0,
            achieved_per_second: 100.0,
        }))
        .render(&Style { color: false });
        assert_eq!(
            text,
            "Sent 100 events to `relay-bus` in 1.67 s.\n\
             Rate: asked 100/s; issued 100/s; accepted 59.9/s; 2 requests throttled whole, \
             1 entry throttled, 3 retries."
        );
        let plain = report(None).render(&Style { color: false });
        assert_eq!(
            plain,
            "Sent 100 events to `relay-bus` in 1.67 s (59.9 events/s).\n\
             Retried: 3 retries (2 requests throttled whole, 1 entry throttled)."
        );
    }

    #[test]
    fn a_send_through_an_endpoint_names_it_and_its_signing_time() {
        let mut r = report(None);
        r.summary.retries = 0;
        r.endpoint = Some(crate::commands::send::global::EndpointUsed {
            name: Some("orders".into()),
            id: "abcde12345.veo".into(),
            primary_region: "us-east-1".into(),
            secondary_region: Some("us-west-2".into()),
        });
        let sig = |us: u64| Signature {
            algorithm: "SigV4a".into(),
            took: std::time::Duration::from_micros(us),
        };
        r.summary.signing = SigningSummary::of(&[sig(900), sig(1100), sig(4000)]);
        assert_eq!(
            r.render(&Style { color: false }),
            "Sent 100 events to `relay-bus` through global endpoint `orders` (abcde12345.veo) in 1.67 s (59.9 events/s).\n\
             Signing: SigV4a for 3 requests: p50 1100 µs, p99 4000 µs, max 4000 µs (6 ms in all)."
        );
        assert!(SigningSummary::of(&[]).is_none());
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let p = Percentiles::of((1..=100).collect()).unwrap();
        assert_eq!(
            p,
            Percentiles {
                p50: 50,
                p90: 90,
                p99: 99,
                max: 100
            }
        );
        assert_eq!(
            [plural(1, "entry"), plural(2, "entry"), plural(0, "event")],
            ["1 entry", "2 entries", "0 events"]
        );
        let p = Percentiles::of(vec![7]).unwrap();
        assert_eq!((p.p50, p.p99, p.max), (7, 7, 7));
        assert!(Percentiles::of(Vec::new()).is_none());
    }
}
