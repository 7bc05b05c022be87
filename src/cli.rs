//! The command line: global flags shared by every subcommand, one variant per subcommand.
//! `///` comments here are the `--help` text.

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::commands;

mod examples;
use examples::examples;

pub const EXIT_CODES: &str = "\
Exit codes (every command):
  0  success; also when the reader of stdout stops early (`| head`): evrelay ends quietly
  1  failure at run time: an AWS call failed, a check did not pass, a timeout, a confirmation
     answered no, or Ctrl-C (a watch stopped by Ctrl-C says how to pick it up again)
  2  usage error: a bad flag value wherever it is found, an ambiguous choice, or a
     confirmation that cannot be asked (no terminal and no --yes)";

/// Relay EventBridge events to a private endpoint in a VPC: discover the network, deploy the
/// relay stack, send test events, read logs, recover failed events, and tear it all down.
#[derive(Debug, Parser)]
#[command(name = "evrelay", version, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global options")]
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

    /// The relay stack's name; every resource evrelay creates is named from it [default: the
    /// config file's `stack`, else event-relay-app].
    #[arg(id = "stack", long = "stack", visible_alias = "stack-name", global = true, value_name = "NAME", value_parser = parse_stack_name)]
    pub stack_flag: Option<String>,

    /// The stack this run acts on: `--stack`, else the config file's, else the default (set by
    /// [`GlobalArgs::apply_config`] before any command runs).
    #[arg(skip = DEFAULT_STACK.to_string())]
    pub stack: String,

    /// The evrelay config file that remembers each relay's deploy settings [default:
    /// EVRELAY_CONFIG, else ./evrelay.toml; read when it exists, written by deploy].
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<std::path::PathBuf>,

    /// How to print results.
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,

    /// Answer yes to every confirmation (needed without a terminal).
    #[arg(short = 'y', long, global = true)]
    pub yes: bool,

    /// Show more detail, including the full cause of errors.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Print only data (stdout) and errors: no notes, warnings, progress or live view.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Disable colours (also: NO_COLOR; CLICOLOR_FORCE=1 forces them off a terminal).
    #[arg(long, global = true)]
    pub no_color: bool,
}

/// The stack used when neither `--stack` nor the config file names one (the tutorial's name).
pub const DEFAULT_STACK: &str = "event-relay-app";

impl GlobalArgs {
    /// Fills what the flags left open from the config file, below the environment: the stack
    /// (`--stack` > the file > the default) and the region (`--region` > AWS_REGION /
    /// AWS_DEFAULT_REGION > the file > the profile's).
    pub fn apply_config(&mut self, config: &crate::config::ConfigFile) -> Result<(), String> {
        self.stack = match (&self.stack_flag, &config.stack) {
            (Some(flag), _) => flag.clone(),
            (None, Some(file)) => {
                parse_stack_name(file).map_err(|e| format!("stack = \"{file}\": {e}"))?
            }
            (None, None) => DEFAULT_STACK.to_string(),
        };
        let env_region = ["AWS_REGION", "AWS_DEFAULT_REGION"]
            .iter()
            .any(|v| std::env::var(v).is_ok_and(|r| !r.is_empty()));
        if self.region.is_none() && !env_region {
            self.region = config.region.clone();
        }
        Ok(())
    }
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
    // Boxed: deploy's flags make it many times the size of the other variants.
    Deploy(Box<commands::deploy::DeployArgs>),
    /// Put test events on the relay's bus, optionally waiting for the endpoint's response.
    Send(commands::send::SendArgs),
    /// Read the relay's and the bus's logs, interleaved by time.
    Logs(commands::logs::LogsArgs),
    /// Inspect and recover events that failed delivery.
    Dlq(commands::dlq::DlqArgs),
    /// Show the relay stack, its resources, endpoints, queue depths and health (CloudWatch metrics).
    Status(commands::status::StatusArgs),
    /// A live dashboard of the relay: health, queues and the newest log lines (plain lines when piped).
    Top(commands::top::TopArgs),
    /// A relay pair's failover drill: invert the global endpoint's health check, then restore it.
    Failover(commands::failover::FailoverArgs),
    /// Replay a relay pair's secondary archive to the secondary's bus, for a time window.
    Replay(commands::replay::ReplayArgs),
    /// Delete the relay stack and the VPC endpoints evrelay created for it.
    #[command(visible_alias = "delete")]
    Destroy(commands::destroy::DestroyArgs),
    /// Print the relay's CloudFormation template, relay code inlined.
    Template(commands::template::TemplateArgs),
    /// Print the least-privilege IAM policy for deploy, operate, destroy, or all three.
    Policy(commands::policy::PolicyArgs),
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

/// The clap command with what derive cannot say: the exit codes under every command's help,
/// and the colour decision evrelay applies to its own output (`--no-color` is read from the
/// arguments before parsing, so clap's own messages follow it too).
pub fn command_for(args: &[std::ffi::OsString]) -> clap::Command {
    let flag = no_color_flag(args);
    // Off even on a terminal: never; on even off one: always; else clap looks per stream.
    let color = if !crate::printer::color_for(flag, true) {
        clap::ColorChoice::Never
    } else if crate::printer::color_for(flag, false) {
        clap::ColorChoice::Always
    } else {
        clap::ColorChoice::Auto
    };
    with_exit_codes(Cli::command()).color(color)
}

/// The command as `--help` shows it (examples and exit codes on every command): what the man
/// pages are made from too.
pub fn documented() -> clap::Command {
    with_exit_codes(Cli::command())
}

fn with_exit_codes(cmd: clap::Command) -> clap::Command {
    let after = match examples(cmd.get_name()) {
        Some(examples) => format!("Examples:\n{examples}\n\n{EXIT_CODES}"),
        None => EXIT_CODES.to_string(),
    };
    cmd.after_help(after).mut_subcommands(with_exit_codes)
}

/// `--no-color` anywhere before a `--`.
fn no_color_flag(args: &[std::ffi::OsString]) -> bool {
    args.iter()
        .skip(1)
        .take_while(|a| *a != "--")
        .any(|a| a == "--no-color")
}

/// Parses this process's arguments (exits on `--help` or a usage error, with code 2).
pub fn parse() -> Cli {
    use clap::FromArgMatches;
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let mut cmd = command_for(&args);
    let matches = cmd
        .try_get_matches_from_mut(args)
        .unwrap_or_else(|e| e.exit());
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.format(&mut cmd).exit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(args: &[&str]) -> Vec<std::ffi::OsString> {
        args.iter().map(Into::into).collect()
    }

    #[test]
    fn cli_is_well_formed() {
        command_for(&os(&["evrelay"])).debug_assert();
    }

    #[test]
    fn every_command_states_the_exit_codes_and_groups_the_global_options() {
        let mut cmd = command_for(&os(&["evrelay"]));
        cmd.build();
        fn walk(cmd: &mut clap::Command, path: &str) {
            let help = cmd.render_long_help().to_string();
            assert!(
                help.contains("Exit codes (every command)"),
                "{path}: {help}"
            );
            assert!(help.contains("Global options:"), "{path}: {help}");
            let names: Vec<String> = cmd
                .get_subcommands()
                .map(|s| s.get_name().to_string())
                .filter(|n| n != "help")
                .collect();
            for name in names {
                let sub = cmd.find_subcommand_mut(&name).unwrap();
                walk(sub, &format!("{path} {name}"));
            }
        }
        walk(&mut cmd, "evrelay");
    }

    #[test]
    fn aliases_delete_and_stack_name() {
        use clap::FromArgMatches;
        let parse = |args: &[&str]| {
            let m = command_for(&os(args))
                .try_get_matches_from(os(args))
                .unwrap();
            Cli::from_arg_matches(&m).unwrap()
        };
        let cli = parse(&["evrelay", "delete", "--stack-name", "other"]);
        assert!(matches!(cli.command, Command::Destroy(_)));
        assert_eq!(cli.global.stack_flag.as_deref(), Some("other"));
    }

    #[test]
    fn quiet_and_verbose_exclude_each_other() {
        let args = os(&["evrelay", "-q", "-v", "status"]);
        let e = command_for(&args).try_get_matches_from(args).unwrap_err();
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn no_color_is_seen_before_parsing_but_not_after_a_double_dash() {
        assert!(no_color_flag(&os(&["evrelay", "status", "--no-color"])));
        assert!(!no_color_flag(&os(&[
            "evrelay",
            "send",
            "--",
            "--no-color"
        ])));
        assert!(!no_color_flag(&os(&["evrelay", "status"])));
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

    /// Every example in the help parses as it is written (a typo in help teaches the typo).
    #[test]
    fn every_help_example_parses() {
        let mut cmd = Cli::command();
        cmd.build();
        let mut names = vec!["evrelay".to_string()];
        fn walk(c: &clap::Command, names: &mut Vec<String>) {
            for sub in c.get_subcommands() {
                names.push(sub.get_name().to_string());
                walk(sub, names);
            }
        }
        walk(&cmd, &mut names);
        let mut checked = 0;
        for name in names {
            let Some(text) = examples(&name) else {
                continue;
            };
            for line in text.replace("\\\n", " ").lines() {
                // What the shell does, not evrelay: comments, redirections, pipes.
                let line = line.split(['#', '<', '>', '|']).next().unwrap_or_default();
                let mut words = Vec::new();
                let mut quoted = false;
                let mut word = String::new();
                for ch in line.trim().chars() {
                    match ch {
                        '\'' => quoted = !quoted,
                        ' ' if !quoted => {
                            if !word.is_empty() {
                                words.push(std::mem::take(&mut word));
                            }
                        }
                        c => word.push(c),
                    }
                }
                if !word.is_empty() {
                    words.push(word);
                }
                if let Err(e) = Cli::try_parse_from(&words) {
                    panic!("example `{}` does not parse: {e}", words.join(" "));
                }
                checked += 1;
            }
        }
        assert!(checked >= 25, "{checked}");
    }
}
