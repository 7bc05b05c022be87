//! `send --rate N/s`: a steady rate for load tests, and the schedule it sets. An open model,
//! as load tools such as vegeta use: each request is due at a fixed time whatever the answers
//! before it took, so a slow endpoint shows up as a lower achieved rate, not as a quieter test.

use std::time::Duration;

use serde::Serialize;

/// Events per second, above zero.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Rate(f64);

/// PutEvents' default quota is 10,000 entries per second in the largest regions (EventBridge
/// quotas); a rate far above any account's quota is a typo.
const MAX_PER_SECOND: f64 = 100_000.0;

impl Rate {
    pub fn per_second(self) -> f64 {
        self.0
    }

    /// How many events `duration` holds at this rate (at least one).
    pub fn events_in(self, duration: Duration) -> u64 {
        ((self.0 * duration.as_secs_f64()).round() as u64).max(1)
    }

    /// Entries per PutEvents request: about ten requests a second while the rate allows, so
    /// events leave evenly rather than in bursts of ten.
    pub fn entries_per_request(self) -> usize {
        ((self.0 / 10.0).floor() as usize).clamp(1, 10)
    }

    /// When the request starting with entry `index` is due, from the start of the send.
    pub fn due(self, index: usize) -> Duration {
        Duration::from_secs_f64(index as f64 / self.0)
    }

    /// The rate the send kept: `entries` issued, the last request at `last_issued` after the
    /// start, `last_entries` in it. On schedule that is exactly the target rate.
    pub fn achieved(entries: usize, last_issued: Duration, last_entries: usize) -> f64 {
        let span = last_issued.as_secs_f64();
        if entries == 0 {
            return 0.0;
        }
        if entries == last_entries || span == 0.0 {
            // One request: its own entries over no time say nothing; report them as issued.
            return entries as f64;
        }
        // The last request's entries are counted from its start: span covers the others.
        (entries - last_entries) as f64 / span
    }
}

/// `N/s` or `N/m` (N may have decimals): `50/s`, `600/m`, `0.5/s`.
pub fn parse_rate(s: &str) -> Result<Rate, String> {
    let hint = "use e.g. 50/s or 600/m";
    let (n, unit) = s
        .trim()
        .split_once('/')
        .ok_or_else(|| format!("`{s}` is not a rate; {hint}"))?;
    let per = match unit.trim() {
        "s" | "sec" | "second" => 1.0,
        "m" | "min" | "minute" => 60.0,
        other => return Err(format!("`{s}`: `/{other}` is not a unit of time; {hint}")),
    };
    let n: f64 = n
        .trim()
        .parse()
        .map_err(|_| format!("`{s}`: `{n}` is not a number; {hint}"))?;
    let rate = n / per;
    if !rate.is_finite() || rate <= 0.0 {
        return Err(format!("`{s}`: a rate must be above zero; {hint}"));
    }
    if rate > MAX_PER_SECOND {
        return Err(format!(
            "`{s}` is above {MAX_PER_SECOND} events per second, beyond any PutEvents quota; {hint}"
        ));
    }
    Ok(Rate(rate))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_per_second_and_per_minute_and_zero_is_refused() {
        assert_eq!(parse_rate("50/s").unwrap().per_second(), 50.0);
        assert_eq!(parse_rate("600/m").unwrap().per_second(), 10.0);
        assert_eq!(parse_rate(" 0.5/s ").unwrap().per_second(), 0.5);
        for bad in ["0/s", "-1/s", "50", "50/h", "x/s", "1e9/s", "NaN/s"] {
            let e = parse_rate(bad).unwrap_err();
            assert!(e.contains(bad.trim()), "{bad}: {e}");
        }
        assert!(parse_rate("0/s").unwrap_err().contains("above zero"));
    }

    #[test]
    fn the_schedule_spreads_requests_evenly() {
        let r = parse_rate("20/s").unwrap();
        assert_eq!(r.entries_per_request(), 2);
        assert_eq!(r.due(0), Duration::ZERO);
        assert_eq!(r.due(10), Duration::from_millis(500));
        assert_eq!(parse_rate("5/s").unwrap().entries_per_request(), 1);
        assert_eq!(parse_rate("5000/s").unwrap().entries_per_request(), 10);
        assert_eq!(r.events_in(Duration::from_secs(3)), 60);
        assert_eq!(
            parse_rate("1/m").unwrap().events_in(Duration::from_secs(1)),
            1
        );
    }

    #[test]
    fn on_schedule_the_achieved_rate_is_the_target() {
        let r = parse_rate("20/s").unwrap();
        // 40 entries in requests of 2: the last starts at entry 38, due at 1.9 s.
        assert!((Rate::achieved(40, r.due(38), 2) - 20.0).abs() < 1e-9);
        // Behind schedule: the same entries over twice the time.
        assert!((Rate::achieved(40, r.due(38) * 2, 2) - 10.0).abs() < 1e-9);
        assert_eq!(Rate::achieved(0, Duration::ZERO, 0), 0.0);
    }
}
