//! Kept so `commands/status.rs` compiles unchanged: the SQS helpers live in [`crate::aws::sqs`].
//! The lead can switch status.rs to `crate::aws::sqs` at merge and delete this file.

pub use crate::aws::sqs::{depth, find_queue_url, QueueDepth};
