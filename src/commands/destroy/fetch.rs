//! What destroy reads before it asks: the plan's facts (resources, queue depths, log groups),
//! the other review stacks of the name, who else in the VPC needs the endpoints, and for a name
//! with nothing left, its history.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use super::plan::{self, Plan, QueueLine};
use super::report::DestroyReport;
use super::vpc_users;
use super::DestroyArgs;
use crate::aws::interfaces::{self, VpcInterface};
use crate::aws::leftovers::Leftovers;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::network::egress::{egress_of, Egress};
use crate::network::subnets::classify_subnets;
use crate::stack::{self, ownership, StackInfo};

/// REVIEW_IN_PROGRESS stacks of this name other than the one DescribeStacks found, that
/// evrelay made (AWS keeps one live stack per name; a run that lost a race may leave another).
pub(super) async fn other_review_stacks(
    cfn: &aws_sdk_cloudformation::Client,
    left: &Leftovers,
    info: Option<&StackInfo>,
) -> Result<Vec<String>> {
    let mut ours = Vec::new();
    for r in &left.review_stacks {
        if info.is_some_and(|i| i.id == r.id) {
            continue;
        }
        let Some(s) = stack::describe_stack(cfn, &r.id).await? else {
            continue;
        };
        if s.status == "REVIEW_IN_PROGRESS"
            && ownership::owner_of(cfn, &s).await? == ownership::StackOwner::Evrelay
        {
            ours.push(r.id.clone());
        }
    }
    Ok(ours)
}

/// The plan: the stack's resources, its queues with their depth, its log groups, the
/// endpoints and groups, and the failed events the DLQ holds.
#[allow(clippy::too_many_arguments)]
pub(super) async fn plan_for(
    ctx: &Context,
    args: &DestroyArgs,
    info: Option<&StackInfo>,
    left: &Leftovers,
    fates: &vpc_users::Fates,
    review: &[String],
    account: String,
) -> Result<Plan> {
    let names = &ctx.names;
    let mut plan = Plan {
        stack: names.stack.clone(),
        account,
        region: ctx.region().to_string(),
        stack_status: info.map(|s| s.status.clone()),
        endpoints: fates.delete.clone(),
        security_groups: if args.keep_endpoints {
            Vec::new()
        } else {
            left.security_groups.clone()
        },
        review_stacks: review.to_vec(),
        handed_over: fates
            .handovers
            .iter()
            .map(|h| (h.endpoint.clone(), h.stack.clone()))
            .collect(),
        released: fates.released.clone(),
        at_risk: fates.at_risk.clone(),
        ..Plan::default()
    };
    let Some(info) = info else {
        return Ok(plan);
    };
    // A listing that fails only makes the plan shorter; the queues' depths are asked anyway.
    let resources = stack::stack_resources(ctx.cloudformation(), &info.id)
        .await
        .unwrap_or_default();
    for r in &resources {
        let id = r
            .physical_id
            .clone()
            .unwrap_or_else(|| r.logical_id.clone());
        match r.resource_type.as_str() {
            "AWS::SQS::Queue" => {}
            "AWS::Logs::LogGroup" => plan.log_groups.push(id),
            kind => plan.resources.push((kind.to_string(), id)),
        }
    }
    // A buffered stack's buffer (or one a change left behind in the stack): its depth is asked
    // too, since its events were never delivered.
    let buffered = info
        .parameters
        .iter()
        .any(|(k, v)| k == "Delivery" && v == "buffered")
        || resources.iter().any(|r| r.logical_id == "Buffer");
    let mut queues = vec![&names.dlq, &names.responses_queue];
    if buffered {
        queues.push(&names.buffer);
    }
    for name in queues {
        plan.queues.push(QueueLine {
            name: name.clone(),
            messages: queue_messages(ctx.sqs(), name).await?,
        });
    }
    plan.held = plan::failed_events(&names.stack, &plan.queues[0])
        .into_iter()
        .chain(
            plan.queues
                .get(2)
                .and_then(|buffer| plan::buffered_events(&names.stack, buffer)),
        )
        .collect();
    Ok(plan)
}

/// Every message the queue holds (ready, in flight, delayed); None when there is no queue.
async fn queue_messages(sqs: &aws_sdk_sqs::Client, name: &str) -> Result<Option<u64>> {
    Ok(crate::aws::buffer::held(sqs, name)
        .await?
        .map(|depth| depth.total()))
}

/// No stack and nothing evrelay made for the name: a rerun (deleted before, exit 0), a
/// teardown script's `--ignore-missing` (exit 0), or a mistake (exit 1, with the did-you-mean).
pub(super) async fn nothing_there(
    ctx: &Context,
    args: &DestroyArgs,
    account: String,
    started: Instant,
) -> Result<()> {
    let stack = &ctx.names.stack;
    let last = crate::aws::stacks::last_deleted(ctx.cloudformation(), stack).await?;
    let deleted_at = match plan::missing(last, args.ignore_missing) {
        plan::Missing::NeverExisted => {
            return Err(Error::failed(format!(
                "stack `{stack}` not found in account {account}, {} (none deleted there in the last 90 days either); nothing was deleted",
                ctx.region()
            ))
            .hint(format!(
                "{} (--ignore-missing makes a teardown script pass when it is gone)",
                crate::stack::missing::hint(ctx).await
            )))
        }
        plan::Missing::Ignored => None,
        plan::Missing::AlreadyDeleted { at } => Some(
            aws_smithy_types::DateTime::from_secs(at)
                .fmt(aws_smithy_types::date_time::Format::DateTime)
                .unwrap_or_else(|_| at.to_string()),
        ),
    };
    ctx.printer.report(&DestroyReport {
        kind: "result",
        stack: stack.clone(),
        account,
        region: ctx.region().to_string(),
        stack_status: "not found".into(),
        stack_deleted: false,
        deleted_at,
        endpoints_deleted: Vec::new(),
        endpoints_kept: Vec::new(),
        endpoints_handed_over: Vec::new(),
        endpoints_released: Vec::new(),
        security_groups_deleted: Vec::new(),
        review_stacks_deleted: Vec::new(),
        failed_events_deleted: 0,
        buffered_events_deleted: 0,
        elapsed_ms: started.elapsed().as_millis(),
    })
}

/// Each endpoint's fate as of now: who else in the region is a relay, who else in the VPC may
/// reach the services only through the endpoints.
pub(super) async fn fates_now(
    ctx: &Context,
    managed: &[crate::endpoints::Endpoint],
    region: &super::relays::Region,
    choice: vpc_users::Choice,
) -> Result<vpc_users::Fates> {
    let others = super::relays::by_vpc(ctx.ec2(), region).await?;
    let users = match choice {
        vpc_users::Choice::Keep => Default::default(),
        _ => {
            let prefixes = region.relay_interface_prefixes(&ctx.names.stack);
            vpc_users(ctx, managed, &prefixes).await?
        }
    };
    Ok(vpc_users::decide(managed, &others, &users, choice))
}

/// For each VPC holding one of `endpoints`, the network interfaces that may reach AWS services
/// only through its endpoints ([`vpc_users::depends_on_endpoints`]), with where each subnet's
/// default route leads read the way preflight reads it.
pub(super) async fn vpc_users(
    ctx: &Context,
    endpoints: &[crate::endpoints::Endpoint],
    relay_prefixes: &[String],
) -> Result<BTreeMap<String, Vec<VpcInterface>>> {
    let ec2 = ctx.ec2();
    let vpcs: BTreeSet<&str> = endpoints
        .iter()
        .filter(|e| e.state != "failed")
        .map(|e| e.vpc_id.as_str())
        .collect();
    let mut users = BTreeMap::new();
    for vpc in vpcs {
        let (view, interfaces, endpoint_interfaces) = tokio::try_join!(
            crate::aws::vpc_view::fetch_vpc_view(ec2, ctx.elb(), vpc),
            interfaces::in_vpc(ec2, vpc),
            interfaces::of_endpoints(ec2, vpc),
        )?;
        let egress: BTreeMap<String, Egress> = classify_subnets(&view.subnets, &view.route_tables)
            .iter()
            .map(|s| (s.id.clone(), egress_of(s, &view.nat_gateways)))
            .collect();
        let found: Vec<VpcInterface> = interfaces
            .into_iter()
            .filter(|ni| {
                vpc_users::depends_on_endpoints(ni, &endpoint_interfaces, relay_prefixes, &egress)
            })
            .collect();
        if !found.is_empty() {
            users.insert(vpc.to_string(), found);
        }
    }
    Ok(users)
}
