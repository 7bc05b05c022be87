//! `evrelay replay --from TIME [--to TIME]`: replay a relay pair's secondary archive to the
//! secondary's bus, the failback step of eb-global-endpoints.html (events the secondary
//! received while the endpoint had failed over, or by replication, go through its rules and
//! relay again). StartReplay allows no other bus ("Cross event bus replay is not permitted",
//! API_StartReplay.html), so there is nothing to choose.
//!
//! Bad windows are refused before anything starts (exit 2): the clock first, then the archive's
//! retention and creation. The replay is AWS's job once started: Ctrl-C and the timeout stop
//! the watching, not the replay (a replay cut short leaves a window half re-delivered, which is
//! harder to reason about than a whole one; `--cancel NAME` stops it on purpose).

use std::time::{Duration, Instant};

use clap::Args;

use crate::aws::global_endpoint;
use crate::aws::replay::{self as aws_replay, Archive, Replay};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::model::text::{format_epoch_ms, now_ms};
use crate::names::GlobalNames;
use crate::stack::{ownership, render::duration};
use crate::terminal::confirm;

mod report;
mod window;

use report::{CancelReport, ReplayReport};

#[derive(Debug, Clone, Args)]
pub struct ReplayArgs {
    /// Replay events whose time is at or after this: a duration back from now (2h, 90m, 1d)
    /// or an RFC 3339 time (2026-12-04T08:00:00Z).
    #[arg(long, value_name = "TIME", required_unless_present = "cancel")]
    pub from: Option<String>,

    /// Replay events whose time is before this, in the same forms [default: now].
    #[arg(long, value_name = "TIME", requires = "from")]
    pub to: Option<String>,

    /// Cancel a replay evrelay started for this stack (its name is in replay's output).
    #[arg(long, value_name = "NAME", conflicts_with_all = ["from", "to"])]
    pub cancel: Option<String>,

    /// How long to watch the replay, e.g. 30m, 2h (it goes on in AWS after that).
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = crate::commands::parse_duration)]
    pub timeout: Duration,
}

/// How often DescribeReplay is read while watching.
const POLL: Duration = Duration::from_secs(2);

pub async fn run(ctx: &Context, args: ReplayArgs) -> Result<()> {
    if let Some(name) = &args.cancel {
        return cancel(ctx, name).await;
    }
    let now = now_ms();
    let from_given = args.from.clone().unwrap_or_default();
    let to_given = args.to.clone().unwrap_or_else(|| "now".to_string());
    let from = crate::commands::parse_time(&from_given, now).map_err(|e| {
        Error::usage(format!("--from {e}")).hint("e.g. --from 2h, or --from 2026-12-04T08:00:00Z")
    })?;
    let to = match &args.to {
        Some(t) => crate::commands::parse_time(t, now).map_err(|e| {
            Error::usage(format!("--to {e}")).hint("e.g. --to 30m, or leave it out: now")
        })?,
        None => now,
    };
    window::check_clock(from, to, now, (&from_given, &to_given))?;
    if !ctx.globals.yes && !crate::terminal::can_ask() {
        return Err(Error::usage(
            "replay delivers events again and asks first, and there is no terminal to ask on; nothing was replayed",
        )
        .hint("pass --yes to replay without asking"));
    }
    let (west, archive) = secondary_archive(ctx).await?;
    window::check_archive(from, now, &from_given, &archive)?;

    let name = window::replay_name(&ctx.names.stack, now);
    let bus = archive
        .source_arn
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    ctx.printer.note(&format!(
        "Replay {name}: the events archive {} holds ({} in all) with times from {} to {} go to {}'s bus {bus} again: its rules and relay deliver them a second time.\nConsumers must be idempotent (the relay sends each event's id as its idempotency key).",
        archive.name,
        archive.event_count,
        format_epoch_ms(from),
        format_epoch_ms(to),
        west.region(),
    ));
    if !confirm(ctx.globals.yes, format!("Start replay {name}?")).await? {
        return Err(Error::cancelled_with(
            "replay cancelled; nothing was replayed",
        ));
    }
    let description = format!("evrelay replay of {} for failback", ctx.names.stack);
    aws_replay::start_replay(west.events(), &name, &archive, from, to, &description).await?;
    let started = Instant::now();
    let replay = watch(ctx, &west, &name, from, to, args.timeout).await?;
    ctx.printer.report(&ReplayReport {
        kind: "result",
        stack: ctx.names.stack.clone(),
        replay: name,
        region: west.region().to_string(),
        archive: archive.name,
        bus,
        from: format_epoch_ms(from),
        to: format_epoch_ms(to),
        state: replay.state.clone(),
        state_reason: replay.state_reason.clone(),
        elapsed_ms: started.elapsed().as_millis(),
    })?;
    if replay.state == "COMPLETED" {
        Ok(())
    } else {
        Err(Error::failed(format!(
            "replay {} ended {}{}",
            replay.name,
            replay.state,
            if replay.state_reason.is_empty() {
                String::new()
            } else {
                format!(": {}", replay.state_reason)
            }
        ))
        .hint("events replayed before it ended stay delivered; start another replay for the rest of the window"))
    }
}

/// The pair's secondary Region (from the endpoint here, the primary) and the archive its
/// archive stack made there (the stack must be evrelay's).
async fn secondary_archive(ctx: &Context) -> Result<(Context, Archive)> {
    let stack = &ctx.names.stack;
    let names = GlobalNames::new(stack);
    let Some(endpoint) = global_endpoint::describe(ctx.events(), &names.endpoint).await? else {
        return Err(Error::failed(format!(
            "no global endpoint `{}` in {}: `{stack}` is not a relay pair whose primary is here",
            names.endpoint,
            ctx.region()
        ))
        .hint(format!(
            "run replay in the pair's primary Region (--region), or make the pair with `evrelay --stack {stack} deploy --secondary-region REGION`"
        )));
    };
    let west = ctx.in_region(&endpoint.secondary_region).await?;
    let missing = || {
        Error::failed(format!(
            "no archive stack `{}` in {}: the pair `{stack}` has no archive to replay",
            names.archive_stack,
            west.region()
        ))
        .hint(format!(
            "`evrelay --stack {stack} deploy --secondary-region {}` makes it",
            west.region()
        ))
    };
    let Some(archive_stack) =
        ownership::require_owned(west.cloudformation(), &names.archive_stack, "replay").await?
    else {
        return Err(missing());
    };
    let archive_name =
        crate::stack::physical_id(west.cloudformation(), &archive_stack.id, "Archive")
            .await?
            .ok_or_else(missing)?;
    let archive = aws_replay::describe_archive(west.events(), &archive_name)
        .await?
        .ok_or_else(missing)?;
    Ok((west, archive))
}

/// DescribeReplay until the replay ends, with a bar over the window; the timeout and Ctrl-C
/// leave it running in AWS and say how to cancel it.
async fn watch(
    ctx: &Context,
    west: &Context,
    name: &str,
    from: i64,
    to: i64,
    timeout: Duration,
) -> Result<Replay> {
    let stack = &ctx.names.stack;
    let goes_on = |what: String| {
        Error::cancelled_with(format!("{what}; replay {name} goes on in {}", west.region()))
            .hint(format!(
                "`evrelay --stack {stack} replay --cancel {name}` stops it (events replayed so far stay delivered)"
            ))
    };
    // Listening before the line: once it is printed, Ctrl-C is handled (a test waits on it).
    let interrupted = crate::interrupt::listen();
    let bar = ctx.printer.progress(1000, &format!("Replaying {name}"));
    if !ctx.printer.interactive {
        ctx.printer.note(&format!(
            "Replaying {name} in {}; Ctrl-C stops watching, not the replay.",
            west.region()
        ));
    }
    let started = Instant::now();
    let poll = async {
        loop {
            let Some(replay) = aws_replay::describe_replay(west.events(), name).await? else {
                return Err(Error::failed(format!(
                    "replay {name} is not found in {} after StartReplay",
                    west.region()
                )));
            };
            bar.set_position(window::per_mille(from, to, replay.last_replayed_ms));
            bar.set_message(format!("Replaying {name}: {}", replay.state));
            if replay.is_over() {
                return Ok(replay);
            }
            if started.elapsed() >= timeout {
                return Err(Error::failed(format!(
                    "replay {name} is still {} after {}; it goes on in {}",
                    replay.state,
                    duration(timeout),
                    west.region()
                ))
                .hint(format!(
                    "`evrelay --stack {stack} replay --cancel {name}` stops it; a longer --timeout waits longer"
                )));
            }
            tokio::time::sleep(POLL).await;
        }
    };
    let result = tokio::select! {
        r = poll => r,
        _ = interrupted => Err(goes_on("stopped watching (Ctrl-C)".to_string())),
    };
    bar.finish_and_clear();
    result
}

/// `--cancel NAME`: only a replay of this pair's archive that replay named for this stack.
async fn cancel(ctx: &Context, name: &str) -> Result<()> {
    let stack = &ctx.names.stack;
    if !window::is_stacks(name, stack) {
        return Err(Error::usage(format!(
            "`{name}` is not a replay evrelay started for stack `{stack}` (those are named {stack}-YYYYMMDDTHHMMSS); nothing was cancelled"
        ))
        .hint("pass the name replay printed, with the same --stack"));
    }
    let (west, archive) = secondary_archive(ctx).await?;
    let Some(replay) = aws_replay::describe_replay(west.events(), name).await? else {
        return Err(Error::failed(format!(
            "no replay `{name}` in {}; nothing was cancelled",
            west.region()
        ))
        .hint("replays are listed in the EventBridge console (Archives → Replays)"));
    };
    if replay.source_arn != archive.arn {
        return Err(Error::failed(format!(
            "replay `{name}` replays {}, not the pair's archive {}; nothing was cancelled",
            replay.source_arn, archive.name
        )));
    }
    let state = if replay.is_over() {
        replay.state.clone()
    } else {
        aws_replay::cancel_replay(west.events(), name).await?
    };
    ctx.printer.report(&CancelReport {
        kind: "result",
        stack: stack.clone(),
        replay: name.to_string(),
        region: west.region().to_string(),
        was: replay.state,
        state,
    })
}
