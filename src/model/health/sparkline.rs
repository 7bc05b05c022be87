//! A series as a fixed-width sparkline (▁▂▃▄▅▆▇█), scaled to its own maximum.
//!
//! Always blocks in the table, terminal or not: the table is for reading (a pager, a CI log
//! and a file show them alike) and digits per column would not fit; the numbers themselves
//! are in `--output json`.

use super::{Kind, Series};

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// Columns per sparkline: 30 one-minute points for the default hour's 60, two per column.
pub const WIDTH: usize = 30;

/// Columns for a window: [`WIDTH`], or one per period when the window has fewer (a point
/// is never stretched over empty columns).
pub fn columns(w: &super::Window) -> usize {
    let periods = ((w.end - w.start) / w.period.max(1) as i64).max(1) as usize;
    WIDTH.min(periods)
}

/// `width` columns over `[start, end)`: points falling in one column are summed for a
/// count and the largest kept otherwise. A column without points is the lowest bar where
/// no data means zero, and blank for a latency (nothing was timed then).
pub fn sparkline(series: &Series, start: i64, end: i64, width: usize) -> String {
    let span = (end - start).max(1) as f64;
    let mut columns: Vec<Option<f64>> = vec![None; width];
    for (t, v) in &series.points {
        if *t < start || *t >= end {
            continue;
        }
        let i = (((*t - start) as f64 / span) * width as f64) as usize;
        let slot = &mut columns[i.min(width - 1)];
        *slot = Some(match (*slot, series.signal.kind) {
            (None, _) => *v,
            (Some(a), Kind::Total) => a + v,
            (Some(a), _) => a.max(*v),
        });
    }
    let top = columns.iter().flatten().copied().fold(0.0, f64::max);
    columns
        .iter()
        .map(|c| match c {
            None if !series.signal.no_data_is_zero() => ' ',
            None => BARS[0],
            Some(v) => bar(*v, top),
        })
        .collect()
}

/// Zero is the lowest bar, anything above zero at least the second, so one error in an hour
/// of zeros still shows.
fn bar(v: f64, top: f64) -> char {
    if v <= 0.0 || top <= 0.0 {
        return BARS[0];
    }
    let level = 1 + ((v / top) * 6.999) as usize;
    BARS[level.min(7)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::health::signals;
    use crate::names::RelayNames;

    fn series(name: &str, points: &[(i64, f64)]) -> Series {
        Series {
            signal: signals(&RelayNames::new("s"), false)
                .into_iter()
                .find(|s| s.name == name)
                .unwrap(),
            points: points.to_vec(),
        }
    }

    #[test]
    fn fixed_width_scaled_to_the_series_maximum() {
        let s = series("relay_errors", &[(0, 1.0), (60, 4.0), (540, 8.0)]);
        let line = sparkline(&s, 0, 600, 10);
        assert_eq!(line.chars().count(), 10);
        assert_eq!(line, "▂▅▁▁▁▁▁▁▁█");
    }

    #[test]
    fn counts_in_one_column_add_up_levels_keep_the_largest() {
        let c = series("relay_errors", &[(0, 1.0), (60, 1.0), (120, 2.0)]);
        assert_eq!(sparkline(&c, 0, 240, 2), "██");
        let l = series("dlq_messages", &[(0, 1.0), (60, 1.0), (120, 2.0)]);
        assert_eq!(sparkline(&l, 0, 240, 2), "▅█");
        let l = series("dlq_messages", &[(0, 1.0), (60, 2.0), (120, 2.0)]);
        assert_eq!(sparkline(&l, 0, 240, 2), "██");
    }

    #[test]
    fn a_short_window_has_a_column_per_period() {
        let w = crate::model::health::Window {
            start: 0,
            end: 960,
            period: 60,
        };
        assert_eq!(columns(&w), 16);
        let hour = crate::model::health::Window {
            start: 0,
            end: 3600,
            period: 60,
        };
        assert_eq!(columns(&hour), WIDTH);
    }

    #[test]
    fn no_data_is_a_flat_line_for_counts_and_blank_for_latency() {
        assert_eq!(sparkline(&series("relay_errors", &[]), 0, 600, 5), "▁▁▁▁▁");
        let p99 = series("relay_duration_p99", &[(300, 120.0)]);
        assert_eq!(sparkline(&p99, 0, 600, 5), "  █  ");
    }
}
