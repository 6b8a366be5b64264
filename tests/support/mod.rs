//! Running the binary and turning its result into a transcript for snapshots.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (tests run commands from there, so paths in outputs are stable).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `roster` with arguments from the repository root.
pub fn roster<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    roster_env(args, &[])
}

/// Runs `roster` with extra environment variables.
pub fn roster_env<I, S>(args: I, env: &[(&str, &str)]) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_roster"));
    cmd.args(args).current_dir(root()).env("NO_COLOR", "1").env_remove("RUST_BACKTRACE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("the roster binary runs")
}

/// `exit: N`, then stdout and stderr, for a snapshot.
pub fn transcript(out: &Output) -> String {
    let code = out.status.code().map_or("signal".to_owned(), |c| c.to_string());
    let mut s = format!("exit: {code}\n");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !stdout.is_empty() {
        s.push_str("--- stdout\n");
        s.push_str(&stdout);
    }
    if !stderr.is_empty() {
        s.push_str("--- stderr\n");
        s.push_str(&stderr);
    }
    s
}

/// Splits a case's `cmd` file into arguments: whitespace-separated, `{dir}` is the case
/// folder relative to the repository root; lines starting with `#` are comments.
pub fn case_args(cmd: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(cmd).expect("cmd file");
    let dir = cmd.parent().expect("case folder");
    let rel = dir.strip_prefix(root()).unwrap_or(dir).to_string_lossy().replace('\\', "/");
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .flat_map(|l| l.split_whitespace())
        .map(|a| a.replace("{dir}", &rel))
        .collect()
}

/// A fresh temporary folder under target/ for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = root().join("target").join("test-tmp").join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}
