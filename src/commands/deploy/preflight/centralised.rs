//! Centralised endpoints: organisations that serve AWS APIs from a shared VPC associate a
//! private hosted zone named after the service (`secretsmanager.<region>.amazonaws.com`) with
//! every spoke VPC. That zone is the VPC's path to the service, and an interface endpoint with
//! private DNS for the same name is refused ("conflicting DNS domain",
//! https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html#interface-endpoint-dns-hostnames).
//! So preflight takes the zone as the path and creates no endpoint for that service. Pure.

use super::EndpointPlan;
use crate::aws::route53::HostedZone;

/// The service's public DNS name in `region`: what the centralised zone is named.
pub fn service_host(region: &str, short: &str) -> String {
    let suffix = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    format!("{short}.{region}.{suffix}")
}

/// The account-owned zone for the service associated with the VPC. A zone an AWS service owns
/// is not an organisation's centralised endpoint (Route 53's HostedZoneOwner.OwningService).
pub fn zone_for<'a>(zones: &'a [HostedZone], region: &str, short: &str) -> Option<&'a HostedZone> {
    let host = service_host(region, short);
    zones
        .iter()
        .find(|z| z.name == host && z.owner_service.is_empty())
}

/// The plan and the reason printed with it.
pub fn plan(zone: &HostedZone) -> (EndpointPlan, String) {
    (
        EndpointPlan::Centralised(zone.id.clone()),
        format!(
            "private hosted zone {} ({}) is associated with the VPC: the relay uses the centralised endpoint it names; none is created (a private-DNS endpoint would conflict with the zone); the relay's groups must allow TCP 443 to that endpoint",
            zone.name, zone.id
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(name: &str, service: &str) -> HostedZone {
        HostedZone {
            id: "Z0SHARED".into(),
            name: name.into(),
            owner_account: if service.is_empty() {
                "111122223333".into()
            } else {
                String::new()
            },
            owner_service: service.into(),
        }
    }

    #[test]
    fn a_zone_named_after_the_service_is_the_path() {
        let zones = vec![
            zone("corp.internal", ""),
            zone("secretsmanager.eu-west-1.amazonaws.com", ""),
        ];
        let z = zone_for(&zones, "eu-west-1", "secretsmanager").unwrap();
        let (plan, why) = plan(z);
        assert_eq!(plan, EndpointPlan::Centralised("Z0SHARED".into()));
        assert!(why.starts_with(
            "private hosted zone secretsmanager.eu-west-1.amazonaws.com (Z0SHARED) is associated with the VPC"
        ));
        // Another service's or region's zone is no path.
        assert!(zone_for(&zones, "eu-west-1", "events").is_none());
        assert!(zone_for(&zones, "us-east-1", "secretsmanager").is_none());
    }

    #[test]
    fn a_zone_a_service_owns_is_not_a_centralised_endpoint() {
        let zones = vec![zone("events.us-east-1.amazonaws.com", "vpce.amazonaws.com")];
        assert!(zone_for(&zones, "us-east-1", "events").is_none());
    }

    #[test]
    fn china_hosts_end_in_com_cn() {
        assert_eq!(
            service_host("cn-north-1", "events"),
            "events.cn-north-1.amazonaws.com.cn"
        );
    }
}
