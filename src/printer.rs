//! The one place that writes to the terminal. stdout carries data (tables, JSON); stderr
//! carries chatter (notes, warnings, progress). With `--output json` nothing but JSON reaches
//! stdout, so the output stays parseable when piped.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use comfy_table::{presets, ContentArrangement, Table};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use crate::cli::{GlobalArgs, OutputFormat};
use crate::error::{Error, Result};

/// What a command hands back: something that reads as a table and as JSON.
pub trait Report: Serialize {
    /// The human rendering, printed to stdout in table mode.
    fn render(&self, style: &Style) -> String;
}

#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    pub fn bold(&self, s: &str) -> String {
        if self.color {
            format!("\x1b[1m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    pub fn green(&self, s: &str) -> String {
        self.paint("32", s)
    }

    pub fn yellow(&self, s: &str) -> String {
        self.paint("33", s)
    }

    pub fn red(&self, s: &str) -> String {
        self.paint("31", s)
    }

    pub fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }

    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    /// A table in the house style: no borders, header underlined, wraps to the terminal.
    pub fn table<H: ToString>(&self, headers: impl IntoIterator<Item = H>) -> Table {
        let mut table = Table::new();
        table.load_preset(presets::NOTHING);
        table.set_content_arrangement(ContentArrangement::Disabled);
        if !self.color {
            table.force_no_tty();
        }
        table.set_header(headers.into_iter().map(|h| h.to_string().to_uppercase()));
        table
    }
}

#[derive(Debug, Clone)]
pub struct Printer {
    pub format: OutputFormat,
    pub style: Style,
    pub verbose: u8,
    /// stderr is a terminal: progress may redraw in place.
    pub interactive: bool,
}

impl Printer {
    pub fn new(globals: &GlobalArgs) -> Self {
        let interactive = std::io::stderr().is_terminal();
        let no_color =
            globals.no_color || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = !no_color && interactive && std::io::stdout().is_terminal();
        Self {
            format: globals.output,
            style: Style { color },
            verbose: globals.verbose,
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

    /// Writes data to stdout. A closed pipe (`evrelay … | head`) ends the process quietly.
    pub fn stdout(&self, text: &str) -> Result<()> {
        let mut out = std::io::stdout().lock();
        let result = if text.ends_with('\n') {
            out.write_all(text.as_bytes())
        } else {
            writeln!(out, "{text}")
        };
        match result.and_then(|_| out.flush()) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
            Err(e) => Err(Error::from(e)),
        }
    }

    /// Chatter for a person: stderr, never in JSON mode's stdout.
    pub fn note(&self, text: &str) {
        eprintln!("{text}");
    }

    pub fn warn(&self, text: &str) {
        eprintln!("{} {text}", self.style.yellow("warning:"));
    }

    /// Only with `-v`.
    pub fn debug(&self, text: &str) {
        if self.verbose > 0 {
            eprintln!("{} {text}", self.style.dim("debug:"));
        }
    }

    /// A progress bar on stderr, drawn only on a terminal.
    pub fn progress(&self, len: u64, what: &str) -> ProgressBar {
        if !self.interactive {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {msg} [{bar:30}] {pos}/{len} ({per_sec}, eta {eta})",
            )
            .expect("static progress template")
            .progress_chars("=> "),
        );
        bar.set_message(what.to_string());
        bar.enable_steady_tick(Duration::from_millis(100));
        bar
    }

    /// A spinner on stderr, drawn only on a terminal.
    pub fn spinner(&self, what: &str) -> ProgressBar {
        if !self.interactive {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                .expect("static spinner template"),
        );
        bar.set_message(what.to_string());
        bar.enable_steady_tick(Duration::from_millis(100));
        bar
    }
}

/// Asks before a change. `--yes` skips the question; with no terminal to ask on, this is a
/// usage error rather than a prompt that hangs a CI job.
pub fn confirm(yes: bool, question: &str) -> Result<bool> {
    if yes {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Err(
            Error::usage(format!("refusing to ask \"{question}\" without a terminal"))
                .hint("pass --yes to confirm non-interactively"),
        );
    }
    eprint!("{question} [y/N] ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}
