//! `evrelay status` of a relay pair: when this Region holds the global endpoint named after the
//! stack (`deploy --secondary-region`), a section with the endpoint, its Route 53 health check,
//! the Region that receives events now (and how that was decided), the secondary Region's relay
//! in brief (read with the same status pieces, in that Region) and the size of the archive on
//! the secondary's bus. A single-Region stack has no endpoint, and its status is unchanged.

use serde::Serialize;

use super::buffer::{self, Backlog};
use super::QueueDepth;
use crate::aws::global_endpoint::{self, GlobalEndpoint};
use crate::aws::replay::{describe_archive, Archive};
use crate::context::Context;
use crate::error::Result;
use crate::names::GlobalNames;
use crate::stack::{describe_stack, physical_id};

mod routing;
mod view;

pub use view::section;

#[derive(Debug, Clone, Serialize)]
pub struct GlobalEndpointStatus {
    pub name: String,
    pub id: String,
    pub url: String,
    pub state: String,
    pub state_reason: String,
    pub primary_region: String,
    pub secondary_region: String,
    pub replication: bool,
    /// The Region EventBridge routes the endpoint's events to now (null when Route 53 has not
    /// said), with `active_region_basis`: how that was decided.
    pub active_region: Option<String>,
    pub active_region_basis: String,
    pub health_check: HealthCheckStatus,
    /// The secondary Region's relay (null when it could not be read).
    pub secondary: Option<SecondaryRelay>,
    /// The archive of the secondary's bus (null when there is none).
    pub archive: Option<Archive>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HealthCheckStatus {
    pub id: String,
    /// False when Route 53 has no such health check.
    pub found: bool,
    /// Inverted: Route 53 reports the opposite of what its checkers see (the failover drill).
    pub inverted: bool,
    /// Route 53's latest report from each checker (GetHealthCheckStatus), newest first.
    pub reports: Vec<String>,
    /// The health check's status, inversion applied: healthy keeps events in the primary.
    pub healthy: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SecondaryRelay {
    pub region: String,
    pub stack: String,
    /// The relay stack's status there (null when it is not there).
    pub status: Option<String>,
    pub delivery: Option<String>,
    pub dlq: Option<QueueDepth>,
    /// The buffer's depth, with buffered delivery.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backlog: Option<Backlog>,
}

/// The pair's section, or `None` for a single-Region stack. A read that fails is a warning:
/// the stack's own status is the point of `status`.
pub async fn fetch(ctx: &Context) -> Option<GlobalEndpointStatus> {
    let warn = |what: &str, e: crate::error::Error| {
        ctx.printer
            .warn(&format!("could not read {what}: {}", e.message));
    };
    let endpoint = global_endpoint::describe(ctx.events(), &ctx.names.stack)
        .await
        .map_err(|e| warn("the global endpoint", e))
        .ok()
        .flatten()?;
    let (health_check, secondary) = tokio::join!(health_check(ctx, &endpoint), async {
        match ctx.in_region(&endpoint.secondary_region).await {
            Ok(other) => {
                let (relay, archive) = tokio::join!(secondary_relay(&other), archive(&other));
                (
                    relay
                        .map_err(|e| warn("the secondary Region's relay", e))
                        .ok(),
                    archive.map_err(|e| warn("the archive", e)).ok().flatten(),
                )
            }
            Err(e) => {
                warn(
                    &format!("the secondary Region {}", endpoint.secondary_region),
                    e,
                );
                (None, None)
            }
        }
    });
    let health_check = health_check.unwrap_or_else(|e| {
        warn("the Route 53 health check", e);
        HealthCheckStatus {
            id: endpoint.health_check_id.clone(),
            found: true,
            inverted: false,
            reports: Vec::new(),
            healthy: None,
        }
    });
    let routing = routing::decide(&endpoint, &health_check);
    let (secondary, archive) = secondary;
    Some(GlobalEndpointStatus {
        name: endpoint.name,
        id: endpoint.id,
        url: endpoint.url,
        state: endpoint.state,
        state_reason: endpoint.state_reason,
        primary_region: endpoint.primary_region,
        secondary_region: endpoint.secondary_region,
        replication: endpoint.replication,
        active_region: routing.active_region,
        active_region_basis: routing.basis,
        health_check: HealthCheckStatus {
            healthy: routing.healthy,
            ..health_check
        },
        secondary,
        archive,
    })
}

/// GetHealthCheck (inverted or not) and GetHealthCheckStatus (the checkers' reports).
async fn health_check(ctx: &Context, endpoint: &GlobalEndpoint) -> Result<HealthCheckStatus> {
    let id = &endpoint.health_check_id;
    let Some(check) = global_endpoint::health_check(ctx.route53(), id).await? else {
        return Ok(HealthCheckStatus {
            id: id.clone(),
            found: false,
            inverted: false,
            reports: Vec::new(),
            healthy: None,
        });
    };
    Ok(HealthCheckStatus {
        id: id.clone(),
        found: true,
        inverted: check.inverted,
        reports: global_endpoint::health_check_reports(ctx.route53(), id).await?,
        healthy: None,
    })
}

/// The relay stack in the secondary Region, read as `status` reads it here.
async fn secondary_relay(other: &Context) -> Result<SecondaryRelay> {
    let names = &other.names;
    let info = describe_stack(other.cloudformation(), &names.stack).await?;
    let delivery = info.as_ref().map(|i| i.delivery().to_string());
    let (dlq, buffer) = tokio::join!(
        super::queue_depth(other.sqs(), "dlq", &names.dlq),
        buffer::fetch(other, delivery.clone().unwrap_or_default(), false),
    );
    Ok(SecondaryRelay {
        region: other.region().to_string(),
        stack: names.stack.clone(),
        status: info.map(|i| i.status),
        delivery,
        dlq: Some(dlq?),
        backlog: buffer.backlog,
    })
}

/// The archive stack's `Archive` (its physical id is the archive's name), described.
async fn archive(other: &Context) -> Result<Option<Archive>> {
    let stack = GlobalNames::new(&other.names.stack).archive_stack;
    if describe_stack(other.cloudformation(), &stack)
        .await?
        .is_none()
    {
        return Ok(None);
    }
    let Some(name) = physical_id(other.cloudformation(), &stack, "Archive").await? else {
        return Ok(None);
    };
    describe_archive(other.events(), &name).await
}
