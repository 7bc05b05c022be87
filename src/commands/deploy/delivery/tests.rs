//! Delivery flags: resolved flag → stack → default, each AWS rule refused before anything is made.

use clap::Parser;

use super::*;

#[derive(Parser)]
struct Wrap {
    #[command(flatten)]
    args: DeliveryArgs,
}

fn args(argv: &[&str]) -> DeliveryArgs {
    Wrap::try_parse_from(std::iter::once("deploy").chain(argv.iter().copied()))
        .unwrap()
        .args
}

fn unreserved() -> Reserved {
    Reserved {
        value: 0,
        label: "the default reserved concurrency 0".into(),
    }
}

fn stack(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn out_of_range_values_are_usage_errors_before_anything_else() {
    for bad in [
        &["--max-concurrency", "1"][..],
        &["--max-concurrency", "1001"],
        &["--batch-size", "0"],
        &["--batch-size", "10001"],
        &["--batch-window", "301"],
        &["--max-receive-count", "0"],
        &["--max-receive-count", "1001"],
        &["--delivery", "sometimes"],
    ] {
        let e = Wrap::try_parse_from(std::iter::once("deploy").chain(bad.iter().copied()))
            .err()
            .unwrap_or_else(|| panic!("{bad:?} accepted"));
        assert_eq!(e.exit_code(), 2, "{bad:?}");
    }
}

#[test]
fn flags_beat_the_stack_which_beats_the_templates_defaults() {
    let d = resolve(&args(&[]), &[], &unreserved(), 90).unwrap();
    assert_eq!(
        d,
        DeliverySettings {
            mode: Delivery::Direct,
            max_concurrency: 2,
            batch_size: 1,
            batch_window: 0,
            visibility_timeout: 540,
            max_receive_count: 5,
        }
    );
    let buffered = stack(&[
        ("Delivery", "buffered"),
        ("MaxConcurrency", "7"),
        ("BatchSize", "20"),
        ("BatchWindowSeconds", "2"),
        ("MaxReceiveCount", "3"),
    ]);
    let d = resolve(
        &args(&["--max-concurrency", "4"]),
        &buffered,
        &unreserved(),
        30,
    )
    .unwrap();
    assert_eq!(d.mode, Delivery::Buffered);
    assert_eq!(
        (
            d.max_concurrency,
            d.batch_size,
            d.batch_window,
            d.max_receive_count
        ),
        (4, 20, 2, 3)
    );
    // 6 x 30 s + the 2 s window.
    assert_eq!(d.visibility_timeout, 182);
    let d = resolve(
        &args(&["--delivery", "direct"]),
        &buffered,
        &unreserved(),
        30,
    )
    .unwrap();
    assert_eq!(d.mode, Delivery::Direct);
}

#[test]
fn buffered_only_flags_with_direct_delivery_name_the_flag() {
    let e = check_usage(&args(&["--delivery", "direct", "--batch-window", "5"])).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert_eq!(
        e.message,
        "--batch-window 5 with direct delivery: only buffered delivery has a batch window"
    );
    assert!(e.hint.unwrap().contains("--delivery buffered"));
    // Direct because the stack is (no --delivery): refused once the stack is read.
    assert!(check_usage(&args(&["--max-concurrency", "5"])).is_ok());
    for (flag, words) in [
        ("--max-concurrency", "a maximum concurrency"),
        ("--batch-size", "batches"),
        ("--max-receive-count", "a receive count"),
    ] {
        let e = resolve(
            &args(&[flag, "5"]),
            &stack(&[("Delivery", "direct")]),
            &unreserved(),
            90,
        )
        .unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(
            e.message
                .starts_with(&format!("{flag} 5 with direct delivery"))
                && e.message.contains(words),
            "{}",
            e.message
        );
    }
    assert!(check_usage(&args(&["--delivery", "buffered", "--batch-window", "5"])).is_ok());
}

#[test]
fn a_batch_above_ten_needs_a_window_wherever_each_value_came_from() {
    let e = resolve(
        &args(&["--delivery", "buffered", "--batch-size", "50"]),
        &[],
        &unreserved(),
        90,
    )
    .unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert_eq!(
        e.message,
        "--batch-size 50 needs a batch window of at least 1 s, and the default batch window 0 is below it (Lambda API Reference, CreateEventSourceMapping MaximumBatchingWindowInSeconds: above 10 records)"
    );
    assert!(e.hint.unwrap().contains("--batch-window 1"));
    let windowed = stack(&[
        ("Delivery", "buffered"),
        ("BatchSize", "50"),
        ("BatchWindowSeconds", "5"),
    ]);
    let e = resolve(
        &args(&["--batch-window", "0"]),
        &windowed,
        &unreserved(),
        90,
    )
    .unwrap_err();
    assert!(
        e.message.starts_with(
            "the stack's batch size 50 needs a batch window of at least 1 s, and --batch-window 0"
        ),
        "{}",
        e.message
    );
    assert!(resolve(&args(&[]), &windowed, &unreserved(), 90).is_ok());
}

#[test]
fn reserved_concurrency_below_max_concurrency_is_refused_citing_lambdas_scaling_guidance() {
    let reserved = |value: u32, label: &str| Reserved {
        value,
        label: label.into(),
    };
    let a = args(&["--delivery", "buffered", "--max-concurrency", "5"]);
    let e = resolve(&a, &[], &reserved(3, "--reserved-concurrency 3"), 90).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert!(
        e.message
            .starts_with("--reserved-concurrency 3 is below --max-concurrency 5:")
            && e.message
                .contains("Lambda Developer Guide, services-sqs-scaling"),
        "{}",
        e.message
    );
    let hint = e.hint.unwrap();
    assert!(
        hint.contains("--reserved-concurrency 5 or more")
            && hint.contains("--max-concurrency 3 or less"),
        "{hint}"
    );
    assert!(resolve(&a, &[], &reserved(5, "--reserved-concurrency 5"), 90).is_ok());
    assert!(resolve(&a, &[], &reserved(0, "unreserved"), 90).is_ok());
    // Direct delivery has no mapping to throttle.
    assert!(resolve(
        &args(&[]),
        &[],
        &reserved(1, "--reserved-concurrency 1"),
        90
    )
    .is_ok());
}

#[test]
fn direct_keeps_the_stacks_buffered_numbers_and_buffered_sends_its_own() {
    let d = resolve(
        &args(&["--delivery", "buffered", "--batch-size", "3"]),
        &[],
        &unreserved(),
        90,
    )
    .unwrap();
    let sent = parameters(&d, &[]);
    let value = |k: &str| {
        sent.iter().find_map(|p| match p {
            ParamValue::Value(key, v) if key == k => Some(v.clone()),
            _ => None,
        })
    };
    assert_eq!(value("Delivery").as_deref(), Some("buffered"));
    assert_eq!(value("BatchSize").as_deref(), Some("3"));
    assert_eq!(
        value("BufferVisibilityTimeoutSeconds").as_deref(),
        Some("540")
    );
    let direct = DeliverySettings::default();
    let had: Vec<String> = BUFFERED_ONLY.iter().map(|k| k.to_string()).collect();
    let sent = parameters(&direct, &had);
    assert_eq!(
        sent[0],
        ParamValue::Value("Delivery".into(), "direct".into())
    );
    assert!(sent[1..]
        .iter()
        .all(|p| matches!(p, ParamValue::UsePrevious(_))));
    let fresh = parameters(&direct, &[]);
    assert_eq!(
        fresh[1],
        ParamValue::Value("MaxConcurrency".into(), "2".into())
    );
}

#[test]
fn a_direct_preview_hides_what_only_a_buffer_has() {
    let change = |k: &str| ParamChange {
        key: k.into(),
        old: None,
        new: "1".into(),
    };
    let changes = vec![
        change("Delivery"),
        change("MaxConcurrency"),
        change("BatchSize"),
        change("LogRetentionDays"),
    ];
    let keys = |c: Vec<ParamChange>| c.into_iter().map(|c| c.key).collect::<Vec<_>>();
    assert_eq!(
        keys(shown(changes.clone(), Delivery::Direct)),
        ["Delivery", "LogRetentionDays"]
    );
    assert_eq!(shown(changes.clone(), Delivery::Buffered).len(), 4);
}

#[test]
fn a_batch_the_timeout_cannot_hold_at_its_worst_is_warned_about() {
    let mut d = DeliverySettings {
        mode: Delivery::Buffered,
        batch_size: 10,
        max_receive_count: 5,
        ..Default::default()
    };
    let w = slow_tail_warning(&d, 10, 90).expect("a warning");
    assert!(
        w.contains("up to 10 events")
            && w.contains("only 1 is sure")
            && w.contains("58 s an event")
            && w.contains("--batch-size 1 or --function-timeout 601"),
        "{w}"
    );
    assert!(slow_tail_warning(&d, 10, 601).is_none());
    d.batch_size = 100;
    let w = slow_tail_warning(&d, 10, 900).unwrap();
    assert!(w.contains("--batch-size 15 avoids it"), "{w}");
    d.batch_size = 1;
    assert!(slow_tail_warning(&d, 10, 90).is_none());
    d.mode = Delivery::Direct;
    d.batch_size = 10;
    assert!(slow_tail_warning(&d, 10, 90).is_none());
}

#[test]
fn a_default_buffered_deploy_is_not_warned_about_its_batch() {
    // The template's BatchSize default is what the default timeouts are sure to try.
    let d = resolve(&args(&["--delivery", "buffered"]), &[], &unreserved(), 90).unwrap();
    assert_eq!(
        slow_tail_warning(&d, 10, super::super::params::DEFAULT_FUNCTION_TIMEOUT),
        None
    );
}

#[test]
fn switching_a_buffer_with_events_to_direct_is_refused_with_the_count() {
    use Delivery::*;
    let e = refuse_switch("orders", Buffered, Direct, "orders-buffer", 3).unwrap_err();
    assert_eq!(e.exit_code(), 1);
    assert_eq!(
        e.message,
        "refusing to switch stack `orders` to direct delivery: its buffer orders-buffer holds 3 events the relay has not delivered yet, and the switch deletes the buffer; nothing changed"
    );
    assert!(e.hint.unwrap().contains("`evrelay --stack orders status`"));
    assert!(refuse_switch("orders", Buffered, Direct, "orders-buffer", 0).is_ok());
    assert!(refuse_switch("orders", Buffered, Buffered, "orders-buffer", 3).is_ok());
    assert!(refuse_switch("orders", Direct, Buffered, "orders-buffer", 3).is_ok());
    assert!(refuse_switch("orders", Direct, Direct, "orders-buffer", 3).is_ok());
}
