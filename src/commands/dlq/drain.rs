//! `dlq drain`: append every message to a JSON Lines file, fsync, then delete it.
//!
//! Killed at any instant, each message is in the file, still in the queue, or both. "Both" is
//! settled by the next drain: a message whose id the file already holds is deleted without
//! being written again, so the file ends up with each message exactly once.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::aws::sqs::{self, BatchFailure, QueueDepth, Received};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::model::dlq_record;
use crate::model::text::{count, have, or_dash, were};
use crate::printer::{Report, Style};

use super::sweep::{sweep, Sweep, RECEIVERS};
use super::{progress, Queue};

/// One line of the drain file: everything SQS gave us about the message.
#[derive(Debug, Serialize)]
struct DrainLine<'a> {
    message_id: &'a str,
    queue: &'a str,
    attributes: &'a BTreeMap<String, String>,
    message_attributes: &'a BTreeMap<String, String>,
    body: &'a str,
}

/// Where a message's line stands in this run.
#[derive(Clone, Copy)]
enum Line {
    /// A receiver is writing it.
    Writing,
    /// In the file, fsynced.
    OnDisk,
}

/// What identifies a line already in the file.
#[derive(Deserialize)]
struct LineKey {
    message_id: String,
    queue: String,
}

#[derive(Debug, Serialize)]
struct DrainReport {
    queue: String,
    file: String,
    drained: usize,
    /// Already in the file (from a drain that stopped before deleting them): deleted only.
    already_in_file: usize,
    /// Written to the file but not deleted: they are in both places.
    delete_failures: Vec<BatchFailure>,
    /// The queue's depth afterwards.
    left_in_queue: QueueDepth,
    /// Drained records Lambda wrote without their event: saved as they are, nothing to redrive.
    unrecoverable: Vec<Unrecoverable>,
}

/// A failure record whose event Lambda dropped: what still names it.
#[derive(Debug, Serialize)]
struct Unrecoverable {
    message_id: String,
    request_id: Option<String>,
    time: Option<String>,
}

/// Records listed by id in the text output; the JSON lists all.
const UNRECOVERABLE_SHOWN: usize = 5;

/// Opens the file for appending, with the ids of this queue's messages it already holds. If an
/// earlier drain was killed mid-write, the file ends in a partial line: start on a fresh line
/// so the next record is not glued onto it (the torn line's message was never deleted).
fn open_append(path: &Path, queue: &str) -> Result<(std::fs::File, HashSet<String>)> {
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
    let mut ids = HashSet::new();
    for line in BufReader::new(&file).lines() {
        if let Ok(key) = serde_json::from_str::<LineKey>(&line?) {
            if key.queue == queue {
                ids.insert(key.message_id);
            }
        }
    }
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
    Ok((file, ids))
}

pub(super) async fn run(
    ctx: &Context,
    q: &Queue<'_>,
    out: &Path,
    visibility: Duration,
) -> Result<()> {
    let (file, in_file) = open_append(out, &q.name)?;
    let file = Arc::new(Mutex::new(file));
    let in_file: Mutex<HashMap<String, Line>> =
        Mutex::new(in_file.into_iter().map(|id| (id, Line::OnDisk)).collect());
    let depth = sqs::depth(q.sqs, &q.url).await?;
    let drained = AtomicUsize::new(0);
    let already = AtomicUsize::new(0);
    let delete_failures = Mutex::new(Vec::new());
    let unrecoverable = Mutex::new(Vec::new());
    let sweep_opts = Sweep {
        queue: q,
        receivers: RECEIVERS,
        visibility,
        limit: None,
        progress: progress(ctx, &depth, "draining"),
    };
    let result = sweep(&sweep_opts, |batch| {
        let (file, in_file, drained, already, delete_failures, unrecoverable) = (
            file.clone(),
            &in_file,
            &drained,
            &already,
            &delete_failures,
            &unrecoverable,
        );
        async move {
            // Each message is written by one receiver only, and deleted unwritten only once its
            // line is on disk (never while another receiver is still writing it).
            let (mut saved, mut fresh) = (Vec::new(), Vec::new());
            {
                let mut ids = in_file.lock().expect("ids lock");
                for m in batch {
                    match ids.get(&m.message_id) {
                        Some(Line::OnDisk) => saved.push(m),
                        Some(Line::Writing) => {}
                        None => {
                            ids.insert(m.message_id.clone(), Line::Writing);
                            fresh.push(m);
                        }
                    }
                }
            }
            let mut text = String::new();
            for m in &fresh {
                let record = dlq_record::parse(m);
                if record.payload_dropped {
                    unrecoverable
                        .lock()
                        .expect("unrecoverable lock")
                        .push(Unrecoverable {
                            message_id: m.message_id.clone(),
                            request_id: record.request_id,
                            time: record.time,
                        });
                }
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
            // On disk before the delete.
            tokio::task::spawn_blocking(move || -> std::io::Result<()> {
                let mut f = file
                    .lock()
                    .map_err(|_| std::io::Error::other("file lock poisoned"))?;
                f.write_all(text.as_bytes())?;
                f.sync_data()
            })
            .await
            .map_err(|e| Error::failed(format!("writing the drain file: {e}")))??;
            {
                let mut ids = in_file.lock().expect("ids lock");
                for m in &fresh {
                    ids.insert(m.message_id.clone(), Line::OnDisk);
                }
            }
            let refs: Vec<&Received> = fresh.iter().chain(&saved).collect();
            let failed = sqs::delete(q.sqs, &q.url, &refs).await?;
            let failed_ids: HashSet<&str> = failed.iter().map(|f| f.message_id.as_str()).collect();
            let ok = |ms: &[Received]| {
                ms.iter()
                    .filter(|m| !failed_ids.contains(m.message_id.as_str()))
                    .count()
            };
            let (new_deleted, old_deleted) = (ok(&fresh), ok(&saved));
            drained.fetch_add(new_deleted, Ordering::Relaxed);
            already.fetch_add(old_deleted, Ordering::Relaxed);
            delete_failures
                .lock()
                .expect("failures lock")
                .extend(failed);
            Ok(new_deleted + old_deleted)
        }
    })
    .await;
    let drained = drained.load(Ordering::Relaxed);
    if let Err(e) = result {
        return Err(Error::failed(format!(
            "{} ({} drained to `{}` before it)",
            e.message,
            were(drained as u64, "message"),
            out.display()
        ))
        .hint(
            "run the same command again: it appends, and nothing deleted is missing from the file",
        ));
    }
    let left_in_queue = sqs::depth(q.sqs, &q.url).await?;
    ctx.printer.report(&DrainReport {
        queue: q.name.clone(),
        file: out.display().to_string(),
        drained,
        already_in_file: already.load(Ordering::Relaxed),
        delete_failures: delete_failures.into_inner().expect("failures lock"),
        left_in_queue,
        unrecoverable: unrecoverable.into_inner().expect("unrecoverable lock"),
    })
}

impl Report for DrainReport {
    fn render(&self, style: &Style) -> String {
        let mut out = if self.drained == 0 && self.already_in_file == 0 {
            format!("`{}` is empty: nothing drained.", self.queue)
        } else {
            format!(
                "Drained {} from `{}` to {}.",
                count(self.drained as u64, "message"),
                self.queue,
                self.file
            )
        };
        if self.already_in_file > 0 {
            out.push_str(&format!(
                "\n{} already in the file (an earlier drain stopped before deleting them); deleted without writing them again.",
                were(self.already_in_file as u64, "message")
            ));
        }
        if !self.delete_failures.is_empty() {
            out.push_str(&format!(
                "\n{} {} saved but could not be deleted ({}); they are in the file and still in the queue.",
                style.yellow("warning:"),
                were(self.delete_failures.len() as u64, "message"),
                self.delete_failures[0].code
            ));
        }
        if !self.unrecoverable.is_empty() {
            let mut ids: Vec<String> = self
                .unrecoverable
                .iter()
                .take(UNRECOVERABLE_SHOWN)
                .map(|u| {
                    format!(
                        "{} (request {}, {})",
                        u.message_id,
                        or_dash(&u.request_id),
                        or_dash(&u.time)
                    )
                })
                .collect();
            if self.unrecoverable.len() > UNRECOVERABLE_SHOWN {
                ids.push(format!(
                    "and {} more",
                    self.unrecoverable.len() - UNRECOVERABLE_SHOWN
                ));
            }
            out.push_str(&format!(
                "\n{} {} no event (Lambda dropped it: request + response exceeded the queue's message size); saved as they are, nothing to redrive: {}.",
                style.yellow("warning:"),
                have(self.unrecoverable.len() as u64, "record"),
                ids.join(", ")
            ));
        }
        let left = self.left_in_queue.total();
        if left > 0 {
            out.push_str(&format!(
                "\nAbout {} {} in the queue (arrived meanwhile, or in flight).",
                count(left, "message"),
                if left == 1 { "remains" } else { "remain" }
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_torn_last_line_gets_a_fresh_line_and_saved_ids_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        std::fs::write(
            &path,
            "{\"message_id\":\"m-1\",\"queue\":\"q\"}\n{\"message_id\":\"m-9\",\"queue\":\"other\"}\n{\"message_id\":\"m-2\",\"qu",
        )
        .unwrap();
        let (mut f, ids) = open_append(&path, "q").unwrap();
        // The torn line's message was never deleted: it is not counted as saved.
        assert_eq!(ids, HashSet::from(["m-1".to_string()]));
        f.write_all(b"{\"c\":3}\n").unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.ends_with("\"qu\n{\"c\":3}\n"), "{text}");
        // A clean file is left as it is.
        drop(open_append(&path, "q").unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    }
}
