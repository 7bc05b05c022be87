//! The relay function's Lambda state in `evrelay status`: Active/Successful is a word, anything
//! else also says what it means for events (an Inactive function fails its next invocations).

use serde::Serialize;

use crate::aws::lambda::{function_state, FunctionState};
use crate::context::Context;
use crate::printer::Style;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FunctionStatus {
    /// The relay function's name.
    pub function: String,
    /// Pending, Active, Inactive or Failed; None when the function is not there (or unreadable).
    pub function_state: Option<String>,
    /// InProgress, Successful or Failed.
    pub function_last_update: Option<String>,
    /// What the state means for events, when it is not Active with a Successful last update.
    pub function_note: Option<String>,
}

impl FunctionStatus {
    fn missing(function: &str) -> Self {
        FunctionStatus {
            function: function.to_string(),
            ..Default::default()
        }
    }

    fn of(function: &str, s: FunctionState) -> Self {
        let function_note = s.sentence();
        FunctionStatus {
            function: function.to_string(),
            function_state: Some(s.state).filter(|s| !s.is_empty()),
            function_last_update: s.last_update_status,
            function_note,
        }
    }
}

/// A function that is not there (stack still creating it, or gone) is shown as such; any other
/// failure is a warning: the stack's status is the point of `status`.
pub async fn fetch(ctx: &Context) -> FunctionStatus {
    let name = &ctx.names.function;
    match function_state(ctx.lambda(), name).await {
        Ok(s) => FunctionStatus::of(name, s),
        Err(e) if e.aws_code() == Some("ResourceNotFoundException") => {
            FunctionStatus::missing(name)
        }
        Err(e) => {
            ctx.printer.warn(&format!(
                "could not read the relay function's state: {}",
                e.message
            ));
            FunctionStatus::missing(name)
        }
    }
}

/// The "Function" table: name, state, last update, and the note under it when there is one.
pub fn section(f: &FunctionStatus, style: &Style) -> String {
    let mut t = style.table(["Function", "State", "Last update"]);
    let state = match f.function_state.as_deref() {
        None => "not found".to_string(),
        Some("Active") => style.green("Active"),
        Some(s @ ("Pending" | "Inactive")) => style.yellow(s),
        Some(s) => style.red(s),
    };
    t.add_row(vec![
        f.function.clone(),
        state,
        f.function_last_update.clone().unwrap_or_else(|| "-".into()),
    ]);
    let mut out = format!("\n{t}\n");
    if let Some(note) = &f.function_note {
        out.push_str(&format!("  {note}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain() -> Style {
        Style { color: false }
    }

    #[test]
    fn an_inactive_function_says_its_next_invocation_recreates_its_network_interfaces() {
        let f = FunctionStatus::of(
            "prod-relay",
            FunctionState {
                state: "Inactive".into(),
                state_reason: Some("The function is inactive.".into()),
                last_update_status: Some("Successful".into()),
                last_update_reason: None,
            },
        );
        assert_eq!(f.function_state.as_deref(), Some("Inactive"));
        let text = section(&f, &plain());
        assert!(text.contains("prod-relay"), "{text}");
        assert!(text.contains("Inactive"), "{text}");
        assert!(text.contains("Successful"), "{text}");
        assert!(
            text.contains(
                "Inactive: idle for weeks; the next invocation re-creates its network interfaces"
            ),
            "{text}"
        );
    }

    #[test]
    fn an_active_function_is_one_row_without_a_note() {
        let f = FunctionStatus::of(
            "prod-relay",
            FunctionState {
                state: "Active".into(),
                last_update_status: Some("Successful".into()),
                ..Default::default()
            },
        );
        assert_eq!(f.function_note, None);
        let text = section(&f, &plain());
        assert!(text.contains("Active"), "{text}");
        assert!(!text.contains("idle"), "{text}");
    }

    #[test]
    fn a_missing_function_is_not_found_not_an_error() {
        let text = section(&FunctionStatus::missing("prod-relay"), &plain());
        assert!(text.contains("not found"), "{text}");
    }
}
