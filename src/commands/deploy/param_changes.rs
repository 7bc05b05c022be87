//! The parameter changes a deploy makes, old → new, shown beside the resource changes before
//! the prompt (CloudFormation's change set lists resources, not parameter values). The API key
//! is never shown: a new one reads "changed".

use serde::Serialize;

use crate::printer::Style;
use crate::stack::changeset::ParamValue;

/// NoEcho parameters: their values never leave evrelay.
const SECRET_PARAMETERS: [&str; 1] = ["Secret"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParamChange {
    pub key: String,
    /// None for a parameter the stack does not have yet.
    pub old: Option<String>,
    pub new: String,
}

/// What changes between the stack's current parameters and the ones this deploy sends (a kept
/// previous value is no change).
pub fn parameter_changes(current: &[(String, String)], sent: &[ParamValue]) -> Vec<ParamChange> {
    sent.iter()
        .filter_map(|p| match p {
            ParamValue::UsePrevious(_) => None,
            ParamValue::Value(key, value) => {
                let old = current
                    .iter()
                    .find(|(k, _)| k == key)
                    .map(|(_, v)| v.clone());
                if SECRET_PARAMETERS.contains(&key.as_str()) {
                    // CloudFormation masks the old value too: any value sent is a change.
                    return (!value.is_empty()).then(|| ParamChange {
                        key: key.clone(),
                        new: if old.is_some() { "changed" } else { "set" }.to_string(),
                        old: old.map(|_| "****".to_string()),
                    });
                }
                // A new stack's empty optional parameters are no news.
                if old.is_none() && value.is_empty() {
                    return None;
                }
                (old.as_deref() != Some(value.as_str())).then(|| ParamChange {
                    key: key.clone(),
                    old,
                    new: value.clone(),
                })
            }
        })
        .collect()
}

/// A parameter / old / new table; empty when nothing changes.
pub fn table(changes: &[ParamChange], style: &Style) -> String {
    if changes.is_empty() {
        return String::new();
    }
    let shown = |v: Option<&str>| match v {
        None => "-".to_string(),
        Some("") => "(empty)".to_string(),
        Some(v) => v.to_string(),
    };
    let mut table = style.table(["Parameter", "Old", "New"]);
    for c in changes {
        table.add_row(vec![
            c.key.clone(),
            shown(c.old.as_deref()),
            shown(Some(&c.new)),
        ]);
    }
    format!("{table}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: Style = Style { color: false };

    fn render(changes: &[ParamChange]) -> String {
        crate::printer::at_width(None, || table(changes, &PLAIN))
    }

    /// Each row's cells, one space apart (the column padding follows the values' lengths).
    fn rows(text: &str) -> Vec<String> {
        text.lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect()
    }

    fn v(k: &str, val: &str) -> ParamValue {
        ParamValue::Value(k.into(), val.into())
    }

    #[test]
    fn only_what_differs_and_never_the_key() {
        let current = vec![
            ("TargetUrl".to_string(), "http://old/".to_string()),
            ("ReadTimeoutSeconds".to_string(), "10".to_string()),
            ("Secret".to_string(), "****".to_string()),
        ];
        let sent = vec![
            v("TargetUrl", "http://new/"),
            v("ReadTimeoutSeconds", "10"),
            v("Secret", "s3cr3t-value-123"),
            v("TargetHost", "app.example.com"),
            ParamValue::UsePrevious("SubnetIds".into()),
        ];
        let changes = parameter_changes(&current, &sent);
        assert_eq!(
            changes.iter().map(|c| c.key.as_str()).collect::<Vec<_>>(),
            ["TargetUrl", "Secret", "TargetHost"]
        );
        let text = render(&changes);
        let rows = rows(&text);
        assert_eq!(
            rows,
            [
                "PARAMETER OLD NEW",
                "TargetUrl http://old/ http://new/",
                "Secret **** changed",
                "TargetHost - app.example.com"
            ],
            "{text}"
        );
        assert!(!text.contains("s3cr3t"), "{text}");
        assert!(!serde_json::to_string(&changes).unwrap().contains("s3cr3t"));
    }

    #[test]
    fn a_new_stack_lists_what_it_sets() {
        let changes = parameter_changes(
            &[],
            &[
                v("Secret", "k-123456789"),
                v("TargetHost", ""),
                v("TargetUrl", "http://x/"),
            ],
        );
        let text = render(&changes);
        assert_eq!(
            rows(&text),
            ["PARAMETER OLD NEW", "Secret - set", "TargetUrl - http://x/"]
        );
    }

    #[test]
    fn a_kept_key_and_an_unchanged_stack_show_nothing() {
        let current = vec![("Secret".to_string(), "****".to_string())];
        assert!(
            parameter_changes(&current, &[ParamValue::UsePrevious("Secret".into())]).is_empty()
        );
        assert!(parameter_changes(&current, &[v("Secret", "")]).is_empty());
        assert_eq!(render(&[]), "");
    }
}
