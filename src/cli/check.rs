//! `roster check`: validate a policy, and a snapshot against it.
//!
//! The summary is made of the export's own words (team names, record kinds and states,
//! role names): each is shown through [`visible`], on one line.

use super::args::{load_snapshot, SNAPSHOT_HELP};
use super::results;
use super::{Error, Exit};
use crate::diag::visible;
use crate::model::Status;
use crate::{policy, rules, snapshot};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Validate a policy, and with --snapshot also the snapshot against it.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The policy file (TOML). Required, unless --tenants names the policies.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    #[arg(long, value_name = "PATH", help = SNAPSHOT_HELP)]
    snapshot: Option<PathBuf>,
    /// A directory (HR CSV or SCIM ListResponse) to check, and with --snapshot to match
    /// the accounts with as [directory] says.
    #[arg(long, value_name = "FILE")]
    directory: Option<PathBuf>,
    /// How to report: text for people, or GitHub workflow annotations (an error at the
    /// file, line and column of each problem, a warning for each finding) before the text.
    /// When GITHUB_STEP_SUMMARY is set, a Markdown summary is appended to that file too.
    #[arg(long, value_enum, default_value = "text")]
    format: CheckFormat,
    #[command(flatten)]
    tenants: super::tenants::TenantArgs,
}

/// The formats of `roster check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    /// For people.
    Text,
    /// GitHub workflow annotations, then the text.
    Github,
}

/// Runs the command.
pub fn run(args: Args) -> Result<Exit, Error> {
    if args.tenants.tenants.is_some() {
        if args.policy.is_some() || args.snapshot.is_some() || args.directory.is_some() {
            return Err(Error::Usage(
                "--tenants names each tenant's policy and snapshot: leave out --policy, \
                 --snapshot and --directory"
                    .to_owned(),
            ));
        }
        // Each tenant's check goes to DIR/<id>/check.txt.
        return super::tenants::run_all(&args.tenants, &|tenant, policy, store, dir| {
            let (text, findings) =
                report(&tenant.policy, policy, Some((&tenant.snapshot, store)), None)?;
            super::replace::write_unsynced(&dir.join("check.txt"), text.as_bytes())
                .map_err(Error::Output)?;
            let mut plan = crate::plan::Plan { findings, ..crate::plan::Plan::empty() };
            plan.snapshot.users = store.users.len();
            Ok(super::tenants::line_of(&tenant.id, &plan, Exit::Ok))
        });
    }
    let checked = check(&args);
    let text = match &checked {
        Ok((text, _)) => text.clone(),
        Err(e) => e.to_string(),
    };
    results::append_step_summary(&format!("### roster check\n\n{}", results::fenced(&text)))?;
    let (text, findings) = match checked {
        Ok(done) => done,
        Err(e) => {
            if let (CheckFormat::Github, Error::Input(d)) = (args.format, &e) {
                super::print(&results::diagnostics_annotations(d, "roster check"))?;
            }
            return Err(e);
        }
    };
    if args.format == CheckFormat::Github {
        let file = args.snapshot.as_deref().or(args.policy.as_deref()).unwrap_or(Path::new("."));
        let notes: String = findings
            .iter()
            .map(|f| {
                let title = format!("roster check {}", f.code);
                results::annotation("warning", Some(file), None, None, &title, &f.reason)
            })
            .collect();
        super::print(&notes)?;
    }
    super::print_fitted(&text)?;
    Ok(Exit::Ok)
}

/// Checks, and returns the text and the findings.
fn check(args: &Args) -> Result<(String, Vec<crate::plan::Finding<'static>>), Error> {
    let path = super::args::required(args.policy.as_deref(), "--policy <FILE>")?;
    let policy = policy::load(path)?;
    let people = match &args.directory {
        Some(d) => Some((d.as_path(), crate::directory::load(d, &policy.directory)?)),
        None => None,
    };
    let people = people.as_ref().map(|(p, people)| (*p, people));
    match &args.snapshot {
        Some(snapshot) => {
            let store = load_snapshot(snapshot, &policy)?;
            report(path, &policy, Some((snapshot, &store)), people)
        }
        None => report(path, &policy, None, people),
    }
}

/// The text and the findings of a check of a loaded policy (and snapshot).
fn report(
    policy_path: &std::path::Path,
    policy: &policy::Policy,
    snapshot: Option<(&std::path::Path, &snapshot::Store)>,
    directory: Option<(&std::path::Path, &crate::directory::People)>,
) -> Result<(String, Vec<crate::plan::Finding<'static>>), Error> {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "policy {}: ok ({:?}, {} roles: {})",
        policy_path.display(),
        policy.name,
        policy.roles.names.len(),
        policy.roles.names.iter().map(|r| visible(r)).collect::<Vec<_>>().join(" > ")
    );
    if let Some((path, people)) = directory {
        let active = (0..people.len() as u32)
            .filter(|&p| people.get(crate::directory::PersonIx(p)).active())
            .count();
        let leaving = (0..people.len() as u32)
            .filter(|&p| people.get(crate::directory::PersonIx(p)).leave_date().is_some())
            .count();
        let _ = writeln!(
            out,
            "directory {}: ok ({} people: {active} active, {} terminated, {leaving} with a leave date)",
            path.display(),
            people.len(),
            people.len() - active,
        );
    }
    if let Some((path, store)) = snapshot {
        let bound = policy.bind(store)?;
        summarize(&mut out, path, policy, store);
        let as_of = store.taken_at.unwrap_or_default();
        let reasons = crate::plan::Reasons::default();
        let ctx = rules::Ctx { policy, bound: &bound, store, as_of, reasons: &reasons };
        let mut findings = rules::integrity_findings(&ctx);
        if let Some((_, people)) = directory {
            let r = rules::directory::Reconciler::new(&ctx, people);
            let _ = writeln!(out, "  directory: {}", match_counts(&r, store));
            findings.extend(r.check_all(&ctx).findings);
        }
        let mut plan = crate::plan::Plan { findings, ..crate::plan::Plan::empty() };
        plan.sort();
        let _ = writeln!(out, "  findings: {}", plan.findings.len());
        for f in &plan.findings {
            let users = if f.users.is_empty() {
                String::new()
            } else {
                format!(" [{}]", f.users.iter().map(|u| visible(u)).collect::<Vec<_>>().join(", "))
            };
            let _ = writeln!(out, "    {}{users}: {}", f.code, visible(&f.reason));
        }
        return Ok((
            out,
            plan.findings.into_iter().map(crate::plan::Finding::into_owned).collect(),
        ));
    }
    Ok((out, Vec::new()))
}

/// `38 accounts matched (36 by email, 2 by employee_number), 3 unmatched, 0 ambiguous`.
fn match_counts(r: &rules::directory::Reconciler<'_>, store: &snapshot::Store) -> String {
    use rules::directory::Match;
    let mut by_key: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    let (mut none, mut several) = (0, 0);
    for u in store.user_ixs() {
        match r.matched(u) {
            Match::One(_, key) => *by_key.entry(key.as_str()).or_default() += 1,
            Match::None => none += 1,
            Match::Several(..) => several += 1,
        }
    }
    let matched: usize = by_key.values().sum();
    let keys: Vec<String> = by_key.iter().map(|(k, n)| format!("{n} by {k}")).collect();
    let keys = if keys.is_empty() { String::new() } else { format!(" ({})", keys.join(", ")) };
    format!("{matched} accounts matched{keys}, {none} unmatched, {several} ambiguous")
}

fn summarize(
    out: &mut String,
    path: &std::path::Path,
    policy: &policy::Policy,
    store: &snapshot::Store,
) {
    let _ = writeln!(
        out,
        "snapshot {}: ok ({} users, {} teams, {} records)",
        path.display(),
        store.users.len(),
        store.teams.len(),
        store.records.len()
    );
    let mut by_status = [0usize; 6];
    let mut by_role = vec![0usize; policy.roles.names.len()];
    for u in &store.users {
        by_status[u.status().index()] += 1;
        if let Some(c) = by_role.get_mut(u.role().index()) {
            *c += 1;
        }
    }
    let statuses: Vec<String> = Status::ALL
        .iter()
        .filter(|s| by_status[s.index()] > 0)
        .map(|s| format!("{s} {}", by_status[s.index()]))
        .collect();
    let _ = writeln!(out, "  users by status: {}", list_or_none(&statuses));
    let roles: Vec<String> = policy
        .roles
        .names
        .iter()
        .zip(&by_role)
        .filter(|(_, n)| **n > 0)
        .map(|(r, n)| format!("{} {n}", visible(r)))
        .collect();
    let _ = writeln!(out, "  users by role: {}", list_or_none(&roles));
    const SHOWN: usize = 12;
    let mut teams: Vec<String> = store
        .teams
        .iter()
        .take(SHOWN)
        .enumerate()
        .map(|(i, t)| {
            let n = store.members_of(snapshot::TeamIx(i as u32)).count();
            format!("{} ({n} member{})", visible(t.display()), if n == 1 { "" } else { "s" })
        })
        .collect();
    if store.teams.len() > SHOWN {
        teams.push(format!("and {} more", store.teams.len() - SHOWN));
    }
    let _ = writeln!(out, "  teams: {}", list_or_none(&teams));
    let mut records: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for (kind, state) in store.records.kinds_and_states() {
        *records.entry((store.symbols.resolve(kind), store.symbols.resolve(state))).or_default() +=
            1;
    }
    let records: Vec<String> =
        records.iter().map(|((k, s), n)| format!("{} {} {n}", visible(k), visible(s))).collect();
    let _ = writeln!(out, "  records by kind and state: {}", list_or_none(&records));
    if let Some(seats) = store.account.seats {
        let billed = store.users.iter().filter(|u| policy.statuses.is_billed(u.status())).count();
        let _ = writeln!(out, "  seats: {billed} billed of {seats}");
    }
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}
