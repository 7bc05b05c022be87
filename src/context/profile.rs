//! Which profile a run uses, as the AWS CLI decides it: an explicit `--profile` selects that
//! profile's credentials even when `AWS_ACCESS_KEY_ID` is exported (botocore: "explicit profile
//! overrides environment variables"); `AWS_PROFILE` is not explicit, so exported keys still win
//! there. A profile named by either that the config files do not define is an error, not a
//! silent fall-through to whatever else is configured: botocore raises `ProfileNotFound` for an
//! `AWS_PROFILE` it cannot find even when keys are exported ("The config profile (x) could not
//! be found"), so a typo in `AWS_PROFILE` never runs against the account the keys belong to.

use aws_types::os_shim_internal::{Env, Fs};

use crate::error::{Error, Result};

/// The profile a run reads, and what kind it is (for the hint when its credentials fail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveProfile {
    pub name: String,
    pub explicit: bool,
    /// `sso_session` or `sso_start_url`: its credentials need `aws sso login`.
    pub sso: bool,
}

/// Reads the config files; an explicit profile that is not there is a usage error naming it and
/// the files read. `None` when nothing explicit was asked and the files say nothing.
pub async fn resolve(explicit: Option<&str>) -> Result<Option<ActiveProfile>> {
    let env_profile = std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty());
    let name = match (explicit, &env_profile) {
        (Some(p), _) => p.to_string(),
        (None, Some(p)) => p.clone(),
        (None, None) => "default".to_string(),
    };
    let files = config_files(|k| std::env::var(k).ok());
    let set = match aws_config::profile::load(&Fs::real(), &Env::real(), &Default::default(), None)
        .await
    {
        Ok(set) => set,
        Err(e) if explicit.is_some() => {
            return Err(Error::usage(format!(
                "--profile {name}: could not read the AWS config files ({files}): {e}"
            ))
            .hint("fix the file named above, or pass another --profile"))
        }
        // The SDK reports an unreadable file itself when it needs it.
        Err(_) => return Ok(None),
    };
    let Some(profile) = set.get_profile(&name) else {
        if explicit.is_some() {
            return Err(unknown(
                "--profile",
                &name,
                &files,
                set.profiles().collect(),
            ));
        }
        if env_profile.is_some() {
            return Err(unknown(
                "AWS_PROFILE=",
                &name,
                &files,
                set.profiles().collect(),
            ));
        }
        return Ok(None);
    };
    Ok(Some(ActiveProfile {
        sso: profile.get("sso_session").is_some() || profile.get("sso_start_url").is_some(),
        explicit: explicit.is_some(),
        name,
    }))
}

/// The files the SDK reads, as the operator would name them.
pub fn config_files(var: impl Fn(&str) -> Option<String>) -> String {
    let config = var("AWS_CONFIG_FILE")
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "~/.aws/config".into());
    let credentials = var("AWS_SHARED_CREDENTIALS_FILE")
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "~/.aws/credentials".into());
    format!("{config} and {credentials}")
}

/// `source` is how the operator named it: `--profile` or `AWS_PROFILE=`.
pub fn unknown(source: &str, name: &str, files: &str, known: Vec<&str>) -> Error {
    let mut known: Vec<&str> = known;
    known.sort_unstable();
    let listed = if known.is_empty() {
        "no profiles are defined there".to_string()
    } else {
        format!("defined: {}", known.join(", "))
    };
    let named = if source.ends_with('=') {
        format!("{source}{name}")
    } else {
        format!("{source} {name}")
    };
    let instead = if source.ends_with('=') {
        "set AWS_PROFILE to one of them (or unset it)"
    } else {
        "pass one of them"
    };
    Error::usage(format!("{named}: no such profile in {files}")).hint(format!(
        "{listed}; {instead}, or add `[profile {name}]` with `aws configure --profile {name}`"
    ))
}

/// The hint for a profile that is in use but gave no credentials: name it and the two ways a
/// profile gets them, instead of "set AWS_PROFILE" to someone who already did.
pub fn without_credentials(p: &ActiveProfile, files: &str) -> String {
    let how = if p.explicit {
        format!("--profile {}", p.name)
    } else if p.name == "default" && std::env::var_os("AWS_PROFILE").is_none() {
        "the default profile".to_string()
    } else {
        format!("AWS_PROFILE={}", p.name)
    };
    let name = &p.name;
    format!(
        "{how} has no usable credentials in {files}: add keys with `aws configure --profile {name}`, \
         set it up for SSO with `aws configure sso --profile {name}`, or name another profile"
    )
}

/// An SSO profile whose cached token is gone or expired.
pub fn sso_expired(name: &str, cause: &str) -> Error {
    Error::failed(format!(
        "profile `{name}`: no credentials from its SSO session (the token has expired or was never fetched)"
    ))
    .hint(format!("run `aws sso login --profile {name}`, then run this again"))
    .detail(cause.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_files_named_are_the_ones_the_sdk_reads() {
        assert_eq!(
            config_files(|_| None),
            "~/.aws/config and ~/.aws/credentials"
        );
        let env = |k: &str| (k == "AWS_CONFIG_FILE").then(|| "/tmp/c".to_string());
        assert_eq!(config_files(env), "/tmp/c and ~/.aws/credentials");
    }

    #[test]
    fn an_unknown_profile_is_a_usage_error_naming_it_and_the_files() {
        let e = unknown("--profile", "nope", "a and b", vec!["prod", "dev"]);
        assert_eq!(e.exit_code(), 2);
        assert!(e.message.contains("nope") && e.message.contains("a and b"));
        assert!(e.hint.unwrap().contains("dev, prod"));
        let e = unknown("AWS_PROFILE=", "nope", "a and b", vec![]);
        assert!(e.message.starts_with("AWS_PROFILE=nope: no such profile"));
        assert!(e
            .hint
            .unwrap()
            .contains("set AWS_PROFILE to one of them (or unset it)"));
        let e = sso_expired("prod", "token expired");
        assert_eq!(e.exit_code(), 1);
        assert!(e.hint.unwrap().contains("aws sso login --profile prod"));
    }

    #[test]
    fn the_hint_for_a_profile_without_credentials_names_it() {
        let p = ActiveProfile {
            name: "dev".into(),
            explicit: true,
            sso: false,
        };
        let hint = without_credentials(&p, "a and b");
        assert!(hint.starts_with("--profile dev has no usable credentials in a and b"));
        assert!(hint.contains("aws configure --profile dev"));
        assert!(!hint.contains("set AWS_PROFILE"));
    }
}
