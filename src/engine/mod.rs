//! The engine's entry points: a nightly plan, an offboarding plan and a reactivation plan.
//!
//! Each binds the policy to the snapshot, runs the rules and the offboarding mechanism,
//! then assembles a sorted [`Plan`] with its summary. No I/O, no clock: `as_of` is a value.
//! [`scenario`] describes a run as the command line and `roster test` cases give it;
//! [`explain`] evaluates one user for `roster explain`.

pub mod explain;
pub mod scenario;

use crate::diag::Diagnostics;
use crate::directory::People;
use crate::offboard::{self, Actor, Channel, Chosen, Options, Outcome, Request};
use crate::plan::{self, Plan, PolicyRef, SnapshotRef};
use crate::policy::Policy;
use crate::rules::{self, safety, seats, Ctx};
use crate::snapshot::{Store, UserIx};
use crate::time::{format_time, Time};

/// The second inputs of a nightly plan.
#[derive(Debug, Clone, Copy, Default)]
pub struct Extra<'a> {
    /// The previous snapshot: renamed seats are reported (`identity_reused`).
    pub previous: Option<&'a Store>,
    /// The directory (`--directory`): accounts are reconciled with its people.
    pub directory: Option<&'a People>,
}

/// The nightly compliance plan (`roster plan`), with what the extra inputs add.
pub fn nightly<'a>(
    policy: &'a Policy,
    store: &'a Store,
    as_of: Time,
    extra: Extra<'_>,
) -> Result<Plan<'a>, Diagnostics> {
    let bound = policy.bind(store)?;
    let reasons = crate::plan::Reasons::default();
    let ctx = Ctx { policy, bound: &bound, store, as_of, reasons: &reasons };
    let mut sink = rules::evaluate(&ctx);
    if let Some(previous) = extra.previous {
        sink.findings.extend(rules::identity_reused(&ctx, previous));
    }
    if let Some(people) = extra.directory {
        let found = rules::directory::reconcile(&ctx, people);
        sink.actions.extend(found.actions);
        sink.findings.extend(found.findings);
        // A user the idle rule escalates already is offboarded once, for that reason.
        let mut escalated: Vec<bool> = vec![false; store.users.len()];
        for e in &sink.escalations {
            if let Some(x) = escalated.get_mut(e.user.0 as usize) {
                *x = true;
            }
        }
        let mut more: Vec<_> = found.escalations;
        more.sort_by_key(|e| e.user);
        more.retain(|e| !escalated.get(e.user.0 as usize).copied().unwrap_or(false));
        sink.escalations.extend(more);
    }
    let requests: Vec<Request> = sink
        .escalations
        .iter()
        .map(|e| Request {
            user: ctx.id(e.user).into_owned(),
            chosen: Chosen::default(),
            why: e.reason.clone(),
            rule: Some(e.rule),
        })
        .collect();
    let options = Options {
        actor: Actor::Policy,
        channel: Channel::Policy,
        allow_reactivation: false,
        rule: "idle",
        orphans: true,
    };
    // Receivers are judged by their status after the rules' own actions.
    let after = plan::statuses_after(store, &sink.actions);
    let outcome = offboard::offboard(&ctx, &requests, &options, after);
    let mut plan = empty(policy, store, as_of);
    plan.actions = sink.actions;
    plan.findings = sink.findings;
    Ok(finish(plan, outcome, store, policy))
}

/// An offboarding plan (`roster offboard`).
pub fn offboarding<'a>(
    policy: &'a Policy,
    store: &'a Store,
    as_of: Time,
    requests: &[Request],
    options: &Options,
    directory: Option<&People>,
) -> Result<Plan<'a>, Diagnostics> {
    let bound = policy.bind(store)?;
    let reasons = crate::plan::Reasons::default();
    let ctx = Ctx { policy, bound: &bound, store, as_of, reasons: &reasons };
    let after = store.users.iter().map(|u| u.status()).collect();
    let outcome = offboard::offboard(&ctx, requests, options, after);
    let mut plan = empty(policy, store, as_of);
    let targets: Vec<&str> = requests.iter().map(|r| r.user.as_str()).collect();
    plan.findings = directory_findings(&ctx, directory, &targets);
    Ok(finish(plan, outcome, store, policy))
}

/// What the directory says of the targets of an offboarding or a reactivation: a leave
/// date, a person still active, a person rehired.
fn directory_findings<'a>(
    ctx: &Ctx<'a, '_>,
    directory: Option<&People>,
    targets: &[&str],
) -> Vec<crate::plan::Finding<'a>> {
    let Some(people) = directory else { return Vec::new() };
    let r = rules::directory::Reconciler::new(ctx, people);
    let mut sink = rules::Sink::default();
    let mut found: Vec<UserIx> = targets.iter().filter_map(|t| ctx.store.find_user(t)).collect();
    found.sort();
    found.dedup();
    for t in found {
        r.check(ctx, t, &mut sink);
    }
    sink.findings
}

/// A reactivation plan (`roster reactivate`).
pub fn reactivation<'a>(
    policy: &'a Policy,
    store: &'a Store,
    as_of: Time,
    users: &[String],
    actor: &offboard::Actor,
    directory: Option<&People>,
) -> Result<Plan<'a>, Diagnostics> {
    let bound = policy.bind(store)?;
    let reasons = crate::plan::Reasons::default();
    let ctx = Ctx { policy, bound: &bound, store, as_of, reasons: &reasons };
    let outcome = offboard::reactivate::reactivate(&ctx, users, actor);
    let mut plan = empty(policy, store, as_of);
    let targets: Vec<&str> = users.iter().map(String::as_str).collect();
    plan.findings = directory_findings(&ctx, directory, &targets);
    Ok(finish(plan, outcome, store, policy))
}

fn empty(policy: &Policy, store: &Store, as_of: Time) -> Plan<'static> {
    Plan {
        as_of: format_time(as_of),
        policy: PolicyRef { name: policy.name.clone(), sha256: policy.sha256.clone() },
        snapshot: SnapshotRef {
            users: store.users.len(),
            teams: store.teams.len(),
            records: store.records.len(),
            sha256: store.sha256.clone(),
        },
        ..Plan::empty()
    }
}

fn finish<'a>(
    mut plan: Plan<'a>,
    outcome: Outcome<'a>,
    store: &Store,
    policy: &Policy,
) -> Plan<'a> {
    // An empty list takes the offboarding's as it is; another gets exact room first (a
    // list that doubles to take them would hold twice the memory it needs until the plan
    // is written, and a copy into a new list holds both for a while).
    plan::append(&mut plan.actions, outcome.actions);
    plan::append(&mut plan.reassignments, outcome.reassignments);
    plan::append(&mut plan.blocked, outcome.blocked);
    plan::append(&mut plan.findings, outcome.findings);
    plan.summary.offboarded = outcome.offboarded;
    plan::summarize(&mut plan, store, policy);
    seats::check(&mut plan, policy);
    safety::check(&mut plan, policy, store.users.len());
    plan.shrink();
    plan.sort();
    plan::summarize(&mut plan, store, policy);
    plan
}
