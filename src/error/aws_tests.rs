//! The classifier fed the SDK's own error variants, built as the SDK builds them.

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksError;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::{ConnectorError, SdkError as Sdk};
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::error::ErrorMetadata;

use super::*;
use crate::error::Kind;

fn raw(status: u16) -> HttpResponse {
    let mut r = HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::from(""));
    r.headers_mut().insert("x-amzn-requestid", "req-1234");
    r
}

fn service(
    code: Option<&str>,
    message: Option<&str>,
    status: u16,
) -> SdkError<DescribeStacksError> {
    let mut meta = ErrorMetadata::builder();
    if let Some(c) = code {
        meta = meta.code(c);
    }
    if let Some(m) = message {
        meta = meta.message(m);
    }
    Sdk::service_error(DescribeStacksError::generic(meta.build()), raw(status))
}

#[test]
fn a_service_error_keeps_code_status_and_request_id() {
    let e = Error::aws(
        "DescribeStacks",
        service(Some("ValidationError"), Some("bad name"), 400),
    );
    assert_eq!(
        e.message,
        "DescribeStacks failed: ValidationError: bad name"
    );
    assert_eq!(e.kind, Kind::Failed);
    let aws = e.aws.as_ref().unwrap();
    assert_eq!(aws.cause, Cause::Service);
    assert_eq!(aws.status, Some(400));
    assert_eq!(aws.request_id.as_deref(), Some("req-1234"));
    assert_eq!(e.aws_code(), Some("ValidationError"));
    assert_eq!(
        aws.summary(),
        "code ValidationError, HTTP 400, request id req-1234"
    );
    assert!(!e.is_throttling());
}

#[test]
fn throttling_comes_from_the_code_or_a_429_not_the_text() {
    let e = Error::aws(
        "DescribeStacks",
        service(Some("Throttling"), Some("Rate exceeded"), 400),
    );
    assert!(e.is_throttling());
    assert!(e.hint.as_deref().unwrap().contains("throttled"));
    assert!(is_throttling(&service(
        Some("RequestLimitExceeded"),
        None,
        503
    )));
    let e = Error::aws("PutEvents", service(None, None, 429));
    assert!(e.is_throttling());
    // The word alone is not a throttle.
    let e = Error::aws(
        "DescribeStacks",
        service(Some("ValidationError"), Some("Throttling is off"), 400),
    );
    assert!(!e.is_throttling());
    // A quota is not a throttle: waiting does not fix it.
    assert!(!is_throttling_code("LimitExceededException"));
}

#[test]
fn an_answer_without_an_aws_error_names_the_status_and_the_endpoint() {
    let e = Error::aws("PutEvents", service(None, None, 500));
    assert_eq!(
        e.message,
        "PutEvents failed: the AWS endpoint answered HTTP 500 without an AWS error in the body"
    );
    assert!(e.hint.as_deref().unwrap().contains("failed on its side"));
    let e = e.at_endpoint("http://127.0.0.1:5000");
    assert_eq!(
        e.message,
        "PutEvents failed: http://127.0.0.1:5000 answered HTTP 500 without an AWS error in the body"
    );
    // A message with its own code needs no endpoint.
    let e = Error::aws("PutEvents", service(Some("InternalFailure"), None, 500)).at_endpoint("x");
    assert_eq!(
        e.message,
        "PutEvents failed: InternalFailure (HTTP 500, no message)"
    );
}

#[test]
fn an_unreadable_body_with_an_error_type_header_takes_the_code_from_the_header() {
    for name in ["x-amzn-errortype", "X-Amzn-ErrorType"] {
        let mut r = raw(400);
        r.headers_mut().insert(
            name,
            "ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.logs/",
        );
        let e: SdkError<DescribeStacksError> = Sdk::service_error(
            DescribeStacksError::generic(ErrorMetadata::builder().build()),
            r,
        );
        let e = Error::aws("DescribeLogGroups", e).at_endpoint("http://127.0.0.1:5000");
        assert_eq!(
            e.message,
            "DescribeLogGroups failed: ResourceNotFoundException (HTTP 400, no message)"
        );
        assert_eq!(e.aws_code(), Some("ResourceNotFoundException"));
    }
    // A throttling code in the header is throttling, whatever the body said.
    let mut r = raw(400);
    r.headers_mut()
        .insert("x-amzn-errortype", "ThrottlingException");
    let e: SdkError<DescribeStacksError> = Sdk::response_error("not json", r);
    assert!(Error::aws("PutEvents", e).is_throttling());
}

#[test]
fn transport_failures_are_classified_from_the_variants() {
    let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
    let e: SdkError<DescribeStacksError> =
        Sdk::dispatch_failure(ConnectorError::io(Box::new(refused)));
    let e = Error::aws("DescribeVpcs", e).at_endpoint("http://127.0.0.1:9");
    assert_eq!(
        e.message,
        "DescribeVpcs failed: could not reach http://127.0.0.1:9"
    );
    assert!(e.hint.as_deref().unwrap().contains("--endpoint-url"));
    assert_eq!(e.exit_code(), 1);

    let e: SdkError<DescribeStacksError> = Sdk::timeout_error("operation timeout (all attempts)");
    let e = Error::aws("DescribeStacks", e);
    assert_eq!(e.aws.as_ref().unwrap().cause, Cause::Timeout);
    assert!(
        e.message.ends_with("did not answer in time"),
        "{}",
        e.message
    );

    let e: SdkError<DescribeStacksError> =
        Sdk::dispatch_failure(ConnectorError::timeout("connect timed out".into()));
    assert_eq!(Error::aws("X", e).aws.unwrap().cause, Cause::Timeout);

    let e: SdkError<DescribeStacksError> = Sdk::response_error("not xml", raw(200));
    let e = Error::aws("DescribeStacks", e);
    assert_eq!(e.aws.as_ref().unwrap().cause, Cause::Response);
    assert!(
        e.message.contains("HTTP 200, which is not an AWS response"),
        "{}",
        e.message
    );
}

#[test]
fn missing_credentials_are_found_by_type() {
    let not_loaded = CredentialsError::not_loaded("no providers in chain provided credentials");
    let e: SdkError<DescribeStacksError> =
        Sdk::dispatch_failure(ConnectorError::other(Box::new(not_loaded), None));
    let e = Error::aws("DescribeStacks", e);
    assert_eq!(e.message, "DescribeStacks failed: no AWS credentials found");
    assert!(e.hint.as_deref().unwrap().contains("AWS_PROFILE"));

    let broken = CredentialsError::provider_error("the SSO session has expired");
    let e: SdkError<DescribeStacksError> =
        Sdk::dispatch_failure(ConnectorError::other(Box::new(broken), None));
    let e = Error::aws("DescribeStacks", e);
    assert_eq!(e.aws.as_ref().unwrap().cause, Cause::Credentials);
    assert!(e.hint.as_deref().unwrap().contains("aws sso login"));

    // Other "other" dispatch failures are not credentials, whatever their words.
    let e: SdkError<DescribeStacksError> =
        Sdk::dispatch_failure(ConnectorError::other("credentials everywhere".into(), None));
    assert_eq!(Error::aws("X", e).aws.unwrap().cause, Cause::Dispatch);
}

#[test]
fn a_rewritten_message_keeps_its_words() {
    let mut e = Error::aws("PutEvents", service(None, None, 502));
    e.message = "sending failed".into();
    assert_eq!(e.at_endpoint("http://x").message, "sending failed");
}
