//! Which half of a relay pair a stack is in this Region, read from AWS: the global endpoint
//! named after the stack (as `status` and `send --global` find a pair), or evrelay's archive
//! stack of the pair's secondary. A deploy that would change one relay of a pair alone is
//! turned into the pair's deploy or refused.

use crate::aws::global_endpoint;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::names::GlobalNames;
use crate::stack::describe_stack;
use crate::stack::ownership::{self, StackOwner};

/// Which half of a relay pair the stack is in this Region.
#[derive(Debug, PartialEq, Eq)]
pub enum PairHalf {
    /// The global endpoint named after the stack is here; the pair's other Region.
    Primary { secondary: String },
    /// The pair's archive stack is here; the primary, when the config file remembers it.
    Secondary { primary: Option<String> },
}

/// The stack as a pair sees it here: the endpoint named after it (as `status` and `send
/// --global` find a pair), or evrelay's archive stack of the pair's secondary.
pub async fn half(ctx: &Context) -> Result<Option<PairHalf>> {
    if let Some(secondary) = secondary_of_primary(ctx).await? {
        return Ok(Some(PairHalf::Primary { secondary }));
    }
    secondary_half(ctx).await
}

/// The pair's secondary Region, when the global endpoint named after the stack is here.
pub async fn secondary_of_primary(ctx: &Context) -> Result<Option<String>> {
    let endpoint = global_endpoint::describe(ctx.events(), &ctx.names.stack).await?;
    Ok(endpoint.map(|e| e.secondary_region))
}

/// `Secondary` when evrelay's archive stack of the pair is here.
pub async fn secondary_half(ctx: &Context) -> Result<Option<PairHalf>> {
    let stack = &ctx.names.stack;
    let cfn = ctx.cloudformation();
    let archive = GlobalNames::new(stack).archive_stack;
    let Some(info) = describe_stack(cfn, &archive).await? else {
        return Ok(None);
    };
    if ownership::owner_of(cfn, &info).await? != StackOwner::Evrelay {
        return Ok(None);
    }
    let here = ctx.region();
    let primary = ctx.config.file.primary_of(stack, here);
    Ok(Some(PairHalf::Secondary { primary }))
}

/// A deploy in the pair's secondary Region: its relay is deployed with the primary's, from the
/// primary Region, or the two relays drift apart.
pub fn refuse_secondary(stack: &str, region: &str, primary: Option<&str>) -> Error {
    let command = match primary {
        Some(p) => format!("`evrelay --region {p} --stack {stack} deploy`"),
        None => format!(
            "`evrelay --region PRIMARY --stack {stack} deploy` (PRIMARY: the Region that holds global endpoint `{stack}`)"
        ),
    };
    Error::failed(format!(
        "stack `{stack}` in {region} is the secondary of relay pair `{stack}`: a deploy here would change this Region's relay only; nothing changed"
    ))
    .hint(format!("{command} deploys both relays under one question"))
}

/// What a deploy run without --secondary-region in the pair's primary does: the pair's deploy.
pub fn adopting_note(stack: &str, region: &str, secondary: &str) -> String {
    format!(
        "Stack {stack} in {region} is the primary of relay pair {stack} (its global endpoint fails over to {secondary}): deploying both Regions' relays, as --secondary-region {secondary} does."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deploy_of_the_secondary_alone_is_refused_naming_the_primary_s_deploy() {
        let e = refuse_secondary("orders", "us-west-2", Some("us-east-1"));
        assert_eq!(e.exit_code(), 1);
        assert!(e
            .message
            .contains("in us-west-2 is the secondary of relay pair `orders`"));
        assert_eq!(
            e.hint.as_deref(),
            Some("`evrelay --region us-east-1 --stack orders deploy` deploys both relays under one question")
        );
        let e = refuse_secondary("orders", "us-west-2", None);
        assert!(e.hint.as_deref().unwrap().contains("--region PRIMARY"));
    }
}
