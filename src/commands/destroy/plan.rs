//! What a destroy will delete, said before it deletes anything, and the one rule that keeps
//! events from being lost: a queue still holding events (today the DLQ's failed events; a
//! buffer queue's undelivered ones when buffered delivery lands — one more [`Held`] in the
//! same list) refuses an unattended destroy unless the operator said they may go.

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

/// Events that would be lost with their queue, and how to keep them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub queue: String,
    pub count: u64,
    /// "failed events" (the DLQ).
    pub what: &'static str,
    /// The command that keeps them before the destroy.
    pub keep_with: String,
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
        what: "failed events",
        keep_with: format!("evrelay --stack {stack} dlq drain --out FILE"),
    })
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The rule: with `--yes` (nobody reads the prompt), held events refuse the destroy unless
/// `--delete-failed-events` lets them go. Asked on a terminal, the prompt names them instead.
pub fn refusal(plan: &Plan, yes: bool, delete_failed_events: bool) -> Option<Error> {
    if !yes || delete_failed_events || plan.held.is_empty() {
        return None;
    }
    let what: Vec<String> = plan
        .held
        .iter()
        .map(|h| {
            let n = plural(h.count, &h.what[..h.what.len() - 1], h.what);
            format!("{} holds {n}", h.queue)
        })
        .collect();
    let keep: Vec<String> = plan
        .held
        .iter()
        .map(|h| format!("`{}`", h.keep_with))
        .collect();
    Some(
        Error::failed(format!(
            "refusing to destroy stack `{}`: {} that would be lost; nothing was deleted",
            plan.stack,
            what.join(", ")
        ))
        .hint(format!(
            "keep them with {}, then destroy again; or pass --delete-failed-events to delete them",
            keep.join(" and ")
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
                "{} holds {}; they are deleted with it. Keep them first: {}",
                h.queue,
                plural(h.count, &h.what[..h.what.len() - 1], h.what),
                h.keep_with
            ));
        }
        out
    }

    pub fn question(&self) -> String {
        let mut included = Vec::new();
        if !self.endpoints.is_empty() {
            included.push("VPC endpoints that serve the whole VPC".to_string());
        }
        match self.held.iter().map(|h| h.count).sum::<u64>() {
            0 => {}
            n => included.push(plural(n, "failed event", "failed events")),
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
mod tests {
    use super::*;

    fn dlq(n: Option<u64>) -> QueueLine {
        QueueLine {
            name: "orders-dlq".into(),
            messages: n,
        }
    }

    fn plan_holding(n: Option<u64>) -> Plan {
        Plan {
            stack: "orders".into(),
            account: "123456789012".into(),
            region: "us-east-1".into(),
            stack_status: Some("CREATE_COMPLETE".into()),
            resources: vec![("AWS::Events::EventBus".into(), "orders-bus".into())],
            queues: vec![dlq(n)],
            log_groups: vec!["/aws/lambda/orders-relay".into()],
            held: failed_events("orders", &dlq(n)).into_iter().collect(),
            ..Plan::default()
        }
    }

    #[test]
    fn an_unattended_destroy_refuses_while_the_dlq_holds_failed_events() {
        let plan = plan_holding(Some(2));
        let e = refusal(&plan, true, false).expect("refused");
        assert_eq!(e.exit_code(), 1);
        assert!(
            e.message.contains("orders-dlq holds 2 failed events"),
            "{}",
            e.message
        );
        assert!(!e.message.contains('\n'));
        let hint = e.hint.unwrap();
        assert!(
            hint.contains("evrelay --stack orders dlq drain --out FILE"),
            "{hint}"
        );
        assert!(hint.contains("--delete-failed-events"), "{hint}");
        // Said so: the events may go. Asked on a terminal: the prompt names them instead.
        assert!(refusal(&plan, true, true).is_none());
        assert!(refusal(&plan, false, false).is_none());
        // Nothing held, nothing to refuse.
        assert!(refusal(&plan_holding(Some(0)), true, false).is_none());
        assert!(refusal(&plan_holding(None), true, false).is_none());
        let one = refusal(&plan_holding(Some(1)), true, false).unwrap();
        assert!(
            one.message.contains("holds 1 failed event that"),
            "{}",
            one.message
        );
    }

    #[test]
    fn the_plan_lists_resources_queues_with_depth_log_groups_and_the_failed_events() {
        let plan = plan_holding(Some(2));
        let text = plan.lines().join("\n");
        for part in [
            "in account 123456789012, us-east-1",
            "stack orders (CREATE_COMPLETE)",
            "AWS::Events::EventBus  orders-bus",
            "queues: orders-dlq (2 messages)",
            "log groups: /aws/lambda/orders-relay",
            "orders-dlq holds 2 failed events; they are deleted with it. Keep them first: evrelay --stack orders dlq drain --out FILE",
        ] {
            assert!(text.contains(part), "{part}\n{text}");
        }
        assert!(plan.question().contains("2 failed events included"));
        assert!(!plan.is_empty());
        assert!(Plan::default().is_empty());
        let empty = plan_holding(Some(0));
        assert!(empty.lines().join("\n").contains("orders-dlq (empty)"));
        assert!(!empty.question().contains("failed"));
    }

    #[test]
    fn a_missing_stack_is_a_rerun_when_it_was_deleted_and_a_mistake_when_it_never_was() {
        assert_eq!(missing(Some(7), false), Missing::AlreadyDeleted { at: 7 });
        assert_eq!(missing(Some(7), true), Missing::AlreadyDeleted { at: 7 });
        assert_eq!(missing(None, true), Missing::Ignored);
        assert_eq!(missing(None, false), Missing::NeverExisted);
    }
}
