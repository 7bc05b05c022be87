//! When a failed delivery's record reaches the DLQ. The relay is invoked asynchronously, so
//! Lambda retries a failed invocation itself and writes the destination record only after the
//! last attempt ("How Lambda handles errors and retries with asynchronous invocation",
//! https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html): a
//! function error is retried MaximumRetryAttempts times, one minute before the first retry and
//! two before the second; a throttle (429) or a Lambda system error (5xx) returns the event to
//! the queue and is retried, backing off up to 5 minutes, for as long as the event's
//! MaximumEventAgeInSeconds allows. `send --return-response` uses this to say when "nothing in
//! the DLQ yet" stops meaning "nothing failed".

use std::time::Duration;

/// The retry settings of the relay's EventInvokeConfig and its function timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetrySchedule {
    /// EventInvokeConfig MaximumRetryAttempts (0–2).
    pub max_retry_attempts: u32,
    /// EventInvokeConfig MaximumEventAgeInSeconds (60–21600).
    pub max_event_age: Duration,
    /// The function's timeout: the longest one attempt can take.
    pub function_timeout: Duration,
}

impl RetrySchedule {
    /// The latest a failure record can be due after the event was sent: every attempt runs to
    /// the timeout, with Lambda's waits between them, and never later than the event's maximum
    /// age (when Lambda gives up and writes the record).
    pub fn failure_record_due(&self) -> Duration {
        let attempts = self.max_retry_attempts.min(2) + 1;
        let waits: u64 = (1..attempts).map(|n| 60 * u64::from(n)).sum();
        let worst = self.function_timeout * attempts + Duration::from_secs(waits);
        worst.min(self.max_event_age + self.function_timeout)
    }

    /// The latest a failure record can be due when Lambda throttles the relay or fails with a
    /// system error: retries go on until the event is MaximumEventAgeInSeconds old, and the
    /// last one may still run to the timeout.
    pub fn throttled_record_due(&self) -> Duration {
        self.max_event_age + self.function_timeout
    }
}

/// MaximumRetryAttempts and MaximumEventAgeInSeconds of the `AWS::Lambda::EventInvokeConfig`
/// resource in a template (evrelay's own, where these are fixed values, not parameters).
pub fn invoke_config_from_template(template: &str) -> Option<(u32, Duration)> {
    let mut lines = template.lines();
    lines.find(|l| l.trim() == "Type: AWS::Lambda::EventInvokeConfig")?;
    let (mut retries, mut age) = (None, None);
    for line in lines {
        // The next resource starts at the same two-space indent as this one's id.
        if line.starts_with("  ") && !line.starts_with("   ") {
            break;
        }
        let t = line.trim();
        if let Some(v) = t.strip_prefix("MaximumRetryAttempts:") {
            retries = v.trim().parse().ok();
        } else if let Some(v) = t.strip_prefix("MaximumEventAgeInSeconds:") {
            age = v.trim().parse().ok().map(Duration::from_secs);
        }
    }
    Some((retries?, age?))
}

/// A parameter's `Default:` in a template's `Parameters:` section (evrelay's own template, for
/// the settings of a relay whose stack cannot be read).
pub fn parameter_default(template: &str, name: &str) -> Option<String> {
    let mut lines = template
        .lines()
        .skip_while(|l| l.trim_end() != "Parameters:")
        .skip(1);
    let key = format!("  {name}:");
    lines.find(|l| l.trim_end() == key)?;
    for line in lines {
        if line.starts_with("  ") && !line.starts_with("   ") {
            return None;
        }
        if let Some(v) = line.trim().strip_prefix("Default:") {
            return Some(v.trim().to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_comes_after_every_attempt_and_lambdas_waits() {
        let s = RetrySchedule {
            max_retry_attempts: 2,
            max_event_age: Duration::from_secs(3600),
            function_timeout: Duration::from_secs(30),
        };
        // 3 attempts of 30 s, 1 min and 2 min between them.
        assert_eq!(s.failure_record_due(), Duration::from_secs(90 + 180));
        let none = RetrySchedule {
            max_retry_attempts: 0,
            ..s
        };
        assert_eq!(none.failure_record_due(), Duration::from_secs(30));
        let young = RetrySchedule {
            max_event_age: Duration::from_secs(60),
            ..s
        };
        assert_eq!(young.failure_record_due(), Duration::from_secs(90));
    }

    #[test]
    fn a_throttled_event_is_retried_up_to_its_maximum_age_not_one_and_two_minutes() {
        let s = RetrySchedule {
            max_retry_attempts: 2,
            max_event_age: Duration::from_secs(3600),
            function_timeout: Duration::from_secs(30),
        };
        assert_eq!(s.throttled_record_due(), Duration::from_secs(3630));
        assert!(s.throttled_record_due() > s.failure_record_due());
        // Retry attempts do not bound throttles: only the age does.
        let no_retries = RetrySchedule {
            max_retry_attempts: 0,
            max_event_age: Duration::from_secs(600),
            ..s
        };
        assert_eq!(no_retries.throttled_record_due(), Duration::from_secs(630));
    }

    #[test]
    fn a_deployed_template_gives_its_own_settings() {
        let deployed = "Resources:\n  InvokeConfig:\n    Type: AWS::Lambda::EventInvokeConfig\n    Properties:\n      MaximumRetryAttempts: 1\n      MaximumEventAgeInSeconds: 900\n  Next:\n    Type: AWS::SQS::Queue\n    Properties:\n      MaximumRetryAttempts: 7\n";
        assert_eq!(
            invoke_config_from_template(deployed),
            Some((1, Duration::from_secs(900)))
        );
    }

    #[test]
    fn evrelays_template_carries_the_settings() {
        let (retries, age) = invoke_config_from_template(crate::template::TEMPLATE_SOURCE)
            .expect("the template's EventInvokeConfig has both settings");
        assert!(retries <= 2, "{retries}");
        assert!(age >= Duration::from_secs(60), "{age:?}");
        assert_eq!(invoke_config_from_template("Resources: {}"), None);
        let timeout = parameter_default(crate::template::TEMPLATE_SOURCE, "FunctionTimeout")
            .expect("FunctionTimeout has a default");
        assert!(timeout.parse::<u64>().is_ok_and(|t| t >= 30), "{timeout}");
        assert_eq!(
            parameter_default(crate::template::TEMPLATE_SOURCE, "NoSuchParameter"),
            None
        );
    }
}
