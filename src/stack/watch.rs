//! The wait loop: poll the stack's events and status about once a second until the stack
//! settles, feeding a [`Sink`]; back off only when AWS throttles. What it returns says whether
//! the change did what it set out to do and, if not, which resource failed and why.

use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use serde::Serialize;

use super::events::{new_events, Cursor, StackEvent};
use super::progress::{Failure, Progress};
use super::{describe_stack_polled, is_settled, Operation, Polled};
use crate::error::{Error, Result};

/// Where the progress goes: a live view, plain lines, or JSON lines.
pub trait Sink: Send {
    /// A new event, already folded into `progress`.
    fn event(&mut self, event: &StackEvent, progress: &Progress) -> Result<()>;
    /// Once per poll: a chance to redraw timers.
    fn tick(&mut self, _progress: &Progress) -> Result<()> {
        Ok(())
    }
    /// Something outside the stack it is waiting on (destroy: the relay's network interfaces),
    /// refreshed every `side_every`.
    fn waiting_on(&mut self, _waiting: &WaitingOn, _progress: &Progress) -> Result<()> {
        Ok(())
    }
    /// The stack settled (or the watch stopped): leave the screen tidy.
    fn finish(&mut self, _progress: &Progress) -> Result<()> {
        Ok(())
    }
}

/// A list of things the stack waits on, refreshed now and then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaitingOn {
    pub what: String,
    pub items: Vec<WaitItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaitItem {
    pub id: String,
    pub detail: String,
}

/// Fetches a [`WaitingOn`] (None: nothing to say this time).
pub type SideFetch<'a> = Box<dyn FnMut() -> BoxFuture<'a, Option<WaitingOn>> + Send + 'a>;

#[derive(Debug, Clone)]
pub struct WatchOptions {
    pub poll: Duration,
    pub max_backoff: Duration,
    pub timeout: Option<Duration>,
    pub side_every: Duration,
    /// A reader that closed stdout stops the printing, not the watch: a command that acts once
    /// the change settles (deploy saves its settings) still does.
    pub outlive_reader: bool,
    /// The ClientRequestToken the operation was started with: the watch then settles only on
    /// that operation's events and statuses, never on a status read before it started, and
    /// stops at another operation's. None follows whatever runs (`status --watch`).
    pub token: Option<String>,
}

impl Default for WatchOptions {
    fn default() -> Self {
        Self {
            poll: Duration::from_secs(1),
            max_backoff: Duration::from_secs(20),
            timeout: None,
            side_every: Duration::from_secs(10),
            outlive_reader: false,
            token: None,
        }
    }
}

/// How the change ended.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub stack: String,
    pub operation: Operation,
    pub status: String,
    pub ok: bool,
    pub failure: Option<Failure>,
    pub elapsed_ms: u128,
}

/// Follows the stack (`stack_ref`: its id, so a deleted stack still answers) until it settles.
pub async fn watch(
    client: &aws_sdk_cloudformation::Client,
    stack_ref: &str,
    mut cursor: Cursor,
    progress: &mut Progress,
    sink: &mut dyn Sink,
    opts: &WatchOptions,
    mut side: Option<SideFetch<'_>>,
) -> Result<Outcome> {
    let started = Instant::now();
    let mut delay = opts.poll;
    let mut last_side: Option<Instant> = None;
    let mut own = Own::new(opts.token.clone());
    loop {
        let (events, stack) = tokio::join!(
            new_events(client, stack_ref, &mut cursor),
            describe_stack_polled(client, stack_ref)
        );
        let mut throttled = false;
        let events = match events {
            Ok(events) => events,
            Err(Polled::Throttled) => {
                throttled = true;
                Vec::new()
            }
            Err(Polled::Failed(e)) => return Err(e),
        };
        for e in &events {
            progress.apply(e);
            sink.event(e, progress)?;
            if let Err(other) = own.see(e) {
                sink.finish(progress)?;
                return Err(concurrent_change(progress, &other));
            }
        }
        let stack = match stack {
            Ok(stack) => Some(stack),
            Err(Polled::Throttled) => {
                throttled = true;
                None
            }
            Err(Polled::Failed(e)) => return Err(e),
        };
        if let Some(stack) = stack {
            let status = match &stack {
                Some(s) => {
                    progress.set_stack_status(&s.status, s.reason.as_deref());
                    own.settled(&s.status)
                }
                // Gone by name and by id: deleted (the only way a stack disappears, and no
                // stale read: the stack was there before the delete).
                None if progress.operation == Operation::Delete => {
                    progress.set_stack_status("DELETE_COMPLETE", None);
                    Some("DELETE_COMPLETE".to_string())
                }
                None => {
                    return Err(Error::failed(format!(
                        "stack `{}` disappeared while evrelay was following it",
                        progress.stack
                    ))
                    .hint("someone else deleted it; run `evrelay status` to see what is left"))
                }
            };
            if let Some(status) = status {
                // The last events may have landed between the two calls.
                if let Ok(events) = new_events(client, stack_ref, &mut cursor).await {
                    for e in &events {
                        progress.apply(e);
                        sink.event(e, progress)?;
                    }
                }
                progress.set_stack_status(&status, None);
                sink.finish(progress)?;
                let ok = progress.operation.succeeded(&status);
                return Ok(Outcome {
                    stack: progress.stack.clone(),
                    operation: progress.operation,
                    ok,
                    failure: if ok { None } else { progress.first_failure() },
                    status,
                    elapsed_ms: started.elapsed().as_millis(),
                });
            }
        }
        delay = if throttled {
            (delay * 2).min(opts.max_backoff)
        } else {
            opts.poll
        };
        if let Some(fetch) = side.as_mut() {
            if last_side.map_or(true, |t| t.elapsed() >= opts.side_every) {
                last_side = Some(Instant::now());
                // Every refresh goes to the sink (ages change); each sink decides what is news.
                if let Some(waiting) = fetch().await {
                    sink.waiting_on(&waiting, progress)?;
                }
            }
        }
        sink.tick(progress)?;
        if let Some(timeout) = opts.timeout {
            if started.elapsed() >= timeout {
                sink.finish(progress)?;
                let status = progress
                    .stack_status
                    .clone()
                    .unwrap_or_else(|| "unknown".into());
                return Err(Error::failed(format!(
                    "stack `{}` is still {status} after {}",
                    progress.stack,
                    super::render::duration(timeout)
                ))
                .hint("the change goes on in AWS; follow it with `evrelay status --watch`, or wait longer with --timeout"));
            }
        }
        tokio::time::sleep(delay).await;
    }
}

/// Which events belong to the operation being followed. Without a token, any settled status
/// ends the watch (a change someone else started); with one, only this operation's.
#[derive(Debug)]
struct Own {
    token: Option<String>,
    started: bool,
    /// The stack's own settled event of this operation, once seen.
    ended: Option<String>,
}

impl Own {
    fn new(token: Option<String>) -> Self {
        Self {
            token,
            started: false,
            ended: None,
        }
    }

    /// Folds one event in; `Err(token)` when another operation starts on the stack (its token,
    /// or "none" for a call made without one).
    fn see(&mut self, e: &StackEvent) -> std::result::Result<(), String> {
        let Some(token) = &self.token else {
            return Ok(());
        };
        if e.token.as_ref() == Some(token) {
            self.started = true;
            if e.is_stack() && is_settled(&e.status) {
                self.ended = Some(e.status.clone());
            }
            return Ok(());
        }
        // REVIEW_IN_PROGRESS is a change set being made, not a change to the stack.
        let changes = !is_settled(&e.status) && e.status != "REVIEW_IN_PROGRESS";
        if e.is_stack() && changes && self.ended.is_none() {
            return Err(e.token.clone().unwrap_or_else(|| "none".into()));
        }
        Ok(())
    }

    /// The status the watch ends on, given what DescribeStacks says now: None while the
    /// operation has not shown itself (a read before it started is not its outcome).
    fn settled(&self, described: &str) -> Option<String> {
        if self.token.is_none() {
            return is_settled(described).then(|| described.to_string());
        }
        if let Some(ended) = &self.ended {
            return Some(ended.clone());
        }
        (self.started && is_settled(described)).then(|| described.to_string())
    }
}

fn concurrent_change(progress: &Progress, other: &str) -> Error {
    Error::failed(format!(
        "another change started on stack `{}` while evrelay followed its {} (request token {other}): someone else is changing the stack",
        progress.stack,
        progress.operation.verb()
    ))
    .hint(format!(
        "see what it does with `evrelay status --watch --stack {}`, then run evrelay again if needed",
        progress.stack
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stack_event(status: &str, token: Option<&str>) -> StackEvent {
        StackEvent {
            id: format!("{status}-{token:?}"),
            stack_name: "s".into(),
            logical_id: "s".into(),
            physical_id: None,
            resource_type: "AWS::CloudFormation::Stack".into(),
            status: status.into(),
            reason: None,
            timestamp_ms: 0,
            token: token.map(str::to_string),
        }
    }

    #[test]
    fn a_status_read_before_the_operation_started_is_not_its_outcome() {
        let mut own = Own::new(Some("mine".into()));
        assert_eq!(own.settled("UPDATE_COMPLETE"), None);
        own.see(&stack_event("UPDATE_IN_PROGRESS", Some("mine")))
            .unwrap();
        assert_eq!(own.settled("UPDATE_IN_PROGRESS"), None);
        own.see(&stack_event("UPDATE_ROLLBACK_COMPLETE", Some("mine")))
            .unwrap();
        // The operation's own final event wins over a status read in between.
        assert_eq!(
            own.settled("UPDATE_ROLLBACK_IN_PROGRESS").as_deref(),
            Some("UPDATE_ROLLBACK_COMPLETE")
        );
    }

    #[test]
    fn another_operation_is_reported_and_without_a_token_anything_settled_counts() {
        let mut own = Own::new(Some("mine".into()));
        // A change set made on the stack changes nothing yet.
        assert_eq!(own.see(&stack_event("REVIEW_IN_PROGRESS", None)), Ok(()));
        assert_eq!(
            own.see(&stack_event("UPDATE_IN_PROGRESS", Some("theirs"))),
            Err("theirs".to_string())
        );
        assert_eq!(
            own.see(&stack_event("DELETE_IN_PROGRESS", None)),
            Err("none".to_string())
        );
        let mut any = Own::new(None);
        any.see(&stack_event("UPDATE_IN_PROGRESS", Some("theirs")))
            .unwrap();
        assert_eq!(
            any.settled("UPDATE_COMPLETE").as_deref(),
            Some("UPDATE_COMPLETE")
        );
    }
}
