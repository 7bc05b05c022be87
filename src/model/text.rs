//! Small text helpers every report uses: one way to fit a value into a table cell and one
//! way to write a time.

/// One line (runs of whitespace, newlines included, become one space), at most `max`
/// characters; a cut value ends in `…`.
pub fn shorten(s: &str, max: usize) -> String {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        one_line
    } else {
        format!(
            "{}…",
            one_line
                .chars()
                .take(max.saturating_sub(1))
                .collect::<String>()
        )
    }
}

/// A count with its noun, singular for one: `1 message`, `0 messages`, `2 events`. Nouns
/// evrelay counts take an `s` in the plural.
pub fn count(n: impl Into<u64>, noun: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// A count as the subject of a past sentence: `1 event was`, `3 messages were`.
pub fn were(n: impl Into<u64>, noun: &str) -> String {
    let n = n.into();
    format!("{} {}", count(n, noun), if n == 1 { "was" } else { "were" })
}

/// A count as the subject of a present sentence: `1 record has`, `3 records have`.
pub fn have(n: impl Into<u64>, noun: &str) -> String {
    let n = n.into();
    format!("{} {}", count(n, noun), if n == 1 { "has" } else { "have" })
}

/// `-` for a missing value in a table cell.
pub fn or_dash(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "-".into())
}

/// Epoch milliseconds as RFC 3339 UTC with milliseconds, e.g. `2026-11-24T08:00:00.123Z`.
pub fn format_epoch_ms(ms: i64) -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_else(|| ms.to_string())
}

/// Now, in epoch milliseconds (the unit CloudWatch Logs and SQS timestamps use).
pub fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// A sparkline's block for `v` on a scale from zero to `top`: zero is the lowest block and any
/// value above zero at least the second, so one event in a run of zeros still shows. The one
/// scale every sparkline uses (status's health, top, send's rate).
pub fn spark_tick(v: f64, top: f64) -> char {
    const TICKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    if v <= 0.0 || top <= 0.0 || !v.is_finite() {
        return TICKS[0];
    }
    let level = 1 + ((v / top) * 6.999) as usize;
    TICKS[level.min(TICKS.len() - 1)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_cells_are_shortened_to_one_line() {
        assert_eq!(shorten("a\n  b", 10), "a b");
        assert_eq!(shorten("abcdefghij", 5), "abcd…");
        assert_eq!(shorten("héllo wörld", 6), "héllo…");
    }

    #[test]
    fn counts_are_singular_for_one() {
        assert_eq!(count(1u64, "event"), "1 event");
        assert_eq!(count(0u64, "message"), "0 messages");
        assert_eq!(count(2u32, "event"), "2 events");
        assert_eq!(were(1u64, "event"), "1 event was");
        assert_eq!(were(3u64, "message"), "3 messages were");
    }

    #[test]
    fn epoch_ms_formats_as_utc() {
        assert_eq!(format_epoch_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            format_epoch_ms(1_700_000_000_123),
            "2023-11-14T22:13:20.123Z"
        );
    }
}
