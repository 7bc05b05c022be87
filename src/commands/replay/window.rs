//! replay's pure rules: the time window against the clock and the archive, the replay's name,
//! and how far a running replay has come.

use crate::aws::replay::Archive;
use crate::error::Error;
use crate::model::text::format_epoch_ms;

const DAY_MS: i64 = 86_400_000;

/// ReplayName: 1 to 64 of `[\.\-_A-Za-z0-9]` (API_StartReplay.html).
pub const MAX_REPLAY_NAME: usize = 64;

/// `--from` and `--to` (epoch ms) against the clock, before any AWS call: `--to` after `--from`,
/// and not in the future (an archive cannot hold events not sent yet).
pub fn check_clock(from: i64, to: i64, now: i64, given: (&str, &str)) -> Result<(), Error> {
    if to <= from {
        return Err(Error::usage(format!(
            "--to {} ({}) is not after --from {} ({}); nothing was replayed",
            given.1,
            format_epoch_ms(to),
            given.0,
            format_epoch_ms(from)
        ))
        .hint("give --to a later time than --from (or leave --to out: now)"));
    }
    if to > now {
        return Err(Error::usage(format!(
            "--to {} ({}) is in the future; nothing was replayed",
            given.1,
            format_epoch_ms(to)
        ))
        .hint("leave --to out to replay up to now"));
    }
    Ok(())
}

/// `--from` against what the archive can hold: nothing before it was created, nothing older
/// than its retention (RetentionDays, 0 = indefinitely: API_CreateArchive.html).
pub fn check_archive(from: i64, now: i64, given: &str, archive: &Archive) -> Result<(), Error> {
    if archive.retention_days > 0 {
        let oldest = now - i64::from(archive.retention_days) * DAY_MS;
        if from < oldest {
            return Err(Error::usage(format!(
                "--from {given} ({}) is older than archive {} keeps events ({} days: nothing before {}); nothing was replayed",
                format_epoch_ms(from),
                archive.name,
                archive.retention_days,
                format_epoch_ms(oldest)
            ))
            .hint(format!(
                "give --from a time within the last {} days",
                archive.retention_days
            )));
        }
    }
    if archive.created_ms > 0 && from < archive.created_ms {
        return Err(Error::usage(format!(
            "--from {given} ({}) is before archive {} was created ({}); nothing was replayed",
            format_epoch_ms(from),
            archive.name,
            format_epoch_ms(archive.created_ms)
        ))
        .hint(format!(
            "give --from {} or later",
            format_epoch_ms(archive.created_ms)
        )));
    }
    Ok(())
}

/// `<stack>-<utc yyyymmddThhmmss>`: the stack's part is cut so the whole fits 64 characters.
pub fn replay_name(stack: &str, now_ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(now_ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let stamp = format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    let room = MAX_REPLAY_NAME - stamp.len() - 1;
    let prefix = stack[..stack.len().min(room)].trim_end_matches('-');
    format!("{prefix}-{stamp}")
}

/// Whether a replay named `name` is one `replay` started for `stack` (`--cancel` acts on no other).
pub fn is_stacks(name: &str, stack: &str) -> bool {
    let room = MAX_REPLAY_NAME - "yyyymmddThhmmss".len() - 1;
    let prefix = stack[..stack.len().min(room)].trim_end_matches('-');
    name.strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('-'))
        .is_some_and(|stamp| {
            stamp.len() == 15
                && stamp.as_bytes()[8] == b'T'
                && stamp
                    .chars()
                    .enumerate()
                    .all(|(i, c)| i == 8 || c.is_ascii_digit())
        })
}

/// How far through [from, to) the replay is, 0–1000 (EventLastReplayedTime: "the time within
/// the specified time range associated with the last event replayed", API_StartReplay.html).
pub fn per_mille(from: i64, to: i64, last_replayed: i64) -> u64 {
    if last_replayed <= from || to <= from {
        return 0;
    }
    (((last_replayed.min(to) - from) as i128 * 1000) / (to - from) as i128) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_796_000_000_000;

    fn archive(retention_days: i32, created_ms: i64) -> Archive {
        Archive {
            name: "orders-archive-Archive-1".into(),
            retention_days,
            created_ms,
            ..Archive::default()
        }
    }

    #[test]
    fn to_must_follow_from_and_not_be_in_the_future() {
        let e = check_clock(NOW, NOW - 1, NOW, ("1h", "2h")).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.message.starts_with("--to 2h"), "{}", e.message);
        assert_eq!(
            check_clock(NOW, NOW, NOW, ("a", "b"))
                .unwrap_err()
                .exit_code(),
            2
        );
        let e = check_clock(NOW - 10, NOW + 1000, NOW, ("10m", "x")).unwrap_err();
        assert!(e.message.contains("in the future"));
        assert!(check_clock(NOW - 10, NOW, NOW, ("a", "b")).is_ok());
    }

    #[test]
    fn from_must_be_within_the_retention_and_after_the_archive_was_made() {
        let old = archive(7, NOW - 30 * DAY_MS);
        let e = check_archive(NOW - 8 * DAY_MS, NOW, "8d", &old).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.message.contains("7 days"), "{}", e.message);
        assert!(check_archive(NOW - 6 * DAY_MS, NOW, "6d", &old).is_ok());
        // 0: kept indefinitely; only its creation bounds it.
        let forever = archive(0, NOW - 30 * DAY_MS);
        assert!(check_archive(NOW - 29 * DAY_MS, NOW, "29d", &forever).is_ok());
        let e = check_archive(NOW - 31 * DAY_MS, NOW, "31d", &forever).unwrap_err();
        assert!(e.message.contains("before archive"), "{}", e.message);
        let young = archive(7, NOW - DAY_MS);
        assert!(check_archive(NOW - 2 * DAY_MS, NOW, "2d", &young).is_err());
    }

    #[test]
    fn the_replay_name_fits_64_characters_and_is_recognised() {
        let name = replay_name("orders", 1_796_000_000_000);
        assert_eq!(name, "orders-20261130T005320");
        assert!(is_stacks(&name, "orders"));
        assert!(!is_stacks(&name, "order"));
        assert!(!is_stacks("orders-backfill", "orders"));
        let long = "a".repeat(49) + "-b";
        let name = replay_name(&long, NOW);
        assert!(name.len() <= MAX_REPLAY_NAME, "{name}");
        assert!(is_stacks(&name, &long));
        let hyphen = "a".repeat(47) + "-bc";
        assert!(!replay_name(&hyphen, NOW).contains("--"));
    }

    #[test]
    fn progress_follows_the_last_replayed_time() {
        assert_eq!(per_mille(1000, 2000, 0), 0);
        assert_eq!(per_mille(1000, 2000, 1500), 500);
        assert_eq!(per_mille(1000, 2000, 5000), 1000);
        assert_eq!(per_mille(1000, 1000, 5000), 0);
    }
}
