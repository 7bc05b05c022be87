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

/// The printer's `[y/N]` confirmation, awaited without blocking the runtime: a signal raced
/// against it is seen at once. An abandoned thread blocked on stdin does not hold the exit up.
pub async fn confirm(yes: bool, question: String) -> Result<bool> {
    if yes {
        return Ok(true);
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let _ = tx.send(crate::printer::confirm(false, &question));
    });
    rx.await
        .map_err(|_| Error::failed("the confirmation prompt ended without an answer"))?
}
