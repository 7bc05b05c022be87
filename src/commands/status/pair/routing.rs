//! Which Region a global endpoint sends events to now, decided from its Route 53 health check
//! as EventBridge does: the primary while the check is healthy, the secondary while it is not
//! (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-global-endpoints.html). The
//! check's status is what Route 53's checkers report (GetHealthCheckStatus), read the way
//! `failover` watches it: the reports are the check's own status, so an inverted check (the
//! documented drill: https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-invert.html)
//! already reports the opposite of its alarm; `inverted` only says why. Route 53 counts a check
//! healthy when more than 18% of its checkers report it healthy
//! (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html).

use super::HealthCheckStatus;
use crate::aws::global_endpoint::GlobalEndpoint;

/// The decision and how it was made, in words an operator can check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routing {
    pub active_region: Option<String>,
    /// The health check's status as Route 53 reports it (inversion included).
    pub healthy: Option<bool>,
    pub basis: String,
}

/// The checkers' verdict: `None` without reports.
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
    let Some(healthy) = checkers_healthy(&check.reports) else {
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
    let status = if healthy { "healthy" } else { "unhealthy" };
    let drill = if check.inverted {
        " (inverted: the failover drill)"
    } else {
        ""
    };
    let why = format!("{reports}: the health check is {status}{drill}");
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
    fn a_healthy_check_keeps_the_primary() {
        let r = decide(&endpoint(), &check(false, &["Success: alarm OK"]));
        assert_eq!(r.active_region.as_deref(), Some("us-east-1"));
        assert_eq!(r.healthy, Some(true));
        assert_eq!(
            r.basis,
            "the primary, because 1 of 1 Route 53 reports say Success: the health check is healthy"
        );
    }

    #[test]
    fn an_unhealthy_check_moves_to_the_secondary_and_says_when_it_is_the_drill() {
        let failing = ["Failure: alarm in ALARM", "Failure: alarm in ALARM"];
        let r = decide(&endpoint(), &check(false, &failing));
        assert_eq!(r.active_region.as_deref(), Some("us-west-2"));
        assert_eq!(r.healthy, Some(false));
        assert_eq!(
            r.basis,
            "the secondary, because 0 of 2 Route 53 reports say Success: the health check is unhealthy"
        );
        // Inverted, Route 53 already reports the opposite of the alarm: not flipped twice.
        let r = decide(&endpoint(), &check(true, &["Failure: inverted"]));
        assert_eq!(r.active_region.as_deref(), Some("us-west-2"));
        assert!(
            r.basis
                .ends_with("unhealthy (inverted: the failover drill)"),
            "{}",
            r.basis
        );
        let r = decide(
            &endpoint(),
            &check(true, &["Success: inverted, alarm in ALARM"]),
        );
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
