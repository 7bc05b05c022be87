//! What `send --return-response` can say when responses did not come: how full the DLQ is,
//! when a failure record for these events is due there at the latest (from the relay's retry
//! settings), the relay's log lines that name these events, and its latest failure lines.
//! Through a pair's global endpoint the event may have been routed (or replicated) to the
//! secondary Region: its relay is read there too, and each finding names its Region.

use std::time::Duration;

use serde::Serialize;

use crate::aws::logs as cwl;
use crate::aws::sqs::{self, QueueDepth};
use crate::context::Context;
use crate::model::log_line::{LogLine, Origin};
use crate::model::schedule::{invoke_config_from_template, parameter_default, RetrySchedule};
use crate::model::text::{format_epoch_ms, now_ms};
use crate::template::TEMPLATE_SOURCE;

use super::global::EndpointUsed;

/// Ids searched for in the relay's log (one FilterLogEvents pattern holds this many terms).
const IDS_SEARCHED: usize = 10;
const LINES_SHOWN: usize = 10;

#[derive(Debug, Serialize)]
pub(super) struct Diagnosis {
    /// The Region these findings come from: named when the events went through a global
    /// endpoint, where they may have reached either Region.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub dlq: String,
    pub dlq_depth: Option<QueueDepth>,
    /// When a failure record is due in the DLQ at the latest.
    pub schedule: Option<Schedule>,
    pub relay_log_group: String,
    /// Relay log lines naming an event that got no response.
    pub event_lines: Vec<LogExcerpt>,
    pub recent_errors: Vec<LogExcerpt>,
    pub notes: Vec<String>,
    /// Through the stack's global endpoint: the same findings in the pair's secondary Region.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secondary: Option<Box<Diagnosis>>,
}

#[derive(Debug, Serialize)]
pub(super) struct Schedule {
    pub attempts: u32,
    pub function_timeout_s: u64,
    pub max_event_age_s: u64,
    /// The latest time a failure record for these events reaches the DLQ when the relay fails.
    pub failure_record_due_by: String,
    /// The latest time when Lambda throttles the relay or fails itself (429, 5xx): retried up
    /// to the maximum event age.
    pub throttled_record_due_by: String,
    /// A `--timeout` that waits until then.
    pub suggested_timeout: String,
    /// Where the settings were read.
    pub source: String,
}

#[derive(Debug, Serialize)]
pub(super) struct LogExcerpt {
    pub time: String,
    /// The EventBridge id the line names, when it is one of ours.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    pub message: String,
}

fn excerpt(l: &LogLine, event_id: Option<String>) -> LogExcerpt {
    LogExcerpt {
        time: format_epoch_ms(l.timestamp),
        event_id,
        message: l.message.trim_end().to_string(),
    }
}

/// `?"id1" ?"id2"`: lines naming any of the ids (a quoted term matches text with hyphens).
fn ids_pattern(ids: &[String]) -> String {
    ids.iter()
        .map(|id| format!("?\"{id}\""))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The relay's retry settings: its function timeout from the stack's parameters (the
/// template's default where the stack cannot be read), its EventInvokeConfig from the template
/// the stack was deployed with (GetTemplate; evrelay's own where that cannot be read). Read
/// through CloudFormation rather than Lambda's GetFunctionEventInvokeConfig: evrelay has no
/// Lambda client (aws-sdk-lambda is not a dependency, and one more SDK crate is the costliest
/// part of a build), and the stack's template is where evrelay sets these values.
async fn schedule(ctx: &Context, started_ms: i64, notes: &mut Vec<String>) -> Option<Schedule> {
    let stack = &ctx.names.stack;
    let (described, deployed) = tokio::join!(
        crate::stack::describe_stack(ctx.cloudformation(), stack),
        crate::aws::stacks::template_body(ctx.cloudformation(), stack)
    );
    let (timeout, why_not) = match described {
        Ok(Some(info)) => match info.parameters.iter().find(|(k, _)| k == "FunctionTimeout") {
            Some((_, v)) => (Some(v.clone()), ""),
            None => (None, "has no FunctionTimeout"),
        },
        Ok(None) => (None, "not found"),
        Err(e) => {
            notes.push(format!("could not read stack `{stack}`: {}", e.message));
            (None, "not read")
        }
    };
    let (timeout, from) = match timeout {
        Some(t) => (Some(t), format!("FunctionTimeout of stack `{stack}`")),
        None => (
            parameter_default(TEMPLATE_SOURCE, "FunctionTimeout"),
            format!("the template's default FunctionTimeout: stack `{stack}` {why_not}"),
        ),
    };
    let timeout: u64 = timeout?.parse().ok()?;
    let ((retries, age), retries_from) = match deployed
        .ok()
        .as_deref()
        .and_then(invoke_config_from_template)
    {
        Some(settings) => (settings, format!("retries from stack `{stack}`'s template")),
        None => (
            invoke_config_from_template(TEMPLATE_SOURCE)?,
            "retries as evrelay's template sets them".to_string(),
        ),
    };
    let s = RetrySchedule {
        max_retry_attempts: retries,
        max_event_age: age,
        function_timeout: Duration::from_secs(timeout),
    };
    let due_by = started_ms + s.failure_record_due().as_millis() as i64;
    let throttled_due_by = started_ms + s.throttled_record_due().as_millis() as i64;
    let left_s = ((due_by - now_ms()).max(0) as u64).div_ceil(1000);
    Some(Schedule {
        attempts: retries.min(2) + 1,
        function_timeout_s: timeout,
        max_event_age_s: age.as_secs(),
        failure_record_due_by: format_epoch_ms(due_by),
        throttled_record_due_by: format_epoch_ms(throttled_due_by),
        // Whole minutes, plus one for the record's own delivery to the queue.
        suggested_timeout: format!("{}m", left_s.div_ceil(60) + 1),
        source: format!("{from}; {retries_from}"),
    })
}

/// The diagnosis here, and through a pair's global endpoint in its secondary Region too.
pub(super) async fn diagnose(
    ctx: &Context,
    endpoint: Option<&EndpointUsed>,
    since_ms: i64,
    missing: &[String],
) -> Diagnosis {
    let Some(endpoint) = endpoint else {
        return in_one_region(ctx, None, since_ms, missing).await;
    };
    let here = in_one_region(ctx, Some(ctx.region()), since_ms, missing);
    let Some(secondary) = endpoint.secondary_region.as_deref() else {
        let mut d = here.await;
        d.notes.push(format!(
            "endpoint {} is not the stack's: its other Region is unknown, only {} was read",
            endpoint.id,
            ctx.region()
        ));
        return d;
    };
    let there = async {
        match ctx.in_region(secondary).await {
            Ok(other) => in_one_region(&other, Some(secondary), since_ms, missing).await,
            Err(e) => {
                let mut d = unread(ctx, secondary);
                d.notes
                    .push(format!("could not read {secondary}: {}", e.message));
                d
            }
        }
    };
    let (mut d, there) = tokio::join!(here, there);
    d.secondary = Some(Box::new(there));
    d
}

fn unread(ctx: &Context, region: &str) -> Diagnosis {
    Diagnosis {
        region: Some(region.to_string()),
        dlq: ctx.names.dlq.clone(),
        dlq_depth: None,
        schedule: None,
        relay_log_group: ctx.names.relay_log_group.clone(),
        event_lines: Vec::new(),
        recent_errors: Vec::new(),
        notes: Vec::new(),
        secondary: None,
    }
}

async fn in_one_region(
    ctx: &Context,
    region: Option<&str>,
    since_ms: i64,
    missing: &[String],
) -> Diagnosis {
    let names = &ctx.names;
    let group = &names.relay_log_group;
    let logs = ctx.logs();
    let searched = &missing[..missing.len().min(IDS_SEARCHED)];
    let pattern = ids_pattern(searched);
    let dlq = async {
        match sqs::find_queue_url(ctx.sqs(), &names.dlq).await? {
            Some(url) => sqs::depth(ctx.sqs(), &url).await.map(Some),
            None => Ok(None),
        }
    };
    let ours = cwl::filter_events(logs, group, Origin::Relay, since_ms, Some(&pattern));
    let errors = cwl::filter_events(logs, group, Origin::Relay, since_ms, Some("?failed ?ERROR"));
    let mut notes = Vec::new();
    let (dlq, ours, errors) = tokio::join!(dlq, ours, errors);
    let schedule = schedule(ctx, since_ms, &mut notes).await;
    let mut d = Diagnosis {
        region: region.map(str::to_string),
        dlq: names.dlq.clone(),
        dlq_depth: None,
        schedule,
        relay_log_group: group.clone(),
        event_lines: Vec::new(),
        recent_errors: Vec::new(),
        notes,
        secondary: None,
    };
    match dlq {
        Ok(Some(depth)) => d.dlq_depth = Some(depth),
        Ok(None) => d.notes.push(format!("queue `{}` not found", names.dlq)),
        Err(e) => d
            .notes
            .push(format!("could not read the DLQ's depth: {}", e.message)),
    }
    let mut shown = Vec::new();
    match ours {
        // The pattern narrows the search on AWS; the match is checked here too.
        Ok(Some(lines)) => {
            let named: Vec<(LogLine, String)> = lines
                .into_iter()
                .filter_map(|l| {
                    let id = searched.iter().find(|id| l.mentions(id))?.clone();
                    Some((l, id))
                })
                .collect();
            let skip = named.len().saturating_sub(LINES_SHOWN);
            for (l, id) in named.into_iter().skip(skip) {
                shown.push(l.log_event_id.clone());
                d.event_lines.push(excerpt(&l, Some(id)));
            }
        }
        Ok(None) => d
            .notes
            .push(format!("log group `{group}` does not exist yet")),
        Err(e) => d.notes.push(format!(
            "could not read the relay's log: {}",
            crate::error::Error::from(e).message
        )),
    }
    if let Ok(Some(lines)) = errors {
        let failures: Vec<LogLine> = lines
            .into_iter()
            .filter(|l| l.message.contains("failed") || l.message.contains("ERROR"))
            .filter(|l| l.log_event_id.is_none() || !shown.contains(&l.log_event_id))
            .collect();
        let skip = failures.len().saturating_sub(5);
        d.recent_errors = failures
            .iter()
            .skip(skip)
            .map(|l| excerpt(l, None))
            .collect();
    }
    d
}

mod render;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pattern_names_every_id_quoted() {
        let ids = vec!["a-1".to_string(), "b-2".to_string()];
        assert_eq!(ids_pattern(&ids), "?\"a-1\" ?\"b-2\"");
    }
}
