//! replay's results: a replay that ran, and a replay cancelled.

use std::time::Duration;

use serde::Serialize;

use crate::printer::{Report, Style};
use crate::stack::render::duration;

#[derive(Debug, Clone, Serialize)]
pub struct ReplayReport {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub stack: String,
    pub replay: String,
    /// The secondary Region, where the archive and its bus are.
    pub region: String,
    pub archive: String,
    pub bus: String,
    pub from: String,
    pub to: String,
    /// COMPLETED, FAILED or CANCELLED.
    pub state: String,
    pub state_reason: String,
    pub elapsed_ms: u128,
}

impl Report for ReplayReport {
    fn render(&self, style: &Style) -> String {
        let took = duration(Duration::from_millis(self.elapsed_ms as u64));
        let state = match self.state.as_str() {
            "COMPLETED" => style.green(&self.state),
            other => style.red(other),
        };
        format!(
            "Replay {} {state} in {took}: archive {} → bus {} in {}, events from {} to {}.\n",
            style.bold(&self.replay),
            self.archive,
            self.bus,
            self.region,
            self.from,
            self.to
        )
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CancelReport {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub stack: String,
    pub replay: String,
    pub region: String,
    /// Its state before the cancel.
    pub was: String,
    /// CANCELLING, or the state it had already ended in.
    pub state: String,
}

impl Report for CancelReport {
    fn render(&self, style: &Style) -> String {
        if self.was == self.state {
            format!(
                "Replay {} in {} had already ended ({}): nothing to cancel.\n",
                style.bold(&self.replay),
                self.region,
                self.state
            )
        } else {
            format!(
                "Replay {} in {} is {} (it was {}); events replayed so far stay delivered.\n",
                style.bold(&self.replay),
                self.region,
                self.state,
                self.was
            )
        }
    }
}
