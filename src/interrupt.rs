//! Ctrl-C belongs to evrelay from the first line of `run`: once any part of the program listens
//! for SIGINT (tokio's handler cannot be removed again), the default "die at once" is gone for
//! the rest of the process. So one top-level listener ends any command on Ctrl-C with a
//! cancellation (exit 1, like a refused prompt), and a command that must do something on
//! Ctrl-C first (tidy up, say how to resume) listens through [`ctrl_c`], which tells the top
//! level to leave that Ctrl-C alone.

use std::sync::atomic::{AtomicUsize, Ordering};

/// How many listeners inside commands are waiting for Ctrl-C right now.
static HANDLED: AtomicUsize = AtomicUsize::new(0);

/// While alive, a Ctrl-C is the holder's to handle; the top level does not cancel the command.
/// Hold one across a clean-up that must not be cut short by the same Ctrl-C.
#[must_use = "the shield protects only while it is alive"]
pub struct Shield(());

pub fn shield() -> Shield {
    HANDLED.fetch_add(1, Ordering::SeqCst);
    Shield(())
}

impl Drop for Shield {
    fn drop(&mut self) {
        HANDLED.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Resolves on the next Ctrl-C, which this caller then owns (use it instead of
/// `tokio::signal::ctrl_c`, which the top level would also act on).
pub async fn ctrl_c() {
    listen().await
}

/// A Ctrl-C listener registered now, not at its first poll (so a line printed after this call
/// can promise that Ctrl-C is handled), and shielded from now until it is dropped. If SIGINT
/// cannot be listened for at all, it never resolves.
pub fn listen() -> impl std::future::Future<Output = ()> + Send {
    let shield = shield();
    #[cfg(unix)]
    let mut sigint = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()).ok();
    async move {
        let _shield = shield;
        #[cfg(unix)]
        if let Some(s) = sigint.as_mut() {
            s.recv().await;
            return;
        }
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// Resolves on a Ctrl-C that no command is handling. Polled before the command (a `biased`
/// select), so a command's own listener still holds its shield when this one looks.
pub(crate) async fn unhandled() {
    loop {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
        if HANDLED.load(Ordering::SeqCst) == 0 {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shields_count_while_alive() {
        let before = HANDLED.load(Ordering::SeqCst);
        let a = shield();
        let b = shield();
        assert_eq!(HANDLED.load(Ordering::SeqCst), before + 2);
        drop(a);
        drop(b);
        assert_eq!(HANDLED.load(Ordering::SeqCst), before);
    }

    /// No SIGINT listener outside this module (`tokio::signal::ctrl_c`, or a unix `signal` for
    /// `SignalKind::interrupt()`): a command listening that way is not shielded, so the top
    /// level would cancel it in the middle of its own clean-up.
    #[test]
    fn every_ctrl_c_listener_goes_through_this_module() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut offenders = Vec::new();
        let mut dirs = vec![src];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs")
                    && !path.ends_with("interrupt.rs")
                {
                    let text = std::fs::read_to_string(&path).unwrap();
                    if text.contains("signal::ctrl_c") || text.contains("SignalKind::interrupt") {
                        offenders.push(path.display().to_string());
                    }
                }
            }
        }
        assert!(
            offenders.is_empty(),
            "listen through crate::interrupt::{{ctrl_c, listen}} instead of tokio's SIGINT in {offenders:?}"
        );
    }
}
