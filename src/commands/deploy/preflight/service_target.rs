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
    if t.kind == CLOUD_MAP && !names_a_port(&net.s.url) && !t.ports.contains(&port) {
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

/// The raw `--url` writes a port (`Url` drops one equal to the scheme's default, so
/// `http://host:80/` and `http://host/` parse alike; only the first is the operator's word).
fn names_a_port(raw: &str) -> bool {
    let authority = raw
        .split_once("://")
        .map_or(raw, |(_, rest)| rest)
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    host_port
        .rsplit_once(':')
        .is_some_and(|(host, port)| !host.ends_with('[') && !port.contains(']') && !port.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::security_groups::{Rule, SecurityGroupView};

    fn tasks_group(id: &str, admits: Option<(&str, i32)>) -> SecurityGroupView {
        SecurityGroupView {
            id: id.into(),
            group_name: id.into(),
            ingress: admits
                .map(|(group, port)| Rule {
                    protocol: "tcp".into(),
                    from_port: Some(port),
                    to_port: Some(port),
                    groups: vec![group.into()],
                    ..Default::default()
                })
                .into_iter()
                .collect(),
            ..Default::default()
        }
    }

    fn orders(ports: &[u16], groups: &[&str]) -> ServiceTarget {
        ServiceTarget {
            kind: CLOUD_MAP,
            name: "orders.corp.internal".into(),
            ports: ports.to_vec(),
            instances: vec![InstanceAt {
                ip: "10.0.1.40".into(),
                groups: groups.iter().map(|g| g.to_string()).collect(),
            }],
        }
    }

    fn run(
        url: &str,
        t: &ServiceTarget,
        extra: Vec<SecurityGroupView>,
        skip: &[String],
    ) -> Result<()> {
        let mut c = super::super::tests::case();
        c.s.url = url.into();
        c.v.security_groups.extend(extra);
        let net = RelayNet::new(&c.s, &c.v);
        let skips = Skips::new(skip);
        check(&net, &Url::parse(url).unwrap(), Some(t), &skips)
    }

    #[test]
    fn an_instance_whose_group_does_not_admit_the_relay_is_refused_naming_the_rule() {
        let t = orders(&[8080], &["sg-tasks"]);
        let e = run(
            "http://orders.corp.internal:8080/",
            &t,
            vec![tasks_group("sg-tasks", None)],
            &[],
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "the security groups do not let sg-relay reach Cloud Map service `orders.corp.internal` on port 8080: instance 10.0.1.40 (sg-tasks)"
        );
        assert!(e
            .hint
            .unwrap()
            .starts_with("add an inbound rule to sg-tasks for TCP 8080 from sg-relay"));
        // Admitted: passes; skipped: passes too.
        let open = vec![tasks_group("sg-tasks", Some(("sg-relay", 8080)))];
        assert!(run("http://orders.corp.internal:8080/", &t, open, &[]).is_ok());
        let skip = vec!["service-reach".to_string()];
        let closed = vec![tasks_group("sg-tasks", None)];
        assert!(run("http://orders.corp.internal:8080/", &t, closed, &skip).is_ok());
    }

    #[test]
    fn a_cloud_map_url_without_a_port_must_name_one_the_instances_register() {
        let open = || vec![tasks_group("sg-tasks", Some(("sg-relay", 8080)))];
        let e = run(
            "http://orders.corp.internal/",
            &orders(&[8080], &["sg-tasks"]),
            open(),
            &[],
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "--url `http://orders.corp.internal/` names Cloud Map service `orders.corp.internal`, which registers port 8080, not 80: the relay would post to port 80"
        );
        assert_eq!(
            e.hint.unwrap(),
            "pass --url with the service's port, e.g. http://orders.corp.internal:8080/"
        );
        let e = run(
            "http://orders.corp.internal/",
            &orders(&[], &["sg-tasks"]),
            open(),
            &[],
        )
        .unwrap_err();
        assert!(
            e.message
                .contains("which has no SRV record and no instance port"),
            "{}",
            e.message
        );
        // An explicit port is the operator's word.
        assert!(run(
            "http://orders.corp.internal:80/",
            &orders(&[], &[]),
            open(),
            &[]
        )
        .is_ok());
    }

    #[test]
    fn a_written_port_is_told_apart_from_the_default() {
        assert!(names_a_port("http://orders.corp.internal:80/"));
        assert!(names_a_port("http://orders.corp.internal:8080"));
        assert!(!names_a_port("http://orders.corp.internal/a:b"));
        assert!(!names_a_port("http://[fd00::1]/"));
        assert!(names_a_port("http://[fd00::1]:8080/"));
    }

    #[test]
    fn an_address_no_interface_holds_is_not_judged() {
        let t = orders(&[8080], &[]);
        assert!(run("http://orders.corp.internal:8080/", &t, vec![], &[]).is_ok());
    }
}
