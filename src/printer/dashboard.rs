//! `evrelay top` on a terminal: a full-screen view redrawn at each refresh (ratatui, on
//! crossterm), the verdict on top and a row per signal with its sparkline. The keys are read
//! on a thread of their own; `q`, Esc and Ctrl-C (a key, in raw mode) quit. The terminal is
//! restored when the dashboard is dropped, on an error too.

use std::io::IsTerminal;
use std::time::Duration;

use ratatui::crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Color, Modifier, Style as TuiStyle};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Row, Table};
use ratatui::DefaultTerminal;

use crate::error::{Error, Result};

/// What one refresh shows.
pub struct Screen {
    pub title: String,
    pub verdict: String,
    /// Red, yellow, green or none, as the status section colours the verdict.
    pub tone: Tone,
    /// Signal, value, sparkline, note.
    pub rows: Vec<[String; 4]>,
    pub footer: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Bad,
    Warn,
    Good,
    Plain,
}

pub struct Dashboard {
    terminal: DefaultTerminal,
    quit: tokio::sync::mpsc::UnboundedReceiver<()>,
}

/// Whether `top` draws the dashboard: stdout and stdin are a terminal (the keys come from it).
pub fn available() -> bool {
    std::io::stdout().is_terminal() && std::io::stdin().is_terminal()
}

impl Dashboard {
    pub fn start() -> Result<Dashboard> {
        let terminal = ratatui::try_init()
            .map_err(|e| Error::failed(format!("could not take over the terminal: {e}")))?;
        let (tx, quit) = tokio::sync::mpsc::unbounded_channel();
        std::thread::spawn(move || loop {
            // Polled, so the thread notices a closed channel (the dashboard gone) and ends.
            if tx.is_closed() {
                return;
            }
            if !event::poll(Duration::from_millis(200)).unwrap_or(false) {
                continue;
            }
            if let Ok(Event::Key(key)) = event::read() {
                let ctrl_c =
                    key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
                let quits = matches!(key.code, KeyCode::Char('q') | KeyCode::Esc) || ctrl_c;
                if key.kind == KeyEventKind::Press && quits && tx.send(()).is_err() {
                    return;
                }
            }
        });
        Ok(Dashboard { terminal, quit })
    }

    /// Resolves when the operator asks to quit.
    pub async fn quit(&mut self) {
        if self.quit.recv().await.is_none() {
            std::future::pending::<()>().await;
        }
    }

    pub fn draw(&mut self, screen: &Screen) -> Result<()> {
        self.terminal
            .draw(|frame| {
                let [top, table, bottom] = Layout::vertical([
                    Constraint::Length(2),
                    Constraint::Min(3),
                    Constraint::Length(1),
                ])
                .areas(frame.area());
                let tone = match screen.tone {
                    Tone::Bad => TuiStyle::default().fg(Color::Red),
                    Tone::Warn => TuiStyle::default().fg(Color::Yellow),
                    Tone::Good => TuiStyle::default().fg(Color::Green),
                    Tone::Plain => TuiStyle::default(),
                };
                frame.render_widget(
                    Paragraph::new(vec![
                        Line::styled(
                            screen.title.as_str(),
                            TuiStyle::default().add_modifier(Modifier::BOLD),
                        ),
                        Line::styled(screen.verdict.as_str(), tone),
                    ]),
                    top,
                );
                let rows = screen
                    .rows
                    .iter()
                    .map(|r| Row::new(r.iter().map(String::as_str)));
                frame.render_widget(
                    Table::new(
                        rows,
                        [
                            Constraint::Length(30),
                            Constraint::Length(22),
                            Constraint::Length(32),
                            Constraint::Min(12),
                        ],
                    )
                    .header(
                        Row::new(["SIGNAL", "VALUE", "TREND", "NOTE"])
                            .style(TuiStyle::default().add_modifier(Modifier::BOLD)),
                    ),
                    table,
                );
                frame.render_widget(
                    Paragraph::new(screen.footer.as_str())
                        .style(TuiStyle::default().add_modifier(Modifier::DIM)),
                    bottom,
                );
            })
            .map(|_| ())
            .map_err(Error::from)
    }
}

impl Drop for Dashboard {
    fn drop(&mut self) {
        ratatui::restore();
    }
}
