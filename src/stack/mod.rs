//! CloudFormation as evrelay drives it: the stack's state ([`describe_stack`]), change sets
//! ([`changeset`]), the event stream folded into a per-resource progress model ([`progress`]),
//! the wait loop that follows a change until the stack settles ([`watch`]), and the ways to
//! show it ([`render`]). Every AWS call takes `&aws_sdk_cloudformation::Client`, so the paths
//! moto cannot show (rollbacks, DELETE_FAILED, empty change sets) are tested with recorded
//! responses.

pub mod changeset;
pub mod events;
pub mod follow;
pub mod missing;
pub mod ownership;
pub mod progress;
pub mod render;
pub mod watch;

use aws_sdk_cloudformation::error::ProvideErrorMetadata;
use aws_smithy_runtime_api::client::result::SdkError;
use serde::Serialize;

use crate::error::{AwsResultExt, Error, Result};

/// The stack as DescribeStacks shows it, reduced to what evrelay reads.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StackInfo {
    pub name: String,
    pub id: String,
    pub status: String,
    pub reason: Option<String>,
    pub outputs: Vec<StackOutput>,
    pub parameters: Vec<(String, String)>,
    pub tags: Vec<(String, String)>,
    /// The CloudFormation service role associated with the stack (DescribeStacks `RoleARN`).
    pub role_arn: Option<String>,
}

impl StackInfo {
    /// The `Delivery` it was deployed with: `direct` or `buffered`; a stack from before
    /// buffered delivery has no such parameter and is direct.
    pub fn delivery(&self) -> &str {
        self.parameters
            .iter()
            .find(|(k, _)| k == "Delivery")
            .map_or("direct", |(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StackOutput {
    pub key: String,
    pub value: String,
    pub description: Option<String>,
}

/// DescribeStacks for one stack (by name or id); `None` when it does not exist. A stack id
/// (ARN) also finds a deleted stack, reported as DELETE_COMPLETE.
pub async fn describe_stack(
    client: &aws_sdk_cloudformation::Client,
    stack: &str,
) -> Result<Option<StackInfo>> {
    match client.describe_stacks().stack_name(stack).send().await {
        Ok(out) => Ok(out.stacks().first().map(stack_info)),
        Err(e) if is_missing_stack(&e) => Ok(None),
        Err(e) => Err(e).aws_context("DescribeStacks"),
    }
}

/// Every stack in the region (DescribeStacks without a name, every page; deleted stacks are
/// not listed).
pub async fn list_stacks(client: &aws_sdk_cloudformation::Client) -> Result<Vec<StackInfo>> {
    let mut out = Vec::new();
    let mut pages = client.describe_stacks().into_paginator().send();
    while let Some(page) = pages.next().await {
        out.extend(
            page.aws_context("DescribeStacks")?
                .stacks()
                .iter()
                .map(stack_info),
        );
    }
    Ok(out)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
/// One of the stack's resources as DescribeStackResources shows it.
pub struct ResourceRow {
    pub logical_id: String,
    pub resource_type: String,
    pub physical_id: Option<String>,
    pub status: String,
    pub reason: Option<String>,
}

/// The physical id of one of the stack's resources (a pair's archive's name is the archive
/// stack's `Archive`); `None` when it has none yet. `stack` is a name or a (deleted) stack's id.
pub async fn physical_id(
    cfn: &aws_sdk_cloudformation::Client,
    stack: &str,
    logical_id: &str,
) -> Result<Option<String>> {
    Ok(stack_resources(cfn, stack)
        .await?
        .into_iter()
        .find(|r| r.logical_id == logical_id)
        .and_then(|r| r.physical_id))
}

/// DescribeStackResources: every resource's physical id and status.
pub async fn stack_resources(
    cfn: &aws_sdk_cloudformation::Client,
    stack: &str,
) -> Result<Vec<ResourceRow>> {
    let out = cfn
        .describe_stack_resources()
        .stack_name(stack)
        .send()
        .await
        .aws_context("DescribeStackResources")?;
    Ok(out
        .stack_resources()
        .iter()
        // A row without a logical id says nothing an operator can act on.
        .filter(|r| r.logical_resource_id().is_some_and(|id| !id.is_empty()))
        .map(|r| ResourceRow {
            logical_id: r.logical_resource_id().unwrap_or_default().to_string(),
            resource_type: r.resource_type().unwrap_or_default().to_string(),
            physical_id: r
                .physical_resource_id()
                .filter(|p| !p.is_empty())
                .map(str::to_string),
            status: r
                .resource_status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            reason: r
                .resource_status_reason()
                .filter(|p| !p.is_empty())
                .map(str::to_string),
        })
        .collect())
}

/// Like [`describe_stack`], but keeps a throttling error apart so a wait loop can back off.
pub(crate) async fn describe_stack_polled(
    client: &aws_sdk_cloudformation::Client,
    stack: &str,
) -> std::result::Result<Option<StackInfo>, Polled> {
    match client.describe_stacks().stack_name(stack).send().await {
        Ok(out) => Ok(out.stacks().first().map(stack_info)),
        Err(e) if is_missing_stack(&e) => Ok(None),
        Err(e) if is_throttling(&e) => Err(Polled::Throttled),
        Err(e) => Err(Polled::Failed(Error::aws("DescribeStacks", e))),
    }
}

/// Why a poll produced nothing: AWS asked us to slow down, or something real went wrong.
#[derive(Debug)]
pub(crate) enum Polled {
    Throttled,
    Failed(Error),
}

fn stack_info(s: &aws_sdk_cloudformation::types::Stack) -> StackInfo {
    StackInfo {
        name: s.stack_name().unwrap_or_default().to_string(),
        id: s.stack_id().unwrap_or_default().to_string(),
        status: s
            .stack_status()
            .map(|st| st.as_str().to_string())
            .unwrap_or_default(),
        reason: s.stack_status_reason().map(str::to_string),
        role_arn: s.role_arn().map(str::to_string),
        outputs: s
            .outputs()
            .iter()
            .map(|o| StackOutput {
                key: o.output_key().unwrap_or_default().to_string(),
                value: o.output_value().unwrap_or_default().to_string(),
                description: o.description().map(str::to_string),
            })
            .collect(),
        parameters: s
            .parameters()
            .iter()
            .map(|p| {
                (
                    p.parameter_key().unwrap_or_default().to_string(),
                    p.parameter_value().unwrap_or_default().to_string(),
                )
            })
            .collect(),
        tags: s
            .tags()
            .iter()
            .map(|t| {
                (
                    t.key().unwrap_or_default().to_string(),
                    t.value().unwrap_or_default().to_string(),
                )
            })
            .collect(),
    }
}

/// CloudFormation answers a missing stack with `ValidationError: Stack with id X does not exist`.
pub(crate) fn is_missing_stack<E: ProvideErrorMetadata, R>(e: &SdkError<E, R>) -> bool {
    matches!(e, SdkError::ServiceError(_))
        && e.code() == Some("ValidationError")
        && e.message().is_some_and(|m| m.contains("does not exist"))
}

pub(crate) use crate::error::is_throttling;

/// What a change does to the stack, which decides which final statuses count as success.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Operation {
    Create,
    Update,
    Delete,
}

impl Operation {
    pub fn succeeded(self, status: &str) -> bool {
        match self {
            Operation::Create => status == "CREATE_COMPLETE",
            Operation::Update => status == "UPDATE_COMPLETE",
            Operation::Delete => status == "DELETE_COMPLETE",
        }
    }

    pub fn verb(self) -> &'static str {
        match self {
            Operation::Create => "create",
            Operation::Update => "update",
            Operation::Delete => "delete",
        }
    }
}

/// A status CloudFormation will not leave by itself: the change is over, one way or another.
pub fn is_settled(status: &str) -> bool {
    !status.ends_with("_IN_PROGRESS")
}

/// A stack that can only be deleted, never updated: rain and evrelay remove it before a deploy.
/// REVIEW_IN_PROGRESS is a stack that only ever had an unexecuted change set.
pub fn needs_removal(status: &str) -> bool {
    matches!(
        status,
        "ROLLBACK_COMPLETE" | "REVIEW_IN_PROGRESS" | "CREATE_FAILED" | "ROLLBACK_FAILED"
    )
}

/// DeleteStack; the deletion itself is followed with [`watch::watch`].
pub async fn delete_stack(
    client: &aws_sdk_cloudformation::Client,
    stack: &str,
    token: &str,
) -> Result<()> {
    client
        .delete_stack()
        .stack_name(stack)
        .client_request_token(token)
        .send()
        .await
        .aws_context("DeleteStack")?;
    Ok(())
}

/// DeleteStack with a service role (`destroy --role-arn`): for a stack whose own role is gone.
pub async fn delete_stack_as(
    client: &aws_sdk_cloudformation::Client,
    stack: &str,
    token: &str,
    role_arn: Option<&str>,
) -> Result<()> {
    client
        .delete_stack()
        .stack_name(stack)
        .client_request_token(token)
        .set_role_arn(role_arn.map(str::to_string))
        .send()
        .await
        .aws_context("DeleteStack")?;
    Ok(())
}

/// A token CloudFormation stamps on the events it causes; unique per evrelay run.
pub fn request_token(what: &str) -> String {
    use rand::Rng;
    let suffix: String = rand::thread_rng()
        .sample_iter(&rand::distributions::Alphanumeric)
        .take(12)
        .map(char::from)
        .collect();
    format!("evrelay-{what}-{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stack_without_the_delivery_parameter_is_direct() {
        let mut info = StackInfo {
            name: "s".into(),
            id: "id".into(),
            status: "CREATE_COMPLETE".into(),
            reason: None,
            outputs: vec![],
            parameters: vec![],
            tags: vec![],
            role_arn: None,
        };
        assert_eq!(info.delivery(), "direct");
        info.parameters = vec![("Delivery".into(), "buffered".into())];
        assert_eq!(info.delivery(), "buffered");
    }

    #[test]
    fn statuses_classify() {
        assert!(is_settled("CREATE_COMPLETE"));
        assert!(is_settled("UPDATE_ROLLBACK_FAILED"));
        assert!(!is_settled("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"));
        assert!(!is_settled("REVIEW_IN_PROGRESS"));
        assert!(needs_removal("ROLLBACK_COMPLETE"));
        assert!(needs_removal("REVIEW_IN_PROGRESS"));
        assert!(!needs_removal("UPDATE_ROLLBACK_COMPLETE"));
        assert!(Operation::Update.succeeded("UPDATE_COMPLETE"));
        assert!(!Operation::Update.succeeded("UPDATE_ROLLBACK_COMPLETE"));
        assert!(!Operation::Create.succeeded("ROLLBACK_COMPLETE"));
    }

    #[test]
    fn tokens_are_unique_and_fit() {
        let a = request_token("deploy");
        assert_ne!(a, request_token("deploy"));
        assert!(a.len() <= 128 && a.starts_with("evrelay-deploy-"));
    }
}
