//! `evrelay destroy`: delete the stack (showing the Lambda ENIs it waits on), then the VPC
//! endpoints evrelay created for it.

use std::time::Duration;

use clap::Args;

use crate::context::Context;
use crate::error::{Error, Result};

#[derive(Debug, Clone, Args)]
pub struct DestroyArgs {
    /// How long to wait for the stack to be deleted, e.g. 45m, 1h, 90s.
    #[arg(long, value_name = "DURATION", default_value = "45m", value_parser = crate::commands::parse_duration)]
    pub timeout: Duration,

    /// Leave the VPC endpoints evrelay created for this stack.
    #[arg(long)]
    pub keep_endpoints: bool,
}

pub async fn run(_ctx: &Context, _args: DestroyArgs) -> Result<()> {
    Err(Error::failed("destroy is not built yet"))
}
