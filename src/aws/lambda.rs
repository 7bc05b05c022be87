//! Lambda: the account's concurrency (so `--reserved-concurrency` is checked before anything
//! is created) and the function's state (so `status` can say what `Inactive` means). The
//! rules are pure functions beside the calls.

use serde::Serialize;

use crate::error::{AwsResultExt, Error, Result};

/// GetAccountSettings' concurrency, plus what the relay function reserves today.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Concurrency {
    /// The account's concurrent executions in this region (AccountLimit.ConcurrentExecutions).
    pub account_limit: u32,
    /// What no function has reserved (AccountLimit.UnreservedConcurrentExecutions).
    pub unreserved: u32,
    /// What the relay function reserves now (0: none, or no function yet).
    pub reserved_by_function: u32,
}

/// GetAccountSettings, and GetFunctionConcurrency when `function` exists (an update gives
/// back what it reserves before it reserves anew).
pub async fn concurrency(
    lambda: &aws_sdk_lambda::Client,
    function: Option<&str>,
) -> Result<Concurrency> {
    let settings = lambda
        .get_account_settings()
        .send()
        .await
        .aws_context("GetAccountSettings")?;
    let limit = settings.account_limit();
    let reserved_by_function = match function {
        Some(name) => match lambda
            .get_function_concurrency()
            .function_name(name)
            .send()
            .await
        {
            Ok(out) => out.reserved_concurrent_executions().unwrap_or(0),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_not_found_exception()) =>
            {
                0
            }
            Err(e) => return Err(e).aws_context("GetFunctionConcurrency"),
        },
        None => 0,
    };
    let count = |n: i32| u32::try_from(n).unwrap_or(0);
    Ok(Concurrency {
        account_limit: count(limit.map(|l| l.concurrent_executions()).unwrap_or(0)),
        unreserved: count(
            limit
                .and_then(|l| l.unreserved_concurrent_executions())
                .unwrap_or(0),
        ),
        reserved_by_function: count(reserved_by_function),
    })
}

/// How much the relay may reserve. https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html:
/// "You can reserve up to the Unreserved account concurrency value minus 100 for functions
/// that don't have reserved concurrency". Accounts whose whole limit is below 100 (new
/// accounts start at 10–50) keep all of it unreserved: AWS then answers "decreases account's
/// UnreservedConcurrentExecution below its minimum value of [50]" for a limit of 50.
pub fn reservable(c: &Concurrency) -> u32 {
    let floor = c.account_limit.min(100);
    (c.unreserved + c.reserved_by_function).saturating_sub(floor)
}

/// Refuses a `--reserved-concurrency` the account cannot give, with the numbers.
pub fn check_reserved(requested: u32, c: &Concurrency) -> Result<()> {
    let most = reservable(c);
    // Unchanged, CloudFormation does not touch the reservation, whatever the account holds.
    if requested == 0 || requested == c.reserved_by_function || requested <= most {
        return Ok(());
    }
    let keep = c.account_limit.min(100);
    Err(Error::failed(format!(
        "--reserved-concurrency {requested} is more than this account can reserve: {most} (unreserved {}{}, of which Lambda keeps {keep} for functions without a reservation; account limit {})",
        c.unreserved,
        if c.reserved_by_function > 0 {
            format!(" plus the {} the relay reserves now", c.reserved_by_function)
        } else {
            String::new()
        },
        c.account_limit
    ))
    .hint(if most == 0 {
        "drop --reserved-concurrency (0: none reserved), or ask for a higher Lambda concurrency quota (Service Quotas: \"Concurrent executions\")".to_string()
    } else {
        format!("pass --reserved-concurrency {most} or less, or ask for a higher Lambda concurrency quota (Service Quotas: \"Concurrent executions\")")
    }))
}

/// GetFunctionConfiguration's State, StateReason and LastUpdateStatus.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FunctionState {
    /// Pending, Active, Inactive or Failed.
    pub state: String,
    pub state_reason: Option<String>,
    /// InProgress, Successful or Failed.
    pub last_update_status: Option<String>,
    pub last_update_reason: Option<String>,
}

pub async fn function_state(
    lambda: &aws_sdk_lambda::Client,
    function: &str,
) -> Result<FunctionState> {
    let out = lambda
        .get_function_configuration()
        .function_name(function)
        .send()
        .await
        .aws_context("GetFunctionConfiguration")?;
    Ok(FunctionState {
        state: out
            .state()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        state_reason: out.state_reason().map(str::to_string),
        last_update_status: out.last_update_status().map(|s| s.as_str().to_string()),
        last_update_reason: out.last_update_status_reason().map(str::to_string),
    })
}

impl FunctionState {
    /// One sentence for an operator, or None when the function is ready and its last update
    /// went through. https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html
    /// (Pending: "Lambda does not invoke a function during pending state"; Inactive: idle long
    /// enough for Lambda to reclaim its external resources, and an invocation fails while they
    /// are re-created; Failed: "you must delete and recreate the function"; LastUpdateStatus
    /// InProgress: invocations keep the previous code and configuration).
    pub fn sentence(&self) -> Option<String> {
        let reason = |r: &Option<String>| {
            r.as_deref()
                .filter(|r| !r.is_empty())
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        };
        let state = match self.state.as_str() {
            "Inactive" => Some(format!(
                "Inactive: idle for weeks; the next invocation re-creates its network interfaces and may fail for a few minutes{}",
                reason(&self.state_reason)
            )),
            "Pending" => Some(format!(
                "Pending: Lambda is still creating its network interfaces; events wait in EventBridge's retries until it is Active{}",
                reason(&self.state_reason)
            )),
            "Failed" => Some(format!(
                "Failed: Lambda could not set up the function{}; redeploy it (evrelay deploy)",
                reason(&self.state_reason)
            )),
            _ => None,
        };
        let update = match self.last_update_status.as_deref() {
            Some("InProgress") => Some(
                "an update is in progress: invocations use the previous code and configuration until it ends"
                    .to_string(),
            ),
            Some("Failed") => Some(format!(
                "the last update failed{}: the function runs its previous code and configuration",
                reason(&self.last_update_reason)
            )),
            _ => None,
        };
        match (state, update) {
            (Some(s), Some(u)) => Some(format!("{s}; {u}")),
            (s, u) => s.or(u),
        }
    }
}

/// The relay's event source mapping in buffered delivery, as ListEventSourceMappings shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Mapping {
    pub uuid: String,
    /// Creating, Enabling, Enabled, Disabling, Disabled, Updating or Deleting.
    pub state: String,
    /// Why it is in that state (StateTransitionReason: "USER_INITIATED", …).
    pub state_reason: Option<String>,
    /// ScalingConfig.MaximumConcurrency: the most relay invocations at once (none: Lambda's own
    /// scaling, up to the function's concurrency).
    pub maximum_concurrency: Option<u32>,
    pub batch_size: Option<u32>,
    /// MaximumBatchingWindowInSeconds.
    pub batch_window_seconds: Option<u32>,
    /// LastProcessingResult: "OK", "PROBLEM: …" or "No records processed".
    pub last_result: Option<String>,
    /// The queue it polls.
    pub source_arn: Option<String>,
}

/// The function's event source mappings (ListEventSourceMappings by function name, every page).
pub async fn mappings(lambda: &aws_sdk_lambda::Client, function: &str) -> Result<Vec<Mapping>> {
    let mut pages = lambda
        .list_event_source_mappings()
        .function_name(function)
        .into_paginator()
        .send();
    let mut out = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.aws_context("ListEventSourceMappings")?;
        let count = |n: Option<i32>| n.and_then(|n| u32::try_from(n).ok());
        out.extend(
            page.event_source_mappings
                .unwrap_or_default()
                .into_iter()
                .map(|m| Mapping {
                    uuid: m.uuid.unwrap_or_default(),
                    state: m.state.unwrap_or_default(),
                    state_reason: m.state_transition_reason.filter(|r| !r.is_empty()),
                    maximum_concurrency: count(
                        m.scaling_config.and_then(|s| s.maximum_concurrency),
                    ),
                    batch_size: count(m.batch_size),
                    batch_window_seconds: count(m.maximum_batching_window_in_seconds),
                    last_result: m.last_processing_result.filter(|r| !r.is_empty()),
                    source_arn: m.event_source_arn,
                }),
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(limit: u32, unreserved: u32, mine: u32) -> Concurrency {
        Concurrency {
            account_limit: limit,
            unreserved,
            reserved_by_function: mine,
        }
    }

    #[test]
    fn lambda_keeps_100_unreserved() {
        let c = account(1000, 150, 0);
        assert_eq!(reservable(&c), 50);
        assert!(check_reserved(50, &c).is_ok());
        let e = check_reserved(51, &c).unwrap_err();
        assert_eq!(
            e.message,
            "--reserved-concurrency 51 is more than this account can reserve: 50 (unreserved 150, of which Lambda keeps 100 for functions without a reservation; account limit 1000)"
        );
        assert!(e
            .hint
            .unwrap()
            .starts_with("pass --reserved-concurrency 50 or less"));
        // None reserved is always possible.
        assert!(check_reserved(0, &account(10, 10, 0)).is_ok());
    }

    #[test]
    fn a_new_account_below_100_can_reserve_nothing() {
        let c = account(50, 50, 0);
        assert_eq!(reservable(&c), 0);
        let e = check_reserved(5, &c).unwrap_err();
        assert!(e.message.contains("can reserve: 0"), "{}", e.message);
        assert!(e.hint.unwrap().starts_with("drop --reserved-concurrency"));
    }

    #[test]
    fn an_update_gives_back_what_the_relay_reserves_now() {
        // 150 unreserved and 20 the relay holds: it may go up to 70.
        let c = account(1000, 150, 20);
        assert!(check_reserved(70, &c).is_ok());
        let e = check_reserved(71, &c).unwrap_err();
        assert!(e.message.contains("plus the 20 the relay reserves now"));
        // Others took the rest: keeping 20 changes nothing and passes; more is refused.
        let c = account(1000, 80, 20);
        assert!(check_reserved(20, &c).is_ok());
        assert!(check_reserved(30, &c).is_err());
    }

    #[test]
    fn states_in_an_operators_words() {
        let s = |state: &str, update: Option<&str>| FunctionState {
            state: state.into(),
            last_update_status: update.map(str::to_string),
            ..Default::default()
        };
        assert_eq!(s("Active", Some("Successful")).sentence(), None);
        assert_eq!(
            s("Inactive", Some("Successful")).sentence().unwrap(),
            "Inactive: idle for weeks; the next invocation re-creates its network interfaces and may fail for a few minutes"
        );
        let failed = FunctionState {
            state: "Failed".into(),
            state_reason: Some("The subnet has no free IP addresses".into()),
            ..Default::default()
        };
        assert_eq!(
            failed.sentence().unwrap(),
            "Failed: Lambda could not set up the function (The subnet has no free IP addresses); redeploy it (evrelay deploy)"
        );
        assert!(s("Active", Some("InProgress"))
            .sentence()
            .unwrap()
            .starts_with("an update is in progress"));
    }
}
