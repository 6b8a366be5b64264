//! Mermaid: a flowchart of who hands what to whom. One node per user, one edge per
//! (leaver, receiver) pair labelled with counts per kind ("4 opportunities, 2 contacts,
//! 3 reports, 1 team"), whatever the states and strategies.
//!
//! User data is only ever inside quoted labels, with every character that Mermaid or HTML
//! could read as syntax written as a `#NN;` entity code, so no name can end a label, add a
//! node, a link, a directive or markup. Node ids are generated (`n1`, `n2`...). Past
//! [`MAX_EDGES`] edges, the heaviest are drawn and the rest are summed up in one
//! "and N more" node, so that a big plan stays readable.

use super::Names;
use crate::plan::{natural_cmp, Plan, What};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

/// The most edges a diagram draws.
pub const MAX_EDGES: usize = 40;

/// The longest label, in characters, before it is cut with `…`.
const MAX_LABEL: usize = 80;

/// What moves along one edge.
#[derive(Default)]
struct Edge {
    /// Records per kind.
    records: BTreeMap<String, usize>,
    /// Direct reports.
    reports: usize,
    /// Teams.
    teams: usize,
}

impl Edge {
    fn total(&self) -> usize {
        self.records.values().sum::<usize>() + self.reports + self.teams
    }

    /// "4 opportunities, 2 contacts, 3 reports, 1 team".
    fn label(&self) -> String {
        let mut parts: Vec<String> =
            self.records.iter().map(|(kind, n)| count(*n, kind, &plural(kind))).collect();
        if self.reports > 0 {
            parts.push(count(self.reports, "report", "reports"));
        }
        if self.teams > 0 {
            parts.push(count(self.teams, "team", "teams"));
        }
        parts.join(", ")
    }
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// An English plural for a record kind: `opportunity` -> `opportunities`, `pin` -> `pins`.
fn plural(kind: &str) -> String {
    let lower = kind.to_ascii_lowercase();
    let ends_with_consonant_y = lower.ends_with('y')
        && !matches!(lower.chars().rev().nth(1), Some('a' | 'e' | 'i' | 'o' | 'u') | None);
    match kind.strip_suffix(['y', 'Y']) {
        Some(stem) if ends_with_consonant_y => format!("{stem}ies"),
        _ if ["s", "x", "z", "ch", "sh"].iter().any(|e| lower.ends_with(e)) => {
            format!("{kind}es")
        }
        _ => format!("{kind}s"),
    }
}

/// Text for a quoted Mermaid label: characters that could close the label or be read as
/// Mermaid, Markdown or HTML syntax become `#NN;` entity codes, line breaks, other
/// control characters and bidirectional overrides become spaces, and a label longer than
/// [`MAX_LABEL`] is cut.
pub fn label(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.chars().enumerate() {
        if i == MAX_LABEL {
            out.push('…');
            break;
        }
        match c {
            '"' | '#' | '%' | '&' | ':' | ';' | '<' | '>' | '[' | ']' | '{' | '}' | '`' | '|'
            | '\\' => {
                let _ = write!(out, "#{};", u32::from(c));
            }
            c if crate::diag::is_hidden(c) => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Renders the plan's reassignments as a Mermaid flowchart (without a Markdown fence).
pub fn flowchart(plan: &Plan, names: Names<'_>) -> String {
    let mut edges: HashMap<(&str, &str), Edge> = HashMap::new();
    for r in &plan.reassignments {
        let edge = edges.entry((r.from.as_ref(), r.to.as_ref())).or_default();
        match r.what {
            What::Records => {
                *edge
                    .records
                    .entry(r.kind.as_deref().unwrap_or_default().to_owned())
                    .or_default() += r.count
            }
            What::Reports => edge.reports += r.count,
            What::Team => edge.teams += r.count,
        }
    }
    let mut edges: Vec<((&str, &str), Edge)> = edges.into_iter().collect();
    // The heaviest edges are the ones kept when there are too many.
    edges.sort_by(|a, b| {
        b.1.total()
            .cmp(&a.1.total())
            .then_with(|| natural_cmp(a.0 .0, b.0 .0))
            .then_with(|| natural_cmp(a.0 .1, b.0 .1))
    });
    let rest = if edges.len() > MAX_EDGES { edges.split_off(MAX_EDGES) } else { Vec::new() };
    edges.sort_by(|a, b| natural_cmp(a.0 .0, b.0 .0).then_with(|| natural_cmp(a.0 .1, b.0 .1)));

    let mut users: Vec<&str> = edges.iter().flat_map(|((from, to), _)| [*from, *to]).collect();
    users.sort_by(|a, b| natural_cmp(a, b));
    users.dedup();
    let node: HashMap<&str, usize> = users.iter().enumerate().map(|(i, u)| (*u, i + 1)).collect();

    let mut out = String::from("flowchart LR\n");
    if users.is_empty() {
        out.push_str("  n0[\"no reassignments\"]\n");
        return out;
    }
    for (i, user) in users.iter().enumerate() {
        let _ = writeln!(out, "  n{}[\"{}\"]", i + 1, label(&names.user(user)));
    }
    for ((from, to), edge) in &edges {
        let (Some(a), Some(b)) = (node.get(from), node.get(to)) else {
            continue;
        };
        let _ = writeln!(out, "  n{a} -->|\"{}\"| n{b}", label(&edge.label()));
    }
    if !rest.is_empty() {
        let mut more = Edge::default();
        for (_, e) in &rest {
            for (kind, n) in &e.records {
                *more.records.entry(kind.clone()).or_default() += n;
            }
            more.reports += e.reports;
            more.teams += e.teams;
        }
        let records: usize = more.records.values().sum();
        let mut parts = Vec::new();
        if records > 0 {
            parts.push(count(records, "record", "records"));
        }
        if more.reports > 0 {
            parts.push(count(more.reports, "report", "reports"));
        }
        if more.teams > 0 {
            parts.push(count(more.teams, "team", "teams"));
        }
        let _ = writeln!(
            out,
            "  more[\"and {} more hand-overs ({}), see the plan\"]",
            rest.len(),
            parts.join(", ")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals_of_record_kinds() {
        assert_eq!(plural("opportunity"), "opportunities");
        assert_eq!(plural("company"), "companies");
        assert_eq!(plural("survey"), "surveys");
        assert_eq!(plural("pin"), "pins");
        assert_eq!(plural("address"), "addresses");
        assert_eq!(plural("routing_rule"), "routing_rules");
    }

    fn records(
        from: &str,
        to: &str,
        kind: &str,
        count: usize,
    ) -> crate::plan::Reassignment<'static> {
        crate::plan::Reassignment {
            from: from.to_owned().into(),
            to: to.to_owned().into(),
            what: What::Records,
            kind: Some(kind.to_owned().into()),
            state: Some("open".into()),
            count,
            ids: (0..count).map(|i| format!("{from}-{i}").into()).collect(),
            via: "manager".into(),
            through: Vec::new(),
            hops: None,
        }
    }

    #[test]
    fn edges_collapse_to_counts_and_big_plans_are_capped() {
        let mut plan = Plan::empty();
        plan.reassignments.push(records("a", "b", "contact", 2));
        plan.reassignments.push(records("a", "b", "contact", 1));
        plan.reassignments.push(records("a", "b", "opportunity", 1));
        let text = flowchart(&plan, Names::none());
        assert_eq!(
            text,
            "flowchart LR\n  n1[\"a\"]\n  n2[\"b\"]\n  n1 -->|\"3 contacts, 1 opportunity\"| n2\n"
        );
        // One leaver per edge, the first ones heaviest: the lightest go into "more".
        let mut plan = Plan::empty();
        for i in 0..MAX_EDGES + 5 {
            plan.reassignments.push(records(&format!("u{i}"), "boss", "pin", 100 - i));
        }
        let text = flowchart(&plan, Names::none());
        assert_eq!(text.matches("-->").count(), MAX_EDGES);
        assert!(text.contains("u39") && !text.contains("\"u40\""), "{text}");
        assert!(text.ends_with("  more[\"and 5 more hand-overs (290 records), see the plan\"]\n"));
    }

    #[test]
    fn labels_cannot_break_out() {
        assert_eq!(label("Tom (u1)"), "Tom (u1)");
        assert_eq!(label("a\"]; click n1 call x"), "a#34;#93;#59; click n1 call x");
        assert_eq!(label("<script>"), "#60;script#62;");
        assert_eq!(label("%%{init: {}}%%"), "#37;#37;#123;init#58; #123;#125;#125;#37;#37;");
        assert_eq!(label("a\nb\u{1b}|`"), "a b #124;#96;");
        assert_eq!(label(&"x".repeat(100)).chars().count(), MAX_LABEL + 1);
    }
}
