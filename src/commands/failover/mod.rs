//! `evrelay failover start|stop`: the failover drill EventBridge documents for global endpoints
//! (eb-global-endpoints.html, "Testing the failover"): invert the endpoint's Route 53 health
//! check so the primary Region reads unhealthy and the endpoint routes to the secondary's bus,
//! then restore it.
//!
//! The pair is found by its endpoint (named after the relay stack, in the Region the command
//! runs in: the primary), and evrelay changes only a health check its endpoint stack made (the
//! stack tagged `evrelay:managed=true`, whose `HealthCheck` resource is this check). The change
//! is one UpdateHealthCheck at the version read, so a concurrent change is refused rather than
//! overwritten; then Route 53's own reports are watched until the endpoint routes the new way.
//! Ctrl-C only stops the watching: the drill is on from the moment the check is inverted.

use std::time::{Duration, Instant};

use clap::{Args, Subcommand};

use crate::aws::global_endpoint::{self, GlobalEndpoint, HealthCheck};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::names::GlobalNames;
use crate::stack::{ownership, render::duration};
use crate::terminal::confirm;

mod drill;
mod report;

pub use drill::Action;
use report::FailoverReport;

#[derive(Debug, Clone, Args)]
pub struct FailoverArgs {
    #[command(subcommand)]
    pub action: FailoverAction,
}

#[derive(Debug, Clone, Subcommand)]
pub enum FailoverAction {
    /// Invert the global endpoint's Route 53 health check, so events sent through the endpoint go
    /// to the secondary Region's bus, and wait until Route 53 reports the check unhealthy.
    Start(WatchArgs),
    /// Restore the health check, so events go to the primary Region's bus again, and wait until
    /// Route 53 reports it healthy.
    Stop(WatchArgs),
}

#[derive(Debug, Clone, Args)]
pub struct WatchArgs {
    /// How long to wait for Route 53 to report the new status, e.g. 5m, 90s (its checkers read
    /// the alarm every 10 to 30 seconds).
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = crate::commands::parse_duration)]
    pub timeout: Duration,
}

/// How often Route 53's reports are read while waiting.
const POLL: Duration = Duration::from_secs(2);

pub async fn run(ctx: &Context, args: FailoverArgs) -> Result<()> {
    let (action, watch) = match args.action {
        FailoverAction::Start(w) => (Action::Start, w),
        FailoverAction::Stop(w) => (Action::Stop, w),
    };
    // Asking is the only safe way without --yes: no terminal to ask on is known before any call.
    if !ctx.globals.yes && !crate::terminal::can_ask() {
        return Err(Error::usage(
            "failover moves production traffic and asks first, and there is no terminal to ask on; nothing was changed",
        )
        .hint("pass --yes to run the drill without asking"));
    }
    let stack = ctx.names.stack.clone();
    let (endpoint, check) = find(ctx).await?;
    if let Some(refused) = drill::refusal(action, check.inverted, &stack, &check.id) {
        return Err(refused);
    }
    let bus = ctx.names.bus.clone();
    ctx.printer
        .note(&drill::plan_lines(action, &endpoint, &check, &bus).join("\n"));
    let question = match action {
        Action::Start => format!(
            "Fail endpoint {} over to {}?",
            endpoint.name, endpoint.secondary_region
        ),
        Action::Stop => format!(
            "Route endpoint {} back to {}?",
            endpoint.name, endpoint.primary_region
        ),
    };
    if !confirm(ctx.globals.yes, question).await? {
        return Err(Error::cancelled_with(
            "failover cancelled; the health check was not changed",
        ));
    }
    global_endpoint::set_inverted(ctx.route53(), &check, action.inverted()).await?;
    let changed = Instant::now();

    let waited = wait_for_routing(ctx, action, &endpoint, &check, watch.timeout).await?;
    ctx.printer.report(&FailoverReport {
        kind: "result",
        action,
        stack,
        endpoint: endpoint.name.clone(),
        endpoint_id: endpoint.id.clone(),
        health_check: check.id.clone(),
        inverted: action.inverted(),
        healthy: action.wants_healthy(),
        routes_to: drill::routed_to(
            action.wants_healthy(),
            &endpoint.primary_region,
            &endpoint.secondary_region,
        )
        .to_string(),
        primary_region: endpoint.primary_region.clone(),
        secondary_region: endpoint.secondary_region.clone(),
        reports: waited,
        elapsed_ms: changed.elapsed().as_millis(),
    })
}

/// The pair's endpoint in this Region and its health check, when evrelay's endpoint stack made
/// that check; anything else is refused before a change.
async fn find(ctx: &Context) -> Result<(GlobalEndpoint, HealthCheck)> {
    let stack = &ctx.names.stack;
    let names = GlobalNames::new(stack);
    let Some(endpoint) = global_endpoint::describe(ctx.events(), &names.endpoint).await? else {
        return Err(Error::failed(format!(
            "no global endpoint `{}` in {}: `{stack}` is not a relay pair whose primary is here",
            names.endpoint,
            ctx.region()
        ))
        .hint(format!(
            "run failover in the pair's primary Region (--region), or make the pair with `evrelay --stack {stack} deploy --secondary-region REGION`"
        )));
    };
    let not_evrelays = |why: &str| {
        Error::failed(format!(
            "the health check of endpoint `{}` ({}) is not one evrelay made: {why}; nothing was changed",
            endpoint.name, endpoint.health_check_id
        ))
        .hint("run the drill by hand (Route 53 console: invert the health check), or redeploy the pair with `evrelay deploy --secondary-region REGION`")
    };
    let cfn = ctx.cloudformation();
    let Some(endpoint_stack) =
        ownership::require_owned(cfn, &names.endpoint_stack, "failover").await?
    else {
        return Err(not_evrelays(&format!(
            "there is no stack `{}` in {}",
            names.endpoint_stack,
            ctx.region()
        )));
    };
    let made = crate::stack::stack_resources(cfn, &endpoint_stack.id)
        .await?
        .into_iter()
        .any(|r| {
            r.logical_id == "HealthCheck"
                && r.physical_id.as_deref() == Some(endpoint.health_check_id.as_str())
        });
    if !made {
        return Err(not_evrelays(&format!(
            "stack `{}` made another",
            names.endpoint_stack
        )));
    }
    let Some(check) =
        global_endpoint::health_check(ctx.route53(), &endpoint.health_check_id).await?
    else {
        return Err(Error::failed(format!(
            "Route 53 health check {} of endpoint `{}` is gone",
            endpoint.health_check_id, endpoint.name
        ))
        .hint(format!(
            "`evrelay --stack {stack} deploy --secondary-region {}` makes it again",
            endpoint.secondary_region
        )));
    };
    Ok((endpoint, check))
}

/// Reads Route 53's reports until they say what the action wants; the reports seen last.
/// Ctrl-C and the timeout end the watch, not the drill: both say so and how to undo it.
async fn wait_for_routing(
    ctx: &Context,
    action: Action,
    endpoint: &GlobalEndpoint,
    check: &HealthCheck,
    timeout: Duration,
) -> Result<Vec<String>> {
    let stack = &ctx.names.stack;
    let want = if action.wants_healthy() {
        "healthy"
    } else {
        "unhealthy"
    };
    let to = drill::routed_to(
        action.wants_healthy(),
        &endpoint.primary_region,
        &endpoint.secondary_region,
    );
    let undo = match action {
        Action::Start => format!("`evrelay --stack {stack} failover stop` ends the drill"),
        Action::Stop => format!("`evrelay --stack {stack} failover start` inverts it again"),
    };
    // Listening before the line: once it is printed, Ctrl-C is handled (a test waits on it).
    let interrupted = crate::interrupt::listen();
    let what = format!(
        "Waiting for Route 53 to report health check {} {want} (then endpoint {} routes to {to})",
        check.id, endpoint.name
    );
    let spinner = ctx.printer.spinner(&what);
    if !ctx.printer.interactive {
        ctx.printer.note(&format!("{what}; Ctrl-C stops waiting."));
    }
    let started = Instant::now();
    let watch = async {
        loop {
            // Inverted is read again too: the check's status is the checkers' verdict turned by
            // it, and someone else may have changed it meanwhile.
            let (now, reports) = tokio::try_join!(
                global_endpoint::health_check(ctx.route53(), &check.id),
                global_endpoint::health_check_reports(ctx.route53(), &check.id),
            )?;
            let inverted = now.map_or(action.inverted(), |c| c.inverted);
            let verdict = drill::healthy(&reports, inverted);
            if verdict == Some(action.wants_healthy()) {
                return Ok(reports);
            }
            spinner.set_message(format!(
                "{what}: {}",
                match verdict {
                    None => "no checker has reported yet".to_string(),
                    Some(h) => format!(
                        "still {} ({} of {} checkers report Success{})",
                        if h { "healthy" } else { "unhealthy" },
                        reports.iter().filter(|r| r.starts_with("Success")).count(),
                        reports.len(),
                        if inverted { ", inverted" } else { "" }
                    ),
                }
            ));
            if started.elapsed() >= timeout {
                return Err(Error::failed(format!(
                    "Route 53 does not report health check {} {want} after {}; the health check is {} all the same",
                    check.id,
                    duration(timeout),
                    if action.inverted() { "inverted (the drill is on)" } else { "restored (the drill is off)" }
                ))
                .hint(format!(
                    "`evrelay --stack {stack} status` shows where events go now; {undo}"
                )));
            }
            tokio::time::sleep(POLL).await;
        }
    };
    let result = tokio::select! {
        r = watch => r,
        _ = interrupted => Err(Error::cancelled_with(format!(
            "stopped waiting (Ctrl-C); the health check is {} all the same, so endpoint {} routes to {to} once Route 53 reports it {want}",
            if action.inverted() { "inverted and the drill is on" } else { "restored and the drill is off" },
            endpoint.name
        ))
        .hint(format!("`evrelay --stack {stack} status` shows where events go now; {undo}"))),
    };
    spinner.finish_and_clear();
    result
}
