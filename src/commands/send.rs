//! `evrelay send`: put test events on the relay's bus and, optionally, wait for the endpoint's
//! response event.

use std::time::Duration;

use clap::Args;

use crate::context::Context;
use crate::error::{Error, Result};

#[derive(Debug, Clone, Args)]
pub struct SendArgs {
    /// The event's detail: inline JSON, @FILE, or - for stdin (one JSON document per line).
    #[arg(long, value_name = "JSON|@FILE|-")]
    pub detail: Option<String>,

    /// The event's detail-type.
    #[arg(long, value_name = "TYPE", default_value = "inbound-event-sent")]
    pub detail_type: String,

    /// The event's source.
    #[arg(long, value_name = "SOURCE", default_value = "eventProducerApp")]
    pub source: String,

    /// The bus to send to (default: the stack's bus).
    #[arg(long, value_name = "NAME")]
    pub bus: Option<String>,

    /// How many events to send.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    pub count: u64,

    /// PutEvents requests in flight at once.
    #[arg(long, value_name = "C", default_value_t = 8, value_parser = clap::value_parser!(u64).range(1..=256))]
    pub concurrency: u64,

    /// Ask the relay for a response event and wait for it.
    #[arg(long)]
    pub return_response: bool,

    /// How long to wait for responses, e.g. 30s, 2m.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = crate::commands::parse_duration)]
    pub timeout: Duration,
}

pub async fn run(_ctx: &Context, _args: SendArgs) -> Result<()> {
    Err(Error::failed("send is not built yet"))
}
