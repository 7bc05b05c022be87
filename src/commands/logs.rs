//! `evrelay logs`: the relay's and the bus's log groups, interleaved by time.

use clap::{Args, ValueEnum};

use crate::context::Context;
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogSource {
    Relay,
    Events,
    All,
}

#[derive(Debug, Clone, Args)]
pub struct LogsArgs {
    /// Start from this long ago (10m, 2h, 1d) or from an RFC 3339 timestamp.
    #[arg(long, value_name = "WHEN", default_value = "10m")]
    pub since: String,

    /// A CloudWatch Logs filter pattern.
    #[arg(long, value_name = "PATTERN")]
    pub filter: Option<String>,

    /// Keep printing new lines as they arrive.
    #[arg(short, long)]
    pub follow: bool,

    /// Which log group to read.
    #[arg(long, value_enum, default_value_t = LogSource::All)]
    pub source: LogSource,
}

pub async fn run(_ctx: &Context, _args: LogsArgs) -> Result<()> {
    Err(Error::failed("logs is not built yet"))
}
