//! SQS dead-letter queue redrive (`dlq redrive` in buffered delivery): start a message move
//! task from the DLQ to the buffer, and read how far it got. The task is SQS's own, so the
//! messages keep their bodies and attributes and leave the DLQ only once sent
//! (SQS Developer Guide, "Configuring a dead-letter queue redrive").

use aws_sdk_sqs::types::QueueAttributeName;
use aws_sdk_sqs::Client;
use serde::Serialize;

use crate::error::{AwsResultExt, Result};

/// The queue's ARN (what the move-task API takes instead of a URL).
pub async fn queue_arn(sqs: &Client, url: &str) -> Result<String> {
    let out = sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .aws_context("GetQueueAttributes")?;
    Ok(out
        .attributes
        .unwrap_or_default()
        .remove(&QueueAttributeName::QueueArn)
        .unwrap_or_default())
}

/// StartMessageMoveTask from `source` (a DLQ) to `destination`, at SQS's own rate; the task's
/// handle.
pub async fn start(sqs: &Client, source: &str, destination: &str) -> Result<String> {
    let out = sqs
        .start_message_move_task()
        .source_arn(source)
        .destination_arn(destination)
        .send()
        .await
        .aws_context("StartMessageMoveTask")?;
    Ok(out.task_handle.unwrap_or_default())
}

/// One message move task as ListMessageMoveTasks reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MoveTask {
    /// RUNNING, COMPLETED, CANCELLING, CANCELLED or FAILED.
    pub status: String,
    pub moved: u64,
    /// Counted when the task started.
    pub to_move: Option<u64>,
    pub failure_reason: Option<String>,
    /// Only while the task runs.
    #[serde(skip)]
    pub handle: Option<String>,
}

impl MoveTask {
    pub fn is_active(&self) -> bool {
        matches!(self.status.as_str(), "RUNNING" | "CANCELLING")
    }
}

/// The newest move task of `source`, if it ever had one (ListMessageMoveTasks: "The default
/// is 1, which provides the most recent message movement task").
pub async fn latest(sqs: &Client, source: &str) -> Result<Option<MoveTask>> {
    let out = sqs
        .list_message_move_tasks()
        .source_arn(source)
        .max_results(1)
        .send()
        .await
        .aws_context("ListMessageMoveTasks")?;
    Ok(out.results.unwrap_or_default().into_iter().next().map(|t| {
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        MoveTask {
            status: t.status.unwrap_or_default(),
            moved: count(t.approximate_number_of_messages_moved),
            to_move: t.approximate_number_of_messages_to_move.map(count),
            failure_reason: t.failure_reason,
            handle: t.task_handle,
        }
    }))
}
