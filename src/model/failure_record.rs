//! How large Lambda's failure record for an event can get. The record (relay-lambda/README.md,
//! "Failures") wraps the delivered event with the request and response context; when request
//! plus response exceed what the destination takes, Lambda drops the payload ("Lambda will drop
//! the payload when sending OnFailure event to the destination", AWS::Lambda::EventInvokeConfig
//! OnFailure; https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html)
//! and the event cannot be redriven. `send` warns before sending such an event.

use crate::model::event::EventEntry;

/// The template's DLQ `MaximumMessageSize`: the largest SQS allows, 1 MiB (SQS API reference,
/// SetQueueAttributes). A queue made before it may still have SQS's old default, 256 KiB.
pub const DLQ_MESSAGE_LIMIT: usize = 1024 * 1024;

/// Everything in the record besides the event's own strings, with room to spare: the event's
/// envelope (`version`, `id`, `account`, `time`, `region`, keys: ~200 bytes), `requestContext`
/// (request id, function ARN up to ~200 bytes, condition, count), `responseContext`, and the
/// relay's `responsePayload` (its `errorMessage` is cut to 160 characters of reason, each at
/// most a 6-byte escape, plus `errorType`, `requestId` and a few lines of `stackTrace`).
pub const RECORD_OVERHEAD_BYTES: usize = 16 * 1024;

/// An upper bound on the bytes of the failure record Lambda writes for `entry`: its strings as
/// the largest JSON a serializer may make of them (every non-ASCII character as `\uXXXX` per
/// UTF-16 unit, control characters as `\u00XX`), plus [`RECORD_OVERHEAD_BYTES`].
///
/// Every character grows at most threefold per UTF-8 byte (`é` → `\u00e9`, `\n` → `\u000a`),
/// so an entry PutEvents accepts (< 256 KiB) always fits the template's 1 MiB queue; a queue
/// still at SQS's old default of 256 KiB is what a big event outgrows.
pub fn record_bound(entry: &EventEntry) -> usize {
    let strings = std::iter::once(entry.source.as_str())
        .chain(std::iter::once(entry.detail_type.as_str()))
        .chain(entry.resources.iter().map(String::as_str));
    let quoted: usize = strings
        .map(|s| 2 + s.chars().map(char_bound).sum::<usize>())
        .sum();
    quoted + json_text_bound(&entry.detail) + RECORD_OVERHEAD_BYTES
}

/// True when the failure record of `entry` could be larger than a DLQ message may be: Lambda
/// would then drop the event from it.
pub fn may_lose_payload(entry: &EventEntry, dlq_limit: usize) -> bool {
    record_bound(entry) > dlq_limit
}

/// The smallest `MaximumMessageSize` an evrelay DLQ has had (SQS's old default, before the
/// template asked for 1 MiB): records up to this size fit any evrelay DLQ without asking it.
pub const SMALLEST_DLQ_LIMIT: usize = 256 * 1024;

/// Of `entries`, how many could outgrow `dlq_limit` with their failure record, and the largest
/// bound among them; `None` when every record fits.
pub fn outgrowing(entries: &[EventEntry], dlq_limit: usize) -> Option<(usize, usize)> {
    let over: Vec<usize> = entries
        .iter()
        .map(record_bound)
        .filter(|&b| b > dlq_limit)
        .collect();
    over.iter().max().map(|&largest| (over.len(), largest))
}

/// A character of a string value, written by a serializer that escapes all it may.
fn char_bound(c: char) -> usize {
    match c {
        '\\' | '"' => 2,
        c if (c as u32) < 0x20 => 6,
        c if c.is_ascii() => 1,
        c => 6 * c.len_utf16(),
    }
}

/// JSON text (the detail) as Lambda may re-serialize it: an escape sequence becomes at most
/// `\uXXXX`, any other character at most [`char_bound`].
fn json_text_bound(text: &str) -> usize {
    let mut chars = text.chars();
    let mut total = 0;
    while let Some(c) = chars.next() {
        total += match c {
            '\\' => {
                if chars.next() == Some('u') {
                    chars.by_ref().take(4).for_each(drop);
                }
                6
            }
            c => char_bound(c),
        };
    }
    total
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::event::REQUEST_LIMIT_BYTES;

    fn entry(detail: serde_json::Value) -> EventEntry {
        EventEntry {
            source: "eventProducerApp".into(),
            detail_type: "inbound-event-sent".into(),
            detail: detail.to_string(),
            resources: vec![],
        }
    }

    #[test]
    fn the_bound_covers_the_real_record_of_a_plain_event() {
        let e = entry(json!({"event-id": "e-1", "n": 1}));
        let record = json!({
            "version": "1.0", "timestamp": "2026-11-24T08:00:00.000Z",
            "requestContext": {"requestId": "8f5ad2b1-0000-4000-8000-000000000001",
                "functionArn": format!("arn:aws:lambda:ap-southeast-2:123456789012:function:{}-relay:$LATEST", "s".repeat(58)),
                "condition": "RetriesExhausted", "approximateInvokeCount": 3},
            "requestPayload": {"version": "0", "id": "5b2c8f3e-1d4a-4c7b-9e2f-0a1b2c3d4e5f",
                "detail-type": e.detail_type, "source": e.source, "account": "123456789012",
                "time": "2026-11-24T08:00:00Z", "region": "ap-southeast-2", "resources": [],
                "detail": {"event-id": "e-1", "n": 1}},
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
            "responsePayload": {"errorMessage": format!("event 5b2c8f3e-1d4a-4c7b-9e2f-0a1b2c3d4e5f: 503: {}", "\"".repeat(160)),
                "errorType": "RelayError", "requestId": "8f5ad2b1-0000-4000-8000-000000000001",
                "stackTrace": vec!["  File \"/var/task/index.py\", line 352, in handler\n    raise RelayError(...)\n"; 6]}
        });
        assert!(record.to_string().len() < record_bound(&e));
    }

    #[test]
    fn escapes_are_counted_at_their_largest() {
        let base = record_bound(&entry(json!({"s": ""})));
        let grown = |s: &str| record_bound(&entry(json!({ "s": s }))) - base;
        assert_eq!(grown(&"a".repeat(1000)), 1000);
        assert_eq!(grown(&"字".repeat(1000)), 6000);
        // `\n` in the detail's JSON (2 bytes) may become `\u000a` (6 bytes); `\\` stays 2-6.
        assert_eq!(grown(&"\n".repeat(1000)), 6000);
        assert_eq!(grown(&"\u{1}".repeat(1000)), 6000);
        let no_source = EventEntry {
            source: String::new(),
            ..entry(json!({}))
        };
        let emoji = EventEntry {
            source: "😀".into(),
            ..no_source.clone()
        };
        assert_eq!(record_bound(&emoji) - record_bound(&no_source), 12);
    }

    #[test]
    fn only_a_queue_smaller_than_the_templates_loses_an_events_payload() {
        // The largest growth there is (threefold), at the largest entry PutEvents takes: it
        // still fits the template's 1 MiB queue.
        for worst in ["é", "\n", "😀", "a"] {
            let encoded = serde_json::to_string(worst).unwrap().len() - 2;
            let n = (REQUEST_LIMIT_BYTES - 100) / encoded;
            let e = entry(json!({ "s": worst.repeat(n) }));
            assert!(e.fits(), "{worst}");
            assert!(!may_lose_payload(&e, DLQ_MESSAGE_LIMIT), "{worst}");
            // A queue still at SQS's old default of 256 KiB loses it.
            assert!(may_lose_payload(&e, 256 * 1024), "{worst}");
        }
        assert!(!may_lose_payload(&entry(json!({"n": 1})), 256 * 1024));
    }

    #[test]
    fn outgrowing_counts_the_events_over_the_limit_and_the_largest_record() {
        let small = entry(json!({"n": 1}));
        let big = entry(json!({"s": "a".repeat(250_000)}));
        let bigger = entry(json!({"s": "a".repeat(255_000)}));
        assert_eq!(
            outgrowing(std::slice::from_ref(&small), SMALLEST_DLQ_LIMIT),
            None
        );
        assert_eq!(
            outgrowing(
                &[small.clone(), big, bigger.clone(), small],
                SMALLEST_DLQ_LIMIT
            ),
            Some((2, record_bound(&bigger)))
        );
        assert_eq!(outgrowing(&[bigger], DLQ_MESSAGE_LIMIT), None);
    }
}
