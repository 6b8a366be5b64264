//! The policy: raw TOML -> a validated, compiled [`Policy`] -> bound to one snapshot.
//!
//! Parsing rejects unknown keys and bad values with their TOML position; compiling checks
//! every cross-reference (roles, statuses, strategies, matcher fields) and collects every
//! problem so that a policy is fixed in one round trip.

mod compile;
pub mod directory;
pub mod input;
mod keys;
mod matcher;
pub mod raw;
mod schema;
mod strategy;

pub use compile::parse;
pub use directory::{Directory, ManagerSource, MatchKey, OnMissing};
pub use matcher::{BoundMatcher, Clause, Matcher};
pub use raw::{ActorRank, Disposition, OnExpiry, ReportsPolicy, TeamsPolicy};
pub use schema::{policy_schema_json, schema_json};
pub use strategy::{Strategy, STRATEGY_NAMES};

use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::fields::UserField;
pub use crate::model::{Roles, Statuses};

use crate::model::Status;
use crate::snapshot::{Store, Sym, UserIx};
use crate::time::Duration;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A validated policy.
#[derive(Debug, Clone)]
pub struct Policy {
    /// `name`.
    pub name: String,
    /// `description`.
    pub description: Option<String>,
    /// The file it was read from.
    pub path: PathBuf,
    /// The TOML text, for positions in later errors.
    pub source: String,
    /// SHA-256 of the TOML bytes, hex.
    pub sha256: String,
    /// `[roles]`.
    pub roles: Roles,
    /// `[statuses]`.
    pub statuses: Statuses,
    /// `[invites]`, if present.
    pub invites: Option<Invites>,
    /// `[idle]`, if present.
    pub idle: Option<Idle>,
    /// `[lockout]`, if present.
    pub lockout: Option<Lockout>,
    /// `[deactivation]`, with defaults where absent.
    pub deactivation: Deactivation,
    /// `[leaders]`, with defaults where absent.
    pub leaders: Leaders,
    /// `[records.*]`.
    pub records: Dispositions,
    /// `[safety]`: the most a plan may do before it is held.
    pub safety: Safety,
    /// `[snapshot]`: column names, time formats and SCIM paths of the export.
    pub input: crate::snapshot::Input,
    /// The record kinds and states `[records.*]` names, for the loader to intern first.
    pub record_names: Vec<String>,
    /// `[directory]`, with defaults where absent (used with `--directory`).
    pub directory: Directory,
}

/// Reads and compiles a policy file.
pub fn load(path: &Path) -> Result<Policy, Diagnostics> {
    let bytes = match crate::files::read(path) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => {
            return Err(Diagnostic::file(path, "cannot read the policy: there is no such file")
                .help(format!(
                    "{}pass an existing TOML file with --policy",
                    crate::hints::did_you_mean_file(path)
                ))
                .into())
        }
        Err(d) => return Err(d.into()),
    };
    let source = String::from_utf8(bytes).map_err(|e| {
        let loc = Location::of_offset("", 0);
        Diagnostic::file(
            path,
            format!("the policy is not UTF-8 (byte {})", e.utf8_error().valid_up_to()),
        )
        .at(loc)
        .help("save the policy as UTF-8")
    })?;
    parse(&source, path)
}

/// `[invites]`.
#[derive(Debug, Clone)]
pub struct Invites {
    /// An invite this old has expired.
    pub expire_after: Duration,
    /// What expiry calls for.
    pub on_expiry: OnExpiry,
    /// Resends allowed before rescinding.
    pub max_resends: u32,
}

/// The idle thresholds that apply to one user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// `after`: active -> idle.
    pub after: Duration,
    /// `suspend_after`: -> suspended.
    pub suspend_after: Option<Duration>,
    /// `deactivate_after`: -> offboarding.
    pub deactivate_after: Option<Duration>,
    /// `notify_before`: warn this long before an escalation (one stage or several).
    pub notify_before: Option<NoticeStages>,
}

/// `notify_before`: one notice (`"7d"`) or staged notices (`["14d", "7d", "1d"]`), kept
/// longest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoticeStages {
    stages: [Duration; NoticeStages::MAX],
    len: usize,
    /// Whether the policy wrote a list (for messages: `"7d"` or `["7d"]`).
    list: bool,
}

impl NoticeStages {
    /// The most stages a policy may give.
    pub const MAX: usize = 8;

    /// The stages, longest (earliest notice) first.
    pub fn stages(&self) -> &[Duration] {
        &self.stages[..self.len]
    }

    /// The longest stage: the first notice.
    pub fn first(&self) -> Duration {
        self.stages[0]
    }

    /// The shortest stage: the last notice before the escalation.
    pub fn last(&self) -> Duration {
        self.stages[self.len - 1]
    }

    /// One stage.
    pub fn one(d: Duration) -> Self {
        let mut stages = [Duration::days(0); Self::MAX];
        stages[0] = d;
        NoticeStages { stages, len: 1, list: false }
    }

    /// Stages from a list: at least one, at most [`Self::MAX`], all different.
    pub fn from_list(mut items: Vec<Duration>) -> Result<Self, String> {
        if items.is_empty() {
            return Err("`notify_before` is an empty list; give one duration or several".into());
        }
        if items.len() > Self::MAX {
            return Err(format!(
                "`notify_before` has {} stages; at most {}",
                items.len(),
                Self::MAX
            ));
        }
        items.sort_by_key(|d| std::cmp::Reverse(d.seconds()));
        if let Some(w) = items.windows(2).find(|w| w[0].seconds() == w[1].seconds()) {
            return Err(format!("`notify_before` names {} twice; each stage is one notice", w[0]));
        }
        let mut stages = [Duration::days(0); Self::MAX];
        stages[..items.len()].copy_from_slice(&items);
        Ok(NoticeStages { stages, len: items.len(), list: true })
    }
}

/// As the policy writes it: `7d`, or `["14d", "7d", "1d"]`.
impl std::fmt::Display for NoticeStages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.list {
            return write!(f, "{}", self.first());
        }
        let items: Vec<String> = self.stages().iter().map(|d| format!("\"{d}\"")).collect();
        write!(f, "[{}]", items.join(", "))
    }
}

impl<'de> serde::Deserialize<'de> for NoticeStages {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Raw {
            One(String),
            Many(Vec<String>),
        }
        use serde::de::Error;
        match Raw::deserialize(d)? {
            Raw::One(s) => Duration::parse(&s).map(NoticeStages::one).map_err(D::Error::custom),
            Raw::Many(list) => {
                let items: Result<Vec<Duration>, String> =
                    list.iter().map(|s| Duration::parse(s)).collect();
                NoticeStages::from_list(items.map_err(D::Error::custom)?).map_err(D::Error::custom)
            }
        }
    }
}

/// One `[[idle.overrides]]` entry.
#[derive(Debug, Clone)]
pub struct IdleOverride {
    /// `where`.
    pub matcher: Matcher,
    /// The thresholds for matching users (absent keys fall back to `[idle]`).
    pub thresholds: Thresholds,
    /// The 1-based position among the overrides, for reasons.
    pub number: usize,
}

/// `[idle]`.
#[derive(Debug, Clone)]
pub struct Idle {
    /// The base thresholds.
    pub thresholds: Thresholds,
    /// `exempt`.
    pub exempt: Option<Matcher>,
    /// `exempt_review_after`.
    pub exempt_review_after: Option<Duration>,
    /// `[[idle.overrides]]`, first match wins.
    pub overrides: Vec<IdleOverride>,
    /// `notify`: who notices go to; empty when the policy does not say (the user).
    pub notify: Vec<Recipient>,
}

/// One recipient of `[idle] notify`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    /// `user`: the user the notice is about.
    User,
    /// `manager`: that user's manager (nobody when they have none).
    Manager,
    /// `user:<id>`: someone named, such as the app owner.
    Named(String),
}

/// `[[deactivation.min_holders]]`: at least `count` active users match `matcher`.
#[derive(Debug, Clone)]
pub struct MinHolders {
    /// Who holds the role.
    pub matcher: Matcher,
    /// How many must remain active (at least 1).
    pub count: u32,
}

/// `[safety]`: each limit, when set, holds a plan that goes over it.
#[derive(Debug, Clone, Default)]
pub struct Safety {
    /// `max_deactivations`: `deactivate` actions.
    pub max_deactivations: Option<Limit>,
    /// `max_suspensions`: `suspend` actions.
    pub max_suspensions: Option<Limit>,
    /// `max_actions`: all actions.
    pub max_actions: Option<Limit>,
}

/// A safety limit: a count, or a share of the snapshot's users in hundredths of a percent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// At most this many.
    Count(u64),
    /// At most this share of the users (`"5%"` is 500), rounded down.
    Share(u32),
}

impl Limit {
    /// The largest count allowed among `users` users.
    pub fn allowed(self, users: usize) -> u64 {
        match self {
            Limit::Count(n) => n,
            Limit::Share(basis_points) => users as u64 * u64::from(basis_points) / 10_000,
        }
    }

    /// Parses `"5%"` or `"0.5%"` (at most two decimals, at most 100%).
    pub fn parse_share(text: &str) -> Result<Limit, String> {
        let hint = "write a count (25) or a share of the users such as \"5%\" or \"0.5%\"";
        let number = text
            .trim()
            .strip_suffix('%')
            .ok_or_else(|| format!("`{text}` is not a limit; {hint}"))?
            .trim();
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || (!fraction.is_empty() && !digits(fraction)) || fraction.len() > 2 {
            return Err(format!("`{text}` is not a limit; {hint}"));
        }
        let whole: u32 = whole.parse().map_err(|_| format!("`{text}` is over 100%"))?;
        let fraction: u32 = format!("{fraction:0<2}").parse().unwrap_or(0);
        let basis_points = whole.saturating_mul(100).saturating_add(fraction);
        if basis_points > 10_000 {
            return Err(format!("`{text}` is over 100%; {hint}"));
        }
        Ok(Limit::Share(basis_points))
    }
}

impl Limit {
    /// The limit as text, without quotes: `25`, `5%`, `0.5%`.
    pub fn text(self) -> String {
        match self {
            Limit::Count(n) => n.to_string(),
            Limit::Share(bp) if bp % 100 == 0 => format!("{}%", bp / 100),
            Limit::Share(bp) => format!("{}.{:02}%", bp / 100, bp % 100),
        }
    }
}

/// As in the policy: `25`, `"5%"`.
impl std::fmt::Display for Limit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Limit::Count(n) => write!(f, "{n}"),
            Limit::Share(_) => write!(f, "\"{}\"", self.text()),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Limit {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Limit;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a count (25) or a share of the users (\"5%\")")
            }
            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Limit, E> {
                u64::try_from(n).map(Limit::Count).map_err(|_| {
                    E::custom(format!("`{n}` is negative; write a count (25) or a share (\"5%\")"))
                })
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Limit, E> {
                Ok(Limit::Count(n))
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Limit, E> {
                Limit::parse_share(s).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

/// `[lockout]`.
#[derive(Debug, Clone)]
pub struct Lockout {
    /// Lock at or above this many failed logins.
    pub max_failed_logins: u32,
    /// Auto-unlock this long after `locked_at`.
    pub unlock_after: Option<Duration>,
}

/// A profile field that must be filled before deactivation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequiredField {
    /// A standard field the table marks `requirable` (`email`, `name`, `phone`,
    /// `manager_id`: an existing manager, `teams`: at least one).
    Standard(UserField),
    /// An extra column.
    Attribute(String),
}

/// The standard fields `deactivation.required_fields` may name, for help texts.
pub fn requirable_fields() -> String {
    let names: Vec<String> = crate::fields::USER_FIELDS
        .iter()
        .filter(|f| f.requirable)
        .map(|f| format!("`{}`", f.name))
        .collect();
    names.join(", ")
}

impl RequiredField {
    /// What `deactivation.required_fields` names: a requirable standard field or an extra
    /// column; `None` for another standard field or an empty name.
    pub fn parse(name: &str) -> Option<RequiredField> {
        match UserField::named(name) {
            Some(f) if f.spec().requirable => Some(RequiredField::Standard(f)),
            Some(_) => None,
            None if name.is_empty() => None,
            None => Some(RequiredField::Attribute(name.to_owned())),
        }
    }

    /// The field name.
    pub fn name(&self) -> &str {
        match self {
            RequiredField::Standard(f) => f.name(),
            RequiredField::Attribute(a) => a,
        }
    }
}

/// `[deactivation]`.
#[derive(Debug, Clone)]
pub struct Deactivation {
    /// The permission an actor needs (default `manage_users`).
    pub actor_permission: Option<String>,
    /// How the actor's rank compares with the target's.
    pub actor_rank: ActorRank,
    /// Users no plan may deactivate.
    pub protected: Option<Matcher>,
    /// `[[deactivation.min_holders]]`, in order.
    pub min_holders: Vec<MinHolders>,
    /// Profile fields that must be filled.
    pub required_fields: Vec<RequiredField>,
    /// Whether deactivation revokes sessions.
    pub revoke_sessions: bool,
    /// Whether deactivation puts the e-mail on the block list.
    pub block_email: bool,
    /// Statuses that may receive records, reports and teams, by [`Status::index`].
    pub receivers: [bool; 6],
}

impl Deactivation {
    /// Whether a status may receive.
    pub fn may_receive(&self, status: Status) -> bool {
        self.receivers[status.index()]
    }
}

/// `[leaders]`.
#[derive(Debug, Clone)]
pub struct Leaders {
    /// What happens to teams a leaver leads.
    pub teams: TeamsPolicy,
    /// Who takes them over.
    pub teams_to: Vec<Strategy>,
    /// What happens to direct reports.
    pub direct_reports: ReportsPolicy,
    /// Who becomes their manager.
    pub direct_reports_to: Vec<Strategy>,
    /// Who may not be offboarded through the bulk channel.
    pub bulk_refuse: Option<Matcher>,
}

/// The dispositions of one record kind (or of `"*"`).
#[derive(Debug, Clone, Default)]
pub struct KindRule {
    /// State -> disposition; `"*"` is any other state.
    pub states: BTreeMap<String, Disposition>,
    /// The receiver chain for transferred records of this kind.
    pub transfer_to: Option<Vec<Strategy>>,
}

/// `[records.*]`: what happens to each kind and state of a leaver's records.
#[derive(Debug, Clone, Default)]
pub struct Dispositions {
    /// Per kind.
    pub kinds: BTreeMap<String, KindRule>,
    /// `[records."*"]`.
    pub fallback: Option<KindRule>,
}

/// The receiver chain used when no `transfer_to` applies.
pub fn default_transfer_to() -> Vec<Strategy> {
    vec![Strategy::Manager, Strategy::AccountOwner]
}

impl Dispositions {
    /// The disposition of a record, and the key that decided it.
    pub fn disposition(&self, kind: &str, state: &str) -> (Disposition, String) {
        let lookup = |rule: &KindRule, label: &str| {
            if let Some(d) = rule.states.get(state) {
                Some((*d, format!("records.{label}.states.{state}")))
            } else {
                rule.states.get("*").map(|d| (*d, format!("records.{label}.states.\"*\"")))
            }
        };
        self.kinds
            .get(kind)
            .and_then(|r| lookup(r, kind))
            .or_else(|| self.fallback.as_ref().and_then(|r| lookup(r, "\"*\"")))
            .unwrap_or((Disposition::Keep, "default (no [records] entry)".to_owned()))
    }

    /// The receiver chain for transferred records of a kind.
    pub fn transfer_to(&self, kind: &str) -> Vec<Strategy> {
        self.kinds
            .get(kind)
            .and_then(|r| r.transfer_to.clone())
            .or_else(|| self.fallback.as_ref().and_then(|r| r.transfer_to.clone()))
            .unwrap_or_else(default_transfer_to)
    }
}

/// A policy bound to one snapshot: matchers resolved to dense ids, record dispositions
/// tabled per (kind, state) symbol.
#[derive(Debug, Clone)]
pub struct Bound {
    /// `idle.exempt` (matches nobody when absent).
    pub exempt: BoundMatcher,
    /// `deactivation.protected` (matches nobody when absent).
    pub protected: BoundMatcher,
    /// `[[deactivation.min_holders]]` matchers, in order.
    pub min_holders: Vec<BoundMatcher>,
    /// `leaders.bulk_refuse` (matches nobody when absent).
    pub bulk_refuse: BoundMatcher,
    /// `[[idle.overrides]]`, in order.
    pub overrides: Vec<BoundMatcher>,
    /// Extra columns named in `required_fields`.
    pub required_attributes: Vec<(String, Option<Sym>)>,
    /// `directory.exempt` (matches nobody when absent).
    pub directory_exempt: BoundMatcher,
    /// The disposition of every (kind, state) of the snapshot's records.
    pub dispositions: rustc_hash::FxHashMap<(Sym, Sym), Disposition>,
}

impl Bound {
    /// What happens to a record of this kind and state when its owner leaves.
    pub fn disposition(
        &self,
        policy: &Policy,
        store: &Store,
        kind: Sym,
        state: Sym,
    ) -> Disposition {
        match self.dispositions.get(&(kind, state)) {
            Some(d) => *d,
            None => {
                let (kind, state) = (store.symbols.resolve(kind), store.symbols.resolve(state));
                policy.records.disposition(kind, state).0
            }
        }
    }
}

impl Policy {
    /// Binds the matchers to a snapshot; an unknown extra column is an error.
    pub fn bind(&self, store: &Store) -> Result<Bound, Diagnostics> {
        let mut problems = Vec::new();
        let mut bind = |m: Option<&Matcher>| -> BoundMatcher {
            match m {
                None => BoundMatcher::nobody(),
                Some(m) => match m.bind(store, &self.roles.permissions) {
                    Ok(b) => b,
                    Err(message) => {
                        problems.push(self.error_at(m.span.clone(), message).help(format!(
                            "use {} or a column of the snapshot ({})",
                            matcher::matchable_fields(),
                            store.attribute_names_hint()
                        )));
                        BoundMatcher::nobody()
                    }
                },
            }
        };
        let exempt = bind(self.idle.as_ref().and_then(|i| i.exempt.as_ref()));
        let protected = bind(self.deactivation.protected.as_ref());
        let min_holders =
            self.deactivation.min_holders.iter().map(|m| bind(Some(&m.matcher))).collect();
        let bulk_refuse = bind(self.leaders.bulk_refuse.as_ref());
        let directory_exempt = bind(self.directory.exempt.as_ref());
        let overrides = self
            .idle
            .as_ref()
            .map(|i| i.overrides.iter().map(|o| bind(Some(&o.matcher))).collect())
            .unwrap_or_default();
        let mut required_attributes = Vec::new();
        for f in &self.deactivation.required_fields {
            if let RequiredField::Attribute(name) = f {
                let sym = store.attribute_sym(name);
                if sym.is_none() {
                    problems.push(
                        Diagnostic::file(
                            &self.path,
                            format!(
                                "`deactivation.required_fields` names `{name}`, which is neither a user field nor a column of the snapshot"
                            ),
                        )
                        .help(format!(
                            "use {} or a column of the snapshot ({})",
                            requirable_fields(),
                            store.attribute_names_hint()
                        )),
                    );
                }
                required_attributes.push((name.clone(), sym));
            }
        }
        let dispositions = store
            .records
            .classes()
            .iter()
            .map(|&(kind, state)| {
                let (k, s) = (store.symbols.resolve(kind), store.symbols.resolve(state));
                ((kind, state), self.records.disposition(k, s).0)
            })
            .collect();
        if problems.is_empty() {
            Ok(Bound {
                dispositions,
                exempt,
                protected,
                min_holders,
                bulk_refuse,
                overrides,
                required_attributes,
                directory_exempt,
            })
        } else {
            Err(Diagnostics(problems))
        }
    }

    /// What the snapshot loader needs of this policy.
    pub fn reading(&self) -> crate::snapshot::Reading<'_> {
        crate::snapshot::Reading {
            input: &self.input,
            roles: &self.roles,
            statuses: &self.statuses,
            names: &self.record_names,
            needs_last_login: self.idle.is_some(),
            needs_phone: self
                .deactivation
                .required_fields
                .iter()
                .any(|f| matches!(f, RequiredField::Standard(UserField::Phone))),
        }
    }

    /// A diagnostic pointing into the policy file.
    pub fn error_at(&self, span: Option<std::ops::Range<usize>>, message: String) -> Diagnostic {
        let d = Diagnostic::file(&self.path, message);
        match span {
            Some(span) => d.at(Location::of_offset(&self.source, span.start)),
            None => d,
        }
    }

    /// The idle thresholds that apply to a user, and the override that supplied them.
    pub fn thresholds_for(
        &self,
        bound: &Bound,
        store: &Store,
        user: UserIx,
    ) -> Option<(Thresholds, Option<&IdleOverride>)> {
        let idle = self.idle.as_ref()?;
        for (o, m) in idle.overrides.iter().zip(&bound.overrides) {
            if m.matches(store, user) {
                return Some((o.thresholds, Some(o)));
            }
        }
        Some((idle.thresholds, None))
    }

    /// Whether a user holds a permission through the role or directly.
    pub fn has_permission(&self, store: &Store, user: UserIx, permission: &str) -> bool {
        let u = store.user(user);
        self.roles.grants(u.role(), permission)
            || store.symbols.get(permission).is_some_and(|sym| u.permissions().any(|p| p == sym))
    }
}
