//! One line that says how the relay is doing, the worst signal first: "failing: 12 errors in
//! the last 5 min, DLQ 12, oldest 4 min", "healthy: 340 delivered, p99 220 ms", "no traffic yet".

use serde::Serialize;

use super::{Series, Window};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Events are failing now (in the recent span): errors, failed rule invocations, events
    /// dropped or lost on the way to the DLQ.
    Failing,
    /// Nothing failing now, but something needs a look: throttles, events waiting long for
    /// the relay, failed events in the DLQ, errors earlier in the window.
    Degraded,
    Healthy,
    /// Metrics exist (queues report their depth) but no event came in the window.
    Idle,
    /// Every series empty: a new relay. Not an error.
    NoTrafficYet,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    pub state: State,
    pub line: String,
    /// The signal the line starts with (null when healthy or without traffic).
    pub worst: Option<&'static str>,
}

/// Events that fail now, worst first, with the noun the line counts them in.
const FAILURES: [(&str, &str); 9] = [
    ("relay_errors", "errors"),
    // Buffered delivery reports failed events as batch item failures, not function errors.
    ("delivery_failed", "failed deliveries"),
    ("endpoint_5xx", "endpoint 5xx answers"),
    ("endpoint_4xx", "endpoint 4xx answers"),
    (
        "endpoint_no_response",
        "requests the endpoint never answered",
    ),
    ("inbound_rule_failed", "failed rule invocations"),
    ("async_events_dropped", "events dropped"),
    (
        "destination_delivery_failures",
        "destination delivery failures",
    ),
    ("response_rule_failed", "failed response deliveries"),
];

/// Events waiting longer than this for the relay (AsyncEventAge) are worth a look: Lambda's
/// own retries back off from a minute (invocation-async-error-handling), so an age above it
/// means retries or throttling, not a busy moment.
const SLOW_AGE_MS: f64 = 60_000.0;

pub fn verdict(all: &[Series], w: &Window) -> Verdict {
    if all.iter().all(Series::is_empty) {
        return Verdict {
            state: State::NoTrafficYet,
            line: "no traffic yet".into(),
            worst: None,
        };
    }
    let get = |name: &str| all.iter().find(|s| s.signal.name == name);
    let recent = w.recent_from();
    let span = w.recent_span();
    let recent_sum = |name: &str| get(name).map_or(0.0, |s| s.sum_since(recent));
    let latest = |name: &str| get(name).and_then(Series::latest).unwrap_or(0.0);

    let mut failing: Vec<(&'static str, String)> = Vec::new();
    for (name, noun) in FAILURES {
        let n = recent_sum(name);
        // Direct delivery fails an event by failing the invocation: the same events twice.
        let counted = name == "delivery_failed" && recent_sum("relay_errors") > 0.0;
        if n > 0.0 && !counted {
            let when = if failing.is_empty() {
                format!(" in the last {span}")
            } else {
                String::new()
            };
            failing.push((name, format!("{} {noun}{when}", num(n))));
        }
    }
    let mut queues: Vec<(&'static str, String)> = Vec::new();
    let dlq = latest("dlq_messages");
    if dlq > 0.0 {
        let oldest = latest("dlq_oldest_age");
        let mut part = format!("DLQ {}", num(dlq));
        if oldest > 0.0 {
            part.push_str(&format!(", oldest {}", age(oldest)));
        }
        queues.push(("dlq_messages", part));
    }
    let buffered = latest("buffer_messages");
    let buffer_age = latest("buffer_oldest_age");
    if buffered > 0.0 && buffer_age * 1000.0 > SLOW_AGE_MS {
        queues.push((
            "buffer_oldest_age",
            format!(
                "buffer {} waiting, oldest {}",
                num(buffered),
                age(buffer_age)
            ),
        ));
    }
    if !failing.is_empty() {
        return said(State::Failing, failing.into_iter().chain(queues).collect());
    }
    let mut degraded: Vec<(&'static str, String)> = Vec::new();
    let throttles = recent_sum("relay_throttles");
    if throttles > 0.0 {
        degraded.push((
            "relay_throttles",
            format!("{} throttles in the last {span}", num(throttles)),
        ));
    }
    if let Some(ms) = get("async_event_age")
        .and_then(|s| s.max_since(recent))
        .filter(|ms| *ms > SLOW_AGE_MS)
    {
        degraded.push((
            "async_event_age",
            format!("events wait up to {} for the relay", age(ms / 1000.0)),
        ));
    }
    degraded.extend(queues);
    let errors = get("relay_errors").map_or(0.0, Series::total);
    if errors > 0.0 {
        degraded.push((
            "relay_errors",
            format!(
                "{} errors earlier in the last {} (none in the last {span})",
                num(errors),
                w.length()
            ),
        ));
    }
    if !degraded.is_empty() {
        return said(State::Degraded, degraded);
    }
    healthy(all, w)
}

fn healthy(all: &[Series], w: &Window) -> Verdict {
    let get = |name: &str| all.iter().find(|s| s.signal.name == name);
    let total = |name: &str| get(name).map_or(0.0, Series::total);
    // The relay's own count of delivered events is what "delivered" means; without it (a
    // relay from before its metrics), successful invocations.
    let endpoint = get("delivered").filter(|s| !s.is_empty());
    let (n, noun) = match endpoint {
        Some(s) => (s.total(), "delivered"),
        None => (
            (total("relay_invocations") - total("relay_errors")).max(0.0),
            "relay invocations",
        ),
    };
    if n == 0.0 && total("inbound_rule_matched") == 0.0 {
        return Verdict {
            state: State::Idle,
            line: format!("idle: no events in the last {}", w.length()),
            worst: None,
        };
    }
    let mut line = format!("healthy: {} {noun}", num(n));
    let p99 = ["delivery_latency_p99", "relay_duration_p99"]
        .iter()
        .find_map(|name| get(name).and_then(Series::max));
    if let Some(p99) = p99 {
        line.push_str(&format!(", p99 {} ms", num(p99)));
    }
    Verdict {
        state: State::Healthy,
        line,
        worst: None,
    }
}

fn said(state: State, parts: Vec<(&'static str, String)>) -> Verdict {
    let word = match state {
        State::Failing => "failing",
        _ => "degraded",
    };
    Verdict {
        state,
        worst: parts.first().map(|(name, _)| *name),
        line: format!(
            "{word}: {}",
            parts
                .into_iter()
                .map(|(_, p)| p)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A count or a time in milliseconds as a whole number (CloudWatch sums are floats).
pub fn num(v: f64) -> String {
    format!("{}", v.round() as i64)
}

/// Seconds as an operator reads an age: `45 s`, `4 min`, `3 h`, `2 d`.
pub fn age(secs: f64) -> String {
    let s = secs.round() as i64;
    if s < 120 {
        format!("{s} s")
    } else if s < 120 * 60 {
        format!("{} min", s / 60)
    } else if s < 48 * 3600 {
        format!("{} h", s / 3600)
    } else {
        format!("{} d", s / 86400)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::health::{signals, window::window};
    use crate::names::RelayNames;
    use std::time::Duration;

    const NOW: i64 = 1_800_000_000; // on a minute

    fn w() -> Window {
        window(Duration::from_secs(3600), None, NOW).unwrap()
    }

    /// Every signal of a direct stack, with `points` for the named ones (minutes before the
    /// window's end, value).
    fn stack(points: &[(&str, &[(i64, f64)])]) -> Vec<Series> {
        signals(&RelayNames::new("s"), false)
            .into_iter()
            .map(|signal| {
                let points = points
                    .iter()
                    .filter(|(n, _)| *n == signal.name)
                    .flat_map(|(_, p)| p.iter().map(|(m, v)| (NOW - m * 60, *v)))
                    .collect();
                Series { signal, points }
            })
            .collect()
    }

    #[test]
    fn a_new_stack_has_no_traffic_yet() {
        let v = verdict(&stack(&[]), &w());
        assert_eq!(v.state, State::NoTrafficYet);
        assert_eq!(v.line, "no traffic yet");
    }

    #[test]
    fn recent_errors_fail_and_the_dlq_is_named_with_its_oldest() {
        let v = verdict(
            &stack(&[
                ("relay_errors", &[(2, 5.0), (1, 7.0)]),
                ("dlq_messages", &[(2, 3.0), (1, 12.0)]),
                ("dlq_oldest_age", &[(1, 240.0)]),
                ("relay_invocations", &[(1, 20.0)]),
            ]),
            &w(),
        );
        assert_eq!(v.state, State::Failing);
        assert_eq!(v.worst, Some("relay_errors"));
        assert_eq!(
            v.line,
            "failing: 12 errors in the last 5 min, DLQ 12, oldest 4 min"
        );
    }

    #[test]
    fn failed_deliveries_are_not_counted_again_beside_the_errors_they_caused() {
        let failing = |points: &[(&str, &[(i64, f64)])]| verdict(&stack(points), &w()).line;
        assert_eq!(
            failing(&[
                ("relay_errors", &[(1, 3.0)]),
                ("delivery_failed", &[(1, 3.0)]),
                ("endpoint_5xx", &[(1, 3.0)]),
            ]),
            "failing: 3 errors in the last 5 min, 3 endpoint 5xx answers"
        );
        // Buffered: the failed events are batch item failures, the invocation succeeds.
        assert_eq!(
            failing(&[("delivery_failed", &[(1, 2.0)]), ("endpoint_no_response", &[(1, 2.0)])]),
            "failing: 2 failed deliveries in the last 5 min, 2 requests the endpoint never answered"
        );
    }

    #[test]
    fn old_errors_and_a_full_dlq_are_degraded_not_failing() {
        let v = verdict(
            &stack(&[
                ("relay_errors", &[(40, 3.0)]),
                ("dlq_messages", &[(1, 3.0)]),
                ("relay_invocations", &[(40, 10.0), (1, 10.0)]),
            ]),
            &w(),
        );
        assert_eq!(v.state, State::Degraded);
        assert_eq!(v.worst, Some("dlq_messages"));
        assert_eq!(
            v.line,
            "degraded: DLQ 3, 3 errors earlier in the last 1 h (none in the last 5 min)"
        );
    }

    #[test]
    fn throttles_and_slow_async_events_are_degraded() {
        let v = verdict(
            &stack(&[
                ("relay_throttles", &[(1, 4.0)]),
                ("async_event_age", &[(1, 180_000.0)]),
                ("relay_invocations", &[(1, 10.0)]),
            ]),
            &w(),
        );
        assert_eq!(
            v.line,
            "degraded: 4 throttles in the last 5 min, events wait up to 3 min for the relay"
        );
    }

    #[test]
    fn healthy_counts_the_relay_s_deliveries_and_its_p99() {
        let v = verdict(
            &stack(&[
                ("delivered", &[(30, 140.0), (1, 200.0)]),
                ("delivery_latency_p99", &[(30, 180.0), (1, 220.4)]),
                ("relay_duration_p99", &[(1, 400.0)]),
                ("relay_invocations", &[(1, 340.0)]),
            ]),
            &w(),
        );
        assert_eq!(v.state, State::Healthy);
        assert_eq!(v.line, "healthy: 340 delivered, p99 220 ms");
    }

    #[test]
    fn without_the_relay_s_metrics_healthy_counts_invocations() {
        let v = verdict(
            &stack(&[
                ("relay_invocations", &[(1, 10.0)]),
                ("relay_duration_p99", &[(1, 95.0)]),
            ]),
            &w(),
        );
        assert_eq!(v.line, "healthy: 10 relay invocations, p99 95 ms");
    }

    #[test]
    fn queues_reporting_zero_without_events_are_idle() {
        let v = verdict(&stack(&[("dlq_messages", &[(1, 0.0)])]), &w());
        assert_eq!(v.state, State::Idle);
        assert_eq!(v.line, "idle: no events in the last 1 h");
    }

    #[test]
    fn ages_read_as_an_operator_says_them() {
        assert_eq!(age(45.0), "45 s");
        assert_eq!(age(240.0), "4 min");
        assert_eq!(age(3.0 * 3600.0), "3 h");
        assert_eq!(age(5.0 * 86400.0), "5 d");
    }
}
