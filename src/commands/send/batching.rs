//! Puts the planned entries on the bus: packed into PutEvents requests (≤ 10 entries,
//! < 256 KB), `concurrency` requests in flight, each accepted entry handed to the waiter as soon
//! as its request returns.

use futures::StreamExt;

use crate::aws::eventbridge::{self, EntryOutcome};
use crate::context::Context;
use crate::error::Result;
use crate::model::event::{pack, EventEntry};

use super::input::Planned;
use super::waiter::Waiter;

pub(super) async fn send_all(
    ctx: &Context,
    bus: &str,
    planned: &Planned,
    concurrency: usize,
    waiter: Option<&Waiter>,
) -> Result<Vec<EntryOutcome>> {
    let n = planned.entries.len();
    let sizes: Vec<usize> = planned.entries.iter().map(EventEntry::size).collect();
    let progress = ctx.printer.progress(n as u64, "sending");
    let mut outcomes: Vec<Option<EntryOutcome>> = vec![None; n];
    let mut requests = futures::stream::iter(pack(&sizes))
        .map(|range| async move {
            let result =
                eventbridge::put_batch(ctx.events(), bus, &planned.entries[range.clone()]).await;
            (range, result)
        })
        .buffer_unordered(concurrency.max(1));
    let mut accepted = 0;
    while let Some((range, result)) = requests.next().await {
        let batch = result.map_err(|mut e| {
            progress.finish_and_clear();
            e.message = format!(
                "{} ({accepted} of {n} events were sent before it)",
                e.message
            );
            e
        })?;
        progress.inc(range.len() as u64);
        for (i, outcome) in range.zip(batch) {
            if let (true, Some(w), Some(id)) = (outcome.ok(), waiter, &outcome.event_id) {
                w.expect(id, i, outcome.sent_at);
            }
            accepted += usize::from(outcome.ok());
            outcomes[i] = Some(outcome);
        }
    }
    progress.finish_and_clear();
    Ok(outcomes
        .into_iter()
        .map(|o| o.unwrap_or_else(EntryOutcome::not_sent))
        .collect())
}
