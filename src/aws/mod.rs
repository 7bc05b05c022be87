//! The AWS layer for the services only the relay's features call: small functions taking the
//! SDK client and returning evrelay's own types.

pub mod listener_hosts;
pub mod secretsmanager;
