//! Plain data and pure decisions shared by commands: no AWS calls, no printing, so each is
//! unit-tested without a server.

pub mod arn;
pub mod dlq_record;
pub mod event;
pub mod failure_record;
pub mod health;
pub mod log_line;
pub mod policy;
pub mod rate;
pub mod schedule;
pub mod suggest;
pub mod text;
