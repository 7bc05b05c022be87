//! `--skip-check NAME`: the reachability checks an operator may vouch for when the path exists
//! in a way evrelay cannot verify (a prefix list it may not read, a firewall appliance, a peer
//! group in another account). Only these; every other preflight rule always holds. A skipped
//! check is still run, and what it would have said is printed with the plan.

use std::cell::RefCell;

use crate::error::{Error, Result};

/// Every name `--skip-check` takes, with what the check verifies.
pub const CHECKS: [(&str, &str); 5] = [
    (
        "target-egress",
        "the relay's security groups let it out to --url's address and port",
    ),
    (
        "load-balancer-reach",
        "the relay's groups and the load balancer's let the relay reach its listener",
    ),
    (
        "service-reach",
        "the relay's groups and the instances' of --url's Cloud Map service or private-zone name let the relay reach them",
    ),
    (
        "endpoint-reach",
        "the relay's groups and the endpoints' let it reach Secrets Manager / EventBridge on TCP 443",
    ),
    (
        "eventbridge-egress",
        "the relay's groups let it out on TCP 443 to EventBridge through the subnets' NAT route",
    ),
];

/// clap's value parser: a known name, or the list of names (a usage error, exit 2).
pub fn parse_skip_check(s: &str) -> std::result::Result<String, String> {
    if CHECKS.iter().any(|(name, _)| *name == s) {
        return Ok(s.to_string());
    }
    let names: Vec<&str> = CHECKS.iter().map(|(n, _)| *n).collect();
    Err(format!(
        "no check named `{s}`; the checks that can be skipped: {}",
        names.join(", ")
    ))
}

/// A check the operator skipped, and what it would have refused (`None`: it passed anyway).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SkippedCheck {
    pub name: String,
    pub would_fail: Option<String>,
}

impl SkippedCheck {
    /// The line printed with the plan.
    pub fn line(&self) -> String {
        match &self.would_fail {
            Some(why) => format!(
                "check `{}` skipped (--skip-check {}): {why}",
                self.name, self.name
            ),
            None => format!(
                "--skip-check {}: the check passes, the flag is not needed",
                self.name
            ),
        }
    }
}

/// The skips asked for, and the failures they turned into notes.
pub struct Skips<'a> {
    names: &'a [String],
    skipped: RefCell<Vec<SkippedCheck>>,
}

impl<'a> Skips<'a> {
    pub fn new(names: &'a [String]) -> Self {
        Self {
            names,
            skipped: RefCell::new(Vec::new()),
        }
    }

    /// A failure of check `name` passes when the operator skipped it (and is remembered);
    /// otherwise it stays an error whose hint names the way past it.
    pub fn check(&self, name: &'static str, result: Result<()>) -> Result<()> {
        let Err(e) = result else {
            return Ok(());
        };
        if self.names.iter().any(|n| n == name) {
            self.skipped.borrow_mut().push(SkippedCheck {
                name: name.into(),
                would_fail: Some(e.message),
            });
            return Ok(());
        }
        let hint = e.hint.clone().unwrap_or_default();
        let hint = format!(
            "{hint}{}or, if the path exists in a way evrelay cannot verify, pass --skip-check {name}",
            if hint.is_empty() { "" } else { "; " }
        );
        Err(Error {
            hint: Some(hint),
            ..e
        })
    }

    /// Every skip asked for, in the order given.
    pub fn into_skipped(self) -> Vec<SkippedCheck> {
        let failed = self.skipped.into_inner();
        let mut out: Vec<SkippedCheck> = Vec::new();
        for name in self.names {
            if out.iter().any(|s| &s.name == name) {
                continue;
            }
            match failed.iter().find(|s| &s.name == name) {
                Some(s) => out.push(s.clone()),
                None => out.push(SkippedCheck {
                    name: name.clone(),
                    would_fail: None,
                }),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_name_lists_the_names() {
        assert_eq!(parse_skip_check("target-egress").unwrap(), "target-egress");
        let e = parse_skip_check("sg").unwrap_err();
        assert!(e.contains("`sg`"), "{e}");
        for (name, _) in CHECKS {
            assert!(e.contains(name), "{e}");
        }
    }

    #[test]
    fn a_skipped_failure_becomes_a_note_and_another_keeps_its_way_out() {
        let names = vec!["endpoint-reach".to_string(), "target-egress".to_string()];
        let skips = Skips::new(&names);
        assert!(skips
            .check("endpoint-reach", Err(Error::failed("no 443 out")))
            .is_ok());
        let e = skips
            .check(
                "eventbridge-egress",
                Err(Error::failed("no 443 out").hint("add a rule")),
            )
            .unwrap_err();
        assert_eq!(
            e.hint.unwrap(),
            "add a rule; or, if the path exists in a way evrelay cannot verify, pass --skip-check eventbridge-egress"
        );
        let skipped = skips.into_skipped();
        assert_eq!(skipped[0].would_fail.as_deref(), Some("no 443 out"));
        assert!(skipped[0]
            .line()
            .starts_with("check `endpoint-reach` skipped"));
        assert_eq!(skipped[1].would_fail, None);
        assert!(skipped[1].line().contains("not needed"));
    }
}
