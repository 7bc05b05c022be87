//! `dlq redrive`: put each failed event back on the bus; delete only what was re-sent. A
//! message seen twice in one run is never re-sent twice.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;

use crate::aws::eventbridge;
use crate::aws::sqs::{self, BatchFailure, Received};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::model::dlq_record::{self, DlqRecord};
use crate::model::event::{pack, EventEntry};
use crate::model::text::{count, or_dash, shorten, were};
use crate::printer::{Report, Style};

use super::sweep::{sweep, Held, Sweep, RECEIVERS};
use super::{confirm_change, progress, warn_release_failures, Queue};

#[derive(Debug, Clone, Serialize)]
struct Resent {
    message_id: String,
    /// The original event's EventBridge id.
    event_id: Option<String>,
    detail_event_id: Option<String>,
    detail_type: String,
    /// The id EventBridge gave the re-sent event (none in a dry run).
    new_event_id: Option<String>,
    /// The key the endpoint sees again (`Idempotency-Key`): the first delivery's.
    idempotency_key: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
struct NotResent {
    message_id: String,
    event_id: Option<String>,
    detail_event_id: Option<String>,
    error_code: String,
    error_message: String,
}

#[derive(Debug, Default, Serialize)]
struct RedriveReport {
    queue: String,
    bus: String,
    dry_run: bool,
    resent: Vec<Resent>,
    /// PutEvents refused these entries: their messages stay in the queue.
    failed: Vec<NotResent>,
    /// These messages carry no event: left in the queue.
    skipped: Vec<NotResent>,
    /// Re-sent but not deleted: they would be re-sent again by the next redrive.
    delete_failures: Vec<BatchFailure>,
}

pub(super) async fn run(
    ctx: &Context,
    q: &Queue<'_>,
    dry_run: bool,
    bus: Option<String>,
) -> Result<()> {
    let named_by_flag = bus.is_some();
    let bus = bus.unwrap_or_else(|| ctx.names.bus.clone());
    let (bus_check, depth) = tokio::join!(
        eventbridge::require_bus(ctx.events(), &bus, named_by_flag),
        sqs::depth(q.sqs, &q.url)
    );
    bus_check?;
    let depth = depth?;
    let empty = RedriveReport {
        queue: q.name.clone(),
        bus: bus.clone(),
        dry_run,
        ..Default::default()
    };
    if depth.total() == 0 {
        // Nothing to ask about: the report says the queue is empty.
        return ctx.printer.report(&empty);
    }
    if !dry_run {
        let question = format!(
            "Put the events from about {} in `{}` back on bus `{bus}`?",
            count(depth.visible, "message"),
            q.name
        );
        confirm_change(ctx, &question).await?;
    }
    let run = RedriveRun {
        ctx,
        q,
        bus: &bus,
        dry_run,
        held: Held::default(),
        seen: Mutex::new(HashSet::new()),
        report: Mutex::new(empty),
    };
    let sweep_opts = Sweep {
        queue: q,
        receivers: RECEIVERS,
        visibility: Duration::from_secs(120),
        limit: None,
        progress: progress(ctx, &depth, if dry_run { "reading" } else { "redriving" }),
    };
    let result = sweep(&sweep_opts, |batch| run.batch(batch)).await;
    let release = run.held.release(q).await;
    result?;
    warn_release_failures(ctx, &release?);
    let report = run.report.into_inner().expect("report lock");
    ctx.printer.report(&report)?;
    if report.failed.is_empty() {
        Ok(())
    } else {
        Err(Error::failed(format!(
            "{} of {} could not be re-sent; their messages stay in `{}`",
            report.failed.len(),
            count(
                report.failed.len() as u64 + report.resent.len() as u64,
                "event"
            ),
            q.name
        ))
        .hint("`evrelay dlq peek` shows them; fix the cause and run `evrelay dlq redrive` again"))
    }
}

/// One redrive's shared state, used by every receiver.
struct RedriveRun<'a> {
    ctx: &'a Context,
    q: &'a Queue<'a>,
    bus: &'a str,
    dry_run: bool,
    /// Received and not deleted: released when the command ends.
    held: Held,
    /// Every message id handled so far.
    seen: Mutex<HashSet<String>>,
    report: Mutex<RedriveReport>,
}

impl RedriveRun<'_> {
    /// Re-sends one received batch; returns how many of its messages were deleted.
    async fn batch(&self, batch: Vec<Received>) -> Result<usize> {
        let RedriveRun {
            ctx,
            q,
            bus,
            dry_run,
            held,
            seen,
            report,
        } = self;
        let (ctx, q, bus, dry_run) = (*ctx, *q, *bus, *dry_run);
        // A message seen before came back (its visibility timeout ended, or SQS delivered it
        // twice): already handled, so it is only held (with its new receipt handle), never re-sent.
        let fresh: Vec<Received> = {
            let mut seen = seen.lock().expect("seen lock");
            batch
                .iter()
                .filter(|m| seen.insert(m.message_id.clone()))
                .cloned()
                .collect()
        };
        batch.into_iter().for_each(|m| held.insert(m));
        let mut sendable: Vec<(Received, DlqRecord, EventEntry)> = Vec::new();
        for m in fresh {
            let record = dlq_record::parse(&m);
            match record.original_event() {
                Some(entry) => sendable.push((m, record, entry)),
                None => report.lock().expect("report lock").skipped.push(NotResent {
                    message_id: m.message_id.clone(),
                    event_id: record.event_id.clone(),
                    detail_event_id: record.detail_event_id.clone(),
                    error_code: if record.payload_dropped {
                        "PayloadDropped".into()
                    } else {
                        "NoEvent".into()
                    },
                    error_message: record.why_no_event().into(),
                }),
            }
        }
        if dry_run {
            let mut r = report.lock().expect("report lock");
            for (m, record, entry) in sendable {
                r.resent.push(Resent {
                    idempotency_key: record.idempotency_key(),
                    message_id: m.message_id,
                    event_id: record.event_id,
                    detail_event_id: record.detail_event_id,
                    detail_type: entry.detail_type,
                    new_event_id: None,
                });
            }
            return Ok(0);
        }
        let sizes: Vec<usize> = sendable.iter().map(|(_, _, e)| e.size()).collect();
        let mut deleted = 0;
        for range in pack(&sizes) {
            let part = &sendable[range];
            let entries: Vec<EventEntry> = part.iter().map(|(_, _, e)| e.clone()).collect();
            let outcomes = eventbridge::put_batch(ctx.events(), bus, &entries)
                .await?
                .outcomes;
            let mut to_delete = Vec::new();
            {
                let mut r = report.lock().expect("report lock");
                for ((m, record, entry), outcome) in part.iter().zip(outcomes) {
                    if outcome.ok() {
                        to_delete.push(m);
                        r.resent.push(Resent {
                            message_id: m.message_id.clone(),
                            event_id: record.event_id.clone(),
                            detail_event_id: record.detail_event_id.clone(),
                            detail_type: entry.detail_type.clone(),
                            new_event_id: outcome.event_id,
                            idempotency_key: record.idempotency_key(),
                        });
                    } else {
                        r.failed.push(NotResent {
                            message_id: m.message_id.clone(),
                            event_id: record.event_id.clone(),
                            detail_event_id: record.detail_event_id.clone(),
                            error_code: outcome.error_code.unwrap_or_default(),
                            error_message: outcome.error_message.unwrap_or_default(),
                        });
                    }
                }
            }
            let failures = sqs::delete(q.sqs, &q.url, &to_delete).await?;
            let failed_ids: HashSet<&str> =
                failures.iter().map(|f| f.message_id.as_str()).collect();
            for m in &to_delete {
                if !failed_ids.contains(m.message_id.as_str()) {
                    held.remove(&m.message_id);
                    deleted += 1;
                }
            }
            report
                .lock()
                .expect("report lock")
                .delete_failures
                .extend(failures);
        }
        Ok(deleted)
    }
}

impl Report for RedriveReport {
    fn render(&self, style: &Style) -> String {
        let mut out = String::new();
        if self.resent.is_empty() && self.failed.is_empty() && self.skipped.is_empty() {
            return format!("`{}` is empty: nothing to re-send.", self.queue);
        }
        if self.dry_run {
            if !self.resent.is_empty() {
                let mut table =
                    style.table(["message id", "event id", "detail event id", "detail-type"]);
                for r in &self.resent {
                    table.add_row(vec![
                        r.message_id.clone(),
                        or_dash(&r.event_id),
                        or_dash(&r.detail_event_id),
                        r.detail_type.clone(),
                    ]);
                }
                out.push_str(&format!("{table}\n\n"));
            }
            out.push_str(&format!(
                "Dry run: {} would be put back on `{}`; nothing was sent or deleted.",
                count(self.resent.len() as u64, "event"),
                self.bus
            ));
        } else {
            let resent = self.resent.len() - self.delete_failures.len().min(self.resent.len());
            out.push_str(&format!(
                "Re-sent {} to `{}` and deleted {} from `{}`.",
                count(resent as u64, "event"),
                self.bus,
                if resent == 1 {
                    "its message"
                } else {
                    "their messages"
                },
                self.queue
            ));
        }
        for (title, rows) in [
            ("Not re-sent (PutEvents refused them):", &self.failed),
            ("Left in the queue (no event to re-send):", &self.skipped),
        ] {
            if rows.is_empty() {
                continue;
            }
            let mut table = style.table(["message id", "event id", "detail event id", "error"]);
            for r in rows {
                table.add_row(vec![
                    r.message_id.clone(),
                    or_dash(&r.event_id),
                    or_dash(&r.detail_event_id),
                    shorten(&format!("{}: {}", r.error_code, r.error_message), 80),
                ]);
            }
            out.push_str(&format!("\n\n{}\n{table}", style.bold(title)));
        }
        if !self.delete_failures.is_empty() {
            out.push_str(&format!(
                "\n\n{} {} re-sent but their messages could not be deleted ({}); a later redrive would send them again.",
                style.yellow("warning:"),
                were(self.delete_failures.len() as u64, "event"),
                self.delete_failures[0].code
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: Style = Style { color: false };

    fn report(resent: usize, dry_run: bool) -> RedriveReport {
        RedriveReport {
            queue: "q-dlq".into(),
            bus: "q-bus".into(),
            dry_run,
            resent: (0..resent)
                .map(|i| Resent {
                    message_id: format!("m-{i}"),
                    event_id: None,
                    detail_event_id: None,
                    detail_type: "t".into(),
                    new_event_id: None,
                    idempotency_key: None,
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn one_event_is_singular_and_an_empty_queue_says_so() {
        assert_eq!(
            report(1, false).render(&PLAIN),
            "Re-sent 1 event to `q-bus` and deleted its message from `q-dlq`."
        );
        assert!(report(2, true).render(&PLAIN).ends_with(
            "Dry run: 2 events would be put back on `q-bus`; nothing was sent or deleted."
        ));
        assert_eq!(
            report(0, false).render(&PLAIN),
            "`q-dlq` is empty: nothing to re-send."
        );
    }
}
