//! ARNs evrelay takes as flag values.

/// An IAM role ARN, `arn:PARTITION:iam::ACCOUNT:role/NAME` (deploy's, destroy's and policy's
/// `--role-arn`; a bad one is a usage error).
pub fn parse_role_arn(s: &str) -> Result<String, String> {
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    let ok = parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "iam"
        && parts[3].is_empty()
        && parts[4].len() == 12
        && parts[4].chars().all(|c| c.is_ascii_digit())
        && parts[5].starts_with("role/")
        && parts[5].len() > "role/".len();
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!(
            "`{s}` is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME)"
        ))
    }
}
