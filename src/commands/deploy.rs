//! `evrelay deploy`: preflight, VPC endpoints, change set, live progress.

use clap::Args;

use crate::context::Context;
use crate::error::{Error, Result};

#[derive(Debug, Clone, Args)]
pub struct DeployArgs {
    /// A private subnet for the relay (repeat for each; at least two AZs).
    #[arg(long = "subnet", value_name = "SUBNET_ID")]
    pub subnets: Vec<String>,

    /// The security group the relay runs in.
    #[arg(long, value_name = "SG_ID")]
    pub security_group: Option<String>,

    /// The private endpoint every event is POSTed to, e.g. http://internal-app-123.us-east-1.elb.amazonaws.com/
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,

    /// Take discover's picks from this VPC (explicit flags win).
    #[arg(long, value_name = "VPC_ID", conflicts_with = "cluster")]
    pub vpc_id: Option<String>,

    /// Take discover's picks from this EKS cluster's VPC (explicit flags win).
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,

    /// Read the endpoint's API key from stdin.
    #[arg(long, group = "secret_source")]
    pub secret_stdin: bool,

    /// Read the endpoint's API key from this environment variable.
    #[arg(long, value_name = "VAR", group = "secret_source")]
    pub secret_env: Option<String>,

    /// Generate a random API key (never printed: read it from Secrets Manager when needed).
    #[arg(long, group = "secret_source")]
    pub generate_secret: bool,

    /// The detail-type the inbound rule matches.
    #[arg(long, value_name = "TYPE", default_value = "inbound-event-sent")]
    pub detail_type: String,

    /// The header that carries the API key.
    #[arg(long, value_name = "NAME", default_value = "api-key")]
    pub auth_header: String,

    /// Reserved concurrency for the relay (0 = unreserved).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub reserved_concurrency: u32,

    /// The relay function's timeout in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u32).range(5..=900))]
    pub function_timeout: u32,

    /// How long the relay waits for the endpoint's response, in seconds (below the function timeout).
    #[arg(long, value_name = "SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=890))]
    pub read_timeout: u32,

    /// Days to keep the relay's and the bus's logs.
    #[arg(long, value_name = "DAYS", default_value_t = 14)]
    pub log_retention_days: u32,

    /// Show the change set, then stop.
    #[arg(long)]
    pub dry_run: bool,
}

pub async fn run(_ctx: &Context, _args: DeployArgs) -> Result<()> {
    Err(Error::failed("deploy is not built yet"))
}
