//! SQS as evrelay uses it (`send`'s responses, the `dlq` actions, `status`): find a queue by
//! name, read its depth, receive a batch, delete or release (make visible again) what was
//! received, purge.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_sqs::types::{
    ChangeMessageVisibilityBatchRequestEntry, DeleteMessageBatchRequestEntry, Message,
    MessageSystemAttributeName, QueueAttributeName,
};
use aws_sdk_sqs::Client;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use serde::Serialize;

use crate::error::{AwsResultExt, Error, Result};

/// SQS answers "no such queue" with either code, depending on the protocol in use.
fn is_missing_queue(code: Option<&str>) -> bool {
    matches!(
        code,
        Some("QueueDoesNotExist" | "AWS.SimpleQueueService.NonExistentQueue")
    )
}

/// The queue's URL, or `None` when no queue has that name.
pub async fn find_queue_url(sqs: &Client, name: &str) -> Result<Option<String>> {
    match sqs.get_queue_url().queue_name(name).send().await {
        Ok(out) => Ok(out.queue_url),
        Err(e) if is_missing_queue(e.code()) => Ok(None),
        Err(e) => Err(Error::aws("GetQueueUrl", e)),
    }
}

/// The queue's URL; a missing queue is an error that says how the queue comes to exist.
pub async fn queue_url(sqs: &Client, name: &str) -> Result<String> {
    find_queue_url(sqs, name).await?.ok_or_else(|| {
        Error::failed(format!("queue `{name}` not found")).hint(
            "deploy the relay with `evrelay deploy`, or pass --stack with the relay's stack name",
        )
    })
}

/// How many messages a queue holds. SQS reports approximations, eventually consistent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct QueueDepth {
    /// Ready to be received.
    pub visible: u64,
    /// Received by someone and not yet deleted (hidden by a visibility timeout).
    pub in_flight: u64,
    /// Sent with a delay that has not passed yet.
    pub delayed: u64,
}

impl QueueDepth {
    pub fn total(&self) -> u64 {
        self.visible + self.in_flight + self.delayed
    }
}

pub async fn depth(sqs: &Client, url: &str) -> Result<QueueDepth> {
    let out = sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesDelayed)
        .send()
        .await
        .aws_context("GetQueueAttributes")?;
    let attrs = out.attributes.unwrap_or_default();
    let get = |name: QueueAttributeName| attrs.get(&name).and_then(|v| v.parse().ok()).unwrap_or(0);
    Ok(QueueDepth {
        visible: get(QueueAttributeName::ApproximateNumberOfMessages),
        in_flight: get(QueueAttributeName::ApproximateNumberOfMessagesNotVisible),
        delayed: get(QueueAttributeName::ApproximateNumberOfMessagesDelayed),
    })
}

/// The largest message the queue takes, in bytes (`MaximumMessageSize`; SQS's default when
/// the attribute is absent, 262,144 bytes, per the SetQueueAttributes reference).
pub async fn max_message_size(sqs: &Client, url: &str) -> Result<usize> {
    let out = sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::MaximumMessageSize)
        .send()
        .await
        .aws_context("GetQueueAttributes")?;
    Ok(out
        .attributes
        .unwrap_or_default()
        .get(&QueueAttributeName::MaximumMessageSize)
        .and_then(|v| v.parse().ok())
        .unwrap_or(262_144))
}

/// One ReceiveMessage call.
#[derive(Debug, Clone, Copy)]
pub struct Receive {
    /// 1–10.
    pub max: i32,
    /// Long-poll wait, 0–20 s.
    pub wait: Duration,
    /// How long received messages stay hidden from other receivers.
    pub visibility: Duration,
}

/// A received message as plain data: ids, body, and both kinds of attributes as strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Received {
    pub message_id: String,
    #[serde(skip)]
    pub receipt_handle: String,
    pub body: String,
    /// System attributes: SentTimestamp, ApproximateReceiveCount, …
    pub attributes: BTreeMap<String, String>,
    /// Message attributes (string and number values; binary ones as base64).
    pub message_attributes: BTreeMap<String, String>,
}

impl Received {
    pub(crate) fn from_sdk(m: Message) -> Option<Self> {
        let attributes = m
            .attributes
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k.as_str().to_string(), v))
            .collect();
        let message_attributes = m
            .message_attributes
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| {
                let value = match (v.string_value(), v.binary_value()) {
                    (Some(s), _) => s.to_string(),
                    (None, Some(b)) => aws_smithy_types::base64::encode(b.as_ref()),
                    (None, None) => String::new(),
                };
                (k, value)
            })
            .collect();
        Some(Self {
            message_id: m.message_id?,
            receipt_handle: m.receipt_handle?,
            body: m.body.unwrap_or_default(),
            attributes,
            message_attributes,
        })
    }

    /// When the message was sent to the queue (epoch milliseconds).
    pub fn sent_timestamp_ms(&self) -> Option<i64> {
        self.attributes
            .get("SentTimestamp")
            .and_then(|v| v.parse().ok())
    }
}

pub async fn receive(sqs: &Client, url: &str, opts: Receive) -> Result<Vec<Received>> {
    let out = sqs
        .receive_message()
        .queue_url(url)
        .max_number_of_messages(opts.max.clamp(1, 10))
        .wait_time_seconds(opts.wait.as_secs().min(20) as i32)
        .visibility_timeout(opts.visibility.as_secs().min(43_200) as i32)
        .message_system_attribute_names(MessageSystemAttributeName::All)
        .message_attribute_names("All")
        .send()
        .await
        .aws_context("ReceiveMessage")?;
    Ok(out
        .messages
        .unwrap_or_default()
        .into_iter()
        .filter_map(Received::from_sdk)
        .collect())
}

/// A batch entry SQS refused: the message it was about, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchFailure {
    pub message_id: String,
    pub code: String,
    pub message: String,
}

/// Deletes up to 10 messages in one call; returns the entries SQS refused.
pub async fn delete(sqs: &Client, url: &str, messages: &[&Received]) -> Result<Vec<BatchFailure>> {
    if messages.is_empty() {
        return Ok(Vec::new());
    }
    let entries = messages
        .iter()
        .enumerate()
        .map(|(i, m)| {
            DeleteMessageBatchRequestEntry::builder()
                .id(i.to_string())
                .receipt_handle(&m.receipt_handle)
                .build()
        })
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| Error::failed(format!("DeleteMessageBatch: {e}")))?;
    let out = sqs
        .delete_message_batch()
        .queue_url(url)
        .set_entries(Some(entries))
        .send()
        .await
        .aws_context("DeleteMessageBatch")?;
    Ok(failures(messages, out.failed))
}

/// Makes up to 10 received messages visible again at once (visibility timeout 0), so other
/// receivers see them; returns the entries SQS refused.
pub async fn release(sqs: &Client, url: &str, messages: &[&Received]) -> Result<Vec<BatchFailure>> {
    if messages.is_empty() {
        return Ok(Vec::new());
    }
    let entries = messages
        .iter()
        .enumerate()
        .map(|(i, m)| {
            ChangeMessageVisibilityBatchRequestEntry::builder()
                .id(i.to_string())
                .receipt_handle(&m.receipt_handle)
                .visibility_timeout(0)
                .build()
        })
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| Error::failed(format!("ChangeMessageVisibilityBatch: {e}")))?;
    let out = sqs
        .change_message_visibility_batch()
        .queue_url(url)
        .set_entries(Some(entries))
        .send()
        .await
        .aws_context("ChangeMessageVisibilityBatch")?;
    Ok(failures(messages, out.failed))
}

/// Releases any number of messages, 10 per call.
pub async fn release_all(
    sqs: &Client,
    url: &str,
    messages: &[&Received],
) -> Result<Vec<BatchFailure>> {
    let calls = messages.chunks(10).map(|chunk| release(sqs, url, chunk));
    let results = futures::future::try_join_all(calls).await?;
    Ok(results.into_iter().flatten().collect())
}

fn failures(
    messages: &[&Received],
    failed: Vec<aws_sdk_sqs::types::BatchResultErrorEntry>,
) -> Vec<BatchFailure> {
    failed
        .into_iter()
        .map(|f| BatchFailure {
            message_id: f
                .id
                .parse::<usize>()
                .ok()
                .and_then(|i| messages.get(i))
                .map(|m| m.message_id.clone())
                .unwrap_or(f.id),
            code: f.code,
            message: f.message.unwrap_or_default(),
        })
        .collect()
}

/// What a PurgeQueue call did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purge {
    Started,
    /// SQS allows one purge per queue every 60 seconds.
    AlreadyInProgress,
}

pub async fn purge(sqs: &Client, url: &str) -> Result<Purge> {
    match sqs.purge_queue().queue_url(url).send().await {
        Ok(_) => Ok(Purge::Started),
        Err(e)
            if matches!(
                e.code(),
                Some("PurgeQueueInProgress" | "AWS.SimpleQueueService.PurgeQueueInProgress")
            ) =>
        {
            Ok(Purge::AlreadyInProgress)
        }
        Err(e) => Err(Error::aws("PurgeQueue", e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_spellings_of_a_missing_queue_are_recognised() {
        assert!(is_missing_queue(Some("QueueDoesNotExist")));
        assert!(is_missing_queue(Some(
            "AWS.SimpleQueueService.NonExistentQueue"
        )));
        assert!(!is_missing_queue(Some("AccessDenied")));
        assert!(!is_missing_queue(None));
    }

    #[test]
    fn batch_failures_name_the_message() {
        let m = Received {
            message_id: "m-1".into(),
            receipt_handle: "r".into(),
            body: String::new(),
            attributes: BTreeMap::new(),
            message_attributes: BTreeMap::new(),
        };
        let entry = aws_sdk_sqs::types::BatchResultErrorEntry::builder()
            .id("0")
            .sender_fault(true)
            .code("ReceiptHandleIsInvalid")
            .build()
            .unwrap();
        let f = failures(&[&m], vec![entry]);
        assert_eq!(f[0].message_id, "m-1");
        assert_eq!(f[0].code, "ReceiptHandleIsInvalid");
    }
}
