//! One integration-test binary (the SDK crates link once): the real `evrelay` binary against a
//! real moto server, through the real SDK. Modules per command.

mod cli;
mod config;
mod deploy_flags;
mod deploy_waits;
mod destroy_refusals;
mod destroy_vpc_users;
mod discover;
mod dlq;
mod dlq_dropped;
mod edges_deploy;
mod edges_destroy;
mod fixtures;
mod harness;
mod health;
mod hold_proxy;
mod listener_hosts;
mod live_waits;
mod logs;
mod ops_fixtures;
mod output;
mod policy;
mod review;
mod safety;
mod safety_dry;
mod safety_interrupt;
mod secrets;
mod send;
mod send_big;
mod send_diagnosis;
mod send_rate;
mod send_throttle;
mod snap;
mod stack;
mod stack_token;
mod status_function;
