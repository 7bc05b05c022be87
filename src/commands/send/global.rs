//! `send --global` / `--endpoint-id`: PutEvents through an EventBridge global endpoint. The
//! endpoint is looked up first (DescribeEndpoint by the stack's name, in this Region: the
//! pair's primary) because on AWS an unknown EndpointId is a host name that does not resolve,
//! which would read as a network failure; with `--endpoint-id` the id is only checked for its
//! form, and the stack's endpoint, when it is that one, names the Regions to wait in.

use serde::Serialize;

use crate::aws::global_endpoint::{self, GlobalEndpoint};
use crate::context::Context;
use crate::error::{Error, Result};

/// The endpoint the events went through, as the report names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(super) struct EndpointUsed {
    /// The endpoint's name (the stack's), when known.
    pub name: Option<String>,
    pub id: String,
    /// Where the endpoint lives (the pair's primary).
    pub primary_region: String,
    /// The failover Region; unknown for an `--endpoint-id` that is not the stack's endpoint.
    pub secondary_region: Option<String>,
}

/// `EndpointId` as the EventBridge API model constrains it (API_PutEvents.html: 1–50
/// characters, `^[A-Za-z0-9\-]+[\.][A-Za-z0-9\-]+$`), e.g. `abcde12345.veo`.
pub fn parse_endpoint_id(s: &str) -> std::result::Result<String, String> {
    let label = |part: &str| {
        !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    let well_formed = s.split_once('.').is_some_and(|(a, b)| label(a) && label(b));
    if !well_formed || s.len() > 50 {
        return Err(format!(
            "`{s}` is not an endpoint id: two parts of letters, digits and hyphens joined by one dot, at most 50 characters, e.g. abcde12345.veo (`aws events describe-endpoint --name NAME` shows it as EndpointId)"
        ));
    }
    Ok(s.to_string())
}

/// The stack's endpoint, ready to send through: it exists here and is ACTIVE.
pub(super) fn require_active(
    found: Option<GlobalEndpoint>,
    stack: &str,
    region: &str,
) -> Result<GlobalEndpoint> {
    let Some(endpoint) = found else {
        return Err(
            Error::failed(format!("no global endpoint `{stack}` in {region}")).hint(format!(
                "a relay pair has one: `evrelay deploy --secondary-region R` makes it (run in the primary Region, {region} here, or pass --region)"
            )),
        );
    };
    if endpoint.state != "ACTIVE" {
        let reason = match endpoint.state_reason.as_str() {
            "" => String::new(),
            r => format!(": {r}"),
        };
        let hint = match endpoint.state.as_str() {
            "CREATING" | "UPDATING" => "wait until it is ACTIVE (`evrelay status` shows its state), then send again",
            _ => "`evrelay status` shows the endpoint; `evrelay deploy --secondary-region R` again repairs the pair",
        };
        return Err(Error::failed(format!(
            "global endpoint `{stack}` in {region} is {}{reason}; nothing sent",
            endpoint.state
        ))
        .hint(hint));
    }
    Ok(endpoint)
}

fn used(e: &GlobalEndpoint) -> EndpointUsed {
    EndpointUsed {
        name: Some(e.name.clone()),
        id: e.id.clone(),
        primary_region: e.primary_region.clone(),
        secondary_region: (!e.secondary_region.is_empty()).then(|| e.secondary_region.clone()),
    }
}

/// The endpoint to send through, or `None` for the Region's own EventBridge.
pub(super) async fn resolve(
    ctx: &Context,
    global: bool,
    endpoint_id: Option<&str>,
) -> Result<Option<EndpointUsed>> {
    if !global && endpoint_id.is_none() {
        return Ok(None);
    }
    let stack = &ctx.names.stack;
    let found = global_endpoint::describe(ctx.events(), stack).await;
    match endpoint_id {
        None => Ok(Some(used(&require_active(found?, stack, ctx.region())?))),
        // The id as given; the stack's endpoint only tells where its responses come back.
        Some(id) => Ok(Some(match found.ok().flatten().filter(|e| e.id == id) {
            Some(e) => used(&e),
            None => EndpointUsed {
                name: None,
                id: id.to_string(),
                primary_region: ctx.region().to_string(),
                secondary_region: None,
            },
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(state: &str, reason: &str) -> GlobalEndpoint {
        GlobalEndpoint {
            name: "orders".into(),
            id: "abcde12345.veo".into(),
            state: state.into(),
            state_reason: reason.into(),
            primary_region: "us-east-1".into(),
            secondary_region: "us-west-2".into(),
            ..Default::default()
        }
    }

    #[test]
    fn endpoint_ids_have_the_api_s_form() {
        assert_eq!(
            parse_endpoint_id("abcde12345.veo").unwrap(),
            "abcde12345.veo"
        );
        assert!(parse_endpoint_id("a-b.c-d").is_ok());
        for bad in [
            "",
            "abc",
            ".veo",
            "abc.",
            "a.b.c",
            "abc_1.veo",
            "badactor.com?foo=bar",
            &format!("{}.veo", "a".repeat(47)),
        ] {
            let e = parse_endpoint_id(bad).unwrap_err();
            assert!(
                e.starts_with(&format!("`{bad}` is not an endpoint id")),
                "{e}"
            );
        }
        assert!(parse_endpoint_id(&format!("{}.veo", "a".repeat(46))).is_ok());
    }

    #[test]
    fn only_an_active_endpoint_is_sent_through() {
        let e = require_active(None, "orders", "us-east-1").unwrap_err();
        assert_eq!(e.message, "no global endpoint `orders` in us-east-1");
        assert!(e
            .hint
            .as_deref()
            .unwrap()
            .contains("evrelay deploy --secondary-region R"));
        assert_eq!(e.exit_code(), 1);
        let e = require_active(Some(endpoint("CREATING", "")), "orders", "us-east-1").unwrap_err();
        assert_eq!(
            e.message,
            "global endpoint `orders` in us-east-1 is CREATING; nothing sent"
        );
        let e = require_active(
            Some(endpoint("UPDATE_FAILED", "bus not found")),
            "orders",
            "us-east-1",
        )
        .unwrap_err();
        assert!(e
            .message
            .ends_with("is UPDATE_FAILED: bus not found; nothing sent"));
        let ok = require_active(Some(endpoint("ACTIVE", "")), "orders", "us-east-1").unwrap();
        assert_eq!(used(&ok).secondary_region.as_deref(), Some("us-west-2"));
    }
}
