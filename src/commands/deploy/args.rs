//! deploy's flags (`///` comments are the `--help` text).

use clap::Args;

use super::secret;

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

    /// Read the endpoint's API key from stdin (one line).
    #[arg(long, group = "secret_source")]
    pub secret_stdin: bool,

    /// Read the endpoint's API key from this environment variable.
    #[arg(long, value_name = "VAR", group = "secret_source")]
    pub secret_env: Option<String>,

    /// Generate a random API key (never printed: read it from Secrets Manager when needed).
    #[arg(long, group = "secret_source")]
    pub generate_secret: bool,

    /// The detail-type the inbound rule matches [default: inbound-event-sent, or the stack's].
    #[arg(long, value_name = "TYPE")]
    pub detail_type: Option<String>,

    /// The header that carries the API key [default: api-key, or the stack's].
    #[arg(long, value_name = "NAME")]
    pub auth_header: Option<String>,

    /// Reserved concurrency for the relay, 0 = unreserved [default: 0, or the stack's].
    #[arg(long, value_name = "N")]
    pub reserved_concurrency: Option<u32>,

    /// The relay function's timeout in seconds, 30-900 [default: 30, or the stack's].
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u32).range(30..=900))]
    pub function_timeout: Option<u32>,

    /// How long the relay waits for the endpoint's response in seconds, 1-25, below the
    /// function timeout [default: 10, or the stack's].
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u32).range(1..=25))]
    pub read_timeout: Option<u32>,

    /// Days to keep the relay's and the bus's logs (a CloudWatch Logs retention value)
    /// [default: 14, or the stack's].
    #[arg(long, value_name = "DAYS")]
    pub log_retention_days: Option<u32>,

    /// The relay's way to EventBridge when evrelay cannot verify its subnets' route (a transit
    /// gateway, NAT instance or firewall): `create` an `events` interface endpoint, or `skip`
    /// it (that route reaches the internet). Such a route without this flag stops the deploy.
    #[arg(long, value_enum, value_name = "CHOICE")]
    pub events_endpoint: Option<super::preflight::EventsEndpoint>,

    #[command(flatten)]
    pub relay: super::params::RelayArgs,

    /// Show the change set, then stop (the change set is deleted; nothing changes).
    #[arg(long)]
    pub dry_run: bool,
}

impl DeployArgs {
    pub(super) fn secret_source(&self) -> secret::Source {
        match (&self.secret_env, self.secret_stdin, self.generate_secret) {
            (Some(var), _, _) => secret::Source::Env(var.clone()),
            (_, true, _) => secret::Source::Stdin,
            (_, _, true) => secret::Source::Generate,
            _ => secret::Source::Unspecified,
        }
    }
}
