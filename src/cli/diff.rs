//! `roster diff`: what a policy change would change.

use super::args::{load_requests, load_snapshot, AsOf, SNAPSHOT_HELP};
use super::output::Output;
use super::{Error, Exit};
use crate::diag::Diagnostic;
use crate::engine::scenario::{Command, Scenario};
use crate::plan::diff::diff;
use crate::plan::Plan;
use crate::render::{self, Names};
use crate::{policy, snapshot};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Show the semantic difference between two plans: two plan files, or the plans of two
/// policies on one snapshot (`--policy OLD.toml --policy NEW.toml --snapshot S`).
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
roster diff old-plan.json new-plan.json\n  \
roster diff --policy main.toml --policy branch.toml --snapshot export/ \\\n      \
--format markdown\n  \
roster diff --policy a.toml --policy b.toml --snapshot export/ \\\n      \
--command offboard --actor u2 --user u13\n\n\
Exit status:\n  \
0  the difference was written (or there is none)\n  \
1  bad input: a policy, the snapshot or a plan file\n  \
2  usage: a missing or conflicting argument\n  \
3  --fail-on changes, and something differs")]
pub struct Args {
    /// Two plan files (JSON, as `roster plan --format json` writes them): old, then new.
    #[arg(value_name = "PLAN", num_args = 0..=2)]
    plans: Vec<PathBuf>,
    /// The old policy, then the new one (give --policy twice).
    #[arg(long, value_name = "FILE")]
    policy: Vec<PathBuf>,
    #[arg(long, value_name = "PATH", help = SNAPSHOT_HELP)]
    snapshot: Option<PathBuf>,
    /// Which command to plan with both policies.
    #[arg(long, value_enum, default_value = "plan")]
    command: Command,
    #[command(flatten)]
    as_of: AsOf,
    /// offboard, reactivate: who acts.
    #[arg(long, value_name = "ID")]
    actor: Option<String>,
    /// offboard, reactivate: a target (repeatable).
    #[arg(long, value_name = "ID_OR_EMAIL")]
    user: Vec<String>,
    /// offboard: a bulk sheet.
    #[arg(long, value_name = "SHEET.csv")]
    requests: Option<PathBuf>,
    /// offboard: receiver of the leavers' records, tried first.
    #[arg(long, value_name = "ID")]
    reassign_to: Option<String>,
    /// offboard: new manager of the leavers' reports, tried first.
    #[arg(long, value_name = "ID")]
    reports_to: Option<String>,
    /// plan: the previous snapshot (identity_reused).
    #[arg(long, value_name = "PATH")]
    previous: Option<PathBuf>,
    /// The directory (HR CSV or SCIM ListResponse) both policies reconcile the accounts
    /// with, each as its own [directory] says.
    #[arg(long, value_name = "FILE")]
    directory: Option<PathBuf>,
    /// Output format [default: table on a terminal, json otherwise and with --out].
    #[arg(long, value_enum, value_name = "FORMAT")]
    format: Option<DiffFormat>,
    /// Write the difference to this file, atomically.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// `changes`: exit with code 3 when anything differs.
    #[arg(long, value_enum, value_name = "WHEN")]
    fail_on: Option<FailOnChanges>,
}

/// Flags that the chosen `--command` would ignore, or that it needs, are usage errors: a
/// diff that silently planned something else would say "no difference" about the wrong run.
fn check_flags(args: &Args) -> Result<(), Error> {
    let given = |set: bool, flag: &'static str| set.then_some(flag);
    let offboard_only = [
        given(args.requests.is_some(), "--requests"),
        given(args.reassign_to.is_some(), "--reassign-to"),
        given(args.reports_to.is_some(), "--reports-to"),
    ];
    let targets = [given(args.actor.is_some(), "--actor"), given(!args.user.is_empty(), "--user")];
    let (ignored, needs): (Vec<&str>, &[&str]) = match args.command {
        Command::Plan => (offboard_only.iter().chain(&targets).flatten().copied().collect(), &[]),
        Command::Offboard => (
            given(args.previous.is_some(), "--previous").into_iter().collect(),
            &["--actor", "--user or --requests"],
        ),
        Command::Reactivate => (
            offboard_only
                .iter()
                .flatten()
                .copied()
                .chain(given(args.previous.is_some(), "--previous"))
                .collect(),
            &["--actor", "--user"],
        ),
    };
    if !args.plans.is_empty() {
        return Ok(());
    }
    let command = args.command.as_str();
    if let Some(flag) = ignored.first() {
        return Err(Error::Usage(format!(
            "{flag} does not apply to --command {command}: pass the --command it belongs to (offboard or reactivate), or drop it"
        )));
    }
    let has_targets = !args.user.is_empty() || args.requests.is_some();
    let missing: Vec<&str> = needs
        .iter()
        .copied()
        .filter(|n| match *n {
            "--actor" => args.actor.is_none(),
            _ => !has_targets,
        })
        .collect();
    if !missing.is_empty() {
        return Err(Error::Usage(format!(
            "--command {command} needs {}, as roster {command} does",
            missing.join(" and ")
        )));
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum DiffFormat {
    /// A listing per user, for a terminal.
    Table,
    /// The difference as JSON.
    Json,
    /// A comment ready to paste into a pull request.
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum FailOnChanges {
    /// Anything differs.
    Changes,
}

fn read_plan(path: &Path) -> Result<Plan<'static>, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::Input(Diagnostic::file(path, format!("cannot read the plan: {e}")).into())
    })?;
    serde_json::from_str(&text).map_err(|e| {
        Error::Input(
            Diagnostic::file(path, format!("not a roster plan: {e}"))
                .help("write plans with `roster plan --format json --out FILE`")
                .into(),
        )
    })
}

/// Runs the command.
pub fn run(args: Args) -> Result<Exit, Error> {
    check_flags(&args)?;
    let mut inputs: Vec<&Path> =
        args.plans.iter().chain(&args.policy).map(PathBuf::as_path).collect();
    inputs.extend(args.snapshot.as_deref());
    let output = Output::open(args.out.as_deref(), &inputs)?;
    let (old, new, store) = match (&args.plans[..], &args.policy[..], &args.snapshot) {
        ([old, new], [], None) => {
            let (old, new) = (read_plan(old)?, read_plan(new)?);
            for warning in unrelated(&old, &new) {
                super::eprint_fitted(&format!("warning: {warning}"));
            }
            (old, new, None)
        }
        ([], [old_policy, new_policy], Some(snapshot_path)) => {
            let old_policy = policy::load(old_policy)?;
            let new_policy = policy::load(new_policy)?;
            // Both policies read the export alike (same columns, formats, roles and
            // statuses) in the common case: then it is loaded once.
            let same_reading = old_policy.reading() == new_policy.reading();
            let new_store = load_snapshot(snapshot_path, &new_policy)?;
            let old_store = match same_reading {
                true => None,
                false => Some(load_snapshot(snapshot_path, &old_policy)?),
            };
            let as_of = args.as_of.resolve(&new_store);
            let new_previous = match &args.previous {
                Some(p) => Some(std::sync::Arc::new(load_snapshot(p, &new_policy)?)),
                None => None,
            };
            let old_previous = match (&args.previous, same_reading) {
                (Some(p), false) => Some(std::sync::Arc::new(load_snapshot(p, &old_policy)?)),
                _ => new_previous.clone(),
            };
            let sheet = match &args.requests {
                Some(p) => Some(load_requests(p)?),
                None => None,
            };
            let load_directory = |p: &policy::Policy| match &args.directory {
                Some(path) => {
                    crate::directory::load(path, &p.directory).map(|d| Some(std::sync::Arc::new(d)))
                }
                None => Ok(None),
            };
            let (old_directory, new_directory) =
                (load_directory(&old_policy)?, load_directory(&new_policy)?);
            let scenario =
                |previous: Option<std::sync::Arc<snapshot::Store>>,
                 directory: Option<std::sync::Arc<crate::directory::People>>| {
                    Scenario {
                        command: args.command,
                        actor: args.actor.clone(),
                        users: args.user.clone(),
                        sheet: sheet.clone(),
                        bulk: false,
                        reassign_to: args.reassign_to.clone(),
                        reports_to: args.reports_to.clone(),
                        allow_reactivation: false,
                        previous,
                        directory,
                    }
                };
            // The plans own their texts: they outlive the policies they borrow from.
            let old_store_ref = old_store.as_ref().unwrap_or(&new_store);
            let old = scenario(old_previous, old_directory)
                .plan(&old_policy, old_store_ref, as_of)?
                .into_owned();
            let new = scenario(new_previous, new_directory)
                .plan(&new_policy, &new_store, as_of)?
                .into_owned();
            (old, new, Some(new_store))
        }
        _ => return Err(Error::Usage(
            "give two plan files (roster diff OLD.json NEW.json), or two policies and a snapshot \
                 (roster diff --policy OLD.toml --policy NEW.toml --snapshot S)"
                .to_owned(),
        )),
    };
    let d = diff(&old, &new);
    let names = store.as_ref().map_or_else(Names::none, Names::from_store);
    let title = format!("roster diff: {} -> {}", old.policy.name, new.policy.name);
    let format = args.format.unwrap_or(if output.is_file() || !std::io::stdout().is_terminal() {
        DiffFormat::Json
    } else {
        DiffFormat::Table
    });
    let text = match format {
        DiffFormat::Json => render::diff::json(&d),
        DiffFormat::Markdown => render::diff::markdown(&d, names, &title),
        DiffFormat::Table => render::wrap::fit(
            &format!("{title}\n{}", render::diff::table(&d, names, "")),
            render::wrap::width(),
        ),
    };
    output.finish(&text)?;
    Ok(if args.fail_on.is_some() && !d.is_empty() { Exit::FailOn } else { Exit::Ok })
}

/// What makes two saved plans a doubtful pair: an offboarding against a nightly plan,
/// plans of two policies, or a "new" plan older than the "old" one.
fn unrelated(old: &Plan, new: &Plan) -> Vec<String> {
    let kind = |p: &Plan| {
        if p.actions.iter().any(|a| a.rule == "offboard") {
            "an offboarding (roster offboard)"
        } else if p.actions.iter().any(|a| a.rule == "reactivate") {
            "a reactivation (roster reactivate)"
        } else {
            "a nightly plan (roster plan)"
        }
    };
    let mut out = Vec::new();
    if kind(old) != kind(new) && !old.actions.is_empty() && !new.actions.is_empty() {
        out.push(format!(
            "the old plan is {}, the new one {}: the difference mixes two kinds of plan",
            kind(old),
            kind(new)
        ));
    }
    if old.policy.name != new.policy.name {
        out.push(format!(
            "the plans come from two policies ({} and {}): if they are two accounts, their \
             users are different people",
            crate::diag::quote(&old.policy.name),
            crate::diag::quote(&new.policy.name)
        ));
    }
    if new.as_of < old.as_of {
        out.push(format!(
            "the new plan (as_of {}) is older than the old one (as_of {}): were they given in \
             the wrong order?",
            new.as_of, old.as_of
        ));
    }
    out
}
