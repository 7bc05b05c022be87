//! `evrelay top`: the relay's health, queues and newest log lines, refreshed every
//! `--interval`. On a terminal, a full-screen dashboard ([`crate::printer::tui`]) that `q`,
//! Esc or Ctrl-C quit; otherwise one plain line per refresh, or with `--output json` one JSON
//! object per refresh (NDJSON), until Ctrl-C (exit 0, as `logs --follow`).

mod logs;
mod snapshot;
mod view;

use std::io::IsTerminal;
use std::time::Duration;

use clap::Args;

use crate::aws::sqs;
use crate::context::Context;
use crate::error::Result;
use crate::model::health;
use crate::printer::tui::{Input, Tui};
use crate::stack::describe_stack;

use logs::Tail;
use snapshot::{Plan, Queues, Snapshot};

#[derive(Debug, Clone, Args)]
pub struct TopArgs {
    /// How far back the charts reach, as `status --since` (15m, 1h, 7d).
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = crate::commands::parse_duration)]
    pub since: Duration,

    /// How often to refresh: 1s or more.
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_interval)]
    pub interval: Duration,
}

/// `--interval`: a duration of at least a second (the queues' and logs' numbers move no
/// faster, and each refresh costs API calls).
fn parse_interval(s: &str) -> std::result::Result<Duration, String> {
    let d = crate::commands::parse_duration(s)?;
    if d < Duration::from_secs(1) {
        return Err(format!(
            "`{s}` is below 1 s; refresh every 1s or more, e.g. 5s"
        ));
    }
    Ok(d)
}

/// How the refreshes are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Dashboard,
    /// One line per refresh: stdout is not a terminal (a pipe, a file, CI).
    Lines,
    Json,
}

fn mode(json: bool, stdout_is_terminal: bool) -> Mode {
    match (json, stdout_is_terminal) {
        (true, _) => Mode::Json,
        (false, true) => Mode::Dashboard,
        (false, false) => Mode::Lines,
    }
}

pub async fn run(ctx: &Context, args: TopArgs) -> Result<()> {
    snapshot::window(args.since)?;
    let Some(info) = describe_stack(ctx.cloudformation(), &ctx.names.stack).await? else {
        return Err(crate::stack::missing::not_found(ctx).await);
    };
    // A stack deployed with `Delivery=buffered` has the buffer's metrics and no async ones.
    let buffered = info
        .parameters
        .iter()
        .any(|(k, v)| k == "Delivery" && v == "buffered");
    let (dlq, buffer) = tokio::join!(sqs::find_queue_url(ctx.sqs(), &ctx.names.dlq), async {
        match buffered {
            true => sqs::find_queue_url(ctx.sqs(), &ctx.names.buffer).await,
            false => Ok(None),
        }
    });
    let plan = Plan {
        since: args.since,
        signals: health::signals(&ctx.names, buffered),
        queues: Queues {
            dlq: dlq?,
            buffer: buffer?,
        },
    };
    let mut tail = Tail::default();
    match mode(ctx.printer.json(), std::io::stdout().is_terminal()) {
        Mode::Dashboard => dashboard(ctx, &args, &plan, &mut tail).await,
        Mode::Lines | Mode::Json => {
            // Registered before the first line: once it is printed, Ctrl-C is ours (exit 0).
            let mut stop = std::pin::pin!(crate::interrupt::listen());
            loop {
                let s = snapshot::read(ctx, &plan, &mut tail).await;
                ctx.printer.report(&s)?;
                tokio::select! {
                    () = &mut stop => return Ok(()),
                    () = tokio::time::sleep(args.interval) => {}
                }
            }
        }
    }
}

async fn dashboard(ctx: &Context, args: &TopArgs, plan: &Plan, tail: &mut Tail) -> Result<()> {
    let title = format!(
        "evrelay top · {} · last {} · every {}",
        ctx.names.stack,
        humantime::format_duration(args.since),
        humantime::format_duration(args.interval)
    );
    let mut term = Tui::enter()?;
    let mut inputs = term.inputs();
    term.draw(|_| view::waiting(&title))?;
    let mut last: Option<Snapshot> = None;
    loop {
        // A refresh in progress never holds a key back: the read and the keys race.
        tokio::select! {
            s = snapshot::read(ctx, plan, tail) => last = Some(s),
            input = inputs.recv() => if input != Some(Input::Redraw) {
                return Ok(());
            },
        }
        let wait = tokio::time::sleep(args.interval);
        tokio::pin!(wait);
        loop {
            if let Some(s) = &last {
                term.draw(|w| view::dashboard(s, tail.lines(), &title, w))?;
            }
            tokio::select! {
                () = &mut wait => break,
                input = inputs.recv() => if input != Some(Input::Redraw) {
                    return Ok(());
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interval_below_a_second_is_refused() {
        assert!(parse_interval("500ms").unwrap_err().contains("below 1 s"));
        assert_eq!(parse_interval("1s"), Ok(Duration::from_secs(1)));
        assert_eq!(parse_interval("5"), Ok(Duration::from_secs(5)));
    }

    #[test]
    fn a_pipe_gets_lines_and_json_wins_everywhere() {
        assert_eq!(mode(false, true), Mode::Dashboard);
        assert_eq!(mode(false, false), Mode::Lines);
        assert_eq!(mode(true, true), Mode::Json);
        assert_eq!(mode(true, false), Mode::Json);
    }
}
