//! The rules of a nightly run, each its own unit with one entry point.
//!
//! A [`UserRule`] looks at one user at a time and is evaluated over all users in parallel;
//! an [`AccountRule`] looks at the whole account (cycles, duplicates, dangling references).
//! Rules write actions, findings and escalations into a [`Sink`]; when a trace is asked for
//! (`roster explain`) they also say what they compared, matched or not. Adding a rule means
//! adding a file and a line in [`user_rules`] or [`account_rules`], nothing else.

pub mod directory;
mod exempt_review;
mod identity;
mod idle;
mod integrity;
mod invites;
mod lockout;
pub mod safety;
pub mod seats;

pub use identity::identity_reused;

use crate::plan::{Action, ActionKind, Finding, Reasons, Text};
use crate::policy::{Bound, Policy};
use crate::snapshot::{Store, UserIx};
use crate::time::Time;
use rayon::prelude::*;

/// What every rule sees. `'a` is the lifetime of the policy and the snapshot, which the
/// plan's entries borrow their ids and names from; `'b` that of the binding of the two,
/// which lives only while the plan is made.
#[derive(Clone, Copy)]
pub struct Ctx<'a, 'b> {
    /// The compiled policy.
    pub policy: &'a Policy,
    /// The policy bound to this snapshot.
    pub bound: &'b Bound,
    /// The snapshot.
    pub store: &'a Store,
    /// The instant the plan is evaluated at.
    pub as_of: Time,
    /// The actions' sentences, each held once.
    pub reasons: &'b Reasons,
}

impl<'a> Ctx<'a, '_> {
    /// The id of a user, borrowed from the snapshot.
    pub fn id(&self, user: UserIx) -> Text<'a> {
        Text::Borrowed(self.store.user(user).id())
    }

    /// An action about a user.
    pub fn action(
        &self,
        user: UserIx,
        kind: ActionKind,
        rule: &'static str,
        reason: String,
    ) -> Action<'a> {
        Action {
            user: self.id(user),
            action: kind,
            rule: Text::Borrowed(rule),
            reason: self.reasons.get(reason),
            record: None,
            team: None,
            date: None,
            announces: None,
            to: Vec::new(),
        }
    }

    /// Whether the user is protected from lifecycle actions (`deactivation.protected`
    /// or the account's primary owner).
    pub fn is_protected(&self, user: UserIx) -> bool {
        self.store.account.owner.ix() == Some(user)
            || self.bound.protected.matches(self.store, user)
    }
}

/// A user the idle rule sends to offboarding (`idle.deactivate_after`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Escalation {
    /// Who.
    pub user: UserIx,
    /// Why, with the numbers.
    pub reason: String,
    /// The rule that escalates (the offboarding's actions are of it).
    pub rule: &'static str,
}

/// One line of an explanation: a rule looked at the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trace {
    /// The rule.
    pub rule: &'static str,
    /// Whether it called for something.
    pub matched: bool,
    /// What it compared.
    pub detail: String,
}

/// Where rules put what they find.
#[derive(Debug, Default)]
pub struct Sink<'a> {
    /// Actions.
    pub actions: Vec<Action<'a>>,
    /// Findings.
    pub findings: Vec<Finding<'a>>,
    /// Users to offboard.
    pub escalations: Vec<Escalation>,
    trace: Option<Vec<Trace>>,
}

impl Sink<'_> {
    /// A sink that also records a trace.
    pub fn tracing() -> Self {
        Sink { trace: Some(Vec::new()), ..Sink::default() }
    }

    /// Records what a rule compared; the text is only built when tracing.
    pub fn trace(&mut self, rule: &'static str, matched: bool, detail: impl FnOnce() -> String) {
        if let Some(t) = &mut self.trace {
            t.push(Trace { rule, matched, detail: detail() });
        }
    }

    /// The trace, if one was asked for.
    pub fn take_trace(&mut self) -> Vec<Trace> {
        self.trace.take().unwrap_or_default()
    }

    /// The sinks of the parallel parts of a pass, in order, as one. Each list is built
    /// once at its final size: merging the parts two by two (`reduce`) copied every entry
    /// once per level of the merge, each time into memory the kernel had to hand out anew.
    fn concat(parts: Vec<Self>) -> Self {
        let mut all = Sink::default();
        all.actions.reserve_exact(parts.iter().map(|p| p.actions.len()).sum());
        all.findings.reserve_exact(parts.iter().map(|p| p.findings.len()).sum());
        all.escalations.reserve_exact(parts.iter().map(|p| p.escalations.len()).sum());
        for p in parts {
            all.actions.extend(p.actions);
            all.findings.extend(p.findings);
            all.escalations.extend(p.escalations);
        }
        all
    }
}

/// A rule about one user at a time.
pub trait UserRule: Sync {
    /// The rule's name, as plans show it.
    fn name(&self) -> &'static str;
    /// Looks at one user.
    fn check<'a>(&self, ctx: &Ctx<'a, '_>, user: UserIx, sink: &mut Sink<'a>);
}

/// A rule about the whole account.
pub trait AccountRule: Sync {
    /// The rule's name.
    fn name(&self) -> &'static str;
    /// Looks at the account.
    fn check<'a>(&self, ctx: &Ctx<'a, '_>, sink: &mut Sink<'a>);
}

/// The per-user rules, in evaluation order.
pub fn user_rules() -> Vec<Box<dyn UserRule>> {
    vec![
        Box::new(invites::Invites),
        Box::new(idle::Idle),
        Box::new(exempt_review::ExemptReview),
        Box::new(lockout::Lockout),
        Box::new(integrity::UserReferences),
    ]
}

/// The account-wide rules.
pub fn account_rules() -> Vec<Box<dyn AccountRule>> {
    vec![
        Box::new(integrity::TeamReferences),
        Box::new(integrity::RecordOwners),
        Box::new(integrity::ManagerCycles),
        Box::new(integrity::DuplicateEmails),
        Box::new(integrity::IneligibleLeaders),
        Box::new(integrity::TooFewHolders),
    ]
}

/// Runs every rule: user rules in parallel over all users, then the account rules.
pub fn evaluate<'a>(ctx: &Ctx<'a, '_>) -> Sink<'a> {
    let rules = user_rules();
    let per_user = (0..ctx.store.users.len() as u32)
        .into_par_iter()
        .fold(Sink::default, |mut sink, u| {
            for rule in &rules {
                rule.check(ctx, UserIx(u), &mut sink);
            }
            sink
        })
        .collect();
    let mut sink = Sink::concat(per_user);
    for rule in account_rules() {
        rule.check(ctx, &mut sink);
    }
    sink
}

/// Runs the data-integrity rules only (for `roster check`).
pub fn integrity_findings<'a>(ctx: &Ctx<'a, '_>) -> Vec<Finding<'a>> {
    let rule = integrity::UserReferences;
    let parts = (0..ctx.store.users.len() as u32)
        .into_par_iter()
        .fold(Sink::default, |mut sink, u| {
            rule.check(ctx, UserIx(u), &mut sink);
            sink
        })
        .collect();
    let mut sink = Sink::concat(parts);
    for rule in account_rules() {
        rule.check(ctx, &mut sink);
    }
    sink.findings
}

/// Runs every user rule on one user, with a trace (for `roster explain`).
pub fn explain_user<'a>(ctx: &Ctx<'a, '_>, user: UserIx) -> Sink<'a> {
    let mut sink = Sink::tracing();
    for rule in user_rules() {
        rule.check(ctx, user, &mut sink);
    }
    sink
}
