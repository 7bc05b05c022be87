//! `deploy --secondary-region` with the secondary relay's network named explicitly
//! (`--secondary-subnet`, `--secondary-security-group`): they win over discover's picks there,
//! the relay runs in exactly them, the config file remembers them for that Region; a subnet
//! or group that is not in the secondary's VPC is refused before anything is made in either
//! Region, with the primary's preflight exit code (1: what AWS holds refused it, as
//! stack::cycle's preflight failures are).

use std::collections::BTreeSet;

use aws_sdk_ec2::types::{IpPermission, UserIdGroupPair};

use crate::harness::Moto;
use crate::pair_deploy::{both_regions, stderr};
use crate::pair_fixtures::*;

/// In the secondary's VPC: a group of the relay's own that the internal ALB admits, and two
/// more private subnets (zones a and b) discover has no reason to prefer.
async fn relay_network_in_secondary(moto: &Moto, nets: &PairNets) -> (Vec<String>, String) {
    let ec2 = aws_sdk_ec2::Client::new(&moto.sdk_in(SECONDARY).await);
    let vpc = &nets.secondary.vpc_id;
    let mut subnets = Vec::new();
    for (i, az) in ["a", "b"].iter().enumerate() {
        let out = ec2
            .create_subnet()
            .vpc_id(vpc)
            .availability_zone(format!("{SECONDARY}{az}"))
            .cidr_block(format!("10.40.{}.0/24", 10 + i))
            .send()
            .await
            .unwrap();
        subnets.push(out.subnet().unwrap().subnet_id().unwrap().to_string());
    }
    let group = ec2
        .create_security_group()
        .vpc_id(vpc)
        .group_name("orders-relay")
        .description("the relay's own group")
        .send()
        .await
        .unwrap()
        .group_id()
        .unwrap()
        .to_string();
    let alb_group = ec2
        .describe_security_groups()
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("group-name")
                .values("orders-alb")
                .build(),
        )
        .send()
        .await
        .unwrap()
        .security_groups()[0]
        .group_id()
        .unwrap()
        .to_string();
    ec2.authorize_security_group_ingress()
        .group_id(&alb_group)
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(80)
                .to_port(80)
                .user_id_group_pairs(UserIdGroupPair::builder().group_id(&group).build())
                .build(),
        )
        .send()
        .await
        .unwrap();
    (subnets, group)
}

fn network_flags(subnets: &[String], group: &str) -> Vec<String> {
    let mut flags = Vec::new();
    for subnet in subnets {
        flags.extend(["--secondary-subnet".to_string(), subnet.clone()]);
    }
    flags.extend(["--secondary-security-group".to_string(), group.to_string()]);
    flags
}

#[tokio::test(flavor = "multi_thread")]
async fn the_secondary_relay_runs_in_the_subnets_and_group_given_for_it() {
    let moto = Moto::start();
    let nets = seed_pair(&moto).await;
    let (subnets, group) = relay_network_in_secondary(&moto, &nets).await;

    // --secondary-vpc-id is there too: the explicit flags win over discover's picks.
    let mut args = relay_deploy_args(&nets.primary, "orders", PRIMARY);
    args.extend(secondary_args(&nets));
    args.extend(network_flags(&subnets, &group));
    let out = moto.evrelay().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // Read back from Lambda in each Region: the secondary's relay in exactly what was given,
    // the primary's untouched by it.
    let vpc_of = |region: &'static str| {
        let moto = &moto;
        async move {
            let lambda = aws_sdk_lambda::Client::new(&moto.sdk_in(region).await);
            let f = lambda
                .get_function_configuration()
                .function_name("orders-relay")
                .send()
                .await
                .unwrap();
            let vpc = f.vpc_config().unwrap();
            (
                vpc.subnet_ids().iter().cloned().collect::<BTreeSet<_>>(),
                vpc.security_group_ids().to_vec(),
            )
        }
    };
    let (s_subnets, s_groups) = vpc_of(SECONDARY).await;
    assert_eq!(s_subnets, subnets.iter().cloned().collect());
    assert_eq!(s_groups, [group.as_str()]);
    let (p_subnets, p_groups) = vpc_of(PRIMARY).await;
    assert_eq!(
        p_subnets,
        nets.primary.private_subnets.iter().cloned().collect()
    );
    assert_eq!(p_groups, [nets.primary.node_sg.as_str()]);

    // Remembered for that Region, as the primary's network is for its own.
    let file = std::fs::read_to_string(moto.config_file()).unwrap();
    let config: toml_edit::DocumentMut = file.parse().unwrap();
    let there = &config["stacks"]["orders"][SECONDARY];
    let ids = |key: &str| -> Vec<String> {
        there[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids("subnets"), subnets, "{file}");
    assert_eq!(ids("security_groups"), [group], "{file}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_secondary_subnet_that_is_not_in_the_secondary_region_is_refused_with_nothing_made() {
    let moto = Moto::start();
    let nets = seed_pair(&moto).await;
    let before = both_regions(&moto).await;
    // A primary subnet's id given for the secondary: a slip an operator makes.
    let mut given = vec![nets.primary.private_subnets[0].clone()];
    given.extend(nets.secondary.private_subnets[1..].iter().cloned());
    let mut args = relay_deploy_args(&nets.primary, "orders", PRIMARY);
    args.extend(secondary_args(&nets));
    args.extend(network_flags(&given, &nets.secondary.node_sg));
    let out = moto.evrelay().args(args).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "subnet `{}` not found in {SECONDARY}",
            nets.primary.private_subnets[0]
        )),
        "{err}"
    );
    assert!(err.contains("check the id and --secondary-region"), "{err}");
    // Checked before the primary's change set, not undone after it.
    assert!(!err.contains("Creating the change set"), "{err}");
    assert_eq!(both_regions(&moto).await, before, "nothing made");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_secondary_subnet_without_a_pair_is_a_usage_error() {
    let moto = Moto::start();
    let nets = seed_pair(&moto).await;
    let before = both_regions(&moto).await;
    let mut args = relay_deploy_args(&nets.primary, "orders", PRIMARY);
    args.extend([
        "--secondary-subnet".to_string(),
        nets.secondary.private_subnets[0].clone(),
    ]);
    let out = moto.evrelay().args(args).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(
            "--secondary-subnet configures a relay pair, and this deploy has no --secondary-region"
        ),
        "{err}"
    );
    assert_eq!(both_regions(&moto).await, before, "nothing made");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_secondary_group_of_another_vpc_is_refused_naming_the_subnets_vpc() {
    let moto = Moto::start();
    let nets = seed_pair(&moto).await;
    // Another team's VPC in the secondary Region, with a group of its own.
    let other =
        crate::fixtures::PlainVpc::seed(&moto.sdk_in(SECONDARY).await, "billing", "10.50.0.0/16")
            .await;
    let before = both_regions(&moto).await;
    let mut args = relay_deploy_args(&nets.primary, "orders", PRIMARY);
    args.extend(secondary_args(&nets));
    args.extend(network_flags(
        &nets.secondary.private_subnets,
        &other.node_sg,
    ));
    let out = moto.evrelay().args(args).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let vpc = &nets.secondary.vpc_id;
    assert!(
        err.contains(&format!(
            "security group `{}` belongs to {}, not to the subnets' VPC {vpc}",
            other.node_sg, other.vpc_id
        )),
        "{err}"
    );
    // The command the hint names runs where the group was looked for.
    assert!(
        err.contains(&format!(
            "`evrelay --region {SECONDARY} discover --vpc-id {vpc}`"
        )),
        "{err}"
    );
    assert_eq!(both_regions(&moto).await, before, "nothing made");
}
