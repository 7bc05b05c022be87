//! What deploy prints: the change set (with the endpoints it will reuse or create) before it
//! asks, and the result (the stack's outputs) at the end. Tables for people; in JSON mode
//! `{"type":"changeset",…}` and `{"type":"result",…}` lines around the event lines.

use comfy_table::{Cell, Color};
use serde::Serialize;

use crate::names::RelayNames;
use crate::printer::{Report, Style};
use crate::stack::changeset::ChangeRow;
use crate::stack::watch::Outcome;
use crate::stack::{Operation, StackInfo, StackOutput};

/// What deploy does about one VPC endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EndpointAction {
    /// `secretsmanager` or `events`.
    pub service: String,
    /// `reuse`, `create` or `centralised` (a private hosted zone serves it; `id` is the zone).
    pub action: String,
    pub id: Option<String>,
    pub why: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChangeSetReport {
    #[serde(rename = "type")]
    kind: &'static str,
    pub stack: String,
    pub account: String,
    pub region: String,
    /// A dry run: nothing was or will be changed by this run.
    pub dry_run: bool,
    /// A stack that can only be deleted, which the deploy removes before it creates the new one.
    pub deletes_first: Option<String>,
    pub operation: Operation,
    pub changes: Vec<ChangeRow>,
    /// Parameter values old → new (the API key only as "changed").
    pub parameters: Vec<super::param_changes::ParamChange>,
    pub endpoints: Vec<EndpointAction>,
    /// The change set's name, once CloudFormation has one.
    pub change_set: Option<String>,
    /// `deploy --no-execute`: the change set is kept, and this command runs it.
    pub execute_command: Option<String>,
}

impl ChangeSetReport {
    pub fn new(
        stack: &str,
        operation: Operation,
        changes: Vec<ChangeRow>,
        endpoints: Vec<EndpointAction>,
    ) -> Self {
        Self {
            kind: "changeset",
            stack: stack.to_string(),
            account: String::new(),
            region: String::new(),
            dry_run: false,
            deletes_first: None,
            operation,
            changes,
            parameters: Vec::new(),
            endpoints,
            change_set: None,
            execute_command: None,
        }
    }

    /// The account and region the change set is for.
    pub fn at(mut self, account: &str, region: &str) -> Self {
        self.account = account.to_string();
        self.region = region.to_string();
        self
    }
}

/// What CloudFormation would list for a new stack: every resource of the template, added.
/// A dry run of a create shows this instead of making a change set, which would leave a
/// (deleted) stack in the account's history. A resource under a condition `holds` names false
/// (buffered delivery's, the alarms') is left out; other conditions are shown.
pub fn template_adds(template: &str, holds: &[(&str, bool)]) -> Vec<ChangeRow> {
    let mut rows = Vec::new();
    let mut inside = false;
    let mut current: Option<String> = None;
    for line in template.lines() {
        if !line.starts_with(' ') && !line.trim().is_empty() && !line.starts_with('#') {
            inside = line.trim_end() == "Resources:";
            continue;
        }
        if !inside {
            continue;
        }
        if let Some(rest) = line.strip_prefix("  ").filter(|r| !r.starts_with(' ')) {
            current = rest.split_once(':').map(|(k, _)| k.trim().to_string());
        } else if let Some(condition) = line.trim_end().strip_prefix("    Condition: ") {
            // The Condition comes right after the Type.
            if holds.iter().any(|(name, on)| *name == condition && !on) {
                rows.pop();
            }
        } else if let (Some(id), Some(kind)) = (&current, line.strip_prefix("    Type:")) {
            rows.push(ChangeRow {
                action: "Add".into(),
                logical_id: id.clone(),
                resource_type: kind.trim().to_string(),
                replacement: String::new(),
            });
            current = None;
        }
    }
    rows
}

/// A coloured table cell (comfy-table measures it right; escape codes in the text would not be).
fn cell(text: &str, color: Option<Color>, style: &Style) -> Cell {
    match color {
        Some(c) if style.color => Cell::new(text).fg(c),
        _ => Cell::new(text),
    }
}

fn action_cell(action: &str, style: &Style) -> Cell {
    match action {
        "Add" => cell("+ Add", Some(Color::Green), style),
        "Modify" => cell("~ Modify", Some(Color::Yellow), style),
        "Remove" => cell("- Remove", Some(Color::Red), style),
        other => cell(other, None, style),
    }
}

impl Report for ChangeSetReport {
    fn render(&self, style: &Style) -> String {
        let mut table = style.table(["Action", "LogicalId", "Type", "Replacement"]);
        for c in &self.changes {
            let replacement = cell(
                &c.replacement,
                (c.replacement == "True").then_some(Color::Red),
                style,
            );
            table.add_row(vec![
                action_cell(&c.action, style),
                Cell::new(&c.logical_id),
                Cell::new(&c.resource_type),
                replacement,
            ]);
        }
        let what = if self.dry_run {
            "Would change"
        } else {
            "Change set for"
        };
        let head = format!(
            "{what} stack {} ({}) in account {}, {}:",
            style.bold(&self.stack),
            self.operation.verb(),
            self.account,
            self.region
        );
        let parameters = super::param_changes::table(&self.parameters, style);
        // A parameter-only update has no resource rows: an empty table would read as "nothing".
        let mut out = match (self.changes.is_empty(), parameters.is_empty()) {
            (true, false) => {
                format!("{head} no resource changes; parameters change:\n{parameters}")
            }
            (true, true) => format!("{head} no resource changes.\n"),
            (false, false) => format!("{head}\n{table}\nParameters:\n{parameters}"),
            (false, true) => format!("{head}\n{table}\n"),
        };
        if let Some(status) = &self.deletes_first {
            out.insert_str(
                0,
                &format!(
                    "Would delete the failed stack {} ({status}) first, then create it again.\n",
                    style.bold(&self.stack)
                ),
            );
        }
        for e in &self.endpoints {
            let what = match (&*e.action, &e.id) {
                ("reuse", Some(id)) => format!("reuse {id}"),
                ("centralised", Some(zone)) => format!("none, centralised (hosted zone {zone})"),
                _ => style.green("+ create"),
            };
            out.push_str(&format!("VPC endpoint {}: {what} ({})\n", e.service, e.why));
        }
        if let (Some(name), Some(command)) = (&self.change_set, &self.execute_command) {
            out.push_str(&format!(
                "Change set {} is kept for review; to deploy it: {}\n",
                style.bold(name),
                style.bold(command)
            ));
        }
        out
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct DeployResult {
    #[serde(rename = "type")]
    kind: &'static str,
    pub ok: bool,
    pub stack: String,
    pub account: String,
    pub region: String,
    pub operation: Operation,
    pub status: Option<String>,
    pub up_to_date: bool,
    pub elapsed_ms: Option<u128>,
    pub failure: Option<crate::stack::progress::Failure>,
    /// `Outputs` of the stack, or the names derived from the stack name where it has none.
    pub outputs: Vec<StackOutput>,
    pub outputs_source: &'static str,
    pub endpoints: Vec<EndpointAction>,
}

impl DeployResult {
    pub fn succeeded(
        names: &RelayNames,
        info: Option<&StackInfo>,
        operation: Operation,
        elapsed_ms: Option<u128>,
        endpoints: Vec<EndpointAction>,
        up_to_date: bool,
    ) -> Self {
        let from_stack = info.map(|i| i.outputs.clone()).unwrap_or_default();
        let (outputs, outputs_source) = if from_stack.is_empty() {
            (derived_outputs(names, info), "names")
        } else {
            (from_stack, "stack")
        };
        Self {
            kind: "result",
            ok: true,
            stack: names.stack.clone(),
            account: String::new(),
            region: String::new(),
            operation,
            status: info.map(|i| i.status.clone()),
            up_to_date,
            elapsed_ms,
            failure: None,
            outputs,
            outputs_source,
            endpoints,
        }
    }

    pub fn failed(outcome: &Outcome, endpoints: Vec<EndpointAction>) -> Self {
        Self {
            kind: "result",
            ok: false,
            stack: outcome.stack.clone(),
            account: String::new(),
            region: String::new(),
            operation: outcome.operation,
            status: Some(outcome.status.clone()),
            up_to_date: false,
            elapsed_ms: Some(outcome.elapsed_ms),
            failure: outcome.failure.clone(),
            outputs: Vec::new(),
            outputs_source: "none",
            endpoints,
        }
    }

    /// The account and region the stack is in.
    pub fn at(mut self, account: &str, region: &str) -> Self {
        self.account = account.to_string();
        self.region = region.to_string();
        self
    }
}

/// The template's outputs, rebuilt from the naming contract (CloudFormation sets no outputs on
/// some stacks; the names are the same either way).
fn derived_outputs(n: &RelayNames, info: Option<&StackInfo>) -> Vec<StackOutput> {
    let o = |k: &str, v: &str| StackOutput {
        key: k.into(),
        value: v.into(),
        description: None,
    };
    let mut out = vec![
        o("BusName", &n.bus),
        o("FunctionName", &n.function),
        o("DlqName", &n.dlq),
        o("ResponsesQueueName", &n.responses_queue),
        o("SecretName", &n.secret),
        o("InboundRuleName", &n.inbound_rule),
        o("OutboundRuleName", &n.outbound_rule),
        o("RelayLogGroupName", &n.relay_log_group),
        o("EventsLogGroupName", &n.events_log_group),
    ];
    if let Some(url) = info
        .and_then(|i| i.parameters.iter().find(|(k, _)| k == "TargetUrl"))
        .map(|(_, v)| v)
    {
        out.push(o("TargetUrl", url));
    }
    out
}

impl Report for DeployResult {
    fn render(&self, style: &Style) -> String {
        let mut table = style.table(["Output", "Value"]);
        for o in &self.outputs {
            table.add_row(vec![o.key.clone(), o.value.clone()]);
        }
        let heading = if self.up_to_date {
            "up to date"
        } else {
            self.status.as_deref().unwrap_or("deployed")
        };
        format!(
            "\nStack {} ({heading}) in account {}, {}:\n{table}\n",
            style.bold(&self.stack),
            self.account,
            self.region
        )
    }
}

pub mod pair;
pub use pair::{ArchiveReport, GlobalEndpointReport, PairPlan, PairResult};

#[cfg(test)]
mod tests;
