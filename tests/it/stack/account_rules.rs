//! The account rules moto does not enforce and the strict emulator does (tests/emulator/):
//! each refusal is one line, exit 1, and leaves the account as it was; the endpoint's own
//! security group and the shared Logs policy come and go with the relays; a deploy right after
//! a destroy waits out SQS's queue-name window.

use std::collections::BTreeSet;

use crate::fixtures::{reroute_private_subnets, set_vpc_dns, Egress, EksctlVpc};
use crate::harness::Moto;
use crate::stack::net::{seed, Net};

const SECRET: &str = "k3y-for-account-rules";
const SHARED_POLICY: &str = "evrelay-events-logs";

fn deploy(moto: &Moto, net: &Net, stack: &str) -> std::process::Output {
    moto.evrelay()
        .args(["--stack", stack, "deploy", "--subnet", &net.private_a])
        .args([
            "--subnet",
            &net.private_b,
            "--security-group",
            &net.relay_sg,
        ])
        .args(["--url", &net.alb_url, "--yes", "--secret-stdin"])
        .write_stdin(format!("{SECRET}\n"))
        .output()
        .unwrap()
}

fn destroy(moto: &Moto, stack: &str) -> std::process::Output {
    moto.evrelay()
        .args(["--stack", stack, "destroy", "--yes"])
        .output()
        .unwrap()
}

fn stderr(out: &std::process::Output) -> String {
    let text = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!text.contains(SECRET), "the secret leaked:\n{text}");
    text
}

/// What a deploy could leave behind, as one comparable value.
#[derive(Debug, PartialEq, Eq)]
struct Account {
    stacks: BTreeSet<String>,
    endpoints: BTreeSet<String>,
    groups: BTreeSet<String>,
    policies: BTreeSet<String>,
}

async fn account(moto: &Moto, net: &Net) -> Account {
    let sdk = moto.sdk().await;
    let logs = aws_sdk_cloudwatchlogs::Client::new(&sdk);
    let stacks = net.cfn.list_stacks().send().await.unwrap();
    let groups = net.ec2.describe_security_groups().send().await.unwrap();
    let policies = logs.describe_resource_policies().send().await.unwrap();
    Account {
        stacks: stacks
            .stack_summaries()
            .iter()
            .filter(|s| s.stack_status().map(|s| s.as_str()) != Some("DELETE_COMPLETE"))
            .filter_map(|s| s.stack_name().map(str::to_string))
            .collect(),
        endpoints: net
            .live_endpoints()
            .await
            .iter()
            .filter_map(|e| e.vpc_endpoint_id().map(str::to_string))
            .collect(),
        groups: groups
            .security_groups()
            .iter()
            .filter_map(|g| g.group_id().map(str::to_string))
            .collect(),
        policies: policies
            .resource_policies()
            .iter()
            .filter_map(|p| p.policy_name().map(str::to_string))
            .collect(),
    }
}

/// The error line evrelay printed (the first line of stderr).
/// The refusal: the one `error:` line (deploy's "Deploying stack …" progress note comes first).
fn error_line(out: &std::process::Output) -> String {
    stderr(out)
        .lines()
        .find(|l| l.starts_with("error:"))
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn a_vpc_without_dns_hostnames_is_refused_before_anything_is_created() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    set_vpc_dns(&net.ec2, &net.vpc, true, false).await;
    let before = account(&moto, &net).await;
    let out = deploy(&moto, &net, "nodns");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        error_line(&out),
        format!("error: VPC {} has enableDnsHostnames off: the relay's private-DNS interface endpoints need enableDnsSupport and enableDnsHostnames", net.vpc)
    );
    assert_eq!(
        account(&moto, &net).await,
        before,
        "the account holds nothing new"
    );
}

#[tokio::test]
async fn a_full_logs_policy_quota_is_refused_before_anything_is_created() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let logs = aws_sdk_cloudwatchlogs::Client::new(&moto.sdk().await);
    for i in 0..10 {
        logs.put_resource_policy()
            .policy_name(format!("someone-else-{i}"))
            .policy_document("{}")
            .send()
            .await
            .unwrap();
    }
    let before = account(&moto, &net).await;
    let out = deploy(&moto, &net, "noslot");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        error_line(&out),
        "error: CloudWatch Logs in us-east-1 already holds 10 resource policies, the quota (which cannot be raised), and none is evrelay's `evrelay-events-logs`"
    );
    assert_eq!(
        account(&moto, &net).await,
        before,
        "the account holds nothing new"
    );
}

#[tokio::test]
async fn relays_share_one_logs_policy_and_each_endpoint_has_its_own_group() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let out = deploy(&moto, &net, "first");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let [endpoint] = &net.live_endpoints().await[..] else {
        panic!("one Secrets Manager endpoint")
    };
    let group_ids: Vec<String> = endpoint
        .groups()
        .iter()
        .filter_map(|g| g.group_id().map(str::to_string))
        .collect();
    let groups = net
        .ec2
        .describe_security_groups()
        .set_group_ids(Some(group_ids.clone()))
        .send()
        .await
        .unwrap();
    let [group] = groups.security_groups() else {
        panic!("the endpoint has exactly its own group: {group_ids:?}")
    };
    assert_eq!(group.group_name(), Some("first-secretsmanager-endpoint"));
    assert_ne!(group.group_id(), Some(net.relay_sg.as_str()));
    let tag = |k: &str| {
        group
            .tags()
            .iter()
            .find(|t| t.key() == Some(k))
            .and_then(|t| t.value())
            .map(str::to_string)
    };
    assert_eq!(tag("evrelay:managed").as_deref(), Some("true"));
    assert_eq!(tag("evrelay:stack").as_deref(), Some("first"));
    let [rule] = group.ip_permissions() else {
        panic!("one inbound rule")
    };
    assert_eq!((rule.from_port(), rule.to_port()), (Some(443), Some(443)));
    let cidrs: Vec<&str> = rule
        .ip_ranges()
        .iter()
        .filter_map(|r| r.cidr_ip())
        .collect();
    assert_eq!(
        cidrs,
        ["192.168.0.0/16"],
        "every workload of the VPC, not just the relay"
    );

    // A second relay reuses the endpoint and the one Logs policy: still one slot.
    let out = deploy(&moto, &net, "second");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let shared = |a: &Account| {
        a.policies
            .iter()
            .filter(|p| p.as_str() == SHARED_POLICY)
            .count()
    };
    let now = account(&moto, &net).await;
    assert_eq!(now.policies.len(), 1, "{:?}", now.policies);
    assert_eq!(shared(&now), 1);

    // The first goes: the endpoint and its group pass to the second; the policy stays.
    let out = destroy(&moto, "first");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let now = account(&moto, &net).await;
    assert_eq!(
        now.endpoints.len(),
        1,
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(now.groups.contains(group.group_id().unwrap()));
    assert_eq!(shared(&now), 1, "another relay still writes through it");

    // The last goes: endpoint, then its group, then the policy.
    let out = destroy(&moto, "second");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let now = account(&moto, &net).await;
    assert!(now.endpoints.is_empty(), "{:?}", now.endpoints);
    assert!(
        !now.groups.contains(group.group_id().unwrap()),
        "the endpoint's group is gone"
    );
    assert!(
        now.groups.contains(&net.relay_sg),
        "never a group evrelay did not make"
    );
    assert_eq!(shared(&now), 0, "no relay left in the region");
}

/// A first deploy puts the shared policy before its change set runs, while its stack is still
/// REVIEW_IN_PROGRESS (no tags, no log group yet): a destroy then must not take the policy.
#[tokio::test]
async fn a_stack_under_review_keeps_the_shared_policy_through_the_last_destroy() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let out = deploy(&moto, &net, "only");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    net.cfn
        .create_change_set()
        .stack_name("next")
        .change_set_name("evrelay-1-abcdef")
        .change_set_type(aws_sdk_cloudformation::types::ChangeSetType::Create)
        .template_body(r#"{"Resources":{"Q":{"Type":"AWS::SQS::Queue"}}}"#)
        .send()
        .await
        .unwrap();
    let out = destroy(&moto, "only");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let now = account(&moto, &net).await;
    assert!(now.policies.contains(SHARED_POLICY), "{:?}", now.policies);
}

/// A destroy stopped after the stack and the endpoint were gone (Ctrl-C while EC2 still held
/// the endpoint's group) is finished by the next one: the group is all that is left, and it goes.
#[tokio::test]
async fn a_rerun_destroy_removes_the_group_a_stopped_one_left() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let before = account(&moto, &net).await;
    let out = deploy(&moto, &net, "stopped");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    net.cfn
        .delete_stack()
        .stack_name("stopped")
        .send()
        .await
        .unwrap();
    let ids: Vec<String> = net
        .live_endpoints()
        .await
        .iter()
        .filter_map(|e| e.vpc_endpoint_id().map(str::to_string))
        .collect();
    net.ec2
        .delete_vpc_endpoints()
        .set_vpc_endpoint_ids(Some(ids))
        .send()
        .await
        .unwrap();
    let left = account(&moto, &net).await;
    assert_eq!(
        left.groups.len(),
        before.groups.len() + 1,
        "the endpoint's group is left"
    );

    let out = destroy(&moto, "stopped");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(account(&moto, &net).await, before, "{}", stderr(&out));
}

#[tokio::test]
async fn a_deploy_right_after_a_destroy_waits_out_the_queue_name_window() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let out = deploy(&moto, &net, "again");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = destroy(&moto, "again");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The emulator blocks the queue names as SQS does; without the wait this rolls back.
    let out = deploy(&moto, &net, "again");
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("before creating stack again: it was deleted less than a minute ago, and SQS keeps a deleted queue's name blocked for 60 s."),
        "{text}"
    );
    assert!(net.stack_exists("again").await);
}

#[tokio::test]
async fn an_unverified_route_needs_the_operator_to_choose_the_events_endpoint() {
    let moto = Moto::start();
    let sdk = moto.sdk().await;
    let eks = EksctlVpc::seed(&sdk, "tgw").await;
    let tgw = reroute_private_subnets(&sdk, &eks, Egress::TransitGateway).await;
    let net = seed(&moto).await;
    let args = |stack: &str| {
        let mut cmd = moto.evrelay();
        cmd.args([
            "--stack",
            stack,
            "deploy",
            "--subnet",
            &eks.private_subnets[0],
        ])
        .args(["--subnet", &eks.private_subnets[1]])
        .args(["--security-group", &eks.shared_node_sg])
        .args(["--url", &format!("http://{}/", eks.internal_alb.dns_name)])
        .args(["--yes", "--secret-stdin"])
        .write_stdin(format!("{SECRET}\n"));
        cmd
    };
    let before = account(&moto, &net).await;
    let out = args("tgw").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let line = error_line(&out);
    assert!(
        line.starts_with(&format!(
            "error: unverified: {} routes 0.0.0.0/0 to {tgw}, a transit gateway",
            eks.private_subnets[0]
        )),
        "{line}"
    );
    assert_eq!(
        account(&moto, &net).await,
        before,
        "the account holds nothing new"
    );

    let out = args("tgw")
        .args(["--events-endpoint", "skip"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let services: Vec<String> = net
        .live_endpoints_in(&eks.vpc_id)
        .await
        .iter()
        .filter_map(|e| e.service_name().map(str::to_string))
        .collect();
    assert_eq!(
        services,
        ["com.amazonaws.us-east-1.secretsmanager"],
        "skip: no events endpoint"
    );
}

/// A late invocation after a destroy makes Lambda recreate `/aws/lambda/<stack>-relay`; the next
/// deploy's stack would fail on it half-way (the strict emulator rolls it back as AWS does).
/// Preflight names it first; once it is deleted, deploy and a later update both go through.
#[tokio::test]
async fn a_leftover_function_log_group_is_refused_before_anything_is_created() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    let logs = aws_sdk_cloudwatchlogs::Client::new(&moto.sdk().await);
    let group = "/aws/lambda/late-relay";
    logs.create_log_group()
        .log_group_name(group)
        .send()
        .await
        .unwrap();
    let before = account(&moto, &net).await;
    let out = deploy(&moto, &net, "late");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let line = error_line(&out);
    assert!(
        line.starts_with(&format!("error: log group `{group}` (")),
        "{line}"
    );
    assert!(line.contains("stored) already exists"), "{line}");
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "aws logs delete-log-group --log-group-name {group}"
        )),
        "{err}"
    );
    assert!(err.contains("aws logs create-export-task"), "{err}");
    assert_eq!(
        account(&moto, &net).await,
        before,
        "the account holds nothing new"
    );

    logs.delete_log_group()
        .log_group_name(group)
        .send()
        .await
        .unwrap();
    let out = deploy(&moto, &net, "late");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Its own groups now exist: an update is not a new stack.
    let out = deploy(&moto, &net, "late");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}
