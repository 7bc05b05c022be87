//! `dlq purge`: delete every message in the queue, after asking.

use serde::Serialize;

use crate::aws::sqs::{self, Purge};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::printer::{Report, Style};

use super::{confirm_change, Queue};

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

pub(super) async fn run(ctx: &Context, q: &Queue<'_>) -> Result<()> {
    let depth = sqs::depth(q.sqs, &q.url).await?;
    let question = format!(
        "Delete all {} messages in `{}`? This cannot be undone",
        depth.total(),
        q.name
    );
    confirm_change(ctx, &question).await?;
    match sqs::purge(q.sqs, &q.url).await? {
        Purge::Started => ctx.printer.report(&PurgeReport {
            queue: q.name.clone(),
            messages: depth.total(),
        }),
        Purge::AlreadyInProgress => Err(Error::failed(format!(
            "a purge of `{}` is already in progress",
            q.name
        ))
        .hint("SQS allows one purge per queue every 60 seconds; wait a minute, then check with `evrelay dlq peek`")),
    }
}
