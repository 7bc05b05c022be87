//! The pair's section of `evrelay status`, line by line.

use super::{GlobalEndpointStatus, SecondaryRelay};
use crate::printer::Style;

fn secondary_line(s: &SecondaryRelay) -> String {
    let Some(status) = &s.status else {
        return format!("{}: stack {} not found", s.region, s.stack);
    };
    let mut parts = vec![format!("{}: stack {status}", s.region)];
    if let Some(d) = &s.delivery {
        parts.push(format!("{d} delivery"));
    }
    match s.dlq.as_ref().and_then(|q| q.visible) {
        Some(n) => parts.push(format!("DLQ {n}")),
        None => parts.push("DLQ not found".into()),
    }
    if let Some(b) = s.backlog.as_ref().filter(|b| b.found) {
        parts.push(format!(
            "buffer {} waiting, {} in flight",
            b.visible, b.in_flight
        ));
    }
    parts.join(", ")
}

pub fn section(pair: Option<&GlobalEndpointStatus>, style: &Style) -> String {
    let Some(p) = pair else {
        return String::new();
    };
    let state = match p.state.as_str() {
        "ACTIVE" => style.green(&p.state),
        s if s.ends_with("_FAILED") => style.red(&p.state),
        _ => style.yellow(&p.state),
    };
    let mut rows: Vec<(&str, String)> = Vec::new();
    if !p.state_reason.is_empty() {
        rows.push(("reason", p.state_reason.clone()));
    }
    rows.push(("URL", p.url.clone()));
    rows.push((
        "regions",
        format!(
            "primary {}, secondary {}; replication {}",
            p.primary_region,
            p.secondary_region,
            if p.replication { "on" } else { "off" }
        ),
    ));
    let h = &p.health_check;
    let check = match (h.found, h.healthy) {
        (false, _) => style.red("not found"),
        (true, Some(true)) => style.green("healthy"),
        (true, Some(false)) => style.yellow("unhealthy"),
        (true, None) => "no reports yet".into(),
    };
    let inverted = if h.inverted {
        style.yellow("inverted (failover drill)")
    } else {
        "not inverted".into()
    };
    rows.push(("health check", format!("{}: {check}, {inverted}", h.id)));
    let receiving = match &p.active_region {
        Some(r) => format!("{} ({})", style.bold(r), p.active_region_basis),
        None => p.active_region_basis.clone(),
    };
    rows.push(("receiving", receiving));
    rows.push((
        "secondary",
        p.secondary
            .as_ref()
            .map_or_else(|| "could not be read".into(), secondary_line),
    ));
    let archive = match &p.archive {
        Some(a) => format!(
            "{}: {}, {} events, {} bytes, {}",
            a.name,
            a.state,
            a.event_count,
            a.size_bytes,
            match a.retention_days {
                0 => "kept indefinitely".to_string(),
                d => format!("kept {d} days"),
            }
        ),
        None => format!("none on the bus in {}", p.secondary_region),
    };
    rows.push(("archive", archive));
    let mut out = format!(
        "\nGlobal endpoint {} ({}): {state}\n",
        style.bold(&p.name),
        p.id
    );
    for (k, v) in rows {
        out.push_str(&format!("  {:<13} {v}\n", k));
    }
    out
}
