//! destroy's result, as a table line per thing done and as JSON.

use std::time::Duration;

use serde::Serialize;

use super::vpc_users::Release;
use crate::aws::interfaces::TAG_RELEASED_FROM;
use crate::printer::{Report, Style};
use crate::stack::render::duration;

#[derive(Debug, Clone, Serialize)]
pub struct DestroyReport {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub stack: String,
    pub account: String,
    pub region: String,
    /// DELETE_COMPLETE, or `not found` when there was no stack to delete (then `deleted_at`
    /// says when it was deleted before, if ListStacks still remembers it).
    pub stack_status: String,
    pub stack_deleted: bool,
    /// An earlier deletion of the stack (RFC 3339), for a rerun that found it gone.
    pub deleted_at: Option<String>,
    pub endpoints_deleted: Vec<String>,
    pub endpoints_kept: Vec<String>,
    /// Endpoints another relay in the same VPC still uses: kept, and re-tagged as that
    /// relay's, so destroying it removes them.
    pub endpoints_handed_over: Vec<Handover>,
    /// Endpoints kept because other network interfaces in the VPC may reach the service only
    /// through them (each with those interfaces): no evrelay stack owns them any longer.
    pub endpoints_released: Vec<Release>,
    pub security_groups_deleted: Vec<String>,
    pub review_stacks_deleted: Vec<String>,
    /// Failed events deleted with the DLQ (--delete-failed-events, or a yes at the prompt).
    pub failed_events_deleted: u64,
    /// Events the relay had not delivered, deleted with the buffer (--delete-buffered-events,
    /// or a yes at the prompt).
    pub buffered_events_deleted: u64,
    pub elapsed_ms: u128,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Handover {
    pub endpoint: String,
    pub stack: String,
}

impl Report for DestroyReport {
    fn render(&self, style: &Style) -> String {
        let mut out = match (&self.deleted_at, self.stack_deleted) {
            (_, true) => format!(
                "Deleted stack {} in account {}, {} ({}).\n",
                style.bold(&self.stack),
                self.account,
                self.region,
                duration(Duration::from_millis(self.elapsed_ms as u64))
            ),
            (Some(at), false) => format!(
                "Stack {} in account {}, {} was already deleted at {at}: nothing left to delete.\n",
                style.bold(&self.stack),
                self.account,
                self.region
            ),
            (None, false) => format!(
                "Stack {} not found in account {}, {}: nothing to delete there.\n",
                style.bold(&self.stack),
                self.account,
                self.region
            ),
        };
        if self.failed_events_deleted > 0 {
            out.push_str(&format!(
                "Deleted {} with the DLQ.\n",
                match self.failed_events_deleted {
                    1 => "1 failed event".to_string(),
                    n => format!("{n} failed events"),
                }
            ));
        }
        if self.buffered_events_deleted > 0 {
            out.push_str(&format!(
                "Deleted {} with the buffer.\n",
                match self.buffered_events_deleted {
                    1 => "1 buffered event".to_string(),
                    n => format!("{n} buffered events"),
                }
            ));
        }
        if !self.review_stacks_deleted.is_empty() {
            out.push_str(&format!(
                "Deleted the stacks under review: {}.\n",
                self.review_stacks_deleted.join(", ")
            ));
        }
        if !self.endpoints_deleted.is_empty() {
            out.push_str(&format!(
                "Deleted the VPC endpoints evrelay created: {}.\n",
                self.endpoints_deleted.join(", ")
            ));
        }
        if !self.security_groups_deleted.is_empty() {
            out.push_str(&format!(
                "Deleted the security groups evrelay made for its endpoints: {}.\n",
                self.security_groups_deleted.join(", ")
            ));
        }
        for h in &self.endpoints_handed_over {
            out.push_str(&format!(
                "Kept VPC endpoint {}: stack {} in the same VPC uses it (now tagged as its own; `evrelay destroy --stack {}` removes it).\n",
                h.endpoint, h.stack, h.stack
            ));
        }
        for r in &self.endpoints_released {
            let ids: Vec<&str> = r.users.iter().map(|ni| ni.id.as_str()).collect();
            out.push_str(&format!(
                "Kept VPC endpoint {} for the VPC: {} may reach the service only through it. Tagged {TAG_RELEASED_FROM}={}, no evrelay stack owns it now; delete it once they no longer need it: `aws ec2 delete-vpc-endpoints --vpc-endpoint-ids {}`.\n",
                r.endpoint,
                match ids.len() {
                    1 => format!("network interface {}", ids[0]),
                    _ => format!("network interfaces {}", ids.join(", ")),
                },
                self.stack,
                r.endpoint
            ));
        }
        if !self.endpoints_kept.is_empty() {
            out.push_str(&format!(
                "Kept VPC endpoints (--keep-endpoints): {}; tagged {TAG_RELEASED_FROM}={}, no evrelay stack owns them now.\n",
                self.endpoints_kept.join(", "),
                self.stack
            ));
        }
        out
    }
}
