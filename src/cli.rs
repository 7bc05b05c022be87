//! The command line: global flags shared by every subcommand, one variant per subcommand.
//! `///` comments here are the `--help` text.

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands;

pub const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  failure at run time (an AWS call failed, a check did not pass, a timeout)
  2  usage error (a bad flag value, an ambiguous choice, a confirmation that cannot be asked)";

/// Relay EventBridge events to a private endpoint in a VPC: discover the network, deploy the
/// relay stack, send test events, read logs, recover failed events, and tear it all down.
#[derive(Debug, Parser)]
#[command(name = "evrelay", version, propagate_version = true, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// AWS region (default: AWS_REGION, then the profile's region).
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,

    /// Named profile from the AWS config files (default: AWS_PROFILE).
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,

    /// Send every AWS call to this endpoint, e.g. an emulator. Without it, AWS_ENDPOINT_URL and
    /// the per-service AWS_ENDPOINT_URL_* variables apply as usual.
    #[arg(long, global = true, value_name = "URL", value_parser = parse_endpoint)]
    pub endpoint_url: Option<String>,

    /// The relay stack's name; every resource evrelay creates is named from it.
    #[arg(long, global = true, value_name = "NAME", default_value = "event-relay-app", value_parser = parse_stack_name)]
    pub stack: String,

    /// How to print results.
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,

    /// Answer yes to every confirmation (needed without a terminal).
    #[arg(short = 'y', long, global = true)]
    pub yes: bool,

    /// Show more detail, including the full cause of errors.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Disable colours (also: NO_COLOR).
    #[arg(long, global = true)]
    pub no_color: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    Table,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Find the private subnets, node security group and internal ALB a relay needs.
    Discover(commands::discover::DiscoverArgs),
    /// Create or update the relay stack and the VPC endpoints it needs.
    Deploy(commands::deploy::DeployArgs),
    /// Put test events on the relay's bus, optionally waiting for the endpoint's response.
    Send(commands::send::SendArgs),
    /// Read the relay's and the bus's logs, interleaved by time.
    Logs(commands::logs::LogsArgs),
    /// Inspect and recover events that failed delivery.
    Dlq(commands::dlq::DlqArgs),
    /// Show the relay stack, its resources, endpoints and queue depths.
    Status(commands::status::StatusArgs),
    /// Delete the relay stack and the VPC endpoints evrelay created for it.
    Destroy(commands::destroy::DestroyArgs),
    /// Print the relay's CloudFormation template, relay code inlined.
    Template(commands::template::TemplateArgs),
    /// Print a shell completion script.
    Completions(commands::completions::CompletionsArgs),
}

/// The longest derived name is the function `<stack>-relay` (64 characters at most), and
/// CloudFormation wants a letter first and only letters, digits and hyphens.
pub const MAX_STACK_NAME: usize = 50;

pub fn parse_stack_name(s: &str) -> Result<String, String> {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return Err("the stack name is empty".into());
    };
    if !first.is_ascii_alphabetic() {
        return Err(format!("`{s}` must start with a letter"));
    }
    if let Some(bad) = s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
    {
        return Err(format!(
            "`{s}` contains `{bad}`; use letters, digits and hyphens"
        ));
    }
    if s.len() > MAX_STACK_NAME {
        return Err(format!(
            "`{s}` is {} characters; use at most {MAX_STACK_NAME} so every derived name fits AWS's limits",
            s.len()
        ));
    }
    Ok(s.to_string())
}

fn parse_endpoint(s: &str) -> Result<String, String> {
    match url::Url::parse(s) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(s.to_string()),
        _ => Err(format!(
            "`{s}` is not an http(s) URL, e.g. http://127.0.0.1:5000"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn stack_names_follow_cloudformation_and_fit_derived_names() {
        assert!(parse_stack_name("event-relay-app").is_ok());
        assert!(parse_stack_name("1abc").is_err());
        assert!(parse_stack_name("a_b").is_err());
        assert!(parse_stack_name("").is_err());
        assert!(parse_stack_name(&"a".repeat(MAX_STACK_NAME + 1)).is_err());
        assert!(parse_stack_name(&"a".repeat(MAX_STACK_NAME)).is_ok());
    }
}
