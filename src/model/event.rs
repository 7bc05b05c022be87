//! One event to put on a bus, whatever it came from (`send`'s input, a DLQ record for
//! `redrive`), its size as EventBridge counts it, and how entries are packed into requests.

use std::ops::Range;

/// PutEvents takes at most 10 entries per request.
pub const MAX_ENTRIES_PER_REQUEST: usize = 10;

/// "The total entry size must be less than 256KB" (EventBridge User Guide, "Calculating
/// PutEvents event entry size"): a request's entries must add up to strictly less than this.
pub const REQUEST_LIMIT_BYTES: usize = 256 * 1024;

/// One event to put on a bus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventEntry {
    pub source: String,
    pub detail_type: String,
    pub detail: String,
    pub resources: Vec<String>,
}

impl EventEntry {
    /// The size EventBridge counts against the limit, exactly as "Calculating PutEvents event
    /// entry size" gives it: 14 bytes for a Time when one is set (evrelay never sets one, so
    /// EventBridge stamps the event itself), plus the UTF-8 bytes of Source, DetailType, Detail
    /// and of each Resource.
    pub fn size(&self) -> usize {
        const TIME_BYTES: usize = 0; // no Time parameter is ever sent
        TIME_BYTES
            + self.source.len()
            + self.detail_type.len()
            + self.detail.len()
            + self.resources.iter().map(String::len).sum::<usize>()
    }

    /// True when EventBridge can accept this entry at all (alone in its request).
    pub fn fits(&self) -> bool {
        self.size() < REQUEST_LIMIT_BYTES
    }
}

/// Splits entries, in order, into requests of at most 10 entries whose sizes add up to less
/// than 256 KB. An entry that does not fit on its own gets a request of its own (and is refused
/// by EventBridge; `send` checks sizes before sending anything).
pub fn pack(sizes: &[usize]) -> Vec<Range<usize>> {
    pack_at_most(sizes, MAX_ENTRIES_PER_REQUEST)
}

/// [`pack`] with at most `max` entries per request (1 to 10): a paced send spreads small
/// requests over time instead of bursting full ones.
pub fn pack_at_most(sizes: &[usize], max: usize) -> Vec<Range<usize>> {
    let max = max.clamp(1, MAX_ENTRIES_PER_REQUEST);
    let mut batches = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, &size) in sizes.iter().enumerate() {
        let full = i - start == max || bytes + size >= REQUEST_LIMIT_BYTES;
        if i > start && full {
            batches.push(start..i);
            start = i;
            bytes = 0;
        }
        bytes += size;
    }
    if start < sizes.len() {
        batches.push(start..sizes.len());
    }
    batches
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(detail: &str) -> EventEntry {
        EventEntry {
            source: "src".into(),
            detail_type: "dt".into(),
            detail: detail.into(),
            resources: vec!["arn:x".into()],
        }
    }

    #[test]
    fn entry_size_follows_the_documented_calculation() {
        // UTF-8 bytes, not characters: é is two.
        assert_eq!(entry("{\"é\":1}").size(), 3 + 2 + 8 + 5);
    }

    #[test]
    fn the_limit_is_strictly_less_than_256_kb() {
        let fixed = entry("").size();
        assert!(entry(&"a".repeat(REQUEST_LIMIT_BYTES - fixed - 1)).fits());
        let exactly = entry(&"a".repeat(REQUEST_LIMIT_BYTES - fixed));
        assert_eq!(exactly.size(), 262_144);
        assert!(!exactly.fits());
    }

    #[test]
    fn batches_hold_ten_entries_and_less_than_256kb() {
        assert_eq!(pack(&[1; 25]), vec![0..10, 10..20, 20..25]);
        assert_eq!(pack(&[]), Vec::<Range<usize>>::new());
        let half = REQUEST_LIMIT_BYTES / 2;
        // Two halves make exactly 256 KB: not less than it, so they go apart.
        assert_eq!(pack(&[half, half]), vec![0..1, 1..2]);
        assert_eq!(pack(&[half - 1, half, 1]), vec![0..2, 2..3]);
        assert_eq!(pack(&[half, half + 1, 5]), vec![0..1, 1..3]);
        // An oversized entry stands alone.
        assert_eq!(
            pack(&[1, REQUEST_LIMIT_BYTES + 1, 1]),
            vec![0..1, 1..2, 2..3]
        );
    }
}
