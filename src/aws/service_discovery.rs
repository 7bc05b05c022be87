//! Cloud Map (servicediscovery): the private DNS namespaces a VPC resolves, their services and
//! registered instances. A private namespace is a Route 53 private hosted zone Cloud Map made
//! with the namespace's name; the zone (and so the namespace) belongs to every VPC it is
//! associated with, which Route 53's ListHostedZonesByVPC says — Cloud Map itself only names
//! the zone (`DnsProperties.HostedZoneId`), not the VPCs.

use aws_sdk_servicediscovery::types::{
    FilterCondition, NamespaceFilter, NamespaceFilterName, NamespaceType, RecordType,
    ServiceFilter, ServiceFilterName,
};
use aws_sdk_servicediscovery::Client;

use crate::error::{AwsResultExt, Error, Result};

/// A private DNS namespace, reduced to what evrelay matches a VPC and a host name with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Namespace {
    pub id: String,
    /// Lower case, without a trailing dot.
    pub name: String,
    /// The private hosted zone Cloud Map made for it (without `/hostedzone/`).
    pub hosted_zone_id: String,
}

/// One service of a namespace: the DNS records its instances get, and the instances.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CloudMapService {
    pub id: String,
    pub name: String,
    pub namespace: String,
    /// The DnsConfig's record types (`SRV`, `A`, `AAAA`, `CNAME`).
    pub record_types: Vec<String>,
    pub instances: Vec<Instance>,
}

impl CloudMapService {
    /// `<service>.<namespace>`: the name the namespace's zone answers for it.
    pub fn host(&self) -> String {
        format!("{}.{}", self.name, self.namespace)
    }

    pub fn has_srv(&self) -> bool {
        self.record_types.iter().any(|t| t == "SRV")
    }
}

/// A registered instance: its `AWS_INSTANCE_IPV4` and `AWS_INSTANCE_PORT` attributes (the
/// values Cloud Map puts in the A and SRV records).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Instance {
    pub id: String,
    pub ipv4: Option<String>,
    pub port: Option<u16>,
}

/// The account's private DNS namespaces whose hosted zone is one of `vpc_zone_ids` (the zones
/// associated with the VPC), every page of ListNamespaces filtered to `DNS_PRIVATE`.
pub async fn namespaces_of_zones(sd: &Client, vpc_zone_ids: &[String]) -> Result<Vec<Namespace>> {
    // No private zone in the VPC: no namespace can be its.
    if vpc_zone_ids.is_empty() {
        return Ok(Vec::new());
    }
    let private = NamespaceFilter::builder()
        .name(NamespaceFilterName::Type)
        .values(NamespaceType::DnsPrivate.as_str())
        .condition(FilterCondition::Eq)
        .build()
        .map_err(|e| Error::failed(format!("ListNamespaces filter: {e}")))?;
    let pages: Vec<_> = sd
        .list_namespaces()
        .filters(private)
        .into_paginator()
        .send()
        .try_collect()
        .await
        .aws_context("ListNamespaces")?;
    let mut out = Vec::new();
    for s in pages.iter().flat_map(|p| p.namespaces()) {
        let id = s.id().unwrap_or_default().to_string();
        // The summary carries the zone (NamespaceSummary.Properties), so no GetNamespace.
        let zone = s
            .properties()
            .and_then(|p| p.dns_properties())
            .and_then(|d| d.hosted_zone_id())
            .unwrap_or_default();
        let zone = zone.trim_start_matches("/hostedzone/").to_string();
        if vpc_zone_ids.contains(&zone) {
            out.push(Namespace {
                id,
                name: s
                    .name()
                    .unwrap_or_default()
                    .trim_end_matches('.')
                    .to_ascii_lowercase(),
                hosted_zone_id: zone,
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// The services of `ns` (ListServices filtered by NAMESPACE_ID), without their instances.
pub async fn services_of(sd: &Client, ns: &Namespace) -> Result<Vec<CloudMapService>> {
    let of_namespace = ServiceFilter::builder()
        .name(ServiceFilterName::NamespaceId)
        .values(&ns.id)
        .condition(FilterCondition::Eq)
        .build()
        .map_err(|e| Error::failed(format!("ListServices filter: {e}")))?;
    let pages: Vec<_> = sd
        .list_services()
        .filters(of_namespace)
        .into_paginator()
        .send()
        .try_collect()
        .await
        .aws_context("ListServices")?;
    let mut out: Vec<CloudMapService> = pages
        .iter()
        .flat_map(|p| p.services())
        .map(|s| CloudMapService {
            id: s.id().unwrap_or_default().to_string(),
            name: s.name().unwrap_or_default().to_ascii_lowercase(),
            namespace: ns.name.clone(),
            record_types: s
                .dns_config()
                .map(|c| {
                    c.dns_records()
                        .iter()
                        .map(|r| record_type(r.r#type()))
                        .collect()
                })
                .unwrap_or_default(),
            instances: Vec::new(),
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

fn record_type(t: &RecordType) -> String {
    t.as_str().to_string()
}

/// The instances registered in service `service_id`, every page of ListInstances.
pub async fn instances_of(sd: &Client, service_id: &str) -> Result<Vec<Instance>> {
    let pages: Vec<_> = sd
        .list_instances()
        .service_id(service_id)
        .into_paginator()
        .send()
        .try_collect()
        .await
        .aws_context("ListInstances")?;
    let mut out: Vec<Instance> = pages
        .iter()
        .flat_map(|p| p.instances())
        .map(|i| {
            let attr = |k: &str| i.attributes().and_then(|a| a.get(k)).cloned();
            Instance {
                id: i.id().unwrap_or_default().to_string(),
                ipv4: attr("AWS_INSTANCE_IPV4"),
                port: attr("AWS_INSTANCE_PORT").and_then(|p| p.parse().ok()),
            }
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

/// The VPC's private namespaces, and every service of theirs with its instances.
pub async fn services_of_vpc(
    sd: &Client,
    vpc_zone_ids: &[String],
) -> Result<(Vec<Namespace>, Vec<CloudMapService>)> {
    let namespaces = namespaces_of_zones(sd, vpc_zone_ids).await?;
    let per_namespace =
        futures::future::try_join_all(namespaces.iter().map(|ns| services_of(sd, ns))).await?;
    let mut services: Vec<CloudMapService> = per_namespace.into_iter().flatten().collect();
    let instances =
        futures::future::try_join_all(services.iter().map(|s| instances_of(sd, &s.id))).await?;
    for (s, i) in services.iter_mut().zip(instances) {
        s.instances = i;
    }
    Ok((namespaces, services))
}

/// The Cloud Map service `host` names (`<service>.<namespace>` of one of the VPC's private
/// namespaces), with its instances; None when the host is not such a name.
pub async fn service_for_host(
    sd: &Client,
    vpc_zone_ids: &[String],
    host: &str,
) -> Result<Option<CloudMapService>> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let namespaces = namespaces_of_zones(sd, vpc_zone_ids).await?;
    let Some((ns, service)) = namespaces.iter().find_map(|ns| {
        host.strip_suffix(&ns.name)
            .and_then(|rest| rest.strip_suffix('.'))
            .filter(|s| !s.is_empty() && !s.contains('.'))
            .map(|s| (ns, s.to_string()))
    }) else {
        return Ok(None);
    };
    let Some(mut found) = services_of(sd, ns)
        .await?
        .into_iter()
        .find(|s| s.name == service)
    else {
        return Ok(None);
    };
    found.instances = instances_of(sd, &found.id).await?;
    Ok(Some(found))
}
