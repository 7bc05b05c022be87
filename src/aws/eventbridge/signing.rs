//! How long the SDK took to sign each PutEvents request, and with which algorithm. Through a
//! global endpoint the SDK signs with SigV4a (an ECDSA P-256 signature over a key it derives
//! from the secret key on every request), elsewhere with SigV4 (HMAC-SHA256): the difference is
//! what `send --global` prints. The SDK does not report it, but its orchestrator signs between
//! two interceptor hooks (identity already resolved, nothing else in between), so the time
//! between them is the signing alone; the algorithm is read from the signed request's
//! Authorization header, so it is what was sent, not what was expected.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// One request's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// `SigV4` or `SigV4a` (or the Authorization header's scheme when it is neither).
    pub algorithm: String,
    pub took: Duration,
}

/// The scheme an Authorization header names, as operators call it.
pub fn algorithm_of(authorization: &str) -> String {
    match authorization.split_whitespace().next().unwrap_or_default() {
        "AWS4-HMAC-SHA256" => "SigV4".into(),
        "AWS4-ECDSA-P256-SHA256" => "SigV4a".into(),
        other => other.into(),
    }
}

#[derive(Debug, Default)]
struct Timing {
    started: Option<Instant>,
    signed: Option<Signature>,
}

/// An interceptor for one request (retries are evrelay's, so one signature per request).
#[derive(Debug, Clone, Default)]
pub struct SigningTimer(Arc<Mutex<Timing>>);

impl SigningTimer {
    /// The signature, once the request was signed.
    pub fn signature(&self) -> Option<Signature> {
        self.lock().signed.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Timing> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Intercept for SigningTimer {
    fn name(&self) -> &'static str {
        "SigningTimer"
    }

    fn read_before_signing(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.lock().started = Some(Instant::now());
        Ok(())
    }

    fn read_after_signing(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let mut timing = self.lock();
        if let Some(started) = timing.started {
            let header = context
                .request()
                .headers()
                .get("authorization")
                .unwrap_or_default();
            timing.signed = Some(Signature {
                algorithm: algorithm_of(header),
                took: started.elapsed(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_algorithm_is_named_from_the_authorization_header() {
        assert_eq!(
            algorithm_of("AWS4-ECDSA-P256-SHA256 Credential=AKID/20260101/events/aws4_request, …"),
            "SigV4a"
        );
        assert_eq!(
            algorithm_of("AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/events/aws4_request"),
            "SigV4"
        );
        assert_eq!(algorithm_of(""), "");
    }
}
