//! An EventBridge archive's size, as `status` shows a relay pair's (the secondary bus's archive,
//! kept for replay after failback).

use aws_sdk_eventbridge::error::ProvideErrorMetadata;
use serde::Serialize;

use crate::error::{Error, Result};

/// DescribeArchive, reduced to what an operator reads (API_DescribeArchive.html).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Archive {
    pub name: String,
    /// ENABLED, DISABLED, CREATING, UPDATING, CREATE_FAILED, UPDATE_FAILED.
    pub state: String,
    pub event_count: i64,
    pub size_bytes: i64,
    /// Days each event is kept; 0 keeps them indefinitely.
    pub retention_days: Option<i32>,
}

/// DescribeArchive by name in the client's Region; `None` when there is none.
pub async fn describe_archive(
    client: &aws_sdk_eventbridge::Client,
    name: &str,
) -> Result<Option<Archive>> {
    let out = match client.describe_archive().archive_name(name).send().await {
        Ok(out) => out,
        Err(e) if e.code() == Some("ResourceNotFoundException") => return Ok(None),
        Err(e) => return Err(Error::aws("DescribeArchive", e)),
    };
    Ok(Some(Archive {
        name: out.archive_name().unwrap_or(name).to_string(),
        state: out
            .state()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        event_count: out.event_count(),
        size_bytes: out.size_bytes(),
        retention_days: out.retention_days(),
    }))
}
