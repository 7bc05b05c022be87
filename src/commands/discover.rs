//! `evrelay discover`: the private subnets, node security group and internal ALB a relay needs.

use clap::Args;

use crate::context::Context;
use crate::error::{Error, Result};

#[derive(Debug, Clone, Args)]
pub struct DiscoverArgs {
    /// Look in this VPC.
    #[arg(long, value_name = "VPC_ID", conflicts_with = "cluster")]
    pub vpc_id: Option<String>,

    /// Look in the VPC of this EKS cluster (eksctl's tags).
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,
}

pub async fn run(_ctx: &Context, _args: DiscoverArgs) -> Result<()> {
    Err(Error::failed("discover is not built yet"))
}
