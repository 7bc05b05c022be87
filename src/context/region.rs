//! Region names checked before any call. The AWS SDK resolves any string into an endpoint
//! (`us-east-9` → `ec2.us-east-9.amazonaws.com`, `US-EAST-1` → a host that does not exist), so a
//! typo surfaces as "could not reach the endpoint" after the first call. The names come from the
//! SDK's own partition data (`partitions.json`, copied verbatim from the `aws-sdk-sts` crate
//! evrelay is built with — its crates keep it private), and a test fails when the SDK in
//! `Cargo.lock` carries different data, so the list moves with every SDK update instead of going
//! stale by hand. A region newer than the build is the one thing refused wrongly; the hint says
//! so, and `--endpoint-url` (the operator names the endpoint) skips the list.

use crate::error::{Error, Result};

const PARTITIONS: &str = include_str!("partitions.json");

/// Every region of every partition, without the `*-global` pseudo-regions (no regional
/// service such as EC2 answers there).
pub fn known() -> Vec<String> {
    let data: serde_json::Value =
        serde_json::from_str(PARTITIONS).expect("the SDK's partition data is JSON");
    let mut names: Vec<String> = data["partitions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["regions"].as_object())
        .flat_map(|r| r.keys().cloned())
        .filter(|r| !r.ends_with("-global"))
        .collect();
    names.sort();
    names
}

/// `Ok` for a region the SDK knows (or any well-formed name when `custom_endpoint`); otherwise
/// a usage error with the closest known name.
pub fn check(region: &str, custom_endpoint: bool) -> Result<()> {
    let known = known();
    if known.iter().any(|k| k == region) {
        return Ok(());
    }
    let lower = region.to_ascii_lowercase();
    let well_formed = !region.is_empty()
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if custom_endpoint && well_formed {
        return Ok(());
    }
    let suggestion = closest(&lower, &known);
    let mut hint = match suggestion {
        Some(s) => format!("did you mean {s}? Pass --region {s}"),
        None => "pass --region with an AWS region, e.g. us-east-1".to_string(),
    };
    hint.push_str(" (or fix AWS_REGION, the profile's `region` or evrelay.toml's `region`)");
    if well_formed && suggestion != Some(lower.as_str()) {
        hint.push_str("; a region newer than this evrelay needs a newer evrelay");
    }
    Err(Error::usage(format!(
        "region `{region}` is not an AWS region (checked against the AWS SDK's partition data)"
    ))
    .hint(hint))
}

/// The known name nearest to `region` (at most 3 edits), the first in order on a tie.
fn closest<'a>(region: &str, known: &'a [String]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (distance(region, k), k))
        .filter(|(d, _)| *d <= 3)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k.as_str())
}

/// Levenshtein distance over bytes (region names are ASCII).
fn distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(cur).min(row[j])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
#[path = "region_tests.rs"]
mod tests;
