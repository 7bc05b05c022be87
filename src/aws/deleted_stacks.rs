//! A deleted stack's id, so its parameters can still be read: DescribeStacks answers a deleted
//! stack by its unique id (API_DescribeStacks.html: "Running a stack that has been deleted …
//! you must specify the unique stack ID"), and ListStacks keeps deleted stacks for 90 days.
//! `destroy` reads where a half-destroyed relay pair's secondary is from its deleted endpoint
//! stack this way.

use aws_sdk_cloudformation::types::StackStatus;

use crate::error::{AwsResultExt, Result};

/// The id of the latest deleted stack named `stack`, if ListStacks still has one.
pub async fn last_deleted_id(
    cfn: &aws_sdk_cloudformation::Client,
    stack: &str,
) -> Result<Option<String>> {
    let summaries: Vec<_> = cfn
        .list_stacks()
        .stack_status_filter(StackStatus::DeleteComplete)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .aws_context("ListStacks")?;
    Ok(summaries
        .iter()
        .filter(|s| s.stack_name() == Some(stack))
        .max_by_key(|s| s.deletion_time().map(|t| t.secs()))
        .and_then(|s| s.stack_id())
        .map(str::to_string))
}
