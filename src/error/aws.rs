//! An SDK error turned into one line naming the API operation, classified from the SDK's own
//! error variants and types — never from the text: a service's answer (code, message, HTTP
//! status, request id), throttling, a timeout, a request that could not be sent, missing
//! credentials, an answer that is not an AWS response.

use std::error::Error as StdError;

use aws_credential_types::provider::error::CredentialsError;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_types::request_id::RequestId;

use super::Error;

pub type SdkError<E> = aws_smithy_runtime_api::client::result::SdkError<E, HttpResponse>;

/// Why an AWS call failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// The service answered with an error (or with an error status and no readable body).
    Service,
    /// The service answered with a throttling code or HTTP 429.
    Throttling,
    /// No answer in time (the SDK's operation or attempt timeout, or the connection's).
    Timeout,
    /// The request never got an answer: refused, DNS, TLS, a reset connection.
    Dispatch,
    /// The credential chain found no credentials at all.
    NoCredentials,
    /// A credential provider failed (bad profile, SSO, credential_process).
    Credentials,
    /// An answer came that is not an AWS response the SDK could read.
    Response,
    /// The request could not be built.
    Construction,
}

/// What went wrong in one AWS call, as the SDK reported it.
#[derive(Debug, Clone)]
pub struct AwsFailure {
    pub operation: String,
    pub cause: Cause,
    /// e.g. `ValidationError`; `None` when the answer carried no parseable error.
    pub code: Option<String>,
    pub service_message: Option<String>,
    pub status: Option<u16>,
    pub request_id: Option<String>,
    /// The innermost cause's own words, for the failures that have no code.
    pub cause_line: Option<String>,
}

/// The codes the SDK's own retry classifier treats as throttling (aws-runtime's
/// `retries::classifiers::THROTTLING_ERRORS`), minus `LimitExceededException` and
/// `TransactionInProgressException`: for CloudFormation and others those are quotas and
/// conflicts, which waiting a moment does not fix.
pub const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// A per-entry or per-call error code that means "slow down" (PutEvents entries carry codes too).
pub fn is_throttling_code(code: &str) -> bool {
    THROTTLING_CODES.contains(&code)
}

/// The one throttling classifier: a service answer with a throttling code, or HTTP 429.
pub fn is_throttling<E: ProvideErrorMetadata, R>(
    err: &aws_smithy_runtime_api::client::result::SdkError<E, R>,
) -> bool
where
    R: std::fmt::Debug,
{
    use aws_smithy_runtime_api::client::result::SdkError as E2;
    match err {
        E2::ServiceError(s) => s.err().code().is_some_and(is_throttling_code),
        _ => false,
    }
}

impl AwsFailure {
    pub fn from_sdk<E>(operation: &str, err: &SdkError<E>) -> Self
    where
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    {
        use aws_smithy_runtime_api::client::result::SdkError as S;
        let status = err.raw_response().map(|r| r.status().as_u16());
        let mut failure = AwsFailure {
            operation: operation.to_string(),
            cause: Cause::Service,
            code: None,
            service_message: None,
            status,
            request_id: err.request_id().map(str::to_string),
            cause_line: None,
        };
        match err {
            S::ServiceError(service) => {
                let e = service.err();
                failure.code = e.code().map(str::to_string);
                failure.service_message = e.message().map(str::to_string);
                if failure.request_id.is_none() {
                    failure.request_id = e.meta().request_id().map(str::to_string);
                }
                let throttled = failure.code.as_deref().is_some_and(is_throttling_code);
                if throttled || status == Some(429) {
                    failure.cause = Cause::Throttling;
                }
            }
            S::TimeoutError(_) => failure.cause = Cause::Timeout,
            S::DispatchFailure(d) => {
                failure.cause = if d.is_timeout() {
                    Cause::Timeout
                } else if d.is_io() {
                    Cause::Dispatch
                } else {
                    // Identity resolution fails inside the dispatch phase: find the
                    // provider's own error type in the chain.
                    match credentials_error(err) {
                        Some(CredentialsError::CredentialsNotLoaded(_)) => Cause::NoCredentials,
                        Some(_) => Cause::Credentials,
                        None => Cause::Dispatch,
                    }
                };
            }
            S::ResponseError(_) => failure.cause = Cause::Response,
            S::ConstructionFailure(_) => {
                failure.cause = match credentials_error(err) {
                    Some(CredentialsError::CredentialsNotLoaded(_)) => Cause::NoCredentials,
                    Some(_) => Cause::Credentials,
                    None => Cause::Construction,
                };
            }
            _ => failure.cause = Cause::Dispatch,
        }
        // A body the SDK could not read may still come with the code in the header the JSON
        // protocols define for it (awsJson1.x / restJson1: `X-Amzn-ErrorType`, e.g.
        // `ValidationException:http://internal.amazon.com/coral/...`); a proxy in between
        // can mangle the body and keep the header.
        if failure.code.is_none() && matches!(failure.cause, Cause::Service | Cause::Response) {
            if let Some(code) = err.raw_response().and_then(error_type_header) {
                if is_throttling_code(&code) || status == Some(429) {
                    failure.cause = Cause::Throttling;
                } else {
                    failure.cause = Cause::Service;
                }
                failure.code = Some(code);
            }
        }
        if failure.code.is_none() {
            failure.cause_line = innermost(err).map(|s| first_line(&s).to_string());
        }
        failure
    }

    /// Whether the one line should say where the call went.
    pub fn names_endpoint(&self) -> bool {
        match self.cause {
            Cause::Timeout | Cause::Dispatch | Cause::Response => true,
            Cause::Service => self.code.is_none(),
            _ => false,
        }
    }

    /// The one line; `endpoint` is where the calls went, when known.
    pub fn message(&self, endpoint: Option<&str>) -> String {
        let op = &self.operation;
        let at = endpoint.unwrap_or("the AWS endpoint");
        let status = self
            .status
            .map(|s| format!("HTTP {s}"))
            .unwrap_or_else(|| "an error".into());
        match (self.cause, &self.code) {
            (Cause::Service | Cause::Throttling, Some(code)) => match &self.service_message {
                Some(msg) if !msg.is_empty() => format!("{op} failed: {code}: {msg}"),
                _ => format!("{op} failed: {code} ({status}, no message)"),
            },
            (Cause::Service | Cause::Throttling, None) => {
                format!("{op} failed: {at} answered {status} without an AWS error in the body")
            }
            (Cause::Timeout, _) => format!("{op} failed: {at} did not answer in time"),
            (Cause::Dispatch, _) => format!("{op} failed: could not reach {at}"),
            (Cause::NoCredentials, _) => format!("{op} failed: no AWS credentials found"),
            (Cause::Credentials, _) => format!(
                "{op} failed: could not load AWS credentials: {}",
                self.cause_line.as_deref().unwrap_or("the provider failed")
            ),
            (Cause::Response, _) => {
                format!("{op} failed: {at} answered {status}, which is not an AWS response")
            }
            (Cause::Construction, _) => format!(
                "{op} failed: could not build the request: {}",
                self.cause_line.as_deref().unwrap_or("unknown reason")
            ),
        }
    }

    pub fn hint(&self) -> Option<&'static str> {
        match self.cause {
            Cause::Throttling => {
                Some("AWS throttled the request (the SDK already retried); wait a moment and run it again")
            }
            Cause::Timeout => Some("check the network, --endpoint-url / AWS_ENDPOINT_URL, and --region"),
            Cause::Dispatch => Some("check --endpoint-url / AWS_ENDPOINT_URL, --region and the network"),
            Cause::NoCredentials => {
                Some("set AWS_PROFILE (or --profile), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
            }
            Cause::Credentials => Some(
                "check the profile in the AWS config files (an SSO profile may need `aws sso login --profile NAME`)",
            ),
            Cause::Response => {
                Some("check that --endpoint-url / AWS_ENDPOINT_URL points at AWS or an emulator of it")
            }
            Cause::Construction => None,
            Cause::Service => match self.code.as_deref() {
                Some(code) => hint_for_code(code),
                None if self.status.is_some_and(|s| s >= 500) => Some(
                    "the service failed on its side; run the command again, and check that --endpoint-url / AWS_ENDPOINT_URL is the one you meant",
                ),
                None => Some("check that --endpoint-url / AWS_ENDPOINT_URL points at AWS or an emulator of it"),
            },
        }
    }

    /// `code X, HTTP 500, request id Y` — what AWS support asks for, shown with `-v`.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if let Some(code) = &self.code {
            parts.push(format!("code {code}"));
        }
        if let Some(status) = self.status {
            parts.push(format!("HTTP {status}"));
        }
        if let Some(id) = &self.request_id {
            parts.push(format!("request id {id}"));
        }
        parts.join(", ")
    }
}

/// The error code in `x-amzn-errortype` (header names are case-insensitive): the part before
/// the first `:`, as the SDK's own JSON error parser reads it.
fn error_type_header(response: &HttpResponse) -> Option<String> {
    let value = response.headers().get("x-amzn-errortype")?;
    let code = value.split(':').next().unwrap_or(value).trim();
    (!code.is_empty()).then(|| code.to_string())
}

fn credentials_error<'a>(err: &'a (dyn StdError + 'static)) -> Option<&'a CredentialsError> {
    let mut next = err.source();
    while let Some(e) = next {
        if let Some(c) = e.downcast_ref::<CredentialsError>() {
            return Some(c);
        }
        next = e.source();
    }
    None
}

fn innermost(err: &(dyn StdError + 'static)) -> Option<String> {
    let mut last = err.source()?;
    while let Some(e) = last.source() {
        last = e;
    }
    Some(last.to_string())
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
        _ => None,
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

impl Error {
    /// Turns an SDK error into one line naming the API operation, with a hint for the
    /// failures every command shares; the full chain goes to `detail` (shown with `-v`).
    pub fn aws<E>(operation: &str, err: SdkError<E>) -> Self
    where
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    {
        let failure = AwsFailure::from_sdk(operation, &err);
        let mut error =
            Error::failed(failure.message(None)).detail(format!("{}", DisplayErrorContext(&err)));
        if let Some(hint) = failure.hint() {
            error = error.hint(hint);
        }
        error.aws = Some(Box::new(failure));
        error
    }
}

#[cfg(test)]
#[path = "aws_tests.rs"]
mod tests;
