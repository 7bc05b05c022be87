//! `deploy --secondary-region`: a relay pair behind an EventBridge global endpoint. The pure
//! decisions live here (which Regions can hold one, the pair's flags and settings, the
//! secondary's flags); [`flow`] runs both Regions' deploys through the single-Region steps with
//! one confirmation, then [`stacks`] deploys the endpoint and archive stacks.

mod flow;
mod half;
mod stacks;

use crate::error::{Error, Result};

use super::args::PairArgs;
use super::DeployArgs;

pub(super) use flow::run;
pub(super) use half::{
    adopting_note, half, refuse_secondary, secondary_half, secondary_of_primary, PairHalf,
};

/// The Regions with EventBridge global endpoints: the EventBridge User Guide,
/// eb-global-endpoints.html ("Available Regions"). Both Regions of a pair must be among them.
pub const GLOBAL_ENDPOINT_REGIONS: [&str; 18] = [
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "eu-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-south-1",
    "eu-west-3",
    "eu-north-1",
    "ap-south-1",
    "ap-northeast-3",
    "ap-northeast-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "sa-east-1",
];

/// The archive's retention when neither a flag, the file nor the archive stack says otherwise.
pub const DEFAULT_ARCHIVE_RETENTION: u32 = 7;

/// `--replication on|off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OnOff {
    On,
    Off,
}

impl OnOff {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "on" => Some(OnOff::On),
            "off" => Some(OnOff::Off),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            OnOff::On => "on",
            OnOff::Off => "off",
        }
    }
}

/// What the pair is deployed with, beside the two relays' own settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairSettings {
    pub secondary_region: String,
    pub replication: bool,
    /// Days; 0 keeps events indefinitely.
    pub archive_retention: u32,
}

impl PairSettings {
    /// The flags (already filled from the config file), else what the endpoint and archive
    /// stacks have now, else the defaults: replication on (eb-ge-best-practices.html: "we
    /// strongly recommend" it), 7 days.
    pub fn resolve(
        args: &PairArgs,
        endpoint_params: &[(String, String)],
        archive_params: &[(String, String)],
    ) -> Self {
        let param = |params: &[(String, String)], key: &str| {
            params
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };
        let replication = match args.replication {
            Some(on_off) => on_off == OnOff::On,
            None => param(endpoint_params, "Replication").map_or(true, |v| v == "ENABLED"),
        };
        let archive_retention = args
            .archive_retention
            .or_else(|| param(archive_params, "RetentionDays").and_then(|v| v.parse().ok()))
            .unwrap_or(DEFAULT_ARCHIVE_RETENTION);
        PairSettings {
            secondary_region: args.secondary_region.clone().unwrap_or_default(),
            replication,
            archive_retention,
        }
    }

    /// The endpoint template's Replication parameter.
    pub fn replication_state(&self) -> &'static str {
        if self.replication {
            "ENABLED"
        } else {
            "DISABLED"
        }
    }
}

/// The pair's flags before any AWS call (after the config file's fill): each bad value is a
/// usage error, so nothing is made in either Region.
pub fn check_usage(args: &DeployArgs, primary: &str) -> Result<()> {
    let pair = &args.pair;
    let Some(secondary) = pair.secondary_region.as_deref() else {
        let alone = [
            ("--replication", pair.replication.is_some()),
            ("--archive-retention", pair.archive_retention.is_some()),
            ("--secondary-vpc-id", pair.secondary_vpc_id.is_some()),
            ("--secondary-cluster", pair.secondary_cluster.is_some()),
            ("--secondary-url", pair.secondary_url.is_some()),
            ("--secondary-subnet", !pair.secondary_subnets.is_empty()),
            (
                "--secondary-security-group",
                pair.secondary_security_group.is_some(),
            ),
        ];
        if let Some((flag, _)) = alone.iter().find(|(_, given)| *given) {
            return Err(Error::usage(format!(
                "{flag} configures a relay pair, and this deploy has no --secondary-region"
            ))
            .hint("add --secondary-region REGION to deploy the pair, or drop the flag"));
        }
        return Ok(());
    };
    if secondary == primary {
        return Err(Error::usage(format!(
            "--secondary-region {secondary} is the primary Region (the one this deploy runs in): a pair needs two"
        ))
        .hint("pass another Region, or --region to choose the primary"));
    }
    let regions = GLOBAL_ENDPOINT_REGIONS.join(", ");
    if !GLOBAL_ENDPOINT_REGIONS.contains(&secondary) {
        return Err(Error::usage(format!(
            "--secondary-region {secondary}: EventBridge global endpoints are not available there"
        ))
        .hint(format!("use one of {regions}")));
    }
    if !GLOBAL_ENDPOINT_REGIONS.contains(&primary) {
        return Err(Error::usage(format!(
            "the primary Region {primary} has no EventBridge global endpoints, so it cannot hold a pair's endpoint"
        ))
        .hint(format!("deploy the pair with --region set to one of {regions}")));
    }
    if args.no_execute {
        return Err(Error::usage(
            "--no-execute keeps one change set for review, and a pair deploys two relays and two more stacks in one run",
        )
        .hint("use --dry-run to see both Regions' plans"));
    }
    if let Some(url) = &pair.secondary_url {
        crate::hosts::check_url(url).map_err(|e| {
            let message = e.message.replacen("--url", "--secondary-url", 1);
            Error { message, ..e }
        })?;
    }
    Ok(())
}

/// The secondary relay's flags: the primary's relay settings, with the network from the
/// `--secondary-*` flags (each in the place of its primary flag, so it wins as that one does) and then the config file's table for the stack in that Region (or,
/// on a redeploy, what its stack has).
pub fn secondary_args(
    primary: &DeployArgs,
    file: Option<&crate::config::Remembered>,
) -> DeployArgs {
    let mut s = primary.clone();
    s.subnets.clone_from(&primary.pair.secondary_subnets);
    s.security_group
        .clone_from(&primary.pair.secondary_security_group);
    s.url = primary.pair.secondary_url.clone();
    s.vpc_id = primary.pair.secondary_vpc_id.clone();
    s.cluster = primary.pair.secondary_cluster.clone();
    s.pair = PairArgs::default();
    if let Some(file) = file {
        s.fill_from(file);
        s.pair = PairArgs::default();
    }
    s
}

/// The single-Region "deploy needs --subnet …" said of the secondary: the flags that name its
/// network are other ones.
pub fn secondary_missing(e: Error, region: &str, stack: &str) -> Error {
    if e.message.starts_with("--secret-id ") {
        // A secret is regional: the secondary's relay reads a replica of the same name.
        let message = format!("{} (in the secondary Region {region})", e.message);
        let id = e
            .message
            .split_whitespace()
            .nth(1)
            .unwrap_or("ID")
            .trim_end_matches(':');
        return Error { message, ..e }.hint(format!(
            "replicate it there (`aws secretsmanager replicate-secret-to-regions --secret-id {id} --add-replica-regions Region={region}`): both relays read the same key"
        ));
    }
    let Some(missing) = e.message.strip_prefix("deploy needs ") else {
        return said_of_the_secondary(e, region);
    };
    let what: Vec<&str> = [
        ("--subnet", "subnets"),
        ("--security-group", "security group"),
        ("--url", "URL"),
    ]
    .iter()
    .filter(|(flag, _)| missing.contains(flag))
    .map(|(_, name)| *name)
    .collect();
    Error::usage(format!(
        "--secondary-region {region}: the relay there has no {} (the config file has no [stacks.{stack}.{region}] with them, and no flag gave them)",
        what.join(", ")
    ))
    .hint(format!(
        "pass --secondary-subnet … --secondary-security-group … --secondary-url …, or --secondary-vpc-id VPC or --secondary-cluster NAME to take discover's picks in {region} (--secondary-url when it finds no load balancer), or deploy the relay there once with `evrelay --region {region} --stack {stack} deploy --subnet … --security-group … --url …`"
    ))
}

/// Any other error of the secondary's checks: it names the Region (both relays share their
/// names), and its flags are the ones that set the secondary (`--vpc-id` → `--secondary-vpc-id`,
/// `--subnet` → `--secondary-subnet`).
fn said_of_the_secondary(e: Error, region: &str) -> Error {
    let mut message = secondary_flags(&e.message, region);
    if !message.contains(region) {
        message = format!("{message} (in the secondary Region {region})");
    }
    let hint = e.hint.as_deref().map(|h| secondary_flags(h, region));
    Error { message, hint, ..e }
}

/// The network flags and `--region` as the secondary's flags, each once. A command in
/// backticks is one to run as written, so its flags stay; an `evrelay` one is pointed at the
/// secondary Region, where the error is.
fn secondary_flags(text: &str, region: &str) -> String {
    text.split('`')
        .enumerate()
        .map(|(i, part)| match i % 2 {
            0 => flags_renamed(part),
            _ => match part.strip_prefix("evrelay ") {
                Some(rest) if !part.contains("--region") => {
                    format!("evrelay --region {region} {rest}")
                }
                _ => part.to_string(),
            },
        })
        .collect::<Vec<_>>()
        .join("`")
}

fn flags_renamed(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let mut rest = text;
    while let Some(at) = rest.find("--") {
        out.push_str(&rest[..at]);
        let tail = &rest[at + 2..];
        let flag = [
            "vpc-id",
            "cluster",
            "url",
            "region",
            "subnet",
            "security-group",
        ]
        .into_iter()
        .find(|f| {
            tail.starts_with(f)
                && !tail[f.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '-')
        });
        match flag {
            Some(f) => {
                out.push_str("--secondary-");
                out.push_str(f);
                rest = &tail[f.len()..];
            }
            None => {
                out.push_str("--");
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests;
