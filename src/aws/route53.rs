//! Route 53: the private hosted zones associated with a VPC, and the A/AAAA/SRV records they hold
//! (discover's service-discovery targets). Organisations that serve AWS APIs
//! from a shared VPC associate zones named after the services (`secretsmanager.<region>.
//! amazonaws.com`) with every spoke VPC; such a zone is the VPC's path to the service, and a
//! private-DNS endpoint for the same name would be refused ("conflicting DNS domain").

use crate::error::{AwsResultExt, Result};

/// One zone associated with the VPC, reduced to what preflight decides on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostedZone {
    /// Without the `/hostedzone/` prefix.
    pub id: String,
    /// Lower case, without the trailing dot.
    pub name: String,
    /// The account that owns it; empty when a service owns it.
    pub owner_account: String,
    /// The AWS service that owns it (e.g. one made for an interface endpoint); empty when an
    /// account does.
    pub owner_service: String,
}

/// ListHostedZonesByVPC, every page.
pub async fn zones_of_vpc(
    route53: &aws_sdk_route53::Client,
    vpc_id: &str,
    region: &str,
) -> Result<Vec<HostedZone>> {
    let mut zones = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let out = route53
            .list_hosted_zones_by_vpc()
            .vpc_id(vpc_id)
            .vpc_region(aws_sdk_route53::types::VpcRegion::from(region))
            .set_next_token(token.take())
            .send()
            .await
            .aws_context("ListHostedZonesByVPC")?;
        zones.extend(out.hosted_zone_summaries().iter().map(|z| {
            let owner = z.owner();
            HostedZone {
                id: z
                    .hosted_zone_id()
                    .trim_start_matches("/hostedzone/")
                    .to_string(),
                name: z.name().trim_end_matches('.').to_ascii_lowercase(),
                owner_account: owner
                    .and_then(|o| o.owning_account())
                    .unwrap_or_default()
                    .to_string(),
                owner_service: owner
                    .and_then(|o| o.owning_service())
                    .unwrap_or_default()
                    .to_string(),
            }
        }));
        match out.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => return Ok(zones),
        }
    }
}

/// One A, AAAA or SRV record set of a zone (other types and alias records say nothing about a
/// host the relay can post to: an alias's addresses are the target's).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ZoneRecord {
    /// Lower case, without the trailing dot.
    pub name: String,
    /// `A`, `AAAA` or `SRV`.
    pub kind: String,
    /// The values as Route 53 holds them (`priority weight port target` for SRV).
    pub values: Vec<String>,
}

/// The A, AAAA and SRV record sets of zone `zone_id`, every page of ListResourceRecordSets
/// (it pages by the next record's name, type and set identifier, not by a token).
pub async fn records_of_zone(
    route53: &aws_sdk_route53::Client,
    zone_id: &str,
) -> Result<Vec<ZoneRecord>> {
    records_from(route53, zone_id, None).await
}

/// The addresses of the A records named exactly `name` in zone `zone_id` (the listing starts
/// at the name, so one page answers it).
pub async fn addresses_of(
    route53: &aws_sdk_route53::Client,
    zone_id: &str,
    name: &str,
) -> Result<Vec<String>> {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let records = records_from(route53, zone_id, Some(&name)).await?;
    Ok(records
        .into_iter()
        .filter(|r| r.kind == "A" && r.name == name)
        .flat_map(|r| r.values)
        .collect())
}

async fn records_from(
    route53: &aws_sdk_route53::Client,
    zone_id: &str,
    only: Option<&str>,
) -> Result<Vec<ZoneRecord>> {
    use aws_sdk_route53::types::RrType;
    let mut out = Vec::new();
    let mut next: Option<(String, Option<RrType>, Option<String>)> =
        only.map(|n| (format!("{n}."), None, None));
    loop {
        let mut req = route53.list_resource_record_sets().hosted_zone_id(zone_id);
        if let Some((name, kind, id)) = next.take() {
            req = req
                .start_record_name(name)
                .set_start_record_type(kind)
                .set_start_record_identifier(id);
        }
        if only.is_some() {
            req = req.max_items(10);
        }
        let page = req.send().await.aws_context("ListResourceRecordSets")?;
        for r in page.resource_record_sets() {
            let kind = r.r#type().as_str();
            if !matches!(kind, "A" | "AAAA" | "SRV") || r.alias_target().is_some() {
                continue;
            }
            out.push(ZoneRecord {
                name: decode(r.name()),
                kind: kind.to_string(),
                values: r
                    .resource_records()
                    .iter()
                    .map(|v| v.value().to_string())
                    .collect(),
            });
        }
        match (page.is_truncated(), page.next_record_name(), only) {
            (true, Some(name), None) => {
                next = Some((
                    name.to_string(),
                    page.next_record_type().cloned(),
                    page.next_record_identifier().map(str::to_string),
                ))
            }
            _ => return Ok(out),
        }
    }
}

/// Route 53 returns names lower-cased with a trailing dot, and `*` as `\052`.
fn decode(name: &str) -> String {
    name.trim_end_matches('.')
        .replace("\\052", "*")
        .to_ascii_lowercase()
}
