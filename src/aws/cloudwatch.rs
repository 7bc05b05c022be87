//! CloudWatch metrics: every signal of a stack read with GetMetricData, batched and
//! paginated, into evrelay's series (`crate::model::health`).

use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat, ScanBy};
use aws_smithy_types::DateTime;

use crate::error::{Error, Result};
use crate::model::health::{Series, Signal, Window};

/// "A GetMetricData operation that does not include a query can retrieve as many as 500
/// different metrics in a single request"
/// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html).
const QUERIES_PER_CALL: usize = 500;

/// One series per signal, in the signals' order, oldest point first; a signal CloudWatch
/// has no data for comes back empty (what that means is the model's call). Each call's
/// pages (NextToken: at most 100,800 data points a call) are read to the end.
pub async fn series(
    client: &aws_sdk_cloudwatch::Client,
    signals: &[Signal],
    window: &Window,
) -> Result<Vec<Series>> {
    let mut out: Vec<Series> = signals
        .iter()
        .map(|s| Series {
            signal: s.clone(),
            points: Vec::new(),
        })
        .collect();
    for (batch, chunk) in signals.chunks(QUERIES_PER_CALL).enumerate() {
        let first = batch * QUERIES_PER_CALL;
        let queries = chunk
            .iter()
            .enumerate()
            .map(|(i, s)| query(&id(first + i), s, window.period))
            .collect();
        let mut pages = client
            .get_metric_data()
            .set_metric_data_queries(Some(queries))
            .start_time(DateTime::from_secs(window.start))
            .end_time(DateTime::from_secs(window.end))
            .scan_by(ScanBy::TimestampAscending)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| Error::aws("GetMetricData", e))?;
            for result in page.metric_data_results() {
                let Some(i) = result.id().and_then(index) else {
                    continue;
                };
                let Some(series) = out.get_mut(i) else {
                    continue;
                };
                series.points.extend(
                    result
                        .timestamps()
                        .iter()
                        .zip(result.values())
                        .map(|(t, v)| (t.secs(), *v)),
                );
            }
        }
    }
    for s in &mut out {
        s.points.sort_by_key(|(t, _)| *t);
    }
    Ok(out)
}

/// Query ids must start with a lowercase letter (API_MetricDataQuery.html: "The first
/// character must be a lowercase letter").
fn id(i: usize) -> String {
    format!("m{i}")
}

fn index(id: &str) -> Option<usize> {
    id.strip_prefix('m')?.parse().ok()
}

fn query(id: &str, s: &Signal, period: u64) -> MetricDataQuery {
    let metric = Metric::builder()
        .namespace(s.namespace)
        .metric_name(s.metric)
        .set_dimensions(Some(
            s.dimensions
                .iter()
                .map(|(k, v)| Dimension::builder().name(k).value(v).build())
                .collect(),
        ))
        .build();
    MetricDataQuery::builder()
        .id(id)
        .metric_stat(
            MetricStat::builder()
                .metric(metric)
                .period(period as i32)
                .stat(s.statistic)
                .build(),
        )
        .return_data(true)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_start_with_a_lowercase_letter_and_map_back() {
        assert_eq!(id(0), "m0");
        assert_eq!(index(&id(517)), Some(517));
        assert_eq!(index("x1"), None);
    }
}
