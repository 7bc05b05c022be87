use super::*;

#[test]
fn the_defaults_make_up_79_seconds() {
    let b = Budget::with_read_timeout(10);
    // 2 × (2 + 3) + (1 + 5)
    assert_eq!(b.aws_call(), 16);
    assert_eq!(b.post(), 13);
    assert_eq!(b.worst_case(), 3 * 16 + 2 * 13 + 5);
    assert_eq!(b.worst_case(), 79);
    assert!(b.fits(79) && !b.fits(78));
}

#[test]
fn backoff_doubles_up_to_botocores_cap() {
    let b = |aws_attempts| Budget {
        aws_attempts,
        ..Budget::with_read_timeout(10)
    };
    assert_eq!(b(1).aws_backoff(), 0);
    assert_eq!(b(1).aws_call(), 5);
    assert_eq!(b(3).aws_backoff(), (1 + 5) + (2 + 5));
    // 1, 2, 4, 8, 16, then capped at 20.
    assert_eq!(b(7).aws_backoff(), 1 + 2 + 4 + 8 + 16 + 20 + 6 * 5);
    // 0 attempts is read as 1: the call is still made once.
    assert_eq!(b(0).aws_call(), b(1).aws_call());
}

#[test]
fn the_read_timeout_counts_twice() {
    let short = Budget::with_read_timeout(1).worst_case();
    let long = Budget::with_read_timeout(25).worst_case();
    assert_eq!(long - short, 2 * 24);
    assert_eq!(long, 109);
}

#[test]
fn the_template_passes_the_relay_the_same_numbers() {
    let t = crate::template::TEMPLATE_SOURCE;
    assert!(t.contains(&format!("CONNECT_TIMEOUT_SECONDS: \"{CONNECT_TIMEOUT}\"")));
    assert!(t.contains(&format!("DEADLINE_MARGIN_SECONDS: \"{MARGIN}\"")));
}

#[test]
fn the_explanation_names_every_part() {
    assert_eq!(
        Budget::with_read_timeout(10).to_string(),
        "79 s = secret read 16 s (2 attempts × (2 s connect + 3 s read) + 6 s backoff) \
         + POST 13 s (3 s connect + 10 s read) + key re-read 16 s + retried POST 13 s \
         + response event 16 s + margin 5 s"
    );
}

#[test]
fn buffered_settings_follow_awss_limits() {
    use buffered::*;
    let ok = Settings {
        max_concurrency: 2,
        batch_size: 10,
        batch_window: 0,
        function_timeout: 90,
        visibility_timeout: None,
        reserved_concurrency: 0,
    };
    assert_eq!(check(&ok), Ok(()));
    assert_eq!(visibility_timeout(90, 0), 540);
    assert_eq!(visibility_timeout(30, 2), 182);
    let bad = |s: Settings, word: &str| {
        let e = check(&s).unwrap_err().to_string();
        assert!(e.contains(word), "{e}");
    };
    bad(
        Settings {
            max_concurrency: 1,
            ..ok
        },
        "max concurrency 1",
    );
    bad(
        Settings {
            max_concurrency: 1001,
            ..ok
        },
        "max concurrency 1001",
    );
    bad(
        Settings {
            batch_size: 50,
            ..ok
        },
        "batch size 50 needs a batch window",
    );
    assert_eq!(
        check(&Settings {
            batch_size: 50,
            batch_window: 1,
            ..ok
        }),
        Ok(())
    );
    bad(
        Settings {
            batch_window: 301,
            ..ok
        },
        "batch window 301",
    );
    bad(
        Settings {
            visibility_timeout: Some(100),
            ..ok
        },
        "visibility timeout 100 s",
    );
    bad(
        Settings {
            function_timeout: 900,
            batch_window: 300,
            batch_size: 11,
            visibility_timeout: Some(50_000),
            ..ok
        },
        "43200",
    );
    bad(
        Settings {
            reserved_concurrency: 1,
            max_concurrency: 2,
            ..ok
        },
        "reserved concurrency 1",
    );
    assert_eq!(
        check(&Settings {
            reserved_concurrency: 5,
            ..ok
        }),
        Ok(())
    );
}

#[test]
fn a_batch_is_tried_as_far_as_the_timeout_holds_each_record_at_its_worst() {
    let b = Budget::with_read_timeout(10);
    // 90 - 5 - 16 = 69 s for records of 2 x 13 + 2 x 16 = 58 s each.
    assert_eq!(buffered::records_sure_to_be_tried(&b, 90), 1);
    assert_eq!(buffered::records_sure_to_be_tried(&b, 900), 15);
    assert_eq!(buffered::records_sure_to_be_tried(&b, 30), 0);
    // The timeout that holds a whole batch: 21 s + 58 s a record.
    assert_eq!(buffered::function_timeout_for(&b, 10), 601);
    assert_eq!(buffered::records_sure_to_be_tried(&b, 601), 10);
    assert_eq!(buffered::records_sure_to_be_tried(&b, 600), 9);
    // The budget's own floor always tries one record.
    for read in 1..=25 {
        let b = Budget::with_read_timeout(read);
        assert_eq!(buffered::records_sure_to_be_tried(&b, b.worst_case()), 1);
    }
}
