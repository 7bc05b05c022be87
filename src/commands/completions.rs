//! `evrelay completions SHELL`: completion scripts generated from the clap definition. The
//! committed copies under `completions/` are checked for staleness by a test.

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use crate::cli::Cli;
use crate::error::Result;

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to generate for.
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn generate(shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "evrelay", &mut out);
    out
}

/// The file name each shell's completion script is committed under.
pub fn file_name(shell: Shell) -> &'static str {
    match shell {
        Shell::Bash => "evrelay.bash",
        Shell::Zsh => "_evrelay",
        Shell::Fish => "evrelay.fish",
        Shell::PowerShell => "_evrelay.ps1",
        Shell::Elvish => "evrelay.elv",
        _ => "evrelay.unknown",
    }
}

pub fn run(args: CompletionsArgs) -> Result<()> {
    use std::io::Write;
    let script = generate(args.shell);
    let mut out = std::io::stdout().lock();
    match out.write_all(&script).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regenerate with `EVRELAY_UPDATE_COMPLETIONS=1 cargo test completions`.
    #[test]
    fn committed_completions_are_current() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
        let update = std::env::var_os("EVRELAY_UPDATE_COMPLETIONS").is_some();
        for shell in [
            Shell::Bash,
            Shell::Zsh,
            Shell::Fish,
            Shell::PowerShell,
            Shell::Elvish,
        ] {
            let path = dir.join(file_name(shell));
            let fresh = generate(shell);
            if update {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &fresh).unwrap();
                continue;
            }
            let committed = std::fs::read(&path).unwrap_or_default();
            assert!(
                committed == fresh,
                "{} is stale; run `EVRELAY_UPDATE_COMPLETIONS=1 cargo test completions` and commit it",
                path.display()
            );
        }
    }
}
