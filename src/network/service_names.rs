//! An endpoint service's full name as the region lists it. Most are
//! `com.amazonaws.<region>.<service>`, but in the China regions some services are
//! `cn.com.amazonaws.<region>.<service>` and others keep `com.amazonaws.…`, per service (what
//! aws/aws-cdk#16139 had to fix for China endpoints); so the name is taken from
//! DescribeVpcEndpointServices (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVpcEndpointServices.html,
//! ServiceNames: "The supported services"), never built from the region alone. Pure.

use crate::aws::ec2::ServiceZones;

/// The listed service for `short` in `region`; None when the region does not list it.
pub fn listed<'a>(
    services: &'a [ServiceZones],
    region: &str,
    short: &str,
) -> Option<&'a ServiceZones> {
    let tail = format!("amazonaws.{region}.{short}");
    services.iter().find(|s| {
        s.service
            .strip_suffix(&tail)
            .is_some_and(|head| matches!(head, "com." | "cn.com."))
    })
}

/// The full name: the listed one, else the usual pattern (the region lists nothing, or the
/// list could not say: the create then fails with AWS's own words).
pub fn full_name(services: &[ServiceZones], region: &str, short: &str) -> String {
    listed(services, region, short)
        .map(|s| s.service.clone())
        .unwrap_or_else(|| crate::endpoints::service_name(region, short))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(name: &str) -> ServiceZones {
        ServiceZones {
            service: name.into(),
            names: vec!["cn-north-1a".into()],
            ids: vec!["cnn1-az1".into()],
        }
    }

    #[test]
    fn china_names_come_from_the_list_per_service() {
        // cn-north-1's shape: one service under cn.com.amazonaws, another under com.amazonaws,
        // and a look-alike that is neither.
        let list = vec![
            service("cn.com.amazonaws.cn-north-1.secretsmanager"),
            service("com.amazonaws.cn-north-1.events"),
            service("com.amazonaws.cn-north-1.notevents"),
        ];
        assert_eq!(
            full_name(&list, "cn-north-1", "secretsmanager"),
            "cn.com.amazonaws.cn-north-1.secretsmanager"
        );
        assert_eq!(
            full_name(&list, "cn-north-1", "events"),
            "com.amazonaws.cn-north-1.events"
        );
        assert_eq!(
            listed(&list, "cn-north-1", "events").unwrap().ids,
            vec!["cnn1-az1"]
        );
    }

    #[test]
    fn an_unlisted_service_falls_back_to_the_pattern() {
        assert_eq!(
            full_name(&[], "eu-west-1", "events"),
            "com.amazonaws.eu-west-1.events"
        );
        assert_eq!(
            full_name(
                &[service("com.amazonaws.us-east-1.events")],
                "eu-west-1",
                "events"
            ),
            "com.amazonaws.eu-west-1.events"
        );
    }
}
