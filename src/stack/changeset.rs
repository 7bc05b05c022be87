//! Change sets: create one (CREATE for a new stack, UPDATE for an existing one), wait until
//! CloudFormation has worked out the changes, show them, then execute or delete it.

use std::time::{Duration, Instant};

use aws_sdk_cloudformation::operation::describe_change_set::DescribeChangeSetOutput;
use aws_sdk_cloudformation::types::{Capability, ChangeSetStatus, ChangeSetType, Parameter, Tag};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use serde::Serialize;

use super::Operation;
use crate::error::{AwsResultExt, Error, Result};

/// A parameter's value, or "keep the one the stack has" (how a redeploy keeps the secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamValue {
    Value(String, String),
    UsePrevious(String),
}

#[derive(Debug, Clone)]
pub struct ChangeSetSpec {
    pub stack: String,
    pub name: String,
    pub operation: Operation,
    pub template_body: String,
    pub parameters: Vec<ParamValue>,
    pub tags: Vec<(String, String)>,
    /// The CloudFormation service role (`--role-arn`); None keeps the stack's, as CloudFormation does.
    pub role_arn: Option<String>,
    /// Kept for review (`--no-execute`), not executed by the run that makes it.
    pub kept: bool,
    /// The template names an IAM resource (a pair's replication role): CAPABILITY_NAMED_IAM
    /// instead of CAPABILITY_IAM (API_CreateChangeSet.html, Capabilities).
    pub named_iam: bool,
}

/// What CreateChangeSet handed back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeSetId {
    pub id: String,
    pub stack_id: String,
}

/// One planned change, as SAM and the console show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeRow {
    pub action: String,
    pub logical_id: String,
    pub resource_type: String,
    /// `True`, `False`, `Conditional`, or empty for additions and removals.
    pub replacement: String,
}

/// Where a change set ended up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeSetState {
    Ready(Vec<ChangeRow>),
    /// CloudFormation found nothing to change: the stack is up to date.
    NoChanges,
    Failed(String),
}

/// Every change set evrelay creates says so: how an unexecuted one is recognised as evrelay's.
pub const DESCRIPTION: &str = "evrelay deploy";
/// A change set `deploy --no-execute` keeps for review: told apart from one a running deploy
/// is about to execute, so a second deploy never deletes the stack under another's feet.
pub const KEPT_DESCRIPTION: &str = "evrelay deploy --no-execute";

/// A unique change set name (a letter first; letters, digits, hyphens): the time, for the
/// operator, and a random part, because a stack's change set names must differ
/// (CreateChangeSet: AlreadyExistsException) and two deploys can start in the same second.
pub fn change_set_name() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    format!("evrelay-{secs}-{:06x}", rand::random::<u32>() & 0xff_ffff)
}

pub async fn create_change_set(
    client: &aws_sdk_cloudformation::Client,
    spec: &ChangeSetSpec,
) -> Result<ChangeSetId> {
    let kind = match spec.operation {
        Operation::Create => ChangeSetType::Create,
        Operation::Update => ChangeSetType::Update,
        Operation::Delete => {
            return Err(Error::failed(
                "a change set cannot delete a stack; use DeleteStack",
            ))
        }
    };
    let mut req = client
        .create_change_set()
        .stack_name(&spec.stack)
        .change_set_name(&spec.name)
        .change_set_type(kind)
        .template_body(&spec.template_body)
        .capabilities(if spec.named_iam {
            Capability::CapabilityNamedIam
        } else {
            Capability::CapabilityIam
        })
        .description(if spec.kept {
            KEPT_DESCRIPTION
        } else {
            DESCRIPTION
        });
    for p in &spec.parameters {
        req = req.parameters(match p {
            ParamValue::Value(k, v) => Parameter::builder()
                .parameter_key(k)
                .parameter_value(v)
                .build(),
            ParamValue::UsePrevious(k) => Parameter::builder()
                .parameter_key(k)
                .use_previous_value(true)
                .build(),
        });
    }
    // Stack tags propagate to every resource that supports tags.
    for (k, v) in &spec.tags {
        req = req.tags(Tag::builder().key(k).value(v).build());
    }
    let out = req
        .set_role_arn(spec.role_arn.clone())
        .send()
        .await
        .aws_context("CreateChangeSet")?;
    Ok(ChangeSetId {
        id: out.id().unwrap_or(&spec.name).to_string(),
        stack_id: out.stack_id().unwrap_or(&spec.stack).to_string(),
    })
}

/// CloudFormation's words for "nothing to change" (CREATE_COMPLETE is never reached).
pub fn is_no_changes(reason: &str) -> bool {
    reason.contains("didn't contain changes") || reason.contains("No updates are to be performed")
}

/// Polls DescribeChangeSet until the change set is ready or failed, then reads every page of
/// its changes.
pub async fn wait_for_change_set(
    client: &aws_sdk_cloudformation::Client,
    change_set_id: &str,
    poll: Duration,
    timeout: Duration,
) -> Result<ChangeSetState> {
    let started = Instant::now();
    loop {
        let out = client
            .describe_change_set()
            .change_set_name(change_set_id)
            .send()
            .await
            .aws_context("DescribeChangeSet")?;
        match out.status() {
            Some(ChangeSetStatus::CreateComplete) => break,
            Some(ChangeSetStatus::Failed) => {
                let reason = out.status_reason().unwrap_or("no reason given").to_string();
                return Ok(if is_no_changes(&reason) {
                    ChangeSetState::NoChanges
                } else {
                    ChangeSetState::Failed(reason)
                });
            }
            _ if started.elapsed() >= timeout => {
                return Err(Error::failed(format!("change set not ready after {}", super::render::duration(timeout)))
                    .hint("CloudFormation is slow or stuck; look at the change set in the console and run deploy again"));
            }
            _ => tokio::time::sleep(poll).await,
        }
    }
    let mut rows = Vec::new();
    let mut pages = client
        .describe_change_set()
        .change_set_name(change_set_id)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        rows.extend(change_rows(&page.aws_context("DescribeChangeSet")?));
    }
    Ok(ChangeSetState::Ready(rows))
}

fn change_rows(page: &DescribeChangeSetOutput) -> Vec<ChangeRow> {
    page.changes()
        .iter()
        .filter_map(|c| c.resource_change())
        .map(|rc| ChangeRow {
            action: rc
                .action()
                .map(|a| a.as_str().to_string())
                .unwrap_or_default(),
            logical_id: rc.logical_resource_id().unwrap_or_default().to_string(),
            resource_type: rc.resource_type().unwrap_or_default().to_string(),
            replacement: rc
                .replacement()
                .map(|r| r.as_str().to_string())
                .unwrap_or_default(),
        })
        .collect()
}

/// A change set as DescribeChangeSet shows it (`deploy --execute` reads one kept earlier).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeSetInfo {
    pub id: String,
    pub name: String,
    pub stack_id: String,
    pub stack_name: String,
    /// CREATE_COMPLETE once CloudFormation has worked out the changes.
    pub status: String,
    /// AVAILABLE while it can be executed.
    pub execution_status: String,
    pub status_reason: Option<String>,
    pub description: Option<String>,
    /// As CloudFormation resolved them; NoEcho values masked.
    pub parameters: Vec<(String, String)>,
    pub tags: Vec<(String, String)>,
    pub changes: Vec<ChangeRow>,
}

impl ChangeSetInfo {
    pub fn executable(&self) -> bool {
        self.status == "CREATE_COMPLETE" && self.execution_status == "AVAILABLE"
    }

    /// evrelay's name, description and managed tag: a change set anyone could describe as
    /// "evrelay deploy" is not enough to run it.
    pub fn made_by_evrelay(&self) -> bool {
        is_evrelay_change_set(Some(&self.name), self.description.as_deref())
            && self
                .tags
                .iter()
                .any(|(k, v)| k == crate::names::TAG_MANAGED && v == "true")
    }

    /// CloudFormation took the ExecuteChangeSet, whatever the caller heard back.
    pub fn execution_started(&self) -> bool {
        matches!(
            self.execution_status.as_str(),
            "EXECUTE_IN_PROGRESS" | "EXECUTE_COMPLETE" | "EXECUTE_FAILED"
        )
    }
}

/// A change set named and described as [`create_change_set`] makes them.
pub fn is_evrelay_change_set(name: Option<&str>, description: Option<&str>) -> bool {
    name.is_some_and(|n| n.starts_with("evrelay-"))
        && matches!(description, Some(DESCRIPTION | KEPT_DESCRIPTION))
}

/// A change set a deploy made to execute itself (not one kept for review): while it is on a
/// stack under review, that deploy is running (or was killed before it could clean up).
pub fn is_running_deploy(name: &str, description: Option<&str>) -> bool {
    name.starts_with("evrelay-") && description == Some(DESCRIPTION)
}

/// The change set `name` (a name within `stack`, or an ARN); `None` when CloudFormation knows
/// no such change set there.
pub async fn describe_change_set(
    client: &aws_sdk_cloudformation::Client,
    name: &str,
    stack: &str,
) -> Result<Option<ChangeSetInfo>> {
    let mut pages = client
        .describe_change_set()
        .change_set_name(name)
        .set_stack_name((!name.starts_with("arn:")).then(|| stack.to_string()))
        .into_paginator()
        .send();
    let mut info: Option<ChangeSetInfo> = None;
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(page) => page,
            // ChangeSetNotFound (404) names an unknown change set; a stack that does not exist
            // is a ValidationError saying so.
            Err(e) if is_not_found(e.code(), e.message()) => return Ok(None),
            Err(e) => return Err(Error::aws("DescribeChangeSet", e)),
        };
        let rows = change_rows(&page);
        match info.as_mut() {
            Some(i) => i.changes.extend(rows),
            None => {
                let pairs = |v: Vec<(Option<&str>, Option<&str>)>| -> Vec<(String, String)> {
                    v.into_iter()
                        .map(|(k, v)| {
                            (
                                k.unwrap_or_default().to_string(),
                                v.unwrap_or_default().to_string(),
                            )
                        })
                        .collect()
                };
                info = Some(ChangeSetInfo {
                    id: page.change_set_id().unwrap_or(name).to_string(),
                    name: page.change_set_name().unwrap_or(name).to_string(),
                    stack_id: page.stack_id().unwrap_or(stack).to_string(),
                    stack_name: page.stack_name().unwrap_or(stack).to_string(),
                    status: page
                        .status()
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_default(),
                    execution_status: page
                        .execution_status()
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_default(),
                    status_reason: page.status_reason().map(str::to_string),
                    description: page.description().map(str::to_string),
                    parameters: pairs(
                        page.parameters()
                            .iter()
                            .map(|p| (p.parameter_key(), p.parameter_value()))
                            .collect(),
                    ),
                    tags: pairs(page.tags().iter().map(|t| (t.key(), t.value())).collect()),
                    changes: rows,
                });
            }
        }
    }
    Ok(info)
}

fn is_not_found(code: Option<&str>, message: Option<&str>) -> bool {
    code == Some("ChangeSetNotFound")
        || (code == Some("ValidationError")
            && message.is_some_and(|m| m.contains("does not exist")))
}

pub async fn execute_change_set(
    client: &aws_sdk_cloudformation::Client,
    change_set_id: &str,
    token: &str,
) -> Result<()> {
    client
        .execute_change_set()
        .change_set_name(change_set_id)
        .client_request_token(token)
        .send()
        .await
        .aws_context("ExecuteChangeSet")?;
    Ok(())
}

/// The change sets on a stack (by name or id), as (name, description); none for a stack that
/// is gone.
pub async fn change_sets_on(
    client: &aws_sdk_cloudformation::Client,
    stack: &str,
) -> Result<Vec<(String, Option<String>)>> {
    let mut pages = client
        .list_change_sets()
        .stack_name(stack)
        .into_paginator()
        .send();
    let mut names = Vec::new();
    while let Some(page) = pages.next().await {
        match page {
            Ok(page) => names.extend(page.summaries().iter().filter_map(|c| {
                let name = c.change_set_name()?.to_string();
                Some((name, c.description().map(str::to_string)))
            })),
            Err(e) if is_not_found(e.code(), e.message()) => return Ok(Vec::new()),
            Err(e) => return Err(Error::aws("ListChangeSets", e)),
        }
    }
    Ok(names)
}

/// DeleteChangeSet by id (ARN), or by name within `stack` (a change set whose CreateChangeSet
/// never answered is known only by name).
pub async fn delete_change_set(
    client: &aws_sdk_cloudformation::Client,
    change_set: &str,
    stack: &str,
) -> Result<()> {
    let mut req = client.delete_change_set().change_set_name(change_set);
    if !change_set.starts_with("arn:") {
        req = req.stack_name(stack);
    }
    req.send().await.aws_context("DeleteChangeSet")?;
    Ok(())
}

#[cfg(test)]
mod tests;
