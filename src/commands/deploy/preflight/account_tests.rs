//! Preflight against account-wide state: centralised endpoints (a shared VPC's private hosted
//! zones) and the account's Lambda concurrency.

use super::tests::case;
use super::{EndpointPlan, EventsEndpoint};
use crate::aws::route53::HostedZone;

fn shared(name: &str) -> HostedZone {
    HostedZone {
        id: "Z0SHARED".into(),
        name: name.into(),
        owner_account: "111122223333".into(),
        owner_service: String::new(),
    }
}

#[test]
fn a_centralised_zone_is_the_path_and_nothing_is_created_for_it() {
    let mut c = case();
    // No NAT: EventBridge would need an endpoint, but the shared VPC serves both services.
    c.v.route_tables[0].routes[0].target = "tgw-1".into();
    c.hosted_zones = vec![
        shared("secretsmanager.us-east-1.amazonaws.com"),
        HostedZone {
            id: "Z0EVENTS".into(),
            ..shared("events.us-east-1.amazonaws.com")
        },
    ];
    let p = c.plan().unwrap();
    assert_eq!(p.secrets.0, EndpointPlan::Centralised("Z0SHARED".into()));
    assert!(p.secrets.1.contains("none is created"), "{}", p.secrets.1);
    assert_eq!(
        p.events.as_ref().unwrap().0,
        EndpointPlan::Centralised("Z0EVENTS".into())
    );
    assert!(!p.creates_endpoints());
    let actions = p.endpoint_actions();
    assert_eq!(
        (actions[0].action.as_str(), actions[0].id.as_deref()),
        ("centralised", Some("Z0SHARED"))
    );
    // Even --events-endpoint create cannot create one (it would conflict with the zone).
    c.events = Some(EventsEndpoint::Create);
    assert!(!c.plan().unwrap().creates_endpoints());
    // The operator's `skip` (their own route) still goes around it.
    c.events = Some(EventsEndpoint::Skip);
    assert!(c.plan().unwrap().events.is_none());
}

#[test]
fn only_the_centralised_service_goes_without_an_endpoint() {
    let mut c = case();
    c.hosted_zones = vec![shared("events.us-east-1.amazonaws.com")];
    // Only EventBridge is centralised: Secrets Manager still gets its endpoint.
    let p = c.plan().unwrap();
    assert!(matches!(p.secrets.0, EndpointPlan::Create(_)));
    assert_eq!(
        p.events.unwrap().0,
        EndpointPlan::Centralised("Z0SHARED".into())
    );
}

#[test]
fn reserved_concurrency_beyond_the_account_is_refused_before_anything_is_created() {
    let mut c = case();
    c.s.reserved_concurrency = 5;
    c.concurrency.account_limit = 50;
    c.concurrency.unreserved = 50;
    let e = c.plan().unwrap_err();
    assert_eq!(e.exit_code(), 1);
    assert!(
        e.message
            .starts_with("--reserved-concurrency 5 is more than this account can reserve: 0"),
        "{}",
        e.message
    );
    c.s.reserved_concurrency = 0;
    assert!(c.plan().is_ok());
}
