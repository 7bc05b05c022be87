//! The AWS layer: one module per service, each call a small function taking the SDK client
//! and returning evrelay's own types, paginated where the API pages.

pub mod eventbridge;
pub mod logs;
pub mod retry;
pub mod sqs;
pub mod sts;
