//! What evrelay itself calls in each job, by service. Resources are the stack's own ARNs where
//! the service authorizes the action per resource; `*` where the Service Authorization
//! Reference lists no resource type for it (each such grant says why; `policy()` gathers them
//! into one `AnyResource` statement per job).

use serde_json::json;

use super::stack_resources::{self, alarms, log_groups, relay_role};
use super::{Grant, Job, Scope};

pub fn grants(job: Job, s: &Scope) -> Vec<Grant> {
    let mut out = vec![account(), stacks_listed()];
    match job {
        Job::Deploy => {
            out.extend([
                network_reads(),
                Grant::anywhere(
                    "Elbv2",
                    &[
                        // discover's ALB pick and the HTTPS listener checks; ELBv2's Describe*
                        // actions take no resource (Service Authorization Reference).
                        "elasticloadbalancing:DescribeLoadBalancers",
                        "elasticloadbalancing:DescribeListeners",
                        "elasticloadbalancing:DescribeRules",
                        "elasticloadbalancing:DescribeListenerCertificates",
                        "elasticloadbalancing:DescribeTags",
                    ],
                ),
                // The listener's certificates belong to the operator, not to the stack.
                Grant::new(
                    "Acm",
                    &["acm:DescribeCertificate"],
                    vec![s.arn("acm", "certificate/*")],
                ),
                // Private-DNS endpoints: EC2 associates the endpoint's AWS-managed private
                // hosted zone with the VPC in the caller's name; the zone's id is AWS's
                // (Route 53 Developer Guide, "VPC permissions"), so no resource narrows it.
                // ListResourceRecordSets: discover's private-zone names and preflight's
                // addresses for one; the zones are the operator's, found at run time.
                Grant::anywhere(
                    "Route53",
                    &[
                        "route53:AssociateVPCWithHostedZone",
                        "route53:ListHostedZonesByVPC",
                        "route53:ListResourceRecordSets",
                    ],
                ),
                // discover's Cloud Map services and preflight's reach check for one: the List*
                // of namespaces and services take no resource (Service Authorization
                // Reference); ListInstances names services found at run time, shared ones
                // from other accounts included.
                Grant::anywhere(
                    "CloudMap",
                    &[
                        "servicediscovery:ListInstances",
                        "servicediscovery:ListNamespaces",
                        "servicediscovery:ListServices",
                    ],
                ),
                endpoint_writes(),
                tag_on_create(),
                endpoint_deletes(),
                // `--secret-id` names any existing secret; GetRandomPassword has no resource
                // (`--generate-secret`: CloudFormation asks Secrets Manager for the key).
                Grant::anywhere(
                    "SecretsManager",
                    &[
                        "secretsmanager:DescribeSecret",
                        "secretsmanager:GetRandomPassword",
                    ],
                ),
                logs_policy(&["logs:PutResourcePolicy"]),
                stack_changes(s, true),
                queue_reads(s),
                // Lambda checks the caller may see the subnets and groups it is given (Lambda
                // Developer Guide, "Giving Lambda functions access to a VPC": user
                // permissions); those are in network_reads. The execution role is passed only
                // to Lambda.
                Grant::new("IamPassRole", &["iam:PassRole"], relay_role(s)).when(json!({
                    "StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}
                })),
                Grant::anywhere("LambdaAccount", &["lambda:GetAccountSettings"]),
                // A pair's result: the endpoint's id and state. Under the pair's stack-resource
                // statement's name and resources, so `all` holds one statement for both.
                Grant::new(
                    "StackPair",
                    &["events:DescribeEndpoint"],
                    stack_resources::pair_events(s),
                ),
                // Preflight's reserved-concurrency check counts what the relay already holds
                // (merged into the function's own statement: a managed policy holds 6,144).
                Grant::new(
                    "StackLambda",
                    &["lambda:GetFunctionConcurrency"],
                    vec![s.arn("lambda", &format!("function:{}", s.names.function))],
                ),
            ]);
            out.extend(service_role(s));
        }
        Job::Operate => {
            out.extend([
                Grant::new(
                    "CloudFormation",
                    &[
                        "cloudformation:DescribeStackResources",
                        "cloudformation:DescribeStackEvents",
                        "cloudformation:ListStackResources",
                        "cloudformation:ListChangeSets",
                        "cloudformation:DescribeChangeSet",
                    ],
                    // DescribeChangeSet authorizes the change set too; deploy's resources, so
                    // `all` holds one CloudFormation statement.
                    stack_and_change_sets(s),
                ),
                Grant::anywhere(
                    "Ec2",
                    &[
                        "ec2:DescribeVpcEndpoints",
                        "ec2:DescribeNetworkInterfaces",
                        "ec2:DescribeSubnets",
                        "ec2:DescribeSecurityGroups",
                    ],
                ),
                Grant::new(
                    "Events",
                    &["events:PutEvents", "events:DescribeEventBus"],
                    vec![s.arn("events", &format!("event-bus/{}", s.names.bus))],
                ),
                Grant::new(
                    "Sqs",
                    &[
                        "sqs:GetQueueUrl",
                        "sqs:GetQueueAttributes",
                        "sqs:ReceiveMessage",
                        "sqs:DeleteMessage",
                        "sqs:DeleteMessageBatch",
                        "sqs:ChangeMessageVisibility",
                        "sqs:ChangeMessageVisibilityBatch",
                        "sqs:PurgeQueue",
                        // `dlq redrive` in buffered delivery: SQS's own redrive from the DLQ.
                        "sqs:StartMessageMoveTask",
                        "sqs:ListMessageMoveTasks",
                    ],
                    queue_arns(s),
                ),
                // The move task sends to the buffer as the caller (SQS Developer Guide,
                // "Configuring queue permissions for dead-letter queue redrive": SendMessage on
                // the destination queue).
                Grant::new(
                    "SqsRedrive",
                    &["sqs:SendMessage"],
                    vec![s.arn("sqs", &s.names.buffer)],
                ),
                // `status` in buffered delivery. ListEventSourceMappings takes no resource
                // (Service Authorization Reference, AWS Lambda).
                Grant::anywhere("LambdaList", &["lambda:ListEventSourceMappings"]),
                Grant::new(
                    "Logs",
                    &[
                        "logs:FilterLogEvents",
                        "logs:GetLogEvents",
                        "logs:DescribeLogStreams",
                        "logs:StartLiveTail",
                    ],
                    log_groups(s),
                ),
                // Listing takes no resource (Service Authorization Reference).
                Grant::anywhere("LogsList", &["logs:DescribeLogGroups"]),
                // status's health section. GetMetricData names no resource type (Service
                // Authorization Reference, Amazon CloudWatch): it is granted on `*` or not at all.
                Grant::anywhere("CloudWatch", &["cloudwatch:GetMetricData"]),
                Grant::new(
                    "Lambda",
                    &["lambda:GetFunction", "lambda:GetFunctionConfiguration"],
                    vec![s.arn("lambda", &format!("function:{}", s.names.function))],
                ),
                // status: the states of the stack's alarms (`--alarms`).
                Grant::new("Alarms", &["cloudwatch:DescribeAlarms"], alarms(s)),
                // status: whether the stack is a pair (its endpoint is the stack's name) and the
                // secondary archive's size; `replay` starts from that archive. The pair's
                // statement, so `all` holds one for deploy, operate and the resources.
                Grant::new(
                    "StackPair",
                    &[
                        "events:DescribeEndpoint",
                        "events:DescribeArchive",
                        "events:StartReplay",
                    ],
                    stack_resources::pair_events(s),
                ),
                // `replay` watches and cancels only the replays it names `<stack>-<time>`.
                Grant::new(
                    "Replays",
                    &["events:DescribeReplay", "events:CancelReplay"],
                    vec![format!(
                        "arn:{}:events:*:*:replay/{}-*",
                        s.partition, s.names.stack
                    )],
                ),
                // status and `failover`: the endpoint's health check, read and (the drill)
                // inverted. Route 53 makes the id, so no narrower resource can be named before
                // the stack exists; UpdateHealthCheck is only ever sent to the check the
                // evrelay endpoint stack made (src/commands/failover/).
                Grant::new(
                    "HealthCheck",
                    &[
                        "route53:GetHealthCheck",
                        "route53:GetHealthCheckStatus",
                        "route53:UpdateHealthCheck",
                    ],
                    vec![format!("arn:{}:route53:::healthcheck/*", s.partition)],
                ),
            ]);
        }
        Job::StackResources => {
            // Create, update and delete: an update deletes what a condition turns off.
            out = stack_resources::grants(true, s);
            out.extend(stack_resources::grants(false, s));
        }
        Job::Destroy => {
            out.extend([
                network_reads(),
                // Which interfaces in the VPC are load balancers' (they depend on no endpoint).
                Grant::anywhere(
                    "Elbv2",
                    &[
                        "elasticloadbalancing:DescribeLoadBalancers",
                        "elasticloadbalancing:DescribeListeners",
                    ],
                ),
                endpoint_deletes(),
                logs_policy(&[]),
                stack_changes(s, false),
                queue_reads(s),
            ]);
            out.extend(service_role(s));
        }
    }
    out
}

/// STS GetCallerIdentity needs no permission (STS API Reference: "No permissions are required
/// to perform this operation"); listed so the policy names every call evrelay makes.
fn account() -> Grant {
    Grant::anywhere("Sts", &["sts:GetCallerIdentity"])
}

/// The region's other relays (an endpoint another relay uses, the shared Logs policy):
/// DescribeStacks without a name and ListStacks authorize against `*` only.
fn stacks_listed() -> Grant {
    Grant::anywhere(
        "CloudFormationList",
        &["cloudformation:DescribeStacks", "cloudformation:ListStacks"],
    )
}

/// What preflight and destroy read of the VPC. EC2's Describe* actions take no resource
/// (Service Authorization Reference, Amazon EC2: "Describe*" rows list no resource type).
fn network_reads() -> Grant {
    Grant::anywhere(
        "Ec2",
        &[
            "ec2:DescribeVpcs",
            "ec2:DescribeVpcAttribute",
            "ec2:DescribeSubnets",
            "ec2:DescribeRouteTables",
            "ec2:DescribeNatGateways",
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeSecurityGroupRules",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeVpcEndpoints",
            "ec2:DescribeVpcEndpointServices",
            "ec2:DescribeManagedPrefixLists",
            "ec2:GetManagedPrefixListEntries",
        ],
    )
}

/// The endpoints and groups deploy makes. CreateVpcEndpoint and CreateSecurityGroup authorize
/// against the VPC, subnets, groups and route tables the operator chose (ids only known at run
/// time), hence `*`; the tags they carry are created with them, which EC2 authorizes as
/// `ec2:CreateTags` with `ec2:CreateAction` (EC2 User Guide, "Grant permission to tag
/// resources during creation"). An interrupted deploy deletes what it made: only resources
/// tagged `evrelay:managed=true`.
fn endpoint_writes() -> Grant {
    Grant::anywhere(
        "Ec2Create",
        &[
            "ec2:CreateVpcEndpoint",
            "ec2:CreateSecurityGroup",
            "ec2:AuthorizeSecurityGroupIngress",
        ],
    )
}

fn tag_on_create() -> Grant {
    Grant::anywhere("Ec2TagOnCreate", &["ec2:CreateTags"]).when(json!({
        "StringEquals": {"ec2:CreateAction": ["CreateVpcEndpoint", "CreateSecurityGroup"]}
    }))
}

/// Deleting and re-tagging only what evrelay tagged as its own.
fn endpoint_deletes() -> Grant {
    Grant::anywhere(
        "Ec2Managed",
        &[
            "ec2:DeleteVpcEndpoints",
            "ec2:DeleteSecurityGroup",
            "ec2:CreateTags",
            "ec2:DeleteTags",
        ],
    )
    .when(json!({"StringEquals": {"ec2:ResourceTag/evrelay:managed": "true"}}))
}

/// The region's one shared resource policy for the relays' events log groups. Logs resource
/// policies are not ARN resources (Service Authorization Reference, CloudWatch Logs), so `*`.
fn logs_policy(extra: &[&str]) -> Grant {
    let mut actions = vec![
        "logs:DescribeResourcePolicies",
        "logs:DeleteResourcePolicy",
        "logs:DescribeLogGroups",
    ];
    actions.extend(extra);
    Grant::anywhere("LogsPolicy", &actions)
}

/// The relay stack, and a pair's two small stacks (`deploy --secondary-region`):
/// `<stack>-endpoint` beside the relay, `<stack>-archive` in the secondary Region, as one
/// pattern in any Region (two more ARNs with a 50-character stack put `all` past a role's
/// inline-policy size; like the queues' pattern, it also matches stacks named `<stack>-…`).
/// The secondary's relay is its own Region's: a pair needs each Region's documents
/// (`evrelay --region R policy …`).
fn stack_arns(s: &Scope) -> Vec<String> {
    let stack = &s.names.stack;
    vec![
        s.arn("cloudformation", &format!("stack/{stack}/*")),
        format!("arn:{}:cloudformation:*:*:stack/{stack}-*/*", s.partition),
    ]
}

/// The depth of the stack's queues: deploy waits out a deleted queue's name (blocked for 60 s)
/// and reads the buffer before a switch to direct; destroy lists what each queue holds.
fn queue_reads(s: &Scope) -> Grant {
    Grant::new(
        "Sqs",
        &["sqs:GetQueueUrl", "sqs:GetQueueAttributes"],
        queue_arns(s),
    )
}

fn queue_arns(s: &Scope) -> Vec<String> {
    vec![
        s.arn("sqs", &s.names.dlq),
        s.arn("sqs", &s.names.responses_queue),
        s.arn("sqs", &s.names.buffer),
    ]
}

/// The stack and evrelay's change sets on it (named `evrelay-<time>-<id>`).
fn stack_changes(s: &Scope, deploying: bool) -> Grant {
    // DescribeStacks is in CloudFormationList (`*`).
    let mut actions = vec![
        "cloudformation:DescribeStackEvents",
        "cloudformation:DescribeStackResources",
        "cloudformation:ListStackResources",
        "cloudformation:ListChangeSets",
        "cloudformation:DescribeChangeSet",
        "cloudformation:DeleteStack",
    ];
    if deploying {
        actions.extend([
            "cloudformation:CreateChangeSet",
            "cloudformation:ExecuteChangeSet",
            "cloudformation:DeleteChangeSet",
            // The stack's tags (`evrelay:managed`, `--tags`) are authorized as tagging.
            "cloudformation:TagResource",
        ]);
    }
    Grant::new("CloudFormation", &actions, stack_and_change_sets(s))
}

/// The stacks and evrelay's change sets on them.
fn stack_and_change_sets(s: &Scope) -> Vec<String> {
    let mut resources = stack_arns(s);
    resources.push(s.arn("cloudformation", "changeSet/evrelay-*/*"));
    resources
}

/// `--role-arn`: the service role CloudFormation acts as, passed only to CloudFormation. With
/// it, the `Stack*` statements can move to that role.
fn service_role(s: &Scope) -> Vec<Grant> {
    let mut out = Vec::new();
    if let Some(arn) = &s.role_arn {
        out.push(
            Grant::new("IamPassServiceRole", &["iam:PassRole"], vec![arn.clone()]).when(json!({
                "StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}
            })),
        );
    }
    out
}
