//! How a refresh reads: one plain line (a pipe, a log file) and the dashboard's frame (a
//! terminal). Pure: [`Snapshot`] and the kept log lines in, text out. The verdict, the
//! sparklines and the numbers' forms are the health model's, so `top` and `status` agree.

use crate::aws::sqs::QueueDepth;
use crate::model::health::sparkline::sparkline;
use crate::model::health::verdict::{age, num};
use crate::model::health::{Kind, Series, State, Unit};
use crate::model::log_line::LogLine;
use crate::printer::tui::{chart_width, ChartView, Dashboard, Tone};
use crate::printer::{Report, Style};

use super::snapshot::Snapshot;

fn queue(name: &str, d: &Option<QueueDepth>) -> String {
    match d {
        Some(d) if d.in_flight > 0 => {
            format!(
                "{name} {} ({} in flight)",
                d.visible + d.delayed,
                d.in_flight
            )
        }
        Some(d) => format!("{name} {}", d.visible + d.delayed),
        None => format!("{name} -"),
    }
}

/// The queues now, as one phrase: `DLQ 3 · buffer 0`.
pub(super) fn queues(s: &Snapshot) -> String {
    let mut parts = vec![queue("DLQ", &s.dlq)];
    if s.buffer.is_some() {
        parts.push(queue("buffer", &s.buffer));
    }
    parts.join(" · ")
}

fn new_lines(n: usize) -> String {
    format!("{n} new log line{}", if n == 1 { "" } else { "s" })
}

/// The plain mode's line, one per refresh: when, the stack, the verdict, the queues, how
/// many new log lines, and any read that failed.
impl Report for Snapshot {
    fn render(&self, style: &Style) -> String {
        let mut line = format!("{} {}:", self.at, self.stack);
        if let Some(h) = &self.health {
            line.push_str(&format!(" {} ·", h.verdict.line));
        }
        line.push_str(&format!(
            " {} · {}",
            queues(self),
            new_lines(self.new_log_lines.len())
        ));
        for e in &self.errors {
            line.push_str(&format!(" · {}", style.red(&format!("error: {e}"))));
        }
        line
    }
}

/// A signal's number as the chart's title shows it: a count's total over the window, a
/// level's or a time's latest value.
fn value(s: &Series) -> String {
    let show = |v: f64| match s.signal.unit {
        Unit::Count => num(v),
        Unit::Milliseconds => format!("{} ms", num(v)),
        Unit::Seconds => age(v),
    };
    match s.signal.kind {
        Kind::Total => num(s.total()),
        Kind::Level | Kind::Latency => s.latest().map_or("-".into(), show),
    }
}

/// The dashboard's frame for a refresh, `width` columns wide.
pub(super) fn dashboard<'a>(
    s: &Snapshot,
    logs: impl Iterator<Item = &'a LogLine>,
    title: &str,
    width: u16,
) -> Dashboard {
    let (verdict, tone, charts) = match &s.health {
        Some(h) => {
            let w = &h.window;
            let tone = match h.verdict.state {
                State::Failing => Tone::Bad,
                State::Degraded => Tone::Warning,
                State::Healthy => Tone::Good,
                State::Idle | State::NoTrafficYet => Tone::Plain,
            };
            let charts = h
                .series
                .iter()
                .map(|series| ChartView {
                    title: format!("{}  {}", series.signal.name, value(series)),
                    line: sparkline(series, w.start, w.end, chart_width(width)),
                })
                .collect();
            (h.verdict.line.clone(), tone, charts)
        }
        None => ("metrics unavailable".to_string(), Tone::Warning, Vec::new()),
    };
    let mut footer = format!("q quit · refreshed {}", &s.at);
    for e in &s.errors {
        footer.push_str(&format!(" · error: {e}"));
    }
    Dashboard {
        title: title.to_string(),
        verdict,
        tone,
        charts,
        queues: format!("Now: {}", queues(s)),
        logs: logs
            .map(|l| {
                let at = crate::model::text::format_epoch_ms(l.timestamp);
                format!("{} {}", &at[11..19], l.message.trim_end())
            })
            .collect(),
        footer,
    }
}

/// The frame before the first refresh has come back.
pub(super) fn waiting(title: &str) -> Dashboard {
    Dashboard {
        title: title.to_string(),
        verdict: "reading the relay's metrics, queues and log…".into(),
        tone: Tone::Plain,
        charts: Vec::new(),
        queues: String::new(),
        logs: Vec::new(),
        footer: "q quit".into(),
    }
}
