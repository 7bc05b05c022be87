//! destroy on a real account: a stack with termination protection is refused with the command
//! that lifts it, nothing deleted; a stack whose service role is gone is deleted with
//! `--role-arn` (CloudFormation's refusal points at it).

use std::process::Output;

use crate::harness::Moto;
use crate::stack::net::{deploy_args, seed, Net};

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

async fn deploy(moto: &Moto, net: &Net, stack: &str, extra: &[&str]) {
    let out = moto
        .evrelay()
        .args(deploy_args(net, stack))
        .args(["--yes", "--generate-secret"])
        .args(extra)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

fn destroy(moto: &Moto, stack: &str, extra: &[&str]) -> Output {
    moto.evrelay()
        .args(["--stack", stack, "destroy", "--yes"])
        .args(extra)
        .output()
        .unwrap()
}

#[tokio::test]
async fn a_protected_stack_is_refused_with_the_command_that_lifts_it_and_nothing_is_deleted() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    deploy(&moto, &net, "guarded", &[]).await;
    net.cfn
        .update_termination_protection()
        .stack_name("guarded")
        .enable_termination_protection(true)
        .send()
        .await
        .unwrap();
    let endpoints = net.live_endpoints().await.len();

    let out = destroy(&moto, "guarded", &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("stack `guarded` has termination protection enabled, so CloudFormation will not delete it; nothing was deleted"), "{stderr}");
    assert!(stderr.contains("`aws cloudformation update-termination-protection --no-enable-termination-protection --stack-name guarded --region us-east-1`"), "{stderr}");
    assert!(net.stack_exists("guarded").await);
    assert_eq!(net.live_endpoints().await.len(), endpoints);

    // Lifted as the hint says: destroy goes through.
    net.cfn
        .update_termination_protection()
        .stack_name("guarded")
        .enable_termination_protection(false)
        .send()
        .await
        .unwrap();
    let out = destroy(&moto, "guarded", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(!net.stack_exists("guarded").await);
}

#[tokio::test]
async fn a_stack_whose_service_role_is_gone_is_deleted_with_role_arn() {
    let moto = Moto::start();
    let net = seed(&moto).await;
    // The service role was deleted after the deploy (it never existed here).
    let gone = "arn:aws:iam::123456789012:role/deleted-deployer";
    deploy(&moto, &net, "orphan", &["--role-arn", gone]).await;

    let out = destroy(&moto, "orphan", &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("CloudFormation cannot delete stack `orphan`: its service role {gone} no longer exists or cannot be assumed")),
        "{stderr}"
    );
    assert!(
        stderr.contains("`evrelay destroy --stack orphan --role-arn ARN`"),
        "{stderr}"
    );
    assert!(net.stack_exists("orphan").await);

    let out = destroy(&moto, "orphan", &["--role-arn", "deployer"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));

    // A role that exists: the relay's own role, as good as any other role for the emulator.
    let resources = net
        .cfn
        .describe_stack_resources()
        .stack_name("orphan")
        .send()
        .await
        .unwrap();
    let role = resources
        .stack_resources()
        .iter()
        .find(|r| r.resource_type() == Some("AWS::IAM::Role"))
        .and_then(|r| r.physical_resource_id())
        .unwrap()
        .to_string();
    let arn = format!("arn:aws:iam::123456789012:role/{role}");
    let out = destroy(&moto, "orphan", &["--role-arn", &arn]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(!net.stack_exists("orphan").await);
}
