//! `evrelay dlq`: read, save, replay or empty the relay's failure queue.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::context::Context;
use crate::error::{Error, Result};

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
        #[arg(long, value_name = "N", default_value_t = 50)]
        max: usize,
    },
    /// Append every message to a JSON Lines file, then delete it from the queue.
    Drain {
        /// The file to append to (fsynced before each delete).
        #[arg(long, value_name = "FILE.jsonl")]
        out: PathBuf,
    },
    /// Put each failed event back on the bus; delete only what was re-sent.
    Redrive {
        /// Show what would be re-sent, change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Delete every message in the queue.
    Purge,
}

pub async fn run(_ctx: &Context, _args: DlqArgs) -> Result<()> {
    Err(Error::failed("dlq is not built yet"))
}
