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

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use clap::Args;
use futures::FutureExt;

use crate::aws::leftovers;
use crate::context::Context;
use crate::endpoints;
use crate::error::{Error, Result};
use crate::stack::events::{latest_events, Cursor};
use crate::stack::follow::{follow, outcome_error};
use crate::stack::ownership;
use crate::stack::progress::Progress;
use crate::stack::render::duration;
use crate::stack::watch::{SideFetch, WaitItem, WaitingOn, WatchOptions};
use crate::stack::{self, Operation, StackInfo};
use crate::terminal::confirm;

mod fetch;
mod plan;
mod refused;
mod relays;
mod report;
mod vpc_users;

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
        return fetch::nothing_there(ctx, &args, account, started).await;
    }
    let managed = left.endpoints.clone();
    let choice = match (args.keep_endpoints, args.delete_endpoints) {
        (true, _) => Choice::Keep,
        (_, true) => Choice::Delete,
        _ => Choice::Decide,
    };
    // Another relay in the same VPC inherits these endpoints; other workloads that reach the
    // service only through them keep them for the VPC: neither is cut off.
    let mut fates = if managed.is_empty() {
        Fates::default()
    } else {
        let region = relays::Region::read(cfn, &stack_name).await?;
        fetch::fates_now(ctx, &managed, &region, choice).await?
    };
    let review = fetch::other_review_stacks(cfn, &left, info.as_ref()).await?;

    let plan = fetch::plan_for(
        ctx,
        &args,
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
        return fetch::nothing_there(ctx, &args, account, started).await;
    }
    let let_go = plan::let_go(args.delete_failed_events, args.delete_buffered_events);
    if let Some(refused) = plan::refusal(&plan, ctx.globals.yes, &let_go) {
        return Err(refused);
    }
    ctx.printer.note(&plan.lines().join("\n"));
    if !confirm(ctx.globals.yes, plan.question()).await? {
        return Err(Error::cancelled_with(
            "destroy cancelled; nothing was deleted",
        ));
    }
    let failed_events_deleted = plan.held_count(plan::HeldKind::Failed);
    let buffered_events_deleted = plan.held_count(plan::HeldKind::Buffered);

    let mut stack_status = "not found".to_string();
    if let Some(s) = &info {
        let outcome = delete_and_follow(ctx, s, &args).await?;
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
                    "Deleting the VPC endpoints evrelay created: {}.",
                    to_delete.join(", ")
                ));
            }
            endpoints::delete(ec2, to_delete).await?;
            let wait = args
                .timeout
                .saturating_sub(started.elapsed())
                .clamp(Duration::from_secs(60), Duration::from_secs(600));
            let spinner = ctx.printer.spinner("Deleting the VPC endpoints");
            let gone = wait_endpoints_gone(ec2, to_delete, wait).await;
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
    ctx.printer.report(&DestroyReport {
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

/// DeleteStack, then the deletion followed to its end. Once DeleteStack is sent the delete is
/// AWS's: Ctrl-C from then on says so and how to follow or finish it.
async fn delete_and_follow(
    ctx: &Context,
    s: &StackInfo,
    args: &DestroyArgs,
) -> Result<crate::stack::watch::Outcome> {
    let (cfn, ec2, stack_name) = (ctx.cloudformation(), ctx.ec2(), &ctx.names.stack);
    let goes_on = |what: &str| {
        Error::cancelled_with(format!(
            "destroy interrupted (Ctrl-C) {what}; the delete of stack `{stack_name}` goes on in AWS"
        ))
        .hint(format!(
            "follow it with `evrelay status --watch --stack {stack_name}`; `evrelay destroy --stack {stack_name}` again finishes it (the VPC endpoints go after the stack)"
        ))
    };
    let cursor = Cursor::after(&latest_events(cfn, &s.id).await?);
    let token = stack::request_token("destroy");
    if s.status != "DELETE_IN_PROGRESS" {
        // Listening before the line: once it is printed, Ctrl-C is handled (a test waits on it).
        let interrupted = crate::interrupt::listen();
        let spinner = ctx
            .printer
            .spinner(&format!("Deleting stack {stack_name}: sending DeleteStack"));
        if !ctx.printer.interactive {
            ctx.printer.note(&format!(
                "Deleting stack {stack_name}: sending DeleteStack; from here on Ctrl-C leaves the delete running in AWS."
            ));
        }
        let sent = tokio::select! {
            sent = stack::delete_stack_as(cfn, &s.id, &token, args.role_arn.as_deref()) => sent,
            _ = interrupted => Err(goes_on("after DeleteStack was sent")),
        };
        spinner.finish_and_clear();
        sent.map_err(|e| {
            let said = format!("{} {}", e.message, e.detail.as_deref().unwrap_or_default());
            refused::explain(
                stack_name,
                ctx.region(),
                &said,
                s.role_arn.as_deref(),
                args.role_arn.as_deref(),
            )
            .unwrap_or(e)
        })?;
    }
    let mut progress = Progress::new(
        stack_name,
        Operation::Delete,
        crate::template::resource_descriptions(&crate::template::render()),
    );
    let opts = WatchOptions {
        timeout: Some(args.timeout),
        token: (s.status != "DELETE_IN_PROGRESS").then_some(token),
        ..WatchOptions::default()
    };
    let eni_prefix = ctx.names.eni_description_prefix();
    let side: SideFetch<'_> = Box::new(move || lambda_interfaces(ec2, eni_prefix.clone()).boxed());
    follow(
        &ctx.printer,
        cfn,
        &s.id,
        cursor,
        &mut progress,
        &opts,
        Some(side),
    )
    .await
    .map_err(|e| {
        if e.is_cancelled() {
            goes_on("while following the delete")
        } else {
            e
        }
    })
}

/// Waits until EC2 has removed the endpoints (deleting → deleted, or no longer listed).
async fn wait_endpoints_gone(
    ec2: &aws_sdk_ec2::Client,
    ids: &[String],
    timeout: Duration,
) -> Result<()> {
    let started = Instant::now();
    loop {
        let left: Vec<String> = endpoints::by_ids(ec2, ids)
            .await?
            .into_iter()
            .filter(|e| e.state != "deleted")
            .map(|e| e.id)
            .collect();
        if left.is_empty() {
            return Ok(());
        }
        if started.elapsed() >= timeout {
            return Err(Error::failed(format!(
                "VPC endpoints {} are still being deleted after {}",
                left.join(", "),
                duration(timeout)
            ))
            .hint("EC2 is still removing them; run `evrelay destroy` again later to confirm"));
        }
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
}

/// The relay's Lambda network interfaces (description `AWS Lambda VPC ENI-<function>*`), which
/// CloudFormation waits on while it deletes the function's VPC resources.
pub async fn lambda_interfaces(ec2: &aws_sdk_ec2::Client, prefix: String) -> Option<WaitingOn> {
    // A failed look-up only loses this refresh of the list; the deletion goes on.
    let found = crate::aws::ec2::interfaces_described(ec2, &prefix)
        .await
        .ok()?;
    let items = found
        .into_iter()
        .map(|ni| {
            let age = ni
                .attached_for
                .map(|d| format!(", attached {} ago", duration(d)))
                .unwrap_or_default();
            WaitItem {
                id: ni.id,
                detail: format!("{}{age}, {}", ni.status, ni.subnet),
            }
        })
        .collect();
    Some(WaitingOn {
        what: "the relay's network interfaces".into(),
        items,
    })
}
