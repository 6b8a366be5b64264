//! The receiver resolver: who takes over what a leaver holds.
//!
//! A chain of strategies is tried in order. A receiver must exist, have a `receivers`
//! status after the plan (a user the plan marks idle, suspends or deactivates does not
//! receive), not be a target of the same plan (allowed or refused), and not be the leaver
//! or, for a direct report, that report. When a strategy names a target, the resolver
//! follows that target's own chain; if that ends nowhere, the next strategy is tried.
//!
//! Every plan costs time linear in its input: where a followed target's chain leads is
//! worked out once per target and need ([`Onward`], memoised, iteratively, so a chain of
//! any length uses no stack), `manager_chain` remembers the first eligible manager above
//! each user, and `least_loaded_peer` keeps one heap per (primary team, role). The plan
//! names the first and the last target passed and how many ([`Through`]), never the whole
//! path. Resolution runs on one thread in natural id order of the leavers, so its result,
//! including where a cycle of targets is cut and how peers are balanced, depends only on
//! the inputs.

use crate::model::{RoleIx, Status};
use crate::policy::Strategy;
use crate::rules::Ctx;
use crate::snapshot::{Sym, TeamIx, UserIx};
use rustc_hash::FxHashMap;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

/// What is being handed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Need {
    /// Transferred records of one kind.
    Records(Sym),
    /// Direct reports.
    Reports,
    /// Teams the leaver leads.
    Teams,
}

/// The targets a resolution passed through on its way to the receiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Through {
    /// The first target followed (the one the leaver's strategy named).
    pub first: UserIx,
    /// The last one (whose own strategy named the receiver).
    pub last: UserIx,
    /// How many targets were passed, both ends included.
    pub hops: u32,
}

/// Where something goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// To this user, found by the strategy `via`, maybe through other targets.
    To {
        /// The receiver.
        user: UserIx,
        /// The leaver's strategy that led there.
        via: &'static str,
        /// The targets followed on the way, if any.
        through: Option<Through>,
    },
    /// `keep`: it stays with the leaver.
    Keep,
    /// No strategy found an eligible receiver; what each strategy gave.
    Nowhere(Vec<String>),
}

impl Resolution {
    /// The receiver, if there is one.
    pub fn receiver(&self) -> Option<UserIx> {
        match self {
            Resolution::To { user, .. } => Some(*user),
            _ => None,
        }
    }
}

/// Receiver choices given with the request (`--reassign-to`, `--reports-to`, sheet columns).
#[derive(Debug, Clone, Default)]
pub struct Chosen {
    /// For records.
    pub records: Option<String>,
    /// For direct reports and led teams.
    pub reports: Option<String>,
}

/// Whether a `least_loaded_peer` pick only looks or also adds the load it hands over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    /// Look only (to learn whether a receiver exists and who it would be).
    Peek,
    /// Take: the chosen peer's load grows by this many records.
    Take(u64),
}

/// Where a followed target's own chain leads: the target `at` whose strategy number `step`
/// names an eligible user, and how many targets the path holds (the followed one and `at`
/// included). `next` is the following target on the path; `jump` a target further along
/// it (skew-binary jump pointers: finding the target `k` hops from the end takes
/// O(log hops) steps), so whether a path passes a given target is cheap to ask.
#[derive(Debug, Clone, Copy)]
struct Onward {
    at: UserIx,
    step: u16,
    hops: u32,
    next: Option<UserIx>,
    jump: UserIx,
}

enum Slot {
    /// Being worked out: a path that comes back here is cut (a cycle of targets).
    Busy,
    Done(Option<Onward>),
}

enum Candidate {
    User(UserIx),
    Keep,
    None(String),
}

/// What does not change while resolving: who leaves, everyone's status after the plan,
/// and the chains.
struct World<'a> {
    ctx: Ctx<'a, 'a>,
    leaving: Vec<bool>,
    after: Vec<Status>,
    chosen: FxHashMap<UserIx, [Option<Strategy>; 2]>,
    kinds: FxHashMap<Sym, Vec<Strategy>>,
    fallback: Vec<Strategy>,
}

impl World<'_> {
    /// Strategy number `i` of the chain of `from` for `need`: the request's choice first.
    fn step(&self, from: UserIx, need: Need, i: usize) -> Option<&Strategy> {
        let p = self.ctx.policy;
        let slot = if matches!(need, Need::Records(_)) { 0 } else { 1 };
        let first = self.chosen.get(&from).and_then(|c| c[slot].as_ref());
        let rest: &[Strategy] = match need {
            Need::Records(kind) => self.kinds.get(&kind).unwrap_or(&self.fallback),
            Need::Reports => &p.leaders.direct_reports_to,
            Need::Teams => &p.leaders.teams_to,
        };
        match (first, i) {
            (Some(s), 0) => Some(s),
            (Some(_), i) => rest.get(i - 1),
            (None, i) => rest.get(i),
        }
    }

    fn eligible(&self, user: UserIx) -> bool {
        !self.leaving[user.index()]
            && self.ctx.policy.deactivation.may_receive(self.after[user.index()])
    }

    fn why_not(&self, user: UserIx, exclude: &Exclude) -> String {
        let u = self.ctx.store.user(user);
        let after = self.after[user.index()];
        if Some(user) == exclude.report {
            format!("{} is the report being reassigned", u.id())
        } else if user == exclude.root {
            format!("{} is the leaver", u.id())
        } else if self.leaving[user.index()] {
            format!("{} is leaving too", u.id())
        } else if after != u.status() {
            format!("{} is {after} after this plan", u.id())
        } else {
            format!("{} is {after}", u.id())
        }
    }
}

/// Users who may not receive this item: the leaver, and for a report that report.
#[derive(Debug, Clone, Copy)]
struct Exclude {
    root: UserIx,
    report: Option<UserIx>,
}

impl Exclude {
    fn hits(&self, user: UserIx) -> bool {
        user == self.root || Some(user) == self.report
    }
}

/// A peer in a group's heap: (load, rank of the id in natural order, user index); the
/// smallest comes out first.
type Peer = Reverse<(u64, u32, u32)>;

/// `least_loaded_peer`: the eligible users of each (primary team, role), by load then id.
struct Peers {
    groups: FxHashMap<(TeamIx, RoleIx), BinaryHeap<Peer>>,
}

impl Peers {
    fn new(world: &World<'_>) -> Peers {
        let store = world.ctx.store;
        let mut members: FxHashMap<(TeamIx, RoleIx), Vec<UserIx>> = FxHashMap::default();
        for u in store.user_ixs().filter(|u| world.eligible(*u)) {
            let user = store.user(u);
            if let Some(team) = user.primary_team() {
                members.entry((team, user.role())).or_default().push(u);
            }
        }
        let groups = members
            .into_iter()
            .map(|(key, mut users)| {
                users.sort_by(|a, b| {
                    crate::plan::natural_cmp(store.user(*a).id(), store.user(*b).id())
                });
                let heap = users
                    .iter()
                    .enumerate()
                    .map(|(rank, u)| Reverse((store.record_count(*u) as u64, rank as u32, u.0)))
                    .collect();
                (key, heap)
            })
            .collect();
        Peers { groups }
    }

    /// The least loaded peer of `from`'s primary team and role that is not excluded.
    fn pick(
        &mut self,
        team: TeamIx,
        role: RoleIx,
        exclude: &Exclude,
        pick: Pick,
    ) -> Option<UserIx> {
        let heap = self.groups.get_mut(&(team, role))?;
        let mut held = Vec::new();
        let mut found = None;
        while let Some(Reverse(entry)) = heap.pop() {
            if exclude.hits(UserIx(entry.2)) {
                held.push(entry);
            } else {
                found = Some(entry);
                break;
            }
        }
        heap.extend(held.into_iter().map(Reverse));
        let (load, rank, user) = found?;
        let weight = match pick {
            Pick::Peek => 0,
            Pick::Take(w) => w,
        };
        heap.push(Reverse((load + weight, rank, user)));
        Some(UserIx(user))
    }
}

/// Resolves receivers for one plan, one leaver after the other.
pub struct Resolver<'a> {
    world: World<'a>,
    memo: FxHashMap<(UserIx, Need), Slot>,
    above: FxHashMap<UserIx, Option<UserIx>>,
    peers: Option<Peers>,
}

impl<'a> Resolver<'a> {
    /// A resolver for a plan whose targets are `leaving` (allowed or refused: none of them
    /// receives), where `after` is every user's status once the plan's other actions are
    /// applied, and `chosen` holds the receivers given with the requests.
    pub fn new(
        ctx: Ctx<'a, 'a>,
        leaving: Vec<bool>,
        after: Vec<Status>,
        chosen: HashMap<UserIx, Chosen>,
    ) -> Self {
        let p = ctx.policy;
        let chosen = chosen
            .into_iter()
            .map(|(u, c)| (u, [c.records.map(Strategy::User), c.reports.map(Strategy::User)]))
            .collect();
        let store = ctx.store;
        let mut kinds = FxHashMap::default();
        for (kind, _) in store.records.kinds_and_states() {
            kinds.entry(kind).or_insert_with(|| p.records.transfer_to(store.symbols.resolve(kind)));
        }
        let fallback = p.records.transfer_to("");
        let world = World { ctx, leaving, after, chosen, kinds, fallback };
        let mut chains = vec![&p.leaders.teams_to, &p.leaders.direct_reports_to];
        chains.extend(world.kinds.values());
        let peers = chains
            .iter()
            .any(|c| c.contains(&Strategy::LeastLoadedPeer))
            .then(|| Peers::new(&world));
        Resolver { world, memo: FxHashMap::default(), above: FxHashMap::default(), peers }
    }

    /// Whether some chain uses `least_loaded_peer`, whose picks depend on the loads handed
    /// out before.
    pub fn balances_load(&self) -> bool {
        self.peers.is_some()
    }

    /// Whether a user is a target of this plan.
    pub fn is_leaving(&self, user: UserIx) -> bool {
        self.world.leaving.get(user.index()).copied().unwrap_or(false)
    }

    /// The chain of strategies for a leaver and a need, the request's choice first.
    pub fn chain(&self, from: UserIx, need: Need) -> Vec<Strategy> {
        (0..).map_while(|i| self.world.step(from, need, i).cloned()).collect()
    }

    /// Resolves where `need` of `from` goes; `report` is the direct report being placed,
    /// who may not become their own manager.
    pub fn resolve(
        &mut self,
        from: UserIx,
        need: Need,
        pick: Pick,
        report: Option<UserIx>,
    ) -> Resolution {
        self.resolve_traced(from, need, pick, report, &mut None)
    }

    /// [`Resolver::resolve`], writing every step tried into `trace` when it is `Some`
    /// (`roster explain`).
    pub fn resolve_traced(
        &mut self,
        from: UserIx,
        need: Need,
        pick: Pick,
        report: Option<UserIx>,
        trace: &mut Option<Vec<String>>,
    ) -> Resolution {
        let exclude = Exclude { root: from, report };
        // While the leaver's own chain is worked out, a path that comes back to it is cut.
        let marked = !self.memo.contains_key(&(from, need));
        if marked {
            self.memo.insert((from, need), Slot::Busy);
        }
        let found = self.walk_root(from, need, pick, &exclude, trace);
        if marked {
            self.memo.remove(&(from, need));
        }
        found
    }

    fn walk_root(
        &mut self,
        from: UserIx,
        need: Need,
        pick: Pick,
        exclude: &Exclude,
        trace: &mut Option<Vec<String>>,
    ) -> Resolution {
        let mut step = |line: String| {
            if let Some(t) = trace.as_mut() {
                t.push(line);
            }
        };
        let mut tried = Vec::new();
        let mut i = 0;
        while let Some(strategy) = self.world.step(from, need, i).cloned() {
            i += 1;
            let failed = match self.candidate(from, &strategy, exclude, pick) {
                Candidate::Keep => match need {
                    Need::Records(_) => {
                        step(format!("{strategy}: kept by the leaver"));
                        return Resolution::Keep;
                    }
                    _ => "only records can be kept".to_owned(),
                },
                Candidate::None(why) => why,
                Candidate::User(v) if self.world.eligible(v) && !exclude.hits(v) => {
                    step(format!("{strategy}: {} is eligible: receiver", self.id(v)));
                    return Resolution::To { user: v, via: strategy.label(), through: None };
                }
                Candidate::User(v) if self.is_leaving(v) && !exclude.hits(v) => {
                    match self.follow(v, need, pick, exclude) {
                        Some((user, through)) => {
                            step(format!(
                                "{strategy}: {} is leaving too; following {} reaches {}: receiver",
                                self.id(v),
                                self.path_text(&through),
                                self.id(user)
                            ));
                            return Resolution::To {
                                user,
                                via: strategy.label(),
                                through: Some(through),
                            };
                        }
                        None => {
                            format!(
                                "{} is leaving too and their own chain ends nowhere",
                                self.id(v)
                            )
                        }
                    }
                }
                Candidate::User(v) => self.world.why_not(v, exclude),
            };
            step(format!("{strategy}: {failed}, next"));
            tried.push(format!("{strategy}: {failed}"));
        }
        step("no strategy left: no eligible receiver".to_owned());
        Resolution::Nowhere(tried)
    }

    fn id(&self, user: UserIx) -> &str {
        self.world.ctx.store.user(user).id()
    }

    /// "u4's own chain", "u4 then u7's own chains", "u4 … u9 (12 leavers)'s own chains".
    fn path_text(&self, t: &Through) -> String {
        match t.hops {
            1 => format!("{}'s own chain", self.id(t.first)),
            2 => format!("{} then {}'s own chains", self.id(t.first), self.id(t.last)),
            n => format!("{} … {} ({n} leavers)'s own chains", self.id(t.first), self.id(t.last)),
        }
    }

    /// From the target `v`, where its own chain leads for `need`, not to an excluded user.
    fn follow(
        &mut self,
        v: UserIx,
        need: Need,
        pick: Pick,
        exclude: &Exclude,
    ) -> Option<(UserIx, Through)> {
        let onward = self.settle(v, need)?;
        if !self.passes(v, exclude.root, need) {
            if let Some(user) = self.land(onward, need, pick, exclude) {
                return Some((user, Through { first: v, last: onward.at, hops: onward.hops }));
            }
        }
        // The remembered path comes back through the leaver (a cycle of targets) or ends
        // at an excluded user: look again, avoiding them.
        self.search(v, need, pick, exclude)
    }

    /// The receiver a remembered path names, if it is not excluded.
    fn land(&mut self, o: Onward, need: Need, pick: Pick, exclude: &Exclude) -> Option<UserIx> {
        let strategy = self.world.step(o.at, need, usize::from(o.step))?.clone();
        match self.candidate(o.at, &strategy, exclude, pick) {
            Candidate::User(u) if self.world.eligible(u) && !exclude.hits(u) => Some(u),
            _ => None,
        }
    }

    /// Works out, once, where the target `v`'s own chain leads for `need`: depth-first
    /// through the targets it names, with an explicit stack. Inside a followed chain `keep`
    /// and strategies that name nobody are skipped; a target already on the path is a
    /// dead end.
    fn settle(&mut self, v: UserIx, need: Need) -> Option<Onward> {
        match self.memo.get(&(v, need)) {
            Some(Slot::Done(o)) => return *o,
            Some(Slot::Busy) => return None,
            None => {}
        }
        let none = Exclude { root: v, report: None };
        self.memo.insert((v, need), Slot::Busy);
        let mut stack: Vec<(UserIx, usize)> = vec![(v, 0)];
        // The target just popped from the stack, and what it found.
        let mut below: Option<(UserIx, Option<Onward>)> = None;
        while let Some(&(u, i)) = stack.last() {
            let found = match below.take() {
                Some((c, Some(o))) => Some(self.extend(c, o, need)),
                _ => {
                    let Some(strategy) = self.world.step(u, need, i).cloned() else {
                        self.memo.insert((u, need), Slot::Done(None));
                        stack.pop();
                        below = Some((u, None));
                        continue;
                    };
                    if let Some(top) = stack.last_mut() {
                        top.1 += 1;
                    }
                    let here = Onward { at: u, step: i as u16, hops: 1, next: None, jump: u };
                    match self.candidate(u, &strategy, &none, Pick::Peek) {
                        Candidate::User(c) if self.world.eligible(c) => Some(here),
                        Candidate::User(c) if self.is_leaving(c) => match self.memo.get(&(c, need))
                        {
                            Some(Slot::Done(Some(o))) => Some(self.extend(c, *o, need)),
                            Some(_) => None,
                            None => {
                                self.memo.insert((c, need), Slot::Busy);
                                stack.push((c, 0));
                                None
                            }
                        },
                        _ => None,
                    }
                }
            };
            if let Some(o) = found {
                self.memo.insert((u, need), Slot::Done(Some(o)));
                stack.pop();
                below = Some((u, Some(o)));
            }
        }
        match self.memo.get(&(v, need)) {
            Some(Slot::Done(o)) => *o,
            _ => None,
        }
    }

    fn onward(&self, user: UserIx, need: Need) -> Option<Onward> {
        match self.memo.get(&(user, need)) {
            Some(Slot::Done(o)) => *o,
            _ => None,
        }
    }

    /// The path of a target whose next target is `c` (with `oc`, where `c`'s path leads).
    fn extend(&self, c: UserIx, oc: Onward, need: Need) -> Onward {
        let hops = |u: UserIx| self.onward(u, need).map_or(1, |o| o.hops);
        let j = oc.jump;
        let jj = self.onward(j, need).map_or(j, |o| o.jump);
        let jump = if oc.hops - hops(j) == hops(j) - hops(jj) { jj } else { c };
        Onward { at: oc.at, step: oc.step, hops: oc.hops + 1, next: Some(c), jump }
    }

    /// Whether the remembered path from the target `from` passes the target `target`.
    fn passes(&self, from: UserIx, target: UserIx, need: Need) -> bool {
        let (Some(mut o), Some(t)) = (self.onward(from, need), self.onward(target, need)) else {
            return false;
        };
        let mut x = from;
        while o.hops > t.hops {
            let via_jump = self.onward(o.jump, need).filter(|j| j.hops >= t.hops);
            let (next, on) = match (via_jump, o.next) {
                (Some(j), _) => (o.jump, j),
                (None, Some(n)) => match self.onward(n, need) {
                    Some(on) => (n, on),
                    None => return false,
                },
                (None, None) => return false,
            };
            x = next;
            o = on;
        }
        x == target
    }

    /// A depth-first search from the target `v` that avoids the excluded users, for the
    /// rare case where the remembered path ends at one of them. Remembered paths of other
    /// targets are used where they land on someone else.
    fn search(
        &mut self,
        v: UserIx,
        need: Need,
        pick: Pick,
        exclude: &Exclude,
    ) -> Option<(UserIx, Through)> {
        let mut visited: rustc_hash::FxHashSet<UserIx> = [exclude.root, v].into_iter().collect();
        let mut stack: Vec<(UserIx, usize)> = vec![(v, 0)];
        while let Some(&(u, i)) = stack.last() {
            let Some(strategy) = self.world.step(u, need, i).cloned() else {
                stack.pop();
                continue;
            };
            if let Some(top) = stack.last_mut() {
                top.1 += 1;
            }
            let hops = stack.len() as u32;
            let Candidate::User(c) = self.candidate(u, &strategy, exclude, pick) else {
                continue;
            };
            if self.world.eligible(c) && !exclude.hits(c) {
                return Some((c, Through { first: v, last: u, hops }));
            }
            if !self.is_leaving(c) || !visited.insert(c) {
                continue;
            }
            if let Some(o) = self.settle(c, need) {
                if !self.passes(c, exclude.root, need) {
                    if let Some(user) = self.land(o, need, pick, exclude) {
                        let through = Through { first: v, last: o.at, hops: hops + o.hops };
                        return Some((user, through));
                    }
                }
                stack.push((c, 0));
            }
        }
        None
    }

    /// What one strategy names for `from`.
    fn candidate(
        &mut self,
        from: UserIx,
        strategy: &Strategy,
        exclude: &Exclude,
        pick: Pick,
    ) -> Candidate {
        let store = self.world.ctx.store;
        let u = store.user(from);
        let none = |s: &str| Candidate::None(s.to_owned());
        let leader = |team: Option<TeamIx>, missing: &str, leaderless: &str| match team {
            None => none(missing),
            Some(t) => {
                store.team(t).leader().ix().map_or_else(|| none(leaderless), Candidate::User)
            }
        };
        match strategy {
            Strategy::Keep => Candidate::Keep,
            Strategy::User(id) => match store.user_ix(id) {
                Some(ix) => Candidate::User(ix),
                None => Candidate::None(format!("no user `{id}`")),
            },
            Strategy::Manager => {
                u.manager().ix().map_or_else(|| none("no manager"), Candidate::User)
            }
            Strategy::ManagerChain => match self.above(from, exclude) {
                Some(m) => Candidate::User(m),
                None => none("nobody eligible up the manager chain"),
            },
            Strategy::TeamLeader => {
                leader(u.primary_team(), "in no team", "primary team has no leader")
            }
            Strategy::FirstTeamLeader => {
                leader(store.first_team(), "the account has no teams", "first team has no leader")
            }
            Strategy::AccountOwner => {
                store.account.owner.ix().map_or_else(|| none("no account owner"), Candidate::User)
            }
            Strategy::LeastLoadedPeer => {
                let Some(team) = u.primary_team() else {
                    return none("in no team");
                };
                let peer = self.peers.as_mut().and_then(|p| p.pick(team, u.role(), exclude, pick));
                peer.map_or_else(
                    || none("no eligible peer with the same primary team and role"),
                    Candidate::User,
                )
            }
        }
    }

    /// The first eligible user up the manager chain of `from`, not excluded. Remembered per
    /// user, so walking a long chain of managers costs its length once.
    fn above(&mut self, from: UserIx, exclude: &Exclude) -> Option<UserIx> {
        let store = self.world.ctx.store;
        let manager = |u: UserIx| store.user(u).manager().ix();
        let first = match self.above.get(&from) {
            Some(found) => *found,
            None => {
                let mut path = vec![from];
                let mut on_path: rustc_hash::FxHashSet<UserIx> = [from].into_iter().collect();
                let mut cur = from;
                let found = loop {
                    let Some(m) = manager(cur) else { break None };
                    if self.world.eligible(m) {
                        break Some(m);
                    }
                    if let Some(known) = self.above.get(&m) {
                        break *known;
                    }
                    if !on_path.insert(m) {
                        break None; // a manager cycle
                    }
                    path.push(m);
                    cur = m;
                };
                for u in path {
                    self.above.insert(u, found);
                }
                found
            }
        };
        match first {
            Some(m) if exclude.hits(m) => {
                // Walk on past the excluded user, once.
                let mut seen: rustc_hash::FxHashSet<UserIx> = [from].into_iter().collect();
                let mut cur = m;
                while let Some(next) = manager(cur) {
                    if !seen.insert(next) {
                        return None;
                    }
                    if self.world.eligible(next) && !exclude.hits(next) {
                        return Some(next);
                    }
                    cur = next;
                }
                None
            }
            other => other,
        }
    }
}
