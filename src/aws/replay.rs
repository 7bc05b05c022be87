//! EventBridge archives and replays: what `evrelay replay` reads and starts on a relay pair's
//! secondary archive (API_DescribeArchive.html, API_StartReplay.html, API_DescribeReplay.html,
//! API_CancelReplay.html), and what `destroy` says an archive holds. Times are epoch
//! milliseconds, as elsewhere in evrelay.

use aws_sdk_eventbridge::error::ProvideErrorMetadata;
use aws_sdk_eventbridge::primitives::DateTime;
use aws_sdk_eventbridge::types::ReplayDestination;

use crate::error::{AwsResultExt, Error, Result};

/// DescribeArchive, reduced to what a replay is checked against and `status` shows of a pair.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Archive {
    pub name: String,
    pub arn: String,
    /// The bus it archives, which is also the only bus it can be replayed to.
    pub source_arn: String,
    /// ENABLED, DISABLED, CREATING, UPDATING, CREATE_FAILED, UPDATE_FAILED.
    pub state: String,
    /// 0: kept indefinitely.
    pub retention_days: i32,
    pub event_count: i64,
    pub size_bytes: i64,
    pub created_ms: i64,
}

fn ms(t: Option<&DateTime>) -> i64 {
    t.and_then(|t| t.to_millis().ok()).unwrap_or_default()
}

/// DescribeArchive; `None` when there is no such archive.
pub async fn describe_archive(
    events: &aws_sdk_eventbridge::Client,
    name: &str,
) -> Result<Option<Archive>> {
    let out = match events.describe_archive().archive_name(name).send().await {
        Ok(out) => out,
        Err(e) if e.code() == Some("ResourceNotFoundException") => return Ok(None),
        Err(e) => return Err(Error::aws("DescribeArchive", e)),
    };
    Ok(Some(Archive {
        name: out.archive_name().unwrap_or(name).to_string(),
        arn: out.archive_arn().unwrap_or_default().to_string(),
        source_arn: out.event_source_arn().unwrap_or_default().to_string(),
        state: out
            .state()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        retention_days: out.retention_days().unwrap_or_default(),
        event_count: out.event_count(),
        size_bytes: out.size_bytes(),
        created_ms: ms(out.creation_time()),
    }))
}

/// A replay as DescribeReplay shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Replay {
    pub name: String,
    pub arn: String,
    /// The archive's ARN.
    pub source_arn: String,
    /// STARTING, RUNNING, CANCELLING, COMPLETED, CANCELLED, FAILED.
    pub state: String,
    pub state_reason: String,
    pub from_ms: i64,
    pub to_ms: i64,
    /// The event time of the last event replayed so far (0 before the first).
    pub last_replayed_ms: i64,
}

impl Replay {
    /// The replay has ended, one way or another.
    pub fn is_over(&self) -> bool {
        matches!(self.state.as_str(), "COMPLETED" | "CANCELLED" | "FAILED")
    }
}

/// StartReplay of `archive` (every event whose time is in [from, to)) to the bus it archives.
pub async fn start_replay(
    events: &aws_sdk_eventbridge::Client,
    name: &str,
    archive: &Archive,
    from_ms: i64,
    to_ms: i64,
    description: &str,
) -> Result<()> {
    events
        .start_replay()
        .replay_name(name)
        .description(description)
        .event_source_arn(&archive.arn)
        .event_start_time(DateTime::from_millis(from_ms))
        .event_end_time(DateTime::from_millis(to_ms))
        .destination(
            ReplayDestination::builder()
                .arn(&archive.source_arn)
                .build()
                .map_err(|e| Error::failed(format!("StartReplay: {e}")))?,
        )
        .send()
        .await
        .aws_context("StartReplay")?;
    Ok(())
}

/// DescribeReplay; `None` when there is no such replay.
pub async fn describe_replay(
    events: &aws_sdk_eventbridge::Client,
    name: &str,
) -> Result<Option<Replay>> {
    let out = match events.describe_replay().replay_name(name).send().await {
        Ok(out) => out,
        Err(e) if e.code() == Some("ResourceNotFoundException") => return Ok(None),
        Err(e) => return Err(Error::aws("DescribeReplay", e)),
    };
    Ok(Some(Replay {
        name: out.replay_name().unwrap_or(name).to_string(),
        arn: out.replay_arn().unwrap_or_default().to_string(),
        source_arn: out.event_source_arn().unwrap_or_default().to_string(),
        state: out
            .state()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        state_reason: out.state_reason().unwrap_or_default().to_string(),
        from_ms: ms(out.event_start_time()),
        to_ms: ms(out.event_end_time()),
        last_replayed_ms: ms(out.event_last_replayed_time()),
    }))
}

/// CancelReplay: the replay stops where it is (events already replayed stay delivered).
pub async fn cancel_replay(events: &aws_sdk_eventbridge::Client, name: &str) -> Result<String> {
    let out = events
        .cancel_replay()
        .replay_name(name)
        .send()
        .await
        .aws_context("CancelReplay")?;
    Ok(out
        .state()
        .map(|s| s.as_str().to_string())
        .unwrap_or_default())
}
