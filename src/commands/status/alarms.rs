//! The stack's alarms in `evrelay status` (`deploy --alarms`): name, state, since, reason.
//! Only the alarms the template makes are the stack's: DescribeAlarms' name prefix `<stack>-`
//! also matches a stack named `<stack>-…`, so each name must be the stack's own.

use serde::Serialize;

use crate::aws::alarms::AlarmState;
use crate::context::Context;
use crate::printer::Style;

/// The suffixes of the template's AlarmName values (`!Sub ${AWS::StackName}-<suffix>`).
pub const ALARM_SUFFIXES: [&str; 6] = [
    "dlq-not-empty",
    "relay-errors",
    "relay-throttles",
    "event-age",
    "events-dropped",
    "buffer-age",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlarmRow {
    pub name: String,
    /// OK, ALARM or INSUFFICIENT_DATA.
    pub state: String,
    /// When the state last changed, RFC 3339 (UTC).
    pub since: Option<String>,
    pub reason: Option<String>,
}

/// The stack's alarms among those DescribeAlarms found, in the template's order.
pub fn of_stack(stack: &str, found: Vec<AlarmState>) -> Vec<AlarmRow> {
    ALARM_SUFFIXES
        .iter()
        .filter_map(|suffix| {
            let name = format!("{stack}-{suffix}");
            found.iter().find(|a| a.name == name).map(|a| AlarmRow {
                name,
                state: a.state.clone(),
                since: a.since.map(rfc3339),
                reason: a.reason.clone(),
            })
        })
        .collect()
}

fn rfc3339(secs: i64) -> String {
    aws_smithy_types::DateTime::from_secs(secs)
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_else(|_| secs.to_string())
}

/// A failed look-up is a warning: the stack's status is the point of `status`.
pub async fn fetch(ctx: &Context) -> Vec<AlarmRow> {
    let stack = &ctx.names.stack;
    match crate::aws::alarms::by_prefix(ctx.cloudwatch(), &format!("{stack}-")).await {
        Ok(found) => of_stack(stack, found),
        Err(e) => {
            ctx.printer
                .warn(&format!("could not read the stack's alarms: {}", e.message));
            Vec::new()
        }
    }
}

/// The "Alarm" table, or one line saying there are none and how to add them.
pub fn section(rows: &[AlarmRow], style: &Style) -> String {
    if rows.is_empty() {
        return "\nAlarms: none (`evrelay deploy --alarms TOPIC_ARN|EMAIL` adds them)\n".into();
    }
    let mut t = style.table(["Alarm", "State", "Since", "Reason"]);
    for r in rows {
        let state = match r.state.as_str() {
            "ALARM" => style.red(&r.state),
            "OK" => style.green(&r.state),
            _ => style.yellow(&r.state),
        };
        t.add_row(vec![
            r.name.clone(),
            state,
            r.since.clone().unwrap_or_else(|| "-".into()),
            r.reason.clone().unwrap_or_default(),
        ]);
    }
    format!("\n{t}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(name: &str, state: &str) -> AlarmState {
        AlarmState {
            name: name.into(),
            state: state.into(),
            since: Some(0),
            reason: Some("why".into()),
        }
    }

    #[test]
    fn the_suffixes_are_the_templates_alarm_names() {
        let names: Vec<&str> = crate::template::TEMPLATE_SOURCE
            .lines()
            .filter_map(|l| l.trim().strip_prefix("AlarmName: !Sub ${AWS::StackName}-"))
            .collect();
        assert_eq!(names, ALARM_SUFFIXES);
    }

    #[test]
    fn only_the_stacks_own_alarms_are_shown_in_the_templates_order() {
        let rows = of_stack(
            "orders",
            vec![
                found("orders-relay-errors", "OK"),
                found("orders-eu-dlq-not-empty", "ALARM"),
                found("orders-dlq-not-empty", "ALARM"),
                found("orders-hand-made", "OK"),
            ],
        );
        let names: Vec<_> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["orders-dlq-not-empty", "orders-relay-errors"]);
        assert_eq!(rows[0].state, "ALARM");
        assert_eq!(rows[0].since.as_deref(), Some("1970-01-01T00:00:00Z"));
    }
}
