//! Load balancers: which internal ALB the relay should call, and the URL it would use.
//! Pure functions over plain structs.

use serde::Serialize;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LoadBalancerView {
    pub name: String,
    pub arn: String,
    pub dns_name: String,
    /// `internal` or `internet-facing`.
    pub scheme: String,
    /// `application`, `network`, `gateway`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `active`, `provisioning`, `failed`, …
    pub state: String,
    pub vpc_id: String,
    pub security_groups: Vec<String>,
    pub subnet_ids: Vec<String>,
    /// Only fetched for internal ALBs.
    pub listeners: Vec<Listener>,
    /// The URL evrelay would POST to (internal ALBs with an HTTP(S) listener only).
    pub url: Option<String>,
    /// Why it is or is not picked (filled in by the discovery).
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Listener {
    pub protocol: String,
    pub port: u16,
}

impl std::fmt::Display for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.protocol, self.port)
    }
}

impl LoadBalancerView {
    pub fn is_internal_alb(&self) -> bool {
        self.scheme == "internal" && self.kind == "application"
    }
}

/// The listener evrelay would use: HTTPS if there is one (443 first), else HTTP (80 first).
pub fn preferred_listener(listeners: &[Listener]) -> Option<&Listener> {
    let rank = |l: &Listener| {
        let scheme = if l.protocol == "HTTPS" { 0 } else { 1 };
        let default_port =
            if (l.protocol == "HTTPS" && l.port == 443) || (l.protocol == "HTTP" && l.port == 80) {
                0
            } else {
                1
            };
        (scheme, default_port, l.port)
    };
    listeners
        .iter()
        .filter(|l| l.protocol == "HTTP" || l.protocol == "HTTPS")
        .min_by_key(|l| rank(l))
}

/// `http://dns/` or `https://dns/`, with the port only when it is not the scheme's default.
pub fn url_for(dns_name: &str, listener: &Listener) -> String {
    let scheme = listener.protocol.to_ascii_lowercase();
    match (scheme.as_str(), listener.port) {
        ("http", 80) | ("https", 443) => format!("{scheme}://{dns_name}/"),
        (_, port) => format!("{scheme}://{dns_name}:{port}/"),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoadBalancerPick {
    pub name: String,
    pub arn: String,
    pub url: String,
    /// The listener port the relay will connect to (for security-group checks).
    pub port: u16,
    pub reason: String,
}

/// An internal application load balancer with an HTTP(S) listener; active ones first, then
/// HTTPS ones, then by name. Internet-facing load balancers are never picked: the relay exists
/// to reach what EventBridge cannot.
pub fn pick_load_balancer(lbs: &[LoadBalancerView]) -> Option<LoadBalancerPick> {
    let mut usable: Vec<(&LoadBalancerView, &Listener)> = lbs
        .iter()
        .filter(|lb| lb.is_internal_alb())
        .filter_map(|lb| preferred_listener(&lb.listeners).map(|l| (lb, l)))
        .collect();
    usable.sort_by_key(|(lb, l)| (lb.state != "active", l.protocol != "HTTPS", lb.name.clone()));
    let (lb, listener) = *usable.first()?;
    let mut reason = format!("internal application load balancer, {} listener", listener);
    if usable.len() > 1 {
        reason.push_str(&format!(
            " (first of {} internal ALBs: pass --url to choose another)",
            usable.len()
        ));
    }
    if listener.protocol == "HTTPS" {
        reason.push_str("; the relay checks the certificate against this host name");
    }
    Some(LoadBalancerPick {
        name: lb.name.clone(),
        arn: lb.arn.clone(),
        url: url_for(&lb.dns_name, listener),
        port: listener.port,
        reason,
    })
}

/// Why a load balancer is not picked, for the table.
pub fn not_picked_reason(lb: &LoadBalancerView) -> Option<&'static str> {
    if lb.scheme != "internal" {
        Some("internet-facing: never picked")
    } else if lb.kind != "application" {
        Some("not an application load balancer")
    } else if preferred_listener(&lb.listeners).is_none() {
        Some("no HTTP or HTTPS listener")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listener(protocol: &str, port: u16) -> Listener {
        Listener {
            protocol: protocol.into(),
            port,
        }
    }

    fn lb(name: &str, scheme: &str, kind: &str, listeners: Vec<Listener>) -> LoadBalancerView {
        LoadBalancerView {
            name: name.into(),
            arn: format!("arn:{name}"),
            dns_name: format!("{name}.elb.amazonaws.com"),
            scheme: scheme.into(),
            kind: kind.into(),
            state: "active".into(),
            listeners,
            ..Default::default()
        }
    }

    #[test]
    fn url_scheme_follows_the_listener() {
        assert_eq!(url_for("a.elb", &listener("HTTP", 80)), "http://a.elb/");
        assert_eq!(url_for("a.elb", &listener("HTTPS", 443)), "https://a.elb/");
        assert_eq!(
            url_for("a.elb", &listener("HTTP", 8080)),
            "http://a.elb:8080/"
        );
        assert_eq!(
            url_for("a.elb", &listener("HTTPS", 8443)),
            "https://a.elb:8443/"
        );
    }

    #[test]
    fn https_is_preferred_then_default_ports() {
        let ls = [
            listener("HTTP", 80),
            listener("HTTPS", 8443),
            listener("HTTPS", 443),
        ];
        assert_eq!(preferred_listener(&ls), Some(&listener("HTTPS", 443)));
        let ls = [listener("HTTP", 8080), listener("HTTP", 80)];
        assert_eq!(preferred_listener(&ls), Some(&listener("HTTP", 80)));
        assert_eq!(preferred_listener(&[listener("TCP", 80)]), None);
    }

    #[test]
    fn internet_facing_and_network_lbs_are_never_picked() {
        let lbs = [
            lb(
                "public",
                "internet-facing",
                "application",
                vec![listener("HTTPS", 443)],
            ),
            lb("nlb", "internal", "network", vec![listener("TCP", 80)]),
            lb("app", "internal", "application", vec![listener("HTTP", 80)]),
        ];
        let pick = pick_load_balancer(&lbs).unwrap();
        assert_eq!(pick.name, "app");
        assert_eq!(pick.url, "http://app.elb.amazonaws.com/");
        assert_eq!(pick.port, 80);
        assert!(!pick.reason.contains("first of"));
        assert_eq!(
            not_picked_reason(&lbs[0]),
            Some("internet-facing: never picked")
        );
        assert_eq!(not_picked_reason(&lbs[2]), None);
        assert!(pick_load_balancer(&lbs[..2]).is_none());
    }

    #[test]
    fn several_internal_albs_prefer_active_then_https_and_say_so() {
        let mut provisioning = lb(
            "a-new",
            "internal",
            "application",
            vec![listener("HTTPS", 443)],
        );
        provisioning.state = "provisioning".into();
        let lbs = [
            provisioning,
            lb(
                "b-http",
                "internal",
                "application",
                vec![listener("HTTP", 80)],
            ),
            lb(
                "c-https",
                "internal",
                "application",
                vec![listener("HTTPS", 443)],
            ),
            lb("d-none", "internal", "application", vec![]),
        ];
        let pick = pick_load_balancer(&lbs).unwrap();
        assert_eq!(pick.name, "c-https");
        assert_eq!(pick.url, "https://c-https.elb.amazonaws.com/");
        assert!(
            pick.reason.contains("first of 3 internal ALBs"),
            "{}",
            pick.reason
        );
        assert_eq!(
            not_picked_reason(&lbs[3]),
            Some("no HTTP or HTTPS listener")
        );
    }
}
