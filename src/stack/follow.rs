//! Following a change from a command: pick the sink the printer calls for (live view on a
//! terminal, lines off one, JSON lines with `--output json`), stop cleanly on Ctrl-C, and turn
//! a failed outcome into one error line with the resource that failed and why.

use super::events::Cursor;
use super::progress::Progress;
use super::render::{JsonSink, LineSink, LiveSink};
use super::watch::{watch, Outcome, SideFetch, Sink, WatchOptions};
use super::Operation;
use crate::error::{Error, Result};
use crate::printer::Printer;

/// The sink for this run's printer, writing where the printer says: JSON lines on its data
/// writer, else the live view or plain lines on its chatter writer (progress is chatter; the
/// outputs table is the data), which `--quiet` silences.
pub fn sink_for(printer: &Printer) -> Box<dyn Sink> {
    if printer.json() {
        Box::new(JsonSink::new(printer.data_writer()))
    } else if printer.interactive && !printer.quiet {
        Box::new(LiveSink::new(printer.chatter_writer(), printer.err_style))
    } else {
        Box::new(LineSink::new(printer.chatter_writer(), printer.err_style))
    }
}

/// Watches until the stack settles or the operator presses Ctrl-C (which stops watching, not
/// the change: CloudFormation carries on).
#[allow(clippy::too_many_arguments)]
pub async fn follow(
    printer: &Printer,
    client: &aws_sdk_cloudformation::Client,
    stack_ref: &str,
    cursor: Cursor,
    progress: &mut Progress,
    opts: &WatchOptions,
    side: Option<SideFetch<'_>>,
) -> Result<Outcome> {
    let mut sink = sink_for(printer);
    if opts.outlive_reader {
        sink = Box::new(UntilClosed {
            sink,
            closed: false,
        });
    }
    let stack = progress.stack.clone();
    let verb = progress.operation.verb();
    // A relay pair's two stacks share their name: the Region says which one this is.
    let region = client
        .config()
        .region()
        .map(|r| r.to_string())
        .unwrap_or_default();
    let interrupted = interrupt_signal();
    // Off a terminal this line is the sign that Ctrl-C is now handled (a log, a test waits on it).
    if !printer.interactive {
        printer.note(&format!(
            "Following the {verb} of stack {stack} in {region} (Ctrl-C stops watching; the change goes on)."
        ));
    }
    let result = tokio::select! {
        outcome = watch(client, stack_ref, cursor, progress, sink.as_mut(), opts, side) => Some(outcome),
        _ = interrupted => None,
    };
    match result {
        Some(outcome) => outcome,
        None => {
            sink.finish(progress)?;
            Err(Error::cancelled_with(format!(
                "stopped watching; the {verb} of stack `{stack}` goes on in AWS ({region})"
            ))
            .hint(format!(
                "follow it with `evrelay status --watch --stack {stack}` (--region {region})"
            )))
        }
    }
}

/// A sink that goes quiet once its reader closed stdout, so the watch goes on to the end.
struct UntilClosed {
    sink: Box<dyn Sink>,
    closed: bool,
}

impl UntilClosed {
    fn pass(&mut self, write: impl FnOnce(&mut dyn Sink) -> Result<()>) -> Result<()> {
        if self.closed {
            return Ok(());
        }
        match write(self.sink.as_mut()) {
            Err(e) if e.kind == crate::error::Kind::ClosedPipe => {
                self.closed = true;
                Ok(())
            }
            other => other,
        }
    }
}

impl Sink for UntilClosed {
    fn event(&mut self, event: &super::events::StackEvent, progress: &Progress) -> Result<()> {
        self.pass(|s| s.event(event, progress))
    }
    fn tick(&mut self, progress: &Progress) -> Result<()> {
        self.pass(|s| s.tick(progress))
    }
    fn waiting_on(&mut self, waiting: &super::watch::WaitingOn, progress: &Progress) -> Result<()> {
        self.pass(|s| s.waiting_on(waiting, progress))
    }
    fn finish(&mut self, progress: &Progress) -> Result<()> {
        self.pass(|s| s.finish(progress))
    }
}

/// Ctrl-C, listened for from the moment this is called (not from the first poll), and owned by
/// the caller: the top-level handler leaves it alone (see [`crate::interrupt`]).
pub fn interrupt_signal() -> impl std::future::Future<Output = ()> + Send {
    crate::interrupt::listen()
}

/// One error line for a change that did not succeed: final status, the first resource that
/// failed and its reason, and what to do next.
pub fn outcome_error(outcome: &Outcome) -> Error {
    let mut message = format!(
        "stack `{}` failed to {} ({})",
        outcome.stack,
        outcome.operation.verb(),
        outcome.status
    );
    if let Some(f) = &outcome.failure {
        if f.logical_id == outcome.stack {
            message.push_str(&format!(": {}", f.reason));
        } else {
            message.push_str(&format!(
                ": {} ({}): {}",
                f.logical_id, f.resource_type, f.reason
            ));
        }
    }
    let hint = match outcome.operation {
        Operation::Create => {
            "fix the cause above, then run `evrelay deploy` again (it removes the rolled-back stack first)".to_string()
        }
        Operation::Update => "the stack was rolled back to its previous state; fix the cause above and run `evrelay deploy` again".to_string(),
        Operation::Delete => delete_failed_hint(outcome),
    };
    Error::failed(message).hint(hint)
}

fn delete_failed_hint(outcome: &Outcome) -> String {
    let resource = outcome
        .failure
        .as_ref()
        .map(|f| f.logical_id.clone())
        .filter(|id| *id != outcome.stack);
    match resource {
        Some(id) => format!(
            "run `evrelay destroy` again (a held resource is often free a few minutes later); if it keeps failing, \
             remove what holds {id} or keep it with `aws cloudformation delete-stack --stack-name {} --retain-resources {id}`",
            outcome.stack
        ),
        None => "run `evrelay destroy` again".to_string(),
    }
}
