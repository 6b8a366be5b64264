//! Seats: billed users before and after the plan against the licence count.

use crate::model::Status;
use crate::plan::{ActionKind, Finding, Plan};
use crate::policy::Policy;

/// Adds `seat_overage` when billed users exceed the seats before or after the plan.
pub fn check(plan: &mut Plan, policy: &Policy) {
    let s = &plan.summary.seats;
    let Some(total) = s.total else { return };
    let (before, after) = (s.billed_before as u64, s.billed_after as u64);
    if before <= total && after <= total {
        return;
    }
    let reason = if after > total {
        format!("{before} billed users before the plan and {after} after it, for {total} seats: {} over", after - total)
    } else {
        format!(
            "{before} billed users for {total} seats ({} over) before the plan; {after} after it",
            before - total
        )
    };
    // Invites take a seat from the moment they are sent (when `invited` is billed).
    let invited = plan.summary.statuses_after.get("invited").copied().unwrap_or(0);
    let resent = plan.actions.iter().filter(|a| a.action == ActionKind::ResendInvite).count();
    let reason = if after > total && invited > 0 && policy.statuses.is_billed(Status::Invited) {
        format!(
            "{reason}; {invited} billed users are pending invites ({resent} resent by this plan) and each holds a seat: buy seats or rescind invites"
        )
    } else {
        reason
    };
    plan.findings.push(Finding::new("seat_overage", Vec::new(), reason));
}
