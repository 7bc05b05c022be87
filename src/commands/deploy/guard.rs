//! Nothing half-made: until the change set executes, a deploy keeps a list of what it has
//! created (the change set, the REVIEW_IN_PROGRESS stack CloudFormation makes for a new one,
//! VPC endpoints), and any way out before execution (an error, a refused prompt, Ctrl-C,
//! SIGTERM) removes exactly those, and nothing else.

use std::future::Future;

use crate::context::Context;
use crate::endpoints;
use crate::error::{Error, Result};
use crate::stack::{self, changeset, describe_stack, Operation};

/// A change set this run asked for: known by name before CreateChangeSet answers, so one
/// interrupted mid-request is found too.
#[derive(Debug, Clone)]
pub struct PendingChangeSet {
    pub stack: String,
    pub name: String,
    pub operation: Operation,
    /// From CreateChangeSet's answer.
    pub id: Option<String>,
    pub stack_id: Option<String>,
}

/// What this deploy created and has not handed over to CloudFormation yet.
#[derive(Debug, Default)]
pub struct Debris {
    pub change_set: Option<PendingChangeSet>,
    pub endpoints: Vec<String>,
}

/// Runs the steps before execution; Ctrl-C or SIGTERM ends them at once (the caller cleans up).
pub async fn interruptible<T>(steps: impl Future<Output = Result<T>>) -> Result<T> {
    let interrupted = crate::stack::follow::interrupt_signal();
    #[cfg(unix)]
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let terminated = async {
        #[cfg(unix)]
        if let Some(t) = term.as_mut() {
            t.recv().await;
            return;
        }
        std::future::pending::<()>().await
    };
    tokio::select! {
        r = steps => r,
        _ = interrupted => Err(Error::failed("deploy interrupted (Ctrl-C) before the change set was executed")),
        _ = terminated => Err(Error::failed("deploy interrupted (SIGTERM) before the change set was executed")),
    }
}

/// Deletes the change set (and the empty stack made for it) and the endpoints; returns what it
/// removed, for the message. A failure here is a warning: the operator is told what is left.
pub async fn clean_up(ctx: &Context, debris: &mut Debris) -> Vec<String> {
    let mut removed = Vec::new();
    if let Some(cs) = debris.change_set.take() {
        removed.extend(discard(ctx, &cs).await);
    }
    if !debris.endpoints.is_empty() {
        let ids = std::mem::take(&mut debris.endpoints);
        match endpoints::delete(ctx.ec2(), &ids).await {
            Ok(()) => removed.push(format!("the VPC endpoints {}", ids.join(", "))),
            Err(e) => ctx.printer.warn(&format!(
                "could not delete the VPC endpoints {} this deploy created: {}; `evrelay destroy` removes them",
                ids.join(", "),
                e.message
            )),
        }
    }
    removed
}

/// The error a deploy ends with after [`clean_up`]: the cause, and what was removed.
pub fn with_cleanup(e: Error, removed: &[String]) -> Error {
    if removed.is_empty() {
        return e;
    }
    let mut e = e;
    e.message = format!(
        "{}; removed what it had made: {}",
        e.message,
        removed.join(", ")
    );
    e
}

/// Deletes an unexecuted change set; for a new stack also the REVIEW_IN_PROGRESS stack
/// CloudFormation made for it (only in that state: a stack that holds resources is never
/// deleted here).
pub async fn discard(ctx: &Context, cs: &PendingChangeSet) -> Vec<String> {
    let cfn = ctx.cloudformation();
    let mut removed = Vec::new();
    let target = cs.id.clone().unwrap_or_else(|| cs.name.clone());
    match changeset::delete_change_set(cfn, &target, &cs.stack).await {
        Ok(()) => removed.push(format!("change set {}", cs.name)),
        Err(e) if e.message.contains("does not exist") => {}
        Err(e) => ctx.printer.warn(&format!(
            "could not delete change set {}: {}",
            cs.name, e.message
        )),
    }
    if cs.operation != Operation::Create {
        return removed;
    }
    let stack_ref = cs.stack_id.clone().unwrap_or_else(|| cs.stack.clone());
    match describe_stack(cfn, &stack_ref).await {
        Ok(Some(s)) if s.status == "REVIEW_IN_PROGRESS" => {
            match stack::delete_stack(cfn, &s.id, &stack::request_token("discard")).await {
                Ok(()) => removed.push(format!("the empty stack {}", cs.stack)),
                Err(e) => ctx.printer.warn(&format!(
                    "could not delete the empty stack {}: {}",
                    cs.stack, e.message
                )),
            }
        }
        Ok(_) => {}
        Err(e) => ctx.printer.warn(&format!(
            "could not check the stack {}: {}",
            cs.stack, e.message
        )),
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_names_what_was_removed_and_keeps_its_kind_and_hint() {
        let e = Error::failed("deploy cancelled").hint("h");
        let e = with_cleanup(
            e,
            &["change set evrelay-1".into(), "the empty stack s".into()],
        );
        assert_eq!(
            e.message,
            "deploy cancelled; removed what it had made: change set evrelay-1, the empty stack s"
        );
        assert_eq!((e.exit_code(), e.hint.as_deref()), (1, Some("h")));
        assert_eq!(with_cleanup(Error::usage("u"), &[]).exit_code(), 2);
    }
}
