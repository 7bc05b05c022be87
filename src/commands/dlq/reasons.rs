//! Buffered delivery's DLQ messages are the events themselves: why each failed is only in the
//! relay's logs, one JSON line per attempt (`request-id`: the event's id, `outcome`, `reason`).
//! One FilterLogEvents per few ids, over the time the messages spent in the queues, finds the
//! last reason for each.

use std::collections::HashMap;

use crate::context::Context;
use crate::model::dlq_record::DlqRecord;
use crate::model::log_line::{LogLine, Origin};

/// Ids per filter pattern: `?"<id>"` terms ORed, kept well inside a pattern's 1,024 characters
/// (CloudWatch Logs API Reference, PutMetricFilter `filterPattern`: "Maximum length of 1024").
const IDS_PER_CALL: usize = 20;

/// The newest failed line's reason for each event id.
pub fn last_reasons(lines: &[LogLine]) -> HashMap<String, String> {
    let mut newest: HashMap<String, (i64, String)> = HashMap::new();
    for line in lines {
        let Some(v) = line.json() else { continue };
        let (Some(id), Some(reason)) = (
            v.get("request-id").and_then(|s| s.as_str()),
            v.get("reason").and_then(|s| s.as_str()),
        ) else {
            continue;
        };
        if v.get("outcome").and_then(|s| s.as_str()) != Some("failed") {
            continue;
        }
        let slot = newest
            .entry(id.to_string())
            .or_insert((i64::MIN, String::new()));
        if line.timestamp >= slot.0 {
            *slot = (line.timestamp, reason.to_string());
        }
    }
    newest.into_iter().map(|(id, (_, r))| (id, r)).collect()
}

/// `?"a" ?"b"`: any of the ids.
fn pattern(ids: &[&str]) -> String {
    ids.iter()
        .map(|id| format!("?\"{id}\""))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Fills `relay_reason` where the relay logged one; a read that fails is a warning and leaves
/// the reasons empty (the events are still shown).
pub async fn fill(ctx: &Context, records: &mut [DlqRecord], since_ms: i64) {
    let ids: Vec<&str> = records
        .iter()
        .filter_map(|r| r.event_id.as_deref())
        .collect();
    let mut found = HashMap::new();
    for chunk in ids.chunks(IDS_PER_CALL) {
        match crate::aws::logs::filter_events(
            ctx.logs(),
            &ctx.names.relay_log_group,
            Origin::Relay,
            since_ms,
            Some(&pattern(chunk)),
        )
        .await
        {
            Ok(Some(lines)) => found.extend(last_reasons(&lines)),
            Ok(None) => return,
            Err(e) => {
                let e: crate::error::Error = e.into();
                ctx.printer.warn(&format!(
                    "could not read the relay's reasons from its logs: {}",
                    e.message
                ));
                return;
            }
        }
    }
    for r in records.iter_mut() {
        if let Some(id) = &r.event_id {
            r.relay_reason = found.get(id).cloned();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(ts: i64, msg: &str) -> LogLine {
        LogLine {
            timestamp: ts,
            origin: Origin::Relay,
            stream: "s".into(),
            message: msg.into(),
            log_event_id: None,
        }
    }

    #[test]
    fn the_newest_failure_is_the_reason_and_deliveries_are_not() {
        let lines = [
            line(
                2,
                r#"{"request-id": "ev-1", "outcome": "failed", "reason": "503 busy"}"#,
            ),
            line(
                1,
                r#"{"request-id": "ev-1", "outcome": "failed", "reason": "timed out"}"#,
            ),
            line(
                3,
                r#"{"request-id": "ev-2", "outcome": "delivered", "reason": null}"#,
            ),
            line(4, "START RequestId: 1 Version: $LATEST"),
        ];
        let reasons = last_reasons(&lines);
        assert_eq!(reasons.get("ev-1").map(String::as_str), Some("503 busy"));
        assert!(!reasons.contains_key("ev-2"));
        assert_eq!(pattern(&["a", "b"]), r#"?"a" ?"b""#);
    }
}
