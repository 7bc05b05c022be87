//! Everything a command needs to talk to AWS: one `SdkConfig`, the clients built from it, the
//! stack's names, and the printer. Built once per run, after the flags are parsed.

use std::sync::OnceLock;

use aws_config::{BehaviorVersion, Region, SdkConfig};

use crate::cli::GlobalArgs;
use crate::error::{Error, Result};
use crate::names::RelayNames;
use crate::printer::Printer;

pub struct Context {
    pub globals: GlobalArgs,
    pub names: RelayNames,
    pub printer: Printer,
    sdk: SdkConfig,
    cloudformation: OnceLock<aws_sdk_cloudformation::Client>,
    ec2: OnceLock<aws_sdk_ec2::Client>,
    elb: OnceLock<aws_sdk_elasticloadbalancingv2::Client>,
    events: OnceLock<aws_sdk_eventbridge::Client>,
    sqs: OnceLock<aws_sdk_sqs::Client>,
    logs: OnceLock<aws_sdk_cloudwatchlogs::Client>,
}

impl Context {
    pub async fn load(globals: &GlobalArgs) -> Result<Self> {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(region) = &globals.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(profile) = &globals.profile {
            loader = loader.profile_name(profile);
        }
        // Only when given: otherwise aws-config honours AWS_ENDPOINT_URL and the per-service
        // AWS_ENDPOINT_URL_* variables itself.
        if let Some(endpoint) = &globals.endpoint_url {
            loader = loader.endpoint_url(endpoint);
        }
        let sdk = loader.load().await;
        if sdk.region().is_none() {
            return Err(Error::usage("no AWS region set")
                .hint("pass --region, or set AWS_REGION or a region in the profile"));
        }
        let region = sdk.region().map(|r| r.to_string()).unwrap_or_default();
        crate::error::set_endpoint_label(
            match (&globals.endpoint_url, std::env::var("AWS_ENDPOINT_URL")) {
                (Some(url), _) => url.clone(),
                (None, Ok(url)) if !url.is_empty() => url,
                _ => format!("the AWS endpoints for {region}"),
            },
        );
        Ok(Self {
            globals: globals.clone(),
            names: RelayNames::new(&globals.stack),
            printer: Printer::new(globals),
            sdk,
            cloudformation: OnceLock::new(),
            ec2: OnceLock::new(),
            elb: OnceLock::new(),
            events: OnceLock::new(),
            sqs: OnceLock::new(),
            logs: OnceLock::new(),
        })
    }

    pub fn region(&self) -> &str {
        self.sdk.region().map(|r| r.as_ref()).unwrap_or("")
    }

    pub fn cloudformation(&self) -> &aws_sdk_cloudformation::Client {
        self.cloudformation
            .get_or_init(|| aws_sdk_cloudformation::Client::new(&self.sdk))
    }

    pub fn ec2(&self) -> &aws_sdk_ec2::Client {
        self.ec2.get_or_init(|| aws_sdk_ec2::Client::new(&self.sdk))
    }

    pub fn elb(&self) -> &aws_sdk_elasticloadbalancingv2::Client {
        self.elb
            .get_or_init(|| aws_sdk_elasticloadbalancingv2::Client::new(&self.sdk))
    }

    pub fn events(&self) -> &aws_sdk_eventbridge::Client {
        self.events
            .get_or_init(|| aws_sdk_eventbridge::Client::new(&self.sdk))
    }

    pub fn sqs(&self) -> &aws_sdk_sqs::Client {
        self.sqs.get_or_init(|| aws_sdk_sqs::Client::new(&self.sdk))
    }

    pub fn logs(&self) -> &aws_sdk_cloudwatchlogs::Client {
        self.logs
            .get_or_init(|| aws_sdk_cloudwatchlogs::Client::new(&self.sdk))
    }
}
