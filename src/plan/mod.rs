//! The plan: the only serialized output of the engine (`roster-plan/1`).
//!
//! Every list is sorted by [`Plan::sort`] so that the same inputs give the same bytes
//! whatever the thread count.

pub mod diff;
mod summary;

pub use summary::{status_after, statuses_after, summarize};

use rayon::prelude::*;
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::hash::BuildHasher;
use std::sync::{Arc, Mutex};

/// Text in a plan entry: borrowed from the snapshot and the policy the plan was made from
/// (ids, kinds, states, rule and strategy names), or owned (a plan read from a file). A
/// plan of a million users names a few million ids; none of them is copied.
pub type Text<'a> = Cow<'a, str>;

/// An action's reason. Shared: the actions of a plan say far fewer different sentences
/// than there are actions (every user last seen on the same day with the same thresholds
/// gets the same one), so each sentence is held once ([`Reasons`]).
pub type Reason = Arc<str>;

/// The sentences of the actions of one run, each held once. Safe to share between the
/// threads of a pass; the texts are the same whatever the thread count, only where they
/// are held differs.
#[derive(Debug)]
pub struct Reasons {
    shards: [Mutex<FxHashSet<Reason>>; SHARDS],
}

impl Default for Reasons {
    fn default() -> Self {
        Reasons { shards: std::array::from_fn(|_| Mutex::default()) }
    }
}

/// Independent locks, so that threads seldom wait for each other.
const SHARDS: usize = 64;

impl Reasons {
    /// The shared copy of `text`.
    pub fn get(&self, text: String) -> Reason {
        let shard = (rustc_hash::FxBuildHasher.hash_one(text.as_str()) as usize) % SHARDS;
        // A poisoned shard (a panic elsewhere) still holds valid texts.
        let mut set = self.shards[shard].lock().unwrap_or_else(|e| e.into_inner());
        if let Some(shared) = set.get(text.as_str()) {
            return Arc::clone(shared);
        }
        let shared: Reason = Arc::from(text);
        set.insert(Arc::clone(&shared));
        shared
    }
}

/// The format tag of this version of the plan.
pub const FORMAT: &str = "roster-plan/1";

/// A whole plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan<'a> {
    /// Always [`FORMAT`].
    pub format: String,
    /// The instant the plan was evaluated at (RFC 3339, UTC).
    pub as_of: String,
    /// Which policy.
    pub policy: PolicyRef,
    /// Which snapshot.
    pub snapshot: SnapshotRef,
    /// Counts.
    pub summary: Summary,
    /// The `[safety]` limits this plan goes over, by key (`max_deactivations`); absent when
    /// none. A held plan is written but must be accepted (`--accept-held`) to exit 0.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub held: BTreeMap<String, Held>,
    /// What should happen to users.
    pub actions: Vec<Action<'a>>,
    /// What moves from one holder to another.
    pub reassignments: Vec<Reassignment<'a>>,
    /// Offboardings that are refused, one entry per cause.
    pub blocked: Vec<Blocked<'a>>,
    /// Data problems and things a person should look at.
    pub findings: Vec<Finding<'a>>,
}

/// One `[safety]` limit a plan goes over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Held {
    /// The limit as the policy writes it (`25` or `"5%"`).
    pub limit: String,
    /// The most it allows for this snapshot.
    pub allowed: u64,
    /// How many the plan has.
    pub count: u64,
}

/// The policy a plan was made with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyRef {
    /// `name`.
    pub name: String,
    /// SHA-256 of the policy file.
    pub sha256: String,
}

/// The snapshot a plan was made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotRef {
    /// User count.
    pub users: usize,
    /// Team count.
    pub teams: usize,
    /// Record count.
    pub records: usize,
    /// SHA-256 of the snapshot files.
    pub sha256: String,
}

/// The plan's counts.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Summary {
    /// Actions by name.
    pub actions: BTreeMap<String, usize>,
    /// Number of `blocked` entries.
    pub blocked: usize,
    /// Number of findings.
    pub findings: usize,
    /// Users per status before the plan.
    pub statuses_before: BTreeMap<String, usize>,
    /// Users per status once the plan is applied.
    pub statuses_after: BTreeMap<String, usize>,
    /// Seats.
    pub seats: Seats,
    /// Per offboarded user: records = transferred + kept + cancelled.
    #[serde(default)]
    pub offboarded: BTreeMap<String, Conservation>,
}

/// Seats before and after the plan.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Seats {
    /// The licence count, if the snapshot has one.
    pub total: Option<u64>,
    /// Billed users before the plan.
    pub billed_before: usize,
    /// Billed users after it.
    pub billed_after: usize,
}

/// What happened to an offboarded user's records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Conservation {
    /// Records the user owned.
    pub records: usize,
    /// Moved to a receiver.
    pub transferred: usize,
    /// Stayed with the user.
    pub kept: usize,
    /// Cancelled.
    pub cancelled: usize,
}

impl Conservation {
    /// Whether every record is accounted for.
    pub fn holds(&self) -> bool {
        self.records == self.transferred + self.kept + self.cancelled
    }
}

/// An action name. The order is the order a user's actions are listed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    /// Warn the user of a coming suspension or deactivation.
    NotifyUser,
    /// Resend an expired invite.
    ResendInvite,
    /// Withdraw an invite.
    RescindInvite,
    /// Active -> idle.
    MarkIdle,
    /// Idle -> active.
    MarkActive,
    /// -> suspended.
    Suspend,
    /// Lock after too many failed logins.
    Lock,
    /// Lift a lock.
    Unlock,
    /// -> deactivated.
    Deactivate,
    /// End the user's sessions.
    RevokeSessions,
    /// Stop billing the user's seat.
    FreeSeat,
    /// Take the user out of a team.
    RemoveFromTeam,
    /// Put the e-mail on the block list.
    BlockEmail,
    /// Cancel one record.
    CancelRecord,
    /// Reactivate a deactivated user.
    Reactivate,
    /// Take the e-mail off the block list.
    UnblockEmail,
    /// Give the user the manager the directory names (`to`).
    SetManager,
}

impl ActionKind {
    /// Every action, in plan order.
    pub const ALL: [ActionKind; 17] = [
        ActionKind::NotifyUser,
        ActionKind::ResendInvite,
        ActionKind::RescindInvite,
        ActionKind::MarkIdle,
        ActionKind::MarkActive,
        ActionKind::Suspend,
        ActionKind::Lock,
        ActionKind::Unlock,
        ActionKind::Deactivate,
        ActionKind::RevokeSessions,
        ActionKind::FreeSeat,
        ActionKind::RemoveFromTeam,
        ActionKind::BlockEmail,
        ActionKind::CancelRecord,
        ActionKind::Reactivate,
        ActionKind::UnblockEmail,
        ActionKind::SetManager,
    ];

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::NotifyUser => "notify_user",
            ActionKind::ResendInvite => "resend_invite",
            ActionKind::RescindInvite => "rescind_invite",
            ActionKind::MarkIdle => "mark_idle",
            ActionKind::MarkActive => "mark_active",
            ActionKind::Suspend => "suspend",
            ActionKind::Lock => "lock",
            ActionKind::Unlock => "unlock",
            ActionKind::Deactivate => "deactivate",
            ActionKind::RevokeSessions => "revoke_sessions",
            ActionKind::FreeSeat => "free_seat",
            ActionKind::RemoveFromTeam => "remove_from_team",
            ActionKind::BlockEmail => "block_email",
            ActionKind::CancelRecord => "cancel_record",
            ActionKind::Reactivate => "reactivate",
            ActionKind::UnblockEmail => "unblock_email",
            ActionKind::SetManager => "set_manager",
        }
    }
}

/// One action about one user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action<'a> {
    /// The user's id.
    pub user: Text<'a>,
    /// What to do.
    pub action: ActionKind,
    /// The rule that called for it.
    pub rule: Text<'a>,
    /// Why, with the numbers.
    pub reason: Reason,
    /// The record concerned (`cancel_record`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<Text<'a>>,
    /// The team concerned (`remove_from_team`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<Text<'a>>,
    /// When the announced escalation is due (`notify_user`), as a date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// What a `notify_user` announces: `suspend` or `deactivate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub announces: Option<ActionKind>,
    /// Who is told (`notify_user`, when `[idle] notify` names recipients): user ids, or
    /// what `user:<id>` names; for `set_manager`, the new manager.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<Text<'a>>,
}

/// What a reassignment moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum What {
    /// Records of one kind and state.
    Records,
    /// Direct reports.
    Reports,
    /// Teams the user leads.
    Team,
}

/// Things that move from one holder to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reassignment<'a> {
    /// The current holder.
    pub from: Text<'a>,
    /// The receiver.
    pub to: Text<'a>,
    /// What moves.
    pub what: What,
    /// Record kind (`records` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<Text<'a>>,
    /// Record state (`records` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<Text<'a>>,
    /// `ids.len()`.
    pub count: usize,
    /// Record, user or team ids, sorted.
    pub ids: Vec<Text<'a>>,
    /// The strategy that found the receiver.
    pub via: Text<'a>,
    /// Targets of the plan the resolution passed through: the first and, when there were
    /// more, the last.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub through: Vec<Text<'a>>,
    /// How many targets the resolution passed through (with `through`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hops: Option<usize>,
}

impl Reassignment<'_> {
    /// `through` for people: "u4", "u4, u7", or "u4 … u9 (12 leavers)" when the targets
    /// in between are not listed; each id written by `name`.
    pub fn through_text(&self, name: impl Fn(&str) -> String) -> Option<String> {
        let names: Vec<String> = self.through.iter().map(|t| name(t)).collect();
        match self.hops {
            _ if names.is_empty() => None,
            Some(n) if n > names.len() => Some(format!("{} ({n} leavers)", names.join(" … "))),
            _ => Some(names.join(", ")),
        }
    }
}

/// One reason an offboarding is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blocked<'a> {
    /// The target as given (id or e-mail) or its id.
    pub user: Text<'a>,
    /// The cause.
    pub code: Text<'a>,
    /// A sentence a person can check.
    pub reason: String,
    /// Records concerned (`referenced`, `no_receiver`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub records: Vec<Text<'a>>,
}

/// A data problem or something a person should look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding<'a> {
    /// What kind of finding.
    pub code: Text<'a>,
    /// Users concerned, sorted.
    pub users: Vec<Text<'a>>,
    /// Records concerned, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub records: Vec<Text<'a>>,
    /// Teams concerned, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub teams: Vec<Text<'a>>,
    /// A sentence a person can check.
    pub reason: String,
}

impl<'a> Finding<'a> {
    /// A finding about some users.
    pub fn new(code: &'static str, users: Vec<Text<'a>>, mut reason: String) -> Self {
        // As an action's: a formatted sentence has room to spare, held until it is written.
        reason.shrink_to_fit();
        Finding { code: Cow::Borrowed(code), users, records: Vec::new(), teams: Vec::new(), reason }
    }
}

/// Every finding code roster emits (docs/reference.md, "All finding codes", lists the
/// same; `tests/docs.rs` keeps them equal).
pub const FINDING_CODES: [&str; 28] = [
    "invite_without_date",
    "invite_expired",
    "no_activity_data",
    "stale_exempt",
    "unlock_candidate",
    "seat_overage",
    "orphaned_records",
    "dangling_manager",
    "dangling_team",
    "dangling_leader",
    "dangling_account_owner",
    "dangling_owner",
    "manager_cycle",
    "duplicate_email",
    "leader_not_receiver",
    "already_deactivated",
    "not_restored",
    "not_deactivated",
    "identity_reused",
    "safety_limit",
    "too_few_holders",
    "undeprovisioned",
    "unmatched_account",
    "leave_date",
    "manager_mismatch",
    "moved",
    "rehired",
    "ambiguous_match",
];

/// The order of blocked codes in a plan (the order checks are documented in).
pub const BLOCK_CODES: [&str; 16] = [
    "unknown_user",
    "actor_unknown",
    "actor_not_active",
    "actor_lacks_permission",
    "outranked",
    "self",
    "protected",
    "last_holder",
    "missing_field",
    "leads_team",
    "has_reports",
    "bulk_refused",
    "referenced",
    "no_receiver",
    "left_account",
    "no_seat",
];

fn code_rank(code: &str) -> usize {
    BLOCK_CODES.iter().position(|c| *c == code).unwrap_or(BLOCK_CODES.len())
}

/// Appends `more` to `list`: moved when `list` is empty (a copy would hold both lists at
/// once), else copied into exact room (a list that doubles holds up to twice its entries).
pub fn append<T>(list: &mut Vec<T>, more: Vec<T>) {
    if list.is_empty() {
        *list = more;
    } else {
        list.reserve_exact(more.len());
        list.extend(more);
    }
}

/// `noun` for `n` of them: `record` or `records`.
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        noun.to_owned()
    } else {
        format!("{noun}s")
    }
}

/// Compares ids so that `u9` sorts before `u10`.
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (None, _) => return std::cmp::Ordering::Less,
            (_, None) => return std::cmp::Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let da = a.iter().take_while(|c| c.is_ascii_digit()).count();
                let db = b.iter().take_while(|c| c.is_ascii_digit()).count();
                let (na, nb) = (&a[..da], &b[..db]);
                let ta = na.iter().position(|&c| c != b'0').map_or(&na[na.len()..], |i| &na[i..]);
                let tb = nb.iter().position(|&c| c != b'0').map_or(&nb[nb.len()..], |i| &nb[i..]);
                let ord = ta.len().cmp(&tb.len()).then(ta.cmp(tb)).then(da.cmp(&db));
                if ord != std::cmp::Ordering::Equal {
                    return ord;
                }
                a = &a[da..];
                b = &b[db..];
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(y);
                }
                a = &a[1..];
                b = &b[1..];
            }
        }
    }
}

fn natural_vec_cmp(a: &[Text<'_>], b: &[Text<'_>]) -> std::cmp::Ordering {
    for (x, y) in a.iter().zip(b) {
        let o = natural_cmp(x, y);
        if o != std::cmp::Ordering::Equal {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

fn opt_cmp(a: &Option<Text<'_>>, b: &Option<Text<'_>>) -> std::cmp::Ordering {
    match (a, b) {
        (Some(x), Some(y)) => natural_cmp(x, y),
        _ => a.is_some().cmp(&b.is_some()),
    }
}

/// Sorts ids naturally.
pub fn sort_ids<S: AsRef<str>>(ids: &mut [S]) {
    ids.sort_by(|a, b| natural_cmp(a.as_ref(), b.as_ref()));
}

impl Plan<'_> {
    /// A plan with nothing in it.
    pub fn empty() -> Self {
        Plan {
            format: FORMAT.to_owned(),
            as_of: String::new(),
            policy: PolicyRef { name: String::new(), sha256: String::new() },
            snapshot: SnapshotRef { users: 0, teams: 0, records: 0, sha256: String::new() },
            summary: Summary::default(),
            held: BTreeMap::new(),
            actions: Vec::new(),
            reassignments: Vec::new(),
            blocked: Vec::new(),
            findings: Vec::new(),
        }
    }

    /// Sorts every list into the plan's canonical order.
    pub fn sort(&mut self) {
        // Stable sorts (the same order whatever the threads), through a permutation so
        // that no list is ever there twice (a stable sort of the entries themselves needs
        // a buffer as large as the list).
        sort_stable(&mut self.actions, |a, b| {
            natural_cmp(&a.user, &b.user)
                .then(a.action.cmp(&b.action))
                .then_with(|| opt_cmp(&a.record, &b.record))
                .then_with(|| opt_cmp(&a.team, &b.team))
                .then_with(|| a.reason.cmp(&b.reason))
        });
        self.reassignments.par_iter_mut().for_each(|r| sort_ids(&mut r.ids));
        sort_stable(&mut self.reassignments, |a, b| {
            natural_cmp(&a.from, &b.from)
                .then(a.what.cmp(&b.what))
                .then_with(|| opt_cmp(&a.kind, &b.kind))
                .then_with(|| opt_cmp(&a.state, &b.state))
                .then_with(|| natural_cmp(&a.to, &b.to))
        });
        self.blocked.par_iter_mut().for_each(|b| sort_ids(&mut b.records));
        sort_stable(&mut self.blocked, |a, b| {
            natural_cmp(&a.user, &b.user).then(code_rank(&a.code).cmp(&code_rank(&b.code)))
        });
        self.findings.par_iter_mut().for_each(|f| {
            sort_ids(&mut f.users);
            sort_ids(&mut f.records);
            sort_ids(&mut f.teams);
        });
        sort_stable(&mut self.findings, |a, b| {
            natural_vec_cmp(&a.users, &b.users)
                .then_with(|| a.code.cmp(&b.code))
                .then_with(|| natural_vec_cmp(&a.records, &b.records))
                .then_with(|| natural_vec_cmp(&a.teams, &b.teams))
                .then_with(|| a.reason.cmp(&b.reason))
        });
    }

    /// Gives every list back the room it does not use (lists grow by doubling while the
    /// rules and the offboarding append to them).
    pub fn shrink(&mut self) {
        self.actions.shrink_to_fit();
        self.reassignments.shrink_to_fit();
        self.blocked.shrink_to_fit();
        self.findings.shrink_to_fit();
    }

    /// The same plan, owning its texts (to outlive the snapshot it was made from).
    pub fn into_owned(self) -> Plan<'static> {
        Plan {
            format: self.format,
            as_of: self.as_of,
            policy: self.policy,
            snapshot: self.snapshot,
            summary: self.summary,
            held: self.held,
            actions: self.actions.into_iter().map(Action::into_owned).collect(),
            reassignments: self.reassignments.into_iter().map(Reassignment::into_owned).collect(),
            blocked: self.blocked.into_iter().map(Blocked::into_owned).collect(),
            findings: self.findings.into_iter().map(Finding::into_owned).collect(),
        }
    }
}

fn owned(t: Text<'_>) -> Text<'static> {
    Cow::Owned(t.into_owned())
}

fn all_owned(ts: Vec<Text<'_>>) -> Vec<Text<'static>> {
    ts.into_iter().map(owned).collect()
}

impl Action<'_> {
    /// The same action, owning its texts.
    pub fn into_owned(self) -> Action<'static> {
        Action {
            user: owned(self.user),
            action: self.action,
            rule: owned(self.rule),
            reason: self.reason,
            record: self.record.map(owned),
            team: self.team.map(owned),
            date: self.date,
            announces: self.announces,
            to: all_owned(self.to),
        }
    }
}

impl Reassignment<'_> {
    /// The same reassignment, owning its texts.
    pub fn into_owned(self) -> Reassignment<'static> {
        Reassignment {
            from: owned(self.from),
            to: owned(self.to),
            what: self.what,
            kind: self.kind.map(owned),
            state: self.state.map(owned),
            count: self.count,
            ids: all_owned(self.ids),
            via: owned(self.via),
            through: all_owned(self.through),
            hops: self.hops,
        }
    }
}

impl Blocked<'_> {
    /// The same refusal, owning its texts.
    pub fn into_owned(self) -> Blocked<'static> {
        Blocked {
            user: owned(self.user),
            code: owned(self.code),
            reason: self.reason,
            records: all_owned(self.records),
        }
    }
}

impl Finding<'_> {
    /// The same finding, owning its texts.
    pub fn into_owned(self) -> Finding<'static> {
        Finding {
            code: owned(self.code),
            users: all_owned(self.users),
            records: all_owned(self.records),
            teams: all_owned(self.teams),
            reason: self.reason,
        }
    }
}

/// Sorts `items` stably by `cmp`, in parallel: the positions are sorted (entries that
/// compare equal keep their order), then the entries are moved along the cycles of that
/// permutation, so the only extra memory is two `u32` per entry.
fn sort_stable<T: Send + Sync>(items: &mut [T], cmp: impl Fn(&T, &T) -> std::cmp::Ordering + Sync) {
    let Ok(n) = u32::try_from(items.len()) else {
        // Never at the sizes a plan has; a plain stable sort is still right.
        items.par_sort_by(cmp);
        return;
    };
    let mut order: Vec<u32> = (0..n).collect();
    {
        let items = &*items;
        order.par_sort_by(|&a, &b| cmp(&items[a as usize], &items[b as usize]));
    }
    permute(items, &mut order);
}

/// Rearranges `items` so that position `i` holds what was at `order[i]`, in place.
/// `order` must be a permutation of the positions; it is used up (left as the identity).
fn permute<T>(items: &mut [T], order: &mut [u32]) {
    for start in 0..order.len() {
        let mut at = start;
        loop {
            let from = order[at] as usize;
            order[at] = at as u32;
            if from == start {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sentence_is_held_once_from_any_thread() {
        let reasons = Reasons::default();
        let texts: Vec<String> = (0..200).map(|i| format!("threshold {}d", i % 20)).collect();
        let shared: Vec<Reason> = texts.par_iter().map(|t| reasons.get(t.clone())).collect();
        for (t, r) in texts.iter().zip(&shared) {
            assert_eq!(**r, **t);
            assert!(Arc::ptr_eq(r, &reasons.get(t.clone())));
        }
        assert!(!Arc::ptr_eq(&shared[0], &shared[1]));
        let held: usize = reasons.shards.iter().map(|s| s.lock().map_or(0, |s| s.len())).sum();
        assert_eq!(held, 20);
    }

    #[test]
    fn permute_moves_every_entry_along_its_cycle() {
        let mut items = vec!['a', 'b', 'c', 'd', 'e', 'f'];
        let mut order = vec![3, 0, 5, 1, 2, 4];
        permute(&mut items, &mut order);
        assert_eq!(items, ['d', 'a', 'f', 'b', 'c', 'e']);
        assert_eq!(order, [0, 1, 2, 3, 4, 5]);
    }

    proptest::proptest! {
        #[test]
        fn sort_stable_agrees_with_a_stable_sort(keys in proptest::collection::vec(0u8..6, 0..300)) {
            // Entries are (key, original position): equal keys must keep their order.
            let mut ours: Vec<(u8, usize)> = keys.iter().enumerate().map(|(i, &k)| (k, i)).collect();
            let mut std_sorted = ours.clone();
            sort_stable(&mut ours, |a, b| a.0.cmp(&b.0));
            std_sorted.sort_by_key(|a| a.0);
            proptest::prop_assert_eq!(ours, std_sorted);
        }
    }

    #[test]
    fn natural_order_puts_u9_before_u10() {
        let mut ids: Vec<String> = ["u10", "u9", "u010", "a", "u1"].map(String::from).to_vec();
        sort_ids(&mut ids);
        assert_eq!(ids, ["a", "u1", "u9", "u10", "u010"]);
    }
}
