//! `dlq peek`: read up to N messages, show them, leave every one in the queue.

use std::time::Duration;

use serde::Serialize;

use crate::aws::sqs::{self, QueueDepth};
use crate::context::Context;
use crate::error::Result;
use crate::model::dlq_record::{self, DlqRecord, Shape};
use crate::model::text::{count, or_dash, shorten};
use crate::printer::{Report, Style};

use super::sweep::{sweep, Held, Sweep, RECEIVERS};
use super::{warn_release_failures, Queue};

#[derive(Debug, Serialize)]
struct PeekReport {
    queue: String,
    /// `direct` or `buffered`: what the records are (failure records, or the events themselves).
    delivery: String,
    /// The queue's depth before reading.
    depth: QueueDepth,
    records: Vec<DlqRecord>,
    /// Every column and whole reasons (`--wide`); the JSON always has everything.
    #[serde(skip)]
    wide: bool,
}

/// A reason cut at this many characters unless `--wide`.
const REASON_MAX: usize = 160;

pub(super) async fn run(
    ctx: &Context,
    q: &Queue<'_>,
    max: usize,
    wide: bool,
    delivery: &str,
) -> Result<()> {
    let depth = sqs::depth(q.sqs, &q.url).await?;
    let held = Held::default();
    let sweep_opts = Sweep {
        queue: q,
        receivers: max.div_ceil(10).min(RECEIVERS),
        visibility: Duration::from_secs(30),
        limit: Some(max),
        progress: ctx
            .printer
            .progress(depth.visible.min(max as u64), "reading"),
    };
    let result = sweep(&sweep_opts, |batch| {
        let held = &held;
        async move {
            batch.into_iter().for_each(|m| held.insert(m));
            Ok(0)
        }
    })
    .await;
    // Read first, release after: releasing earlier would let the next receive return the same
    // messages again.
    let messages = held.snapshot();
    let mut records: Vec<DlqRecord> = messages.iter().map(dlq_record::parse).collect();
    let release = held.release(q).await;
    result?;
    warn_release_failures(ctx, &release?);
    records.sort_by(|a, b| (&a.time, &a.message_id).cmp(&(&b.time, &b.message_id)));
    records.truncate(max);
    if delivery == "buffered" {
        // The relay tried each event after it reached the buffer (SentTimestamp is kept when
        // SQS moves a message to its DLQ): its logs from then on hold the reasons.
        let since = messages.iter().filter_map(|m| m.sent_timestamp_ms()).min();
        if let Some(since) = since {
            super::reasons::fill(ctx, &mut records, since - 60_000).await;
        }
    }
    ctx.printer.report(&PeekReport {
        delivery: delivery.to_string(),
        queue: q.name.clone(),
        depth,
        records,
        wide,
    })
}

/// Why the event failed, in the operator's words: the relay's error without the event id it
/// repeats (the next column has it), else the condition; an unknown message's body.
fn reason(r: &DlqRecord) -> String {
    if r.shape == Shape::Unknown {
        return format!("not a failure record: {}", r.body.as_deref().unwrap_or(""));
    }
    if r.payload_dropped {
        // No event id to show: the Lambda request id and the time are what name it.
        return format!(
            "unrecoverable, event dropped by Lambda: request {} at {}: {}",
            or_dash(&r.request_id),
            or_dash(&r.time),
            r.error.as_deref().or(r.condition.as_deref()).unwrap_or("-")
        );
    }
    match (&r.error, &r.event_id) {
        (Some(error), Some(id)) => error.replacen(&format!("event {id}: "), "", 1),
        (Some(error), None) => error.clone(),
        (None, _) => or_dash(&r.condition),
    }
}

impl Report for PeekReport {
    fn render(&self, style: &Style) -> String {
        if self.records.is_empty() {
            return format!("`{}` is empty.", self.queue);
        }
        if self.delivery == "buffered" {
            return self.render_buffered(style);
        }
        let mut headers = vec!["reason", "event id", "attempts"];
        if self.wide {
            headers.extend(["time", "detail event id", "detail-type", "condition"]);
        }
        let mut table = style.table(headers);
        for r in &self.records {
            let reason = reason(r);
            let mut row = vec![
                if self.wide {
                    reason
                } else {
                    shorten(&reason, REASON_MAX)
                },
                or_dash(&r.event_id),
                r.attempts.map_or("-".into(), |n| n.to_string()),
            ];
            if self.wide {
                row.extend([
                    or_dash(&r.time),
                    or_dash(&r.detail_event_id),
                    or_dash(&r.detail_type),
                    or_dash(&r.condition),
                ]);
            }
            table.add_row(row);
        }
        let total = self.depth.visible + self.depth.in_flight;
        let mut out = format!(
            "{table}\n\n{} of about {} in `{}`, oldest first; all left in the queue.",
            self.records.len(),
            count(total, "message"),
            self.queue
        );
        let dropped = self.records.iter().filter(|r| r.payload_dropped).count();
        if dropped > 0 {
            out.push_str(&format!(
                "\n{} {} no event: Lambda drops it from the failure record when request + response exceed the queue's message size. Nothing to redrive; `evrelay dlq drain` keeps what is left.",
                style.yellow("warning:"),
                crate::model::text::have(dropped as u64, "record"),
            ));
        }
        if !self.wide {
            out.push_str("\n`--wide` adds the time, detail event id, detail-type and condition.");
        }
        out
    }
}

impl PeekReport {
    /// Buffered delivery: each message is the event; its receives and the relay's last reason
    /// (from the logs) say why it is here.
    fn render_buffered(&self, style: &Style) -> String {
        let mut headers = vec!["reason", "event id", "detail-type", "receives"];
        if self.wide {
            headers.extend(["time", "detail event id"]);
        }
        let mut table = style.table(headers);
        for r in &self.records {
            let reason = match (&r.relay_reason, r.shape) {
                (Some(why), _) => why.clone(),
                (None, Shape::Buffer) => "no reason in the relay's logs".to_string(),
                (None, _) => reason(r),
            };
            let mut row = vec![
                if self.wide {
                    reason
                } else {
                    shorten(&reason, REASON_MAX)
                },
                or_dash(&r.event_id),
                or_dash(&r.detail_type),
                r.receive_count.map_or("-".into(), |n| n.to_string()),
            ];
            if self.wide {
                row.extend([or_dash(&r.time), or_dash(&r.detail_event_id)]);
            }
            table.add_row(row);
        }
        let total = self.depth.visible + self.depth.in_flight;
        let mut out = format!(
            "{table}\n\n{} of about {} in `{}`, oldest first; all left in the queue.\nReceives count the buffer's before SQS moved the event here, and every read of the DLQ since (this one too).",
            self.records.len(),
            count(total, "message"),
            self.queue
        );
        out.push_str("\n`evrelay dlq redrive` moves them back to the buffer, ids unchanged.");
        if !self.wide {
            out.push_str("\n`--wide` adds the time and the detail event id.");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::printer::at_width;

    const PLAIN: Style = Style { color: false };

    fn record(error: &str) -> DlqRecord {
        DlqRecord {
            message_id: "0e6c1f3a-8b2d-4e5f-9a1b-2c3d4e5f6a7b".into(),
            shape: Shape::LambdaDestination,
            time: Some("2026-11-24T08:00:00.123Z".into()),
            event_id: Some("5b2c8f3e-1d4a-4c7b-9e2f-0a1b2c3d4e5f".into()),
            detail_event_id: Some("order-1234-5678".into()),
            source: Some("orders".into()),
            detail_type: Some("inbound-event-sent".into()),
            condition: Some("RetriesExhausted".into()),
            error: Some(error.into()),
            attempts: Some(3),
            receive_count: Some(1),
            relay_reason: None,
            event: Some(json!({})),
            payload_dropped: false,
            request_id: None,
            body: None,
        }
    }

    fn report(wide: bool) -> PeekReport {
        let long = "RelayError: event 5b2c8f3e-1d4a-4c7b-9e2f-0a1b2c3d4e5f: 503: Service Unavailable: upstream connect error or disconnect/reset before headers, on every attempt";
        PeekReport {
            delivery: "direct".into(),
            queue: "event-relay-app-dlq".into(),
            depth: QueueDepth {
                visible: 1,
                in_flight: 0,
                delayed: 0,
            },
            records: vec![record(long)],
            wide,
        }
    }

    #[test]
    fn the_reason_comes_first_whole_and_without_the_event_id_it_repeated() {
        let text = at_width(Some(80), || report(false).render(&PLAIN));
        let first = text.lines().next().unwrap();
        assert!(first.starts_with(" REASON"), "{text}");
        assert!(!text.contains("TIME"), "{text}");
        // The id once, in its own column; the reason's last words still there.
        assert_eq!(
            text.matches("5b2c8f3e-1d4a-4c7b-9e2f-0a1b2c3d4e5f").count(),
            1,
            "{text}"
        );
        let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(words.contains("before headers, on every attempt"), "{text}");
        assert!(text.contains("disconnect/reset"), "{text}");
        let table = text.split("\n\n").next().unwrap();
        assert!(table.lines().all(|l| l.chars().count() <= 80), "{text}");
        assert!(text.contains("1 of about 1 message in"), "{text}");
    }

    #[test]
    fn wide_shows_every_column() {
        let text = at_width(None, || report(true).render(&PLAIN));
        for value in [
            "2026-11-24T08:00:00.123Z",
            "order-1234-5678",
            "inbound-event-sent",
            "RetriesExhausted",
        ] {
            assert!(text.contains(value), "{value}:\n{text}");
        }
        assert!(!text.contains("--wide"), "{text}");
    }

    #[test]
    fn a_record_without_its_event_is_flagged_unrecoverable_with_its_id_and_time() {
        let mut r = record("RelayError: event 5b2c: 413: payload too large");
        r.event = None;
        r.event_id = None;
        r.payload_dropped = true;
        r.request_id = Some("8f5ad2b1-0000-4000-8000-000000000001".into());
        let why = reason(&r);
        assert!(
            why.starts_with("unrecoverable, event dropped by Lambda: "),
            "{why}"
        );
        assert!(why.chars().count() <= REASON_MAX, "{why}");
        assert!(
            why.contains("8f5ad2b1-0000-4000-8000-000000000001"),
            "{why}"
        );
        assert!(why.contains("2026-11-24T08:00:00.123Z"), "{why}");
        assert!(why.contains("413: payload too large"), "{why}");
    }

    #[test]
    fn buffered_shows_the_event_its_receives_and_the_relays_last_reason() {
        let mut r = record("x");
        r.shape = Shape::Buffer;
        r.receive_count = Some(6);
        r.relay_reason = Some("503 Service Unavailable upstream busy".into());
        let mut plain = record("x");
        plain.shape = Shape::Buffer;
        plain.event_id = Some("ev-2".into());
        let mut report = report(false);
        report.delivery = "buffered".into();
        report.records = vec![r, plain];
        let text = at_width(None, || report.render(&PLAIN));
        let first = text.lines().next().unwrap();
        assert!(first.contains("RECEIVES"), "{text}");
        assert!(!first.contains("ATTEMPTS"), "{text}");
        assert!(
            text.contains("503 Service Unavailable upstream busy"),
            "{text}"
        );
        assert!(text.contains("no reason in the relay's logs"), "{text}");
        assert!(text.contains(" 6"), "{text}");
        assert!(
            text.contains("dlq redrive` moves them back to the buffer"),
            "{text}"
        );
    }

    #[test]
    fn an_unknown_message_shows_its_body_as_the_reason() {
        let mut r = record("x");
        r.shape = Shape::Unknown;
        r.body = Some("this is not an event".into());
        assert_eq!(reason(&r), "not a failure record: this is not an event");
    }
}
