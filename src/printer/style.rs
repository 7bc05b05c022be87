//! Colour and width: one decision each, made from the flags, the environment and whether the
//! stream is a terminal, and applied to evrelay's text, its tables and clap's messages.

use comfy_table::{presets, ContentArrangement, Table};

use super::table::Table as TokenTable;

/// The colour rule, in order: `--no-color` or a non-empty `NO_COLOR` (no-color.org) turn it
/// off; a non-empty `CLICOLOR_FORCE` other than `0` turns it on (bixense.com/clicolors, which
/// clap's anstream honours too); otherwise colour only on a terminal.
pub fn color_decision(
    no_color_flag: bool,
    no_color_env: Option<&str>,
    force_env: Option<&str>,
    is_terminal: bool,
) -> bool {
    if no_color_flag || no_color_env.is_some_and(|v| !v.is_empty()) {
        return false;
    }
    if force_env.is_some_and(|v| !v.is_empty() && v != "0") {
        return true;
    }
    is_terminal
}

/// [`color_decision`] with this process's environment.
pub fn color_for(no_color_flag: bool, is_terminal: bool) -> bool {
    let no_color = std::env::var("NO_COLOR").ok();
    let force = std::env::var("CLICOLOR_FORCE").ok();
    color_decision(
        no_color_flag,
        no_color.as_deref(),
        force.as_deref(),
        is_terminal,
    )
}

/// The width tables wrap to: the terminal's, else an exported `COLUMNS` (an operator who sets
/// it for a pipe means it), else none (a pipe gets whole lines).
pub fn table_width() -> Option<u16> {
    use std::io::IsTerminal;
    #[cfg(test)]
    if let Some(width) = WIDTH_FOR_TESTS.with(std::cell::Cell::get) {
        return width;
    }
    if std::io::stdout().is_terminal() {
        let probe = Table::new();
        if let Some(w) = probe.width() {
            return Some(w);
        }
    }
    columns(std::env::var("COLUMNS").ok().as_deref())
}

#[cfg(test)]
thread_local! {
    static WIDTH_FOR_TESTS: std::cell::Cell<Option<Option<u16>>> = const { std::cell::Cell::new(None) };
}

/// Runs `f` as if stdout were `width` columns wide (`None`: a pipe): a report's tables as an
/// operator at that terminal sees them.
#[cfg(test)]
pub fn at_width<T>(width: Option<u16>, f: impl FnOnce() -> T) -> T {
    let before = WIDTH_FOR_TESTS.with(|w| w.replace(Some(width)));
    let out = f();
    WIDTH_FOR_TESTS.with(|w| w.set(before));
    out
}

fn columns(value: Option<&str>) -> Option<u16> {
    value
        .and_then(|v| v.trim().parse::<u16>().ok())
        .filter(|w| *w >= 20)
}

#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    pub fn bold(&self, s: &str) -> String {
        self.paint("1", s)
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

    pub fn cyan(&self, s: &str) -> String {
        self.paint("36", s)
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

    /// A table in the house style: no borders, header upper-cased, fitted to [`table_width`]
    /// without breaking an id, ARN, URL or UUID (see [`super::table`]).
    pub fn table<H: ToString>(&self, headers: impl IntoIterator<Item = H>) -> TokenTable {
        let mut table = Table::new();
        table.load_preset(presets::NOTHING);
        // comfy-table styles only what it is told to; no_tty also stops it probing the width.
        table.force_no_tty();
        if self.color {
            // Coloured cells (a red DLQ depth, a green Add) show only when styling is forced.
            table.enforce_styling();
        }
        table.set_content_arrangement(ContentArrangement::Disabled);
        table.set_header(headers.into_iter().map(|h| h.to_string().to_uppercase()));
        TokenTable::new(table, table_width())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_colour_rule() {
        // The flag and NO_COLOR beat everything, even a forced colour and a terminal.
        assert!(!color_decision(true, None, Some("1"), true));
        assert!(!color_decision(false, Some("1"), Some("1"), true));
        // An empty NO_COLOR does not count (no-color.org).
        assert!(color_decision(false, Some(""), None, true));
        assert!(color_decision(false, None, Some("1"), false));
        assert!(!color_decision(false, None, Some("0"), false));
        assert!(color_decision(false, None, None, true));
        assert!(!color_decision(false, None, None, false));
    }

    #[test]
    fn columns_needs_a_sane_number() {
        assert_eq!(columns(Some("100")), Some(100));
        assert_eq!(columns(Some(" 80 ")), Some(80));
        assert_eq!(columns(Some("5")), None);
        assert_eq!(columns(Some("wide")), None);
        assert_eq!(columns(None), None);
    }

    #[test]
    fn a_set_width_wraps_long_cells() {
        let mut table = Table::new();
        table.load_preset(presets::NOTHING);
        table.force_no_tty();
        table.set_width(30);
        table.set_content_arrangement(ContentArrangement::Dynamic);
        table.set_header(["ID", "REASON"]);
        table.add_row(["a", &"word ".repeat(20)]);
        let text = table.to_string();
        assert!(text.lines().count() > 3, "{text}");
        assert!(text.lines().all(|l| l.chars().count() <= 30), "{text}");
    }
}
