//! Log groups by exact name (DescribeLogGroups takes a prefix): which of a stack's named groups
//! already exist before the stack makes them.

use aws_sdk_cloudwatchlogs::Client;

use crate::error::{Error, Result};

/// One existing log group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogGroupFacts {
    pub name: String,
    pub stored_bytes: i64,
    pub created_ms: Option<i64>,
}

/// Those of `names` that exist (any order), with what they hold.
pub async fn existing(client: &Client, names: &[&str]) -> Result<Vec<LogGroupFacts>> {
    let mut found = Vec::new();
    for name in names {
        let mut pages = client
            .describe_log_groups()
            .log_group_name_prefix(*name)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| Error::aws("DescribeLogGroups", e))?;
            found.extend(
                page.log_groups()
                    .iter()
                    .filter(|g| g.log_group_name() == Some(*name))
                    .map(|g| LogGroupFacts {
                        name: name.to_string(),
                        stored_bytes: g.stored_bytes().unwrap_or(0),
                        created_ms: g.creation_time(),
                    }),
            );
        }
    }
    Ok(found)
}
