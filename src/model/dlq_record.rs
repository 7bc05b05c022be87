//! The relay's failure queue holds two kinds of message (relay-lambda/README.md): Lambda
//! destination records, written after the function's last failed attempt, and rule-level DLQ
//! messages, the raw event EventBridge could not hand to the function, with the reason in
//! message attributes. Both are parsed here into one `DlqRecord`; anything else is kept as an
//! unknown body, never an error. In buffered delivery a third kind arrives: the event itself,
//! moved from the buffer by SQS after `maxReceiveCount` receives (no attributes: the relay's
//! reason is in its logs).

use serde::Serialize;
use serde_json::Value;

use crate::aws::sqs::Received;
use crate::model::event::EventEntry;
use crate::model::text::format_epoch_ms;

/// The detail field the relay reads its idempotency key from (relay-lambda/relay.py).
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Shape {
    /// `{"requestContext": …, "requestPayload": <event>, "responsePayload": …}` from Lambda.
    LambdaDestination,
    /// The raw event, with `ERROR_CODE`, `ERROR_MESSAGE`, … message attributes, from EventBridge.
    RuleDlq,
    /// The raw event without EventBridge's error attributes: SQS moved it from the buffer
    /// queue after `maxReceiveCount` receives (buffered delivery).
    Buffer,
    /// Neither: shown as it is.
    Unknown,
}

/// One DLQ message, read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DlqRecord {
    pub message_id: String,
    pub shape: Shape,
    /// When the message reached the queue (RFC 3339, UTC).
    pub time: Option<String>,
    /// The id EventBridge gave the original event (`id`): the same `event_id` that `send`
    /// prints and the relay logs as `request-id`.
    pub event_id: Option<String>,
    /// The original event's `detail.event-id`, when it has one (the tutorial's events do).
    pub detail_event_id: Option<String>,
    pub source: Option<String>,
    pub detail_type: Option<String>,
    /// Why delivery stopped: `RetriesExhausted`, `EventAgeExceeded`, an EventBridge error code, …
    pub condition: Option<String>,
    pub error: Option<String>,
    /// How many times delivery was tried.
    pub attempts: Option<u64>,
    /// SQS's ApproximateReceiveCount: receives in the buffer before the move, plus every read
    /// of the DLQ since (this one included).
    pub receive_count: Option<u64>,
    /// The relay's last logged reason for this event (buffered delivery: the message carries
    /// none), when its logs were read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relay_reason: Option<String>,
    /// The original event, when the message carries one.
    pub event: Option<Value>,
    /// Lambda left the event out of this destination record (request + response were larger
    /// than the queue takes): unrecoverable, nothing to redrive.
    pub payload_dropped: bool,
    /// Lambda's request id of the failed invocation (`requestContext.requestId`): with the
    /// time, all that names a record whose event was dropped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The raw body, for messages of unknown shape.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

impl DlqRecord {
    /// The event to re-send, or `None` when the message carries none (unknown shape, or a
    /// destination record without its request payload).
    ///
    /// The re-sent event gets a new EventBridge id, so its `detail["idempotency-key"]` carries
    /// the key the relay sent the first time (relay-lambda/README.md, "Idempotency key"): the
    /// endpoint sees the same key again and can tell a redrive from a new event.
    pub fn original_event(&self) -> Option<EventEntry> {
        let event = self.event.as_ref()?;
        let source = event.get("source")?.as_str()?.to_string();
        let detail_type = event.get("detail-type")?.as_str()?.to_string();
        let mut detail = event
            .get("detail")
            .cloned()
            .unwrap_or_else(|| Value::Object(Default::default()));
        if let (Some(key), Some(fields)) = (self.idempotency_key(), detail.as_object_mut()) {
            fields.insert(IDEMPOTENCY_KEY.to_string(), Value::String(key));
        }
        let detail = serde_json::to_string(&detail).ok()?;
        let resources = event
            .get("resources")
            .and_then(Value::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        Some(EventEntry {
            source,
            detail_type,
            detail,
            resources,
        })
    }

    /// The key the relay sent with the original event: its own `detail["idempotency-key"]`
    /// when that is a non-empty string, else its EventBridge `id` (the relay's rule).
    pub fn idempotency_key(&self) -> Option<String> {
        let event = self.event.as_ref()?;
        match event.pointer("/detail/idempotency-key") {
            Some(Value::String(key)) if !key.is_empty() => Some(key.clone()),
            _ => event.get("id")?.as_str().map(str::to_string),
        }
    }

    /// Why this message cannot be re-sent, for the report.
    pub fn why_no_event(&self) -> &'static str {
        match self.shape {
            Shape::LambdaDestination if self.payload_dropped => PAYLOAD_DROPPED,
            Shape::LambdaDestination => "the destination record has no requestPayload event",
            Shape::RuleDlq | Shape::Buffer => "the event has no source or detail-type",
            Shape::Unknown => {
                "the message is neither a Lambda destination record nor an EventBridge event"
            }
        }
    }
}

/// Why a record without its event cannot be redriven. "If the combined size of the function
/// request and response payload exceeds the limit, Lambda will drop the payload"
/// (AWS::Lambda::EventInvokeConfig OnFailure): the record keeps its contexts, not the event.
pub const PAYLOAD_DROPPED: &str = "unrecoverable: Lambda dropped the event from its failure record (request + response were larger than the queue takes); nothing to redrive";

/// An EventBridge event has a string `source` and `detail-type`.
fn is_event(v: &Value) -> bool {
    v.get("source").is_some_and(Value::is_string)
        && v.get("detail-type").is_some_and(Value::is_string)
}

fn str_at(v: &Value, path: &[&str]) -> Option<String> {
    let mut cur = v;
    for key in path {
        cur = cur.get(key)?;
    }
    match cur {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

pub fn parse(message: &Received) -> DlqRecord {
    let sent = message.sent_timestamp_ms().map(format_epoch_ms);
    let mut record = DlqRecord {
        message_id: message.message_id.clone(),
        shape: Shape::Unknown,
        time: sent,
        event_id: None,
        detail_event_id: None,
        source: None,
        detail_type: None,
        condition: None,
        error: None,
        attempts: None,
        receive_count: message
            .attributes
            .get("ApproximateReceiveCount")
            .and_then(|n| n.parse().ok()),
        relay_reason: None,
        event: None,
        payload_dropped: false,
        request_id: None,
        body: None,
    };
    let body: Option<Value> = serde_json::from_str(&message.body)
        .ok()
        .filter(Value::is_object);
    match body {
        Some(v) if v.get("requestContext").is_some_and(Value::is_object) => {
            record.shape = Shape::LambdaDestination;
            record.condition = str_at(&v, &["requestContext", "condition"]);
            record.attempts = v
                .pointer("/requestContext/approximateInvokeCount")
                .and_then(Value::as_u64);
            record.error = destination_error(&v);
            record.time = record.time.or_else(|| str_at(&v, &["timestamp"]));
            record.event = v.get("requestPayload").filter(|p| is_event(p)).cloned();
            record.request_id = str_at(&v, &["requestContext", "requestId"]);
            // AWS documents the drop, not the record it leaves: take a missing or null
            // `requestPayload` as dropped (the relay's events are never null).
            record.payload_dropped = v.get("requestPayload").map_or(true, Value::is_null);
        }
        Some(v) if is_event(&v) => {
            record.shape = if message.message_attributes.contains_key("ERROR_CODE") {
                Shape::RuleDlq
            } else {
                Shape::Buffer
            };
            let attr = |name: &str| {
                message
                    .message_attributes
                    .get(name)
                    .filter(|s| !s.is_empty())
                    .cloned()
            };
            record.condition = attr("EXHAUSTED_RETRY_CONDITION").or_else(|| attr("ERROR_CODE"));
            record.error = match (attr("ERROR_CODE"), attr("ERROR_MESSAGE")) {
                (Some(code), Some(msg)) => Some(format!("{code}: {msg}")),
                (code, msg) => code.or(msg),
            };
            record.attempts = attr("RETRY_ATTEMPTS").and_then(|n| n.parse().ok());
            record.time = record.time.or_else(|| str_at(&v, &["time"]));
            record.event = Some(v);
        }
        _ => record.body = Some(message.body.clone()),
    }
    if let Some(event) = &record.event {
        record.event_id = str_at(event, &["id"]);
        record.detail_event_id = str_at(event, &["detail", "event-id"]);
        record.source = str_at(event, &["source"]);
        record.detail_type = str_at(event, &["detail-type"]);
    }
    record
}

/// `RelayError: event …: 401: …` from the function's error, else what the response context says.
fn destination_error(v: &Value) -> Option<String> {
    let kind = str_at(v, &["responsePayload", "errorType"]);
    let message = str_at(v, &["responsePayload", "errorMessage"]);
    match (kind, message) {
        (Some(k), Some(m)) => Some(format!("{k}: {m}")),
        (Some(k), None) => Some(k),
        (None, Some(m)) => Some(m),
        (None, None) => str_at(v, &["responseContext", "functionError"]),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;

    fn msg(body: &str, attrs: &[(&str, &str)]) -> Received {
        Received {
            message_id: "m-1".into(),
            receipt_handle: "r-1".into(),
            body: body.into(),
            attributes: BTreeMap::from([(
                "SentTimestamp".to_string(),
                "1795507200123".to_string(),
            )]),
            message_attributes: attrs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    fn event() -> Value {
        json!({"version": "0", "id": "ev-1", "detail-type": "inbound-event-sent", "source": "eventProducerApp",
               "account": "123456789012", "time": "2026-11-24T08:00:00Z", "region": "us-east-1",
               "resources": ["arn:aws:s3:::b"], "detail": {"event-id": "e-1", "n": 1}})
    }

    #[test]
    fn lambda_destination_records_are_unwrapped() {
        let body = json!({
            "version": "1.0", "timestamp": "2026-11-24T08:00:01.000Z",
            "requestContext": {"requestId": "q", "functionArn": "arn:aws:lambda:us-east-1:1:function:s-relay:$LATEST",
                               "condition": "RetriesExhausted", "approximateInvokeCount": 3},
            "requestPayload": event(),
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
            "responsePayload": {"errorMessage": "event ev-1: 401: unauthorized", "errorType": "RelayError"}
        });
        let r = parse(&msg(&body.to_string(), &[]));
        assert_eq!(r.shape, Shape::LambdaDestination);
        assert_eq!(r.condition.as_deref(), Some("RetriesExhausted"));
        assert_eq!(r.attempts, Some(3));
        assert_eq!(
            r.error.as_deref(),
            Some("RelayError: event ev-1: 401: unauthorized")
        );
        assert_eq!(r.event_id.as_deref(), Some("ev-1"));
        assert_eq!(r.detail_event_id.as_deref(), Some("e-1"));
        assert_eq!(r.time.as_deref(), Some("2026-11-24T08:00:00.123Z"));
        let original = r.original_event().unwrap();
        assert_eq!(original.source, "eventProducerApp");
        assert_eq!(original.detail_type, "inbound-event-sent");
        assert_eq!(
            serde_json::from_str::<Value>(&original.detail).unwrap(),
            json!({"event-id": "e-1", "n": 1, "idempotency-key": "ev-1"})
        );
        assert_eq!(original.resources, vec!["arn:aws:s3:::b"]);
    }

    #[test]
    fn a_destination_record_without_payload_carries_no_event() {
        let body = json!({"requestContext": {"condition": "EventAgeExceeded", "approximateInvokeCount": 1},
                          "responseContext": {"functionError": "Unhandled"}});
        let r = parse(&msg(&body.to_string(), &[]));
        assert_eq!(r.shape, Shape::LambdaDestination);
        assert_eq!(r.error.as_deref(), Some("Unhandled"));
        assert!(r.original_event().is_none());
        assert!(r.payload_dropped);
        assert!(r
            .why_no_event()
            .starts_with("unrecoverable: Lambda dropped the event"));
        let null = json!({"requestContext": {"requestId": "q-9", "condition": "RetriesExhausted"},
                          "requestPayload": null, "responsePayload": null});
        let r = parse(&msg(&null.to_string(), &[]));
        assert!(r.payload_dropped);
        assert_eq!(r.request_id.as_deref(), Some("q-9"));
        assert_eq!(r.time.as_deref(), Some("2026-11-24T08:00:00.123Z"));
        // A payload that is there but is not an event was not dropped: it is just not ours.
        let other = json!({"requestContext": {}, "requestPayload": {"hello": 1}});
        let r = parse(&msg(&other.to_string(), &[]));
        assert!(!r.payload_dropped);
        assert!(r.why_no_event().contains("no requestPayload event"));
    }

    #[test]
    fn a_redriven_event_carries_its_first_deliverys_key() {
        // No key of its own: the original EventBridge id becomes the key.
        let r = parse(&msg(&event().to_string(), &[]));
        assert_eq!(r.idempotency_key().as_deref(), Some("ev-1"));
        // A key the producer chose (or an earlier redrive set) is kept, not replaced by the id.
        let mut own = event();
        own["detail"]["idempotency-key"] = json!("order-7");
        let r = parse(&msg(&own.to_string(), &[]));
        let detail: Value = serde_json::from_str(&r.original_event().unwrap().detail).unwrap();
        assert_eq!(detail["idempotency-key"], "order-7");
        assert_eq!(detail["event-id"], "e-1");
        // An empty or non-string key is not a key: the relay would use the id, so redrive does.
        for not_a_key in [json!(""), json!(7), Value::Null] {
            let mut odd = event();
            odd["detail"]["idempotency-key"] = not_a_key;
            let r = parse(&msg(&odd.to_string(), &[]));
            let detail: Value = serde_json::from_str(&r.original_event().unwrap().detail).unwrap();
            assert_eq!(detail["idempotency-key"], "ev-1");
        }
        // An event without detail gets one holding only the key.
        let mut bare = event();
        bare.as_object_mut().unwrap().remove("detail");
        let r = parse(&msg(&bare.to_string(), &[]));
        let detail: Value = serde_json::from_str(&r.original_event().unwrap().detail).unwrap();
        assert_eq!(detail, json!({"idempotency-key": "ev-1"}));
    }

    #[test]
    fn rule_dlq_messages_read_their_attributes() {
        let r = parse(&msg(
            &event().to_string(),
            &[
                ("ERROR_CODE", "SDK_CLIENT_ERROR"),
                ("ERROR_MESSAGE", "Unable to invoke"),
                ("RETRY_ATTEMPTS", "185"),
            ],
        ));
        assert_eq!(r.shape, Shape::RuleDlq);
        assert_eq!(r.condition.as_deref(), Some("SDK_CLIENT_ERROR"));
        assert_eq!(
            r.error.as_deref(),
            Some("SDK_CLIENT_ERROR: Unable to invoke")
        );
        assert_eq!(r.attempts, Some(185));
        assert!(r.original_event().is_some());
    }

    #[test]
    fn an_event_moved_from_the_buffer_is_itself_with_its_receive_count() {
        let mut m = msg(&event().to_string(), &[]);
        m.attributes
            .insert("ApproximateReceiveCount".into(), "6".into());
        let r = parse(&m);
        assert_eq!(r.shape, Shape::Buffer);
        assert_eq!(r.receive_count, Some(6));
        assert_eq!(r.event_id.as_deref(), Some("ev-1"));
        assert_eq!(r.detail_type.as_deref(), Some("inbound-event-sent"));
        assert_eq!(r.condition, None);
        assert_eq!(r.attempts, None);
        assert!(r.original_event().is_some());
    }

    #[test]
    fn unknown_bodies_are_kept_not_fatal() {
        for body in ["not json", "[1,2]", "{\"hello\": 1}", ""] {
            let r = parse(&msg(body, &[]));
            assert_eq!(r.shape, Shape::Unknown, "{body}");
            assert_eq!(r.body.as_deref(), Some(body));
            assert!(r.original_event().is_none());
        }
    }
}
