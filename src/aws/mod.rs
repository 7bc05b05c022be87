//! The AWS layer: small functions taking an SDK client and returning evrelay's own types.

pub mod ec2;
pub mod logs_policy;
pub mod stacks;
pub mod vpc_endpoints;
