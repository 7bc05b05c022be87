//! One log line, as text (`TIME  SOURCE  MESSAGE`) or as a JSON line that also names the
//! event it is about (`event_id`, `detail_event_id`, as in `send` and `dlq peek`).

use serde::Serialize;
use serde_json::Value;

use crate::context::Context;
use crate::error::Result;
use crate::model::log_line::LogLine;
use crate::model::text::format_epoch_ms;

#[derive(Serialize)]
struct JsonLine<'a> {
    time: String,
    source: &'static str,
    stream: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    event_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail_event_id: Option<String>,
    message: Value,
}

/// A message that is JSON, compacted onto one line; anything else as it came, trailing
/// whitespace trimmed.
fn message_value(line: &LogLine) -> Value {
    line.json()
        .unwrap_or_else(|| Value::String(line.message.trim_end().to_string()))
}

pub(super) fn human_line(line: &LogLine) -> String {
    let message = match message_value(line) {
        Value::String(s) => s,
        v => v.to_string(),
    };
    format!(
        "{}  {:<6}  {message}",
        format_epoch_ms(line.timestamp),
        line.origin.label()
    )
}

pub(super) fn line(ctx: &Context, line: &LogLine) -> Result<()> {
    if ctx.printer.json() {
        let (event_id, detail_event_id) = line.event_ids();
        ctx.printer.json_line(&JsonLine {
            time: format_epoch_ms(line.timestamp),
            source: line.origin.label(),
            stream: &line.stream,
            event_id,
            detail_event_id,
            message: message_value(line),
        })
    } else {
        ctx.printer.stdout(&human_line(line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::log_line::Origin;

    fn line(msg: &str) -> LogLine {
        LogLine {
            timestamp: 0,
            origin: Origin::Relay,
            stream: "s".into(),
            message: msg.into(),
            log_event_id: None,
        }
    }

    #[test]
    fn json_messages_are_compacted_onto_one_line() {
        assert_eq!(
            human_line(&line("{\n  \"a\": 1,\n  \"b\": [1, 2]\n}\n")),
            "1970-01-01T00:00:00.000Z  relay   {\"a\":1,\"b\":[1,2]}"
        );
        assert!(human_line(&line("START RequestId: 1 Version: $LATEST\n"))
            .ends_with("relay   START RequestId: 1 Version: $LATEST"));
        assert_eq!(message_value(&line("42")), Value::String("42".into()));
    }
}
