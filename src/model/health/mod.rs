//! The relay's health from CloudWatch metrics (`evrelay status`'s health section): which
//! metrics a stack has ([`signals`]), the window and period they are read at ([`window`]), the
//! series summed up per signal, the verdict naming the worst signal ([`verdict`]) and the
//! sparklines ([`sparkline`]). Pure: the AWS call is `crate::aws::cloudwatch`.

pub mod sparkline;
pub mod verdict;
pub mod window;

use serde::Serialize;

use crate::names::RelayNames;

pub use verdict::{verdict, State, Verdict};
pub use window::{Window, WindowError};

/// The relay's own metrics: the CloudWatch embedded metric format directive in the relay's
/// log line (relay-lambda/relay.py) names this namespace and the `Stack` dimension.
pub const RELAY_NAMESPACE: &str = "evrelay";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Unit {
    Count,
    Milliseconds,
    Seconds,
}

/// How a signal's series reads over the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Events per period (Sum): the window's total is the sum; no data means none happened.
    Total,
    /// A level sampled each period (a queue's depth or oldest age, Maximum): the latest value
    /// is what holds now; no data means an empty, inactive queue.
    Level,
    /// A time per period (a percentile or Maximum): no data means nothing to time, not zero.
    Latency,
}

/// One metric of the stack, as GetMetricData names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Signal {
    /// The operator's name for it, the same in JSON and the table's first column.
    pub name: &'static str,
    pub namespace: &'static str,
    pub metric: &'static str,
    pub dimensions: Vec<(String, String)>,
    /// GetMetricData's Stat: Sum, Maximum, p50, p99.
    pub statistic: &'static str,
    pub unit: Unit,
    pub kind: Kind,
}

impl Signal {
    /// A missing series reads as zero: counts (AWS sends several only when non-zero, and a
    /// sum over no events is zero anyway) and queue levels (SQS stops sending metrics for
    /// an inactive queue). A latency with no data has no value.
    pub fn no_data_is_zero(&self) -> bool {
        self.kind != Kind::Latency
    }
}

fn dims(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Every signal of a stack. Names and dimensions from the AWS references:
/// - AWS/Events, https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html:
///   "Metrics that specify both the EventBusName and RuleName dimensions refer to a custom
///   event bus" (the relay's bus is one); Invocations and FailedInvocations are sent "only
///   if it isn't zero".
/// - AWS/Lambda, https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html:
///   FunctionName; Invocations/Errors/Throttles (Sum), Duration (percentiles), and the
///   asynchronous invocation metrics AsyncEventAge, AsyncEventsDropped,
///   DestinationDeliveryFailures — direct delivery only: buffered delivery's event source
///   mapping invokes synchronously.
/// - AWS/SQS, https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html:
///   QueueName; ApproximateNumberOfMessagesVisible, ApproximateAgeOfOldestMessage (seconds).
/// - evrelay (the relay's embedded metric format line, relay-lambda/relay.py `with_metrics`):
///   Stack; Delivered, Failed, Endpoint<N>xx by the endpoint's status class,
///   EndpointNoResponse, DeliveryLatency (each event's line counts 1 or 0).
pub fn signals(names: &RelayNames, buffered: bool) -> Vec<Signal> {
    use Kind::{Latency, Level, Total};
    use Unit::{Count, Milliseconds, Seconds};
    let rule = |name, rule: &str, metric| Signal {
        name,
        namespace: "AWS/Events",
        metric,
        dimensions: dims(&[("EventBusName", &names.bus), ("RuleName", rule)]),
        statistic: "Sum",
        unit: Count,
        kind: Total,
    };
    let lambda = |name, metric, statistic, unit, kind| Signal {
        name,
        namespace: "AWS/Lambda",
        metric,
        dimensions: dims(&[("FunctionName", &names.function)]),
        statistic,
        unit,
        kind,
    };
    let queue = |name, queue: &str, metric, unit| Signal {
        name,
        namespace: "AWS/SQS",
        metric,
        dimensions: dims(&[("QueueName", queue)]),
        statistic: "Maximum",
        unit,
        kind: Level,
    };
    let relay = |name, metric, statistic, unit, kind| Signal {
        name,
        namespace: RELAY_NAMESPACE,
        metric,
        dimensions: dims(&[("Stack", &names.stack)]),
        statistic,
        unit,
        kind,
    };
    let inbound = &names.inbound_rule;
    let outbound = &names.outbound_rule;
    let mut out = vec![
        rule("inbound_rule_matched", inbound, "MatchedEvents"),
        rule("inbound_rule_invocations", inbound, "Invocations"),
        rule("inbound_rule_failed", inbound, "FailedInvocations"),
        lambda("relay_invocations", "Invocations", "Sum", Count, Total),
        lambda("relay_errors", "Errors", "Sum", Count, Total),
        lambda("relay_throttles", "Throttles", "Sum", Count, Total),
        lambda(
            "relay_duration_p50",
            "Duration",
            "p50",
            Milliseconds,
            Latency,
        ),
        lambda(
            "relay_duration_p99",
            "Duration",
            "p99",
            Milliseconds,
            Latency,
        ),
    ];
    if !buffered {
        out.extend([
            lambda(
                "async_event_age",
                "AsyncEventAge",
                "Maximum",
                Milliseconds,
                Latency,
            ),
            lambda(
                "async_events_dropped",
                "AsyncEventsDropped",
                "Sum",
                Count,
                Total,
            ),
            lambda(
                "destination_delivery_failures",
                "DestinationDeliveryFailures",
                "Sum",
                Count,
                Total,
            ),
        ]);
    }
    out.extend([
        relay("delivered", "Delivered", "Sum", Count, Total),
        relay("delivery_failed", "Failed", "Sum", Count, Total),
        relay("endpoint_2xx", "Endpoint2xx", "Sum", Count, Total),
        relay("endpoint_4xx", "Endpoint4xx", "Sum", Count, Total),
        relay("endpoint_5xx", "Endpoint5xx", "Sum", Count, Total),
        relay(
            "endpoint_no_response",
            "EndpointNoResponse",
            "Sum",
            Count,
            Total,
        ),
        relay(
            "delivery_latency_p50",
            "DeliveryLatency",
            "p50",
            Milliseconds,
            Latency,
        ),
        relay(
            "delivery_latency_p99",
            "DeliveryLatency",
            "p99",
            Milliseconds,
            Latency,
        ),
        rule("response_rule_matched", outbound, "MatchedEvents"),
        rule("response_rule_invocations", outbound, "Invocations"),
        rule("response_rule_failed", outbound, "FailedInvocations"),
        queue(
            "dlq_messages",
            &names.dlq,
            "ApproximateNumberOfMessagesVisible",
            Count,
        ),
        queue(
            "dlq_oldest_age",
            &names.dlq,
            "ApproximateAgeOfOldestMessage",
            Seconds,
        ),
    ]);
    if buffered {
        out.extend([
            queue(
                "buffer_messages",
                &names.buffer,
                "ApproximateNumberOfMessagesVisible",
                Count,
            ),
            queue(
                "buffer_oldest_age",
                &names.buffer,
                "ApproximateAgeOfOldestMessage",
                Seconds,
            ),
        ]);
    }
    out
}

/// One datapoint: epoch seconds (the start of its period) and the value.
pub type Point = (i64, f64);

/// A signal with what CloudWatch returned for it, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub signal: Signal,
    pub points: Vec<Point>,
}

impl Series {
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// The sum of the points at or after `from` (epoch seconds).
    pub fn sum_since(&self, from: i64) -> f64 {
        self.points
            .iter()
            .filter(|(t, _)| *t >= from)
            .map(|(_, v)| v)
            .sum()
    }

    pub fn total(&self) -> f64 {
        self.sum_since(i64::MIN)
    }

    /// The newest point's value; a level with no data is zero (see [`Signal::no_data_is_zero`]).
    pub fn latest(&self) -> Option<f64> {
        match self.points.last() {
            Some((_, v)) => Some(*v),
            None if self.signal.no_data_is_zero() => Some(0.0),
            None => None,
        }
    }

    /// The value cell: a count's total, a level now (and its peak), a time's worst period.
    pub fn shown(&self) -> String {
        let show = |v: f64| match self.signal.unit {
            Unit::Count => verdict::num(v),
            Unit::Milliseconds => format!("{} ms", verdict::num(v)),
            Unit::Seconds => verdict::age(v),
        };
        match self.signal.kind {
            Kind::Total => verdict::num(self.total()),
            Kind::Level => match (self.latest(), self.max()) {
                (Some(now), Some(max)) if max > now => {
                    format!("{} now, max {}", show(now), show(max))
                }
                (Some(now), _) => format!("{} now", show(now)),
                _ => "-".into(),
            },
            Kind::Latency => self
                .max()
                .map_or("-".into(), |m| format!("max {}", show(m))),
        }
    }

    pub fn max(&self) -> Option<f64> {
        self.max_since(i64::MIN)
    }

    pub fn max_since(&self, from: i64) -> Option<f64> {
        self.points
            .iter()
            .filter(|(t, _)| *t >= from)
            .map(|(_, v)| *v)
            .reduce(f64::max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_metrics_of_a_custom_bus_name_the_bus_and_the_rule() {
        let names = RelayNames::new("s1");
        let all = signals(&names, false);
        let matched = all
            .iter()
            .find(|s| s.name == "inbound_rule_matched")
            .unwrap();
        assert_eq!(
            matched.dimensions,
            dims(&[("EventBusName", "s1-bus"), ("RuleName", "s1-inbound")])
        );
        let failed = all
            .iter()
            .find(|s| s.name == "response_rule_failed")
            .unwrap();
        assert_eq!(failed.dimensions[1].1, "s1-outbound");
    }

    #[test]
    fn buffered_stacks_read_the_buffer_and_no_async_metrics() {
        let names = RelayNames::new("s1");
        let direct: Vec<_> = signals(&names, false).iter().map(|s| s.name).collect();
        let buffered: Vec<_> = signals(&names, true).iter().map(|s| s.name).collect();
        assert!(direct.contains(&"async_event_age"));
        assert!(!direct.contains(&"buffer_messages"));
        assert!(!buffered.contains(&"async_events_dropped"));
        assert!(buffered.contains(&"buffer_oldest_age"));
    }

    #[test]
    fn names_are_unique() {
        let all = signals(&RelayNames::new("s1"), false);
        let mut names: Vec<_> = all.iter().map(|s| s.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), all.len());
    }

    #[test]
    fn a_missing_count_or_level_is_zero_a_missing_latency_is_nothing() {
        let all = signals(&RelayNames::new("s1"), false);
        let empty = |name: &str| Series {
            signal: all.iter().find(|s| s.name == name).unwrap().clone(),
            points: vec![],
        };
        assert_eq!(empty("relay_errors").latest(), Some(0.0));
        assert_eq!(empty("dlq_messages").latest(), Some(0.0));
        assert_eq!(empty("relay_duration_p99").latest(), None);
        assert_eq!(empty("relay_errors").total(), 0.0);
    }
}
