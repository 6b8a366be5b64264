//! The terminal view: the plan grouped by rule, then a one-line verdict like
//! `terraform plan`'s. User data is stripped of terminal control sequences.

use super::{action_counts, terminal_safe as safe, Names};
use crate::plan::Plan;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Renders the plan for a terminal.
pub fn render(plan: &Plan, names: Names<'_>, title: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{title}: policy {} ({})\nas_of {}; {}",
        safe(&plan.policy.name),
        short(&plan.policy.sha256),
        plan.as_of,
        super::snapshot_counts(plan)
    );
    let mut by_rule: BTreeMap<&str, Vec<&crate::plan::Action>> = BTreeMap::new();
    for a in &plan.actions {
        by_rule.entry(a.rule.as_ref()).or_default().push(a);
    }
    for (rule, actions) in &by_rule {
        let _ = writeln!(out, "\n{} ({})", safe(rule), actions.len());
        for a in actions {
            let target = match (&a.record, &a.team) {
                (Some(r), _) => format!(" {}", safe(r)),
                (_, Some(t)) => format!(" {}", safe(&names.team(t))),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "  {:<16} {}{target}\n  {:<16}   {}",
                a.action.as_str(),
                safe(&names.user(&a.user)),
                "",
                safe(&a.reason)
            );
        }
    }
    if !plan.reassignments.is_empty() {
        let _ = writeln!(out, "\nreassignments ({})", plan.reassignments.len());
        for r in &plan.reassignments {
            let _ = writeln!(
                out,
                "  {}: {} -> {} ({})",
                safe(&names.what(r)),
                safe(&names.user(&r.from)),
                safe(&names.user(&r.to)),
                safe(&names.via(r))
            );
        }
    }
    if !plan.blocked.is_empty() {
        let _ = writeln!(out, "\nblocked ({})", plan.blocked.len());
        for b in &plan.blocked {
            let _ = writeln!(
                out,
                "  {:<22} {}\n  {:<22}   {}",
                b.code,
                safe(&names.user(&b.user)),
                "",
                safe(&b.reason)
            );
        }
    }
    if !plan.findings.is_empty() {
        let _ = writeln!(out, "\nfindings ({})", plan.findings.len());
        for f in &plan.findings {
            let mut who: Vec<String> = f.users.iter().map(|u| names.user(u)).collect();
            who.extend(f.teams.iter().map(|t| names.team(t)));
            let head = format!("  {:<22}{}", f.code, safe(&who_line(&who)));
            let _ = writeln!(out, "{}", head.trim_end());
            let _ = writeln!(out, "  {:<22}   {}", "", safe(&f.reason));
        }
    }
    if !plan.summary.offboarded.is_empty() {
        let _ = writeln!(out, "\noffboarded ({})", plan.summary.offboarded.len());
        for (user, c) in &plan.summary.offboarded {
            let _ = writeln!(
                out,
                "  {}: {} records = {} transferred + {} kept + {} cancelled",
                safe(&names.user(user)),
                c.records,
                c.transferred,
                c.kept,
                c.cancelled
            );
        }
    }
    let _ = writeln!(out, "\n{}", verdict(plan));
    out
}

/// The closing line: `Plan: 12 actions (3 mark_idle, ...), 4 reassignments, 1 blocked, 8 findings; seats 36 -> 30 of 32.`
pub fn verdict(plan: &Plan) -> String {
    let total: usize = plan.summary.actions.values().sum();
    let counts = if total == 0 {
        String::new()
    } else {
        format!(" ({})", action_counts(&plan.summary.actions))
    };
    let seats = &plan.summary.seats;
    let seat_text = match seats.total {
        Some(t) => {
            format!("; seats billed {} -> {} of {t}", seats.billed_before, seats.billed_after)
        }
        None => format!("; seats billed {} -> {}", seats.billed_before, seats.billed_after),
    };
    let held = if plan.held.is_empty() {
        String::new()
    } else {
        let over: Vec<String> =
            plan.held.iter().map(|(k, h)| format!("{k} {} > {}", h.count, h.allowed)).collect();
        format!("HELD by [safety] ({}). ", over.join(", "))
    };
    format!(
        "{held}Plan: {total} action{}{counts}, {} reassignment{}, {} blocked, {} finding{}{seat_text}.",
        if total == 1 { "" } else { "s" },
        plan.reassignments.len(),
        if plan.reassignments.len() == 1 { "" } else { "s" },
        plan.blocked.len(),
        plan.findings.len(),
        if plan.findings.len() == 1 { "" } else { "s" },
    )
}

fn who_line(who: &[String]) -> String {
    if who.is_empty() {
        String::new()
    } else {
        format!(" {}", who.join(", "))
    }
}

fn short(sha: &str) -> String {
    format!("sha256 {}", sha.get(..12).unwrap_or(sha))
}
