//! `evrelay destroy`: delete the stack (showing the Lambda ENIs it waits on), then the VPC
//! endpoints evrelay created for it.
//!
//! Re-runnable by design: the stack goes first and the endpoints last, so a run that stops
//! half-way (DELETE_FAILED, a timeout, Ctrl-C) is finished by the next one; a stack that is
//! already gone is not an error. Only a stack evrelay created (tagged `evrelay:managed=true`)
//! is deleted, and only endpoints tagged `evrelay:managed=true` and `evrelay:stack=<stack>`.

use std::time::{Duration, Instant};

use clap::Args;
use futures::FutureExt;
use serde::Serialize;

use crate::context::Context;
use crate::endpoints;
use crate::error::{Error, Result};
use crate::printer::{Report, Style};
use crate::stack::events::{latest_events, Cursor};
use crate::stack::follow::{follow, outcome_error};
use crate::stack::ownership;
use crate::stack::progress::Progress;
use crate::stack::render::duration;
use crate::stack::watch::{SideFetch, WaitItem, WaitingOn, WatchOptions};
use crate::stack::{self, Operation};
use crate::terminal::confirm;

mod relays;

#[derive(Debug, Clone, Args)]
pub struct DestroyArgs {
    /// How long to wait for the stack to be deleted, e.g. 45m, 1h, 90s (a VPC-attached
    /// Lambda's network interfaces can take 20-45 minutes to be released).
    #[arg(long, value_name = "DURATION", default_value = "45m", value_parser = crate::commands::parse_duration)]
    pub timeout: Duration,

    /// Leave the VPC endpoints evrelay created for this stack.
    #[arg(long)]
    pub keep_endpoints: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct DestroyReport {
    #[serde(rename = "type")]
    kind: &'static str,
    pub stack: String,
    pub account: String,
    pub region: String,
    /// DELETE_COMPLETE, or `not found` when there was no stack to delete.
    pub stack_status: String,
    pub stack_deleted: bool,
    pub endpoints_deleted: Vec<String>,
    pub endpoints_kept: Vec<String>,
    /// Endpoints another relay in the same VPC still uses: kept, and re-tagged as that
    /// relay's, so destroying it removes them.
    pub endpoints_handed_over: Vec<Handover>,
    pub elapsed_ms: u128,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Handover {
    pub endpoint: String,
    pub stack: String,
}

impl Report for DestroyReport {
    fn render(&self, style: &Style) -> String {
        let mut out = if self.stack_deleted {
            format!(
                "Deleted stack {} in account {}, {} ({}).\n",
                style.bold(&self.stack),
                self.account,
                self.region,
                duration(Duration::from_millis(self.elapsed_ms as u64))
            )
        } else {
            format!(
                "Stack {} not found in account {}, {}: nothing to delete there.\n",
                style.bold(&self.stack),
                self.account,
                self.region
            )
        };
        if !self.endpoints_deleted.is_empty() {
            out.push_str(&format!(
                "Deleted the VPC endpoints evrelay created: {}.\n",
                self.endpoints_deleted.join(", ")
            ));
        }
        for h in &self.endpoints_handed_over {
            out.push_str(&format!(
                "Kept VPC endpoint {}: stack {} in the same VPC uses it (now tagged as its own; `evrelay destroy --stack {}` removes it).\n",
                h.endpoint, h.stack, h.stack
            ));
        }
        if !self.endpoints_kept.is_empty() {
            out.push_str(&format!(
                "Kept VPC endpoints (--keep-endpoints): {}.\n",
                self.endpoints_kept.join(", ")
            ));
        }
        out
    }
}

pub async fn run(ctx: &Context, args: DestroyArgs) -> Result<()> {
    let started = Instant::now();
    let (cfn, ec2, stack_name) = (ctx.cloudformation(), ctx.ec2(), ctx.names.stack.clone());
    // A stack evrelay did not create is refused before anything else is looked at.
    let info = ownership::require_owned(cfn, &stack_name, "destroy").await?;
    let account = ctx.identity().await?.account.clone();
    let managed = endpoints::managed_by(ec2, &stack_name).await?;
    let managed_ids: Vec<String> = managed.iter().map(|e| e.id.clone()).collect();
    // Another relay in the same VPC reuses these endpoints: hand them over rather than cut it off.
    let (mut to_delete, mut handovers) = if args.keep_endpoints || managed.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        let region = relays::Region::read(cfn, &stack_name).await?;
        relays::split(&managed, &relays::by_vpc(ec2, &region).await?)
    };

    // What a stopped run left once its stack and endpoints were gone: their own groups.
    let leftover_groups = if info.is_none() && managed.is_empty() && !args.keep_endpoints {
        crate::aws::vpc_endpoints::groups_for(ec2, &stack_name).await?
    } else {
        Vec::new()
    };
    if info.is_none() && to_delete.is_empty() && handovers.is_empty() && leftover_groups.is_empty()
    {
        ctx.printer.note(&format!(
            "Stack {stack_name} not found in account {account}, {}; no VPC endpoints tagged for it. Nothing to do.",
            ctx.region()
        ));
        return ctx.printer.report(&DestroyReport {
            kind: "result",
            stack: stack_name,
            account,
            region: ctx.region().to_string(),
            stack_status: "not found".into(),
            stack_deleted: false,
            endpoints_deleted: Vec::new(),
            endpoints_kept: managed_ids,
            endpoints_handed_over: Vec::new(),
            elapsed_ms: started.elapsed().as_millis(),
        });
    }

    let mut parts = Vec::new();
    if let Some(s) = &info {
        parts.push(format!("stack {stack_name} ({})", s.status));
    }
    if !to_delete.is_empty() {
        parts.push(format!(
            "the VPC endpoints evrelay created for it ({})",
            to_delete.join(", ")
        ));
    }
    if !leftover_groups.is_empty() {
        parts.push(format!(
            "the security groups evrelay made for its endpoints ({})",
            leftover_groups.join(", ")
        ));
    }
    for h in &handovers {
        parts.push(format!(
            "(keeping {}: stack {} in the same VPC uses it)",
            h.endpoint, h.stack
        ));
    }
    let question = format!(
        "Delete {} in account {account}, {}?",
        parts.join(" and "),
        ctx.region()
    );
    if !confirm(ctx.globals.yes, question).await? {
        return Err(Error::cancelled_with(
            "destroy cancelled; nothing was deleted",
        ));
    }

    let mut stack_status = "not found".to_string();
    if let Some(s) = &info {
        let cursor = Cursor::after(&latest_events(cfn, &s.id).await?);
        if s.status != "DELETE_IN_PROGRESS" {
            stack::delete_stack(cfn, &s.id, &stack::request_token("destroy")).await?;
        }
        let mut progress = Progress::new(
            &stack_name,
            Operation::Delete,
            crate::template::resource_descriptions(&crate::template::render()),
        );
        let opts = WatchOptions {
            timeout: Some(args.timeout),
            ..WatchOptions::default()
        };
        let eni_prefix = ctx.names.eni_description_prefix();
        let side: SideFetch<'_> =
            Box::new(move || lambda_interfaces(ec2, eni_prefix.clone()).boxed());
        let outcome = follow(
            &ctx.printer,
            cfn,
            &s.id,
            cursor,
            &mut progress,
            &opts,
            Some(side),
        )
        .await?;
        if !outcome.ok {
            if ctx.printer.json() {
                ctx.printer.json_line(&serde_json::json!({"type": "result", "ok": false, "stack": stack_name, "account": account, "region": ctx.region(), "status": outcome.status, "failure": outcome.failure}))?;
            }
            let mut e = outcome_error(&outcome);
            if !to_delete.is_empty() {
                e = e.detail(format!("the VPC endpoints {} were left in place; the next `evrelay destroy` removes them", to_delete.join(", ")));
            }
            return Err(e);
        }
        stack_status = outcome.status;
    }

    // The stack's delete can take 45 minutes: a relay deployed meanwhile in the same VPC may
    // have taken these endpoints up, so who still uses them is asked again now.
    let region = relays::Region::read(cfn, &stack_name).await?;
    if !args.keep_endpoints && !managed.is_empty() {
        (to_delete, handovers) = relays::split(&managed, &relays::by_vpc(ec2, &region).await?);
    }
    for h in &handovers {
        endpoints::hand_over(ec2, &h.endpoint, &h.stack).await?;
    }
    if !to_delete.is_empty() {
        endpoints::delete(ec2, &to_delete).await?;
        let left = args
            .timeout
            .saturating_sub(started.elapsed())
            .clamp(Duration::from_secs(60), Duration::from_secs(600));
        let spinner = ctx.printer.spinner("Deleting the VPC endpoints");
        let gone = wait_endpoints_gone(ec2, &to_delete, left).await;
        spinner.finish_and_clear();
        gone?;
    }
    if !args.keep_endpoints {
        // The endpoints' own groups, once EC2 has let go of them (also what a stopped run left).
        crate::aws::vpc_endpoints::delete_orphan_groups(
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
    ctx.printer.report(&DestroyReport {
        kind: "result",
        stack: stack_name,
        account,
        region: ctx.region().to_string(),
        stack_deleted: info.is_some(),
        stack_status,
        endpoints_deleted: to_delete,
        endpoints_kept: if args.keep_endpoints {
            managed_ids
        } else {
            Vec::new()
        },
        endpoints_handed_over: handovers,
        elapsed_ms: started.elapsed().as_millis(),
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
