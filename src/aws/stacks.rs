//! CloudFormation reads: when a stack of this name was last deleted (preflight) and its id
//! (destroy of a half-destroyed pair); and the
//! template a stack was deployed with (`send`'s diagnosis reads its retry settings there).

use aws_sdk_cloudformation::types::{StackStatus, StackSummary};

use crate::error::{AwsResultExt, Result};

/// Every ListStacks summary of a stack named `stack` in `status` (every page). ListStacks keeps
/// deleted stacks for 90 days.
pub async fn listed(
    cfn: &aws_sdk_cloudformation::Client,
    stack: &str,
    status: StackStatus,
) -> Result<Vec<StackSummary>> {
    let summaries: Vec<StackSummary> = cfn
        .list_stacks()
        .stack_status_filter(status)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .aws_context("ListStacks")?;
    Ok(summaries
        .into_iter()
        .filter(|s| s.stack_name() == Some(stack))
        .collect())
}

/// The latest DeletionTime (Unix seconds) of a deleted stack with this name, if any.
pub async fn last_deleted(
    cfn: &aws_sdk_cloudformation::Client,
    stack: &str,
) -> Result<Option<i64>> {
    Ok(listed(cfn, stack, StackStatus::DeleteComplete)
        .await?
        .iter()
        .filter_map(|s| s.deletion_time().map(|t| t.secs()))
        .max())
}

/// The id of the latest deleted stack named `stack`, so its parameters can still be read:
/// DescribeStacks answers a deleted stack by its unique id (API_DescribeStacks.html: "Running a
/// stack that has been deleted … you must specify the unique stack ID"). `destroy` reads where
/// a half-destroyed relay pair's secondary is from its deleted endpoint stack this way.
pub async fn last_deleted_id(
    cfn: &aws_sdk_cloudformation::Client,
    stack: &str,
) -> Result<Option<String>> {
    Ok(listed(cfn, stack, StackStatus::DeleteComplete)
        .await?
        .iter()
        .max_by_key(|s| s.deletion_time().map(|t| t.secs()))
        .and_then(|s| s.stack_id())
        .map(str::to_string))
}

/// The template body stack `stack` was created or last updated with, as submitted
/// (GetTemplate, `TemplateStage=Original`).
pub async fn template_body(cfn: &aws_sdk_cloudformation::Client, stack: &str) -> Result<String> {
    let out = cfn
        .get_template()
        .stack_name(stack)
        .template_stage(aws_sdk_cloudformation::types::TemplateStage::Original)
        .send()
        .await
        .aws_context("GetTemplate")?;
    Ok(out.template_body.unwrap_or_default())
}
