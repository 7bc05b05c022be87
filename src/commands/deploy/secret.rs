//! The endpoint's API key: from stdin, an environment variable, a hidden prompt, or generated;
//! never from argv, never printed. A redeploy without a new key keeps the stack's.

use std::io::{BufRead, IsTerminal};

use crate::error::{Error, Result};

/// The template's `MinLength` for the Secret parameter.
pub const MIN_LEN: usize = 8;
pub const GENERATED_LEN: usize = 32;

/// A secret value that cannot leak through `{:?}`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Stdin,
    Env(String),
    Generate,
    /// No flag: prompt on a terminal, keep the current key on a redeploy, else refuse.
    Unspecified,
}

/// Reads the secret; `Ok(None)` means "keep the stack's current one".
pub fn read(source: &Source, stack_has_secret: bool) -> Result<Option<Secret>> {
    let value = match source {
        // On a terminal, stdin would echo the key as it is typed: ask with echo off instead.
        Source::Stdin if std::io::stdin().is_terminal() => prompt_hidden("API key for the endpoint: ")?,
        Source::Stdin => {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            trim_newline(line)
        }
        Source::Env(var) => std::env::var(var).map_err(|_| {
            Error::usage(format!("--secret-env {var}: the environment variable `{var}` is not set (or not UTF-8)"))
                .hint(format!("export {var}=… first, or use --secret-stdin"))
        })?,
        Source::Generate => generate(),
        Source::Unspecified if stack_has_secret => return Ok(None),
        Source::Unspecified if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() => prompt_hidden("API key for the endpoint: ")?,
        Source::Unspecified => {
            return Err(Error::usage("a first deploy needs the endpoint's API key, and there is no terminal to ask for it")
                .hint("pass --secret-stdin (e.g. `printf %s \"$KEY\" | evrelay deploy --secret-stdin …`), --secret-env VAR, or --generate-secret"))
        }
    };
    validate(value).map(Some)
}

fn trim_newline(mut s: String) -> String {
    while s.ends_with('\n') || s.ends_with('\r') {
        s.pop();
    }
    s
}

/// The template's constraint, checked before anything is created; the message never holds the value.
pub fn validate(value: String) -> Result<Secret> {
    if value.is_empty() {
        return Err(
            Error::usage("the API key is empty").hint("pass a key of at least 8 characters")
        );
    }
    if value.chars().count() < MIN_LEN {
        return Err(Error::usage(format!(
            "the API key is {} characters; it needs at least {MIN_LEN}",
            value.chars().count()
        ))
        .hint("use a longer key, or --generate-secret"));
    }
    Ok(Secret(value))
}

/// 32 characters from the URL-safe alphabet.
pub fn generate() -> String {
    use rand::seq::SliceRandom;
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut rng = rand::thread_rng();
    (0..GENERATED_LEN)
        .map(|_| *ALPHABET.choose(&mut rng).expect("non-empty alphabet") as char)
        .collect()
}

/// A prompt with echo off; the terminal is restored on every path (see `crate::terminal`).
fn prompt_hidden(question: &str) -> Result<String> {
    crate::terminal::read_hidden(question)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_keys_are_refused_without_echoing_them() {
        let e = validate("abc1234".into()).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(!e.message.contains("abc1234"));
        assert!(validate("abcd1234".into()).is_ok());
        assert_eq!(validate(String::new()).unwrap_err().exit_code(), 2);
    }

    #[test]
    fn generated_keys_are_url_safe_and_distinct() {
        let a = generate();
        assert_eq!(a.len(), GENERATED_LEN);
        assert!(a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_ne!(a, generate());
    }

    #[test]
    fn one_trailing_newline_is_trimmed_and_debug_hides_the_value() {
        assert_eq!(trim_newline("key-12345\r\n".into()), "key-12345");
        assert_eq!(
            format!("{:?}", validate("key-12345".into()).unwrap()),
            "Secret(<redacted>)"
        );
    }

    #[test]
    fn a_redeploy_without_a_source_keeps_the_key_and_a_first_deploy_refuses() {
        assert_eq!(read(&Source::Unspecified, true).unwrap(), None);
        // Under `cargo test` stdin is not a terminal.
        if !std::io::stdin().is_terminal() {
            assert_eq!(
                read(&Source::Unspecified, false).unwrap_err().exit_code(),
                2
            );
        }
    }
}
