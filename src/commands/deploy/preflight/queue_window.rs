//! SQS blocks a queue's name for 60 s after DeleteQueue (QueueDeletedRecently,
//! https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteQueue.html).
//! A deploy that creates the stack right after a destroy (or after deleting a failed first
//! create) would roll back on its queues: it waits out the rest of the window instead, with a
//! visible countdown and the reason.

use std::time::Duration;

use crate::error::Result;
use crate::printer::Printer;

/// SQS's window; the test emulator's is shorter, and `EVRELAY_QUEUE_NAME_WINDOW_SECS` (read by
/// [`window`]) tells evrelay so.
pub const SQS_WINDOW: Duration = Duration::from_secs(60);
pub const WINDOW_ENV: &str = "EVRELAY_QUEUE_NAME_WINDOW_SECS";

pub fn window() -> Duration {
    std::env::var(WINDOW_ENV)
        .ok()
        .and_then(|v| v.parse().ok())
        .map(Duration::from_secs)
        .unwrap_or(SQS_WINDOW)
}

/// Pure: how long is left of the window after a deletion at `deleted_at` (Unix seconds), or
/// None when it has passed. One second of margin for the clocks of the two services.
pub fn remaining(deleted_at: i64, now: i64, window: Duration) -> Option<Duration> {
    let end = deleted_at.saturating_add(window.as_secs() as i64 + 1);
    (now < end).then(|| Duration::from_secs((end - now) as u64))
}

pub fn reason(stack: &str, left: Duration) -> String {
    format!(
        "Waiting {} s before creating stack {stack}: it was deleted less than a minute ago, and SQS keeps a deleted queue's name blocked for 60 s.",
        left.as_secs()
    )
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// Before a stack create: looks up the stack's last deletion and counts down what is left of
/// the window (a bar on a terminal, one note otherwise).
pub async fn wait_out(
    printer: &Printer,
    cfn: &aws_sdk_cloudformation::Client,
    stack: &str,
    window: Duration,
) -> Result<()> {
    let Some(deleted_at) = crate::aws::stacks::last_deleted(cfn, stack).await? else {
        return Ok(());
    };
    let Some(left) = remaining(deleted_at, now(), window) else {
        return Ok(());
    };
    printer.note(&reason(stack, left));
    let bar = printer.progress(left.as_secs(), "queue-name window");
    let mut waited = 0;
    while waited < left.as_secs() {
        tokio::time::sleep(Duration::from_secs(1)).await;
        waited += 1;
        bar.set_position(waited);
    }
    bar.finish_and_clear();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_only_inside_the_window() {
        let w = Duration::from_secs(60);
        assert_eq!(remaining(1000, 1000, w), Some(Duration::from_secs(61)));
        assert_eq!(remaining(1000, 1045, w), Some(Duration::from_secs(16)));
        assert_eq!(remaining(1000, 1061, w), None);
        assert_eq!(remaining(1000, 5000, w), None);
    }

    #[test]
    fn the_reason_names_the_stack_and_the_rule() {
        assert_eq!(
            reason("orders", Duration::from_secs(42)),
            "Waiting 42 s before creating stack orders: it was deleted less than a minute ago, and SQS keeps a deleted queue's name blocked for 60 s."
        );
    }
}
