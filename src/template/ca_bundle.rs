//! `--ca-bundle FILE`: private CAs (ACM Private CA, a corporate CA) the relay trusts besides
//! the system store, for an endpoint whose certificate no public CA issued.
//!
//! Where the bundle lives: the template's `CaBundle` parameter, passed to the relay as its
//! `CA_BUNDLE` environment variable. The relay reads it without a network call (no bucket, no
//! extra VPC endpoint, nothing more at a cold start) and the template stays the same for every
//! stack. The tightest limit on that path is Lambda's: all of a function's environment
//! variables together take at most 4 KB (Lambda quotas, "Function configuration"); the other
//! variables take under 1 KB, so the bundle gets [`MAX_BYTES`] (a CloudFormation parameter
//! value may hold 4,096). That is one or two CA certificates (an RSA-2048 one is ~1.3 KB in PEM,
//! an ECDSA one ~0.8 KB): the root, or the intermediate that issues the endpoint's certificate.

use crate::error::{Error, Result};

/// The most bytes of PEM the relay's environment takes (the template's `CaBundle` MaxLength).
pub const MAX_BYTES: usize = 3000;

const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
const END: &str = "-----END CERTIFICATE-----";

/// The certificates of a PEM file, as the relay gets them: only the `CERTIFICATE` blocks, one
/// line ending each line (comments such as openssl's `subject=` lines dropped: they cost bytes).
/// Refuses a file that is not PEM, holds a private key, or does not fit the relay's environment.
pub fn check(file: &str, text: &str) -> Result<String> {
    if text.contains("PRIVATE KEY-----") {
        return Err(Error::usage(format!(
            "--ca-bundle {file} holds a private key; a CA bundle holds certificates only"
        ))
        .hint("pass only the CA's certificate (PEM); keep the key where it is"));
    }
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let after = &rest[start + BEGIN.len()..];
        let Some(end) = after.find(END) else {
            return Err(not_pem(file, "a certificate block has no END line"));
        };
        let body: String = after[..end].split_whitespace().collect();
        let base64 = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=');
        if body.len() < 64 || !body.chars().all(base64) {
            return Err(not_pem(file, "a certificate block is not base64"));
        }
        out.push_str(BEGIN);
        out.push('\n');
        for chunk in body.as_bytes().chunks(64) {
            out.push_str(std::str::from_utf8(chunk).expect("base64 is ASCII"));
            out.push('\n');
        }
        out.push_str(END);
        out.push('\n');
        rest = &after[end + END.len()..];
    }
    if out.is_empty() {
        return Err(not_pem(file, "no `-----BEGIN CERTIFICATE-----` block"));
    }
    if out.len() > MAX_BYTES {
        return Err(Error::usage(format!(
            "--ca-bundle {file}: {} bytes of certificates; the relay's environment takes at most {MAX_BYTES}",
            out.len()
        ))
        .hint("keep only the CA that issues the endpoint's certificate (its root or issuing intermediate)"));
    }
    Ok(out)
}

fn not_pem(file: &str, why: &str) -> Error {
    Error::usage(format!(
        "--ca-bundle {file} is not a PEM certificate bundle: {why}"
    ))
    .hint("convert a DER certificate with `openssl x509 -inform der -in ca.cer -out ca.pem`")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(fill: char, lines: usize) -> String {
        let line: String = std::iter::repeat(fill).take(64).collect();
        format!("{BEGIN}\n{}{END}\n", format!("{line}\n").repeat(lines))
    }

    #[test]
    fn certificates_are_kept_and_everything_else_dropped() {
        let text = format!(
            "subject=CN = Corp Root\r\n{}\r\nissuer=…\n{}",
            cert('A', 3).replace('\n', "\r\n"),
            cert('B', 2)
        );
        assert_eq!(
            check("ca.pem", &text).unwrap(),
            format!("{}{}", cert('A', 3), cert('B', 2))
        );
    }

    #[test]
    fn a_private_key_is_refused_without_quoting_it() {
        let text = format!(
            "{}-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\n",
            cert('A', 3)
        );
        let e = check("mixed.pem", &text).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.message.contains("private key") && !e.message.contains("c2VjcmV0"));
        let rsa = "-----BEGIN RSA PRIVATE KEY-----\nx\n-----END RSA PRIVATE KEY-----\n";
        assert!(check("k.pem", rsa)
            .unwrap_err()
            .message
            .contains("private key"));
    }

    #[test]
    fn not_pem_is_refused_with_the_reason() {
        for (text, why) in [
            ("0\u{82}\u{3}", "no `-----BEGIN CERTIFICATE-----` block"),
            (&format!("{BEGIN}\nAAAA\n") as &str, "no END line"),
            (
                &format!("{BEGIN}\n{}\n{END}\n", "*".repeat(70)),
                "not base64",
            ),
        ] {
            let e = check("ca.der", text).unwrap_err();
            assert_eq!(e.exit_code(), 2);
            assert!(e.message.contains(why), "{}", e.message);
        }
    }

    #[test]
    fn a_bundle_too_big_for_the_environment_is_refused_with_the_numbers() {
        let big = cert('A', 25).repeat(2);
        let e = check("all.pem", &big).unwrap_err();
        assert!(e.message.contains(&format!("{} bytes", big.len())) && e.message.contains("3000"));
        assert!(check("one.pem", &cert('A', 25)).is_ok());
    }

    #[test]
    fn the_template_limits_the_parameter_the_same() {
        let t = super::super::TEMPLATE_SOURCE;
        let block = t
            .split("\n  CaBundle:\n")
            .nth(1)
            .expect("CaBundle parameter");
        assert!(block.contains(&format!("MaxLength: {MAX_BYTES}")));
        assert!(t.contains("CA_BUNDLE: !Ref CaBundle"));
    }
}
