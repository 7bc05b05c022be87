//! Route 53: the private hosted zones associated with a VPC. Organisations that serve AWS APIs
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
