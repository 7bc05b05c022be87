//! `dlq peek`: read up to N messages, show them, leave every one in the queue.

use std::time::Duration;

use serde::Serialize;

use crate::aws::sqs::{self, QueueDepth};
use crate::context::Context;
use crate::error::Result;
use crate::model::dlq_record::{self, DlqRecord, Shape};
use crate::model::text::{or_dash, shorten};
use crate::printer::{Report, Style};

use super::sweep::{sweep, Held, Sweep, RECEIVERS};
use super::{warn_release_failures, Queue};

#[derive(Debug, Serialize)]
struct PeekReport {
    queue: String,
    /// The queue's depth before reading.
    depth: QueueDepth,
    records: Vec<DlqRecord>,
}

pub(super) async fn run(ctx: &Context, q: &Queue<'_>, max: usize) -> Result<()> {
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
    let mut records: Vec<DlqRecord> = held.snapshot().iter().map(dlq_record::parse).collect();
    let release = held.release(q).await;
    result?;
    warn_release_failures(ctx, &release?);
    records.sort_by(|a, b| (&a.time, &a.message_id).cmp(&(&b.time, &b.message_id)));
    records.truncate(max);
    ctx.printer.report(&PeekReport {
        queue: q.name.clone(),
        depth,
        records,
    })
}

impl Report for PeekReport {
    fn render(&self, style: &Style) -> String {
        if self.records.is_empty() {
            return format!("`{}` is empty.", self.queue);
        }
        let mut table = style.table([
            "time",
            "event id",
            "detail event id",
            "detail-type",
            "condition",
            "error",
            "attempts",
        ]);
        for r in &self.records {
            let (detail_type, error) = match r.shape {
                Shape::Unknown => (
                    "(unknown shape)".to_string(),
                    shorten(r.body.as_deref().unwrap_or(""), 60),
                ),
                _ => (
                    or_dash(&r.detail_type),
                    shorten(r.error.as_deref().unwrap_or("-"), 60),
                ),
            };
            table.add_row(vec![
                or_dash(&r.time),
                or_dash(&r.event_id),
                or_dash(&r.detail_event_id),
                detail_type,
                or_dash(&r.condition),
                error,
                r.attempts.map_or("-".into(), |n| n.to_string()),
            ]);
        }
        let total = self.depth.visible + self.depth.in_flight;
        format!(
            "{table}\n\n{} of about {total} messages in `{}` shown; all left in the queue.",
            self.records.len(),
            self.queue
        )
    }
}
