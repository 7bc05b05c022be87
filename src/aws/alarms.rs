//! The stack's CloudWatch alarms (`deploy --alarms`): read by name prefix for `status`.

use aws_sdk_cloudwatch::types::AlarmType;

use crate::error::{Error, Result};

/// One alarm as `status` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlarmState {
    pub name: String,
    /// OK, ALARM or INSUFFICIENT_DATA.
    pub state: String,
    /// When the state last changed (seconds since the epoch).
    pub since: Option<i64>,
    pub reason: Option<String>,
}

/// The metric alarms whose names start with `prefix`, every page read (DescribeAlarms returns
/// at most 100 a page; CloudWatch API Reference, DescribeAlarms, MaxRecords).
pub async fn by_prefix(
    client: &aws_sdk_cloudwatch::Client,
    prefix: &str,
) -> Result<Vec<AlarmState>> {
    let mut pages = client
        .describe_alarms()
        .alarm_name_prefix(prefix)
        .alarm_types(AlarmType::MetricAlarm)
        .into_paginator()
        .send();
    let mut out = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| Error::aws("DescribeAlarms", e))?;
        for a in page.metric_alarms() {
            out.push(AlarmState {
                name: a.alarm_name().unwrap_or_default().to_string(),
                state: a
                    .state_value()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                since: a.state_updated_timestamp().map(|t| t.secs()),
                reason: a.state_reason().map(str::to_string),
            });
        }
    }
    Ok(out)
}
