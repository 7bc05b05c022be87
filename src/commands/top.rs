//! `evrelay top`: the relay's health, refreshed every few seconds until Ctrl-C — the same
//! signals and verdict as `status`'s health section (`crate::model::health`), one line per
//! refresh: the time, the verdict, the numbers an operator watches.

use std::collections::BTreeMap;
use std::time::Duration;

use clap::Args;
use serde::Serialize;

use crate::context::Context;
use crate::error::{Error, Result};
use crate::model::health::verdict::num;
use crate::model::health::{self, Kind, Series, Verdict, Window};
use crate::model::text::{format_epoch_ms, now_ms};

#[derive(Debug, Clone, Args)]
pub struct TopArgs {
    /// The window each refresh reads, as `status --since` (the verdict's "recent" is its last 5 min).
    #[arg(long, value_name = "DURATION", default_value = "15m", value_parser = crate::commands::parse_duration)]
    pub since: Duration,

    /// Time between refreshes (at least 1s; CloudWatch's AWS metrics move once a minute).
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = crate::commands::parse_duration)]
    pub interval: Duration,
}

/// One refresh: JSON mode prints it as one line of NDJSON.
#[derive(Debug, Clone, Serialize)]
pub struct Refresh {
    pub time: String,
    pub verdict: Verdict,
    /// Counts: the window's total; queue levels and times: the latest value (null: no data).
    pub signals: BTreeMap<&'static str, Option<f64>>,
}

pub async fn run(ctx: &Context, args: TopArgs) -> Result<()> {
    window(&args.since)?;
    if args.interval < Duration::from_secs(1) {
        return Err(Error::usage(format!(
            "--interval {} is shorter than a second",
            humantime::format_duration(args.interval)
        ))
        .hint("use --interval 5s (CloudWatch's AWS metrics have one point a minute)"));
    }
    // Listening before the first line: a reader that sees output may press Ctrl-C at once.
    let interrupted = crate::interrupt::listen();
    tokio::pin!(interrupted);
    let Some(info) = crate::stack::describe_stack(ctx.cloudformation(), &ctx.names.stack).await?
    else {
        return Err(crate::stack::missing::not_found(ctx).await);
    };
    let signals = health::signals(&ctx.names, health::buffered(&info.parameters));
    loop {
        let w = window(&args.since)?;
        let series = crate::aws::cloudwatch::series(ctx.cloudwatch(), &signals, &w).await?;
        let refresh = refresh(&series, &w);
        if ctx.printer.json() {
            ctx.printer.json_line(&refresh)?;
        } else {
            ctx.printer.stdout(&line(&refresh))?;
        }
        tokio::select! {
            _ = tokio::time::sleep(args.interval) => {}
            // Ctrl-C is how watching ends: a normal exit, as `logs --follow`.
            _ = &mut interrupted => return Ok(()),
        }
    }
}

fn window(since: &Duration) -> Result<Window> {
    health::window::window(*since, None, now_ms() / 1000)
        .map_err(|e| Error::usage(e.message).hint(e.hint))
}

fn refresh(series: &[Series], w: &Window) -> Refresh {
    Refresh {
        time: format_epoch_ms(now_ms()),
        verdict: health::verdict(series, w),
        signals: series
            .iter()
            .map(|s| {
                let v = match s.signal.kind {
                    Kind::Total => Some(s.total()),
                    _ => s.latest(),
                };
                (s.signal.name, v)
            })
            .collect(),
    }
}

/// `TIME  VERDICT  (matched N, errors N, DLQ N)`: the verdict first, then the counts an
/// operator compares between refreshes.
fn line(r: &Refresh) -> String {
    let get = |name| r.signals.get(name).copied().flatten();
    let parts: Vec<String> = [
        ("matched", "inbound_rule_matched"),
        ("invocations", "relay_invocations"),
        ("errors", "relay_errors"),
        ("throttles", "relay_throttles"),
        ("DLQ", "dlq_messages"),
        ("buffer", "buffer_messages"),
    ]
    .iter()
    .filter_map(|(label, name)| get(name).map(|v| format!("{label} {}", num(v))))
    .collect();
    format!("{}  {}  ({})", r.time, r.verdict.line, parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::RelayNames;

    #[test]
    fn a_line_reads_verdict_first_then_the_counts() {
        let w = health::window::window(Duration::from_secs(900), None, 1_800_000_000).unwrap();
        let series: Vec<Series> = health::signals(&RelayNames::new("s"), false)
            .into_iter()
            .map(|signal| Series {
                points: match signal.name {
                    "relay_errors" => vec![(1_800_000_000 - 60, 3.0)],
                    _ => vec![],
                },
                signal,
            })
            .collect();
        let r = refresh(&series, &w);
        let text = line(&r);
        assert!(
            text.ends_with("  failing: 3 errors in the last 5 min  (matched 0, invocations 0, errors 3, throttles 0, DLQ 0)"),
            "{text}"
        );
        assert_eq!(r.signals["relay_errors"], Some(3.0));
        assert_eq!(r.signals["relay_duration_p99"], None);
    }
}
