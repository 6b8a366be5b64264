//! Reactivation: who may come back, and what coming back does not restore.
//!
//! The actor rules and profile completeness are the offboarding checks
//! ([`checks::REACTIVATION_CHECKS`]); reactivation adds its own: a user who left the account
//! cannot be reactivated, and a reactivated user needs a free seat once the reactivations
//! before them (in id order) are counted. A block-listed e-mail does not refuse: the list
//! stops automatic reactivation only, so the plan takes the e-mail off it (`unblock_email`).

use super::checks::{self, Subject};
use super::{Actor, Channel, Holdings, Outcome};
use crate::model::{fold_email, Status};
use crate::plan::{ActionKind, Blocked, Finding};
use crate::policy::Disposition;
use crate::rules::Ctx;
use crate::snapshot::UserIx;

/// Plans the reactivation of `users` (ids or e-mails) on behalf of `actor`.
pub fn reactivate<'a>(ctx: &Ctx<'a, '_>, users: &[String], actor: &Actor) -> Outcome<'a> {
    let store = ctx.store;
    let policy = ctx.policy;
    let mut outcome = Outcome::default();
    let mut targets: Vec<UserIx> = Vec::new();
    let mut seen = vec![false; store.users.len()];
    let mut unknown = std::collections::HashSet::new();
    for (asked, found) in users.iter().zip(store.find_users(users.iter().map(String::as_str))) {
        match found {
            Some(u) if !std::mem::replace(&mut seen[u.index()], true) => targets.push(u),
            Some(_) => {}
            None if !unknown.insert(fold_email(asked.trim()).into_owned()) => {}
            None => outcome.blocked.push(Blocked {
                user: asked.clone().into(),
                code: "unknown_user".into(),
                reason: ctx.store.why_not_found(asked),
                records: Vec::new(),
            }),
        }
    }
    targets.sort_by(|a, b| crate::plan::natural_cmp(store.user(*a).id(), store.user(*b).id()));
    let billed_now = store.users.iter().filter(|u| policy.statuses.is_billed(u.status())).count();
    let mut free_seats = store.account.seats.map(|total| total as i64 - billed_now as i64);
    let holdings = Holdings::default();
    let who = match actor {
        Actor::User(a) => store.user(*a).id().to_string(),
        Actor::Unknown(id) => id.clone(),
        Actor::Policy => "the policy".to_owned(),
    };
    for user in targets {
        let u = store.user(user);
        let id = u.id().into();
        match u.status() {
            Status::Deactivated | Status::Suspended => {}
            Status::Left => {
                outcome.blocked.push(Blocked {
                    user: id,
                    code: "left_account".into(),
                    reason: "left the account for another one; invite them again instead"
                        .to_owned(),
                    records: Vec::new(),
                });
                continue;
            }
            other => {
                outcome.findings.push(Finding::new(
                    "not_deactivated",
                    vec![id],
                    format!("already {other}: nothing to reactivate"),
                ));
                continue;
            }
        }
        let subject = Subject {
            ctx,
            user,
            actor,
            channel: Channel::Manual,
            reports_to_given: false,
            holdings: &holdings,
            verb: "reactivate",
        };
        let mut blocked: Vec<Blocked> =
            checks::REACTIVATION_CHECKS.iter().filter_map(|check| check(&subject)).collect();
        let takes_seat =
            policy.statuses.is_billed(Status::Active) && !policy.statuses.is_billed(u.status());
        if blocked.is_empty() && takes_seat {
            if let (Some(free), Some(total)) = (free_seats.as_mut(), store.account.seats) {
                if *free <= 0 {
                    blocked.push(Blocked {
                        user: id.clone(),
                        code: "no_seat".into(),
                        reason: format!(
                            "no free seat: {} of {total} seats are taken once the reactivations before this one are counted",
                            total as i64 - *free
                        ),
                        records: Vec::new(),
                    });
                } else {
                    *free -= 1;
                }
            }
        }
        if !blocked.is_empty() {
            outcome.blocked.extend(blocked);
            continue;
        }
        // The block list stops automatic reactivation (a future purchase or sign-up) only;
        // an authorised actor may bring the user back, which takes the e-mail off it.
        let blocked_email = u.email().filter(|e| store.is_email_blocked(e));
        let unblock = if blocked_email.is_some() {
            "; the e-mail is on the block list, which stops only automatic reactivation: it is taken off (unblock_email)"
        } else {
            ""
        };
        outcome.actions.push(ctx.action(
            user,
            ActionKind::Reactivate,
            "reactivate",
            format!("requested by {who}; {} -> active{unblock}", u.status()),
        ));
        if let Some(email) = blocked_email {
            outcome.actions.push(ctx.action(
                user,
                ActionKind::UnblockEmail,
                "reactivate",
                format!("`{email}` leaves the block list (blocked_emails) as {who} reactivates the user by hand"),
            ));
        }
        outcome.findings.push(Finding::new("not_restored", vec![id], not_restored(ctx)));
    }
    outcome
}

/// What a reactivation leaves as the deactivation made it, from the policy's dispositions.
pub(crate) fn not_restored(ctx: &Ctx<'_, '_>) -> String {
    let records = &ctx.policy.records;
    let rules = records
        .kinds
        .iter()
        .map(|(k, r)| (k.as_str(), r))
        .chain(records.fallback.iter().map(|r| ("other", r)));
    let mut cancelled = Vec::new();
    let mut moved = Vec::new();
    for (kind, rule) in rules {
        if rule.states.values().any(|d| *d == Disposition::Cancel) {
            cancelled.push(kind);
        }
        if rule.states.values().any(|d| *d == Disposition::Transfer) {
            moved.push(kind);
        }
    }
    let mut parts = vec!["reactivation restores the login only: team memberships removed at deactivation are not restored (add the user to teams again)".to_owned()];
    if !cancelled.is_empty() {
        parts.push(format!(
            "{} records cancelled at deactivation stay cancelled (renew them by hand)",
            cancelled.join(", ")
        ));
    }
    if !moved.is_empty() {
        parts.push(format!(
            "{} records moved to other users at deactivation stay with them",
            moved.join(", ")
        ));
    }
    parts.join("; ")
}
