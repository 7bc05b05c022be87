//! One refresh of `top`: the relay's CloudWatch metrics over the window (the signals, verdict
//! and sparklines `status` shows, from the same model), the queues' depths now and the
//! relay's new log lines, read concurrently.
//! A read that fails is kept as the refresh's error and shown: the dashboard stays up (a
//! throttled call or a lost connection passes), as `watch` keeps redrawing.

use std::time::Duration;

use serde::Serialize;

use crate::aws::logs::filter_events;
use crate::aws::sqs::{self, QueueDepth};
use crate::context::Context;
use crate::model::health::{self, Kind, Series, Signal, Unit, Verdict, Window};
use crate::model::log_line::Origin;
use crate::model::text::{format_epoch_ms, now_ms};

use super::logs::Tail;

/// The queues `top` watches, found once at the start.
#[derive(Debug, Clone)]
pub(super) struct Queues {
    pub dlq: Option<String>,
    /// Buffered delivery only.
    pub buffer: Option<String>,
}

/// What one refresh saw: one line of `--output json`.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Snapshot {
    /// When the refresh was read (RFC 3339).
    pub at: String,
    pub stack: String,
    /// The metrics over the window ending now; null when they could not be read.
    pub health: Option<Health>,
    /// The queues' depths now (GetQueueAttributes: fresher than the per-minute metrics).
    pub dlq: Option<QueueDepth>,
    /// Buffered delivery's queue (absent in direct delivery).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buffer: Option<QueueDepth>,
    /// The relay's log lines this refresh read first (the JSON stream carries each line once).
    pub new_log_lines: Vec<LogLineView>,
    /// Reads that failed this refresh (the others are shown).
    pub errors: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct Health {
    /// Window start and end (RFC 3339), and seconds per datapoint.
    pub start: String,
    pub end: String,
    pub period: u64,
    pub verdict: Verdict,
    pub signals: Vec<SignalNow>,
    #[serde(skip)]
    pub window: Window,
    #[serde(skip)]
    pub series: Vec<Series>,
}

/// A signal's numbers, named as in `status --output json`'s health.
#[derive(Debug, Clone, Serialize)]
pub(super) struct SignalNow {
    pub name: &'static str,
    pub unit: Unit,
    /// Counts: the window's sum.
    pub total: Option<f64>,
    /// The newest period's value (0 for a count or level with no data, null for a time).
    pub latest: Option<f64>,
    pub max: Option<f64>,
}

impl Health {
    fn of(window: Window, series: Vec<Series>) -> Self {
        Self {
            start: format_epoch_ms(window.start * 1000),
            end: format_epoch_ms(window.end * 1000),
            period: window.period,
            verdict: health::verdict(&series, &window),
            signals: series
                .iter()
                .map(|s| SignalNow {
                    name: s.signal.name,
                    unit: s.signal.unit,
                    total: (s.signal.kind == Kind::Total).then(|| s.total()),
                    latest: s.latest(),
                    max: s.max(),
                })
                .collect(),
            window,
            series,
        }
    }
}

/// The window `--since` asks for, ending now; checked once before anything is read, so a bad
/// `--since` is a usage error and later refreshes cannot fail on it.
pub(super) fn window(since: Duration) -> crate::error::Result<Window> {
    health::window::window(since, None, now_ms() / 1000)
        .map_err(|e| crate::error::Error::usage(e.message).hint(e.hint))
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct LogLineView {
    pub timestamp: String,
    pub message: String,
}

/// What every refresh reads: the stack's signals and how far back.
pub(super) struct Plan {
    pub since: Duration,
    pub signals: Vec<Signal>,
    pub queues: Queues,
}

pub(super) async fn read(ctx: &Context, plan: &Plan, tail: &mut Tail) -> Snapshot {
    let now = now_ms();
    let queues = &plan.queues;
    let since_ms = plan.since.as_millis() as i64;
    let metrics = async {
        let w = window(plan.since)?;
        crate::aws::cloudwatch::series(ctx.cloudwatch(), &plan.signals, &w)
            .await
            .map(|series| Health::of(w, series))
    };
    let depth = |url: Option<String>| async move {
        match url {
            Some(url) => sqs::depth(ctx.sqs(), &url).await.map(Some),
            None => Ok(None),
        }
    };
    let start = tail.next_start(now, since_ms);
    let (metrics, dlq, buffer, lines) = tokio::join!(
        metrics,
        depth(queues.dlq.clone()),
        depth(queues.buffer.clone()),
        filter_events(
            ctx.logs(),
            &ctx.names.relay_log_group,
            Origin::Relay,
            start,
            None
        )
    );
    let mut errors = Vec::new();
    let health = match metrics {
        Ok(h) => Some(h),
        Err(e) => {
            errors.push(format!("could not read the relay's metrics: {}", e.message));
            None
        }
    };
    let mut keep = |r: crate::error::Result<Option<QueueDepth>>| match r {
        Ok(d) => d,
        Err(e) => {
            errors.push(e.message);
            None
        }
    };
    let (dlq, buffer) = (keep(dlq), keep(buffer));
    let fresh = match lines {
        Ok(Some(lines)) => tail.add(lines),
        // No log group yet: the relay has not run.
        Ok(None) => Vec::new(),
        Err(e) => {
            errors.push(crate::error::Error::from(e).message);
            Vec::new()
        }
    };
    Snapshot {
        at: format_epoch_ms(now),
        stack: ctx.names.stack.clone(),
        health,
        dlq,
        buffer,
        new_log_lines: fresh
            .into_iter()
            .map(|l| LogLineView {
                timestamp: format_epoch_ms(l.timestamp),
                message: l.message.trim_end().to_string(),
            })
            .collect(),
        errors,
    }
}
