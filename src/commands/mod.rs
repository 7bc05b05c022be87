//! One module per subcommand: each defines its flags and a `run` that fetches, decides, acts
//! and hands a report to the printer.

pub mod completions;
pub mod deploy;
pub mod destroy;
pub mod discover;
pub mod dlq;
pub mod failover;
pub mod logs;
pub mod policy;
pub mod replay;
pub mod send;
pub mod status;
pub mod template;
pub mod top;

use std::time::Duration;

/// `90s`, `10m`, `1h30m`, `2m 30s`, `1d`, or plain seconds — the forms `humantime` (as used by
/// systemd and many Rust tools) accepts, so nothing is parsed by hand.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    humantime::parse_duration(s)
        .map_err(|e| format!("`{s}` is not a duration ({e}); use e.g. 90s, 10m, 1h30m or 2d"))
}

/// A time as `logs --since` and `replay --from` take it: a duration back from `now` (`10m`,
/// `2h`) or an RFC 3339 time; epoch milliseconds.
pub fn parse_time(s: &str, now_ms: i64) -> Result<i64, String> {
    if let Ok(d) = parse_duration(s) {
        return Ok(now_ms - d.as_millis() as i64);
    }
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
        .map_err(|_| format!("`{s}` is neither a duration nor an RFC 3339 time"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("45m"), Ok(Duration::from_secs(2700)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_duration("12"), Ok(Duration::from_secs(12)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("2m 30s"), Ok(Duration::from_secs(150)));
        assert_eq!(parse_duration("1d"), Ok(Duration::from_secs(86400)));
        assert!(parse_duration("5x").unwrap_err().contains("`5x`"));
        assert!(parse_duration("m").is_err());
        assert!(parse_duration("").is_err());
    }
}
