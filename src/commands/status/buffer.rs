//! Buffered delivery in `evrelay status`: the event source mapping that feeds the relay, the
//! buffer's backlog and how long it takes to drain ([`drain`]). A direct stack shows none of it
//! (only `delivery` in the JSON). The oldest message's age is CloudWatch's
//! ApproximateAgeOfOldestMessage, not a queue attribute: the health section reads it.

use std::time::{Duration, Instant};

use serde::Serialize;

use super::drain::{self, Drain, Latency, Observed};
use crate::aws::lambda::{mappings, Mapping};
use crate::aws::sqs::QueueDepth;
use crate::context::Context;
use crate::model::log_line::Origin;
use crate::model::text::now_ms;
use crate::printer::Style;

/// How far back the relay's latencies are read for the capacity estimate.
const LATENCY_MINUTES: u64 = 5;
/// `status --watch` measures the backlog twice this far apart.
const SAMPLE_GAP: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BufferStatus {
    /// `direct` (the rule invokes the relay) or `buffered` (the rule fills the buffer queue).
    pub delivery: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mapping: Option<Mapping>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backlog: Option<Backlog>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drain: Option<Drain>,
}

/// The buffer queue's depth (GetQueueAttributes). The oldest message's age is CloudWatch's
/// (ApproximateAgeOfOldestMessage), not an SQS attribute.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Backlog {
    pub queue: String,
    /// False when the queue is not there.
    pub found: bool,
    pub visible: u64,
    pub in_flight: u64,
    pub delayed: u64,
}

/// The mapping on the buffer queue among the function's mappings.
fn on_buffer(all: Vec<Mapping>, buffer: &str) -> Option<Mapping> {
    let suffix = format!(":{buffer}");
    all.into_iter().find(|m| {
        m.source_arn
            .as_deref()
            .is_some_and(|a| a.ends_with(&suffix))
    })
}

/// Each read that fails is a warning: the stack's status is the point of `status`.
pub async fn fetch(ctx: &Context, delivery: String, watch: bool) -> BufferStatus {
    if delivery != "buffered" {
        return BufferStatus {
            delivery,
            ..Default::default()
        };
    }
    let warn = |what: &str, e: crate::error::Error| {
        ctx.printer
            .warn(&format!("could not read {what}: {}", e.message));
    };
    let (mapping, backlog, latency) = tokio::join!(
        mappings(ctx.lambda(), &ctx.names.function),
        backlog(ctx),
        latency(ctx),
    );
    let mapping = mapping
        .map_err(|e| warn("the event source mapping", e))
        .ok()
        .and_then(|all| on_buffer(all, &ctx.names.buffer));
    let mut backlog = backlog.map_err(|e| warn("the buffer queue", e)).ok();
    let mut observed = None;
    if let Some(first) = backlog.as_ref().filter(|b| watch && b.found) {
        let before = first.visible + first.in_flight;
        if before > 0 {
            ctx.printer.note(&format!(
                "measuring the buffer's drain rate ({} s)…",
                SAMPLE_GAP.as_secs()
            ));
            let started = Instant::now();
            tokio::time::sleep(SAMPLE_GAP).await;
            if let Ok(second) = self::backlog(ctx).await {
                observed = Some(Observed {
                    before,
                    after: second.visible + second.in_flight,
                    seconds: started.elapsed().as_secs_f64(),
                });
                backlog = Some(second);
            }
        }
    }
    let drain = backlog.as_ref().map(|b| {
        drain::estimate(
            b.visible + b.in_flight + b.delayed,
            observed,
            mapping.as_ref().and_then(|m| m.maximum_concurrency),
            latency,
        )
    });
    BufferStatus {
        delivery,
        mapping,
        backlog,
        drain,
    }
}

async fn backlog(ctx: &Context) -> crate::error::Result<Backlog> {
    let held = crate::aws::buffer::held(ctx.sqs(), &ctx.names.buffer).await?;
    let QueueDepth {
        visible,
        in_flight,
        delayed,
    } = held.unwrap_or_default();
    Ok(Backlog {
        queue: ctx.names.buffer.clone(),
        found: held.is_some(),
        visible,
        in_flight,
        delayed,
    })
}

/// The relay's median latency over its recent deliveries (its JSON lines' `latency-ms`); None
/// when it logged none, or the logs cannot be read (the estimate then says so).
async fn latency(ctx: &Context) -> Option<Latency> {
    let start = now_ms() - (LATENCY_MINUTES as i64) * 60_000;
    let lines = crate::aws::logs::filter_events(
        ctx.logs(),
        &ctx.names.relay_log_group,
        Origin::Relay,
        start,
        Some("\"latency-ms\""),
    )
    .await
    .ok()
    .flatten()?;
    let values: Vec<u64> = lines
        .iter()
        .filter_map(|l| l.json()?.get("latency-ms")?.as_u64())
        .collect();
    let samples = values.len();
    drain::median(values).map(|median_ms| Latency {
        median_ms,
        samples,
        minutes: LATENCY_MINUTES,
    })
}

/// The "Buffered delivery" section: the mapping, the backlog, the drain estimate.
pub fn section(b: &BufferStatus, style: &Style) -> String {
    if b.delivery != "buffered" {
        return String::new();
    }
    let mut out = String::new();
    let mut t = style.table([
        "Mapping",
        "State",
        "Max concurrency",
        "Batch size",
        "Window",
    ]);
    let n = |v: Option<u32>| v.map_or("-".to_string(), |v| v.to_string());
    match &b.mapping {
        Some(m) => {
            let state = match m.state.as_str() {
                "Enabled" => style.green("Enabled"),
                s @ ("Disabled" | "Disabling") => style.red(s),
                s => style.yellow(s),
            };
            t.add_row(vec![
                m.uuid.clone(),
                state,
                n(m.maximum_concurrency),
                n(m.batch_size),
                m.batch_window_seconds
                    .map_or("-".to_string(), |w| format!("{w} s")),
            ]);
        }
        None => {
            t.add_row(vec![
                "not found".to_string(),
                "-".into(),
                "-".into(),
                "-".into(),
                "-".into(),
            ]);
        }
    }
    out.push_str(&format!("\n{t}\n"));
    match &b.mapping {
        Some(m) if matches!(m.state.as_str(), "Disabled" | "Disabling") => out.push_str(
            "  the mapping is disabled: nothing feeds the relay, events wait in the buffer\n",
        ),
        Some(m) => {
            if let Some(r) = m.last_result.as_deref().filter(|r| r.starts_with("PROBLEM")) {
                out.push_str(&format!("  last result: {}\n", style.red(r)));
            }
        }
        None => out.push_str(
            "  no event source mapping reads the buffer: nothing feeds the relay (`evrelay deploy` creates it)\n",
        ),
    }
    if let Some(q) = &b.backlog {
        let mut t = style.table(["Buffer", "Visible", "In flight", "Delayed"]);
        if q.found {
            t.add_row(vec![
                q.queue.clone(),
                q.visible.to_string(),
                q.in_flight.to_string(),
                q.delayed.to_string(),
            ]);
        } else {
            t.add_row(vec![
                format!("{} (not found)", q.queue),
                "-".into(),
                "-".into(),
                "-".into(),
            ]);
        }
        out.push_str(&format!("\n{t}\n"));
    }
    if let Some(d) = &b.drain {
        let line = match (d.basis, d.seconds) {
            ("empty", _) => "time to drain: none, the buffer is empty".to_string(),
            (basis, Some(s)) => format!(
                "time to drain: about {} ({basis}: {})",
                drain::words(s),
                d.detail
            ),
            (_, None) => format!("time to drain: unknown ({})", d.detail),
        };
        out.push_str(&format!("  {line}\n"));
        if d.basis != "observed" && d.basis != "empty" {
            out.push_str("  `evrelay status --watch` measures the drain rate instead\n");
        }
    }
    out.push_str(
        "  the oldest message's age is a CloudWatch metric (ApproximateAgeOfOldestMessage), shown with the health metrics\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: Style = Style { color: false };

    fn buffered() -> BufferStatus {
        BufferStatus {
            delivery: "buffered".into(),
            mapping: Some(Mapping {
                uuid: "a1b2c3d4-0000-4000-8000-000000000001".into(),
                state: "Enabled".into(),
                maximum_concurrency: Some(2),
                batch_size: Some(10),
                batch_window_seconds: Some(0),
                source_arn: Some("arn:aws:sqs:us-east-1:1:app-buffer".into()),
                ..Default::default()
            }),
            backlog: Some(Backlog {
                queue: "app-buffer".into(),
                found: true,
                visible: 1000,
                in_flight: 20,
                delayed: 0,
            }),
            drain: Some(drain::estimate(
                1020,
                None,
                Some(2),
                Some(Latency {
                    median_ms: 200,
                    samples: 40,
                    minutes: 5,
                }),
            )),
        }
    }

    #[test]
    fn a_direct_stack_shows_nothing_more() {
        let direct = BufferStatus {
            delivery: "direct".into(),
            ..Default::default()
        };
        assert_eq!(section(&direct, &PLAIN), "");
        let json = serde_json::to_value(&direct).unwrap();
        assert_eq!(json, serde_json::json!({"delivery": "direct"}));
    }

    #[test]
    fn a_buffered_stack_shows_its_mapping_backlog_and_drain_estimate() {
        let text = crate::printer::at_width(None, || section(&buffered(), &PLAIN));
        for words in [
            "a1b2c3d4-0000-4000-8000-000000000001",
            "Enabled",
            "app-buffer",
            "1000",
            "time to drain: about 1 min 42 s (capacity: 2 at a time",
            "status --watch",
            "ApproximateAgeOfOldestMessage",
        ] {
            assert!(text.contains(words), "{words}:\n{text}");
        }
        let json = serde_json::to_value(buffered()).unwrap();
        assert_eq!(json["mapping"]["state"], "Enabled");
        assert_eq!(json["mapping"]["maximum_concurrency"], 2);
        assert_eq!(json["backlog"]["visible"], 1000);
        assert_eq!(json["drain"]["seconds"], 102);
        assert_eq!(json["drain"]["basis"], "capacity");
    }

    #[test]
    fn a_disabled_or_missing_mapping_says_nothing_feeds_the_relay() {
        let mut b = buffered();
        b.mapping.as_mut().unwrap().state = "Disabled".into();
        assert!(section(&b, &PLAIN).contains("the mapping is disabled"));
        b.mapping = None;
        assert!(section(&b, &PLAIN).contains("no event source mapping reads the buffer"));
    }

    #[test]
    fn the_mapping_is_the_one_on_the_buffer() {
        let other = Mapping {
            uuid: "x".into(),
            source_arn: Some("arn:aws:sqs:us-east-1:1:app-buffer-2".into()),
            ..Default::default()
        };
        let mine = buffered().mapping.unwrap();
        assert_eq!(
            on_buffer(vec![other, mine.clone()], "app-buffer"),
            Some(mine)
        );
    }
}
