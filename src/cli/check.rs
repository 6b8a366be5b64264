//! `roster check`: validate a policy, and a snapshot against it.
//!
//! The summary is made of the export's own words (team names, record kinds and states,
//! role names): each is shown through [`visible`], on one line.

use super::args::{load_snapshot, SNAPSHOT_HELP};
use super::{Error, Exit};
use crate::diag::visible;
use crate::model::Status;
use crate::{policy, rules, snapshot};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::PathBuf;

/// Validate a policy, and with --snapshot also the snapshot against it.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The policy file (TOML).
    #[arg(long, value_name = "FILE")]
    policy: PathBuf,
    #[arg(long, value_name = "PATH", help = SNAPSHOT_HELP)]
    snapshot: Option<PathBuf>,
}

/// Runs the command.
pub fn run(args: Args) -> Result<Exit, Error> {
    let policy = policy::load(&args.policy)?;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "policy {}: ok ({:?}, {} roles: {})",
        args.policy.display(),
        policy.name,
        policy.roles.names.len(),
        policy.roles.names.iter().map(|r| visible(r)).collect::<Vec<_>>().join(" > ")
    );
    if let Some(path) = &args.snapshot {
        let store = load_snapshot(path, &policy)?;
        let bound = policy.bind(&store)?;
        summarize(&mut out, path, &policy, &store);
        let as_of = store.taken_at.unwrap_or_default();
        let ctx = rules::Ctx { policy: &policy, bound: &bound, store: &store, as_of };
        let mut plan = crate::plan::Plan {
            findings: rules::integrity_findings(&ctx),
            ..crate::plan::Plan::empty()
        };
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
    }
    super::print_fitted(&out)?;
    Ok(Exit::Ok)
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
