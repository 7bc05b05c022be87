//! Buffered delivery's queue (`<stack>-buffer`): how many events it still holds, for the
//! commands that would delete it with them (a switch to direct delivery, destroy).

use aws_sdk_sqs::Client;

use super::sqs::{depth, find_queue_url, QueueDepth};
use crate::error::Result;

/// Visible, in flight and delayed messages of the queue; None when there is no such queue.
pub async fn held(sqs: &Client, name: &str) -> Result<Option<QueueDepth>> {
    match find_queue_url(sqs, name).await? {
        Some(url) => Ok(Some(depth(sqs, &url).await?)),
        None => Ok(None),
    }
}
