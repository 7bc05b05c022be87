//! Service-discovery targets: the Cloud Map services and private-zone names of a VPC as URL
//! candidates beside its ALBs (a Copilot backend service or an ECS service with service
//! discovery has no load balancer). The port comes from the SRV record — Cloud Map fills it
//! from each instance's `AWS_INSTANCE_PORT` — or, without SRV, from that attribute alone; a
//! name with no port is listed and never picked: the relay would guess 80. Pure.

use serde::Serialize;

use crate::aws::route53::{HostedZone, ZoneRecord};
use crate::aws::service_discovery::CloudMapService;

pub const CLOUD_MAP: &str = "cloud_map";
pub const PRIVATE_ZONE: &str = "private_zone";

/// Port-less A records listed per zone at most: a zone of EC2 host names would drown the table.
pub const PORTLESS_PER_ZONE: usize = 20;

/// One candidate. Stable JSON (`service_discovery_targets[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceDiscoveryTarget {
    /// `cloud_map` or `private_zone`.
    pub source: &'static str,
    /// The Cloud Map namespace, or the private hosted zone's name.
    pub namespace: String,
    /// The Cloud Map service, or the record's name.
    pub service: String,
    /// None when no port is known.
    pub port: Option<u16>,
    pub url: Option<String>,
    /// The IPv4 addresses it resolves to (instances' `AWS_INSTANCE_IPV4`, or A records).
    pub addresses: Vec<String>,
    /// discover's URL pick (only when no internal ALB was picked).
    pub picked: bool,
    /// Where the port came from, or why it is not a candidate.
    pub note: String,
}

/// The relay's URL for a host and port (the scheme follows the port: 443 is HTTPS).
pub fn url_for(host: &str, port: u16) -> String {
    match port {
        80 => format!("http://{host}/"),
        443 => format!("https://{host}/"),
        p => format!("http://{host}:{p}/"),
    }
}

/// One Cloud Map service as a candidate.
pub fn from_cloud_map(s: &CloudMapService) -> ServiceDiscoveryTarget {
    let mut ports: Vec<u16> = s.instances.iter().filter_map(|i| i.port).collect();
    ports.sort_unstable();
    ports.dedup();
    let n = s.instances.len();
    let instances = match n {
        1 => "1 instance".to_string(),
        n => format!("{n} instances"),
    };
    let (port, note) = match (ports.first(), s.has_srv()) {
        (None, true) if n == 0 => (
            None,
            "SRV record but no instance registered: pass --url with the port".to_string(),
        ),
        (None, _) => (
            None,
            "no SRV record and no instance port: pass --url with the port".to_string(),
        ),
        (Some(&p), srv) => {
            let from = if srv {
                "port from the SRV record"
            } else {
                "port from AWS_INSTANCE_PORT (no SRV record)"
            };
            let others = if ports.len() > 1 {
                let rest: Vec<String> = ports[1..].iter().map(u16::to_string).collect();
                format!("; instances also use {}", rest.join(", "))
            } else {
                String::new()
            };
            (Some(p), format!("{from}, {instances}{others}"))
        }
    };
    let host = s.host();
    ServiceDiscoveryTarget {
        source: CLOUD_MAP,
        namespace: s.namespace.clone(),
        service: s.name.clone(),
        url: port.map(|p| url_for(&host, p)),
        port,
        addresses: s.instances.iter().filter_map(|i| i.ipv4.clone()).collect(),
        picked: false,
        note,
    }
}

/// A zone's records as candidates: each SRV target with its port, then the A records no SRV
/// names (no port; at most [`PORTLESS_PER_ZONE`]). The second value counts those left out.
pub fn from_zone(
    zone: &HostedZone,
    records: &[ZoneRecord],
) -> (Vec<ServiceDiscoveryTarget>, usize) {
    let addresses = |host: &str| -> Vec<String> {
        records
            .iter()
            .filter(|r| r.kind == "A" && r.name == host)
            .flat_map(|r| r.values.clone())
            .collect()
    };
    let mut out: Vec<ServiceDiscoveryTarget> = Vec::new();
    for r in records.iter().filter(|r| r.kind == "SRV") {
        for v in &r.values {
            let Some((port, target)) = srv_port_and_target(v) else {
                continue;
            };
            if out
                .iter()
                .any(|t| t.service == target && t.port == Some(port))
            {
                continue;
            }
            out.push(ServiceDiscoveryTarget {
                source: PRIVATE_ZONE,
                namespace: zone.name.clone(),
                url: Some(url_for(&target, port)),
                port: Some(port),
                addresses: addresses(&target),
                service: target,
                picked: false,
                note: format!("port from the SRV record {}", r.name),
            });
        }
    }
    let mut portless: Vec<&ZoneRecord> = records
        .iter()
        .filter(|r| r.kind == "A" && !out.iter().any(|t| t.service == r.name))
        .collect();
    portless.dedup_by(|a, b| a.name == b.name);
    let left_out = portless.len().saturating_sub(PORTLESS_PER_ZONE);
    out.extend(
        portless
            .into_iter()
            .take(PORTLESS_PER_ZONE)
            .map(|r| ServiceDiscoveryTarget {
                source: PRIVATE_ZONE,
                namespace: zone.name.clone(),
                service: r.name.clone(),
                port: None,
                url: None,
                addresses: r.values.clone(),
                picked: false,
                note: "no SRV record names it: pass --url with the port".into(),
            }),
    );
    (out, left_out)
}

/// `priority weight port target` → (port, target without its dot).
fn srv_port_and_target(value: &str) -> Option<(u16, String)> {
    let parts: Vec<&str> = value.split_whitespace().collect();
    let [_, _, port, target] = parts.as_slice() else {
        return None;
    };
    let target = target.trim_end_matches('.').to_ascii_lowercase();
    (!target.is_empty()).then_some((port.parse().ok()?, target))
}

/// The zones whose records are candidates: not a Cloud Map namespace's (its services are
/// listed from Cloud Map), not one an AWS service owns (an interface endpoint's: no records
/// of ours, and not readable), not one serving an AWS API from a shared VPC.
pub fn zone_is_candidate(zone: &HostedZone, namespace_zones: &[String]) -> bool {
    zone.owner_service.is_empty()
        && !namespace_zones.contains(&zone.id)
        && !zone.name.ends_with("amazonaws.com")
}

/// The URL pick among candidates with a port: the first, Cloud Map before private zones.
pub fn pick(targets: &mut [ServiceDiscoveryTarget]) -> Option<&ServiceDiscoveryTarget> {
    let i = targets.iter().position(|t| t.url.is_some())?;
    targets[i].picked = true;
    Some(&targets[i])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::service_discovery::Instance;

    fn service(name: &str, records: &[&str], ports: &[Option<u16>]) -> CloudMapService {
        CloudMapService {
            id: format!("srv-{name}"),
            name: name.into(),
            namespace: "corp.internal".into(),
            record_types: records.iter().map(|r| r.to_string()).collect(),
            instances: ports
                .iter()
                .enumerate()
                .map(|(i, port)| Instance {
                    id: format!("i-{i}"),
                    ipv4: Some(format!("10.0.1.{}", 10 + i)),
                    port: *port,
                })
                .collect(),
        }
    }

    #[test]
    fn an_srv_service_takes_its_instances_port() {
        let t = from_cloud_map(&service("orders", &["SRV", "A"], &[Some(8080), Some(8080)]));
        assert_eq!(t.url.as_deref(), Some("http://orders.corp.internal:8080/"));
        assert_eq!(t.port, Some(8080));
        assert_eq!(t.note, "port from the SRV record, 2 instances");
        assert_eq!(t.addresses, vec!["10.0.1.10", "10.0.1.11"]);
    }

    #[test]
    fn a_service_with_no_port_is_listed_with_the_reason_and_never_picked() {
        let mut ts = vec![from_cloud_map(&service("legacy", &["A"], &[None]))];
        assert_eq!(ts[0].url, None);
        assert_eq!(
            ts[0].note,
            "no SRV record and no instance port: pass --url with the port"
        );
        assert!(pick(&mut ts).is_none());
        assert!(!ts[0].picked);
        let empty = from_cloud_map(&service("new", &["SRV"], &[]));
        assert_eq!(
            empty.note,
            "SRV record but no instance registered: pass --url with the port"
        );
    }

    #[test]
    fn an_a_only_service_with_an_instance_port_says_where_the_port_came_from() {
        let t = from_cloud_map(&service("api", &["A"], &[Some(443), Some(8443)]));
        assert_eq!(t.url.as_deref(), Some("https://api.corp.internal/"));
        assert_eq!(
            t.note,
            "port from AWS_INSTANCE_PORT (no SRV record), 2 instances; instances also use 8443"
        );
    }

    #[test]
    fn zone_records_srv_targets_with_ports_then_portless_names() {
        let zone = HostedZone {
            id: "Z1".into(),
            name: "apps.internal".into(),
            ..Default::default()
        };
        let rec = |name: &str, kind: &str, v: &str| ZoneRecord {
            name: name.into(),
            kind: kind.into(),
            values: vec![v.into()],
        };
        let records = vec![
            rec(
                "_http._tcp.billing.apps.internal",
                "SRV",
                "1 10 9000 billing.apps.internal.",
            ),
            rec("billing.apps.internal", "A", "10.0.2.5"),
            rec("db.apps.internal", "A", "10.0.3.7"),
        ];
        let (ts, left_out) = from_zone(&zone, &records);
        assert_eq!(left_out, 0);
        assert_eq!(ts.len(), 2);
        assert_eq!(
            ts[0].url.as_deref(),
            Some("http://billing.apps.internal:9000/")
        );
        assert_eq!(ts[0].addresses, vec!["10.0.2.5"]);
        assert_eq!(ts[1].service, "db.apps.internal");
        assert_eq!(ts[1].port, None);
        assert_eq!(
            ts[1].note,
            "no SRV record names it: pass --url with the port"
        );
    }

    #[test]
    fn namespace_service_owned_and_aws_api_zones_are_not_read_as_candidates() {
        let z = |id: &str, name: &str, svc: &str| HostedZone {
            id: id.into(),
            name: name.into(),
            owner_service: svc.into(),
            ..Default::default()
        };
        let ns = vec!["Z-NS".to_string()];
        assert!(zone_is_candidate(&z("Z1", "apps.internal", ""), &ns));
        assert!(!zone_is_candidate(&z("Z-NS", "corp.internal", ""), &ns));
        assert!(!zone_is_candidate(
            &z("Z2", "x.internal", "vpce.amazonaws.com"),
            &ns
        ));
        assert!(!zone_is_candidate(
            &z("Z3", "secretsmanager.us-east-1.amazonaws.com", ""),
            &ns
        ));
    }
}
