//! `evrelay send`: put test events on the relay's bus and, optionally, wait for the endpoint's
//! response event.
//!
//! [`input`] reads and checks the details, [`global`] finds the global endpoint to send through
//! (`--global`, `--endpoint-id`), [`batching`] puts them on the bus, [`waiter`] collects the
//! responses, [`diagnosis`] explains a timeout, [`report`] shows the outcome.

mod batching;
mod diagnosis;
mod global;
mod input;
mod report;
mod waiter;

use std::time::{Duration, Instant};

use clap::Args;

use crate::aws::{eventbridge, sqs};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::model::event::EventEntry;
use crate::model::failure_record;
use crate::model::rate::Rate;
use crate::model::text::{count, now_ms};

use global::EndpointUsed;
use report::SendReport;
use waiter::{ResponsesQueue, Waiter};

#[derive(Debug, Clone, Args)]
pub struct SendArgs {
    /// The event's detail: inline JSON, @FILE, or - for stdin (one JSON document per line).
    #[arg(long, value_name = "JSON|@FILE|-")]
    pub detail: Option<String>,

    /// The event's detail-type.
    #[arg(long, value_name = "TYPE", default_value = "inbound-event-sent")]
    pub detail_type: String,

    /// The event's source.
    #[arg(long, value_name = "SOURCE", default_value = "eventProducerApp")]
    pub source: String,

    /// The bus to send to (default: the stack's bus).
    #[arg(long, value_name = "NAME")]
    pub bus: Option<String>,

    /// Send through the stack's EventBridge global endpoint (a relay pair, `deploy
    /// --secondary-region`; run in the primary Region): EventBridge routes the events to the
    /// Region its health check says, and the requests are signed with SigV4a.
    #[arg(long, conflicts_with = "bus")]
    pub global: bool,

    /// Send through the global endpoint with this id (DescribeEndpoint's EndpointId, e.g.
    /// abcde12345.veo), signed with SigV4a; the bus must have the same name in both Regions.
    #[arg(long, value_name = "ID", conflicts_with = "global", value_parser = global::parse_endpoint_id)]
    pub endpoint_id: Option<String>,

    /// How many events to send (with --detail, each detail is sent this many times).
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    pub count: u64,

    /// PutEvents requests in flight at once [default: 8; with --rate, 64, so requests slowed by
    /// retries do not hold back the ones due after them].
    #[arg(long, value_name = "C", value_parser = clap::value_parser!(u64).range(1..=256))]
    pub concurrency: Option<u64>,

    /// Send at this steady rate for a load test, e.g. 50/s or 600/m: --count events, or for
    /// --duration (the output gives the rates asked, issued and accepted, throttles and retries).
    #[arg(long, value_name = "N/s", value_parser = crate::model::rate::parse_rate)]
    pub rate: Option<Rate>,

    /// With --rate: send for this long (rate × duration events), e.g. 30s, 5m.
    #[arg(long, value_name = "DURATION", requires = "rate", conflicts_with = "count", value_parser = crate::commands::parse_duration)]
    pub duration: Option<Duration>,

    /// Ask the relay for a response event and wait for it.
    #[arg(long)]
    pub return_response: bool,

    /// How long to wait for responses, e.g. 30s, 2m.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = crate::commands::parse_duration)]
    pub timeout: Duration,
}

pub async fn run(ctx: &Context, args: SendArgs) -> Result<()> {
    // The input is checked in full before any AWS call: a bad document sends nothing.
    let planned = input::plan(&args, input::read_details(args.detail.as_deref())?)?;
    crate::stack::ownership::note_if_foreign(ctx).await;
    let named_by_flag = args.bus.is_some();
    let bus = args.bus.clone().unwrap_or_else(|| ctx.names.bus.clone());
    let endpoint = global::resolve(ctx, args.global, args.endpoint_id.as_deref()).await?;
    let (bus_check, responses) = tokio::join!(
        eventbridge::require_bus(ctx.events(), &bus, named_by_flag),
        responses_queues(ctx, args.return_response, endpoint.as_ref())
    );
    if let Err(e) = bus_check {
        // The stack's own bus missing: name the stack, and the one probably meant.
        return Err(match named_by_flag {
            true => e,
            false => crate::stack::missing::explain(ctx, e).await,
        });
    }
    let responses = responses?;
    warn_if_records_outgrow_the_dlq(ctx, &planned.entries, endpoint.as_ref()).await?;

    let started_ms = now_ms();
    let started = Instant::now();
    let waiter = responses.as_ref().map(|_| Waiter::new());
    let through = eventbridge::Through {
        endpoint_id: endpoint.as_ref().map(|e| e.id.as_str()),
    };
    let sending = async {
        let result = batching::send_all(
            ctx,
            &bus,
            through,
            &planned,
            in_flight(args.concurrency, args.rate.is_some()),
            args.rate,
            waiter.as_ref(),
        )
        .await;
        if let Some(w) = &waiter {
            match &result {
                Ok(_) => w.sending_finished(),
                Err(_) => w.stop(),
            }
        }
        result.map(|sent| (sent, started.elapsed()))
    };
    let waiting = async {
        match (&waiter, &responses) {
            (Some(w), Some(queues)) => {
                let receivers = (planned.entries.len() / 100).clamp(1, 8);
                let each = queues.iter().map(|q| w.receive(q, args.timeout, receivers));
                tokio::select! {
                    r = futures::future::try_join_all(each) => r.map(|_| ()),
                    // Never ends first: it only draws.
                    () = async {
                        w.show_progress(&ctx.printer).await;
                        std::future::pending::<()>().await
                    } => Ok(()),
                }
            }
            _ => Ok(()),
        }
    };
    let (sent, waited) = tokio::join!(sending, waiting);
    let (sent, elapsed) = sent?;
    waited?;

    let mut report = report::build(
        &bus,
        &planned,
        sent.outcomes,
        sent.throttled_requests,
        elapsed,
        sent.accepted_each_second,
        waiter,
    );
    report.summary.rate = args.rate.map(|r| report::RateSummary {
        target_per_second: r.per_second(),
        achieved_per_second: report::one_decimal(Rate::achieved(
            planned.entries.len(),
            sent.last_issued,
            sent.last_entries,
        )),
    });
    if endpoint.is_some() {
        report.summary.signing = report::SigningSummary::of(&sent.signatures);
    }
    report.endpoint = endpoint;
    let missing = report.missing_event_ids();
    if !missing.is_empty() {
        report.diagnosis =
            Some(diagnosis::diagnose(ctx, report.endpoint.as_ref(), started_ms, &missing).await);
    }
    ctx.printer.report(&report)?;
    outcome_error(&report, args.timeout)
}

/// The responses queues to watch with `--return-response`: the stack's here, and through the
/// stack's global endpoint the secondary Region's too (its relay answers after a failover).
async fn responses_queues(
    ctx: &Context,
    return_response: bool,
    endpoint: Option<&EndpointUsed>,
) -> Result<Option<Vec<ResponsesQueue>>> {
    if !return_response {
        return Ok(None);
    }
    let region = |c: &Context| endpoint.map(|_| c.region().to_string());
    let mut queues = vec![ResponsesQueue {
        client: ctx.sqs().clone(),
        url: sqs::queue_url(ctx.sqs(), &ctx.names.responses_queue).await?,
        region: region(ctx),
    }];
    if let Some(secondary) = endpoint.and_then(|e| e.secondary_region.as_deref()) {
        let other = ctx.in_region(secondary).await?;
        let url = sqs::queue_url(other.sqs(), &other.names.responses_queue)
            .await
            .map_err(|mut e| {
                e.message = format!("{} in {secondary} (the pair's secondary)", e.message);
                e
            })?;
        queues.push(ResponsesQueue {
            client: other.sqs().clone(),
            url,
            region: region(&other),
        });
    }
    Ok(Some(queues))
}

/// Warns before sending events whose failure record could be larger than the stack's DLQ
/// takes: Lambda would drop the event from the record, and `dlq redrive` could not re-send it.
/// The queue is asked only when a record could outgrow the smallest DLQ evrelay ever made.
/// Through a pair's endpoint the events may fail in either Region: both DLQs are asked, each
/// warning naming its Region.
async fn warn_if_records_outgrow_the_dlq(
    ctx: &Context,
    entries: &[EventEntry],
    endpoint: Option<&EndpointUsed>,
) -> Result<()> {
    if failure_record::outgrowing(entries, failure_record::SMALLEST_DLQ_LIMIT).is_none() {
        return Ok(());
    }
    let at = |c: &Context| {
        endpoint
            .map(|_| format!(" in {}", c.region()))
            .unwrap_or_default()
    };
    if let Some(w) = dlq_warning(ctx, entries, &at(ctx)).await? {
        ctx.printer.warn(&w);
    }
    if let Some(secondary) = endpoint.and_then(|e| e.secondary_region.as_deref()) {
        let other = ctx.in_region(secondary).await?;
        if let Some(w) = dlq_warning(&other, entries, &at(&other)).await? {
            ctx.printer.warn(&w);
        }
    }
    Ok(())
}

/// The warning for the DLQ read through `ctx`, when a record could outgrow it; `at` names its
/// Region (" in us-west-2") through a global endpoint.
async fn dlq_warning(ctx: &Context, entries: &[EventEntry], at: &str) -> Result<Option<String>> {
    let Some(url) = sqs::find_queue_url(ctx.sqs(), &ctx.names.dlq).await? else {
        return Ok(None);
    };
    let limit = sqs::max_message_size(ctx.sqs(), &url).await?;
    let Some((events, largest)) = failure_record::outgrowing(entries, limit) else {
        return Ok(None);
    };
    let fix = if limit < failure_record::DLQ_MESSAGE_LIMIT {
        "; `evrelay deploy` again raises the queue to 1 MiB"
    } else {
        ""
    };
    Ok(Some(format!(
        "{} could outgrow `{}`{at} ({limit}-byte messages) with {} failure record (up to {largest} bytes): if {} fails, Lambda drops the event from the record and `evrelay dlq redrive` cannot re-send it{fix}",
        count(events as u64, "event"),
        ctx.names.dlq,
        if events == 1 { "its" } else { "their" },
        if events == 1 { "it" } else { "one" },
    )))
}

/// Requests in flight. An open-model schedule needs room for the requests still waiting on
/// their retries (up to 2 s each, six times) beside the ones now due: 64 keeps 10,000 events/s
/// (PutEvents' largest default quota, ~1,000 requests/s) at 60 ms a request.
fn in_flight(asked: Option<u64>, paced: bool) -> usize {
    asked.unwrap_or(if paced { 64 } else { 8 }) as usize
}

/// Exit 1 when an entry was refused or a response never came.
fn outcome_error(report: &SendReport, timeout: Duration) -> Result<()> {
    let s = &report.summary;
    if s.failed > 0 {
        let code = report
            .events
            .iter()
            .find_map(|e| e.error_code.clone())
            .unwrap_or_default();
        // On AWS an endpoint id that names no endpoint is a host name that does not resolve:
        // every request fails on the way, never answered.
        let hint = match (&report.endpoint, code.as_str()) {
            (Some(e), "RequestFailed") => format!(
                "no answer from global endpoint {}: check the id (`aws events list-endpoints` in its primary Region shows EndpointId), or use --global in the primary Region",
                e.id
            ),
            _ => "the output lists each refused entry with its error".into(),
        };
        return Err(Error::failed(format!(
            "{} of {} not accepted by EventBridge ({code})",
            s.failed,
            count(s.events as u64, "event")
        ))
        .hint(hint));
    }
    if let Some(r) = report.responses.as_ref().filter(|r| r.missing > 0) {
        let wait = report
            .diagnosis
            .as_ref()
            .and_then(|d| d.latest_schedule())
            .map(|s| {
                format!(
                    "; to wait until a failure record is due, run again with --timeout {}",
                    s.suggested_timeout
                )
            })
            .unwrap_or_default();
        return Err(Error::failed(format!(
            "no response for {} of {} within {} s",
            r.missing,
            count(r.expected as u64, "event"),
            timeout.as_secs()
        ))
        .hint(format!("`evrelay dlq peek` lists failed deliveries; `evrelay logs --since 10m` shows the relay's log{}{wait}", in_the_secondary(report))));
    }
    Ok(())
}

/// Through a pair's endpoint the events may have gone to the secondary: where to look there.
fn in_the_secondary(report: &SendReport) -> String {
    match report
        .endpoint
        .as_ref()
        .and_then(|e| e.secondary_region.as_deref())
    {
        Some(r) => format!("; the events may have gone to {r}: add `--region {r}` to both (`evrelay --region {r} dlq peek`)"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(code: &str, endpoint: Option<EndpointUsed>) -> SendReport {
        let planned = input::Planned {
            entries: vec![crate::model::event::EventEntry {
                source: "s".into(),
                detail_type: "t".into(),
                detail: "{}".into(),
                resources: Vec::new(),
            }],
            detail_event_ids: vec![None],
        };
        let mut outcome = crate::aws::eventbridge::EntryOutcome::not_sent();
        outcome.error_code = Some(code.into());
        let mut report = report::build(
            "b",
            &planned,
            vec![outcome],
            0,
            Duration::ZERO,
            vec![],
            None,
        );
        report.endpoint = endpoint;
        report
    }

    #[test]
    fn an_endpoint_that_never_answers_points_at_its_id() {
        let endpoint = EndpointUsed {
            name: None,
            id: "nope12345.veo".into(),
            primary_region: "us-east-1".into(),
            secondary_region: None,
        };
        let e =
            outcome_error(&refused("RequestFailed", Some(endpoint)), Duration::ZERO).unwrap_err();
        assert_eq!(
            e.message,
            "1 of 1 event not accepted by EventBridge (RequestFailed)"
        );
        assert!(e
            .hint
            .as_deref()
            .unwrap()
            .contains("global endpoint nope12345.veo: check the id"));
        let e = outcome_error(&refused("RequestFailed", None), Duration::ZERO).unwrap_err();
        assert_eq!(
            e.hint.as_deref(),
            Some("the output lists each refused entry with its error")
        );
    }
}
