//! The directory rule (`--directory`): each account against the people of a second source
//! of truth (HR, the identity provider), as `[directory]` says.
//!
//! An account is matched to a person by the keys of `directory.match`, in order; the first
//! key that names someone decides, and a key that names several people is the finding
//! `ambiguous_match`, never a guess. Then, for a live account (invited, active, idle or
//! suspended):
//!
//! - no person: `unmatched_account` (unless `directory.exempt` matches);
//! - a terminated person, or one past their leave date: `undeprovisioned`;
//! - with `on_missing = "offboard"`, both are offboarded (after `grace` when there is a
//!   leave date to count from), through the same offboarding as `roster offboard`;
//! - a person with a future leave date: `leave_date`, and `notify_user` within
//!   `notify_before` of it;
//! - another manager in the directory: `manager_mismatch` (and `set_manager` when the
//!   directory wins); another department: `moved`.
//!
//! A deactivated account whose person is active is `rehired`. Several accounts of one
//! person is `ambiguous_match` too, and none of them is judged further.

use super::{Ctx, Escalation, Sink};
use crate::directory::{Hit, People, PersonIx};
use crate::model::Status;
use crate::plan::{ActionKind, Finding, Text};
use crate::policy::{ManagerSource, MatchKey, OnMissing};
use crate::snapshot::{Sym, UserIx};
use crate::time::{format_date, Time};
use rayon::prelude::*;

/// The rule's name in plans.
pub const RULE: &str = "directory";

/// How an account matched.
#[derive(Debug, Clone)]
pub enum Match {
    /// No key named anyone.
    None,
    /// One person, by this key.
    One(PersonIx, MatchKey),
    /// A key named several people.
    Several(MatchKey, Vec<PersonIx>),
}

/// The accounts and the people, matched once for every check.
pub struct Reconciler<'a> {
    people: &'a People,
    matches: Vec<Match>,
    /// The accounts of each person, as one flat list: person p's are
    /// `accounts[starts[p]..starts[p + 1]]`, in user order.
    starts: Vec<u32>,
    accounts: Vec<UserIx>,
    department: Option<Sym>,
}

impl<'a> Reconciler<'a> {
    /// Matches every account (in parallel).
    pub fn new(ctx: &Ctx<'_, '_>, people: &'a People) -> Reconciler<'a> {
        let store = ctx.store;
        let employee = store.attribute_sym("employee_number");
        let external = store.attribute_sym("external_id");
        let keys = &ctx.policy.directory.keys;
        let matches: Vec<Match> = (0..store.users.len() as u32)
            .into_par_iter()
            .map(|ix| {
                let u = store.user(UserIx(ix));
                for &key in keys {
                    let value = match key {
                        MatchKey::Email => u.email(),
                        MatchKey::EmployeeNumber => employee.and_then(|s| u.attribute(s)),
                        MatchKey::ExternalId => external.and_then(|s| u.attribute(s)),
                        MatchKey::Id => Some(u.id()),
                    };
                    match value.and_then(|v| people.lookup(key, v)) {
                        None => {}
                        Some(Hit::One(p)) => return Match::One(p, key),
                        Some(Hit::Many(all)) => return Match::Several(key, all),
                    }
                }
                Match::None
            })
            .collect();
        let mut starts = vec![0u32; people.len() + 1];
        for m in &matches {
            if let Match::One(p, _) = m {
                if let Some(s) = starts.get_mut(p.0 as usize + 1) {
                    *s += 1;
                }
            }
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut next = starts.clone();
        let mut accounts = vec![UserIx(0); starts.last().copied().unwrap_or(0) as usize];
        for (ix, m) in matches.iter().enumerate() {
            if let Match::One(p, _) = m {
                if let Some(at) = next.get_mut(p.0 as usize) {
                    if let Some(slot) = accounts.get_mut(*at as usize) {
                        *slot = UserIx(ix as u32);
                    }
                    *at += 1;
                }
            }
        }
        let department = store.attribute_sym("department");
        Reconciler { people, matches, starts, accounts, department }
    }

    /// The accounts that match a person, in user order.
    fn accounts_of(&self, person: PersonIx) -> &[UserIx] {
        let p = person.0 as usize;
        match (self.starts.get(p), self.starts.get(p + 1)) {
            (Some(&a), Some(&b)) => self.accounts.get(a as usize..b as usize).unwrap_or_default(),
            _ => &[],
        }
    }

    /// How an account matched.
    pub fn matched(&self, user: UserIx) -> &Match {
        self.matches.get(user.0 as usize).unwrap_or(&Match::None)
    }

    /// The one live account of a person, if it has exactly one.
    fn account_of(&self, ctx: &Ctx<'_, '_>, person: PersonIx) -> Option<UserIx> {
        let mut live_ones =
            self.accounts_of(person).iter().copied().filter(|&u| live(ctx.store.user(u).status()));
        let first = live_ones.next()?;
        live_ones.next().is_none().then_some(first)
    }

    /// Every check of every account (in parallel).
    pub fn check_all<'s>(&self, ctx: &Ctx<'s, '_>) -> Sink<'s> {
        let parts = (0..ctx.store.users.len() as u32)
            .into_par_iter()
            .fold(Sink::default, |mut sink, u| {
                self.check(ctx, UserIx(u), &mut sink);
                sink
            })
            .collect();
        Sink::concat(parts)
    }

    /// Every check of one account.
    pub fn check<'s>(&self, ctx: &Ctx<'s, '_>, user: UserIx, sink: &mut Sink<'s>) {
        let u = ctx.store.user(user);
        let d = &ctx.policy.directory;
        let id = u.id();
        let (person, key) = match self.matched(user) {
            Match::Several(key, all) => {
                let ids: Vec<&str> = all.iter().map(|&p| self.people.get(p).id()).collect();
                sink.trace(RULE, true, || {
                    format!("{} names {} people: {}", key.as_str(), ids.len(), ids.join(", "))
                });
                sink.findings.push(Finding::new(
                    "ambiguous_match",
                    vec![id.into()],
                    format!(
                        "{id} matches {} people of the directory by {}: {}; roster does not guess which",
                        ids.len(),
                        key.as_str(),
                        ids.join(", ")
                    ),
                ));
                return;
            }
            Match::None => {
                let exempt = ctx.bound.directory_exempt.matches(ctx.store, user);
                sink.trace(RULE, !exempt && live(u.status()), || {
                    format!(
                        "no person matches by {}{}",
                        keys_text(d.keys.as_slice()),
                        if exempt { " (directory.exempt: needs none)" } else { "" }
                    )
                });
                if exempt || !live(u.status()) {
                    return;
                }
                let offboard = d.on_missing == OnMissing::Offboard;
                sink.findings.push(Finding::new(
                    "unmatched_account",
                    vec![id.into()],
                    format!(
                        "{id} is {} and no person of the directory matches it by {}{}",
                        u.status().as_str(),
                        keys_text(d.keys.as_slice()),
                        if offboard {
                            ": offboarded (directory.on_missing = \"offboard\")"
                        } else {
                            ""
                        }
                    ),
                ));
                if offboard {
                    sink.escalations.push(Escalation {
                        user,
                        reason: format!("no person of the directory matches {id} (directory.on_missing = \"offboard\")"),
                        rule: RULE,
                    });
                }
                return;
            }
            Match::One(p, key) => (self.people.get(*p), *key),
        };
        let pid = person.id();
        sink.trace(RULE, false, || {
            format!(
                "matches person {pid} by {}{}",
                key.as_str(),
                if person.active() { "" } else { " (terminated)" }
            )
        });
        let shared = self.accounts_of(person.ix());
        if shared.len() > 1 {
            // Which account is the person's is not for roster to guess: the finding only,
            // once, on the first account.
            if shared.first() == Some(&user) {
                let ids: Vec<Text<'_>> = shared.iter().map(|&a| ctx.id(a)).collect();
                sink.findings.push(Finding::new(
                    "ambiguous_match",
                    ids.clone(),
                    format!(
                        "{} accounts match person {pid} of the directory: {}; roster does not \
                         guess which is theirs, so none is judged by the directory",
                        ids.len(),
                        ids.join(", ")
                    ),
                ));
            }
            return;
        }
        let effective = person.leave_date().map(|t| t + chrono::TimeDelta::seconds(d.on_leave));
        let gone = !person.active() || effective.is_some_and(|e| e <= ctx.as_of);
        if !live(u.status()) {
            if !gone && u.status() == Status::Deactivated {
                sink.findings.push(Finding::new(
                    "rehired",
                    vec![id.into()],
                    format!(
                        "{id} is deactivated and person {pid} is active in the directory: a \
                         reactivation candidate; {}",
                        crate::offboard::reactivate::not_restored(ctx)
                    ),
                ));
            }
            return;
        }
        if gone {
            self.undeprovisioned(ctx, user, person.ix(), effective, sink);
            return;
        }
        if let Some(e) = effective {
            self.leaving(ctx, user, person.ix(), e, sink);
        }
        self.manager(ctx, user, person.ix(), sink);
        self.moved(ctx, user, person.ix(), sink);
    }

    fn undeprovisioned<'s>(
        &self,
        ctx: &Ctx<'s, '_>,
        user: UserIx,
        person: PersonIx,
        effective: Option<Time>,
        sink: &mut Sink<'s>,
    ) {
        let d = &ctx.policy.directory;
        let u = ctx.store.user(user);
        let (id, p) = (u.id(), self.people.get(person));
        let why = match (p.active(), effective) {
            (false, Some(e)) => {
                format!("person {} is terminated (left {})", p.id(), format_date(e))
            }
            (false, None) => format!("person {} is terminated", p.id()),
            (true, Some(e)) => format!("person {} left on {} (leave date)", p.id(), format_date(e)),
            (true, None) => format!("person {}", p.id()),
        };
        let due = effective.map(|e| e + d.grace.delta());
        let offboard = d.on_missing == OnMissing::Offboard;
        let now = due.is_none_or(|due| due <= ctx.as_of);
        let then = match (offboard, now, due) {
            (false, _, _) => String::new(),
            (true, true, _) => ": offboarded (directory.on_missing = \"offboard\")".into(),
            (true, false, Some(due)) => {
                format!(": offboarded on {} (grace {})", format_date(due), d.grace)
            }
            (true, false, None) => String::new(),
        };
        sink.trace(RULE, true, || format!("{why}: undeprovisioned"));
        sink.findings.push(Finding::new(
            "undeprovisioned",
            vec![id.into()],
            format!("{id} is {} but {why}{then}", u.status().as_str()),
        ));
        if offboard && now {
            sink.escalations.push(Escalation {
                user,
                reason: format!("{why} (directory.on_missing = \"offboard\")"),
                rule: RULE,
            });
        }
    }

    fn leaving<'s>(
        &self,
        ctx: &Ctx<'s, '_>,
        user: UserIx,
        person: PersonIx,
        effective: Time,
        sink: &mut Sink<'s>,
    ) {
        let d = &ctx.policy.directory;
        let id = ctx.store.user(user).id();
        let p = self.people.get(person);
        let leave = p.leave_date().map(format_date).unwrap_or_default();
        let offboard = d.on_missing == OnMissing::Offboard;
        let then = if offboard {
            format!("offboarded on {}", format_date(effective + d.grace.delta()))
        } else {
            format!("reported as undeprovisioned from {}", format_date(effective))
        };
        sink.trace(RULE, true, || format!("person {} leaves on {leave}", p.id()));
        sink.findings.push(Finding::new(
            "leave_date",
            vec![id.into()],
            format!("person {} of {id} leaves on {leave}: {then}", p.id()),
        ));
        if let Some(before) = d.notify_before {
            let window = effective - before.delta();
            let told = ctx.store.user(user).notified_at().filter(|&n| n >= window);
            if let (true, Some(n)) = (ctx.as_of >= window, told) {
                sink.trace(RULE, false, || {
                    format!("notified {} already, within notify_before {before}", format_date(n))
                });
            } else if ctx.as_of >= window {
                let mut a = ctx.action(
                    user,
                    ActionKind::NotifyUser,
                    RULE,
                    format!("leaves on {leave} (directory); notify_before {before}: {then}"),
                );
                a.date = Some(format_date(effective));
                a.announces = offboard.then_some(ActionKind::Deactivate);
                sink.actions.push(a);
            }
        }
    }

    fn manager<'s>(&self, ctx: &Ctx<'s, '_>, user: UserIx, person: PersonIx, sink: &mut Sink<'s>) {
        let p = self.people.get(person);
        let Some(boss) = p.manager().and_then(|m| self.people.by_id(m)) else { return };
        // A manager who has left, or leaves tonight, is no one to report to.
        let b = self.people.get(boss);
        let on_leave = chrono::TimeDelta::seconds(ctx.policy.directory.on_leave);
        if !b.active() || b.leave_date().is_some_and(|t| t + on_leave <= ctx.as_of) {
            return;
        }
        let Some(account) = self.account_of(ctx, boss) else { return };
        let u = ctx.store.user(user);
        if u.manager().ix() == Some(account) || account == user {
            return;
        }
        let (id, to) = (u.id(), ctx.id(account));
        let now = match u.manager() {
            crate::snapshot::Link::To(m) => ctx.id(m),
            crate::snapshot::Link::Dangling(id) => format!("{id} (not a user)").into(),
            crate::snapshot::Link::None => "nobody".into(),
        };
        let wins = ctx.policy.directory.manager == ManagerSource::Directory;
        sink.trace(RULE, true, || format!("manager {now} in the app, {to} in the directory"));
        sink.findings.push(Finding::new(
            "manager_mismatch",
            vec![id.into()],
            format!(
                "{id} reports to {now} in the app and to {to} (person {}) in the directory{}",
                self.people.get(boss).id(),
                if wins {
                    ": set to the directory's (directory.manager = \"directory\")"
                } else {
                    ""
                }
            ),
        ));
        if wins {
            let mut a = ctx.action(
                user,
                ActionKind::SetManager,
                RULE,
                format!(
                    "the directory says {to} (person {}), the app {now}",
                    self.people.get(boss).id()
                ),
            );
            a.to = vec![to];
            sink.actions.push(a);
        }
    }

    fn moved<'s>(&self, ctx: &Ctx<'s, '_>, user: UserIx, person: PersonIx, sink: &mut Sink<'s>) {
        let (Some(sym), Some(there)) = (self.department, self.people.get(person).department())
        else {
            return;
        };
        let u = ctx.store.user(user);
        let here = u.attribute(sym).unwrap_or_default();
        if here.trim().eq_ignore_ascii_case(there.trim()) {
            return;
        }
        let id = u.id();
        let led: Vec<Text<'_>> =
            ctx.store.teams_led_by(user).map(|t| ctx.store.team(t).id().into()).collect();
        let leads = if led.is_empty() {
            String::new()
        } else {
            format!(
                "; {id} leads {} ({}), which may need another leader",
                plural_teams(led.len()),
                led.join(", ")
            )
        };
        let here = if here.is_empty() { "none" } else { here };
        sink.trace(RULE, true, || {
            format!("department {here} in the app, {there} in the directory")
        });
        let mut f = Finding::new(
            "moved",
            vec![id.into()],
            format!("{id} is in department {here} in the app and {there} in the directory{leads}"),
        );
        f.teams = led;
        sink.findings.push(f);
    }
}

fn plural_teams(n: usize) -> &'static str {
    if n == 1 {
        "a team"
    } else {
        "teams"
    }
}

fn live(status: Status) -> bool {
    matches!(status, Status::Invited | Status::Active | Status::Idle | Status::Suspended)
}

fn keys_text(keys: &[MatchKey]) -> String {
    keys.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", then ")
}

/// The directory rule over every account (in parallel).
pub fn reconcile<'s>(ctx: &Ctx<'s, '_>, people: &People) -> Sink<'s> {
    Reconciler::new(ctx, people).check_all(ctx)
}
