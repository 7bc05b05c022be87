//! CloudFormation reads preflight needs: when a stack of this name was last deleted; and the
//! template a stack was deployed with (`send`'s diagnosis reads its retry settings there).

use aws_sdk_cloudformation::types::StackStatus;

use crate::error::{AwsResultExt, Result};

/// The latest DeletionTime (Unix seconds) of a deleted stack with this name, if any. ListStacks
/// keeps deleted stacks for 90 days; only DELETE_COMPLETE ones are asked for.
pub async fn last_deleted(
    cfn: &aws_sdk_cloudformation::Client,
    stack: &str,
) -> Result<Option<i64>> {
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
        .filter_map(|s| s.deletion_time().map(|t| t.secs()))
        .max())
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
