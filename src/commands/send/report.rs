//! What `send` shows: one event line by line, or a table (all events up to 20, else only the
//! refused ones), a summary with throughput and response latencies, and the diagnosis of a
//! timeout. `event_id` is the EventBridge id, `detail_event_id` the producer's, as in `dlq`.

use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use crate::aws::eventbridge::EntryOutcome;
use crate::model::text::{or_dash, shorten};
use crate::printer::{Report, Style};

use super::diagnosis::Diagnosis;
use super::input::Planned;
use super::waiter::{Response, Waiter};

#[derive(Debug, Serialize)]
pub(super) struct SendReport {
    pub bus: String,
    pub events: Vec<EventResult>,
    pub summary: Summary,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub responses: Option<ResponseSummary>,
    /// Only when responses timed out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagnosis: Option<Diagnosis>,
}

#[derive(Debug, Serialize)]
pub(super) struct EventResult {
    /// The id EventBridge gave the event (the relay's `request-id`, the DLQ's `event_id`).
    pub event_id: Option<String>,
    /// The detail's `event-id`, when it has one.
    pub detail_event_id: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub attempts: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<Response>,
}

#[derive(Debug, Serialize)]
pub(super) struct Summary {
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
}

#[derive(Debug, Serialize)]
pub(super) struct RateSummary {
    pub target_per_second: f64,
    /// The schedule kept: entries issued per second, accepted or not (vegeta's "rate"); the
    /// accepted ones per second are `events_per_second` (its "throughput").
    pub achieved_per_second: f64,
}

pub(super) fn one_decimal(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

#[derive(Debug, Serialize)]
pub(super) struct ResponseSummary {
    pub expected: usize,
    pub received: usize,
    pub missing: usize,
    round_trip_ms: Option<Percentiles>,
    relay_latency_ms: Option<Percentiles>,
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

pub(super) fn build(
    bus: &str,
    planned: &Planned,
    outcomes: Vec<EntryOutcome>,
    throttled_requests: u64,
    elapsed: Duration,
    waiter: Option<Waiter>,
) -> SendReport {
    let mut responses = waiter.map(|w| std::mem::take(&mut w.lock().responses));
    let throttled_entries = outcomes.iter().filter(|o| o.throttled > 0).count();
    let retries = outcomes
        .iter()
        .map(|o| u64::from(o.attempts.saturating_sub(1)))
        .sum();
    let events: Vec<EventResult> = outcomes
        .into_iter()
        .enumerate()
        .map(|(i, o)| EventResult {
            event_id: o.event_id,
            detail_event_id: planned.detail_event_ids[i].clone(),
            error_code: o.error_code,
            error_message: o.error_message,
            attempts: o.attempts,
            response: responses.as_mut().and_then(|r| r.remove(&i)),
        })
        .collect();
    let sent = events.iter().filter(|e| e.error_code.is_none()).count();
    let summary = Summary {
        events: events.len(),
        sent,
        failed: events.len() - sent,
        elapsed_ms: elapsed.as_millis() as u64,
        events_per_second: if elapsed.is_zero() {
            0.0
        } else {
            one_decimal(sent as f64 / elapsed.as_secs_f64())
        },
        throttled_entries,
        throttled_requests,
        retries,
        rate: None,
    };
    let responses = responses.map(|_| {
        let got: Vec<&Response> = events.iter().filter_map(|e| e.response.as_ref()).collect();
        ResponseSummary {
            expected: sent,
            received: got.len(),
            missing: sent - got.len(),
            round_trip_ms: Percentiles::of(got.iter().map(|r| r.round_trip_ms).collect()),
            relay_latency_ms: Percentiles::of(
                got.iter().filter_map(|r| r.relay_latency_ms).collect(),
            ),
        }
    });
    SendReport {
        bus: bus.to_string(),
        events,
        summary,
        responses,
        diagnosis: None,
    }
}

/// Up to this many events are listed one per row; beyond it, only the refused ones.
const LIST_LIMIT: usize = 20;

fn compact(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        other => other.to_string(),
    }
}

impl SendReport {
    /// The EventBridge ids of accepted events whose response never came.
    pub(super) fn missing_event_ids(&self) -> Vec<String> {
        if self.responses.is_none() {
            return Vec::new();
        }
        self.events
            .iter()
            .filter(|e| e.error_code.is_none() && e.response.is_none())
            .filter_map(|e| e.event_id.clone())
            .collect()
    }

    fn error_cell(e: &EventResult) -> String {
        shorten(
            &format!(
                "{}: {}",
                or_dash(&e.error_code),
                e.error_message.as_deref().unwrap_or("")
            ),
            70,
        )
    }

    fn events_table(&self, style: &Style) -> Option<String> {
        let with_responses = self.responses.is_some();
        let listed: Vec<&EventResult> = if self.events.len() <= LIST_LIMIT {
            self.events.iter().collect()
        } else {
            self.events
                .iter()
                .filter(|e| e.error_code.is_some())
                .take(LIST_LIMIT)
                .collect()
        };
        if listed.is_empty() {
            return None;
        }
        let mut table = if with_responses {
            style.table([
                "event id",
                "detail event id",
                "status",
                "round trip",
                "relay",
                "response",
            ])
        } else {
            style.table(["event id", "detail event id", "result"])
        };
        for e in listed {
            let row = match (&e.error_code, &e.response, with_responses) {
                (Some(_), _, true) => vec![
                    "-".into(),
                    or_dash(&e.detail_event_id),
                    Self::error_cell(e),
                    "-".into(),
                    "-".into(),
                    "-".into(),
                ],
                (Some(_), _, false) => {
                    vec!["-".into(), or_dash(&e.detail_event_id), Self::error_cell(e)]
                }
                (None, _, false) => vec![
                    or_dash(&e.event_id),
                    or_dash(&e.detail_event_id),
                    "sent".into(),
                ],
                (None, Some(r), true) => vec![
                    or_dash(&e.event_id),
                    or_dash(&e.detail_event_id),
                    compact(&r.status),
                    format!("{} ms", r.round_trip_ms),
                    r.relay_latency_ms
                        .map_or("-".into(), |ms| format!("{ms} ms")),
                    shorten(&compact(&r.response), 60),
                ],
                (None, None, true) => vec![
                    or_dash(&e.event_id),
                    or_dash(&e.detail_event_id),
                    style.yellow("no response"),
                    "-".into(),
                    "-".into(),
                    "-".into(),
                ],
            };
            table.add_row(row);
        }
        let title = if self.events.len() > LIST_LIMIT {
            format!("{}\n", style.bold("Refused entries:"))
        } else {
            String::new()
        };
        Some(format!("{title}{table}"))
    }
}

impl SendReport {
    /// One event: its ids and, with --return-response, the endpoint's answer, line by line.
    fn single_event(&self, style: &Style) -> String {
        let e = &self.events[0];
        let mut rows = vec![
            ("event id", or_dash(&e.event_id)),
            ("detail event id", or_dash(&e.detail_event_id)),
        ];
        if e.error_code.is_some() {
            rows.push(("refused", style.red(&Self::error_cell(e))));
        } else if self.responses.is_some() {
            match &e.response {
                Some(r) => {
                    rows.push(("status", compact(&r.status)));
                    rows.push(("round trip", format!("{} ms", r.round_trip_ms)));
                    let relay = r
                        .relay_latency_ms
                        .map_or("-".into(), |ms| format!("{ms} ms"));
                    rows.push(("relay latency", relay));
                    rows.push(("response", compact(&r.response)));
                }
                None => rows.push(("response", style.yellow("none (timed out)"))),
            }
        }
        rows.iter()
            .map(|(k, v)| format!("{} {v}", style.bold(&format!("{k:<16}"))))
            .collect::<Vec<_>>()
            .join("\n")
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

impl Report for SendReport {
    fn render(&self, style: &Style) -> String {
        let mut parts = Vec::new();
        if self.events.len() == 1 {
            parts.push(self.single_event(style));
        } else if let Some(table) = self.events_table(style) {
            parts.push(table);
        }
        let s = &self.summary;
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
        let mut summary = format!(
            "Sent {what} to `{}` in {:.2} s{accepted}",
            self.bus,
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
        if let Some(r) = self.responses.as_ref().filter(|_| self.events.len() > 1) {
            summary.push_str(&format!("\nResponses: {} of {}.", r.received, r.expected));
            if let Some(p) = &r.round_trip_ms {
                summary.push_str(&format!("\nRound trip: {}.", p.line()));
            }
            if let Some(p) = &r.relay_latency_ms {
                summary.push_str(&format!("\nRelay latency: {}.", p.line()));
            }
        }
        parts.push(summary);
        if let Some(d) = &self.diagnosis {
            parts.push(d.render(style));
        }
        parts.join("\n\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            },
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
