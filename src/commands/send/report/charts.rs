//! `send`'s pictures on a terminal: the rate over the run as a sparkline and each latency's
//! distribution as a histogram over log-spaced buckets (1-2-5 ms steps, as a latency spans
//! orders of magnitude). The buckets are data too: `--output json` carries them.

use serde::Serialize;

use crate::printer::chart::{bars, sparkline};

use super::SendReport;

/// How many latencies fell in `[from_ms, to_ms)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(in crate::commands::send) struct LatencyBucket {
    pub from_ms: u64,
    pub to_ms: u64,
    pub events: u64,
}

/// The bucket edges: 0, 1, 2, 5, 10, 20, 50, … ms.
fn edge(i: usize) -> u64 {
    match i {
        0 => 0,
        i => [1, 2, 5][(i - 1) % 3] * 10u64.pow(((i - 1) / 3) as u32),
    }
}

/// The index of the bucket holding `ms`.
fn bucket_of(ms: u64) -> usize {
    (0..)
        .find(|&i| ms < edge(i + 1))
        .expect("edges grow past u64")
}

/// The buckets from the lowest value's to the highest's, the empty ones between kept (a gap
/// is part of the picture); none for no values.
pub(super) fn histogram(values: &[u64]) -> Vec<LatencyBucket> {
    let (Some(&lo), Some(&hi)) = (values.iter().min(), values.iter().max()) else {
        return Vec::new();
    };
    (bucket_of(lo)..=bucket_of(hi))
        .map(|i| LatencyBucket {
            from_ms: edge(i),
            to_ms: edge(i + 1),
            events: values.iter().filter(|&&v| bucket_of(v) == i).count() as u64,
        })
        .collect()
}

/// The charts below the summary, for a terminal `width` columns wide: the rate when the run
/// lasted two seconds or more, each latency histogram when more than one response came.
pub(super) fn render(report: &SendReport, width: usize) -> Vec<String> {
    let mut parts = Vec::new();
    let each = &report.summary.accepted_each_second;
    if each.len() >= 2 {
        let peak = each.iter().max().copied().unwrap_or(0);
        let label = format!("Accepted each second ({} s): ", each.len());
        let tail = format!("  peak {peak}/s");
        let room = width.saturating_sub(label.chars().count() + tail.len());
        let series: Vec<f64> = each.iter().map(|&n| n as f64).collect();
        parts.push(format!("{label}{}{tail}", sparkline(&series, room)));
    }
    if let Some(r) = report.responses.as_ref().filter(|r| r.received > 1) {
        for (title, buckets) in [
            ("Round trip", &r.round_trip_histogram),
            ("Relay latency", &r.relay_latency_histogram),
        ] {
            if buckets.is_empty() {
                continue;
            }
            let rows: Vec<(String, u64)> = buckets
                .iter()
                .map(|b| (format!("{}–{} ms", b.from_ms, b.to_ms), b.events))
                .collect();
            parts.push(format!("{title}:\n{}", bars(&rows, width).join("\n")));
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_log_spaced_and_keep_the_gaps_between_values() {
        assert_eq!(
            (0..8).map(edge).collect::<Vec<_>>(),
            [0, 1, 2, 5, 10, 20, 50, 100]
        );
        assert_eq!(
            [
                bucket_of(0),
                bucket_of(1),
                bucket_of(4),
                bucket_of(5),
                bucket_of(99)
            ],
            [0, 1, 2, 3, 6]
        );
        let h = histogram(&[12, 15, 19, 20, 130]);
        let spans: Vec<(u64, u64, u64)> =
            h.iter().map(|b| (b.from_ms, b.to_ms, b.events)).collect();
        assert_eq!(
            spans,
            [(10, 20, 3), (20, 50, 1), (50, 100, 0), (100, 200, 1)]
        );
        assert!(histogram(&[]).is_empty());
    }
}
