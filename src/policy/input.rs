//! The `[snapshot]` table of a policy as written: how to read an export that does not
//! use roster's own column names, time format or file format.
//!
//! `[snapshot.columns.<file>]` maps canonical column names to an export's headers,
//! `[snapshot.formats]` gives strftime formats for times that are not RFC 3339, and
//! `[snapshot.scim.users]` / `[snapshot.scim.teams]` map fields to SCIM attribute paths.
//! Checked and compiled in [`super::compile`] into [`crate::snapshot::Input`].

use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// Canonical field -> the export's header, or a SCIM attribute path.
pub type RawFieldMap = BTreeMap<String, Spanned<String>>;

/// How to read an export that does not use roster's own column names, time format or file
/// format.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "[snapshot]")]
pub struct RawSnapshot {
    /// Per CSV file, roster's column name = the export's header.
    pub columns: Option<RawColumns>,
    /// strftime formats (e.g. "%m/%d/%Y %H:%M") of the user time columns that are not
    /// RFC 3339, by column, `"*"` for every time column without its own.
    #[serde(default)]
    #[schemars(schema_with = "super::schema::formats")]
    pub formats: Option<RawFieldMap>,
    /// Where the fields SCIM does not define (role, teams, last login...) are read from.
    pub scim: Option<RawScim>,
    /// The field separator of every CSV file of the export: one character such as `";"`
    /// (Excel in many European locales), `"\t"` or `"|"`. Without it roster reads commas,
    /// unless a header has no comma and another of these separators: then that one.
    #[schemars(with = "Option<String>", length(min = 1, max = 1))]
    pub delimiter: Option<Spanned<String>>,
}

/// One table per CSV file: `[snapshot.columns.users]`, `[snapshot.columns.teams]`, ...
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "[snapshot.columns]")]
pub struct RawColumns {
    /// users.csv: roster's column name = the export's header (`last_login_at = "Last Login Date"`).
    #[serde(default)]
    #[schemars(schema_with = "super::schema::user_columns")]
    pub users: RawFieldMap,
    /// teams.csv: roster's column name = the export's header.
    #[serde(default)]
    #[schemars(schema_with = "super::schema::team_columns")]
    pub teams: RawFieldMap,
    /// records.csv: roster's column name = the export's header.
    #[serde(default)]
    #[schemars(schema_with = "super::schema::record_columns")]
    pub records: RawFieldMap,
    /// blocked_emails.csv: roster's column name = the export's header.
    #[serde(default)]
    #[schemars(schema_with = "super::schema::blocked_email_columns")]
    pub blocked_emails: RawFieldMap,
}

/// Where the fields SCIM does not define are read from.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "[snapshot.scim]")]
pub struct RawScim {
    /// User fields: roster's column name = a SCIM attribute path
    /// (`role = "roles[primary].value"`).
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    pub users: RawFieldMap,
    /// Team fields from Group resources: roster's column name = a SCIM attribute path.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    pub teams: RawFieldMap,
}
