//! The steps deploy runs around the change set: follow a change already running, remove a
//! stack that can only be deleted, create the VPC endpoints, say which are shared, and print
//! the result.

use crate::context::Context;
use crate::endpoints;
use crate::error::Result;
use crate::stack::events::{latest_events, Cursor};
use crate::stack::follow::{follow, outcome_error};
use crate::stack::progress::Progress;
use crate::stack::watch::WatchOptions;
use crate::stack::{self, describe_stack, Operation, StackInfo};
use crate::template;

use super::preflight::{EndpointPlan, NetworkPlan};
use super::report::{DeployResult, EndpointAction};

/// A phase line off a terminal (where the spinner is not drawn), so a log or a test sees
/// where the deploy is; the spinner on one.
pub fn phase(ctx: &Context, what: &str) -> indicatif::ProgressBar {
    if !ctx.printer.interactive {
        ctx.printer.note(&format!("{what}…"));
    }
    ctx.printer.spinner(what)
}

/// The result: the stack's outputs (or, where CloudFormation sets none, the names evrelay
/// derives from the stack name).
pub async fn finish(
    ctx: &Context,
    operation: Operation,
    elapsed_ms: Option<u128>,
    endpoints: Vec<EndpointAction>,
    up_to_date: bool,
    account: &str,
) -> Result<()> {
    let info = describe_stack(ctx.cloudformation(), &ctx.names.stack).await?;
    let result = DeployResult::succeeded(
        &ctx.names,
        info.as_ref(),
        operation,
        elapsed_ms,
        endpoints,
        up_to_date,
    )
    .at(account, ctx.region());
    ctx.printer.report(&result)
}

/// Follows a change someone else started (or an earlier run left running) to its end.
pub async fn wait_for_running_change(ctx: &Context, s: &StackInfo) -> Result<()> {
    let operation = match s.status.split('_').next() {
        Some("DELETE") => Operation::Delete,
        Some("CREATE" | "ROLLBACK") => Operation::Create,
        _ => Operation::Update,
    };
    let cfn = ctx.cloudformation();
    let cursor = Cursor::after(&latest_events(cfn, &s.id).await?);
    let mut progress = Progress::new(
        &s.name,
        operation,
        template::resource_descriptions(&template::render()),
    );
    // Whether that change succeeded or not, this deploy decides from the state it left.
    follow(
        &ctx.printer,
        cfn,
        &s.id,
        cursor,
        &mut progress,
        &WatchOptions::default(),
        None,
    )
    .await
    .map(|_| ())
}

/// Deletes a stack that can only be deleted (ROLLBACK_COMPLETE, REVIEW_IN_PROGRESS, …).
pub async fn remove_stack(ctx: &Context, s: &StackInfo) -> Result<()> {
    let cfn = ctx.cloudformation();
    let cursor = Cursor::after(&latest_events(cfn, &s.id).await?);
    stack::delete_stack(cfn, &s.id, &stack::request_token("remove")).await?;
    let mut progress = Progress::new(
        &s.name,
        Operation::Delete,
        template::resource_descriptions(&template::render()),
    );
    let outcome = follow(
        &ctx.printer,
        cfn,
        &s.id,
        cursor,
        &mut progress,
        &WatchOptions::default(),
        None,
    )
    .await?;
    if outcome.ok {
        Ok(())
    } else {
        Err(outcome_error(&outcome))
    }
}

/// Creates the endpoints the plan calls for and waits until they are available.
/// The ids land in `created` as each endpoint is made, so an interruption still knows them.
pub async fn create_endpoints(
    ctx: &Context,
    plan: &NetworkPlan,
    created: &mut Vec<String>,
) -> Result<()> {
    let ec2 = ctx.ec2();
    let mut new_ids = Vec::new();
    for (service, endpoint) in plan.endpoints() {
        if let EndpointPlan::Create(new) = endpoint {
            let e = endpoints::create(ec2, new).await?;
            created.push(e.id.clone());
            ctx.printer.note(&format!(
                "Created VPC endpoint {} for {service} (private DNS, in {}).",
                e.id,
                new.subnets.join(", ")
            ));
            new_ids.push(e.id);
        }
    }
    if !new_ids.is_empty() {
        let spinner = phase(ctx, "Waiting for the VPC endpoints to become available");
        let waited = endpoints::wait_available(
            ec2,
            &new_ids,
            std::time::Duration::from_secs(5),
            std::time::Duration::from_secs(900),
        )
        .await;
        spinner.finish_and_clear();
        waited?;
    }
    Ok(())
}

/// A reused endpoint evrelay created for another relay stays that relay's: say so, so the
/// operator knows `evrelay destroy` of either one keeps it while the other needs it.
pub async fn note_shared_endpoints(ctx: &Context, plan: &NetworkPlan) -> Result<()> {
    let reused: Vec<String> = plan
        .endpoints()
        .into_iter()
        .filter_map(|(_, e)| match e {
            EndpointPlan::Reuse(id) => Some(id.clone()),
            EndpointPlan::Create(_) => None,
        })
        .collect();
    if reused.is_empty() {
        return Ok(());
    }
    for e in endpoints::by_ids(ctx.ec2(), &reused).await? {
        if let Some(owner) = e
            .stack
            .as_deref()
            .filter(|owner| e.managed && *owner != ctx.names.stack)
        {
            ctx.printer.note(&format!(
                "Reusing VPC endpoint {} ({}), which evrelay created for stack `{owner}`: destroying either relay \
                 keeps it while the other runs in this VPC.",
                e.id, e.service
            ));
        }
    }
    Ok(())
}
