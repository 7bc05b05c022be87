//! deploy / status / destroy: the stack machinery against recorded AWS responses (what moto
//! cannot show), and the real binary against moto (the cycle, preflight, endpoints).

mod account_limits;
mod account_rules;
pub mod cycle;
mod mocks;
pub mod net;
