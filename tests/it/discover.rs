//! `evrelay discover` against moto: an eksctl-shaped VPC among decoys.

use predicates::prelude::*;

use crate::fixtures::{
    default_vpc, evrelay_endpoint_group, interface_endpoint, reroute_private_subnets, Egress,
    EksctlVpc, PlainVpc, SameVpcDecoys,
};
use crate::harness::{stdout_json, Moto};

struct World {
    moto: Moto,
    eks: EksctlVpc,
    decoys: SameVpcDecoys,
    other: PlainVpc,
}

/// The eksctl VPC for cluster `events` with its decoys, and a second VPC with its own internal ALB.
async fn world() -> World {
    let moto = Moto::start();
    let sdk = moto.sdk().await;
    let eks = EksctlVpc::seed(&sdk, "events").await;
    let decoys = eks.seed_decoys(&sdk).await;
    let other = PlainVpc::seed(&sdk, "billing", "10.20.0.0/16").await;
    World {
        moto,
        eks,
        decoys,
        other,
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn picks_the_eksctl_pieces_and_ignores_every_decoy() {
    let w = world().await;
    let sdk = w.moto.sdk().await;
    let default = default_vpc(&sdk).await;

    let out = w
        .moto
        .evrelay()
        .args(["discover", "--cluster", "events"])
        .assert()
        .success();
    let stdout = text(&out.get_output().stdout);
    let stderr = text(&out.get_output().stderr);
    assert!(
        stderr.is_empty(),
        "three AZs with NAT: nothing to warn about, got:\n{stderr}"
    );

    // The last line is the deploy command with exactly the picks.
    let deploy = stdout.lines().last().unwrap();
    let subnets: String = w
        .eks
        .private_subnets
        .iter()
        .map(|s| format!("--subnet {s} "))
        .collect();
    let url = format!("http://{}/", w.eks.internal_alb.dns_name);
    assert_eq!(
        deploy,
        format!(
            "evrelay deploy {subnets}--security-group {} --url {url} --secret-stdin",
            w.eks.shared_node_sg
        )
    );
    for decoy in [
        &w.decoys.tagged_public_subnet,
        &w.eks.control_plane_sg,
        &w.decoys.internet_facing_alb.dns_name,
    ] {
        assert!(
            !deploy.contains(decoy.as_str()),
            "decoy {decoy} picked: {deploy}"
        );
    }
    // Other VPCs never show up.
    assert!(!stdout.contains(&w.other.vpc_id) && !stdout.contains(&w.other.internal_alb.name));
    if let Some(default) = &default {
        assert!(!stdout.contains(default.as_str()));
    }
    // It says why.
    assert!(stdout.contains("tagged for cluster `events`"));
    assert!(stdout.contains("eksctl's shared node security group"));
    assert!(stdout.contains("internet-facing: never picked"));
    assert!(stdout
        .contains("reachable (every picked subnet routes 0.0.0.0/0 through a public NAT gateway)"));
    assert!(stdout.contains("Note: an interface endpoint with private DNS serves the whole VPC"));

    crate::snap::settings().bind(|| insta::assert_snapshot!("discover_cluster_events", stdout));

    // --vpc-id gives the same picks; JSON has the stable keys and a reason for each pick.
    let out = w
        .moto
        .evrelay()
        .args(["--output", "json", "discover", "--vpc-id", &w.eks.vpc_id])
        .assert()
        .success();
    let json = stdout_json(out.get_output());
    for key in [
        "region",
        "vpc",
        "subnets",
        "security_groups",
        "load_balancers",
        "nat_gateways",
        "endpoints",
        "eventbridge",
        "picks",
        "relay_reaches_load_balancer",
        "warnings",
        "deploy_command",
    ] {
        assert!(json.get(key).is_some(), "JSON lacks `{key}`: {json:#}");
    }
    assert_eq!(json["vpc"]["id"], w.eks.vpc_id.as_str());
    assert_eq!(json["vpc"]["reason"], "given with --vpc-id");
    let picked: Vec<&str> = json["picks"]["subnets"]["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        picked,
        w.eks
            .private_subnets
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
    );
    assert_eq!(
        json["picks"]["security_group"]["id"],
        w.eks.shared_node_sg.as_str()
    );
    assert_eq!(
        json["picks"]["load_balancer"]["name"],
        w.eks.internal_alb.name.as_str()
    );
    assert_eq!(json["picks"]["load_balancer"]["url"], url.as_str());
    for pick in ["subnets", "security_group", "load_balancer"] {
        assert!(
            json["picks"][pick]["reason"]
                .as_str()
                .is_some_and(|r| !r.is_empty()),
            "no reason for {pick}"
        );
    }
    assert_eq!(json["eventbridge"]["reachable"], true);
    assert_eq!(json["eventbridge"]["via"], "nat");
    assert_eq!(json["relay_reaches_load_balancer"], true);
    let decoy = json["subnets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == w.decoys.tagged_public_subnet.as_str())
        .unwrap();
    assert_eq!(decoy["private"], false, "route to the IGW beats the tags");
    assert_eq!(decoy["internal_elb_tag"], true);
    let lbs = json["load_balancers"].as_array().unwrap();
    let public = lbs
        .iter()
        .find(|lb| lb["name"] == w.decoys.internet_facing_alb.name.as_str())
        .unwrap();
    assert_eq!(public["scheme"], "internet-facing");
    assert!(public["url"].is_null());
    assert_eq!(json["endpoints"]["secretsmanager"], serde_json::json!([]));
    assert!(json["deploy_command"]
        .as_str()
        .unwrap()
        .ends_with("--secret-stdin"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_vpc_without_eksctl_gets_the_group_its_alb_admits_and_a_warning_about_eventbridge() {
    let w = world().await;
    let out = w
        .moto
        .evrelay()
        .args(["--output", "json", "discover", "--vpc-id", &w.other.vpc_id])
        .assert()
        .success();
    let json = stdout_json(out.get_output());
    assert_eq!(
        json["picks"]["security_group"]["id"],
        w.other.node_sg.as_str()
    );
    assert!(json["picks"]["security_group"]["reason"]
        .as_str()
        .unwrap()
        .contains("admits this group by reference on port 80"));
    assert_eq!(
        json["picks"]["load_balancer"]["name"],
        w.other.internal_alb.name.as_str()
    );
    // Its subnets use the main table, which has only the local route: private, no egress.
    let picked: Vec<&str> = json["picks"]["subnets"]["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        picked,
        w.other
            .private_subnets
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
    );
    assert_eq!(json["eventbridge"]["reachable"], false);
    assert_eq!(json["relay_reaches_load_balancer"], true);
    let stderr = text(&out.get_output().stderr);
    assert!(
        stderr.contains("warning: EventBridge is not reachable from the picked subnets"),
        "{stderr}"
    );

    // Existing endpoints are listed; an `events` endpoint counts only with private DNS.
    let sdk = w.moto.sdk().await;
    let subnets = &w.other.private_subnets;
    let secrets = interface_endpoint(&sdk, &w.other.vpc_id, subnets, "secretsmanager", true).await;
    let no_dns = interface_endpoint(&sdk, &w.other.vpc_id, subnets, "events", false).await;
    // Same service in the eksctl VPC: never listed for this one.
    interface_endpoint(&sdk, &w.eks.vpc_id, &w.eks.private_subnets, "events", true).await;
    let discover = || {
        let out = w
            .moto
            .evrelay()
            .args(["--output", "json", "discover", "--vpc-id", &w.other.vpc_id])
            .assert()
            .success();
        stdout_json(out.get_output())
    };
    let json = discover();
    assert_eq!(
        json["endpoints"]["secretsmanager"][0]["id"],
        secrets.as_str()
    );
    assert_eq!(json["endpoints"]["secretsmanager"][0]["private_dns"], true);
    assert_eq!(
        json["endpoints"]["events"].as_array().unwrap().len(),
        1,
        "{json:#}"
    );
    assert_eq!(json["endpoints"]["events"][0]["id"], no_dns.as_str());
    assert_eq!(
        json["eventbridge"]["reachable"], false,
        "no private DNS: the SDK would not use it"
    );

    let with_dns = interface_endpoint(&sdk, &w.other.vpc_id, subnets, "events", true).await;
    let json = discover();
    assert_eq!(json["eventbridge"]["reachable"], true);
    assert_eq!(json["eventbridge"]["via"], "endpoint");
    assert!(json["eventbridge"]["reason"]
        .as_str()
        .unwrap()
        .contains(&with_dns));
}

#[tokio::test(flavor = "multi_thread")]
async fn scope_errors_name_the_value() {
    let w = world().await;

    // No scope, two VPCs with internal ALBs: a usage error listing both.
    let out = w.moto.evrelay().arg("discover").assert().code(2);
    let stderr = text(&out.get_output().stderr);
    assert!(stderr.contains("2 VPCs hold internal ALBs"), "{stderr}");
    for expected in [
        &w.eks.vpc_id,
        &w.other.vpc_id,
        &w.eks.internal_alb.name,
        &w.other.internal_alb.name,
    ] {
        assert!(
            stderr.contains(expected.as_str()),
            "{expected} not listed:\n{stderr}"
        );
    }
    assert!(stderr.contains("--vpc-id"));
    assert!(out.get_output().stdout.is_empty());

    w.moto
        .evrelay()
        .args(["discover", "--vpc-id", "vpc-0000000000000dead"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("VPC `vpc-0000000000000dead` not found in us-east-1")
                .and(predicate::str::contains("hint:")),
        );
    w.moto
        .evrelay()
        .args(["discover", "--cluster", "nosuch"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("no VPC tagged for cluster `nosuch`").and(
                predicate::str::contains("alpha.eksctl.io/cluster-name=nosuch"),
            ),
        );
    w.moto
        .evrelay()
        .args(["discover", "--cluster", "events", "--vpc-id", &w.eks.vpc_id])
        .assert()
        .code(2);
}

#[tokio::test(flavor = "multi_thread")]
async fn without_scope_the_only_vpc_with_an_internal_alb_is_used() {
    let moto = Moto::start();
    let sdk = moto.sdk().await;
    let eks = EksctlVpc::seed(&sdk, "events").await;
    eks.seed_decoys(&sdk).await; // internet-facing ALBs never count as candidates
    let out = moto
        .evrelay()
        .args(["--output", "json", "--stack", "orders", "discover"])
        .assert()
        .success();
    let json = stdout_json(out.get_output());
    assert_eq!(json["vpc"]["id"], eks.vpc_id.as_str());
    assert!(json["vpc"]["reason"]
        .as_str()
        .unwrap()
        .contains("the only VPC with an internal ALB"));
    assert!(json["deploy_command"]
        .as_str()
        .unwrap()
        .starts_with("evrelay deploy --stack orders --subnet "));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_private_nat_is_no_path_and_a_transit_gateway_is_unverified() {
    let moto = Moto::start();
    let sdk = moto.sdk().await;
    let eks = EksctlVpc::seed(&sdk, "events").await;
    let discover = || {
        let out = moto
            .evrelay()
            .args(["--output", "json", "discover", "--cluster", "events"])
            .assert()
            .success();
        stdout_json(out.get_output())
    };
    let nat = reroute_private_subnets(&sdk, &eks, Egress::PrivateNat).await;
    let json = discover();
    assert_eq!(json["eventbridge"]["reachable"], false, "{json:#}");
    let reason = json["eventbridge"]["reason"].as_str().unwrap();
    assert!(
        reason.contains(&format!("(private NAT gateway {nat}: no internet)")),
        "{reason}"
    );

    let tgw = reroute_private_subnets(&sdk, &eks, Egress::TransitGateway).await;
    let json = discover();
    assert_eq!(json["eventbridge"]["via"], "unverified", "{json:#}");
    let reason = json["eventbridge"]["reason"].as_str().unwrap();
    assert!(
        reason.contains(&format!("routes 0.0.0.0/0 to {tgw}, a transit gateway")),
        "{reason}"
    );
}

/// An endpoint group evrelay made for another stack sits in the VPC, and the ALB's group even
/// admits it: discover still puts the relay in the node group and says why the other is not.
#[tokio::test(flavor = "multi_thread")]
async fn evrelay_own_endpoint_groups_are_never_candidates() {
    let moto = Moto::start();
    let sdk = moto.sdk().await;
    let vpc = PlainVpc::seed(&sdk, "orders", "10.30.0.0/16").await;
    // `apps-…` sorts before `orders-nodes`: the first group the ALB admits, were it a candidate.
    let ours = evrelay_endpoint_group(
        &sdk,
        &vpc.vpc_id,
        "apps",
        &vpc.internal_alb.security_group,
        80,
    )
    .await;
    let out = moto
        .evrelay()
        .args(["--output", "json", "discover", "--vpc-id", &vpc.vpc_id])
        .assert()
        .success();
    let json = stdout_json(out.get_output());
    assert_eq!(json["picks"]["security_group"]["id"], vpc.node_sg.as_str());
    let listed = json["security_groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == ours.as_str())
        .expect("the group is still listed");
    assert_eq!(listed["note"], "evrelay's own endpoint group: never picked");
}
