//! The one place that writes to the terminal. stdout carries data (tables, JSON); stderr
//! carries chatter (notes, warnings, progress, the live stack view) and errors. With
//! `--output json` nothing but JSON reaches stdout; with `--quiet` stderr carries errors only.
//! A stdout its reader closed ends the command quietly (exit 0, see [`crate::error::Kind`]).

use std::io::{IsTerminal, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressFinish, ProgressState, ProgressStyle};
use serde::Serialize;

use crate::cli::{GlobalArgs, OutputFormat};
use crate::error::{Error, Kind, Result};

pub mod chart;
mod prompt;
mod style;
pub mod table;
pub mod tui;

pub use prompt::confirm_or_cancel;
#[cfg(test)]
pub use style::at_width;
pub use style::{color_decision, color_for, table_width, Style};
pub use table::Table;

/// What a command hands back: something that reads as a table and as JSON.
pub trait Report: Serialize {
    /// The human rendering, printed to stdout in table mode.
    fn render(&self, style: &Style) -> String;
}

#[derive(Debug, Clone)]
pub struct Printer {
    pub format: OutputFormat,
    /// For stdout (tables).
    pub style: Style,
    /// For stderr (notes, errors, the live view): its own terminal test.
    pub err_style: Style,
    pub verbose: u8,
    /// Only data and errors.
    pub quiet: bool,
    /// stderr is a terminal: progress may redraw in place.
    pub interactive: bool,
}

impl Printer {
    pub fn new(globals: &GlobalArgs) -> Self {
        let interactive = std::io::stderr().is_terminal();
        Self {
            format: globals.output,
            style: Style {
                color: color_for(globals.no_color, std::io::stdout().is_terminal()),
            },
            err_style: Style {
                color: color_for(globals.no_color, interactive),
            },
            verbose: globals.verbose,
            quiet: globals.quiet,
            interactive,
        }
    }

    pub fn json(&self) -> bool {
        self.format == OutputFormat::Json
    }

    /// Prints a command's result: its table, or its JSON document.
    pub fn report<R: Report>(&self, report: &R) -> Result<()> {
        match self.format {
            OutputFormat::Json => self.json_line(report),
            OutputFormat::Table => {
                let text = report.render(&self.style);
                self.stdout(&text)
            }
        }
    }

    /// One pretty JSON document on stdout.
    pub fn json_doc<T: Serialize>(&self, value: &T) -> Result<()> {
        let text = serde_json::to_string_pretty(value)?;
        self.stdout(&text)
    }

    /// One compact JSON object on its own line (NDJSON streams, e.g. deploy events).
    pub fn json_line<T: Serialize>(&self, value: &T) -> Result<()> {
        let text = serde_json::to_string(value)?;
        self.stdout(&text)
    }

    /// Writes data to stdout. A closed pipe (`evrelay … | head`) becomes
    /// [`Error::closed_pipe`], which every command passes up and `main` ends quietly.
    pub fn stdout(&self, text: &str) -> Result<()> {
        let mut out = std::io::stdout().lock();
        let result = if text.ends_with('\n') {
            out.write_all(text.as_bytes())
        } else {
            writeln!(out, "{text}")
        };
        result.and_then(|_| out.flush()).map_err(Error::from)
    }

    /// Where streamed data goes (JSON lines of a stack watch): stdout.
    pub fn data_writer(&self) -> Box<dyn Write + Send> {
        Box::new(std::io::stdout())
    }

    /// Where streamed chatter goes (the live stack view, event lines): stderr, or nowhere
    /// with `--quiet`.
    pub fn chatter_writer(&self) -> Box<dyn Write + Send> {
        if self.quiet {
            Box::new(std::io::sink())
        } else {
            Box::new(std::io::stderr())
        }
    }

    fn chatter(&self, text: &str) {
        if !self.quiet {
            // A closed stderr is no reason to fail the command (and eprintln! would panic).
            let _ = writeln!(std::io::stderr(), "{text}");
        }
    }

    /// Chatter for a person: stderr, never in JSON mode's stdout; none with `--quiet`.
    pub fn note(&self, text: &str) {
        self.chatter(text);
    }

    pub fn warn(&self, text: &str) {
        self.chatter(&format!("{} {text}", self.err_style.yellow("warning:")));
    }

    /// Only with `-v`.
    pub fn debug(&self, text: &str) {
        if self.verbose > 0 {
            self.chatter(&format!("{} {text}", self.err_style.dim("debug:")));
        }
    }

    /// `error: …` then `hint: …`; with `-v` the full cause and what AWS said. Nothing for a
    /// closed stdout: its reader has gone and the run ends quietly.
    pub fn error(&self, e: &Error) {
        let text = render_error(e, self.verbose, &self.err_style);
        if !text.is_empty() {
            let _ = std::io::stderr().write_all(text.as_bytes());
        }
    }

    /// Whether progress is drawn: on a terminal, for a person (not with `--quiet` or
    /// `--output json`, whose reader is a program).
    fn draws_progress(&self) -> bool {
        self.interactive && !self.quiet && !self.json()
    }

    /// A progress bar on stderr (see [`Printer::draws_progress`]); cleared when dropped, so a
    /// wait cut short leaves no stale line.
    pub fn progress(&self, len: u64, what: &str) -> ProgressBar {
        if !self.draws_progress() {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr())
            .with_finish(ProgressFinish::AndClear);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {msg} [{bar:30}] {pos}/{len} ({rate}, eta {eta})",
            )
            .expect("static progress template")
            .with_key(
                "rate",
                |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = w.write_str(&per_second(state.per_sec()));
                },
            )
            .progress_chars("=> "),
        );
        bar.set_message(what.to_string());
        bar.enable_steady_tick(Duration::from_millis(100));
        bar
    }

    /// A spinner with the phase's name on stderr, as [`Printer::progress`].
    pub fn spinner(&self, what: &str) -> ProgressBar {
        if !self.draws_progress() {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
            .with_finish(ProgressFinish::AndClear);
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                .expect("static spinner template"),
        );
        bar.set_message(what.to_string());
        bar.enable_steady_tick(Duration::from_millis(100));
        bar
    }
}

/// A rate as a person reads it on a bar: `69/s`, `2.5/s` (indicatif's own `{per_sec}` shows
/// `69.0352/s`).
fn per_second(rate: f64) -> String {
    if !rate.is_finite() {
        "-/s".into()
    } else if rate >= 10.0 {
        format!("{rate:.0}/s")
    } else {
        format!("{rate:.1}/s")
    }
}

/// The error block as text (pure, for tests): empty for a closed stdout.
pub fn render_error(e: &Error, verbose: u8, style: &Style) -> String {
    if e.kind == Kind::ClosedPipe {
        return String::new();
    }
    let mut out = format!("{} {}\n", style.red("error:"), e.message);
    if let Some(hint) = &e.hint {
        out.push_str(&format!("{} {hint}\n", style.cyan("hint:")));
    }
    if verbose > 0 {
        if let Some(aws) = &e.aws {
            let summary = aws.summary();
            if !summary.is_empty() {
                out.push_str(&format!("aws: {summary}\n"));
            }
        }
        if let Some(detail) = &e.detail {
            out.push_str(&format!("caused by: {detail}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: Style = Style { color: false };

    #[test]
    fn errors_are_one_line_and_a_hint_with_the_cause_only_when_verbose() {
        let e = Error::failed("it broke")
            .hint("try again")
            .detail("deep cause");
        assert_eq!(
            render_error(&e, 0, &PLAIN),
            "error: it broke\nhint: try again\n"
        );
        assert_eq!(
            render_error(&e, 1, &PLAIN),
            "error: it broke\nhint: try again\ncaused by: deep cause\n"
        );
        let painted = render_error(&e, 0, &Style { color: true });
        assert!(painted.contains("\x1b[31merror:\x1b[0m"));
        assert!(!render_error(&e, 0, &PLAIN).contains('\x1b'));
    }

    #[test]
    fn a_bar_shows_a_rounded_rate() {
        assert_eq!(per_second(69.0352), "69/s");
        assert_eq!(per_second(2.46), "2.5/s");
        assert_eq!(per_second(f64::INFINITY), "-/s");
    }

    #[test]
    fn a_closed_stdout_prints_nothing() {
        assert_eq!(render_error(&Error::closed_pipe(), 2, &PLAIN), "");
    }
}
