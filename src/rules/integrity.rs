//! Data findings: references to ids nobody has, manager cycles, duplicate e-mails, teams
//! led by someone who may not receive. Real exports are dirty: these never stop a run.

use super::{AccountRule, Ctx, Sink, UserRule};
use crate::diag::quote;
use crate::model::{fold_email, Status};
use crate::plan::{Finding, Text};
use crate::snapshot::{Link, UserIx};
use rayon::prelude::*;
use std::collections::BTreeMap;

/// Dangling `manager_id` and `teams` of one user.
pub struct UserReferences;

impl UserRule for UserReferences {
    fn name(&self) -> &'static str {
        "data"
    }

    fn check<'a>(&self, ctx: &Ctx<'a, '_>, user: UserIx, sink: &mut Sink<'a>) {
        let u = ctx.store.user(user);
        if !matches!(u.manager(), Link::Dangling(_))
            && !u.teams().any(|t| matches!(t, Link::Dangling(_)))
        {
            sink.trace("data", false, || "manager and teams exist".to_owned());
        }
        if let Link::Dangling(m) = &u.manager() {
            sink.trace("data", true, || format!("manager_id {} is not a user", quote(m)));
            sink.findings.push(Finding::new(
                "dangling_manager",
                vec![ctx.id(user)],
                format!("manager_id {} is not a user of the snapshot", quote(m)),
            ));
        }
        for t in u.teams() {
            if let Link::Dangling(id) = t {
                sink.trace("data", true, || format!("team {} does not exist", quote(id)));
                let mut f = Finding::new(
                    "dangling_team",
                    vec![ctx.id(user)],
                    format!("member of team {}, which teams.csv does not have", quote(id)),
                );
                f.teams.push(id.into());
                sink.findings.push(f);
            }
        }
    }
}

/// Team leaders and the account owner that are not users.
pub struct TeamReferences;

impl AccountRule for TeamReferences {
    fn name(&self) -> &'static str {
        "data"
    }

    fn check<'a>(&self, ctx: &Ctx<'a, '_>, sink: &mut Sink<'a>) {
        for team in &ctx.store.teams {
            if let Link::Dangling(l) = &team.leader() {
                let mut f = Finding::new(
                    "dangling_leader",
                    Vec::new(),
                    format!(
                        "team {} ({}) is led by {}, who is not a user",
                        team.id(),
                        team.display(),
                        quote(l)
                    ),
                );
                f.teams.push(team.id().into());
                sink.findings.push(f);
            }
        }
        if let Link::Dangling(o) = &ctx.store.account.owner {
            sink.findings.push(Finding::new(
                "dangling_account_owner",
                Vec::new(),
                format!("the account owner {} is not a user", quote(o)),
            ));
        }
    }
}

/// Records whose owner is not a user, one finding per missing owner id.
pub struct RecordOwners;

impl AccountRule for RecordOwners {
    fn name(&self) -> &'static str {
        "data"
    }

    fn check<'a>(&self, ctx: &Ctx<'a, '_>, sink: &mut Sink<'a>) {
        let mut by_owner: BTreeMap<&str, Vec<Text<'a>>> = BTreeMap::new();
        for (r, owner) in ctx.store.records.dangling() {
            by_owner.entry(owner).or_default().push(ctx.store.record(r).id.into());
        }
        for (owner, records) in by_owner {
            let mut f = Finding::new(
                "dangling_owner",
                Vec::new(),
                format!(
                    "{} {} owned by {}, who is not a user",
                    records.len(),
                    if records.len() == 1 { "record is" } else { "records are" },
                    quote(owner)
                ),
            );
            f.records = records;
            sink.findings.push(f);
        }
    }
}

/// Cycles in the manager graph (each user has at most one manager, so each cycle is
/// found once, iteratively, in O(users)).
pub struct ManagerCycles;

impl AccountRule for ManagerCycles {
    fn name(&self) -> &'static str {
        "data"
    }

    fn check<'a>(&self, ctx: &Ctx<'a, '_>, sink: &mut Sink<'a>) {
        for cycle in manager_cycles(ctx.store) {
            let ids: Vec<Text<'_>> = cycle.iter().map(|u| ctx.id(*u)).collect();
            let reason = if ids.len() == 1 {
                format!("{} is their own manager", ids[0])
            } else if ids.len() <= 10 {
                format!("managers form a cycle: {} -> {}", ids.join(" -> "), ids[0])
            } else {
                format!(
                    "managers form a cycle of {} users, starting {} -> {} -> ...",
                    ids.len(),
                    ids[0],
                    ids[1]
                )
            };
            sink.findings.push(Finding::new("manager_cycle", ids, reason));
        }
    }
}

/// Every manager cycle, each listed from its member with the smallest id, so that the
/// finding does not depend on row order.
pub fn manager_cycles(store: &crate::snapshot::Store) -> Vec<Vec<UserIx>> {
    const NEW: u8 = 0;
    const ON_PATH: u8 = 1;
    const DONE: u8 = 2;
    let n = store.users.len();
    let mut state = vec![NEW; n];
    let mut cycles = Vec::new();
    let mut path: Vec<UserIx> = Vec::new();
    for start in store.user_ixs() {
        if state[start.index()] != NEW {
            continue;
        }
        path.clear();
        let mut cur = Some(start);
        while let Some(u) = cur {
            match state[u.index()] {
                NEW => {
                    state[u.index()] = ON_PATH;
                    path.push(u);
                    cur = store.user(u).manager().ix();
                }
                ON_PATH => {
                    if let Some(pos) = path.iter().position(|p| *p == u) {
                        let mut cycle = path[pos..].to_vec();
                        if let Some(min_at) = cycle
                            .iter()
                            .enumerate()
                            .min_by(|(_, a), (_, b)| {
                                crate::plan::natural_cmp(store.user(**a).id(), store.user(**b).id())
                            })
                            .map(|(i, _)| i)
                        {
                            cycle.rotate_left(min_at);
                        }
                        cycles.push(cycle);
                    }
                    break;
                }
                _ => break,
            }
        }
        for p in &path {
            state[p.index()] = DONE;
        }
    }
    cycles
}

/// A hash of an e-mail in the form every comparison uses ([`fold_email`]).
fn caseless_hash(s: &str) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = rustc_hash::FxBuildHasher.build_hasher();
    h.write(fold_email(s).as_bytes());
    h.finish()
}

/// The same e-mail on several users who are not deactivated or left.
pub struct DuplicateEmails;

impl AccountRule for DuplicateEmails {
    fn name(&self) -> &'static str {
        "data"
    }

    fn check<'a>(&self, ctx: &Ctx<'a, '_>, sink: &mut Sink<'a>) {
        // Hash every live e-mail (ignoring case) in parallel, sort the hashes, and compare
        // the strings only within runs of equal hashes: no allocation per user.
        let store = ctx.store;
        let mut keyed: Vec<(u64, UserIx)> = (0..store.users.len() as u32)
            .into_par_iter()
            .map(UserIx)
            .filter_map(|ix| {
                let u = store.user(ix);
                if matches!(u.status(), Status::Deactivated | Status::Left) {
                    return None;
                }
                u.email().map(|e| (caseless_hash(e), ix))
            })
            .collect();
        keyed.par_sort_unstable();
        let mut groups: Vec<(String, Vec<UserIx>)> = Vec::new();
        for run in keyed.chunk_by(|a, b| a.0 == b.0).filter(|run| run.len() > 1) {
            let mut by_email: BTreeMap<String, Vec<UserIx>> = BTreeMap::new();
            for (_, ix) in run {
                let email = store.user(*ix).email().unwrap_or_default();
                by_email.entry(fold_email(email).into_owned()).or_default().push(*ix);
            }
            groups.extend(by_email.into_iter().filter(|(_, v)| v.len() > 1));
        }
        groups.sort();
        for (email, users) in groups {
            let mut ids: Vec<Text<'_>> = users.iter().map(|u| ctx.id(*u)).collect();
            crate::plan::sort_ids(&mut ids);
            sink.findings.push(Finding::new(
                "duplicate_email",
                ids.clone(),
                format!(
                    "{} users share the e-mail {} (ignoring case): {}",
                    ids.len(),
                    quote(&email),
                    ids.join(", ")
                ),
            ));
        }
    }
}

/// Teams led by a user whose status may not receive (a suspended or departed leader).
pub struct IneligibleLeaders;

impl AccountRule for IneligibleLeaders {
    fn name(&self) -> &'static str {
        "data"
    }

    fn check<'a>(&self, ctx: &Ctx<'a, '_>, sink: &mut Sink<'a>) {
        for team in &ctx.store.teams {
            let Some(l) = team.leader().ix() else { continue };
            let leader = ctx.store.user(l);
            if !ctx.policy.deactivation.may_receive(leader.status()) {
                let mut f = Finding::new(
                    "leader_not_receiver",
                    vec![leader.id().into()],
                    format!(
                        "team {} ({}) is led by {}, who is {}: records that follow the team leader cannot go there",
                        team.id(),
                        team.display(),
                        leader.id(),
                        leader.status()
                    ),
                );
                f.teams.push(team.id().into());
                sink.findings.push(f);
            }
        }
    }
}

/// `[[deactivation.min_holders]]` already broken: fewer active users match a rule than it
/// asks for (`too_few_holders`, listing the holders there are).
pub struct TooFewHolders;

impl AccountRule for TooFewHolders {
    fn name(&self) -> &'static str {
        "data"
    }

    fn check<'a>(&self, ctx: &Ctx<'a, '_>, sink: &mut Sink<'a>) {
        let store = ctx.store;
        for (n, (rule, matcher)) in
            ctx.policy.deactivation.min_holders.iter().zip(&ctx.bound.min_holders).enumerate()
        {
            let holders = matcher.active_holders(store, |u| store.user(u).status());
            if holders.len() >= rule.count as usize {
                continue;
            }
            let ids: Vec<Text<'_>> = holders.iter().map(|&u| ctx.id(u)).collect();
            sink.findings.push(Finding::new(
                "too_few_holders",
                ids.clone(),
                format!(
                    "deactivation.min_holders #{} asks for at least {} active holder{}; the snapshot has {}{}",
                    n + 1,
                    rule.count,
                    if rule.count == 1 { "" } else { "s" },
                    holders.len(),
                    if ids.is_empty() { String::new() } else { format!(": {}", ids.join(", ")) }
                ),
            ));
        }
    }
}
