//! EventBridge global endpoints and the Route 53 health check that routes them: what a relay
//! pair (`deploy --secondary-region`) reads and the failover drill changes. The endpoint and the
//! health check are made by the endpoint stack (templates/endpoint.yaml); evrelay finds them by
//! the endpoint's name, the relay stack's (src/names.rs, GlobalNames), so nothing here depends
//! on stack outputs.

use aws_sdk_eventbridge::error::ProvideErrorMetadata;

use crate::error::{AwsResultExt, Error, Result};

/// DescribeEndpoint, reduced to what an operator acts on (API_DescribeEndpoint.html).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct GlobalEndpoint {
    pub name: String,
    /// What `PutEvents` takes as `EndpointId` (e.g. `abcde12345.veo`).
    pub id: String,
    pub arn: String,
    pub url: String,
    /// CREATING, ACTIVE, UPDATING, DELETING, CREATE_FAILED, UPDATE_FAILED, DELETE_FAILED.
    pub state: String,
    pub state_reason: String,
    /// The Region the endpoint lives in, and whose bus gets events while the health check is
    /// healthy (HomeRegion: "The primary Region of the endpoint").
    pub primary_region: String,
    /// `RoutingConfig.FailoverConfig.Secondary.Route`.
    pub secondary_region: String,
    /// The Route 53 health check's id (from the ARN in `FailoverConfig.Primary.HealthCheck`).
    pub health_check_id: String,
    pub replication: bool,
    /// The two buses' ARNs, as EventBridge lists them.
    pub buses: Vec<String>,
}

/// DescribeEndpoint by name in the client's Region; `None` when there is none.
pub async fn describe(
    events: &aws_sdk_eventbridge::Client,
    name: &str,
) -> Result<Option<GlobalEndpoint>> {
    let out = match events.describe_endpoint().name(name).send().await {
        Ok(out) => out,
        Err(e) if e.code() == Some("ResourceNotFoundException") => return Ok(None),
        Err(e) => return Err(Error::aws("DescribeEndpoint", e)),
    };
    let failover = out.routing_config().and_then(|r| r.failover_config());
    let health_check = failover
        .and_then(|f| f.primary())
        .map(|p| p.health_check())
        .unwrap_or_default();
    Ok(Some(GlobalEndpoint {
        name: out.name().unwrap_or(name).to_string(),
        id: out.endpoint_id().unwrap_or_default().to_string(),
        arn: out.arn().unwrap_or_default().to_string(),
        url: out.endpoint_url().unwrap_or_default().to_string(),
        state: out
            .state()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        state_reason: out.state_reason().unwrap_or_default().to_string(),
        primary_region: out
            .arn()
            .and_then(|a| a.split(':').nth(3))
            .unwrap_or_default()
            .to_string(),
        secondary_region: failover
            .and_then(|f| f.secondary())
            .map(|s| s.route().to_string())
            .unwrap_or_default(),
        health_check_id: health_check_id(health_check).to_string(),
        replication: out
            .replication_config()
            .and_then(|r| r.state())
            .map_or(true, |s| s.as_str() == "ENABLED"),
        buses: out
            .event_buses()
            .iter()
            .map(|b| b.event_bus_arn().to_string())
            .collect(),
    }))
}

/// `arn:aws:route53:::healthcheck/<id>` → `<id>`.
pub fn health_check_id(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// A Route 53 health check as the drill sees it (API_GetHealthCheck.html).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct HealthCheck {
    pub id: String,
    /// Inverted: Route 53 reports the opposite of what the alarm says: the documented drill.
    pub inverted: bool,
    pub alarm_name: String,
    pub alarm_region: String,
    /// Healthy / Unhealthy / LastKnownStatus, while the alarm has no data.
    pub insufficient_data_status: String,
    /// For an optimistic-concurrency UpdateHealthCheck (HealthCheckVersion).
    pub version: i64,
}

/// GetHealthCheck; `None` when it is gone.
pub async fn health_check(
    route53: &aws_sdk_route53::Client,
    id: &str,
) -> Result<Option<HealthCheck>> {
    let out = match route53.get_health_check().health_check_id(id).send().await {
        Ok(out) => out,
        Err(e) if e.code() == Some("NoSuchHealthCheck") => return Ok(None),
        Err(e) => return Err(Error::aws("GetHealthCheck", e)),
    };
    let Some(check) = out.health_check() else {
        return Ok(None);
    };
    let config = check.health_check_config();
    let alarm = config.and_then(|c| c.alarm_identifier());
    Ok(Some(HealthCheck {
        id: check.id().to_string(),
        inverted: config.and_then(|c| c.inverted()).unwrap_or(false),
        alarm_name: alarm.map(|a| a.name().to_string()).unwrap_or_default(),
        alarm_region: alarm
            .map(|a| a.region().as_str().to_string())
            .unwrap_or_default(),
        insufficient_data_status: config
            .and_then(|c| c.insufficient_data_health_status())
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        version: check.health_check_version(),
    }))
}

/// GetHealthCheckStatus: each Route 53 checker's latest report (`Success: …` / `Failure: …`),
/// newest first. A CLOUDWATCH_METRIC check is healthy when the reports say Success.
pub async fn health_check_reports(
    route53: &aws_sdk_route53::Client,
    id: &str,
) -> Result<Vec<String>> {
    let out = route53
        .get_health_check_status()
        .health_check_id(id)
        .send()
        .await
        .aws_context("GetHealthCheckStatus")?;
    let mut reports: Vec<(Option<i64>, String)> = out
        .health_check_observations()
        .iter()
        .filter_map(|o| o.status_report())
        .map(|r| {
            (
                r.checked_time().map(|t| t.secs()),
                r.status().unwrap_or_default().to_string(),
            )
        })
        .collect();
    reports.sort_by_key(|r| std::cmp::Reverse(r.0));
    Ok(reports.into_iter().map(|(_, s)| s).collect())
}

/// UpdateHealthCheck's Inverted, at the version read (a concurrent change fails with
/// HealthCheckVersionMismatch rather than being overwritten).
pub async fn set_inverted(
    route53: &aws_sdk_route53::Client,
    check: &HealthCheck,
    inverted: bool,
) -> Result<()> {
    route53
        .update_health_check()
        .health_check_id(&check.id)
        .health_check_version(check.version)
        .inverted(inverted)
        .send()
        .await
        .aws_context("UpdateHealthCheck")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_health_check_id_is_the_arn_s_last_part() {
        assert_eq!(
            health_check_id("arn:aws:route53:::healthcheck/4d9c1e70-aa"),
            "4d9c1e70-aa"
        );
        assert_eq!(health_check_id("4d9c1e70-aa"), "4d9c1e70-aa");
    }
}
