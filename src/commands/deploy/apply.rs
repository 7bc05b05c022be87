//! After the yes: make what the change set needs (VPC endpoints, the region's Logs policy, the
//! end of a queue-name window), execute it and follow it to the end. Shared by a deploy and
//! by `deploy --execute` of a kept change set.

use crate::context::Context;
use crate::endpoints;
use crate::error::{Error, Result};
use crate::stack::changeset::{self, ChangeSetId};
use crate::stack::events::{latest_events, Cursor};
use crate::stack::follow::{follow, outcome_error};
use crate::stack::progress::Progress;
use crate::stack::{self, Operation};
use crate::template;

use super::guard::{self, Debris};
use super::preflight;
use super::report::{DeployResult, EndpointAction};
use super::steps;

/// A confirmed change set, ready to execute.
pub(super) struct Ready {
    /// None: the stack was up to date; only its missing VPC endpoints were made.
    pub created: Option<ChangeSetId>,
    pub operation: Operation,
    pub endpoint_actions: Vec<EndpointAction>,
    pub cursor: Cursor,
    /// Endpoints this run created, maybe still `pending`: waited for beside the stack.
    pub new_endpoints: Vec<String>,
}

/// After the yes: the endpoints, the region's Logs policy and, for a new stack, the end of the
/// queue-name window; then the change set is ready to execute.
pub(super) async fn make_ready(
    ctx: &Context,
    plan: &preflight::NetworkPlan,
    created: ChangeSetId,
    operation: Operation,
    debris: &mut Debris,
) -> Result<Ready> {
    let cfn = ctx.cloudformation();
    let new_endpoints = steps::create_endpoints(ctx, plan, debris).await?;
    // One Logs resource policy for every relay in the region, outside any stack.
    let spinner = steps::phase(
        ctx,
        &format!(
            "Checking the region's Logs resource policy ({})",
            ctx.region()
        ),
    );
    let ensured = crate::aws::logs_policy::ensure(ctx.logs(), &created.stack_id).await;
    spinner.finish_and_clear();
    ensured?;
    if operation == Operation::Create {
        // A queue name is blocked for 60 s after its queue is deleted: wait it out, visibly.
        preflight::queue_window::wait_out(
            &ctx.printer,
            cfn,
            &ctx.names.stack,
            preflight::queue_window::window(),
        )
        .await?;
    }
    let cursor = Cursor::after(&latest_events(cfn, &created.stack_id).await?);
    Ok(Ready {
        created: Some(created),
        operation,
        endpoint_actions: plan.endpoint_actions(),
        cursor,
        new_endpoints,
    })
}

impl Ready {
    /// An up-to-date stack whose missing VPC endpoints were made: nothing to execute.
    pub fn endpoints_only(operation: Operation, endpoint_actions: Vec<EndpointAction>) -> Self {
        Ready {
            created: None,
            operation,
            endpoint_actions,
            cursor: Cursor::default(),
            new_endpoints: Vec::new(),
        }
    }
}

/// How one Region's deploy ended, for its result (printed alone, or in a pair's).
#[derive(Debug, Clone)]
pub(super) struct Done {
    pub operation: Operation,
    pub elapsed_ms: Option<u128>,
    pub endpoint_actions: Vec<EndpointAction>,
    /// Nothing was executed: the stack was as asked.
    pub up_to_date: bool,
}

/// Executes the change set and follows it; from here on Ctrl-C stops watching, not the change.
pub(super) async fn execute(
    ctx: &Context,
    ready: Ready,
    debris: &mut Debris,
    account: &str,
) -> Result<Done> {
    let cfn = ctx.cloudformation();
    let stack_name = &ctx.names.stack;
    let verb = ready.operation.verb();
    let Some(created) = ready.created.clone() else {
        return Ok(Done {
            operation: ready.operation,
            elapsed_ms: None,
            endpoint_actions: ready.endpoint_actions,
            up_to_date: true,
        });
    };
    let token = stack::request_token("deploy");
    match send_execute(ctx, &created.id, &token).await {
        Sent::Accepted => {}
        Sent::Refused(e) => return Err(after_failed_execute(ctx, e, &created.id, debris).await),
        Sent::AcceptedThenInterrupted => {
            *debris = Debris::default();
            debris.executed = true;
            return Err(Error::cancelled_with(format!(
                "interrupted after the change set was executed: the {verb} of stack `{stack_name}` goes on in AWS ({region})",
                region = ctx.region()
            ))
            .hint(format!("follow it with `evrelay status --watch --stack {stack_name}` (--region {})", ctx.region())));
        }
        Sent::Unknown => {
            // It may run: nothing it uses is removed.
            *debris = Debris::default();
            return Err(Error::cancelled_with(format!(
                "stopped before ExecuteChangeSet answered: the {verb} of stack `{stack_name}` may be going on in AWS ({region}); the VPC endpoints are kept",
                region = ctx.region()
            ))
            .hint(format!("see with `evrelay status --watch --stack {stack_name}` (--region {}); `evrelay destroy --stack {stack_name}` removes the endpoints if nothing runs", ctx.region())));
        }
    }
    *debris = Debris::default();
    debris.executed = true;
    let mut progress = Progress::new(
        stack_name,
        ready.operation,
        template::resource_descriptions(&template::render()),
    );
    // The endpoints' wait and the stack's run side by side: CloudFormation does not need the
    // endpoints to create the function, only the relay's first secret read does.
    let new_endpoints = ready.new_endpoints.clone();
    let mut endpoints_wait = Box::pin(endpoints::wait_available(
        ctx.ec2(),
        &new_endpoints,
        // Often enough that the relay is reported ready within a poll of the later wait.
        std::time::Duration::from_secs(2),
        std::time::Duration::from_secs(900),
    ));
    let opts = crate::stack::watch::WatchOptions {
        token: Some(token),
        side_every: std::time::Duration::from_secs(5),
        ..steps::watch_options()
    };
    let mut following = Box::pin(follow(
        &ctx.printer,
        cfn,
        &created.stack_id,
        ready.cursor,
        &mut progress,
        &opts,
        pending_endpoints(ctx.ec2(), &new_endpoints),
    ));
    let mut endpoints_done: Option<Result<()>> = None;
    let outcome = loop {
        tokio::select! {
            waited = &mut endpoints_wait, if endpoints_done.is_none() => endpoints_done = Some(waited),
            outcome = &mut following => break outcome?,
        }
    };
    if !outcome.ok && endpoints_done.is_none() && ready.operation == Operation::Create {
        // Rolled back while the endpoints were still pending: nothing uses them; the ones this
        // run made go (only those).
        let mut made = Debris::default();
        made.endpoints = new_endpoints.clone();
        let removed = guard::clean_up(ctx, &mut made).await;
        return Err(guard::with_cleanup(outcome_error(&outcome), &removed));
    }
    if outcome.ok {
        let waited = match endpoints_done {
            Some(waited) => waited,
            None => {
                let spinner = steps::phase(
                    ctx,
                    &format!(
                        "Waiting for the VPC endpoints in {} to become available",
                        ctx.region()
                    ),
                );
                let waited = endpoints_wait.await;
                spinner.finish_and_clear();
                waited
            }
        };
        if let Err(e) = waited {
            // The stack is complete and kept; only the endpoint needs another try.
            return Err(e.hint(format!(
                "the stack {stack_name} is kept; delete the endpoint (`aws ec2 delete-vpc-endpoints --vpc-endpoint-ids {}`) and run `evrelay deploy` again: it creates it anew",
                new_endpoints.join(" ")
            )));
        }
    }
    if !outcome.ok {
        if ctx.printer.json() {
            let failed =
                DeployResult::failed(&outcome, ready.endpoint_actions).at(account, ctx.region());
            if let Err(e) = ctx.printer.json_line(&failed) {
                if e.kind != crate::error::Kind::ClosedPipe {
                    return Err(e);
                }
            }
        }
        return Err(outcome_error(&outcome));
    }
    ctx.printer.note(&format!(
        "Stack {stack_name} in {}: {} in {}.",
        ctx.region(),
        outcome.status,
        stack::render::duration(std::time::Duration::from_millis(outcome.elapsed_ms as u64))
    ));
    Ok(Done {
        operation: ready.operation,
        elapsed_ms: Some(outcome.elapsed_ms),
        endpoint_actions: ready.endpoint_actions,
        up_to_date: false,
    })
}

/// The side view of the endpoints not yet available (id, service and state), for the watch.
fn pending_endpoints<'a>(
    ec2: &'a aws_sdk_ec2::Client,
    ids: &'a [String],
) -> Option<crate::stack::watch::SideFetch<'a>> {
    use crate::stack::watch::{WaitItem, WaitingOn};
    use futures::FutureExt;
    if ids.is_empty() {
        return None;
    }
    Some(Box::new(move || {
        async move {
            let found = endpoints::by_ids(ec2, ids).await.ok()?;
            Some(WaitingOn {
                what: "the VPC endpoints".into(),
                items: found
                    .into_iter()
                    .filter(|e| e.state != "available")
                    .map(|e| WaitItem {
                        detail: format!("{} {}", e.service, e.state),
                        id: e.id,
                    })
                    .collect(),
            })
        }
        .boxed()
    }))
}

/// What became of ExecuteChangeSet.
pub(super) enum Sent {
    Accepted,
    Refused(Error),
    /// Ctrl-C arrived while the call was in flight, and then it was accepted.
    AcceptedThenInterrupted,
    /// Ctrl-C, and no answer: a second Ctrl-C or no answer in time.
    Unknown,
}

/// ExecuteChangeSet on a task of its own, shown as a phase. Ctrl-C while it is in flight does
/// not abandon it: its answer says whether the change goes on.
pub(super) async fn send_execute(ctx: &Context, change_set: &str, token: &str) -> Sent {
    let interrupted = crate::interrupt::listen();
    let spinner = steps::phase(
        ctx,
        &format!(
            "Executing change set {} on stack {} in {}",
            short_name(change_set),
            ctx.names.stack,
            ctx.region()
        ),
    );
    let (cfn, id, token) = (
        ctx.cloudformation().clone(),
        change_set.to_string(),
        token.to_string(),
    );
    let (tx, mut rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let _ = tx.send(changeset::execute_change_set(&cfn, &id, &token).await);
    });
    let first = tokio::select! {
        answer = &mut rx => Some(answer),
        _ = interrupted => None,
    };
    spinner.finish_and_clear();
    let gone = || Error::failed("ExecuteChangeSet ended without an answer");
    match first {
        Some(Ok(Ok(()))) => Sent::Accepted,
        Some(Ok(Err(e))) => Sent::Refused(e),
        Some(Err(_)) => Sent::Refused(gone()),
        None => match guard::await_answer(ctx, "ExecuteChangeSet", rx).await {
            Some(Ok(Ok(()))) => Sent::AcceptedThenInterrupted,
            Some(Ok(Err(e))) => Sent::Refused(e),
            Some(Err(_)) => Sent::Refused(gone()),
            None => Sent::Unknown,
        },
    }
}

/// A change set's name from its ARN (`…:changeSet/NAME/uuid`), for a line a person reads.
fn short_name(id: &str) -> &str {
    id.split_once(":changeSet/")
        .and_then(|(_, rest)| rest.split('/').next())
        .unwrap_or(id)
}

/// An ExecuteChangeSet that failed on this side (a timeout, a dropped connection) may still
/// have started in CloudFormation: the endpoints are removed only when the change set says it
/// never ran, so nothing is pulled from under a running change.
async fn after_failed_execute(
    ctx: &Context,
    e: Error,
    change_set: &str,
    debris: &mut Debris,
) -> Error {
    let cfn = ctx.cloudformation();
    let stack_name = &ctx.names.stack;
    match changeset::describe_change_set(cfn, change_set, stack_name).await {
        Ok(Some(cs)) if !cs.execution_started() => {}
        Ok(None) => {}
        seen => {
            let why = match seen {
                Ok(Some(cs)) => format!("the change set is {}", cs.execution_status),
                _ => "whether it started could not be read".to_string(),
            };
            *debris = Debris::default();
            return e.hint(format!(
                "{why}, so the VPC endpoints it uses are kept; follow it with `evrelay status --stack {stack_name} --watch` (`evrelay destroy` removes them)"
            ));
        }
    }
    let e = super::discard::other_run(ctx, debris, None)
        .await
        .unwrap_or(e);
    let removed = guard::clean_up(ctx, debris).await;
    guard::with_cleanup(e, &removed)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_change_set_is_named_by_its_name_not_its_arn() {
        let arn = "arn:aws:cloudformation:us-east-1:123456789012:changeSet/evrelay-1-abc/7f3e";
        assert_eq!(super::short_name(arn), "evrelay-1-abc");
        assert_eq!(super::short_name("evrelay-1-abc"), "evrelay-1-abc");
    }
}
