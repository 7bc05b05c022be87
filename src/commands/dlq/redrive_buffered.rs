//! `dlq redrive` in buffered delivery: SQS's own dead-letter queue redrive moves the events back
//! to the buffer (StartMessageMoveTask with the buffer as destination), so each event keeps its
//! body, its EventBridge id and its attributes, and leaves the DLQ only once it is in the
//! buffer. evrelay waits for the task with progress and reports what moved and what is left.
//!
//! A move task moves every message as it is. So the queue is read first: a Lambda destination
//! record (left from direct delivery, before a switch) or an unknown body would reach the relay
//! as if it were an event and be posted to the endpoint; such a queue is refused, and
//! `--bus` re-sends through the bus instead (destination records unwrapped).
//!
//! SQS Developer Guide, "Configuring a dead-letter queue redrive": one active task per queue;
//! "All redriven messages are considered new messages with a new messageID and enqueueTime"
//! (so the buffer's receive count and retention start again).

use std::time::Duration;

use serde::Serialize;

use crate::aws::sqs::{self, QueueDepth};
use crate::aws::sqs_move::{self, MoveTask};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::model::dlq_record::{self, Shape};
use crate::model::text::count;
use crate::printer::{Report, Style};

use super::sweep::{sweep, Held, Sweep, RECEIVERS};
use super::{confirm_change, progress, warn_release_failures, Queue};

/// How often the task is read while it runs.
const POLL: Duration = Duration::from_secs(1);

#[derive(Debug, Default, Serialize)]
struct MoveReport {
    queue: String,
    /// Where the events went: the buffer queue.
    destination: String,
    dry_run: bool,
    /// The DLQ's depth before.
    depth: QueueDepth,
    /// RUNNING, COMPLETED, CANCELLED or FAILED (none in a dry run or for an empty queue).
    status: Option<String>,
    moved: u64,
    to_move: Option<u64>,
    failure_reason: Option<String>,
    /// Left in the DLQ afterwards (visible + in flight).
    left: u64,
    /// The task was already running when evrelay looked: it waited for that one.
    joined_running_task: bool,
    /// Messages that are not events (destination records, unknown bodies): none may be moved.
    not_events: u64,
}

pub(super) async fn run(ctx: &Context, q: &Queue<'_>, dry_run: bool) -> Result<()> {
    let buffer = ctx.names.buffer.clone();
    let buffer_url = sqs::find_queue_url(q.sqs, &buffer).await?.ok_or_else(|| {
        Error::failed(format!(
            "the buffer queue `{buffer}` is not there: nowhere to move the events back to"
        ))
        .hint("`evrelay status` shows the stack; `evrelay dlq redrive --bus NAME` re-sends them through a bus instead")
    })?;
    let (depth, dlq_arn, buffer_arn) = tokio::try_join!(
        sqs::depth(q.sqs, &q.url),
        sqs_move::queue_arn(q.sqs, &q.url),
        sqs_move::queue_arn(q.sqs, &buffer_url),
    )?;
    let mut report = MoveReport {
        queue: q.name.clone(),
        destination: buffer.clone(),
        dry_run,
        depth,
        left: depth.visible + depth.in_flight,
        ..Default::default()
    };
    let running = sqs_move::latest(q.sqs, &dlq_arn)
        .await?
        .filter(MoveTask::is_active);
    if depth.total() == 0 && running.is_none() {
        return ctx.printer.report(&report);
    }
    if running.is_none() {
        report.not_events = not_events(ctx, q, &depth).await?;
    }
    if dry_run {
        return ctx.printer.report(&report);
    }
    if report.not_events > 0 {
        return Err(Error::failed(format!(
            "{} (Lambda destination records from direct delivery, or unknown bodies): a move task would hand them to the relay as events",
            not_events_words(report.not_events, &q.name)
        ))
        .hint(format!(
            "`evrelay dlq redrive --bus {}` re-sends every event through the bus (destination records unwrapped); `evrelay dlq peek --wide` shows them",
            ctx.names.bus
        )));
    }
    if running.is_none() {
        let question = format!(
            "Move about {} from `{}` back to the buffer `{buffer}`?",
            count(depth.visible, "event"),
            q.name
        );
        confirm_change(ctx, &question).await?;
        // Ours from here: once asked for, the move is SQS's, so a Ctrl-C while the call is out
        // waits for its answer and says whether the task started.
        let mut interrupted = Box::pin(crate::interrupt::listen());
        let mut start = Box::pin(sqs_move::start(q.sqs, &dlq_arn, &buffer_arn));
        tokio::select! {
            started = &mut start => { started?; }
            _ = &mut interrupted => return Err(interrupted_start(ctx, q, start).await),
        }
    } else {
        report.joined_running_task = true;
        ctx.printer.note(&format!(
            "a move task from `{}` is already running; waiting for it",
            q.name
        ));
    }
    let task = wait(ctx, q, &dlq_arn, depth.visible).await?;
    let after = sqs::depth(q.sqs, &q.url).await?;
    report.status = Some(task.status.clone());
    report.moved = task.moved;
    report.to_move = task.to_move;
    report.failure_reason = task.failure_reason.clone();
    report.left = after.visible + after.in_flight;
    ctx.printer.report(&report)?;
    match task.status.as_str() {
        "COMPLETED" => Ok(()),
        status => Err(Error::failed(format!(
            "the move task from `{}` ended {status}{}: {} moved, {} left in the queue",
            q.name,
            task.failure_reason
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default(),
            count(task.moved, "event"),
            count(report.left, "message")
        ))
        .hint("`evrelay dlq peek` shows what is left; run `evrelay dlq redrive` again to move it")),
    }
}

/// `1 message in `q` is not an event`, `3 messages in `q` are not events`.
fn not_events_words(n: u64, queue: &str) -> String {
    if n == 1 {
        format!("1 message in `{queue}` is not an event")
    } else {
        format!("{n} messages in `{queue}` are not events")
    }
}

/// Reads the whole queue without consuming it (every message made visible again after) and
/// counts what is not an event.
async fn not_events(ctx: &Context, q: &Queue<'_>, depth: &QueueDepth) -> Result<u64> {
    let held = Held::default();
    let opts = Sweep {
        queue: q,
        receivers: RECEIVERS,
        visibility: Duration::from_secs(30),
        limit: None,
        progress: progress(ctx, depth, "reading"),
    };
    let result = sweep(&opts, |batch| {
        let held = &held;
        async move {
            batch.into_iter().for_each(|m| held.insert(m));
            Ok(0)
        }
    })
    .await;
    let n = held
        .snapshot()
        .iter()
        .map(dlq_record::parse)
        .filter(|r| !matches!(r.shape, Shape::Buffer | Shape::RuleDlq))
        .count() as u64;
    let release = held.release(q).await;
    result?;
    warn_release_failures(ctx, &release?);
    Ok(n)
}

/// How long a Ctrl-C waits for SQS to answer a StartMessageMoveTask already sent.
const ANSWER_WAIT: Duration = Duration::from_secs(30);

/// Ctrl-C while StartMessageMoveTask was out: its answer says whether events are moving now;
/// either way nothing is lost (a task moves each event before it leaves the DLQ).
async fn interrupted_start(
    ctx: &Context,
    q: &Queue<'_>,
    start: impl std::future::Future<Output = Result<String>>,
) -> Error {
    let answer =
        crate::interrupt::await_answer(&ctx.printer, "StartMessageMoveTask", ANSWER_WAIT, start)
            .await;
    let what = match answer {
        Some(Ok(_)) => "the move task started and goes on in SQS",
        Some(Err(_)) => "SQS refused the move task: nothing moved",
        None => "SQS had not answered: a move task may be running",
    };
    Error::cancelled_with(format!(
        "interrupted while asking SQS to move `{}` back to the buffer; {what}",
        q.name
    ))
    .hint("`evrelay dlq redrive` waits for a running task (or starts one); `evrelay dlq peek` shows what is left")
}

/// Reads the task every [`POLL`] until it is no longer RUNNING or CANCELLING, with a progress
/// bar of the messages moved.
async fn wait(ctx: &Context, q: &Queue<'_>, dlq_arn: &str, expected: u64) -> Result<MoveTask> {
    let bar = ctx.printer.progress(expected, "moving to the buffer");
    // The task is SQS's: Ctrl-C stops the waiting, not the move.
    let mut interrupted = Box::pin(crate::interrupt::ctrl_c());
    loop {
        let task = sqs_move::latest(q.sqs, dlq_arn).await?.ok_or_else(|| {
            Error::failed(format!("SQS lists no move task for `{}`", q.name))
                .hint("`evrelay dlq peek` shows what is in the queue")
        })?;
        if let Some(n) = task.to_move {
            bar.set_length(n);
        }
        bar.set_position(task.moved);
        if !task.is_active() {
            bar.finish_and_clear();
            return Ok(task);
        }
        tokio::select! {
            _ = &mut interrupted => {
                bar.finish_and_clear();
                return Err(Error::cancelled_with(format!(
                    "stopped waiting after {} moved; the move task goes on in SQS",
                    count(task.moved, "event")
                ))
                .hint("`evrelay dlq redrive` waits for it again; `evrelay dlq peek` shows what is left"));
            }
            _ = tokio::time::sleep(POLL) => {}
        }
    }
}

impl Report for MoveReport {
    fn render(&self, _style: &Style) -> String {
        if self.dry_run && self.not_events > 0 {
            return format!(
                "Dry run: {}, so a move to the buffer `{}` would be refused; `--bus` re-sends through a bus instead. Nothing was moved.",
                not_events_words(self.not_events, &self.queue),
                self.destination
            );
        }
        if self.dry_run {
            return format!(
                "Dry run: about {} in `{}` would be moved back to the buffer `{}` (an SQS move task; ids unchanged); nothing was moved.",
                count(self.depth.visible, "event"),
                self.queue,
                self.destination
            );
        }
        let Some(status) = &self.status else {
            return format!("`{}` is empty: nothing to move.", self.queue);
        };
        let mut out = if status == "COMPLETED" {
            format!(
                "Moved {} from `{}` back to the buffer `{}`; each keeps its event id, and the relay receives it again.",
                count(self.moved, "event"),
                self.queue,
                self.destination
            )
        } else {
            format!(
                "The move task ended {status}: {} moved from `{}` to `{}`.",
                count(self.moved, "event"),
                self.queue,
                self.destination
            )
        };
        if self.left > 0 {
            out.push_str(&format!(
                "\n{} left in `{}` (arrived after the task started, or were being read).",
                count(self.left, "message"),
                self.queue
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: Style = Style { color: false };

    fn report() -> MoveReport {
        MoveReport {
            queue: "app-dlq".into(),
            destination: "app-buffer".into(),
            depth: QueueDepth {
                visible: 3,
                in_flight: 0,
                delayed: 0,
            },
            ..Default::default()
        }
    }

    #[test]
    fn a_completed_move_names_both_queues_and_what_is_left() {
        let mut r = report();
        r.status = Some("COMPLETED".into());
        r.moved = 3;
        assert_eq!(
            r.render(&PLAIN),
            "Moved 3 events from `app-dlq` back to the buffer `app-buffer`; each keeps its event id, and the relay receives it again."
        );
        r.left = 1;
        assert!(r.render(&PLAIN).ends_with(
            "1 message left in `app-dlq` (arrived after the task started, or were being read)."
        ));
    }

    #[test]
    fn a_dry_run_and_an_empty_queue_move_nothing() {
        let mut r = report();
        r.dry_run = true;
        assert!(r.render(&PLAIN).starts_with(
            "Dry run: about 3 events in `app-dlq` would be moved back to the buffer `app-buffer`"
        ));
        r.not_events = 1;
        assert!(r
            .render(&PLAIN)
            .starts_with("Dry run: 1 message in `app-dlq` is not an event, so a move to the buffer `app-buffer` would be refused"));
        r.dry_run = false;
        assert_eq!(r.render(&PLAIN), "`app-dlq` is empty: nothing to move.");
    }
}
