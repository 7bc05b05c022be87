//! `evrelay.toml`: what a successful deploy remembers, so the next `evrelay deploy` (or
//! `status`, `send`, `logs`, `destroy`) needs no repeated flags — SAM CLI's `samconfig.toml`
//! and Copilot's manifests taught operators to expect one.
//!
//! Precedence, highest first: a flag > the environment (AWS_REGION, AWS_PROFILE) > this file >
//! the stack's current parameters > the template's defaults. The file holds one table per stack
//! and region, `[stacks.NAME.REGION]`, and never the API key (only a secret's id, which is not
//! secret). Unknown keys are an error naming the key and its line: a typo must not be ignored.
//!
//! ```toml
//! stack = "orders-relay"          # the default --stack
//! region = "eu-west-1"            # the default --region
//!
//! [stacks.orders-relay.eu-west-1]
//! subnets = ["subnet-0a", "subnet-0b"]
//! security_groups = ["sg-0c"]
//! url = "https://internal-orders-123.eu-west-1.elb.amazonaws.com/"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The default file, looked up in the working directory.
pub const DEFAULT_FILE: &str = "evrelay.toml";

#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// The stack used when `--stack` is not given.
    pub stack: Option<String>,
    /// The region used when neither `--region` nor AWS_REGION is set.
    pub region: Option<String>,
    /// stack name → region → what that relay was deployed with.
    #[serde(default)]
    pub stacks: BTreeMap<String, BTreeMap<String, Remembered>>,
}

/// One relay's deploy settings, as flags would give them. Every key is optional: the file
/// fills only what the command line leaves out.
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Remembered {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subnets: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub security_groups: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_header: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reserved_concurrency: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function_timeout: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_timeout: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_retention_days: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// `direct` or `buffered`: the four numbers after it are kept only for `buffered` (a
    /// direct deploy would refuse them as buffered-only flags).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_concurrency: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch_size: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch_window: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_receive_count: Option<u32>,
    /// `--skip-check` names (checked when a deploy reads them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skip_checks: Vec<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// A relay pair's primary only: the Region of its second relay (`deploy
    /// --secondary-region`), whose own table holds that relay's network.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secondary_region: Option<String>,
    /// `on` or `off` (`--replication`), with `secondary_region`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replication: Option<String>,
    /// Days (`--archive-retention`), with `secondary_region`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archive_retention: Option<u32>,
}

/// The file as read at start, and where it is (a deploy writes back there).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Loaded {
    pub path: ConfigPath,
    pub file: ConfigFile,
}

/// Where the file is and whether the operator named it (a named file must exist).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigPath {
    pub path: PathBuf,
    pub explicit: bool,
}

impl Default for ConfigPath {
    fn default() -> Self {
        ConfigPath::new(None)
    }
}

/// Names the file's place without making it required: a sandbox, CI or a wrapper script points
/// here before the first deploy has written anything.
pub const ENV_VAR: &str = "EVRELAY_CONFIG";

impl ConfigPath {
    /// `--config FILE` (which must exist, unless a deploy is about to write it), else
    /// EVRELAY_CONFIG, else ./evrelay.toml.
    pub fn new(flag: Option<&Path>) -> Self {
        match (flag, std::env::var_os(ENV_VAR).filter(|v| !v.is_empty())) {
            (Some(p), _) => ConfigPath {
                path: p.to_path_buf(),
                explicit: true,
            },
            (None, Some(env)) => ConfigPath {
                path: PathBuf::from(env),
                explicit: false,
            },
            (None, None) => ConfigPath {
                path: PathBuf::from(DEFAULT_FILE),
                explicit: false,
            },
        }
    }

    /// The parsed file. An absent file is an empty configuration, except one named with
    /// `--config` that nothing will create (`creating`: a deploy, which writes it).
    pub fn load(&self, creating: bool) -> Result<ConfigFile> {
        match std::fs::read_to_string(&self.path) {
            Ok(text) => parse(&text, &self.path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && (creating || !self.explicit) => {
                Ok(ConfigFile::default())
            }
            Err(e) => Err(Error::usage(format!(
                "cannot read the config file {}: {e}",
                self.path.display()
            ))
            .hint("check --config, or leave it out to use EVRELAY_CONFIG or ./evrelay.toml")),
        }
    }
}

pub fn parse(text: &str, path: &Path) -> Result<ConfigFile> {
    let config: ConfigFile = toml_edit::de::from_str(text).map_err(|e| {
        // The line number and the line itself, so a bad value names its key too.
        let at = e
            .span()
            .map(|span| {
                let start = span.start.min(text.len());
                let number = text[..start].matches('\n').count() + 1;
                let line = text.lines().nth(number - 1).unwrap_or_default().trim();
                format!(", line {number} (`{line}`)")
            })
            .unwrap_or_default();
        // toml's message can span lines; the first is the one that names the problem.
        let what = e.message().lines().next().unwrap_or("invalid TOML").trim();
        Error::usage(format!("{}{at}: {what}", path.display())).hint(
            "keys: stack, region and [stacks.NAME.REGION] tables (see `evrelay deploy --help`)",
        )
    })?;
    for (stack, regions) in &config.stacks {
        for (region, settings) in regions {
            check_settings(stack, region, settings, path)?;
        }
    }
    Ok(config)
}

fn check_settings(stack: &str, region: &str, s: &Remembered, path: &Path) -> Result<()> {
    let bad = |key: &str, why: &str| {
        Err(Error::usage(format!(
            "{}: [stacks.{stack}.{region}] {key} {why}",
            path.display()
        ))
        .hint("fix the value, or delete the key to use the stack's current value"))
    };
    if let Some(k) = s.tags.keys().find(|k| k.starts_with("evrelay:")) {
        return bad(
            "tags",
            &format!("uses the reserved prefix `evrelay:` ({k})"),
        );
    }
    if s.url.as_deref().is_some_and(|u| u.trim().is_empty()) {
        return bad("url", "is empty");
    }
    match s.delivery.as_deref() {
        None | Some("direct" | "buffered") => {}
        Some(other) => return bad("delivery", &format!("`{other}` is not direct or buffered")),
    }
    let numbers = [
        ("max_concurrency", s.max_concurrency),
        ("batch_size", s.batch_size),
        ("batch_window", s.batch_window),
        ("max_receive_count", s.max_receive_count),
    ];
    if let Some((key, _)) = numbers.iter().find(|(_, v)| v.is_some()) {
        if s.delivery.as_deref() != Some("buffered") {
            return bad(key, "is set without delivery = \"buffered\"");
        }
    }
    if let Err((key, why)) = check_pair(s, region) {
        return bad(key, &why);
    }
    Ok(())
}

/// A pair's keys: the secondary is another Region, and the pair's settings go with it.
fn check_pair(s: &Remembered, region: &str) -> std::result::Result<(), (&'static str, String)> {
    match s.replication.as_deref() {
        None | Some("on" | "off") => {}
        Some(other) => return Err(("replication", format!("`{other}` is not on or off"))),
    }
    match s.secondary_region.as_deref() {
        Some(r) if r == region => Err((
            "secondary_region",
            format!("`{r}` is the table's own Region"),
        )),
        Some(_) => Ok(()),
        None if s.replication.is_some() => {
            Err(("replication", "is set without secondary_region".into()))
        }
        None if s.archive_retention.is_some() => Err((
            "archive_retention",
            "is set without secondary_region".into(),
        )),
        None => Ok(()),
    }
}

impl ConfigFile {
    /// The settings remembered for this stack in this region, if any.
    pub fn relay(&self, stack: &str, region: &str) -> Option<&Remembered> {
        self.stacks.get(stack).and_then(|r| r.get(region))
    }

    /// The Region whose remembered pair names `secondary` as its secondary Region, if any.
    pub fn primary_of(&self, stack: &str, secondary: &str) -> Option<String> {
        self.stacks.get(stack).and_then(|regions| {
            regions
                .iter()
                .find(|(_, r)| r.secondary_region.as_deref() == Some(secondary))
                .map(|(region, _)| region.clone())
        })
    }
}

/// Records a successful deploy's settings under `[stacks.STACK.REGION]`, keeping the rest of the
/// file — comments and other relays included — as it was. A file that names no default stack
/// yet gets `stack = "STACK"` (as samconfig keeps `stack_name`), so a bare `status`, `send`,
/// `logs` or `destroy` afterwards acts on the relay just deployed, not on the built-in default;
/// a default already there is the operator's and stays. Written to a temporary file first and
/// renamed, so an interrupted write never leaves half a file.
pub fn remember(path: &Path, stack: &str, region: &str, settings: &Remembered) -> Result<()> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(write_error(path, e)),
    };
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        Error::failed(format!(
            "{} is not valid TOML: {}",
            path.display(),
            e.message()
        ))
        .hint("fix or move the file, then deploy again (the stack itself is deployed)")
    })?;
    if !doc.contains_key("stack") {
        doc.insert("stack", toml_edit::value(stack));
    }
    let table = toml_edit::ser::to_document(settings)
        .map_err(|e| Error::failed(format!("cannot write the deploy settings: {e}")))?;
    let stacks = doc
        .entry("stacks")
        .or_insert_with(|| {
            let mut t = toml_edit::Table::new();
            t.set_implicit(true);
            toml_edit::Item::Table(t)
        })
        .as_table_mut()
        .ok_or_else(|| Error::failed(format!("{}: `stacks` is not a table", path.display())))?;
    let regions = stacks
        .entry(stack)
        .or_insert_with(|| {
            let mut t = toml_edit::Table::new();
            t.set_implicit(true);
            toml_edit::Item::Table(t)
        })
        .as_table_mut()
        .ok_or_else(|| {
            Error::failed(format!(
                "{}: `stacks.{stack}` is not a table",
                path.display()
            ))
        })?;
    regions.insert(region, toml_edit::Item::Table(table.as_table().clone()));
    let tmp = path.with_extension("toml.tmp");
    std::fs::write(&tmp, doc.to_string()).map_err(|e| write_error(path, e))?;
    std::fs::rename(&tmp, path).map_err(|e| write_error(path, e))
}

fn write_error(path: &Path, e: std::io::Error) -> Error {
    Error::failed(format!("cannot write {}: {e}", path.display()))
        .hint("the stack is deployed; pass --config FILE to remember its settings elsewhere")
}

#[cfg(test)]
mod tests;
