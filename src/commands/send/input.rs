//! `send`'s input: the details to send (generated, inline, a file or stdin, one JSON object per
//! line), checked in full before anything is sent, and turned into entries.

use std::io::Read;

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::model::event::{EventEntry, REQUEST_LIMIT_BYTES};

use super::SendArgs;

/// Where the details came from.
pub(super) enum Details {
    /// No --detail: the tutorial's event, a fresh event-id each.
    Generated,
    /// Documents with the line each starts on.
    Given {
        label: String,
        docs: Vec<(usize, Map<String, Value>)>,
    },
}

pub(super) fn read_details(detail: Option<&str>) -> Result<Details> {
    match detail {
        None => Ok(Details::Generated),
        Some("-") => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| Error::usage(format!("cannot read the details from stdin: {e}")))?;
            parse_documents("stdin", &text)
        }
        Some(arg) if arg.starts_with('@') => {
            let path = &arg[1..];
            let text = std::fs::read_to_string(path).map_err(|e| {
                Error::usage(format!("cannot read `{path}` (--detail @{path}): {e}"))
            })?;
            parse_documents(&format!("`{path}`"), &text)
        }
        Some(inline) => parse_documents("--detail", inline),
    }
}

/// One or more JSON documents (one per line, or one spread over lines), each an object.
fn parse_documents(label: &str, text: &str) -> Result<Details> {
    let bad = |msg: String| {
        Error::usage(msg).hint("an event's detail is a JSON object, e.g. --detail '{\"event-id\": \"1\"}'; with - or @FILE, one object per line")
    };
    let mut docs = Vec::new();
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    loop {
        let before = stream.byte_offset();
        let Some(next) = stream.next() else { break };
        let value = next.map_err(|e| bad(format!("{label} is not valid JSON: {e}")))?;
        let start = before + text[before..].len() - text[before..].trim_start().len();
        let line = text[..start].matches('\n').count() + 1;
        match value {
            Value::Object(map) => docs.push((line, map)),
            other => {
                let kind = match other {
                    Value::Array(_) => "an array",
                    Value::String(_) => "a string",
                    Value::Number(_) => "a number",
                    Value::Bool(_) => "a boolean",
                    _ => "null",
                };
                return Err(bad(format!(
                    "{label}, line {line}: the detail is {kind}, not a JSON object"
                )));
            }
        }
    }
    if docs.is_empty() {
        return Err(bad(format!("{label} holds no JSON document")));
    }
    Ok(Details::Given {
        label: label.to_string(),
        docs,
    })
}

/// The entries to send, in order, with each one's `detail.event-id` (if any).
pub(super) struct Planned {
    pub entries: Vec<EventEntry>,
    pub detail_event_ids: Vec<Option<String>>,
}

/// More events than this in one run is a typo, not a test (each is held in memory).
const MAX_EVENTS: u64 = 1_000_000;

pub(super) fn plan(args: &SendArgs, details: Details) -> Result<Planned> {
    // --duration: rate × duration events in all, the details taken in turn.
    let total = args
        .rate
        .zip(args.duration)
        .map(|(rate, duration)| rate.events_in(duration));
    let docs = match &details {
        Details::Generated => 1,
        Details::Given { docs, .. } => docs.len() as u64,
    };
    let events = total.unwrap_or(args.count.saturating_mul(docs));
    if events > MAX_EVENTS {
        let what = match total {
            Some(_) => "--rate × --duration",
            None => "--count × the details",
        };
        return Err(Error::usage(format!(
            "{what} makes {events} events; one run sends at most {MAX_EVENTS}"
        ))
        .hint("send fewer, or run several sends side by side"));
    }
    let count = total.unwrap_or(args.count) as usize;
    let mut planned = Planned {
        entries: Vec::new(),
        detail_event_ids: Vec::new(),
    };
    let mut push = |mut detail: Map<String, Value>, place: &str| -> Result<()> {
        if args.return_response {
            detail.insert("return-response-event".into(), Value::Bool(true));
        }
        let entry = EventEntry {
            source: args.source.clone(),
            detail_type: args.detail_type.clone(),
            detail: Value::Object(detail.clone()).to_string(),
            resources: Vec::new(),
        };
        if !entry.fits() {
            return Err(Error::usage(format!(
                "{place} makes an event entry of {} bytes; PutEvents needs less than {REQUEST_LIMIT_BYTES} (256 KB)",
                entry.size()
            ))
            .hint("send a smaller detail, e.g. a reference to the payload in S3"));
        }
        planned.detail_event_ids.push(
            detail
                .get("event-id")
                .and_then(|v| v.as_str().map(str::to_string)),
        );
        planned.entries.push(entry);
        Ok(())
    };
    match details {
        Details::Generated => {
            // Through a global endpoint each Region's copy (replication) and each replay has
            // its own EventBridge id (eb-ge-best-practices.html: "Event IDs can change across
            // API calls"), and the relay's Idempotency-Key is that id unless the detail carries
            // one: a test event carries its event-id as the key, so both relays send the same.
            let keyed = args.global || args.endpoint_id.is_some();
            for _ in 0..count {
                let id = new_event_id();
                let mut detail =
                    Map::from_iter([("event-id".to_string(), Value::String(id.clone()))]);
                if keyed {
                    detail.insert("idempotency-key".into(), Value::String(id));
                }
                push(detail, "the event")?;
            }
        }
        Details::Given { label, docs } => {
            let several = docs.len() > 1;
            let place = |line: usize| {
                if several {
                    format!("{label}, line {line}")
                } else {
                    label.clone()
                }
            };
            match total {
                Some(total) => {
                    for (line, doc) in docs.iter().cycle().take(total as usize) {
                        push(doc.clone(), &place(*line))?;
                    }
                }
                None => {
                    for (line, doc) in &docs {
                        for _ in 0..count {
                            push(doc.clone(), &place(*line))?;
                        }
                    }
                }
            }
        }
    }
    Ok(planned)
}

/// A random (version 4) UUID, as the tutorial's producer uses for `event-id`.
fn new_event_id() -> String {
    let mut b: [u8; 16] = rand::random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn send_args(flags: &[&str]) -> SendArgs {
        #[derive(clap::Parser)]
        struct Wrap {
            #[command(flatten)]
            send: SendArgs,
        }
        let argv = std::iter::once("send").chain(flags.iter().copied());
        <Wrap as clap::Parser>::try_parse_from(argv).unwrap().send
    }

    fn details(planned: &Planned) -> Vec<Value> {
        planned
            .entries
            .iter()
            .map(|e| serde_json::from_str(&e.detail).unwrap())
            .collect()
    }

    #[test]
    fn test_events_through_a_global_endpoint_carry_their_event_id_as_the_idempotency_key() {
        let through = plan(
            &send_args(&["--global", "--count", "2"]),
            Details::Generated,
        )
        .unwrap();
        for d in details(&through) {
            assert_eq!(d["idempotency-key"], d["event-id"], "{d}");
        }
        let by_id = plan(
            &send_args(&["--endpoint-id", "abcde12345.veo"]),
            Details::Generated,
        )
        .unwrap();
        assert_eq!(
            details(&by_id)[0]["idempotency-key"],
            details(&by_id)[0]["event-id"]
        );
        // On one bus EventBridge's id is the key: the tutorial's event stays as it was.
        let plain = plan(&send_args(&[]), Details::Generated).unwrap();
        assert!(details(&plain)[0].get("idempotency-key").is_none());
    }

    #[test]
    fn documents_are_objects_one_per_line_or_one_spread_over_lines() {
        let Details::Given { docs, .. } =
            parse_documents("stdin", "{\"a\":1}\n\n{\"b\":2}\n").unwrap()
        else {
            panic!("documents expected")
        };
        assert_eq!(docs.iter().map(|d| d.0).collect::<Vec<_>>(), vec![1, 3]);
        let Details::Given { docs, .. } = parse_documents("f", "{\n  \"a\": 1\n}\n").unwrap()
        else {
            panic!("documents expected")
        };
        assert_eq!(docs.len(), 1);
        let e = parse_documents("stdin", "{}\n{\"a\": }\n").err().unwrap();
        assert!(e.message.contains("line 2"), "{}", e.message);
        assert_eq!(e.exit_code(), 2);
        let e = parse_documents("stdin", "{}\n\"text\"\n").err().unwrap();
        assert_eq!(
            e.message,
            "stdin, line 2: the detail is a string, not a JSON object"
        );
        assert!(parse_documents("stdin", "  \n").is_err());
    }

    #[test]
    fn event_ids_look_like_uuids() {
        let id = new_event_id();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert_ne!(id, new_event_id());
    }
}
