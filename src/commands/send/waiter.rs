//! `send --return-response`: long-polls the responses queue for the relay's
//! `outbound-event-sent` events, claims ours (by the EventBridge id the relay echoes as
//! `request-id`) and leaves other senders' responses visible for them. Through a global endpoint
//! the response comes back in the Region whose relay delivered the event: both Regions' queues
//! are watched, and each response says which one it came from.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;
use tokio::sync::watch;

use crate::aws::sqs::{self, Receive};
use crate::error::Result;
use crate::names::RESPONSE_DETAIL_TYPE;

/// The endpoint's answer, as the relay reported it in its `outbound-event-sent` event.
#[derive(Debug, Clone, Serialize)]
pub struct Response {
    pub status: Value,
    pub response: Value,
    /// The relay's own measure: the POST to the endpoint.
    pub relay_latency_ms: Option<u64>,
    /// From the PutEvents call to the response's arrival here.
    pub round_trip_ms: u64,
    /// Through a global endpoint: the Region whose relay answered (its responses queue).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answered_by_region: Option<String>,
}

pub(super) struct Waiter {
    state: Mutex<WaitState>,
    pub(super) finished: watch::Sender<bool>,
    /// For the spinner: responses received of those expected, once sending is done.
    progress: watch::Sender<Progress>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Progress {
    pub sending_done: bool,
    pub received: usize,
    pub expected: usize,
}

#[derive(Default)]
pub(super) struct WaitState {
    /// EventBridge event id → (event index, when its PutEvents call started).
    pending: HashMap<String, (usize, Option<Instant>)>,
    /// Request ids already answered: a duplicate delivery is still ours.
    answered: HashSet<String>,
    pub(super) responses: HashMap<usize, Response>,
    sending_done_at: Option<Instant>,
}

pub(super) enum Owner {
    Ours,
    Foreign,
}

impl Waiter {
    pub(super) fn new() -> Self {
        Self {
            state: Mutex::new(WaitState::default()),
            finished: watch::channel(false).0,
            progress: watch::channel(Progress::default()).0,
        }
    }

    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, WaitState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(super) fn expect(&self, event_id: &str, index: usize, sent_at: Option<Instant>) {
        self.lock()
            .pending
            .insert(event_id.to_string(), (index, sent_at));
    }

    pub(super) fn sending_finished(&self) {
        let mut st = self.lock();
        st.sending_done_at = Some(Instant::now());
        self.progress.send_replace(Progress {
            sending_done: true,
            received: st.answered.len(),
            expected: st.answered.len() + st.pending.len(),
        });
        if st.pending.is_empty() {
            self.finished.send_replace(true);
        }
    }

    pub(super) fn stop(&self) {
        self.finished.send_replace(true);
    }

    /// Claims a response for one of our events.
    pub(super) fn take(
        &self,
        request_id: &str,
        detail: &Value,
        received_at: Instant,
        region: Option<&str>,
    ) -> Owner {
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
            answered_by_region: region.map(str::to_string),
        };
        st.responses.insert(index, response);
        self.progress
            .send_modify(|p| p.received = st.answered.len());
        if st.pending.is_empty() && st.sending_done_at.is_some() {
            self.finished.send_replace(true);
        }
        Owner::Ours
    }

    /// How long a receive may wait: up to 20 s, never past the deadline (`timeout` after the
    /// last event was sent). `None` once the deadline has passed. While events are still being
    /// sent the deadline is unknown: short polls, so none outlasts it.
    pub(super) fn poll_wait(&self, timeout: Duration) -> Option<Duration> {
        let st = self.lock();
        match st.sending_done_at {
            None => Some(Duration::from_secs(1)),
            Some(done) => {
                let left = (done + timeout).checked_duration_since(Instant::now())?;
                (!left.is_zero()).then(|| left.min(Duration::from_secs(20)))
            }
        }
    }

    /// The spinner while the responses come in, after the last event is sent: "Waiting for
    /// responses: 3 of 10". Runs until dropped (the spinner clears itself then).
    pub(super) async fn show_progress(&self, printer: &crate::printer::Printer) {
        let mut rx = self.progress.subscribe();
        if rx.wait_for(|p| p.sending_done).await.is_err() {
            return;
        }
        let spinner = printer.spinner("Waiting for responses");
        loop {
            let p = *rx.borrow_and_update();
            spinner.set_message(format!(
                "Waiting for responses: {} of {}",
                p.received, p.expected
            ));
            if rx.changed().await.is_err() {
                return;
            }
        }
    }

    /// Long-polls one responses queue with `receivers` concurrent receivers until every event
    /// has its response or the deadline passes. Our responses are deleted; other senders' are
    /// made visible again at once.
    pub(super) async fn receive(
        &self,
        queue: &ResponsesQueue,
        timeout: Duration,
        receivers: usize,
    ) -> Result<()> {
        let (client, url) = (&queue.client, queue.url.as_str());
        let region = queue.region.as_deref();
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
                    r = sqs::receive(client, url, opts) => r?,
                    _ = finished.changed() => return Ok(()),
                };
                let received_at = Instant::now();
                let (mut ours, mut foreign) = (Vec::new(), Vec::new());
                for m in &messages {
                    match response_of(&m.body) {
                        Some((request_id, detail)) => {
                            match self.take(&request_id, &detail, received_at, region) {
                                Owner::Ours => ours.push(m),
                                Owner::Foreign => foreign.push(m),
                            }
                        }
                        None => foreign.push(m),
                    }
                }
                let (deleted, released) = tokio::join!(
                    sqs::delete(client, url, &ours),
                    sqs::release(client, url, &foreign)
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

/// A responses queue to watch: the stack's, or each Region's through a global endpoint
/// (`region` set then, so each response says where it came from).
pub(super) struct ResponsesQueue {
    pub client: aws_sdk_sqs::Client,
    pub url: String,
    pub region: Option<String>,
}

/// `(request-id, detail)` of an `outbound-event-sent` event; `None` for anything else.
pub(super) fn response_of(body: &str) -> Option<(String, Value)> {
    let event: Value = serde_json::from_str(body).ok()?;
    if event.get("detail-type")?.as_str()? != RESPONSE_DETAIL_TYPE {
        return None;
    }
    let detail = event.get("detail")?;
    let request_id = detail.get("request-id")?.as_str()?.to_string();
    Some((request_id, detail.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_are_claimed_once_and_others_left() {
        let w = Waiter::new();
        w.expect("eb-1", 0, Some(Instant::now()));
        let body = serde_json::json!({"detail-type": "outbound-event-sent",
            "detail": {"request-id": "eb-1", "status": 200, "response": {"ok": true}, "latency-ms": 12.4}});
        let (rid, detail) = response_of(&body.to_string()).unwrap();
        assert!(matches!(
            w.take(&rid, &detail, Instant::now(), None),
            Owner::Ours
        ));
        // A second delivery of the same response is ours too; someone else's is not.
        assert!(matches!(
            w.take(&rid, &detail, Instant::now(), None),
            Owner::Ours
        ));
        assert!(matches!(
            w.take("eb-other", &detail, Instant::now(), None),
            Owner::Foreign
        ));
        assert_eq!(w.lock().responses[&0].relay_latency_ms, Some(12));
        assert!(response_of("{\"detail-type\": \"inbound-event-sent\", \"detail\": {}}").is_none());
        assert!(response_of("not json").is_none());
        // Every response in and sending done: finished, and the spinner's count says so.
        assert!(!*w.finished.borrow());
        w.sending_finished();
        assert!(*w.finished.borrow());
        assert_eq!(
            *w.progress.borrow(),
            Progress {
                sending_done: true,
                received: 1,
                expected: 1
            }
        );
    }

    #[test]
    fn a_response_says_which_region_it_came_back_in() {
        let w = Waiter::new();
        w.expect("eb-1", 0, None);
        let detail = serde_json::json!({"request-id": "eb-1", "status": 200});
        w.take("eb-1", &detail, Instant::now(), Some("us-west-2"));
        let region = w.lock().responses[&0].answered_by_region.clone();
        assert_eq!(region.as_deref(), Some("us-west-2"));
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
}
