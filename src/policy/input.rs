//! The `[snapshot]` table of a policy as written: how to read an export that does not
//! use roster's own column names, time format or file format.
//!
//! `[snapshot.columns.<file>]` maps canonical column names to an export's headers,
//! `[snapshot.formats]` gives strftime formats for times that are not RFC 3339, and
//! `[snapshot.scim.users]` / `[snapshot.scim.teams]` map fields to SCIM attribute paths.
//! Checked and compiled in [`super::compile`] into [`crate::snapshot::Input`].

#![allow(missing_docs)] // field-for-field mirror of the TOML; see docs/inputs.md

use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// Canonical field -> the export's header, or a SCIM attribute path.
pub type RawFieldMap = BTreeMap<String, Spanned<String>>;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSnapshot {
    pub columns: Option<RawColumns>,
    pub formats: Option<RawFormats>,
    pub scim: Option<RawScim>,
}

/// One table per CSV file: `[snapshot.columns.users]`, `[snapshot.columns.teams]`, ...
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawColumns {
    #[serde(default)]
    pub users: RawFieldMap,
    #[serde(default)]
    pub teams: RawFieldMap,
    #[serde(default)]
    pub records: RawFieldMap,
    #[serde(default)]
    pub blocked_emails: RawFieldMap,
}

/// strftime formats of the user time fields; `"*"` applies to every field without its own.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFormats {
    #[serde(rename = "*")]
    pub any: Option<Spanned<String>>,
    pub last_login_at: Option<Spanned<String>>,
    pub invited_at: Option<Spanned<String>>,
    pub activated_at: Option<Spanned<String>>,
    pub notified_at: Option<Spanned<String>>,
    pub locked_at: Option<Spanned<String>>,
}

/// Where the fields SCIM does not define are read from.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScim {
    #[serde(default)]
    pub users: RawFieldMap,
    #[serde(default)]
    pub teams: RawFieldMap,
}
