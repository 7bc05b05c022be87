//! The template's dependency graph as CloudFormation builds it: resource A depends on B when
//! A's block names B in `DependsOn`, `!Ref B`, `!GetAtt B.…` or `${B}` / `${B.…}` inside a
//! `!Sub`. CloudFormation creates B before A and deletes A before B, so these edges are what
//! keeps a rule from going live before its targets may receive, and a secret or a log group
//! from going before the function that uses them.

use std::collections::{BTreeMap, BTreeSet};

/// Each resource's type and block text, in template order.
pub fn resource_blocks(template: &str) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = Vec::new();
    let mut inside = false;
    for line in template.lines() {
        if !line.starts_with(' ') && !line.trim().is_empty() && !line.starts_with('#') {
            inside = line.trim_end() == "Resources:";
            continue;
        }
        if !inside || line.trim_start().starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix("  ") {
            if !rest.starts_with(' ') && !rest.trim().is_empty() {
                if let Some((id, _)) = rest.split_once(':') {
                    out.push((id.trim().to_string(), String::new(), String::new()));
                    continue;
                }
            }
        }
        if let Some((_, kind, block)) = out.last_mut() {
            if let Some(t) = line.trim().strip_prefix("Type:") {
                if line.starts_with("    ") && !line.starts_with("     ") {
                    *kind = t.trim().to_string();
                }
            }
            block.push_str(line);
            block.push('\n');
        }
    }
    out
}

/// Resource id → the resources it depends on directly.
pub fn dependencies(template: &str) -> BTreeMap<String, BTreeSet<String>> {
    let blocks = resource_blocks(template);
    let ids: BTreeSet<String> = blocks.iter().map(|(id, _, _)| id.clone()).collect();
    let mut graph = BTreeMap::new();
    for (id, _, block) in &blocks {
        let mut deps = BTreeSet::new();
        for word in words(block) {
            if ids.contains(&word) && word != *id {
                deps.insert(word);
            }
        }
        graph.insert(id.clone(), deps);
    }
    graph
}

/// The candidate resource names in a block: after `!Ref `, `!GetAtt `, inside `${…}`, and the
/// items of `DependsOn`.
fn words(block: &str) -> Vec<String> {
    let mut out = Vec::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
    };
    for line in block.lines() {
        let t = line.trim();
        for marker in ["!Ref ", "!GetAtt "] {
            let mut rest = t;
            while let Some(at) = rest.find(marker) {
                rest = &rest[at + marker.len()..];
                out.push(ident(rest));
            }
        }
        let mut rest = t;
        while let Some(at) = rest.find("${") {
            rest = &rest[at + 2..];
            out.push(ident(rest));
        }
        if let Some(v) = t.strip_prefix("DependsOn:") {
            out.extend(
                v.trim()
                    .trim_matches(['[', ']'])
                    .split(',')
                    .map(|s| s.trim().to_string()),
            );
        }
    }
    out
}

/// Everything `id` depends on, directly or not.
pub fn transitive(graph: &BTreeMap<String, BTreeSet<String>>, id: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo: Vec<String> = graph.get(id).into_iter().flatten().cloned().collect();
    while let Some(next) = todo.pop() {
        if seen.insert(next.clone()) {
            todo.extend(graph.get(&next).into_iter().flatten().cloned());
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::render;

    fn after(graph: &BTreeMap<String, BTreeSet<String>>, a: &str, b: &str) -> bool {
        transitive(graph, a).contains(b)
    }

    #[test]
    fn the_graph_reads_every_kind_of_reference() {
        let t = "Resources:\n  A:\n    Type: X\n    DependsOn: [B, C]\n  B:\n    Type: Y\n    Properties:\n      V: !Sub ${D.Arn}/x\n  C:\n    Type: Y\n    DependsOn: D\n    Properties:\n      V: !GetAtt D.Arn\n  D:\n    Type: Z\n    Properties:\n      V: !Ref AWS::Region\n";
        let g = dependencies(t);
        assert_eq!(g["A"], ["B", "C"].map(String::from).into());
        assert_eq!(g["B"], ["D"].map(String::from).into());
        assert_eq!(g["C"], ["D"].map(String::from).into());
        assert!(g["D"].is_empty());
        assert!(after(&g, "A", "D"));
    }

    #[test]
    fn the_rendered_template_orders_what_cloudformation_must_order() {
        let g = dependencies(&render());
        // The function after its secret, log group and role.
        for dep in ["ApiKeySecret", "RelayLogGroup", "RelayRole"] {
            assert!(after(&g, "Function", dep), "Function before {dep}");
        }
        // The invoke config's destination (and the config itself) before the inbound rule.
        assert!(after(&g, "InvokeConfig", "Dlq"));
        assert!(after(&g, "InboundRule", "InvokeConfig"));
        for (rule, deps) in [
            (
                "InboundRule",
                &[
                    "InvokePermission",
                    "DlqPolicy",
                    "EventsLogGroup",
                    "Function",
                    "Dlq",
                    "Bus",
                ][..],
            ),
            (
                "OutboundRule",
                &[
                    "ResponsesQueuePolicy",
                    "EventsLogGroup",
                    "ResponsesQueue",
                    "Bus",
                ][..],
            ),
        ] {
            for dep in deps {
                assert!(after(&g, rule, dep), "{rule} before {dep}");
            }
        }
    }

    #[test]
    fn every_rule_goes_live_after_the_permissions_and_policies_naming_it() {
        let t = render();
        let g = dependencies(&t);
        let blocks = resource_blocks(&t);
        let rules: Vec<(&str, String)> = blocks
            .iter()
            .filter(|(_, kind, _)| kind == "AWS::Events::Rule")
            .map(|(id, _, block)| {
                let name = block
                    .lines()
                    .find_map(|l| l.trim().strip_prefix("Name: !Sub "))
                    .expect("every rule is named from the stack");
                (id.as_str(), name.trim().to_string())
            })
            .collect();
        assert_eq!(rules.len(), 2);
        for (rule, name) in &rules {
            let granting: Vec<&str> = blocks
                .iter()
                .filter(|(_, kind, block)| {
                    matches!(
                        kind.as_str(),
                        "AWS::Lambda::Permission" | "AWS::SQS::QueuePolicy"
                    ) && block.contains(&format!("/{}", name))
                })
                .map(|(id, _, _)| id.as_str())
                .collect();
            assert!(!granting.is_empty(), "nothing grants {rule}");
            for p in granting {
                assert!(after(&g, rule, p), "{rule} must depend on {p}");
                assert!(
                    !after(&g, p, rule),
                    "{p} must not depend on {rule} (a cycle)"
                );
            }
        }
    }

    #[test]
    fn the_graph_has_no_cycle_and_no_unknown_dependency() {
        let t = render();
        let g = dependencies(&t);
        for id in g.keys() {
            assert!(!after(&g, id, id), "{id} depends on itself");
        }
        let ids: BTreeSet<String> = resource_blocks(&t)
            .into_iter()
            .map(|(id, _, _)| id)
            .collect();
        for line in t
            .lines()
            .filter_map(|l| l.trim().strip_prefix("DependsOn:"))
        {
            for dep in line.trim().trim_matches(['[', ']']).split(',') {
                assert!(ids.contains(dep.trim()), "DependsOn names unknown `{dep}`");
            }
        }
    }
}
