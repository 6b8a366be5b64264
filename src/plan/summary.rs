//! The plan's summary: action counts, statuses and seats before and after.

use super::{Action, ActionKind, Plan, Seats};
use crate::model::Status;
use crate::policy::Policy;
use crate::snapshot::Store;
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

/// Every user's status once `actions` are applied: the status-changing action last in
/// action order wins (a deactivation over a suspension over a mark). Offboarding judges
/// receivers by this, and the summary counts it.
pub fn statuses_after(store: &Store, actions: &[Action]) -> Vec<Status> {
    let mut statuses: Vec<Status> = store.users.iter().map(|u| u.status()).collect();
    let mut by: Vec<Option<ActionKind>> = vec![None; statuses.len()];
    let changing: Vec<(&Action, Status)> =
        actions.iter().filter_map(|a| Some((a, status_after(a.action)?))).collect();
    // The users are looked up in one batch (independent probes overlap), in action order.
    let ids: Vec<&str> = changing.iter().map(|(a, _)| a.user.as_ref()).collect();
    for (&(a, s), u) in changing.iter().zip(store.user_ixs_of(&ids)) {
        let Some(u) = u else { continue };
        if by[u.index()].is_none_or(|k| a.action >= k) {
            by[u.index()] = Some(a.action);
            statuses[u.index()] = s;
        }
    }
    statuses
}

/// Fills the summary from the plan's lists, the store and the policy.
pub fn summarize(plan: &mut Plan, store: &Store, policy: &Policy) {
    let mut counts = [0usize; ActionKind::ALL.len()];
    for a in &plan.actions {
        if let Some(n) = ActionKind::ALL.iter().position(|k| *k == a.action) {
            counts[n] += 1;
        }
    }
    let actions: BTreeMap<String, usize> = ActionKind::ALL
        .iter()
        .zip(counts)
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| (k.as_str().to_owned(), n))
        .collect();
    let statuses = statuses_after(store, &plan.actions);
    let mut before = [0usize; 6];
    let mut after = [0usize; 6];
    for (u, s) in store.users.iter().zip(&statuses) {
        before[u.status().index()] += 1;
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
