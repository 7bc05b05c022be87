//! Secrets Manager: evrelay only describes an existing secret (`--secret-id`); it never reads
//! a secret's value (only the relay does, with GetSecretValue on exactly that ARN).

use aws_sdk_secretsmanager::error::ProvideErrorMetadata;
use aws_sdk_secretsmanager::Client;

use crate::error::{AwsResultExt, Result};

/// What DescribeSecret says about a secret (never its value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescribedSecret {
    pub arn: String,
    pub name: String,
    /// Key id, key ARN or alias (ARN); None = the AWS managed `aws/secretsmanager` key.
    pub kms_key_id: Option<String>,
    /// Set when the secret is scheduled for deletion (RFC 3339).
    pub deleted_date: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<(String, String)>,
}

/// DescribeSecret by name or ARN; `Ok(None)` when there is no such secret.
pub async fn describe(client: &Client, id: &str) -> Result<Option<DescribedSecret>> {
    match client.describe_secret().secret_id(id).send().await {
        Ok(out) => Ok(Some(DescribedSecret {
            arn: out.arn().unwrap_or_default().to_string(),
            name: out.name().unwrap_or_default().to_string(),
            kms_key_id: out.kms_key_id().map(str::to_string),
            deleted_date: out.deleted_date().map(|d| {
                d.fmt(aws_smithy_types::date_time::Format::DateTime)
                    .unwrap_or_else(|_| d.secs().to_string())
            }),
            description: out.description().map(str::to_string),
            tags: out
                .tags()
                .iter()
                .map(|t| {
                    let (k, v) = (t.key().unwrap_or_default(), t.value().unwrap_or_default());
                    (k.to_string(), v.to_string())
                })
                .collect(),
        })),
        Err(e) if e.code() == Some("ResourceNotFoundException") => Ok(None),
        Err(e) => Err(e).aws_context("DescribeSecret"),
    }
}
