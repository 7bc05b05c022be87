//! destroy's result for a relay pair: the two small stacks, then each relay's own report.

use std::time::Duration;

use serde::Serialize;

use super::report::DestroyReport;
use crate::printer::{Report, Style};
use crate::stack::render::duration;

#[derive(Debug, Clone, Serialize)]
pub struct SmallStack {
    pub stack: String,
    pub region: String,
    /// DELETE_COMPLETE, or `not found` when a run before this one had deleted it.
    pub status: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PairDestroyReport {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub stack: String,
    pub account: String,
    pub primary_region: String,
    pub secondary_region: String,
    pub endpoint_stack: SmallStack,
    pub archive_stack: SmallStack,
    /// Events the archive held, deleted with it.
    pub archived_events_deleted: u64,
    /// Each relay's destroy (`null`: it was gone already).
    pub secondary: Option<DestroyReport>,
    pub primary: Option<DestroyReport>,
    pub elapsed_ms: u128,
}

impl Report for PairDestroyReport {
    fn render(&self, style: &Style) -> String {
        let mut out = format!(
            "Destroyed relay pair {} in account {}, {} and {} ({}).\n",
            style.bold(&self.stack),
            self.account,
            self.primary_region,
            self.secondary_region,
            duration(Duration::from_millis(self.elapsed_ms as u64))
        );
        for s in [&self.endpoint_stack, &self.archive_stack] {
            out.push_str(&match s.status.as_str() {
                "not found" => format!("Stack {} in {}: already deleted.\n", s.stack, s.region),
                status => format!("Stack {} in {}: {status}.\n", s.stack, s.region),
            });
        }
        if self.archived_events_deleted > 0 {
            out.push_str(&format!(
                "Deleted {} archived events with the archive.\n",
                self.archived_events_deleted
            ));
        }
        for (region, relay) in [
            (&self.secondary_region, &self.secondary),
            (&self.primary_region, &self.primary),
        ] {
            match relay {
                Some(r) => out.push_str(&r.render(style)),
                None => out.push_str(&format!("The relay in {region}: already deleted.\n")),
            }
        }
        out
    }
}
