//! Deploy's settings: explicit flags first, then discover's picks (`--vpc-id`/`--cluster`),
//! then what the stack already has (a redeploy changes only what it is told to), then the
//! template's defaults. Turned into the template's parameters here, and nowhere else.

use clap::Args;

use super::delivery::{self, DeliverySettings};
use super::secret::Choice;
use super::DeployArgs;
use crate::budget::Budget;
use crate::error::{Error, Result};
use crate::stack::changeset::ParamValue;

/// The template's FunctionTimeout default: it holds the budget of the default read timeout.
pub const DEFAULT_FUNCTION_TIMEOUT: u32 = 90;

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
    pub delivery: DeliverySettings,
}

/// Deploy's flags for the target's host name and an existing secret (flattened into
/// DeployArgs with `#[command(flatten)]`).
#[derive(Debug, Clone, Default, Args)]
pub struct RelayArgs {
    /// The host name the endpoint serves: sent as Host and, over HTTPS, used for SNI and
    /// certificate verification while connecting to --url's address [default: --url's host,
    /// or the stack's].
    #[arg(long, value_name = "NAME")]
    pub host: Option<String>,

    /// Use this existing Secrets Manager secret (name or ARN) as the API key: evrelay checks
    /// it exists and never reads or deletes it; the relay may read only this secret.
    #[arg(long, value_name = "NAME|ARN", conflicts_with_all = ["secret_stdin", "secret_env", "generate_secret"])]
    pub secret_id: Option<String>,

    /// PEM file of private CAs (e.g. ACM Private CA) the relay trusts besides the system store,
    /// for an endpoint whose certificate no public CA issued; the host name is still verified
    /// [default: the stack's, else none].
    #[arg(long, value_name = "FILE")]
    pub ca_bundle: Option<std::path::PathBuf>,

    #[command(flatten)]
    pub alarms: super::alarms::AlarmArgs,
}

/// What RelayArgs resolve to, beside Settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RelaySettings {
    /// `--host`, or the stack's; empty = the URL's own host.
    pub host: String,
    /// The parameters the stack already has: only those may keep their previous value.
    pub stack_parameters: Vec<String>,
    /// `--ca-bundle`'s certificates (checked), or the stack's; empty = the system store only.
    pub ca_bundle: String,
    /// `--alarms` / `--no-alarms`, or the stack's.
    pub alarms: super::alarms::Alarms,
}

/// `--host` (checked), else the stack's TargetHost, else none.
pub fn resolve_relay(args: &RelayArgs, stack_params: &[(String, String)]) -> Result<RelaySettings> {
    let host = match &args.host {
        Some(raw) => crate::hosts::check_host(raw)?,
        None => current(stack_params, "TargetHost")
            .unwrap_or_default()
            .to_string(),
    };
    let ca_bundle = match &args.ca_bundle {
        Some(path) => {
            let file = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|e| {
                Error::usage(format!("--ca-bundle {file}: {e}"))
                    .hint("pass a readable PEM file of CA certificates")
            })?;
            crate::template::ca_bundle::check(&file, &text)?
        }
        None => current(stack_params, "CaBundle")
            .unwrap_or_default()
            .to_string(),
    };
    Ok(RelaySettings {
        host,
        stack_parameters: stack_params.iter().map(|(k, _)| k.clone()).collect(),
        ca_bundle,
        alarms: super::alarms::resolve(&args.alarms)?,
    })
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
    if let Some(url) = &args.url {
        crate::hosts::check_url(url)?;
    }
    if let (Some(read), Some(function)) = (args.read_timeout, args.function_timeout) {
        check_timeouts(read, function, "--function-timeout")?;
    }
    delivery::check_usage(&args.delivery)
}

/// A function timeout below the invocation's worst case (src/budget.rs) lets Lambda kill the
/// relay after its POST went out, and Lambda's retry then POSTs the same event again.
/// `origin` names where the function timeout came from (the flag, or the stack's value on a
/// redeploy), so the message never blames a flag the operator did not pass.
fn check_timeouts(read: u32, function: u32, origin: &str) -> Result<()> {
    let b = Budget::with_read_timeout(read);
    if !b.fits(function) {
        return Err(Error::usage(format!(
            "{origin} {function} is below the relay's worst case with --read-timeout {read}: {b}"
        ))
        .hint(format!(
            "pass --function-timeout {} or more, or a shorter --read-timeout",
            b.worst_case()
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
    if let Some(url) = &url {
        crate::hosts::check_url(url)?;
    }
    if !missing.is_empty() {
        let hint = if args.vpc_id.is_some() || args.cluster.is_some() {
            "discover found no pick for these in that VPC; `evrelay discover` says why, then pass them explicitly"
        } else {
            "or pass --vpc-id / --cluster to take `evrelay discover`'s picks"
        };
        return Err(Error::usage(format!("deploy needs {}", missing.join(", "))).hint(hint));
    }

    let mut settings = Settings {
        url: url.unwrap_or_default(),
        subnets,
        security_groups,
        detail_type: args
            .detail_type
            .clone()
            .or_else(|| current(stack_params, "InboundDetailType").map(str::to_string))
            .unwrap_or_else(|| template_default("InboundDetailType")),
        auth_header: args
            .auth_header
            .clone()
            .or_else(|| current(stack_params, "AuthHeaderName").map(str::to_string))
            .unwrap_or_else(|| template_default("AuthHeaderName")),
        reserved_concurrency: args
            .reserved_concurrency
            .or_else(|| current_number(stack_params, "ReservedConcurrency"))
            .unwrap_or_else(|| template_number("ReservedConcurrency")),
        function_timeout: args
            .function_timeout
            .or_else(|| current_number(stack_params, "FunctionTimeout"))
            .unwrap_or(DEFAULT_FUNCTION_TIMEOUT),
        read_timeout: args
            .read_timeout
            .or_else(|| current_number(stack_params, "ReadTimeoutSeconds"))
            .unwrap_or_else(|| template_number("ReadTimeoutSeconds")),
        log_retention_days: args
            .log_retention_days
            .or_else(|| current_number(stack_params, "LogRetentionDays"))
            .unwrap_or_else(|| template_number("LogRetentionDays")),
        delivery: DeliverySettings::default(),
    };
    let origin = if args.function_timeout.is_some() {
        "--function-timeout"
    } else if current_number(stack_params, "FunctionTimeout").is_some() {
        "the stack's FunctionTimeout"
    } else {
        "the default function timeout"
    };
    check_timeouts(settings.read_timeout, settings.function_timeout, origin)?;
    let reserved = settings.reserved_concurrency;
    let reserved = delivery::Reserved {
        value: reserved,
        label: if args.reserved_concurrency.is_some() {
            format!("--reserved-concurrency {reserved}")
        } else if current_number(stack_params, "ReservedConcurrency").is_some() {
            format!("the stack's reserved concurrency {reserved}")
        } else {
            format!("the default reserved concurrency {reserved}")
        },
    };
    settings.delivery = delivery::resolve(
        &args.delivery,
        stack_params,
        &reserved,
        settings.function_timeout,
    )?;
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

/// A parameter's default as the embedded template states it: the one place defaults live
/// (a test checks every template parameter evrelay sends has one where this is asked).
pub fn template_default(parameter: &str) -> String {
    crate::model::schedule::parameter_default(crate::template::TEMPLATE_SOURCE, parameter)
        .unwrap_or_else(|| panic!("templates/relay.yaml gives {parameter} no Default"))
}

fn template_number(parameter: &str) -> u32 {
    let default = template_default(parameter);
    default.parse().unwrap_or_else(|_| {
        panic!("templates/relay.yaml's {parameter} default `{default}` is not a number")
    })
}

fn first_non_empty<const N: usize>(candidates: [Vec<String>; N]) -> Vec<String> {
    candidates
        .into_iter()
        .find(|c| !c.is_empty())
        .unwrap_or_default()
}

/// The template's parameters without `--host`/`--secret-id`, for the tests; deploy calls
/// `parameters_for`.
#[cfg(test)]
pub fn parameters(s: &Settings, secret: Option<&Choice>) -> Vec<ParamValue> {
    let relay = RelaySettings {
        stack_parameters: vec!["Secret".into()],
        ..RelaySettings::default()
    };
    parameters_for(s, &relay, secret)
}

/// The template's parameters, in its order. Without a new secret choice the stack keeps its
/// own (`UsePreviousValue`: CloudFormation never returns a NoEcho value to send back), but only
/// for parameters the stack has (a stack from an older template gets the defaults).
pub fn parameters_for(
    s: &Settings,
    relay: &RelaySettings,
    secret: Option<&Choice>,
) -> Vec<ParamValue> {
    let v = |k: &str, val: &str| ParamValue::Value(k.to_string(), val.to_string());
    let b = Budget::with_read_timeout(s.read_timeout);
    // (Secret, ExistingSecretArn, ExistingSecretKmsKeyArn). An empty Secret without an
    // existing ARN is the template's "generate it" (GenerateSecretString).
    let secret_params: [ParamValue; 3] = match secret {
        Some(Choice::Value(value)) => [
            v("Secret", value.expose()),
            v("ExistingSecretArn", ""),
            v("ExistingSecretKmsKeyArn", ""),
        ],
        Some(Choice::Generate) => [
            v("Secret", ""),
            v("ExistingSecretArn", ""),
            v("ExistingSecretKmsKeyArn", ""),
        ],
        Some(Choice::Existing(e)) => [
            v("Secret", ""),
            v("ExistingSecretArn", &e.arn),
            v(
                "ExistingSecretKmsKeyArn",
                e.kms_key.as_deref().unwrap_or_default(),
            ),
        ],
        None => [
            ("Secret", ""),
            ("ExistingSecretArn", ""),
            ("ExistingSecretKmsKeyArn", ""),
        ]
        .map(|(k, default)| {
            if relay.stack_parameters.iter().any(|p| p == k) {
                ParamValue::UsePrevious(k.into())
            } else {
                v(k, default)
            }
        }),
    };
    let [secret_value, existing_arn, existing_key] = secret_params;
    let mut params = vec![
        v("TargetUrl", &s.url),
        v("TargetHost", &relay.host),
        v("CaBundle", &relay.ca_bundle),
        v("SubnetIds", &s.subnets.join(",")),
        v("SecurityGroupIds", &s.security_groups.join(",")),
        secret_value,
        existing_arn,
        existing_key,
        v("AuthHeaderName", &s.auth_header),
        v("InboundDetailType", &s.detail_type),
        v("ReservedConcurrency", &s.reserved_concurrency.to_string()),
        v("FunctionTimeout", &s.function_timeout.to_string()),
        v("ReadTimeoutSeconds", &s.read_timeout.to_string()),
        v("AwsConnectTimeoutSeconds", &b.aws_connect.to_string()),
        v("AwsReadTimeoutSeconds", &b.aws_read.to_string()),
        v("AwsMaxAttempts", &b.aws_attempts.to_string()),
    ];
    params.extend(delivery::parameters(&s.delivery, &relay.stack_parameters));
    params.push(v("LogRetentionDays", &s.log_retention_days.to_string()));
    params.extend(super::alarms::parameters(
        &relay.alarms,
        &relay.stack_parameters,
    ));
    params
}

#[cfg(test)]
mod tests;
