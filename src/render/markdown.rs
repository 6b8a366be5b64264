//! Markdown: a report a person reads in a chat, an e-mail or a pull request. User data is
//! escaped so that it cannot add HTML, links, code or table cells.

use super::{markdown_safe as md, table::verdict, Names};
use crate::plan::Plan;
use std::fmt::Write;

/// Renders the plan as a Markdown report.
pub fn render(plan: &Plan, names: Names<'_>, title: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}: {}\n", md(title), md(&plan.policy.name));
    let _ = writeln!(
        out,
        "As of {}; {}. Policy sha256 `{}`, snapshot sha256 `{}`.\n",
        plan.as_of,
        super::snapshot_counts(plan),
        plan.policy.sha256.get(..12).unwrap_or(""),
        plan.snapshot.sha256.get(..12).unwrap_or("")
    );
    let _ = writeln!(out, "{}\n", verdict(plan));
    let _ = writeln!(out, "## Summary\n\n| status | before | after |\n|---|---:|---:|");
    for (status, before) in &plan.summary.statuses_before {
        let after = plan.summary.statuses_after.get(status).copied().unwrap_or(0);
        let _ = writeln!(out, "| {status} | {before} | {after} |");
    }
    let s = &plan.summary.seats;
    let total = s.total.map_or("unknown".to_owned(), |t| t.to_string());
    let _ = writeln!(
        out,
        "| **billed seats** (of {total}) | {} | {} |",
        s.billed_before, s.billed_after
    );
    if !plan.summary.actions.is_empty() {
        let _ = writeln!(out, "\n| action | count |\n|---|---:|");
        for (a, n) in &plan.summary.actions {
            let _ = writeln!(out, "| {a} | {n} |");
        }
    }
    if !plan.actions.is_empty() {
        let _ =
            writeln!(out, "\n## Actions\n\n| user | action | rule | reason |\n|---|---|---|---|");
        for a in &plan.actions {
            let mut action = a.action.as_str().to_owned();
            if let Some(r) = &a.record {
                action.push_str(&format!(" {}", md(r)));
            }
            if let Some(t) = &a.team {
                action.push_str(&format!(" {}", md(&names.team(t))));
            }
            if let Some(d) = &a.date {
                action.push_str(&format!(" (by {d})"));
            }
            let _ = writeln!(
                out,
                "| {} | {action} | {} | {} |",
                md(&names.user(&a.user)),
                md(&a.rule),
                md(&a.reason)
            );
        }
    }
    if !plan.reassignments.is_empty() {
        let _ = writeln!(out, "\n## Reassignments\n");
        for r in &plan.reassignments {
            let _ = writeln!(
                out,
                "- {}: {} -> {} ({})",
                md(&names.what(r)),
                md(&names.user(&r.from)),
                md(&names.user(&r.to)),
                md(&names.via(r))
            );
        }
        let _ = writeln!(out, "\n```mermaid\n{}```", super::mermaid::flowchart(plan, names));
    }
    if !plan.blocked.is_empty() {
        let _ = writeln!(out, "\n## Blocked\n\n| user | code | reason |\n|---|---|---|");
        for b in &plan.blocked {
            let _ =
                writeln!(out, "| {} | {} | {} |", md(&names.user(&b.user)), b.code, md(&b.reason));
        }
    }
    if !plan.findings.is_empty() {
        let _ = writeln!(out, "\n## Findings\n\n| code | users | reason |\n|---|---|---|");
        for f in &plan.findings {
            let users: Vec<String> = f.users.iter().map(|u| md(&names.user(u))).collect();
            let _ = writeln!(out, "| {} | {} | {} |", f.code, users.join(", "), md(&f.reason));
        }
    }
    if !plan.summary.offboarded.is_empty() {
        let _ = writeln!(out, "\n## Offboarded\n\n| user | records | transferred | kept | cancelled |\n|---|---:|---:|---:|---:|");
        for (u, c) in &plan.summary.offboarded {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                md(&names.user(u)),
                c.records,
                c.transferred,
                c.kept,
                c.cancelled
            );
        }
    }
    out
}
