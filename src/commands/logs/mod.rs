//! `evrelay logs`: the relay's and the bus's log groups, interleaved by time.
//!
//! History comes from FilterLogEvents on both groups at once, merged by timestamp; `--follow`
//! then streams ([`follow`]). Lines are printed by [`print`].

mod follow;
mod print;

use std::collections::HashSet;

use clap::{Args, ValueEnum};

use crate::aws::logs as cwl;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::model::log_line::{LogLine, Origin};
use crate::model::text::{format_epoch_ms, now_ms};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogSource {
    Relay,
    Events,
    All,
}

#[derive(Debug, Clone, Args)]
pub struct LogsArgs {
    /// Start from this long ago (10m, 2h, 1d) or from an RFC 3339 timestamp.
    #[arg(long, value_name = "WHEN", default_value = "10m")]
    pub since: String,

    /// A CloudWatch Logs filter pattern.
    #[arg(long, value_name = "PATTERN")]
    pub filter: Option<String>,

    /// Stop at this long ago (5m) or at an RFC 3339 timestamp [default: now].
    #[arg(long, value_name = "WHEN", conflicts_with = "follow")]
    pub until: Option<String>,

    /// Keep printing new lines as they arrive.
    #[arg(short, long)]
    pub follow: bool,

    /// Which log group to read.
    #[arg(long, value_enum, default_value_t = LogSource::All)]
    pub source: LogSource,
}

pub async fn run(ctx: &Context, args: LogsArgs) -> Result<()> {
    let now = now_ms();
    let start = parse_since(&args.since, now).map_err(|e| {
        Error::usage(format!("--since {e}"))
            .hint("use a duration such as 10m, 2h, 1d, or a time such as 2026-11-24T08:00:00Z")
    })?;
    let end = match &args.until {
        None => None,
        Some(until) => Some(parse_since(until, now).map_err(|e| {
            Error::usage(format!("--until {e}"))
                .hint("use a duration such as 5m, 1h30m, or a time such as 2026-11-24T09:00:00Z")
        })?),
    };
    if let Some(end) = end.filter(|end| *end < start) {
        return Err(Error::usage(format!(
            "--until {} is before --since {}",
            args.until.as_deref().unwrap_or_default(),
            args.since
        ))
        .hint(format!(
            "the window would be empty ({} ms long); give --since an earlier time",
            end - start
        )));
    }
    // Listening for Ctrl-C before the first line is printed: a script (or a test) that sees
    // output may interrupt at once and gets a normal exit, never the default SIGINT death.
    let interrupted = follow::Interrupt::listen(args.follow)?;
    crate::stack::ownership::note_if_foreign(ctx).await;
    let groups = groups(ctx, args.source);
    let pattern = args.filter.as_deref();
    let history = fetch_all(ctx.logs(), &groups, start, end, pattern).await?;
    // No group at all: a mistyped or never-deployed stack is an error (exit 1, as status, send
    // and dlq), not an empty listing. A gone stack whose log group is still there is readable.
    if history.missing.len() == groups.len()
        && crate::stack::describe_stack(ctx.cloudformation(), &ctx.names.stack)
            .await
            .is_ok_and(|s| s.is_none())
    {
        return Err(crate::stack::missing::not_found(ctx).await);
    }
    for (origin, group) in &groups {
        if history.missing.contains(origin) {
            ctx.printer.note(&missing_note(group));
        }
    }
    for line in &history.lines {
        print::line(ctx, line)?;
    }
    if !args.follow && history.lines.is_empty() && history.missing.len() < groups.len() {
        ctx.printer
            .note(&empty_window(start, end.unwrap_or(now), pattern));
    }
    if !args.follow {
        return Ok(());
    }
    let mut tail = follow::Tail::new(start, history.missing);
    for line in &history.lines {
        tail.remember(line);
    }
    tokio::select! {
        result = follow::follow(ctx, &groups, pattern, &mut tail) => result,
        // Ctrl-C is how a follow ends: a normal exit.
        _ = interrupted.wait() => Ok(()),
    }
}

fn groups(ctx: &Context, source: LogSource) -> Vec<(Origin, String)> {
    let relay = (Origin::Relay, ctx.names.relay_log_group.clone());
    let events = (Origin::Events, ctx.names.events_log_group.clone());
    match source {
        LogSource::Relay => vec![relay],
        LogSource::Events => vec![events],
        LogSource::All => vec![relay, events],
    }
}

fn missing_note(group: &str) -> String {
    format!("note: log group `{group}` does not exist yet (it appears once the relay has run or the bus has logged an event)")
}

/// Said instead of printing nothing: an empty window is an answer, not a hang or a failure.
fn empty_window(start: i64, end: i64, pattern: Option<&str>) -> String {
    let matching = pattern
        .map(|p| format!(" matching `{p}`"))
        .unwrap_or_default();
    format!(
        "no log events{matching} between {} and {}",
        format_epoch_ms(start),
        format_epoch_ms(end)
    )
}

/// `10m`-style durations back from `now`, or an RFC 3339 time; epoch milliseconds.
fn parse_since(s: &str, now: i64) -> std::result::Result<i64, String> {
    crate::commands::parse_time(s, now)
}

struct Fetched {
    /// Sorted by time.
    lines: Vec<LogLine>,
    /// Groups that do not exist.
    missing: HashSet<Origin>,
}

/// Each group from its own start, all at once, merged by time (stable: same-millisecond lines
/// keep each group's order).
async fn fetch_from(
    client: &aws_sdk_cloudwatchlogs::Client,
    groups: &[(Origin, String, i64)],
    end: Option<i64>,
    pattern: Option<&str>,
) -> std::result::Result<Fetched, cwl::ReadError> {
    let calls = groups.iter().map(|(origin, group, start)| {
        cwl::filter_events_until(client, group, *origin, *start, end, pattern)
    });
    let results = futures::future::try_join_all(calls).await?;
    let mut fetched = Fetched {
        lines: Vec::new(),
        missing: HashSet::new(),
    };
    for ((origin, _, _), result) in groups.iter().zip(results) {
        match result {
            Some(lines) => fetched.lines.extend(lines),
            None => {
                fetched.missing.insert(*origin);
            }
        }
    }
    fetched.lines.sort_by_key(|l| l.timestamp);
    Ok(fetched)
}

async fn fetch_all(
    client: &aws_sdk_cloudwatchlogs::Client,
    groups: &[(Origin, String)],
    start: i64,
    end: Option<i64>,
    pattern: Option<&str>,
) -> Result<Fetched> {
    let from: Vec<_> = groups.iter().map(|(o, g)| (*o, g.clone(), start)).collect();
    Ok(fetch_from(client, &from, end, pattern).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_window_names_its_bounds_and_the_pattern() {
        let text = empty_window(1_795_507_200_000, 1_795_507_800_000, None);
        assert_eq!(
            text,
            format!(
                "no log events between {} and {}",
                format_epoch_ms(1_795_507_200_000),
                format_epoch_ms(1_795_507_800_000)
            )
        );
        assert!(empty_window(0, 1, Some("ERROR"))
            .starts_with("no log events matching `ERROR` between "));
    }

    #[test]
    fn since_takes_durations_and_rfc3339() {
        assert_eq!(parse_since("10m", 1_000_000), Ok(400_000));
        assert_eq!(
            parse_since("2026-11-24T08:00:00Z", 0),
            Ok(1_795_507_200_000)
        );
        assert_eq!(
            parse_since("2026-11-24T09:00:00.5+01:00", 0),
            Ok(1_795_507_200_500)
        );
        assert!(parse_since("yesterday", 0).is_err());
    }
}
