//! The target rule when the URL names a load balancer of the VPC.

use url::Url;

use super::rules::RelayNet;
use super::skips::Skips;
use crate::error::{Error, Result};
use crate::network::security_groups::{can_reach, Peer};

/// When the URL's host is a load balancer of the VPC: internal, with a listener on the URL's
/// port, and the groups let the relay reach it. Another host (a private DNS name, an IP) is
/// not checked here.
pub fn check_load_balancer(net: &RelayNet, url: &Url, skips: &Skips) -> Result<()> {
    let host = url.host_str().unwrap_or_default();
    let Some(lb) = net
        .view
        .load_balancers
        .iter()
        .find(|lb| lb.dns_name.eq_ignore_ascii_case(host))
    else {
        return Ok(());
    };
    if lb.scheme != "internal" {
        return Err(Error::failed(format!("--url points at `{}`, an {} load balancer", lb.name, lb.scheme))
            .hint("the relay is for private endpoints; EventBridge API destinations reach public ones directly. Use an internal ALB's DNS name"));
    }
    let port = url.port_or_known_default().unwrap_or(80);
    if lb.kind == "application"
        && !lb.listeners.is_empty()
        && !lb.listeners.iter().any(|l| l.port == port)
    {
        let listeners: Vec<String> = lb.listeners.iter().map(|l| l.to_string()).collect();
        return Err(Error::failed(format!(
            "load balancer `{}` has no listener on port {port} (it has {})",
            lb.name,
            listeners.join(", ")
        ))
        .hint("put the listener's port in --url, e.g. http://host:8080/"));
    }
    let to = Peer {
        groups: lb.security_groups.clone(),
        cidrs: net.cidrs_of(&lb.subnet_ids),
        ..Default::default()
    };
    if !lb.security_groups.is_empty()
        && !can_reach(
            &net.relay,
            &net.relay_groups(),
            &to,
            &net.groups_of(&lb.security_groups),
            port,
        )
    {
        let mut groups = net.relay_groups();
        groups.extend(net.groups_of(&lb.security_groups));
        skips.check(
            "load-balancer-reach",
            Err(Error::failed(format!(
                "the security groups do not let {} reach load balancer `{}` on port {port}{}",
                net.sgs(),
                lb.name,
                RelayNet::unread_note(&groups)
            ))
            .hint(format!(
                "add an inbound rule to {} for TCP {port} from {} (the relay would time out otherwise)",
                lb.security_groups.join(", "),
                net.sgs()
            ))),
        )?;
    }
    Ok(())
}
