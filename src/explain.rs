//! `roster explain`: every rule that looked at one user, matched or not, with the values
//! and thresholds compared, the matchers that applied, what tonight's plan does to them and,
//! for an offboarding, the receiver chain tried step by step.

use crate::diag::{Diagnostic, Diagnostics};
use crate::engine;
use crate::offboard::{self, Actor, Channel, Chosen, Options, Request};
use crate::plan::Plan;
use crate::policy::Policy;
use crate::render::terminal_safe as safe;
use crate::rules::{self, Ctx};
use crate::snapshot::{Link, Store, UserIx};
use crate::time::{format_time, Time};
use std::fmt::Write;

/// An offboarding to explain the user within (`--offboard`).
pub struct Offboarding<'a> {
    /// The requests.
    pub requests: &'a [Request],
    /// Actor and channel.
    pub options: &'a Options,
}

/// Explains why the plan treats `user` (an id or e-mail) as it does.
pub fn explain(
    policy: &Policy,
    store: &Store,
    as_of: Time,
    user: &str,
    offboarding: Option<Offboarding<'_>>,
) -> Result<String, Diagnostics> {
    let Some(ix) = store.find_user(user) else {
        return Err(Diagnostic::file(
            &store.source,
            format!("no user has the id or e-mail `{user}`"),
        )
        .help("pass a user id (or a unique e-mail) with --user")
        .into());
    };
    let bound = policy.bind(store)?;
    let ctx = Ctx { policy, bound: &bound, store, as_of };
    let plan = engine::nightly(policy, store, as_of, None)?;
    let u = store.user(ix);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "roster explain: {} ({}), policy {}, as_of {}",
        safe(&u.id),
        safe(u.display()),
        safe(&policy.name),
        format_time(as_of)
    );
    profile(&mut out, &ctx, ix);
    matchers(&mut out, &ctx, ix);
    let _ = writeln!(out, "\nrules");
    let sink = {
        let mut s = rules::explain_user(&ctx, ix);
        let trace = s.take_trace();
        for rule in rules::user_rules() {
            let lines: Vec<_> = trace.iter().filter(|t| t.rule == rule.name()).collect();
            if lines.is_empty() {
                let _ = writeln!(
                    out,
                    "  [ ] {}: did not look at this user (section absent, or status not concerned)",
                    rule.name()
                );
            }
            for t in lines {
                let mark = if t.matched { "x" } else { " " };
                let _ = writeln!(out, "  [{mark}] {}: {}", t.rule, safe(&t.detail));
            }
        }
        s
    };
    tonight(&mut out, &plan, &u.id);
    let _ = writeln!(out, "\noffboarding");
    let escalated = sink.escalations.iter().any(|e| e.user == ix);
    let lines = match offboarding {
        Some(o) => {
            let _ = writeln!(out, "  within the requested offboarding:");
            offboard::explain(&ctx, o.requests, o.options, ix)
        }
        None => {
            // The nightly run's own offboardings (idle escalations), or this user alone.
            let requests: Vec<Request> = if escalated {
                let _ = writeln!(out, "  tonight's plan offboards them (idle.deactivate_after):");
                sink_requests(&ctx, &plan_escalations(&ctx))
            } else {
                let _ =
                    writeln!(out, "  not offboarded tonight; if the policy offboarded them alone:");
                vec![Request {
                    user: u.id.to_string(),
                    chosen: Chosen::default(),
                    why: String::new(),
                }]
            };
            let options = Options {
                actor: Actor::Policy,
                channel: Channel::Policy,
                allow_reactivation: false,
                rule: "idle",
                orphans: false,
            };
            offboard::explain(&ctx, &requests, &options, ix)
        }
    };
    for l in lines {
        let _ = writeln!(out, "    {}", safe(&l));
    }
    Ok(out)
}

fn plan_escalations(ctx: &Ctx<'_>) -> Vec<UserIx> {
    rules::evaluate(ctx).escalations.into_iter().map(|e| e.user).collect()
}

fn sink_requests(ctx: &Ctx<'_>, users: &[UserIx]) -> Vec<Request> {
    users
        .iter()
        .map(|u| Request { user: ctx.id(*u), chosen: Chosen::default(), why: String::new() })
        .collect()
}

fn profile(out: &mut String, ctx: &Ctx<'_>, ix: UserIx) {
    let store = ctx.store;
    let u = store.user(ix);
    let when = |t: Option<Time>| t.map_or("-".to_owned(), format_time);
    let manager = match &u.manager {
        Link::None => "none".to_owned(),
        Link::To(m) => format!("{} ({})", store.user(*m).id, store.user(*m).display()),
        Link::Dangling(id) => format!("`{id}` (not a user)"),
    };
    let teams: Vec<String> = u
        .teams
        .iter()
        .map(|t| match t {
            Link::To(t) => format!("{} ({})", store.team(*t).id, store.team(*t).display()),
            Link::Dangling(id) => format!("`{id}` (no such team)"),
            Link::None => String::new(),
        })
        .collect();
    let _ = writeln!(out, "\nprofile");
    let _ = writeln!(
        out,
        "  status {}; role {} (rank {} of {}); manager {}; teams {}",
        u.status,
        ctx.policy.roles.name(u.role),
        u.role.index() + 1,
        ctx.policy.roles.names.len(),
        safe(&manager),
        if teams.is_empty() { "none".to_owned() } else { safe(&teams.join(", ")) }
    );
    let _ = writeln!(
        out,
        "  last login {}; activated {}; invited {}; notified {}; failed logins {}; locked {}",
        when(u.last_login_at),
        when(u.activated_at),
        when(u.invited_at),
        when(u.notified_at),
        u.failed_logins,
        if u.locked { "yes" } else { "no" }
    );
    let _ = writeln!(
        out,
        "  owns {} record(s); {} direct report(s); leads {} team(s)",
        store.record_count(ix),
        store.reports_of(ix).count(),
        store.teams_led_by(ix).count()
    );
}

fn matchers(out: &mut String, ctx: &Ctx<'_>, ix: UserIx) {
    let yes = |b: bool| if b { "matches" } else { "does not match" };
    let _ = writeln!(out, "\nmatchers");
    match &ctx.policy.idle {
        None => {
            let _ = writeln!(out, "  idle: no [idle] section");
        }
        Some(idle) => {
            let exempt = idle.exempt.as_ref().map_or("none set".to_owned(), |_| {
                yes(ctx.bound.exempt.matches(ctx.store, ix)).to_owned()
            });
            let _ = writeln!(out, "  idle.exempt: {exempt}");
            if let Some((t, o)) = ctx.policy.thresholds_for(ctx.bound, ctx.store, ix) {
                let source = o.map_or("[idle] (no override matched)".to_owned(), |o| {
                    format!("idle.overrides #{}", o.number)
                });
                let opt =
                    |d: Option<crate::time::Duration>| d.map_or("-".to_owned(), |d| d.to_string());
                let _ = writeln!(
                    out,
                    "  idle thresholds from {source}: after {}, suspend_after {}, deactivate_after {}, notify_before {}",
                    t.after,
                    opt(t.suspend_after),
                    opt(t.deactivate_after),
                    opt(t.notify_before)
                );
            }
        }
    }
    let owner = ctx.store.account.owner.ix() == Some(ix);
    let protected =
        ctx.policy.deactivation.protected.as_ref().map_or("none set".to_owned(), |_| {
            yes(ctx.bound.protected.matches(ctx.store, ix)).to_owned()
        });
    let _ = writeln!(
        out,
        "  deactivation.protected: {protected}{}",
        if owner { "; the account's primary owner (always protected)" } else { "" }
    );
    let bulk = ctx.policy.leaders.bulk_refuse.as_ref().map_or("none set".to_owned(), |_| {
        yes(ctx.bound.bulk_refuse.matches(ctx.store, ix)).to_owned()
    });
    let _ = writeln!(out, "  leaders.bulk_refuse: {bulk}");
}

fn tonight(out: &mut String, plan: &Plan, id: &str) {
    let _ = writeln!(out, "\nin tonight's plan");
    let mut any = false;
    for a in plan.actions.iter().filter(|a| a.user == id) {
        any = true;
        let target =
            a.record.as_ref().or(a.team.as_ref()).map_or(String::new(), |t| format!(" {t}"));
        let _ = writeln!(
            out,
            "  action {}{} ({}): {}",
            a.action.as_str(),
            safe(&target),
            a.rule,
            safe(&a.reason)
        );
    }
    for b in plan.blocked.iter().filter(|b| b.user == id) {
        any = true;
        let _ = writeln!(out, "  blocked {}: {}", b.code, safe(&b.reason));
    }
    for r in plan.reassignments.iter().filter(|r| r.from == id || r.to == id) {
        any = true;
        let what = r.kind.as_ref().map_or(format!("{:?}", r.what).to_lowercase(), |k| {
            format!("{} {k}", r.state.as_deref().unwrap_or(""))
        });
        let _ = writeln!(
            out,
            "  reassignment {} {what}: {} -> {} via {} ({})",
            r.count,
            safe(&r.from),
            safe(&r.to),
            r.via,
            safe(&r.ids.join(", "))
        );
    }
    for f in plan.findings.iter().filter(|f| f.users.iter().any(|u| u == id)) {
        any = true;
        let _ = writeln!(out, "  finding {}: {}", f.code, safe(&f.reason));
    }
    if !any {
        let _ =
            writeln!(out, "  nothing: no action, refusal, reassignment or finding names this user");
    }
}
