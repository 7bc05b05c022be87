//! A pair's deploy, in order: both Regions read and checked (nothing made), the API key read
//! once, both relays' change sets made and shown with the two stacks that follow, ONE question;
//! then the primary relay, the secondary relay, the endpoint stack and the archive stack. Until
//! a relay's change set executes, what this run made in either Region is removed on any way
//! out (the guard, per Region); after that each step is kept, and a rerun completes the pair.

use crate::context::Context;
use crate::error::{Error, Result};
use crate::names::GlobalNames;
use crate::stack::changeset;
use crate::stack::ownership::{self, StackOwner};
use crate::stack::{describe_stack, StackInfo};
use crate::terminal::confirm;

use super::super::apply::{self, Done};
use super::super::guard::{self, Cleanup, Debris};
use super::super::plan::{self, Planned};
use super::super::report::{PairPlan, PairResult};
use super::super::{fetch, keeps_secret, preflight, secret, settle, steps, DeployArgs, Next};
use super::stacks::{self, SmallStack};
use super::PairSettings;

pub(in crate::commands::deploy) async fn run(ctx: &Context, args: DeployArgs) -> Result<()> {
    let stack_name = ctx.names.stack.clone();
    let names = GlobalNames::new(&stack_name);
    let region = args.pair.secondary_region.clone().unwrap_or_default();
    let other = ctx.in_region(&region).await?;
    let sargs = super::secondary_args(&args, ctx.config.file.relay(&stack_name, &region));

    // Both Regions are read and checked before anything is made in either.
    let mut primary = fetch(ctx, &args).await?;
    let mut secondary = fetch(&other, &sargs)
        .await
        .map_err(|e| super::secondary_missing(e, &region, &stack_name))?;
    // The secondary's network is checked now, not after the primary's change set is made.
    preflight::locate_network(other.ec2(), &region, &secondary.settings)
        .await
        .map_err(|e| super::said_of_the_secondary(e, &region))?;
    if primary.account != secondary.account {
        return Err(Error::failed(format!(
            "the credentials reach account {} in {} but {} in {region}: a pair's buses must be in one account",
            primary.account,
            ctx.region(),
            secondary.account
        ))
        .hint("use one profile for both Regions"));
    }
    let account = primary.account.clone();
    if args.relay.secret_id.is_none() {
        // One key for both relays (the endpoint behind them is one service); typed once.
        let source = args.secret_source();
        let keeps =
            keeps_secret(primary.existing.as_ref()) && keeps_secret(secondary.existing.as_ref());
        if secret::asks(&source, keeps) {
            ctx.printer.note(&format!(
                "Stack {stack_name} in account {account}, {} and {region}, needs the endpoint's API key (one key for both relays).",
                ctx.region()
            ));
        }
        let choice = secret::read(&source, keeps)?;
        primary.secret.clone_from(&choice);
        secondary.secret = choice;
    }
    let endpoint_stack = owned(ctx, &names.endpoint_stack).await?;
    let archive_stack = owned(&other, &names.archive_stack).await?;
    let pair = PairSettings::resolve(
        &args.pair,
        params_of(endpoint_stack.as_ref()),
        params_of(archive_stack.as_ref()),
    );
    let endpoint = SmallStack::endpoint(&names, ctx.region(), &pair, endpoint_stack);
    let archive = SmallStack::archive(&names, &region, &pair, archive_stack);
    stacks::refuse_busy(&endpoint)?;
    stacks::refuse_busy(&archive)?;

    let Some(primary) = settle(ctx, &args, primary).await? else {
        return Ok(());
    };
    let Some(secondary) = settle(&other, &sargs, secondary).await? else {
        return Ok(());
    };
    let (input_p, input_s) = (primary.input, secondary.input);
    let mut remembered = primary.remembered;
    remembered.secondary_region = Some(region.clone());
    remembered.replication = Some(if pair.replication { "on" } else { "off" }.into());
    remembered.archive_retention = Some(pair.archive_retention);

    let run_name = changeset::change_set_name();
    let (mut debris_p, mut debris_s) = (Debris::new(&run_name), Debris::new(&run_name));
    let mut pair_plan = PairPlan::new(
        &stack_name,
        endpoint.plan(),
        archive.plan(),
        pair.replication,
        pair.archive_retention,
    );
    pair_plan.dry_run = args.dry_run;
    let prepared = guard::interruptible(async {
        let planned_p = plan::plan(ctx, &args, input_p, &mut debris_p).await?;
        let planned_s = plan::plan(&other, &sargs, input_s, &mut debris_s)
            .await
            .map_err(|e| super::said_of_the_secondary(e, &region))?;
        steps::show(ctx, &pair_plan)?;
        if args.dry_run {
            ctx.printer
                .note("Dry run: nothing changed in either Region.");
            return Ok(None);
        }
        let question = question(
            &stack_name,
            &account,
            [&planned_p, &planned_s],
            &endpoint,
            &archive,
        );
        if !confirm(ctx.globals.yes, question).await? {
            return Err(Error::cancelled_with(
                "deploy cancelled; nothing changed in either Region",
            ));
        }
        let next_p = next(ctx, planned_p, &mut debris_p).await?;
        let next_s = next(&other, planned_s, &mut debris_s).await?;
        Ok(Some((next_p, next_s)))
    })
    .await;
    let (next_p, next_s) = match prepared {
        Ok(Some(both)) => both,
        Ok(None) => return Ok(()),
        Err(e) => {
            let mut removed = in_region(guard::clean_up(ctx, &mut debris_p).await, ctx.region());
            let s = in_region(guard::clean_up(&other, &mut debris_s).await, &region);
            removed.removed.extend(s.removed);
            removed.left.extend(s.left);
            return Err(guard::with_cleanup(e, &removed));
        }
    };

    // The primary first: the endpoint's home. A failure there leaves the secondary untouched.
    let done_p = match execute(ctx, next_p, &mut debris_p, &account).await {
        Ok(done) => done,
        Err(e) => {
            if debris_p.executed {
                steps::remember(ctx, &remembered);
            }
            let removed = in_region(guard::clean_up(&other, &mut debris_s).await, &region);
            return Err(guard::with_cleanup(e, &removed));
        }
    };
    steps::remember(ctx, &remembered);
    let executed_s = execute(&other, next_s, &mut debris_s, &account).await;
    if executed_s.is_ok() || debris_s.executed {
        steps::remember(&other, &secondary.remembered);
    }
    let done_s = executed_s.map_err(|e| rerun_hint(e, &stack_name))?;

    // Both buses exist now: the endpoint may name them.
    stacks::deploy(ctx, &endpoint, &args, &stack_name)
        .await
        .map_err(|e| rerun_hint(e, &stack_name))?;
    stacks::deploy(&other, &archive, &args, &stack_name)
        .await
        .map_err(|e| rerun_hint(e, &stack_name))?;

    let result = PairResult {
        primary: steps::result(ctx, done_p, &account).await?,
        secondary: steps::result(&other, done_s, &account).await?,
        global_endpoint: stacks::global_endpoint(ctx, &other, &names, &pair).await?,
    };
    steps::show(ctx, &result)
}

/// The one question, naming what changes in each Region.
fn question(
    stack: &str,
    account: &str,
    planned: [&Planned; 2],
    endpoint: &SmallStack,
    archive: &SmallStack,
) -> String {
    let relays: Vec<String> = planned
        .iter()
        .map(|p| match p {
            Planned::Confirm(pending) => pending.summary.clone(),
            Planned::UpToDate(_) | Planned::Over => String::new(),
        })
        .filter(|s| !s.is_empty())
        .collect();
    let relays = if relays.is_empty() {
        "both relays are up to date".to_string()
    } else {
        format!("relay {}", relays.join(" and "))
    };
    format!(
        "Deploy relay pair {stack} in account {account}: {relays}, then stacks {} ({}) and {} ({})?",
        endpoint.name, endpoint.region, archive.name, archive.region
    )
}

/// After the yes: one Region's change made ready (its VPC endpoints, …), or nothing to do.
async fn next(ctx: &Context, planned: Planned, debris: &mut Debris) -> Result<Next> {
    match planned {
        Planned::Confirm(pending) => plan::ready(ctx, pending, debris).await.map(Next::Execute),
        Planned::UpToDate(done) => Ok(Next::Done(done)),
        // A dry run or a kept change set ends before the question.
        Planned::Over => Err(Error::failed("nothing to deploy after the plan")),
    }
}

async fn execute(ctx: &Context, next: Next, debris: &mut Debris, account: &str) -> Result<Done> {
    match next {
        Next::Execute(ready) => apply::execute(ctx, ready, debris, account).await,
        Next::Done(done) => Ok(done),
    }
}

/// The stack, which must be evrelay's when it exists.
async fn owned(ctx: &Context, name: &str) -> Result<Option<StackInfo>> {
    let cfn = ctx.cloudformation();
    let Some(s) = describe_stack(cfn, name).await? else {
        return Ok(None);
    };
    match ownership::owner_of(cfn, &s).await? {
        StackOwner::Evrelay => Ok(Some(s)),
        owner => Err(ownership::refusal(name, owner, "deploy")),
    }
}

fn params_of(s: Option<&StackInfo>) -> &[(String, String)] {
    s.map(|s| s.parameters.as_slice()).unwrap_or(&[])
}

/// A clean-up's lines, each naming its Region: both Regions hold the same names.
fn in_region(cleanup: Cleanup, region: &str) -> Cleanup {
    let tag = |v: Vec<String>| v.into_iter().map(|s| format!("{s} in {region}")).collect();
    Cleanup {
        removed: tag(cleanup.removed),
        left: tag(cleanup.left),
    }
}

/// After a relay executed, what is deployed stays: the same command completes the pair.
fn rerun_hint(e: Error, stack: &str) -> Error {
    if e.is_cancelled() {
        return e;
    }
    let hint = e.hint.clone().map(|h| format!("{h}; ")).unwrap_or_default();
    e.hint(format!(
        "{hint}what is deployed is kept: `evrelay --stack {stack} deploy` completes the pair (the config file remembers it)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clean_up_names_the_region_of_each_thing() {
        let c = in_region(
            Cleanup {
                removed: vec!["change set evrelay-1".into()],
                left: vec!["x".into()],
            },
            "us-west-2",
        );
        assert_eq!(c.removed, ["change set evrelay-1 in us-west-2"]);
        assert_eq!(c.left, ["x in us-west-2"]);
    }

    #[test]
    fn a_failure_after_a_relay_executed_says_a_rerun_completes_the_pair() {
        let e = rerun_hint(Error::failed("boom").hint("look"), "orders");
        assert!(e
            .hint
            .as_deref()
            .unwrap()
            .starts_with("look; what is deployed is kept"));
        let cancelled = rerun_hint(Error::cancelled_with("stopped"), "orders");
        assert!(cancelled.hint.is_none());
    }
}
