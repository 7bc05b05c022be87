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
        fill(&mut self.relay.host, &file.host);
        fill(&mut self.detail_type, &file.detail_type);
        fill(&mut self.auth_header, &file.auth_header);
        fill(&mut self.reserved_concurrency, &file.reserved_concurrency);
        fill(&mut self.function_timeout, &file.function_timeout);
        fill(&mut self.read_timeout, &file.read_timeout);
        fill(&mut self.log_retention_days, &file.log_retention_days);
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

fn fill<T: Clone>(flag: &mut Option<T>, file: &Option<T>) {
    if flag.is_none() {
        flag.clone_from(file);
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Wrap {
        #[command(flatten)]
        args: DeployArgs,
    }

    fn args(argv: &[&str]) -> DeployArgs {
        Wrap::try_parse_from(std::iter::once("deploy").chain(argv.iter().copied()))
            .unwrap()
            .args
    }

    fn file() -> crate::config::Remembered {
        crate::config::Remembered {
            subnets: vec!["subnet-f1".into(), "subnet-f2".into()],
            security_groups: vec!["sg-f".into()],
            url: Some("http://file/".into()),
            read_timeout: Some(7),
            secret_id: Some("file-secret".into()),
            ..Default::default()
        }
    }

    #[test]
    fn flags_beat_the_config_file_which_fills_the_rest() {
        let mut a = args(&["--url", "http://flag/", "--read-timeout", "3"]);
        a.fill_from(&file());
        assert_eq!(a.url.as_deref(), Some("http://flag/"));
        assert_eq!(a.read_timeout, Some(3));
        assert_eq!(a.subnets, ["subnet-f1", "subnet-f2"]);
        assert_eq!(a.security_group.as_deref(), Some("sg-f"));
        assert_eq!(a.relay.secret_id.as_deref(), Some("file-secret"));
    }

    #[test]
    fn discover_picks_and_a_secret_flag_are_not_overridden_by_the_file() {
        let mut a = args(&["--cluster", "events", "--secret-stdin"]);
        a.fill_from(&file());
        assert!(a.subnets.is_empty() && a.url.is_none() && a.security_group.is_none());
        assert_eq!(
            a.relay.secret_id, None,
            "--secret-stdin is the secret this time"
        );
        assert_eq!(a.read_timeout, Some(7));
    }
}
