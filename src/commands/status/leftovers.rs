//! What evrelay made for a stack name and left behind: shown beside a live stack (groups no
//! endpoint uses, other review stacks) and, on their own, when the stack is gone — with the one
//! command that removes them, so nothing evrelay made is ever invisible.

use serde::Serialize;

use crate::aws::leftovers::Leftovers;
use crate::printer::{Report, Style};

/// The command that removes what [`Leftovers`] lists (destroy deletes every kind of it).
pub fn remove_with(stack: &str) -> String {
    format!("evrelay destroy --stack {stack}")
}

/// `status` of a stack that is gone while something evrelay made for it is not.
#[derive(Debug, Clone, Serialize)]
pub struct LeftoversReport {
    pub stack: String,
    pub account: String,
    pub region: String,
    /// Always `not found`: the stack itself does not exist.
    pub status: String,
    pub leftovers: Leftovers,
    pub remove_with: String,
}

impl Report for LeftoversReport {
    fn render(&self, style: &Style) -> String {
        let mut out = format!(
            "Stack {} in account {}, {}: {}\n",
            style.bold(&self.stack),
            self.account,
            self.region,
            style.red("not found")
        );
        out.push_str(&section(&self.leftovers, &self.stack, style));
        out
    }
}

/// The leftovers as tables, then the command that removes them; empty when there are none.
pub fn section(left: &Leftovers, stack: &str, style: &Style) -> String {
    if left.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "\nLeft over from stack {stack} (evrelay made these for the name; no stack holds them):\n"
    );
    if !left.endpoints.is_empty() {
        let mut t = style.table(["Endpoint", "Service", "State", "Security groups"]);
        for e in &left.endpoints {
            t.add_row(vec![
                e.id.clone(),
                e.service.clone(),
                e.state.clone(),
                e.security_groups.join(", "),
            ]);
        }
        out.push_str(&format!("{t}\n"));
    }
    if !left.security_groups.is_empty() {
        let mut t = style.table(["Security group", "Made for"]);
        for g in &left.security_groups {
            t.add_row(vec![g.clone(), format!("{stack}'s VPC endpoints")]);
        }
        out.push_str(&format!("{t}\n"));
    }
    if !left.review_stacks.is_empty() {
        let mut t = style.table(["Stack under review", "Created"]);
        for s in &left.review_stacks {
            t.add_row(vec![
                s.id.clone(),
                s.created.clone().unwrap_or_else(|| "-".into()),
            ]);
        }
        out.push_str(&format!("{t}\n"));
    }
    out.push_str(&format!("Remove them with `{}`.\n", remove_with(stack)));
    out
}
