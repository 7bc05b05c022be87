//! Whether the relay will trust the certificate a listener presents, from what ACM says about
//! it (DescribeCertificate's `Type`, `Issuer`, `CertificateAuthorityArn`). The relay trusts the
//! public CAs of its runtime plus whatever `deploy --ca-bundle` adds; discover says when the
//! bundle is needed so an operator does not find out from failed deliveries.

use serde::Serialize;

/// What ACM says about one listener certificate.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CertificateFacts {
    pub arn: String,
    /// ACM's `Type`: AMAZON_ISSUED, IMPORTED or PRIVATE.
    pub kind: String,
    /// ACM's `Issuer` (the issuing CA's name).
    pub issuer: Option<String>,
    /// The ACM Private CA that issued a PRIVATE certificate.
    pub certificate_authority_arn: Option<String>,
}

/// discover's `certificate_issuer`: who issued the picked listener's default certificate, and
/// what the relay needs to trust it (None when the relay trusts it as is).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateIssuer {
    pub certificate_arn: String,
    /// ACM's `Type` of the certificate.
    #[serde(rename = "type")]
    pub kind: String,
    pub issuer: Option<String>,
    pub certificate_authority_arn: Option<String>,
    /// What to do so the relay trusts it; None when a public CA issued it.
    pub note: Option<String>,
}

/// The trust verdict for a listener's certificate. Amazon-issued certificates chain to public
/// roots the relay trusts; a PRIVATE one never does; an IMPORTED one may come from anywhere.
pub fn certificate_issuer(c: &CertificateFacts) -> CertificateIssuer {
    let issuer = c.issuer.as_deref().unwrap_or("an unnamed CA");
    let note = match c.kind.as_str() {
        "AMAZON_ISSUED" => None,
        "PRIVATE" => Some(match &c.certificate_authority_arn {
            Some(ca) => format!(
                "issued by ACM Private CA `{issuer}`, which the relay does not trust by default: deploy with --ca-bundle FILE holding that CA's certificate (aws acm-pca get-certificate-authority-certificate --certificate-authority-arn {ca} --query Certificate --output text > ca.pem)"
            ),
            None => format!(
                "issued by ACM Private CA `{issuer}`, which the relay does not trust by default: deploy with --ca-bundle FILE holding that CA's certificate (aws acm-pca get-certificate-authority-certificate)"
            ),
        }),
        "IMPORTED" => Some(format!(
            "imported, issued by `{issuer}`: if that is a private or corporate CA, deploy with --ca-bundle FILE holding its certificate (PEM)"
        )),
        other => Some(format!(
            "ACM type `{other}`, issued by `{issuer}`: if that CA is not publicly trusted, deploy with --ca-bundle FILE holding its certificate (PEM)"
        )),
    };
    CertificateIssuer {
        certificate_arn: c.arn.clone(),
        kind: c.kind.clone(),
        issuer: c.issuer.clone(),
        certificate_authority_arn: c.certificate_authority_arn.clone(),
        note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(kind: &str, issuer: &str, ca: Option<&str>) -> CertificateFacts {
        CertificateFacts {
            arn: "arn:aws:acm:us-east-1:123456789012:certificate/1".into(),
            kind: kind.into(),
            issuer: Some(issuer.into()),
            certificate_authority_arn: ca.map(str::to_string),
        }
    }

    #[test]
    fn an_amazon_issued_certificate_needs_nothing() {
        assert_eq!(
            certificate_issuer(&cert("AMAZON_ISSUED", "Amazon", None)).note,
            None
        );
    }

    #[test]
    fn a_private_ca_certificate_needs_the_bundle_and_says_how_to_get_it() {
        let ca = "arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/abc";
        let note = certificate_issuer(&cert("PRIVATE", "Corp Root", Some(ca)))
            .note
            .unwrap();
        assert!(note.contains("--ca-bundle"), "{note}");
        assert!(note.contains("Corp Root"), "{note}");
        assert!(
            note.contains(&format!(
                "get-certificate-authority-certificate --certificate-authority-arn {ca}"
            )),
            "{note}"
        );
    }

    #[test]
    fn an_imported_certificate_names_its_issuer_and_points_at_the_bundle() {
        let note = certificate_issuer(&cert("IMPORTED", "Corp Issuing CA 2", None))
            .note
            .unwrap();
        assert!(note.contains("imported"), "{note}");
        assert!(note.contains("`Corp Issuing CA 2`"), "{note}");
        assert!(note.contains("--ca-bundle"), "{note}");
        assert!(!note.contains("acm-pca"), "{note}");
    }
}
