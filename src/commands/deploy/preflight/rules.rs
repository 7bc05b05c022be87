//! Preflight's rules: each a small pure function over what was read, failing with one line
//! that names the value and says what to do.

use std::net::IpAddr;

use url::Url;

use super::super::params::Settings;
use super::skips::Skips;
use super::{EndpointPlan, EventsEndpoint};
use crate::aws::ec2::VpcFacts;
use crate::endpoints::{one_subnet_per_az, Endpoint, EndpointGroup, NewEndpoint, EVENTS};
use crate::error::{Error, Result};
use crate::network::egress::eventbridge_reach;
use crate::network::security_groups::{
    can_reach, covers_tcp_port, sg_allows, unread_prefix_lists, Peer, SecurityGroupView,
};
use crate::network::subnets::{classify_subnets, SubnetView};
use crate::network::VpcView;

/// The URL parses, with http or https and a host.
pub fn check_url(raw: &str) -> Result<Url> {
    let hint =
        "pass the endpoint's full URL, e.g. http://internal-app-123.us-east-1.elb.amazonaws.com/";
    let url = Url::parse(raw)
        .map_err(|e| Error::failed(format!("--url `{raw}` is not a URL: {e}")).hint(hint))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::failed(format!("--url `{raw}` is not http:// or https://")).hint(hint));
    }
    if url.host_str().map_or(true, str::is_empty) {
        return Err(Error::failed(format!("--url `{raw}` has no host")).hint(hint));
    }
    Ok(url)
}

/// Every subnet and group found, all in one VPC: its id.
pub fn one_vpc(
    s: &Settings,
    subnets: &[(String, String)],
    groups: &[(String, String)],
    region: &str,
) -> Result<String> {
    if let Some(missing) = s
        .subnets
        .iter()
        .find(|id| !subnets.iter().any(|(found, _)| found == *id))
    {
        return Err(
            Error::failed(format!("subnet `{missing}` not found in {region}")).hint(
                "check the id and --region; `evrelay discover` lists the VPC's private subnets",
            ),
        );
    }
    let vpc = subnets
        .first()
        .map(|(_, vpc)| vpc.clone())
        .unwrap_or_default();
    if let Some((id, other)) = subnets.iter().find(|(_, v)| *v != vpc) {
        return Err(Error::failed(format!("subnet `{id}` is in {other}, the other subnets in {vpc}: the relay's subnets share one VPC"))
            .hint("pass subnets of one VPC (the one with the endpoint the relay calls)"));
    }
    if let Some(missing) = s
        .security_groups
        .iter()
        .find(|id| !groups.iter().any(|(found, _)| found == *id))
    {
        return Err(
            Error::failed(format!("security group `{missing}` not found in {region}"))
                .hint("check the id and --region; `evrelay discover` suggests one"),
        );
    }
    if let Some((id, other)) = groups.iter().find(|(_, v)| *v != vpc) {
        return Err(Error::failed(format!(
            "security group `{id}` belongs to {other}, not to the subnets' VPC {vpc}"
        ))
        .hint(format!(
            "pass a security group of {vpc}; `evrelay discover --vpc-id {vpc}` suggests one"
        )));
    }
    Ok(vpc)
}

/// Private DNS needs both VPC attributes (CreateVpcEndpoint, PrivateDnsEnabled).
pub fn vpc_dns(facts: &VpcFacts) -> Result<()> {
    let off: Vec<&str> = [
        ("enableDnsSupport", facts.dns_support),
        ("enableDnsHostnames", facts.dns_hostnames),
    ]
    .iter()
    .filter(|(_, on)| !on)
    .map(|(name, _)| *name)
    .collect();
    if off.is_empty() {
        return Ok(());
    }
    Err(Error::failed(format!(
        "VPC {} has {} off: the relay's private-DNS interface endpoints need enableDnsSupport and enableDnsHostnames",
        facts.id,
        off.join(" and ")
    ))
    .hint(format!(
        "turn them on (`aws ec2 modify-vpc-attribute --vpc-id {} --enable-dns-hostnames`, and likewise --enable-dns-support), then deploy again",
        facts.id
    )))
}

/// The relay's side of the network: its subnets (classified), groups, and as a peer.
pub struct RelayNet<'a> {
    pub s: &'a Settings,
    pub view: &'a VpcView,
    pub classified: Vec<SubnetView>,
    pub relay: Peer,
    /// The zones each endpoint service is offered in (empty: not known, all assumed).
    pub zones: &'a [crate::aws::ec2::ServiceZones],
    /// Private hosted zones associated with the VPC (centralised endpoints).
    pub hosted_zones: &'a [crate::aws::route53::HostedZone],
}

impl<'a> RelayNet<'a> {
    pub fn new(s: &'a Settings, view: &'a VpcView) -> Self {
        let classified = classify_subnets(&view.subnets, &view.route_tables);
        let relay = Peer {
            groups: s.security_groups.clone(),
            cidrs: classified
                .iter()
                .filter(|v| s.subnets.contains(&v.id))
                .map(|v| v.cidr.clone())
                .collect(),
            ..Default::default()
        };
        Self {
            s,
            view,
            classified,
            relay,
            zones: &[],
            hosted_zones: &[],
        }
    }

    pub fn with_hosted_zones(mut self, zones: &'a [crate::aws::route53::HostedZone]) -> Self {
        self.hosted_zones = zones;
        self
    }

    fn centralised(&self, service: &str) -> Option<&crate::aws::route53::HostedZone> {
        super::centralised::zone_for(self.hosted_zones, &self.view.region, service)
    }

    pub fn with_zones(mut self, zones: &'a [crate::aws::ec2::ServiceZones]) -> Self {
        self.zones = zones;
        self
    }

    pub fn subnets(&self) -> Vec<&SubnetView> {
        self.classified
            .iter()
            .filter(|v| self.s.subnets.contains(&v.id))
            .collect()
    }

    pub fn groups_of(&self, ids: &[String]) -> Vec<&'a SecurityGroupView> {
        self.view
            .security_groups
            .iter()
            .filter(|g| ids.contains(&g.id))
            .collect()
    }

    pub fn relay_groups(&self) -> Vec<&'a SecurityGroupView> {
        self.groups_of(&self.s.security_groups)
    }

    pub fn cidrs_of(&self, ids: &[String]) -> Vec<String> {
        self.classified
            .iter()
            .filter(|v| ids.contains(&v.id))
            .map(|v| v.cidr.clone())
            .collect()
    }

    pub fn sgs(&self) -> String {
        self.s.security_groups.join(", ")
    }

    fn first_sg(&self) -> &str {
        self.s
            .security_groups
            .first()
            .map(String::as_str)
            .unwrap_or("the relay's group")
    }

    /// Subnets private and in two AZs at least.
    pub fn private_in_two_zones(&self) -> Result<()> {
        let subnets = self.subnets();
        if let Some(public) = subnets.iter().find(|v| !v.private) {
            return Err(Error::failed(format!(
                "subnet `{}` is public: its route table sends 0.0.0.0/0 to {}",
                public.id,
                public.default_route.as_deref().unwrap_or("an internet gateway")
            ))
            .hint("a VPC Lambda never gets a public IP: use private subnets (`evrelay discover` lists them)"));
        }
        let mut azs: Vec<&str> = subnets.iter().map(|v| v.az.as_str()).collect();
        azs.sort_unstable();
        azs.dedup();
        if azs.len() < 2 {
            return Err(Error::failed(format!(
                "the relay's subnets are all in {}: it needs two Availability Zones at least",
                azs.first().unwrap_or(&"one zone")
            ))
            .hint("add a private --subnet from another AZ (`evrelay discover` lists them)"));
        }
        Ok(())
    }

    /// The relay's groups let it out on TCP `port` to `to` (an address range).
    fn egress_allows(&self, to: &[String], port: u16) -> bool {
        let peer = Peer {
            cidrs: to.to_vec(),
            ..Default::default()
        };
        self.egress_allows_peer(&peer, port)
    }

    fn egress_allows_peer(&self, peer: &Peer, port: u16) -> bool {
        self.relay_groups()
            .iter()
            .any(|g| sg_allows(peer, &g.egress, port))
    }

    /// " (prefix list pl-1 could not be read …)" when the groups name lists evrelay could not
    /// read: the refusal may then be wrong, and says so.
    pub fn unread_note(groups: &[&SecurityGroupView]) -> String {
        let rules: Vec<_> = groups
            .iter()
            .flat_map(|g| g.egress.iter().chain(g.ingress.iter()).cloned())
            .collect();
        let unread = unread_prefix_lists(&rules);
        match unread.len() {
            0 => String::new(),
            1 => format!(
                " (prefix list {} could not be read, so its entries were not counted)",
                unread[0]
            ),
            _ => format!(
                " (prefix lists {} could not be read, so their entries were not counted)",
                unread.join(", ")
            ),
        }
    }

    /// The relay's groups let it out to the target's port: to the address when the URL names
    /// one (by range, or by a reference to a group the address's interface is in:
    /// `target_groups`), to somewhere at all otherwise (a name may resolve anywhere). A load
    /// balancer of the VPC is checked end to end by [`check_load_balancer`].
    pub fn egress_to_target(&self, url: &Url, target_groups: &[String]) -> Result<()> {
        let port = url.port_or_known_default().unwrap_or(80);
        let host = url.host_str().unwrap_or_default();
        let ip = host.trim_matches(['[', ']']).parse::<IpAddr>().ok();
        let allowed = match ip {
            Some(IpAddr::V4(v4)) => self.egress_allows_peer(
                &Peer {
                    groups: target_groups.to_vec(),
                    cidrs: vec![format!("{v4}/32")],
                    ..Default::default()
                },
                port,
            ),
            Some(IpAddr::V6(v6)) => self.egress_allows_peer(
                &Peer {
                    groups: target_groups.to_vec(),
                    ipv6_cidrs: vec![format!("{v6}/128")],
                    ..Default::default()
                },
                port,
            ),
            None => self
                .relay_groups()
                .iter()
                .any(|g| g.egress.iter().any(|r| covers_tcp_port(r, port))),
        };
        if allowed {
            return Ok(());
        }
        Err(Error::failed(format!(
            "the relay's security groups {} allow no outbound TCP {port}{}: the relay could not reach {host}{}",
            self.sgs(),
            ip.map(|ip| format!(" to {ip}")).unwrap_or_default(),
            Self::unread_note(&self.relay_groups())
        ))
        .hint(format!(
            "add an outbound rule to {} for TCP {port} to the target's address range",
            self.first_sg()
        )))
    }

    /// Reuse the endpoint that serves the service (its groups must admit the relay on 443),
    /// else create one with its own group, which the relay must be let out to on 443.
    pub fn plan_endpoint(
        &self,
        service: &str,
        facts: &VpcFacts,
        stack: &str,
        skips: &Skips,
    ) -> Result<(EndpointPlan, String)> {
        let name = self.view.service_name(service);
        let mut existing: Vec<&Endpoint> = self
            .view
            .endpoints
            .iter()
            .filter(|e| e.service == name && e.usable())
            .collect();
        existing.sort_by_key(|e| (e.state != "available", e.id.clone()));
        if let Some(e) = existing.first() {
            return self.reuse(service, e, skips);
        }
        if let Some(zone) = self.centralised(service) {
            return Ok(super::centralised::plan(zone));
        }
        let relay_subnets: Vec<String> = self.subnets().iter().map(|v| v.id.clone()).collect();
        let (offered, zone_note) = super::zones::supported_subnets(
            service,
            &relay_subnets,
            &self.view.subnets,
            self.zones.iter().find(|z| z.service == name),
        )?;
        let subnets_by_az: Vec<(String, String)> = self
            .subnets()
            .iter()
            .filter(|v| offered.contains(&v.id))
            .map(|v| (v.id.clone(), v.az.clone()))
            .collect();
        let subnets = one_subnet_per_az(&subnets_by_az);
        let to = self.cidrs_of(&subnets);
        if !self.egress_allows(&to, 443) {
            skips.check("endpoint-reach", Err(Error::failed(format!(
                "the relay's security groups {} allow no outbound TCP 443 to {}: it could not call the {service} endpoint evrelay would create there{}",
                self.sgs(),
                to.join(", "),
                Self::unread_note(&self.relay_groups())
            ))
            .hint(format!(
                "add an outbound rule to {} for TCP 443 to the VPC's CIDR",
                self.first_sg()
            ))))?;
        }
        Ok((
            EndpointPlan::Create(NewEndpoint {
                vpc_id: facts.id.clone(),
                service_name: name,
                subnets,
                group: EndpointGroup::new(stack, service, &facts.ipv4_cidrs, &facts.ipv6_cidrs),
                stack: stack.to_string(),
            }),
            match zone_note {
                Some(note) => format!("none in the VPC: evrelay creates it with its own security group (TCP 443 from the VPC's CIDRs); with private DNS it serves the whole VPC; {note}"),
                None => "none in the VPC: evrelay creates it with its own security group (TCP 443 from the VPC's CIDRs); with private DNS it serves the whole VPC".into(),
            },
        ))
    }

    fn reuse(&self, service: &str, e: &Endpoint, skips: &Skips) -> Result<(EndpointPlan, String)> {
        let to = Peer {
            groups: e.security_groups.clone(),
            cidrs: self.cidrs_of(&e.subnets),
            ..Default::default()
        };
        if !can_reach(
            &self.relay,
            &self.relay_groups(),
            &to,
            &self.groups_of(&e.security_groups),
            443,
        ) {
            let mut groups = self.relay_groups();
            groups.extend(self.groups_of(&e.security_groups));
            skips.check(
                "endpoint-reach",
                Err(Error::failed(format!(
                    "the {service} endpoint {} does not admit TCP 443 from {} (its groups: {}){}",
                    e.id,
                    self.sgs(),
                    e.security_groups.join(", "),
                    Self::unread_note(&groups)
                ))
                .hint(format!(
                    "add an inbound rule for TCP 443 from {} to {}, and check {}'s outbound rules",
                    self.sgs(),
                    e.security_groups
                        .first()
                        .map(String::as_str)
                        .unwrap_or("the endpoint's group"),
                    self.sgs()
                ))),
            )?;
        }
        Ok((
            EndpointPlan::Reuse(e.id.clone()),
            "existing interface endpoint with private DNS (it serves the whole VPC)".into(),
        ))
    }

    /// EventBridge: an endpoint, or the subnets' own path when it is a public NAT (or the
    /// operator vouches for an unverified route with `--events-endpoint skip`).
    pub fn plan_events(
        &self,
        facts: &VpcFacts,
        stack: &str,
        choice: Option<EventsEndpoint>,
        skips: &Skips,
    ) -> Result<Option<(EndpointPlan, String)>> {
        let name = self.view.service_name(EVENTS);
        let events: Vec<Endpoint> = self
            .view
            .endpoints
            .iter()
            .filter(|e| e.service == name)
            .cloned()
            .collect();
        // The zone decides the name's address for every workload in the VPC, NAT or not; only
        // the operator's `skip` (a route they vouch for) goes around it.
        if events.is_empty()
            && choice != Some(EventsEndpoint::Skip)
            && self.centralised(EVENTS).is_some()
        {
            return self.plan_endpoint(EVENTS, facts, stack, skips).map(Some);
        }
        let reach = eventbridge_reach(&self.subnets(), &self.view.nat_gateways, &events);
        let own_path = match (reach.via.as_deref(), choice) {
            (Some("endpoint"), _) | (_, Some(EventsEndpoint::Create)) => false,
            (Some("nat"), _) => true,
            (Some("unverified"), Some(EventsEndpoint::Skip)) => true,
            (Some("unverified"), None) => {
                return Err(Error::usage(format!("{} (the relay's response event)", reach.reason))
                    .hint("pass --events-endpoint create (evrelay creates an `events` interface endpoint) or --events-endpoint skip (that route reaches the internet)"));
            }
            (_, Some(EventsEndpoint::Skip)) => {
                return Err(Error::usage(format!(
                    "--events-endpoint skip, but {}",
                    reach.reason
                ))
                .hint("drop --events-endpoint skip (evrelay creates the endpoint) or give the subnets a public NAT route"));
            }
            (_, None) => false,
        };
        if !own_path {
            return self.plan_endpoint(EVENTS, facts, stack, skips).map(Some);
        }
        if !self.egress_allows(&["0.0.0.0/0".to_string()], 443) {
            skips.check("eventbridge-egress", Err(Error::failed(format!(
                "the relay's security groups {} allow no outbound TCP 443 to 0.0.0.0/0: its response event could not reach EventBridge through the NAT route (send --return-response would time out){}",
                self.sgs(),
                Self::unread_note(&self.relay_groups())
            ))
            .hint(format!(
                "add an outbound rule to {} for TCP 443 to 0.0.0.0/0, or pass --events-endpoint create",
                self.first_sg()
            ))))?;
        }
        Ok(None)
    }
}
