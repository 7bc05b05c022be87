//! One line from the relay's or the bus's log group, and the event ids it mentions, named as
//! everywhere else: `event_id` is the EventBridge id, `detail_event_id` the producer's
//! `detail.event-id`.

use serde::Serialize;
use serde_json::Value;

/// Which group a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    Relay,
    Events,
}

impl Origin {
    pub fn label(self) -> &'static str {
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
    /// CloudWatch Logs' own id of this log event (FilterLogEvents gives one, live tail does not).
    pub log_event_id: Option<String>,
}

impl LogLine {
    /// A message that is JSON (an object or an array); `None` for plain text.
    pub fn json(&self) -> Option<Value> {
        match serde_json::from_str::<Value>(self.message.trim()) {
            Ok(v @ (Value::Object(_) | Value::Array(_))) => Some(v),
            _ => None,
        }
    }

    /// `(event_id, detail_event_id)` this line is about. The relay logs one JSON line per
    /// event with `request-id` (the EventBridge id) and `event-id` (the detail's); the bus's
    /// log group holds whole events, with `id` and `detail.event-id`.
    pub fn event_ids(&self) -> (Option<String>, Option<String>) {
        let Some(v) = self.json() else {
            return (None, None);
        };
        let s = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
        match self.origin {
            Origin::Relay => (s(v.get("request-id")), s(v.get("event-id"))),
            Origin::Events => (s(v.get("id")), s(v.pointer("/detail/event-id"))),
        }
    }

    /// True when the line names this EventBridge id: in the relay's JSON line, or in the text
    /// of its error (`RelayError: event <id>: …`).
    pub fn mentions(&self, event_id: &str) -> bool {
        self.event_ids().0.as_deref() == Some(event_id) || self.message.contains(event_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(origin: Origin, msg: &str) -> LogLine {
        LogLine {
            timestamp: 0,
            origin,
            stream: "s".into(),
            message: msg.into(),
            log_event_id: None,
        }
    }

    #[test]
    fn ids_are_read_from_both_groups_under_one_name() {
        let relay = line(
            Origin::Relay,
            r#"{"event-id": "e-1", "request-id": "eb-1", "status": 200}"#,
        );
        assert_eq!(relay.event_ids(), (Some("eb-1".into()), Some("e-1".into())));
        let bus = line(
            Origin::Events,
            r#"{"id": "eb-2", "detail": {"event-id": "e-2"}}"#,
        );
        assert_eq!(bus.event_ids(), (Some("eb-2".into()), Some("e-2".into())));
        assert_eq!(
            line(Origin::Relay, "START RequestId: 1").event_ids(),
            (None, None)
        );
        assert!(line(Origin::Relay, "[ERROR] RelayError: event eb-3: 401").mentions("eb-3"));
        assert!(relay.mentions("eb-1") && !relay.mentions("eb-2"));
    }
}
