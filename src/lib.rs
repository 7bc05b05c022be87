//! evrelay: flags → context → command → small AWS functions → a report → the printer.

pub mod aws;
pub mod budget;
pub mod cert_issuer;
pub mod cli;
pub mod commands;
pub mod config;
pub mod context;
pub mod endpoints;
pub mod error;
pub mod hosts;
pub mod interrupt;
pub mod model;
pub mod names;
pub mod network;
pub mod printer;
pub mod stack;
pub mod template;
pub mod terminal;

use cli::{Cli, Command, GlobalArgs};
use context::Context;
pub use error::{Error, Result};

/// Runs one command. Ctrl-C is evrelay's from here on: a command that does not handle it
/// itself (see [`interrupt`]) is cancelled at its next await point, exit 1.
pub async fn run(cli: Cli) -> Result<()> {
    tokio::select! {
        // The listener first: a command's own listener must still hold its shield when
        // this one looks at the same Ctrl-C.
        biased;
        _ = interrupt::unhandled() => Err(Error::interrupted()),
        result = dispatch(cli) => result,
    }
}

async fn dispatch(cli: Cli) -> Result<()> {
    let mut globals = cli.global;
    // The config file is read by every command (a bad one fails them all, before any AWS call).
    let config_path = config::ConfigPath::new(globals.config.as_deref());
    let config = config_path.load(matches!(cli.command, Command::Deploy(_)))?;
    globals.apply_config(&config).map_err(|e| {
        Error::usage(format!("{}: {e}", config_path.path.display()))
            .hint("fix the file's `stack`, or pass --stack NAME")
    })?;
    match cli.command {
        // These two never touch AWS: no credentials, no region, no network.
        Command::Template(args) => commands::template::run(&globals, args),
        Command::Completions(args) => commands::completions::run(args),
        Command::Policy(args) => commands::policy::run(&globals, &config, args), // nor this one
        command => {
            let mut ctx = Context::load(&globals).await?;
            ctx.config = config::Loaded {
                path: config_path,
                file: config,
            };
            let result = match command {
                Command::Discover(args) => commands::discover::run(&ctx, args).await,
                Command::Deploy(args) => commands::deploy::run(&ctx, *args).await,
                Command::Send(args) => commands::send::run(&ctx, args).await,
                Command::Logs(args) => commands::logs::run(&ctx, args).await,
                Command::Dlq(args) => commands::dlq::run(&ctx, args).await,
                Command::Status(args) => commands::status::run(&ctx, args).await,
                Command::Top(args) => commands::top::run(&ctx, args).await,
                Command::Failover(args) => commands::failover::run(&ctx, args).await,
                Command::Replay(args) => commands::replay::run(&ctx, args).await,
                Command::Destroy(args) => commands::destroy::run(&ctx, args).await,
                Command::Template(_) | Command::Completions(_) | Command::Policy(_) => {
                    unreachable!("handled above")
                }
            };
            result.map_err(|e| ctx.explain(e.at_endpoint(&endpoint_label(&globals, ctx.region()))))
        }
    }
}

/// Where AWS calls went, for "could not reach …": the flag, else AWS_ENDPOINT_URL, else AWS.
pub fn endpoint_label(globals: &GlobalArgs, region: &str) -> String {
    match (&globals.endpoint_url, std::env::var("AWS_ENDPOINT_URL")) {
        (Some(url), _) => url.clone(),
        (None, Ok(url)) if !url.is_empty() => url,
        _ => format!("the AWS endpoints for {region}"),
    }
}
