//! One error type for the whole tool. Every error knows its exit code (1 at run time, 2 for
//! usage) and may carry a hint that tells the operator what to try next.

use std::fmt;

use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Where AWS calls go, for "could not reach …" messages: set once when the context loads.
static ENDPOINT_LABEL: std::sync::OnceLock<String> = std::sync::OnceLock::new();

pub fn set_endpoint_label(label: String) {
    let _ = ENDPOINT_LABEL.set(label);
}

fn endpoint_label() -> &'static str {
    ENDPOINT_LABEL
        .get()
        .map(String::as_str)
        .unwrap_or("the AWS endpoint")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The invocation itself is wrong (bad flag value, ambiguous choice, refused prompt): exit 2.
    Usage,
    /// Something failed while running: exit 1.
    Failed,
}

#[derive(Debug)]
pub struct Error {
    pub kind: Kind,
    pub message: String,
    pub hint: Option<String>,
    /// The underlying cause, shown only with `-v`.
    pub detail: Option<String>,
}

impl Error {
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            kind: Kind::Usage,
            message: message.into(),
            hint: None,
            detail: None,
        }
    }

    pub fn failed(message: impl Into<String>) -> Self {
        Self {
            kind: Kind::Failed,
            message: message.into(),
            hint: None,
            detail: None,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn exit_code(&self) -> u8 {
        match self.kind {
            Kind::Usage => 2,
            Kind::Failed => 1,
        }
    }

    /// Turns an SDK error into one line naming the API operation, plus a hint for the
    /// failures every command shares: no credentials, no region, an unreachable endpoint.
    pub fn aws<E, R>(
        operation: &str,
        err: aws_smithy_runtime_api::client::result::SdkError<E, R>,
    ) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: fmt::Debug + Send + Sync + 'static,
    {
        use aws_smithy_runtime_api::client::result::SdkError;
        let chain = format!("{}", DisplayErrorContext(&err));
        match &err {
            SdkError::ServiceError(service) => {
                let e = service.err();
                let code = e.code().unwrap_or("Unknown");
                let msg = e.message().unwrap_or("no message");
                let mut error =
                    Self::failed(format!("{operation} failed: {code}: {msg}")).detail(chain);
                if let Some(hint) = hint_for_code(code) {
                    error = error.hint(hint);
                }
                error
            }
            _ => classify_transport(operation, &chain),
        }
    }
}

fn classify_transport(operation: &str, chain: &str) -> Error {
    let lower = chain.to_ascii_lowercase();
    if lower.contains("credentials")
        || lower.contains("no identity")
        || lower.contains("identity resolver")
    {
        Error::failed(format!("{operation} failed: no AWS credentials found"))
            .hint("set AWS_PROFILE (or --profile), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
            .detail(chain.to_string())
    } else if lower.contains("region") && (lower.contains("missing") || lower.contains("no region"))
    {
        Error::failed(format!("{operation} failed: no AWS region set"))
            .hint("pass --region or set AWS_REGION")
            .detail(chain.to_string())
    } else if lower.contains("timeout") || lower.contains("timed out") {
        Error::failed(format!(
            "{operation} failed: {} did not answer in time",
            endpoint_label()
        ))
        .hint("check the network, --endpoint-url / AWS_ENDPOINT_URL, and --region")
        .detail(chain.to_string())
    } else if lower.contains("dispatch failure")
        || lower.contains("connect")
        || lower.contains("io error")
    {
        Error::failed(format!(
            "{operation} failed: could not reach {}",
            endpoint_label()
        ))
        .hint("check --endpoint-url / AWS_ENDPOINT_URL, --region and the network")
        .detail(chain.to_string())
    } else {
        Error::failed(format!("{operation} failed: {}", first_line(chain)))
            .detail(chain.to_string())
    }
}

fn hint_for_code(code: &str) -> Option<&'static str> {
    match code {
        "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" => {
            Some("the credentials in use lack this permission; check the IAM policy, or pass another --profile")
        }
        "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" => {
            Some("the session credentials have expired; refresh them (e.g. `aws sso login`)")
        }
        "InvalidClientTokenId" | "UnrecognizedClientException" | "AuthFailure" | "SignatureDoesNotMatch" => {
            Some("the credentials were rejected; check AWS_PROFILE / the access key, and --region")
        }
        "Throttling" | "ThrottlingException" | "TooManyRequestsException" | "RequestLimitExceeded" => {
            Some("AWS throttled the request; wait a moment and run it again")
        }
        _ => None,
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::failed(format!("I/O error: {e}"))
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::failed(format!("JSON error: {e}"))
    }
}

/// `.aws_context("DescribeSubnets")?` on any SDK result.
pub trait AwsResultExt<T> {
    fn aws_context(self, operation: &str) -> Result<T>;
}

impl<T, E, R> AwsResultExt<T>
    for std::result::Result<T, aws_smithy_runtime_api::client::result::SdkError<E, R>>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: fmt::Debug + Send + Sync + 'static,
{
    fn aws_context(self, operation: &str) -> Result<T> {
        self.map_err(|e| Error::aws(operation, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transport_errors_get_one_line_and_a_hint() {
        let e = classify_transport(
            "DescribeVpcs",
            "dispatch failure: io error: Connection refused (os error 111)",
        );
        assert!(
            e.message
                .starts_with("DescribeVpcs failed: could not reach "),
            "{}",
            e.message
        );
        assert!(e.hint.unwrap().contains("--endpoint-url"));
        let e = classify_transport(
            "DescribeVpcs",
            "failed to resolve identity: no credentials in the chain",
        );
        assert!(e.message.contains("no AWS credentials"));
        assert_eq!(e.exit_code(), 1);
    }

    #[test]
    fn usage_errors_exit_2() {
        assert_eq!(Error::usage("bad").exit_code(), 2);
        assert_eq!(Error::failed("bad").exit_code(), 1);
    }
}
