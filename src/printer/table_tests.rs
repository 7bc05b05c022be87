use super::*;
use crate::printer::Style;

const PLAIN: Style = Style { color: false };

/// A report's name, its table's headers and rows.
type Sample = (&'static str, Vec<&'static str>, Vec<Vec<&'static str>>);

/// Realistic rows of every report that prints a table: the values an operator copies.
fn reports() -> Vec<Sample> {
    vec![
        (
            "discover subnets",
            vec!["subnet", "az", "cidr", "name", "private", "nat egress", "internal-elb", "0.0.0.0/0", "picked"],
            vec![
                vec!["subnet-038d505b97a6360ab", "us-east-1a", "192.168.96.0/19", "eksctl-events-cluster/SubnetPrivateUSEAST1A", "yes", "yes", "yes", "nat-0a1b2c3d4e5f67890", "*"],
                vec!["subnet-0f1e2d3c4b5a69788", "us-east-1b", "192.168.0.0/19", "eksctl-events-cluster/SubnetPublicUSEAST1B", "no", "no", "no", "igw-0a1b2c3d4e5f67890", ""],
            ],
        ),
        (
            "discover security groups",
            vec!["security group", "group name", "name", "note"],
            vec![
                vec!["sg-0123456789abcdef0", "eksctl-events-cluster-ClusterSharedNodeSecurityGroup-4D5E6F", "eksctl-events-cluster/ClusterSharedNodeSecurityGroup", "picked: eksctl's shared node security group: the cluster's nodes, and so the ALB's targets, run in it"],
                vec!["sg-0fedcba9876543210", "default", "", "the VPC's default group: never picked"],
            ],
        ),
        (
            "discover load balancers",
            vec!["load balancer", "scheme", "dns name", "listeners", "url", "note"],
            vec![vec![
                "events-internal",
                "internal",
                "internal-k8s-default-app-0a1b2c3d4e-1234567890.us-east-1.elb.amazonaws.com",
                "HTTP:80 HTTPS:443",
                "https://internal-k8s-default-app-0a1b2c3d4e-1234567890.us-east-1.elb.amazonaws.com/events",
                "picked: internal application load balancer, HTTPS:443 listener",
            ]],
        ),
        (
            "discover endpoints",
            vec!["service", "endpoint", "state", "private dns"],
            vec![vec!["secretsmanager", "vpce-0a1b2c3d4e5f67890", "available", "yes"]],
        ),
        (
            "status resources",
            vec!["Resource", "Type", "Physical id", "Status"],
            vec![
                vec!["Relay", "AWS::Lambda::Function", "event-relay-app-relay", "UPDATE_COMPLETE"],
                vec!["Rule", "AWS::Events::Rule", "arn:aws:events:us-east-1:123456789012:rule/event-relay-app-bus/event-relay-app-rule", "CREATE_COMPLETE"],
                vec!["RelayLogGroup", "AWS::Logs::LogGroup", "/aws/lambda/event-relay-app-relay", "CREATE_COMPLETE"],
            ],
        ),
        (
            "status queues",
            vec!["Queue", "Name", "Visible", "In flight"],
            vec![vec!["dlq", "https://sqs.us-east-1.amazonaws.com/123456789012/event-relay-app-dlq", "2", "0"]],
        ),
        (
            "status outputs",
            vec!["Output", "Value"],
            vec![
                vec!["BusArn", "arn:aws:events:us-east-1:123456789012:event-bus/event-relay-app-bus"],
                vec!["DlqUrl", "https://sqs.us-east-1.amazonaws.com/123456789012/event-relay-app-dlq"],
            ],
        ),
        (
            "dlq peek",
            vec!["time", "reason", "event id", "detail event id", "detail-type", "attempts"],
            vec![
                vec!["2026-11-24T08:00:00.123Z", "RelayError: event 5b2c8f3e-1d4a-4c7b-9e2f-0a1b2c3d4e5f: 401: unauthorized by the receiver at https://events.internal.example.com/hook", "5b2c8f3e-1d4a-4c7b-9e2f-0a1b2c3d4e5f", "order-1234-5678", "inbound-event-sent", "3"],
                vec!["2026-11-24T08:00:01.456Z", "SDK_CLIENT_ERROR: Unable to invoke the Lambda function", "7d9e0f1a-2b3c-4d5e-8f90-a1b2c3d4e5f6", "-", "inbound-event-sent", "185"],
            ],
        ),
        (
            "dlq redrive",
            vec!["message id", "event id", "detail event id", "error"],
            vec![vec!["0e6c1f3a-8b2d-4e5f-9a1b-2c3d4e5f6a7b", "5b2c8f3e-1d4a-4c7b-9e2f-0a1b2c3d4e5f", "order-1234-5678", "ThrottlingException: Rate exceeded"]],
        ),
        (
            "send summary",
            vec!["event id", "detail event id", "result", "status", "response"],
            vec![vec!["a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", "order-1234-5678", "accepted", "200", "{\"ok\": true, \"id\": \"r-1\"}"]],
        ),
        (
            "deploy change set",
            vec!["Action", "LogicalId", "Type", "Replacement"],
            vec![
                vec!["+ Add", "SecretsManagerEndpointSecurityGroup", "AWS::EC2::SecurityGroup", ""],
                vec!["~ Modify", "RelayFunction", "AWS::Lambda::Function", "Conditional"],
            ],
        ),
        (
            "destroy",
            vec!["what", "id", "note"],
            vec![
                vec!["stack", "arn:aws:cloudformation:us-east-1:123456789012:stack/event-relay-app/8c1d2e3f-4a5b-11ef-9c6d-0a1b2c3d4e5f", "deleted with everything in it"],
                vec!["queue", "https://sqs.us-east-1.amazonaws.com/123456789012/event-relay-app-dlq", "2 failed events: `evrelay dlq drain --out failed.jsonl` keeps them"],
                vec!["endpoint", "vpce-0a1b2c3d4e5f67890", "its group sg-0123456789abcdef0 too"],
            ],
        ),
    ]
}

fn render(headers: &[&str], rows: &[Vec<&str>], width: Option<u16>) -> String {
    let mut table = PLAIN.table(headers);
    for r in rows {
        table.add_row(r.clone());
    }
    table.fit_to(width);
    table.to_string()
}

/// Every token of the input on one line of the output, no line wider than the width, none
/// ending in a space.
fn assert_tokens_whole(what: &str, rows: &[Vec<&str>], text: &str, width: Option<u16>) {
    for token in rows.iter().flatten().flat_map(|c| c.split_whitespace()) {
        if is_token(token) {
            assert!(
                text.lines().any(|l| l.contains(token)),
                "{what} at {width:?}: `{token}` broken:\n{text}"
            );
        }
    }
    assert!(
        text.lines().all(|l| !l.ends_with(' ')),
        "{what}: trailing space:\n{text}"
    );
    if let Some(w) = width {
        for line in text.lines().filter(|l| l.chars().count() > usize::from(w)) {
            // Only a token longer than a vertical record's line may stick out, whole.
            let words: Vec<&str> = line.split_whitespace().collect();
            let last = words.last().copied().unwrap_or_default();
            assert!(
                is_token(last) && last.len() + 3 > usize::from(w) / 2,
                "{what} wider than {w}:\n{text}"
            );
        }
    }
}

#[test]
fn every_reports_tokens_survive_80_columns_and_narrower() {
    for (what, headers, rows) in reports() {
        for width in [Some(80), Some(60), Some(40), Some(200), None] {
            let text = render(&headers, &rows, width);
            assert_tokens_whole(what, &rows, &text, width);
        }
    }
}

#[test]
fn a_table_that_fits_keeps_its_lines_whole() {
    let text = render(
        &["endpoint", "state"],
        &[vec!["vpce-0a1b2c3d4e5f67890", "available"]],
        Some(80),
    );
    assert_eq!(
        text,
        " ENDPOINT                STATE\n vpce-0a1b2c3d4e5f67890  available"
    );
}

#[test]
fn prose_wraps_at_spaces_beside_a_whole_id() {
    let (_, headers, rows) = reports().remove(1);
    let text = render(&headers, &rows, Some(80));
    assert!(text.lines().count() > 3, "the note must wrap:\n{text}");
    assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
    // Still columns: the header is one line with every title in it.
    assert!(text.lines().next().unwrap().contains("SECURITY"), "{text}");
}

#[test]
fn a_table_too_narrow_for_its_tokens_turns_vertical() {
    let (_, headers, rows) = reports().remove(2);
    let text = render(&headers, &rows, Some(80));
    assert!(
        text.starts_with(" LOAD BALANCER  events-internal\n"),
        "{text}"
    );
    assert!(
        text.contains("\n URL            https://internal-k8s"),
        "{text}"
    );
    // Wide enough for both long names and a little prose, it is a row again, the URL and
    // the DNS name whole on its first line.
    let wide = render(&headers, &rows, Some(240));
    let row = wide.lines().nth(1).unwrap();
    assert!(wide.starts_with(" LOAD BALANCER"), "{wide}");
    assert!(
        row.contains(rows[0][2]) && row.contains(rows[0][4]),
        "{wide}"
    );
}

#[test]
fn a_pipe_gets_whole_lines_without_trailing_spaces() {
    let text = render(
        &["id", "note"],
        &[vec!["a", ""], vec!["sg-0123456789abcdef0", "x"]],
        None,
    );
    assert_eq!(
        text,
        " ID                    NOTE\n a\n sg-0123456789abcdef0  x"
    );
}

#[test]
fn a_payload_may_break_a_token_may_not() {
    assert!(is_token("subnet-038d505b97a6360ab"));
    assert!(is_token("(arn:aws:sqs:us-east-1:123456789012:q),"));
    assert!(is_token("https://sqs.us-east-1.amazonaws.com/1/q"));
    assert!(is_token("5b2c8f3e-1d4a-4c7b-9e2f-0a1b2c3d4e5f"));
    assert!(!is_token("{\"order\":1}"));
    assert!(is_token("SecretsManagerEndpointSecurityGroup"));
    assert!(!is_token("unauthorized"));
    assert_eq!(wrap(&"x".repeat(30), 14).len(), 3);
    assert_eq!(
        wrap(&format!("a {}", "sg-".repeat(10)), 14),
        vec!["a", "sg-sg-sg-sg-sg-sg-sg-sg-sg-sg-"]
    );
}

#[test]
fn the_width_comes_from_the_terminal_or_columns() {
    let text = crate::printer::at_width(Some(40), || {
        let mut t = PLAIN.table(["name", "note"]);
        t.add_row(["a", &"word ".repeat(20)]);
        t.to_string()
    });
    assert!(text.lines().all(|l| l.chars().count() <= 40), "{text}");
}
