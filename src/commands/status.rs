//! `evrelay status`: the stack, its resources, managed endpoints and queue depths.

use clap::Args;

use crate::context::Context;
use crate::error::{Error, Result};

#[derive(Debug, Clone, Args)]
pub struct StatusArgs {
    /// Keep refreshing until the stack settles (Ctrl-C stops watching).
    #[arg(long)]
    pub watch: bool,
}

pub async fn run(_ctx: &Context, _args: StatusArgs) -> Result<()> {
    Err(Error::failed("status is not built yet"))
}
