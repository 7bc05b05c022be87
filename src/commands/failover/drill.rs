//! The drill's pure decisions: whether the asked change makes sense now, what Route 53's reports
//! mean for the endpoint's routing, and the words of the plan.

use crate::error::Error;

/// `failover start` inverts the health check; `failover stop` restores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Start,
    Stop,
}

impl Action {
    /// The health check's Inverted once this action is done.
    pub fn inverted(self) -> bool {
        self == Action::Start
    }

    /// What Route 53 must report for the endpoint to route as this action wants: unhealthy
    /// (to the secondary) after start, healthy (back to the primary) after stop.
    pub fn wants_healthy(self) -> bool {
        self == Action::Stop
    }
}

/// Refuses a start while the drill is on, and a stop while it is off (exit 1: nothing changed).
pub fn refusal(action: Action, inverted: bool, stack: &str, check: &str) -> Option<Error> {
    match (action, inverted) {
        (Action::Start, true) => Some(
            Error::failed(format!(
                "the failover drill of `{stack}` is already on: Route 53 health check {check} is inverted; nothing was changed"
            ))
            .hint(format!("end it with `evrelay --stack {stack} failover stop`")),
        ),
        (Action::Stop, false) => Some(
            Error::failed(format!(
                "no failover drill of `{stack}` is on: Route 53 health check {check} is not inverted; nothing was changed"
            ))
            .hint(format!("start one with `evrelay --stack {stack} failover start`")),
        ),
        _ => None,
    }
}

/// The health check's status, as the endpoint routes by it: the checkers' verdict from their
/// reports (GetHealthCheckStatus), healthy when more than 18% of them report Success (Route 53
/// Developer Guide, dns-failover-determining-health-of-endpoints.html: "If more than 18% of
/// health checkers report that an endpoint is healthy, Route 53 considers it healthy"), then
/// inverted when the check is (the checkers report what they observe; Inverted turns the
/// check's status, API_HealthCheckConfig.html). `None` while no checker has reported.
pub fn healthy(reports: &[String], inverted: bool) -> Option<bool> {
    if reports.is_empty() {
        return None;
    }
    let successes = reports.iter().filter(|r| r.starts_with("Success")).count();
    Some((successes * 100 > reports.len() * 18) != inverted)
}

/// The Region whose bus gets events sent through the endpoint, by the health check's verdict.
pub fn routed_to<'a>(healthy: bool, primary: &'a str, secondary: &'a str) -> &'a str {
    if healthy {
        primary
    } else {
        secondary
    }
}

/// The plan printed before the one question.
pub fn plan_lines(
    action: Action,
    endpoint: &crate::aws::global_endpoint::GlobalEndpoint,
    check: &crate::aws::global_endpoint::HealthCheck,
    bus: &str,
) -> Vec<String> {
    let (to, what) = match action {
        Action::Start => (&endpoint.secondary_region, "invert Route 53 health check"),
        Action::Stop => (&endpoint.primary_region, "restore Route 53 health check"),
    };
    vec![
        format!(
            "Failover drill {}: {what} {} (alarm {}).",
            match action {
                Action::Start => "start",
                Action::Stop => "stop",
            },
            check.id,
            check.alarm_name
        ),
        format!(
            "Events sent through endpoint {} ({}) will go to {to}'s bus {bus}, once Route 53 reports the check {}.",
            endpoint.name,
            endpoint.id,
            if action.wants_healthy() { "healthy" } else { "unhealthy" }
        ),
        match action {
            Action::Start => format!(
                "This moves production traffic; `evrelay failover stop` moves it back to {}.",
                endpoint.primary_region
            ),
            Action::Stop => format!(
                "Production traffic returns to {}; events {} received meanwhile stay in its archive (`evrelay replay`).",
                endpoint.primary_region, endpoint.secondary_region
            ),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reports(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn start_twice_and_stop_without_a_drill_are_refused() {
        let e = refusal(Action::Start, true, "orders", "hc-1").unwrap();
        assert_eq!(e.exit_code(), 1);
        assert!(e.hint.unwrap().contains("failover stop"));
        let e = refusal(Action::Stop, false, "orders", "hc-1").unwrap();
        assert!(e.message.contains("not inverted"));
        assert!(refusal(Action::Start, false, "orders", "hc-1").is_none());
        assert!(refusal(Action::Stop, true, "orders", "hc-1").is_none());
    }

    #[test]
    fn route_53_calls_a_check_healthy_above_18_percent_of_its_checkers() {
        assert_eq!(healthy(&[], false), None);
        assert_eq!(healthy(&reports(&["Success: ok"]), false), Some(true));
        assert_eq!(healthy(&reports(&["Failure: alarm"]), false), Some(false));
        let mut five = vec!["Failure: x"; 4];
        five.push("Success: y");
        assert_eq!(healthy(&reports(&five), false), Some(true), "1 of 5 is 20%");
        let mut six = vec!["Failure: x"; 5];
        six.push("Success: y");
        assert_eq!(
            healthy(&reports(&six), false),
            Some(false),
            "1 of 6 is under 18%"
        );
    }

    #[test]
    fn an_inverted_check_turns_what_the_checkers_report() {
        assert_eq!(healthy(&reports(&["Success: ok"]), true), Some(false));
        assert_eq!(healthy(&reports(&["Failure: alarm"]), true), Some(true));
        assert_eq!(healthy(&[], true), None);
    }

    #[test]
    fn the_endpoint_routes_to_the_secondary_when_the_check_fails() {
        assert_eq!(routed_to(true, "us-east-1", "us-west-2"), "us-east-1");
        assert_eq!(routed_to(false, "us-east-1", "us-west-2"), "us-west-2");
        assert!(Action::Start.inverted() && !Action::Start.wants_healthy());
        assert!(!Action::Stop.inverted() && Action::Stop.wants_healthy());
    }
}
