//! `evrelay status`'s health section: the stack's CloudWatch metrics over `--since`, each
//! signal's numbers and sparkline, and one verdict line naming the worst signal. On by
//! default, as Copilot's `svc status` shows its alarms; `--no-health` leaves it (and its
//! CloudWatch call) out.

use std::time::Duration;

use clap::Args;
use serde::Serialize;

use crate::context::Context;
use crate::error::{Error, Result};
use crate::model::health::sparkline::{columns, sparkline};
use crate::model::health::{self, Kind, Series, State, Unit, Verdict, Window};
use crate::model::text::format_epoch_ms;
use crate::printer::Style;

#[derive(Debug, Clone, Args)]
pub struct HealthArgs {
    /// The health section's window: how far back to read the relay's metrics (15m, 1h, 7d).
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = crate::commands::parse_duration)]
    pub since: Duration,

    /// Time per datapoint, a whole number of minutes [default: 1m up to a 3h window, 5m up
    /// to 15d, 1h beyond].
    #[arg(long, value_name = "DURATION", value_parser = crate::commands::parse_duration)]
    pub period: Option<Duration>,

    /// Leave out the health section (and its CloudWatch call).
    #[arg(long, conflicts_with_all = ["since", "period"])]
    pub no_health: bool,
}

/// The window to read, checked before any AWS call (a bad value is a usage error, exit 2);
/// `None` with `--no-health`.
pub fn window(args: &HealthArgs) -> Result<Option<Window>> {
    if args.no_health {
        return Ok(None);
    }
    let now = crate::model::text::now_ms() / 1000;
    health::window::window(args.since, args.period, now)
        .map(Some)
        .map_err(|e| Error::usage(e.message).hint(e.hint))
}

#[derive(Debug, Clone, Serialize)]
pub struct HealthReport {
    /// Window start and end (RFC 3339), and seconds per datapoint.
    pub start: String,
    pub end: String,
    pub period: u64,
    pub verdict: Verdict,
    pub signals: Vec<SignalReport>,
    #[serde(skip)]
    window: Window,
    #[serde(skip)]
    series: Vec<Series>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SignalReport {
    pub name: &'static str,
    pub namespace: &'static str,
    pub metric: &'static str,
    pub dimensions: std::collections::BTreeMap<String, String>,
    pub statistic: &'static str,
    pub unit: Unit,
    /// True where a missing datapoint means zero (counts, queue levels); false for times.
    pub no_data_is_zero: bool,
    /// Counts: the window's sum.
    pub total: Option<f64>,
    /// The newest period's value (0 for a count or level with no data, null for a time).
    pub latest: Option<f64>,
    pub max: Option<f64>,
    pub series: Vec<Datapoint>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Datapoint {
    pub timestamp: String,
    pub value: f64,
}

/// The metrics, read concurrently with the rest of status. Like the resources, a read that
/// fails (no `cloudwatch:GetMetricData`, a throttled call) is a warning: the stack's status
/// is still shown, with `health: null`.
pub async fn fetch(ctx: &Context, window: Option<Window>, buffered: bool) -> Option<HealthReport> {
    let window = window?;
    let signals = health::signals(&ctx.names, buffered);
    match crate::aws::cloudwatch::series(ctx.cloudwatch(), &signals, &window).await {
        Ok(series) => Some(report(window, series)),
        Err(e) => {
            ctx.printer.warn(&format!(
                "could not read the relay's metrics: {}",
                e.message
            ));
            None
        }
    }
}

fn report(window: Window, series: Vec<Series>) -> HealthReport {
    let verdict = health::verdict(&series, &window);
    let signals = series
        .iter()
        .map(|s| SignalReport {
            name: s.signal.name,
            namespace: s.signal.namespace,
            metric: s.signal.metric,
            dimensions: s.signal.dimensions.iter().cloned().collect(),
            statistic: s.signal.statistic,
            unit: s.signal.unit,
            no_data_is_zero: s.signal.no_data_is_zero(),
            total: (s.signal.kind == Kind::Total).then(|| s.total()),
            latest: s.latest(),
            max: s.max(),
            series: s
                .points
                .iter()
                .map(|(t, v)| Datapoint {
                    timestamp: format_epoch_ms(t * 1000),
                    value: *v,
                })
                .collect(),
        })
        .collect();
    HealthReport {
        start: format_epoch_ms(window.start * 1000),
        end: format_epoch_ms(window.end * 1000),
        period: window.period,
        verdict,
        signals,
        window,
        series,
    }
}

/// The section: a title with the window, the verdict, a table of the signals.
pub fn section(health: Option<&HealthReport>, style: &Style) -> String {
    let Some(h) = health else {
        return String::new();
    };
    let w = &h.window;
    let verdict = match h.verdict.state {
        State::Failing => style.red(&h.verdict.line),
        State::Degraded => style.yellow(&h.verdict.line),
        State::Healthy => style.green(&h.verdict.line),
        State::Idle | State::NoTrafficYet => h.verdict.line.clone(),
    };
    let mut out = format!(
        "\nHealth over the last {} ({} points, from CloudWatch): {verdict}\n",
        w.length(),
        health::window::span(w.period)
    );
    if h.verdict.state == State::NoTrafficYet {
        out.push_str("  no metric has a datapoint yet: a new relay, or one that no event reached in the window\n");
        return out;
    }
    let mut t = style.table(["Signal", "Value", "Trend", "Note"]);
    let mut zeroed = false;
    for s in &h.series {
        let note = match (s.is_empty(), s.signal.no_data_is_zero()) {
            (true, true) => {
                zeroed = true;
                "no data = 0"
            }
            (true, false) => "no data",
            _ => "",
        };
        t.add_row(vec![
            s.signal.name.to_string(),
            s.shown(),
            sparkline(s, w.start, w.end, columns(w)),
            note.to_string(),
        ]);
    }
    out.push_str(&format!("\n{t}\n"));
    if zeroed {
        out.push_str("  no data = 0: AWS sends rule and error counts only when they are not zero, and no queue metrics for an inactive queue\n");
    }
    out
}
