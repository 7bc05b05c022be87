//! The one CloudWatch Logs resource policy every relay in a region shares.
//!
//! EventBridge may write to a log group only under a Logs resource policy, and an account has
//! at most 10 of those per region (the quota cannot be raised). So no stack carries its own:
//! evrelay keeps one policy, `evrelay-events-logs`, over the common prefix
//! `/aws/events/evrelay/*` (each relay's events log group is `/aws/events/evrelay/<stack>`).
//! Deploy checks the quota before anything is created and puts the policy (idempotent) right
//! before the stack goes live; destroy deletes it only when no relay's log group is left.

use aws_sdk_cloudwatchlogs::error::ProvideErrorMetadata;

use crate::error::{AwsResultExt, Error, Result};
use crate::names::EVENTS_LOG_GROUP_PREFIX;

pub const SHARED_POLICY_NAME: &str = "evrelay-events-logs";
/// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutResourcePolicy.html
pub const POLICY_QUOTA: usize = 10;

/// What deploy does about the shared policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogsPolicyPlan {
    /// Another relay in the region made it: reuse it (put again, which takes no slot).
    Exists,
    /// The first relay in the region: it takes one slot.
    Create,
}

/// Pure: the region's policy names → the plan, or the one-line refusal when the quota is full.
pub fn plan(names: &[String], region: &str) -> Result<LogsPolicyPlan> {
    if names.iter().any(|n| n == SHARED_POLICY_NAME) {
        return Ok(LogsPolicyPlan::Exists);
    }
    if names.len() >= POLICY_QUOTA {
        return Err(Error::failed(format!(
            "CloudWatch Logs in {region} already holds {} resource policies, the quota (which cannot be raised), and none is evrelay's `{SHARED_POLICY_NAME}`",
            names.len()
        ))
        .hint("delete a resource policy nothing uses (`aws logs describe-resource-policies`), then deploy again; every relay in the region shares evrelay's one policy"));
    }
    Ok(LogsPolicyPlan::Create)
}

/// The policy document: EventBridge may write to every relay's events log group.
pub fn document(partition: &str, region: &str, account: &str) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "EventBridgeToEvrelayLogGroups",
            "Effect": "Allow",
            "Principal": {"Service": ["events.amazonaws.com", "delivery.logs.amazonaws.com"]},
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": format!(
                "arn:{partition}:logs:{region}:{account}:log-group:{EVENTS_LOG_GROUP_PREFIX}*"
            ),
        }]
    })
    .to_string()
}

/// (partition, region, account) from a CloudFormation stack ARN
/// (`arn:aws:cloudformation:us-east-1:123456789012:stack/name/id`).
pub fn arn_scope(stack_arn: &str) -> Option<(&str, &str, &str)> {
    let mut parts = stack_arn.splitn(6, ':');
    let (_, partition, _, region, account) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    (!partition.is_empty() && !region.is_empty() && !account.is_empty())
        .then_some((partition, region, account))
}

/// Every resource policy name in the region (the API returns at most the quota: no pages).
pub async fn names(logs: &aws_sdk_cloudwatchlogs::Client) -> Result<Vec<String>> {
    let out = logs
        .describe_resource_policies()
        .send()
        .await
        .aws_context("DescribeResourcePolicies")?;
    Ok(out
        .resource_policies()
        .iter()
        .filter_map(|p| p.policy_name().map(str::to_string))
        .collect())
}

/// PutResourcePolicy for the shared policy, scoped from the stack's ARN.
pub async fn ensure(logs: &aws_sdk_cloudwatchlogs::Client, stack_arn: &str) -> Result<()> {
    let (partition, region, account) = arn_scope(stack_arn).ok_or_else(|| {
        Error::failed(format!(
            "cannot read the region and account from stack id `{stack_arn}`"
        ))
    })?;
    logs.put_resource_policy()
        .policy_name(SHARED_POLICY_NAME)
        .policy_document(document(partition, region, account))
        .send()
        .await
        .aws_context("PutResourcePolicy")?;
    Ok(())
}

/// Pure: whether another relay still uses the policy: any events log group under the prefix
/// other than the one of the stack being destroyed.
pub fn still_used(groups: &[String], own_group: &str) -> bool {
    groups
        .iter()
        .any(|g| g.starts_with(EVENTS_LOG_GROUP_PREFIX) && g != own_group)
}

/// After a stack is gone: deletes the shared policy when no relay's log group is left.
/// Returns whether it was deleted.
pub async fn release(logs: &aws_sdk_cloudwatchlogs::Client, own_group: &str) -> Result<bool> {
    let groups: Vec<String> = logs
        .describe_log_groups()
        .log_group_name_prefix(EVENTS_LOG_GROUP_PREFIX)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .aws_context("DescribeLogGroups")?
        .iter()
        .filter_map(|g| g.log_group_name().map(str::to_string))
        .collect();
    if still_used(&groups, own_group) {
        return Ok(false);
    }
    match logs
        .delete_resource_policy()
        .policy_name(SHARED_POLICY_NAME)
        .send()
        .await
    {
        Ok(_) => Ok(true),
        Err(e) if e.code() == Some("ResourceNotFoundException") => Ok(false),
        Err(e) => Err(Error::aws("DeleteResourcePolicy", e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_of(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("policy-{i}")).collect()
    }

    #[test]
    fn the_shared_policy_takes_at_most_one_slot() {
        assert_eq!(plan(&names_of(3), "r").unwrap(), LogsPolicyPlan::Create);
        assert_eq!(plan(&names_of(9), "r").unwrap(), LogsPolicyPlan::Create);
        let mut full = names_of(9);
        full.push(SHARED_POLICY_NAME.into());
        assert_eq!(plan(&full, "r").unwrap(), LogsPolicyPlan::Exists);
    }

    #[test]
    fn a_full_quota_without_evrelay_policy_is_refused_in_one_line() {
        let e = plan(&names_of(10), "eu-west-1").unwrap_err();
        assert_eq!(
            e.message,
            "CloudWatch Logs in eu-west-1 already holds 10 resource policies, the quota (which cannot be raised), and none is evrelay's `evrelay-events-logs`"
        );
        assert_eq!(e.exit_code(), 1);
    }

    #[test]
    fn the_document_covers_every_relay_log_group() {
        let doc: serde_json::Value =
            serde_json::from_str(&document("aws", "us-east-1", "123456789012")).unwrap();
        assert_eq!(
            doc["Statement"][0]["Resource"],
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/events/evrelay/*"
        );
        assert_eq!(
            arn_scope("arn:aws-cn:cloudformation:cn-north-1:111:stack/s/abc"),
            Some(("aws-cn", "cn-north-1", "111"))
        );
        assert_eq!(arn_scope("stack-name"), None);
    }

    #[test]
    fn kept_while_another_relay_log_group_exists() {
        let own = "/aws/events/evrelay/a";
        let g = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(!still_used(&g(&[own]), own));
        assert!(!still_used(&g(&[]), own));
        assert!(still_used(&g(&[own, "/aws/events/evrelay/b"]), own));
        assert!(!still_used(&g(&["/aws/events/other"]), own));
    }
}
