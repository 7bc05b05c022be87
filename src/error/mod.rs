//! One error type for the whole tool. Every error knows its exit code and may carry a hint that
//! tells the operator what to try next; an AWS failure also carries what AWS said (code, HTTP
//! status, request id) and why it failed (see [`aws`]).
//!
//! The exit-code rule, also in every command's `--help` ([`crate::cli::EXIT_CODES`]):
//! 0 success (and a stdout its reader closed early), 1 failure at run time — including a
//! confirmation answered "no" and a Ctrl-C —, 2 a usage error wherever it is detected.

use std::fmt;

mod aws;

pub use aws::{is_throttling, is_throttling_code, AwsFailure, Cause, THROTTLING_CODES};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The invocation itself is wrong (bad flag value, ambiguous choice, a confirmation that
    /// cannot be asked): exit 2.
    Usage,
    /// Something failed while running: exit 1.
    Failed,
    /// The operator said no, or pressed Ctrl-C: exit 1, like any run that did not do its job.
    Cancelled,
    /// The reader of stdout went away (`evrelay … | head`): it has what it wanted. Exit 0 and
    /// print nothing, in every command.
    ClosedPipe,
}

#[derive(Debug)]
pub struct Error {
    pub kind: Kind,
    pub message: String,
    pub hint: Option<String>,
    /// The underlying cause, shown only with `-v`.
    pub detail: Option<String>,
    /// What AWS (or the transport) said, when an AWS call failed.
    pub aws: Option<Box<AwsFailure>>,
}

impl Error {
    fn new(kind: Kind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            hint: None,
            detail: None,
            aws: None,
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Kind::Usage, message)
    }

    pub fn failed(message: impl Into<String>) -> Self {
        Self::new(Kind::Failed, message)
    }

    /// A confirmation answered "no" (or interrupted) before anything changed.
    pub fn cancelled() -> Self {
        Self::new(Kind::Cancelled, "cancelled; nothing changed")
    }

    /// A cancellation that has more to say, e.g. "stopped watching; the change goes on".
    pub fn cancelled_with(message: impl Into<String>) -> Self {
        Self::new(Kind::Cancelled, message)
    }

    /// Ctrl-C that no command handled itself.
    pub fn interrupted() -> Self {
        Self::new(Kind::Cancelled, "interrupted (Ctrl-C)")
    }

    pub fn closed_pipe() -> Self {
        Self::new(Kind::ClosedPipe, "stdout was closed")
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
        exit_code(self.kind)
    }

    pub fn is_cancelled(&self) -> bool {
        self.kind == Kind::Cancelled
    }

    /// AWS throttled the call (from the error code or HTTP 429, never from the text).
    pub fn is_throttling(&self) -> bool {
        self.aws
            .as_ref()
            .is_some_and(|a| a.cause == Cause::Throttling)
    }

    /// The AWS error code, e.g. `ValidationError`, when AWS sent one.
    pub fn aws_code(&self) -> Option<&str> {
        self.aws.as_ref().and_then(|a| a.code.as_deref())
    }

    /// Names where the calls went in a message that could only say "the AWS endpoint" when it
    /// was made (the SDK's error does not know the URL). A message a command rewrote is left
    /// as it is.
    pub fn at_endpoint(mut self, endpoint: &str) -> Self {
        if let Some(aws) = &self.aws {
            if aws.names_endpoint() && self.message == aws.message(None) {
                self.message = aws.message(Some(endpoint));
            }
        }
        self
    }
}

/// The whole rule in one place (unit-tested below).
pub fn exit_code(kind: Kind) -> u8 {
    match kind {
        Kind::Usage => 2,
        Kind::Failed | Kind::Cancelled => 1,
        Kind::ClosedPipe => 0,
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        // evrelay writes to no pipe but stdout and stderr: EPIPE means their reader left.
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return Error::closed_pipe();
        }
        Error::failed(format!("I/O error: {e}"))
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        if e.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe) {
            return Error::closed_pipe();
        }
        Error::failed(format!("JSON error: {e}"))
    }
}

/// `.aws_context("DescribeSubnets")?` on any SDK result.
pub trait AwsResultExt<T> {
    fn aws_context(self, operation: &str) -> Result<T>;
}

impl<T, E> AwsResultExt<T> for std::result::Result<T, aws::SdkError<E>>
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata
        + std::error::Error
        + Send
        + Sync
        + 'static,
{
    fn aws_context(self, operation: &str) -> Result<T> {
        self.map_err(|e| Error::aws(operation, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exit_code_rule() {
        assert_eq!(Error::usage("bad").exit_code(), 2);
        assert_eq!(Error::failed("bad").exit_code(), 1);
        // A "no" and a Ctrl-C are the same outcome: the command did not do its job.
        assert_eq!(Error::cancelled().exit_code(), 1);
        assert_eq!(Error::interrupted().exit_code(), 1);
        assert_eq!(Error::cancelled_with("stopped watching").exit_code(), 1);
        assert_eq!(Error::closed_pipe().exit_code(), 0);
    }

    #[test]
    fn a_broken_pipe_is_the_quiet_exit_wherever_it_is_written() {
        let io = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        assert_eq!(Error::from(io).kind, Kind::ClosedPipe);
        let other = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        assert_eq!(Error::from(other).kind, Kind::Failed);
        let json = serde_json::to_writer(BrokenPipe, &[1, 2, 3]).unwrap_err();
        assert_eq!(Error::from(json).kind, Kind::ClosedPipe);
    }

    struct BrokenPipe;

    impl std::io::Write for BrokenPipe {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
}
