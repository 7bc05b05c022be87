//! Nothing half-made: until the change set executes, a deploy keeps a list of what it has
//! created (the change set, the REVIEW_IN_PROGRESS stack CloudFormation makes for a new one,
//! VPC endpoints and their groups), and any way out before execution (an error, a refused
//! prompt, Ctrl-C, SIGTERM) removes exactly those, and nothing else.
//!
//! A create call is sent on a task of its own ([`Debris::sent`]): Ctrl-C ends the waits at
//! once but never abandons a call AWS may already be acting on. The clean-up waits (bounded)
//! for its answer, then finds what the run made by name and by its run tag, so a call
//! answered too late is removed too; what it cannot remove is named with the command that does.

use std::future::Future;
use std::time::Duration;

use crate::context::Context;
use crate::endpoints;
use crate::error::{Error, Result};
use crate::stack::Operation;

/// How long an interrupted run waits for a call it already sent.
const ANSWER_WAIT: Duration = Duration::from_secs(60);
/// How long it waits for EC2 to release a deleted endpoint's group.
const GROUP_WAIT: Duration = Duration::from_secs(90);

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
    /// The `evrelay:deploy-run` tag on the endpoints and groups this run makes (empty: none).
    pub run: String,
    pub change_set: Option<PendingChangeSet>,
    pub endpoints: Vec<String>,
    /// The change set was executed: the change is CloudFormation's now.
    pub executed: bool,
    in_flight: Vec<InFlight>,
}

#[derive(Debug)]
struct InFlight {
    call: &'static str,
    done: tokio::task::JoinHandle<()>,
}

impl Debris {
    pub fn new(run: &str) -> Self {
        Self {
            run: run.to_string(),
            ..Self::default()
        }
    }

    /// Sends a create call on a task of its own and awaits its answer. Dropping the caller (an
    /// interruption) leaves the call running; [`clean_up`] waits for it.
    pub async fn sent<T: Send + 'static>(
        &mut self,
        call: &'static str,
        request: impl Future<Output = Result<T>> + Send + 'static,
    ) -> Result<T> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let done = tokio::spawn(async move {
            let _ = tx.send(request.await);
        });
        self.in_flight.push(InFlight { call, done });
        let answer = rx.await;
        self.in_flight.pop();
        answer.unwrap_or_else(|_| Err(Error::failed(format!("{call} ended without an answer"))))
    }
}

/// What a clean-up removed, and what it could not (each with the command that removes it).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Cleanup {
    pub removed: Vec<String>,
    pub left: Vec<String>,
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

/// Waits for calls already sent, bounded ([`ANSWER_WAIT`]), with a line saying so.
pub async fn await_answer<F: Future>(ctx: &Context, calls: &str, answer: F) -> Option<F::Output> {
    crate::interrupt::await_answer(&ctx.printer, calls, ANSWER_WAIT, answer).await
}

/// Removes what the run made: the change set (and the empty stack made for it), the endpoints
/// and their groups. A second Ctrl-C stops it at once; what is then left is named.
pub async fn clean_up(ctx: &Context, debris: &mut Debris) -> Cleanup {
    let mut done = Cleanup::default();
    let stop = crate::interrupt::listen();
    if debris.change_set.is_some() || !debris.endpoints.is_empty() || !debris.in_flight.is_empty() {
        ctx.printer.note("Removing what this deploy made…");
    }
    let finished = tokio::select! {
        _ = remove_all(ctx, debris, &mut done) => true,
        _ = stop => false,
    };
    if !finished {
        done.left.extend(what_may_remain(debris));
    }
    done
}

async fn remove_all(ctx: &Context, debris: &mut Debris, done: &mut Cleanup) {
    let pending: Vec<InFlight> = std::mem::take(&mut debris.in_flight);
    let unanswered: Vec<&'static str> = pending
        .iter()
        .filter(|f| !f.done.is_finished())
        .map(|f| f.call)
        .collect();
    if !unanswered.is_empty() {
        let calls = unanswered.join(" and ");
        let answered = futures::future::join_all(pending.into_iter().map(|f| f.done));
        if await_answer(ctx, &calls, answered).await.is_none() {
            done.left.push(format!(
                "whatever {calls} makes after this run ended ({})",
                find_command(&debris.run)
            ));
        }
    }
    if let Some(cs) = debris.change_set.clone() {
        super::discard::discard_into(ctx, &cs, done).await;
        debris.change_set = None;
    }
    if debris.run.is_empty() && debris.endpoints.is_empty() {
        return;
    }
    remove_endpoints(ctx, debris, done).await;
    debris.run.clear();
    debris.endpoints.clear();
}

/// The endpoints this run made (recorded, or found by its tag) and their groups.
async fn remove_endpoints(ctx: &Context, debris: &Debris, done: &mut Cleanup) {
    let ec2 = ctx.ec2();
    let mut ids = debris.endpoints.clone();
    let mut groups = Vec::new();
    if !debris.run.is_empty() {
        match endpoints::made_by_run(ec2, &debris.run).await {
            Ok((found, g)) => {
                ids.extend(found.into_iter().map(|e| e.id));
                groups = g;
            }
            Err(e) => done.left.push(format!(
                "what this run may have made ({}; {})",
                e.message,
                find_command(&debris.run)
            )),
        }
    }
    ids.sort();
    ids.dedup();
    if !ids.is_empty() {
        match endpoints::delete(ec2, &ids).await {
            Ok(()) => done
                .removed
                .push(format!("the VPC endpoints {}", ids.join(", "))),
            Err(e) => done.left.push(format!(
                "the VPC endpoints {} ({}; `aws ec2 delete-vpc-endpoints --vpc-endpoint-ids {}`)",
                ids.join(", "),
                e.message,
                ids.join(" ")
            )),
        }
    }
    if groups.is_empty() {
        return;
    }
    let spinner = super::steps::phase(
        ctx,
        &format!(
            "Waiting for EC2 to release the endpoints' security groups in {}",
            ctx.region()
        ),
    );
    let (deleted, held) =
        endpoints::delete_groups(ec2, &groups, Duration::from_secs(5), GROUP_WAIT).await;
    spinner.finish_and_clear();
    if !deleted.is_empty() {
        done.removed.push(format!(
            "the endpoint security groups {}",
            deleted.join(", ")
        ));
    }
    for g in held {
        done.left.push(format!(
            "security group {g} (still held by a deleted endpoint's network interfaces; `aws ec2 delete-security-group --group-id {g}` once they are gone)"
        ));
    }
}

/// How to find what a run tagged (for the message when it could not look itself).
fn find_command(run: &str) -> String {
    format!(
        "`aws ec2 describe-vpc-endpoints --filters Name=tag:{tag},Values={run}` and `aws ec2 describe-security-groups --filters Name=tag:{tag},Values={run}` list it",
        tag = endpoints::TAG_RUN
    )
}

/// What a clean-up stopped half-way may have left, each with the command that removes it.
fn what_may_remain(debris: &Debris) -> Vec<String> {
    let mut left = Vec::new();
    if let Some(cs) = &debris.change_set {
        left.push(format!(
            "change set {} on stack {} (`aws cloudformation delete-change-set --stack-name {} --change-set-name {}`)",
            cs.name, cs.stack, cs.stack, cs.name
        ));
        if cs.operation == Operation::Create {
            left.push(format!(
                "stack {} if it is REVIEW_IN_PROGRESS with no other change set (`aws cloudformation delete-stack --stack-name {}`)",
                cs.stack, cs.stack
            ));
        }
    }
    if !debris.endpoints.is_empty() {
        left.push(format!(
            "the VPC endpoints {} (`aws ec2 delete-vpc-endpoints --vpc-endpoint-ids {}`)",
            debris.endpoints.join(", "),
            debris.endpoints.join(" ")
        ));
    }
    if !debris.run.is_empty() {
        left.push(format!(
            "VPC endpoints and security groups tagged {}={} ({})",
            endpoints::TAG_RUN,
            debris.run,
            find_command(&debris.run)
        ));
    }
    left
}

/// The error a deploy ends with after [`clean_up`]: the cause, what was removed, and what is
/// left with the commands that remove it.
pub fn with_cleanup(e: Error, cleanup: &Cleanup) -> Error {
    let mut e = e;
    if !cleanup.removed.is_empty() {
        e.message = format!(
            "{}; removed what it had made: {}",
            e.message,
            cleanup.removed.join(", ")
        );
    }
    if !cleanup.left.is_empty() {
        e.message = format!(
            "{}; could not remove: {}",
            e.message,
            cleanup.left.join("; ")
        );
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_names_what_was_removed_and_what_is_left_and_keeps_its_kind_and_hint() {
        let e = Error::failed("deploy cancelled").hint("h");
        let cleanup = Cleanup {
            removed: vec!["change set evrelay-1".into(), "the empty stack s".into()],
            left: Vec::new(),
        };
        let e = with_cleanup(e, &cleanup);
        assert_eq!(
            e.message,
            "deploy cancelled; removed what it had made: change set evrelay-1, the empty stack s"
        );
        assert_eq!((e.exit_code(), e.hint.as_deref()), (1, Some("h")));
        assert_eq!(
            with_cleanup(Error::usage("u"), &Cleanup::default()).exit_code(),
            2
        );
        let left = Cleanup {
            removed: Vec::new(),
            left: vec![
                "security group sg-1 (`aws ec2 delete-security-group --group-id sg-1`)".into(),
            ],
        };
        assert_eq!(
            with_cleanup(Error::failed("x"), &left).message,
            "x; could not remove: security group sg-1 (`aws ec2 delete-security-group --group-id sg-1`)"
        );
    }

    #[test]
    fn a_stopped_clean_up_names_each_thing_it_may_have_left_with_its_command() {
        let mut debris = Debris::new("evrelay-9");
        debris.change_set = Some(PendingChangeSet {
            stack: "s".into(),
            name: "evrelay-9".into(),
            operation: Operation::Create,
            id: None,
            stack_id: None,
        });
        debris.endpoints = vec!["vpce-1".into()];
        let left = what_may_remain(&debris).join("\n");
        assert!(left.contains("--change-set-name evrelay-9"), "{left}");
        assert!(left.contains("delete-stack --stack-name s"), "{left}");
        assert!(left.contains("--vpc-endpoint-ids vpce-1"), "{left}");
        assert!(
            left.contains("Name=tag:evrelay:deploy-run,Values=evrelay-9"),
            "{left}"
        );
        assert!(what_may_remain(&Debris::default()).is_empty());
    }
}
