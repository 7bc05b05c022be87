//! STS: who the credentials belong to, so every command that changes something can say which
//! account it acts on before it does.

use serde::Serialize;

use crate::error::{AwsResultExt, Result};

/// GetCallerIdentity, reduced to what evrelay shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identity {
    pub account: String,
    pub arn: String,
}

pub async fn caller_identity(client: &aws_sdk_sts::Client) -> Result<Identity> {
    let out = client
        .get_caller_identity()
        .send()
        .await
        .aws_context("GetCallerIdentity")?;
    Ok(Identity {
        account: out.account().unwrap_or_default().to_string(),
        arn: out.arn().unwrap_or_default().to_string(),
    })
}
