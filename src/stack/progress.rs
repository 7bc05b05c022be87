//! The event stream folded into one line per resource: what it is (the template's
//! description), where it stands, how long it took, and why it failed. Pure: fed events,
//! read by the renderers and by the outcome.

use std::collections::HashMap;
use std::time::Instant;

use serde::Serialize;

use super::events::StackEvent;
use super::Operation;

/// CloudFormation's follow-on failures: the resource did not fail, another one did and
/// CloudFormation gave up on the rest. Never "the" reason.
const CANCELLED: [&str; 3] = [
    "Resource creation cancelled",
    "Resource update cancelled",
    "Resource deletion cancelled",
];

#[derive(Debug, Clone, Serialize)]
pub struct ResourceProgress {
    pub logical_id: String,
    pub resource_type: String,
    pub description: Option<String>,
    pub physical_id: Option<String>,
    pub status: String,
    /// Reasons of the resource's failed events, oldest first.
    pub failures: Vec<String>,
    pub started_ms: i64,
    pub updated_ms: i64,
    #[serde(skip)]
    pub first_seen: Instant,
}

impl ResourceProgress {
    pub fn in_progress(&self) -> bool {
        self.status.ends_with("_IN_PROGRESS")
    }

    pub fn failed(&self) -> bool {
        self.status.ends_with("_FAILED")
    }
}

/// The resource that made the change fail, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub logical_id: String,
    pub resource_type: String,
    pub status: String,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct Progress {
    pub stack: String,
    pub operation: Operation,
    descriptions: HashMap<String, String>,
    /// In the order each resource first appeared in the stream.
    pub resources: Vec<ResourceProgress>,
    pub stack_status: Option<String>,
    pub stack_reason: Option<String>,
    first_failure: Option<Failure>,
    pub started: Instant,
}

impl Progress {
    pub fn new(stack: &str, operation: Operation, descriptions: Vec<(String, String)>) -> Self {
        Self {
            stack: stack.to_string(),
            operation,
            descriptions: descriptions.into_iter().collect(),
            resources: Vec::new(),
            stack_status: None,
            stack_reason: None,
            first_failure: None,
            started: Instant::now(),
        }
    }

    pub fn description(&self, logical_id: &str) -> Option<&str> {
        self.descriptions.get(logical_id).map(String::as_str)
    }

    /// Folds one event in (events arrive oldest first, each once).
    pub fn apply(&mut self, e: &StackEvent) {
        if e.is_stack() {
            self.stack_status = Some(e.status.clone());
            self.stack_reason = e.reason.clone();
            return;
        }
        let failed_reason = e
            .status
            .ends_with("_FAILED")
            .then(|| e.reason.clone().unwrap_or_else(|| "no reason given".into()));
        if let Some(reason) = &failed_reason {
            let cancelled = CANCELLED.iter().any(|c| reason.starts_with(c));
            if self.first_failure.is_none() && !cancelled {
                self.first_failure = Some(Failure {
                    logical_id: e.logical_id.clone(),
                    resource_type: e.resource_type.clone(),
                    status: e.status.clone(),
                    reason: reason.clone(),
                });
            }
        }
        let description = self.descriptions.get(&e.logical_id).cloned();
        let resource = match self
            .resources
            .iter_mut()
            .position(|r| r.logical_id == e.logical_id)
        {
            Some(i) => &mut self.resources[i],
            None => {
                self.resources.push(ResourceProgress {
                    logical_id: e.logical_id.clone(),
                    resource_type: e.resource_type.clone(),
                    description,
                    physical_id: None,
                    status: String::new(),
                    failures: Vec::new(),
                    started_ms: e.timestamp_ms,
                    updated_ms: e.timestamp_ms,
                    first_seen: Instant::now(),
                });
                self.resources.last_mut().expect("just pushed")
            }
        };
        // A resource that starts again (an update after its create, a rollback) restarts its timer.
        if e.status.ends_with("_IN_PROGRESS") && !resource.in_progress() {
            resource.started_ms = e.timestamp_ms;
            resource.first_seen = Instant::now();
        }
        resource.status = e.status.clone();
        resource.updated_ms = e.timestamp_ms;
        if e.physical_id.is_some() {
            resource.physical_id = e.physical_id.clone();
        }
        if let Some(reason) = failed_reason {
            resource.failures.push(reason);
        }
    }

    pub fn set_stack_status(&mut self, status: &str, reason: Option<&str>) {
        self.stack_status = Some(status.to_string());
        if reason.is_some() {
            self.stack_reason = reason.map(str::to_string);
        }
    }

    /// The first resource that failed for a reason of its own (not "… cancelled"); failing
    /// that, the stack's own reason.
    pub fn first_failure(&self) -> Option<Failure> {
        self.first_failure.clone().or_else(|| {
            let status = self.stack_status.as_deref()?;
            if self.operation.succeeded(status) || !super::is_settled(status) {
                return None;
            }
            Some(Failure {
                logical_id: self.stack.clone(),
                resource_type: "AWS::CloudFormation::Stack".into(),
                status: status.to_string(),
                reason: self
                    .stack_reason
                    .clone()
                    .unwrap_or_else(|| "no reason given".into()),
            })
        })
    }

    /// (settled, in progress, failed) resource counts for a summary line.
    pub fn counts(&self) -> (usize, usize, usize) {
        let busy = self.resources.iter().filter(|r| r.in_progress()).count();
        let failed = self.resources.iter().filter(|r| r.failed()).count();
        (self.resources.len() - busy - failed, busy, failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn ev(
        logical: &str,
        rtype: &str,
        status: &str,
        reason: Option<&str>,
        ts: i64,
    ) -> StackEvent {
        StackEvent {
            id: format!("{logical}-{status}-{ts}"),
            stack_name: "s".into(),
            logical_id: logical.into(),
            physical_id: None,
            resource_type: rtype.into(),
            status: status.into(),
            reason: reason.map(str::to_string),
            timestamp_ms: ts,
            token: None,
        }
    }

    #[test]
    fn one_line_per_resource_with_its_latest_status_and_description() {
        let mut p = Progress::new(
            "s",
            Operation::Create,
            vec![("Bus".into(), "Event bus".into())],
        );
        p.apply(&ev(
            "s",
            "AWS::CloudFormation::Stack",
            "CREATE_IN_PROGRESS",
            Some("User Initiated"),
            0,
        ));
        p.apply(&ev(
            "Bus",
            "AWS::Events::EventBus",
            "CREATE_IN_PROGRESS",
            None,
            1000,
        ));
        p.apply(&ev(
            "Dlq",
            "AWS::SQS::Queue",
            "CREATE_IN_PROGRESS",
            None,
            1000,
        ));
        p.apply(&ev(
            "Bus",
            "AWS::Events::EventBus",
            "CREATE_COMPLETE",
            None,
            3000,
        ));
        assert_eq!(p.resources.len(), 2);
        assert_eq!(p.resources[0].status, "CREATE_COMPLETE");
        assert_eq!(p.resources[0].description.as_deref(), Some("Event bus"));
        assert_eq!(p.resources[0].updated_ms - p.resources[0].started_ms, 2000);
        assert_eq!(p.counts(), (1, 1, 0));
        assert_eq!(p.stack_status.as_deref(), Some("CREATE_IN_PROGRESS"));
    }

    #[test]
    fn the_first_real_failure_wins_over_cancellations() {
        let mut p = Progress::new("s", Operation::Create, vec![]);
        p.apply(&ev(
            "Dlq",
            "AWS::SQS::Queue",
            "CREATE_FAILED",
            Some("Resource creation cancelled"),
            1,
        ));
        p.apply(&ev(
            "Function",
            "AWS::Lambda::Function",
            "CREATE_FAILED",
            Some("Subnet not found"),
            2,
        ));
        p.apply(&ev(
            "Bus",
            "AWS::Events::EventBus",
            "DELETE_FAILED",
            Some("later"),
            3,
        ));
        let f = p.first_failure().unwrap();
        assert_eq!(
            (f.logical_id.as_str(), f.reason.as_str()),
            ("Function", "Subnet not found")
        );
    }

    #[test]
    fn without_a_resource_failure_the_stack_reason_is_used() {
        let mut p = Progress::new("s", Operation::Update, vec![]);
        assert!(p.first_failure().is_none());
        p.set_stack_status(
            "UPDATE_ROLLBACK_COMPLETE",
            Some("Parameter validation failed"),
        );
        assert_eq!(
            p.first_failure().unwrap().reason,
            "Parameter validation failed"
        );
        p.set_stack_status("UPDATE_COMPLETE", None);
        assert!(p.first_failure().is_none());
    }
}
