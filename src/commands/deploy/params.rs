//! Deploy's settings: explicit flags first, then discover's picks (`--vpc-id`/`--cluster`),
//! then what the stack already has (a redeploy changes only what it is told to), then the
//! template's defaults. Turned into the template's parameters here, and nowhere else.

use super::secret::Secret;
use super::DeployArgs;
use crate::error::{Error, Result};
use crate::stack::changeset::ParamValue;

/// CloudWatch Logs' retention values (the template's AllowedValues).
pub const RETENTION_DAYS: [u32; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// What the relay is deployed with (the secret apart).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub url: String,
    pub subnets: Vec<String>,
    pub security_groups: Vec<String>,
    pub detail_type: String,
    pub auth_header: String,
    pub reserved_concurrency: u32,
    pub function_timeout: u32,
    pub read_timeout: u32,
    pub log_retention_days: u32,
}

/// discover's picks for `--vpc-id` / `--cluster`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Picks {
    pub subnets: Vec<String>,
    pub security_group: Option<String>,
    pub url: Option<String>,
}

/// Flag checks that need no AWS call.
pub fn check_usage(args: &DeployArgs) -> Result<()> {
    if let Some(days) = args.log_retention_days {
        if !RETENTION_DAYS.contains(&days) {
            return Err(Error::usage(format!(
                "--log-retention-days {days} is not a CloudWatch Logs retention value"
            ))
            .hint(format!(
                "use one of {}",
                RETENTION_DAYS.map(|d| d.to_string()).join(", ")
            )));
        }
    }
    if let (Some(read), Some(function)) = (args.read_timeout, args.function_timeout) {
        check_timeouts(read, function)?;
    }
    Ok(())
}

/// The relay's connect timeout (relay-lambda/README.md).
const CONNECT_TIMEOUT: u32 = 3;

/// A 401/403 makes the relay read the key again and POST once more, so one invocation can
/// spend two connects and two reads, plus the Secrets Manager calls. A function timeout below
/// that turns an endpoint's slow answer into "Task timed out" instead of the relay's own error.
fn check_timeouts(read: u32, function: u32) -> Result<()> {
    let needed = 2 * (CONNECT_TIMEOUT + read) + 4;
    if function < needed {
        return Err(Error::usage(format!(
            "--function-timeout {function} is too short for --read-timeout {read}: a retried request can take {needed} s"
        ))
        .hint(format!(
            "pass --function-timeout {needed} or more, or a shorter --read-timeout (the default 10 fits 30)"
        )));
    }
    Ok(())
}

fn current<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    // NoEcho values come back as `****`: never a value to reuse.
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty() && *v != "****")
}

fn current_list(params: &[(String, String)], key: &str) -> Vec<String> {
    current(params, key)
        .map(|v| {
            v.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

fn current_number(params: &[(String, String)], key: &str) -> Option<u32> {
    current(params, key).and_then(|v| v.parse().ok())
}

pub fn resolve(
    args: &DeployArgs,
    stack_params: &[(String, String)],
    picks: Option<&Picks>,
) -> Result<Settings> {
    let picks = picks.cloned().unwrap_or_default();
    let subnets = first_non_empty([
        args.subnets.clone(),
        picks.subnets.clone(),
        current_list(stack_params, "SubnetIds"),
    ]);
    let security_groups = first_non_empty([
        args.security_group.iter().cloned().collect(),
        picks.security_group.iter().cloned().collect(),
        current_list(stack_params, "SecurityGroupIds"),
    ]);
    let url = args
        .url
        .clone()
        .or(picks.url.clone())
        .or_else(|| current(stack_params, "TargetUrl").map(str::to_string));

    let mut missing = Vec::new();
    if subnets.is_empty() {
        missing.push("--subnet (one per AZ, two AZs at least)");
    }
    if security_groups.is_empty() {
        missing.push("--security-group");
    }
    if url.is_none() {
        missing.push("--url");
    }
    if !missing.is_empty() {
        let hint = if args.vpc_id.is_some() || args.cluster.is_some() {
            "discover found no pick for these in that VPC; `evrelay discover` says why, then pass them explicitly"
        } else {
            "or pass --vpc-id / --cluster to take `evrelay discover`'s picks"
        };
        return Err(Error::usage(format!("deploy needs {}", missing.join(", "))).hint(hint));
    }

    let settings = Settings {
        url: url.unwrap_or_default(),
        subnets,
        security_groups,
        detail_type: args
            .detail_type
            .clone()
            .or_else(|| current(stack_params, "InboundDetailType").map(str::to_string))
            .unwrap_or_else(|| crate::names::DEFAULT_DETAIL_TYPE.to_string()),
        auth_header: args
            .auth_header
            .clone()
            .or_else(|| current(stack_params, "AuthHeaderName").map(str::to_string))
            .unwrap_or_else(|| "api-key".to_string()),
        reserved_concurrency: args
            .reserved_concurrency
            .or_else(|| current_number(stack_params, "ReservedConcurrency"))
            .unwrap_or(0),
        function_timeout: args
            .function_timeout
            .or_else(|| current_number(stack_params, "FunctionTimeout"))
            .unwrap_or(30),
        read_timeout: args
            .read_timeout
            .or_else(|| current_number(stack_params, "ReadTimeoutSeconds"))
            .unwrap_or(10),
        log_retention_days: args
            .log_retention_days
            .or_else(|| current_number(stack_params, "LogRetentionDays"))
            .unwrap_or(14),
    };
    check_timeouts(settings.read_timeout, settings.function_timeout)?;
    if settings.detail_type.trim().is_empty() {
        return Err(Error::usage("--detail-type is empty")
            .hint("pass the detail-type your producers send, e.g. inbound-event-sent"));
    }
    if !settings
        .auth_header
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+.^_`|~-".contains(c))
        || settings.auth_header.is_empty()
    {
        return Err(Error::usage(format!(
            "--auth-header `{}` is not an HTTP header name",
            settings.auth_header
        ))
        .hint("use letters, digits and hyphens, e.g. x-api-key"));
    }
    Ok(settings)
}

fn first_non_empty<const N: usize>(candidates: [Vec<String>; N]) -> Vec<String> {
    candidates
        .into_iter()
        .find(|c| !c.is_empty())
        .unwrap_or_default()
}

/// The template's parameters. Without a new secret the stack keeps its own
/// (`UsePreviousValue`: CloudFormation never returns a NoEcho value to send back).
pub fn parameters(s: &Settings, secret: Option<&Secret>) -> Vec<ParamValue> {
    let v = |k: &str, val: String| ParamValue::Value(k.to_string(), val);
    vec![
        v("TargetUrl", s.url.clone()),
        v("SubnetIds", s.subnets.join(",")),
        v("SecurityGroupIds", s.security_groups.join(",")),
        match secret {
            Some(secret) => v("Secret", secret.expose().to_string()),
            None => ParamValue::UsePrevious("Secret".into()),
        },
        v("AuthHeaderName", s.auth_header.clone()),
        v("InboundDetailType", s.detail_type.clone()),
        v("ReservedConcurrency", s.reserved_concurrency.to_string()),
        v("FunctionTimeout", s.function_timeout.to_string()),
        v("ReadTimeoutSeconds", s.read_timeout.to_string()),
        v("LogRetentionDays", s.log_retention_days.to_string()),
    ]
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

    const FULL: [&str; 6] = [
        "--subnet",
        "subnet-a",
        "--security-group",
        "sg-1",
        "--url",
        "http://internal-x/",
    ];

    #[test]
    fn every_template_parameter_is_sent_and_no_other() {
        let s = resolve(&args(&FULL), &[], None).unwrap();
        let keys: Vec<String> = parameters(&s, None)
            .into_iter()
            .map(|p| match p {
                ParamValue::Value(k, _) | ParamValue::UsePrevious(k) => k,
            })
            .collect();
        assert_eq!(
            keys,
            crate::template::parameter_names(crate::template::TEMPLATE_SOURCE)
        );
    }

    #[test]
    fn flags_beat_picks_beat_the_stack_beat_defaults() {
        let stack = vec![
            ("SubnetIds".to_string(), "subnet-s1,subnet-s2".to_string()),
            ("SecurityGroupIds".to_string(), "sg-s".to_string()),
            ("TargetUrl".to_string(), "http://stack/".to_string()),
            ("ReadTimeoutSeconds".to_string(), "20".to_string()),
            ("FunctionTimeout".to_string(), "60".to_string()),
            ("Secret".to_string(), "****".to_string()),
        ];
        let picks = Picks {
            subnets: vec!["subnet-p".into()],
            security_group: Some("sg-p".into()),
            url: None,
        };
        let s = resolve(&args(&["--url", "http://flag/"]), &stack, Some(&picks)).unwrap();
        assert_eq!(s.url, "http://flag/");
        assert_eq!(s.subnets, ["subnet-p"]);
        assert_eq!(s.security_groups, ["sg-p"]);
        assert_eq!(s.read_timeout, 20);
        assert_eq!(s.function_timeout, 60);
        let s = resolve(&args(&[]), &stack, None).unwrap();
        assert_eq!((s.subnets.len(), s.url.as_str()), (2, "http://stack/"));
    }

    #[test]
    fn a_redeploy_keeps_the_secret_and_a_new_one_replaces_it() {
        let s = resolve(&args(&FULL), &[], None).unwrap();
        assert!(parameters(&s, None).contains(&ParamValue::UsePrevious("Secret".into())));
        let secret = super::super::secret::validate("a-new-key-123".into()).unwrap();
        assert!(parameters(&s, Some(&secret))
            .contains(&ParamValue::Value("Secret".into(), "a-new-key-123".into())));
    }

    #[test]
    fn usage_errors_name_the_flag() {
        let e = resolve(&args(&["--url", "http://x/"]), &[], None).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(
            e.message.contains("--subnet") && e.message.contains("--security-group"),
            "{}",
            e.message
        );
        let e =
            check_usage(&args(&["--read-timeout", "25", "--function-timeout", "60"])).map(|_| ());
        assert!(e.is_ok());
        assert!(check_usage(&args(&["--read-timeout", "10", "--function-timeout", "30"])).is_ok());
        assert!(check_usage(&args(&["--read-timeout", "25", "--function-timeout", "30"])).is_err());
        let mut a = args(&FULL);
        a.read_timeout = Some(25);
        a.function_timeout = Some(25);
        assert!(check_usage(&a)
            .unwrap_err()
            .message
            .contains("--read-timeout 25"));
        assert_eq!(
            check_usage(&args(&["--log-retention-days", "10"]))
                .unwrap_err()
                .exit_code(),
            2
        );
        assert!(Wrap::try_parse_from(["deploy", "--function-timeout", "5"]).is_err());
    }
}
