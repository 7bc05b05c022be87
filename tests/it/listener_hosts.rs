//! `aws::listener_hosts` against moto: an ALB as an Ingress with `host:` and a certificate
//! makes it (HTTPS listener: certificate, a host-header rule, a fixed 404 default; HTTP
//! listener: redirect to HTTPS), and `hosts::pick_host` on what was read.

use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, Certificate, FixedResponseActionConfig, HostHeaderConditionConfig,
    ProtocolEnum, RedirectActionConfig, RedirectActionStatusCodeEnum, RuleCondition,
};
use evrelay::aws::listener_hosts::listener_facts;
use evrelay::hosts::{pick_host, DefaultAction, HostPick};

use crate::harness::Moto;

async fn alb(
    moto: &Moto,
) -> (
    aws_sdk_elasticloadbalancingv2::Client,
    aws_sdk_acm::Client,
    String,
) {
    let sdk = moto.sdk().await;
    let ec2 = aws_sdk_ec2::Client::new(&sdk);
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&sdk);
    let acm = aws_sdk_acm::Client::new(&sdk);
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.40.0.0/16")
        .send()
        .await
        .unwrap();
    let vpc = vpc.vpc().and_then(|v| v.vpc_id()).unwrap().to_string();
    let mut subnets = Vec::new();
    for (az, cidr) in [
        ("us-east-1a", "10.40.1.0/24"),
        ("us-east-1b", "10.40.2.0/24"),
    ] {
        let s = ec2
            .create_subnet()
            .vpc_id(&vpc)
            .availability_zone(az)
            .cidr_block(cidr)
            .send()
            .await
            .unwrap();
        subnets.push(s.subnet().and_then(|s| s.subnet_id()).unwrap().to_string());
    }
    let lb = elb
        .create_load_balancer()
        .name("hosts-alb")
        .set_subnets(Some(subnets))
        .scheme(aws_sdk_elasticloadbalancingv2::types::LoadBalancerSchemeEnum::Internal)
        .send()
        .await
        .unwrap();
    let lb_arn = lb.load_balancers()[0]
        .load_balancer_arn()
        .unwrap()
        .to_string();
    let tg = elb
        .create_target_group()
        .name("hosts-tg")
        .protocol(ProtocolEnum::Http)
        .port(80)
        .vpc_id(&vpc)
        .send()
        .await
        .unwrap();
    let tg_arn = tg.target_groups()[0]
        .target_group_arn()
        .unwrap()
        .to_string();
    let cert = acm
        .request_certificate()
        .domain_name("app.example.com")
        .subject_alternative_names("app.example.com")
        .subject_alternative_names("*.apps.example.com")
        .send()
        .await
        .unwrap()
        .certificate_arn()
        .unwrap()
        .to_string();
    let not_found = Action::builder()
        .r#type(ActionTypeEnum::FixedResponse)
        .fixed_response_config(
            FixedResponseActionConfig::builder()
                .status_code("404")
                .build(),
        )
        .build();
    let https = elb
        .create_listener()
        .load_balancer_arn(&lb_arn)
        .protocol(ProtocolEnum::Https)
        .port(443)
        .certificates(Certificate::builder().certificate_arn(&cert).build())
        .default_actions(not_found)
        .send()
        .await
        .unwrap();
    let https_arn = https.listeners()[0].listener_arn().unwrap().to_string();
    elb.create_rule()
        .listener_arn(&https_arn)
        .priority(1)
        .conditions(
            RuleCondition::builder()
                .field("host-header")
                .host_header_config(
                    HostHeaderConditionConfig::builder()
                        .values("App.Example.com")
                        .build(),
                )
                .build(),
        )
        .actions(
            Action::builder()
                .r#type(ActionTypeEnum::Forward)
                .target_group_arn(&tg_arn)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let redirect = Action::builder()
        .r#type(ActionTypeEnum::Redirect)
        .redirect_config(
            RedirectActionConfig::builder()
                .protocol("HTTPS")
                .port("443")
                .status_code(RedirectActionStatusCodeEnum::Http301)
                .build(),
        )
        .build();
    elb.create_listener()
        .load_balancer_arn(&lb_arn)
        .protocol(ProtocolEnum::Http)
        .port(80)
        .default_actions(redirect)
        .send()
        .await
        .unwrap();
    (elb, acm, lb_arn)
}

#[tokio::test]
async fn the_https_listener_yields_its_rule_host_and_the_redirect_is_not_picked() {
    let moto = Moto::start();
    let (elb, acm, lb) = alb(&moto).await;

    let https = listener_facts(&elb, &acm, &lb, 443).await.unwrap().unwrap();
    assert_eq!(https.default_action, DefaultAction::FixedResponse);
    assert_eq!(https.rule_hosts, ["app.example.com"]);
    assert!(
        https
            .certificate_names
            .contains(&"app.example.com".to_string())
            && https
                .certificate_names
                .contains(&"*.apps.example.com".to_string()),
        "{:?}",
        https.certificate_names
    );
    assert!(matches!(pick_host(&https), HostPick::Host { name, .. } if name == "app.example.com"));
    // A requested (Amazon-issued) certificate chains to a public root: no --ca-bundle needed.
    let issuer = evrelay::cert_issuer::certificate_issuer(&https.certificates[0]);
    assert_eq!(issuer.kind, "AMAZON_ISSUED");
    assert_eq!(issuer.note, None);

    let http = listener_facts(&elb, &acm, &lb, 80).await.unwrap().unwrap();
    assert!(
        matches!(&http.default_action, DefaultAction::Redirect(to) if to.starts_with("https://"))
    );
    assert!(matches!(pick_host(&http), HostPick::Unusable(_)));

    assert_eq!(listener_facts(&elb, &acm, &lb, 8080).await.unwrap(), None);
}
