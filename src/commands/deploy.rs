//! `evrelay deploy`: preflight, VPC endpoints, change set, live progress. The whole sequence of
//! what is made, and what an interruption removes, reads in this file; the steps live in
//! `steps`, `guard`, `params`, `preflight` and `apply` (after the yes); `kept` runs a change set
//! `--no-execute` kept.
//!
//! Order matters: only a stack evrelay created is ever changed; every check runs before
//! anything is created; the change set is shown (and confirmed) before the endpoints are
//! created and the change is executed; a stack that can only be deleted is removed only after
//! the checks pass and the operator agrees. A dry run stops before any of that in every state
//! the stack can be in, whatever `--yes` says. Until the change set executes, whatever this run
//! made is removed again on any way out ([`guard`]).

mod alarms;
mod apply;
mod args;
mod delivery;
mod discard;
mod guard;
mod kept;
mod param_changes;
mod params;
mod preflight;
mod report;
mod secret;
mod steps;

use crate::context::Context;
use crate::error::{Error, Result};

use crate::stack::changeset::{self, ChangeSetSpec, ChangeSetState};
use crate::stack::ownership::{self, StackOwner};
use crate::stack::{self, describe_stack, Operation, StackInfo};
use crate::template;
use crate::terminal::confirm;

use apply::Ready;
pub use args::DeployArgs;
use guard::{Debris, PendingChangeSet};
pub use params::Settings;
use report::ChangeSetReport;

pub async fn run(ctx: &Context, mut args: DeployArgs) -> Result<()> {
    let cfn = ctx.cloudformation();
    let stack_name = ctx.names.stack.clone();
    // A question that cannot be asked is known now: refused before anything is made.
    args::refuse_unaskable(
        &args,
        ctx.globals.yes,
        crate::terminal::can_ask(),
        &stack_name,
    )?;
    // A kept change set has its settings already: the config file does not apply.
    if let Some(change_set) = args.execute.clone() {
        return kept::execute(ctx, &args, &change_set).await;
    }
    if let Some(remembered) = ctx.config.file.relay(&stack_name, ctx.region()) {
        args.fill_from(remembered);
    }
    params::check_usage(&args)?;
    alarms::check_region(&alarms::resolve(&args.relay.alarms)?, ctx.region())?;

    let mut existing = describe_stack(cfn, &stack_name).await?;
    if let Some(s) = &existing {
        let owner = ownership::owner_of(cfn, s).await?;
        if owner != StackOwner::Evrelay {
            return Err(ownership::refusal(&stack_name, owner, "deploy"));
        }
    }
    let account = ctx.identity().await?.account.clone();
    let picks = match (&args.vpc_id, &args.cluster) {
        (None, None) => None,
        (vpc, cluster) => Some(
            preflight::discover_picks(ctx.ec2(), ctx.elb(), vpc.as_deref(), cluster.as_deref())
                .await?,
        ),
    };
    let mut settings = params::resolve(&args, current_params(existing.as_ref()), picks.as_ref())?;
    let mut relay = params::resolve_relay(&args.relay, current_params(existing.as_ref()))?;
    let secret = match &args.relay.secret_id {
        // Described, never read: the relay reads it, evrelay only checks it is there.
        Some(id) => {
            let found = crate::aws::secretsmanager::describe(ctx.secretsmanager(), id).await?;
            Some(secret::Choice::Existing(secret::existing(id, found)?))
        }
        None => {
            let source = args.secret_source();
            let keeps = keeps_secret(existing.as_ref());
            if secret::asks(&source, keeps) {
                // The operator types the key knowing where it goes.
                ctx.printer.note(&format!(
                    "Stack {stack_name} in account {account}, {} needs the endpoint's API key.",
                    ctx.region()
                ));
            }
            secret::read(&source, keeps)?
        }
    };

    // A stack in the middle of a change: follow it to the end rather than fail. Nothing is made
    // yet, so Ctrl-C here only stops watching (follow says so).
    if let Some(s) = existing
        .as_ref()
        .filter(|s| !stack::is_settled(&s.status) && s.status != "REVIEW_IN_PROGRESS")
    {
        if args.dry_run {
            ctx.printer.note(&format!(
                "Dry run: stack {stack_name} is {}; a deploy would wait for it to settle, then deploy. Nothing changed.",
                s.status
            ));
            return Ok(());
        }
        ctx.printer.note(&format!(
            "Stack {stack_name} is {}; waiting for it to settle first.",
            s.status
        ));
        steps::wait_for_running_change(ctx, s).await?;
        existing = describe_stack(cfn, &stack_name).await?;
        settings = params::resolve(&args, current_params(existing.as_ref()), picks.as_ref())?;
        relay = params::resolve_relay(&args.relay, current_params(existing.as_ref()))?;
    }

    let remembered = steps::remembered(&settings, &relay, &args);
    // Absent when this run looked: a failure before its change set may be another run's doing.
    let new_stack = existing.is_none().then(|| stack_name.clone());
    let input = Input {
        existing,
        settings,
        relay,
        secret,
        account: account.clone(),
    };
    // One name for the run: its change set, and the tag on the endpoints and groups it makes.
    let mut debris = Debris::new(&changeset::change_set_name());
    let prepared = guard::interruptible(prepare(ctx, &args, input, &mut debris)).await;
    match prepared {
        Ok(Some(ready)) => {
            let executed = apply::execute(ctx, ready, &mut debris, &account).await;
            // Executed and either done or going on in AWS: the file describes the stack.
            if executed.is_ok()
                || (debris.executed && executed.as_ref().is_err_and(|e| e.is_cancelled()))
            {
                steps::remember(ctx, &remembered);
            }
            executed
        }
        Ok(None) => Ok(()),
        Err(e) => {
            let e = match discard::other_run(ctx, &debris, new_stack.as_deref()).await {
                Some(other) if !e.is_cancelled() && e.exit_code() == 1 => other,
                _ => e,
            };
            let removed = guard::clean_up(ctx, &mut debris).await;
            Err(guard::with_cleanup(e, &removed))
        }
    }
}

/// The stack's parameters, where the deploy updates it (not for one it replaces).
fn current_params(existing: Option<&StackInfo>) -> &[(String, String)] {
    existing
        .filter(|s| !stack::needs_removal(&s.status))
        .map(|s| s.parameters.as_slice())
        .unwrap_or(&[])
}

/// Whether the stack keeps its API key through this deploy: one being created may yet roll
/// back (and be replaced), so that one needs a key.
fn keeps_secret(existing: Option<&StackInfo>) -> bool {
    existing.is_some_and(|s| {
        !stack::needs_removal(&s.status)
            && !matches!(
                s.status.as_str(),
                "CREATE_IN_PROGRESS" | "ROLLBACK_IN_PROGRESS"
            )
    })
}

struct Input {
    existing: Option<StackInfo>,
    settings: Settings,
    relay: params::RelaySettings,
    secret: Option<secret::Choice>,
    account: String,
}

/// Everything up to execution: `Ok(None)` when the run is over (a dry run, nothing to change).
/// What it creates is recorded in `debris`, which the caller removes on any error.
async fn prepare(
    ctx: &Context,
    args: &DeployArgs,
    input: Input,
    debris: &mut Debris,
) -> Result<Option<Ready>> {
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
        return Ok(None);
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
    };
    debris.change_set = Some(PendingChangeSet {
        stack: stack_name.clone(),
        name: spec.name.clone(),
        operation,
        id: None,
        stack_id: None,
    });
    let spinner = steps::phase(ctx, "Creating the change set");
    let state = steps::create_and_wait(cfn, &spec, debris).await;
    spinner.finish_and_clear();
    let (created, state) = state?;
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
                "Stack {stack_name} is up to date: nothing to change."
            ));
            // The stack is, but an endpoint it needs may have been deleted since.
            if plan.creates_endpoints() {
                let mut preview = ChangeSetReport::new(
                    &stack_name,
                    operation,
                    Vec::new(),
                    endpoint_actions.clone(),
                )
                .at(&account, ctx.region());
                preview.dry_run = args.dry_run || args.no_execute;
                steps::show(ctx, &preview)?;
                if args.dry_run {
                    ctx.printer.note("Dry run: nothing changed.");
                    return Ok(None);
                }
                if args.no_execute {
                    ctx.printer
                        .note("Nothing changed (--no-execute): `evrelay deploy` creates them.");
                    return Ok(None);
                }
                let question = format!("Create the missing VPC endpoints in {scope}?");
                if !confirm(ctx.globals.yes, question).await? {
                    return Err(Error::cancelled_with("deploy cancelled; nothing changed"));
                }
                steps::create_endpoints(ctx, &plan, debris).await?;
                // Made on purpose and complete: kept from here on.
                debris.endpoints.clear();
                debris.run.clear();
            }
            steps::finish(ctx, operation, None, endpoint_actions, true, &account).await?;
            return Ok(None);
        }
        ChangeSetState::Ready(changes) => changes,
    };

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
        return Ok(None);
    }
    steps::show(ctx, &preview)?;
    if args.dry_run {
        if let Some(cs) = debris.change_set.take() {
            discard::discard(ctx, &cs).await;
        }
        ctx.printer
            .note("Dry run: the change set was deleted; nothing changed.");
        return Ok(None);
    }
    // Refused, or no terminal to ask on: the caller removes the change set either way.
    let question = format!("Deploy these changes to stack {stack_name} in {scope}?");
    if !confirm(ctx.globals.yes, question).await? {
        return Err(Error::cancelled_with("deploy cancelled; nothing changed"));
    }
    steps::refuse_losing_buffer(ctx, stack_params, &settings).await?;
    apply::make_ready(ctx, &plan, created, operation, debris)
        .await
        .map(Some)
}
