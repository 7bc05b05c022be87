//! The AWS layer: one module per service, small functions taking the SDK client and
//! returning evrelay types.

pub mod sts;
