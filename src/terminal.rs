//! Asking on the terminal without trapping the operator: the hidden prompt turns echo off
//! through `rpassword`, whose guard restores the terminal on every return (a value, an error, a
//! closed terminal); a confirmation is answered on its own thread so the command can still
//! react to Ctrl-C / SIGTERM while it waits.
//!
//! Ctrl-C at the hidden prompt: `rpassword` reads in raw mode, so Ctrl-C arrives as a byte; it
//! restores the terminal and answers `Interrupted`, which is the operator's cancellation
//! (exit 1, as at any prompt), not a usage error.

use std::io::IsTerminal;

use crate::error::{Error, Result};

/// Reads a line from the terminal with echo off.
pub fn read_hidden(question: &str) -> Result<String> {
    rpassword::prompt_password(question).map_err(|e| {
        if e.kind() == std::io::ErrorKind::Interrupted {
            return Error::cancelled_with("cancelled at the API-key prompt; nothing changed");
        }
        Error::usage(format!("could not read the API key from the terminal: {e}"))
            .hint("pass --secret-stdin, --secret-env VAR or --generate-secret")
    })
}

/// Whether a question can be asked: a terminal to read the answer from and to show it on
/// (the same test the printer's confirmation makes).
pub fn can_ask() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// The printer's `[y/N]` confirmation as a yes/no: "no", no answer and Ctrl-C at the prompt are
/// all `false`, so the caller says what it did not do (and its clean-up guard runs).
pub async fn confirm(yes: bool, question: String) -> Result<bool> {
    match crate::printer::confirm_or_cancel(yes, &question).await {
        Ok(()) => Ok(true),
        Err(e) if e.is_cancelled() => Ok(false),
        Err(e) => Err(e),
    }
}
