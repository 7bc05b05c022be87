//! `deploy --execute CHANGE_SET` on a stack that is one half of a relay pair: the kept change
//! set would change one Region's relay only, so it is refused (exit 1), nothing is executed,
//! the change set is kept, and the hint names the pair's deploy, which plans both Regions
//! under one question.

use serde_json::Value;

use crate::harness::{stderr_of_exit, Moto};
use crate::pair_fixtures::*;

/// `deploy --no-execute` of the relay in `region` with a changed detail-type: the kept change
/// set's name.
fn keep_change_set(moto: &Moto, nets: &PairNets, stack: &str, region: &str) -> String {
    let vpc = if region == PRIMARY {
        &nets.primary
    } else {
        &nets.secondary
    };
    let out = moto
        .evrelay()
        .args(["--output", "json"])
        .args(relay_deploy_args(vpc, stack, region))
        .args(["--detail-type", "order-placed", "--no-execute"])
        .output()
        .unwrap();
    let stderr = stderr_of_exit(&out, 0);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v["type"] == "changeset")
        .and_then(|v| v["change_set"].as_str().map(str::to_string))
        .unwrap_or_else(|| panic!("no change set kept: {stderr}"))
}

/// The change set's execution status and the stack's status, as CloudFormation has them.
async fn statuses(moto: &Moto, region: &str, stack: &str, change_set: &str) -> (String, String) {
    let cfn = aws_sdk_cloudformation::Client::new(&moto.sdk_in(region).await);
    let cs = cfn
        .describe_change_set()
        .stack_name(stack)
        .change_set_name(change_set)
        .send()
        .await
        .unwrap();
    let s = cfn
        .describe_stacks()
        .stack_name(stack)
        .send()
        .await
        .unwrap();
    (
        cs.execution_status().unwrap().as_str().to_string(),
        s.stacks()[0].stack_status().unwrap().as_str().to_string(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_kept_change_set_on_half_a_pair_is_refused_and_kept() {
    let moto = Moto::start();
    let nets = seed_pair(&moto).await;
    // Two single-Region relays, each with an update kept for review; meanwhile they become a
    // pair (its endpoint and archive stacks made over them).
    deploy_relays_by_hand(&moto, &nets, "pk").await;
    let kept = [
        keep_change_set(&moto, &nets, "pk", PRIMARY),
        keep_change_set(&moto, &nets, "pk", SECONDARY),
    ];
    make_pair_of(&moto, "pk", false).await;

    for ((region, role), name) in [(PRIMARY, "primary"), (SECONDARY, "secondary")]
        .into_iter()
        .zip(kept)
    {
        let before = statuses(&moto, region, "pk", &name).await;
        assert_eq!(before.0, "AVAILABLE", "{region}");

        let out = moto
            .evrelay()
            .args(["--region", region, "--stack", "pk", "deploy"])
            .args(["--execute", &name, "--yes"])
            .output()
            .unwrap();
        let stderr = stderr_of_exit(&out, 1);
        assert!(
            stderr.contains(&format!(
                "stack `pk` in {region} is the {role} of relay pair `pk`: change set {name} would change this Region's relay only"
            )),
            "{stderr}"
        );
        assert!(
            stderr.contains("nothing executed (the change set is kept)"),
            "{stderr}"
        );
        assert!(
            stderr.contains("deploy` plans both Regions' relays under one question"),
            "{stderr}"
        );
        // Nothing ran: the change set is still there to run, the stack as it was.
        assert_eq!(
            statuses(&moto, region, "pk", &name).await,
            before,
            "{region}"
        );
    }
}
