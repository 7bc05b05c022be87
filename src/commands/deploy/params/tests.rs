//! Deploy settings and the template parameters they become.

use clap::Parser;

use super::*;

#[derive(Parser)]
struct Wrap {
    #[command(flatten)]
    args: DeployArgs,
}

/// DeployArgs (RelayArgs is flattened into it) and its RelayArgs.
fn relay_args(argv: &[&str]) -> std::result::Result<(DeployArgs, RelayArgs), clap::Error> {
    Wrap::try_parse_from(std::iter::once("deploy").chain(argv.iter().copied())).map(|w| {
        let relay = w.args.relay.clone();
        (w.args, relay)
    })
}

/// The budget's constants are the template's defaults (a stack deployed from the printed
/// template without evrelay gets the same numbers).
const BUDGET_PARAMETERS: [(&str, u32); 4] = [
    (
        "AwsConnectTimeoutSeconds",
        crate::budget::AWS_CONNECT_TIMEOUT,
    ),
    ("AwsReadTimeoutSeconds", crate::budget::AWS_READ_TIMEOUT),
    ("AwsMaxAttempts", crate::budget::AWS_MAX_ATTEMPTS),
    ("FunctionTimeout", DEFAULT_FUNCTION_TIMEOUT),
];

fn keys(params: Vec<ParamValue>) -> Vec<String> {
    params
        .into_iter()
        .map(|p| match p {
            ParamValue::Value(k, _) | ParamValue::UsePrevious(k) => k,
        })
        .collect()
}

fn value<'a>(params: &'a [ParamValue], key: &str) -> Option<&'a str> {
    params.iter().find_map(|p| match p {
        ParamValue::Value(k, v) if k == key => Some(v.as_str()),
        _ => None,
    })
}

fn args(argv: &[&str]) -> DeployArgs {
    Wrap::try_parse_from(std::iter::once("deploy").chain(argv.iter().copied()))
        .unwrap()
        .args
}

const FULL: [&str; 6] = [
    "--subnet",
    "subnet-a",
    "--security-group",
    "sg-1",
    "--url",
    "http://internal-x/",
];

#[test]
fn every_template_parameter_is_sent_and_no_other() {
    let s = resolve(&args(&FULL), &[], None).unwrap();
    let names = crate::template::parameter_names(crate::template::TEMPLATE_SOURCE);
    assert_eq!(keys(parameters(&s, None)), names);
    for choice in [
        Choice::Generate,
        Choice::Existing(super::super::secret::Existing {
            arn: "arn:aws:secretsmanager:us-east-1:111122223333:secret:s-AbC123".into(),
            kms_key: None,
        }),
    ] {
        assert_eq!(
            keys(parameters_for(&s, &RelaySettings::default(), Some(&choice))),
            names
        );
    }
}

#[test]
fn flags_beat_picks_beat_the_stack_beat_defaults() {
    let stack = vec![
        ("SubnetIds".to_string(), "subnet-s1,subnet-s2".to_string()),
        ("SecurityGroupIds".to_string(), "sg-s".to_string()),
        ("TargetUrl".to_string(), "http://stack/".to_string()),
        ("ReadTimeoutSeconds".to_string(), "20".to_string()),
        ("FunctionTimeout".to_string(), "100".to_string()),
        ("Secret".to_string(), "****".to_string()),
    ];
    let picks = Picks {
        subnets: vec!["subnet-p".into()],
        security_group: Some("sg-p".into()),
        url: None,
    };
    let s = resolve(&args(&["--url", "http://flag/"]), &stack, Some(&picks)).unwrap();
    assert_eq!(s.url, "http://flag/");
    assert_eq!(s.subnets, ["subnet-p"]);
    assert_eq!(s.security_groups, ["sg-p"]);
    assert_eq!(s.read_timeout, 20);
    assert_eq!(s.function_timeout, 100);
    let s = resolve(&args(&[]), &stack, None).unwrap();
    assert_eq!((s.subnets.len(), s.url.as_str()), (2, "http://stack/"));
}

#[test]
fn a_redeploy_keeps_the_secret_and_a_new_one_replaces_it() {
    let s = resolve(&args(&FULL), &[], None).unwrap();
    assert!(parameters(&s, None).contains(&ParamValue::UsePrevious("Secret".into())));
    let secret = Choice::Value(super::super::secret::validate("a-new-key-123".into()).unwrap());
    assert!(parameters(&s, Some(&secret))
        .contains(&ParamValue::Value("Secret".into(), "a-new-key-123".into())));
}

#[test]
fn usage_errors_name_the_flag() {
    let e = resolve(&args(&["--url", "http://x/"]), &[], None).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert!(
        e.message.contains("--subnet") && e.message.contains("--security-group"),
        "{}",
        e.message
    );
    let e = check_usage(&args(&[
        "--read-timeout",
        "25",
        "--function-timeout",
        "109",
    ]))
    .map(|_| ());
    assert!(e.is_ok());
    assert!(check_usage(&args(&["--read-timeout", "10", "--function-timeout", "79"])).is_ok());
    assert!(check_usage(&args(&["--read-timeout", "10", "--function-timeout", "78"])).is_err());
    let mut a = args(&FULL);
    a.read_timeout = Some(25);
    a.function_timeout = Some(100);
    let e = check_usage(&a).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert!(
        e.message.contains("--read-timeout 25") && e.message.contains("109 s = secret read"),
        "{}",
        e.message
    );
    assert!(e.hint.unwrap().contains("--function-timeout 109"));
    assert_eq!(
        check_usage(&args(&["--log-retention-days", "10"]))
            .unwrap_err()
            .exit_code(),
        2
    );
    assert!(Wrap::try_parse_from(["deploy", "--function-timeout", "5"]).is_err());
}

#[test]
fn a_stacks_read_timeout_and_the_default_function_timeout_must_fit_the_budget() {
    let s = resolve(&args(&FULL), &[], None).unwrap();
    assert_eq!(s.function_timeout, DEFAULT_FUNCTION_TIMEOUT);
    assert!(Budget::with_read_timeout(25).worst_case() > DEFAULT_FUNCTION_TIMEOUT);
    let stack = vec![("FunctionTimeout".to_string(), "30".to_string())];
    let e = resolve(&args(&FULL), &stack, None).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    // A stack deployed before the budget (FunctionTimeout 30): named as the stack's.
    assert!(
        e.message
            .starts_with("the stack's FunctionTimeout 30 is below"),
        "{}",
        e.message
    );
    assert!(e.hint.unwrap().contains("--function-timeout 79"));
    let mut a = args(&FULL);
    a.read_timeout = Some(25);
    let e = resolve(&a, &[], None).unwrap_err();
    assert!(
        e.message
            .starts_with("the default function timeout 90 is below"),
        "{}",
        e.message
    );
}

#[test]
fn a_scheme_less_url_is_a_usage_error() {
    let mut a = args(&FULL);
    a.url = Some("internal-app.us-east-1.elb.amazonaws.com".into());
    assert_eq!(check_usage(&a).unwrap_err().exit_code(), 2);
    assert_eq!(resolve(&a, &[], None).unwrap_err().exit_code(), 2);
    // From the stack too (a value set outside evrelay).
    let stack = vec![("TargetUrl".to_string(), "app.internal".to_string())];
    let mut a = args(&FULL);
    a.url = None;
    assert_eq!(resolve(&a, &stack, None).unwrap_err().exit_code(), 2);
}

#[test]
fn the_budget_is_sent_with_the_templates_defaults() {
    let s = resolve(&args(&FULL), &[], None).unwrap();
    let p = parameters(&s, None);
    let template = crate::template::TEMPLATE_SOURCE;
    for (key, default) in BUDGET_PARAMETERS {
        let block = template
            .split(&format!("\n  {key}:\n"))
            .nth(1)
            .unwrap_or_else(|| panic!("{key} not in the template"));
        let line = block
            .lines()
            .find(|l| l.trim_start().starts_with("Default:"))
            .unwrap();
        assert_eq!(line.trim(), format!("Default: {default}"), "{key}");
        if key != "FunctionTimeout" {
            assert_eq!(value(&p, key), Some(default.to_string().as_str()), "{key}");
        }
    }
    assert!(template.contains(&format!(
        "CONNECT_TIMEOUT_SECONDS: \"{}\"",
        crate::budget::CONNECT_TIMEOUT
    )));
}

#[test]
fn host_and_secret_id_flags() {
    let (a, r) = relay_args(&[
        "--host",
        "App.Example.com",
        "--secret-id",
        "EventsToVpcSecret",
    ])
    .unwrap();
    assert!(a.secret_env.is_none());
    let relay = resolve_relay(&r, &[]).unwrap();
    assert_eq!(relay.host, "app.example.com");
    assert_eq!(r.secret_id.as_deref(), Some("EventsToVpcSecret"));
    for other in [
        &["--secret-stdin"][..],
        &["--generate-secret"],
        &["--secret-env", "KEY"],
    ] {
        let argv: Vec<&str> = ["--secret-id", "s"].iter().chain(other).copied().collect();
        assert!(relay_args(&argv).is_err(), "{argv:?}");
    }
    let (_, r) = relay_args(&["--host", "https://app.example.com/"]).unwrap();
    assert_eq!(resolve_relay(&r, &[]).unwrap_err().exit_code(), 2);
    // A redeploy keeps the stack's host unless told otherwise.
    let stack = vec![("TargetHost".to_string(), "app.example.com".to_string())];
    let (_, r) = relay_args(&[]).unwrap();
    assert_eq!(resolve_relay(&r, &stack).unwrap().host, "app.example.com");
}

#[test]
fn each_secret_choice_sets_the_three_secret_parameters() {
    let s = resolve(&args(&FULL), &[], None).unwrap();
    let relay = RelaySettings::default();
    // Generated: an empty Secret and no existing ARN (the template's GenerateOwnSecret).
    let p = parameters_for(&s, &relay, Some(&Choice::Generate));
    assert_eq!(value(&p, "Secret"), Some(""));
    assert_eq!(value(&p, "ExistingSecretArn"), Some(""));
    let arn = "arn:aws:secretsmanager:us-east-1:111122223333:secret:EventsToVpcSecret-AbC123";
    let key = "arn:aws:kms:us-east-1:111122223333:key/k-1";
    let existing = Choice::Existing(super::super::secret::Existing {
        arn: arn.into(),
        kms_key: Some(key.into()),
    });
    let p = parameters_for(&s, &relay, Some(&existing));
    assert_eq!(value(&p, "Secret"), Some(""));
    assert_eq!(value(&p, "ExistingSecretArn"), Some(arn));
    assert_eq!(value(&p, "ExistingSecretKmsKeyArn"), Some(key));
    // Keep: previous values where the stack has the parameter, defaults where it does not
    // (a stack from an older template: UsePreviousValue would be refused).
    let old = RelaySettings {
        stack_parameters: vec!["Secret".into()],
        ..RelaySettings::default()
    };
    let p = parameters_for(&s, &old, None);
    // A generated key is kept too: its empty Secret is the previous value.
    assert!(p.contains(&ParamValue::UsePrevious("Secret".into())));
    assert_eq!(value(&p, "ExistingSecretArn"), Some(""));
    let new = RelaySettings {
        stack_parameters: vec!["Secret".into(), "ExistingSecretArn".into()],
        ..RelaySettings::default()
    };
    let p = parameters_for(&s, &new, None);
    assert!(p.contains(&ParamValue::UsePrevious("ExistingSecretArn".into())));
    assert_eq!(value(&p, "ExistingSecretKmsKeyArn"), Some(""));
}

#[test]
fn ca_bundle_is_read_checked_and_sent_else_the_stacks_kept() {
    let dir = std::env::temp_dir().join(format!("evrelay-ca-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pem = dir.join("ca.pem");
    let body = "A".repeat(64);
    std::fs::write(
        &pem,
        format!(
            "subject=CN=Corp\n-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n"
        ),
    )
    .unwrap();
    let args = RelayArgs {
        ca_bundle: Some(pem.clone()),
        ..RelayArgs::default()
    };
    let r = resolve_relay(&args, &[]).unwrap();
    assert_eq!(
        r.ca_bundle,
        format!("-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n")
    );
    let kept = resolve_relay(
        &RelayArgs::default(),
        &[("CaBundle".to_string(), "PEM".to_string())],
    )
    .unwrap();
    assert_eq!(kept.ca_bundle, "PEM");

    std::fs::write(
        &pem,
        "-----BEGIN EC PRIVATE KEY-----\nx\n-----END EC PRIVATE KEY-----\n",
    )
    .unwrap();
    assert_eq!(resolve_relay(&args, &[]).unwrap_err().exit_code(), 2);
    std::fs::remove_dir_all(&dir).unwrap();
}
