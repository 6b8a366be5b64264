//! Rendering a [`PlanDiff`]: a terminal listing, a Markdown pull-request comment, or JSON.

use super::{markdown_safe as md, terminal_safe as safe, Names};
use crate::plan::diff::{PlanDiff, ReceiverChange};
use crate::plan::What;
use std::fmt::Write;

fn moved(c: &ReceiverChange, arrow: &str) -> String {
    let what = match c.what {
        What::Records => format!(
            "{} {} {} record{}",
            c.ids.len(),
            c.state.as_deref().unwrap_or(""),
            c.kind.as_deref().unwrap_or(""),
            if c.ids.len() == 1 { "" } else { "s" }
        ),
        What::Reports => {
            format!("{} direct report{}", c.ids.len(), if c.ids.len() == 1 { "" } else { "s" })
        }
        What::Team => {
            format!("team{} {}", if c.ids.len() == 1 { "" } else { "s" }, c.ids.join(", "))
        }
    };
    let side = |to: &Option<String>| to.clone().unwrap_or_else(|| "(not moved)".to_owned());
    format!("{what}: {} {arrow} {} ({})", side(&c.old_to), side(&c.new_to), c.ids.join(", "))
}

/// Text lines describing a diff, each prefixed by `indent`.
pub fn table(diff: &PlanDiff, names: Names<'_>, indent: &str) -> String {
    let mut out = String::new();
    if diff.is_empty() {
        let _ = writeln!(out, "{indent}no difference");
        return out;
    }
    for u in &diff.users {
        let _ = writeln!(out, "{indent}{}", safe(&names.user(&u.user)));
        for (sign, list) in [("+", &u.actions_added), ("-", &u.actions_removed)] {
            for a in list {
                let (action, reason) = (a.action.as_str(), safe(&a.reason));
                let _ = writeln!(out, "{indent}  {sign} {action} ({}): {reason}", a.rule);
            }
        }
        for (sign, list) in [("+", &u.blocked_added), ("-", &u.blocked_removed)] {
            for b in list {
                let _ = writeln!(out, "{indent}  {sign} blocked {}: {}", b.code, safe(&b.reason));
            }
        }
        for c in &u.receivers {
            let _ = writeln!(out, "{indent}  ~ {}", safe(&moved(c, "->")));
        }
    }
    if !diff.findings_added.is_empty() || !diff.findings_removed.is_empty() {
        let _ = writeln!(out, "{indent}findings");
        for (sign, list) in [("+", &diff.findings_added), ("-", &diff.findings_removed)] {
            for f in list {
                let who = if f.users.is_empty() {
                    String::new()
                } else {
                    format!(" [{}]", f.users.join(", "))
                };
                let _ =
                    writeln!(out, "{indent}  {sign} {}{}: {}", f.code, safe(&who), safe(&f.reason));
            }
        }
    }
    if !diff.summary.is_empty() {
        let _ = writeln!(out, "{indent}summary");
        for c in &diff.summary {
            let _ = writeln!(out, "{indent}  {}: {} -> {}", c.count, c.old, c.new);
        }
    }
    out
}

/// A Markdown comment for a pull request.
pub fn markdown(diff: &PlanDiff, names: Names<'_>, title: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### {}\n", md(&title.replace(" -> ", " → ")));
    if diff.is_empty() {
        let _ = writeln!(out, "No difference: the change plans exactly the same actions, reassignments, refusals and findings.");
        return out;
    }
    let _ = writeln!(
        out,
        "{} user{} affected, {} finding{} added, {} removed.\n",
        diff.users.len(),
        if diff.users.len() == 1 { "" } else { "s" },
        diff.findings_added.len(),
        if diff.findings_added.len() == 1 { "" } else { "s" },
        diff.findings_removed.len()
    );
    if !diff.users.is_empty() {
        let _ = writeln!(out, "| user | change |\n|---|---|");
        for u in &diff.users {
            let mut changes: Vec<String> = Vec::new();
            changes.extend(
                u.actions_added
                    .iter()
                    .map(|a| format!("**+** `{}` ({})", a.action.as_str(), md(&a.reason))),
            );
            changes.extend(
                u.actions_removed
                    .iter()
                    .map(|a| format!("**-** `{}` ({})", a.action.as_str(), md(&a.reason))),
            );
            changes.extend(
                u.blocked_added
                    .iter()
                    .map(|b| format!("**+** blocked `{}` ({})", b.code, md(&b.reason))),
            );
            changes.extend(u.blocked_removed.iter().map(|b| format!("**-** blocked `{}`", b.code)));
            changes.extend(u.receivers.iter().map(|c| format!("**~** {}", md(&moved(c, "→")))));
            let _ = writeln!(out, "| {} | {} |", md(&names.user(&u.user)), changes.join("<br>"));
        }
    }
    if !diff.findings_added.is_empty() || !diff.findings_removed.is_empty() {
        let _ = writeln!(out, "\n#### Findings\n");
        for (sign, list) in [("added", &diff.findings_added), ("removed", &diff.findings_removed)] {
            for f in list {
                let who = if f.users.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", md(&f.users.join(", ")))
                };
                let _ = writeln!(out, "- {sign} `{}`{who}: {}", f.code, md(&f.reason));
            }
        }
    }
    if !diff.summary.is_empty() {
        let _ = writeln!(
            out,
            "\n#### Counts\n\n| count | before the change | after |\n|---|---:|---:|"
        );
        for c in &diff.summary {
            let _ = writeln!(out, "| {} | {} | {} |", c.count, c.old, c.new);
        }
    }
    out
}

/// The diff as JSON with a final newline.
pub fn json(diff: &PlanDiff) -> String {
    let mut s =
        serde_json::to_string_pretty(diff).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}
