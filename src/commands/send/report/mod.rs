//! What `send` shows: one event line by line, or a table (all events up to 20, else only the
//! refused ones), a summary with throughput and response latencies, and the diagnosis of a
//! timeout. `event_id` is the EventBridge id, `detail_event_id` the producer's, as in `dlq`.

use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use crate::aws::eventbridge::EntryOutcome;
use crate::model::text::{or_dash, shorten};
use crate::printer::chart::chart_width;
use crate::printer::{Report, Style};

mod charts;
mod summary;

pub(super) use summary::{one_decimal, RateSummary, SigningSummary};
use summary::{ResponseSummary, Summary};

use super::diagnosis::Diagnosis;
use super::global::EndpointUsed;
use super::input::Planned;
use super::waiter::{Response, Waiter};

#[derive(Debug, Serialize)]
pub(super) struct SendReport {
    pub bus: String,
    /// The global endpoint the events went through (`--global`, `--endpoint-id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<EndpointUsed>,
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

pub(super) fn build(
    bus: &str,
    planned: &Planned,
    outcomes: Vec<EntryOutcome>,
    throttled_requests: u64,
    elapsed: Duration,
    accepted_each_second: Vec<u64>,
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
        accepted_each_second,
        signing: None,
    };
    let responses = responses.map(|_| {
        let got: Vec<&Response> = events.iter().filter_map(|e| e.response.as_ref()).collect();
        ResponseSummary::of(sent, &got)
    });
    SendReport {
        bus: bus.to_string(),
        endpoint: None,
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
        // Through a global endpoint, which Region's relay answered each event.
        let by_region = with_responses && self.endpoint.is_some();
        let mut header = if with_responses {
            vec![
                "event id",
                "detail event id",
                "status",
                "round trip",
                "relay",
                "response",
            ]
        } else {
            vec!["event id", "detail event id", "result"]
        };
        if by_region {
            header.insert(3, "answered by");
        }
        let mut table = style.table(header);
        for e in listed {
            let mut row = match (&e.error_code, &e.response, with_responses) {
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
            if by_region {
                let region = e
                    .response
                    .as_ref()
                    .and_then(|r| r.answered_by_region.clone());
                row.insert(3, or_dash(&region));
            }
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
                    if let Some(region) = &r.answered_by_region {
                        rows.push(("answered by", format!("the relay in {region}")));
                    }
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

impl Report for SendReport {
    fn render(&self, style: &Style) -> String {
        let mut parts = Vec::new();
        if self.events.len() == 1 {
            parts.push(self.single_event(style));
        } else if let Some(table) = self.events_table(style) {
            parts.push(table);
        }
        parts.push(summary::text(self, style));
        if let Some(width) = chart_width() {
            parts.extend(charts::render(self, usize::from(width)));
        }
        if let Some(d) = &self.diagnosis {
            parts.push(d.render(style));
        }
        parts.join("\n\n")
    }
}
