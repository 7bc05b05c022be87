//! deploy's flags: parsing, the config file's fill, the help's defaults.

use clap::Parser;

use super::*;
use crate::model::arn::parse_role_arn;

#[derive(Parser)]
struct Wrap {
    #[command(flatten)]
    args: DeployArgs,
}

fn args(argv: &[&str]) -> DeployArgs {
    Wrap::try_parse_from(std::iter::once("deploy").chain(argv.iter().copied()))
        .unwrap()
        .args
}

fn file() -> crate::config::Remembered {
    crate::config::Remembered {
        subnets: vec!["subnet-f1".into(), "subnet-f2".into()],
        security_groups: vec!["sg-f".into()],
        url: Some("http://file/".into()),
        read_timeout: Some(7),
        secret_id: Some("file-secret".into()),
        ..Default::default()
    }
}

#[test]
fn a_question_that_cannot_be_asked_is_refused_up_front_unless_none_is_needed() {
    let refused = refuse_unaskable(&args(&[]), false, false, "s").unwrap_err();
    assert_eq!(refused.exit_code(), 2);
    assert!(
        refused.message.contains("deploy stack s"),
        "{}",
        refused.message
    );
    let kept = refuse_unaskable(&args(&["--execute", "evrelay-1"]), false, false, "s");
    assert!(kept.unwrap_err().message.contains("change set evrelay-1"));
    assert!(refuse_unaskable(&args(&[]), true, false, "s").is_ok());
    assert!(refuse_unaskable(&args(&[]), false, true, "s").is_ok());
    assert!(refuse_unaskable(&args(&["--dry-run"]), false, false, "s").is_ok());
    assert!(refuse_unaskable(&args(&["--no-execute"]), false, false, "s").is_ok());
}

#[test]
fn flags_beat_the_config_file_which_fills_the_rest() {
    let mut a = args(&["--url", "http://flag/", "--read-timeout", "3"]);
    a.fill_from(&file());
    assert_eq!(a.url.as_deref(), Some("http://flag/"));
    assert_eq!(a.read_timeout, Some(3));
    assert_eq!(a.subnets, ["subnet-f1", "subnet-f2"]);
    assert_eq!(a.security_group.as_deref(), Some("sg-f"));
    assert_eq!(a.relay.secret_id.as_deref(), Some("file-secret"));
}

#[test]
fn tags_and_role_arns_are_checked_as_cloudformation_takes_them() {
    assert_eq!(
        parse_tag("team=payments"),
        Ok(("team".into(), "payments".into()))
    );
    assert_eq!(parse_tag("empty="), Ok(("empty".into(), String::new())));
    assert!(parse_tag("team").unwrap_err().contains("KEY=VALUE"));
    assert!(parse_tag("evrelay:managed=no")
        .unwrap_err()
        .contains("reserved"));
    assert!(parse_tag("AWS:x=y").unwrap_err().contains("reserved"));
    assert!(parse_tag("=v").is_err());
    assert!(parse_role_arn("arn:aws:iam::123456789012:role/cfn-deployer").is_ok());
    assert!(parse_role_arn("arn:aws-cn:iam::123456789012:role/path/r").is_ok());
    for bad in [
        "cfn-deployer",
        "arn:aws:iam::1234:role/x",
        "arn:aws:iam::123456789012:user/x",
    ] {
        assert!(parse_role_arn(bad).unwrap_err().contains(bad), "{bad}");
    }
    let mut a = args(&[]);
    let file = crate::config::Remembered {
        tags: [("team".to_string(), "p".to_string())].into(),
        role_arn: Some("arn:aws:iam::123456789012:role/r".into()),
        ..Default::default()
    };
    a.fill_from(&file);
    assert_eq!(a.tags, [("team".to_string(), "p".to_string())]);
    assert!(a.role_arn.is_some());
}

/// The help's defaults are the template's (the one source params reads too).
#[test]
fn help_defaults_are_the_templates() {
    use clap::CommandFactory;
    let cmd = Wrap::command();
    for (arg, parameter) in [
        ("detail_type", "InboundDetailType"),
        ("auth_header", "AuthHeaderName"),
        ("reserved_concurrency", "ReservedConcurrency"),
        ("function_timeout", "FunctionTimeout"),
        ("read_timeout", "ReadTimeoutSeconds"),
        ("log_retention_days", "LogRetentionDays"),
        ("delivery", "Delivery"),
        ("max_concurrency", "MaxConcurrency"),
        ("batch_size", "BatchSize"),
        ("batch_window", "BatchWindowSeconds"),
        ("max_receive_count", "MaxReceiveCount"),
    ] {
        let help = cmd
            .get_arguments()
            .find(|a| a.get_id() == arg)
            .and_then(|a| a.get_help())
            .unwrap()
            .to_string();
        let default = super::super::params::template_default(parameter);
        assert!(
            help.contains(&format!("[default: {default}, or the stack's]")),
            "--{arg}: {help} (template: {default})"
        );
    }
}

#[test]
fn a_kept_change_set_is_executed_without_setting_flags() {
    let a = args(&[
        "--execute",
        "evrelay-1",
        "--events-endpoint",
        "skip",
        "--dry-run",
    ]);
    assert_eq!(a.execute.as_deref(), Some("evrelay-1"));
    for flag in [
        &["--url", "http://x/"][..],
        &["--tags", "a=b"],
        &["--no-execute"],
        &["--secret-id", "s"],
        &["--delivery", "buffered"],
        &["--max-concurrency", "5"],
        &["--batch-size", "5"],
        &["--batch-window", "5"],
        &["--max-receive-count", "5"],
    ] {
        let argv = [&["deploy", "--execute", "evrelay-1"][..], flag].concat();
        let e = Wrap::try_parse_from(argv).err().expect("a conflict");
        assert_eq!(
            e.kind(),
            clap::error::ErrorKind::ArgumentConflict,
            "{flag:?}"
        );
    }
    assert!(Wrap::try_parse_from(["deploy", "--no-execute", "--dry-run"]).is_err());
}

#[test]
fn discover_picks_and_a_secret_flag_are_not_overridden_by_the_file() {
    let mut a = args(&["--cluster", "events", "--secret-stdin"]);
    a.fill_from(&file());
    assert!(a.subnets.is_empty() && a.url.is_none() && a.security_group.is_none());
    assert_eq!(
        a.relay.secret_id, None,
        "--secret-stdin is the secret this time"
    );
    assert_eq!(a.read_timeout, Some(7));
}

#[test]
fn the_files_buffered_settings_come_back_unless_the_flags_say_direct() {
    use super::super::delivery::Delivery;
    let buffered = crate::config::Remembered {
        delivery: Some("buffered".into()),
        max_concurrency: Some(3),
        batch_size: Some(20),
        batch_window: Some(2),
        max_receive_count: Some(4),
        ..file()
    };
    let mut a = args(&["--batch-size", "5"]);
    a.fill_from(&buffered);
    assert_eq!(a.delivery.delivery, Some(Delivery::Buffered));
    assert_eq!(a.delivery.max_concurrency, Some(3));
    assert_eq!(a.delivery.batch_size, Some(5), "the flag wins");
    assert_eq!(a.delivery.batch_window, Some(2));
    assert_eq!(a.delivery.max_receive_count, Some(4));

    let mut a = args(&["--delivery", "direct"]);
    a.fill_from(&buffered);
    assert_eq!(a.delivery.delivery, Some(Delivery::Direct));
    assert_eq!(
        (a.delivery.max_concurrency, a.delivery.batch_size),
        (None, None),
        "a direct deploy would refuse buffered-only numbers"
    );
}
