//! The deleting itself: a relay stack followed to its end (with the Lambda ENIs it waits on),
//! a pair's small stacks (endpoint, archive), and the VPC endpoints' wait.

use std::time::{Duration, Instant};

use futures::FutureExt;

use super::{refused, DestroyArgs};
use crate::context::Context;
use crate::endpoints;
use crate::error::{Error, Result};
use crate::stack::events::{latest_events, Cursor};
use crate::stack::follow::follow;
use crate::stack::progress::Progress;
use crate::stack::render::duration;
use crate::stack::watch::{SideFetch, WaitItem, WaitingOn, WatchOptions};
use crate::stack::{self, Operation, StackInfo};

/// DeleteStack, then the deletion followed to its end. Once DeleteStack is sent the delete is
/// AWS's: Ctrl-C from then on says so and how to follow or finish it.
pub(super) async fn delete_and_follow(
    ctx: &Context,
    s: &StackInfo,
    args: &DestroyArgs,
) -> Result<crate::stack::watch::Outcome> {
    let (cfn, ec2, stack_name) = (ctx.cloudformation(), ctx.ec2(), &ctx.names.stack);
    let region = ctx.region();
    let goes_on = |what: &str| {
        Error::cancelled_with(format!(
            "destroy interrupted (Ctrl-C) {what}; the delete of stack `{stack_name}` goes on in AWS ({region})"
        ))
        .hint(format!(
            "follow it with `evrelay status --watch --stack {stack_name}` (--region {region}); `evrelay destroy --stack {stack_name}` again finishes it (the VPC endpoints go after the stack)"
        ))
    };
    let cursor = Cursor::after(&latest_events(cfn, &s.id).await?);
    let token = stack::request_token("destroy");
    if s.status != "DELETE_IN_PROGRESS" {
        // Listening before the line: once it is printed, Ctrl-C is handled (a test waits on it).
        let interrupted = crate::interrupt::listen();
        let spinner = ctx.printer.spinner(&format!(
            "Deleting stack {stack_name} in {region}: sending DeleteStack"
        ));
        if !ctx.printer.interactive {
            ctx.printer.note(&format!(
                "Deleting stack {stack_name} in {region}: sending DeleteStack; from here on Ctrl-C leaves the delete running in AWS."
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
pub(super) async fn wait_endpoints_gone(
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

/// DeleteStack of a relay pair's endpoint or archive stack (`template` names its resources in
/// the progress), followed to DELETE_COMPLETE. Ctrl-C and a failure leave the rest of the pair
/// in place and say that a rerun finishes it.
pub(super) async fn pair_stack(
    ctx: &Context,
    s: &StackInfo,
    template: &str,
    args: &DestroyArgs,
) -> Result<String> {
    let cfn = ctx.cloudformation();
    let rerun = format!(
        "`evrelay --stack {} destroy` again finishes the pair (what is left of it, in the same order)",
        ctx.names.stack
    );
    let cursor = Cursor::after(&latest_events(cfn, &s.id).await?);
    let token = stack::request_token("destroy");
    let sending = s.status != "DELETE_IN_PROGRESS";
    let interrupted_at = |what: &str| {
        Error::cancelled_with(format!(
            "destroy interrupted (Ctrl-C) {what} stack `{}` in {}",
            s.name,
            ctx.region()
        ))
        .hint(rerun.clone())
    };
    if sending {
        // Listening before the line: once it is printed, Ctrl-C is handled (a test waits on it).
        let interrupted = crate::interrupt::listen();
        if !ctx.printer.interactive {
            ctx.printer.note(&format!(
                "Deleting stack {} in {}: sending DeleteStack.",
                s.name,
                ctx.region()
            ));
        }
        tokio::select! {
            sent = stack::delete_stack_as(cfn, &s.id, &token, args.role_arn.as_deref()) => sent?,
            _ = interrupted => return Err(interrupted_at("while sending DeleteStack for")),
        }
    }
    let mut progress = Progress::new(
        &s.name,
        Operation::Delete,
        crate::template::resource_descriptions(template),
    );
    let opts = WatchOptions {
        timeout: Some(args.timeout),
        token: sending.then_some(token),
        ..WatchOptions::default()
    };
    let outcome = follow(&ctx.printer, cfn, &s.id, cursor, &mut progress, &opts, None)
        .await
        .map_err(|e| {
            if e.is_cancelled() {
                interrupted_at("while CloudFormation deletes")
            } else {
                e
            }
        })?;
    if !outcome.ok {
        return Err(crate::stack::follow::outcome_error(&outcome).hint(rerun));
    }
    Ok(outcome.status)
}
