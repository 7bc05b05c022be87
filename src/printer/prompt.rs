//! Asking before a change. `--yes` skips the question; with no terminal to ask on, asking is a
//! usage error (exit 2) rather than a prompt that hangs a CI job; "no" and Ctrl-C are one
//! outcome, a cancellation (exit 1).

use std::io::{IsTerminal, Write};

use crate::error::{Error, Result};

fn can_ask(question: &str) -> Result<()> {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Err(
            Error::usage(format!("refusing to ask \"{question}\" without a terminal"))
                .hint("pass --yes to confirm non-interactively"),
        );
    }
    Ok(())
}

fn is_yes(answer: &str) -> bool {
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

/// Asks `question [y/N]`: `Ok(())` on yes, [`Error::cancelled`] on anything else or on Ctrl-C
/// (which answers at once, not after the next Enter).
pub async fn confirm_or_cancel(yes: bool, question: &str) -> Result<()> {
    if yes {
        return Ok(());
    }
    can_ask(question)?;
    let mut err = std::io::stderr();
    let _ = write!(err, "{question} [y/N] ");
    let _ = err.flush();
    // A plain thread, not the runtime's blocking pool: a read that Ctrl-C abandons must not
    // hold up the process's exit.
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let mut answer = String::new();
        let read = std::io::stdin().read_line(&mut answer).map(|_| answer);
        let _ = tx.send(read);
    });
    tokio::select! {
        answer = rx => match answer {
            Ok(Ok(answer)) if is_yes(&answer) => Ok(()),
            Ok(Ok(_)) => Err(Error::cancelled()),
            Ok(Err(e)) => Err(Error::from(e)),
            Err(_) => Err(Error::cancelled()),
        },
        _ = crate::interrupt::ctrl_c() => {
            let _ = writeln!(err);
            Err(Error::cancelled())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_yes_is_yes() {
        assert!(is_yes("y\n"));
        assert!(is_yes(" YES "));
        assert!(!is_yes("\n"));
        assert!(!is_yes("no"));
        assert!(!is_yes("yep"));
    }

    #[tokio::test]
    async fn yes_skips_the_question() {
        assert!(confirm_or_cancel(true, "go?").await.is_ok());
    }
}
