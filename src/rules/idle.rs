//! `[idle]`: users who stopped logging in.
//!
//! Activity is the latest of the last login and the (re)activation, else the invitation.
//! An active user inactive for `after` or more is marked idle; an idle user active again
//! within `after` is marked active. Past `suspend_after` a user is suspended and past
//! `deactivate_after` offboarded. With `notify_before`, a user is first warned once an
//! escalation is that close (a notice counts for an escalation when it was sent inside that
//! escalation's notice window), and the escalation itself waits until the notice is
//! `notify_before` old. Exempt and protected users get no action. Overrides: first match.

use super::{Ctx, Escalation, Sink, UserRule};
use crate::model::Status;
use crate::plan::{ActionKind, Finding, Text};
use crate::policy::{Recipient, Thresholds};
use crate::snapshot::UserIx;
use crate::time::{self, format_date, Duration, Time};
use std::fmt;

/// The idle rule.
pub struct Idle;

const RULE: &str = "idle";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Suspend,
    Deactivate,
}

impl Step {
    fn key(self) -> &'static str {
        match self {
            Step::Suspend => "suspend_after",
            Step::Deactivate => "deactivate_after",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Step::Suspend => "suspension",
            Step::Deactivate => "deactivation",
        }
    }
}

/// A user's last activity, and how to say it (the text is only written for a user the
/// rule says something about).
#[derive(Clone, Copy)]
enum Activity {
    Reactivated { at: Time, login: Time },
    Login(Time),
    Activated(Time),
    Invited(Time),
}

impl Activity {
    fn of(u: crate::snapshot::User<'_>) -> Option<Activity> {
        Some(match (u.last_login_at(), u.activated_at()) {
            (Some(login), Some(at)) if at > login => Activity::Reactivated { at, login },
            (Some(l), _) => Activity::Login(l),
            (None, Some(a)) => Activity::Activated(a),
            (None, None) => Activity::Invited(u.invited_at()?),
        })
    }

    fn at(self) -> Time {
        match self {
            Activity::Reactivated { at, .. } => at,
            Activity::Login(t) | Activity::Activated(t) | Activity::Invited(t) => t,
        }
    }
}

impl fmt::Display for Activity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Activity::Reactivated { at, login } => {
                write!(f, "reactivated {} (last login {})", format_date(*at), format_date(*login))
            }
            Activity::Login(l) => write!(f, "last login {}", format_date(*l)),
            Activity::Activated(a) => write!(f, "never logged in; activated {}", format_date(*a)),
            Activity::Invited(i) => write!(f, "never logged in; invited {}", format_date(*i)),
        }
    }
}

/// "last login 2026-10-01, 52 days before as_of 2026-11-22".
#[derive(Clone, Copy)]
struct Seen {
    activity: Activity,
    days: i64,
    as_of: Time,
}

impl fmt::Display for Seen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, {} days before as_of {}", self.activity, self.days, format_date(self.as_of))
    }
}

/// " (idle.overrides #2)" when an override set the thresholds.
#[derive(Clone, Copy)]
struct Source(Option<usize>);

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(n) => write!(f, " (idle.overrides #{n})"),
            None => Ok(()),
        }
    }
}

impl UserRule for Idle {
    fn name(&self) -> &'static str {
        RULE
    }

    fn check<'a>(&self, ctx: &Ctx<'a, '_>, user: UserIx, sink: &mut Sink<'a>) {
        let Some(_) = &ctx.policy.idle else { return };
        let u = ctx.store.user(user);
        if !matches!(u.status(), Status::Active | Status::Idle | Status::Suspended) {
            sink.trace(RULE, false, || {
                format!(
                    "status {}: the idle rule looks at active, idle and suspended users",
                    u.status()
                )
            });
            return;
        }
        if ctx.bound.exempt.matches(ctx.store, user) {
            sink.trace(RULE, false, || "matches idle.exempt: no idle action".to_owned());
            return;
        }
        if ctx.is_protected(user) {
            sink.trace(RULE, false, || {
                "protected (deactivation.protected or account owner): no idle action".to_owned()
            });
            return;
        }
        let Some((t, which)) = ctx.policy.thresholds_for(ctx.bound, ctx.store, user) else {
            return;
        };
        let source = Source(which.map(|o| o.number));
        if which.is_some() {
            sink.trace(RULE, true, || {
                format!("thresholds from idle.overrides #{}", which.map_or(0, |o| o.number))
            });
        }
        let Some(activity) = Activity::of(u) else {
            sink.trace(RULE, false, || "no last_login_at, activated_at or invited_at".to_owned());
            sink.findings.push(Finding::new(
                "no_activity_data",
                vec![ctx.id(user)],
                format!("{} user has no last_login_at, activated_at or invited_at, so the idle rule cannot judge them", u.status()),
            ));
            return;
        };
        let at = activity.at();
        let desc = Seen { activity, days: (ctx.as_of - at).num_days(), as_of: ctx.as_of };
        let escalated = escalate(ctx, user, &t, at, desc, source, sink);
        if escalated {
            return;
        }
        let idle_since = time::add(at, t.after).is_some_and(|d| d <= ctx.as_of);
        let reason = || format!("{desc}; threshold {}{source}", t.after);
        match (u.status(), idle_since) {
            (Status::Active, true) => {
                let reason = reason();
                sink.trace(RULE, true, || reason.clone());
                sink.actions.push(ctx.action(user, ActionKind::MarkIdle, RULE, reason));
            }
            (Status::Idle, false) => {
                let reason = reason();
                sink.trace(RULE, true, || reason.clone());
                sink.actions.push(ctx.action(user, ActionKind::MarkActive, RULE, reason));
            }
            _ => sink.trace(RULE, false, || format!("{}: stays {}", reason(), u.status())),
        }
    }
}

/// Notices and escalations. Returns whether the user escalates (so no idle mark is due).
fn escalate<'a>(
    ctx: &Ctx<'a, '_>,
    user: UserIx,
    t: &Thresholds,
    at: Time,
    desc: Seen,
    source: Source,
    sink: &mut Sink<'a>,
) -> bool {
    let u = ctx.store.user(user);
    // Most severe first.
    let steps = [
        (Step::Deactivate, t.deactivate_after),
        (Step::Suspend, t.suspend_after.filter(|_| u.status() != Status::Suspended)),
    ];
    let steps = steps.iter().filter_map(|(s, d)| d.map(|d| (*s, d)));
    let due = |d: Duration| time::add(at, d);
    let crossed = |d: Duration| due(d).is_some_and(|x| x <= ctx.as_of);
    let Some(notice) = t.notify_before else {
        let Some((step, threshold)) = steps.clone().find(|(_, d)| crossed(*d)) else {
            return false;
        };
        return apply(ctx, user, step, format!("{desc}; {} {threshold}{source}", step.key()), sink);
    };
    // Stage i of a step opens `stages[i]` before the step is due; a notice counts for a
    // stage when sent at or after its opening (so a login, which moves the due date, makes
    // every stage due again).
    let stages = notice.stages();
    let window = |d: Duration, i: usize| due(d).and_then(|x| time::sub(x, stages[i]));
    let sent = |d: Duration, i: usize| match (u.notified_at(), window(d, i)) {
        (Some(n), Some(w)) => n >= w,
        _ => false,
    };
    // The most advanced stage open at as_of: a run that skipped a stage sends only this one.
    let stage_at = |d: Duration| {
        (0..stages.len()).rev().find(|&i| window(d, i).is_some_and(|w| w <= ctx.as_of))
    };
    let pending = |d: Duration| stage_at(d).filter(|&i| !sent(d, i));
    if let Some((step, threshold, stage)) =
        steps.clone().find_map(|(s, d)| pending(d).map(|i| (s, d, i)))
    {
        let due_at = due(threshold).unwrap_or(ctx.as_of);
        let earliest = time::add(ctx.as_of, notice.last()).unwrap_or_else(time::last).max(due_at);
        let which = if stages.len() == 1 {
            String::new()
        } else {
            format!(" (stage {} of {}: {} before)", stage + 1, stages.len(), stages[stage])
        };
        let reason = format!(
            "{desc}; {} at {} {threshold}{source} is due {}; notify_before {notice}{which}: warn first, {} not before {}",
            step.noun(),
            step.key(),
            format_date(due_at),
            step.noun(),
            format_date(earliest),
        );
        sink.trace(RULE, true, || reason.clone());
        let mut action = ctx.action(user, ActionKind::NotifyUser, RULE, reason);
        action.date = Some(format_date(earliest));
        action.to = recipients(ctx, user);
        action.announces = Some(match step {
            Step::Suspend => ActionKind::Suspend,
            Step::Deactivate => ActionKind::Deactivate,
        });
        sink.actions.push(action);
    }
    // Escalation waits for the last stage, and for that notice to be as old as its stage.
    let last = stages.len() - 1;
    let Some((step, threshold)) = steps.clone().find(|(_, d)| crossed(*d) && sent(*d, last)) else {
        if let Some((step, threshold)) = steps.clone().find(|(_, d)| crossed(*d)) {
            sink.trace(RULE, false, || {
                format!(
                    "{} at {} {threshold} is due but the user has not been warned yet",
                    step.noun(),
                    step.key()
                )
            });
        }
        return false;
    };
    let Some(notified_at) = u.notified_at() else {
        return false;
    };
    let notice = notice.last();
    let aged = time::add(notified_at, notice).is_some_and(|x| x <= ctx.as_of);
    let told =
        format!("warned {}, {}", format_date(notified_at), time::ago(notified_at, ctx.as_of));
    if !aged {
        sink.trace(RULE, false, || {
            format!(
                "{desc}; {} {threshold} crossed; {told}: waiting until the notice is {notice} old",
                step.key()
            )
        });
        return false;
    }
    apply(ctx, user, step, format!("{desc}; {} {threshold}{source}; {told}", step.key()), sink)
}

/// Who a notice about `user` goes to, from `[idle] notify` (empty when it is not set: the
/// user alone, as always).
fn recipients<'a>(ctx: &Ctx<'a, '_>, user: UserIx) -> Vec<Text<'a>> {
    let Some(idle) = ctx.policy.idle.as_ref() else { return Vec::new() };
    let mut to: Vec<Text<'a>> = Vec::new();
    for r in &idle.notify {
        let id = match r {
            Recipient::User => Some(ctx.id(user)),
            Recipient::Manager => ctx.store.user(user).manager().ix().map(|m| ctx.id(m)),
            Recipient::Named(id) => Some(Text::Borrowed(id.as_str())),
        };
        if let Some(id) = id.filter(|id| !to.contains(id)) {
            to.push(id);
        }
    }
    to
}

fn apply<'a>(
    ctx: &Ctx<'a, '_>,
    user: UserIx,
    step: Step,
    reason: String,
    sink: &mut Sink<'a>,
) -> bool {
    sink.trace(RULE, true, || reason.clone());
    match step {
        Step::Suspend => sink.actions.push(ctx.action(user, ActionKind::Suspend, RULE, reason)),
        Step::Deactivate => sink.escalations.push(Escalation { user, reason, rule: "idle" }),
    }
    true
}
