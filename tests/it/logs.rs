//! `evrelay logs`
