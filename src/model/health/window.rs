//! The window the health section reads (`--since`) and the period its datapoints have
//! (`--period`, else chosen from the window), checked against what CloudWatch keeps.

use std::time::Duration;

/// CloudWatch's retention, GetMetricData
/// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html):
/// "Data points with a period of 60 seconds (1-minute) are available for 15 days. Data points
/// with a period of 300 seconds (5-minute) are available for 63 days. Data points with a
/// period of 3600 seconds (1 hour) are available for 455 days (15 months)", and a start time
/// older than each limit needs a period that is a multiple of the next one, "or no data
/// points in that time range are returned".
const RETENTION: [(u64, u64, &str); 3] = [
    (60, 15 * DAY, "1-minute"),
    (300, 63 * DAY, "5-minute"),
    (3600, 455 * DAY, "1-hour"),
];

const HOUR: u64 = 3600;
const DAY: u64 = 24 * HOUR;

/// The window, ending at `end` (epoch seconds, on a period boundary).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: i64,
    pub end: i64,
    /// Seconds per datapoint.
    pub period: u64,
}

/// A bad `--since`/`--period`: which flag, what is wrong, what to give instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowError {
    pub message: String,
    pub hint: String,
}

fn refuse(message: String, hint: impl Into<String>) -> WindowError {
    WindowError {
        message,
        hint: hint.into(),
    }
}

/// The period for a window when none is asked for: per-minute detail up to 3 hours, then
/// 5-minute points up to the 15 days 1-minute data is kept, then hourly.
pub fn auto_period(since: u64) -> u64 {
    if since <= 3 * HOUR {
        60
    } else if since <= 15 * DAY {
        300
    } else {
        3600
    }
}

/// The window of `since` ending now (`now`, epoch seconds), at `period` or the automatic
/// one. The end is rounded up to the period, so the current, partial period is shown (the
/// freshest data is what an operator asks about), and the window holds whole periods.
pub fn window(since: Duration, period: Option<Duration>, now: i64) -> Result<Window, WindowError> {
    let since_s = since.as_secs();
    let text = humantime::format_duration(Duration::from_secs(since_s)).to_string();
    if since_s < 60 {
        return Err(refuse(
            format!("--since {text} is shorter than one minute, CloudWatch's shortest period for AWS metrics"),
            "use --since 1m or longer, e.g. --since 15m",
        ));
    }
    let period = match period {
        None => auto_period(since_s),
        Some(p) => {
            let p = p.as_secs();
            // Standard-resolution metrics (every AWS metric here) have one point a minute:
            // GetMetricData wants a period that is a multiple of 60 (API_MetricStat.html).
            if p == 0 || p % 60 != 0 {
                return Err(refuse(
                    format!("--period {p}s is not a whole number of minutes"),
                    "use --period 1m, 5m or 1h (a multiple of 60 seconds)",
                ));
            }
            if p > since_s {
                return Err(refuse(
                    format!(
                        "--period {} is longer than the window (--since {text})",
                        fmt(p)
                    ),
                    format!("use a --period of at most {text}, or a longer --since"),
                ));
            }
            p
        }
    };
    if let Some((_, kept, _)) = RETENTION.last().filter(|(_, kept, _)| since_s > *kept) {
        return Err(refuse(
            format!(
                "--since {text} reaches beyond the {} days CloudWatch keeps any metric",
                kept / DAY
            ),
            format!("use --since {}d or less", kept / DAY),
        ));
    }
    // Older than a resolution is kept, the period must be a multiple of the next one.
    for pair in RETENTION.windows(2) {
        let ((_, kept, what), (next, _, _)) = (pair[0], pair[1]);
        if since_s > kept && period % next != 0 {
            return Err(refuse(
                format!(
                    "--since {text} at --period {}: CloudWatch keeps {what} data {} days",
                    fmt(period),
                    kept / DAY
                ),
                format!(
                    "use --period {} (or leave it out), or --since {}d or less",
                    fmt(next),
                    kept / DAY
                ),
            ));
        }
    }
    let p = period as i64;
    let end = now.div_euclid(p) * p + if now.rem_euclid(p) == 0 { 0 } else { p };
    let periods = since_s.div_ceil(period) as i64;
    Ok(Window {
        start: end - periods * p,
        end,
        period,
    })
}

/// `1m`, `5m`, `1h`, `90s`: a period as an operator writes it.
pub fn fmt(secs: u64) -> String {
    humantime::format_duration(Duration::from_secs(secs)).to_string()
}

/// A span in a sentence: `5 min`, `1 h`, `20 d` (the largest whole unit).
pub fn span(secs: u64) -> String {
    if secs % DAY == 0 {
        format!("{} d", secs / DAY)
    } else if secs % HOUR == 0 {
        format!("{} h", secs / HOUR)
    } else if secs % 60 == 0 {
        format!("{} min", secs / 60)
    } else {
        format!("{secs} s")
    }
}

impl Window {
    /// The span "recent" means in the verdict: the last 5 minutes, or the last period when
    /// a period is longer.
    pub fn recent_from(&self) -> i64 {
        self.end - (self.period.max(300) as i64)
    }

    pub fn recent_span(&self) -> String {
        span(self.period.max(300))
    }

    pub fn length(&self) -> String {
        span((self.end - self.start) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn since(s: &str) -> Duration {
        humantime::parse_duration(s).unwrap()
    }

    const NOW: i64 = 1_800_000_030; // 30 s into a minute

    #[test]
    fn the_period_grows_with_the_window() {
        assert_eq!(window(since("1h"), None, NOW).unwrap().period, 60);
        assert_eq!(window(since("3h"), None, NOW).unwrap().period, 60);
        assert_eq!(window(since("4h"), None, NOW).unwrap().period, 300);
        assert_eq!(window(since("15d"), None, NOW).unwrap().period, 300);
        assert_eq!(window(since("20d"), None, NOW).unwrap().period, 3600);
        assert!(window(since("455d"), None, NOW).is_ok());
    }

    #[test]
    fn the_window_ends_after_the_current_period_and_holds_whole_periods() {
        let w = window(since("1h"), None, NOW).unwrap();
        assert_eq!(w.end, 1_800_000_060);
        assert_eq!(w.end - w.start, 3600);
        let w = window(since("90s"), None, NOW).unwrap();
        assert_eq!(w.end - w.start, 120);
        assert_eq!(w.recent_from(), w.end - 300);
    }

    #[test]
    fn beyond_what_cloudwatch_keeps_is_refused_with_the_limit() {
        let e = window(since("500d"), None, NOW).unwrap_err();
        assert!(e.message.contains("455 days"), "{}", e.message);
        assert!(e.hint.contains("--since 455d"));
        let e = window(since("20d"), Some(since("1m")), NOW).unwrap_err();
        assert!(e.message.contains("1-minute data 15 days"), "{}", e.message);
        assert!(e.hint.contains("--period 5m"), "{}", e.hint);
        let e = window(since("70d"), Some(since("5m")), NOW).unwrap_err();
        assert!(e.message.contains("5-minute data 63 days"), "{}", e.message);
        assert!(e.hint.contains("--period 1h"), "{}", e.hint);
        assert!(window(since("20d"), Some(since("10m")), NOW).is_ok());
        assert!(window(since("15d"), Some(since("1m")), NOW).is_ok());
    }

    #[test]
    fn odd_periods_and_tiny_windows_are_refused() {
        assert!(window(since("30s"), None, NOW)
            .unwrap_err()
            .message
            .contains("shorter than one minute"));
        assert!(window(since("1h"), Some(since("90s")), NOW)
            .unwrap_err()
            .message
            .contains("whole number of minutes"));
        assert!(window(since("10m"), Some(since("1h")), NOW)
            .unwrap_err()
            .message
            .contains("longer than the window"));
    }
}
