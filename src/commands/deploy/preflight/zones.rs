//! Endpoint services are not offered in every Availability Zone: CreateVpcEndpoint refuses a
//! subnet in a zone the service lacks ("does not support the Availability Zone of the
//! subnet"). The new endpoint takes only subnets in zones the service lists (compared by zone
//! ID where AWS gives it: names are per account); a relay subnet elsewhere still reaches it
//! through the others. Pure.

use crate::aws::ec2::ServiceZones;
use crate::error::{Error, Result};
use crate::network::subnets::Subnet;

/// Of the endpoint's `subnets` (one per AZ), those the service is offered in, and a note for
/// those it is not; an error when none is left. Unknown zones (the service not listed) keep all.
pub fn supported_subnets(
    service: &str,
    subnets: &[String],
    all: &[Subnet],
    zones: Option<&ServiceZones>,
) -> Result<(Vec<String>, Option<String>)> {
    let Some(zones) = zones else {
        return Ok((subnets.to_vec(), None));
    };
    let offered = |s: &Subnet| {
        if !zones.ids.is_empty() && !s.az_id.is_empty() {
            zones.ids.contains(&s.az_id)
        } else {
            zones.names.contains(&s.az)
        }
    };
    let (kept, dropped): (Vec<&Subnet>, Vec<&Subnet>) = subnets
        .iter()
        .filter_map(|id| all.iter().find(|s| &s.id == id))
        .partition(|s| offered(s));
    let place = |s: &Subnet| {
        if s.az_id.is_empty() {
            format!("{} in {}", s.id, s.az)
        } else {
            format!("{} in {} ({})", s.id, s.az, s.az_id)
        }
    };
    if kept.is_empty() {
        let offered_in = if zones.ids.is_empty() {
            zones.names.join(", ")
        } else {
            zones.ids.join(", ")
        };
        return Err(Error::failed(format!(
            "the {service} endpoint service is not offered in the Availability Zone of any relay subnet ({})",
            dropped.iter().map(|s| place(s)).collect::<Vec<_>>().join(", ")
        ))
        .hint(format!(
            "add a private --subnet in a zone the service is offered in: {offered_in}"
        )));
    }
    let note = (!dropped.is_empty()).then(|| {
        format!(
            "{service} is not offered in the zone of {}: the endpoint goes in the other zones, which the relay there reaches too",
            dropped.iter().map(|s| place(s)).collect::<Vec<_>>().join(", ")
        )
    });
    Ok((kept.iter().map(|s| s.id.clone()).collect(), note))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subnet(id: &str, az: &str, az_id: &str) -> Subnet {
        Subnet {
            id: id.into(),
            az: az.into(),
            az_id: az_id.into(),
            ..Default::default()
        }
    }

    fn zones(names: &[&str], ids: &[&str]) -> ServiceZones {
        ServiceZones {
            service: "com.amazonaws.us-east-1.secretsmanager".into(),
            names: names.iter().map(|s| s.to_string()).collect(),
            ids: ids.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn an_unsupported_zone_is_skipped_and_said_compared_by_zone_id() {
        let all = vec![
            subnet("subnet-a", "us-east-1a", "use1-az6"),
            subnet("subnet-e", "us-east-1e", "use1-az3"),
        ];
        let ids = vec!["subnet-a".to_string(), "subnet-e".to_string()];
        // By ID: this account's us-east-1e is use1-az3, which the service lacks, whatever the
        // names it lists say.
        let z = zones(&["us-east-1a", "us-east-1e"], &["use1-az6", "use1-az1"]);
        let (kept, note) = supported_subnets("secretsmanager", &ids, &all, Some(&z)).unwrap();
        assert_eq!(kept, vec!["subnet-a".to_string()]);
        assert_eq!(
            note.unwrap(),
            "secretsmanager is not offered in the zone of subnet-e in us-east-1e (use1-az3): the endpoint goes in the other zones, which the relay there reaches too"
        );
        // Unknown: keep all.
        let (kept, note) = supported_subnets("secretsmanager", &ids, &all, None).unwrap();
        assert_eq!((kept.len(), note), (2, None));
    }

    #[test]
    fn no_supported_zone_is_refused_naming_where_it_is_offered() {
        let all = vec![subnet("subnet-e", "us-east-1e", "")];
        let z = zones(&["us-east-1a", "us-east-1b"], &[]);
        let e = supported_subnets("events", &["subnet-e".into()], &all, Some(&z)).unwrap_err();
        assert_eq!(
            e.message,
            "the events endpoint service is not offered in the Availability Zone of any relay subnet (subnet-e in us-east-1e)"
        );
        assert!(e.hint.unwrap().ends_with("us-east-1a, us-east-1b"));
    }
}
