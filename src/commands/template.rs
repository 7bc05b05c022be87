//! `evrelay template`: the stack evrelay deploys, for review or for an operator's own pipeline.

use clap::Args;

use crate::cli::GlobalArgs;
use crate::error::{Error, Result};
use crate::printer::Printer;
use crate::template;

#[derive(Debug, Args)]
pub struct TemplateArgs {
    /// Which stack's template: the relay, or for a pair behind a global endpoint
    /// (`deploy --secondary-region`) the endpoint's (primary Region) or the archive's (secondary).
    #[arg(value_enum, default_value_t = template::Part::Relay)]
    pub part: template::Part,

    /// Set a parameter's default in the printed template (repeatable), e.g. TargetUrl=http://… .
    /// The secret cannot be set this way.
    #[arg(long = "param", value_name = "KEY=VALUE", value_parser = parse_param)]
    pub params: Vec<(String, String)>,
}

fn parse_param(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("`{s}` is not KEY=VALUE")),
    }
}

pub fn run(globals: &GlobalArgs, args: TemplateArgs) -> Result<()> {
    let rendered = template::set_defaults(&template::render_part(args.part), &args.params)?;
    let printer = Printer::new(globals);
    if printer.json() {
        return Err(
            Error::usage("`evrelay template` prints YAML; --output json does not apply")
                .hint("drop --output json, or convert with `cfn-flip`"),
        );
    }
    printer.stdout(&rendered)
}
