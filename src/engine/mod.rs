//! The engine's entry points: a nightly plan, an offboarding plan and a reactivation plan.
//!
//! Each binds the policy to the snapshot, runs the rules and the offboarding mechanism,
//! then assembles a sorted [`Plan`] with its summary. No I/O, no clock: `as_of` is a value.
//! [`scenario`] describes a run as the command line and `roster test` cases give it;
//! [`explain`] evaluates one user for `roster explain`.

pub mod explain;
pub mod scenario;

use crate::diag::Diagnostics;
use crate::offboard::{self, Actor, Channel, Chosen, Options, Outcome, Request};
use crate::plan::{self, Plan, PolicyRef, SnapshotRef};
use crate::policy::Policy;
use crate::rules::{self, safety, seats, Ctx};
use crate::snapshot::Store;
use crate::time::{format_time, Time};

/// The nightly compliance plan (`roster plan`). With the previous snapshot, renamed seats
/// are reported too (`identity_reused`).
pub fn nightly(
    policy: &Policy,
    store: &Store,
    as_of: Time,
    previous: Option<&Store>,
) -> Result<Plan, Diagnostics> {
    let bound = policy.bind(store)?;
    let ctx = Ctx { policy, bound: &bound, store, as_of };
    let mut sink = rules::evaluate(&ctx);
    if let Some(previous) = previous {
        sink.findings.extend(rules::identity_reused(&ctx, previous));
    }
    let requests: Vec<Request> = sink
        .escalations
        .iter()
        .map(|e| Request { user: ctx.id(e.user), chosen: Chosen::default(), why: e.reason.clone() })
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
pub fn offboarding(
    policy: &Policy,
    store: &Store,
    as_of: Time,
    requests: &[Request],
    options: &Options,
) -> Result<Plan, Diagnostics> {
    let bound = policy.bind(store)?;
    let ctx = Ctx { policy, bound: &bound, store, as_of };
    let after = store.users.iter().map(|u| u.status()).collect();
    let outcome = offboard::offboard(&ctx, requests, options, after);
    Ok(finish(empty(policy, store, as_of), outcome, store, policy))
}

/// A reactivation plan (`roster reactivate`).
pub fn reactivation(
    policy: &Policy,
    store: &Store,
    as_of: Time,
    users: &[String],
    actor: &offboard::Actor,
) -> Result<Plan, Diagnostics> {
    let bound = policy.bind(store)?;
    let ctx = Ctx { policy, bound: &bound, store, as_of };
    let outcome = offboard::reactivate::reactivate(&ctx, users, actor);
    Ok(finish(empty(policy, store, as_of), outcome, store, policy))
}

fn empty(policy: &Policy, store: &Store, as_of: Time) -> Plan {
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

fn finish(mut plan: Plan, outcome: Outcome, store: &Store, policy: &Policy) -> Plan {
    plan.actions.extend(outcome.actions);
    plan.reassignments.extend(outcome.reassignments);
    plan.blocked.extend(outcome.blocked);
    plan.findings.extend(outcome.findings);
    plan.summary.offboarded = outcome.offboarded;
    plan::summarize(&mut plan, store, policy);
    seats::check(&mut plan, policy);
    safety::check(&mut plan, policy, store.users.len());
    plan.sort();
    plan::summarize(&mut plan, store, policy);
    plan
}
