//! The AWS layer: one module per service, each call a small function taking the SDK client
//! and returning evrelay's own types, paginated where the API pages.

pub mod alarms;
pub mod buffer;
pub mod cloudwatch;
pub mod ec2;
pub mod eventbridge;
pub mod global_endpoint;
pub mod interfaces;
pub mod lambda;
pub mod leftovers;
pub mod listener_hosts;
pub mod log_groups;
pub mod logs;
pub mod logs_policy;
pub mod replay;
pub mod retry;
pub mod route53;
pub mod secretsmanager;
pub mod security_groups;
pub mod service_discovery;
pub mod sqs;
pub mod sqs_move;
pub mod stacks;
pub mod sts;
pub mod vpc_endpoints;
pub mod vpc_view;
