//! Safety limits: a plan that would deactivate, suspend or do more than `[safety]` allows
//! is held. It is still written in full, marked `held` with each limit it goes over, and
//! carries one finding `safety_limit` per limit; the command line exits with code 4 unless
//! `--accept-held` is given. A mass deprovisioning caused by a bad export (a missing
//! column read as "never logged in", a truncated file) stops here instead of reaching the
//! source system.

use crate::plan::{ActionKind, Finding, Held, Plan};
use crate::policy::{Limit, Policy};

/// Marks the plan held for each limit it goes over; `users` is the snapshot's user count
/// (what a share is a share of).
pub fn check(plan: &mut Plan, policy: &Policy, users: usize) {
    let s = &policy.safety;
    let count = |kind: Option<ActionKind>| -> u64 {
        plan.actions.iter().filter(|a| kind.is_none_or(|k| a.action == k)).count() as u64
    };
    let limits: [(&str, Option<Limit>, Option<ActionKind>, &str); 3] = [
        ("max_deactivations", s.max_deactivations, Some(ActionKind::Deactivate), "deactivation"),
        ("max_suspensions", s.max_suspensions, Some(ActionKind::Suspend), "suspension"),
        ("max_actions", s.max_actions, None, "action"),
    ];
    for (key, limit, kind, noun) in limits {
        let Some(limit) = limit else { continue };
        let allowed = limit.allowed(users);
        let n = count(kind);
        if n <= allowed {
            continue;
        }
        let of = match limit {
            Limit::Count(_) => String::new(),
            Limit::Share(_) => format!(" ({allowed} of {users} users)"),
        };
        plan.findings.push(Finding::new(
            "safety_limit",
            Vec::new(),
            format!(
                "{n} {noun}{} exceed{} [safety] {key} = {limit}{of}: the plan is held; review \
                 it, then accept it with --accept-held",
                if n == 1 { "" } else { "s" },
                if n == 1 { "s" } else { "" },
            ),
        ));
        plan.held.insert(key.to_owned(), Held { limit: limit.text(), allowed, count: n });
    }
}
