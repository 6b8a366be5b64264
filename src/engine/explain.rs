//! `roster explain`'s evaluation: every rule that looked at one user, matched or not, with
//! the values and thresholds compared, the matchers that applied, what tonight's plan does
//! to them and, for an offboarding, the receiver chain tried step by step. The text is
//! [`crate::render::explain`]'s.

use crate::diag::{Diagnostic, Diagnostics};
use crate::offboard::{self, Actor, Channel, Chosen, Options, Request};
use crate::plan::Plan;
use crate::policy::{Policy, Thresholds};
use crate::rules::{self, Ctx, Trace};
use crate::snapshot::{Link, Store, UserIx};
use crate::time::Time;

/// An offboarding to explain the user within (`--offboard`).
pub struct Offboarding<'a> {
    /// The requests.
    pub requests: &'a [Request],
    /// Actor and channel.
    pub options: &'a Options,
}

/// Everything `roster explain` says about one user.
#[derive(Debug, Clone)]
pub struct Explanation {
    /// The user's id.
    pub id: String,
    /// Their name, else the id.
    pub display: String,
    /// The policy's name.
    pub policy: String,
    /// The instant of the evaluation.
    pub as_of: Time,
    /// What the snapshot holds about them.
    pub profile: Profile,
    /// How the policy's matchers judge them.
    pub matchers: Matchers,
    /// Per user rule, in evaluation order, what it compared (empty: it did not look).
    pub rules: Vec<(&'static str, Vec<Trace>)>,
    /// Tonight's plan, cut down to what names this user.
    pub tonight: Plan<'static>,
    /// Which offboarding the receiver chains are traced in.
    pub offboarding: Context,
    /// The offboarding's steps for this user.
    pub offboarding_steps: Vec<String>,
}

/// The user's profile.
#[derive(Debug, Clone)]
pub struct Profile {
    /// Status.
    pub status: crate::model::Status,
    /// Role name.
    pub role: String,
    /// 1-based rank, and how many roles there are.
    pub rank: (usize, usize),
    /// The manager: none, (id, display) of a user, or an id nobody has.
    pub manager: Link<(String, String), String>,
    /// The teams: (id, display) of a team, or an id no team has.
    pub teams: Vec<Link<(String, String), String>>,
    /// `last_login_at`, `activated_at`, `invited_at`, `notified_at`.
    pub times: [Option<Time>; 4],
    /// `failed_logins`.
    pub failed_logins: u32,
    /// `locked`.
    pub locked: bool,
    /// Records owned, direct reports, teams led.
    pub holds: (usize, usize, usize),
}

/// The matchers of the policy, as they judge the user.
#[derive(Debug, Clone)]
pub struct Matchers {
    /// `None` without an `[idle]` section.
    pub idle: Option<IdleMatch>,
    /// `deactivation.protected` (`None`: not set).
    pub protected: Option<bool>,
    /// Whether the user is the account's primary owner.
    pub owner: bool,
    /// `leaders.bulk_refuse` (`None`: not set).
    pub bulk_refuse: Option<bool>,
}

/// `[idle]` for the user.
#[derive(Debug, Clone)]
pub struct IdleMatch {
    /// `idle.exempt` (`None`: not set).
    pub exempt: Option<bool>,
    /// The thresholds that apply, and the number of the override that supplied them.
    pub thresholds: Option<(Thresholds, Option<usize>)>,
}

/// The offboarding an explanation traces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// The one asked for with `--offboard` or `--actor`.
    Requested,
    /// Tonight's plan offboards the user (`idle.deactivate_after`).
    Tonight,
    /// Tonight's plan offboards the user as a leaver (`[directory] on_missing`).
    TonightLeaver,
    /// Not offboarded tonight: the policy offboarding them alone.
    Alone,
}

/// Explains why the plan treats `user` (an id or e-mail) as it does.
pub fn explain(
    policy: &Policy,
    store: &Store,
    as_of: Time,
    user: &str,
    offboarding: Option<Offboarding<'_>>,
    directory: Option<&crate::directory::People>,
) -> Result<Explanation, Diagnostics> {
    let Some(ix) = store.find_user(user) else {
        return Err(Diagnostic::file(&store.source, store.why_not_found(user))
            .help("pass a user id (or a unique e-mail) with --user")
            .into());
    };
    let bound = policy.bind(store)?;
    let reasons = crate::plan::Reasons::default();
    let ctx = Ctx { policy, bound: &bound, store, as_of, reasons: &reasons };
    let plan = super::nightly(policy, store, as_of, super::Extra { previous: None, directory })?;
    let u = store.user(ix);
    let mut sink = rules::explain_user(&ctx, ix);
    let trace = sink.take_trace();
    let mut rules: Vec<(&'static str, Vec<Trace>)> = rules::user_rules()
        .iter()
        .map(|rule| {
            let name = rule.name();
            (name, trace.iter().filter(|t| t.rule == name).cloned().collect())
        })
        .collect();
    let mut escalated = sink.escalations.iter().any(|e| e.user == ix);
    let mut leaver = false;
    let mut directory_escalations = Vec::new();
    if let Some(people) = directory {
        let reconciler = rules::directory::Reconciler::new(&ctx, people);
        let mut dsink = rules::Sink::tracing();
        reconciler.check(&ctx, ix, &mut dsink);
        leaver = !escalated && dsink.escalations.iter().any(|e| e.user == ix);
        escalated |= leaver;
        rules.push((rules::directory::RULE, dsink.take_trace()));
        if escalated {
            directory_escalations = reconciler.check_all(&ctx).escalations;
        }
    }
    let (context, steps) = match offboarding {
        Some(o) => {
            let after = store.users.iter().map(|u| u.status()).collect();
            (Context::Requested, offboard::explain(&ctx, o.requests, o.options, after, ix))
        }
        None => {
            // The nightly run's own offboardings (idle escalations), or this user alone;
            // receivers are judged by their status after the night's other actions.
            let tonight = rules::evaluate(&ctx);
            let after = crate::plan::statuses_after(store, &tonight.actions);
            let (context, requests) = if escalated {
                let mut users: Vec<UserIx> =
                    tonight.escalations.into_iter().map(|e| e.user).collect();
                users.extend(directory_escalations.into_iter().map(|e| e.user));
                users.sort();
                users.dedup();
                let context = if leaver { Context::TonightLeaver } else { Context::Tonight };
                (context, users.iter().map(|u| request(ctx.id(*u).into_owned())).collect())
            } else {
                (Context::Alone, vec![request(u.id().to_string())])
            };
            let options = Options {
                actor: Actor::Policy,
                channel: Channel::Policy,
                allow_reactivation: false,
                rule: "idle",
                orphans: false,
            };
            (context, offboard::explain(&ctx, &requests, &options, after, ix))
        }
    };
    Ok(Explanation {
        id: u.id().to_string(),
        display: u.display().to_owned(),
        policy: policy.name.clone(),
        as_of,
        profile: profile(&ctx, ix),
        matchers: matchers(&ctx, ix),
        rules,
        tonight: about(plan, u.id()),
        offboarding: context,
        offboarding_steps: steps,
    })
}

fn request(user: String) -> Request {
    Request { user, chosen: Chosen::default(), why: String::new(), rule: None }
}

fn profile(ctx: &Ctx<'_, '_>, ix: UserIx) -> Profile {
    let store = ctx.store;
    let u = store.user(ix);
    let manager = match &u.manager() {
        Link::None => Link::None,
        Link::To(m) => {
            Link::To((store.user(*m).id().to_string(), store.user(*m).display().to_owned()))
        }
        Link::Dangling(id) => Link::Dangling(id.to_string()),
    };
    let teams = u
        .teams()
        .map(|t| match t {
            Link::To(t) => {
                Link::To((store.team(t).id().to_string(), store.team(t).display().to_owned()))
            }
            Link::Dangling(id) => Link::Dangling(id.to_string()),
            Link::None => Link::None,
        })
        .collect();
    Profile {
        status: u.status(),
        role: ctx.policy.roles.name(u.role()).to_owned(),
        rank: (u.role().index() + 1, ctx.policy.roles.names.len()),
        manager,
        teams,
        times: [u.last_login_at(), u.activated_at(), u.invited_at(), u.notified_at()],
        failed_logins: u.failed_logins(),
        locked: u.locked(),
        holds: (
            store.record_count(ix),
            store.reports_of(ix).count(),
            store.teams_led_by(ix).count(),
        ),
    }
}

fn matchers(ctx: &Ctx<'_, '_>, ix: UserIx) -> Matchers {
    let (policy, bound, store) = (ctx.policy, ctx.bound, ctx.store);
    let idle = policy.idle.as_ref().map(|idle| IdleMatch {
        exempt: idle.exempt.as_ref().map(|_| bound.exempt.matches(store, ix)),
        thresholds: policy.thresholds_for(bound, store, ix).map(|(t, o)| (t, o.map(|o| o.number))),
    });
    Matchers {
        idle,
        protected: policy
            .deactivation
            .protected
            .as_ref()
            .map(|_| bound.protected.matches(store, ix)),
        owner: store.account.owner.ix() == Some(ix),
        bulk_refuse: policy
            .leaders
            .bulk_refuse
            .as_ref()
            .map(|_| bound.bulk_refuse.matches(store, ix)),
    }
}

/// The entries of a plan that name `id`.
fn about(mut plan: Plan<'_>, id: &str) -> Plan<'static> {
    plan.actions.retain(|a| a.user == id);
    plan.blocked.retain(|b| b.user == id);
    plan.reassignments.retain(|r| r.from == id || r.to == id);
    plan.findings.retain(|f| f.users.iter().any(|u| u == id));
    plan.into_owned()
}
