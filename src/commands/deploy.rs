//! `evrelay deploy`: preflight, VPC endpoints, change set, live progress. The whole sequence of
//! what is made, and what an interruption removes, reads in this file; the steps live in
//! `steps`, `guard`, `params`, `preflight`, `plan` (up to the question) and `apply` (after the
//! yes); `kept` runs a change set `--no-execute` kept; `pair` runs two Regions' deploys behind
//! one question (`--secondary-region`).
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
mod pair;
mod param_changes;
mod params;
mod plan;
mod preflight;
mod report;
mod secret;
mod steps;

use crate::context::Context;
use crate::error::{Error, Result};

use crate::stack::changeset;
use crate::stack::ownership::{self, StackOwner};
use crate::stack::{self, describe_stack, StackInfo};
use crate::terminal::confirm;

use apply::Ready;
pub use args::DeployArgs;
use guard::Debris;
pub use params::Settings;
use plan::Planned;

pub async fn run(ctx: &Context, mut args: DeployArgs) -> Result<()> {
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
    pair::check_usage(&args, ctx.region())?;
    if args.pair.secondary_region.is_none() {
        // The primary of a pair that this config file does not remember as one (another
        // machine): deployed alone, its relay would drift from the secondary's.
        if let Some(secondary) = pair::secondary_of_primary(ctx).await? {
            ctx.printer
                .note(&pair::adopting_note(&stack_name, ctx.region(), &secondary));
            args.pair.secondary_region = Some(secondary);
            pair::check_usage(&args, ctx.region())?;
        }
    }
    if args.pair.secondary_region.is_some() {
        return pair::run(ctx, args).await;
    }

    let mut fetched = fetch(ctx, &args).await?;
    if fetched.existing.is_some() {
        // The pair's secondary: its relay is deployed from the primary, with the primary's.
        if let Some(pair::PairHalf::Secondary { primary }) = pair::secondary_half(ctx).await? {
            return Err(pair::refuse_secondary(
                &stack_name,
                ctx.region(),
                primary.as_deref(),
            ));
        }
    }
    if fetched.secret.is_none() {
        let source = args.secret_source();
        let keeps = keeps_secret(fetched.existing.as_ref());
        if secret::asks(&source, keeps) {
            // The operator types the key knowing where it goes.
            ctx.printer.note(&format!(
                "Stack {stack_name} in account {}, {} needs the endpoint's API key.",
                fetched.account,
                ctx.region()
            ));
        }
        fetched.secret = secret::read(&source, keeps)?;
    }
    let Some(region) = settle(ctx, &args, fetched).await? else {
        return Ok(());
    };
    let Gathered {
        input,
        remembered,
        new_stack,
    } = region;
    let account = input.account.clone();
    // One name for the run: its change set, and the tag on the endpoints and groups it makes.
    let mut debris = Debris::new(&changeset::change_set_name());
    let prepared = guard::interruptible(async {
        let pending = match plan::plan(ctx, &args, input, &mut debris).await? {
            Planned::Over => return Ok(None),
            Planned::UpToDate(done) => return Ok(Some(Next::Done(done))),
            Planned::Confirm(pending) => pending,
        };
        // Refused, or no terminal to ask on: the caller removes the change set either way.
        if !confirm(ctx.globals.yes, pending.question.clone()).await? {
            return Err(Error::cancelled_with("deploy cancelled; nothing changed"));
        }
        plan::ready(ctx, pending, &mut debris)
            .await
            .map(|r| Some(Next::Execute(r)))
    })
    .await;
    match prepared {
        Ok(Some(Next::Execute(ready))) => {
            let executed = apply::execute(ctx, ready, &mut debris, &account).await;
            // Executed and either done or going on in AWS: the file describes the stack.
            if executed.is_ok()
                || (debris.executed && executed.as_ref().is_err_and(|e| e.is_cancelled()))
            {
                steps::remember(ctx, &remembered);
            }
            steps::show(ctx, &steps::result(ctx, executed?, &account).await?)
        }
        Ok(Some(Next::Done(done))) => steps::show(ctx, &steps::result(ctx, done, &account).await?),
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

/// After the plan: a change to execute, or a stack already as asked.
enum Next {
    Execute(Ready),
    Done(apply::Done),
}

/// One Region's stack and settings, read before anything is made.
struct Fetched {
    existing: Option<StackInfo>,
    account: String,
    picks: Option<params::Picks>,
    settings: Settings,
    relay: params::RelaySettings,
    /// `--secret-id`'s secret, described; the caller reads any other source (once for a pair).
    secret: Option<secret::Choice>,
}

/// Reads what one Region's deploy decides from: the stack (which must be evrelay's), the
/// account, discover's picks, the settings, an existing secret. Nothing is made.
async fn fetch(ctx: &Context, args: &DeployArgs) -> Result<Fetched> {
    let cfn = ctx.cloudformation();
    let stack_name = &ctx.names.stack;
    params::check_usage(args)?;
    alarms::check_region(&alarms::resolve(&args.relay.alarms)?, ctx.region())?;
    let existing = describe_stack(cfn, stack_name).await?;
    if let Some(s) = &existing {
        let owner = ownership::owner_of(cfn, s).await?;
        if owner != StackOwner::Evrelay {
            return Err(ownership::refusal(stack_name, owner, "deploy"));
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
    let settings = params::resolve(args, current_params(existing.as_ref()), picks.as_ref())?;
    let relay = params::resolve_relay(&args.relay, current_params(existing.as_ref()))?;
    let secret = match &args.relay.secret_id {
        // Described, never read: the relay reads it, evrelay only checks it is there.
        Some(id) => {
            let found = crate::aws::secretsmanager::describe(ctx.secretsmanager(), id).await?;
            Some(secret::Choice::Existing(secret::existing(id, found)?))
        }
        None => None,
    };
    Ok(Fetched {
        existing,
        account,
        picks,
        settings,
        relay,
        secret,
    })
}

/// One Region's deploy, ready to plan.
struct Gathered {
    input: Input,
    /// What the config file keeps once the stack is deployed.
    remembered: crate::config::Remembered,
    /// The stack's name when this run found none: a failure before its change set may be
    /// another run's doing.
    new_stack: Option<String>,
}

/// A stack in the middle of a change is followed to the end rather than failed (nothing is
/// made yet, so Ctrl-C here only stops watching; follow says so). `None`: a dry run ends here.
async fn settle(ctx: &Context, args: &DeployArgs, fetched: Fetched) -> Result<Option<Gathered>> {
    let stack_name = ctx.names.stack.clone();
    let Fetched {
        mut existing,
        account,
        picks,
        mut settings,
        mut relay,
        secret,
    } = fetched;
    if let Some(s) = existing
        .as_ref()
        .filter(|s| !stack::is_settled(&s.status) && s.status != "REVIEW_IN_PROGRESS")
    {
        if args.dry_run {
            ctx.printer.note(&format!(
                "Dry run: stack {stack_name} in {} is {}; a deploy would wait for it to settle, then deploy. Nothing changed.",
                ctx.region(),
                s.status
            ));
            return Ok(None);
        }
        ctx.printer.note(&format!(
            "Stack {stack_name} in {} is {}; waiting for it to settle first.",
            ctx.region(),
            s.status
        ));
        steps::wait_for_running_change(ctx, s).await?;
        existing = describe_stack(ctx.cloudformation(), &stack_name).await?;
        settings = params::resolve(args, current_params(existing.as_ref()), picks.as_ref())?;
        relay = params::resolve_relay(&args.relay, current_params(existing.as_ref()))?;
    }
    let remembered = steps::remembered(&settings, &relay, args);
    let new_stack = existing.is_none().then(|| stack_name.clone());
    Ok(Some(Gathered {
        input: Input {
            existing,
            settings,
            relay,
            secret,
            account,
        },
        remembered,
        new_stack,
    }))
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
