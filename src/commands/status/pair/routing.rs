//! Which Region a global endpoint sends events to now, decided from its Route 53 health check
//! as EventBridge does: the primary while the check is healthy, the secondary while it is not
//! (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-global-endpoints.html). The
//! check's status is what its checkers observe (GetHealthCheckStatus), the opposite when the
//! check is inverted: Inverted applies to the check's status, not to what a checker saw
//! (API_HealthCheckConfig.html), and `failover` reads the reports the same way. Inverting is the
//! documented failover drill (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-invert.html).
//! Route 53 counts an endpoint healthy when more than 18% of its checkers report it healthy
//! (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html).

use super::HealthCheckStatus;
use crate::aws::global_endpoint::GlobalEndpoint;

/// The decision and how it was made, in words an operator can check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routing {
    pub active_region: Option<String>,
    /// The health check's status, inversion applied.
    pub healthy: Option<bool>,
    pub basis: String,
}

/// The checkers' verdict before inversion: `None` without reports.
pub fn checkers_healthy(reports: &[String]) -> Option<bool> {
    if reports.is_empty() {
        return None;
    }
    let ok = reports.iter().filter(|r| r.starts_with("Success")).count();
    Some(ok * 100 > reports.len() * 18)
}

pub fn decide(endpoint: &GlobalEndpoint, check: &HealthCheckStatus) -> Routing {
    let (primary, secondary) = (&endpoint.primary_region, &endpoint.secondary_region);
    let unknown = |basis: String| Routing {
        active_region: None,
        healthy: None,
        basis,
    };
    if !check.found {
        return unknown(format!(
            "unknown: Route 53 has no health check {} (the endpoint stack's)",
            check.id
        ));
    }
    let Some(seen) = checkers_healthy(&check.reports) else {
        return unknown(format!(
            "unknown: Route 53 has no reports for health check {} yet",
            check.id
        ));
    };
    let ok = check
        .reports
        .iter()
        .filter(|r| r.starts_with("Success"))
        .count();
    let reports = format!(
        "{ok} of {} Route 53 reports say Success",
        check.reports.len()
    );
    let healthy = seen != check.inverted;
    let status = if healthy { "healthy" } else { "unhealthy" };
    let why = if check.inverted {
        format!("{reports}, inverted: the health check is {status}")
    } else {
        format!("{reports}: the health check is {status}")
    };
    let (region, role) = if healthy {
        (primary, "the primary")
    } else {
        (secondary, "the secondary")
    };
    Routing {
        active_region: Some(region.clone()),
        healthy: Some(healthy),
        basis: format!("{role}, because {why}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint() -> GlobalEndpoint {
        GlobalEndpoint {
            primary_region: "us-east-1".into(),
            secondary_region: "us-west-2".into(),
            ..Default::default()
        }
    }

    fn check(inverted: bool, reports: &[&str]) -> HealthCheckStatus {
        HealthCheckStatus {
            id: "hc-1".into(),
            found: true,
            inverted,
            reports: reports.iter().map(|r| r.to_string()).collect(),
            healthy: None,
        }
    }

    #[test]
    fn a_healthy_check_keeps_the_primary_and_inverting_it_moves_to_the_secondary() {
        let ok = ["Success: alarm OK"];
        let r = decide(&endpoint(), &check(false, &ok));
        assert_eq!(r.active_region.as_deref(), Some("us-east-1"));
        assert_eq!(r.healthy, Some(true));
        assert_eq!(
            r.basis,
            "the primary, because 1 of 1 Route 53 reports say Success: the health check is healthy"
        );
        let r = decide(&endpoint(), &check(true, &ok));
        assert_eq!(r.active_region.as_deref(), Some("us-west-2"));
        assert_eq!(r.healthy, Some(false));
        assert!(
            r.basis.ends_with("inverted: the health check is unhealthy"),
            "{}",
            r.basis
        );
    }

    #[test]
    fn a_failing_check_moves_to_the_secondary_and_inverting_it_keeps_the_primary() {
        let failing = ["Failure: alarm in ALARM", "Failure: alarm in ALARM"];
        let r = decide(&endpoint(), &check(false, &failing));
        assert_eq!(r.active_region.as_deref(), Some("us-west-2"));
        let r = decide(&endpoint(), &check(true, &failing));
        assert_eq!(r.active_region.as_deref(), Some("us-east-1"));
    }

    #[test]
    fn more_than_18_percent_of_checkers_make_it_healthy() {
        let mut reports = vec!["Failure: x".to_string(); 9];
        reports.push("Success: y".into());
        assert_eq!(checkers_healthy(&reports), Some(false)); // 10%
        reports.push("Success: y".into());
        assert_eq!(checkers_healthy(&reports), Some(true)); // 18.2%
        assert_eq!(checkers_healthy(&[]), None);
    }

    #[test]
    fn without_a_check_or_reports_the_region_is_unknown() {
        let r = decide(&endpoint(), &check(false, &[]));
        assert_eq!(r.active_region, None);
        assert!(r.basis.starts_with("unknown: Route 53 has no reports"));
        let mut gone = check(false, &["Success: x"]);
        gone.found = false;
        assert!(decide(&endpoint(), &gone).active_region.is_none());
    }
}
