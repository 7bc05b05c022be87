//! `evrelay destroy`: delete the stack (showing the Lambda ENIs it waits on), then the VPC
//! endpoints evrelay created for it.
//!
//! Re-runnable by design: the stack goes first and the endpoints last, so a run that stops
//! half-way (DELETE_FAILED, a timeout, Ctrl-C) is finished by the next one; a stack already
//! deleted is not an error (it says when), but one that never existed is (a mistyped name must
//! not turn a teardown green while the real relay runs; `--ignore-missing` for scripts). Only a
//! stack evrelay created (tagged `evrelay:managed=true`) is deleted, and only endpoints tagged
//! `evrelay:managed=true` and `evrelay:stack=<stack>`. Nothing is lost unsaid: the plan lists
//! what goes, and failed events in the DLQ stop an unattended destroy ([`plan::refusal`]).
//!
//! A relay pair (the endpoint stack `<stack>-endpoint` is here) goes as a whole: see [`pair`].

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use clap::Args;

use crate::aws::leftovers::{self, Leftovers};
use crate::context::Context;
use crate::endpoints;
use crate::error::{Error, Result};
use crate::stack::follow::outcome_error;
use crate::stack::ownership;
use crate::stack::{self, StackInfo};
use crate::terminal::confirm;

mod delete;
mod fetch;
mod pair;
mod pair_report;
mod plan;
mod refused;
mod relays;
mod report;
mod vpc_users;

pub use delete::lambda_interfaces;
pub use report::{DestroyReport, Handover};
use vpc_users::{Choice, Fates};

#[derive(Debug, Clone, Args)]
pub struct DestroyArgs {
    /// How long to wait for the stack to be deleted, e.g. 45m, 1h, 90s (a VPC-attached
    /// Lambda's network interfaces can take 20-45 minutes to be released).
    #[arg(long, value_name = "DURATION", default_value = "45m", value_parser = crate::commands::parse_duration)]
    pub timeout: Duration,

    /// Leave the VPC endpoints evrelay created for this stack, handed to the VPC: re-tagged
    /// `evrelay:released-from=<stack>`, so no evrelay stack deletes them later.
    #[arg(long, conflicts_with = "delete_endpoints")]
    pub keep_endpoints: bool,

    /// Delete the VPC endpoints evrelay created even when other network interfaces in the VPC
    /// may reach Secrets Manager or EventBridge only through them (the plan names them first).
    /// Without it such endpoints are kept for the VPC.
    #[arg(long)]
    pub delete_endpoints: bool,

    /// The CloudFormation service role to delete the stack with (DeleteStack's RoleARN), for a
    /// stack whose own role is gone or can no longer be assumed. Without it CloudFormation uses
    /// the stack's role.
    #[arg(long, value_name = "ARN", value_parser = crate::model::arn::parse_role_arn)]
    pub role_arn: Option<String>,

    /// Exit 0 when there is no such stack and nothing evrelay made for it (for teardown
    /// scripts; without it a stack that never existed is an error, exit 1).
    #[arg(long)]
    pub ignore_missing: bool,

    /// With --yes: destroy even though the DLQ holds failed events, which are then lost (keep
    /// them first with `evrelay dlq drain --out FILE`).
    #[arg(long)]
    pub delete_failed_events: bool,

    /// With --yes: destroy even though the buffer (buffered delivery) holds events the relay
    /// has not delivered yet, which are then lost (let the relay deliver them first). Apart
    /// from --delete-failed-events: accepting to lose failed events is not accepting to lose
    /// a backlog never tried.
    #[arg(long)]
    pub delete_buffered_events: bool,
}

pub async fn run(ctx: &Context, args: DestroyArgs) -> Result<()> {
    // Asking is the only safe way without --yes: knowing there is no one to ask comes first,
    // before any AWS call, so nothing is looked up, let alone deleted.
    let can_ask = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if !ctx.globals.yes && !can_ask {
        return Err(Error::usage(
            "destroy asks before it deletes, and there is no terminal to ask on; nothing was deleted",
        )
        .hint("pass --yes to delete without asking (with failed events in the DLQ, also --delete-failed-events; with events in the buffer, --delete-buffered-events)"));
    }
    let started = Instant::now();
    if let Some(found) = pair::find(ctx).await? {
        return pair::destroy(ctx, &args, found, started).await;
    }
    pair::refuse_if_secondary(ctx).await?;
    let Some(relay) = prepare(ctx, &args).await? else {
        let account = ctx.identity().await?.account.clone();
        return fetch::nothing_there(ctx, &args, account, started).await;
    };
    let let_go = plan::let_go(args.delete_failed_events, args.delete_buffered_events);
    if let Some(refused) = plan::refusal(&relay.plan, ctx.globals.yes, &let_go) {
        return Err(refused);
    }
    ctx.printer.note(&relay.plan.lines().join("\n"));
    if !confirm(ctx.globals.yes, relay.plan.question()).await? {
        return Err(Error::cancelled_with(
            "destroy cancelled; nothing was deleted",
        ));
    }
    let report = execute(ctx, &args, relay, started).await?;
    ctx.printer.report(&report)
}

/// One relay's destroy as read before the question: its stack, what it left, the endpoints'
/// fates and the plan.
pub(crate) struct Prepared {
    info: Option<StackInfo>,
    left: Leftovers,
    choice: Choice,
    fates: Fates,
    review: Vec<String>,
    plan: plan::Plan,
    account: String,
}

/// Reads one relay's destroy in `ctx`'s Region; `None` when there is nothing to delete there.
async fn prepare(ctx: &Context, args: &DestroyArgs) -> Result<Option<Prepared>> {
    let (cfn, ec2, stack_name) = (ctx.cloudformation(), ctx.ec2(), ctx.names.stack.clone());
    // A stack evrelay did not create is refused before anything else is looked at.
    let info = ownership::require_owned(cfn, &stack_name, "destroy").await?;
    if let Some(s) = &info {
        if ownership::termination_protected(cfn, &s.id).await? {
            return Err(refused::protected(&stack_name, ctx.region()));
        }
    }
    let account = ctx.identity().await?.account.clone();
    let left = leftovers::find(cfn, ec2, &stack_name).await?;
    if info.is_none() && left.is_empty() {
        return Ok(None);
    }
    let choice = match (args.keep_endpoints, args.delete_endpoints) {
        (true, _) => Choice::Keep,
        (_, true) => Choice::Delete,
        _ => Choice::Decide,
    };
    // Another relay in the same VPC inherits these endpoints; other workloads that reach the
    // service only through them keep them for the VPC: neither is cut off.
    let fates = if left.endpoints.is_empty() {
        Fates::default()
    } else {
        let region = relays::Region::read(cfn, &stack_name).await?;
        fetch::fates_now(ctx, &left.endpoints, &region, choice).await?
    };
    let review = fetch::other_review_stacks(cfn, &left, info.as_ref()).await?;
    let plan = fetch::plan_for(
        ctx,
        args,
        info.as_ref(),
        &left,
        &fates,
        &review,
        account.clone(),
    )
    .await?;
    if plan.is_empty() {
        // Only kept endpoints (--keep-endpoints) or review stacks someone else made: no question
        // about nothing.
        return Ok(None);
    }
    Ok(Some(Prepared {
        info,
        left,
        choice,
        fates,
        review,
        plan,
        account,
    }))
}

/// Deletes what [`prepare`] planned, once the question is answered: the stack, its review
/// stacks, then the endpoints (handed over, released or deleted) and their groups.
async fn execute(
    ctx: &Context,
    args: &DestroyArgs,
    relay: Prepared,
    started: Instant,
) -> Result<DestroyReport> {
    let (cfn, ec2, stack_name) = (ctx.cloudformation(), ctx.ec2(), ctx.names.stack.clone());
    let Prepared {
        info,
        left,
        choice,
        mut fates,
        review,
        plan,
        account,
    } = relay;
    let managed = left.endpoints;
    let failed_events_deleted = plan.held_count(plan::HeldKind::Failed);
    let buffered_events_deleted = plan.held_count(plan::HeldKind::Buffered);

    let mut stack_status = "not found".to_string();
    if let Some(s) = &info {
        let outcome = delete::delete_and_follow(ctx, s, args).await?;
        if !outcome.ok {
            if ctx.printer.json() {
                ctx.printer.json_line(&serde_json::json!({"type": "result", "ok": false, "stack": stack_name, "account": account, "region": ctx.region(), "status": outcome.status, "failure": outcome.failure}))?;
            }
            let reason = outcome
                .failure
                .as_ref()
                .map(|f| f.reason.as_str())
                .unwrap_or_default();
            let mut e = refused::explain(
                &stack_name,
                ctx.region(),
                reason,
                s.role_arn.as_deref(),
                args.role_arn.as_deref(),
            )
            .unwrap_or_else(|| outcome_error(&outcome));
            if !fates.delete.is_empty() {
                e = e.detail(format!("the VPC endpoints {} were left in place; the next `evrelay destroy` removes them", fates.delete.join(", ")));
            }
            return Err(e);
        }
        stack_status = outcome.status;
    }
    for id in &review {
        stack::delete_stack(cfn, id, &stack::request_token("destroy")).await?;
    }

    // Ctrl-C from here on: what is left is tagged, so `status` shows it and a rerun finishes it.
    let interrupted = crate::interrupt::listen();
    let endpoints_phase = async {
        // The stack's delete can take 45 minutes: a relay deployed meanwhile in the same VPC
        // may have taken these endpoints up, so who still uses them is asked again now.
        let region = relays::Region::read(cfn, &stack_name).await?;
        if !fates.delete.is_empty() {
            let planned: Vec<_> = managed
                .iter()
                .filter(|e| fates.delete.contains(&e.id))
                .cloned()
                .collect();
            let again = fetch::fates_now(ctx, &planned, &region, choice).await?;
            fates = std::mem::take(&mut fates).spare_more(again);
        }
        for h in &fates.handovers {
            endpoints::hand_over(ec2, &h.endpoint, &h.stack).await?;
        }
        for r in &fates.released {
            crate::aws::interfaces::release(ec2, &r.endpoint, &stack_name).await?;
        }
        let to_delete = &fates.delete;
        if !to_delete.is_empty() {
            // Off a terminal the spinner is hidden: a line says what the wait is for (a log).
            if !ctx.printer.interactive {
                ctx.printer.note(&format!(
                    "Deleting the VPC endpoints evrelay created in {}: {}.",
                    ctx.region(),
                    to_delete.join(", ")
                ));
            }
            endpoints::delete(ec2, to_delete).await?;
            let wait = args
                .timeout
                .saturating_sub(started.elapsed())
                .clamp(Duration::from_secs(60), Duration::from_secs(600));
            let spinner = ctx
                .printer
                .spinner(&format!("Deleting the VPC endpoints in {}", ctx.region()));
            let gone = delete::wait_endpoints_gone(ec2, to_delete, wait).await;
            spinner.finish_and_clear();
            gone?;
        }
        let mut groups = Vec::new();
        if !args.keep_endpoints {
            // The endpoints' own groups, once EC2 has let go of them (also what a stopped run left).
            groups = crate::aws::vpc_endpoints::delete_orphan_groups(
                ec2,
                &stack_name,
                Duration::from_secs(5),
                Duration::from_secs(600),
            )
            .await?;
        }
        if !region.has_other_relays() {
            // The shared Logs policy goes with the last relay of the region (a relay still being
            // made has put it but may have no log group yet: the stacks are asked, then the groups).
            crate::aws::logs_policy::release(ctx.logs(), &ctx.names.events_log_group).await?;
        }
        Ok::<_, Error>(groups)
    };
    let security_groups_deleted = tokio::select! {
        groups = endpoints_phase => groups?,
        _ = interrupted => return Err(Error::cancelled_with(format!(
            "destroy interrupted (Ctrl-C) after stack `{stack_name}` was deleted, while removing its VPC endpoints; EC2 goes on with those already asked"
        ))
        .hint(format!("`evrelay status --stack {stack_name}` shows what is left; `evrelay destroy --stack {stack_name}` again removes it"))),
    };
    Ok(DestroyReport {
        kind: "result",
        stack: stack_name,
        account,
        region: ctx.region().to_string(),
        stack_deleted: info.is_some(),
        stack_status,
        deleted_at: None,
        endpoints_deleted: fates.delete,
        endpoints_kept: if args.keep_endpoints {
            fates.released.iter().map(|r| r.endpoint.clone()).collect()
        } else {
            Vec::new()
        },
        endpoints_released: if args.keep_endpoints {
            Vec::new()
        } else {
            fates.released
        },
        endpoints_handed_over: fates.handovers,
        security_groups_deleted,
        review_stacks_deleted: review,
        failed_events_deleted,
        buffered_events_deleted,
        elapsed_ms: started.elapsed().as_millis(),
    })
}
