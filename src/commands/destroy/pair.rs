//! `destroy` of a relay pair: the endpoint stack first (primary: the global endpoint, its health
//! check, alarm and replication role), so the endpoint never routes to a bus that is gone; then
//! the archive stack (secondary), the secondary's relay and the primary's relay, each relay
//! exactly as a single-Region destroy deletes it. One plan, one question.
//!
//! A rerun finishes a pair destroyed half-way: with the endpoint stack gone, its secondary
//! Region is read from the deleted stack (ListStacks keeps 90 days), and whatever of the pair is
//! left there (archive stack, relay) is still destroyed as the pair's.

use std::time::Instant;

use super::pair_report::{PairDestroyReport, SmallStack};
use super::{plan, prepare, DestroyArgs, Prepared};
use crate::aws::replay::{self as aws_replay, Archive};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::names::GlobalNames;
use crate::stack::{self, ownership, StackInfo};
use crate::terminal::confirm;

/// What is left of a relay pair whose primary is `ctx`'s Region.
pub(super) struct Pair {
    secondary: Context,
    endpoint_stack: Option<StackInfo>,
    archive_stack: Option<StackInfo>,
    archive: Option<Archive>,
}

/// The pair, when the endpoint stack is here, or was deleted and the pair's secondary still has
/// its archive stack or its relay; `None` for a single-Region relay.
pub(super) async fn find(ctx: &Context) -> Result<Option<Pair>> {
    let stack = &ctx.names.stack;
    let names = GlobalNames::new(stack);
    let cfn = ctx.cloudformation();
    let endpoint_stack = evrelays(ctx, &names.endpoint_stack).await?;
    let secondary_region = match &endpoint_stack {
        Some(s) => secondary_of(s),
        None => match crate::aws::stacks::last_deleted_id(cfn, &names.endpoint_stack).await? {
            Some(id) => stack::describe_stack(cfn, &id)
                .await?
                .filter(is_tagged_evrelays)
                .and_then(|s| secondary_of(&s)),
            None => None,
        },
    };
    let Some(region) = secondary_region else {
        return Ok(None);
    };
    let secondary = ctx.in_region(&region).await?;
    let west = secondary.cloudformation();
    let archive_stack = evrelays(&secondary, &names.archive_stack).await?;
    if endpoint_stack.is_none()
        && archive_stack.is_none()
        && stack::describe_stack(west, stack).await?.is_none()
    {
        // The pair's secondary is gone already: what is left is one relay.
        return Ok(None);
    }
    let mut archive = None;
    if let Some(s) = &archive_stack {
        let name = stack::physical_id(west, &s.id, "Archive")
            .await
            .unwrap_or_default();
        if let Some(name) = name {
            archive = aws_replay::describe_archive(secondary.events(), &name).await?;
        }
    }
    Ok(Some(Pair {
        secondary,
        endpoint_stack,
        archive_stack,
        archive,
    }))
}

/// The stack, when it exists and evrelay made it. A stack of the name that someone else made
/// is left alone (said in a note): `<stack>-endpoint` may well be another team's, and must
/// neither be deleted nor stop the relay's own destroy.
async fn evrelays(ctx: &Context, name: &str) -> Result<Option<StackInfo>> {
    let cfn = ctx.cloudformation();
    let Some(info) = stack::describe_stack(cfn, name).await? else {
        return Ok(None);
    };
    if ownership::owner_of(cfn, &info).await? == ownership::StackOwner::Evrelay {
        return Ok(Some(info));
    }
    ctx.printer.note(&format!(
        "Stack {name} in {} is not one evrelay made: destroy leaves it alone.",
        ctx.region()
    ));
    Ok(None)
}

/// Here is the pair's secondary (its archive stack, and no endpoint stack of the pair): its
/// relay alone is not destroyed, or the global endpoint would fail over to a bus that is gone.
pub(super) async fn refuse_if_secondary(ctx: &Context) -> Result<()> {
    let stack = &ctx.names.stack;
    let archive = GlobalNames::new(stack).archive_stack;
    if evrelays(ctx, &archive).await?.is_none() {
        return Ok(());
    }
    let here = ctx.region();
    let primary = ctx.config.file.primary_of(stack, here);
    Err(secondary_refusal(stack, here, &archive, primary.as_deref()))
}

fn secondary_refusal(stack: &str, region: &str, archive: &str, primary: Option<&str>) -> Error {
    let primary = primary.unwrap_or("PRIMARY");
    Error::failed(format!(
        "stack `{stack}` in {region} is the secondary of relay pair `{stack}` (stack {archive} is here): destroyed alone, the global endpoint would fail over to a bus that is gone; nothing was deleted"
    ))
    .hint(format!(
        "`evrelay --region {primary} --stack {stack} destroy` destroys the pair in order, from the Region that holds global endpoint `{stack}`; if that Region holds nothing of the pair any more, delete stack {archive} here first (`aws cloudformation delete-stack --stack-name {archive} --region {region}`)"
    ))
}

fn is_tagged_evrelays(s: &StackInfo) -> bool {
    ownership::decide(&ownership::Evidence {
        tags: s.tags.clone(),
        ..Default::default()
    }) == ownership::StackOwner::Evrelay
}

fn secondary_of(s: &StackInfo) -> Option<String> {
    s.parameters
        .iter()
        .find(|(k, _)| k == "SecondaryRegion")
        .map(|(_, v)| v.clone())
        .filter(|v| !v.is_empty())
}

pub(super) async fn destroy(
    ctx: &Context,
    args: &DestroyArgs,
    pair: Pair,
    started: Instant,
) -> Result<()> {
    let stack = ctx.names.stack.clone();
    let names = GlobalNames::new(&stack);
    let west = &pair.secondary;
    let secondary_relay = prepare(west, args).await?;
    let primary_relay = prepare(ctx, args).await?;
    let let_go = plan::let_go(args.delete_failed_events, args.delete_buffered_events);
    for (relay, region) in [
        (&secondary_relay, west.region()),
        (&primary_relay, ctx.region()),
    ] {
        let Some(relay) = relay else { continue };
        if let Some(refused) = plan::refusal(&relay.plan, ctx.globals.yes, &let_go) {
            return Err(naming_the_region(refused, &stack, region));
        }
    }
    ctx.printer
        .note(&plan_lines(ctx, &pair, &names, &secondary_relay, &primary_relay).join("\n"));
    let account = ctx.identity().await?.account.clone();
    let question = format!(
        "Delete relay pair `{stack}` in account {account}, {} and {}{}?",
        ctx.region(),
        west.region(),
        held_words(&pair, &secondary_relay, &primary_relay)
    );
    if !confirm(ctx.globals.yes, question).await? {
        return Err(Error::cancelled_with(
            "destroy cancelled; nothing was deleted",
        ));
    }

    let endpoint_status = match &pair.endpoint_stack {
        Some(s) => {
            Some(super::delete::pair_stack(ctx, s, crate::template::ENDPOINT_TEMPLATE, args).await?)
        }
        None => None,
    };
    let archive_status = match &pair.archive_stack {
        Some(s) => {
            Some(super::delete::pair_stack(west, s, crate::template::ARCHIVE_TEMPLATE, args).await?)
        }
        None => None,
    };
    let secondary = match secondary_relay {
        Some(relay) => Some(super::execute(west, args, relay, started).await?),
        None => None,
    };
    let primary = match primary_relay {
        Some(relay) => Some(super::execute(ctx, args, relay, started).await?),
        None => None,
    };
    ctx.printer.report(&PairDestroyReport {
        kind: "result",
        stack: stack.clone(),
        account,
        primary_region: ctx.region().to_string(),
        secondary_region: west.region().to_string(),
        endpoint_stack: SmallStack {
            stack: names.endpoint_stack,
            region: ctx.region().to_string(),
            status: endpoint_status.unwrap_or_else(|| "not found".into()),
        },
        archive_stack: SmallStack {
            stack: names.archive_stack,
            region: west.region().to_string(),
            status: archive_status.unwrap_or_else(|| "not found".into()),
        },
        archived_events_deleted: pair
            .archive
            .as_ref()
            .map_or(0, |a| a.event_count.max(0) as u64),
        secondary,
        primary,
        elapsed_ms: started.elapsed().as_millis(),
    })
}

/// The plan, in the order things go.
fn plan_lines(
    ctx: &Context,
    pair: &Pair,
    names: &GlobalNames,
    secondary: &Option<Prepared>,
    primary: &Option<Prepared>,
) -> Vec<String> {
    let west = pair.secondary.region();
    let mut lines = vec![format!(
        "Destroy relay pair `{}` ({} and {}), in this order, so the global endpoint never routes to a bus that is gone:",
        ctx.names.stack,
        ctx.region(),
        west
    )];
    lines.push(match &pair.endpoint_stack {
        Some(s) => format!(
            "1. Stack {} in {} ({}): global endpoint {}, its Route 53 health check, the alarm {} and the replication role, if any.",
            s.name,
            ctx.region(),
            s.status,
            names.endpoint,
            names.latency_alarm
        ),
        None => format!(
            "1. Stack {} in {}: already deleted.",
            names.endpoint_stack,
            ctx.region()
        ),
    });
    lines.push(match (&pair.archive_stack, &pair.archive) {
        (Some(s), Some(a)) => format!(
            "2. Stack {} in {west}: archive {} with {} ({} bytes); they are deleted with it and cannot be replayed afterwards.",
            s.name,
            a.name,
            events(a.event_count),
            a.size_bytes
        ),
        (Some(s), None) => format!("2. Stack {} in {west} ({}): its archive is gone.", s.name, s.status),
        (None, _) => format!("2. Stack {} in {west}: already deleted.", names.archive_stack),
    });
    for (n, region, relay) in [(3, west, secondary), (4, ctx.region(), primary)] {
        match relay {
            Some(r) => {
                lines.push(format!("{n}. The relay in {region}:"));
                lines.extend(r.plan.lines().iter().map(|l| format!("   {l}")));
            }
            None => lines.push(format!("{n}. The relay in {region}: already deleted.")),
        }
    }
    lines
}

/// A single-Region refusal said of one relay of the pair: both relays share the stack's name, so
/// the message names the Region, and the commands that keep the events run there.
fn naming_the_region(e: Error, stack: &str, region: &str) -> Error {
    let message = e.message.replacen(
        &format!("stack `{stack}`:"),
        &format!("stack `{stack}` in {region}:"),
        1,
    );
    let hint = e.hint.as_ref().map(|h| {
        h.replace(
            &format!("`evrelay --stack {stack} "),
            &format!("`evrelay --region {region} --stack {stack} "),
        )
    });
    Error { message, hint, ..e }
}

fn events(n: i64) -> String {
    match n {
        1 => "1 event".to_string(),
        n => format!("{n} events"),
    }
}

/// ", 12 archived events and 3 failed events included" for the question.
fn held_words(pair: &Pair, secondary: &Option<Prepared>, primary: &Option<Prepared>) -> String {
    let mut held = Vec::new();
    if let Some(a) = pair.archive.as_ref().filter(|a| a.event_count > 0) {
        held.push(format!("{} archived", events(a.event_count)));
    }
    for kind in [plan::HeldKind::Failed, plan::HeldKind::Buffered] {
        let n: u64 = [secondary, primary]
            .into_iter()
            .flatten()
            .map(|r| r.plan.held_count(kind))
            .sum();
        if n > 0 {
            held.push(kind.count(n));
        }
    }
    if held.is_empty() {
        String::new()
    } else {
        format!(", {} included", held.join(" and "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secondary_alone_is_refused_pointing_at_the_primary() {
        let e = secondary_refusal("gone", "us-west-2", "gone-archive", Some("us-east-1"));
        assert_eq!(e.exit_code(), 1);
        assert!(e.message.starts_with(
            "stack `gone` in us-west-2 is the secondary of relay pair `gone` (stack gone-archive is here)"
        ));
        assert!(e.message.ends_with("nothing was deleted"));
        assert!(e
            .hint
            .as_deref()
            .unwrap()
            .starts_with("`evrelay --region us-east-1 --stack gone destroy` destroys the pair"));
        let e = secondary_refusal("gone", "us-west-2", "gone-archive", None);
        assert!(e.hint.as_deref().unwrap().contains("--region PRIMARY"));
    }

    #[test]
    fn a_refusal_names_the_region_of_the_relay_and_where_to_keep_its_events() {
        let e = Error::failed(
            "refusing to destroy stack `gone`: gone-dlq holds 1 failed event that would be lost; nothing was deleted",
        )
        .hint("to keep them, drain them to a file first: `evrelay --stack gone dlq drain --out FILE`, then destroy again");
        let e = naming_the_region(e, "gone", "us-west-2");
        assert!(
            e.message
                .starts_with("refusing to destroy stack `gone` in us-west-2: gone-dlq holds"),
            "{}",
            e.message
        );
        assert!(e
            .hint
            .as_deref()
            .unwrap()
            .contains("`evrelay --region us-west-2 --stack gone dlq drain --out FILE`"));
        assert_eq!(e.exit_code(), 1);
    }
}
