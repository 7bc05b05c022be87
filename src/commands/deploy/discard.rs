//! An unexecuted change set and the stack under review CloudFormation made for it: removed
//! only when this run made them (by the stack id its own change set names, only while no other
//! change set is on the stack), and another deploy of the same stack recognised and named
//! rather than undone.

use crate::context::Context;
use crate::error::Error;
use crate::stack::{self, changeset, describe_stack, Operation};

use super::guard::{Cleanup, Debris, PendingChangeSet};

/// Deletes an unexecuted change set; for a new stack also the REVIEW_IN_PROGRESS stack
/// CloudFormation made for it. Returns what it removed.
pub async fn discard(ctx: &Context, cs: &PendingChangeSet) -> Vec<String> {
    let mut done = Cleanup::default();
    discard_into(ctx, cs, &mut done).await;
    for left in &done.left {
        ctx.printer.warn(&format!("could not remove {left}"));
    }
    done.removed
}

/// The change set by its id, or found by name when CreateChangeSet's answer was never seen;
/// then, for a new stack, the stack that change set made: only that stack (by id), only while
/// it is under review, only with no other change set on it, so another deploy's stack is never
/// touched.
pub(super) async fn discard_into(ctx: &Context, cs: &PendingChangeSet, done: &mut Cleanup) {
    let cfn = ctx.cloudformation();
    let delete_cmd = format!(
        "`aws cloudformation delete-change-set --stack-name {} --change-set-name {}`",
        cs.stack, cs.name
    );
    let (id, stack_id) = match (&cs.id, &cs.stack_id) {
        (Some(id), Some(stack_id)) => (id.clone(), stack_id.clone()),
        _ => match changeset::describe_change_set(cfn, &cs.name, &cs.stack).await {
            Ok(Some(found)) => (found.id, found.stack_id),
            // Never made: CreateChangeSet was refused or never reached CloudFormation.
            Ok(None) => return,
            Err(e) => {
                done.left.push(format!(
                    "change set {} on stack {} ({}; {delete_cmd})",
                    cs.name, cs.stack, e.message
                ));
                return;
            }
        },
    };
    match changeset::delete_change_set(cfn, &id, &cs.stack).await {
        Ok(()) => done.removed.push(format!("change set {}", cs.name)),
        Err(e) if e.message.contains("does not exist") => {}
        Err(e) => {
            done.left.push(format!(
                "change set {} ({}; {delete_cmd})",
                cs.name, e.message
            ));
            return;
        }
    }
    if cs.operation != Operation::Create {
        return;
    }
    let delete_stack_cmd = format!("`aws cloudformation delete-stack --stack-name {stack_id}`");
    let s = match describe_stack(cfn, &stack_id).await {
        Ok(Some(s)) if s.status == "REVIEW_IN_PROGRESS" => s,
        Ok(_) => return,
        Err(e) => {
            done.left.push(format!(
                "the empty stack {} ({}; {delete_stack_cmd} if it is REVIEW_IN_PROGRESS)",
                cs.stack, e.message
            ));
            return;
        }
    };
    match changeset::change_sets_on(cfn, &s.id).await {
        Ok(others) if others.is_empty() => {}
        // Another run's change set is on it: the stack is that run's too.
        Ok(_) => return,
        Err(e) => {
            done.left.push(format!(
                "the empty stack {} ({}; {delete_stack_cmd})",
                cs.stack, e.message
            ));
            return;
        }
    }
    match stack::delete_stack(cfn, &s.id, &stack::request_token("discard")).await {
        Ok(()) => done.removed.push(format!("the empty stack {}", cs.stack)),
        Err(e) => done.left.push(format!(
            "the empty stack {} ({}; {delete_stack_cmd})",
            cs.stack, e.message
        )),
    }
}

/// Another deploy of the same stack got there first: it executed (the stack this run's CREATE
/// change set was for now exists), or a change of it is running. Checked after a failure, so
/// the error says so instead of the symptom (a change set deleted, a CREATE refused).
pub async fn other_run(ctx: &Context, debris: &Debris) -> Option<Error> {
    let cs = debris.change_set.as_ref()?;
    let s = describe_stack(ctx.cloudformation(), &cs.stack)
        .await
        .ok()??;
    let busy = !stack::is_settled(&s.status) && s.status != "REVIEW_IN_PROGRESS";
    let created = cs.operation == Operation::Create && s.status != "REVIEW_IN_PROGRESS";
    (busy || created)
        .then(|| another_deploy(&cs.stack, &format!("the stack is {}", s.status), false))
}

/// "Another deploy of stack X is running": what it saw, and how to follow the other one. A
/// stack still under review may be a killed deploy's: then the command that removes it.
pub fn another_deploy(stack: &str, seen: &str, under_review: bool) -> Error {
    let mut hint = format!(
        "follow it with `evrelay status --watch --stack {stack}`, then deploy again if needed"
    );
    if under_review {
        hint.push_str(&format!(
            "; if no deploy is running (one was killed), `aws cloudformation delete-stack --stack-name {stack}` removes the stack under review"
        ));
    }
    Error::failed(format!(
        "another deploy of stack `{stack}` is running ({seen}); this one stopped without touching it"
    ))
    .hint(hint)
}

/// A stack under review that holds a change set a running deploy made (not one kept for
/// review): another deploy of it is under way, so this one stops rather than delete it.
pub async fn refuse_if_another_deploy(
    cfn: &aws_sdk_cloudformation::Client,
    s: &stack::StackInfo,
) -> crate::error::Result<()> {
    if s.status != "REVIEW_IN_PROGRESS" {
        return Ok(());
    }
    let on_it = changeset::change_sets_on(cfn, &s.id).await?;
    match on_it
        .iter()
        .find(|(name, description)| changeset::is_running_deploy(name, description.as_deref()))
    {
        Some((name, _)) => Err(another_deploy(
            &s.name,
            &format!("its change set {name} is under review"),
            true,
        )),
        None => Ok(()),
    }
}
