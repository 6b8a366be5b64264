//! The policy as written: serde structs that mirror the TOML one to one.
//!
//! Unknown keys are rejected (`deny_unknown_fields`); values that can be checked alone
//! (durations, strategies, dispositions) are checked while parsing, so their errors
//! carry the TOML position. Cross-references are checked in [`super::compile`].

#![allow(missing_docs)] // field-for-field mirror of the TOML; see docs/reference.md

use crate::time::Duration;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    pub name: Spanned<String>,
    pub description: Option<String>,
    pub roles: RawRoles,
    pub statuses: Option<RawStatuses>,
    pub invites: Option<RawInvites>,
    pub idle: Option<Spanned<RawIdle>>,
    pub lockout: Option<RawLockout>,
    pub deactivation: Option<RawDeactivation>,
    pub leaders: Option<RawLeaders>,
    #[serde(default)]
    pub records: BTreeMap<String, Spanned<RawRecordKind>>,
    /// `[snapshot]`: how to read the export (see [`super::input`]).
    pub snapshot: Option<super::input::RawSnapshot>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRoles {
    pub order: Vec<Spanned<String>>,
    #[serde(default)]
    pub aliases: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub permissions: BTreeMap<String, Spanned<Vec<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStatuses {
    #[serde(default)]
    pub aliases: BTreeMap<String, Spanned<String>>,
    pub billed: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawInvites {
    pub expire_after: Duration,
    #[serde(default)]
    pub on_expiry: Option<OnExpiry>,
    #[serde(default)]
    pub max_resends: Option<u32>,
}

/// What an expired invite calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnExpiry {
    /// Resend while resends are left, then rescind.
    Resend,
    /// Rescind at once.
    Rescind,
    /// Only report a finding.
    Report,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIdle {
    pub after: Duration,
    pub suspend_after: Option<Duration>,
    pub deactivate_after: Option<Duration>,
    pub notify_before: Option<Duration>,
    pub exempt: Option<Spanned<RawMatcher>>,
    pub exempt_review_after: Option<Duration>,
    #[serde(default)]
    pub overrides: Vec<RawIdleOverride>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIdleOverride {
    #[serde(rename = "where")]
    pub matcher: Spanned<RawMatcher>,
    pub after: Option<Duration>,
    pub suspend_after: Option<Duration>,
    pub deactivate_after: Option<Duration>,
    pub notify_before: Option<Duration>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLockout {
    pub max_failed_logins: u32,
    pub unlock_after: Option<Duration>,
}

/// How an actor's rank must compare with the target's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorRank {
    /// The actor's role ranks at least as high as the target's.
    AtLeastTarget,
    /// The actor's role ranks strictly above the target's.
    AboveTarget,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDeactivation {
    pub actor_permission: Option<String>,
    pub actor_rank: Option<ActorRank>,
    pub protected: Option<Spanned<RawMatcher>>,
    #[serde(default)]
    pub required_fields: Vec<Spanned<String>>,
    pub revoke_sessions: Option<bool>,
    pub block_email: Option<bool>,
    pub receivers: Option<Vec<Spanned<String>>>,
}

/// What happens to teams a leaver leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TeamsPolicy {
    /// Refuse to offboard a team leader (`leads_team`).
    Block,
    /// Hand the team over to a receiver.
    HandOver,
}

/// What happens to a leaver's direct reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportsPolicy {
    /// Refuse unless a new manager is given (`has_reports`).
    Block,
    /// Move them to a receiver.
    Reassign,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLeaders {
    pub teams: Option<TeamsPolicy>,
    pub teams_to: Option<Vec<Spanned<String>>>,
    pub direct_reports: Option<ReportsPolicy>,
    pub direct_reports_to: Option<Vec<Spanned<String>>>,
    pub bulk_refuse: Option<Spanned<RawMatcher>>,
}

/// What happens to one record of a leaver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRecordKind {
    #[serde(default)]
    pub states: BTreeMap<String, Disposition>,
    pub transfer_to: Option<Vec<Spanned<String>>>,
}

/// A matcher table: field -> one value or a list of values.
pub type RawMatcher = BTreeMap<String, OneOrMany>;

/// One string or a list of strings.
#[derive(Debug, Clone, Deserialize)]
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
