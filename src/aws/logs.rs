//! CloudWatch Logs as evrelay reads it: FilterLogEvents over every page, a log group's ARN,
//! and a StartLiveTail session handed out as batches of [`LogLine`]s.

use aws_sdk_cloudwatchlogs::primitives::event_stream::EventReceiver;
use aws_sdk_cloudwatchlogs::types::error::StartLiveTailResponseStreamError;
use aws_sdk_cloudwatchlogs::types::{LiveTailSessionUpdate, StartLiveTailResponseStream};
use aws_sdk_cloudwatchlogs::Client;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::aws::retry::is_throttling_code;
use crate::error::{Error, Result};
use crate::model::log_line::{LogLine, Origin};

/// A failed read, with throttling kept apart so a poll loop can back off instead of failing.
#[derive(Debug)]
pub enum ReadError {
    Throttled(Error),
    Failed(Error),
}

impl From<ReadError> for Error {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::Throttled(e) | ReadError::Failed(e) => e,
        }
    }
}

/// FilterLogEvents on one group from `start` (inclusive, epoch ms), every page. `None` when the
/// group does not exist.
pub async fn filter_events(
    client: &Client,
    group: &str,
    origin: Origin,
    start: i64,
    pattern: Option<&str>,
) -> std::result::Result<Option<Vec<LogLine>>, ReadError> {
    filter_events_until(client, group, origin, start, None, pattern).await
}

/// [`filter_events`] up to `end` (inclusive, epoch ms) when given.
pub async fn filter_events_until(
    client: &Client,
    group: &str,
    origin: Origin,
    start: i64,
    end: Option<i64>,
    pattern: Option<&str>,
) -> std::result::Result<Option<Vec<LogLine>>, ReadError> {
    let mut pages = client
        .filter_log_events()
        .log_group_name(group)
        .start_time(start)
        .set_end_time(end)
        .set_filter_pattern(pattern.map(str::to_string))
        .into_paginator()
        .send();
    let mut lines = Vec::new();
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(p) => p,
            Err(e) if e.code() == Some("ResourceNotFoundException") => return Ok(None),
            Err(e) if e.code().is_some_and(is_throttling_code) => {
                return Err(ReadError::Throttled(Error::aws("FilterLogEvents", e)))
            }
            Err(e) => return Err(ReadError::Failed(Error::aws("FilterLogEvents", e))),
        };
        lines.extend(
            page.events
                .unwrap_or_default()
                .into_iter()
                .map(|e| LogLine {
                    timestamp: e.timestamp.unwrap_or_default(),
                    origin,
                    stream: e.log_stream_name.unwrap_or_default(),
                    message: e.message.unwrap_or_default(),
                    log_event_id: e.event_id,
                }),
        );
    }
    Ok(Some(lines))
}

/// The group's ARN without the trailing `:*` (what StartLiveTail accepts); `None` when the
/// group does not exist.
pub async fn group_arn(client: &Client, group: &str) -> Result<Option<String>> {
    let mut pages = client
        .describe_log_groups()
        .log_group_name_prefix(group)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| Error::aws("DescribeLogGroups", e))?;
        let found = page
            .log_groups
            .unwrap_or_default()
            .into_iter()
            .find(|g| g.log_group_name() == Some(group))
            .and_then(|g| {
                g.log_group_arn
                    .or_else(|| g.arn.map(|a| a.trim_end_matches(":*").to_string()))
            });
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(None)
}

/// A live tail session over some groups.
pub struct LiveTail {
    stream: EventReceiver<StartLiveTailResponseStream, StartLiveTailResponseStreamError>,
    arns: Vec<(Origin, String)>,
}

/// Starts a StartLiveTail session (no SDK retries: a service without live tail should fail
/// fast so the caller can poll instead).
pub async fn start_live_tail(
    client: &Client,
    arns: Vec<(Origin, String)>,
    pattern: Option<&str>,
) -> Result<LiveTail> {
    let no_retry = aws_sdk_cloudwatchlogs::config::Builder::default()
        .retry_config(aws_smithy_types::retry::RetryConfig::disabled());
    let out = client
        .start_live_tail()
        .set_log_group_identifiers(Some(arns.iter().map(|(_, a)| a.clone()).collect()))
        .set_log_event_filter_pattern(pattern.map(str::to_string))
        .customize()
        .config_override(no_retry)
        .send()
        .await
        .map_err(|e| Error::failed(format!("StartLiveTail failed: {}", DisplayErrorContext(&e))))?;
    Ok(LiveTail {
        stream: out.response_stream,
        arns,
    })
}

/// One Live Tail update: its lines sorted by time, and whether CloudWatch Logs sent only a
/// sample of them ("If more than 500 log events match the filter in an update, Live Tail
/// returns a sample", LiveTailSessionMetadata `sampled`).
#[derive(Debug, Default, PartialEq)]
pub struct Batch {
    pub lines: Vec<LogLine>,
    pub sampled: bool,
}

impl LiveTail {
    /// The next update (an empty batch for a heartbeat); `None` when the session ended.
    pub async fn next_batch(&mut self) -> Result<Option<Batch>> {
        let event =
            self.stream.recv().await.map_err(|e| {
                Error::failed(format!("live tail stream: {}", DisplayErrorContext(&e)))
            })?;
        let Some(event) = event else { return Ok(None) };
        let StartLiveTailResponseStream::SessionUpdate(update) = event else {
            return Ok(Some(Batch::default()));
        };
        Ok(Some(batch_of(&update, &self.arns)))
    }
}

fn batch_of(update: &LiveTailSessionUpdate, arns: &[(Origin, String)]) -> Batch {
    let mut lines: Vec<LogLine> = update
        .session_results()
        .iter()
        .map(|e| {
            let id = e.log_group_identifier().unwrap_or_default();
            let origin = arns
                .iter()
                .find(|(_, arn)| arn == id || arn.ends_with(id) || id.ends_with(arn.as_str()))
                .map_or(Origin::Relay, |(o, _)| *o);
            LogLine {
                timestamp: e.timestamp().unwrap_or_default(),
                origin,
                stream: e.log_stream_name().unwrap_or_default().to_string(),
                message: e.message().unwrap_or_default().to_string(),
                log_event_id: None,
            }
        })
        .collect();
    lines.sort_by_key(|l| l.timestamp);
    Batch {
        lines,
        sampled: update.session_metadata().is_some_and(|m| m.sampled()),
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_cloudwatchlogs::error::ErrorMetadata;
    use aws_sdk_cloudwatchlogs::operation::filter_log_events::{
        FilterLogEventsError, FilterLogEventsOutput,
    };
    use aws_sdk_cloudwatchlogs::types::FilteredLogEvent;
    use aws_smithy_mocks::{mock, mock_client, RuleMode};

    use super::*;

    fn client(rules: &[&aws_smithy_mocks::Rule]) -> Client {
        // SDK retries off: how evrelay classifies the final answer is what is under test.
        mock_client!(aws_sdk_cloudwatchlogs, RuleMode::MatchAny, rules, |c| c
            .retry_config(aws_smithy_types::retry::RetryConfig::disabled()))
    }

    fn error(code: &str) -> FilterLogEventsError {
        FilterLogEventsError::generic(ErrorMetadata::builder().code(code).message("m").build())
    }

    // moto never throttles: a poll's back-off depends on this classification.
    #[tokio::test]
    async fn throttling_a_missing_group_and_pages_are_told_apart() {
        let throttled = mock!(Client::filter_log_events)
            .match_requests(|r| r.log_group_name() == Some("busy"))
            .then_error(|| error("ThrottlingException"));
        let missing = mock!(Client::filter_log_events)
            .match_requests(|r| r.log_group_name() == Some("gone"))
            .then_error(|| error("ResourceNotFoundException"));
        let page = |token: Option<&str>, id: &str| {
            FilterLogEventsOutput::builder()
                .events(
                    FilteredLogEvent::builder()
                        .timestamp(5)
                        .log_stream_name("s")
                        .message("m")
                        .event_id(id)
                        .build(),
                )
                .set_next_token(token.map(str::to_string))
                .build()
        };
        let first = mock!(Client::filter_log_events)
            .match_requests(|r| r.log_group_name() == Some("ok") && r.next_token().is_none())
            .then_output(move || page(Some("t"), "a"));
        let last = mock!(Client::filter_log_events)
            .match_requests(|r| r.log_group_name() == Some("ok") && r.next_token() == Some("t"))
            .then_output(move || page(None, "b"));
        let c = client(&[&throttled, &missing, &first, &last]);
        assert!(matches!(
            filter_events(&c, "busy", Origin::Relay, 0, None).await,
            Err(ReadError::Throttled(_))
        ));
        assert!(matches!(
            filter_events(&c, "gone", Origin::Relay, 0, None).await,
            Ok(None)
        ));
        let lines = filter_events(&c, "ok", Origin::Events, 0, None)
            .await
            .unwrap()
            .unwrap();
        let ids: Vec<_> = lines.iter().map(|l| l.log_event_id.as_deref()).collect();
        assert_eq!(ids, vec![Some("a"), Some("b")], "every page is read");
        assert!(lines.iter().all(|l| l.origin == Origin::Events));
    }

    #[test]
    fn a_sampled_update_says_so() {
        use aws_sdk_cloudwatchlogs::types::{LiveTailSessionLogEvent, LiveTailSessionMetadata};
        let arns = vec![(
            Origin::Events,
            "arn:aws:logs:us-east-1:1:log-group:/aws/events/evrelay/o".to_string(),
        )];
        let event = |ts: i64| {
            LiveTailSessionLogEvent::builder()
                .log_group_identifier("arn:aws:logs:us-east-1:1:log-group:/aws/events/evrelay/o")
                .timestamp(ts)
                .message("m")
                .build()
        };
        let update = |sampled: Option<bool>| {
            LiveTailSessionUpdate::builder()
                .session_results(event(9))
                .session_results(event(3))
                .set_session_metadata(
                    sampled.map(|s| LiveTailSessionMetadata::builder().sampled(s).build()),
                )
                .build()
        };
        let batch = batch_of(&update(Some(true)), &arns);
        assert!(batch.sampled);
        let times: Vec<i64> = batch.lines.iter().map(|l| l.timestamp).collect();
        assert_eq!(times, [3, 9]);
        assert!(batch.lines.iter().all(|l| l.origin == Origin::Events));
        assert!(!batch_of(&update(Some(false)), &arns).sampled);
        assert!(!batch_of(&update(None), &arns).sampled);
    }
}
