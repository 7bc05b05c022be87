//! Tables that never break a token. An operator copies ids, ARNs, URLs and UUIDs out of a
//! table, so a column is never narrower than the longest such token in it; prose wraps at
//! spaces. When even that does not fit the width, the table turns vertical (one record per
//! block, as `kubectl describe` and `aws --output table` do). No line ends in spaces.

use std::fmt;
use std::ops::{Deref, DerefMut};

use comfy_table::{ColumnConstraint, ContentArrangement, Width};

/// A prose column wider than its content needs is never squeezed below this (or its content,
/// if shorter): a 3-character column of wrapped words reads as noise.
const PROSE_MIN: usize = 14;
/// Each column's padding: one space either side (the house style has no borders).
const PADDING: usize = 2;

/// A comfy-table [`comfy_table::Table`] (rows are added to it as before) that renders to a
/// width without breaking a token.
#[derive(Debug, Clone)]
pub struct Table {
    inner: comfy_table::Table,
    width: Option<u16>,
}

impl Table {
    pub(super) fn new(inner: comfy_table::Table, width: Option<u16>) -> Self {
        Self { inner, width }
    }

    /// Renders for this width instead of the terminal's (`None`: whole lines, as in a pipe).
    pub fn fit_to(&mut self, width: Option<u16>) -> &mut Self {
        self.width = width;
        self
    }

    fn header(&self) -> Vec<String> {
        self.inner
            .header()
            .map(|h| h.cell_iter().map(|c| c.content()).collect())
            .unwrap_or_default()
    }

    fn rows(&self) -> Vec<Vec<String>> {
        self.inner
            .row_iter()
            .map(|r| r.cell_iter().map(|c| c.content()).collect())
            .collect()
    }

    fn render(&self) -> String {
        let header = self.header();
        let rows = self.rows();
        match plan(&header, &rows, self.width.map(usize::from)) {
            Plan::Columns(widths) => {
                let mut table = self.inner.clone();
                table.set_content_arrangement(ContentArrangement::Disabled);
                if let Some(widths) = widths {
                    table.set_constraints(
                        widths.iter().map(|w| {
                            ColumnConstraint::Absolute(Width::Fixed((w + PADDING) as u16))
                        }),
                    );
                }
                trim_lines(table.lines())
            }
            Plan::Vertical => vertical(&header, &rows, self.width.unwrap_or(80).into()),
        }
    }
}

impl Deref for Table {
    type Target = comfy_table::Table;
    fn deref(&self) -> &Self::Target {
        &self.inner
    }
}

impl DerefMut for Table {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.inner
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

fn trim_lines(lines: impl Iterator<Item = String>) -> String {
    lines
        .map(|l| l.trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// How a table is laid out: columns (with content widths to wrap to, or none: whole lines),
/// or one record per block.
#[derive(Debug, PartialEq)]
enum Plan {
    Columns(Option<Vec<usize>>),
    Vertical,
}

fn text_width(s: &str) -> usize {
    s.chars().count()
}

/// The widest line of a cell.
fn natural(cell: &str) -> usize {
    cell.lines().map(text_width).max().unwrap_or(0)
}

/// The narrowest a cell may be: its longest token, and for the header its longest word.
fn unbreakable(cell: &str, header: bool) -> usize {
    cell.split_whitespace()
        .filter(|w| header || is_token(w))
        .map(text_width)
        .max()
        .unwrap_or(0)
}

/// A word an operator copies whole: an id (`subnet-0a1b…`, `vpce-…`), an ARN, a URL, a host
/// name, a UUID, a log group, a name with separators or a CloudFormation logical id
/// (`RelayFunction`). Quotes and braces mark a payload (a JSON body), which may break;
/// surrounding punctuation is not part of the token.
pub fn is_token(word: &str) -> bool {
    let w = word
        .trim_start_matches(['(', '`', '\'', '"', '<', '['])
        .trim_end_matches([')', ',', '.', ';', ':', '`', '\'', '"', '>', ']']);
    let chars: Vec<char> = w.chars().collect();
    let camel = chars
        .windows(2)
        .any(|p| p[0].is_ascii_lowercase() && p[1].is_ascii_uppercase());
    let letters_and_digits =
        chars.iter().any(char::is_ascii_digit) && chars.iter().any(char::is_ascii_alphabetic);
    chars.len() >= 2
        && chars.iter().all(char::is_ascii_graphic)
        && !w.contains(['{', '}', '"'])
        && (w.contains(['-', ':', '/', '.', '_', '=']) || camel || letters_and_digits)
}

fn plan(header: &[String], rows: &[Vec<String>], width: Option<usize>) -> Plan {
    let Some(width) = width else {
        return Plan::Columns(None);
    };
    let columns = header
        .len()
        .max(rows.iter().map(Vec::len).max().unwrap_or(0));
    let cell = |r: &Vec<String>, i: usize| r.get(i).cloned().unwrap_or_default();
    let mut wants = Vec::with_capacity(columns);
    let mut mins = Vec::with_capacity(columns);
    for i in 0..columns {
        let head = header.get(i).cloned().unwrap_or_default();
        let want = rows
            .iter()
            .map(|r| natural(&cell(r, i)))
            .chain([natural(&head)])
            .max()
            .unwrap_or(0);
        let token = rows
            .iter()
            .map(|r| unbreakable(&cell(r, i), false))
            .chain([unbreakable(&head, true)])
            .max()
            .unwrap_or(0);
        wants.push(want.max(1));
        mins.push(token.max(want.min(PROSE_MIN)).max(1));
    }
    let room = width.saturating_sub(PADDING * columns);
    if wants.iter().sum::<usize>() <= room {
        return Plan::Columns(Some(wants));
    }
    if mins.iter().sum::<usize>() > room {
        return Plan::Vertical;
    }
    // The room left after every column's minimum goes, in equal shares, to the columns that
    // still want more (the short ones fill up first and pass their share on).
    let mut widths = mins;
    let mut spare = room - widths.iter().sum::<usize>();
    loop {
        let hungry: Vec<usize> = (0..columns).filter(|&i| widths[i] < wants[i]).collect();
        if spare == 0 || hungry.is_empty() {
            break;
        }
        let share = (spare / hungry.len()).max(1);
        for i in hungry {
            let give = share.min(wants[i] - widths[i]).min(spare);
            widths[i] += give;
            spare -= give;
        }
    }
    Plan::Columns(Some(widths))
}

/// One record per block: ` HEADER  value`, values wrapped at spaces to the width (a token
/// longer than the line stays whole), a blank line between records.
fn vertical(header: &[String], rows: &[Vec<String>], width: usize) -> String {
    let label = |i: usize| header.get(i).cloned().unwrap_or_default();
    let key_width = (0..header.len())
        .map(|i| text_width(&label(i)))
        .max()
        .unwrap_or(0);
    let indent = 1 + key_width + 2;
    let room = width.saturating_sub(indent).max(PROSE_MIN);
    let mut blocks = Vec::new();
    for row in rows {
        let mut lines = Vec::new();
        for (i, value) in row.iter().enumerate() {
            let key = label(i);
            for (n, line) in wrap(value, room).into_iter().enumerate() {
                let head = if n == 0 { key.as_str() } else { "" };
                lines.push(
                    format!(" {head:<key_width$}  {line}")
                        .trim_end()
                        .to_string(),
                );
            }
        }
        blocks.push(lines.join("\n"));
    }
    blocks.join("\n\n")
}

/// Words onto lines of at most `room` characters; a token is never split, any other word
/// longer than a line is.
fn wrap(value: &str, room: usize) -> Vec<String> {
    let mut out = Vec::new();
    for paragraph in value.lines() {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let mut word = word.to_string();
            loop {
                let fits = text_width(&line) + usize::from(!line.is_empty()) + text_width(&word);
                if fits <= room {
                    if !line.is_empty() {
                        line.push(' ');
                    }
                    line.push_str(&word);
                    break;
                }
                if !line.is_empty() {
                    out.push(std::mem::take(&mut line));
                    continue;
                }
                if is_token(&word) || text_width(&word) <= room {
                    line = word;
                    break;
                }
                let head: String = word.chars().take(room).collect();
                word = word.chars().skip(room).collect();
                out.push(head);
            }
        }
        out.push(line);
    }
    if out.is_empty() {
        out.push(String::new());
    }
    out
}

#[cfg(test)]
#[path = "table_tests.rs"]
mod tests;
