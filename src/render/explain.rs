//! The text of `roster explain`: the profile, the matchers, the rules, tonight's plan and
//! the offboarding steps of one user, for a terminal (user data stripped of control
//! sequences).

use super::terminal_safe as safe;
use crate::engine::explain::{Context, Explanation};
use crate::snapshot::Link;
use crate::time::{format_time, Duration, Time};
use std::fmt::Write;

/// Renders an explanation.
pub fn render(e: &Explanation) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "roster explain: {} ({}), policy {}, as_of {}",
        safe(&e.id),
        safe(&e.display),
        safe(&e.policy),
        format_time(e.as_of)
    );
    profile(&mut out, e);
    matchers(&mut out, e);
    let _ = writeln!(out, "\nrules");
    for (rule, lines) in &e.rules {
        if lines.is_empty() {
            let _ = writeln!(
                out,
                "  [ ] {rule}: did not look at this user (section absent, or status not concerned)"
            );
        }
        for t in lines {
            let mark = if t.matched { "x" } else { " " };
            let _ = writeln!(out, "  [{mark}] {}: {}", t.rule, safe(&t.detail));
        }
    }
    tonight(&mut out, e);
    let _ = writeln!(out, "\noffboarding");
    let _ = writeln!(
        out,
        "  {}",
        match e.offboarding {
            Context::Requested => "within the requested offboarding:",
            Context::Tonight => "tonight's plan offboards them (idle.deactivate_after):",
            Context::TonightLeaver => "tonight's plan offboards them ([directory] on_missing):",
            Context::Alone => "not offboarded tonight; if the policy offboarded them alone:",
        }
    );
    for l in &e.offboarding_steps {
        let _ = writeln!(out, "    {}", safe(l));
    }
    out
}

fn profile(out: &mut String, e: &Explanation) {
    let p = &e.profile;
    let when = |t: Option<Time>| t.map_or("-".to_owned(), format_time);
    let manager = match &p.manager {
        Link::None => "none".to_owned(),
        Link::To((id, name)) => format!("{id} ({name})"),
        Link::Dangling(id) => format!("`{id}` (not a user)"),
    };
    let teams: Vec<String> = p
        .teams
        .iter()
        .map(|t| match t {
            Link::To((id, name)) => format!("{id} ({name})"),
            Link::Dangling(id) => format!("`{id}` (no such team)"),
            Link::None => String::new(),
        })
        .collect();
    let _ = writeln!(out, "\nprofile");
    let _ = writeln!(
        out,
        "  status {}; role {} (rank {} of {}); manager {}; teams {}",
        p.status,
        p.role,
        p.rank.0,
        p.rank.1,
        safe(&manager),
        if teams.is_empty() { "none".to_owned() } else { safe(&teams.join(", ")) }
    );
    let [login, activated, invited, notified] = p.times;
    let _ = writeln!(
        out,
        "  last login {}; activated {}; invited {}; notified {}; failed logins {}; locked {}",
        when(login),
        when(activated),
        when(invited),
        when(notified),
        p.failed_logins,
        if p.locked { "yes" } else { "no" }
    );
    let (records, reports, teams_led) = p.holds;
    let _ = writeln!(
        out,
        "  owns {records} {}; {reports} direct {}; leads {teams_led} {}",
        crate::plan::plural(records, "record"),
        crate::plan::plural(reports, "report"),
        crate::plan::plural(teams_led, "team")
    );
}

fn matchers(out: &mut String, e: &Explanation) {
    let yes = |b: Option<bool>| match b {
        None => "none set",
        Some(true) => "matches",
        Some(false) => "does not match",
    };
    let m = &e.matchers;
    let _ = writeln!(out, "\nmatchers");
    match &m.idle {
        None => {
            let _ = writeln!(out, "  idle: no [idle] section");
        }
        Some(idle) => {
            let _ = writeln!(out, "  idle.exempt: {}", yes(idle.exempt));
            if let Some((t, number)) = &idle.thresholds {
                let source = number.map_or("[idle] (no override matched)".to_owned(), |n| {
                    format!("idle.overrides #{n}")
                });
                let opt = |d: Option<Duration>| d.map_or("-".to_owned(), |d| d.to_string());
                let _ = writeln!(
                    out,
                    "  idle thresholds from {source}: after {}, suspend_after {}, deactivate_after {}, notify_before {}",
                    t.after,
                    opt(t.suspend_after),
                    opt(t.deactivate_after),
                    t.notify_before.map_or("-".to_owned(), |n| n.to_string())
                );
            }
        }
    }
    let _ = writeln!(
        out,
        "  deactivation.protected: {}{}",
        yes(m.protected),
        if m.owner { "; the account's primary owner (always protected)" } else { "" }
    );
    let _ = writeln!(out, "  leaders.bulk_refuse: {}", yes(m.bulk_refuse));
}

fn tonight(out: &mut String, e: &Explanation) {
    let plan = &e.tonight;
    let _ = writeln!(out, "\nin tonight's plan");
    for a in &plan.actions {
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
    for b in &plan.blocked {
        let _ = writeln!(out, "  blocked {}: {}", b.code, safe(&b.reason));
    }
    for r in &plan.reassignments {
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
    for f in &plan.findings {
        let _ = writeln!(out, "  finding {}: {}", f.code, safe(&f.reason));
    }
    if plan.actions.is_empty()
        && plan.blocked.is_empty()
        && plan.reassignments.is_empty()
        && plan.findings.is_empty()
    {
        let _ =
            writeln!(out, "  nothing: no action, refusal, reassignment or finding names this user");
    }
}
