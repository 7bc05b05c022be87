//! Deploy's preflight (placeholder until crate::network lands).

use super::params::{Picks, Settings};
use super::report::EndpointAction;
use crate::context::Context;
use crate::endpoints::NewEndpoint;
use crate::error::{Error, Result};

#[derive(Debug, Clone)]
pub enum EndpointPlan {
    Reuse(String),
    Create(NewEndpoint),
}

#[derive(Debug, Clone)]
pub struct NetworkPlan {
    pub vpc_id: String,
    pub secrets: (EndpointPlan, String),
    pub events: Option<(EndpointPlan, String)>,
}

impl NetworkPlan {
    pub fn endpoints(&self) -> Vec<(&'static str, &EndpointPlan)> {
        let mut out = vec![(crate::endpoints::SECRETS_MANAGER, &self.secrets.0)];
        if let Some((e, _)) = &self.events {
            out.push((crate::endpoints::EVENTS, e));
        }
        out
    }

    pub fn creates_endpoints(&self) -> bool {
        self.endpoints()
            .iter()
            .any(|(_, e)| matches!(e, EndpointPlan::Create(_)))
    }

    pub fn endpoint_actions(&self) -> Vec<EndpointAction> {
        let mut v = vec![action(crate::endpoints::SECRETS_MANAGER, &self.secrets)];
        if let Some(e) = &self.events {
            v.push(action(crate::endpoints::EVENTS, e));
        }
        v
    }
}

fn action(service: &str, (plan, why): &(EndpointPlan, String)) -> EndpointAction {
    match plan {
        EndpointPlan::Reuse(id) => EndpointAction {
            service: service.into(),
            action: "reuse".into(),
            id: Some(id.clone()),
            why: why.clone(),
        },
        EndpointPlan::Create(_) => EndpointAction {
            service: service.into(),
            action: "create".into(),
            id: None,
            why: why.clone(),
        },
    }
}

pub async fn discover_picks(
    _ctx: &Context,
    _vpc: Option<&str>,
    _cluster: Option<&str>,
) -> Result<Picks> {
    Err(Error::failed("--vpc-id/--cluster: not wired yet"))
}

pub async fn run(_ctx: &Context, _settings: &Settings) -> Result<NetworkPlan> {
    Err(Error::failed("preflight: not wired yet"))
}
