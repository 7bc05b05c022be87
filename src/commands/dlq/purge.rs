//! `dlq purge`: delete every message in the queue, after asking.

use serde::Serialize;

use crate::aws::sqs::{self, Purge};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::model::text::count;
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
        if self.messages == 0 {
            return format!("`{}` is empty: nothing to purge.", self.queue);
        }
        format!(
            "Purging `{}` (about {}). SQS finishes a purge within 60 seconds.",
            self.queue,
            count(self.messages, "message")
        )
    }
}

pub(super) async fn run(ctx: &Context, q: &Queue<'_>) -> Result<()> {
    let depth = sqs::depth(q.sqs, &q.url).await?;
    if depth.total() == 0 {
        // No question to ask: nothing would be deleted.
        return ctx.printer.report(&PurgeReport {
            queue: q.name.clone(),
            messages: 0,
        });
    }
    let question = match depth.total() {
        1 => format!(
            "Delete the 1 message in `{}`? This cannot be undone",
            q.name
        ),
        n => format!(
            "Delete all {n} messages in `{}`? This cannot be undone",
            q.name
        ),
    };
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

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: Style = Style { color: false };

    #[test]
    fn an_empty_queue_is_said_to_be_empty_and_one_message_is_singular() {
        let r = |messages| PurgeReport {
            queue: "q-dlq".into(),
            messages,
        };
        assert_eq!(r(0).render(&PLAIN), "`q-dlq` is empty: nothing to purge.");
        assert!(r(1).render(&PLAIN).contains("(about 1 message)"));
    }
}
