//! `evrelay status`: the stack, its resources, managed endpoints and queue depths, and what
//! evrelay made for the stack name and left behind ([`leftovers`]) — also when the stack is gone.

mod alarms;
mod buffer;
mod drain;
mod function;
mod health;
mod leftovers;
mod pair;

use clap::Args;
use comfy_table::{Cell, Color};
use serde::Serialize;

use crate::aws::leftovers::Leftovers;
use crate::context::Context;
use crate::endpoints::{self, Endpoint};
use crate::error::{Error, Result};
use crate::printer::{Report, Style};
use crate::stack::events::{latest_events, Cursor};
use crate::stack::follow::follow;
use crate::stack::ownership::{self, StackOwner};
use crate::stack::progress::Progress;
use crate::stack::watch::WatchOptions;
pub use crate::stack::ResourceRow;
use crate::stack::{self, describe_stack, stack_resources, Operation, StackInfo, StackOutput};
use buffer::BufferStatus;
use function::FunctionStatus;
use leftovers::LeftoversReport;

#[derive(Debug, Clone, Args)]
pub struct StatusArgs {
    /// Follow a change in progress until the stack settles, then show the status (Ctrl-C stops watching).
    #[arg(long)]
    pub watch: bool,

    #[command(flatten)]
    pub health: health::HealthArgs,
}

pub async fn run(ctx: &Context, args: StatusArgs) -> Result<()> {
    let window = health::window(&args.health)?;
    let cfn = ctx.cloudformation();
    let stack_name = &ctx.names.stack;
    let Some(mut info) = describe_stack(cfn, stack_name).await? else {
        return missing(ctx).await;
    };
    // Read-only: a stack evrelay did not create is shown, and said to be someone else's.
    let owner = ownership::owner_of(cfn, &info).await?;
    let account = ctx.identity().await?.account.clone();
    if let Some(note) = ownership::note_for(stack_name, owner) {
        ctx.printer.note(&note);
    }
    if args.watch && !stack::is_settled(&info.status) {
        let operation = operation_of(&info.status);
        let cursor = Cursor::after(&latest_events(cfn, &info.id).await?);
        let descriptions = crate::template::resource_descriptions(&crate::template::render());
        let mut progress = Progress::new(stack_name, operation, descriptions);
        let outcome = follow(
            &ctx.printer,
            cfn,
            &info.id,
            cursor,
            &mut progress,
            &WatchOptions::default(),
            None,
        )
        .await?;
        if outcome.status == "DELETE_COMPLETE" {
            ctx.printer
                .note(&format!("Stack {stack_name} was deleted."));
            return Ok(());
        }
        info = match describe_stack(cfn, stack_name).await? {
            Some(info) => info,
            None => return missing(ctx).await,
        };
    }
    // A buffered stack has the buffer's metrics and no asynchronous-invocation ones.
    let buffered = info.delivery() == "buffered";
    let (report, metrics, global_endpoint) = tokio::join!(
        gather(ctx, info, args.watch),
        health::fetch(ctx, window, buffered),
        pair::fetch(ctx)
    );
    let mut report = report?;
    report.health = metrics;
    report.global_endpoint = global_endpoint;
    report.alarms = alarms::fetch(ctx).await;
    report.account = account;
    report.owner = owner;
    ctx.printer.report(&report)
}

/// No stack: what evrelay made for the name is shown (exit 1 still, the stack is not there),
/// or, with nothing left, the not-found error with its did-you-mean.
async fn missing(ctx: &Context) -> Result<()> {
    let stack = &ctx.names.stack;
    let left = crate::aws::leftovers::find(ctx.cloudformation(), ctx.ec2(), stack).await?;
    if left.is_empty() {
        return Err(crate::stack::missing::not_found(ctx).await);
    }
    ctx.printer.report(&LeftoversReport {
        stack: stack.clone(),
        account: ctx.identity().await?.account.clone(),
        region: ctx.region().to_string(),
        status: "not found".into(),
        leftovers: left,
        remove_with: leftovers::remove_with(stack),
    })?;
    Err(Error::failed(format!(
        "stack `{stack}` not found in {}; evrelay resources made for it are left (listed above)",
        ctx.region()
    ))
    .hint(format!("`{}` removes them", leftovers::remove_with(stack))))
}

fn operation_of(status: &str) -> Operation {
    match status.split('_').next() {
        Some("DELETE") => Operation::Delete,
        Some("CREATE" | "ROLLBACK") => Operation::Create,
        _ => Operation::Update,
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusReport {
    pub stack: String,
    pub account: String,
    pub region: String,
    /// `evrelay`, `tutorial` or `foreign`: only an evrelay stack is changed by evrelay.
    pub owner: StackOwner,
    pub status: String,
    pub reason: Option<String>,
    pub outputs: Vec<StackOutput>,
    pub resources: Vec<ResourceRow>,
    pub endpoints: Vec<Endpoint>,
    pub queues: Vec<QueueDepth>,
    /// The relay function's Lambda state (null when it is not there).
    #[serde(flatten)]
    pub function: FunctionStatus,
    /// `delivery`, and in buffered delivery the `mapping`, the buffer's `backlog` and the
    /// `drain` estimate.
    #[serde(flatten)]
    pub buffer: BufferStatus,
    /// What evrelay made for this stack name that the stack does not hold: endpoint groups no
    /// endpoint uses, other REVIEW_IN_PROGRESS stacks of the name.
    pub leftovers: Leftovers,
    /// The command that removes the leftovers (none when there are none).
    pub remove_with: Option<String>,
    /// The CloudWatch metrics over `--since` and their verdict (null with `--no-health`).
    pub health: Option<health::HealthReport>,
    /// The stack's alarms (`deploy --alarms`) and their states; empty without alarms.
    pub alarms: Vec<alarms::AlarmRow>,
    /// A relay pair's global endpoint, health check, secondary relay and archive (absent for a
    /// single-Region stack).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub global_endpoint: Option<pair::GlobalEndpointStatus>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueDepth {
    /// `dlq` or `responses`.
    pub role: String,
    pub name: String,
    pub url: Option<String>,
    /// ApproximateNumberOfMessages: waiting to be received.
    pub visible: Option<u64>,
    /// ApproximateNumberOfMessagesNotVisible: received, not yet deleted.
    pub in_flight: Option<u64>,
}

async fn gather(ctx: &Context, info: StackInfo, watch: bool) -> Result<StatusReport> {
    let delivery = info.delivery().to_string();
    let (resources, endpoints, dlq, responses, left, function, buffer) = tokio::join!(
        stack_resources(ctx.cloudformation(), &info.id),
        endpoints::managed_by(ctx.ec2(), &ctx.names.stack),
        queue_depth(ctx.sqs(), "dlq", &ctx.names.dlq),
        queue_depth(ctx.sqs(), "responses", &ctx.names.responses_queue),
        crate::aws::leftovers::find(ctx.cloudformation(), ctx.ec2(), &ctx.names.stack),
        function::fetch(ctx),
        buffer::fetch(ctx, delivery, watch),
    );
    // Like the resources: a leftover look-up that fails is a warning, the status still shows.
    let left = left
        .unwrap_or_else(|e| {
            ctx.printer
                .warn(&format!("could not look for leftovers: {}", e.message));
            Leftovers::default()
        })
        .beside(&info.id);
    // The stack's status is the point of `status`: a resource listing that fails (a missing
    // permission, a stack CloudFormation is still working on) is a warning, not the end.
    let resources = resources.unwrap_or_else(|e| {
        ctx.printer.warn(&format!(
            "could not list the stack's resources: {}",
            e.message
        ));
        Vec::new()
    });
    Ok(StatusReport {
        stack: info.name,
        account: String::new(),
        owner: StackOwner::Evrelay,
        region: ctx.region().to_string(),
        status: info.status,
        reason: info.reason,
        outputs: info.outputs,
        resources,
        endpoints: endpoints?,
        queues: vec![dlq?, responses?],
        function,
        buffer,
        remove_with: (!left.is_empty()).then(|| leftovers::remove_with(&ctx.names.stack)),
        leftovers: left,
        health: None,
        alarms: Vec::new(),
        global_endpoint: None,
    })
}

/// A queue found by its stack-derived name; a missing queue is reported, not an error.
async fn queue_depth(sqs: &aws_sdk_sqs::Client, role: &str, name: &str) -> Result<QueueDepth> {
    let mut row = QueueDepth {
        role: role.into(),
        name: name.into(),
        url: None,
        visible: None,
        in_flight: None,
    };
    if let Some(url) = crate::aws::sqs::find_queue_url(sqs, name).await? {
        let depth = crate::aws::sqs::depth(sqs, &url).await?;
        row.visible = Some(depth.visible);
        row.in_flight = Some(depth.in_flight);
        row.url = Some(url);
    }
    Ok(row)
}

fn opt(n: Option<u64>) -> String {
    n.map(|n| n.to_string()).unwrap_or_else(|| "-".into())
}

impl Report for StatusReport {
    fn render(&self, style: &Style) -> String {
        let status = if self.status.ends_with("_COMPLETE") && !self.status.contains("ROLLBACK") {
            style.green(&self.status)
        } else if self.status.ends_with("_IN_PROGRESS") {
            style.yellow(&self.status)
        } else {
            style.red(&self.status)
        };
        let mut out = format!(
            "Stack {} in account {}, {}: {status}\n",
            style.bold(&self.stack),
            self.account,
            self.region
        );
        if self.owner != StackOwner::Evrelay {
            out.push_str("  not created by evrelay: evrelay will not change or delete it\n");
        }
        if let Some(reason) = &self.reason {
            out.push_str(&format!("  {}\n", style.dim(reason)));
        }
        if self.status == "REVIEW_IN_PROGRESS" {
            out.push_str(&format!(
                "  a change set was made and never executed: `evrelay deploy` makes a new one, `{}` removes the stack\n",
                leftovers::remove_with(&self.stack)
            ));
        }
        if !self.outputs.is_empty() {
            let mut t = style.table(["Output", "Value"]);
            for o in &self.outputs {
                t.add_row(vec![o.key.clone(), o.value.clone()]);
            }
            out.push_str(&format!("\n{t}\n"));
        }
        let mut t = style.table(["Resource", "Type", "Physical id", "Status"]);
        for r in &self.resources {
            t.add_row(vec![
                r.logical_id.clone(),
                r.resource_type.clone(),
                r.physical_id.clone().unwrap_or_else(|| "-".into()),
                r.status.clone(),
            ]);
        }
        out.push_str(&format!("\n{t}\n"));
        out.push_str(&function::section(&self.function, style));
        let mut t = style.table(["Queue", "Name", "Visible", "In flight"]);
        for q in &self.queues {
            let visible = match (q.role.as_str(), q.visible) {
                ("dlq", Some(n)) if n > 0 && style.color => Cell::new(n).fg(Color::Red),
                _ => Cell::new(opt(q.visible)),
            };
            let name = if q.url.is_some() {
                q.name.clone()
            } else {
                format!("{} (not found)", q.name)
            };
            t.add_row(vec![
                Cell::new(&q.role),
                Cell::new(name),
                visible,
                Cell::new(opt(q.in_flight)),
            ]);
        }
        out.push_str(&format!("\n{t}\n"));
        out.push_str(&buffer::section(&self.buffer, style));
        if self.endpoints.is_empty() {
            out.push_str("\nVPC endpoints created by evrelay: none (existing ones are reused and not listed)\n");
        } else {
            let mut t = style.table(["Endpoint", "Service", "State", "Private DNS"]);
            for e in &self.endpoints {
                t.add_row(vec![
                    e.id.clone(),
                    e.service.clone(),
                    e.state.clone(),
                    e.private_dns.to_string(),
                ]);
            }
            out.push_str(&format!("\n{t}\n"));
        }
        out.push_str(&pair::section(self.global_endpoint.as_ref(), style));
        out.push_str(&health::section(self.health.as_ref(), style));
        out.push_str(&alarms::section(&self.alarms, style));
        out.push_str(&leftovers::section(&self.leftovers, &self.stack, style));
        out
    }
}
