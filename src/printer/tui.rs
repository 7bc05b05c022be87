//! The one exception to the printer's line-by-line output: `evrelay top`'s full-screen frame,
//! drawn with ratatui on the alternate screen. The command hands over a [`Dashboard`] (plain
//! strings, built for the frame's width) and reads [`Input`]s; everything that touches the
//! terminal — raw mode, the alternate screen, the key reader, restoring them on quit, error or
//! panic — is here.

use std::io::Stdout;
use std::time::Duration;

use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style as Paint};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::{Frame, Terminal};
use tokio::sync::mpsc;

use crate::error::{Error, Result};

/// What the verdict's colour says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Good,
    Warning,
    Bad,
    Plain,
}

/// One chart: its title (the signal and its number) and its sparkline, already drawn at
/// [`Dashboard`]'s chart width.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartView {
    pub title: String,
    pub line: String,
}

/// One frame of the dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dashboard {
    pub title: String,
    pub verdict: String,
    pub tone: Tone,
    pub charts: Vec<ChartView>,
    /// The queues' line (DLQ, and the buffer in buffered mode).
    pub queues: String,
    /// The newest last.
    pub logs: Vec<String>,
    /// Keys, when the frame was read, and a failed read's message.
    pub footer: String,
}

/// One row per chart, its title then its sparkline: twenty signals fit a 40-row terminal
/// with room for the log, where a bordered chart would take four rows each.
const CHART_ROWS: u16 = 1;
/// Charts side by side.
const COLUMNS: u16 = 2;
/// Room for a chart's title (the signal's name and its number).
pub const TITLE_WIDTH: usize = 34;

/// The sparkline width each chart gets in a frame `width` columns wide.
pub fn chart_width(width: u16) -> usize {
    usize::from(width / COLUMNS)
        .saturating_sub(TITLE_WIDTH + 3)
        .max(1)
}

/// Draws `dash` into the frame: title, verdict, the charts two by two, the queues, the log
/// lines (as many of the newest as fit), the footer.
pub fn render(frame: &mut Frame, dash: &Dashboard) {
    let chart_rows = (dash.charts.len() as u16).div_ceil(COLUMNS) * CHART_ROWS;
    let [title, verdict, charts, queues, logs, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(chart_rows + 1),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    let bold = Paint::default().add_modifier(Modifier::BOLD);
    frame.render_widget(Paragraph::new(Span::styled(&dash.title, bold)), title);
    let tone = match dash.tone {
        Tone::Good => Paint::default().fg(Color::Green),
        Tone::Warning => Paint::default().fg(Color::Yellow),
        Tone::Bad => Paint::default().fg(Color::Red),
        Tone::Plain => Paint::default(),
    };
    frame.render_widget(
        Paragraph::new(Span::styled(
            &dash.verdict,
            tone.add_modifier(Modifier::BOLD),
        )),
        verdict,
    );
    render_charts(frame, &dash.charts, charts);
    frame.render_widget(Paragraph::new(dash.queues.as_str()), queues);
    let block = Block::default().borders(Borders::TOP).title("Relay log");
    let room = usize::from(block.inner(logs).height);
    let newest: Vec<Line> = dash
        .logs
        .iter()
        .skip(dash.logs.len().saturating_sub(room))
        .map(|l| Line::raw(l.as_str()))
        .collect();
    frame.render_widget(Paragraph::new(newest).block(block), logs);
    frame.render_widget(
        Paragraph::new(Span::styled(
            &dash.footer,
            Paint::default().add_modifier(Modifier::DIM),
        )),
        footer,
    );
}

fn render_charts(frame: &mut Frame, charts: &[ChartView], area: Rect) {
    let area = Rect {
        y: area.y + 1,
        height: area.height.saturating_sub(1),
        ..area
    };
    let rows = Layout::vertical(
        (0..(charts.len() as u16).div_ceil(COLUMNS)).map(|_| Constraint::Length(CHART_ROWS)),
    )
    .split(area);
    for (row, pair) in rows.iter().zip(charts.chunks(usize::from(COLUMNS))) {
        let cells = Layout::horizontal((0..COLUMNS).map(|_| Constraint::Ratio(1, 2))).split(*row);
        for (cell, chart) in cells.iter().zip(pair) {
            let text = Line::from(vec![
                Span::raw(format!("{:<TITLE_WIDTH$} ", chart.title)),
                Span::styled(chart.line.as_str(), Paint::default().fg(Color::Cyan)),
            ]);
            let inset = Rect {
                x: cell.x + 1,
                width: cell.width.saturating_sub(2),
                ..*cell
            };
            frame.render_widget(Paragraph::new(text), inset);
        }
    }
}

/// What a key asks of the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    Quit,
    /// The terminal changed size: draw again now.
    Redraw,
}

/// The input a key event means: `q`, Esc and Ctrl-C quit (raw mode turns Ctrl-C into a key,
/// not a signal); a resize redraws.
pub fn input_of(e: &Event) -> Option<Input> {
    match e {
        Event::Key(k) if k.kind != KeyEventKind::Release => match k.code {
            KeyCode::Char('q') | KeyCode::Char('Q') | KeyCode::Esc => Some(Input::Quit),
            KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => Some(Input::Quit),
            _ => None,
        },
        Event::Resize(..) => Some(Input::Redraw),
        _ => None,
    }
}

/// The full-screen terminal: raw mode and the alternate screen from [`Tui::enter`] until it is
/// dropped; a panic restores the terminal before its message prints (ratatui's hook).
pub struct Tui {
    terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl Tui {
    pub fn enter() -> Result<Self> {
        let terminal = ratatui::try_init().map_err(|e| {
            Error::failed(format!("could not take over the terminal: {e}"))
                .hint("run `evrelay top --output json` or pipe it for plain lines")
        })?;
        Ok(Self { terminal })
    }

    /// Draws a frame; `build` gets the frame's width (charts are drawn to fit it).
    pub fn draw(&mut self, build: impl FnOnce(u16) -> Dashboard) -> Result<()> {
        self.terminal
            .draw(|frame| {
                let dash = build(frame.area().width);
                render(frame, &dash);
            })
            .map(|_| ())
            .map_err(|e| Error::failed(format!("could not draw the dashboard: {e}")))
    }

    /// Keys and resizes, read on a thread of their own so a slow refresh never holds a key
    /// back; the thread ends once the receiver is dropped.
    pub fn inputs(&self) -> mpsc::UnboundedReceiver<Input> {
        let (tx, rx) = mpsc::unbounded_channel();
        std::thread::spawn(move || {
            while !tx.is_closed() {
                match event::poll(Duration::from_millis(200)) {
                    Ok(true) => {}
                    Ok(false) => continue,
                    Err(_) => break,
                }
                let Ok(e) = event::read() else { break };
                if let Some(input) = input_of(&e) {
                    if tx.send(input).is_err() {
                        break;
                    }
                }
            }
        });
        rx
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        // Nothing to tell if it fails: the terminal is the thing that failed.
        let _ = ratatui::try_restore();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::backend::TestBackend;
    use ratatui::crossterm::event::KeyEvent;

    fn dash() -> Dashboard {
        Dashboard {
            title: "evrelay top · relay-app · last 1h · every 5s".into(),
            verdict: "failing: 12 errors in the last 5 min, DLQ 12".into(),
            tone: Tone::Bad,
            charts: vec![
                ChartView {
                    title: "errors  12".into(),
                    line: "▁▁▁▂█".into(),
                },
                ChartView {
                    title: "dlq depth  12".into(),
                    line: "▁▁▁▁▅".into(),
                },
                ChartView {
                    title: "duration p99  80 ms".into(),
                    line: "▂▂▃▂▂".into(),
                },
            ],
            queues: "DLQ 12 waiting, 0 in flight".into(),
            logs: (1..=30).map(|i| format!("log line {i}")).collect(),
            footer: "q quit · refreshed 12:00:05".into(),
        }
    }

    fn rows(width: u16, height: u16, d: &Dashboard) -> Vec<String> {
        let mut t = Terminal::new(TestBackend::new(width, height)).unwrap();
        t.draw(|f| render(f, d)).unwrap();
        let buf = t.backend().buffer().clone();
        (0..height)
            .map(|y| {
                (0..width)
                    .map(|x| buf[(x, y)].symbol().to_string())
                    .collect::<String>()
                    .trim_end()
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn the_frame_shows_the_verdict_the_charts_and_the_newest_log_lines() {
        let rows = rows(100, 20, &dash());
        assert!(rows[0].starts_with("evrelay top · relay-app"), "{rows:#?}");
        assert_eq!(rows[1], "failing: 12 errors in the last 5 min, DLQ 12");
        // Two charts side by side, each its title then its line; the third below the first.
        assert_eq!(
            rows[3],
            format!(
                " {:<34} ▁▁▁▂█{}{:<34} ▁▁▁▁▅",
                "errors  12",
                " ".repeat(10),
                "dlq depth  12"
            )
        );
        assert_eq!(rows[4], format!(" {:<34} ▂▂▃▂▂", "duration p99  80 ms"));
        assert!(rows[5].starts_with("DLQ 12 waiting"), "{rows:#?}");
        assert!(rows[6].starts_with("Relay log"), "{rows:#?}");
        // The newest lines fit above the footer; the oldest scroll off.
        assert_eq!(rows[18], "log line 30");
        assert!(!rows.iter().any(|r| r == "log line 1"));
        assert_eq!(rows[19], "q quit · refreshed 12:00:05");
    }

    #[test]
    fn q_esc_and_ctrl_c_quit_and_a_resize_redraws() {
        let key = |code, modifiers| Event::Key(KeyEvent::new(code, modifiers));
        assert_eq!(
            input_of(&key(KeyCode::Char('q'), KeyModifiers::NONE)),
            Some(Input::Quit)
        );
        assert_eq!(
            input_of(&key(KeyCode::Esc, KeyModifiers::NONE)),
            Some(Input::Quit)
        );
        assert_eq!(
            input_of(&key(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Input::Quit)
        );
        assert_eq!(input_of(&key(KeyCode::Char('c'), KeyModifiers::NONE)), None);
        assert_eq!(input_of(&Event::Resize(100, 40)), Some(Input::Redraw));
        assert_eq!(chart_width(120), 23);
    }
}
