//! The dashboard's relay log: the newest lines kept between refreshes, each refresh reading
//! only from the newest line it has (FilterLogEvents' start is inclusive, so a line at that
//! millisecond comes back again and is recognised by its log event id).

use std::collections::VecDeque;

use crate::model::log_line::LogLine;

/// Lines kept: more than any terminal shows.
pub(super) const KEPT: usize = 200;

/// The first read goes back at most this far (ms): the latest lines, not the window's.
pub(super) const FIRST_LOOK_BACK_MS: i64 = 15 * 60 * 1000;

#[derive(Debug, Default)]
pub(super) struct Tail {
    lines: VecDeque<LogLine>,
}

impl Tail {
    /// Where the next read starts (epoch ms).
    pub(super) fn next_start(&self, now_ms: i64, since_ms: i64) -> i64 {
        match self.lines.back() {
            Some(last) => last.timestamp,
            None => now_ms - since_ms.min(FIRST_LOOK_BACK_MS),
        }
    }

    /// Adds a read's lines, oldest first; returns those not seen before. A line is the same
    /// as one kept when its log event id is (or, without ids, its time, stream and text are).
    pub(super) fn add(&mut self, mut read: Vec<LogLine>) -> Vec<LogLine> {
        read.sort_by_key(|l| l.timestamp);
        let newest = self.lines.back().map_or(i64::MIN, |l| l.timestamp);
        let fresh: Vec<LogLine> = read
            .into_iter()
            .filter(|l| l.timestamp >= newest)
            .filter(|l| {
                !self
                    .lines
                    .iter()
                    .rev()
                    .take_while(|k| k.timestamp >= l.timestamp)
                    .any(|k| same(k, l))
            })
            .collect();
        self.lines.extend(fresh.iter().cloned());
        while self.lines.len() > KEPT {
            self.lines.pop_front();
        }
        fresh
    }

    pub(super) fn lines(&self) -> impl Iterator<Item = &LogLine> {
        self.lines.iter()
    }
}

fn same(a: &LogLine, b: &LogLine) -> bool {
    match (&a.log_event_id, &b.log_event_id) {
        (Some(x), Some(y)) => x == y,
        _ => a.timestamp == b.timestamp && a.stream == b.stream && a.message == b.message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::log_line::Origin;

    fn line(t: i64, id: &str) -> LogLine {
        LogLine {
            timestamp: t,
            origin: Origin::Relay,
            stream: "s".into(),
            message: format!("line {id}"),
            log_event_id: Some(id.into()),
        }
    }

    #[test]
    fn a_refresh_adds_only_the_lines_it_has_not_seen() {
        let mut tail = Tail::default();
        assert_eq!(
            tail.next_start(1_000_000_000, 3_600_000),
            1_000_000_000 - FIRST_LOOK_BACK_MS
        );
        assert_eq!(
            tail.next_start(1_000_000_000, 60_000),
            1_000_000_000 - 60_000
        );
        assert_eq!(tail.add(vec![line(20, "b"), line(10, "a")]).len(), 2);
        assert_eq!(tail.next_start(0, 0), 20);
        // The read from 20 (inclusive) returns b again, and c at the same millisecond.
        let fresh = tail.add(vec![line(20, "b"), line(20, "c"), line(30, "d")]);
        let ids: Vec<_> = fresh
            .iter()
            .map(|l| l.log_event_id.clone().unwrap())
            .collect();
        assert_eq!(ids, ["c", "d"]);
        assert_eq!(tail.lines().count(), 4);
    }

    #[test]
    fn only_the_newest_lines_are_kept() {
        let mut tail = Tail::default();
        tail.add(
            (0..(KEPT as i64 + 5))
                .map(|i| line(i, &i.to_string()))
                .collect(),
        );
        assert_eq!(tail.lines().count(), KEPT);
        assert_eq!(tail.lines().next().unwrap().timestamp, 5);
    }
}
