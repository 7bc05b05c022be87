//! Asking on the terminal without trapping the operator: the hidden prompt turns echo off
//! through `rpassword`, whose guard restores the terminal on every return (a value, an error, a
//! closed terminal); a confirmation is answered on its own thread so the command can still
//! react to Ctrl-C / SIGTERM while it waits.
//!
//! Ctrl-C at the hidden prompt: the command asks before it installs any signal handler, so
//! SIGINT ends the process by the signal itself, and the shell restores the terminal state it
//! saved (it does so for a job killed by a signal, not for one that exits normally).

use crate::error::{Error, Result};

/// Reads a line from the terminal with echo off.
pub fn read_hidden(question: &str) -> Result<String> {
    rpassword::prompt_password(question).map_err(|e| {
        Error::usage(format!("could not read the API key from the terminal: {e}"))
            .hint("pass --secret-stdin, --secret-env VAR or --generate-secret")
    })
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
