//! `scripts/prerequisites.sh`, which `scripts/test.sh` runs first: on a
//! machine without node or chromium it names what is missing and how to
//! install it, and under CI it fails instead of letting suites skip.

use std::path::Path;
use std::process::Command;

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().parent().unwrap()
}

/// Runs the script with a PATH that holds only bash and python3.
fn run_without_node(ci: bool) -> (bool, String) {
    let bin = tempfile::TempDir::new().unwrap();
    let bash = which("bash").expect("bash is on the test machine");
    std::os::unix::fs::symlink(bash, bin.path().join("bash")).unwrap();
    std::os::unix::fs::symlink(real_python(), bin.path().join("python3")).unwrap();
    let mut cmd = Command::new(bin.path().join("bash"));
    cmd.arg(repo_root().join("scripts/prerequisites.sh"))
        .env_clear()
        .env("PATH", bin.path())
        .env("CHROMIUM", "/nonexistent/chromium")
        .env("ROSTER_SKIP_NETWORK_CHECK", "1");
    if ci {
        cmd.env("CI", "true");
    }
    let out = cmd.output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The interpreter itself, not a wrapper on the PATH (pyenv's shims need
/// tools the trimmed PATH leaves out).
fn real_python() -> String {
    let out = Command::new("python3").args(["-c", "import sys; print(sys.executable)"]).output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn which(tool: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join(tool)).find(|f| f.is_file()))
        .unwrap_or_default()
}

#[test]
fn missing_tools_are_named_with_how_to_install_them() {
    let (ok, said) = run_without_node(false);
    assert!(ok, "outside CI the run goes on: {said}");
    assert!(said.contains("node and npm") && said.contains("apt-get install -y nodejs npm"), "{said}");
    assert!(said.contains("chromium"), "{said}");
    assert!(!said.contains("python3-venv"), "python3 with venv is there: {said}");
}

#[test]
fn under_ci_a_missing_tool_is_a_failure() {
    let (ok, said) = run_without_node(true);
    assert!(!ok, "{said}");
    assert!(said.contains("CI is set"), "{said}");
}
