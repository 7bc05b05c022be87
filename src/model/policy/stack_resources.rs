//! What CloudFormation does on the caller's behalf: without `--role-arn`, CloudFormation calls
//! each resource's service with the deploying identity's permissions, so deploy needs every
//! create/update/delete/tag action of every resource type in `templates/relay.yaml` (delete
//! too: a failed create rolls back), and destroy the delete actions. The actions follow each
//! type's resource handler permissions in the CloudFormation registry schemas (the
//! "handlers.create/update/delete.permissions" of `aws cloudformation describe-type`), plus the
//! tag actions the stack's tags need: stack-level tags propagate to every resource that
//! supports tags (CloudFormation User Guide, "Resource tag").

use super::{Grant, Scope};

/// One resource type of the template and the actions CloudFormation needs for it.
pub struct StackResource {
    pub resource_type: &'static str,
    /// The statement name (`Stack<Service>`).
    pub name: &'static str,
    /// Create, update, read-back and tag: what a deploy (and its rollback) calls.
    pub deploy: &'static [&'static str],
    /// What deleting it calls.
    pub delete: &'static [&'static str],
    pub resources: fn(&Scope) -> Vec<String>,
}

mod arns;

pub use arns::{alarms, log_groups, pair_events, relay_role, replication_role, RELAY_ROLE_ID};
use arns::{alarms_and_topic, any, bus_and_rules, function, queues, roles, secret};

pub const STACK_RESOURCES: &[StackResource] = &[
    StackResource {
        resource_type: "AWS::Events::EventBus",
        name: "StackEvents",
        deploy: &[
            "events:CreateEventBus",
            "events:DescribeEventBus",
            "events:UpdateEventBus",
            "events:DeleteEventBus",
            "events:TagResource",
            "events:UntagResource",
            "events:ListTagsForResource",
        ],
        delete: &["events:DeleteEventBus", "events:DescribeEventBus"],
        resources: bus_and_rules,
    },
    StackResource {
        resource_type: "AWS::Events::Rule",
        name: "StackEvents",
        deploy: &[
            "events:PutRule",
            "events:DescribeRule",
            "events:PutTargets",
            "events:RemoveTargets",
            "events:ListTargetsByRule",
            "events:DeleteRule",
            "events:TagResource",
            "events:UntagResource",
            "events:ListTagsForResource",
        ],
        delete: &[
            "events:DescribeRule",
            "events:ListTargetsByRule",
            "events:RemoveTargets",
            "events:DeleteRule",
        ],
        resources: bus_and_rules,
    },
    StackResource {
        resource_type: "AWS::IAM::Role",
        name: "StackIam",
        deploy: &[
            "iam:CreateRole",
            "iam:GetRole",
            "iam:DeleteRole",
            "iam:UpdateAssumeRolePolicy",
            "iam:AttachRolePolicy",
            "iam:DetachRolePolicy",
            "iam:PutRolePolicy",
            "iam:GetRolePolicy",
            "iam:DeleteRolePolicy",
            "iam:ListAttachedRolePolicies",
            "iam:ListRolePolicies",
            "iam:TagRole",
            "iam:UntagRole",
        ],
        delete: &[
            "iam:GetRole",
            "iam:ListAttachedRolePolicies",
            "iam:ListRolePolicies",
            "iam:ListInstanceProfilesForRole",
            "iam:DetachRolePolicy",
            "iam:DeleteRolePolicy",
            "iam:DeleteRole",
        ],
        resources: roles,
    },
    StackResource {
        resource_type: "AWS::Lambda::Function",
        name: "StackLambda",
        deploy: &[
            "lambda:CreateFunction",
            "lambda:GetFunction",
            "lambda:GetFunctionConfiguration",
            "lambda:UpdateFunctionCode",
            "lambda:UpdateFunctionConfiguration",
            "lambda:PutFunctionConcurrency",
            "lambda:DeleteFunctionConcurrency",
            // The handler reads the function back whole (recursion and runtime settings too).
            "lambda:GetFunctionCodeSigningConfig",
            "lambda:GetFunctionRecursionConfig",
            "lambda:GetRuntimeManagementConfig",
            "lambda:DeleteFunction",
            "lambda:TagResource",
            "lambda:UntagResource",
            "lambda:ListTags",
        ],
        delete: &["lambda:GetFunction", "lambda:DeleteFunction"],
        resources: function,
    },
    StackResource {
        resource_type: "AWS::Lambda::Permission",
        name: "StackLambda",
        deploy: &[
            "lambda:AddPermission",
            "lambda:RemovePermission",
            "lambda:GetPolicy",
        ],
        delete: &["lambda:RemovePermission", "lambda:GetPolicy"],
        resources: function,
    },
    // Buffered delivery's mapping (only in a stack deployed with Delivery=buffered). Lambda
    // names a mapping by a UUID it picks, and Create/List have no resource type at all
    // (Service Authorization Reference, AWS Lambda), so these share the `*` statement.
    StackResource {
        resource_type: "AWS::Lambda::EventSourceMapping",
        name: "StackLambda",
        deploy: &[
            "lambda:CreateEventSourceMapping",
            "lambda:GetEventSourceMapping",
            "lambda:ListEventSourceMappings",
            "lambda:UpdateEventSourceMapping",
            "lambda:DeleteEventSourceMapping",
            "lambda:TagResource",
        ],
        delete: &[
            "lambda:GetEventSourceMapping",
            "lambda:DeleteEventSourceMapping",
        ],
        resources: any,
    },
    StackResource {
        resource_type: "AWS::Lambda::EventInvokeConfig",
        name: "StackLambda",
        deploy: &[
            "lambda:PutFunctionEventInvokeConfig",
            "lambda:UpdateFunctionEventInvokeConfig",
            "lambda:GetFunctionEventInvokeConfig",
            "lambda:DeleteFunctionEventInvokeConfig",
        ],
        delete: &["lambda:DeleteFunctionEventInvokeConfig"],
        resources: function,
    },
    StackResource {
        resource_type: "AWS::Logs::LogGroup",
        name: "StackLogs",
        deploy: &[
            "logs:CreateLogGroup",
            "logs:PutRetentionPolicy",
            "logs:DeleteRetentionPolicy",
            "logs:DeleteLogGroup",
            "logs:TagResource",
            "logs:UntagResource",
            "logs:ListTagsForResource",
            "logs:TagLogGroup",
            "logs:UntagLogGroup",
            "logs:ListTagsLogGroup",
        ],
        delete: &["logs:DeleteLogGroup"],
        resources: log_groups,
    },
    StackResource {
        resource_type: "AWS::SQS::Queue",
        name: "StackSqs",
        deploy: &[
            "sqs:CreateQueue",
            "sqs:GetQueueUrl",
            "sqs:GetQueueAttributes",
            "sqs:SetQueueAttributes",
            "sqs:DeleteQueue",
            "sqs:TagQueue",
            "sqs:UntagQueue",
            "sqs:ListQueueTags",
        ],
        delete: &[
            "sqs:GetQueueUrl",
            "sqs:GetQueueAttributes",
            "sqs:DeleteQueue",
        ],
        resources: queues,
    },
    StackResource {
        resource_type: "AWS::SQS::QueuePolicy",
        name: "StackSqs",
        deploy: &["sqs:SetQueueAttributes", "sqs:GetQueueAttributes"],
        delete: &["sqs:SetQueueAttributes"],
        resources: queues,
    },
    StackResource {
        resource_type: "AWS::SecretsManager::Secret",
        name: "StackSecret",
        deploy: &[
            "secretsmanager:CreateSecret",
            "secretsmanager:DescribeSecret",
            "secretsmanager:UpdateSecret",
            "secretsmanager:PutSecretValue",
            "secretsmanager:DeleteSecret",
            "secretsmanager:TagResource",
            "secretsmanager:UntagResource",
        ],
        delete: &[
            "secretsmanager:DescribeSecret",
            "secretsmanager:DeleteSecret",
        ],
        resources: secret,
    },
    // `--alarms`: the alarms, and for an email address the topic and its subscription. One
    // statement over both services' resources (no action of one matches the other's ARN), and
    // only what the handlers call for the properties the template sets (no topic policy, data
    // protection or subscription attributes): the deploy policy is near a managed policy's size.
    StackResource {
        resource_type: "AWS::CloudWatch::Alarm",
        name: "StackAlarms",
        deploy: &[
            "cloudwatch:PutMetricAlarm",
            "cloudwatch:DescribeAlarms",
            "cloudwatch:DeleteAlarms",
            "cloudwatch:TagResource",
        ],
        delete: &["cloudwatch:DescribeAlarms", "cloudwatch:DeleteAlarms"],
        resources: alarms_and_topic,
    },
    StackResource {
        resource_type: "AWS::SNS::Topic",
        name: "StackAlarms",
        deploy: &[
            "sns:CreateTopic",
            "sns:GetTopicAttributes",
            "sns:DeleteTopic",
            "sns:TagResource",
        ],
        delete: &["sns:GetTopicAttributes", "sns:DeleteTopic"],
        resources: alarms_and_topic,
    },
    StackResource {
        resource_type: "AWS::SNS::Subscription",
        name: "StackAlarms",
        deploy: &["sns:Subscribe", "sns:Unsubscribe"],
        delete: &["sns:Unsubscribe"],
        resources: alarms_and_topic,
    },
    // A pair's stacks (templates/endpoint.yaml, templates/archive.yaml). The handlers' actions
    // (the registry schemas' handler permissions): the endpoint's read the health check and
    // pass the replication role (below, to EventBridge only).
    StackResource {
        resource_type: "AWS::Events::Endpoint",
        name: "StackPair",
        deploy: &[
            "events:CreateEndpoint",
            "events:DescribeEndpoint",
            "events:UpdateEndpoint",
            "events:DeleteEndpoint",
        ],
        delete: &["events:DescribeEndpoint", "events:DeleteEndpoint"],
        resources: pair_events,
    },
    StackResource {
        resource_type: "AWS::Events::Archive",
        name: "StackPair",
        deploy: &[
            "events:CreateArchive",
            "events:DescribeArchive",
            "events:UpdateArchive",
            "events:DeleteArchive",
        ],
        delete: &["events:DescribeArchive", "events:DeleteArchive"],
        resources: pair_events,
    },
    // Route 53 picks the health check's id: CreateHealthCheck takes no resource and the rest
    // name ids unknown before the deploy, so these share the `*` statement.
    StackResource {
        resource_type: "AWS::Route53::HealthCheck",
        name: "StackRoute53",
        deploy: &[
            "route53:CreateHealthCheck",
            "route53:GetHealthCheck",
            "route53:UpdateHealthCheck",
            "route53:DeleteHealthCheck",
            "route53:ChangeTagsForResource",
            "route53:ListTagsForResource",
        ],
        delete: &["route53:GetHealthCheck", "route53:DeleteHealthCheck"],
        resources: any,
    },
];

/// The stack-resource statements of a job: each type's actions, merged per statement name.
pub fn grants(deploying: bool, scope: &Scope) -> Vec<Grant> {
    let mut out: Vec<Grant> = Vec::new();
    for r in STACK_RESOURCES {
        let actions = if deploying { r.deploy } else { r.delete };
        match out.iter_mut().find(|g| g.name == r.name) {
            Some(g) => g.actions.extend(actions.iter().map(|a| a.to_string())),
            None => out.push(Grant::new(r.name, actions, (r.resources)(scope))),
        }
    }
    if deploying {
        // The endpoint's handler passes the replication role to EventBridge (RoleArn).
        out.push(
            Grant::new(
                "StackPassReplication",
                &["iam:PassRole"],
                vec![replication_role(scope)],
            )
            .when(serde_json::json!({
                "StringEquals": {"iam:PassedToService": "events.amazonaws.com"}
            })),
        );
    }
    out
}

/// The resource types a template declares (`Type:` four spaces deep under `Resources:`).
pub fn template_resource_types(template: &str) -> Vec<String> {
    let mut types = Vec::new();
    let mut inside = false;
    for line in template.lines() {
        if !line.starts_with(' ') && !line.trim().is_empty() && !line.starts_with('#') {
            inside = line.trim_end() == "Resources:";
            continue;
        }
        if let Some(t) = line.strip_prefix("    Type: ").filter(|_| inside) {
            let t = t.trim().to_string();
            if !types.contains(&t) {
                types.push(t);
            }
        }
    }
    types
}
