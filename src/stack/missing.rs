//! A stack that does not exist: the one error every command gives for it, with a
//! "did you mean --stack NAME?" when the config file or the region knows a close name.

use crate::context::Context;
use crate::error::Error;
use crate::model::suggest::did_you_mean;
use crate::names::TAG_MANAGED;

/// The names the operator may have meant: the config file's default and remembered stacks,
/// and the region's stacks evrelay created. Best effort: a region that cannot be listed only
/// loses its share of the candidates, never the not-found error itself.
pub async fn known_stacks(ctx: &Context) -> Vec<String> {
    let file = &ctx.config.file;
    let mut names: Vec<String> = file.stack.iter().cloned().collect();
    names.extend(file.stacks.keys().cloned());
    if let Ok(stacks) = super::list_stacks(ctx.cloudformation()).await {
        names.extend(
            stacks
                .into_iter()
                .filter(|s| s.tags.iter().any(|(k, v)| k == TAG_MANAGED && v == "true"))
                .map(|s| s.name),
        );
    }
    names.sort();
    names.dedup();
    names
}

/// The hint for a stack that is not there: the close name if there is one, else how to name
/// the right stack.
pub async fn hint(ctx: &Context) -> String {
    match did_you_mean(&ctx.names.stack, &known_stacks(ctx).await) {
        Some(name) => format!("did you mean --stack {name}?"),
        None => "run `evrelay deploy` first, or pass --stack with the relay's stack name".into(),
    }
}

/// "stack `x` not found in REGION" (exit 1), with [`hint`].
pub async fn not_found(ctx: &Context) -> Error {
    Error::failed(format!(
        "stack `{}` not found in {}",
        ctx.names.stack,
        ctx.region()
    ))
    .hint(hint(ctx).await)
}

/// For a command that found out through another resource (the bus, a queue): when the stack is
/// indeed missing, the hint says so and names the close name; otherwise `e` as it was.
pub async fn explain(ctx: &Context, e: Error) -> Error {
    match super::describe_stack(ctx.cloudformation(), &ctx.names.stack).await {
        Ok(None) => {
            let hint = hint(ctx).await;
            e.hint(format!(
                "stack `{}` does not exist in {} either: {hint}",
                ctx.names.stack,
                ctx.region()
            ))
        }
        _ => e,
    }
}
