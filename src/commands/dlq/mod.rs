//! `evrelay dlq`: read, save, replay or empty the relay's failure queue.
//!
//! Every action sweeps the queue ([`sweep`]) with a few concurrent receivers, 10 messages a call,
//! until the queue reports empty. Reading never consumes: what is not deliberately deleted is
//! made visible again (visibility timeout 0) before the command ends.

mod drain;
mod peek;
mod purge;
mod reasons;
mod redrive;
mod redrive_buffered;
mod sweep;

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};
use indicatif::ProgressBar;

use crate::aws::sqs::{self, BatchFailure, QueueDepth};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::printer::confirm_or_cancel;
use crate::stack::ownership;

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

        /// Show every column (time, detail event id, detail type, condition) and whole reasons.
        #[arg(long)]
        wide: bool,
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
    /// Put each failed event back on the bus; delete only what was re-sent. Buffered delivery:
    /// move the events back to the buffer queue (an SQS message move task), ids unchanged.
    Redrive {
        /// Show what would be re-sent, change nothing.
        #[arg(long)]
        dry_run: bool,

        /// The bus to put the events on (default: the stack's bus). Buffered delivery: re-send
        /// through this bus instead of moving the messages to the buffer.
        #[arg(long, value_name = "NAME")]
        bus: Option<String>,
    },
    /// Delete every message in the queue.
    Purge,
}

pub async fn run(ctx: &Context, args: DlqArgs) -> Result<()> {
    // Reading is fine on any stack (with a note); deleting or re-sending its failed events only on
    // one evrelay created.
    let changes = match &args.action {
        DlqAction::Peek { .. } => None,
        DlqAction::Redrive { dry_run: true, .. } => None,
        DlqAction::Drain { .. } => Some("dlq drain"),
        DlqAction::Redrive { .. } => Some("dlq redrive"),
        DlqAction::Purge => Some("dlq purge"),
    };
    match changes {
        Some(command) => {
            ownership::require_owned(ctx.cloudformation(), &ctx.names.stack, command).await?;
        }
        None => ownership::note_if_foreign(ctx).await,
    }
    let queue = ctx.names.dlq.clone();
    let url = match sqs::queue_url(ctx.sqs(), &queue).await {
        Ok(url) => url,
        Err(e) => return Err(crate::stack::missing::explain(ctx, e).await),
    };
    let q = Queue {
        sqs: ctx.sqs(),
        name: queue,
        url,
    };
    // Buffered delivery's DLQ holds the events themselves, moved there by the buffer's redrive
    // policy: peek reads the relay's reasons from its logs, redrive moves them back.
    let delivery = crate::stack::describe_stack(ctx.cloudformation(), &ctx.names.stack)
        .await?
        .map_or_else(|| "direct".to_string(), |s| s.delivery().to_string());
    match args.action {
        DlqAction::Peek { max, wide } => peek::run(ctx, &q, max as usize, wide, &delivery).await,
        DlqAction::Redrive { dry_run, bus: None } if delivery == "buffered" => {
            redrive_buffered::run(ctx, &q, dry_run).await
        }
        DlqAction::Drain {
            out,
            visibility_timeout,
        } => drain::run(ctx, &q, &out, visibility_timeout).await,
        DlqAction::Redrive { dry_run, bus } => redrive::run(ctx, &q, dry_run, bus).await,
        DlqAction::Purge => purge::run(ctx, &q).await,
    }
}

/// The failure queue every action works on.
struct Queue<'a> {
    sqs: &'a aws_sdk_sqs::Client,
    name: String,
    url: String,
}

/// Asks before a change, naming the account and region; "no" is a runtime failure (exit 1),
/// as for deploy and destroy.
async fn confirm_change(ctx: &Context, question: &str) -> Result<()> {
    let question = format!("{question} ({})", ctx.scope().await?);
    confirm_or_cancel(ctx.globals.yes, &question)
        .await
        .map_err(|e| {
            if e.is_cancelled() {
                Error::cancelled_with("cancelled; nothing was changed")
            } else {
                e
            }
        })
}

fn warn_release_failures(ctx: &Context, failures: &[BatchFailure]) {
    if !failures.is_empty() {
        ctx.printer.warn(&format!(
            "{} could not be made visible again ({}); they return when their visibility timeout ends",
            crate::model::text::count(failures.len() as u64, "message"),
            failures[0].code
        ));
    }
}

fn progress(ctx: &Context, depth: &QueueDepth, what: &str) -> ProgressBar {
    ctx.printer.progress(depth.visible, what)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn yes_confirms_without_asking() {
        assert!(confirm_or_cancel(true, "purge?").await.is_ok());
        assert_eq!(Error::cancelled_with("x").exit_code(), 1);
    }
}
