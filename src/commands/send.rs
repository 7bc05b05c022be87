//! `evrelay send`: put test events on the relay's bus and, optionally, wait for the endpoint's
//! response event.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::ops::Range;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use clap::Args;
use futures::StreamExt;
use rand::Rng;
use serde::Serialize;
use serde_json::{Map, Value};
use tokio::sync::watch;

use crate::commands::logs;
use crate::context::Context;
use crate::dlq::format_epoch_ms;
use crate::error::{AwsResultExt, Error, Result};
use crate::names::RESPONSE_DETAIL_TYPE;
use crate::printer::{Report, Style};
use crate::queues::{self, QueueDepth, Receive};

#[derive(Debug, Clone, Args)]
pub struct SendArgs {
    /// The event's detail: inline JSON, @FILE, or - for stdin (one JSON document per line).
    #[arg(long, value_name = "JSON|@FILE|-")]
    pub detail: Option<String>,

    /// The event's detail-type.
    #[arg(long, value_name = "TYPE", default_value = "inbound-event-sent")]
    pub detail_type: String,

    /// The event's source.
    #[arg(long, value_name = "SOURCE", default_value = "eventProducerApp")]
    pub source: String,

    /// The bus to send to (default: the stack's bus).
    #[arg(long, value_name = "NAME")]
    pub bus: Option<String>,

    /// How many events to send.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    pub count: u64,

    /// PutEvents requests in flight at once.
    #[arg(long, value_name = "C", default_value_t = 8, value_parser = clap::value_parser!(u64).range(1..=256))]
    pub concurrency: u64,

    /// Ask the relay for a response event and wait for it.
    #[arg(long)]
    pub return_response: bool,

    /// How long to wait for responses, e.g. 30s, 2m.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = crate::commands::parse_duration)]
    pub timeout: Duration,
}

pub async fn run(ctx: &Context, args: SendArgs) -> Result<()> {
    // The input is checked in full before any AWS call: a bad document sends nothing.
    let planned = plan(&args, read_details(args.detail.as_deref())?)?;
    let named_by_flag = args.bus.is_some();
    let bus = args.bus.clone().unwrap_or_else(|| ctx.names.bus.clone());
    let responses_queue = async {
        match args.return_response {
            true => queues::queue_url(ctx.sqs(), &ctx.names.responses_queue)
                .await
                .map(Some),
            false => Ok(None),
        }
    };
    let (bus_check, responses_url) = tokio::join!(
        ensure_bus(ctx.events(), &bus, named_by_flag),
        responses_queue
    );
    bus_check?;
    let responses_url = responses_url?;

    let started_ms = logs::now_ms();
    let started = Instant::now();
    let waiter = responses_url.as_ref().map(|_| Waiter::new());
    let sending = async {
        let result = send_all(
            ctx,
            &bus,
            &planned,
            args.concurrency as usize,
            waiter.as_ref(),
        )
        .await;
        if let Some(w) = &waiter {
            match &result {
                Ok(_) => w.sending_finished(),
                Err(_) => w.stop(),
            }
        }
        result.map(|outcomes| (outcomes, started.elapsed()))
    };
    let waiting = async {
        match (&waiter, &responses_url) {
            (Some(w), Some(url)) => {
                let receivers = (planned.entries.len() / 100).clamp(1, 8);
                w.receive(ctx, url, args.timeout, receivers).await
            }
            _ => Ok(()),
        }
    };
    let (sent, waited) = tokio::join!(sending, waiting);
    let (outcomes, elapsed) = sent?;
    waited?;

    let mut report = build_report(&bus, &planned, outcomes, elapsed, waiter);
    let timed_out = report.responses.as_ref().is_some_and(|r| r.missing > 0);
    if timed_out {
        report.diagnosis = Some(diagnose(ctx, started_ms).await);
    }
    ctx.printer.report(&report)?;
    outcome_error(&report, args.timeout)
}

/// Exit 1 when an entry was refused or a response never came.
fn outcome_error(report: &SendReport, timeout: Duration) -> Result<()> {
    let s = &report.summary;
    if s.failed > 0 {
        let code = report
            .events
            .iter()
            .find_map(|e| e.error_code.clone())
            .unwrap_or_default();
        return Err(Error::failed(format!(
            "{} of {} events were not accepted by EventBridge ({code})",
            s.failed, s.events
        ))
        .hint("the output lists each refused entry with its error"));
    }
    if let Some(r) = report.responses.as_ref().filter(|r| r.missing > 0) {
        return Err(Error::failed(format!(
            "no response for {} of {} events within {} s",
            r.missing,
            r.expected,
            timeout.as_secs()
        ))
        .hint("`evrelay dlq peek` lists failed deliveries; `evrelay logs --since 10m` shows the relay's log"));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Input: the details to send, checked before anything is sent.

/// Where the details came from.
enum Details {
    /// No --detail: the tutorial's event, a fresh event-id each.
    Generated,
    /// Documents with the line each starts on.
    Given {
        label: String,
        docs: Vec<(usize, Map<String, Value>)>,
    },
}

fn read_details(detail: Option<&str>) -> Result<Details> {
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
struct Planned {
    entries: Vec<EventEntry>,
    event_ids: Vec<Option<String>>,
}

fn plan(args: &SendArgs, details: Details) -> Result<Planned> {
    let count = args.count as usize;
    let mut planned = Planned {
        entries: Vec::new(),
        event_ids: Vec::new(),
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
        if entry.size() > MAX_REQUEST_BYTES {
            return Err(Error::usage(format!(
                "{place} makes an event entry of {} bytes; PutEvents accepts at most {MAX_REQUEST_BYTES} (256 KB)",
                entry.size()
            ))
            .hint("send a smaller detail, e.g. a reference to the payload in S3"));
        }
        planned.event_ids.push(
            detail
                .get("event-id")
                .and_then(|v| v.as_str().map(str::to_string)),
        );
        planned.entries.push(entry);
        Ok(())
    };
    match details {
        Details::Generated => {
            for _ in 0..count {
                let detail =
                    Map::from_iter([("event-id".to_string(), Value::String(new_event_id()))]);
                push(detail, "the event")?;
            }
        }
        Details::Given { label, docs } => {
            let several = docs.len() > 1;
            for (line, doc) in docs {
                let place = if several {
                    format!("{label}, line {line}")
                } else {
                    label.clone()
                };
                for _ in 0..count {
                    push(doc.clone(), &place)?;
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

// ---------------------------------------------------------------------------------------------
// Sending

/// PutEvents for every planned entry, `concurrency` requests in flight. Accepted entries are
/// handed to the waiter (if any) as soon as their request returns.
async fn send_all(
    ctx: &Context,
    bus: &str,
    planned: &Planned,
    concurrency: usize,
    waiter: Option<&Waiter>,
) -> Result<Vec<EntryOutcome>> {
    let n = planned.entries.len();
    let sizes: Vec<usize> = planned.entries.iter().map(EventEntry::size).collect();
    let progress = ctx.printer.progress(n as u64, "sending");
    let mut outcomes: Vec<Option<EntryOutcome>> = vec![None; n];
    let mut requests = futures::stream::iter(pack(&sizes))
        .map(|range| async move {
            let result = put_batch(ctx.events(), bus, &planned.entries[range.clone()]).await;
            (range, result)
        })
        .buffer_unordered(concurrency.max(1));
    let mut accepted = 0;
    while let Some((range, result)) = requests.next().await {
        let batch = result.map_err(|mut e| {
            progress.finish_and_clear();
            e.message = format!(
                "{} ({accepted} of {n} events were sent before it)",
                e.message
            );
            e
        })?;
        progress.inc(range.len() as u64);
        for (i, outcome) in range.zip(batch) {
            if let (true, Some(w), Some(id)) = (outcome.ok(), waiter, &outcome.event_id) {
                w.expect(id, i, outcome.sent_at);
            }
            accepted += usize::from(outcome.ok());
            outcomes[i] = Some(outcome);
        }
    }
    progress.finish_and_clear();
    Ok(outcomes
        .into_iter()
        .map(|o| {
            o.unwrap_or(EntryOutcome {
                event_id: None,
                error_code: Some("NotSent".into()),
                error_message: Some("no PutEvents result".into()),
                attempts: 0,
                sent_at: None,
            })
        })
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Waiting for response events

/// The endpoint's answer, as the relay reported it in its `outbound-event-sent` event.
#[derive(Debug, Clone, Serialize)]
pub struct Response {
    pub status: Value,
    pub response: Value,
    /// The relay's own measure: the POST to the endpoint.
    pub relay_latency_ms: Option<u64>,
    /// From the PutEvents call to the response's arrival here.
    pub round_trip_ms: u64,
}

struct Waiter {
    state: Mutex<WaitState>,
    finished: watch::Sender<bool>,
}

#[derive(Default)]
struct WaitState {
    /// EventBridge event id → (event index, when its PutEvents call started).
    pending: HashMap<String, (usize, Option<Instant>)>,
    /// Request ids already answered: a duplicate delivery is still ours.
    answered: HashSet<String>,
    responses: HashMap<usize, Response>,
    sending_done_at: Option<Instant>,
}

enum Owner {
    Ours,
    Foreign,
}

impl Waiter {
    fn new() -> Self {
        Self {
            state: Mutex::new(WaitState::default()),
            finished: watch::channel(false).0,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, WaitState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn expect(&self, event_id: &str, index: usize, sent_at: Option<Instant>) {
        self.lock()
            .pending
            .insert(event_id.to_string(), (index, sent_at));
    }

    fn sending_finished(&self) {
        let mut st = self.lock();
        st.sending_done_at = Some(Instant::now());
        if st.pending.is_empty() {
            self.finished.send_replace(true);
        }
    }

    fn stop(&self) {
        self.finished.send_replace(true);
    }

    /// Claims a response for one of our events.
    fn take(&self, request_id: &str, detail: &Value, received_at: Instant) -> Owner {
        let mut st = self.lock();
        let Some((index, sent_at)) = st.pending.remove(request_id) else {
            return if st.answered.contains(request_id) {
                Owner::Ours
            } else {
                Owner::Foreign
            };
        };
        st.answered.insert(request_id.to_string());
        let response = Response {
            status: detail.get("status").cloned().unwrap_or(Value::Null),
            response: detail.get("response").cloned().unwrap_or(Value::Null),
            relay_latency_ms: detail
                .get("latency-ms")
                .and_then(Value::as_f64)
                .map(|v| v.round() as u64),
            round_trip_ms: sent_at.map_or(0, |t| {
                received_at.saturating_duration_since(t).as_millis() as u64
            }),
        };
        st.responses.insert(index, response);
        if st.pending.is_empty() && st.sending_done_at.is_some() {
            self.finished.send_replace(true);
        }
        Owner::Ours
    }

    /// How long a receive may wait: up to 20 s, never past the deadline (`timeout` after the
    /// last event was sent). `None` once the deadline has passed. While events are still being
    /// sent the deadline is unknown: short polls, so none outlasts it.
    fn poll_wait(&self, timeout: Duration) -> Option<Duration> {
        let st = self.lock();
        match st.sending_done_at {
            None => Some(Duration::from_secs(1)),
            Some(done) => {
                let left = (done + timeout).checked_duration_since(Instant::now())?;
                (!left.is_zero()).then(|| left.min(Duration::from_secs(20)))
            }
        }
    }

    /// Long-polls the responses queue with `receivers` concurrent receivers until every event
    /// has its response or the deadline passes. Our responses are deleted; other senders' are
    /// made visible again at once.
    async fn receive(
        &self,
        ctx: &Context,
        url: &str,
        timeout: Duration,
        receivers: usize,
    ) -> Result<()> {
        let sqs = ctx.sqs();
        let receiver = || async {
            let mut finished = self.finished.subscribe();
            let mut backoff = Duration::ZERO;
            loop {
                if *finished.borrow_and_update() {
                    return Ok(());
                }
                let Some(wait) = self.poll_wait(timeout) else {
                    return Ok(());
                };
                // Whole seconds for SQS; under a second left: one short poll, then a pause.
                let opts = Receive {
                    max: 10,
                    wait,
                    visibility: Duration::from_secs(10),
                };
                // Stopping mid-poll may leave messages SQS just handed over hidden for the
                // 10 s visibility timeout: short, and only when every response is in.
                let messages = tokio::select! {
                    r = queues::receive(sqs, url, opts) => r?,
                    _ = finished.changed() => return Ok(()),
                };
                let received_at = Instant::now();
                let (mut ours, mut foreign) = (Vec::new(), Vec::new());
                for m in &messages {
                    match response_of(&m.body) {
                        Some((request_id, detail)) => {
                            match self.take(&request_id, &detail, received_at) {
                                Owner::Ours => ours.push(m),
                                Owner::Foreign => foreign.push(m),
                            }
                        }
                        None => foreign.push(m),
                    }
                }
                let (deleted, released) = tokio::join!(
                    queues::delete(sqs, url, &ours),
                    queues::release(sqs, url, &foreign)
                );
                deleted?;
                released?;
                // Only others' messages (or none, with under a second left): pause, so the
                // same foreign messages are not received back in a tight loop.
                if ours.is_empty() && (!foreign.is_empty() || wait < Duration::from_secs(1)) {
                    backoff =
                        (backoff * 2).clamp(Duration::from_millis(200), Duration::from_secs(2));
                    tokio::time::sleep(backoff.min(wait.max(Duration::from_millis(50)))).await;
                } else {
                    backoff = Duration::ZERO;
                }
            }
        };
        futures::future::try_join_all((0..receivers.max(1)).map(|_| receiver()))
            .await
            .map(|_| ())
    }
}

/// `(request-id, detail)` of an `outbound-event-sent` event; `None` for anything else.
fn response_of(body: &str) -> Option<(String, Value)> {
    let event: Value = serde_json::from_str(body).ok()?;
    if event.get("detail-type")?.as_str()? != RESPONSE_DETAIL_TYPE {
        return None;
    }
    let detail = event.get("detail")?;
    let request_id = detail.get("request-id")?.as_str()?.to_string();
    Some((request_id, detail.clone()))
}

/// What is known when responses did not come: the DLQ's depth and the relay's latest errors.
async fn diagnose(ctx: &Context, since_ms: i64) -> Diagnosis {
    let names = &ctx.names;
    let dlq = async {
        match queues::find_queue_url(ctx.sqs(), &names.dlq).await? {
            Some(url) => queues::depth(ctx.sqs(), &url).await.map(Some),
            None => Ok(None),
        }
    };
    let errors = logs::filter_events(
        ctx.logs(),
        &names.relay_log_group,
        logs::Origin::Relay,
        since_ms,
        Some("?failed ?ERROR"),
    );
    let (dlq, errors) = tokio::join!(dlq, errors);
    let mut diagnosis = Diagnosis {
        dlq: names.dlq.clone(),
        dlq_depth: None,
        relay_log_group: names.relay_log_group.clone(),
        recent_errors: Vec::new(),
        notes: Vec::new(),
    };
    match dlq {
        Ok(Some(depth)) => diagnosis.dlq_depth = Some(depth),
        Ok(None) => diagnosis
            .notes
            .push(format!("queue `{}` not found", names.dlq)),
        Err(e) => diagnosis
            .notes
            .push(format!("could not read the DLQ's depth: {}", e.message)),
    }
    match errors {
        Ok(Some(lines)) => {
            let matching: Vec<_> = lines
                .into_iter()
                .filter(|l| l.message.contains("failed") || l.message.contains("ERROR"))
                .collect();
            let skip = matching.len().saturating_sub(5);
            diagnosis.recent_errors = matching
                .into_iter()
                .skip(skip)
                .map(|l| LogExcerpt {
                    time: format_epoch_ms(l.timestamp),
                    message: l.message.trim_end().to_string(),
                })
                .collect();
        }
        Ok(None) => diagnosis.notes.push(format!(
            "log group `{}` does not exist yet",
            names.relay_log_group
        )),
        Err(e) => diagnosis
            .notes
            .push(format!("could not read the relay's log: {}", e.message)),
    }
    diagnosis
}

// ---------------------------------------------------------------------------------------------
// The report

#[derive(Debug, Serialize)]
struct SendReport {
    bus: String,
    events: Vec<EventResult>,
    summary: Summary,
    #[serde(skip_serializing_if = "Option::is_none")]
    responses: Option<ResponseSummary>,
    /// Only when responses timed out.
    #[serde(skip_serializing_if = "Option::is_none")]
    diagnosis: Option<Diagnosis>,
}

#[derive(Debug, Serialize)]
struct EventResult {
    /// The detail's `event-id`.
    event_id: Option<String>,
    /// The id EventBridge gave the event (the relay's `request-id`).
    eventbridge_id: Option<String>,
    error_code: Option<String>,
    error_message: Option<String>,
    attempts: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    response: Option<Response>,
}

#[derive(Debug, Serialize)]
struct Summary {
    events: usize,
    sent: usize,
    failed: usize,
    elapsed_ms: u64,
    events_per_second: f64,
}

#[derive(Debug, Serialize)]
struct ResponseSummary {
    expected: usize,
    received: usize,
    missing: usize,
    round_trip_ms: Option<Percentiles>,
    relay_latency_ms: Option<Percentiles>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Percentiles {
    p50: u64,
    p90: u64,
    p99: u64,
    max: u64,
}

impl Percentiles {
    /// Nearest-rank percentiles.
    fn of(mut values: Vec<u64>) -> Option<Self> {
        if values.is_empty() {
            return None;
        }
        values.sort_unstable();
        let rank = |p: f64| {
            values[((p / 100.0 * values.len() as f64).ceil() as usize).clamp(1, values.len()) - 1]
        };
        Some(Self {
            p50: rank(50.0),
            p90: rank(90.0),
            p99: rank(99.0),
            max: values[values.len() - 1],
        })
    }

    fn line(&self) -> String {
        format!(
            "p50 {} ms, p90 {} ms, p99 {} ms, max {} ms",
            self.p50, self.p90, self.p99, self.max
        )
    }
}

#[derive(Debug, Serialize)]
struct Diagnosis {
    dlq: String,
    dlq_depth: Option<QueueDepth>,
    relay_log_group: String,
    recent_errors: Vec<LogExcerpt>,
    notes: Vec<String>,
}

#[derive(Debug, Serialize)]
struct LogExcerpt {
    time: String,
    message: String,
}

fn build_report(
    bus: &str,
    planned: &Planned,
    outcomes: Vec<EntryOutcome>,
    elapsed: Duration,
    waiter: Option<Waiter>,
) -> SendReport {
    let mut responses = waiter.map(|w| std::mem::take(&mut w.lock().responses));
    let events: Vec<EventResult> = outcomes
        .into_iter()
        .enumerate()
        .map(|(i, o)| EventResult {
            event_id: planned.event_ids[i].clone(),
            eventbridge_id: o.event_id,
            error_code: o.error_code,
            error_message: o.error_message,
            attempts: o.attempts,
            response: responses.as_mut().and_then(|r| r.remove(&i)),
        })
        .collect();
    let sent = events.iter().filter(|e| e.error_code.is_none()).count();
    let summary = Summary {
        events: events.len(),
        sent,
        failed: events.len() - sent,
        elapsed_ms: elapsed.as_millis() as u64,
        events_per_second: if elapsed.is_zero() {
            0.0
        } else {
            (sent as f64 / elapsed.as_secs_f64() * 10.0).round() / 10.0
        },
    };
    let responses = responses.map(|_| {
        let got: Vec<&Response> = events.iter().filter_map(|e| e.response.as_ref()).collect();
        ResponseSummary {
            expected: sent,
            received: got.len(),
            missing: sent - got.len(),
            round_trip_ms: Percentiles::of(got.iter().map(|r| r.round_trip_ms).collect()),
            relay_latency_ms: Percentiles::of(
                got.iter().filter_map(|r| r.relay_latency_ms).collect(),
            ),
        }
    });
    SendReport {
        bus: bus.to_string(),
        events,
        summary,
        responses,
        diagnosis: None,
    }
}

/// Up to this many events are listed one per row; beyond it, only the refused ones.
const LIST_LIMIT: usize = 20;

fn compact(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        other => other.to_string(),
    }
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max - 1).collect::<String>())
    }
}

fn or_dash(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "-".into())
}

impl SendReport {
    fn error_cell(e: &EventResult) -> String {
        shorten(
            &format!(
                "{}: {}",
                or_dash(&e.error_code),
                e.error_message.as_deref().unwrap_or("")
            ),
            70,
        )
    }

    fn events_table(&self, style: &Style) -> Option<String> {
        let with_responses = self.responses.is_some();
        let listed: Vec<&EventResult> = if self.events.len() <= LIST_LIMIT {
            self.events.iter().collect()
        } else {
            self.events
                .iter()
                .filter(|e| e.error_code.is_some())
                .take(LIST_LIMIT)
                .collect()
        };
        if listed.is_empty() {
            return None;
        }
        let mut table = if with_responses {
            style.table(["event id", "status", "round trip", "relay", "response"])
        } else {
            style.table(["event id", "eventbridge id", "result"])
        };
        for e in listed {
            let row = match (&e.error_code, &e.response, with_responses) {
                (Some(_), _, true) => vec![
                    or_dash(&e.event_id),
                    Self::error_cell(e),
                    "-".into(),
                    "-".into(),
                    "-".into(),
                ],
                (Some(_), _, false) => vec![or_dash(&e.event_id), "-".into(), Self::error_cell(e)],
                (None, _, false) => vec![
                    or_dash(&e.event_id),
                    or_dash(&e.eventbridge_id),
                    "sent".into(),
                ],
                (None, Some(r), true) => vec![
                    or_dash(&e.event_id),
                    compact(&r.status),
                    format!("{} ms", r.round_trip_ms),
                    r.relay_latency_ms
                        .map_or("-".into(), |ms| format!("{ms} ms")),
                    shorten(&compact(&r.response), 60),
                ],
                (None, None, true) => vec![
                    or_dash(&e.event_id),
                    style.yellow("no response"),
                    "-".into(),
                    "-".into(),
                    "-".into(),
                ],
            };
            table.add_row(row);
        }
        let title = if self.events.len() > LIST_LIMIT {
            format!("{}\n", style.bold("Refused entries:"))
        } else {
            String::new()
        };
        Some(format!("{title}{table}"))
    }
}

impl SendReport {
    /// One event: its ids and, with --return-response, the endpoint's answer, line by line.
    fn single_event(&self, style: &Style) -> String {
        let e = &self.events[0];
        let mut rows = vec![
            ("event id", or_dash(&e.event_id)),
            ("eventbridge id", or_dash(&e.eventbridge_id)),
        ];
        if e.error_code.is_some() {
            rows.push(("refused", style.red(&Self::error_cell(e))));
        } else if self.responses.is_some() {
            match &e.response {
                Some(r) => {
                    rows.push(("status", compact(&r.status)));
                    rows.push(("round trip", format!("{} ms", r.round_trip_ms)));
                    let relay = r
                        .relay_latency_ms
                        .map_or("-".into(), |ms| format!("{ms} ms"));
                    rows.push(("relay latency", relay));
                    rows.push(("response", compact(&r.response)));
                }
                None => rows.push(("response", style.yellow("none (timed out)"))),
            }
        }
        rows.iter()
            .map(|(k, v)| format!("{:<15} {v}", style.bold(k)))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

impl Report for SendReport {
    fn render(&self, style: &Style) -> String {
        let mut parts = Vec::new();
        if self.events.len() == 1 {
            parts.push(self.single_event(style));
        } else if let Some(table) = self.events_table(style) {
            parts.push(table);
        }
        let s = &self.summary;
        let what = if s.sent == s.events {
            plural(s.events, "event")
        } else {
            format!("{} of {}", s.sent, plural(s.events, "event"))
        };
        let mut summary = format!(
            "Sent {what} to `{}` in {:.2} s ({} events/s)",
            self.bus,
            s.elapsed_ms as f64 / 1000.0,
            s.events_per_second
        );
        if s.failed > 0 {
            summary.push_str(&format!(
                "; {}",
                style.red(&format!("{} refused", s.failed))
            ));
        }
        summary.push('.');
        if let Some(r) = self.responses.as_ref().filter(|_| self.events.len() > 1) {
            summary.push_str(&format!("\nResponses: {} of {}.", r.received, r.expected));
            if let Some(p) = &r.round_trip_ms {
                summary.push_str(&format!("\nRound trip: {}.", p.line()));
            }
            if let Some(p) = &r.relay_latency_ms {
                summary.push_str(&format!("\nRelay latency: {}.", p.line()));
            }
        }
        parts.push(summary);
        if let Some(d) = &self.diagnosis {
            parts.push(render_diagnosis(d, style));
        }
        parts.join("\n\n")
    }
}

fn render_diagnosis(d: &Diagnosis, style: &Style) -> String {
    let mut out = style.bold("While waiting:").to_string();
    if let Some(depth) = &d.dlq_depth {
        out.push_str(&format!(
            "\n  DLQ `{}` holds about {} messages ({} in flight).",
            d.dlq, depth.visible, depth.in_flight
        ));
    }
    if d.recent_errors.is_empty() {
        out.push_str(&format!(
            "\n  No failure lines in `{}` since the send.",
            d.relay_log_group
        ));
    } else {
        out.push_str(&format!(
            "\n  Latest failure lines in `{}`:",
            d.relay_log_group
        ));
        for e in &d.recent_errors {
            out.push_str(&format!(
                "\n    {}  {}",
                e.time,
                shorten(&e.message.replace('\n', " "), 160)
            ));
        }
    }
    for note in &d.notes {
        out.push_str(&format!("\n  note: {note}"));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// PutEvents, shared with `dlq redrive`.

/// PutEvents takes at most 10 entries, and at most 256 KB of entries per request.
pub const MAX_ENTRIES_PER_REQUEST: usize = 10;
pub const MAX_REQUEST_BYTES: usize = 256 * 1024;

/// Attempts per entry when PutEvents reports it throttled or failed internally.
const MAX_ATTEMPTS: u32 = 6;

/// One event to put on a bus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventEntry {
    pub source: String,
    pub detail_type: String,
    pub detail: String,
    pub resources: Vec<String>,
}

impl EventEntry {
    /// The size EventBridge counts against the 256 KB limit ("Calculating PutEvents event entry
    /// size"): the UTF-8 bytes of Source, DetailType, Detail and each Resource, plus 14 for a
    /// Time (never set here).
    pub fn size(&self) -> usize {
        self.source.len()
            + self.detail_type.len()
            + self.detail.len()
            + self.resources.iter().map(String::len).sum::<usize>()
    }
}

/// Splits entries, in order, into requests of at most 10 entries and 256 KB. An entry over the
/// limit on its own gets a request of its own (and is refused by EventBridge).
pub fn pack(sizes: &[usize]) -> Vec<Range<usize>> {
    let mut batches = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, &size) in sizes.iter().enumerate() {
        let full = i - start == MAX_ENTRIES_PER_REQUEST || bytes + size > MAX_REQUEST_BYTES;
        if i > start && full {
            batches.push(start..i);
            start = i;
            bytes = 0;
        }
        bytes += size;
    }
    if start < sizes.len() {
        batches.push(start..sizes.len());
    }
    batches
}

/// What became of one entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryOutcome {
    /// The id EventBridge gave the event.
    pub event_id: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    /// PutEvents calls this entry took.
    pub attempts: u32,
    /// When the call that accepted (or finally refused) this entry started.
    #[serde(skip)]
    pub sent_at: Option<Instant>,
}

impl EntryOutcome {
    pub fn ok(&self) -> bool {
        self.error_code.is_none() && self.event_id.is_some()
    }
}

/// Per-entry errors that are worth another try (the PutEvents reference's retry advice).
fn retryable(code: &str) -> bool {
    matches!(
        code,
        "ThrottlingException" | "InternalFailure" | "InternalException"
    )
}

/// Exponential backoff with full jitter: a random wait in [0, min(2 s, 100 ms × 2^attempt)].
fn backoff(attempt: u32) -> Duration {
    let cap = Duration::from_millis(100u64 << attempt.min(5)).min(Duration::from_secs(2));
    Duration::from_millis(rand::thread_rng().gen_range(0..=cap.as_millis() as u64))
}

/// One PutEvents request (≤ 10 entries, ≤ 256 KB), retrying entries EventBridge reports as
/// throttled or failed internally. Outcomes come back in the entries' order. Whole-request
/// failures (throttling of the call itself is retried by the SDK) are errors.
pub async fn put_batch(
    client: &aws_sdk_eventbridge::Client,
    bus: &str,
    entries: &[EventEntry],
) -> Result<Vec<EntryOutcome>> {
    let mut outcomes: Vec<EntryOutcome> = entries
        .iter()
        .map(|_| EntryOutcome {
            event_id: None,
            error_code: None,
            error_message: None,
            attempts: 0,
            sent_at: None,
        })
        .collect();
    let mut pending: Vec<usize> = (0..entries.len()).collect();
    for attempt in 0..MAX_ATTEMPTS {
        let request: Vec<PutEventsRequestEntry> = pending
            .iter()
            .map(|&i| {
                let e = &entries[i];
                PutEventsRequestEntry::builder()
                    .event_bus_name(bus)
                    .source(&e.source)
                    .detail_type(&e.detail_type)
                    .detail(&e.detail)
                    .set_resources((!e.resources.is_empty()).then(|| e.resources.clone()))
                    .build()
            })
            .collect();
        let started = Instant::now();
        let out = client
            .put_events()
            .set_entries(Some(request))
            .send()
            .await
            .aws_context("PutEvents")?;
        let results = out.entries.unwrap_or_default();
        let mut retry = Vec::new();
        for (n, &i) in pending.iter().enumerate() {
            let o = &mut outcomes[i];
            o.attempts = attempt + 1;
            o.sent_at = Some(started);
            match results.get(n) {
                Some(r) if r.error_code.is_none() && r.event_id.is_some() => {
                    o.event_id = r.event_id.clone()
                }
                Some(r) => {
                    let code = r.error_code.clone().unwrap_or_else(|| "Unknown".into());
                    if retryable(&code) && attempt + 1 < MAX_ATTEMPTS {
                        retry.push(i);
                    }
                    o.error_code = Some(code);
                    o.error_message = r.error_message.clone();
                }
                None => {
                    o.error_code = Some("NoResult".into());
                    o.error_message = Some("PutEvents returned fewer results than entries".into());
                }
            }
        }
        if retry.is_empty() {
            break;
        }
        tokio::time::sleep(backoff(attempt)).await;
        for &i in &retry {
            outcomes[i].error_code = None;
            outcomes[i].error_message = None;
        }
        pending = retry;
    }
    Ok(outcomes)
}

/// Fails with a clear message when the bus does not exist, before anything is sent.
pub async fn ensure_bus(
    client: &aws_sdk_eventbridge::Client,
    bus: &str,
    named_by_flag: bool,
) -> Result<()> {
    match client.describe_event_bus().name(bus).send().await {
        Ok(_) => Ok(()),
        Err(e) if e.code() == Some("ResourceNotFoundException") => {
            let hint = if named_by_flag {
                "check the name given to --bus (`aws events list-event-buses` lists them)"
            } else {
                "deploy the relay with `evrelay deploy`, or pass --stack with the relay's stack name"
            };
            Err(Error::failed(format!("bus `{bus}` not found")).hint(hint))
        }
        Err(e) => Err(Error::aws("DescribeEventBus", e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_size_follows_the_documented_calculation() {
        let e = EventEntry {
            source: "src".into(),
            detail_type: "dt".into(),
            detail: "{\"é\":1}".into(),
            resources: vec!["arn:x".into()],
        };
        assert_eq!(e.size(), 3 + 2 + 8 + 5);
    }

    #[test]
    fn batches_hold_ten_entries_and_256kb_at_most() {
        assert_eq!(pack(&[1; 25]), vec![0..10, 10..20, 20..25]);
        assert_eq!(pack(&[]), Vec::<Range<usize>>::new());
        let big = MAX_REQUEST_BYTES / 2;
        assert_eq!(pack(&[big, big, 1, big]), vec![0..2, 2..4]);
        assert_eq!(pack(&[big, big + 1, 5]), vec![0..1, 1..3]);
        // An oversized entry stands alone.
        assert_eq!(pack(&[1, MAX_REQUEST_BYTES + 1, 1]), vec![0..1, 1..2, 2..3]);
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

    #[test]
    fn percentiles_are_nearest_rank() {
        let p = Percentiles::of((1..=100).collect()).unwrap();
        assert_eq!(
            p,
            Percentiles {
                p50: 50,
                p90: 90,
                p99: 99,
                max: 100
            }
        );
        let p = Percentiles::of(vec![7]).unwrap();
        assert_eq!((p.p50, p.p99, p.max), (7, 7, 7));
        assert!(Percentiles::of(Vec::new()).is_none());
    }

    #[test]
    fn responses_are_claimed_once_and_others_left() {
        let w = Waiter::new();
        w.expect("eb-1", 0, Some(Instant::now()));
        let body = serde_json::json!({"detail-type": "outbound-event-sent",
            "detail": {"request-id": "eb-1", "status": 200, "response": {"ok": true}, "latency-ms": 12.4}});
        let (rid, detail) = response_of(&body.to_string()).unwrap();
        assert!(matches!(w.take(&rid, &detail, Instant::now()), Owner::Ours));
        // A second delivery of the same response is ours too; someone else's is not.
        assert!(matches!(w.take(&rid, &detail, Instant::now()), Owner::Ours));
        assert!(matches!(
            w.take("eb-other", &detail, Instant::now()),
            Owner::Foreign
        ));
        assert_eq!(w.lock().responses[&0].relay_latency_ms, Some(12));
        assert!(response_of("{\"detail-type\": \"inbound-event-sent\", \"detail\": {}}").is_none());
        assert!(response_of("not json").is_none());
        // Every response in and sending done: finished.
        assert!(!*w.finished.borrow());
        w.sending_finished();
        assert!(*w.finished.borrow());
    }

    #[test]
    fn polls_never_outlast_the_deadline() {
        let w = Waiter::new();
        assert_eq!(
            w.poll_wait(Duration::from_secs(30)),
            Some(Duration::from_secs(1))
        );
        w.sending_finished();
        let wait = w.poll_wait(Duration::from_secs(30)).unwrap();
        assert!(wait <= Duration::from_secs(20));
        let wait = w.poll_wait(Duration::from_secs(5)).unwrap();
        assert!(wait <= Duration::from_secs(5));
        assert_eq!(w.poll_wait(Duration::ZERO), None);
    }

    #[test]
    fn backoff_is_bounded() {
        for attempt in 0..10 {
            assert!(backoff(attempt) <= Duration::from_secs(2));
        }
        assert!(
            retryable("ThrottlingException")
                && retryable("InternalFailure")
                && !retryable("MalformedDetail")
        );
    }
}
