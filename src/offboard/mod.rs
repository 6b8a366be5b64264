//! Offboarding: who may leave, and where everything they hold goes.
//!
//! One mechanism serves `roster offboard` (targets from the command line or a bulk sheet),
//! the idle rule's `deactivate_after` escalation, and the records still held by users who
//! already left (orphans): targets are checked ([`checks`]), their holdings are resolved
//! ([`resolver`]), and allowed targets get their actions, reassignments and a
//! conservation count (records = transferred + kept + cancelled). [`reactivate`] is the way
//! back, with the same actor checks; [`requests`] parses the bulk sheet.

pub mod checks;
mod orphans;
pub mod reactivate;
pub mod requests;
pub mod resolver;

pub use orphans::orphans;
pub use resolver::{Chosen, Need, Resolution, Resolver};

use crate::model::Status;
use crate::plan::{Action, ActionKind, Blocked, Conservation, Finding, Reassignment, What};
use crate::policy::{Disposition, ReportsPolicy, TeamsPolicy};
use crate::rules::Ctx;
use crate::snapshot::{RecordIx, Sym, TeamIx, UserIx};
use rayon::prelude::*;
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
    /// The records, in file order.
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
    /// Direct reports who stay.
    pub reports: Vec<UserIx>,
    /// Their new manager, once resolved.
    pub reports_to: Option<Resolution>,
    /// Teams the target leads.
    pub teams: Vec<TeamIx>,
    /// Their new leader, once resolved.
    pub teams_to: Option<Resolution>,
}

/// The result of an offboarding run.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Actions of allowed targets.
    pub actions: Vec<Action>,
    /// Reassignments of allowed targets.
    pub reassignments: Vec<Reassignment>,
    /// Refusals.
    pub blocked: Vec<Blocked>,
    /// Notes (already deactivated targets, ...).
    pub findings: Vec<Finding>,
    /// Conservation per offboarded user id.
    pub offboarded: BTreeMap<String, Conservation>,
    /// Users found as targets (allowed or not).
    pub targets: Vec<UserIx>,
}

struct Target {
    user: UserIx,
    chosen: Chosen,
    why: String,
}

/// The targets of an offboarding, checked (phase A), and the resolver built from the
/// targets that passed those checks.
struct Prepared<'a> {
    outcome: Outcome,
    targets: Vec<Target>,
    statically: Vec<Vec<Blocked>>,
    resolver: Resolver<'a>,
}

fn prepare<'a>(ctx: &Ctx<'a>, requests: &[Request], options: &Options) -> Prepared<'a> {
    let store = ctx.store;
    let mut outcome = Outcome::default();
    let mut targets: Vec<Target> = Vec::new();
    let mut seen = vec![false; store.users.len()];
    for r in requests {
        match store.find_user(&r.user) {
            None => outcome.blocked.push(Blocked {
                user: r.user.clone(),
                code: "unknown_user".to_owned(),
                reason: format!("no user has the id or e-mail `{}`", r.user),
                records: Vec::new(),
            }),
            Some(u) if seen[u.index()] => {}
            Some(u) => {
                seen[u.index()] = true;
                let mut unknown = Vec::new();
                for (label, id) in
                    [("reassign_to", &r.chosen.records), ("reports_to", &r.chosen.reports)]
                {
                    if let Some(id) = id {
                        if store.user_ix(id).is_none() {
                            unknown.push(format!("{label} `{id}` is not a user"));
                        }
                    }
                }
                if unknown.is_empty() {
                    targets.push(Target { user: u, chosen: r.chosen.clone(), why: r.why.clone() });
                } else {
                    outcome.blocked.push(Blocked {
                        user: ctx.id(u),
                        code: "unknown_user".to_owned(),
                        reason: unknown.join("; "),
                        records: Vec::new(),
                    });
                }
            }
        }
    }
    targets
        .sort_by(|a, b| crate::plan::natural_cmp(store.user(a.user).id(), store.user(b.user).id()));
    outcome.targets = targets.iter().map(|t| t.user).collect();
    // Phase A: the checks that do not depend on who else leaves. Reports who are
    // themselves targets are not counted here.
    let mut is_target = vec![false; store.users.len()];
    for t in &targets {
        is_target[t.user.index()] = true;
    }
    let static_checks = |t: &Target| -> Vec<Blocked> {
        if store.user(t.user).status() == Status::Deactivated {
            return Vec::new();
        }
        let stays = |r: UserIx| !is_target[r.index()];
        let h = holdings(ctx, None, t.user, t.chosen.reports.is_some(), &stays);
        let subject = subject(ctx, t, options, &h);
        checks::STATIC_CHECKS.iter().filter_map(|check| check(&subject)).collect()
    };
    let statically: Vec<Vec<Blocked>> = targets.par_iter().map(static_checks).collect();
    // Phase B: targets that pass those checks leave; a target refused for a policy reason
    // stays and may receive. Resolve everyone's holdings against that set.
    let mut outgoing = vec![false; store.users.len()];
    for (t, blocked) in targets.iter().zip(&statically) {
        if blocked.is_empty() && store.user(t.user).status() != Status::Deactivated {
            outgoing[t.user.index()] = true;
        }
    }
    let chosen = targets.iter().map(|t| (t.user, t.chosen.clone())).collect();
    let resolver = Resolver::new(*ctx, outgoing, chosen);
    Prepared { outcome, targets, statically, resolver }
}

/// Plans the offboarding of `requests`.
pub fn offboard(ctx: &Ctx<'_>, requests: &[Request], options: &Options) -> Outcome {
    let store = ctx.store;
    let Prepared { mut outcome, targets, statically, resolver } = prepare(ctx, requests, options);
    let resolve = |(t, blocked): (&Target, &Vec<Blocked>)| {
        resolve_target(ctx, &resolver, t, blocked.clone(), options)
    };
    let resolved: Vec<(Vec<Blocked>, Option<Holdings>, Vec<Finding>)> = if resolver.needs_order() {
        targets.iter().zip(&statically).map(resolve).collect()
    } else {
        targets.par_iter().zip(&statically).map(resolve).collect()
    };
    // Phase C: allowed targets get their actions and reassignments.
    let mut allowed = vec![false; store.users.len()];
    for (t, (blocked, h, _)) in targets.iter().zip(&resolved) {
        if blocked.is_empty() && h.is_some() {
            allowed[t.user.index()] = true;
        }
    }
    let results: Vec<TargetResult> = targets
        .iter()
        .zip(resolved)
        .map(|(t, (blocked, h, findings))| {
            let mut r = match h {
                Some(h) if blocked.is_empty() => emit(ctx, &resolver, t, h, &allowed, options),
                _ => TargetResult { blocked, ..TargetResult::default() },
            };
            r.findings.extend(findings);
            r
        })
        .collect();
    if options.orphans {
        let (reassignments, findings) = orphans(ctx, &resolver);
        outcome.reassignments.extend(reassignments);
        outcome.findings.extend(findings);
    }
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
struct TargetResult {
    actions: Vec<Action>,
    reassignments: Vec<Reassignment>,
    blocked: Vec<Blocked>,
    findings: Vec<Finding>,
    conservation: Option<(String, Conservation)>,
}

/// What a user holds and, with a resolver, where each part would go. `stays` says which
/// direct reports remain (and so need a new manager).
pub fn holdings(
    ctx: &Ctx<'_>,
    resolver: Option<&Resolver<'_>>,
    user: UserIx,
    reports_given: bool,
    stays: &dyn Fn(UserIx) -> bool,
) -> Holdings {
    let store = ctx.store;
    let policy = ctx.policy;
    let mut h = Holdings::default();
    let mut group_of: HashMap<(Sym, Sym), usize> = HashMap::new();
    let mut dispositions: HashMap<(Sym, Sym), Disposition> = HashMap::new();
    let mut transfer_weight: HashMap<Sym, u64> = HashMap::new();
    for r in store.records_of(user) {
        let rec = store.record(r);
        let key = (rec.kind, rec.state);
        let d = *dispositions.entry(key).or_insert_with(|| {
            policy.records.disposition(store.kind_of(rec), store.state_of(rec)).0
        });
        match d {
            Disposition::Keep => h.kept.push(r),
            Disposition::Cancel => h.cancelled.push(r),
            Disposition::Block => h.blocking.push(r),
            Disposition::Transfer => {
                *transfer_weight.entry(rec.kind).or_default() += 1;
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
    // Everything in a stable order (names, ids), not the file's: plans must not depend on
    // row order.
    let by_id = |a: &RecordIx, b: &RecordIx| {
        crate::plan::natural_cmp(store.record(*a).id, store.record(*b).id)
    };
    for t in &mut h.transfers {
        t.records.sort_by(by_id);
    }
    h.transfers.sort_by(|a, b| {
        (store.symbols.resolve(a.kind), store.symbols.resolve(a.state))
            .cmp(&(store.symbols.resolve(b.kind), store.symbols.resolve(b.state)))
    });
    h.blocking.sort_by(by_id);
    h.kept.sort_by(by_id);
    h.cancelled.sort_by(by_id);
    h.reports = store.reports_of(user).filter(|r| stays(*r)).collect();
    h.teams = store.teams_led_by(user).collect();
    let Some(resolver) = resolver else { return h };
    let mut by_kind: HashMap<Sym, Resolution> = HashMap::new();
    for t in &mut h.transfers {
        let weight = transfer_weight.get(&t.kind).copied().unwrap_or(0);
        let to = by_kind
            .entry(t.kind)
            .or_insert_with(|| resolver.resolve(user, Need::Records(t.kind), weight));
        t.to = Some(to.clone());
    }
    if !h.reports.is_empty()
        && (policy.leaders.direct_reports == ReportsPolicy::Reassign || reports_given)
    {
        h.reports_to = Some(resolver.resolve(user, Need::Reports, 0));
    }
    if !h.teams.is_empty() && policy.leaders.teams == TeamsPolicy::HandOver {
        h.teams_to = Some(resolver.resolve(user, Need::Teams, 0));
    }
    h
}

fn subject<'a>(
    ctx: &'a Ctx<'a>,
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

/// Resolves a target's holdings and adds `no_receiver` when something has nowhere to go.
/// Already deactivated targets get a note and no holdings.
fn resolve_target(
    ctx: &Ctx<'_>,
    resolver: &Resolver<'_>,
    t: &Target,
    mut blocked: Vec<Blocked>,
    options: &Options,
) -> (Vec<Blocked>, Option<Holdings>, Vec<Finding>) {
    let u = ctx.store.user(t.user);
    if u.status() == Status::Deactivated {
        let note = Finding::new(
            "already_deactivated",
            vec![u.id().to_string()],
            "already deactivated: nothing to do".to_owned(),
        );
        return (Vec::new(), None, vec![note]);
    }
    let stays = |r: UserIx| !resolver.is_outgoing(r);
    let h = holdings(ctx, Some(resolver), t.user, t.chosen.reports.is_some(), &stays);
    blocked.extend(checks::no_receiver(&subject(ctx, t, options, &h)));
    (blocked, Some(h), Vec::new())
}

/// Actions, reassignments and the conservation count of an allowed target.
fn emit(
    ctx: &Ctx<'_>,
    resolver: &Resolver<'_>,
    t: &Target,
    mut h: Holdings,
    allowed: &[bool],
    options: &Options,
) -> TargetResult {
    let store = ctx.store;
    let u = store.user(t.user);
    let id = u.id().to_string();
    let mut result = TargetResult::default();
    // Reports who were to leave too but were refused stay, and need a manager as well.
    let extra: Vec<UserIx> = store
        .reports_of(t.user)
        .filter(|r| !allowed[r.index()] && !h.reports.contains(r))
        .collect();
    if !extra.is_empty() {
        h.reports.extend(extra);
        h.reports.sort_unstable();
        if h.reports_to.is_none() {
            h.reports_to = Some(resolver.resolve(t.user, Need::Reports, 0));
        }
        if let Some(Resolution::Nowhere(tried)) = &h.reports_to {
            result.findings.push(Finding::new(
                "reports_without_manager",
                h.reports.iter().map(|r| ctx.id(*r)).collect(),
                format!(
                    "{id} leaves but their reports stay and no new manager was found (tried {})",
                    tried.join("; ")
                ),
            ));
        }
    }
    let rule = options.rule;
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
        a.team = Some(store.team(team).id().to_string());
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
        a.record = Some(rec.id.to_string());
        result.actions.push(a);
    }
    let mut c = Conservation {
        records: store.record_count(t.user),
        kept: h.kept.len(),
        cancelled: h.cancelled.len(),
        transferred: 0,
    };
    for tr in &h.transfers {
        match tr.to.as_ref().unwrap_or(&Resolution::Keep) {
            Resolution::To { user: to, via, through } => {
                c.transferred += tr.records.len();
                result.reassignments.push(Reassignment {
                    from: ctx.id(t.user),
                    to: ctx.id(*to),
                    what: What::Records,
                    kind: Some(store.symbols.resolve(tr.kind).to_owned()),
                    state: Some(store.symbols.resolve(tr.state).to_owned()),
                    count: tr.records.len(),
                    ids: tr.records.iter().map(|r| store.record(*r).id.to_string()).collect(),
                    via: via.clone(),
                    through: through.iter().map(|u| ctx.id(*u)).collect(),
                });
            }
            Resolution::Keep => c.kept += tr.records.len(),
            Resolution::Nowhere(_) => {}
        }
    }
    let mut hand_over = |what: What, ids: Vec<String>, to: &Option<Resolution>| {
        if let Some(Resolution::To { user: receiver, via, through }) = to {
            result.reassignments.push(Reassignment {
                from: ctx.id(t.user),
                to: ctx.id(*receiver),
                what,
                kind: None,
                state: None,
                count: ids.len(),
                ids,
                via: via.clone(),
                through: through.iter().map(|u| ctx.id(*u)).collect(),
            });
        }
    };
    hand_over(What::Reports, h.reports.iter().map(|r| ctx.id(*r)).collect(), &h.reports_to);
    hand_over(
        What::Team,
        h.teams.iter().map(|t| store.team(*t).id().to_string()).collect(),
        &h.teams_to,
    );
    result.conservation = Some((id, c));
    result
}

/// Explains, step by step, how the offboarding of `requests` treats one of its targets:
/// the checks that refuse it, and for everything it holds the disposition and the receiver
/// chain tried (`roster explain`).
pub fn explain(
    ctx: &Ctx<'_>,
    requests: &[Request],
    options: &Options,
    user: UserIx,
) -> Vec<String> {
    let store = ctx.store;
    let prepared = prepare(ctx, requests, options);
    let id = |u: UserIx| store.user(u).id().to_string();
    let mut lines = Vec::new();
    let Some(pos) = prepared.targets.iter().position(|t| t.user == user) else {
        lines.push(format!("{} is not a target of this offboarding", id(user)));
        return lines;
    };
    let (Some(t), Some(blocked)) = (prepared.targets.get(pos), prepared.statically.get(pos)) else {
        return lines;
    };
    let leaving: Vec<String> = prepared
        .targets
        .iter()
        .filter(|t| prepared.resolver.is_outgoing(t.user))
        .map(|t| id(t.user))
        .collect();
    lines.push(format!(
        "targets: {}; leaving (they passed the policy checks, so they cannot receive): {}",
        prepared.targets.iter().map(|t| id(t.user)).collect::<Vec<_>>().join(", "),
        if leaving.is_empty() { "none".to_owned() } else { leaving.join(", ") }
    ));
    if store.user(user).status() == Status::Deactivated {
        lines.push("already deactivated: nothing to do".to_owned());
        return lines;
    }
    if blocked.is_empty() {
        lines.push("checks: passes every policy check (actor, rank, protection, profile, teams, reports, bulk, references)".to_owned());
    }
    for b in blocked {
        lines.push(format!("check {}: refused: {}", b.code, b.reason));
    }
    let resolver = &prepared.resolver;
    let stays = |r: UserIx| !resolver.is_outgoing(r);
    let h = holdings(ctx, None, user, t.chosen.reports.is_some(), &stays);
    let chain_text = |need: Need| {
        resolver.chain(user, need).iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
    };
    let traced = |need: Need, what: String, lines: &mut Vec<String>| {
        lines.push(format!("{what}: chain {}", chain_text(need)));
        let mut trace = Some(Vec::new());
        resolver.resolve_traced(user, need, 0, &mut trace);
        lines.extend(trace.unwrap_or_default().into_iter().map(|l| format!("  {l}")));
    };
    let mut kinds_done = Vec::new();
    for tr in &h.transfers {
        let rec = tr.records.first().map(|r| store.record(*r));
        let key = rec
            .map(|r| ctx.policy.records.disposition(store.kind_of(r), store.state_of(r)).1)
            .unwrap_or_default();
        let ids: Vec<&str> = tr.records.iter().map(|r| store.record(*r).id).collect();
        let what = format!(
            "{} {} {} record(s) ({}): transfer ({key})",
            tr.records.len(),
            store.symbols.resolve(tr.state),
            store.symbols.resolve(tr.kind),
            ids.join(", ")
        );
        if kinds_done.contains(&tr.kind) {
            lines.push(format!(
                "{what}: same receiver as the other {} records",
                store.symbols.resolve(tr.kind)
            ));
        } else {
            kinds_done.push(tr.kind);
            traced(Need::Records(tr.kind), what, &mut lines);
        }
    }
    for (list, label) in
        [(&h.kept, "kept"), (&h.cancelled, "cancelled"), (&h.blocking, "blocking the offboarding")]
    {
        if !list.is_empty() {
            let ids: Vec<&str> = list.iter().map(|r| store.record(*r).id).collect();
            lines.push(format!(
                "{} record(s) {label} by disposition: {}",
                list.len(),
                ids.join(", ")
            ));
        }
    }
    if !h.reports.is_empty() {
        let ids: Vec<String> = h.reports.iter().map(|r| id(*r)).collect();
        if ctx.policy.leaders.direct_reports == ReportsPolicy::Block && t.chosen.reports.is_none() {
            lines.push(format!(
                "direct reports ({}): leaders.direct_reports = \"block\"",
                ids.join(", ")
            ));
        } else {
            traced(Need::Reports, format!("direct reports ({})", ids.join(", ")), &mut lines);
        }
    }
    if !h.teams.is_empty() {
        let ids: Vec<String> = h.teams.iter().map(|t| store.team(*t).id().to_string()).collect();
        if ctx.policy.leaders.teams == TeamsPolicy::Block {
            lines.push(format!("teams led ({}): leaders.teams = \"block\"", ids.join(", ")));
        } else {
            traced(Need::Teams, format!("teams led ({})", ids.join(", ")), &mut lines);
        }
    }
    if h.transfers.is_empty()
        && h.kept.is_empty()
        && h.cancelled.is_empty()
        && h.blocking.is_empty()
    {
        lines.push("owns no records".to_owned());
    }
    lines
}
