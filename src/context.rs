//! Everything a command needs to talk to AWS: one `SdkConfig`, the clients built from it, the
//! stack's names, and the printer. Built once per run, after the flags are parsed.

mod profile;
mod region;

use std::sync::OnceLock;

use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::config::ProvideCredentials;

use crate::aws::sts::{self, Identity};
use crate::cli::GlobalArgs;
use crate::error::{Error, Result};
use crate::names::RelayNames;
use crate::printer::Printer;

pub struct Context {
    pub globals: GlobalArgs,
    pub names: RelayNames,
    pub printer: Printer,
    /// The config file as read at start (empty when there is none).
    pub config: crate::config::Loaded,
    sdk: SdkConfig,
    cloudformation: OnceLock<aws_sdk_cloudformation::Client>,
    ec2: OnceLock<aws_sdk_ec2::Client>,
    elb: OnceLock<aws_sdk_elasticloadbalancingv2::Client>,
    events: OnceLock<aws_sdk_eventbridge::Client>,
    sqs: OnceLock<aws_sdk_sqs::Client>,
    logs: OnceLock<aws_sdk_cloudwatchlogs::Client>,
    cloudwatch: OnceLock<aws_sdk_cloudwatch::Client>,
    sts: OnceLock<aws_sdk_sts::Client>,
    secretsmanager: OnceLock<aws_sdk_secretsmanager::Client>,
    acm: OnceLock<aws_sdk_acm::Client>,
    lambda: OnceLock<aws_sdk_lambda::Client>,
    route53: OnceLock<aws_sdk_route53::Client>,
    service_discovery: OnceLock<aws_sdk_servicediscovery::Client>,
    identity: tokio::sync::OnceCell<Identity>,
    profile: Option<profile::ActiveProfile>,
}

impl Context {
    pub async fn load(globals: &GlobalArgs) -> Result<Self> {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(region) = &globals.region {
            loader = loader.region(Region::new(region.clone()));
        }
        let active = profile::resolve(globals.profile.as_deref()).await?;
        if let Some(profile) = &globals.profile {
            // The profile's own credentials, not the default chain (where exported keys come
            // first): what the operator named is the account they meant.
            loader = loader.profile_name(profile).credentials_provider(
                ProfileFileCredentialsProvider::builder()
                    .profile_name(profile)
                    .build(),
            );
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
        // Before any call: a mistyped region otherwise fails as an unreachable endpoint.
        let custom_endpoint = globals.endpoint_url.is_some()
            || std::env::var("AWS_ENDPOINT_URL").is_ok_and(|u| !u.is_empty());
        region::check(
            sdk.region().map(|r| r.as_ref()).unwrap_or(""),
            custom_endpoint,
        )?;
        if let Some(p) = active.as_ref().filter(|p| p.sso && uses_profile(p)) {
            check_sso(&sdk, &p.name).await?;
        }
        Ok(Self {
            globals: globals.clone(),
            names: RelayNames::new(&globals.stack),
            printer: Printer::new(globals),
            config: crate::config::Loaded::default(),
            sdk,
            cloudformation: OnceLock::new(),
            ec2: OnceLock::new(),
            elb: OnceLock::new(),
            events: OnceLock::new(),
            sqs: OnceLock::new(),
            logs: OnceLock::new(),
            cloudwatch: OnceLock::new(),
            sts: OnceLock::new(),
            secretsmanager: OnceLock::new(),
            acm: OnceLock::new(),
            lambda: OnceLock::new(),
            route53: OnceLock::new(),
            service_discovery: OnceLock::new(),
            identity: tokio::sync::OnceCell::new(),
            profile: active,
        })
    }

    /// The same profile, credentials, endpoint and stack in another Region: a relay pair's
    /// secondary (`deploy --secondary-region`). The account is asked again, and must match.
    pub async fn in_region(&self, region: &str) -> Result<Self> {
        let mut globals = self.globals.clone();
        globals.region = Some(region.to_string());
        let mut other = Self::load(&globals).await?;
        other.config = self.config.clone();
        Ok(other)
    }

    /// The account the credentials belong to (GetCallerIdentity, asked once per run).
    pub async fn identity(&self) -> Result<&Identity> {
        self.identity
            .get_or_try_init(|| async {
                let sts = self.sts.get_or_init(|| aws_sdk_sts::Client::new(&self.sdk));
                sts::caller_identity(sts)
                    .await
                    .map_err(|e| match &self.profile {
                        Some(p)
                            if p.sso && uses_profile(p) && e.message.contains("credentials") =>
                        {
                            profile::sso_expired(&p.name, &e.message)
                        }
                        _ => e,
                    })
            })
            .await
    }

    /// "account 123456789012 in us-east-1": what every prompt and result names.
    pub async fn scope(&self) -> Result<String> {
        let account = &self.identity().await?.account;
        Ok(format!("account {account} in {}", self.region()))
    }

    /// Adds to a command's error what only the run knows: which profile gave no credentials
    /// (the SDK's error cannot name it, and "set AWS_PROFILE" misleads someone who did).
    pub fn explain(&self, mut e: Error) -> Error {
        let Some(p) = self.profile.as_ref().filter(|p| !p.sso && uses_profile(p)) else {
            return e;
        };
        let cause = e.aws.as_ref().map(|a| a.cause);
        if matches!(
            cause,
            Some(crate::error::Cause::NoCredentials | crate::error::Cause::Credentials)
        ) {
            let files = profile::config_files(|k| std::env::var(k).ok());
            e.hint = Some(profile::without_credentials(p, &files));
        }
        e
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

    pub fn cloudwatch(&self) -> &aws_sdk_cloudwatch::Client {
        self.cloudwatch
            .get_or_init(|| aws_sdk_cloudwatch::Client::new(&self.sdk))
    }

    pub fn secretsmanager(&self) -> &aws_sdk_secretsmanager::Client {
        self.secretsmanager
            .get_or_init(|| aws_sdk_secretsmanager::Client::new(&self.sdk))
    }

    pub fn acm(&self) -> &aws_sdk_acm::Client {
        self.acm.get_or_init(|| aws_sdk_acm::Client::new(&self.sdk))
    }

    pub fn lambda(&self) -> &aws_sdk_lambda::Client {
        self.lambda
            .get_or_init(|| aws_sdk_lambda::Client::new(&self.sdk))
    }

    pub fn route53(&self) -> &aws_sdk_route53::Client {
        self.route53
            .get_or_init(|| aws_sdk_route53::Client::new(&self.sdk))
    }

    pub fn service_discovery(&self) -> &aws_sdk_servicediscovery::Client {
        self.service_discovery
            .get_or_init(|| aws_sdk_servicediscovery::Client::new(&self.sdk))
    }
}

/// Whether the profile's credentials are the ones in use: always for `--profile`; for
/// `AWS_PROFILE` or the default profile only when no keys are exported (they come first).
fn uses_profile(p: &profile::ActiveProfile) -> bool {
    p.explicit || std::env::var_os("AWS_ACCESS_KEY_ID").is_none()
}

/// An SSO profile's token expires daily: ask for the credentials up front, so the operator is
/// told to log in rather than that there are no credentials.
async fn check_sso(sdk: &SdkConfig, name: &str) -> Result<()> {
    let Some(provider) = sdk.credentials_provider() else {
        return Ok(());
    };
    match provider.provide_credentials().await {
        Ok(_) => Ok(()),
        Err(e) => Err(profile::sso_expired(
            name,
            &aws_smithy_types::error::display::DisplayErrorContext(&e).to_string(),
        )),
    }
}
