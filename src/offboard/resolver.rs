//! The receiver resolver: who takes over what a leaver holds.
//!
//! A chain of strategies is tried in order. A receiver must exist, have a `receivers`
//! status, not be leaving in the same plan and not be the leaver. When a strategy names a
//! user who is leaving in the same plan, the resolver follows that user's own chain
//! (depth-first, iteratively, with cycle detection); if that ends nowhere, the next
//! strategy is tried. Resolution depends only on the inputs, never on thread scheduling:
//! `least_loaded_peer` keeps a load table and is only used when targets are resolved in
//! order (see [`Resolver::needs_order`]).

use crate::policy::Strategy;
use crate::rules::Ctx;
use crate::snapshot::{Sym, UserIx};
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

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

/// Where something goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// To this user, found by the strategy `via`, passing through these leavers.
    To {
        /// The receiver.
        user: UserIx,
        /// The leaver's strategy that led there.
        via: String,
        /// Leavers followed on the way, in order.
        through: Vec<UserIx>,
    },
    /// `keep`: it stays with the leaver.
    Keep,
    /// No strategy found an eligible receiver; what each strategy gave.
    Nowhere(Vec<String>),
}

/// Receiver choices given with the request (`--reassign-to`, `--reports-to`, sheet columns).
#[derive(Debug, Clone, Default)]
pub struct Chosen {
    /// For records.
    pub records: Option<String>,
    /// For direct reports and led teams.
    pub reports: Option<String>,
}

/// Resolves receivers for one plan.
pub struct Resolver<'a> {
    ctx: Ctx<'a>,
    outgoing: Vec<bool>,
    chosen: HashMap<UserIx, Chosen>,
    loads: Mutex<Vec<u64>>,
}

enum Candidate {
    User(UserIx),
    Keep,
    None(String),
}

impl<'a> Resolver<'a> {
    /// A resolver for a plan whose leavers are `outgoing`.
    pub fn new(ctx: Ctx<'a>, outgoing: Vec<bool>, chosen: HashMap<UserIx, Chosen>) -> Self {
        let loads = if Self::chains_use_peers(&ctx) {
            ctx.store.user_ixs().map(|u| ctx.store.record_count(u) as u64).collect()
        } else {
            Vec::new()
        };
        Resolver { ctx, outgoing, chosen, loads: Mutex::new(loads) }
    }

    fn chains_use_peers(ctx: &Ctx<'_>) -> bool {
        let p = ctx.policy;
        let mut chains = vec![&p.leaders.teams_to, &p.leaders.direct_reports_to];
        chains.extend(p.records.kinds.values().filter_map(|k| k.transfer_to.as_ref()));
        chains.extend(p.records.fallback.iter().filter_map(|k| k.transfer_to.as_ref()));
        chains.iter().any(|c| c.contains(&Strategy::LeastLoadedPeer))
    }

    /// Whether targets must be resolved one after the other, in id order, for the result
    /// to be deterministic (`least_loaded_peer` balances as it assigns).
    pub fn needs_order(&self) -> bool {
        Self::chains_use_peers(&self.ctx)
    }

    /// Whether a user leaves in this plan.
    pub fn is_outgoing(&self, user: UserIx) -> bool {
        self.outgoing.get(user.index()).copied().unwrap_or(false)
    }

    /// The chain of strategies for a leaver and a need, the request's choice first.
    pub fn chain(&self, from: UserIx, need: Need) -> Vec<Strategy> {
        let p = self.ctx.policy;
        let chosen = self.chosen.get(&from);
        let (first, rest) = match need {
            Need::Records(kind) => (
                chosen.and_then(|c| c.records.clone()),
                p.records.transfer_to(self.ctx.store.symbols.resolve(kind)),
            ),
            Need::Reports => {
                (chosen.and_then(|c| c.reports.clone()), p.leaders.direct_reports_to.clone())
            }
            Need::Teams => (chosen.and_then(|c| c.reports.clone()), p.leaders.teams_to.clone()),
        };
        first.map(Strategy::User).into_iter().chain(rest).collect()
    }

    /// Whether `user` may receive from `root`.
    fn eligible(&self, user: UserIx, root: UserIx) -> bool {
        user != root
            && !self.is_outgoing(user)
            && self.ctx.policy.deactivation.may_receive(self.ctx.store.user(user).status())
    }

    fn why_not(&self, user: UserIx, root: UserIx) -> String {
        let u = self.ctx.store.user(user);
        if user == root {
            format!("{} is the leaver", u.id())
        } else if self.is_outgoing(user) {
            format!("{} is leaving too", u.id())
        } else {
            format!("{} is {}", u.id(), u.status())
        }
    }

    fn candidate(&self, from: UserIx, root: UserIx, strategy: &Strategy, weight: u64) -> Candidate {
        let store = self.ctx.store;
        let u = store.user(from);
        let none = |s: &str| Candidate::None(s.to_owned());
        match strategy {
            Strategy::Keep => Candidate::Keep,
            Strategy::User(id) => match store.user_ix(id) {
                Some(ix) => Candidate::User(ix),
                None => Candidate::None(format!("no user `{id}`")),
            },
            Strategy::Manager => {
                u.manager().ix().map_or_else(|| none("no manager"), Candidate::User)
            }
            Strategy::ManagerChain => {
                let mut cur = u.manager().ix();
                let mut steps = 0usize;
                while let Some(m) = cur {
                    if self.eligible(m, root) {
                        return Candidate::User(m);
                    }
                    steps += 1;
                    if steps > store.users.len() {
                        break; // a manager cycle
                    }
                    cur = store.user(m).manager().ix();
                }
                none("nobody eligible up the manager chain")
            }
            Strategy::TeamLeader => match u.primary_team() {
                None => none("in no team"),
                Some(t) => store
                    .team(t)
                    .leader()
                    .ix()
                    .map_or_else(|| none("primary team has no leader"), Candidate::User),
            },
            Strategy::FirstTeamLeader => match store.first_team() {
                None => none("the account has no teams"),
                Some(t) => store
                    .team(t)
                    .leader()
                    .ix()
                    .map_or_else(|| none("first team has no leader"), Candidate::User),
            },
            Strategy::AccountOwner => {
                store.account.owner.ix().map_or_else(|| none("no account owner"), Candidate::User)
            }
            Strategy::LeastLoadedPeer => {
                let Some(team) = u.primary_team() else {
                    return none("in no team");
                };
                let Ok(mut loads) = self.loads.lock() else {
                    return none("internal: load table unavailable");
                };
                let best = store
                    .members_of(team)
                    .filter(|&p| store.user(p).role() == u.role() && self.eligible(p, root))
                    .min_by(|&a, &b| {
                        let la = loads.get(a.index()).copied().unwrap_or(0);
                        let lb = loads.get(b.index()).copied().unwrap_or(0);
                        la.cmp(&lb).then_with(|| {
                            crate::plan::natural_cmp(store.user(a).id(), store.user(b).id())
                        })
                    });
                match best {
                    Some(p) => {
                        if let Some(l) = loads.get_mut(p.index()) {
                            *l += weight;
                        }
                        Candidate::User(p)
                    }
                    None => none("no eligible peer with the same team and role"),
                }
            }
        }
    }

    /// Resolves where `need` of `from` goes. `weight` is how many items move (for load
    /// balancing).
    pub fn resolve(&self, from: UserIx, need: Need, weight: u64) -> Resolution {
        self.resolve_traced(from, need, weight, &mut None)
    }

    /// [`Resolver::resolve`], writing every step tried into `trace` when it is `Some`
    /// (`roster explain`).
    pub fn resolve_traced(
        &self,
        from: UserIx,
        need: Need,
        weight: u64,
        trace: &mut Option<Vec<String>>,
    ) -> Resolution {
        let id = |u: UserIx| self.ctx.store.user(u).id().to_string();
        let mut step = |line: String| {
            if let Some(t) = trace.as_mut() {
                t.push(line);
            }
        };
        let mut tried = Vec::new();
        for strategy in self.chain(from, need) {
            match self.candidate(from, from, &strategy, weight) {
                Candidate::Keep => match need {
                    Need::Records(_) => {
                        step(format!("{strategy}: kept by the leaver"));
                        return Resolution::Keep;
                    }
                    _ => {
                        step(format!("{strategy}: only records can be kept, next"));
                        tried.push("keep: only records can be kept".to_owned());
                    }
                },
                Candidate::None(why) => {
                    step(format!("{strategy}: {why}, next"));
                    tried.push(format!("{strategy}: {why}"));
                }
                Candidate::User(v) => match self.follow(v, from, need, weight) {
                    Some((user, through)) => {
                        if through.is_empty() {
                            step(format!("{strategy}: {} is eligible: receiver", id(user)));
                        } else {
                            let path: Vec<String> = through.iter().map(|u| id(*u)).collect();
                            step(format!(
                                "{strategy}: {} is leaving too; following {}'s own chain reaches {}: receiver",
                                id(v),
                                path.join(" then "),
                                id(user)
                            ));
                        }
                        return Resolution::To { user, via: strategy.label().to_owned(), through };
                    }
                    None => {
                        let why = self.dead_end(v, from);
                        step(format!("{strategy}: {why}, next"));
                        tried.push(format!("{strategy}: {why}"));
                    }
                },
            }
        }
        step("no strategy left: no eligible receiver".to_owned());
        Resolution::Nowhere(tried)
    }
    fn dead_end(&self, v: UserIx, root: UserIx) -> String {
        if self.is_outgoing(v) && v != root {
            format!(
                "{} is leaving too and their own chain ends nowhere",
                self.ctx.store.user(v).id()
            )
        } else {
            self.why_not(v, root)
        }
    }

    /// From candidate `v`, the first eligible user: `v` itself, or through the chains of
    /// leavers, depth-first, never visiting a leaver twice.
    fn follow(
        &self,
        v: UserIx,
        root: UserIx,
        need: Need,
        weight: u64,
    ) -> Option<(UserIx, Vec<UserIx>)> {
        if self.eligible(v, root) {
            return Some((v, Vec::new()));
        }
        if !self.is_outgoing(v) || v == root {
            return None;
        }
        let mut visited: HashSet<UserIx> = [root, v].into_iter().collect();
        let mut stack: Vec<(UserIx, Vec<Strategy>, usize)> = vec![(v, self.chain(v, need), 0)];
        while let Some((user, chain, next)) = stack.last_mut() {
            let Some(strategy) = chain.get(*next).cloned() else {
                stack.pop();
                continue;
            };
            *next += 1;
            let user = *user;
            if let Candidate::User(w) = self.candidate(user, root, &strategy, weight) {
                if self.eligible(w, root) {
                    return Some((w, stack.iter().map(|(u, _, _)| *u).collect()));
                }
                if self.is_outgoing(w) && visited.insert(w) {
                    let chain = self.chain(w, need);
                    stack.push((w, chain, 0));
                }
            }
        }
        None
    }
}
