//! evrelay: flags → context → command → small AWS functions → a report → the printer.

pub mod aws;
pub mod budget;
pub mod cli;
pub mod commands;
pub mod context;
pub mod dlq;
pub mod endpoints;
pub mod error;
pub mod hosts;
pub mod names;
pub mod network;
pub mod printer;
pub mod queues;
pub mod stack;
pub mod template;

use std::io::IsTerminal;

use cli::{Cli, Command};
use context::Context;
pub use error::{Error, Result};

pub async fn run(cli: Cli) -> Result<()> {
    let globals = cli.global;
    match cli.command {
        // These two never touch AWS: no credentials, no region, no network.
        Command::Template(args) => commands::template::run(&globals, args),
        Command::Completions(args) => commands::completions::run(args),
        command => {
            let ctx = Context::load(&globals).await?;
            match command {
                Command::Discover(args) => commands::discover::run(&ctx, args).await,
                Command::Deploy(args) => commands::deploy::run(&ctx, args).await,
                Command::Send(args) => commands::send::run(&ctx, args).await,
                Command::Logs(args) => commands::logs::run(&ctx, args).await,
                Command::Dlq(args) => commands::dlq::run(&ctx, args).await,
                Command::Status(args) => commands::status::run(&ctx, args).await,
                Command::Destroy(args) => commands::destroy::run(&ctx, args).await,
                Command::Template(_) | Command::Completions(_) => unreachable!("handled above"),
            }
        }
    }
}

/// `error: …` then `hint: …`; the full cause only with `-v`.
pub fn report_error(e: &Error, verbose: u8) {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let (red, cyan, reset) = if color {
        ("\x1b[31m", "\x1b[36m", "\x1b[0m")
    } else {
        ("", "", "")
    };
    eprintln!("{red}error:{reset} {}", e.message);
    if let Some(hint) = &e.hint {
        eprintln!("{cyan}hint:{reset} {hint}");
    }
    if verbose > 0 {
        if let Some(detail) = &e.detail {
            eprintln!("caused by: {detail}");
        }
    }
}
