//! `deploy --alarms TOPIC_ARN|EMAIL` / `--no-alarms`: the stack's CloudWatch alarms (DLQ not
//! empty, relay errors, throttles, event age, events dropped, the buffer's age) and where they
//! notify. Off by default; a redeploy with neither flag keeps what the stack has, as it keeps
//! the stack's tags. Turned into the template's AlarmTopicArn / AlarmEmail here.

use clap::Args;

use crate::error::{Error, Result};
use crate::stack::changeset::ParamValue;

/// The template's conditions a new stack's preview decides, with whether they hold: without
/// alarms none of them is made, to an existing topic no topic of the stack's own, and the
/// buffer's alarm only for a buffered stack.
pub fn conditions(alarms: &Alarms, buffered: bool) -> [(&'static str, bool); 4] {
    let on = matches!(alarms, Alarms::Topic(_) | Alarms::Email(_));
    [
        ("Buffered", buffered),
        ("Alarms", on),
        ("AlarmsToOwnTopic", matches!(alarms, Alarms::Email(_))),
        ("BufferAlarm", on && buffered),
    ]
}

/// The template's parameters, in its order.
const TOPIC_PARAMETER: &str = "AlarmTopicArn";
const EMAIL_PARAMETER: &str = "AlarmEmail";

/// Deploy's alarm flags (flattened into the relay's flags).
#[derive(Debug, Clone, Default, Args)]
pub struct AlarmArgs {
    /// Add CloudWatch alarms (DLQ not empty, relay errors, throttles, events waiting over 10
    /// minutes, events dropped; the buffer's age when buffered) notifying this SNS topic (its
    /// ARN, in the deploy's region) or this email address (the stack makes a topic and
    /// subscribes it: nothing arrives until the address accepts AWS's confirmation email)
    /// [default: the stack's alarms, else none].
    #[arg(long, value_name = "TOPIC_ARN|EMAIL", conflicts_with = "no_alarms")]
    pub alarms: Option<String>,

    /// Remove the stack's alarms (and the topic it made for an email address).
    #[arg(long)]
    pub no_alarms: bool,
}

/// What the deploy does with the alarms.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Alarms {
    /// Neither flag: the stack's own setting (none on a new stack).
    #[default]
    Keep,
    Off,
    Topic(String),
    Email(String),
}

/// `--alarms`' value as a topic ARN or an email address, checked (a usage error names it).
pub fn resolve(args: &AlarmArgs) -> Result<Alarms> {
    if args.no_alarms {
        return Ok(Alarms::Off);
    }
    let Some(raw) = &args.alarms else {
        return Ok(Alarms::Keep);
    };
    let value = raw.trim();
    if value.starts_with("arn:") {
        check_topic_arn(value)?;
        return Ok(Alarms::Topic(value.to_string()));
    }
    if !is_email(value) {
        return Err(Error::usage(format!(
            "--alarms `{raw}` is neither an SNS topic ARN nor an email address"
        ))
        .hint("pass arn:aws:sns:REGION:ACCOUNT:TOPIC or an address like ops@example.com"));
    }
    Ok(Alarms::Email(value.to_string()))
}

/// An alarm notifies only a topic in its own region: PutMetricAlarm's AlarmActions take
/// `arn:aws:sns:region:account-id:sns-topic-name` of the alarm's region (CloudWatch API
/// Reference, PutMetricAlarm, AlarmActions), and CloudFormation would fail the stack late.
pub fn check_region(alarms: &Alarms, region: &str) -> Result<()> {
    if let Alarms::Topic(arn) = alarms {
        let topic_region = arn.split(':').nth(3).unwrap_or_default();
        if topic_region != region {
            return Err(Error::usage(format!(
                "--alarms {arn}: the topic is in {topic_region}, the stack in {region}"
            ))
            .hint(format!(
                "CloudWatch alarms notify a topic in their own region: pass a topic in {region}, or an email address"
            )));
        }
    }
    Ok(())
}

/// arn:PARTITION:sns:REGION:ACCOUNT:NAME, a name of 1-256 letters, digits, `-` and `_`
/// (SNS API Reference, CreateTopic, Name); a FIFO topic cannot be an alarm action.
fn check_topic_arn(arn: &str) -> Result<()> {
    let parts: Vec<&str> = arn.split(':').collect();
    let ok = parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "sns"
        && !parts[3].is_empty()
        && parts[3]
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && parts[4].len() == 12
        && parts[4].chars().all(|c| c.is_ascii_digit())
        && (1..=256).contains(&parts[5].len())
        && parts[5]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        return Ok(());
    }
    Err(
        Error::usage(format!("--alarms `{arn}` is not an SNS topic ARN"))
            .hint("pass arn:aws:sns:REGION:ACCOUNT:TOPIC (a standard topic), or an email address"),
    )
}

/// local@domain.tld as SNS takes an email endpoint: no spaces, one `@`, a dotted domain.
fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    value.len() <= 254
        && !local.is_empty()
        && !domain.contains('@')
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
        && domain.split('.').count() >= 2
        && domain.split('.').all(|label| !label.is_empty())
}

/// The template's AlarmTopicArn and AlarmEmail. Neither flag keeps the stack's values
/// (UsePreviousValue), where the stack has them; a stack from an older template gets none.
pub fn parameters(alarms: &Alarms, stack_parameters: &[String]) -> [ParamValue; 2] {
    let v = |k: &str, val: &str| ParamValue::Value(k.to_string(), val.to_string());
    let (topic, email) = match alarms {
        Alarms::Keep => {
            return [TOPIC_PARAMETER, EMAIL_PARAMETER].map(|k| {
                if stack_parameters.iter().any(|p| p == k) {
                    ParamValue::UsePrevious(k.into())
                } else {
                    v(k, "")
                }
            })
        }
        Alarms::Off => ("", ""),
        Alarms::Topic(arn) => (arn.as_str(), ""),
        Alarms::Email(address) => ("", address.as_str()),
    };
    [v(TOPIC_PARAMETER, topic), v(EMAIL_PARAMETER, email)]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flag(value: &str) -> AlarmArgs {
        AlarmArgs {
            alarms: Some(value.to_string()),
            no_alarms: false,
        }
    }

    #[test]
    fn a_topic_arn_or_an_address_is_taken_and_anything_else_is_a_usage_error() {
        let arn = "arn:aws:sns:eu-west-1:111122223333:ops-alerts";
        assert_eq!(resolve(&flag(arn)).unwrap(), Alarms::Topic(arn.into()));
        assert_eq!(
            resolve(&flag("ops@example.com")).unwrap(),
            Alarms::Email("ops@example.com".into())
        );
        for bad in [
            "arn:aws:sns:eu-west-1:1111:ops",
            "arn:aws:sqs:eu-west-1:111122223333:ops",
            "arn:aws:sns:eu-west-1:111122223333:ops.fifo",
            "ops@example",
            "ops example.com",
            "not an address",
            "a@b@c.com",
        ] {
            let e = resolve(&flag(bad)).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{bad}");
            assert!(e.to_string().contains(bad), "{bad}: {e}");
        }
    }

    #[test]
    fn a_topic_in_another_region_is_refused() {
        let topic = Alarms::Topic("arn:aws:sns:us-east-1:111122223333:ops".into());
        assert!(check_region(&topic, "us-east-1").is_ok());
        let e = check_region(&topic, "eu-west-1").unwrap_err();
        assert!(e.to_string().contains("us-east-1"), "{e}");
        assert!(check_region(&Alarms::Email("a@b.io".into()), "eu-west-1").is_ok());
    }

    #[test]
    fn neither_flag_keeps_the_stacks_setting_and_no_alarms_clears_it() {
        let has = vec!["AlarmTopicArn".to_string(), "AlarmEmail".to_string()];
        let keep = |k: &str| ParamValue::UsePrevious(k.into());
        let v = |k: &str, val: &str| ParamValue::Value(k.into(), val.into());
        assert_eq!(
            parameters(&Alarms::Keep, &has),
            [keep("AlarmTopicArn"), keep("AlarmEmail")]
        );
        assert_eq!(
            parameters(&Alarms::Keep, &[]),
            [v("AlarmTopicArn", ""), v("AlarmEmail", "")]
        );
        assert_eq!(
            parameters(&Alarms::Off, &has),
            [v("AlarmTopicArn", ""), v("AlarmEmail", "")]
        );
        assert_eq!(
            parameters(&Alarms::Email("a@b.io".into()), &has),
            [v("AlarmTopicArn", ""), v("AlarmEmail", "a@b.io")]
        );
        assert_eq!(
            resolve(&AlarmArgs {
                alarms: None,
                no_alarms: true
            })
            .unwrap(),
            Alarms::Off
        );
    }
}
