//! `[directory]`: how the app's accounts are reconciled with a second source of truth (an
//! HR export or an identity provider's users, given with `--directory`): which keys match
//! an account to a person, and what each outcome calls for.

use super::compile::Compiler;
use super::input::RawFieldMap;
use super::matcher::Matcher;
use super::raw::RawMatcher;
use super::schema::MatcherTable;
use crate::time::Duration;
use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

/// The columns of a directory CSV, in roster's names.
pub const DIRECTORY_COLUMNS: [&str; 7] =
    ["id", "email", "status", "leave_date", "manager_id", "department", "employee_number"];

/// The keys an account can be matched to a person by, in the names of `match`.
pub const MATCH_KEYS: [&str; 4] = ["email", "employee_number", "external_id", "id"];

/// `[directory]`: the people who should have access, from an HR system or an identity
/// provider (`--directory FILE`), and what roster does about accounts that do not fit.
/// Without this table, `--directory` matches by e-mail and only reports.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "[directory]")]
pub struct RawDirectory {
    /// The keys that match an account to a person, tried in order; the first that finds
    /// someone decides. `email` (ignoring case), `employee_number` (the account's
    /// `employee_number` column and the person's), `external_id` (the account's
    /// `external_id` column and the person's id), `id` (the same id on both sides).
    /// Default: `["email"]`.
    #[serde(rename = "match")]
    #[schemars(with = "Option<Vec<MatchKeyName>>")]
    pub match_keys: Option<Vec<Spanned<String>>>,
    /// What an account whose person is terminated, past their leave date, or absent
    /// calls for: `"report"` (the finding `undeprovisioned`) or `"offboard"` (the whole
    /// offboarding, receivers and blockers included). Default: `"report"`.
    pub on_missing: Option<OnMissing>,
    /// With `on_missing = "offboard"`: wait this long after the leave date before
    /// offboarding (reported meanwhile). A person with no leave date has no day to count
    /// from and is offboarded at once. Default: `"0d"`.
    pub grace: Option<Duration>,
    /// When a leave date takes effect, relative to it: `"0d"` on the day, `"-1d"` the day
    /// before, `"2d"` two days after. Default: `"0d"`.
    #[schemars(with = "Option<String>")]
    pub on_leave: Option<Spanned<String>>,
    /// Notify the user this long before their leave date takes effect (`notify_user`),
    /// once: a user whose `notified_at` falls in that window is not notified again.
    /// Default: no notice.
    pub notify_before: Option<Duration>,
    /// Whose manager wins when the two sides differ: `"report"` (the finding
    /// `manager_mismatch` only) or `"directory"` (also a `set_manager` action). Default:
    /// `"report"`.
    pub manager: Option<ManagerSource>,
    /// Accounts that need no person (service, integration, external accounts): never
    /// `unmatched_account`, never offboarded for having no person.
    #[schemars(with = "Option<MatcherTable>")]
    pub exempt: Option<Spanned<RawMatcher>>,
    /// The directory CSV's headers: roster's column name = the file's header
    /// (`email = "Work Email"`). Columns: id, email, status, leave_date, manager_id,
    /// department, employee_number.
    #[serde(default)]
    #[schemars(schema_with = "super::schema::directory_columns")]
    pub columns: RawFieldMap,
    /// The directory's status words, each mapped to `active` or `terminated` (`"On
    /// Leave" = "active"`); matched ignoring case. `active` and `terminated` are known.
    #[serde(default)]
    #[schemars(with = "std::collections::BTreeMap<String, PersonStatusName>")]
    pub statuses: RawFieldMap,
}

/// A key of `match`.
#[derive(Debug, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)] // only its schema is used
pub enum MatchKeyName {
    /// E-mail, ignoring case.
    Email,
    /// The `employee_number` of both sides.
    EmployeeNumber,
    /// The account's `external_id` column and the person's id.
    ExternalId,
    /// The same id on both sides.
    Id,
}

/// What a directory status word means.
#[derive(Debug, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)] // only its schema is used
pub enum PersonStatusName {
    /// The person works here.
    Active,
    /// The person has left.
    Terminated,
}

/// What an account without a current person calls for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnMissing {
    /// The finding `undeprovisioned` only.
    #[default]
    Report,
    /// Offboarding.
    Offboard,
}

/// Whose manager wins.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ManagerSource {
    /// Report a difference.
    #[default]
    Report,
    /// Set the directory's manager.
    Directory,
}

/// A key that matches an account to a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatchKey {
    /// E-mail, ignoring case.
    Email,
    /// The `employee_number` of both sides.
    EmployeeNumber,
    /// The account's `external_id` column and the person's id.
    ExternalId,
    /// The same id.
    Id,
}

impl MatchKey {
    /// Its name in `match`.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchKey::Email => "email",
            MatchKey::EmployeeNumber => "employee_number",
            MatchKey::ExternalId => "external_id",
            MatchKey::Id => "id",
        }
    }
}

/// `[directory]`, compiled (the defaults when the policy has no such table).
#[derive(Debug, Clone)]
pub struct Directory {
    /// `match`, in order.
    pub keys: Vec<MatchKey>,
    /// `on_missing`.
    pub on_missing: OnMissing,
    /// `grace`.
    pub grace: Duration,
    /// `on_leave`, in seconds (may be negative).
    pub on_leave: i64,
    /// `notify_before`.
    pub notify_before: Option<Duration>,
    /// `manager`.
    pub manager: ManagerSource,
    /// `exempt`.
    pub exempt: Option<Matcher>,
    /// The CSV headers of roster's columns.
    pub columns: Vec<Column>,
    /// The policy file, for errors about its mappings.
    pub policy: std::path::PathBuf,
    /// Status words (lowercase) and whether they mean active.
    pub statuses: Vec<(String, bool)>,
}

/// One `[directory.columns]` mapping.
#[derive(Debug, Clone)]
pub struct Column {
    /// roster's name.
    pub name: String,
    /// The file's header.
    pub header: String,
    /// Where the policy says so.
    pub at: crate::diag::Location,
}

impl Default for Directory {
    fn default() -> Self {
        Directory {
            keys: vec![MatchKey::Email],
            on_missing: OnMissing::Report,
            grace: Duration::days(0),
            on_leave: 0,
            notify_before: None,
            manager: ManagerSource::Report,
            exempt: None,
            columns: Vec::new(),
            policy: std::path::PathBuf::new(),
            statuses: Vec::new(),
        }
    }
}

impl Directory {
    /// The header of roster's column `name` in the directory CSV.
    pub fn header<'a>(&'a self, name: &'a str) -> &'a str {
        self.columns.iter().find(|c| c.name == name).map_or(name, |c| c.header.as_str())
    }

    /// Whether a status word means active (`Some(true)`), terminated, or is unknown.
    pub fn status_word(&self, word: &str) -> Option<bool> {
        let w = word.trim().to_lowercase();
        match w.as_str() {
            "active" => Some(true),
            "terminated" => Some(false),
            _ => self.statuses.iter().find(|(s, _)| *s == w).map(|&(_, a)| a),
        }
    }
}

impl Compiler<'_> {
    /// `[directory]`.
    pub(super) fn directory(
        &mut self,
        raw: Option<RawDirectory>,
        roles: &crate::model::Roles,
        statuses: &crate::model::Statuses,
    ) -> Directory {
        let mut d = Directory { policy: self.path.to_path_buf(), ..Directory::default() };
        let Some(raw) = raw else { return d };
        if let Some(keys) = raw.match_keys {
            let mut out = Vec::new();
            for k in keys {
                let key = match k.get_ref().trim() {
                    "email" => MatchKey::Email,
                    "employee_number" => MatchKey::EmployeeNumber,
                    "external_id" => MatchKey::ExternalId,
                    "id" => MatchKey::Id,
                    other => {
                        let near = near(other, &MATCH_KEYS);
                        self.error(
                            k.span(),
                            format!("`{other}` is not a key of directory.match"),
                            format!("{near}use {}", MATCH_KEYS.join(", ")),
                        );
                        continue;
                    }
                };
                if out.contains(&key) {
                    self.error(
                        k.span(),
                        format!("`{}` is twice in directory.match", key.as_str()),
                        "name each key once, in the order to try them",
                    );
                } else {
                    out.push(key);
                }
            }
            if out.is_empty() && self.problems.is_empty() {
                self.error(
                    0..0,
                    "`directory.match` is empty".into(),
                    "name a key, such as \"email\"",
                );
            }
            d.keys = out;
        }
        d.on_missing = raw.on_missing.unwrap_or_default();
        d.grace = raw.grace.unwrap_or(Duration::days(0));
        d.notify_before = raw.notify_before;
        d.manager = raw.manager.unwrap_or_default();
        if let Some(text) = raw.on_leave {
            let t = text.get_ref().trim();
            let (sign, body) = match t.strip_prefix('-') {
                Some(rest) => (-1, rest),
                None => (1, t.strip_prefix('+').unwrap_or(t)),
            };
            match Duration::parse(body) {
                Ok(duration) => d.on_leave = sign * duration.seconds(),
                Err(e) => self.error(
                    text.span(),
                    format!("directory.on_leave: {e}"),
                    "a leave date offset such as \"0d\", \"-1d\" (the day before) or \"7d\"",
                ),
            }
        }
        d.exempt = raw.exempt.map(|m| self.matcher(m, "directory.exempt", roles, statuses));
        for (name, header) in raw.columns {
            if !DIRECTORY_COLUMNS.contains(&name.as_str()) {
                let near = near(&name, &DIRECTORY_COLUMNS);
                self.error(
                    header.span(),
                    format!("`{name}` is not a directory column"),
                    format!("{near}the columns are {}", DIRECTORY_COLUMNS.join(", ")),
                );
            } else {
                let at = crate::diag::Location::of_offset(self.source, header.span().start);
                d.columns.push(Column { name, header: header.into_inner(), at });
            }
        }
        for (word, meaning) in raw.statuses {
            match meaning.get_ref().trim() {
                "active" => d.statuses.push((word.trim().to_lowercase(), true)),
                "terminated" => d.statuses.push((word.trim().to_lowercase(), false)),
                other => self.error(
                    meaning.span(),
                    format!("`{other}` is not a directory status (for `{word}`)"),
                    "map each word to \"active\" or \"terminated\"",
                ),
            }
        }
        d
    }
}

/// `did you mean `x`? ` for the known name nearest to `given`, or nothing.
fn near(given: &str, known: &[&str]) -> String {
    crate::hints::did_you_mean(crate::hints::closest(given, known.iter().copied()))
}
