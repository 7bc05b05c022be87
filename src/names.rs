//! The naming contract: every physical name is derived from the stack name, exactly as the
//! template builds it with `!Sub`. That is how evrelay finds each resource from the stack name
//! alone, and how two relays live side by side in one account. (Names only: references between
//! the template's resources are `!Ref`/`!GetAtt` or `DependsOn`, see src/template.rs's tests.)

use serde::Serialize;

/// Tags on everything evrelay creates outside the stack (VPC endpoints), so `destroy` removes
/// only what evrelay made.
pub const TAG_STACK: &str = "evrelay:stack";
pub const TAG_MANAGED: &str = "evrelay:managed";

/// Every relay's events log group lives under this prefix, so one CloudWatch Logs resource
/// policy (`crate::aws::logs_policy`) covers them all: relays take one of the region's 10
/// policy slots together, not one each.
pub const EVENTS_LOG_GROUP_PREFIX: &str = "/aws/events/evrelay/";

/// The response event the relay puts on the bus (relay-lambda/README.md).
pub const RESPONSE_DETAIL_TYPE: &str = "outbound-event-sent";
pub const RESPONSE_SOURCE: &str = "evrelay.relay";

/// The tutorial's producer.
pub const DEFAULT_SOURCE: &str = "eventProducerApp";
pub const DEFAULT_DETAIL_TYPE: &str = "inbound-event-sent";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RelayNames {
    pub stack: String,
    pub bus: String,
    pub function: String,
    pub dlq: String,
    pub responses_queue: String,
    /// Buffered delivery's queue between the inbound rule and the relay (`Delivery=buffered`).
    pub buffer: String,
    pub secret: String,
    pub inbound_rule: String,
    pub outbound_rule: String,
    pub relay_log_group: String,
    pub events_log_group: String,
}

impl RelayNames {
    pub fn new(stack: &str) -> Self {
        Self {
            stack: stack.to_string(),
            bus: format!("{stack}-bus"),
            function: format!("{stack}-relay"),
            dlq: format!("{stack}-dlq"),
            responses_queue: format!("{stack}-responses"),
            buffer: format!("{stack}-buffer"),
            secret: format!("{stack}-api-key"),
            inbound_rule: format!("{stack}-inbound"),
            outbound_rule: format!("{stack}-outbound"),
            relay_log_group: format!("/aws/lambda/{stack}-relay"),
            events_log_group: format!("{EVENTS_LOG_GROUP_PREFIX}{stack}"),
        }
    }

    /// Each name beside the `!Sub` expression the template must contain for it.
    pub fn template_expressions() -> [(&'static str, &'static str); 10] {
        [
            ("bus", "${AWS::StackName}-bus"),
            ("function", "${AWS::StackName}-relay"),
            ("dlq", "${AWS::StackName}-dlq"),
            ("responses_queue", "${AWS::StackName}-responses"),
            ("buffer", "${AWS::StackName}-buffer"),
            ("secret", "${AWS::StackName}-api-key"),
            ("inbound_rule", "${AWS::StackName}-inbound"),
            ("outbound_rule", "${AWS::StackName}-outbound"),
            ("relay_log_group", "/aws/lambda/${AWS::StackName}-relay"),
            ("events_log_group", "/aws/events/evrelay/${AWS::StackName}"),
        ]
    }

    /// The Lambda service's description on the relay's VPC network interfaces.
    pub fn eni_description_prefix(&self) -> String {
        format!("AWS Lambda VPC ENI-{}", self.function)
    }
}

/// A relay pair behind an EventBridge global endpoint (`deploy --secondary-region`): the relay
/// stack of one name in both Regions, plus two small stacks named from it
/// (templates/endpoint.yaml, templates/archive.yaml).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GlobalNames {
    /// In the primary Region: the endpoint, its health check, the alarm and the replication role.
    pub endpoint_stack: String,
    /// In the secondary Region: the archive of the secondary's bus.
    pub archive_stack: String,
    /// The global endpoint's name (EndpointName allows 64 characters; a stack name has 50).
    pub endpoint: String,
    /// The CloudWatch alarm behind the health check.
    pub latency_alarm: String,
    /// The role EventBridge assumes to replicate events (only with replication on).
    pub replication_role: String,
}

impl GlobalNames {
    pub fn new(stack: &str) -> Self {
        Self {
            endpoint_stack: format!("{stack}-endpoint"),
            archive_stack: format!("{stack}-archive"),
            endpoint: stack.to_string(),
            latency_alarm: format!("{stack}-primary-latency"),
            replication_role: format!("{stack}-replication"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_derive_from_the_stack() {
        let n = RelayNames::new("event-relay-app");
        assert_eq!(n.bus, "event-relay-app-bus");
        assert_eq!(n.function, "event-relay-app-relay");
        assert_eq!(n.relay_log_group, "/aws/lambda/event-relay-app-relay");
        assert_eq!(n.events_log_group, "/aws/events/evrelay/event-relay-app");
    }

    #[test]
    fn a_pair_s_names_derive_from_the_relay_stack() {
        let g = GlobalNames::new("orders");
        assert_eq!(g.endpoint_stack, "orders-endpoint");
        assert_eq!(g.archive_stack, "orders-archive");
        assert_eq!(g.endpoint, "orders");
        let endpoint = crate::template::ENDPOINT_TEMPLATE;
        assert!(endpoint.contains("AlarmName: !Sub ${RelayStack}-primary-latency"));
        assert!(endpoint.contains("RoleName: !Sub ${RelayStack}-replication"));
        assert!(endpoint.contains("Name: !Ref RelayStack"));
    }

    #[test]
    fn template_expressions_render_to_the_same_names() {
        let n = serde_json::to_value(RelayNames::new("s1")).unwrap();
        for (field, expr) in RelayNames::template_expressions() {
            assert_eq!(n[field], expr.replace("${AWS::StackName}", "s1"), "{field}");
        }
    }
}
