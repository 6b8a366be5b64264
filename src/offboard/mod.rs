//! Offboarding: who may leave, and where everything they hold goes.
//!
//! One mechanism serves `roster offboard` (targets from the command line or a bulk sheet),
//! the idle rule's `deactivate_after` escalation, and the records still held by users who
//! already left (orphans): targets are checked ([`checks`]), their holdings are resolved
//! ([`resolver`]), and allowed targets get their actions, reassignments and a
//! conservation count (records = transferred + kept + cancelled). [`reactivate`] is the way
//! back, with the same actor checks; [`requests`] parses the bulk sheet.

pub mod checks;
mod explain;
mod orphans;
pub mod reactivate;
pub mod requests;
pub mod resolver;

pub use explain::explain;
pub use orphans::orphans;
pub use resolver::{Chosen, Need, Pick, Resolution, Resolver, Through};

use crate::model::{fold_email, Status};
use crate::plan::{
    natural_cmp, Action, ActionKind, Blocked, Conservation, Finding, Reassignment, Text, What,
};
use crate::policy::{Disposition, ReportsPolicy, TeamsPolicy};
use crate::rules::Ctx;
use crate::snapshot::{RecordIx, Sym, TeamIx, UserIx};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::collections::{BTreeMap, HashMap};

/// One offboarding request.
#[derive(Debug, Clone)]
pub struct Request {
    /// The target as given: a user id or an e-mail.
    pub user: String,
    /// Receivers chosen for this target.
    pub chosen: Chosen,
    /// Why this target is offboarded (for the actions' reasons).
    pub why: String,
    /// The rule its actions are of, when not the offboarding's own (`Options::rule`).
    pub rule: Option<&'static str>,
}

/// How the request reached roster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// One by one (`--user`).
    Manual,
    /// A bulk sheet (`--requests`).
    Bulk,
    /// The policy itself (`idle.deactivate_after`): no actor.
    Policy,
}

/// Who asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// The policy itself.
    Policy,
    /// An id no user has.
    Unknown(String),
    /// A user.
    User(UserIx),
}

/// Options of an offboarding run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Who asks.
    pub actor: Actor,
    /// Through which channel.
    pub channel: Channel,
    /// Keep the e-mail off the block list (reactivation by a future purchase allowed).
    pub allow_reactivation: bool,
    /// The rule name the actions carry (`offboard` or `idle`).
    pub rule: &'static str,
    /// Also plan the records still held by users who already left (nightly runs).
    pub orphans: bool,
}

/// One group of transferable records of a target (same kind and state).
#[derive(Debug, Clone)]
pub struct Transfer {
    /// Kind.
    pub kind: Sym,
    /// State.
    pub state: Sym,
    /// The records, in id order.
    pub records: Vec<RecordIx>,
    /// Where they go, once resolved.
    pub to: Option<Resolution>,
}

/// What a target holds and, once resolved, where each part would go.
#[derive(Debug, Clone, Default)]
pub struct Holdings {
    /// Records to transfer, grouped.
    pub transfers: Vec<Transfer>,
    /// Records kept by disposition.
    pub kept: Vec<RecordIx>,
    /// Records to cancel.
    pub cancelled: Vec<RecordIx>,
    /// Records that block the offboarding.
    pub blocking: Vec<RecordIx>,
    /// Direct reports who stay (who are not leaving in this plan), in index order.
    pub reports: Vec<UserIx>,
    /// Their new manager, once resolved.
    pub reports_to: Option<Resolution>,
    /// The one report `reports_to` would make their own manager, and where that report
    /// goes instead.
    pub report_apart: Option<(UserIx, Resolution)>,
    /// Teams the target leads.
    pub teams: Vec<TeamIx>,
    /// Their new leader, once resolved.
    pub teams_to: Option<Resolution>,
}

impl Holdings {
    /// Where the direct report `report` goes, once resolved.
    pub fn report_to(&self, report: UserIx) -> Option<&Resolution> {
        match &self.report_apart {
            Some((r, to)) if *r == report => Some(to),
            _ => self.reports_to.as_ref(),
        }
    }
}

/// The result of an offboarding run.
#[derive(Debug, Default)]
pub struct Outcome<'a> {
    /// Actions of allowed targets.
    pub actions: Vec<Action<'a>>,
    /// Reassignments of allowed targets.
    pub reassignments: Vec<Reassignment<'a>>,
    /// Refusals.
    pub blocked: Vec<Blocked<'a>>,
    /// Notes (already deactivated targets, ...).
    pub findings: Vec<Finding<'a>>,
    /// Conservation per offboarded user id.
    pub offboarded: BTreeMap<String, Conservation>,
}

struct Target {
    user: UserIx,
    chosen: Chosen,
    why: String,
    rule: Option<&'static str>,
    /// What it holds; `None` for an already deactivated target.
    holdings: Option<Holdings>,
    /// Why it is refused, once known.
    blocked: Vec<Blocked<'static>>,
}

/// The targets of an offboarding, checked, resolved and refused or allowed, with the
/// resolver that placed their holdings.
struct Prepared<'a, 'b> {
    outcome: Outcome<'a>,
    targets: Vec<Target>,
    resolver: Resolver<'b>,
}

/// Finds the requested targets: each once, sorted by id; unknown ones are refused (once
/// per spelling).
fn find_targets<'a>(
    ctx: &Ctx<'a, '_>,
    requests: &[Request],
) -> (Vec<Target>, Vec<Blocked<'a>>, Vec<UserIx>) {
    let store = ctx.store;
    let found = store.find_users(requests.iter().map(|r| r.user.as_str()));
    let mut blocked = Vec::new();
    // Found, but refused at once (an unknown requested receiver): still targets.
    let mut refused = Vec::new();
    let mut targets: Vec<Target> = Vec::new();
    let mut seen = vec![false; store.users.len()];
    let mut unknown_seen = std::collections::HashSet::new();
    for (r, found) in requests.iter().zip(found) {
        let Some(u) = found else {
            let given = r.user.trim();
            let key =
                if given.contains('@') { fold_email(given).into_owned() } else { given.to_owned() };
            if unknown_seen.insert(key) {
                blocked.push(Blocked {
                    user: r.user.clone().into(),
                    code: "unknown_user".into(),
                    reason: store.why_not_found(&r.user),
                    records: Vec::new(),
                });
            }
            continue;
        };
        if std::mem::replace(&mut seen[u.index()], true) {
            continue;
        }
        let unknown: Vec<String> =
            [("reassign_to", &r.chosen.records), ("reports_to", &r.chosen.reports)]
                .into_iter()
                .filter_map(|(label, id)| {
                    let id = id.as_ref()?;
                    store.user_ix(id).is_none().then(|| format!("{label} `{id}` is not a user"))
                })
                .collect();
        if unknown.is_empty() {
            targets.push(Target {
                user: u,
                chosen: r.chosen.clone(),
                why: r.why.clone(),
                rule: r.rule,
                holdings: None,
                blocked: Vec::new(),
            });
        } else {
            refused.push(u);
            blocked.push(Blocked {
                user: ctx.id(u),
                code: "unknown_user".into(),
                reason: unknown.join("; "),
                records: Vec::new(),
            });
        }
    }
    targets.sort_by(|a, b| natural_cmp(store.user(a.user).id(), store.user(b.user).id()));
    (targets, blocked, refused)
}

/// Checks, resolves and refuses or allows every target.
///
/// Every target is *leaving* for the resolver: none receives, and a strategy that names
/// one follows that target's own chain, whether it is refused or not. Receivers do not
/// depend on who is refused, so they are resolved once, in id order; then refusals are
/// settled: a refused target stays, so it is a direct report who needs a new manager
/// (which can refuse its own manager in turn, `has_reports` or `no_receiver`), until
/// nothing changes.
fn prepare<'a: 'b, 'b>(
    ctx: &Ctx<'a, 'b>,
    requests: &[Request],
    options: &Options,
    after: Vec<Status>,
) -> Prepared<'a, 'b> {
    let store = ctx.store;
    let mut outcome = Outcome::default();
    let (mut targets, unknown, refused_at_once) = find_targets(ctx, requests);
    outcome.blocked = unknown;
    let mut is_target = vec![false; store.users.len()];
    // Reports stay unless they are targets that may leave (refused ones stay).
    let mut may_leave = vec![false; store.users.len()];
    for t in &targets {
        may_leave[t.user.index()] = true;
    }
    for u in targets.iter().map(|t| t.user).chain(refused_at_once) {
        is_target[u.index()] = true;
    }
    targets.par_iter_mut().for_each(|t| {
        if store.user(t.user).status() != Status::Deactivated {
            t.holdings = Some(holdings(ctx, t.user, &|r| !may_leave[r.index()]));
        }
    });
    let chosen = targets.iter().map(|t| (t.user, t.chosen.clone())).collect();
    let holders_after =
        if ctx.policy.deactivation.min_holders.is_empty() { Vec::new() } else { after.clone() };
    let mut resolver = Resolver::new(*ctx, is_target.clone(), after, chosen);
    for t in &mut targets {
        if let Some(h) = t.holdings.as_mut() {
            resolve(ctx, &mut resolver, t.user, t.chosen.reports.is_some(), h, Pick::Peek);
        }
    }
    targets.par_iter_mut().for_each(|t| t.blocked = refusals(ctx, t, options));
    // Settle refusals: the manager of a newly refused target has one more report who stays.
    let position: FxHashMap<UserIx, usize> =
        targets.iter().enumerate().map(|(i, t)| (t.user, i)).collect();
    let mut refused: Vec<bool> = targets.iter().map(|t| !t.blocked.is_empty()).collect();
    let newly: Vec<usize> = (0..targets.len()).filter(|i| refused[*i]).collect();
    settle(ctx, options, &mut targets, &position, &mut refused, newly);
    // The last holders of a role stay; each one kept is a refusal to settle in turn. Being
    // refused only ever keeps more users, so a target allowed here stays allowed.
    if !ctx.policy.deactivation.min_holders.is_empty() {
        let newly = last_holders(ctx, &mut targets, &mut refused, &holders_after);
        settle(ctx, options, &mut targets, &position, &mut refused, newly);
    }
    Prepared { outcome, targets, resolver }
}

/// Refuses the managers of newly refused targets that now cannot leave (a report who stays
/// needs a new manager), until nothing changes.
fn settle(
    ctx: &Ctx<'_, '_>,
    options: &Options,
    targets: &mut [Target],
    position: &FxHashMap<UserIx, usize>,
    refused: &mut [bool],
    mut newly: Vec<usize>,
) {
    let store = ctx.store;
    while !newly.is_empty() {
        let mut managers: Vec<usize> = newly
            .iter()
            .filter_map(|i| store.user(targets[*i].user).manager().ix())
            .filter_map(|m| position.get(&m).copied())
            .filter(|m| targets[*m].holdings.is_some())
            .collect();
        managers.sort_unstable();
        managers.dedup();
        newly.clear();
        for m in managers {
            let stays = |r: UserIx| position.get(&r).is_none_or(|i| refused[*i]);
            let user = targets[m].user;
            if let Some(h) = targets[m].holdings.as_mut() {
                h.reports = store.reports_of(user).filter(|r| stays(*r)).collect();
                h.reports.sort_unstable();
            }
            let kept: Vec<Blocked> =
                targets[m].blocked.iter().filter(|b| b.code == "last_holder").cloned().collect();
            targets[m].blocked = refusals(ctx, &targets[m], options);
            targets[m].blocked.extend(kept);
            if !refused[m] && !targets[m].blocked.is_empty() {
                refused[m] = true;
                newly.push(m);
            }
        }
    }
}

/// `[[deactivation.min_holders]]`: for each rule in order, the allowed targets that hold it
/// leave in id order while enough active holders remain; the others are refused
/// (`last_holder`). `after` is every user's status once the plan's other actions are
/// applied, so a holder the same plan suspends no longer counts. Returns the newly refused.
fn last_holders(
    ctx: &Ctx<'_, '_>,
    targets: &mut [Target],
    refused: &mut [bool],
    after: &[Status],
) -> Vec<usize> {
    let store = ctx.store;
    let mut newly = Vec::new();
    for (n, (rule, matcher)) in
        ctx.policy.deactivation.min_holders.iter().zip(&ctx.bound.min_holders).enumerate()
    {
        let holds = |u: UserIx| after[u.index()] == Status::Active && matcher.matches(store, u);
        let holders = matcher.active_holders(store, |u| after[u.index()]).len();
        let mut remaining = holders;
        for (i, t) in targets.iter_mut().enumerate() {
            if refused[i] || t.holdings.is_none() || !holds(t.user) {
                continue;
            }
            if remaining > rule.count as usize {
                remaining -= 1;
                continue;
            }
            t.blocked.push(Blocked {
                user: Text::Owned(ctx.store.user(t.user).id().to_owned()),
                code: "last_holder".into(),
                reason: format!(
                    "{} is one of {holders} active holder{} of deactivation.min_holders #{} \
                     (at least {} must remain); with the leavers before it, {} would remain",
                    ctx.id(t.user),
                    if holders == 1 { "" } else { "s" },
                    n + 1,
                    rule.count,
                    remaining.saturating_sub(1)
                ),
                records: Vec::new(),
            });
            refused[i] = true;
            newly.push(i);
        }
    }
    newly
}

/// Every reason to refuse a target, in the documented order of codes.
fn refusals(ctx: &Ctx<'_, '_>, t: &Target, options: &Options) -> Vec<Blocked<'static>> {
    let Some(h) = &t.holdings else { return Vec::new() };
    let subject = subject(ctx, t, options, h);
    let mut blocked: Vec<Blocked<'static>> =
        checks::STATIC_CHECKS.iter().filter_map(|check| check(&subject)).collect();
    blocked.extend(checks::no_receiver(&subject));
    blocked
}

/// Plans the offboarding of `requests`. `after` is every user's status once the plan's
/// other actions are applied (a receiver must have a `receivers` status then).
pub fn offboard<'a>(
    ctx: &Ctx<'a, '_>,
    requests: &[Request],
    options: &Options,
    after: Vec<Status>,
) -> Outcome<'a> {
    let store = ctx.store;
    let Prepared { mut outcome, mut targets, mut resolver } =
        prepare(ctx, requests, options, after);
    // With least_loaded_peer, the allowed targets take their receivers again, in id order,
    // now adding the load they hand over: a refused target's records never move.
    if resolver.balances_load() {
        for t in targets.iter_mut().filter(|t| t.blocked.is_empty()) {
            if let Some(h) = t.holdings.as_mut() {
                let given = t.chosen.reports.is_some();
                resolve(ctx, &mut resolver, t.user, given, h, Pick::Take(0));
            }
        }
    }
    let (orphaned, orphan_findings) =
        if options.orphans { orphans(ctx, &mut resolver) } else { Default::default() };
    let results: Vec<TargetResult> = targets
        .into_par_iter()
        .map(|mut t| {
            let u = store.user(t.user);
            match t.holdings.take() {
                None => TargetResult {
                    findings: vec![Finding::new(
                        "already_deactivated",
                        vec![u.id().into()],
                        "already deactivated: nothing to do".to_owned(),
                    )],
                    ..TargetResult::default()
                },
                Some(h) if t.blocked.is_empty() => emit(ctx, &t, h, options),
                Some(_) => TargetResult {
                    blocked: std::mem::take(&mut t.blocked),
                    ..TargetResult::default()
                },
            }
        })
        .collect();
    // Each list is built once at its final size (one that doubles as it grows holds up to
    // twice its entries until the plan is written), and the orphans' lists become the
    // outcome's as they are (a copy would hold both at once).
    crate::plan::append(&mut outcome.reassignments, orphaned);
    crate::plan::append(&mut outcome.findings, orphan_findings);
    outcome.actions.reserve_exact(results.iter().map(|r| r.actions.len()).sum());
    outcome.reassignments.reserve_exact(results.iter().map(|r| r.reassignments.len()).sum());
    outcome.blocked.reserve_exact(results.iter().map(|r| r.blocked.len()).sum());
    outcome.findings.reserve_exact(results.iter().map(|r| r.findings.len()).sum());
    for r in results {
        outcome.actions.extend(r.actions);
        outcome.reassignments.extend(r.reassignments);
        outcome.blocked.extend(r.blocked);
        outcome.findings.extend(r.findings);
        if let Some((id, c)) = r.conservation {
            debug_assert!(c.holds(), "conservation broken for {id}: {c:?}");
            outcome.offboarded.insert(id, c);
        }
    }
    outcome
}

#[derive(Default)]
struct TargetResult<'a> {
    actions: Vec<Action<'a>>,
    reassignments: Vec<Reassignment<'a>>,
    blocked: Vec<Blocked<'a>>,
    findings: Vec<Finding<'a>>,
    conservation: Option<(String, Conservation)>,
}

/// What a user holds, grouped by disposition, in a stable order (names, ids; never the
/// file's). `stays` says which direct reports remain (and so need a new manager).
pub fn holdings(
    ctx: &Ctx<'_, '_>,
    user: UserIx,
    stays: &(dyn Fn(UserIx) -> bool + Sync),
) -> Holdings {
    let store = ctx.store;
    let policy = ctx.policy;
    let mut h = Holdings::default();
    let mut group_of: HashMap<(Sym, Sym), usize> = HashMap::new();
    for r in store.records_of(user) {
        let rec = store.record(r);
        let key = (rec.kind, rec.state);
        let d = ctx.bound.disposition(policy, store, rec.kind, rec.state);
        match d {
            Disposition::Keep => h.kept.push(r),
            Disposition::Cancel => h.cancelled.push(r),
            Disposition::Block => h.blocking.push(r),
            Disposition::Transfer => {
                let i = *group_of.entry(key).or_insert_with(|| {
                    h.transfers.push(Transfer {
                        kind: rec.kind,
                        state: rec.state,
                        records: Vec::new(),
                        to: None,
                    });
                    h.transfers.len() - 1
                });
                if let Some(g) = h.transfers.get_mut(i) {
                    g.records.push(r);
                }
            }
        }
    }
    // Each record is found once, not once per comparison.
    let by_id = |list: &mut Vec<RecordIx>| {
        let mut keyed: Vec<(&str, RecordIx)> =
            list.iter().map(|r| (store.record(*r).id, *r)).collect();
        keyed.sort_by(|a, b| natural_cmp(a.0, b.0));
        list.clear();
        list.extend(keyed.into_iter().map(|(_, r)| r));
    };
    for t in &mut h.transfers {
        by_id(&mut t.records);
    }
    h.transfers.sort_by(|a, b| {
        (store.symbols.resolve(a.kind), store.symbols.resolve(a.state))
            .cmp(&(store.symbols.resolve(b.kind), store.symbols.resolve(b.state)))
    });
    by_id(&mut h.blocking);
    by_id(&mut h.kept);
    by_id(&mut h.cancelled);
    h.reports = store.reports_of(user).filter(|r| stays(*r)).collect();
    h.reports.sort_unstable();
    h.teams = store.teams_led_by(user).collect();
    h
}

/// Resolves where everything `user` holds would go. All records of one kind go to one
/// receiver; reports are resolved for every direct report the user has (who stays is only
/// known once refusals settle), and the report the chain would make their own manager is
/// resolved apart.
fn resolve(
    ctx: &Ctx<'_, '_>,
    resolver: &mut Resolver<'_>,
    user: UserIx,
    reports_given: bool,
    h: &mut Holdings,
    pick: Pick,
) {
    let store = ctx.store;
    let policy = ctx.policy;
    let mut by_kind: Vec<(Sym, Resolution)> = Vec::new();
    for i in 0..h.transfers.len() {
        let kind = h.transfers[i].kind;
        let to = match by_kind.iter().find(|(k, _)| *k == kind) {
            Some((_, to)) => to.clone(),
            None => {
                let weight: usize =
                    h.transfers.iter().filter(|t| t.kind == kind).map(|t| t.records.len()).sum();
                let pick = match pick {
                    Pick::Peek => Pick::Peek,
                    Pick::Take(_) => Pick::Take(weight as u64),
                };
                let to = resolver.resolve(user, Need::Records(kind), pick, None);
                by_kind.push((kind, to.clone()));
                to
            }
        };
        h.transfers[i].to = Some(to);
    }
    let has_reports = store.reports_of(user).next().is_some();
    if has_reports && (policy.leaders.direct_reports == ReportsPolicy::Reassign || reports_given) {
        let to = resolver.resolve(user, Need::Reports, Pick::Peek, None);
        h.report_apart = to
            .receiver()
            .filter(|x| store.user(*x).manager().ix() == Some(user))
            .map(|x| (x, resolver.resolve(user, Need::Reports, Pick::Peek, Some(x))));
        h.reports_to = Some(to);
    }
    if !h.teams.is_empty() && policy.leaders.teams == TeamsPolicy::HandOver {
        h.teams_to = Some(resolver.resolve(user, Need::Teams, Pick::Peek, None));
    }
}

fn subject<'a>(
    ctx: &'a Ctx<'a, 'a>,
    t: &Target,
    options: &'a Options,
    h: &'a Holdings,
) -> checks::Subject<'a> {
    checks::Subject {
        ctx,
        user: t.user,
        actor: &options.actor,
        channel: options.channel,
        reports_to_given: t.chosen.reports.is_some(),
        holdings: h,
        verb: "deactivate",
    }
}

/// The plan's `through` and `hops` for a resolution that passed other targets.
pub fn through_ids<'a>(
    ctx: &Ctx<'a, '_>,
    through: Option<Through>,
) -> (Vec<Text<'a>>, Option<usize>) {
    match through {
        None => (Vec::new(), None),
        Some(t) if t.hops <= 1 => (vec![ctx.id(t.first)], Some(1)),
        Some(t) => (vec![ctx.id(t.first), ctx.id(t.last)], Some(t.hops as usize)),
    }
}

/// Actions, reassignments and the conservation count of an allowed target.
fn emit<'a>(ctx: &Ctx<'a, '_>, t: &Target, h: Holdings, options: &Options) -> TargetResult<'a> {
    let store = ctx.store;
    let u = store.user(t.user);
    let id: Text<'a> = u.id().into();
    let mut result = TargetResult::default();
    let rule = t.rule.unwrap_or(options.rule);
    let action = |kind: ActionKind, reason: String| ctx.action(t.user, kind, rule, reason);
    let billed = ctx.policy.statuses.is_billed(u.status());
    if u.status() == Status::Invited {
        result.actions.push(action(
            ActionKind::RescindInvite,
            format!("{}; invited users are not deactivated, their invite is withdrawn", t.why),
        ));
    } else {
        result.actions.push(action(ActionKind::Deactivate, t.why.clone()));
        if ctx.policy.deactivation.revoke_sessions {
            result.actions.push(action(
                ActionKind::RevokeSessions,
                "deactivation.revoke_sessions: end every open session at once".to_owned(),
            ));
        }
    }
    if billed {
        result.actions.push(action(
            ActionKind::FreeSeat,
            format!("{} users are billed (statuses.billed); the seat is freed", u.status()),
        ));
    }
    for team in u.teams().filter_map(|t| t.ix()) {
        let mut a =
            action(ActionKind::RemoveFromTeam, format!("member of {}", store.team(team).display()));
        a.team = Some(store.team(team).id().into());
        result.actions.push(a);
    }
    if ctx.policy.deactivation.block_email && u.status() != Status::Invited {
        if options.allow_reactivation {
            // Reactivation by a future purchase stays possible: the e-mail is not blocked.
        } else if let Some(email) = &u.email() {
            result.actions.push(action(ActionKind::BlockEmail, format!("deactivation.block_email: `{email}` may not buy or sign up again (--allow-reactivation keeps it off the list)")));
        }
    }
    for r in &h.cancelled {
        let rec = store.record(*r);
        let (_, key) = ctx.policy.records.disposition(store.kind_of(rec), store.state_of(rec));
        let mut a = action(
            ActionKind::CancelRecord,
            format!(
                "{} {} is {}: cancelled ({key})",
                store.kind_of(rec),
                rec.id,
                store.state_of(rec)
            ),
        );
        a.record = Some(rec.id.into());
        result.actions.push(a);
    }
    let mut c = Conservation {
        records: store.record_count(t.user),
        kept: h.kept.len(),
        cancelled: h.cancelled.len(),
        transferred: 0,
    };
    let reassignment = |to: UserIx, what: What, ids: Vec<Text<'a>>, via: &'static str, through| {
        let (through, hops) = through_ids(ctx, through);
        Reassignment {
            from: id.clone(),
            to: ctx.id(to),
            what,
            kind: None,
            state: None,
            count: ids.len(),
            ids,
            via: Text::Borrowed(via),
            through,
            hops,
        }
    };
    for tr in &h.transfers {
        match tr.to.as_ref().unwrap_or(&Resolution::Keep) {
            Resolution::To { user: to, via, through } => {
                c.transferred += tr.records.len();
                let ids = tr.records.iter().map(|r| store.record(*r).id.into()).collect();
                let mut r = reassignment(*to, What::Records, ids, via, *through);
                r.kind = Some(store.symbols.resolve(tr.kind).into());
                r.state = Some(store.symbols.resolve(tr.state).into());
                result.reassignments.push(r);
            }
            Resolution::Keep => c.kept += tr.records.len(),
            Resolution::Nowhere(_) => {}
        }
    }
    // Reports, one entry per receiver (the report the chain names goes elsewhere).
    let mut by_receiver: Vec<(UserIx, &'static str, Option<Through>, Vec<UserIx>)> = Vec::new();
    for r in &h.reports {
        if let Some(Resolution::To { user: to, via, through }) = h.report_to(*r) {
            match by_receiver.iter_mut().find(|(u, ..)| u == to) {
                Some(entry) => entry.3.push(*r),
                None => by_receiver.push((*to, via, *through, vec![*r])),
            }
        }
    }
    for (to, via, through, reports) in by_receiver {
        let mut ids: Vec<Text<'a>> = reports.iter().map(|r| ctx.id(*r)).collect();
        crate::plan::sort_ids(&mut ids);
        result.reassignments.push(reassignment(to, What::Reports, ids, via, through));
    }
    if let Some(Resolution::To { user: to, via, through }) = &h.teams_to {
        let ids = h.teams.iter().map(|t| store.team(*t).id().into()).collect();
        result.reassignments.push(reassignment(*to, What::Team, ids, via, *through));
    }
    result.conservation = Some((id.to_string(), c));
    result
}
