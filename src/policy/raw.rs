//! The policy as written: serde structs that mirror the TOML one to one.
//!
//! Unknown keys are rejected (`deny_unknown_fields`); values that can be checked alone
//! (durations, strategies, dispositions) are checked while parsing, so their errors
//! carry the TOML position. Cross-references are checked in [`super::compile`].
//!
//! The same types generate the policy's JSON Schema ([`super::schema`]): their doc
//! comments are the hover help an editor shows, so they speak of the TOML keys.
//! `Spanned` wrappers are described through `#[schemars(with = ...)]` as the value
//! they wrap.

#![allow(missing_docs)] // field-for-field mirror of the TOML; see docs/reference.md

use super::schema::{MatcherTable, RequiredFieldName, StatusName, StrategyName};
use crate::time::Duration;
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// A roster policy: which lifecycle rules run on a snapshot of a user base, and how
/// offboarding hands over what a leaver owns. Only `name` and `[roles]` are required; a
/// rule whose table is absent does not run.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "roster policy")]
pub struct RawPolicy {
    /// The policy's name, recorded in every plan as `policy.name`. Must not be blank.
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// Free text about the policy.
    pub description: Option<String>,
    pub roles: RawRoles,
    pub statuses: Option<RawStatuses>,
    pub invites: Option<RawInvites>,
    #[schemars(with = "Option<RawIdle>")]
    pub idle: Option<Spanned<RawIdle>>,
    pub lockout: Option<RawLockout>,
    pub deactivation: Option<RawDeactivation>,
    pub leaders: Option<RawLeaders>,
    /// What happens to a leaver's records, by record kind (`[records.opportunity]`), with
    /// `[records."*"]` for every other kind. Without it, every record stays with its owner.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, RawRecordKind>")]
    pub records: BTreeMap<String, Spanned<RawRecordKind>>,
    /// How to read an export with other column names or time formats, or a SCIM export.
    pub snapshot: Option<super::input::RawSnapshot>,
    pub safety: Option<RawSafety>,
    pub directory: Option<super::directory::RawDirectory>,
}

/// `[safety]`: the most one plan may do. A plan over a limit is still written, but held:
/// marked `held`, with the finding `safety_limit`, and roster exits with code 4 unless
/// `--accept-held` is given. Each limit is a count (`25`) or a share of the snapshot's
/// users (`"5%"`, rounded down).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "[safety]")]
pub struct RawSafety {
    /// The most `deactivate` actions in one plan.
    pub max_deactivations: Option<super::Limit>,
    /// The most `suspend` actions in one plan.
    pub max_suspensions: Option<super::Limit>,
    /// The most actions of any kind in one plan.
    pub max_actions: Option<super::Limit>,
}

/// `[roles]`: the roles of the application, highest rank first. Rank decides who may
/// deactivate whom.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "[roles]")]
pub struct RawRoles {
    /// Role names, highest rank first, unique ignoring case: `["admin", "manager", "rep"]`.
    #[schemars(with = "Vec<String>")]
    pub order: Vec<Spanned<String>>,
    /// Other spellings seen in exports, mapped to a role of `order`
    /// (`"Sales Representative" = "rep"`); matched ignoring case.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    pub aliases: BTreeMap<String, Spanned<String>>,
    /// Permissions each role grants (`admin = ["manage_users", "billing"]`); a key must be
    /// a role of `order`. Users may hold more in their `permissions` column.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, Vec<String>>")]
    pub permissions: BTreeMap<String, Spanned<Vec<String>>>,
}

/// `[statuses]`: status spellings of the source system and which statuses use a seat.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "[statuses]")]
pub struct RawStatuses {
    /// Source-system spellings mapped to roster's statuses (`inactive = "deactivated"`);
    /// matched ignoring case.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, StatusName>")]
    pub aliases: BTreeMap<String, Spanned<String>>,
    /// Statuses (or aliases) that count against the licence seats. Default:
    /// `["invited", "active", "idle"]`.
    #[schemars(with = "Option<Vec<String>>")]
    pub billed: Option<Vec<Spanned<String>>>,
}

/// `[invites]`: turns on the invites rule (expired invites are resent, rescinded or
/// reported).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "[invites]")]
pub struct RawInvites {
    /// An invite this old has expired (exactly this old counts).
    pub expire_after: Duration,
    /// What an expired invite calls for. Default: `"report"`.
    #[serde(default)]
    pub on_expiry: Option<OnExpiry>,
    /// With `on_expiry = "resend"`: how many resends before rescinding. Default: 0.
    #[serde(default)]
    pub max_resends: Option<u32>,
}

/// What an expired invite calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnExpiry {
    /// Resend while resends are left, then rescind.
    Resend,
    /// Rescind at once.
    Rescind,
    /// Only report a finding.
    Report,
}

/// `[idle]`: turns on the idle rule: active users without a login for a while are marked
/// idle, then optionally suspended and offboarded, with an optional notice first.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "[idle]")]
pub struct RawIdle {
    /// Inactivity after which an active user is marked idle.
    pub after: Duration,
    /// Inactivity after which the user is suspended. Default: no suspension.
    pub suspend_after: Option<Duration>,
    /// Inactivity after which the user is offboarded. Default: no deactivation.
    pub deactivate_after: Option<Duration>,
    /// Warn the user this long before an escalation, and escalate only once the warning is
    /// this old. Must be shorter than the first escalation. A list (`["14d", "7d", "1d"]`)
    /// gives one notice per stage; escalation waits for the last.
    pub notify_before: Option<super::NoticeStages>,
    /// Who is told: `"user"` (the default), `"manager"` (the user's manager), or
    /// `"user:<id>"` (an app owner, say).
    #[schemars(with = "Option<Vec<String>>")]
    pub notify: Option<Vec<Spanned<String>>>,
    /// Users the idle rule leaves alone (service and break-glass accounts).
    #[schemars(with = "Option<MatcherTable>")]
    pub exempt: Option<Spanned<RawMatcher>>,
    /// An exempt user without a login for this long is the finding `stale_exempt`.
    pub exempt_review_after: Option<Duration>,
    /// `[[idle.overrides]]`: thresholds for some users; the first whose `where` matches
    /// wins, and keys it leaves out fall back to `[idle]`.
    #[serde(default)]
    pub overrides: Vec<RawIdleOverride>,
}

/// `[[idle.overrides]]`: idle thresholds for the users its `where` matches.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "[[idle.overrides]]")]
pub struct RawIdleOverride {
    /// Who the override applies to.
    #[serde(rename = "where")]
    #[schemars(with = "MatcherTable")]
    pub matcher: Spanned<RawMatcher>,
    /// Overrides `idle.after`.
    pub after: Option<Duration>,
    /// Overrides `idle.suspend_after`.
    pub suspend_after: Option<Duration>,
    /// Overrides `idle.deactivate_after`.
    pub deactivate_after: Option<Duration>,
    /// Overrides `idle.notify_before`.
    pub notify_before: Option<super::NoticeStages>,
}

/// `[lockout]`: turns on the lockout rule: lock after failed logins, optionally unlock
/// later.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "[lockout]")]
pub struct RawLockout {
    /// Lock an account at or above this many failed logins.
    pub max_failed_logins: u32,
    /// Unlock this long after `locked_at`. Default: unlock by hand.
    pub unlock_after: Option<Duration>,
}

/// How an actor's rank must compare with the target's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActorRank {
    /// The actor's role ranks at least as high as the target's.
    AtLeastTarget,
    /// The actor's role ranks strictly above the target's.
    AboveTarget,
}

/// `[deactivation]`: who may offboard whom, and what an offboarding does.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "[deactivation]")]
pub struct RawDeactivation {
    /// The permission an actor needs, through their role or their `permissions` column.
    /// Default: `"manage_users"`; `""` means none is needed.
    pub actor_permission: Option<String>,
    /// How the actor's role must rank against the target's. Default: `"at_least_target"`.
    pub actor_rank: Option<ActorRank>,
    /// Users no plan may deactivate (the snapshot's account owner always is).
    #[schemars(with = "Option<MatcherTable>")]
    pub protected: Option<Spanned<RawMatcher>>,
    /// Profile fields that must be filled before deactivation. Default: none.
    #[serde(default)]
    #[schemars(with = "Vec<RequiredFieldName>")]
    pub required_fields: Vec<Spanned<String>>,
    /// Add `revoke_sessions` to each deactivation. Default: true.
    pub revoke_sessions: Option<bool>,
    /// Add `block_email` to each deactivation. Default: false.
    pub block_email: Option<bool>,
    /// Statuses (or aliases) that may receive records, reports and teams. Default:
    /// `["active"]`.
    #[schemars(with = "Option<Vec<String>>")]
    pub receivers: Option<Vec<Spanned<String>>>,
    /// Roles that must keep holders: an offboarding that would leave fewer than `count`
    /// active users matching `where` is refused (`last_holder`).
    #[serde(default)]
    pub min_holders: Vec<RawMinHolders>,
}

/// `[[deactivation.min_holders]]`: at least `count` active users must match `where` after
/// any plan (the last admin is never offboarded).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "[[deactivation.min_holders]]")]
pub struct RawMinHolders {
    /// Who holds the role, as a matcher (`{ permissions = ["manage_users"] }`).
    #[serde(rename = "where")]
    #[schemars(with = "MatcherTable")]
    pub matcher: Spanned<RawMatcher>,
    /// How many active holders must remain. Default: 1.
    #[schemars(with = "Option<u32>", range(min = 1))]
    pub count: Option<Spanned<u32>>,
}

/// What happens to teams a leaver leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TeamsPolicy {
    /// Refuse to offboard a team leader (`leads_team`).
    Block,
    /// Hand the team over to a receiver.
    HandOver,
}

/// What happens to a leaver's direct reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportsPolicy {
    /// Refuse unless a new manager is given (`has_reports`).
    Block,
    /// Move them to a receiver.
    Reassign,
}

/// `[leaders]`: what happens to the teams and direct reports of a leaver.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "[leaders]")]
pub struct RawLeaders {
    /// Teams the leaver leads. Default: `"hand_over"`.
    pub teams: Option<TeamsPolicy>,
    /// Who takes over led teams, tried in order. Default: `["manager", "account_owner"]`.
    #[schemars(with = "Option<Vec<StrategyName>>")]
    pub teams_to: Option<Vec<Spanned<String>>>,
    /// The leaver's direct reports. Default: `"reassign"`.
    pub direct_reports: Option<ReportsPolicy>,
    /// Who becomes the reports' manager, tried in order. Default:
    /// `["manager", "account_owner"]`.
    #[schemars(with = "Option<Vec<StrategyName>>")]
    pub direct_reports_to: Option<Vec<Spanned<String>>>,
    /// Users who cannot be offboarded through the bulk channel (`bulk_refused`).
    #[schemars(with = "Option<MatcherTable>")]
    pub bulk_refuse: Option<Spanned<RawMatcher>>,
}

/// What happens to one record of a leaver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    /// Moves to a receiver.
    Transfer,
    /// Stays with the leaver.
    Keep,
    /// Is cancelled (`cancel_record`).
    Cancel,
    /// Blocks the offboarding (`referenced`).
    Block,
}

impl Disposition {
    /// The policy spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Disposition::Transfer => "transfer",
            Disposition::Keep => "keep",
            Disposition::Cancel => "cancel",
            Disposition::Block => "block",
        }
    }
}

/// `[records.<kind>]`: what happens to a leaver's records of one kind.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "[records.<kind>]")]
pub struct RawRecordKind {
    /// Disposition by record state, with `"*"` for every other state:
    /// `{ open = "transfer", closed = "keep" }`.
    #[serde(default)]
    pub states: BTreeMap<String, Disposition>,
    /// Who receives transferred records, tried in order. Default: `records."*".transfer_to`,
    /// else `["manager", "account_owner"]`.
    #[schemars(with = "Option<Vec<StrategyName>>")]
    pub transfer_to: Option<Vec<Spanned<String>>>,
}

/// A matcher table: field -> one value or a list of values.
pub type RawMatcher = BTreeMap<String, OneOrMany>;

/// One value, or a list of values of which any may match.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}
