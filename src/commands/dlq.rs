//! `evrelay dlq`: read, save, replay or empty the relay's failure queue.
//!
//! Every action sweeps the queue with a few concurrent receivers, 10 messages a call, until the
//! queue reports empty. Reading never consumes: what is not deliberately deleted is made visible
//! again (visibility timeout 0) before the command ends.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::future::Future;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use clap::{Args, Subcommand};
use indicatif::ProgressBar;
use serde::Serialize;

use crate::commands::send::{self, EventEntry};
use crate::context::Context;
use crate::dlq::{self, DlqRecord, Shape};
use crate::error::{Error, Result};
use crate::printer::{confirm, Report, Style};
use crate::queues::{self, BatchFailure, QueueDepth, Receive, Received};

#[derive(Debug, Clone, Args)]
pub struct DlqArgs {
    #[command(subcommand)]
    pub action: DlqAction,
}

#[derive(Debug, Clone, Subcommand)]
pub enum DlqAction {
    /// List failed events without consuming them.
    Peek {
        /// Show at most this many messages.
        #[arg(long, value_name = "N", default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..))]
        max: u64,
    },
    /// Append every message to a JSON Lines file, then delete it from the queue.
    Drain {
        /// The file to append to (fsynced before each delete).
        #[arg(long, value_name = "FILE.jsonl")]
        out: PathBuf,

        /// How long a received message stays hidden before it returns to the queue if evrelay
        /// stops before deleting it, e.g. 60s.
        #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = crate::commands::parse_duration)]
        visibility_timeout: Duration,
    },
    /// Put each failed event back on the bus; delete only what was re-sent.
    Redrive {
        /// Show what would be re-sent, change nothing.
        #[arg(long)]
        dry_run: bool,

        /// The bus to put the events on (default: the stack's bus).
        #[arg(long, value_name = "NAME")]
        bus: Option<String>,
    },
    /// Delete every message in the queue.
    Purge,
}

pub async fn run(ctx: &Context, args: DlqArgs) -> Result<()> {
    let queue = ctx.names.dlq.clone();
    let url = queues::queue_url(ctx.sqs(), &queue).await?;
    let q = Queue {
        sqs: ctx.sqs(),
        name: queue,
        url,
    };
    match args.action {
        DlqAction::Peek { max } => peek(ctx, &q, max as usize).await,
        DlqAction::Drain {
            out,
            visibility_timeout,
        } => drain(ctx, &q, &out, visibility_timeout).await,
        DlqAction::Redrive { dry_run, bus } => redrive(ctx, &q, dry_run, bus).await,
        DlqAction::Purge => purge(ctx, &q).await,
    }
}

struct Queue<'a> {
    sqs: &'a aws_sdk_sqs::Client,
    name: String,
    url: String,
}

// ---------------------------------------------------------------------------------------------
// The sweep: concurrent receivers until the queue reports empty.

/// Consecutive empty receives (1 s long polls) after which a receiver concludes the queue is empty.
const EMPTY_RECEIVES: u32 = 3;
const RECEIVERS: usize = 4;

struct Sweep<'a> {
    queue: &'a Queue<'a>,
    receivers: usize,
    visibility: Duration,
    /// Stop after receiving this many messages.
    limit: Option<usize>,
    progress: ProgressBar,
}

/// Runs `handle` on every batch received until the queue is empty. `handle` returns how many of
/// its messages it settled (deleted); the rest count as held by us until the command releases
/// them, so "in flight" messages that are ours do not make the queue look busy.
async fn sweep<F, Fut>(s: &Sweep<'_>, handle: F) -> Result<()>
where
    F: Fn(Vec<Received>) -> Fut,
    Fut: Future<Output = Result<usize>>,
{
    let stop = AtomicBool::new(false);
    let held = AtomicU64::new(0);
    let taken = AtomicUsize::new(0);
    let receiver = || async {
        let mut empties = 0;
        while !stop.load(Ordering::Relaxed) {
            let want = match s.limit {
                Some(limit) => {
                    let so_far = taken.load(Ordering::Relaxed);
                    if so_far >= limit {
                        break;
                    }
                    (limit - so_far).min(10)
                }
                None => 10,
            };
            let opts = Receive {
                max: want as i32,
                wait: Duration::from_secs(1),
                visibility: s.visibility,
            };
            let batch = queues::receive(s.queue.sqs, &s.queue.url, opts).await?;
            if batch.is_empty() {
                empties += 1;
                if empties >= EMPTY_RECEIVES {
                    break;
                }
                let depth = queues::depth(s.queue.sqs, &s.queue.url).await?;
                if depth.visible == 0 && depth.in_flight <= held.load(Ordering::Relaxed) {
                    stop.store(true, Ordering::Relaxed);
                    break;
                }
                continue;
            }
            empties = 0;
            let n = batch.len();
            taken.fetch_add(n, Ordering::Relaxed);
            held.fetch_add(n as u64, Ordering::Relaxed);
            let settled = handle(batch).await?;
            held.fetch_sub(settled.min(n) as u64, Ordering::Relaxed);
            s.progress.inc(n as u64);
        }
        Ok::<(), Error>(())
    };
    let result = futures::future::try_join_all((0..s.receivers.max(1)).map(|_| receiver())).await;
    s.progress.finish_and_clear();
    result.map(|_| ())
}

/// Messages we hold hidden, by message id (a message seen twice keeps its newest receipt handle).
#[derive(Default)]
struct Held(Mutex<HashMap<String, Received>>);

impl Held {
    fn insert(&self, m: Received) {
        self.0
            .lock()
            .expect("held lock")
            .insert(m.message_id.clone(), m);
    }

    fn remove(&self, message_id: &str) {
        self.0.lock().expect("held lock").remove(message_id);
    }

    fn contains(&self, message_id: &str) -> bool {
        self.0.lock().expect("held lock").contains_key(message_id)
    }

    /// Makes every held message visible again.
    async fn release(&self, q: &Queue<'_>) -> Result<Vec<BatchFailure>> {
        let messages: Vec<Received> = self
            .0
            .lock()
            .expect("held lock")
            .drain()
            .map(|(_, m)| m)
            .collect();
        let refs: Vec<&Received> = messages.iter().collect();
        queues::release_all(q.sqs, &q.url, &refs).await
    }
}

fn warn_release_failures(ctx: &Context, failures: &[BatchFailure]) {
    if !failures.is_empty() {
        ctx.printer.warn(&format!(
            "{} messages could not be made visible again ({}); they return when their visibility timeout ends",
            failures.len(),
            failures[0].code
        ));
    }
}

fn progress(ctx: &Context, depth: &QueueDepth, what: &str) -> ProgressBar {
    ctx.printer.progress(depth.visible, what)
}

// ---------------------------------------------------------------------------------------------
// peek

#[derive(Debug, Serialize)]
struct PeekReport {
    queue: String,
    /// The queue's depth before reading.
    depth: QueueDepth,
    records: Vec<DlqRecord>,
}

async fn peek(ctx: &Context, q: &Queue<'_>, max: usize) -> Result<()> {
    let depth = queues::depth(q.sqs, &q.url).await?;
    let held = Held::default();
    let sweep_opts = Sweep {
        queue: q,
        receivers: max.div_ceil(10).min(RECEIVERS),
        visibility: Duration::from_secs(30),
        limit: Some(max),
        progress: progress(ctx, &depth, "reading"),
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
    let mut records: Vec<DlqRecord> = held
        .0
        .lock()
        .expect("held lock")
        .values()
        .map(dlq::parse)
        .collect();
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

fn cell(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "-".into())
}

fn shorten(s: &str, max: usize) -> String {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        one_line
    } else {
        format!("{}…", one_line.chars().take(max - 1).collect::<String>())
    }
}

impl Report for PeekReport {
    fn render(&self, style: &Style) -> String {
        if self.records.is_empty() {
            return format!("`{}` is empty.", self.queue);
        }
        let mut table = style.table([
            "time",
            "event id",
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
                    cell(&r.detail_type),
                    shorten(r.error.as_deref().unwrap_or("-"), 60),
                ),
            };
            table.add_row(vec![
                cell(&r.time),
                cell(&r.event_id),
                detail_type,
                cell(&r.condition),
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

// ---------------------------------------------------------------------------------------------
// drain

/// One line of the drain file: everything SQS gave us about the message.
#[derive(Debug, Serialize)]
struct DrainLine<'a> {
    message_id: &'a str,
    queue: &'a str,
    attributes: &'a BTreeMap<String, String>,
    message_attributes: &'a BTreeMap<String, String>,
    body: &'a str,
}

#[derive(Debug, Serialize)]
struct DrainReport {
    queue: String,
    file: String,
    drained: usize,
    /// Written to the file but not deleted: they are in both places.
    delete_failures: Vec<BatchFailure>,
    /// The queue's depth afterwards.
    left_in_queue: QueueDepth,
}

/// Opens the file for appending. If an earlier drain was killed mid-write, the file ends in a
/// partial line: start on a fresh line so the next record is not glued onto it.
fn open_append(path: &Path) -> Result<std::fs::File> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .open(path)
        .map_err(|e| {
            Error::failed(format!(
                "cannot open `{}` for appending: {e}",
                path.display()
            ))
        })?;
    let len = file.metadata()?.len();
    if len > 0 {
        let mut last = [0u8; 1];
        file.seek(SeekFrom::Start(len - 1))?;
        file.read_exact(&mut last)?;
        if last[0] != b'\n' {
            file.write_all(b"\n")?;
            file.sync_data()?;
        }
    }
    Ok(file)
}

async fn drain(ctx: &Context, q: &Queue<'_>, out: &Path, visibility: Duration) -> Result<()> {
    let file = Arc::new(Mutex::new(open_append(out)?));
    let depth = queues::depth(q.sqs, &q.url).await?;
    let drained = AtomicUsize::new(0);
    let delete_failures = Mutex::new(Vec::new());
    let sweep_opts = Sweep {
        queue: q,
        receivers: RECEIVERS,
        visibility,
        limit: None,
        progress: progress(ctx, &depth, "draining"),
    };
    let result = sweep(&sweep_opts, |batch| {
        let (file, drained, delete_failures) = (file.clone(), &drained, &delete_failures);
        async move {
            let mut text = String::new();
            for m in &batch {
                let line = DrainLine {
                    message_id: &m.message_id,
                    queue: &q.name,
                    attributes: &m.attributes,
                    message_attributes: &m.message_attributes,
                    body: &m.body,
                };
                text.push_str(&serde_json::to_string(&line)?);
                text.push('\n');
            }
            // On disk before the delete: killed at any instant, each message is in the file,
            // still in the queue, or both.
            tokio::task::spawn_blocking(move || -> std::io::Result<()> {
                let mut f = file
                    .lock()
                    .map_err(|_| std::io::Error::other("file lock poisoned"))?;
                f.write_all(text.as_bytes())?;
                f.sync_data()
            })
            .await
            .map_err(|e| Error::failed(format!("writing the drain file: {e}")))??;
            let refs: Vec<&Received> = batch.iter().collect();
            let failed = queues::delete(q.sqs, &q.url, &refs).await?;
            let deleted = batch.len() - failed.len();
            drained.fetch_add(deleted, Ordering::Relaxed);
            delete_failures
                .lock()
                .expect("failures lock")
                .extend(failed);
            Ok(deleted)
        }
    })
    .await;
    let drained = drained.load(Ordering::Relaxed);
    if let Err(e) = result {
        return Err(Error::failed(format!(
            "{} ({drained} messages were drained to `{}` before it)",
            e.message,
            out.display()
        ))
        .hint(
            "run the same command again: it appends, and nothing deleted is missing from the file",
        ));
    }
    let left_in_queue = queues::depth(q.sqs, &q.url).await?;
    ctx.printer.report(&DrainReport {
        queue: q.name.clone(),
        file: out.display().to_string(),
        drained,
        delete_failures: delete_failures.into_inner().expect("failures lock"),
        left_in_queue,
    })
}

impl Report for DrainReport {
    fn render(&self, style: &Style) -> String {
        let mut out = format!(
            "Drained {} messages from `{}` to {}.",
            self.drained, self.queue, self.file
        );
        if !self.delete_failures.is_empty() {
            out.push_str(&format!(
                "\n{} {} messages were saved but could not be deleted ({}); they are in the file and still in the queue.",
                style.yellow("warning:"),
                self.delete_failures.len(),
                self.delete_failures[0].code
            ));
        }
        let left = self.left_in_queue.total();
        if left > 0 {
            out.push_str(&format!(
                "\nAbout {left} messages remain in the queue (arrived meanwhile, or in flight)."
            ));
        }
        out
    }
}

// ---------------------------------------------------------------------------------------------
// redrive

#[derive(Debug, Clone, Serialize)]
struct Resent {
    message_id: String,
    event_id: Option<String>,
    detail_type: String,
    /// The id EventBridge gave the re-sent event (none in a dry run).
    new_event_id: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
struct NotResent {
    message_id: String,
    event_id: Option<String>,
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

async fn redrive(ctx: &Context, q: &Queue<'_>, dry_run: bool, bus: Option<String>) -> Result<()> {
    let named_by_flag = bus.is_some();
    let bus = bus.unwrap_or_else(|| ctx.names.bus.clone());
    let (bus_check, depth) = tokio::join!(
        send::ensure_bus(ctx.events(), &bus, named_by_flag),
        queues::depth(q.sqs, &q.url)
    );
    bus_check?;
    let depth = depth?;
    if !dry_run {
        let question = format!(
            "Put the events from about {} messages in `{}` back on bus `{bus}`?",
            depth.visible, q.name
        );
        if !confirm(ctx.globals.yes, &question)? {
            ctx.printer.note("Cancelled; nothing changed.");
            return Ok(());
        }
    }
    let held = Held::default();
    let report = Mutex::new(RedriveReport {
        queue: q.name.clone(),
        bus: bus.clone(),
        dry_run,
        ..Default::default()
    });
    let sweep_opts = Sweep {
        queue: q,
        receivers: RECEIVERS,
        visibility: Duration::from_secs(120),
        limit: None,
        progress: progress(ctx, &depth, if dry_run { "reading" } else { "redriving" }),
    };
    let result = sweep(&sweep_opts, |batch| {
        let (held, report, bus) = (&held, &report, &bus);
        async move { redrive_batch(ctx, q, bus, dry_run, batch, held, report).await }
    })
    .await;
    let release = held.release(q).await;
    result?;
    warn_release_failures(ctx, &release?);
    let report = report.into_inner().expect("report lock");
    ctx.printer.report(&report)?;
    if report.failed.is_empty() {
        Ok(())
    } else {
        Err(Error::failed(format!(
            "{} of {} events could not be re-sent; their messages stay in `{}`",
            report.failed.len(),
            report.failed.len() + report.resent.len(),
            q.name
        ))
        .hint("`evrelay dlq peek` shows them; fix the cause and run `evrelay dlq redrive` again"))
    }
}

/// Re-sends one received batch. Every message is held until deleted; whatever is not deleted is
/// released when the command ends.
async fn redrive_batch(
    ctx: &Context,
    q: &Queue<'_>,
    bus: &str,
    dry_run: bool,
    batch: Vec<Received>,
    held: &Held,
    report: &Mutex<RedriveReport>,
) -> Result<usize> {
    // A message seen before came back after its visibility timeout: already handled, keep it
    // held (with its new receipt handle) and do not send it twice.
    let fresh: Vec<Received> = batch
        .iter()
        .filter(|m| !held.contains(&m.message_id))
        .cloned()
        .collect();
    batch.into_iter().for_each(|m| held.insert(m));
    let mut sendable: Vec<(Received, DlqRecord, EventEntry)> = Vec::new();
    for m in fresh {
        let record = dlq::parse(&m);
        match record.original_event() {
            Some(e) => {
                let entry = EventEntry {
                    source: e.source,
                    detail_type: e.detail_type,
                    detail: e.detail,
                    resources: e.resources,
                };
                sendable.push((m, record, entry));
            }
            None => report.lock().expect("report lock").skipped.push(NotResent {
                message_id: m.message_id.clone(),
                event_id: record.event_id.clone(),
                error_code: "NoEvent".into(),
                error_message: record.why_no_event().into(),
            }),
        }
    }
    if dry_run {
        let mut r = report.lock().expect("report lock");
        for (m, record, entry) in sendable {
            r.resent.push(Resent {
                message_id: m.message_id,
                event_id: record.event_id,
                detail_type: entry.detail_type,
                new_event_id: None,
            });
        }
        return Ok(0);
    }
    let sizes: Vec<usize> = sendable.iter().map(|(_, _, e)| e.size()).collect();
    let mut deleted = 0;
    for range in send::pack(&sizes) {
        let part = &sendable[range];
        let entries: Vec<EventEntry> = part.iter().map(|(_, _, e)| e.clone()).collect();
        let outcomes = send::put_batch(ctx.events(), bus, &entries).await?;
        let mut to_delete = Vec::new();
        {
            let mut r = report.lock().expect("report lock");
            for ((m, record, entry), outcome) in part.iter().zip(outcomes) {
                if outcome.ok() {
                    to_delete.push(m);
                    r.resent.push(Resent {
                        message_id: m.message_id.clone(),
                        event_id: record.event_id.clone(),
                        detail_type: entry.detail_type.clone(),
                        new_event_id: outcome.event_id,
                    });
                } else {
                    r.failed.push(NotResent {
                        message_id: m.message_id.clone(),
                        event_id: record.event_id.clone(),
                        error_code: outcome.error_code.unwrap_or_default(),
                        error_message: outcome.error_message.unwrap_or_default(),
                    });
                }
            }
        }
        let failures = queues::delete(q.sqs, &q.url, &to_delete).await?;
        let failed_ids: HashSet<&str> = failures.iter().map(|f| f.message_id.as_str()).collect();
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

impl Report for RedriveReport {
    fn render(&self, style: &Style) -> String {
        let mut out = String::new();
        if self.dry_run {
            if !self.resent.is_empty() {
                let mut table = style.table(["message id", "event id", "detail-type"]);
                for r in &self.resent {
                    table.add_row(vec![
                        r.message_id.clone(),
                        cell(&r.event_id),
                        r.detail_type.clone(),
                    ]);
                }
                out.push_str(&format!("{table}\n\n"));
            }
            out.push_str(&format!(
                "Dry run: {} events would be put back on `{}`; nothing was sent or deleted.",
                self.resent.len(),
                self.bus
            ));
        } else {
            out.push_str(&format!(
                "Re-sent {} events to `{}` and deleted their messages from `{}`.",
                self.resent.len() - self.delete_failures.len().min(self.resent.len()),
                self.bus,
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
            let mut table = style.table(["message id", "event id", "error"]);
            for r in rows {
                table.add_row(vec![
                    r.message_id.clone(),
                    cell(&r.event_id),
                    shorten(&format!("{}: {}", r.error_code, r.error_message), 80),
                ]);
            }
            out.push_str(&format!("\n\n{}\n{table}", style.bold(title)));
        }
        if !self.delete_failures.is_empty() {
            out.push_str(&format!(
                "\n\n{} {} events were re-sent but their messages could not be deleted ({}); a later redrive would send them again.",
                style.yellow("warning:"),
                self.delete_failures.len(),
                self.delete_failures[0].code
            ));
        }
        out
    }
}

// ---------------------------------------------------------------------------------------------
// purge

#[derive(Debug, Serialize)]
struct PurgeReport {
    queue: String,
    /// About how many messages the queue held when the purge started.
    messages: u64,
}

impl Report for PurgeReport {
    fn render(&self, _style: &Style) -> String {
        format!(
            "Purging `{}` (about {} messages). SQS finishes a purge within 60 seconds.",
            self.queue, self.messages
        )
    }
}

async fn purge(ctx: &Context, q: &Queue<'_>) -> Result<()> {
    let depth = queues::depth(q.sqs, &q.url).await?;
    let question = format!(
        "Delete all {} messages in `{}`? This cannot be undone",
        depth.total(),
        q.name
    );
    if !confirm(ctx.globals.yes, &question)? {
        ctx.printer.note("Cancelled; nothing changed.");
        return Ok(());
    }
    match q.sqs.purge_queue().queue_url(&q.url).send().await {
        Ok(_) => ctx.printer.report(&PurgeReport { queue: q.name.clone(), messages: depth.total() }),
        Err(e) if matches!(e.code(), Some("PurgeQueueInProgress" | "AWS.SimpleQueueService.PurgeQueueInProgress")) => {
            Err(Error::failed(format!("a purge of `{}` is already in progress", q.name))
                .hint("SQS allows one purge per queue every 60 seconds; wait a minute, then check with `evrelay dlq peek`"))
        }
        Err(e) => Err(Error::aws("PurgeQueue", e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_cells_are_shortened_to_one_line() {
        assert_eq!(shorten("a\n  b", 10), "a b");
        assert_eq!(shorten("abcdefghij", 5), "abcd…");
    }

    #[test]
    fn a_torn_last_line_gets_a_fresh_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        std::fs::write(&path, "{\"a\":1}\n{\"b\":").unwrap();
        let mut f = open_append(&path).unwrap();
        f.write_all(b"{\"c\":3}\n").unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "{\"a\":1}\n{\"b\":\n{\"c\":3}\n"
        );
        // A clean file is left as it is.
        drop(open_append(&path).unwrap());
        assert_eq!(
            std::fs::read_to_string(&path)
                .unwrap()
                .matches('\n')
                .count(),
            3
        );
    }
}
