//! `logs --follow`: StartLiveTail where it works; where it does not (or a session ends at once),
//! FilterLogEvents every second with a cursor per log group, backing off when throttled.
//!
//! Each group keeps its own cursor (its newest line shown) and is re-read from a little before
//! it, so a line that arrives late with an older timestamp — the bus's group lags the relay's,
//! and Lambda streams flush out of order — is still shown; lines already shown are recognised
//! by their log event id (or, for live-tail lines, which carry none, by their content).

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use crate::aws::logs::{self as cwl, ReadError};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::model::log_line::{LogLine, Origin};

use super::{fetch_from, missing_note, print};

/// How far before a group's newest line each poll starts again.
pub(super) const LATE_WINDOW_MS: i64 = 10_000;

/// Ctrl-C, listened for from the moment it is created (not from the first poll), and this
/// command's to handle (a follow ends with 0 on Ctrl-C; see [`crate::interrupt`]).
pub(super) struct Interrupt(
    Option<std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>>,
);

impl Interrupt {
    pub(super) fn listen(follow: bool) -> Result<Self> {
        Ok(Self(follow.then(|| {
            Box::pin(crate::interrupt::listen())
                as std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>
        })))
    }

    pub(super) async fn wait(self) {
        match self.0 {
            Some(listening) => listening.await,
            None => std::future::pending().await,
        }
    }
}

/// Content of a line, for lines without a log event id.
type ContentKey = (i64, Origin, String, String);

/// What has been shown, and where each group's next poll starts.
pub(super) struct Tail {
    /// The newest timestamp shown per group (the `--since` start until one is).
    newest: HashMap<Origin, i64>,
    start: i64,
    seen_ids: HashMap<String, i64>,
    /// Content of every line shown, and whether that line had a log event id.
    seen_content: HashMap<ContentKey, bool>,
    /// Groups already reported missing.
    missing_noted: HashSet<Origin>,
}

fn content_key(line: &LogLine) -> ContentKey {
    (
        line.timestamp,
        line.origin,
        line.stream.clone(),
        line.message.clone(),
    )
}

impl Tail {
    pub(super) fn new(start: i64, missing_noted: HashSet<Origin>) -> Self {
        Self {
            newest: HashMap::new(),
            start,
            seen_ids: HashMap::new(),
            seen_content: HashMap::new(),
            missing_noted,
        }
    }

    pub(super) fn remember(&mut self, line: &LogLine) {
        if let Some(id) = &line.log_event_id {
            self.seen_ids.insert(id.clone(), line.timestamp);
        }
        self.seen_content
            .insert(content_key(line), line.log_event_id.is_some());
        let newest = self.newest.entry(line.origin).or_insert(self.start);
        *newest = (*newest).max(line.timestamp);
    }

    /// Where the next poll of this group starts (inclusive).
    pub(super) fn poll_from(&self, origin: Origin) -> i64 {
        self.newest
            .get(&origin)
            .map_or(self.start, |&t| (t - LATE_WINDOW_MS).max(self.start))
    }

    /// After a sampled update: every group's next poll starts no later than that update's
    /// oldest line, so the lines the sample left out are read (those shown are recognised and
    /// not repeated). Updates come about once a second, so the late window usually covers it
    /// already; a longer update moves the cursor back (a line shown then may appear twice:
    /// better than one left out).
    pub(super) fn rewind_before(&mut self, sampled: &[LogLine]) {
        let Some(oldest) = sampled.iter().map(|l| l.timestamp).min() else {
            return;
        };
        for newest in self.newest.values_mut() {
            *newest = (*newest).min(oldest + LATE_WINDOW_MS);
        }
    }

    /// True when the line is new (and remembers it).
    pub(super) fn admit(&mut self, line: &LogLine) -> bool {
        // Content decides only where an id is missing on one side (a live-tail line): two log
        // events with the same time and text, both with ids, are two lines.
        let content = self.seen_content.get(&content_key(line)).copied();
        let seen = match &line.log_event_id {
            Some(id) => self.seen_ids.contains_key(id) || content == Some(false),
            None => content.is_some(),
        };
        if seen {
            return false;
        }
        self.remember(line);
        self.prune();
        true
    }

    /// Polls never reach back before the oldest group's start: older entries cannot return.
    fn prune(&mut self) {
        if self.seen_ids.len() + self.seen_content.len() <= 20_000 {
            return;
        }
        let oldest = [Origin::Relay, Origin::Events]
            .into_iter()
            .map(|o| self.poll_from(o))
            .min()
            .unwrap_or(self.start);
        self.seen_ids.retain(|_, ts| *ts >= oldest);
        self.seen_content.retain(|k, _| k.0 >= oldest);
    }
}

/// Sessions that end sooner than this are treated as "live tail does not work here".
const SHORTEST_LIVE_SESSION: Duration = Duration::from_secs(60);

pub(super) async fn follow(
    ctx: &Context,
    groups: &[(Origin, String)],
    pattern: Option<&str>,
    tail: &mut Tail,
) -> Result<()> {
    loop {
        let started = std::time::Instant::now();
        match live(ctx, groups, pattern, tail).await {
            Ok(Ended::Sampled) => ctx.printer.note(SAMPLED_NOTE),
            Ok(Ended::Closed) if started.elapsed() >= SHORTEST_LIVE_SESSION => continue, // the 3-hour limit: start again
            Ok(Ended::Closed) => ctx
                .printer
                .debug("the live tail session ended at once; polling instead"),
            Err(e) => ctx.printer.debug(&format!(
                "live tail unavailable ({}); polling instead",
                e.message
            )),
        }
        return poll(ctx, groups, pattern, tail).await;
    }
}

/// Said once, when Live Tail starts sampling: from then on every line comes from
/// FilterLogEvents, which never samples.
pub(super) const SAMPLED_NOTE: &str = "Live Tail is sending only a sample (more than 500 matching events in an update); following with FilterLogEvents from here on, which shows every line, a few seconds later.";

/// Why a live tail session stopped.
#[derive(Debug, PartialEq, Eq)]
enum Ended {
    /// The session closed (its 3-hour limit, or a service that ends it at once).
    Closed,
    /// An update was a sample: the lines it left out are read again by polling.
    Sampled,
}

async fn live(
    ctx: &Context,
    groups: &[(Origin, String)],
    pattern: Option<&str>,
    tail: &mut Tail,
) -> Result<Ended> {
    // StartLiveTail wants log group ARNs.
    let mut arns = Vec::new();
    for (origin, group) in groups {
        match cwl::group_arn(ctx.logs(), group).await? {
            Some(arn) => arns.push((*origin, arn)),
            None => return Err(Error::failed(format!("log group `{group}` does not exist"))),
        }
    }
    let mut session = cwl::start_live_tail(ctx.logs(), arns, pattern).await?;
    while let Some(batch) = session.next_batch().await? {
        for line in batch.lines.iter().filter(|l| tail.admit(l)) {
            print::line(ctx, line)?;
        }
        if batch.sampled {
            tail.rewind_before(&batch.lines);
            return Ok(Ended::Sampled);
        }
    }
    Ok(Ended::Closed)
}

/// FilterLogEvents every second from each group's cursor; doubling the wait (up to 10 s) when
/// throttled.
async fn poll(
    ctx: &Context,
    groups: &[(Origin, String)],
    pattern: Option<&str>,
    tail: &mut Tail,
) -> Result<()> {
    const INTERVAL: Duration = Duration::from_secs(1);
    let mut wait = INTERVAL;
    loop {
        tokio::time::sleep(wait).await;
        let from: Vec<_> = groups
            .iter()
            .map(|(o, g)| (*o, g.clone(), tail.poll_from(*o)))
            .collect();
        let fetched = match fetch_from(ctx.logs(), &from, None, pattern).await {
            Ok(f) => f,
            Err(ReadError::Throttled(_)) => {
                wait = (wait * 2).min(Duration::from_secs(10));
                ctx.printer
                    .debug(&format!("throttled; next poll in {} s", wait.as_secs()));
                continue;
            }
            Err(ReadError::Failed(e)) => return Err(e),
        };
        wait = INTERVAL;
        for (origin, group) in groups {
            if fetched.missing.contains(origin) && tail.missing_noted.insert(*origin) {
                ctx.printer.note(&missing_note(group));
            }
        }
        for line in fetched.lines.iter().filter(|l| tail.admit(l)) {
            print::line(ctx, line)?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(origin: Origin, ts: i64, id: Option<&str>, msg: &str) -> LogLine {
        LogLine {
            timestamp: ts,
            origin,
            stream: "s".into(),
            message: msg.into(),
            log_event_id: id.map(Into::into),
        }
    }

    #[test]
    fn the_tail_shows_each_event_once() {
        let mut tail = Tail::new(0, HashSet::new());
        assert!(tail.admit(&line(Origin::Relay, 5, Some("a"), "x")));
        assert!(!tail.admit(&line(Origin::Relay, 5, Some("a"), "x")));
        // The same event seen by live tail (no id), then by a poll (with id).
        assert!(tail.admit(&line(Origin::Relay, 6, None, "y")));
        assert!(!tail.admit(&line(Origin::Relay, 6, Some("b"), "y")));
        // Same time and text, different log events: both shown.
        assert!(tail.admit(&line(Origin::Relay, 7, Some("c"), "z")));
        assert!(tail.admit(&line(Origin::Relay, 7, Some("d"), "z")));
        assert!(!tail.admit(&line(Origin::Relay, 7, None, "z")));
    }

    #[test]
    fn after_a_sampled_update_the_poll_reads_what_the_sample_left_out_and_repeats_nothing() {
        let mut tail = Tail::new(0, HashSet::new());
        assert!(tail.admit(&line(Origin::Relay, 50_000, None, "before")));
        // A sampled update: two of its many lines shown.
        let sample = [
            line(Origin::Relay, 60_000, None, "a"),
            line(Origin::Relay, 60_900, None, "c"),
        ];
        for l in &sample {
            assert!(tail.admit(l));
        }
        tail.rewind_before(&sample);
        assert!(tail.poll_from(Origin::Relay) <= 60_000);
        // The line before the update is not read again.
        assert!(tail.poll_from(Origin::Relay) > 50_000);
        // The poll finds every line of that second: the ones left out are shown, the others not.
        assert!(!tail.admit(&line(Origin::Relay, 60_000, Some("1"), "a")));
        assert!(tail.admit(&line(Origin::Relay, 60_400, Some("2"), "b")));
        assert!(!tail.admit(&line(Origin::Relay, 60_900, Some("3"), "c")));
        assert!(SAMPLED_NOTE.contains("FilterLogEvents"));
        // An update longer than the late window: the cursor moves back to its oldest line.
        let mut tail = Tail::new(0, HashSet::new());
        let long = [
            line(Origin::Events, 100_000, None, "x"),
            line(Origin::Events, 130_000, None, "y"),
        ];
        for l in &long {
            assert!(tail.admit(l));
        }
        tail.rewind_before(&long);
        assert_eq!(tail.poll_from(Origin::Events), 100_000);
    }

    #[test]
    fn each_group_keeps_its_own_cursor() {
        let mut tail = Tail::new(1_000, HashSet::new());
        assert_eq!(tail.poll_from(Origin::Events), 1_000);
        assert!(tail.admit(&line(Origin::Relay, 100_000, Some("r1"), "relay")));
        // The relay's newest line does not move the bus's cursor.
        assert_eq!(tail.poll_from(Origin::Events), 1_000);
        assert_eq!(tail.poll_from(Origin::Relay), 100_000 - LATE_WINDOW_MS);
        // A bus line older than the relay's newest, arriving late: still shown.
        assert!(tail.admit(&line(Origin::Events, 90_000, Some("e1"), "late")));
        // A relay line a little older than the relay's newest, arriving late: re-read, shown.
        assert!(tail.poll_from(Origin::Relay) <= 95_000);
        assert!(tail.admit(&line(Origin::Relay, 95_000, Some("r0"), "late relay")));
        assert_eq!(tail.poll_from(Origin::Relay), 100_000 - LATE_WINDOW_MS);
    }
}
