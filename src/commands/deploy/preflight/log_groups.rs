//! A new stack names its log groups (`/aws/lambda/<stack>-relay`, `/aws/events/evrelay/<stack>`).
//! One left from an earlier stack of that name — a late invocation after a destroy makes Lambda
//! recreate its group — fails the stack's `AWS::Logs::LogGroup` create half-way ("already
//! exists", then a rollback). Caught here, before anything is made, with both ways out.

use crate::aws::log_groups::LogGroupFacts;
use crate::error::{Error, Result};

/// `Ok` when none of the new stack's log groups exists yet.
pub fn no_leftover_log_groups(stack: &str, found: &[LogGroupFacts]) -> Result<()> {
    let Some(first) = found.first() else {
        return Ok(());
    };
    let named: Vec<String> = found
        .iter()
        .map(|g| format!("`{}` ({} stored)", g.name, size(g.stored_bytes)))
        .collect();
    let (noun, verb) = if found.len() == 1 {
        ("log group", "exists")
    } else {
        ("log groups", "exist")
    };
    let keep: Vec<String> = found
        .iter()
        .map(|g| {
            format!(
                "`aws logs create-export-task --log-group-name {} --from 0 --to $(date +%s000) --destination BUCKET`",
                g.name
            )
        })
        .collect();
    let delete: Vec<String> = found
        .iter()
        .map(|g| format!("`aws logs delete-log-group --log-group-name {}`", g.name))
        .collect();
    Err(Error::failed(format!(
        "{noun} {} already {verb}, left by an earlier stack `{stack}`: the new stack creates {} and would fail half-way",
        named.join(" and "),
        if found.len() == 1 { "it" } else { "them" },
    ))
    .hint(format!(
        "keep its events with {} (an S3 bucket that allows CloudWatch Logs to write), then delete it with {}; or just delete it; then deploy again{}",
        keep.join(" and "),
        delete.join(" and "),
        if first.stored_bytes == 0 && found.len() == 1 {
            " (it holds no events)"
        } else {
            ""
        }
    )))
}

/// Bytes as an operator reads them (1024-based, one decimal).
fn size(bytes: i64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(name: &str, bytes: i64) -> LogGroupFacts {
        LogGroupFacts {
            name: name.into(),
            stored_bytes: bytes,
            created_ms: None,
        }
    }

    #[test]
    fn no_leftover_passes() {
        assert!(no_leftover_log_groups("orders", &[]).is_ok());
    }

    #[test]
    fn a_leftover_group_is_named_with_its_size_and_both_ways_out() {
        let e = no_leftover_log_groups("orders", &[group("/aws/lambda/orders-relay", 12_800)])
            .unwrap_err();
        assert_eq!(e.exit_code(), 1);
        assert!(
            e.message.starts_with(
                "log group `/aws/lambda/orders-relay` (12.5 KiB stored) already exists, left by an earlier stack `orders`"
            ),
            "{}",
            e.message
        );
        let hint = e.hint.unwrap();
        assert!(
            hint.contains("aws logs create-export-task --log-group-name /aws/lambda/orders-relay")
        );
        assert!(
            hint.contains("aws logs delete-log-group --log-group-name /aws/lambda/orders-relay")
        );
    }

    #[test]
    fn sizes_read_as_an_operator_reads_them() {
        assert_eq!(size(0), "0 bytes");
        assert_eq!(size(1023), "1023 bytes");
        assert_eq!(size(1536), "1.5 KiB");
        assert_eq!(size(5 * 1024 * 1024), "5.0 MiB");
    }
}
