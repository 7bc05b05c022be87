//! Three ways to show a change in progress: an in-place block redrawn on a terminal
//! ([`LiveSink`]), append-only lines for logs and CI ([`LineSink`]), and one JSON object per
//! line ([`JsonSink`]). The text itself comes from pure functions, so it is snapshot-tested.

use std::io::Write;
use std::time::{Duration, Instant};

use serde_json::json;

use super::events::StackEvent;
use super::progress::{Progress, ResourceProgress};
use super::watch::{Sink, WaitingOn};
use crate::error::Result;
use crate::printer::Style;

/// `42s`, `3m05s`, `1h02m`.
pub fn duration(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
    }
}

/// `08:12:44` (UTC) from epoch milliseconds.
pub fn clock(ms: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000) {
        Ok(t) => format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second()),
        Err(_) => "--:--:--".into(),
    }
}

/// RFC 3339 from epoch milliseconds, for JSON.
pub fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

fn paint_status(status: &str, style: &Style) -> String {
    let bare = status.trim_end();
    if bare.ends_with("_FAILED") || bare.contains("ROLLBACK") {
        style.red(status)
    } else if bare.ends_with("_COMPLETE") {
        style.green(status)
    } else {
        style.yellow(status)
    }
}

/// One append-only line: `08:12:44  CREATE_COMPLETE  Bus  AWS::Events::EventBus  Event bus …`,
/// and the reason on the next line when there is one.
pub fn event_line(e: &StackEvent, description: Option<&str>, style: &Style) -> String {
    let what = if e.is_stack() {
        "the stack".to_string()
    } else {
        description.unwrap_or(&e.resource_type).to_string()
    };
    // Pad before painting: escape codes would count towards the width.
    let status = paint_status(&format!("{:<24}", e.status), style);
    let mut line = format!(
        "{}  {status}  {:<24}  {what}",
        clock(e.timestamp_ms),
        e.logical_id
    );
    if let Some(reason) = &e.reason {
        if e.status.ends_with("_FAILED") || e.is_stack() {
            line.push_str(&format!("\n          {}", style.dim(reason)));
        }
    }
    line
}

fn symbol(r: &ResourceProgress, style: &Style) -> String {
    if r.failed() {
        style.red("✗")
    } else if r.in_progress() {
        style.yellow("•")
    } else if r.status.contains("ROLLBACK") || r.status.starts_with("DELETE") {
        style.dim("-")
    } else {
        style.green("✓")
    }
}

/// ` (3 done, 1 in progress, 0 failed)`, or what is known when no resource has reported: a
/// settled stack without resource events is no "0 done".
fn tally(progress: &Progress) -> String {
    if progress.resources.is_empty() {
        return match progress.stack_status.as_deref() {
            Some(status) if super::is_settled(status) => " (no resource events)".into(),
            Some(_) => " (no resource events yet)".into(),
            None => String::new(),
        };
    }
    let (done, busy, failed) = progress.counts();
    format!(" ({done} done, {busy} in progress, {failed} failed)")
}

/// The in-place view: a header, one line per resource with its timer, failure reasons under
/// it, and what the stack waits on. `now` drives the timers of resources still in progress.
pub fn live_block(
    progress: &Progress,
    waiting: Option<&WaitingOn>,
    now: Instant,
    style: &Style,
) -> Vec<String> {
    let verb = match progress.operation {
        super::Operation::Create => "Creating",
        super::Operation::Update => "Updating",
        super::Operation::Delete => "Deleting",
    };
    let mut lines = vec![format!(
        "{verb} stack {} — {}{} {}",
        style.bold(&progress.stack),
        progress
            .stack_status
            .as_deref()
            .map(|s| paint_status(s, style))
            .unwrap_or_else(|| "starting".into()),
        tally(progress),
        style.dim(&duration(now.saturating_duration_since(progress.started)))
    )];
    let width = progress
        .resources
        .iter()
        .map(|r| {
            r.description
                .as_deref()
                .unwrap_or(&r.logical_id)
                .chars()
                .count()
        })
        .max()
        .unwrap_or(0);
    for r in &progress.resources {
        let elapsed = if r.in_progress() {
            now.saturating_duration_since(r.first_seen)
        } else {
            Duration::from_millis((r.updated_ms - r.started_ms).max(0) as u64)
        };
        let label = r.description.as_deref().unwrap_or(&r.logical_id);
        lines.push(format!(
            "  {} {label:<width$}  {}  {}",
            symbol(r, style),
            paint_status(&format!("{:<18}", r.status), style),
            style.dim(&duration(elapsed))
        ));
        for reason in &r.failures {
            lines.push(format!("      {} {}", style.red("↳"), reason));
        }
    }
    if let Some(w) = waiting.filter(|w| !w.items.is_empty()) {
        lines.push(format!("  waiting on {}:", w.what));
        for item in &w.items {
            lines.push(format!("    {}  {}", item.id, style.dim(&item.detail)));
        }
    }
    lines
}

/// Append-only lines (off a terminal): one per event, and the waited-on list when its members
/// change (not when only their ages do: a 45-minute wait would fill a CI log otherwise).
pub struct LineSink<W: Write + Send> {
    out: W,
    style: Style,
    waiting_ids: Option<Vec<String>>,
    /// Each resource's last printed status: CloudFormation repeats CREATE_IN_PROGRESS
    /// ("Resource creation Initiated"), which says nothing new in a log.
    last: std::collections::HashMap<String, String>,
}

impl<W: Write + Send> LineSink<W> {
    pub fn new(out: W, style: Style) -> Self {
        Self {
            out,
            style,
            waiting_ids: None,
            last: std::collections::HashMap::new(),
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

impl<W: Write + Send> Sink for LineSink<W> {
    fn event(&mut self, event: &StackEvent, progress: &Progress) -> Result<()> {
        let repeat = self.last.get(&event.logical_id) == Some(&event.status)
            && !event.status.ends_with("_FAILED");
        self.last
            .insert(event.logical_id.clone(), event.status.clone());
        if repeat {
            return Ok(());
        }
        writeln!(
            self.out,
            "{}",
            event_line(event, progress.description(&event.logical_id), &self.style)
        )?;
        Ok(())
    }

    fn waiting_on(&mut self, waiting: &WaitingOn, _progress: &Progress) -> Result<()> {
        if !changed(&mut self.waiting_ids, waiting) {
            return Ok(());
        }
        if waiting.items.is_empty() {
            writeln!(self.out, "          {}: none left", waiting.what)?;
        } else {
            writeln!(self.out, "          waiting on {}:", waiting.what)?;
            for item in &waiting.items {
                writeln!(self.out, "            {}  {}", item.id, item.detail)?;
            }
        }
        Ok(())
    }
}

/// The in-place view for a terminal: the block is redrawn on every event and every tick.
pub struct LiveSink<W: Write + Send> {
    out: W,
    style: Style,
    drawn: usize,
    waiting: Option<WaitingOn>,
}

impl<W: Write + Send> LiveSink<W> {
    pub fn new(out: W, style: Style) -> Self {
        Self {
            out,
            style,
            drawn: 0,
            waiting: None,
        }
    }

    fn redraw(&mut self, progress: &Progress) -> Result<()> {
        let lines = live_block(progress, self.waiting.as_ref(), Instant::now(), &self.style);
        let mut frame = String::new();
        if self.drawn > 0 {
            // Up to the block's first line, then clear to the end of the screen.
            frame.push_str(&format!("\x1b[{}A\r\x1b[J", self.drawn));
        }
        for line in &lines {
            frame.push_str(line);
            frame.push('\n');
        }
        self.out.write_all(frame.as_bytes())?;
        self.out.flush()?;
        self.drawn = lines.len();
        Ok(())
    }
}

impl<W: Write + Send> Sink for LiveSink<W> {
    fn event(&mut self, _event: &StackEvent, progress: &Progress) -> Result<()> {
        self.redraw(progress)
    }

    fn tick(&mut self, progress: &Progress) -> Result<()> {
        self.redraw(progress)
    }

    fn waiting_on(&mut self, waiting: &WaitingOn, progress: &Progress) -> Result<()> {
        self.waiting = Some(waiting.clone());
        self.redraw(progress)
    }

    fn finish(&mut self, progress: &Progress) -> Result<()> {
        self.waiting = None;
        self.redraw(progress)
    }
}

/// Whether the waited-on ids differ from the last ones seen (and remember them).
fn changed(last: &mut Option<Vec<String>>, waiting: &WaitingOn) -> bool {
    let ids: Vec<String> = waiting.items.iter().map(|i| i.id.clone()).collect();
    if last.as_ref() == Some(&ids) {
        return false;
    }
    *last = Some(ids);
    true
}

/// One JSON object per line: `{"type":"event",…}`, and `{"type":"waiting",…}` when the
/// waited-on list changes.
pub struct JsonSink<W: Write + Send> {
    out: W,
    waiting_ids: Option<Vec<String>>,
}

impl<W: Write + Send> JsonSink<W> {
    pub fn new(out: W) -> Self {
        Self {
            out,
            waiting_ids: None,
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

pub fn event_json(e: &StackEvent, description: Option<&str>) -> serde_json::Value {
    json!({
        "type": "event",
        "timestamp": rfc3339(e.timestamp_ms),
        "logical_id": e.logical_id,
        "resource_type": e.resource_type,
        "physical_id": e.physical_id,
        "status": e.status,
        "reason": e.reason,
        "description": description,
    })
}

impl<W: Write + Send> Sink for JsonSink<W> {
    fn event(&mut self, event: &StackEvent, progress: &Progress) -> Result<()> {
        writeln!(
            self.out,
            "{}",
            event_json(event, progress.description(&event.logical_id))
        )?;
        self.out.flush()?;
        Ok(())
    }

    fn waiting_on(&mut self, waiting: &WaitingOn, _progress: &Progress) -> Result<()> {
        if !changed(&mut self.waiting_ids, waiting) {
            return Ok(());
        }
        writeln!(
            self.out,
            "{}",
            json!({"type": "waiting", "what": waiting.what, "items": waiting.items})
        )?;
        self.out.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_short() {
        assert_eq!(duration(Duration::from_secs(42)), "42s");
        assert_eq!(duration(Duration::from_secs(185)), "3m05s");
        assert_eq!(duration(Duration::from_secs(3720)), "1h02m");
    }

    #[test]
    fn a_settled_stack_without_resource_events_says_so_instead_of_0_done() {
        let plain = Style { color: false };
        let mut p = Progress::new("orders", super::super::Operation::Update, Vec::new());
        let head = |p: &Progress| live_block(p, None, p.started, &plain)[0].clone();
        assert_eq!(head(&p), "Updating stack orders — starting 0s");
        p.set_stack_status("UPDATE_IN_PROGRESS", None);
        assert!(
            head(&p).contains("(no resource events yet)"),
            "{}",
            head(&p)
        );
        p.set_stack_status("UPDATE_COMPLETE", None);
        let line = head(&p);
        assert_eq!(
            line,
            "Updating stack orders — UPDATE_COMPLETE (no resource events) 0s"
        );
        assert!(!line.contains("0 done"));
    }

    #[test]
    fn clock_is_utc() {
        assert_eq!(clock(1_795_000_000_000), "11:06:40");
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    }
}
