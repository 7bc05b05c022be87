//! Ctrl-C belongs to evrelay from the first line of `run`: once any part of the program listens
//! for SIGINT (tokio's handler cannot be removed again), the default "die at once" is gone for
//! the rest of the process. So one top-level listener ends any command on Ctrl-C with a
//! cancellation (exit 1, like a refused prompt), and a command that must do something on
//! Ctrl-C first (tidy up, say how to resume) listens through [`ctrl_c`], which tells the top
//! level to leave that Ctrl-C alone.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

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

/// Ctrl-Cs the top level handed to the commands' listeners: the one OS-level SIGINT receiver
/// is [`unhandled`], which decides for each Ctrl-C, in one place, whether a listener is alive
/// to take it. (Two OS-level receivers, one per side, would race: a listener could take the
/// signal and drop its shield before the top level looked, and the run would be cancelled in
/// the middle of the listener's clean-up.)
fn handed_over() -> &'static tokio::sync::watch::Sender<u64> {
    static HANDED: std::sync::OnceLock<tokio::sync::watch::Sender<u64>> =
        std::sync::OnceLock::new();
    HANDED.get_or_init(|| tokio::sync::watch::channel(0).0)
}

/// The newest hand-over some listener acted on (resolved with), or owed onwards.
static OBSERVED: AtomicU64 = AtomicU64::new(0);

/// Ctrl-Cs handed to listeners that were all dropped without acting (a `select!` took its
/// other branch in the same poll): owed to the next listener, else to the top level. Without
/// this, such a Ctrl-C was lost and the run went on as if it had never been pressed.
static OWED: AtomicUsize = AtomicUsize::new(0);

fn owed_notice() -> &'static tokio::sync::Notify {
    static NOTICE: std::sync::OnceLock<tokio::sync::Notify> = std::sync::OnceLock::new();
    NOTICE.get_or_init(tokio::sync::Notify::new)
}

fn take_owed() -> bool {
    OWED.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

struct Listener {
    handed: tokio::sync::watch::Receiver<u64>,
    shield: Option<Shield>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        // Released first: from here the top level may take a Ctrl-C itself.
        self.shield.take();
        if self.handed.has_changed().unwrap_or(false) {
            let latest = *self.handed.borrow();
            // The first listener dropped unresolved owes it; one that acted already took it.
            if OBSERVED.fetch_max(latest, Ordering::SeqCst) < latest {
                OWED.fetch_add(1, Ordering::SeqCst);
                owed_notice().notify_one();
            }
        }
    }
}

/// A Ctrl-C listener registered now, not at its first poll (so a line printed after this call
/// can promise that Ctrl-C is handled), and shielded from now until it is dropped. It resolves
/// on the next Ctrl-C the top level hands over (so only while [`crate::run`] is running), or at
/// once for one a dropped listener was handed and never acted on.
pub fn listen() -> impl std::future::Future<Output = ()> + Send {
    let owed = take_owed();
    // Subscribing marks the current count as seen: only a later Ctrl-C wakes this listener.
    let mut listener = Listener {
        shield: Some(shield()),
        handed: handed_over().subscribe(),
    };
    async move {
        if owed {
            return;
        }
        if listener.handed.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
        let seen = *listener.handed.borrow_and_update();
        // A listener dropped unresolved may have owed this one onwards already: take it back.
        if OBSERVED.fetch_max(seen, Ordering::SeqCst) >= seen {
            take_owed();
        }
    }
}

/// After a Ctrl-C while a call that makes something was out: waits for its answer, bounded,
/// with a line saying so (what the call made is then known, not guessed); `None` when a
/// second Ctrl-C stopped the wait or the call did not answer in time.
pub async fn await_answer<F: std::future::Future>(
    printer: &crate::printer::Printer,
    calls: &str,
    wait: std::time::Duration,
    answer: F,
) -> Option<F::Output> {
    // Registered before the line that promises it.
    let again = listen();
    printer.note(&format!(
        "{calls} was already sent: waiting up to {} s for its answer, so nothing it made is lost (Ctrl-C again stops at once).",
        wait.as_secs()
    ));
    tokio::select! {
        out = tokio::time::timeout(wait, answer) => out.ok(),
        _ = again => None,
    }
}

/// Resolves on a Ctrl-C that no command is handling; hands every other one to the listeners
/// alive at that moment (their shields are counted before any of them can see it), and does
/// the same with one a dropped listener left owed.
pub(crate) async fn unhandled() {
    let mut signal = Box::pin(tokio::signal::ctrl_c());
    loop {
        tokio::select! {
            received = &mut signal => {
                if received.is_err() {
                    std::future::pending::<()>().await;
                }
                signal = Box::pin(tokio::signal::ctrl_c());
            }
            _ = owed_notice().notified() => {
                if !take_owed() {
                    continue;
                }
            }
        }
        if HANDLED.load(Ordering::SeqCst) == 0 {
            return;
        }
        handed_over().send_modify(|n| *n += 1);
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

    /// The tests below share the process's one hand-over channel and debt: one at a time.
    static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

    async fn wakes(listener: impl std::future::Future<Output = ()>, ms: u64) -> bool {
        tokio::time::timeout(std::time::Duration::from_millis(ms), listener)
            .await
            .is_ok()
    }

    /// A Ctrl-C handed to a listener that is dropped without acting (its `select!` took the
    /// other branch) is not lost: the next listener takes it at once.
    #[tokio::test]
    async fn a_ctrl_c_no_listener_acted_on_goes_to_the_next_listener() {
        let _one = SERIAL.lock().await;
        let dropped = listen();
        handed_over().send_modify(|n| *n += 1);
        drop(dropped);
        assert!(wakes(listen(), 5000).await, "the next listener takes it");
        assert!(!wakes(listen(), 50).await, "and only one listener does");
    }

    /// One that a listener acted on is not handed on again when another, alive at the same
    /// hand-over, is dropped later.
    #[tokio::test]
    async fn a_ctrl_c_a_listener_acted_on_is_not_owed_again() {
        let _one = SERIAL.lock().await;
        let acting = listen();
        let bystander = listen();
        handed_over().send_modify(|n| *n += 1);
        assert!(wakes(acting, 5000).await);
        drop(bystander);
        assert!(
            !wakes(listen(), 50).await,
            "no second Ctrl-C from one press"
        );
    }

    /// A Ctrl-C handed over wakes the listeners alive then, not one registered afterwards.
    #[tokio::test]
    async fn a_handed_over_ctrl_c_wakes_the_listeners_alive_at_that_moment() {
        let _one = SERIAL.lock().await;
        let early = listen();
        handed_over().send_modify(|n| *n += 1);
        let late = listen();
        tokio::time::timeout(std::time::Duration::from_secs(5), early)
            .await
            .expect("the listener alive at the hand-over wakes");
        assert!(
            tokio::time::timeout(std::time::Duration::from_millis(50), late)
                .await
                .is_err(),
            "a listener registered after it does not"
        );
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
