//! Small text charts for a terminal: a sparkline (a series in one line of block characters) and
//! horizontal bars (a histogram). The one renderer every report uses; a report draws them only
//! when [`chart_width`] says stdout is a terminal wide enough to read them.

use std::io::IsTerminal;

/// Narrower than this, a chart is noise: the numbers are printed alone.
pub const MIN_WIDTH: u16 = 40;

const TICKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The width charts may use: stdout's terminal width when it is a terminal at least
/// [`MIN_WIDTH`] wide, else `None` (a pipe, a file, a narrow pane: plain numbers only).
pub fn chart_width() -> Option<u16> {
    // The test override of `table_width` stands for a terminal of that width.
    if !cfg!(test) && !std::io::stdout().is_terminal() {
        return None;
    }
    super::table_width().filter(|w| *w >= MIN_WIDTH)
}

/// `values` in at most `width` block characters, scaled from zero to the largest value: zero is
/// the lowest bar and any value above zero at least the second, so one event in a run of
/// zeros still shows (as status's health sparklines read). A series longer than `width` is
/// averaged over equal runs of points.
pub fn sparkline(values: &[f64], width: usize) -> String {
    let points = squeeze(values, width.max(1));
    let max = points.iter().copied().fold(0.0_f64, f64::max);
    points
        .iter()
        .map(|&v| {
            if v <= 0.0 || max <= 0.0 || !v.is_finite() {
                TICKS[0]
            } else {
                let level = 1 + ((v / max) * 6.999) as usize;
                TICKS[level.min(TICKS.len() - 1)]
            }
        })
        .collect()
}

/// Averages `values` down to at most `width` points (each point the mean of its run).
fn squeeze(values: &[f64], width: usize) -> Vec<f64> {
    if values.len() <= width {
        return values.to_vec();
    }
    (0..width)
        .map(|i| {
            let from = i * values.len() / width;
            let to = ((i + 1) * values.len() / width).max(from + 1);
            let run = &values[from..to];
            run.iter().sum::<f64>() / run.len() as f64
        })
        .collect()
}

/// One line per row: its label right-aligned, a bar scaled to the largest count, the count.
/// Fits in `width` columns; a count above zero shows at least one block.
pub fn bars(rows: &[(String, u64)], width: usize) -> Vec<String> {
    let label_width = rows
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    let count_width = rows
        .iter()
        .map(|(_, n)| n.to_string().len())
        .max()
        .unwrap_or(1);
    let room = width.saturating_sub(label_width + count_width + 3).max(1);
    let max = rows.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    rows.iter()
        .map(|(label, n)| {
            let len = match *n {
                0 => 0,
                n => ((n as f64 / max as f64) * room as f64).round().max(1.0) as usize,
            };
            format!(
                "{label:>label_width$} {}{} {n}",
                "█".repeat(len),
                " ".repeat(room - len)
            )
            .trim_end()
            .to_string()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sparkline_scales_to_its_largest_value_and_keeps_zero_lowest() {
        assert_eq!(sparkline(&[0.0, 1.0, 4.0, 8.0], 10), "▁▂▅█");
        assert_eq!(sparkline(&[0.0, 0.0], 10), "▁▁");
        assert_eq!(sparkline(&[], 10), "");
        // The smallest non-zero value is still visible beside a large one.
        assert_eq!(sparkline(&[1.0, 1000.0], 10), "▂█");
    }

    #[test]
    fn a_long_series_is_averaged_into_the_width() {
        let values: Vec<f64> = (0..100).map(|i| if i < 50 { 2.0 } else { 4.0 }).collect();
        let line = sparkline(&values, 10);
        assert_eq!(line.chars().count(), 10);
        assert_eq!(line, "▅▅▅▅▅█████");
    }

    #[test]
    fn bars_fit_the_width_and_show_every_non_zero_count() {
        let rows = vec![
            ("10–20 ms".to_string(), 100),
            ("20–50 ms".to_string(), 1),
            ("50–100 ms".to_string(), 0),
        ];
        let lines = bars(&rows, 40);
        assert!(lines.iter().all(|l| l.chars().count() <= 40), "{lines:?}");
        // 40 columns less the label (9), the count (3) and three spaces: 25 for the bars.
        assert_eq!(lines[0], format!(" 10–20 ms {} 100", "█".repeat(25)));
        assert_eq!(lines[1], format!(" 20–50 ms █{} 1", " ".repeat(24)));
        assert_eq!(lines[2], format!("50–100 ms {} 0", " ".repeat(25)));
    }
}
