//! Blockers: every reason an offboarding is refused, one unit each.
//!
//! All checks run for every target, so a refused target gets one `blocked` entry per code
//! that holds and the admin sees every obstacle at once.

use super::resolver::Resolution;
use super::{Actor, Channel, Holdings};
use crate::fields::UserField;
use crate::model::Status;
use crate::plan::{Blocked, Text};
use crate::policy::{ActorRank, ReportsPolicy, RequiredField, TeamsPolicy};
use crate::rules::Ctx;
use crate::snapshot::UserIx;

/// What a check sees about one target.
pub struct Subject<'a> {
    /// The run.
    pub ctx: &'a Ctx<'a, 'a>,
    /// The target.
    pub user: UserIx,
    /// Who asks.
    pub actor: &'a Actor,
    /// Through which channel.
    pub channel: Channel,
    /// Whether a new manager for the reports was given.
    pub reports_to_given: bool,
    /// What the target holds and where it would go.
    pub holdings: &'a Holdings,
    /// What is being done: `deactivate` or `reactivate`.
    pub verb: &'static str,
}

impl Subject<'_> {
    /// A refusal. Its texts are owned: refusals are few, and a check's subject lives
    /// shorter than the plan.
    fn blocked(&self, code: &'static str, reason: String) -> Blocked<'static> {
        let user = Text::Owned(self.ctx.store.user(self.user).id().to_owned());
        Blocked { user, code: Text::Borrowed(code), reason, records: Vec::new() }
    }

    fn name(&self, user: UserIx) -> String {
        let u = self.ctx.store.user(user);
        format!("{} ({})", u.id(), self.ctx.policy.roles.name(u.role()))
    }
}

/// The checks of a reactivation: the same actor rules and profile completeness.
pub const REACTIVATION_CHECKS: [Check; 6] = [
    actor_unknown,
    actor_not_active,
    actor_lacks_permission,
    outranked,
    self_deactivation,
    missing_field,
];

/// A check: `Some` when it refuses the target.
pub type Check = fn(&Subject<'_>) -> Option<Blocked<'static>>;

/// The checks that do not depend on who else leaves, in the documented order of codes.
/// `no_receiver` runs once receivers are resolved.
pub const STATIC_CHECKS: [Check; 11] = [
    actor_unknown,
    actor_not_active,
    actor_lacks_permission,
    outranked,
    self_deactivation,
    protected,
    missing_field,
    leads_team,
    has_reports,
    bulk_refused,
    referenced,
];

fn actor_unknown(s: &Subject<'_>) -> Option<Blocked<'static>> {
    match s.actor {
        Actor::Unknown(id) => Some(
            s.blocked("actor_unknown", format!("the actor `{id}` is not a user of the snapshot")),
        ),
        _ => None,
    }
}

fn actor_not_active(s: &Subject<'_>) -> Option<Blocked<'static>> {
    let Actor::User(a) = s.actor else { return None };
    let status = s.ctx.store.user(*a).status();
    (status != Status::Active).then(|| {
        s.blocked("actor_not_active", format!("the actor {} is {status}, not active", s.ctx.id(*a)))
    })
}

fn actor_lacks_permission(s: &Subject<'_>) -> Option<Blocked<'static>> {
    let Actor::User(a) = s.actor else { return None };
    let needed = s.ctx.policy.deactivation.actor_permission.as_deref()?;
    (!s.ctx.policy.has_permission(s.ctx.store, *a, needed)).then(|| {
        s.blocked(
            "actor_lacks_permission",
            format!(
                "the actor {} does not hold `{needed}` (deactivation.actor_permission)",
                s.name(*a)
            ),
        )
    })
}

fn outranked(s: &Subject<'_>) -> Option<Blocked<'static>> {
    let Actor::User(a) = s.actor else { return None };
    if *a == s.user {
        return None;
    }
    let actor_rank = s.ctx.store.user(*a).role();
    let target_rank = s.ctx.store.user(s.user).role();
    let refused = match s.ctx.policy.deactivation.actor_rank {
        ActorRank::AtLeastTarget => target_rank < actor_rank,
        ActorRank::AboveTarget => target_rank <= actor_rank,
    };
    refused.then(|| {
        let rule = match s.ctx.policy.deactivation.actor_rank {
            ActorRank::AtLeastTarget => "the target's role ranks above the actor's",
            ActorRank::AboveTarget => {
                "the actor's role must rank above the target's (actor_rank = \"above_target\")"
            }
        };
        s.blocked(
            "outranked",
            format!("actor {} may not deactivate {}: {rule}", s.name(*a), s.name(s.user)),
        )
    })
}

fn self_deactivation(s: &Subject<'_>) -> Option<Blocked<'static>> {
    let Actor::User(a) = s.actor else { return None };
    (*a == s.user).then(|| {
        s.blocked("self", format!("{} cannot {} their own account", s.ctx.id(s.user), s.verb))
    })
}

fn protected(s: &Subject<'_>) -> Option<Blocked<'static>> {
    let ctx = s.ctx;
    if ctx.store.account.owner.ix() == Some(s.user) {
        return Some(s.blocked(
            "protected",
            format!(
                "{} is the account's primary owner; make someone else the owner first",
                ctx.id(s.user)
            ),
        ));
    }
    ctx.bound.protected.matches(ctx.store, s.user).then(|| {
        s.blocked("protected", format!("{} matches deactivation.protected", ctx.id(s.user)))
    })
}

fn missing_field(s: &Subject<'_>) -> Option<Blocked<'static>> {
    let u = s.ctx.store.user(s.user);
    if u.status() == Status::Invited {
        return None; // withdrawing an invite is not a deactivation
    }
    let missing: Vec<&str> = s
        .ctx
        .policy
        .deactivation
        .required_fields
        .iter()
        .filter(|f| match f {
            RequiredField::Standard(field) => match field {
                UserField::Email => u.email().is_none(),
                UserField::Name => u.name().is_none(),
                UserField::Phone => u.phone().is_none(),
                UserField::ManagerId => u.manager().ix().is_none(),
                UserField::Teams => !u.has_teams(),
                // Not requirable (RequiredField::parse): always filled, or not a profile field.
                _ => false,
            },
            RequiredField::Attribute(name) => s
                .ctx
                .bound
                .required_attributes
                .iter()
                .find(|(n, _)| n == name)
                .and_then(|(_, sym)| *sym)
                .and_then(|sym| u.attribute(sym))
                .is_none(),
        })
        .map(RequiredField::name)
        .collect();
    (!missing.is_empty()).then(|| {
        s.blocked(
            "missing_field",
            format!(
                "required field(s) empty: {}; complete the profile before you {} (deactivation.required_fields)",
                missing.join(", "),
                s.verb
            ),
        )
    })
}

fn leads_team(s: &Subject<'_>) -> Option<Blocked<'static>> {
    if s.ctx.policy.leaders.teams != TeamsPolicy::Block || s.holdings.teams.is_empty() {
        return None;
    }
    let teams: Vec<String> = s
        .holdings
        .teams
        .iter()
        .map(|t| {
            let team = s.ctx.store.team(*t);
            format!("{} ({})", team.id(), team.display())
        })
        .collect();
    Some(s.blocked(
        "leads_team",
        format!(
            "leads {}; name another leader first (leaders.teams = \"block\")",
            teams.join(", ")
        ),
    ))
}

fn has_reports(s: &Subject<'_>) -> Option<Blocked<'static>> {
    if s.ctx.policy.leaders.direct_reports != ReportsPolicy::Block
        || s.reports_to_given
        || s.holdings.reports.is_empty()
    {
        return None;
    }
    let ids: Vec<Text<'_>> = s.holdings.reports.iter().map(|r| s.ctx.id(*r)).collect();
    Some(s.blocked(
        "has_reports",
        format!(
            "has {} direct report(s) ({}); reassign them first or give a new manager (--reports-to)",
            ids.len(),
            ids.join(", ")
        ),
    ))
}

fn bulk_refused(s: &Subject<'_>) -> Option<Blocked<'static>> {
    (s.channel == Channel::Bulk && s.ctx.bound.bulk_refuse.matches(s.ctx.store, s.user)).then(|| {
        s.blocked(
            "bulk_refused",
            format!(
                "{} matches leaders.bulk_refuse: offboard them through the manual channel once their reports are reassigned",
                s.ctx.id(s.user)
            ),
        )
    })
}

fn referenced(s: &Subject<'_>) -> Option<Blocked<'static>> {
    if s.holdings.blocking.is_empty() {
        return None;
    }
    let store = s.ctx.store;
    let named: Vec<String> = s
        .holdings
        .blocking
        .iter()
        .map(|r| {
            let rec = store.record(*r);
            format!("{} {} ({})", store.kind_of(rec), rec.id, store.state_of(rec))
        })
        .collect();
    let mut b = s.blocked(
        "referenced",
        format!(
            "still named by {}, which the policy says must be changed by hand first",
            named.join(", ")
        ),
    );
    b.records =
        s.holdings.blocking.iter().map(|r| Text::Owned(store.record(*r).id.to_owned())).collect();
    Some(b)
}

/// Something transferable has no eligible receiver.
pub fn no_receiver(s: &Subject<'_>) -> Option<Blocked<'static>> {
    let store = s.ctx.store;
    let mut parts = Vec::new();
    let mut records = Vec::new();
    for t in &s.holdings.transfers {
        if let Some(Resolution::Nowhere(tried)) = &t.to {
            parts.push(format!(
                "{} {} {} {} (tried {})",
                t.records.len(),
                store.symbols.resolve(t.state),
                store.symbols.resolve(t.kind),
                crate::plan::plural(t.records.len(), "record"),
                tried.join("; ")
            ));
            records.extend(t.records.iter().map(|r| Text::Owned(store.record(*r).id.to_owned())));
        }
    }
    if !has_reports_blocks(s) {
        // Each report who stays needs a manager; one report may have a place of their own.
        let mut stuck: Vec<(usize, &Vec<String>)> = Vec::new();
        for r in &s.holdings.reports {
            if let Some(Resolution::Nowhere(tried)) = s.holdings.report_to(*r) {
                match stuck.iter_mut().find(|(_, t)| *t == tried) {
                    Some(entry) => entry.0 += 1,
                    None => stuck.push((1, tried)),
                }
            }
        }
        for (count, tried) in stuck {
            parts.push(format!("{count} direct report(s) (tried {})", tried.join("; ")));
        }
    }
    if let Some(Resolution::Nowhere(tried)) = &s.holdings.teams_to {
        parts.push(format!("{} led team(s) (tried {})", s.holdings.teams.len(), tried.join("; ")));
    }
    if parts.is_empty() {
        return None;
    }
    let mut b = s.blocked("no_receiver", format!("no eligible receiver for {}", parts.join(", ")));
    b.records = records;
    Some(b)
}

fn has_reports_blocks(s: &Subject<'_>) -> bool {
    has_reports(s).is_some()
}
