//! `evrelay logs`: the relay's and the bus's log groups, interleaved by time.
//!
//! History comes from FilterLogEvents on both groups at once, merged by timestamp. `--follow`
//! then streams with StartLiveTail; where that is not available (or a session ends at once), it
//! polls FilterLogEvents every second, backing off when throttled, skipping events already shown.

use std::collections::HashSet;
use std::time::Duration;

use aws_sdk_cloudwatchlogs::types::StartLiveTailResponseStream;
use aws_sdk_cloudwatchlogs::Client;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use clap::{Args, ValueEnum};
use serde::Serialize;
use serde_json::Value;

use crate::context::Context;
use crate::dlq::format_epoch_ms;
use crate::error::{Error, Result};

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

    /// Keep printing new lines as they arrive.
    #[arg(short, long)]
    pub follow: bool,

    /// Which log group to read.
    #[arg(long, value_enum, default_value_t = LogSource::All)]
    pub source: LogSource,
}

/// Which group a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    Relay,
    Events,
}

impl Origin {
    fn label(self) -> &'static str {
        match self {
            Origin::Relay => "relay",
            Origin::Events => "events",
        }
    }
}

/// One log event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    pub timestamp: i64,
    pub origin: Origin,
    pub stream: String,
    pub message: String,
    pub event_id: Option<String>,
}

impl LogLine {
    /// Identifies the event across FilterLogEvents and live-tail results (which carry no id).
    fn content_key(&self) -> (i64, Origin, String, String) {
        (
            self.timestamp,
            self.origin,
            self.stream.clone(),
            self.message.clone(),
        )
    }
}

pub async fn run(ctx: &Context, args: LogsArgs) -> Result<()> {
    let now = now_ms();
    let start = parse_since(&args.since, now).map_err(|e| {
        Error::usage(format!("--since {e}"))
            .hint("use a duration such as 10m, 2h, 1d, or a time such as 2026-11-24T08:00:00Z")
    })?;
    let groups = groups(ctx, args.source);
    let client = ctx.logs();
    let pattern = args.filter.as_deref();
    let history = fetch_all(client, &groups, start, pattern).await?;
    for (origin, group) in &groups {
        if history.missing.contains(origin) {
            ctx.printer.note(&missing_note(group));
        }
    }
    for line in &history.lines {
        print_line(ctx, line)?;
    }
    if !args.follow {
        return Ok(());
    }
    let mut tail = Tail::new(
        history.lines.last().map_or(start, |l| l.timestamp),
        history.missing,
    );
    for line in &history.lines {
        tail.remember(line);
    }
    tokio::select! {
        result = follow(ctx, client, &groups, pattern, &mut tail) => result,
        // Ctrl-C is how a follow ends: a normal exit.
        _ = crate::interrupt::ctrl_c() => Ok(()),
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

pub fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// `10m`-style durations back from `now`, or an RFC 3339 time; epoch milliseconds.
pub fn parse_since(s: &str, now: i64) -> std::result::Result<i64, String> {
    if let Ok(d) = crate::commands::parse_duration(s) {
        return Ok(now - d.as_millis() as i64);
    }
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
        .map_err(|_| format!("`{s}` is neither a duration nor an RFC 3339 time"))
}

// ---------------------------------------------------------------------------------------------
// Fetching

pub struct Fetched {
    /// Sorted by time.
    pub lines: Vec<LogLine>,
    /// Groups that do not exist.
    pub missing: HashSet<Origin>,
}

/// FilterLogEvents on one group from `start`, every page. `None` when the group does not exist.
pub async fn filter_events(
    client: &Client,
    group: &str,
    origin: Origin,
    start: i64,
    pattern: Option<&str>,
) -> Result<Option<Vec<LogLine>>> {
    let mut pages = client
        .filter_log_events()
        .log_group_name(group)
        .start_time(start)
        .set_filter_pattern(pattern.map(str::to_string))
        .into_paginator()
        .send();
    let mut lines = Vec::new();
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(p) => p,
            Err(e) if e.code() == Some("ResourceNotFoundException") => return Ok(None),
            Err(e) => return Err(Error::aws("FilterLogEvents", e)),
        };
        lines.extend(
            page.events
                .unwrap_or_default()
                .into_iter()
                .map(|e| LogLine {
                    timestamp: e.timestamp.unwrap_or_default(),
                    origin,
                    stream: e.log_stream_name.unwrap_or_default(),
                    message: e.message.unwrap_or_default(),
                    event_id: e.event_id,
                }),
        );
    }
    Ok(Some(lines))
}

/// Both groups at once, merged by time (stable: same-millisecond lines keep each group's order).
pub async fn fetch_all(
    client: &Client,
    groups: &[(Origin, String)],
    start: i64,
    pattern: Option<&str>,
) -> Result<Fetched> {
    let calls = groups
        .iter()
        .map(|(origin, group)| filter_events(client, group, *origin, start, pattern));
    let results = futures::future::try_join_all(calls).await?;
    let mut fetched = Fetched {
        lines: Vec::new(),
        missing: HashSet::new(),
    };
    for ((origin, _), result) in groups.iter().zip(results) {
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

// ---------------------------------------------------------------------------------------------
// Printing

#[derive(Serialize)]
struct JsonLine<'a> {
    time: String,
    source: &'static str,
    stream: &'a str,
    message: Value,
}

/// A message that is JSON, compacted onto one line; anything else as it came, trailing
/// whitespace trimmed.
fn message_value(message: &str) -> Value {
    let trimmed = message.trim();
    match serde_json::from_str::<Value>(trimmed) {
        Ok(v @ (Value::Object(_) | Value::Array(_))) => v,
        _ => Value::String(message.trim_end().to_string()),
    }
}

pub fn human_line(line: &LogLine) -> String {
    let message = match message_value(&line.message) {
        Value::String(s) => s,
        v => v.to_string(),
    };
    format!(
        "{}  {:<6}  {message}",
        format_epoch_ms(line.timestamp),
        line.origin.label()
    )
}

fn print_line(ctx: &Context, line: &LogLine) -> Result<()> {
    if ctx.printer.json() {
        ctx.printer.json_line(&JsonLine {
            time: format_epoch_ms(line.timestamp),
            source: line.origin.label(),
            stream: &line.stream,
            message: message_value(&line.message),
        })
    } else {
        ctx.printer.stdout(&human_line(line))
    }
}

// ---------------------------------------------------------------------------------------------
// Following

/// What has been shown, so a line is never printed twice.
struct Tail {
    /// Poll from here (inclusive).
    since: i64,
    seen_ids: HashSet<String>,
    seen_content: HashSet<(i64, Origin, String, String)>,
    /// Groups already reported missing.
    missing_noted: HashSet<Origin>,
}

impl Tail {
    fn new(since: i64, missing_noted: HashSet<Origin>) -> Self {
        Self {
            since,
            seen_ids: HashSet::new(),
            seen_content: HashSet::new(),
            missing_noted,
        }
    }

    fn remember(&mut self, line: &LogLine) {
        if let Some(id) = &line.event_id {
            self.seen_ids.insert(id.clone());
        }
        self.seen_content.insert(line.content_key());
        self.since = self.since.max(line.timestamp);
    }

    /// True when the line is new (and remembers it).
    fn admit(&mut self, line: &LogLine) -> bool {
        let seen = line
            .event_id
            .as_ref()
            .is_some_and(|id| self.seen_ids.contains(id))
            || self.seen_content.contains(&line.content_key());
        if seen {
            return false;
        }
        self.remember(line);
        self.prune();
        true
    }

    /// Polls restart at `since`: older entries can no longer come back.
    fn prune(&mut self) {
        if self.seen_content.len() > 10_000 {
            let since = self.since;
            self.seen_content.retain(|k| k.0 >= since);
            self.seen_ids.clear();
        }
    }
}

/// Sessions that end sooner than this are treated as "live tail does not work here".
const SHORTEST_LIVE_SESSION: Duration = Duration::from_secs(60);

async fn follow(
    ctx: &Context,
    client: &Client,
    groups: &[(Origin, String)],
    pattern: Option<&str>,
    tail: &mut Tail,
) -> Result<()> {
    loop {
        let started = std::time::Instant::now();
        match live_tail(ctx, client, groups, pattern, tail).await {
            Ok(()) if started.elapsed() >= SHORTEST_LIVE_SESSION => continue, // the 3-hour limit: start again
            Ok(()) => ctx
                .printer
                .debug("the live tail session ended at once; polling instead"),
            Err(e) => ctx.printer.debug(&format!(
                "live tail unavailable ({}); polling instead",
                e.message
            )),
        }
        return poll(ctx, client, groups, pattern, tail).await;
    }
}

async fn live_tail(
    ctx: &Context,
    client: &Client,
    groups: &[(Origin, String)],
    pattern: Option<&str>,
    tail: &mut Tail,
) -> Result<()> {
    // StartLiveTail wants log group ARNs.
    let mut arns = Vec::new();
    for (origin, group) in groups {
        match group_arn(client, group).await? {
            Some(arn) => arns.push((*origin, arn)),
            None => return Err(Error::failed(format!("log group `{group}` does not exist"))),
        }
    }
    let no_retry = aws_sdk_cloudwatchlogs::config::Builder::default()
        .retry_config(aws_smithy_types::retry::RetryConfig::disabled());
    let mut out = client
        .start_live_tail()
        .set_log_group_identifiers(Some(arns.iter().map(|(_, a)| a.clone()).collect()))
        .set_log_event_filter_pattern(pattern.map(str::to_string))
        .customize()
        .config_override(no_retry)
        .send()
        .await
        .map_err(|e| Error::failed(format!("StartLiveTail failed: {}", DisplayErrorContext(&e))))?;
    loop {
        let event =
            out.response_stream.recv().await.map_err(|e| {
                Error::failed(format!("live tail stream: {}", DisplayErrorContext(&e)))
            })?;
        let Some(event) = event else { return Ok(()) };
        if let StartLiveTailResponseStream::SessionUpdate(update) = event {
            let mut lines: Vec<LogLine> = update
                .session_results()
                .iter()
                .map(|e| {
                    let id = e.log_group_identifier().unwrap_or_default();
                    let origin = arns
                        .iter()
                        .find(|(_, arn)| {
                            arn == id || arn.ends_with(id) || id.ends_with(arn.as_str())
                        })
                        .map_or(Origin::Relay, |(o, _)| *o);
                    LogLine {
                        timestamp: e.timestamp().unwrap_or_default(),
                        origin,
                        stream: e.log_stream_name().unwrap_or_default().to_string(),
                        message: e.message().unwrap_or_default().to_string(),
                        event_id: None,
                    }
                })
                .collect();
            lines.sort_by_key(|l| l.timestamp);
            for line in lines.iter().filter(|l| tail.admit(l)) {
                print_line(ctx, line)?;
            }
        }
    }
}

/// The group's ARN without the trailing `:*` (what StartLiveTail accepts).
async fn group_arn(client: &Client, group: &str) -> Result<Option<String>> {
    let out = client
        .describe_log_groups()
        .log_group_name_prefix(group)
        .send()
        .await
        .map_err(|e| Error::aws("DescribeLogGroups", e))?;
    Ok(out
        .log_groups
        .unwrap_or_default()
        .into_iter()
        .find(|g| g.log_group_name() == Some(group))
        .and_then(|g| {
            g.log_group_arn
                .or_else(|| g.arn.map(|a| a.trim_end_matches(":*").to_string()))
        }))
}

/// FilterLogEvents every second from the newest line shown; doubling the wait (up to 10 s) when
/// throttled.
async fn poll(
    ctx: &Context,
    client: &Client,
    groups: &[(Origin, String)],
    pattern: Option<&str>,
    tail: &mut Tail,
) -> Result<()> {
    const INTERVAL: Duration = Duration::from_secs(1);
    let mut wait = INTERVAL;
    loop {
        tokio::time::sleep(wait).await;
        let fetched = match fetch_all(client, groups, tail.since, pattern).await {
            Ok(f) => f,
            Err(e) if is_throttling(&e) => {
                wait = (wait * 2).min(Duration::from_secs(10));
                ctx.printer
                    .debug(&format!("throttled; next poll in {} s", wait.as_secs()));
                continue;
            }
            Err(e) => return Err(e),
        };
        wait = INTERVAL;
        for (origin, group) in groups {
            if fetched.missing.contains(origin) && tail.missing_noted.insert(*origin) {
                ctx.printer.note(&missing_note(group));
            }
        }
        for line in fetched.lines.iter().filter(|l| tail.admit(l)) {
            print_line(ctx, line)?;
        }
    }
}

fn is_throttling(e: &Error) -> bool {
    e.message.contains("ThrottlingException") || e.message.contains("Throttling")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(ts: i64, id: Option<&str>, msg: &str) -> LogLine {
        LogLine {
            timestamp: ts,
            origin: Origin::Relay,
            stream: "s".into(),
            message: msg.into(),
            event_id: id.map(Into::into),
        }
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

    #[test]
    fn json_messages_are_compacted_onto_one_line() {
        let l = line(0, None, "{\n  \"a\": 1,\n  \"b\": [1, 2]\n}\n");
        assert_eq!(
            human_line(&l),
            "1970-01-01T00:00:00.000Z  relay   {\"a\":1,\"b\":[1,2]}"
        );
        let l = line(0, None, "START RequestId: 1 Version: $LATEST\n");
        assert!(human_line(&l).ends_with("relay   START RequestId: 1 Version: $LATEST"));
        assert_eq!(message_value("42"), Value::String("42".into()));
    }

    #[test]
    fn the_tail_shows_each_event_once() {
        let mut tail = Tail::new(0, HashSet::new());
        assert!(tail.admit(&line(5, Some("a"), "x")));
        assert!(!tail.admit(&line(5, Some("a"), "x")));
        // The same event seen by live tail (no id), then by a poll (with id).
        assert!(tail.admit(&line(6, None, "y")));
        assert!(!tail.admit(&line(6, Some("b"), "y")));
        assert_eq!(tail.since, 6);
    }
}
