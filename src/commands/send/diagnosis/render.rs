//! The diagnosis as text: each finding names its Region when the events went through a global
//! endpoint (the JSON's `region`), so a pair's two DLQs and log groups, which share their names,
//! are told apart.

use super::{Diagnosis, LogExcerpt, Schedule};
use crate::model::text::{count, shorten};
use crate::printer::Style;

impl Diagnosis {
    pub(in crate::commands::send) fn render(&self, style: &Style) -> String {
        let mut out = style.bold("While waiting:").to_string();
        let there = self.secondary.as_deref();
        // One schedule for both Regions when their relays retry alike.
        let alike = there.is_some_and(|d| {
            d.schedule
                .as_ref()
                .is_some_and(|s| same_settings(s, self.schedule.as_ref()))
        });
        let schedule_at = match (there.and_then(|d| d.region.as_deref()), alike) {
            (Some(r), true) => self.at().replace(" in ", " in either ") + &format!(" or {r}"),
            _ => self.at(),
        };
        self.findings(None, &schedule_at, &mut out);
        if let Some(there) = there {
            there.findings(self.schedule.as_ref(), &there.at(), &mut out);
        }
        out
    }

    /// The schedule whose failure record is due last (the secondary's relay may be slower).
    pub(in crate::commands::send) fn latest_schedule(&self) -> Option<&Schedule> {
        let there = self.secondary.as_ref().and_then(|d| d.schedule.as_ref());
        match (self.schedule.as_ref(), there) {
            // Both are the same RFC 3339 form: the strings order as the times do.
            (Some(a), Some(b)) if b.failure_record_due_by > a.failure_record_due_by => Some(b),
            (a, b) => a.or(b),
        }
    }

    /// " in us-west-2" through a global endpoint, else nothing (a single Region's output).
    fn at(&self) -> String {
        self.region
            .as_deref()
            .map(|r| format!(" in {r}"))
            .unwrap_or_default()
    }

    /// This Region's findings; `shown`: a schedule already shown with the same settings is not
    /// repeated.
    fn findings(&self, shown: Option<&Schedule>, schedule_at: &str, out: &mut String) {
        let at = self.at();
        if let Some(depth) = &self.dlq_depth {
            out.push_str(&format!(
                "\n  DLQ `{}`{at} holds about {} ({} in flight).",
                self.dlq,
                count(depth.visible, "message"),
                depth.in_flight
            ));
        }
        if let Some(s) = self.schedule.as_ref().filter(|s| !same_settings(s, shown)) {
            out.push_str(&format!(
                "\n  A failure record is due in the DLQ{schedule_at} by {} at the latest if the relay fails: {} of up to {} s, \
                 1 and 2 min apart ({}). Until then an empty DLQ does not mean the event was \
                 delivered; --timeout {} waits for it. If Lambda throttles the relay or fails \
                 itself (429, 5xx), it retries with backoff up to 5 min for the event's maximum \
                 age, {} s: the record may come as late as {}.",
                s.failure_record_due_by,
                count(u64::from(s.attempts), "attempt"),
                s.function_timeout_s,
                s.source,
                s.suggested_timeout,
                s.max_event_age_s,
                s.throttled_record_due_by
            ));
        }
        let group = &self.relay_log_group;
        let line = |e: &LogExcerpt| format!("\n    {}  {}", e.time, shorten(&e.message, 160));
        if self.event_lines.is_empty() {
            out.push_str(&format!(
                "\n  No line in `{group}`{at} names these events yet."
            ));
        } else {
            out.push_str(&format!("\n  Lines in `{group}`{at} naming these events:"));
            self.event_lines.iter().for_each(|e| out.push_str(&line(e)));
        }
        if !self.recent_errors.is_empty() {
            out.push_str(&format!(
                "\n  Other failure lines in `{group}`{at} since the send:"
            ));
            self.recent_errors
                .iter()
                .for_each(|e| out.push_str(&line(e)));
        }
        for note in &self.notes {
            match &self.region {
                Some(r) => out.push_str(&format!("\n  note ({r}): {note}")),
                None => out.push_str(&format!("\n  note: {note}")),
            }
        }
    }
}

fn same_settings(s: &Schedule, shown: Option<&Schedule>) -> bool {
    shown.is_some_and(|o| {
        (o.attempts, o.function_timeout_s, o.max_event_age_s)
            == (s.attempts, s.function_timeout_s, s.max_event_age_s)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: Style = Style { color: false };

    fn schedule(timeout_s: u64, due_by: &str) -> Schedule {
        Schedule {
            attempts: 3,
            function_timeout_s: timeout_s,
            max_event_age_s: 3600,
            failure_record_due_by: due_by.into(),
            throttled_record_due_by: "2026-12-05T05:00:00.000Z".into(),
            suggested_timeout: "9m".into(),
            source: "s".into(),
        }
    }

    fn diagnosis(region: &str, timeout_s: u64, due_by: &str) -> Diagnosis {
        Diagnosis {
            region: Some(region.into()),
            dlq: "o-dlq".into(),
            dlq_depth: None,
            schedule: Some(schedule(timeout_s, due_by)),
            relay_log_group: "/aws/lambda/o-relay".into(),
            event_lines: Vec::new(),
            recent_errors: Vec::new(),
            notes: vec!["n".into()],
            secondary: None,
        }
    }

    #[test]
    fn a_pair_s_schedule_is_shown_once_when_both_relays_retry_alike() {
        let mut d = diagnosis("us-east-1", 90, "2026-12-05T04:10:00.000Z");
        d.secondary = Some(Box::new(diagnosis(
            "us-west-2",
            90,
            "2026-12-05T04:10:00.000Z",
        )));
        let text = d.render(&PLAIN);
        assert_eq!(text.matches("A failure record is due").count(), 1, "{text}");
        assert!(text.contains("due in the DLQ in either us-east-1 or us-west-2 by"));
        assert!(text.contains("note (us-west-2): n"), "{text}");
        assert!(text.contains("No line in `/aws/lambda/o-relay` in us-west-2 names"));

        // A slower secondary: its own schedule, and the later one is the one to wait for.
        d.secondary = Some(Box::new(diagnosis(
            "us-west-2",
            300,
            "2026-12-05T04:20:00.000Z",
        )));
        let text = d.render(&PLAIN);
        assert!(text.contains("due in the DLQ in us-east-1 by"), "{text}");
        assert!(text.contains("due in the DLQ in us-west-2 by"), "{text}");
        assert_eq!(d.latest_schedule().unwrap().function_timeout_s, 300);
    }

    #[test]
    fn a_single_region_names_no_region() {
        let mut d = diagnosis("us-east-1", 90, "2026-12-05T04:10:00.000Z");
        d.region = None;
        let text = d.render(&PLAIN);
        assert!(text.contains("due in the DLQ by"), "{text}");
        assert!(text.contains("\n  note: n"), "{text}");
        assert_eq!(d.latest_schedule().unwrap().function_timeout_s, 90);
    }
}
