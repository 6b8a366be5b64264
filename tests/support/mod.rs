//! Running the binary and turning its result into a transcript for snapshots.

pub mod schema;

use roster::snapshot::{Link, Store};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (tests run commands from there, so paths in outputs are stable).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `roster` with arguments from the repository root, with text for people unwrapped
/// (`COLUMNS=1000`), so that tests can look for a message whole.
pub fn roster<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    roster_env(args, &[("COLUMNS", "1000")])
}

/// Runs `roster` with extra environment variables, and without `COLUMNS` unless given
/// (text for people is then fitted to 80 columns, as in a pipe).
pub fn roster_env<I, S>(args: I, env: &[(&str, &str)]) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_roster"));
    cmd.args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("RUST_BACKTRACE")
        .env_remove("COLUMNS");
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

/// The model with ids resolved to text (as in tests/equivalence.rs), plus the block list.
pub fn canonical(store: &Store) -> String {
    let sym = |s| store.symbols.resolve(s).to_owned();
    let link_user = |l: Link<roster::snapshot::UserIx, &str>| match l {
        Link::None => "-".to_owned(),
        Link::To(u) => format!("{:?}", store.user(u).id()),
        Link::Dangling(id) => format!("?{id:?}"),
    };
    let mut out = format!(
        "taken_at {:?}\nseats {:?} owner {}\n",
        store.taken_at,
        store.account.seats,
        link_user(store.account.owner.as_deref())
    );
    let attrs: Vec<String> = store.attribute_names().iter().map(|s| sym(*s)).collect();
    out.push_str(&format!("attribute columns {attrs:?}\n"));
    let mut blocked: Vec<&str> = store.blocked_emails.iter().map(|e| &**e).collect();
    blocked.sort_unstable();
    out.push_str(&format!("blocked {blocked:?}\n"));
    for u in &store.users {
        let teams: Vec<String> = u
            .teams()
            .map(|t| match t {
                Link::To(t) => format!("{:?}", store.team(t).id()),
                Link::Dangling(id) => format!("?{id:?}"),
                Link::None => "-".to_owned(),
            })
            .collect();
        let mut attrs: Vec<(String, String)> =
            u.attributes().map(|(k, v)| (sym(k), v.to_string())).collect();
        attrs.sort();
        out.push_str(&format!(
            "user {:?} {:?} {:?} {:?} {:?} {:?} mgr={} teams={teams:?} flags={:?} perms={:?} {:?} {:?} {:?} {:?} {} {} {} {:?} {attrs:?}\n",
            u.id(), u.email(), u.name(), u.phone(), u.role(), u.status(), link_user(u.manager().as_deref()),
            u.flags().map(sym).collect::<Vec<_>>(),
            u.permissions().map(sym).collect::<Vec<_>>(),
            u.last_login_at(), u.invited_at(), u.activated_at(), u.notified_at(),
            u.invite_resends(), u.failed_logins(), u.locked(), u.locked_at(),
        ));
    }
    for t in &store.teams {
        out.push_str(&format!(
            "team {:?} {:?} {}\n",
            t.id(),
            t.name(),
            link_user(t.leader().as_deref())
        ));
    }
    for (r, owner) in store.records.iter().zip(store.record_owners()) {
        out.push_str(&format!(
            "record {:?} {:?} {:?} {}\n",
            r.id,
            sym(r.kind),
            sym(r.state),
            link_user(owner)
        ));
    }
    out
}

/// Copies a folder tree.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
