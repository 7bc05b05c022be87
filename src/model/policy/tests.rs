use super::*;
use crate::template::TEMPLATE_SOURCE;

fn scope() -> Scope {
    Scope::new(
        "orders",
        Some("eu-west-1"),
        Some("arn:aws:iam::123456789012:role/cfn"),
    )
}

fn documents() -> Vec<PolicyDocument> {
    let s = scope();
    let mut docs: Vec<PolicyDocument> = Job::ALL.iter().map(|j| policy(&[*j], &s)).collect();
    docs.push(policy(&Job::ALL, &s));
    docs
}

#[test]
fn every_template_resource_type_has_its_cloudformation_actions() {
    let types = template_resource_types(TEMPLATE_SOURCE);
    assert!(
        types.contains(&"AWS::Lambda::Function".to_string()),
        "{types:?}"
    );
    let missing: Vec<&String> = types
        .iter()
        .filter(|t| !STACK_RESOURCES.iter().any(|r| &r.resource_type == t))
        .collect();
    assert!(
        missing.is_empty(),
        "templates/relay.yaml has resource types with no actions in src/model/policy/stack_resources.rs: {missing:?}"
    );
}

#[test]
fn resource_types_are_read_from_the_resources_section_only() {
    let template = "Parameters:\n  A:\n    Type: String\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      Type: nested\n  R:\n    Type: AWS::SQS::Queue\nOutputs:\n  O:\n    Type: x\n";
    assert_eq!(template_resource_types(template), vec!["AWS::SQS::Queue"]);
}

#[test]
fn every_action_is_a_valid_service_action() {
    for doc in documents() {
        for action in doc.actions() {
            assert!(is_valid_action(&action), "not service:Action: {action}");
        }
    }
    for r in STACK_RESOURCES {
        for a in r.deploy.iter().chain(r.delete) {
            assert!(is_valid_action(a), "{}: {a}", r.resource_type);
        }
    }
}

#[test]
fn an_action_is_a_lowercase_service_and_a_capitalised_name() {
    assert!(is_valid_action("ec2:CreateVpcEndpoint"));
    assert!(is_valid_action("elasticloadbalancing:DescribeTags"));
    for bad in [
        "ec2",
        "ec2:",
        ":Describe",
        "EC2:DescribeVpcs",
        "ec2:describeVpcs",
        "ec2:Describe*",
        "ec2:Describe Vpcs",
        "ec2:Create:Tags",
    ] {
        assert!(!is_valid_action(bad), "{bad}");
    }
}

#[test]
fn sids_are_unique_and_alphanumeric() {
    for doc in documents() {
        let mut sids: Vec<&str> = doc.statement.iter().map(|s| s.sid.as_str()).collect();
        assert!(
            sids.iter()
                .all(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric())),
            "{sids:?}"
        );
        let n = sids.len();
        sids.sort();
        sids.dedup();
        assert_eq!(sids.len(), n, "duplicate Sid in {sids:?}");
    }
}

/// IAM quotas (IAM User Guide, "IAM and AWS STS quotas"), whitespace not counted: a customer
/// managed policy holds at most 6,144 characters; a role's inline policies 10,240 together.
/// Each job fits one managed policy; `all` fits a role's inline policy.
#[test]
fn each_job_fits_one_managed_policy_and_all_fits_a_roles_inline_policy() {
    let size = |doc: &PolicyDocument| {
        let text = serde_json::to_string(doc).unwrap();
        text.chars().filter(|c| !c.is_whitespace()).count()
    };
    // The longest names: a 50-character stack (the most `--stack` takes), a 14-character
    // region, a role name of IAM's 64.
    let role = format!("arn:aws:iam::123456789012:role/{}", "r".repeat(64));
    let s = Scope::new(&"s".repeat(50), Some("ap-southeast-3"), Some(&role));
    for job in Job::ALL {
        let n = size(&policy(&[job], &s));
        assert!(n <= 6144, "{}: {n} characters", job.name());
    }
    let n = size(&policy(&Job::ALL, &s));
    assert!(n <= 10_240, "all: {n} characters");
}

#[test]
fn the_stacks_own_resources_are_named_not_wildcarded() {
    let doc = policy(&[Job::Operate], &scope());
    let sqs = doc
        .statement
        .iter()
        .find(|s| s.sid == "OperateSqs")
        .unwrap();
    assert_eq!(
        sqs.resource,
        vec![
            "arn:aws:sqs:eu-west-1:*:orders-dlq",
            "arn:aws:sqs:eu-west-1:*:orders-responses",
            "arn:aws:sqs:eu-west-1:*:orders-buffer"
        ]
    );
    let logs = doc
        .statement
        .iter()
        .find(|s| s.sid == "OperateLogs")
        .unwrap();
    assert!(logs.action.contains(&"logs:StartLiveTail".to_string()));
    assert!(logs
        .resource
        .contains(&"arn:aws:logs:eu-west-1:*:log-group:/aws/events/evrelay/orders:*".to_string()));
    // Every resource names the stack, or is `*` / a certificate / the role the operator passed.
    for doc in documents() {
        for st in &doc.statement {
            for r in &st.resource {
                assert!(
                    r == "*"
                        || r.contains("orders")
                        || r.ends_with(":certificate/*")
                        // A pair's Route 53 health check: Route 53 makes its id.
                        || r.ends_with(":healthcheck/*")
                        // evrelay's change sets (`evrelay-<time>-<id>`), on this stack only:
                        // CloudFormation authorizes them with the stack's ARN beside them.
                        || r.ends_with(":changeSet/evrelay-*/*")
                        || r.ends_with(":role/cfn"),
                    "{}: {r}",
                    st.sid
                );
            }
        }
    }
}

#[test]
fn deploy_names_the_permissions_that_fail_half_way() {
    let deploy = policy(&[Job::Deploy], &scope()).actions();
    for needed in [
        "route53:AssociateVPCWithHostedZone",
        "ec2:CreateTags",
        "secretsmanager:GetRandomPassword",
        "iam:PassRole",
        "acm:DescribeCertificate",
    ] {
        assert!(deploy.contains(&needed.to_string()), "{needed}");
    }
    // CloudFormation tags what it makes with the stack's tags, as the caller or the role.
    let resources = policy(&[Job::StackResources], &scope()).actions();
    for needed in [
        "lambda:TagResource",
        "sqs:TagQueue",
        "logs:TagResource",
        "events:TagResource",
        "secretsmanager:TagResource",
        "iam:TagRole",
        "lambda:DeleteFunction",
    ] {
        assert!(resources.contains(&needed.to_string()), "{needed}");
    }
    let doc = policy(&[Job::Deploy], &scope());
    let passes: Vec<&Statement> = doc
        .statement
        .iter()
        .filter(|s| s.action == ["iam:PassRole"])
        .collect();
    assert_eq!(passes.len(), 2, "the relay role and --role-arn");
    assert_eq!(
        passes[0].resource,
        vec!["arn:aws:iam::*:role/orders-RelayRole-*"]
    );
    assert_eq!(
        passes[1].resource,
        vec!["arn:aws:iam::123456789012:role/cfn"]
    );
    let without = policy(&[Job::Deploy], &Scope::new("orders", None, None));
    assert_eq!(
        without
            .statement
            .iter()
            .filter(|s| s.action == ["iam:PassRole"])
            .count(),
        1
    );
}

#[test]
fn all_is_every_jobs_actions_in_one_document() {
    let s = scope();
    let all = policy(&Job::ALL, &s).actions();
    let mut union: Vec<String> = Job::ALL
        .iter()
        .flat_map(|j| policy(&[*j], &s).actions())
        .collect();
    union.sort();
    union.dedup();
    assert_eq!(all, union);
}

#[test]
fn the_partition_follows_the_region() {
    let cn = policy(&[Job::Operate], &Scope::new("o", Some("cn-north-1"), None));
    let r = &cn
        .statement
        .iter()
        .find(|s| s.sid == "OperateSqs")
        .unwrap()
        .resource[0];
    assert_eq!(r, "arn:aws-cn:sqs:cn-north-1:*:o-dlq");
    let anywhere = policy(&[Job::Operate], &Scope::new("o", None, None));
    let r = &anywhere
        .statement
        .iter()
        .find(|s| s.sid == "OperateSqs")
        .unwrap()
        .resource[0];
    assert_eq!(r, "arn:aws:sqs:*:*:o-dlq");
}

#[test]
fn the_document_is_iam_json() {
    let doc = policy(&[Job::Destroy], &scope());
    let v = serde_json::to_value(&doc).unwrap();
    assert_eq!(v["Version"], "2012-10-17");
    let st = &v["Statement"][0];
    assert_eq!(st["Effect"], "Allow");
    assert!(st["Sid"].as_str().unwrap().starts_with("Destroy"));
    assert!(st["Action"].is_array() && st["Resource"].is_array());
    let managed = v["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Sid"] == "DestroyEc2Managed")
        .unwrap();
    assert_eq!(
        managed["Condition"]["StringEquals"]["ec2:ResourceTag/evrelay:managed"],
        "true"
    );
}

#[test]
fn the_relay_role_pattern_follows_cloudformations_generated_name() {
    assert!(crate::template::resource_ids(TEMPLATE_SOURCE).contains(&RELAY_ROLE_ID.to_string()));
    let role = |stack: &str| {
        let doc = policy(&[Job::Deploy], &Scope::new(stack, None, None));
        let st = doc
            .statement
            .iter()
            .find(|s| s.sid == "DeployIamPassRole")
            .unwrap();
        st.resource[0].clone()
    };
    // 41 characters: `<stack>-RelayRole-` and 12 random characters make exactly 64.
    let fits = "a".repeat(41);
    assert_eq!(
        role(&fits),
        format!("arn:aws:iam::*:role/{fits}-RelayRole-*")
    );
    let long = format!("{}{}", "b".repeat(25), "c".repeat(17));
    assert_eq!(
        role(&long),
        format!("arn:aws:iam::*:role/{}*", "b".repeat(25))
    );
}

#[test]
fn a_pair_s_stacks_have_their_resource_types_actions_and_the_replication_role_goes_to_eventbridge_only(
) {
    for template in [
        crate::template::ENDPOINT_TEMPLATE,
        crate::template::ARCHIVE_TEMPLATE,
    ] {
        for t in template_resource_types(template) {
            assert!(
                STACK_RESOURCES.iter().any(|r| r.resource_type == t),
                "{t} has no actions in src/model/policy/stack_resources.rs"
            );
        }
    }
    let doc = policy(&[Job::StackResources], &scope());
    let pass = doc
        .statement
        .iter()
        .find(|s| s.sid == "ResourcesStackPassReplication")
        .unwrap();
    assert_eq!(pass.resource, ["arn:aws:iam::*:role/orders-replication"]);
    assert_eq!(
        pass.condition.as_ref().unwrap()["StringEquals"]["iam:PassedToService"],
        "events.amazonaws.com"
    );
    let pair = doc
        .statement
        .iter()
        .find(|s| s.sid == "ResourcesStackPair")
        .unwrap();
    assert!(pair
        .resource
        .contains(&"arn:aws:events:eu-west-1:*:endpoint/orders".to_string()));
    let deploy = policy(&[Job::Deploy], &scope());
    let cfn = deploy
        .statement
        .iter()
        .find(|s| s.sid == "DeployCloudFormation")
        .unwrap();
    assert!(cfn
        .resource
        .contains(&"arn:aws:cloudformation:*:*:stack/orders-*/*".to_string()));
    assert!(deploy
        .actions()
        .contains(&"events:DescribeEndpoint".to_string()));
}
