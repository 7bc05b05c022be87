//! Asking on the terminal without trapping the operator: the hidden prompt turns echo off
//! through `rpassword`, whose guard restores the terminal on every return (a value, an error, a
//! closed terminal); a confirmation is answered on its own thread so the command can still
//! react to Ctrl-C / SIGTERM while it waits.
//!
//! Ctrl-C at the hidden prompt: `rpassword` reads in raw mode, so Ctrl-C arrives as a byte; it
//! restores the terminal and answers `Interrupted`, which is the operator's cancellation
//! (exit 1, as at any prompt), not a usage error. `rpassword` writes the prompt *before* it
//! turns the terminal's signal keys off, so a Ctrl-C typed in that gap became a SIGINT while
//! the read went on blocking the command (a hang, seen under load): the signal keys are turned
//! off here first, for the whole prompt, and restored after it.

use std::io::IsTerminal;

use crate::error::{Error, Result};

/// Reads a line from the terminal with echo off.
pub fn read_hidden(question: &str) -> Result<String> {
    let _keys = SignalKeysOff::new();
    rpassword::prompt_password(question).map_err(|e| {
        if e.kind() == std::io::ErrorKind::Interrupted {
            return Error::cancelled_with("cancelled at the API-key prompt; nothing changed");
        }
        Error::usage(format!("could not read the API key from the terminal: {e}"))
            .hint("pass --secret-stdin, --secret-env VAR or --generate-secret")
    })
}

/// The controlling terminal with its signal keys (ISIG) off, restored on drop: Ctrl-C then
/// reaches `rpassword` as a byte however early it is typed. `None` (no terminal) changes nothing.
struct SignalKeysOff {
    #[cfg(unix)]
    saved: Option<(std::fs::File, libc::termios)>,
}

impl SignalKeysOff {
    fn new() -> Self {
        #[cfg(unix)]
        {
            use std::os::fd::AsRawFd;
            let saved = std::fs::File::open("/dev/tty").ok().and_then(|tty| {
                // SAFETY: a zeroed termios is a valid out-parameter for tcgetattr, and the fd
                // is open for the whole call.
                let mut term: libc::termios = unsafe { std::mem::zeroed() };
                if unsafe { libc::tcgetattr(tty.as_raw_fd(), &mut term) } != 0 {
                    return None;
                }
                let mut quiet = term;
                quiet.c_lflag &= !libc::ISIG;
                // SAFETY: as above; `quiet` is a copy of the terminal's own settings.
                (unsafe { libc::tcsetattr(tty.as_raw_fd(), libc::TCSANOW, &quiet) } == 0)
                    .then_some((tty, term))
            });
            Self { saved }
        }
        #[cfg(not(unix))]
        Self {}
    }
}

impl Drop for SignalKeysOff {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some((tty, term)) = self.saved.take() {
            use std::os::fd::AsRawFd;
            // SAFETY: restores the settings read from this same terminal.
            unsafe { libc::tcsetattr(tty.as_raw_fd(), libc::TCSANOW, &term) };
        }
    }
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
