//! `evrelay completions SHELL`: completion scripts generated from the clap definition. The
//! committed copies under `completions/`, and the man pages under `completions/man/` (one per
//! command, as `git help` and the AWS CLI ship them), are checked for staleness by a test.

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

/// The man pages: `evrelay.1`, then `evrelay-COMMAND.1` (and `evrelay-dlq-peek.1` …) for
/// every subcommand, each with the global options, so `man evrelay-deploy` answers on its own.
pub fn man_pages() -> Vec<(String, Vec<u8>)> {
    let mut cmd = crate::cli::documented();
    cmd.build();
    let mut pages = Vec::new();
    collect_pages(&cmd, "evrelay", &mut pages);
    pages
}

fn collect_pages(cmd: &clap::Command, name: &str, pages: &mut Vec<(String, Vec<u8>)>) {
    let after_help = cmd
        .get_after_help()
        .map(|s| s.to_string())
        .unwrap_or_default();
    // clap_mangen puts after-help under "EXTRA"; the examples and exit codes get the sections
    // man(7) names instead, inserted before VERSION.
    let page = cmd
        .clone()
        .display_name(name.to_string())
        .after_help(None::<&str>);
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = clap_mangen::Man::new(page).render(&mut out);
    let text = String::from_utf8_lossy(&out).to_string();
    let sections = examples_section(&after_help) + &exit_status_section();
    let text = match text.find(".SH VERSION") {
        Some(at) => format!("{}{sections}{}", &text[..at], &text[at..]),
        None => text + &sections,
    };
    pages.push((format!("{name}.1"), text.into_bytes()));
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        collect_pages(sub, &format!("{name}-{}", sub.get_name()), pages);
    }
}

/// Text for a roff line: `-` is a minus (so a flag can be copied), a backslash is printed, an
/// apostrophe and a backquote stay straight, and a line starting with `.` is not taken for a request.
fn roff_text(line: &str) -> String {
    let escaped = line
        .replace('\\', "\\e")
        .replace('-', "\\-")
        .replace('\'', "\\(aq")
        .replace('`', "\\(ga");
    if escaped.starts_with('.') {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}

/// EXAMPLES, from the examples `--help` shows: lines kept as written (no fill), never
/// hyphenated, so a URL or a command reads and copies whole.
fn examples_section(after_help: &str) -> String {
    let Some(examples) = after_help
        .strip_prefix("Examples:\n")
        .and_then(|rest| rest.split("\n\n").next())
    else {
        return String::new();
    };
    let mut out = String::from(".SH EXAMPLES\n.nh\n.nf\n");
    for line in examples.lines() {
        out.push_str(&format!("\\%{}\n", roff_text(line)));
    }
    out.push_str(".fi\n.hy\n");
    out
}

/// EXIT STATUS: one tagged paragraph per code, from the table every `--help` ends with.
fn exit_status_section() -> String {
    let mut codes: Vec<(String, String)> = Vec::new();
    for line in crate::cli::EXIT_CODES.lines().skip(1) {
        let trimmed = line.trim();
        match trimmed.split_once("  ") {
            Some((code, text)) if code.chars().all(|c| c.is_ascii_digit()) => {
                codes.push((code.to_string(), text.trim().to_string()));
            }
            _ => {
                if let Some((_, text)) = codes.last_mut() {
                    text.push(' ');
                    text.push_str(trimmed);
                }
            }
        }
    }
    let mut out = String::from(".SH \"EXIT STATUS\"\n");
    for (code, text) in codes {
        out.push_str(&format!(".TP\n\\fB{code}\\fR\n{}\n", roff_text(&text)));
    }
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

    fn page(name: &str) -> String {
        let pages = man_pages();
        let (_, page) = pages.iter().find(|(n, _)| n == name).unwrap();
        String::from_utf8(page.clone()).unwrap()
    }

    #[test]
    fn man_pages_have_examples_and_exit_status_sections_without_hyphenated_urls() {
        let deploy = page("evrelay-deploy.1");
        assert!(!deploy.contains(".SH EXTRA"), "{deploy}");
        let examples = deploy.find(".SH EXAMPLES\n.nh\n.nf\n").expect("EXAMPLES");
        let exit = deploy.find(".SH \"EXIT STATUS\"\n").expect("EXIT STATUS");
        let version = deploy.find(".SH VERSION").expect("VERSION");
        assert!(examples < exit && exit < version, "{deploy}");
        // The URL on one line that cannot be hyphenated or filled, flags as minus signs.
        assert!(
            deploy.contains(
                "\\%      \\-\\-url http://internal\\-app\\-123.us\\-east\\-1.elb.amazonaws.com/ \\-\\-secret\\-stdin < key.txt\n"
            ),
            "{deploy}"
        );
        assert!(deploy[examples..exit].contains(".fi\n.hy\n"), "{deploy}");
        for code in ["0", "1", "2"] {
            assert!(
                deploy.contains(&format!(".TP\n\\fB{code}\\fR\n")),
                "{deploy}"
            );
        }
        assert!(deploy.contains("answered no, or Ctrl\\-C"), "{deploy}");
        // A command without examples still has its exit status.
        let purge = page("evrelay-dlq-purge.1");
        assert!(purge.contains(".SH \"EXIT STATUS\""), "{purge}");
        assert_eq!(roff_text(".x 'a' \\"), "\\&.x \\(aqa\\(aq \\e");
    }

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

    /// Regenerated by the same `EVRELAY_UPDATE_COMPLETIONS=1 cargo test completions`.
    #[test]
    fn committed_man_pages_are_current() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/man");
        let pages = man_pages();
        if std::env::var_os("EVRELAY_UPDATE_COMPLETIONS").is_some() {
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            for (name, page) in &pages {
                std::fs::write(dir.join(name), page).unwrap();
            }
            return;
        }
        let mut committed: Vec<String> = std::fs::read_dir(&dir)
            .map(|d| {
                d.filter_map(|e| e.ok()?.file_name().into_string().ok())
                    .collect()
            })
            .unwrap_or_default();
        committed.sort();
        let mut names: Vec<String> = pages.iter().map(|(n, _)| n.clone()).collect();
        names.sort();
        assert_eq!(
            committed, names,
            "completions/man lists other pages; run `EVRELAY_UPDATE_COMPLETIONS=1 cargo test completions`"
        );
        for (name, page) in &pages {
            let on_disk = std::fs::read(dir.join(name)).unwrap_or_default();
            assert!(
                &on_disk == page,
                "completions/man/{name} is stale; run `EVRELAY_UPDATE_COMPLETIONS=1 cargo test completions` and commit it"
            );
        }
        assert!(names.contains(&"evrelay-deploy.1".to_string()));
        assert!(names.contains(&"evrelay-dlq-drain.1".to_string()));
    }
}
