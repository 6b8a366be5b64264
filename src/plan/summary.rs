//! The plan's summary: action counts, statuses and seats before and after.

use super::{ActionKind, Plan, Seats};
use crate::model::Status;
use crate::policy::Policy;
use crate::snapshot::Store;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;

/// The status a user has once an action is applied, if the action changes it.
pub fn status_after(action: ActionKind) -> Option<Status> {
    match action {
        ActionKind::MarkIdle => Some(Status::Idle),
        ActionKind::MarkActive | ActionKind::Reactivate => Some(Status::Active),
        ActionKind::Suspend => Some(Status::Suspended),
        ActionKind::Deactivate | ActionKind::RescindInvite => Some(Status::Deactivated),
        _ => None,
    }
}

/// Fills the summary from the plan's lists, the store and the policy.
pub fn summarize(plan: &mut Plan, store: &Store, policy: &Policy) {
    let mut actions: BTreeMap<String, usize> = BTreeMap::new();
    for a in &plan.actions {
        *actions.entry(a.action.as_str().to_owned()).or_default() += 1;
    }
    // The last status-changing action of each user wins, in the plan's action order.
    let mut changed: FxHashMap<&str, (ActionKind, Status)> = FxHashMap::default();
    for a in &plan.actions {
        if let Some(s) = status_after(a.action) {
            let entry = changed.entry(a.user.as_str()).or_insert((a.action, s));
            if a.action >= entry.0 {
                *entry = (a.action, s);
            }
        }
    }
    let mut before = [0usize; 6];
    let mut after = [0usize; 6];
    for u in &store.users {
        before[u.status().index()] += 1;
        let s = changed.get(u.id()).map_or(u.status(), |(_, s)| *s);
        after[s.index()] += 1;
    }
    let table = |counts: &[usize; 6]| -> BTreeMap<String, usize> {
        Status::ALL.iter().map(|s| (s.as_str().to_owned(), counts[s.index()])).collect()
    };
    let billed = |counts: &[usize; 6]| -> usize {
        Status::ALL
            .iter()
            .filter(|s| policy.statuses.is_billed(**s))
            .map(|s| counts[s.index()])
            .sum()
    };
    plan.summary.actions = actions;
    plan.summary.blocked = plan.blocked.len();
    plan.summary.findings = plan.findings.len();
    plan.summary.statuses_before = table(&before);
    plan.summary.statuses_after = table(&after);
    plan.summary.seats = Seats {
        total: store.account.seats,
        billed_before: billed(&before),
        billed_after: billed(&after),
    };
}
