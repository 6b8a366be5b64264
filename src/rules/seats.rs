//! Seats: billed users before and after the plan against the licence count.

use crate::plan::{Finding, Plan};

/// Adds `seat_overage` when billed users exceed the seats before or after the plan.
pub fn check(plan: &mut Plan) {
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
    plan.findings.push(Finding::new("seat_overage", Vec::new(), reason));
}
