use super::*;

fn p() -> &'static Path {
    Path::new("evrelay.toml")
}

#[test]
fn a_file_names_a_default_stack_and_one_table_per_stack_and_region() {
    let c = parse(
        r#"
stack = "orders"
region = "eu-west-1"
[stacks.orders.eu-west-1]
subnets = ["subnet-a", "subnet-b"]
security_groups = ["sg-1"]
url = "http://internal-x/"
tags = { team = "payments" }
[stacks.orders.us-east-1]
url = "http://internal-y/"
"#,
        p(),
    )
    .unwrap();
    assert_eq!(c.stack.as_deref(), Some("orders"));
    let eu = c.relay("orders", "eu-west-1").unwrap();
    assert_eq!(eu.subnets, ["subnet-a", "subnet-b"]);
    assert_eq!(eu.tags["team"], "payments");
    assert_eq!(
        c.relay("orders", "us-east-1").unwrap().url.as_deref(),
        Some("http://internal-y/")
    );
    assert!(c.relay("orders", "ap-south-1").is_none());
    assert!(c.relay("other", "eu-west-1").is_none());
}

#[test]
fn an_unknown_key_is_named_with_its_line() {
    let e = parse(
        "stack = \"a\"\n\n[stacks.a.us-east-1]\nsubnet = [\"x\"]\n",
        p(),
    )
    .unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert!(e.message.contains("line 4"), "{}", e.message);
    assert!(e.message.contains("subnet"), "{}", e.message);
    assert!(!e.message.contains('\n'), "one line: {}", e.message);
    let e = parse("regoin = \"x\"\n", p()).unwrap_err();
    assert!(
        e.message.contains("line 1") && e.message.contains("regoin"),
        "{}",
        e.message
    );
}

#[test]
fn a_bad_value_is_named() {
    let e = parse("[stacks.a.us-east-1]\nfunction_timeout = \"thirty\"\n", p()).unwrap_err();
    assert!(e.message.contains("line 2"), "{}", e.message);
    let e = parse(
        "[stacks.a.us-east-1]\ntags = { \"evrelay:managed\" = \"no\" }\n",
        p(),
    )
    .unwrap_err();
    assert!(e.message.contains("evrelay:"), "{}", e.message);
    let e = parse("[stacks.a.us-east-1]\ndelivery = \"later\"\n", p()).unwrap_err();
    assert!(e.message.contains("delivery `later`"), "{}", e.message);
    let e = parse("[stacks.a.us-east-1]\nbatch_size = 5\n", p()).unwrap_err();
    assert!(
        e.message.contains("batch_size is set without delivery"),
        "{}",
        e.message
    );
    let ok = "[stacks.a.us-east-1]\ndelivery = \"buffered\"\nbatch_size = 5\n";
    assert_eq!(
        parse(ok, p())
            .unwrap()
            .relay("a", "us-east-1")
            .unwrap()
            .batch_size,
        Some(5)
    );
}

#[test]
fn a_missing_default_file_is_empty_but_a_named_one_must_exist() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.toml");
    let implicit = ConfigPath {
        path: missing.clone(),
        explicit: false,
    };
    assert_eq!(implicit.load(false).unwrap(), ConfigFile::default());
    let named = ConfigPath::new(Some(&missing));
    assert_eq!(named.load(false).unwrap_err().exit_code(), 2);
    assert_eq!(
        named.load(true).unwrap(),
        ConfigFile::default(),
        "a deploy creates it"
    );
}

#[test]
fn remembering_a_deploy_keeps_comments_and_other_relays() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("evrelay.toml");
    std::fs::write(
        &path,
        "# mine\nstack = \"a\"\n\n[stacks.b.us-east-1]\nurl = \"http://b/\"\n",
    )
    .unwrap();
    let settings = Remembered {
        subnets: vec!["subnet-1".into(), "subnet-2".into()],
        security_groups: vec!["sg-1".into()],
        url: Some("http://a/".into()),
        function_timeout: Some(60),
        ..Default::default()
    };
    remember(&path, "a", "eu-west-1", &settings).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("# mine\n"), "{text}");
    let c = parse(&text, &path).unwrap();
    assert_eq!(c.relay("a", "eu-west-1"), Some(&settings));
    assert_eq!(
        c.relay("b", "us-east-1").unwrap().url.as_deref(),
        Some("http://b/")
    );
    // A redeploy replaces that relay's table, not merges into it.
    let fewer = Remembered {
        url: Some("http://a2/".into()),
        ..Default::default()
    };
    remember(&path, "a", "eu-west-1", &fewer).unwrap();
    let c = parse(&std::fs::read_to_string(&path).unwrap(), &path).unwrap();
    assert_eq!(c.relay("a", "eu-west-1"), Some(&fewer));
    assert!(!dir.path().join("evrelay.toml.tmp").exists());
}

#[test]
fn the_first_deploy_becomes_the_default_stack_and_a_default_already_there_stays() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("evrelay.toml");
    let settings = Remembered {
        url: Some("http://o/".into()),
        ..Default::default()
    };
    remember(&path, "orders", "us-east-1", &settings).unwrap();
    let c = parse(&std::fs::read_to_string(&path).unwrap(), &path).unwrap();
    assert_eq!(c.stack.as_deref(), Some("orders"));
    assert_eq!(c.relay("orders", "us-east-1"), Some(&settings));
    // A second relay is remembered beside it; the default stays the first one.
    remember(&path, "payments", "us-east-1", &settings).unwrap();
    let c = parse(&std::fs::read_to_string(&path).unwrap(), &path).unwrap();
    assert_eq!(c.stack.as_deref(), Some("orders"));
    assert!(c.relay("payments", "us-east-1").is_some());
    // A file that had relays but no default (an older evrelay wrote it) gets one, first.
    std::fs::write(
        &path,
        "# team relays\n[stacks.b.us-east-1]\nurl = \"http://b/\"\n",
    )
    .unwrap();
    remember(&path, "c", "us-east-1", &settings).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("# team relays"), "{text}");
    let c = parse(&text, &path).unwrap();
    assert_eq!(c.stack.as_deref(), Some("c"));
    assert!(c.relay("b", "us-east-1").is_some());
}

#[test]
fn a_pair_s_keys_go_with_its_secondary_region() {
    let c = parse(
        "[stacks.a.us-east-1]\nsecondary_region = \"us-west-2\"\nreplication = \"off\"\narchive_retention = 0\n",
        p(),
    )
    .unwrap();
    let a = c.relay("a", "us-east-1").unwrap();
    assert_eq!(
        (
            a.secondary_region.as_deref(),
            a.replication.as_deref(),
            a.archive_retention
        ),
        (Some("us-west-2"), Some("off"), Some(0))
    );
    for (text, named) in [
        (
            "secondary_region = \"us-east-1\"",
            "secondary_region `us-east-1` is the table's own Region",
        ),
        (
            "secondary_region = \"us-west-2\"\nreplication = \"yes\"",
            "replication `yes` is not on or off",
        ),
        (
            "replication = \"on\"",
            "replication is set without secondary_region",
        ),
        (
            "archive_retention = 7",
            "archive_retention is set without secondary_region",
        ),
    ] {
        let e = parse(&format!("[stacks.a.us-east-1]\n{text}\n"), p()).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.message.ends_with(named), "{}", e.message);
    }
}
