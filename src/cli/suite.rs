//! `roster test`: replay committed cases and compare their plans with the approved ones.
//!
//! A case is a folder holding `case.toml` (which policy, which snapshot, which command with
//! which arguments, at which `as_of`) and the approved plan `expected.json`. Cases run in
//! parallel; each is compared by meaning ([`crate::plan::diff`]), so reworded reasons or a
//! new policy digest do not fail a case, but a different action does.
//!
//! A suite reads only inside its root ([`Suite::root`], the current folder unless
//! `--root` names another): every path of a case is relative to the case's folder and,
//! once `..` and symbolic links are resolved, must stay inside the root, so a case can
//! share the policies and examples of its repository but never read `/etc/shadow`. The
//! walk does not follow symbolic links to folders (a link loop cannot make it endless), and
//! `--bless` writes `expected.json` the safe way of [`super::replace`]: atomically, never
//! through a link.

use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::engine::scenario::{Command, Scenario};
use crate::plan::diff::{diff, PlanDiff};
use crate::plan::Plan;
use crate::time::parse_time;
use crate::{policy, render, snapshot};
use rayon::prelude::*;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The file that makes a folder a case.
pub const CASE_FILE: &str = "case.toml";
/// The approved plan next to it.
pub const EXPECTED_FILE: &str = "expected.json";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    /// For people reading the case; roster does not use it.
    #[allow(dead_code)]
    description: Option<String>,
    policy: String,
    snapshot: String,
    #[serde(default)]
    command: Command,
    as_of: Option<toml::Spanned<String>>,
    actor: Option<String>,
    #[serde(default)]
    users: Vec<String>,
    requests: Option<String>,
    channel: Option<ChannelName>,
    reassign_to: Option<String>,
    reports_to: Option<String>,
    #[serde(default)]
    allow_reactivation: bool,
    previous: Option<String>,
    directory: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ChannelName {
    Manual,
    Bulk,
}

/// A case found on disk.
#[derive(Debug, Clone)]
pub struct Case {
    /// Its path relative to the suite folder, with `/`.
    pub name: String,
    /// Its folder.
    pub dir: PathBuf,
}

/// How a case ended.
#[derive(Debug)]
pub enum Verdict {
    /// The plan means what the approved one means.
    Passed,
    /// The plan differs.
    Failed(PlanDiff<'static>),
    /// There is no approved plan yet.
    Missing,
    /// The case could not run.
    Error(Diagnostics),
}

/// What `--bless` did to a case's approved plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blessed {
    /// `expected.json` was written for the first time.
    Created,
    /// It was replaced by a plan that means something else.
    Updated,
    /// It was rewritten with new reasons or digests only.
    Refreshed,
}

/// The result of one case.
#[derive(Debug)]
pub struct CaseResult {
    /// The case.
    pub case: Case,
    /// How it ended.
    pub verdict: Verdict,
    /// What `--bless` wrote, if anything.
    pub blessed: Option<Blessed>,
}

/// Where a suite runs.
#[derive(Debug, Clone)]
pub struct Suite {
    /// The folder holding the cases.
    pub dir: PathBuf,
    /// The folder the cases may read from, canonical.
    pub root: PathBuf,
}

impl Suite {
    /// A suite in `dir` reading inside `root` (the current folder when `None`); `dir` must
    /// be inside `root`.
    pub fn new(dir: &Path, root: Option<&Path>) -> Result<Suite, Diagnostics> {
        let shown = root.unwrap_or(Path::new("."));
        let root = shown.canonicalize().map_err(|e| {
            Diagnostic::file(shown, format!("cannot use the folder as the suite's root: {e}"))
        })?;
        let inside = dir.canonicalize().is_ok_and(|d| d.starts_with(&root));
        if dir.is_dir() && !inside {
            return Err(Diagnostic::file(
                dir,
                format!("is outside {}, the folder its cases may read", root.display()),
            )
            .help("run roster test from a folder that holds the suite, or name one with --root")
            .into());
        }
        Ok(Suite { dir: dir.to_path_buf(), root })
    }

    /// `path` from a case file, resolved against the case's folder `dir`, if it stays
    /// inside the root; `field` names the key for messages.
    fn resolve(
        &self,
        case_file: &Path,
        dir: &Path,
        field: &str,
        path: &str,
    ) -> Result<PathBuf, Diagnostic> {
        let error = |message: String| {
            Diagnostic::file(case_file, message).field(field.to_owned()).help(format!(
                "name a file inside {} by a path relative to the case folder, such as \
                 \"../../default.toml\" (or run roster test with --root)",
                self.root.display()
            ))
        };
        let relative = Path::new(path);
        if relative.has_root() || relative.is_absolute() {
            return Err(error(format!("{} is not a relative path", crate::diag::quote(path))));
        }
        let joined = dir.join(relative);
        let real = joined.canonicalize().map_err(|e| {
            Diagnostic::file(case_file, format!("cannot find {}: {e}", crate::diag::quote(path)))
                .field(field.to_owned())
                .help("paths in case.toml are relative to the case's folder")
        })?;
        if !real.starts_with(&self.root) {
            return Err(error(format!(
                "{} leads outside {}",
                crate::diag::quote(path),
                self.root.display()
            )));
        }
        // The resolved path, so that what is read is what was checked.
        Ok(real)
    }
}

/// Every case under `dir` (at any depth), sorted by name. Symbolic links to folders are not
/// followed.
pub fn discover(dir: &Path) -> Result<Vec<Case>, Diagnostics> {
    if !dir.is_dir() {
        return Err(Diagnostic::file(dir, "no such folder")
            .help("pass a folder whose sub-folders hold case.toml files")
            .into());
    }
    let mut cases = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        let entries = std::fs::read_dir(&folder)
            .map_err(|e| Diagnostic::file(&folder, format!("cannot read the folder: {e}")))?;
        for entry in entries.flatten() {
            let path = entry.path();
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            // The entry's own type: a link to a folder is not a folder here.
            let folder = entry.file_type().is_ok_and(|t| t.is_dir());
            if folder && !hidden {
                if path.join(CASE_FILE).is_file() {
                    let name = path
                        .strip_prefix(dir)
                        .unwrap_or(&path)
                        .to_string_lossy()
                        .replace('\\', "/");
                    cases.push(Case { name, dir: path.clone() });
                }
                stack.push(path);
            }
        }
    }
    cases.sort_by(|a, b| crate::plan::natural_cmp(&a.name, &b.name));
    Ok(cases)
}

/// Runs the cases under `dir` whose name contains `filter`, in parallel; with `bless`,
/// writes the new plans as the approved ones.
pub fn run(
    suite: &Suite,
    filter: Option<&str>,
    bless: bool,
) -> Result<Vec<CaseResult>, Diagnostics> {
    let cases: Vec<Case> = discover(&suite.dir)?
        .into_iter()
        .filter(|c| filter.is_none_or(|f| c.name.contains(f)))
        .collect();
    Ok(cases.into_par_iter().map(|case| run_case(suite, case, bless)).collect())
}

/// Runs one case.
pub fn run_case(suite: &Suite, case: Case, bless: bool) -> CaseResult {
    let plan = match plan_case(suite, &case.dir) {
        Ok(plan) => plan,
        Err(d) => return CaseResult { case, verdict: Verdict::Error(d), blessed: None },
    };
    let text = render::json(&plan);
    let expected_path = case.dir.join(EXPECTED_FILE);
    // An approved plan is read only if it is a file inside the root (a link may point
    // elsewhere in the repository, never outside it).
    let contained = expected_path.canonicalize().is_ok_and(|p| p.starts_with(&suite.root));
    if !contained && std::fs::symlink_metadata(&expected_path).is_ok() {
        let d = Diagnostic::file(
            &expected_path,
            format!("leads outside {}, the folder the cases may read", suite.root.display()),
        )
        .help("replace the link with the approved plan itself");
        return CaseResult { case, verdict: Verdict::Error(d.into()), blessed: None };
    }
    let previous_text = std::fs::read_to_string(&expected_path).ok();
    let verdict = match &previous_text {
        None => Verdict::Missing,
        Some(old) => match serde_json::from_str::<Plan>(old) {
            Err(e) => Verdict::Error(
                Diagnostic::file(&expected_path, format!("not a roster plan: {e}"))
                    .help("bless the case again to rewrite it")
                    .into(),
            ),
            Ok(old) => {
                let d = diff(&old, &plan);
                if d.is_empty() {
                    Verdict::Passed
                } else {
                    Verdict::Failed(d)
                }
            }
        },
    };
    if !bless {
        return CaseResult { case, verdict, blessed: None };
    }
    // A passing case whose approved plan differs only in its digests (the policy file was
    // edited elsewhere, the snapshot re-saved) keeps its file: a bless rewrites what a
    // reviewer should read, not every case of a policy after each edit.
    let unchanged = previous_text.as_deref().is_some_and(|old| {
        old == text || (matches!(verdict, Verdict::Passed) && same_but_digests(old, &text))
    });
    let blessed = match (&verdict, unchanged) {
        (_, true) => None,
        (Verdict::Missing, _) => Some(Blessed::Created),
        (Verdict::Failed(_) | Verdict::Error(_), _) => Some(Blessed::Updated),
        (Verdict::Passed, false) => Some(Blessed::Refreshed),
    };
    if blessed.is_some() {
        if let Err(e) = super::replace::write(&expected_path, text.as_bytes()) {
            let d =
                Diagnostic::file(&expected_path, format!("cannot write the approved plan: {e}"));
            return CaseResult { case, verdict: Verdict::Error(d.into()), blessed: None };
        }
    }
    CaseResult { case, verdict: Verdict::Passed, blessed }
}

/// Whether two plans in JSON are the same once their policy and snapshot digests are set
/// aside.
fn same_but_digests(old: &str, new: &str) -> bool {
    let strip = |text: &str| {
        let mut v: serde_json::Value = serde_json::from_str(text).ok()?;
        for part in ["policy", "snapshot"] {
            if let Some(sha) = v.get_mut(part).and_then(|p| p.get_mut("sha256")) {
                *sha = serde_json::Value::Null;
            }
        }
        Some(v)
    };
    matches!((strip(old), strip(new)), (Some(a), Some(b)) if a == b)
}

/// Loads a case's inputs and plans it.
fn plan_case(suite: &Suite, dir: &Path) -> Result<Plan<'static>, Diagnostics> {
    let path = dir.join(CASE_FILE);
    let source = std::fs::read_to_string(&path)
        .map_err(|e| Diagnostic::file(&path, format!("cannot read the case: {e}")))?;
    let case: CaseFile = toml::from_str(&source).map_err(|e| {
        let d = Diagnostic::file(&path, e.message().trim().trim_end_matches('.').to_owned()).help(
            "a case names `policy`, `snapshot`, `command` (plan, offboard or reactivate), `as_of` \
             and the command's arguments (`actor`, `users`, `requests`, `channel`, `reassign_to`, \
             `reports_to`, `allow_reactivation`, `previous`, `directory`)",
        );
        match e.span() {
            Some(span) => d.at(Location::of_offset(&source, span.start)),
            None => d,
        }
    })?;
    let inside = |field: &str, p: &str| suite.resolve(&path, dir, field, p);
    let policy = policy::load(&inside("policy", &case.policy)?)?;
    let store =
        snapshot::load(&inside("snapshot", &case.snapshot)?, policy.reading(), &snapshot::Silent)?;
    let as_of = match &case.as_of {
        Some(t) => parse_time(t.get_ref()).ok_or_else(|| {
            Diagnostic::file(&path, format!("`{}` is not a time", t.get_ref()))
                .at(Location::of_offset(&source, t.span().start))
                .field("as_of")
                .help(crate::hints::time_hint(t.get_ref(), None))
        })?,
        None => store.taken_at.ok_or_else(|| {
            Diagnostic::file(&path, "the case has no `as_of` and the snapshot no `taken_at`")
                .help("fix the instant of the case: as_of = \"2026-11-22T06:00:00Z\"")
        })?,
    };
    let scenario = Scenario {
        command: case.command,
        actor: case.actor,
        users: case.users,
        sheet: match &case.requests {
            Some(sheet) => Some(super::args::load_requests(&inside("requests", sheet)?)?),
            None => None,
        },
        bulk: case.channel == Some(ChannelName::Bulk),
        reassign_to: case.reassign_to,
        reports_to: case.reports_to,
        allow_reactivation: case.allow_reactivation,
        previous: match &case.previous {
            Some(p) => Some(
                snapshot::load(&inside("previous", p)?, policy.reading(), &snapshot::Silent)?
                    .into(),
            ),
            None => None,
        },
        directory: match &case.directory {
            Some(p) => {
                Some(crate::directory::load(&inside("directory", p)?, &policy.directory)?.into())
            }
            None => None,
        },
    };
    scenario.plan(&policy, &store, as_of).map(Plan::into_owned)
}
