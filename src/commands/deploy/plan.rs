//! One Region's deploy up to the question: the checks, the stack a failed create left (removed
//! only after a yes of its own), the change set made and shown. A dry run and `--no-execute`
//! end here; otherwise the caller asks (once, for a pair's two Regions) and [`ready`] makes
//! what the change set needs. What this creates is recorded in `debris`, which the caller
//! removes on any error.

use crate::context::Context;
use crate::error::{Error, Result};
use crate::stack::changeset::{ChangeSetId, ChangeSetSpec, ChangeSetState};
use crate::stack::{self, Operation};
use crate::template;
use crate::terminal::confirm;

use super::apply::{self, Done, Ready};
use super::guard::{Debris, PendingChangeSet};
use super::report::{self, ChangeSetReport};
use super::{alarms, delivery, discard, kept, params, preflight, steps, DeployArgs, Input};

/// Where one Region's plan ended.
pub(super) enum Planned {
    /// A dry run, or a change set kept for review: what it shows is printed; nothing to do.
    Over,
    /// The stack is as asked and no VPC endpoint is missing.
    UpToDate(Done),
    /// Shown; waiting for the operator's yes.
    Confirm(Box<Pending>),
}

/// A plan shown and not yet confirmed.
pub(super) struct Pending {
    plan: preflight::NetworkPlan,
    /// None: the stack is up to date, and only VPC endpoints are missing.
    created: Option<ChangeSetId>,
    operation: Operation,
    /// The one-Region question ("Deploy these changes to stack S in account A, R?").
    pub question: String,
    /// What the plan does in a line, for a pair's one question.
    pub summary: String,
    current: Option<Vec<(String, String)>>,
    settings: params::Settings,
}

pub(super) async fn plan(
    ctx: &Context,
    args: &DeployArgs,
    input: Input,
    debris: &mut Debris,
) -> Result<Planned> {
    let cfn = ctx.cloudformation();
    let stack_name = ctx.names.stack.clone();
    let Input {
        existing,
        settings,
        relay,
        secret,
        account,
    } = input;
    let scope = format!("account {account}, {}", ctx.region());
    // Printed once Ctrl-C is handled: from here on an interruption removes what was made.
    let doing = if args.dry_run {
        "Dry run for"
    } else if args.no_execute {
        "Creating a change set to review for"
    } else {
        "Deploying"
    };
    ctx.printer
        .note(&format!("{doing} stack {stack_name} in {scope}."));

    steps::refuse_stuck(&stack_name, existing.as_ref())?;
    let doomed = existing
        .as_ref()
        .filter(|s| stack::needs_removal(&s.status))
        .cloned();
    let current = existing.as_ref().filter(|_| doomed.is_none());
    if current.is_none() && secret.is_none() {
        return Err(Error::usage(format!(
            "stack `{stack_name}` is created anew, and a new stack needs the endpoint's API key"
        ))
        .hint("pass --secret-stdin, --secret-env VAR or --generate-secret"));
    }

    // Everything is checked before anything is created.
    let clients = preflight::Clients {
        ec2: ctx.ec2(),
        elb: ctx.elb(),
        logs: ctx.logs(),
        route53: ctx.route53(),
        lambda: ctx.lambda(),
        service_discovery: ctx.service_discovery(),
    };
    // No stack, or one that holds no resources (rolled back, or only under review): the new
    // stack's named log groups must not exist yet.
    let new_stack = existing.as_ref().map_or(true, |s| {
        matches!(
            s.status.as_str(),
            "ROLLBACK_COMPLETE" | "REVIEW_IN_PROGRESS"
        )
    });
    let plan = preflight::run(
        clients,
        ctx.region(),
        &ctx.names.stack,
        &settings,
        args.events_endpoint,
        new_stack,
        &args.skip_checks,
    )
    .await?;
    steps::note_shared_endpoints(ctx, &plan).await?;
    for skipped in &plan.skipped_checks {
        ctx.printer.warn(&skipped.line());
    }
    steps::warn_unnamed_https_host(ctx, &settings.url, &relay.host).await;
    steps::warn_slow_tail(ctx, &settings);
    let stack_params = current.map(|s| s.parameters.as_slice());
    steps::refuse_losing_buffer(ctx, stack_params, &settings).await?;
    let endpoint_actions = plan.endpoint_actions();
    let operation = if current.is_some() {
        Operation::Update
    } else {
        Operation::Create
    };

    // A new stack's change set would itself make a stack: a dry run shows the template instead.
    if args.dry_run && operation == Operation::Create {
        let mut preview = ChangeSetReport::new(
            &stack_name,
            operation,
            report::template_adds(
                &template::render(),
                &alarms::conditions(
                    &relay.alarms,
                    settings.delivery.mode == delivery::Delivery::Buffered,
                ),
            ),
            endpoint_actions,
        )
        .at(&account, ctx.region());
        preview.dry_run = true;
        // What the change set would set: the same table a real create shows.
        let sent = params::parameters_for(&settings, &relay, secret.as_ref());
        preview.parameters = delivery::preview(&[], &sent, settings.delivery.mode);
        preview.deletes_first = doomed.map(|d| d.status);
        steps::show(ctx, &preview)?;
        ctx.printer.note("Dry run: nothing changed.");
        return Ok(Planned::Over);
    }
    if let Some(doomed) = doomed.as_ref().filter(|_| args.no_execute) {
        return Err(Error::failed(format!(
            "stack `{stack_name}` is {} and must be deleted before a change set can be made for it; --no-execute changes nothing else",
            doomed.status
        ))
        .hint("run `evrelay deploy` without --no-execute (it asks before deleting), or `evrelay destroy` first"));
    }
    if let Some(doomed) = &doomed {
        discard::refuse_if_another_deploy(cfn, doomed).await?;
    }
    if let Some(doomed) = &doomed {
        let question = if doomed.status == "REVIEW_IN_PROGRESS" {
            // Only evrelay's change sets are on it (ownership checked): likely one kept for review.
            format!(
                "Stack {stack_name} in {scope} holds only change sets under review (`evrelay deploy --execute NAME` runs a kept one). Delete it with them and deploy again?"
            )
        } else {
            format!(
                "Stack {stack_name} in {scope} is {} and can only be deleted. Delete it and deploy again?",
                doomed.status
            )
        };
        if !confirm(ctx.globals.yes, question).await? {
            return Err(Error::cancelled_with("deploy cancelled; nothing changed"));
        }
        steps::remove_stack(ctx, doomed).await?;
    }

    let spec = ChangeSetSpec {
        stack: stack_name.clone(),
        name: debris.run.clone(),
        operation,
        template_body: template::render(),
        parameters: params::parameters_for(&settings, &relay, secret.as_ref()),
        tags: steps::stack_tags(&args.tags, current, &stack_name),
        role_arn: args.role_arn.clone(),
        kept: args.no_execute,
        named_iam: false,
    };
    debris.change_set = Some(PendingChangeSet {
        stack: stack_name.clone(),
        name: spec.name.clone(),
        operation,
        id: None,
        stack_id: None,
    });
    let spinner = steps::phase(
        ctx,
        &format!(
            "Creating the change set for stack {} in {}",
            ctx.names.stack,
            ctx.region()
        ),
    );
    let state = steps::create_and_wait(cfn, &spec, debris).await;
    spinner.finish_and_clear();
    let (created, state) = state?;
    let current_params = current.map(|s| s.parameters.clone());
    let changes = match state {
        ChangeSetState::Failed(reason) => {
            return Err(Error::failed(format!("CloudFormation refused the change set: {reason}"))
                .hint("the template or a parameter was rejected; fix the value named above and deploy again"));
        }
        ChangeSetState::NoChanges => {
            if let Some(cs) = debris.change_set.take() {
                discard::discard(ctx, &cs).await;
            }
            ctx.printer.note(&format!(
                "Stack {stack_name} in {} is up to date: nothing to change.",
                ctx.region()
            ));
            let up_to_date = Done {
                operation,
                elapsed_ms: None,
                endpoint_actions: endpoint_actions.clone(),
                up_to_date: true,
            };
            // The stack is, but an endpoint it needs may have been deleted since.
            if !plan.creates_endpoints() {
                return Ok(Planned::UpToDate(up_to_date));
            }
            let mut preview =
                ChangeSetReport::new(&stack_name, operation, Vec::new(), endpoint_actions.clone())
                    .at(&account, ctx.region());
            preview.dry_run = args.dry_run || args.no_execute;
            steps::show(ctx, &preview)?;
            if args.dry_run {
                ctx.printer.note("Dry run: nothing changed.");
                return Ok(Planned::Over);
            }
            if args.no_execute {
                ctx.printer
                    .note("Nothing changed (--no-execute): `evrelay deploy` creates them.");
                return Ok(Planned::Over);
            }
            return Ok(Planned::Confirm(Box::new(Pending {
                plan,
                created: None,
                operation,
                question: format!("Create the missing VPC endpoints in {scope}?"),
                summary: format!("the missing VPC endpoints in {}", ctx.region()),
                current: current_params,
                settings,
            })));
        }
        ChangeSetState::Ready(changes) => changes,
    };

    let count = changes.len();
    let mut preview =
        ChangeSetReport::new(&stack_name, operation, changes, endpoint_actions.clone())
            .at(&account, ctx.region());
    preview.dry_run = args.dry_run;
    let was = current.map(|s| s.parameters.as_slice()).unwrap_or(&[]);
    preview.parameters = delivery::preview(was, &spec.parameters, settings.delivery.mode);
    preview.change_set = Some(spec.name.clone());
    if args.no_execute {
        preview.execute_command = Some(kept::execute_command(ctx, &spec.name));
        steps::show(ctx, &preview)?;
        // Made on purpose: kept, whatever happens next.
        debris.change_set = None;
        ctx.printer.note(&format!(
            "Kept change set {} on stack {stack_name}; nothing else changed. `aws cloudformation delete-change-set --stack-name {stack_name} --change-set-name {}` drops it.",
            spec.name, spec.name
        ));
        return Ok(Planned::Over);
    }
    steps::show(ctx, &preview)?;
    if args.dry_run {
        if let Some(cs) = debris.change_set.take() {
            discard::discard(ctx, &cs).await;
        }
        ctx.printer
            .note("Dry run: the change set was deleted; nothing changed.");
        return Ok(Planned::Over);
    }
    Ok(Planned::Confirm(Box::new(Pending {
        plan,
        created: Some(created),
        operation,
        question: format!("Deploy these changes to stack {stack_name} in {scope}?"),
        summary: format!(
            "{count} change{} in {}",
            if count == 1 { "" } else { "s" },
            ctx.region()
        ),
        current: current_params,
        settings,
    })))
}

/// After the yes: the buffer is read again (it may have filled while the plan was read), then
/// the endpoints and whatever else the change set needs are made.
pub(super) async fn ready(
    ctx: &Context,
    pending: Box<Pending>,
    debris: &mut Debris,
) -> Result<Ready> {
    let Pending {
        plan,
        created,
        operation,
        current,
        settings,
        ..
    } = *pending;
    steps::refuse_losing_buffer(ctx, current.as_deref(), &settings).await?;
    match created {
        Some(created) => apply::make_ready(ctx, &plan, created, operation, debris).await,
        None => {
            steps::create_endpoints(ctx, &plan, debris).await?;
            // Made on purpose and complete: kept from here on.
            debris.endpoints.clear();
            debris.run.clear();
            Ok(Ready::endpoints_only(operation, plan.endpoint_actions()))
        }
    }
}
