//! The semantic difference between two plans: what would happen differently, per user.
//!
//! Actions are compared by (user, action, record, team, date), refusals by (user, code),
//! findings by (code, users, records, teams), and reassignments item by item, so that a
//! record whose receiver changed is one change, not a removal and an addition. Reasons
//! and digests are not compared: they explain, they do not decide.

use super::{natural_cmp, Action, Blocked, Finding, Plan, Reassignment, Text, What};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Everything that differs between an old and a new plan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanDiff<'a> {
    /// Per user id, in natural order.
    pub users: Vec<UserDiff<'a>>,
    /// Findings only the new plan has.
    pub findings_added: Vec<Finding<'a>>,
    /// Findings only the old plan has.
    pub findings_removed: Vec<Finding<'a>>,
    /// Counts that changed.
    pub summary: Vec<CountChange>,
}

/// What changes for one user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDiff<'a> {
    /// The user id.
    pub user: String,
    /// Actions only the new plan has.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions_added: Vec<Action<'a>>,
    /// Actions only the old plan has.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions_removed: Vec<Action<'a>>,
    /// Refusals only the new plan has.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocked_added: Vec<Blocked<'a>>,
    /// Refusals only the old plan has.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocked_removed: Vec<Blocked<'a>>,
    /// Things this user hands over whose receiver differs (or that move in one plan only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub receivers: Vec<ReceiverChange>,
}

/// Items of one holder that go somewhere else in the new plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiverChange {
    /// What moves.
    pub what: What,
    /// Record kind (records only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Record state (records only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The receiver in the old plan (`None`: it did not move).
    pub old_to: Option<String>,
    /// The receiver in the new plan (`None`: it does not move).
    pub new_to: Option<String>,
    /// The items, sorted.
    pub ids: Vec<String>,
}

/// A count of the summary that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountChange {
    /// Which count (`statuses_after.idle`, `seats.billed_after`, `actions.mark_idle`, ...).
    pub count: String,
    /// Old value.
    pub old: u64,
    /// New value.
    pub new: u64,
}

impl PlanDiff<'_> {
    /// Whether the plans do the same thing.
    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
            && self.findings_added.is_empty()
            && self.findings_removed.is_empty()
            && self.summary.is_empty()
    }
}

impl UserDiff<'_> {
    fn is_empty(&self) -> bool {
        self.actions_added.is_empty()
            && self.actions_removed.is_empty()
            && self.blocked_added.is_empty()
            && self.blocked_removed.is_empty()
            && self.receivers.is_empty()
    }
}

type ActionKey<'k> =
    (&'k str, super::ActionKind, Option<&'k str>, Option<&'k str>, Option<&'k str>);

fn action_key<'k>(a: &'k Action<'_>) -> ActionKey<'k> {
    (&a.user, a.action, a.record.as_deref(), a.team.as_deref(), a.date.as_deref())
}

type FindingKey<'k> = (&'k str, &'k [Text<'k>], &'k [Text<'k>], &'k [Text<'k>]);

fn finding_key<'k>(f: &'k Finding<'_>) -> FindingKey<'k> {
    (&f.code, &f.users, &f.records, &f.teams)
}

/// (from, what, kind, state, old receiver, new receiver).
type ChangeKey = (String, What, Option<String>, Option<String>, Option<String>, Option<String>);

/// (from, what, kind, state, item) -> receiver.
type Moves = BTreeMap<(String, What, Option<String>, Option<String>, String), String>;

fn moves(reassignments: &[Reassignment<'_>]) -> Moves {
    let mut m = Moves::new();
    for r in reassignments {
        for id in &r.ids {
            m.insert(
                (
                    r.from.to_string(),
                    r.what,
                    r.kind.as_deref().map(str::to_owned),
                    r.state.as_deref().map(str::to_owned),
                    id.to_string(),
                ),
                r.to.to_string(),
            );
        }
    }
    m
}

/// Compares two plans.
pub fn diff<'a>(old: &Plan<'a>, new: &Plan<'a>) -> PlanDiff<'a> {
    let mut users: BTreeMap<String, UserDiff<'a>> = BTreeMap::new();
    fn entry<'m, 'a>(
        users: &'m mut BTreeMap<String, UserDiff<'a>>,
        id: &str,
    ) -> &'m mut UserDiff<'a> {
        users
            .entry(id.to_owned())
            .or_insert_with(|| UserDiff { user: id.to_owned(), ..UserDiff::default() })
    }
    let old_actions: BTreeSet<ActionKey> = old.actions.iter().map(action_key).collect();
    let new_actions: BTreeSet<ActionKey> = new.actions.iter().map(action_key).collect();
    for a in &new.actions {
        if !old_actions.contains(&action_key(a)) {
            entry(&mut users, &a.user).actions_added.push(a.clone());
        }
    }
    for a in &old.actions {
        if !new_actions.contains(&action_key(a)) {
            entry(&mut users, &a.user).actions_removed.push(a.clone());
        }
    }
    let blocked_key = |b: &Blocked<'a>| (b.user.to_string(), b.code.to_string());
    let old_blocked: BTreeSet<_> = old.blocked.iter().map(blocked_key).collect();
    let new_blocked: BTreeSet<_> = new.blocked.iter().map(blocked_key).collect();
    for b in &new.blocked {
        if !old_blocked.contains(&blocked_key(b)) {
            entry(&mut users, &b.user).blocked_added.push(b.clone());
        }
    }
    for b in &old.blocked {
        if !new_blocked.contains(&blocked_key(b)) {
            entry(&mut users, &b.user).blocked_removed.push(b.clone());
        }
    }
    // Receivers, item by item, grouped back by (holder, what, kind, state, old, new).
    let (old_moves, new_moves) = (moves(&old.reassignments), moves(&new.reassignments));
    let mut changes: BTreeMap<ChangeKey, Vec<String>> = BTreeMap::new();
    let keys: BTreeSet<_> = old_moves.keys().chain(new_moves.keys()).collect();
    for key in keys {
        let (o, n) = (old_moves.get(key), new_moves.get(key));
        if o != n {
            let (from, what, kind, state, id) = key.clone();
            changes.entry((from, what, kind, state, o.cloned(), n.cloned())).or_default().push(id);
        }
    }
    for ((from, what, kind, state, old_to, new_to), mut ids) in changes {
        ids.sort_by(|a, b| natural_cmp(a, b));
        entry(&mut users, &from).receivers.push(ReceiverChange {
            what,
            kind,
            state,
            old_to,
            new_to,
            ids,
        });
    }
    let old_findings: BTreeSet<_> = old.findings.iter().map(finding_key).collect();
    let new_findings: BTreeSet<_> = new.findings.iter().map(finding_key).collect();
    let findings_added =
        new.findings.iter().filter(|f| !old_findings.contains(&finding_key(f))).cloned().collect();
    let findings_removed =
        old.findings.iter().filter(|f| !new_findings.contains(&finding_key(f))).cloned().collect();
    let mut users: Vec<UserDiff<'a>> = users.into_values().filter(|u| !u.is_empty()).collect();
    users.sort_by(|a, b| natural_cmp(&a.user, &b.user));
    PlanDiff { users, findings_added, findings_removed, summary: summary_changes(old, new) }
}

fn summary_changes(old: &Plan<'_>, new: &Plan<'_>) -> Vec<CountChange> {
    let mut out = Vec::new();
    let mut compare = |prefix: &str, a: &BTreeMap<String, usize>, b: &BTreeMap<String, usize>| {
        let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
        for k in keys {
            let (x, y) = (a.get(k).copied().unwrap_or(0), b.get(k).copied().unwrap_or(0));
            if x != y {
                out.push(CountChange {
                    count: format!("{prefix}.{k}"),
                    old: x as u64,
                    new: y as u64,
                });
            }
        }
    };
    compare("actions", &old.summary.actions, &new.summary.actions);
    compare("statuses_after", &old.summary.statuses_after, &new.summary.statuses_after);
    let (s, t) = (&old.summary.seats, &new.summary.seats);
    for (name, x, y) in [
        ("seats.billed_before", s.billed_before as u64, t.billed_before as u64),
        ("seats.billed_after", s.billed_after as u64, t.billed_after as u64),
        ("seats.total", s.total.unwrap_or(0), t.total.unwrap_or(0)),
        ("blocked", old.blocked.len() as u64, new.blocked.len() as u64),
        ("findings", old.findings.len() as u64, new.findings.len() as u64),
    ] {
        if x != y {
            out.push(CountChange { count: name.to_owned(), old: x, new: y });
        }
    }
    out
}
