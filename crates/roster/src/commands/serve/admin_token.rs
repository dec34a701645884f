//! Where `roster serve` takes the admin's token from: a file
//! (`--admin-token-file`, `ROSTER_ADMIN_TOKEN_FILE`) or the environment
//! (`ROSTER_ADMIN_TOKEN`), never the command line. Any local user can read
//! another process's command line (`ps`, `/proc/PID/cmdline`); a process's
//! environment and a mode-600 file only its owner (and root) can. The old
//! `--admin-token` flag is refused with a message saying what to use
//! instead, rather than accepted with a warning: a warning in a CI log is
//! easily missed, and the token would already have been exposed.

use std::io::Read;
use std::path::Path;

use anyhow::{bail, Context};

/// Why `--admin-token` is refused.
pub const FLAG_REFUSED: &str = "--admin-token is not accepted: a command line is visible to every local user \
     (ps, /proc/PID/cmdline). Set ROSTER_ADMIN_TOKEN, or put the token in a file only roster can read and pass \
     --admin-token-file PATH (or ROSTER_ADMIN_TOKEN_FILE, or admin-token-file in roster.toml)";

/// The longest token file read (a token is a line of a few dozen bytes).
const MAX_FILE: u64 = 4096;

/// The admin token from the refused flag, a file or the environment
/// (empty means unset). Giving both a file and the variable is refused:
/// which one wins would be a guess.
pub fn resolve(flag: Option<&str>, file: Option<&Path>, env: Option<String>) -> anyhow::Result<Option<String>> {
    if flag.is_some() {
        bail!("{FLAG_REFUSED}");
    }
    let env = env.filter(|t| !t.is_empty());
    match (file, env) {
        (Some(_), Some(_)) => {
            bail!("both ROSTER_ADMIN_TOKEN and an admin token file are given; give the admin token one way")
        }
        (Some(path), None) => read(path).map(Some),
        (None, env) => Ok(env),
    }
}

/// The token in `path`: its first line, without surrounding whitespace.
fn read(path: &Path) -> anyhow::Result<String> {
    let file = std::fs::File::open(path).with_context(|| format!("cannot open admin token file {}", path.display()))?;
    warn_if_shared(&file, path);
    let mut text = String::new();
    file.take(MAX_FILE)
        .read_to_string(&mut text)
        .with_context(|| format!("cannot read admin token file {} (is it UTF-8 text?)", path.display()))?;
    let token = text.lines().next().unwrap_or("").trim();
    if token.is_empty() {
        bail!("admin token file {} is empty", path.display());
    }
    Ok(token.to_string())
}

/// A token file others can read is worth a warning, not a refusal:
/// mounted secrets (Kubernetes, Docker) are often mode 644 inside a
/// container no one else uses.
#[cfg(unix)]
fn warn_if_shared(file: &std::fs::File, path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = file.metadata() {
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            tracing::warn!(
                file = %path.display(),
                mode = format!("{mode:o}"),
                "the admin token file can be read by other users; chmod 600 it"
            );
        }
    }
}

#[cfg(not(unix))]
fn warn_if_shared(_: &std::fs::File, _: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_is_refused_with_what_to_use_instead() {
        let e = resolve(Some("rst_x"), None, None).unwrap_err().to_string();
        assert!(e.contains("ROSTER_ADMIN_TOKEN") && e.contains("--admin-token-file"), "{e}");
    }

    #[test]
    fn a_file_gives_its_first_line_trimmed_and_the_environment_its_value() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "  rst_from-file \nsecond line\n").unwrap();
        assert_eq!(resolve(None, Some(&path), None).unwrap().as_deref(), Some("rst_from-file"));
        assert_eq!(resolve(None, None, Some("rst_env".into())).unwrap().as_deref(), Some("rst_env"));
        assert_eq!(resolve(None, None, Some(String::new())).unwrap(), None);
        assert!(resolve(None, Some(&path), Some("rst_env".into())).is_err());
    }

    #[test]
    fn an_empty_or_missing_file_is_refused_by_name() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("empty");
        std::fs::write(&path, "\n").unwrap();
        assert!(resolve(None, Some(&path), None).unwrap_err().to_string().contains("is empty"));
        let missing = dir.path().join("missing");
        assert!(resolve(None, Some(&missing), None).unwrap_err().to_string().contains("missing"));
    }
}
