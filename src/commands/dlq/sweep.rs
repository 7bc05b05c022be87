//! The sweep every `dlq` action runs: concurrent receivers until the queue reports empty, and
//! the set of messages we hold hidden until the command releases them.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use indicatif::ProgressBar;

use crate::aws::sqs::{self, BatchFailure, Receive, Received};
use crate::error::{Error, Result};

use super::Queue;

/// Consecutive empty receives (1 s long polls) after which a receiver concludes the queue is empty.
const EMPTY_RECEIVES: u32 = 3;
pub(super) const RECEIVERS: usize = 4;

pub(super) struct Sweep<'a> {
    pub queue: &'a Queue<'a>,
    pub receivers: usize,
    pub visibility: Duration,
    /// Stop after receiving this many messages.
    pub limit: Option<usize>,
    pub progress: ProgressBar,
}

/// Runs `handle` on every batch received until the queue is empty. `handle` returns how many of
/// its messages it settled (deleted); the rest count as held by us until the command releases
/// them, so "in flight" messages that are ours do not make the queue look busy.
pub(super) async fn sweep<F, Fut>(s: &Sweep<'_>, handle: F) -> Result<()>
where
    F: Fn(Vec<Received>) -> Fut,
    Fut: Future<Output = Result<usize>>,
{
    let stop = AtomicBool::new(false);
    let held = AtomicU64::new(0);
    let taken = AtomicUsize::new(0);
    let receiver = || async {
        let mut empties = 0;
        while !stop.load(Ordering::Relaxed) {
            let want = match s.limit {
                Some(limit) => {
                    let so_far = taken.load(Ordering::Relaxed);
                    if so_far >= limit {
                        break;
                    }
                    (limit - so_far).min(10)
                }
                None => 10,
            };
            let opts = Receive {
                max: want as i32,
                wait: Duration::from_secs(1),
                visibility: s.visibility,
            };
            let batch = sqs::receive(s.queue.sqs, &s.queue.url, opts).await?;
            if batch.is_empty() {
                empties += 1;
                if empties >= EMPTY_RECEIVES {
                    break;
                }
                let depth = sqs::depth(s.queue.sqs, &s.queue.url).await?;
                if depth.visible == 0 && depth.in_flight <= held.load(Ordering::Relaxed) {
                    stop.store(true, Ordering::Relaxed);
                    break;
                }
                continue;
            }
            empties = 0;
            let n = batch.len();
            taken.fetch_add(n, Ordering::Relaxed);
            held.fetch_add(n as u64, Ordering::Relaxed);
            let settled = handle(batch).await?;
            held.fetch_sub(settled.min(n) as u64, Ordering::Relaxed);
            s.progress.inc(n as u64);
        }
        Ok::<(), Error>(())
    };
    let result = futures::future::try_join_all((0..s.receivers.max(1)).map(|_| receiver())).await;
    s.progress.finish_and_clear();
    result.map(|_| ())
}

/// Messages we hold hidden, by message id (a message seen twice keeps its newest receipt handle).
#[derive(Default)]
pub(super) struct Held(Mutex<HashMap<String, Received>>);

impl Held {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Received>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn insert(&self, m: Received) {
        self.lock().insert(m.message_id.clone(), m);
    }

    pub fn remove(&self, message_id: &str) {
        self.lock().remove(message_id);
    }

    /// A copy of every held message.
    pub fn snapshot(&self) -> Vec<Received> {
        self.lock().values().cloned().collect()
    }

    /// Makes every held message visible again.
    pub async fn release(&self, q: &Queue<'_>) -> Result<Vec<BatchFailure>> {
        let messages: Vec<Received> = self.lock().drain().map(|(_, m)| m).collect();
        let refs: Vec<&Received> = messages.iter().collect();
        sqs::release_all(q.sqs, &q.url, &refs).await
    }
}
