//! What a destroy will delete, said before it deletes anything, and the one rule that keeps
//! events from being lost: a queue still holding events (the DLQ's failed events, the buffer's
//! events not delivered yet) refuses an unattended destroy unless the operator said those may
//! go, each kind with its own flag: a teardown script that accepts losing failed events has not
//! thereby accepted losing a backlog that was never tried.

use super::vpc_users::{describe, Release};
use crate::aws::interfaces::TAG_RELEASED_FROM;
use crate::endpoints::SERVES_THE_VPC;
use crate::error::Error;

/// One queue the stack deletes, with how many messages it holds (None: not found).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueLine {
    pub name: String,
    pub messages: Option<u64>,
}

/// Which events a queue would lose with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeldKind {
    /// The DLQ's: delivery failed.
    Failed,
    /// The buffer's (buffered delivery): not delivered yet.
    Buffered,
}

impl HeldKind {
    /// Plural; the singular drops the final `s`.
    pub fn what(self) -> &'static str {
        match self {
            HeldKind::Failed => "failed events",
            HeldKind::Buffered => "buffered events",
        }
    }

    /// The flag that lets them go under `--yes`.
    pub fn flag(self) -> &'static str {
        match self {
            HeldKind::Failed => "--delete-failed-events",
            HeldKind::Buffered => "--delete-buffered-events",
        }
    }

    pub fn count(self, n: u64) -> String {
        let what = self.what();
        plural(n, &what[..what.len() - 1], what)
    }
}

/// Events that would be lost with their queue, and how to keep them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub queue: String,
    pub count: u64,
    pub kind: HeldKind,
    /// What keeps them, as a clause after "to keep them,".
    pub keep: String,
}

/// Everything destroy is about to delete.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub stack: String,
    pub account: String,
    pub region: String,
    /// The stack's status, when there is a stack.
    pub stack_status: Option<String>,
    /// `type  physical id` of the stack's resources other than its queues and log groups.
    pub resources: Vec<(String, String)>,
    pub queues: Vec<QueueLine>,
    pub log_groups: Vec<String>,
    pub endpoints: Vec<String>,
    pub security_groups: Vec<String>,
    pub review_stacks: Vec<String>,
    /// `(endpoint, stack)`: kept for another relay in the same VPC.
    pub handed_over: Vec<(String, String)>,
    /// Kept for the VPC's other workloads (or `--keep-endpoints`), re-tagged as no stack's.
    pub released: Vec<Release>,
    /// Deleted by `--delete-endpoints` although these interfaces may lose the service.
    pub at_risk: Vec<Release>,
    pub held: Vec<Held>,
}

/// The DLQ's failed events, when it holds any.
pub fn failed_events(stack: &str, dlq: &QueueLine) -> Option<Held> {
    let count = dlq.messages.filter(|n| *n > 0)?;
    Some(Held {
        queue: dlq.name.clone(),
        count,
        kind: HeldKind::Failed,
        keep: format!("drain them to a file first: `evrelay --stack {stack} dlq drain --out FILE`"),
    })
}

/// The buffer's events the relay has not delivered yet, when it holds any.
pub fn buffered_events(stack: &str, buffer: &QueueLine) -> Option<Held> {
    let count = buffer.messages.filter(|n| *n > 0)?;
    Some(Held {
        queue: buffer.name.clone(),
        count,
        kind: HeldKind::Buffered,
        keep: format!(
            "let the relay deliver them first (`evrelay --stack {stack} status` shows the buffer's backlog)"
        ),
    })
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The kinds `--delete-failed-events` and `--delete-buffered-events` let go.
pub fn let_go(failed: bool, buffered: bool) -> Vec<HeldKind> {
    [(failed, HeldKind::Failed), (buffered, HeldKind::Buffered)]
        .into_iter()
        .filter_map(|(told, kind)| told.then_some(kind))
        .collect()
}

/// The rule: with `--yes` (nobody reads the prompt), held events refuse the destroy unless
/// their kind's flag (`let_go`) lets them go. Asked on a terminal, the prompt names them instead.
pub fn refusal(plan: &Plan, yes: bool, let_go: &[HeldKind]) -> Option<Error> {
    let held: Vec<&Held> = plan
        .held
        .iter()
        .filter(|h| !let_go.contains(&h.kind))
        .collect();
    if !yes || held.is_empty() {
        return None;
    }
    let what: Vec<String> = held
        .iter()
        .map(|h| format!("{} holds {}", h.queue, h.kind.count(h.count)))
        .collect();
    let keep: Vec<&str> = held.iter().map(|h| h.keep.as_str()).collect();
    let flags: Vec<&str> = held.iter().map(|h| h.kind.flag()).collect();
    Some(
        Error::failed(format!(
            "refusing to destroy stack `{}`: {} that would be lost; nothing was deleted",
            plan.stack,
            what.join(", ")
        ))
        .hint(format!(
            "to keep them, {}, then destroy again; or pass {} to delete them",
            keep.join("; and "),
            flags.join(" and ")
        )),
    )
}

impl Plan {
    /// Nothing to delete and nothing to hand over.
    pub fn is_empty(&self) -> bool {
        self.stack_status.is_none()
            && self.endpoints.is_empty()
            && self.security_groups.is_empty()
            && self.review_stacks.is_empty()
            && self.handed_over.is_empty()
            && self.released.is_empty()
    }

    /// The lines printed before the question (and before an unattended delete, for the log).
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![format!(
            "destroy will delete, in account {}, {}:",
            self.account, self.region
        )];
        if let Some(status) = &self.stack_status {
            out.push(format!(
                "  stack {} ({status}) and its resources:",
                self.stack
            ));
            let width = self
                .resources
                .iter()
                .map(|(t, _)| t.len())
                .max()
                .unwrap_or(0);
            for (kind, id) in &self.resources {
                out.push(format!("    {kind:width$}  {id}"));
            }
        }
        if !self.queues.is_empty() {
            let queues: Vec<String> = self
                .queues
                .iter()
                .map(|q| match q.messages {
                    Some(0) => format!("{} (empty)", q.name),
                    Some(n) => format!("{} ({})", q.name, plural(n, "message", "messages")),
                    None => format!("{} (not found)", q.name),
                })
                .collect();
            out.push(format!("  queues: {}", queues.join(", ")));
        }
        if !self.log_groups.is_empty() {
            out.push(format!("  log groups: {}", self.log_groups.join(", ")));
        }
        if !self.endpoints.is_empty() {
            out.push(format!(
                "  VPC endpoints evrelay created for it: {}",
                self.endpoints.join(", ")
            ));
            out.push(format!("    ({SERVES_THE_VPC})"));
        }
        for r in &self.at_risk {
            out.push(format!(
                "  deleting VPC endpoint {} anyway (--delete-endpoints); these network interfaces in the VPC may lose the service with it:",
                r.endpoint
            ));
            out.extend(r.users.iter().map(|ni| format!("    {}", describe(ni))));
        }
        if !self.security_groups.is_empty() {
            out.push(format!(
                "  security groups evrelay made for its endpoints: {}",
                self.security_groups.join(", ")
            ));
        }
        if !self.review_stacks.is_empty() {
            out.push(format!(
                "  stacks under review (a change set never executed): {}",
                self.review_stacks.join(", ")
            ));
        }
        for (endpoint, stack) in &self.handed_over {
            out.push(format!(
                "  keeping VPC endpoint {endpoint}: stack {stack} in the same VPC uses it"
            ));
        }
        for r in &self.released {
            let retag = format!(
                "re-tagged {TAG_RELEASED_FROM}={} so that no evrelay stack owns it any longer",
                self.stack
            );
            if r.users.is_empty() {
                out.push(format!(
                    "  keeping VPC endpoint {} (--keep-endpoints): {retag}",
                    r.endpoint
                ));
                continue;
            }
            out.push(format!(
                "  keeping VPC endpoint {} for the VPC ({SERVES_THE_VPC}); these network interfaces may reach the service only through it:",
                r.endpoint
            ));
            out.extend(r.users.iter().map(|ni| format!("    {}", describe(ni))));
            out.push(format!(
                "    it is {retag}; --delete-endpoints deletes it anyway"
            ));
        }
        for h in &self.held {
            out.push(format!(
                "{} holds {}; they are deleted with it. To keep them, {}",
                h.queue,
                h.kind.count(h.count),
                h.keep
            ));
        }
        out
    }

    /// How many events of a kind go with their queues.
    pub fn held_count(&self, kind: HeldKind) -> u64 {
        self.held
            .iter()
            .filter(|h| h.kind == kind)
            .map(|h| h.count)
            .sum()
    }

    pub fn question(&self) -> String {
        let mut included = Vec::new();
        if !self.endpoints.is_empty() {
            included.push("VPC endpoints that serve the whole VPC".to_string());
        }
        for kind in [HeldKind::Failed, HeldKind::Buffered] {
            match self.held_count(kind) {
                0 => {}
                n => included.push(kind.count(n)),
            }
        }
        match included.len() {
            0 => format!(
                "Delete all of this in account {}, {}?",
                self.account, self.region
            ),
            _ => format!(
                "Delete all of this, {} included, in account {}, {}?",
                included.join(" and "),
                self.account,
                self.region
            ),
        }
    }
}

/// What destroy does when there is no stack and nothing evrelay made for the name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    /// Deleted before (ListStacks keeps 90 days of history): a rerun, exit 0.
    AlreadyDeleted { at: i64 },
    /// Never there, but `--ignore-missing`: exit 0.
    Ignored,
    /// Never there: a mistyped name or the wrong account or region, exit 1.
    NeverExisted,
}

pub fn missing(last_deleted: Option<i64>, ignore_missing: bool) -> Missing {
    match (last_deleted, ignore_missing) {
        (Some(at), _) => Missing::AlreadyDeleted { at },
        (None, true) => Missing::Ignored,
        (None, false) => Missing::NeverExisted,
    }
}

#[cfg(test)]
mod tests;
