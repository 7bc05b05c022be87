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

/// The relay's line without its Embedded Metric Format members (`_aws`, the metrics and the
/// dimensions it names): they are for CloudWatch to extract, and repeat what the line says.
/// `--output json` keeps the line whole.
fn without_metrics(mut v: Value) -> Value {
    let Some(obj) = v.as_object_mut() else {
        return v;
    };
    let Some(emf) = obj.remove("_aws") else {
        return v;
    };
    for directive in emf["CloudWatchMetrics"].as_array().into_iter().flatten() {
        let metrics = directive["Metrics"].as_array().into_iter().flatten();
        for name in metrics.filter_map(|m| m["Name"].as_str()) {
            obj.remove(name);
        }
        let dimensions = directive["Dimensions"].as_array().into_iter().flatten();
        for key in dimensions.flat_map(|set| set.as_array().into_iter().flatten()) {
            if let Some(key) = key.as_str() {
                obj.remove(key);
            }
        }
    }
    v
}

pub(super) fn human_line(line: &LogLine) -> String {
    let message = match without_metrics(message_value(line)) {
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

    #[test]
    fn the_relays_metrics_are_left_to_cloudwatch_in_the_text_view() {
        let relay = r#"{"event-id":"e1","status":200,"outcome":"delivered","Stack":"s","Delivered":1,"DeliveryLatency":12,"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"evrelay","Dimensions":[["Stack"]],"Metrics":[{"Name":"Delivered","Unit":"Count"},{"Name":"DeliveryLatency","Unit":"Milliseconds"}]}]}}"#;
        assert!(human_line(&line(relay))
            .ends_with(r#"relay   {"event-id":"e1","status":200,"outcome":"delivered"}"#));
        // A JSON line without EMF is shown whole, `Stack` and all.
        assert!(human_line(&line(r#"{"Stack":"s","a":1}"#)).ends_with(r#"{"Stack":"s","a":1}"#));
    }
}
