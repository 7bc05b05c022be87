//! discover's service-discovery reads: the VPC's private hosted zones (Route 53), the Cloud Map
//! namespaces among them with their services and instances, and the other zones' records.
//! Best effort, as the listener reads are: an operator allowed to describe the VPC may not be
//! allowed to list Cloud Map or Route 53, and that must not hide what discover found.

use crate::aws::{route53, service_discovery};
use crate::context::Context;
use crate::error::Error;
use crate::network::service_targets::{self, ServiceDiscoveryTarget, PORTLESS_PER_ZONE};
use crate::network::Discovery;

/// The candidates, Cloud Map services first; what could not be read becomes a warning.
pub async fn fetch(ctx: &Context, d: &mut Discovery) -> Vec<ServiceDiscoveryTarget> {
    let unreadable = |what: &str, e: Error| {
        format!(
            "could not read {what} ({}); pass --url if the endpoint is a service-discovery name",
            e.message
        )
    };
    let zones = match route53::zones_of_vpc(ctx.route53(), &d.vpc.id, &d.region).await {
        Ok(zones) => zones,
        Err(e) => {
            d.warnings
                .push(unreadable("the VPC's private hosted zones", e));
            return Vec::new();
        }
    };
    let zone_ids: Vec<String> = zones.iter().map(|z| z.id.clone()).collect();
    let mut out = Vec::new();
    let mut namespace_zones = Vec::new();
    // The namespaces' zones hold Cloud Map's own records for the services listed here.
    match service_discovery::services_of_vpc(ctx.service_discovery(), &zone_ids).await {
        Ok((namespaces, services)) => {
            namespace_zones.extend(namespaces.into_iter().map(|n| n.hosted_zone_id));
            out.extend(services.iter().map(service_targets::from_cloud_map));
        }
        Err(e) => d.warnings.push(unreadable("Cloud Map namespaces", e)),
    }
    let candidates: Vec<_> = zones
        .iter()
        .filter(|z| service_targets::zone_is_candidate(z, &namespace_zones))
        .collect();
    let records = futures::future::join_all(
        candidates
            .iter()
            .map(|z| route53::records_of_zone(ctx.route53(), &z.id)),
    )
    .await;
    for (zone, records) in candidates.into_iter().zip(records) {
        match records {
            Ok(records) => {
                let (targets, left_out) = service_targets::from_zone(zone, &records);
                out.extend(targets);
                if left_out > 0 {
                    d.warnings.push(format!(
                        "private zone {}: {left_out} more names without an SRV record are not listed (the first {PORTLESS_PER_ZONE} are)",
                        zone.name
                    ));
                }
            }
            Err(e) => d
                .warnings
                .push(unreadable(&format!("private zone {}", zone.name), e)),
        }
    }
    out
}
