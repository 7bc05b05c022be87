//! A relay pair behind a global endpoint, for the tests of what reads and drives one (send
//! --global, status, failover, replay, destroy): a plain VPC in each Region (private subnets, a
//! node group, an internal ALB), the relay deployed in both with the single-Region CLI, and the
//! endpoint and archive stacks made with CloudFormation from `evrelay template endpoint|archive`,
//! tagged as evrelay tags what it makes. `deploy --secondary-region`'s own tests make the pair
//! through the CLI instead.

use aws_sdk_cloudformation::types::{Parameter, Tag};

use crate::fixtures::PlainVpc;
use crate::harness::{Moto, REGION};

pub const PRIMARY: &str = REGION;
pub const SECONDARY: &str = "us-west-2";

pub struct PairNets {
    pub primary: PlainVpc,
    pub secondary: PlainVpc,
}

pub async fn seed_pair(moto: &Moto) -> PairNets {
    PairNets {
        primary: PlainVpc::seed(&moto.sdk_in(PRIMARY).await, "orders", "10.30.0.0/16").await,
        secondary: PlainVpc::seed(&moto.sdk_in(SECONDARY).await, "orders", "10.40.0.0/16").await,
    }
}

/// `evrelay --region R --stack S deploy …` into `vpc`, with a generated secret.
pub fn relay_deploy_args(vpc: &PlainVpc, stack: &str, region: &str) -> Vec<String> {
    let mut args: Vec<String> = ["--region", region, "--stack", stack, "deploy"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for subnet in &vpc.private_subnets {
        args.extend(["--subnet".to_string(), subnet.clone()]);
    }
    args.extend([
        "--security-group".to_string(),
        vpc.node_sg.clone(),
        "--url".to_string(),
        format!("http://{}/", vpc.internal_alb.dns_name),
        "--yes".to_string(),
        "--generate-secret".to_string(),
    ]);
    args
}

/// Both relays through the CLI, then the endpoint stack (primary) and the archive stack
/// (secondary) with CloudFormation, as `deploy --secondary-region` leaves them.
pub async fn deploy_pair_by_hand(moto: &Moto, nets: &PairNets, stack: &str, replication: bool) {
    deploy_relays_by_hand(moto, nets, stack).await;
    make_pair_of(moto, stack, replication).await;
}

/// The relay in each Region through the single-Region CLI: two relays, not yet a pair.
pub async fn deploy_relays_by_hand(moto: &Moto, nets: &PairNets, stack: &str) {
    for (vpc, region) in [(&nets.primary, PRIMARY), (&nets.secondary, SECONDARY)] {
        let out = moto
            .evrelay()
            .args(relay_deploy_args(vpc, stack, region))
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "relay in {region}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The endpoint stack (primary) and the archive stack (secondary) over two deployed relays.
pub async fn make_pair_of(moto: &Moto, stack: &str, replication: bool) {
    let replication = if replication { "ENABLED" } else { "DISABLED" };
    create_stack(
        moto,
        PRIMARY,
        &format!("{stack}-endpoint"),
        "endpoint",
        &[
            ("RelayStack", stack),
            ("SecondaryRegion", SECONDARY),
            ("Replication", replication),
        ],
        stack,
    )
    .await;
    create_stack(
        moto,
        SECONDARY,
        &format!("{stack}-archive"),
        "archive",
        &[("RelayStack", stack), ("RetentionDays", "7")],
        stack,
    )
    .await;
}

async fn create_stack(
    moto: &Moto,
    region: &str,
    name: &str,
    part: &str,
    params: &[(&str, &str)],
    relay: &str,
) {
    let out = moto.evrelay().args(["template", part]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let cfn = aws_sdk_cloudformation::Client::new(&moto.sdk_in(region).await);
    let tag = |k: &str, v: &str| Tag::builder().key(k).value(v).build();
    cfn.create_stack()
        .stack_name(name)
        .template_body(String::from_utf8(out.stdout).unwrap())
        .set_parameters(Some(
            params
                .iter()
                .map(|(k, v)| {
                    Parameter::builder()
                        .parameter_key(*k)
                        .parameter_value(*v)
                        .build()
                })
                .collect(),
        ))
        .capabilities(aws_sdk_cloudformation::types::Capability::CapabilityNamedIam)
        .tags(tag("evrelay:managed", "true"))
        .tags(tag("evrelay:stack", relay))
        .send()
        .await
        .unwrap();
    let status = cfn
        .describe_stacks()
        .stack_name(name)
        .send()
        .await
        .unwrap()
        .stacks()[0]
        .stack_status()
        .unwrap()
        .as_str()
        .to_string();
    assert_eq!(status, "CREATE_COMPLETE", "{name} in {region}");
}

/// The fixture itself: both relays, the endpoint ACTIVE over both buses, the archive on the
/// secondary's bus.
#[tokio::test]
async fn a_pair_made_by_hand_has_an_active_endpoint_over_both_buses() {
    let moto = Moto::start();
    let nets = seed_pair(&moto).await;
    deploy_pair_by_hand(&moto, &nets, "orders", true).await;
    let events = aws_sdk_eventbridge::Client::new(&moto.sdk_in(PRIMARY).await);
    let endpoint = events
        .describe_endpoint()
        .name("orders")
        .send()
        .await
        .unwrap();
    assert_eq!(endpoint.state().unwrap().as_str(), "ACTIVE");
    assert_eq!(
        endpoint
            .event_buses()
            .iter()
            .map(|b| b.event_bus_arn().split(':').nth(3).unwrap().to_string())
            .collect::<Vec<_>>(),
        [PRIMARY, SECONDARY]
    );
    let west = aws_sdk_eventbridge::Client::new(&moto.sdk_in(SECONDARY).await);
    let archives = west.list_archives().send().await.unwrap();
    assert_eq!(archives.archives().len(), 1);
    assert!(archives.archives()[0]
        .event_source_arn()
        .unwrap()
        .ends_with(":event-bus/orders-bus"));
}

/// `evrelay --region PRIMARY --stack S deploy … --secondary-region SECONDARY` through the CLI:
/// the primary's network by flags, the secondary's from discover's picks in its VPC (with its
/// ALB's URL), a generated key per Region, `--yes`; `extra` is appended. Returns the output
/// (the caller asserts on it).
pub fn deploy_pair_output(
    moto: &Moto,
    nets: &PairNets,
    stack: &str,
    extra: &[&str],
) -> std::process::Output {
    let mut args = relay_deploy_args(&nets.primary, stack, PRIMARY);
    args.extend(secondary_args(nets));
    args.extend(extra.iter().map(|s| s.to_string()));
    moto.evrelay().args(args).output().unwrap()
}

/// The flags that name the secondary: its Region, VPC (discover's picks) and URL.
pub fn secondary_args(nets: &PairNets) -> Vec<String> {
    vec![
        "--secondary-region".into(),
        SECONDARY.into(),
        "--secondary-vpc-id".into(),
        nets.secondary.vpc_id.clone(),
        "--secondary-url".into(),
        format!("http://{}/", nets.secondary.internal_alb.dns_name),
    ]
}

/// The pair through `deploy --secondary-region`, which must succeed (for the tests of what
/// reads and drives a pair: send, status, failover, replay, destroy).
#[allow(dead_code)]
pub async fn deploy_pair(moto: &Moto, nets: &PairNets, stack: &str, extra: &[&str]) {
    let out = deploy_pair_output(moto, nets, stack, extra);
    assert_eq!(
        out.status.code(),
        Some(0),
        "deploy --secondary-region: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
