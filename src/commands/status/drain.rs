//! How long the buffer's backlog takes to drain, estimated from what can be read cheaply: the
//! backlog measured twice (`status --watch`), else the mapping's capacity: the relay posts a
//! batch's records one at a time, so each of the mapping's `MaximumConcurrency` invocations
//! delivers about one event per median latency.

use serde::Serialize;

/// The estimate and what it rests on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Drain {
    /// Seconds until the backlog is gone at that rate; None when there is no rate to go by.
    pub seconds: Option<u64>,
    /// Events a second the estimate assumes.
    pub rate_per_second: Option<f64>,
    /// `empty`, `observed` (the backlog measured twice), `capacity` (maximum concurrency and
    /// the relay's median latency) or `unknown`.
    pub basis: &'static str,
    /// The numbers behind it, in words.
    pub detail: String,
}

/// The relay's recent deliveries, from its log lines (`latency-ms`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Latency {
    pub median_ms: u64,
    pub samples: usize,
    /// The window the lines were read from.
    pub minutes: u64,
}

/// The backlog at two moments (`status --watch`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observed {
    pub before: u64,
    pub after: u64,
    pub seconds: f64,
}

/// The median of the latencies, None for none.
pub fn median(mut values: Vec<u64>) -> Option<u64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    Some(values[values.len() / 2])
}

pub fn estimate(
    backlog: u64,
    observed: Option<Observed>,
    concurrency: Option<u32>,
    latency: Option<Latency>,
) -> Drain {
    if backlog == 0 {
        return Drain {
            seconds: Some(0),
            rate_per_second: None,
            basis: "empty",
            detail: "nothing waiting".into(),
        };
    }
    // What was seen beats what should be: a falling backlog measured twice.
    if let Some(o) = observed.filter(|o| o.after < o.before && o.seconds > 0.0) {
        let rate = (o.before - o.after) as f64 / o.seconds;
        return Drain {
            seconds: Some((backlog as f64 / rate).ceil() as u64),
            rate_per_second: Some(round(rate)),
            basis: "observed",
            detail: format!(
                "the backlog fell from {} to {} in {:.0} s",
                o.before, o.after, o.seconds
            ),
        };
    }
    match (concurrency, latency) {
        (Some(n), Some(l)) if l.median_ms > 0 => {
            let rate = f64::from(n) * 1000.0 / l.median_ms as f64;
            Drain {
                seconds: Some((backlog as f64 / rate).ceil() as u64),
                rate_per_second: Some(round(rate)),
                basis: "capacity",
                detail: format!(
                    "{n} at a time × one event per {} ms, the relay's median latency over {} in the last {} min",
                    l.median_ms,
                    if l.samples == 1 {
                        "1 delivery".to_string()
                    } else {
                        format!("{} deliveries", l.samples)
                    },
                    l.minutes
                ),
            }
        }
        (None, _) => Drain {
            seconds: None,
            rate_per_second: None,
            basis: "unknown",
            detail: "the mapping sets no maximum concurrency".into(),
        },
        _ => Drain {
            seconds: None,
            rate_per_second: None,
            basis: "unknown",
            detail: "the relay logged no delivery recently".into(),
        },
    }
}

fn round(rate: f64) -> f64 {
    (rate * 100.0).round() / 100.0
}

/// `45 s`, `4 min 10 s`, `2 h 5 min`.
pub fn words(seconds: u64) -> String {
    match seconds {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => match s % 60 {
            0 => format!("{} min", s / 60),
            r => format!("{} min {r} s", s / 60),
        },
        s => match (s % 3600) / 60 {
            0 => format!("{} h", s / 3600),
            m => format!("{} h {m} min", s / 3600),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECENT: Latency = Latency {
        median_ms: 200,
        samples: 40,
        minutes: 5,
    };

    #[test]
    fn capacity_is_concurrency_times_one_event_per_median_latency() {
        // 2 at a time, 200 ms each: 10 events/s; 1,000 waiting: 100 s.
        let d = estimate(1000, None, Some(2), Some(RECENT));
        assert_eq!(d.basis, "capacity");
        assert_eq!(d.seconds, Some(100));
        assert_eq!(d.rate_per_second, Some(10.0));
        assert!(d.detail.contains("200 ms"), "{}", d.detail);
        assert!(d.detail.contains("40 deliveries"), "{}", d.detail);
    }

    #[test]
    fn a_falling_backlog_measured_twice_wins_over_capacity() {
        let seen = Observed {
            before: 500,
            after: 400,
            seconds: 10.0,
        };
        let d = estimate(400, Some(seen), Some(2), Some(RECENT));
        assert_eq!(d.basis, "observed");
        assert_eq!(d.seconds, Some(40));
        // A backlog that grew says nothing about the drain rate: capacity again.
        let grew = Observed {
            before: 400,
            after: 500,
            seconds: 10.0,
        };
        assert_eq!(
            estimate(500, Some(grew), Some(2), Some(RECENT)).basis,
            "capacity"
        );
    }

    #[test]
    fn without_a_rate_the_estimate_says_why() {
        let d = estimate(10, None, Some(2), None);
        assert_eq!((d.basis, d.seconds), ("unknown", None));
        assert!(d.detail.contains("no delivery"), "{}", d.detail);
        assert_eq!(estimate(0, None, None, None).basis, "empty");
    }

    #[test]
    fn medians_and_durations_read_as_an_operator_says_them() {
        assert_eq!(median(vec![900, 100, 200]), Some(200));
        assert_eq!(median(vec![]), None);
        assert_eq!(words(45), "45 s");
        assert_eq!(words(250), "4 min 10 s");
        assert_eq!(words(7500), "2 h 5 min");
    }
}
