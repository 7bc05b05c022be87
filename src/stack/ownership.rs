//! Whose stack is it? evrelay changes or deletes only the stacks it created: those carrying its
//! `evrelay:managed=true` tag (set on every change set it creates). A stack without it may be
//! the tutorial's SAM stack (the default `--stack` is the tutorial's own name) or anyone
//! else's; commands that write refuse it, read-only commands say it is not evrelay's.
//!
//! Wiring for the other commands: a command that changes or deletes anything calls
//! [`require_owned`] first; a read-only one prints [`foreign_note`] when it returns a note.

use serde::Serialize;

use super::{describe_stack, StackInfo};
use crate::error::{AwsResultExt, Error, Result};
use crate::names::TAG_MANAGED;

/// The tutorial's SAM template: its logical ids and the bus it names.
const TUTORIAL_LOGICAL_IDS: [&str; 2] = ["EventRelayFunction", "EventsToVpcSecret"];
const TUTORIAL_BUS: &str = "event-relay-bus";

/// Who made the stack, as far as evrelay can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StackOwner {
    Evrelay,
    /// The tutorial's SAM stack (sample-eventbridge-to-private-endpoint).
    Tutorial,
    Foreign,
}

/// One resource as ListStackResources names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceName {
    pub logical_id: String,
    pub physical_id: String,
}

/// What is known about the stack, for [`decide`].
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    pub tags: Vec<(String, String)>,
    pub resources: Vec<ResourceName>,
    /// REVIEW_IN_PROGRESS only: every pending change set was made by evrelay (its name and
    /// description), for a stack whose tags CloudFormation does not show yet.
    pub only_evrelay_change_sets: bool,
}

/// The pure decision: the tag first, then the tutorial's fingerprint.
pub fn decide(e: &Evidence) -> StackOwner {
    if e.tags.iter().any(|(k, v)| k == TAG_MANAGED && v == "true") || e.only_evrelay_change_sets {
        return StackOwner::Evrelay;
    }
    let tutorial = e.resources.iter().any(|r| {
        TUTORIAL_LOGICAL_IDS.contains(&r.logical_id.as_str()) || r.physical_id == TUTORIAL_BUS
    });
    if tutorial {
        StackOwner::Tutorial
    } else {
        StackOwner::Foreign
    }
}

/// Reads what [`decide`] needs: the resources only when the tag is missing.
pub async fn owner_of(cfn: &aws_sdk_cloudformation::Client, s: &StackInfo) -> Result<StackOwner> {
    let mut evidence = Evidence {
        tags: s.tags.clone(),
        ..Evidence::default()
    };
    if decide(&evidence) == StackOwner::Evrelay {
        return Ok(StackOwner::Evrelay);
    }
    if s.status == "REVIEW_IN_PROGRESS" {
        evidence.only_evrelay_change_sets = only_evrelay_change_sets(cfn, s).await?;
    }
    evidence.resources = list_resources(cfn, &s.id).await?;
    Ok(decide(&evidence))
}

/// The stack, if it exists and is evrelay's; `Ok(None)` when there is no such stack; an error
/// (exit 1, naming the stack, why, and what to do) when it is someone else's.
pub async fn require_owned(
    cfn: &aws_sdk_cloudformation::Client,
    stack: &str,
    command: &str,
) -> Result<Option<StackInfo>> {
    let Some(info) = describe_stack(cfn, stack).await? else {
        return Ok(None);
    };
    match owner_of(cfn, &info).await? {
        StackOwner::Evrelay => Ok(Some(info)),
        owner => Err(refusal(stack, owner, command)),
    }
}

/// Whether termination protection is on (DescribeStacks `EnableTerminationProtection`):
/// destroy refuses such a stack before it asks anything.
pub async fn termination_protected(
    cfn: &aws_sdk_cloudformation::Client,
    stack_id: &str,
) -> Result<bool> {
    let out = cfn
        .describe_stacks()
        .stack_name(stack_id)
        .send()
        .await
        .aws_context("DescribeStacks")?;
    Ok(out
        .stacks()
        .first()
        .and_then(|s| s.enable_termination_protection())
        .unwrap_or(false))
}

/// For a read-only command: a note when the stack exists and is not evrelay's.
pub async fn foreign_note(
    cfn: &aws_sdk_cloudformation::Client,
    stack: &str,
) -> Result<Option<String>> {
    let Some(info) = describe_stack(cfn, stack).await? else {
        return Ok(None);
    };
    Ok(note_for(stack, owner_of(cfn, &info).await?))
}

/// For the read-only commands (send, logs, dlq peek): a note when the stack is not evrelay's.
/// Best effort on purpose: an operator allowed to send events or read logs may not be allowed
/// to describe stacks, and that must not stop the command.
pub async fn note_if_foreign(ctx: &crate::context::Context) {
    if let Ok(Some(note)) = foreign_note(ctx.cloudformation(), &ctx.names.stack).await {
        ctx.printer.note(&note);
    }
}

/// The note a read-only command prints about a stack evrelay did not create.
pub fn note_for(stack: &str, owner: StackOwner) -> Option<String> {
    match owner {
        StackOwner::Evrelay => None,
        StackOwner::Tutorial => Some(format!(
            "Note: stack {stack} is the tutorial's SAM stack, not evrelay's (no {TAG_MANAGED} tag); \
             evrelay reads it but will not change it."
        )),
        StackOwner::Foreign => Some(format!(
            "Note: stack {stack} was not created by evrelay (no {TAG_MANAGED} tag); evrelay reads it \
             but will not change it."
        )),
    }
}

/// The refusal: one line naming the stack and why, one hint line with the way forward.
pub fn refusal(stack: &str, owner: StackOwner, command: &str) -> Error {
    match owner {
        StackOwner::Tutorial => Error::failed(format!(
            "stack `{stack}` is the tutorial's SAM stack (EventRelayFunction, EventsToVpcSecret), not evrelay's: \
             {command} will not touch it"
        ))
        .hint(format!(
            "migrate: `evrelay --stack NAME deploy …` beside it, check the round trip with `evrelay --stack NAME send`, \
             then `sam delete --stack-name {stack}`"
        )),
        _ => Error::failed(format!(
            "stack `{stack}` was not created by evrelay (no {TAG_MANAGED} tag): {command} will not touch it"
        ))
        .hint("pass `--stack NAME` to deploy a new relay beside it under another name"),
    }
}

async fn list_resources(
    cfn: &aws_sdk_cloudformation::Client,
    stack_id: &str,
) -> Result<Vec<ResourceName>> {
    let mut out = Vec::new();
    let mut pages = cfn
        .list_stack_resources()
        .stack_name(stack_id)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        for r in page
            .aws_context("ListStackResources")?
            .stack_resource_summaries()
        {
            out.push(ResourceName {
                logical_id: r.logical_resource_id().unwrap_or_default().to_string(),
                physical_id: r.physical_resource_id().unwrap_or_default().to_string(),
            });
        }
    }
    Ok(out)
}

/// A REVIEW_IN_PROGRESS stack made by `evrelay deploy`: each change set on it is one of ours.
async fn only_evrelay_change_sets(
    cfn: &aws_sdk_cloudformation::Client,
    s: &StackInfo,
) -> Result<bool> {
    let mut seen = 0;
    let mut pages = cfn
        .list_change_sets()
        .stack_name(&s.id)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        for c in page.aws_context("ListChangeSets")?.summaries() {
            // Filtered here too: the summaries name their stack.
            if c.stack_id().is_some_and(|id| id != s.id) {
                continue;
            }
            if !super::changeset::is_evrelay_change_set(c.change_set_name(), c.description()) {
                return Ok(false);
            }
            seen += 1;
        }
    }
    Ok(seen > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(logical: &str, physical: &str) -> ResourceName {
        ResourceName {
            logical_id: logical.into(),
            physical_id: physical.into(),
        }
    }

    #[test]
    fn only_the_managed_tag_makes_a_stack_evrelay_s() {
        let tagged = Evidence {
            tags: vec![(TAG_MANAGED.into(), "true".into())],
            ..Evidence::default()
        };
        assert_eq!(decide(&tagged), StackOwner::Evrelay);
        let wrong_value = Evidence {
            tags: vec![(TAG_MANAGED.into(), "false".into())],
            resources: vec![res("Bus", "x-bus")],
            ..Evidence::default()
        };
        assert_eq!(decide(&wrong_value), StackOwner::Foreign);
        // evrelay's own logical ids do not make a stack evrelay's: anyone can name a resource.
        let lookalike = Evidence {
            resources: vec![res("Function", "event-relay-app-relay")],
            ..Evidence::default()
        };
        assert_eq!(decide(&lookalike), StackOwner::Foreign);
    }

    #[test]
    fn the_tutorial_is_recognised_by_its_resources() {
        for r in [
            res("EventRelayFunction", "fn"),
            res("EventsToVpcSecret", "arn:secret"),
            res("Bus", TUTORIAL_BUS),
        ] {
            let e = Evidence {
                resources: vec![res("Other", "o"), r],
                ..Evidence::default()
            };
            assert_eq!(decide(&e), StackOwner::Tutorial);
        }
    }

    #[test]
    fn a_review_stack_with_only_evrelay_change_sets_is_evrelay_s() {
        let e = Evidence {
            only_evrelay_change_sets: true,
            ..Evidence::default()
        };
        assert_eq!(decide(&e), StackOwner::Evrelay);
    }

    #[test]
    fn refusals_are_two_lines_naming_the_stack() {
        for owner in [StackOwner::Tutorial, StackOwner::Foreign] {
            let e = refusal("event-relay-app", owner, "deploy");
            assert_eq!(e.exit_code(), 1);
            assert!(e.message.contains("`event-relay-app`") && !e.message.contains('\n'));
            let hint = e.hint.unwrap();
            assert!(hint.contains("--stack NAME") && !hint.contains('\n'));
        }
        assert!(refusal("s", StackOwner::Tutorial, "destroy")
            .hint
            .unwrap()
            .contains("sam delete --stack-name s"));
        assert_eq!(note_for("s", StackOwner::Evrelay), None);
        assert!(note_for("s", StackOwner::Tutorial)
            .unwrap()
            .contains("tutorial"));
    }
}
