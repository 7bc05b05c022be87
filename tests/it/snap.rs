//! The one filter set every snapshot goes through: what differs from run to run (ids and
//! names AWS or moto generate, times, durations, rates, column padding that follows their
//! lengths) is masked, so a snapshot shows the shape and the words, never one run's values.

/// In order: an earlier mask may contain what a later one would match.
pub const FILTERS: &[(&str, &str)] = &[
    (r#"arn:aws:[^\s,"']+"#, "[arn]"),
    (
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        "[UUID]",
    ),
    (
        r"\b(vpce|vpc|subnet|sg|nat|igw|eni)-[0-9a-f]{8,17}\b",
        "$1-[ID]",
    ),
    (
        r"-\d+\.us-east-1\.elb\.amazonaws\.com",
        "-[N].us-east-1.elb.amazonaws.com",
    ),
    (r"https://sqs\.[^\s]+", "[queue-url]"),
    (
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)",
        "[TIME]",
    ),
    (r"\b\d\d:\d\d:\d\d\b", "[time]"),
    (
        r"in \d+\.\d\d s \([\d.]+ events/s\)",
        "in [ELAPSED] ([RATE])",
    ),
    (r"\b\d+ ms\b", "[N] ms"),
    (r"\b\d+(h\d\d)?(m\d\d)?s\b", "[dur]"),
    // CloudFormation's physical-name suffixes and evrelay's client request tokens.
    (r"-[A-Z0-9]{12}\b", "-[random]"),
    (r"evrelay-[a-z]+-[A-Za-z0-9]{12}", "[token]"),
    // A test's own temporary directory (its evrelay.toml, drain files).
    (r"(/tmp|/var/folders/[^\s]+)/\.tmp[A-Za-z0-9]+", "[tmpdir]"),
    // evrelay's change-set names carry the time they were made and a random part.
    (r"\bevrelay-\d{10}-[0-9a-f]{6}\b", "[change-set]"),
    // Column gaps follow the masked values' lengths: keep one gap, not the padding. Leading
    // indentation is kept; it is part of the shape.
    (r"(?m)(\S) {2,}", "$1  "),
    (r"(?m)[ \t]+$", ""),
];

/// Settings carrying [`FILTERS`]: `snap::settings().bind(|| insta::assert_snapshot!(…))`.
pub fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    for (re, with) in FILTERS {
        settings.add_filter(re, *with);
    }
    settings
}

/// The masks on a line with one of each: what they keep is what a snapshot shows.
#[test]
fn masks_keep_the_shape() {
    let text = "subnet-0a1b2c3d4e5f67890  vpce-0123456789abcdef0   took 12s at 08:12:44   ";
    settings().bind(|| {
        insta::assert_snapshot!(text, @"subnet-[ID]  vpce-[ID]  took [dur] at [time]");
    });
}
