//! How events reach the relay: `direct` (the inbound rule invokes it) or `buffered` (the rule
//! fills `<stack>-buffer` and an event source mapping feeds the relay at most
//! `--max-concurrency` at a time). The flags, resolved flag → stack → template default into the
//! template's parameters, and every AWS rule checked before anything is created (the rules and
//! their pages live in `crate::budget::buffered`).

use clap::{Args, ValueEnum};
use serde::Serialize;

use super::param_changes::ParamChange;
use super::params::template_default;
use crate::budget::buffered::{self, Violation};
use crate::budget::Budget;
use crate::error::{Error, Result};
use crate::stack::changeset::ParamValue;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Delivery {
    #[default]
    Direct,
    Buffered,
}

impl Delivery {
    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Direct => "direct",
            Delivery::Buffered => "buffered",
        }
    }

    /// The template's Delivery value (anything else, or none, is direct: the template's default).
    pub fn of_parameter(value: Option<&str>) -> Delivery {
        match value {
            Some("buffered") => Delivery::Buffered,
            _ => Delivery::Direct,
        }
    }
}

/// deploy's delivery flags (flattened into DeployArgs).
#[derive(Debug, Clone, Default, Args)]
pub struct DeliveryArgs {
    /// How events reach the relay: `direct` (the inbound rule invokes it) or `buffered` (the
    /// rule fills the <stack>-buffer queue and an event source mapping feeds the relay at most
    /// --max-concurrency at a time) [default: direct, or the stack's].
    #[arg(long, value_enum, value_name = "MODE")]
    pub delivery: Option<Delivery>,

    /// Buffered: the most relay invocations at once (the mapping's ScalingConfig
    /// MaximumConcurrency), 2-1000; reserved concurrency, when set, must not be below it
    /// [default: 2, or the stack's].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(2..=1000))]
    pub max_concurrency: Option<u32>,

    /// Buffered: the most events per invocation, 1-10000; above 10 needs --batch-window 1 or
    /// more (Lambda's rule); 1 by default, as only one event is sure to be posted within the
    /// default timeouts when the endpoint is at its slowest [default: 1, or the stack's].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=10000))]
    pub batch_size: Option<u32>,

    /// Buffered: the longest wait in seconds to fill a batch, 0-300 [default: 0, or the stack's].
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u32).range(0..=300))]
    pub batch_window: Option<u32>,

    /// Buffered: receives of an event before the buffer moves it to the DLQ (its SQS redrive
    /// policy's maxReceiveCount), 1-1000 [default: 5, or the stack's].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub max_receive_count: Option<u32>,
}

impl super::DeployArgs {
    /// The config file's delivery: its mode when no flag names one, and its buffered numbers
    /// only when the deploy is buffered by flag or by the file (with `--delivery direct` they
    /// would be refused as buffered-only flags).
    pub(super) fn fill_delivery_from(&mut self, file: &crate::config::Remembered) {
        let d = &mut self.delivery;
        if d.delivery.is_none() {
            d.delivery = match file.delivery.as_deref() {
                Some("buffered") => Some(Delivery::Buffered),
                Some("direct") => Some(Delivery::Direct),
                _ => None,
            };
        }
        if d.delivery != Some(Delivery::Buffered) {
            return;
        }
        for (flag, kept) in [
            (&mut d.max_concurrency, file.max_concurrency),
            (&mut d.batch_size, file.batch_size),
            (&mut d.batch_window, file.batch_window),
            (&mut d.max_receive_count, file.max_receive_count),
        ] {
            if flag.is_none() {
                *flag = kept;
            }
        }
    }
}

/// The template's buffered-only parameters (a direct stack's preview leaves them out).
pub const BUFFERED_ONLY: [&str; 5] = [
    "MaxConcurrency",
    "BatchSize",
    "BatchWindowSeconds",
    "BufferVisibilityTimeoutSeconds",
    "MaxReceiveCount",
];

/// What the relay is fed with. The buffered numbers are resolved in direct mode too (a stack
/// switched back to buffered gets its own again) but sent only in buffered mode.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DeliverySettings {
    pub mode: Delivery,
    pub max_concurrency: u32,
    pub batch_size: u32,
    /// Seconds.
    pub batch_window: u32,
    /// Seconds: 6 x the function timeout + the batch window (Lambda's advice).
    pub visibility_timeout: u32,
    pub max_receive_count: u32,
}

/// One value and where it came from, worded for a message.
struct Said {
    value: u32,
    label: String,
}

fn said(
    flag: Option<u32>,
    flag_name: &str,
    stack: &[(String, String)],
    key: &str,
    what: &str,
) -> Said {
    if let Some(value) = flag {
        return Said {
            value,
            label: format!("{flag_name} {value}"),
        };
    }
    if let Some(value) = number(stack, key) {
        return Said {
            value,
            label: format!("the stack's {what} {value}"),
        };
    }
    let value = template_default(key)
        .parse()
        .unwrap_or_else(|_| panic!("templates/relay.yaml's {key} default is not a number"));
    Said {
        value,
        label: format!("the default {what} {value}"),
    }
}

fn number(stack: &[(String, String)], key: &str) -> Option<u32> {
    stack
        .iter()
        .find(|(k, _)| k == key)
        .and_then(|(_, v)| v.parse().ok())
}

/// The stack's delivery mode (a stack from before buffered delivery is direct).
pub fn current(stack: &[(String, String)]) -> Delivery {
    Delivery::of_parameter(
        stack
            .iter()
            .find(|(k, _)| k == "Delivery")
            .map(|(_, v)| v.as_str()),
    )
}

/// A buffered-only flag with direct delivery: one line naming the flag (exit 2).
fn refuse_buffered_flags(args: &DeliveryArgs, mode: Delivery) -> Result<()> {
    if mode == Delivery::Buffered {
        return Ok(());
    }
    let given = [
        (
            "--max-concurrency",
            args.max_concurrency,
            "a maximum concurrency",
        ),
        ("--batch-size", args.batch_size, "batches"),
        ("--batch-window", args.batch_window, "a batch window"),
        (
            "--max-receive-count",
            args.max_receive_count,
            "a receive count (the buffer's redrive policy)",
        ),
    ];
    match given.into_iter().find(|(_, v, _)| v.is_some()) {
        Some((flag, Some(value), what)) => Err(Error::usage(format!(
            "{flag} {value} with direct delivery: only buffered delivery has {what}"
        ))
        .hint(format!("add --delivery buffered, or drop {flag}"))),
        _ => Ok(()),
    }
}

/// Before any AWS call: `--delivery direct` with a buffered-only flag.
pub fn check_usage(args: &DeliveryArgs) -> Result<()> {
    match args.delivery {
        Some(mode) => refuse_buffered_flags(args, mode),
        None => Ok(()),
    }
}

/// The relay's reserved concurrency as resolved, worded for a message.
pub struct Reserved {
    pub value: u32,
    pub label: String,
}

/// Flag → stack → template default, then AWS's rules for a mapping (buffered only).
pub fn resolve(
    args: &DeliveryArgs,
    stack: &[(String, String)],
    reserved: &Reserved,
    function_timeout: u32,
) -> Result<DeliverySettings> {
    let mode = args.delivery.unwrap_or_else(|| current(stack));
    refuse_buffered_flags(args, mode)?;
    let max = said(
        args.max_concurrency,
        "--max-concurrency",
        stack,
        "MaxConcurrency",
        "max concurrency",
    );
    let size = said(
        args.batch_size,
        "--batch-size",
        stack,
        "BatchSize",
        "batch size",
    );
    let window = said(
        args.batch_window,
        "--batch-window",
        stack,
        "BatchWindowSeconds",
        "batch window",
    );
    let receives = said(
        args.max_receive_count,
        "--max-receive-count",
        stack,
        "MaxReceiveCount",
        "max receive count",
    );
    let settings = DeliverySettings {
        mode,
        max_concurrency: max.value,
        batch_size: size.value,
        batch_window: window.value,
        visibility_timeout: buffered::visibility_timeout(function_timeout, window.value),
        max_receive_count: receives.value,
    };
    if mode == Delivery::Direct {
        return Ok(settings);
    }
    let checked = buffered::check(&buffered::Settings {
        max_concurrency: max.value,
        batch_size: size.value,
        batch_window: window.value,
        function_timeout,
        visibility_timeout: Some(settings.visibility_timeout),
        reserved_concurrency: reserved.value,
    });
    match checked {
        Ok(()) => Ok(settings),
        Err(Violation::BatchNeedsWindow(_)) => Err(Error::usage(format!(
            "{} needs a batch window of at least 1 s, and {} is below it ({}: above 10 records)",
            size.label,
            window.label,
            buffered::BATCHING_PAGE
        ))
        .hint("add --batch-window 1 (or more), or pass --batch-size 10 or less")),
        Err(Violation::ReservedBelowMax(..)) => {
            let lower = if reserved.value >= 2 {
                format!(", or --max-concurrency {} or less", reserved.value)
            } else {
                String::new()
            };
            Err(Error::usage(format!(
                "{} is below {}: the mapping does not account for reserved concurrency, so Lambda would throttle its invocations and send their batches back to the buffer ({})",
                reserved.label,
                max.label,
                buffered::SCALING_PAGE
            ))
            .hint(format!(
                "pass --reserved-concurrency {} or more (0 leaves it unreserved){lower}",
                max.value
            )))
        }
        Err(other) => Err(Error::usage(other.to_string())
            .hint("pass a shorter --function-timeout or --batch-window")),
    }
}

/// The template's delivery parameters, in its order. Direct: the buffered numbers the stack
/// has are kept as they are (UsePreviousValue), so switching back to buffered finds them.
pub fn parameters(d: &DeliverySettings, stack_parameters: &[String]) -> Vec<ParamValue> {
    let v = |k: &str, val: u32| ParamValue::Value(k.to_string(), val.to_string());
    let mut out = vec![ParamValue::Value("Delivery".into(), d.mode.as_str().into())];
    if d.mode == Delivery::Buffered {
        out.extend([
            v("MaxConcurrency", d.max_concurrency),
            v("BatchSize", d.batch_size),
            v("BatchWindowSeconds", d.batch_window),
            v("BufferVisibilityTimeoutSeconds", d.visibility_timeout),
            v("MaxReceiveCount", d.max_receive_count),
        ]);
        return out;
    }
    out.extend(BUFFERED_ONLY.map(|k| {
        if stack_parameters.iter().any(|p| p == k) {
            ParamValue::UsePrevious(k.into())
        } else {
            ParamValue::Value(k.into(), template_default(k))
        }
    }));
    out
}

/// The parameter changes a preview shows: old → new, and for a direct stack nothing of a
/// buffer it does not have.
pub fn preview(
    current: &[(String, String)],
    sent: &[ParamValue],
    mode: Delivery,
) -> Vec<ParamChange> {
    shown(super::param_changes::parameter_changes(current, sent), mode)
}

fn shown(changes: Vec<ParamChange>, mode: Delivery) -> Vec<ParamChange> {
    match mode {
        Delivery::Buffered => changes,
        Delivery::Direct => changes
            .into_iter()
            .filter(|c| !BUFFERED_ONLY.contains(&c.key.as_str()))
            .collect(),
    }
}

/// A batch larger than the function timeout is sure to get through with a slow endpoint: the
/// relay sends the records it could not reach back to the buffer untried, each counting a
/// receive, so on a slow day the tail can reach the DLQ without ever being posted.
pub fn slow_tail_warning(
    d: &DeliverySettings,
    read_timeout: u32,
    function_timeout: u32,
) -> Option<String> {
    if d.mode != Delivery::Buffered {
        return None;
    }
    let b = Budget::with_read_timeout(read_timeout);
    let sure = buffered::records_sure_to_be_tried(&b, function_timeout);
    if sure >= d.batch_size {
        return None;
    }
    let needed = buffered::function_timeout_for(&b, d.batch_size);
    let timeout = if needed <= 900 {
        format!(" or --function-timeout {needed}")
    } else {
        String::new()
    };
    Some(format!(
        "a batch holds up to {} events, but with an endpoint at its slowest ({} s an event) only {sure} {} sure to be tried within the function timeout of {function_timeout} s; the rest go back to the buffer untried and count a receive (after {} receives, the DLQ). --batch-size {sure}{timeout} avoids it.",
        d.batch_size,
        buffered::per_record(&b),
        if sure == 1 { "is" } else { "are" },
        d.max_receive_count,
    ))
}

/// Switching a buffered stack to direct deletes its buffer: refused while the buffer still
/// holds events (`held`: visible + in flight + delayed, read before the change set is made).
pub fn refuse_switch(
    stack: &str,
    from: Delivery,
    to: Delivery,
    buffer: &str,
    held: u64,
) -> Result<()> {
    if from != Delivery::Buffered || to != Delivery::Direct || held == 0 {
        return Ok(());
    }
    let events = if held == 1 { "event" } else { "events" };
    Err(Error::failed(format!(
        "refusing to switch stack `{stack}` to direct delivery: its buffer {buffer} holds {held} {events} the relay has not delivered yet, and the switch deletes the buffer; nothing changed"
    ))
    .hint(format!(
        "let the relay deliver them first (`evrelay --stack {stack} status` shows the buffer's backlog), then deploy again; or keep buffered delivery"
    )))
}

#[cfg(test)]
mod tests;
