//! Which host name the relay talks to: `--url`'s own, or `--host NAME` (sent as `Host` and,
//! over HTTPS, used for SNI and certificate verification). Pure checks and decisions; the
//! listener rules and certificate names they read are fetched by `aws::listener_hosts`.

use url::Url;

use crate::error::{Error, Result};

const URL_HINT: &str =
    "pass the endpoint's full URL, e.g. http://internal-app-123.us-east-1.elb.amazonaws.com/";

/// `--url` is a usage matter: a value without `http(s)://` or a host is a bad flag value
/// (exit 2), caught before any AWS call.
pub fn check_url(raw: &str) -> Result<Url> {
    let url = Url::parse(raw)
        .map_err(|e| Error::usage(format!("--url `{raw}` is not a URL ({e})")).hint(URL_HINT))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(
            Error::usage(format!("--url `{raw}` is not http:// or https://")).hint(URL_HINT),
        );
    }
    if url.host_str().map_or(true, str::is_empty) {
        return Err(Error::usage(format!("--url `{raw}` has no host")).hint(URL_HINT));
    }
    Ok(url)
}

/// `--host NAME`: a DNS name (or an IPv4 address), no scheme, port, path, wildcard or spaces.
/// Lower-cased: host names compare without case, and the template pattern expects it.
pub fn check_host(raw: &str) -> Result<String> {
    let refuse = |why: &str| {
        Error::usage(format!("--host `{raw}` {why}"))
            .hint("pass the host name alone, e.g. --host app.example.com (the name on the endpoint's certificate)")
    };
    if raw.is_empty() {
        return Err(refuse("is empty"));
    }
    if raw.chars().any(char::is_whitespace) {
        return Err(refuse("contains spaces"));
    }
    if raw.contains("://") {
        return Err(refuse("has a scheme; the scheme comes from --url"));
    }
    if raw.contains('/') || raw.contains('?') || raw.contains('#') {
        return Err(refuse("has a path; the path comes from --url"));
    }
    if raw.contains(':') {
        return Err(refuse("has a port; the port comes from --url"));
    }
    if raw.contains('*') {
        return Err(refuse(
            "is a wildcard; name the one host the endpoint serves",
        ));
    }
    let name = raw.trim_end_matches('.').to_ascii_lowercase();
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if name.len() > 253 || !name.split('.').all(label_ok) {
        return Err(refuse("is not a host name"));
    }
    Ok(name)
}

/// AWS's load balancer DNS names: no certificate can name them.
pub fn is_elb_name(host: &str) -> bool {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    h.ends_with(".elb.amazonaws.com") || h.ends_with(".elb.amazonaws.com.cn")
}

/// Preflight's warning for an `https://` URL at a load balancer's own DNS name without
/// `--host`: the relay would verify the certificate against that name, and every event would
/// fail TLS. `cert_domains` are the listener certificate's names, where known.
pub fn elb_https_warning(url: &Url, host: Option<&str>, cert_domains: &[String]) -> Option<String> {
    if url.scheme() != "https" || host.is_some_and(|h| !h.is_empty()) {
        return None;
    }
    let name = url.host_str().filter(|h| is_elb_name(h))?;
    let names = if cert_domains.is_empty() {
        "the name on the listener's certificate".to_string()
    } else {
        format!(
            "one of its certificate's names: {}",
            cert_domains.join(", ")
        )
    };
    Some(format!(
        "--url {url} is a load balancer's own DNS name: no certificate names {name}, so every event would fail TLS \
         verification; pass --host with {names}"
    ))
}

/// A listener's default action, as far as the relay cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DefaultAction {
    Forward,
    FixedResponse,
    /// Where it redirects to (`https://#{host}:443` and the like).
    Redirect(String),
}

/// What `aws::listener_hosts::listener_facts` reads about one listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListenerFacts {
    pub protocol: String,
    pub port: u16,
    pub default_action: DefaultAction,
    /// host-header values of the rules that forward, in priority order (lower-cased).
    pub rule_hosts: Vec<String>,
    /// DomainName and SubjectAlternativeNames of its certificates, the default one first.
    pub certificate_names: Vec<String>,
    /// What ACM says about its ACM certificates (type, issuer), the default one first.
    pub certificates: Vec<crate::cert_issuer::CertificateFacts>,
}

/// discover's `--host` for a listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostPick {
    /// No `--host` needed: the URL's own host reaches the app.
    UrlHost,
    /// Use this host (and why).
    Host { name: String, from: String },
    /// No pick, and what the operator should do.
    Hint(String),
    /// The listener cannot be the relay's target (shown, never picked).
    Unusable(String),
}

fn is_wildcard(name: &str) -> bool {
    name.contains('*') || name.contains('?')
}

/// The host the relay should send for a listener: from its forwarding rules' host-header
/// conditions first (that is how it routes), else, over HTTPS, from its certificate's names.
/// A wildcard yields a hint, not a pick; a listener whose default action redirects is unusable
/// (the relay never follows a redirect), unless a rule forwards for a named host.
pub fn pick_host(f: &ListenerFacts) -> HostPick {
    let exact: Vec<&String> = f.rule_hosts.iter().filter(|h| !is_wildcard(h)).collect();
    if let Some(first) = exact.first() {
        let from = if exact.len() == 1 {
            "the listener rule's host-header".to_string()
        } else {
            format!(
                "the first of the listener rules' host-headers ({}); pass --host for another",
                exact
                    .iter()
                    .map(|h| h.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        return HostPick::Host {
            name: (*first).clone(),
            from,
        };
    }
    if let DefaultAction::Redirect(to) = &f.default_action {
        return HostPick::Unusable(format!(
            "{}:{} redirects to {to}; the relay does not follow redirects",
            f.protocol, f.port
        ));
    }
    if let Some(pattern) = f.rule_hosts.first() {
        return HostPick::Hint(format!(
            "{}:{} routes host {pattern}: pass --host with the app's name",
            f.protocol, f.port
        ));
    }
    if !f.protocol.eq_ignore_ascii_case("HTTPS") {
        return HostPick::UrlHost;
    }
    match f.certificate_names.iter().find(|n| !is_wildcard(n)) {
        Some(name) => HostPick::Host {
            name: name.clone(),
            from: "the listener certificate".to_string(),
        },
        None if f.certificate_names.is_empty() => HostPick::Hint(format!(
            "{}:{}: no certificate names found; pass --host with the name on the listener's certificate",
            f.protocol, f.port
        )),
        None => HostPick::Hint(format!(
            "{}:{}'s certificate names {}: pass --host with the app's name under it",
            f.protocol,
            f.port,
            f.certificate_names.join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_without_a_scheme_or_host_are_usage_errors() {
        for bad in [
            "internal-app.elb.amazonaws.com",
            "ftp://x/",
            "http://",
            "app:8080",
        ] {
            let e = check_url(bad).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{bad}");
            assert!(e.message.contains(bad), "{}", e.message);
            assert!(!e.message.contains('\n'));
        }
        assert_eq!(
            check_url("https://a.example/x").unwrap().host_str(),
            Some("a.example")
        );
    }

    #[test]
    fn a_host_is_a_bare_name() {
        assert_eq!(check_host("App.Example.com.").unwrap(), "app.example.com");
        assert_eq!(check_host("10.0.1.5").unwrap(), "10.0.1.5");
        for (bad, why) in [
            ("https://app.example.com", "scheme"),
            ("app.example.com/api", "path"),
            ("app example.com", "spaces"),
            ("app.example.com:8443", "port"),
            ("*.example.com", "wildcard"),
            ("-app.example.com", "not a host name"),
            ("app..example.com", "not a host name"),
            ("app_1.example.com", "not a host name"),
            ("", "empty"),
        ] {
            let e = check_host(bad).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{bad}");
            assert!(e.message.contains(why), "{bad}: {}", e.message);
            assert!(e.hint.is_some());
        }
    }

    #[test]
    fn https_at_an_elb_name_without_host_warns_with_the_certificate_names() {
        let url = Url::parse("https://internal-app-1.us-east-1.elb.amazonaws.com/").unwrap();
        let w = elb_https_warning(&url, None, &["app.example.com".into()]).unwrap();
        assert!(
            w.contains("internal-app-1.us-east-1.elb.amazonaws.com")
                && w.contains("--host")
                && w.contains("app.example.com"),
            "{w}"
        );
        assert!(elb_https_warning(&url, None, &[])
            .unwrap()
            .contains("listener's certificate"));
        assert_eq!(elb_https_warning(&url, Some("app.example.com"), &[]), None);
        let http = Url::parse("http://internal-app-1.us-east-1.elb.amazonaws.com/").unwrap();
        assert_eq!(elb_https_warning(&http, None, &[]), None);
        let named = Url::parse("https://app.example.com/").unwrap();
        assert_eq!(elb_https_warning(&named, None, &[]), None);
    }

    fn facts(
        protocol: &str,
        action: DefaultAction,
        rules: &[&str],
        certs: &[&str],
    ) -> ListenerFacts {
        ListenerFacts {
            protocol: protocol.into(),
            port: if protocol == "HTTPS" { 443 } else { 80 },
            default_action: action,
            rule_hosts: rules.iter().map(|s| s.to_string()).collect(),
            certificate_names: certs.iter().map(|s| s.to_string()).collect(),
            certificates: vec![],
        }
    }

    #[test]
    fn rules_come_first_then_the_certificate() {
        let f = facts(
            "HTTPS",
            DefaultAction::FixedResponse,
            &["app.example.com"],
            &["*.example.com"],
        );
        assert!(matches!(pick_host(&f), HostPick::Host { name, .. } if name == "app.example.com"));
        let f = facts(
            "HTTPS",
            DefaultAction::Forward,
            &[],
            &["app.example.com", "www.example.com"],
        );
        assert_eq!(
            pick_host(&f),
            HostPick::Host {
                name: "app.example.com".into(),
                from: "the listener certificate".into()
            }
        );
        let f = facts(
            "HTTPS",
            DefaultAction::Forward,
            &["a.example.com", "b.example.com"],
            &[],
        );
        match pick_host(&f) {
            HostPick::Host { name, from } => {
                assert_eq!(name, "a.example.com");
                assert!(from.contains("b.example.com"), "{from}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_wildcard_is_a_hint_not_a_pick() {
        let f = facts("HTTPS", DefaultAction::Forward, &[], &["*.example.com"]);
        assert!(matches!(pick_host(&f), HostPick::Hint(h) if h.contains("*.example.com")));
        let f = facts(
            "HTTP",
            DefaultAction::FixedResponse,
            &["*.apps.internal"],
            &[],
        );
        assert!(matches!(pick_host(&f), HostPick::Hint(h) if h.contains("*.apps.internal")));
        let f = facts("HTTPS", DefaultAction::Forward, &[], &[]);
        assert!(matches!(pick_host(&f), HostPick::Hint(_)));
    }

    #[test]
    fn a_redirecting_listener_is_never_picked_and_plain_http_needs_no_host() {
        let to = DefaultAction::Redirect("https://#{host}:443".into());
        let f = facts("HTTP", to.clone(), &[], &[]);
        assert!(matches!(pick_host(&f), HostPick::Unusable(w) if w.contains("redirects")));
        // A rule that forwards a named host still reaches the app.
        let f = facts("HTTP", to, &["app.example.com"], &[]);
        assert!(matches!(pick_host(&f), HostPick::Host { .. }));
        assert_eq!(
            pick_host(&facts("HTTP", DefaultAction::Forward, &[], &[])),
            HostPick::UrlHost
        );
    }
}
