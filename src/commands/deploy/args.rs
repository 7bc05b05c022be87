//! deploy's flags (`///` comments are the `--help` text).

use clap::Args;

use super::secret;
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

    /// The relay function's timeout in seconds, 30-900, and at least one invocation's time
    /// budget (79 s with --read-timeout 10, 109 s with 25; a lower value is refused with the sum
    /// spelled out) [default: 90, or the stack's].
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u32).range(30..=900))]
    pub function_timeout: Option<u32>,

    /// How long the relay waits for the endpoint's response in seconds, 1-25; each second adds
    /// two to the time budget --function-timeout must cover [default: 10, or the stack's].
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u32).range(1..=25))]
    pub read_timeout: Option<u32>,

    /// Days to keep the relay's and the bus's logs (a CloudWatch Logs retention value)
    /// [default: 14, or the stack's].
    #[arg(long, value_name = "DAYS")]
    pub log_retention_days: Option<u32>,

    #[command(flatten)]
    pub delivery: super::delivery::DeliveryArgs,

    /// The relay's way to EventBridge when evrelay cannot verify its subnets' route (a transit
    /// gateway, NAT instance or firewall): `create` an `events` interface endpoint, or `skip`
    /// it (that route reaches the internet). Such a route without this flag stops the deploy.
    #[arg(long, value_enum, value_name = "CHOICE")]
    pub events_endpoint: Option<super::preflight::EventsEndpoint>,

    /// Skip one reachability check whose path exists in a way evrelay cannot verify (repeat
    /// for each): target-egress, load-balancer-reach, service-reach, endpoint-reach,
    /// eventbridge-egress. What the check would have refused is printed with the plan; the file
    /// remembers the flag.
    #[arg(long = "skip-check", value_name = "NAME", value_parser = super::preflight::parse_skip_check)]
    pub skip_checks: Vec<String>,

    #[command(flatten)]
    pub relay: super::params::RelayArgs,

    #[command(flatten)]
    pub pair: PairArgs,

    /// A tag for the stack, which CloudFormation propagates to its resources (repeat for
    /// each; evrelay's own `evrelay:` tags cannot be set) [default: the config file's, or the
    /// stack's current tags].
    #[arg(long = "tags", value_name = "KEY=VALUE", value_parser = parse_tag)]
    pub tags: Vec<(String, String)>,

    /// The IAM role CloudFormation assumes to change the stack (a service role) [default: the
    /// config file's, or the role the stack already uses].
    #[arg(long, value_name = "ARN", value_parser = crate::model::arn::parse_role_arn)]
    pub role_arn: Option<String>,

    /// Show the change set, then stop (the change set is deleted; nothing changes).
    #[arg(long)]
    pub dry_run: bool,

    /// Create the change set, show it and keep it for review, as `sam deploy
    /// --no-execute-changeset` does: no prompt, no VPC endpoint, nothing else changes; the
    /// output says how to run it (`evrelay deploy --execute CHANGE_SET`).
    #[arg(long, conflicts_with = "dry_run")]
    pub no_execute: bool,

    /// Execute a change set `deploy --no-execute` kept (its name or ARN), after the checks a
    /// deploy runs: the settings are the change set's, so no setting flag goes with it.
    #[arg(long, value_name = "CHANGE_SET", conflicts_with_all = EXECUTE_CONFLICTS)]
    pub execute: Option<String>,
}

/// The flags a kept change set has already decided.
const EXECUTE_CONFLICTS: [&str; 35] = [
    "subnets",
    "security_group",
    "url",
    "vpc_id",
    "cluster",
    "secret_stdin",
    "secret_env",
    "generate_secret",
    "detail_type",
    "auth_header",
    "reserved_concurrency",
    "function_timeout",
    "read_timeout",
    "log_retention_days",
    "delivery",
    "max_concurrency",
    "batch_size",
    "batch_window",
    "max_receive_count",
    "tags",
    "role_arn",
    "no_execute",
    "host",
    "secret_id",
    "ca_bundle",
    "alarms",
    "no_alarms",
    "secondary_region",
    "secondary_vpc_id",
    "secondary_cluster",
    "secondary_url",
    "secondary_subnets",
    "secondary_security_group",
    "replication",
    "archive_retention",
];

/// A relay pair behind an EventBridge global endpoint: the relay in a second Region under the
/// same stack name, the endpoint (primary Region) and an archive of the secondary's bus. The
/// secondary's network comes from its own flags, else the config file's `[stacks.STACK.REGION]`
/// (a deploy there wrote it, or the operator did), else discover's picks there; the other
/// relay settings are the primary's.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Relay pair (EventBridge global endpoint)")]
pub struct PairArgs {
    /// Deploy the relay in this Region too, under the same stack name, and an EventBridge
    /// global endpoint that fails over from this Region to it, with an archive of its bus for
    /// replay after failback [default: the config file's, for a stack deployed as a pair].
    #[arg(long, value_name = "REGION")]
    pub secondary_region: Option<String>,

    /// Take discover's picks for the secondary relay from this VPC in the secondary Region
    /// [default: the config file's settings for the stack there, or its stack's].
    #[arg(long, value_name = "VPC_ID", conflicts_with = "secondary_cluster")]
    pub secondary_vpc_id: Option<String>,

    /// Take discover's picks for the secondary relay from this EKS cluster's VPC in the
    /// secondary Region.
    #[arg(long, value_name = "NAME")]
    pub secondary_cluster: Option<String>,

    /// The private endpoint the secondary relay POSTs to (over discover's pick or the file's).
    #[arg(long, value_name = "URL")]
    pub secondary_url: Option<String>,

    /// A private subnet for the secondary relay in the secondary Region, over discover's picks
    /// or the file's (repeat for each; at least two AZs).
    #[arg(long = "secondary-subnet", value_name = "SUBNET_ID")]
    pub secondary_subnets: Vec<String>,

    /// The security group the secondary relay runs in, in the secondary Region (over
    /// discover's pick or the file's).
    #[arg(long, value_name = "SG_ID")]
    pub secondary_security_group: Option<String>,

    /// EventBridge copies each event sent through the endpoint to the secondary's bus too, so
    /// its archive holds them for replay (AWS strongly recommends it) [default: on, or the
    /// pair's].
    #[arg(long, value_enum, value_name = "on|off")]
    pub replication: Option<super::pair::OnOff>,

    /// Days the secondary's archive keeps each event, 0 = indefinitely [default: 7, or the
    /// pair's].
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(0..=i32::MAX as i64))]
    pub archive_retention: Option<u32>,
}

impl DeployArgs {
    /// Fills what the flags leave open from the config file's table for this stack and region
    /// (flags win; with `--vpc-id`/`--cluster` discover's picks win over the file's network).
    pub(super) fn fill_from(&mut self, file: &crate::config::Remembered) {
        let picks = self.vpc_id.is_some() || self.cluster.is_some();
        if self.subnets.is_empty() && !picks {
            self.subnets = file.subnets.clone();
        }
        if self.security_group.is_none() && !picks {
            self.security_group = file.security_groups.first().cloned();
        }
        if self.url.is_none() && !picks {
            self.url = file.url.clone();
        }
        let secret_given = self.secret_stdin || self.secret_env.is_some() || self.generate_secret;
        if self.relay.secret_id.is_none() && !secret_given {
            self.relay.secret_id = file.secret_id.clone();
        }
        if self.tags.is_empty() {
            self.tags = file.tags.clone().into_iter().collect();
        }
        if self.skip_checks.is_empty() {
            self.skip_checks = file.skip_checks.clone();
        }
        fill(&mut self.role_arn, &file.role_arn);
        fill(&mut self.relay.host, &file.host);
        fill(&mut self.detail_type, &file.detail_type);
        fill(&mut self.auth_header, &file.auth_header);
        fill(&mut self.reserved_concurrency, &file.reserved_concurrency);
        fill(&mut self.function_timeout, &file.function_timeout);
        fill(&mut self.read_timeout, &file.read_timeout);
        fill(&mut self.log_retention_days, &file.log_retention_days);
        self.fill_delivery_from(file);
        fill(&mut self.pair.secondary_region, &file.secondary_region);
        if self.pair.replication.is_none() {
            self.pair.replication = file
                .replication
                .as_deref()
                .and_then(super::pair::OnOff::parse);
        }
        fill(&mut self.pair.archive_retention, &file.archive_retention);
    }

    pub(super) fn secret_source(&self) -> secret::Source {
        match (&self.secret_env, self.secret_stdin, self.generate_secret) {
            (Some(var), _, _) => secret::Source::Env(var.clone()),
            (_, true, _) => secret::Source::Stdin,
            (_, _, true) => secret::Source::Generate,
            _ => secret::Source::Unspecified,
        }
    }
}

/// `KEY=VALUE`, as CloudFormation takes stack tags: a key of 1-128 characters that is not
/// evrelay's (`evrelay:`) or AWS's (`aws:`), a value of at most 256.
pub fn parse_tag(s: &str) -> Result<(String, String), String> {
    let Some((key, value)) = s.split_once('=') else {
        return Err(format!("`{s}` is not KEY=VALUE"));
    };
    let key = key.trim();
    if key.is_empty() || key.chars().count() > 128 {
        return Err(format!("`{s}`: a tag key has 1 to 128 characters"));
    }
    if value.chars().count() > 256 {
        return Err(format!("`{s}`: a tag value has at most 256 characters"));
    }
    for reserved in ["evrelay:", "aws:"] {
        if key.to_ascii_lowercase().starts_with(reserved) {
            return Err(format!(
                "`{key}`: the `{reserved}` prefix is reserved (evrelay sets its own tags, AWS its own)"
            ));
        }
    }
    Ok((key.to_string(), value.to_string()))
}

fn fill<T: Clone>(flag: &mut Option<T>, file: &Option<T>) {
    if flag.is_none() {
        flag.clone_from(file);
    }
}

/// A deploy that would ask before changing anything, with no terminal to ask on and no
/// `--yes`: refused before any AWS call (a dry run and `--no-execute` never ask).
pub(super) fn refuse_unaskable(
    args: &DeployArgs,
    yes: bool,
    can_ask: bool,
    stack: &str,
) -> Result<()> {
    if yes || can_ask || args.dry_run || args.no_execute {
        return Ok(());
    }
    let what = match &args.execute {
        Some(name) => format!("execute change set {name} on stack {stack}"),
        None => format!("deploy stack {stack}"),
    };
    Err(Error::usage(format!(
        "refusing to {what}: it asks before changing anything, and there is no terminal to ask on"
    ))
    .hint("pass --yes to confirm non-interactively, --no-execute to keep a change set for review, or --dry-run"))
}

#[cfg(test)]
mod tests;
