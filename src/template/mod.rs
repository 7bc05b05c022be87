//! The relay stack embedded in the binary: `templates/relay.yaml` with `relay-lambda/relay.py`
//! inlined into the function's `ZipFile`, so a deploy needs no build step and no bucket.

pub mod ca_bundle;
pub mod graph;

use crate::error::{Error, Result};

pub const TEMPLATE_SOURCE: &str = include_str!("../../templates/relay.yaml");
pub const RELAY_SOURCE: &str = include_str!("../../relay-lambda/relay.py");
/// The global endpoint in front of a relay pair (primary Region) and the secondary's archive.
pub const ENDPOINT_TEMPLATE: &str = include_str!("../../templates/endpoint.yaml");
pub const ARCHIVE_TEMPLATE: &str = include_str!("../../templates/archive.yaml");

/// The stacks evrelay deploys: the relay (in each Region), and for a pair the endpoint stack
/// (primary) and the archive stack (secondary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Part {
    Relay,
    Endpoint,
    Archive,
}

/// The template of `part`, ready for CreateChangeSet (comments dropped, relay inlined).
pub fn render_part(part: Part) -> String {
    match part {
        Part::Relay => render(),
        Part::Endpoint => render_with(ENDPOINT_TEMPLATE, ""),
        Part::Archive => render_with(ARCHIVE_TEMPLATE, ""),
    }
}

/// The one line in the template the relay code replaces.
pub const CODE_MARKER: &str = "# evrelay:relay-code";

/// CloudFormation's limit on a template passed inline (`TemplateBody` of CreateChangeSet),
/// in bytes (CloudFormation User Guide, "AWS CloudFormation quotas": template body size in a
/// request). The relay's own code (`Code.ZipFile`) has no tighter limit: its zip may be 4 MB.
pub const TEMPLATE_BODY_LIMIT: usize = 51_200;

/// Parameters an operator may not bake into a printed template.
const SECRET_PARAMETERS: [&str; 1] = ["Secret"];

/// Bytes the rendered template leaves below [`TEMPLATE_BODY_LIMIT`] (negative: over it).
pub fn size_margin(rendered: &str) -> i64 {
    TEMPLATE_BODY_LIMIT as i64 - rendered.len() as i64
}

/// The template with the relay inlined, ready for CreateChangeSet.
pub fn render() -> String {
    render_with(TEMPLATE_SOURCE, RELAY_SOURCE)
}

fn render_with(template: &str, relay: &str) -> String {
    let mut out = String::with_capacity(template.len() + relay.len() * 2);
    // The indentation of the key whose block scalar (`|`, `>-`, …) the lines are in: a `#` line
    // there is the value's text, not a comment.
    let mut scalar_of: Option<usize> = None;
    for line in template.lines() {
        let indent = line.len() - line.trim_start().len();
        if scalar_of.is_some_and(|key| indent <= key && !line.trim().is_empty()) {
            scalar_of = None;
        }
        if line.trim() == CODE_MARKER {
            // The relay as it is, docstrings and comments included: inside a `|` block scalar
            // every line is literal text, and a blank line stays blank (no trailing spaces).
            let indent = &line[..indent];
            for code_line in relay.trim_end().lines() {
                if !code_line.trim().is_empty() {
                    out.push_str(indent);
                    out.push_str(code_line);
                }
                out.push('\n');
            }
        } else if scalar_of.is_none() && line.trim_start().starts_with('#') {
            // The template's own comments are for its readers, not for CloudFormation: dropped,
            // they keep the body under TEMPLATE_BODY_LIMIT (the relay keeps every line).
        } else {
            if scalar_of.is_none() && starts_block_scalar(line) {
                scalar_of = Some(indent);
            }
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// `key: |`, `key: >-`, `- >` …: the lines after it, indented deeper, are the value's text.
fn starts_block_scalar(line: &str) -> bool {
    let value = match line.split_once(": ") {
        Some((_, v)) => v,
        None => line.trim_start().strip_prefix("- ").unwrap_or(""),
    };
    let v = value.trim();
    v.starts_with(['|', '>']) && v.len() <= 3 && v[1..].chars().all(|c| "+-123456789".contains(c))
}

/// The names of the template's parameters, in order.
pub fn parameter_names(template: &str) -> Vec<String> {
    section_keys(template, "Parameters")
}

/// The logical ids of the template's resources, in order.
pub fn resource_ids(template: &str) -> Vec<String> {
    section_keys(template, "Resources")
}

/// Keys two spaces deep under a top-level section.
fn section_keys(template: &str, section: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut inside = false;
    for line in template.lines() {
        if !line.starts_with(' ') && !line.trim().is_empty() && !line.starts_with('#') {
            inside = line.trim_end() == format!("{section}:");
            continue;
        }
        if inside {
            if let Some(rest) = line.strip_prefix("  ") {
                if !rest.starts_with(' ') && !rest.starts_with('#') {
                    if let Some((key, _)) = rest.split_once(':') {
                        keys.push(key.trim().to_string());
                    }
                }
            }
        }
    }
    keys
}

/// Each resource's one-line description (`Metadata: evrelay: description:`), which deploy's
/// progress view shows beside the logical id.
pub fn resource_descriptions(template: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut inside = false;
    let mut current: Option<String> = None;
    let mut in_evrelay = false;
    for line in template.lines() {
        if !line.starts_with(' ') && !line.trim().is_empty() && !line.starts_with('#') {
            inside = line.trim_end() == "Resources:";
            continue;
        }
        if !inside {
            continue;
        }
        if let Some(rest) = line.strip_prefix("  ") {
            if !rest.starts_with(' ') && !rest.trim().is_empty() {
                current = rest.split_once(':').map(|(k, _)| k.trim().to_string());
                in_evrelay = false;
                continue;
            }
        }
        let t = line.trim();
        if t == "evrelay:" {
            in_evrelay = true;
        } else if in_evrelay {
            if let (Some(id), Some(desc)) = (&current, t.strip_prefix("description:")) {
                out.push((id.clone(), desc.trim().trim_matches('"').to_string()));
                in_evrelay = false;
            }
        }
    }
    out
}

/// Sets parameter defaults (`--param Key=Value`) in the printed template, so it deploys
/// through an operator's own pipeline with their values.
pub fn set_defaults(template: &str, params: &[(String, String)]) -> Result<String> {
    let known = parameter_names(template);
    for (key, _) in params {
        if SECRET_PARAMETERS.contains(&key.as_str()) {
            return Err(Error::usage(format!(
                "--param {key}=… would print the secret into the template"
            ))
            .hint("leave it out; pass the secret at deploy time (evrelay deploy --secret-stdin)"));
        }
        if !known.contains(key) {
            return Err(Error::usage(format!(
                "--param {key}: the template has no parameter `{key}`"
            ))
            .hint(format!("parameters: {}", known.join(", "))));
        }
    }
    let mut out = String::with_capacity(template.len() + 64 * params.len());
    let mut in_params = false;
    let mut current: Option<&(String, String)> = None;
    let mut pending = false;
    for line in template.lines() {
        let top_level = !line.starts_with(' ') && !line.trim().is_empty();
        let param_header = in_params
            && line.starts_with("  ")
            && !line[2..].starts_with(' ')
            && !line.trim().is_empty();
        if (top_level || param_header) && pending {
            push_default(&mut out, current.expect("pending implies current"));
            pending = false;
        }
        if top_level {
            in_params = line.trim_end() == "Parameters:";
            current = None;
        } else if param_header {
            let key = line.trim().trim_end_matches(':');
            current = params.iter().rev().find(|(k, _)| k == key);
            pending = current.is_some();
        } else if pending && line.trim_start().starts_with("Default:") {
            continue; // replaced by the operator's value below
        }
        out.push_str(line);
        out.push('\n');
    }
    if pending {
        push_default(&mut out, current.expect("pending implies current"));
    }
    Ok(out)
}

fn push_default(out: &mut String, (_, value): &(String, String)) {
    // A JSON string is a valid YAML double-quoted scalar: no escaping surprises.
    let quoted = serde_json::to_string(value).expect("a string always serializes");
    // Keep the block tidy: insert before any trailing blank lines of the parameter.
    let trimmed = out.trim_end_matches('\n').len();
    let tail = out.split_off(trimmed);
    out.push_str(&format!("\n    Default: {quoted}"));
    out.push_str(if tail.is_empty() { "\n" } else { &tail });
}

#[cfg(test)]
mod tests;
