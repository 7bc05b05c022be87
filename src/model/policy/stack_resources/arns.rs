//! The stack's resources as IAM names them, for the statements in `super`: each the stack's
//! own ARN where the service authorizes per resource.

use super::super::Scope;

pub(super) fn function(s: &Scope) -> Vec<String> {
    vec![s.arn("lambda", &format!("function:{}", s.names.function))]
}

/// The stack's queues (DLQ, responses, buffer) as one `<stack>-*` pattern: three ARNs with a
/// 50-character stack name put the deploy policy past a managed policy's 6,144 characters. The
/// pattern also matches the queues of a stack named `<stack>-…`; operate's grants name each queue.
pub(super) fn queues(s: &Scope) -> Vec<String> {
    vec![s.arn("sqs", &format!("{}-*", s.names.stack))]
}

/// For actions granted on `*` (the statement that holds them says why).
pub(super) fn any(_: &Scope) -> Vec<String> {
    vec!["*".to_string()]
}

/// Both log groups, with and without the `:*` suffix some Logs actions authorize against.
pub fn log_groups(s: &Scope) -> Vec<String> {
    [&s.names.relay_log_group, &s.names.events_log_group]
        .iter()
        .flat_map(|g| {
            [
                s.arn("logs", &format!("log-group:{g}")),
                s.arn("logs", &format!("log-group:{g}:*")),
            ]
        })
        .collect()
}

/// The bus and its rules: every rule on the stack's own bus is the stack's.
pub(super) fn bus_and_rules(s: &Scope) -> Vec<String> {
    let bus = &s.names.bus;
    vec![
        s.arn("events", &format!("event-bus/{bus}")),
        s.arn("events", &format!("rule/{bus}/*")),
    ]
}

/// The stack's own secret: Secrets Manager appends `-` and six random characters to the name
/// (Secrets Manager User Guide, "ARN format": "…:secret:SecretName-6RandomCharacters").
pub(super) fn secret(s: &Scope) -> Vec<String> {
    vec![s.arn(
        "secretsmanager",
        &format!("secret:{}-??????", s.names.secret),
    )]
}

/// The stack's alarms (`<stack>-dlq-not-empty`, …; `--alarms`).
pub fn alarms(s: &Scope) -> Vec<String> {
    vec![s.arn("cloudwatch", &format!("alarm:{}-*", s.names.stack))]
}

/// The alarms, and the topic the stack makes for `--alarms EMAIL` with its subscriptions
/// (`<topic ARN>:<uuid>`), in one pattern.
pub(super) fn alarms_and_topic(s: &Scope) -> Vec<String> {
    let mut out = alarms(s);
    out.push(s.arn("sns", &format!("{}-alarms*", s.names.stack)));
    out
}

/// The template's logical id of the relay's execution role.
pub const RELAY_ROLE_ID: &str = "RelayRole";

/// The relay's role has no RoleName: CloudFormation names it `<stack>-RelayRole-<12 random>`
/// within IAM's 64 characters. Past that, it keeps only the head of the stack name (AWS does
/// not document the rule; names observed keep at least 25 characters of it), so a long stack
/// name is matched by that head alone.
pub fn relay_role(s: &Scope) -> Vec<String> {
    let stack = &s.names.stack;
    let fits = stack.len() + 1 + RELAY_ROLE_ID.len() + 13 <= 64;
    let pattern = if fits {
        format!("role/{stack}-{RELAY_ROLE_ID}-*")
    } else {
        format!("role/{}*", &stack[..25])
    };
    vec![s.global_arn("iam", &pattern)]
}

/// The relay's role and a pair's replication role (`<stack>-replication`, named by the endpoint
/// template), under one statement.
pub(super) fn roles(s: &Scope) -> Vec<String> {
    let mut out = relay_role(s);
    out.push(replication_role(s));
    out
}

pub fn replication_role(s: &Scope) -> String {
    s.global_arn("iam", &format!("role/{}-replication", s.names.stack))
}

/// A pair's endpoint (named as the stack), the archive of the secondary's bus and that bus,
/// which CreateArchive authorizes too (both in the secondary Region: any Region here).
/// CloudFormation names the archive `<archive stack>-Archive-<random>` within ArchiveName's 48
/// characters; past that it keeps the head of the stack name (as the relay's role: AWS does not
/// document the rule), so a long name is matched by its first 20 characters.
pub fn pair_events(s: &Scope) -> Vec<String> {
    let any_region = |resource: &str| format!("arn:{}:events:*:*:{resource}", s.partition);
    let archive_stack = format!("{}-archive", s.names.stack);
    let head = if archive_stack.len() + "-Archive-".len() + 12 <= 48 {
        format!("{archive_stack}-Archive-")
    } else {
        archive_stack[..20].to_string()
    };
    vec![
        s.arn("events", &format!("endpoint/{}", s.names.stack)),
        any_region(&format!("archive/{head}*")),
        any_region(&format!("event-bus/{}", s.names.bus)),
    ]
}
