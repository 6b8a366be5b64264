//! `roster plan --tenants FILE --out-dir DIR` (and `roster check --tenants`): every
//! account of a vendor in one run (docs/scale-out.md).
//!
//! `tenants.toml` lists the accounts; each is planned exactly as a single run of its policy
//! and snapshot would plan it (the same bytes), into `DIR/<id>/`. Tenants run side by side
//! on a few threads, each with the whole rayon pool inside, while the estimated memory of
//! the tenants running stays within a budget; a tenant that fails is reported and the
//! others run. `DIR/summary.json` and `DIR/summary.md` sum the run up. `--shard K/N` runs
//! the tenants whose stable hash falls in shard K, for one pod of a Kubernetes Indexed Job.

use super::summary::{self, TenantLine};
use super::Error;
use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::policy::{self, Policy};
use crate::snapshot::{self, Store};
use schemars::JsonSchema;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use toml::Spanned;

/// `tenants.toml`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "tenants.toml")]
pub struct RawTenants {
    /// The policy of every tenant that names none (a path relative to this file).
    #[schemars(with = "Option<String>")]
    pub policy: Option<Spanned<String>>,
    /// `[[tenant]]`: one account, or with `glob` one account per matching snapshot.
    #[serde(default)]
    pub tenant: Vec<RawTenant>,
}

/// One `[[tenant]]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "[[tenant]]")]
pub struct RawTenant {
    /// The tenant's id: its folder under --out-dir, and what --shard hashes. Letters,
    /// digits, `.`, `_` and `-`; unique.
    #[schemars(with = "Option<String>")]
    pub id: Option<Spanned<String>>,
    /// Its snapshot (a CSV folder or a JSON file), relative to this file.
    #[schemars(with = "Option<String>")]
    pub snapshot: Option<Spanned<String>>,
    /// Instead of `id` and `snapshot`: every folder or `.json` file matching this pattern
    /// (`*` and `?` in the last part, `exports/*`) is a tenant, its id the file name
    /// without `.json`.
    #[schemars(with = "Option<String>")]
    pub glob: Option<Spanned<String>>,
    /// Its policy, relative to this file [default: the top-level `policy`].
    #[schemars(with = "Option<String>")]
    pub policy: Option<Spanned<String>>,
    /// Keys merged over the policy for this tenant, as policy TOML
    /// (`overrides = { idle = { after = "60d" } }`). The merged policy is written to
    /// `DIR/<id>/policy.toml`, so a single run of it gives the same plan.
    #[schemars(with = "Option<serde_json::Map<String, serde_json::Value>>")]
    pub overrides: Option<Spanned<toml::Table>>,
}

/// One account to run.
#[derive(Debug, Clone)]
pub struct Tenant {
    /// Its id.
    pub id: String,
    /// Its snapshot.
    pub snapshot: PathBuf,
    /// Its policy file.
    pub policy: PathBuf,
    /// Keys merged over the policy.
    pub overrides: Option<toml::Table>,
}

/// Reads `tenants.toml` and expands its globs; every problem is reported at its line.
pub fn read(path: &Path) -> Result<Vec<Tenant>, Diagnostics> {
    let bytes = match crate::files::read(path) {
        Ok(Some(b)) => b,
        Ok(None) => {
            return Err(Diagnostic::file(
                path,
                "cannot read the tenants file: there is no such file",
            )
            .help(format!(
                "{}pass the tenants TOML with --tenants",
                crate::hints::did_you_mean_file(path)
            ))
            .into())
        }
        Err(d) => return Err(d.into()),
    };
    let source = String::from_utf8_lossy(&bytes).into_owned();
    let raw: RawTenants = toml::from_str(&source).map_err(|e| {
        let d = Diagnostic::file(path, crate::hints::toml_message(e.message())).help(
            "a tenants file has a top-level `policy` and `[[tenant]]` tables with `id`, \
             `snapshot` (or `glob`), `policy` and `overrides`",
        );
        Diagnostics::from(match e.span() {
            Some(span) => d.at(Location::of_offset(&source, span.start)),
            None => d,
        })
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    let mut problems = Vec::new();
    let at = |span: std::ops::Range<usize>| Location::of_offset(&source, span.start);
    let mut tenants = Vec::new();
    for t in raw.tenant {
        let policy = match t.policy.as_ref().or(raw.policy.as_ref()) {
            Some(p) => base.join(p.get_ref()),
            None => {
                let d = Diagnostic::file(path, "a tenant has no policy")
                    .help("give the tenant a `policy`, or the file a top-level `policy`");
                problems.push(match &t.id {
                    Some(id) => d.at(at(id.span())),
                    None => d,
                });
                continue;
            }
        };
        let overrides = t.overrides.map(Spanned::into_inner);
        match (&t.id, &t.snapshot, &t.glob) {
            (Some(id), Some(snap), None) => tenants.push((
                Tenant {
                    id: id.get_ref().clone(),
                    snapshot: base.join(snap.get_ref()),
                    policy,
                    overrides,
                },
                Some(id.span()),
            )),
            (None, None, Some(glob)) => match expand(base, glob.get_ref()) {
                Ok(found) if found.is_empty() => problems.push(
                    Diagnostic::file(path, format!("`{}` matches no snapshot", glob.get_ref()))
                        .at(at(glob.span()))
                        .help("check the pattern; `*` and `?` match in its last part only"),
                ),
                Ok(found) => {
                    for (id, snapshot) in found {
                        let overrides = overrides.clone();
                        tenants.push((
                            Tenant { id, snapshot, policy: policy.clone(), overrides },
                            Some(glob.span()),
                        ));
                    }
                }
                Err(message) => {
                    problems.push(Diagnostic::file(path, message).at(at(glob.span())).help(
                        "write a folder, then a pattern of names: `exports/*` or `exports/acme-*`",
                    ))
                }
            },
            _ => {
                let d = Diagnostic::file(path, "a tenant needs `id` and `snapshot`, or `glob` alone")
                    .help("`[[tenant]]` with id = \"acme\" and snapshot = \"exports/acme\", or glob = \"exports/*\"");
                let span =
                    t.id.as_ref().or(t.glob.as_ref()).or(t.snapshot.as_ref()).map(Spanned::span);
                problems.push(match span {
                    Some(s) => d.at(at(s)),
                    None => d,
                });
            }
        }
    }
    let mut seen = std::collections::HashMap::new();
    for (t, span) in &tenants {
        let located = |d: Diagnostic| match span {
            Some(s) => d.at(at(s.clone())),
            None => d,
        };
        if !valid_id(&t.id) {
            problems.push(located(
                Diagnostic::file(
                    path,
                    format!("tenant id {} cannot name a folder", crate::diag::quote(&t.id)),
                )
                .help("use letters, digits, `.`, `_` and `-` (at most 128), not `.` or `..`"),
            ));
        } else if let Some(first) = seen.insert(t.id.clone(), span.clone()) {
            let line = first.map(|s| at(s).line.unwrap_or(0)).unwrap_or(0);
            problems.push(located(
                Diagnostic::file(
                    path,
                    format!(
                        "tenant id {} is listed twice (first on line {line})",
                        crate::diag::quote(&t.id)
                    ),
                )
                .help("give every tenant its own id"),
            ));
        }
    }
    if problems.is_empty() {
        Ok(tenants.into_iter().map(|(t, _)| t).collect())
    } else {
        problems.sort_by_key(|d| d.location.line);
        Err(Diagnostics(problems))
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id != "."
        && id != ".."
        && id.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}

/// The snapshots a pattern matches: folders and `.json` files whose name matches the last
/// part, in name order, with the id each gives.
fn expand(base: &Path, pattern: &str) -> Result<Vec<(String, PathBuf)>, String> {
    let pattern = Path::new(pattern);
    let name =
        pattern.file_name().and_then(|n| n.to_str()).ok_or("the pattern has no name part")?;
    let dir = base.join(pattern.parent().unwrap_or(Path::new("")));
    if dir.to_string_lossy().contains(['*', '?']) {
        return Err("only the last part of a pattern may hold `*` or `?`".to_owned());
    }
    let entries =
        std::fs::read_dir(&dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let Ok(file) = entry.file_name().into_string() else { continue };
        if file.starts_with('.') || !glob_match(name.as_bytes(), file.as_bytes()) {
            continue;
        }
        let path = entry.path();
        let id = if path.is_dir() {
            file.clone()
        } else if let Some(stem) = file.strip_suffix(".json") {
            stem.to_owned()
        } else {
            continue;
        };
        found.push((id, path));
    }
    found.sort();
    Ok(found)
}

/// `*` (any run) and `?` (one byte) against a name.
fn glob_match(pattern: &[u8], name: &[u8]) -> bool {
    match pattern.split_first() {
        None => name.is_empty(),
        Some((b'*', rest)) => (0..=name.len()).any(|k| glob_match(rest, &name[k..])),
        Some((b'?', rest)) => !name.is_empty() && glob_match(rest, &name[1..]),
        Some((c, rest)) => name.first() == Some(c) && glob_match(rest, &name[1..]),
    }
}

/// `--shard K/N`: which part of the tenants this process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// K, from 0.
    pub index: u64,
    /// N.
    pub count: u64,
}

impl Shard {
    /// Reads `K/N` or `auto/N` (K from `JOB_COMPLETION_INDEX`); without the flag,
    /// `ROSTER_SHARDS=N` means `auto/N`.
    pub fn parse(flag: Option<&str>) -> Result<Option<Shard>, Error> {
        let text = match flag {
            Some(t) => t.to_owned(),
            None => match std::env::var("ROSTER_SHARDS") {
                Ok(n) if !n.trim().is_empty() => format!("auto/{}", n.trim()),
                _ => return Ok(None),
            },
        };
        let usage = |m: String| Error::Usage(format!("--shard {text}: {m}"));
        let (k, n) = text
            .split_once('/')
            .ok_or_else(|| usage("write K/N (0 <= K < N) or auto/N".to_owned()))?;
        let count: u64 = n
            .trim()
            .parse()
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| usage("N must be a whole number, 1 or more".to_owned()))?;
        let index: u64 = if k.trim() == "auto" {
            let v = std::env::var("JOB_COMPLETION_INDEX").map_err(|_| {
                usage("auto takes K from JOB_COMPLETION_INDEX (set by a Kubernetes Indexed Job), which is not set".to_owned())
            })?;
            v.trim()
                .parse()
                .map_err(|_| usage(format!("JOB_COMPLETION_INDEX `{v}` is not a whole number")))?
        } else {
            k.trim().parse().map_err(|_| usage("K must be a whole number".to_owned()))?
        };
        if index >= count {
            return Err(usage(format!("K is {index}, it must be less than N ({count})")));
        }
        Ok(Some(Shard { index, count }))
    }

    /// Whether a tenant belongs to this shard: the first 8 bytes of the SHA-256 of its id,
    /// modulo N (stable across machines, versions and runs).
    pub fn holds(&self, id: &str) -> bool {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(id.as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first) % self.count == self.index
    }
}

/// The memory budget: `--max-memory` (`512M`, `8G`), else half of the memory available.
pub fn memory_budget(flag: Option<&str>) -> Result<u64, Error> {
    if let Some(text) = flag {
        return parse_bytes(text).ok_or_else(|| {
            Error::Usage(format!(
                "--max-memory {text}: write a size such as 512M, 8G or 2000000000"
            ))
        });
    }
    let available = std::fs::read_to_string("/proc/meminfo").ok().and_then(|m| {
        m.lines()
            .find(|l| l.starts_with("MemAvailable:"))
            .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
            .map(|kb| kb * 1024)
    });
    Ok(available.map_or(4 << 30, |a| a / 2))
}

fn parse_bytes(text: &str) -> Option<u64> {
    let t = text.trim();
    let (digits, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: u64 = digits.parse().ok()?;
    let scale: u64 = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => 1 << 10,
        "M" | "MB" | "MIB" => 1 << 20,
        "G" | "GB" | "GIB" => 1 << 30,
        "T" | "TB" | "TIB" => 1 << 40,
        _ => return None,
    };
    n.checked_mul(scale).filter(|&b| b > 0)
}

/// What a tenant may hold in memory while it runs: about three times its snapshot's size
/// on disk (the store and the plan; see BENCHMARKS.md), and 16 MiB at the least.
pub fn estimate(snapshot: &Path) -> u64 {
    let size = match std::fs::metadata(snapshot) {
        Ok(m) if m.is_dir() => std::fs::read_dir(snapshot)
            .map(|d| d.flatten().filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum())
            .unwrap_or(0),
        Ok(m) => m.len(),
        Err(_) => 0,
    };
    size.saturating_mul(3).max(16 << 20)
}

/// A budget of bytes that tenants take before they run and give back after. A tenant
/// larger than the whole budget runs alone.
pub struct Budget {
    max: u64,
    used: Mutex<u64>,
    freed: Condvar,
}

impl Budget {
    /// A budget of `max` bytes.
    pub fn new(max: u64) -> Self {
        Budget { max, used: Mutex::new(0), freed: Condvar::new() }
    }

    /// Waits until `need` bytes fit (or nothing else runs), then takes them.
    pub fn take(&self, need: u64) {
        let mut used = self.used.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        while *used > 0 && *used + need > self.max {
            used = self.freed.wait(used).unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        *used += need;
    }

    /// Gives `need` bytes back.
    pub fn give(&self, need: u64) {
        let mut used = self.used.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *used = used.saturating_sub(need);
        self.freed.notify_all();
    }
}

/// A tenant's policy: its file, or its file with the overrides merged in (written to
/// `DIR/<id>/policy.toml`, so that errors point at real lines and a single run can replay
/// it). Tenants without overrides share one compiled policy per file.
pub fn policy_of(
    tenant: &Tenant,
    dir: &Path,
    cache: &Mutex<std::collections::HashMap<PathBuf, Arc<Policy>>>,
) -> Result<Arc<Policy>, Diagnostics> {
    let Some(overrides) = &tenant.overrides else {
        if let Some(p) =
            cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(&tenant.policy)
        {
            return Ok(Arc::clone(p));
        }
        let p = Arc::new(policy::load(&tenant.policy)?);
        cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(tenant.policy.clone(), Arc::clone(&p));
        return Ok(p);
    };
    let source = match crate::files::read(&tenant.policy) {
        Ok(Some(bytes)) => String::from_utf8_lossy(&bytes).into_owned(),
        Ok(None) => {
            return Err(Diagnostic::file(
                &tenant.policy,
                "cannot read the policy: there is no such file",
            )
            .into())
        }
        Err(d) => return Err(d.into()),
    };
    let mut merged: toml::Table = source.parse().map_err(|e: toml::de::Error| {
        Diagnostic::file(&tenant.policy, crate::hints::toml_message(e.message()))
    })?;
    merge(&mut merged, overrides);
    let text =
        toml::to_string(&merged).map_err(|e| Diagnostic::file(&tenant.policy, e.to_string()))?;
    let path = dir.join(&tenant.id).join("policy.toml");
    std::fs::create_dir_all(dir.join(&tenant.id))
        .and_then(|()| {
            super::replace::write_unsynced(&path, text.as_bytes()).map_err(std::io::Error::other)
        })
        .map_err(|e| Diagnostic::file(&path, format!("cannot write the tenant's policy: {e}")))?;
    Ok(Arc::new(policy::parse(&text, &path)?))
}

/// `over` merged into `base`: tables key by key, any other value replaced.
fn merge(base: &mut toml::Table, over: &toml::Table) {
    for (key, value) in over {
        match (base.get_mut(key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            _ => {
                base.insert(key.clone(), value.clone());
            }
        }
    }
}

/// Loads a tenant's snapshot for its policy (no progress line: many run at once).
pub fn load_store(tenant: &Tenant, policy: &Policy) -> Result<Store, Diagnostics> {
    snapshot::load(&tenant.snapshot, policy.reading(), &snapshot::Silent)
}

/// The first lines of a tenant's error, for the summary.
pub fn error_text(e: &Error) -> String {
    let text = e.to_string();
    let mut lines: Vec<&str> = text.lines().take(6).collect();
    if text.lines().count() > 6 {
        lines.push("...");
    }
    lines.join("\n")
}

/// Writes `DIR/summary.json` and `DIR/summary.md`.
pub fn write_summary(
    dir: &Path,
    shard: Option<Shard>,
    lines: Vec<TenantLine>,
) -> Result<summary::Summary, Error> {
    let s = summary::Summary::new(shard.map(|s| (s.index, s.count)), lines);
    super::replace::write(&dir.join("summary.json"), s.json().as_bytes()).map_err(Error::Output)?;
    super::replace::write(&dir.join("summary.md"), s.markdown().as_bytes())
        .map_err(Error::Output)?;
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_split_the_ids_and_globs_match_names() {
        let ids: Vec<String> = (0..1000).map(|i| format!("tenant-{i}")).collect();
        let shards: Vec<Shard> = (0..4).map(|index| Shard { index, count: 4 }).collect();
        for id in &ids {
            assert_eq!(shards.iter().filter(|s| s.holds(id)).count(), 1, "{id}");
        }
        let sizes: Vec<usize> =
            shards.iter().map(|s| ids.iter().filter(|i| s.holds(i)).count()).collect();
        assert!(sizes.iter().all(|&n| n > 200), "{sizes:?}");
        assert!(glob_match(b"acme-*", b"acme-eu"));
        assert!(glob_match(b"*", b"x"));
        assert!(!glob_match(b"a?c", b"ac"));
        assert_eq!(parse_bytes("512M"), Some(512 << 20));
        assert_eq!(parse_bytes("8g"), Some(8 << 30));
        assert_eq!(parse_bytes("lots"), None);
        assert!(valid_id("acme.eu_1-x") && !valid_id("..") && !valid_id("a/b"));
    }

    #[test]
    fn the_budget_holds_back_a_tenant_until_the_running_ones_fit() {
        let budget = Arc::new(Budget::new(100));
        budget.take(80);
        let (tx, rx) = std::sync::mpsc::channel();
        let waiting = {
            let budget = Arc::clone(&budget);
            std::thread::spawn(move || {
                budget.take(50);
                let _ = tx.send(());
                budget.give(50);
            })
        };
        // 80 + 50 > 100: the second tenant waits...
        assert!(rx.recv_timeout(std::time::Duration::from_millis(200)).is_err());
        budget.give(80);
        // ... and starts once the first is done.
        assert!(rx.recv_timeout(std::time::Duration::from_secs(10)).is_ok());
        let _ = waiting.join();
        // One larger than the whole budget runs alone, when nothing else runs.
        budget.take(1000);
        budget.give(1000);
    }

    #[test]
    fn overrides_merge_table_by_table() {
        let mut base: toml::Table =
            "name = \"x\"\n[idle]\nafter = \"30d\"\nsuspend_after = \"60d\"\n"
                .parse()
                .unwrap_or_default();
        let over: toml::Table = "[idle]\nafter = \"60d\"\n".parse().unwrap_or_default();
        merge(&mut base, &over);
        assert_eq!(base["idle"]["after"].as_str(), Some("60d"));
        assert_eq!(base["idle"]["suspend_after"].as_str(), Some("60d"));
        assert_eq!(base["name"].as_str(), Some("x"));
    }
}

/// The flags of a multi-tenant run, shared by `plan` and `check`.
#[derive(Debug, Clone, clap::Args)]
pub struct TenantArgs {
    /// Run every tenant of this file (tenants.toml: [[tenant]] with id, snapshot, policy
    /// and overrides, or glob) instead of one --policy and --snapshot; each tenant's
    /// output goes to DIR/<id>/ (see --out-dir).
    #[arg(long, value_name = "FILE", requires = "out_dir")]
    pub tenants: Option<PathBuf>,
    /// With --tenants: the folder of the tenants' outputs and of summary.json and
    /// summary.md (created if needed).
    #[arg(long, value_name = "DIR", requires = "tenants")]
    pub out_dir: Option<PathBuf>,
    /// With --tenants: run only the tenants of shard K of N (K from 0), by a stable hash
    /// of their id; `auto/N` takes K from JOB_COMPLETION_INDEX. ROSTER_SHARDS=N means
    /// auto/N.
    #[arg(long, value_name = "K/N", requires = "tenants")]
    pub shard: Option<String>,
    /// With --tenants: the memory the tenants running at once may use together, estimated
    /// from their snapshots' size (512M, 8G) [default: half the memory available].
    #[arg(long, value_name = "SIZE", requires = "tenants")]
    pub max_memory: Option<String>,
    /// With --tenants: how many tenants run at once at most [default: one per core].
    #[arg(long, value_name = "N", requires = "tenants")]
    pub jobs: Option<usize>,
}

/// A tenant whose estimate is at most this runs on its worker thread alone (a snapshot of
/// about 20 MB on disk: tens of thousands of users).
const SMALL_TENANT: u64 = 64 << 20;

/// One tenant's work: the summary line of a tenant whose policy and snapshot loaded, or
/// its error.
pub type Work<'a> =
    dyn Fn(&Tenant, &Policy, &Store, &Path) -> Result<TenantLine, Error> + Sync + 'a;

/// Runs `work` for every tenant of the shard, at most `--jobs` at once within the memory
/// budget, and writes the summary. Prints one line a failed tenant and a closing line.
pub fn run_all(args: &TenantArgs, work: &Work<'_>) -> Result<super::Exit, Error> {
    let (Some(file), Some(dir)) = (&args.tenants, &args.out_dir) else {
        return Err(Error::Usage("--tenants needs --out-dir".to_owned()));
    };
    let shard = Shard::parse(args.shard.as_deref())?;
    let budget = Budget::new(memory_budget(args.max_memory.as_deref())?);
    let tenants: Vec<Tenant> =
        read(file)?.into_iter().filter(|t| shard.is_none_or(|s| s.holds(&t.id))).collect();
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::Output(format!("cannot create --out-dir {}: {e}", dir.display())))?;
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
        .clamp(1, 256);
    let cache = Mutex::new(std::collections::HashMap::new());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let lines: Vec<Mutex<Option<TenantLine>>> = tenants.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(tenants.len().max(1)) {
            scope.spawn(|| {
                // A small tenant runs on this thread alone: its passes are too short for
                // handing work to other threads to pay, and the other workers keep the
                // cores busy. A large one uses the whole pool.
                let alone = rayon::ThreadPoolBuilder::new()
                    .num_threads(1)
                    .use_current_thread()
                    .build()
                    .ok();
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(tenant) = tenants.get(i) else { break };
                    let need = estimate(&tenant.snapshot);
                    budget.take(need);
                    let started = std::time::Instant::now();
                    let run = || {
                        std::fs::create_dir_all(dir.join(&tenant.id))
                            .map_err(|e| {
                                Error::Output(format!(
                                    "cannot create {}: {e}",
                                    dir.join(&tenant.id).display()
                                ))
                            })
                            .and_then(|()| {
                                let policy = policy_of(tenant, dir, &cache)?;
                                let store = load_store(tenant, &policy)?;
                                for note in &store.notes {
                                    super::eprint_fitted(&format!(
                                        "roster: tenant {}: {note}",
                                        crate::diag::quote(&tenant.id)
                                    ));
                                }
                                work(tenant, &policy, &store, &dir.join(&tenant.id))
                            })
                    };
                    let result = match &alone {
                        Some(pool) if need <= SMALL_TENANT => pool.install(run),
                        _ => run(),
                    };
                    budget.give(need);
                    let seconds = (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0;
                    let line = match result {
                        Ok(line) => TenantLine { seconds, ..line },
                        Err(e) => TenantLine {
                            id: tenant.id.clone(),
                            status: "failed".to_owned(),
                            error: Some(error_text(&e)),
                            users: 0,
                            actions: 0,
                            blocked: 0,
                            findings: 0,
                            seats_over: 0,
                            held: false,
                            exit: 1,
                            seconds,
                        },
                    };
                    if let Some(slot) = lines.get(i) {
                        *slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner) =
                            Some(line);
                    }
                }
            });
        }
    });
    let lines: Vec<TenantLine> = lines
        .into_iter()
        .filter_map(|m| m.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner))
        .collect();
    // Every tenant's files are synced at once, before the summary says they are there.
    super::replace::sync_folder(dir).map_err(Error::Output)?;
    let summary = write_summary(dir, shard, lines)?;
    for t in summary.tenants.iter().filter(|t| t.error.is_some()) {
        let first = t.error.as_deref().unwrap_or("").lines().next().unwrap_or("");
        super::eprint_fitted(&format!(
            "roster: tenant {} failed: {first}",
            crate::diag::quote(&t.id)
        ));
    }
    let totals = &summary.totals;
    let shard_text = shard.map_or(String::new(), |s| format!(" (shard {}/{})", s.index, s.count));
    super::eprint_fitted(&format!(
        "roster: {} tenant{}{shard_text}, {} failed: {} actions, {} blocked, {} findings, {} held; summary in {}",
        totals.tenants,
        if totals.tenants == 1 { "" } else { "s" },
        totals.failed,
        totals.actions,
        totals.blocked,
        totals.findings,
        totals.held,
        dir.join("summary.md").display()
    ));
    Ok(summary.exit())
}

/// The summary line of a tenant's plan.
pub fn line_of(id: &str, plan: &crate::plan::Plan, exit: super::Exit) -> TenantLine {
    let seats = &plan.summary.seats;
    TenantLine {
        id: id.to_owned(),
        status: "ok".to_owned(),
        error: None,
        users: plan.snapshot.users,
        actions: plan.actions.len(),
        blocked: plan.blocked.len(),
        findings: plan.findings.len(),
        seats_over: seats.total.map_or(0, |t| seats.billed_after.saturating_sub(t as usize)),
        held: !plan.held.is_empty(),
        exit: exit.code(),
        seconds: 0.0,
    }
}
