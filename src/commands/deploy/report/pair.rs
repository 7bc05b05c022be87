//! What a pair's deploy prints beside each Region's change set and result: before the one
//! question, the two stacks that follow the relays (the endpoint in the primary, the archive in
//! the secondary); at the end, both relays' results and the global endpoint. In JSON mode
//! `{"type":"pair_plan",…}` before the question and one `{"type":"result",…}` line: the
//! primary's result with `secondary` (the secondary's) and `global_endpoint` in it.

use serde::Serialize;

use super::DeployResult;
use crate::printer::{Report, Style};
use crate::stack::Operation;

/// The endpoint and archive stacks, as the plan shows them before the question.
#[derive(Debug, Clone, Serialize)]
pub struct PairPlan {
    #[serde(rename = "type")]
    kind: &'static str,
    pub stack: String,
    pub dry_run: bool,
    pub endpoint: SmallStackPlan,
    pub archive: SmallStackPlan,
    pub replication: bool,
    /// Days; 0 = indefinitely.
    pub archive_retention: u32,
}

/// One of the pair's two small stacks in the plan.
#[derive(Debug, Clone, Serialize)]
pub struct SmallStackPlan {
    pub stack: String,
    pub region: String,
    /// Create or update (an update that changes nothing says so when it runs).
    pub operation: Operation,
}

impl PairPlan {
    pub fn new(
        stack: &str,
        endpoint: SmallStackPlan,
        archive: SmallStackPlan,
        replication: bool,
        archive_retention: u32,
    ) -> Self {
        Self {
            kind: "pair_plan",
            stack: stack.to_string(),
            dry_run: false,
            endpoint,
            archive,
            replication,
            archive_retention,
        }
    }
}

/// `7 days`, `1 day`, or `indefinitely` for 0 (RetentionDays 0: "events are retained
/// indefinitely", API_CreateArchive.html).
pub fn retention(days: u32) -> String {
    match days {
        0 => "indefinitely".into(),
        1 => "1 day".into(),
        n => format!("{n} days"),
    }
}

impl Report for PairPlan {
    fn render(&self, style: &Style) -> String {
        let (e, a) = (&self.endpoint, &self.archive);
        let then = if self.dry_run { "Would then" } else { "Then" };
        let replication = if self.replication {
            format!("replication on (role {}-replication)", self.stack)
        } else {
            "replication off".to_string()
        };
        format!(
            "{then} {} stack {} in {}: global endpoint {} over {}-bus in {} and {}, failing over on the \
             health check of alarm {}-primary-latency; {replication}.\n\
             {then} {} stack {} in {}: archive of {}-bus there, keeping events {}.\n",
            e.operation.verb(),
            style.bold(&e.stack),
            e.region,
            self.stack,
            self.stack,
            e.region,
            a.region,
            self.stack,
            a.operation.verb(),
            style.bold(&a.stack),
            a.region,
            self.stack,
            retention(self.archive_retention),
        )
    }
}

/// The archive of the secondary's bus, as deployed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ArchiveReport {
    pub stack: String,
    pub region: String,
    /// CloudFormation names it (the ArchiveName output, or the stack resource's physical id).
    pub name: Option<String>,
    pub retention_days: u32,
}

/// The global endpoint, as DescribeEndpoint shows it after the deploy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GlobalEndpointReport {
    pub name: String,
    pub stack: String,
    /// What producers pass to PutEvents as `EndpointId` (`send --global` does).
    pub id: String,
    pub url: String,
    pub state: String,
    pub replication: bool,
    pub archive: ArchiveReport,
}

/// One result for the pair: the primary's, with the secondary's and the endpoint's inside.
#[derive(Debug, Clone, Serialize)]
pub struct PairResult {
    #[serde(flatten)]
    pub primary: DeployResult,
    pub secondary: DeployResult,
    pub global_endpoint: GlobalEndpointReport,
}

impl Report for PairResult {
    fn render(&self, style: &Style) -> String {
        let g = &self.global_endpoint;
        let mut table = style.table(["Global endpoint", "Value"]);
        let rows = [
            ("Name", g.name.clone()),
            ("EndpointId", g.id.clone()),
            ("Url", g.url.clone()),
            ("State", g.state.clone()),
            (
                "Replication",
                if g.replication { "on" } else { "off" }.into(),
            ),
            (
                "Archive",
                format!(
                    "{} in {}, keeps events {}",
                    g.archive.name.as_deref().unwrap_or("(not found)"),
                    g.archive.region,
                    retention(g.archive.retention_days)
                ),
            ),
        ];
        for (k, v) in rows {
            table.add_row(vec![k.to_string(), v]);
        }
        format!(
            "{}{}\nGlobal endpoint {} (stack {}) in {}:\n{table}\n",
            self.primary.render(style),
            self.secondary.render(style),
            style.bold(&g.name),
            g.stack,
            self.primary.region
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::RelayNames;

    const PLAIN: Style = Style { color: false };

    #[test]
    fn the_plan_names_both_small_stacks_with_their_regions_replication_and_retention() {
        let plan = PairPlan::new(
            "orders",
            SmallStackPlan {
                stack: "orders-endpoint".into(),
                region: "us-east-1".into(),
                operation: Operation::Create,
            },
            SmallStackPlan {
                stack: "orders-archive".into(),
                region: "us-west-2".into(),
                operation: Operation::Update,
            },
            true,
            0,
        );
        let text = plan.render(&PLAIN);
        assert!(text.starts_with("Then create stack orders-endpoint in us-east-1: global endpoint orders over orders-bus in us-east-1 and us-west-2"), "{text}");
        assert!(
            text.contains("replication on (role orders-replication)"),
            "{text}"
        );
        assert!(text.contains("Then update stack orders-archive in us-west-2: archive of orders-bus there, keeping events indefinitely."), "{text}");
        let json = serde_json::to_value(&plan).unwrap();
        assert_eq!(json["type"], "pair_plan");
        assert_eq!(json["endpoint"]["region"], "us-east-1");
        assert_eq!(retention(1), "1 day");
        assert_eq!(retention(7), "7 days");
    }

    #[test]
    fn the_result_is_the_primary_s_with_the_secondary_and_the_endpoint_inside() {
        let names = RelayNames::new("orders");
        let r = |region: &str| {
            DeployResult::succeeded(&names, None, Operation::Create, Some(1), vec![], false)
                .at("123456789012", region)
        };
        let result = PairResult {
            primary: r("us-east-1"),
            secondary: r("us-west-2"),
            global_endpoint: GlobalEndpointReport {
                name: "orders".into(),
                stack: "orders-endpoint".into(),
                id: "abcde12345.veo".into(),
                url: "https://abcde12345.veo.endpoint.events.amazonaws.com".into(),
                state: "ACTIVE".into(),
                replication: true,
                archive: ArchiveReport {
                    stack: "orders-archive".into(),
                    region: "us-west-2".into(),
                    name: Some("orders-archive-Archive-1".into()),
                    retention_days: 7,
                },
            },
        };
        let json = serde_json::to_value(&result).unwrap();
        assert_eq!(
            (json["type"].as_str(), json["region"].as_str()),
            (Some("result"), Some("us-east-1"))
        );
        assert_eq!(json["secondary"]["region"], "us-west-2");
        assert_eq!(json["global_endpoint"]["id"], "abcde12345.veo");
        assert_eq!(json["global_endpoint"]["archive"]["retention_days"], 7);
        let text = result.render(&PLAIN);
        assert!(
            text.contains("Stack orders (deployed) in account 123456789012, us-west-2:")
                || text.contains("us-west-2:"),
            "{text}"
        );
        assert!(
            text.contains("Global endpoint orders (stack orders-endpoint) in us-east-1:"),
            "{text}"
        );
        assert!(
            text.contains("orders-archive-Archive-1 in us-west-2, keeps events 7 days"),
            "{text}"
        );
    }
}
