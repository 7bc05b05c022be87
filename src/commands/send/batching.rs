//! Puts the planned entries on the bus: packed into PutEvents requests (≤ 10 entries,
//! < 256 KB), `concurrency` requests in flight, each accepted entry handed to the waiter as soon
//! as its request returns. With `--rate`, each request leaves when its schedule says
//! ([`Rate::due`]), however long the ones before it took.

use std::time::{Duration, Instant};

use futures::StreamExt;

use crate::aws::eventbridge::signing::Signature;
use crate::aws::eventbridge::{self, EntryOutcome, Through};
use crate::context::Context;
use crate::error::Result;
use crate::model::event::{pack, pack_at_most, EventEntry};
use crate::model::rate::Rate;
use crate::model::text::count;

use super::input::Planned;
use super::waiter::Waiter;

/// The outcomes, in the entries' order, and when the last request left (for the rate issued).
pub(super) struct Sent {
    pub outcomes: Vec<EntryOutcome>,
    /// PutEvents requests refused whole as throttled (each retried).
    pub throttled_requests: u64,
    pub last_issued: Duration,
    pub last_entries: usize,
    /// Entries accepted in each second since the first request, counted when their answer
    /// came (the rate over time).
    pub accepted_each_second: Vec<u64>,
    /// Each request's signature, in the order the answers came.
    pub signatures: Vec<Signature>,
}

pub(super) async fn send_all(
    ctx: &Context,
    bus: &str,
    through: Through<'_>,
    planned: &Planned,
    concurrency: usize,
    rate: Option<Rate>,
    waiter: Option<&Waiter>,
) -> Result<Sent> {
    let n = planned.entries.len();
    let sizes: Vec<usize> = planned.entries.iter().map(EventEntry::size).collect();
    let batches = match rate {
        Some(r) => pack_at_most(&sizes, r.entries_per_request()),
        None => pack(&sizes),
    };
    let progress = ctx.printer.progress(n as u64, "sending");
    let mut outcomes: Vec<Option<EntryOutcome>> = vec![None; n];
    let start = Instant::now();
    let requests = futures::stream::iter(batches)
        .then(|range| async move {
            if let Some(r) = rate {
                tokio::time::sleep_until((start + r.due(range.start)).into()).await;
            }
            (range, start.elapsed())
        })
        .map(|(range, issued)| async move {
            let entries = &planned.entries[range.clone()];
            let result = eventbridge::put_batch_through(ctx.events(), bus, through, entries).await;
            (range, issued, result)
        })
        .buffer_unordered(concurrency.max(1));
    let mut requests = std::pin::pin!(requests);
    let (mut accepted, mut last_issued, mut last_entries) = (0, Duration::ZERO, 0);
    let mut throttled_requests = 0;
    let mut accepted_each_second = Vec::new();
    let mut signatures = Vec::new();
    while let Some((range, issued, result)) = requests.next().await {
        let batch = result.map_err(|mut e| {
            progress.finish_and_clear();
            e.message = format!(
                "{} ({accepted} of {} sent before it)",
                e.message,
                count(n as u64, "event")
            );
            e
        })?;
        throttled_requests += u64::from(batch.throttled_requests);
        signatures.extend(batch.signatures);
        progress.inc(range.len() as u64);
        if issued >= last_issued {
            (last_issued, last_entries) = (issued, range.len());
        }
        let second = start.elapsed().as_secs() as usize;
        if accepted_each_second.len() <= second {
            accepted_each_second.resize(second + 1, 0);
        }
        for (i, outcome) in range.zip(batch.outcomes) {
            if let (true, Some(w), Some(id)) = (outcome.ok(), waiter, &outcome.event_id) {
                w.expect(id, i, outcome.sent_at);
            }
            accepted += usize::from(outcome.ok());
            accepted_each_second[second] += u64::from(outcome.ok());
            outcomes[i] = Some(outcome);
        }
    }
    progress.finish_and_clear();
    Ok(Sent {
        outcomes: outcomes
            .into_iter()
            .map(|o| o.unwrap_or_else(EntryOutcome::not_sent))
            .collect(),
        throttled_requests,
        last_issued,
        last_entries,
        accepted_each_second,
        signatures,
    })
}
