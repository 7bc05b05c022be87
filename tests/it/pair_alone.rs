//! `deploy` without --secondary-region of a relay that is one half of a pair (a config file
//! that does not remember the pair, as on another machine): in the primary it deploys the pair,
//! both Regions under one question; in the secondary it is refused, nothing changed. Deployed
//! alone, one relay would drift from the other.

use crate::harness::Moto;
use crate::pair_fixtures::*;

fn deploy_in(moto: &Moto, region: &str, extra: &[&str]) -> (Option<i32>, String) {
    let out = moto
        .evrelay()
        .args(["--region", region, "--stack", "pa", "deploy"])
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn stack_statuses(moto: &Moto) -> Vec<String> {
    let mut statuses = Vec::new();
    for region in [PRIMARY, SECONDARY] {
        let cfn = aws_sdk_cloudformation::Client::new(&moto.sdk_in(region).await);
        let out = cfn.describe_stacks().stack_name("pa").send().await.unwrap();
        let s = &out.stacks()[0];
        statuses.push(format!("{region} {:?}", s.stack_status()));
    }
    statuses
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deploy_of_one_half_of_a_pair_deploys_the_pair_or_is_refused() {
    let moto = Moto::start();
    let nets = seed_pair(&moto).await;
    deploy_pair_by_hand(&moto, &nets, "pa", false).await;
    let before = stack_statuses(&moto).await;

    // In the primary: the pair's plan, both Regions (a dry run: nothing changes).
    let (code, err) = deploy_in(&moto, PRIMARY, &["--dry-run"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains(&format!(
            "Stack pa in {PRIMARY} is the primary of relay pair pa (its global endpoint fails over to {SECONDARY}): deploying both Regions' relays"
        )),
        "{err}"
    );
    for line in [
        format!("Dry run for stack pa in account 123456789012, {PRIMARY}."),
        format!("Dry run for stack pa in account 123456789012, {SECONDARY}."),
        "Dry run: nothing changed in either Region.".to_string(),
    ] {
        assert!(err.contains(&line), "{line:?} in {err}");
    }
    // A change set kept for review is one Region's: refused for a pair, as with the flag.
    let (code, err) = deploy_in(&moto, PRIMARY, &["--no-execute"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--no-execute keeps one change set"), "{err}");

    // In the secondary: refused, naming the deploy that does both.
    let (code, err) = deploy_in(&moto, SECONDARY, &["--yes"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "stack `pa` in {SECONDARY} is the secondary of relay pair `pa`: a deploy here would change this Region's relay only; nothing changed"
        )),
        "{err}"
    );
    assert!(
        err.contains("deploys both relays under one question"),
        "{err}"
    );
    assert_eq!(stack_statuses(&moto).await, before);
}
