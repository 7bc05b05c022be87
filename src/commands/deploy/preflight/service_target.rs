//! The target rule when the URL names a Cloud Map service (`<service>.<namespace>` of a private
//! namespace of the VPC) or a name in one of the VPC's private hosted zones: the port is one the
//! service's instances register, and the groups let the relay reach every instance (its network
//! interface, found by private IP) on it — the load balancer rule, for a target without one.

use url::Url;

use super::rules::RelayNet;
use super::skips::Skips;
use super::Clients;
use crate::aws::route53::HostedZone;
use crate::error::{Error, Result};
use crate::network::security_groups::{can_reach, Peer};
use crate::network::service_targets::url_for;

/// What the URL's host resolves to in the VPC's service discovery.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceTarget {
    /// `Cloud Map service` or `private zone name`.
    pub kind: &'static str,
    pub name: String,
    /// The ports its instances register (`AWS_INSTANCE_PORT`), Cloud Map only.
    pub ports: Vec<u16>,
    pub instances: Vec<InstanceAt>,
}

/// One address the name resolves to, and the groups of the interface holding it (none when no
/// interface in the region holds it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InstanceAt {
    pub ip: String,
    pub groups: Vec<String>,
}

const CLOUD_MAP: &str = "Cloud Map service";

/// Reads: None unless the URL's host lies in a private zone associated with the VPC.
pub async fn fetch(
    clients: Clients<'_>,
    url: &Url,
    zones: &[HostedZone],
) -> Result<Option<ServiceTarget>> {
    let host = url
        .host_str()
        .unwrap_or_default()
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let mut under: Vec<&HostedZone> = zones
        .iter()
        .filter(|z| z.owner_service.is_empty() && host.ends_with(&format!(".{}", z.name)))
        .collect();
    if under.is_empty() {
        return Ok(None);
    }
    // The most specific zone answers the name.
    under.sort_by_key(|z| std::cmp::Reverse(z.name.len()));
    let ids: Vec<String> = zones.iter().map(|z| z.id.clone()).collect();
    let (kind, ports, ips) = match crate::aws::service_discovery::service_for_host(
        clients.service_discovery,
        &ids,
        &host,
    )
    .await?
    {
        Some(s) => {
            let mut ports: Vec<u16> = s.instances.iter().filter_map(|i| i.port).collect();
            ports.sort_unstable();
            ports.dedup();
            let ips = s.instances.iter().filter_map(|i| i.ipv4.clone()).collect();
            (CLOUD_MAP, ports, ips)
        }
        None => {
            let ips =
                crate::aws::route53::addresses_of(clients.route53, &under[0].id, &host).await?;
            if ips.is_empty() {
                return Ok(None);
            }
            ("private zone name", Vec::new(), ips)
        }
    };
    let groups = futures::future::try_join_all(
        ips.iter()
            .map(|ip: &String| crate::aws::ec2::groups_at_address(clients.ec2, ip)),
    )
    .await?;
    Ok(Some(ServiceTarget {
        kind,
        name: host,
        ports,
        instances: ips
            .into_iter()
            .zip(groups)
            .map(|(ip, groups)| InstanceAt { ip, groups })
            .collect(),
    }))
}

/// Pure. A Cloud Map URL without a port must name the service's port (the relay would post to
/// 80); every instance whose interface is known must admit the relay on the URL's port.
pub fn check(
    net: &RelayNet,
    url: &Url,
    target: Option<&ServiceTarget>,
    skips: &Skips,
) -> Result<()> {
    let Some(t) = target else {
        return Ok(());
    };
    let port = url.port_or_known_default().unwrap_or(80);
    if t.kind == CLOUD_MAP && url.port().is_none() && !t.ports.contains(&port) {
        let (why, example) = match t.ports.first() {
            None => (
                "has no SRV record and no instance port".to_string(),
                format!("http://{}:<PORT>/", t.name),
            ),
            Some(&p) => (
                format!(
                    "registers port {}, not {port}",
                    t.ports
                        .iter()
                        .map(u16::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                url_for(&t.name, p),
            ),
        };
        return Err(Error::failed(format!(
            "--url `{url}` names {} `{}`, which {why}: the relay would post to port {port}",
            t.kind, t.name
        ))
        .hint(format!(
            "pass --url with the service's port, e.g. {example}"
        )));
    }
    let unreachable: Vec<&InstanceAt> = t
        .instances
        .iter()
        .filter(|i| !i.groups.is_empty())
        .filter(|i| {
            let to = Peer {
                groups: i.groups.clone(),
                cidrs: vec![format!("{}/32", i.ip)],
                ..Default::default()
            };
            !can_reach(
                &net.relay,
                &net.relay_groups(),
                &to,
                &net.groups_of(&i.groups),
                port,
            )
        })
        .collect();
    if unreachable.is_empty() {
        return Ok(());
    }
    let mut target_groups: Vec<String> = unreachable
        .iter()
        .flat_map(|i| i.groups.iter().cloned())
        .collect();
    target_groups.sort();
    target_groups.dedup();
    let mut groups = net.relay_groups();
    groups.extend(net.groups_of(&target_groups));
    let at: Vec<String> = unreachable
        .iter()
        .map(|i| format!("{} ({})", i.ip, i.groups.join(", ")))
        .collect();
    skips.check(
        "service-reach",
        Err(Error::failed(format!(
            "the security groups do not let {} reach {} `{}` on port {port}: instance {}{}",
            net.sgs(),
            t.kind,
            t.name,
            at.join(", "),
            RelayNet::unread_note(&groups)
        ))
        .hint(format!(
            "add an inbound rule to {} for TCP {port} from {} (the relay would time out otherwise)",
            target_groups.join(", "),
            net.sgs()
        ))),
    )
}
