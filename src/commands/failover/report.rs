//! failover's result: where the endpoint routes now, and how long Route 53 took to say so.

use std::time::Duration;

use serde::Serialize;

use super::Action;
use crate::printer::{Report, Style};
use crate::stack::render::duration;

#[derive(Debug, Clone, Serialize)]
pub struct FailoverReport {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub action: Action,
    pub stack: String,
    /// The global endpoint's name, and the EndpointId producers pass to PutEvents.
    pub endpoint: String,
    pub endpoint_id: String,
    pub health_check: String,
    pub inverted: bool,
    /// Route 53's verdict on the health check (after inversion).
    pub healthy: bool,
    /// The Region whose bus gets events sent through the endpoint now.
    pub routes_to: String,
    pub primary_region: String,
    pub secondary_region: String,
    /// Route 53's checkers' last reports, newest first (what they observe, before inversion).
    pub reports: Vec<String>,
    /// From UpdateHealthCheck to the reports saying so.
    pub elapsed_ms: u128,
}

impl Report for FailoverReport {
    fn render(&self, style: &Style) -> String {
        let took = duration(Duration::from_millis(self.elapsed_ms as u64));
        let first = match self.action {
            Action::Start => format!(
                "Failover drill on: endpoint {} ({}) routes events to {}'s bus; Route 53 reported health check {} unhealthy after {took}.",
                style.bold(&self.endpoint),
                self.endpoint_id,
                style.bold(&self.routes_to),
                self.health_check
            ),
            Action::Stop => format!(
                "Failover drill off: endpoint {} ({}) routes events to {}'s bus again; Route 53 reported health check {} healthy after {took}.",
                style.bold(&self.endpoint),
                self.endpoint_id,
                style.bold(&self.routes_to),
                self.health_check
            ),
        };
        let next = match self.action {
            Action::Start => format!(
                "`evrelay send --global --return-response` shows which Region's relay answers; `evrelay --stack {} failover stop` ends the drill.",
                self.stack
            ),
            Action::Stop => format!(
                "`evrelay send --global --return-response` shows which Region's relay answers; `evrelay --stack {} replay --from TIME` replays what {} received meanwhile.",
                self.stack, self.secondary_region
            ),
        };
        format!("{first}\n{}\n", style.dim(&next))
    }
}
