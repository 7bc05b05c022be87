//! The stack's event stream: DescribeStackEvents (newest first, paginated) turned into plain
//! [`StackEvent`]s in the order they happened, only those after a cursor.

use std::collections::HashSet;

use serde::Serialize;

use super::{is_missing_stack, Polled};
use crate::error::is_throttling;
use crate::error::Error;

/// One row of DescribeStackEvents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StackEvent {
    pub id: String,
    pub stack_name: String,
    pub logical_id: String,
    pub physical_id: Option<String>,
    pub resource_type: String,
    pub status: String,
    pub reason: Option<String>,
    /// Milliseconds since the Unix epoch, AWS's clock.
    pub timestamp_ms: i64,
    /// The ClientRequestToken of the operation that caused it ("all events triggered by a given
    /// stack operation are assigned the same client request token", CloudFormation API): how a
    /// watch tells its own operation from a stale status or someone else's change. Not printed.
    #[serde(skip)]
    pub token: Option<String>,
}

impl StackEvent {
    /// The stack's own events (`AWS::CloudFormation::Stack` with the stack's name), as opposed
    /// to its resources'.
    pub fn is_stack(&self) -> bool {
        self.resource_type == "AWS::CloudFormation::Stack" && self.logical_id == self.stack_name
    }

    pub fn from_sdk(e: &aws_sdk_cloudformation::types::StackEvent) -> Self {
        Self {
            id: e.event_id().unwrap_or_default().to_string(),
            stack_name: e.stack_name().unwrap_or_default().to_string(),
            logical_id: e.logical_resource_id().unwrap_or_default().to_string(),
            physical_id: e
                .physical_resource_id()
                .filter(|p| !p.is_empty())
                .map(str::to_string),
            resource_type: e.resource_type().unwrap_or_default().to_string(),
            status: e
                .resource_status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            reason: e
                .resource_status_reason()
                .filter(|r| !r.is_empty())
                .map(str::to_string),
            timestamp_ms: e.timestamp().and_then(|t| t.to_millis().ok()).unwrap_or(0),
            token: e
                .client_request_token()
                .filter(|t| !t.is_empty())
                .map(str::to_string),
        }
    }
}

/// Where the interesting part of the stream starts: events at or after `since_ms` (AWS's clock,
/// taken from the stream itself so local clock skew cannot hide events) and not yet seen.
#[derive(Debug, Clone, Default)]
pub struct Cursor {
    pub since_ms: i64,
    pub seen: HashSet<String>,
}

impl Cursor {
    /// A cursor past everything already in `events` (the stream before a change starts).
    pub fn after(events: &[StackEvent]) -> Self {
        Self {
            since_ms: events.iter().map(|e| e.timestamp_ms).max().unwrap_or(0),
            seen: events.iter().map(|e| e.id.clone()).collect(),
        }
    }

    /// Keeps the events past the cursor, oldest first, and moves the cursor past them.
    pub fn take_new(&mut self, newest_first: Vec<StackEvent>) -> Vec<StackEvent> {
        let mut fresh: Vec<StackEvent> = newest_first
            .into_iter()
            .filter(|e| e.timestamp_ms >= self.since_ms && !self.seen.contains(&e.id))
            .collect();
        fresh.reverse();
        for e in &fresh {
            self.seen.insert(e.id.clone());
        }
        fresh
    }
}

/// The first page of the stream (the newest events), for a cursor before a change.
pub async fn latest_events(
    client: &aws_sdk_cloudformation::Client,
    stack: &str,
) -> crate::Result<Vec<StackEvent>> {
    match client
        .describe_stack_events()
        .stack_name(stack)
        .send()
        .await
    {
        Ok(out) => Ok(out
            .stack_events()
            .iter()
            .map(StackEvent::from_sdk)
            .collect()),
        Err(e) if is_missing_stack(&e) => Ok(Vec::new()),
        Err(e) => Err(Error::aws("DescribeStackEvents", e)),
    }
}

/// The events after the cursor, oldest first. Pages back only until it meets the cursor, so a
/// long-lived stack's history is never read in full.
pub(crate) async fn new_events(
    client: &aws_sdk_cloudformation::Client,
    stack: &str,
    cursor: &mut Cursor,
) -> Result<Vec<StackEvent>, Polled> {
    let mut newest_first = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let out = match client
            .describe_stack_events()
            .stack_name(stack)
            .set_next_token(token.clone())
            .send()
            .await
        {
            Ok(out) => out,
            // Deleted by name: the stream is gone with the stack; the caller watches by id.
            Err(e) if is_missing_stack(&e) => break,
            Err(e) if is_throttling(&e) => return Err(Polled::Throttled),
            Err(e) => return Err(Polled::Failed(Error::aws("DescribeStackEvents", e))),
        };
        let page: Vec<StackEvent> = out
            .stack_events()
            .iter()
            .map(StackEvent::from_sdk)
            .collect();
        let reached_cursor = page
            .iter()
            .any(|e| e.timestamp_ms < cursor.since_ms || cursor.seen.contains(&e.id));
        newest_first.extend(page);
        token = out.next_token().map(str::to_string);
        if reached_cursor || token.is_none() {
            break;
        }
    }
    Ok(cursor.take_new(newest_first))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(id: &str, ts: i64) -> StackEvent {
        StackEvent {
            id: id.into(),
            stack_name: "s".into(),
            logical_id: "Bus".into(),
            physical_id: None,
            resource_type: "AWS::Events::EventBus".into(),
            status: "CREATE_IN_PROGRESS".into(),
            reason: None,
            timestamp_ms: ts,
            token: None,
        }
    }

    #[test]
    fn cursor_keeps_only_new_events_oldest_first_and_once() {
        let mut cursor = Cursor::after(&[ev("old", 100)]);
        // Same second as the cursor but a new id: kept. Older: dropped. Seen: dropped.
        let fresh = cursor.take_new(vec![
            ev("c", 300),
            ev("b", 100),
            ev("old", 100),
            ev("ancient", 50),
        ]);
        assert_eq!(
            fresh.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
            ["b", "c"]
        );
        assert!(cursor.take_new(vec![ev("c", 300), ev("b", 100)]).is_empty());
    }

    #[test]
    fn the_stack_s_own_events_are_told_apart() {
        let mut e = ev("1", 0);
        assert!(!e.is_stack());
        e.logical_id = "s".into();
        e.resource_type = "AWS::CloudFormation::Stack".into();
        assert!(e.is_stack());
    }
}
