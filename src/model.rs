//! Small domain values shared by the policy and the snapshot: statuses and their aliases,
//! and roles with their ranks, aliases and permissions. The policy compiles them; the
//! snapshot loader resolves the export's spellings with them.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// A user's lifecycle status. The order is the order reports list them in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Invited, has not accepted yet.
    Invited,
    /// Active account.
    Active,
    /// Has not logged in for the idle threshold.
    Idle,
    /// No access, not deactivated.
    Suspended,
    /// Switched off.
    Deactivated,
    /// Left the account (for example joined another company).
    Left,
}

impl Status {
    /// Every status, in report order.
    pub const ALL: [Status; 6] = [
        Status::Invited,
        Status::Active,
        Status::Idle,
        Status::Suspended,
        Status::Deactivated,
        Status::Left,
    ];

    /// The canonical spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Invited => "invited",
            Status::Active => "active",
            Status::Idle => "idle",
            Status::Suspended => "suspended",
            Status::Deactivated => "deactivated",
            Status::Left => "left",
        }
    }

    /// Parses a canonical name (any case).
    pub fn parse(text: &str) -> Option<Status> {
        let text = text.trim();
        Status::ALL.into_iter().find(|s| s.as_str().eq_ignore_ascii_case(text))
    }

    /// A dense index (0..6) for per-status tables.
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role, as its rank in the policy's `roles.order` (0 = highest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RoleIx(pub u16);

impl RoleIx {
    /// The index into the policy's role table.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// The role table: names in rank order (highest first), aliases, permissions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roles {
    /// Canonical names, highest rank first.
    pub names: Vec<String>,
    /// Permissions granted by each role, by rank.
    pub permissions: Vec<Vec<String>>,
    /// Name or alias (lowercase) -> role.
    pub lookup: HashMap<String, RoleIx>,
}

impl Roles {
    /// Finds a role by name or alias, ignoring case and surrounding space.
    pub fn resolve(&self, text: &str) -> Option<RoleIx> {
        lowercase_key(text, |key| self.lookup.get(key).copied())
    }

    /// The canonical name of a role.
    pub fn name(&self, role: RoleIx) -> &str {
        self.names.get(role.index()).map_or("?", String::as_str)
    }

    /// Whether the role grants a permission.
    pub fn grants(&self, role: RoleIx, permission: &str) -> bool {
        self.permissions.get(role.index()).is_some_and(|p| p.iter().any(|x| x == permission))
    }

    /// The known names, for the help of an error about `given`: the near one first, if a
    /// name or alias is one typo away.
    pub fn known_for(&self, given: &str) -> String {
        let near = crate::hints::closest(given, self.lookup.keys().map(String::as_str));
        crate::hints::did_you_mean(near) + &self.known()
    }

    /// The known names, for error help.
    pub fn known(&self) -> String {
        let mut all: Vec<&str> = self.lookup.keys().map(String::as_str).collect();
        all.sort_unstable();
        let names: Vec<String> = self.names.iter().map(|n| format!("`{n}`")).collect();
        let aliases: Vec<String> = all
            .iter()
            .filter(|a| !self.names.iter().any(|n| n.eq_ignore_ascii_case(a)))
            .map(|a| format!("`{a}`"))
            .collect();
        if aliases.is_empty() {
            format!("known roles: {}", names.join(", "))
        } else {
            format!("known roles: {}; aliases: {}", names.join(", "), aliases.join(", "))
        }
    }
}

/// Status aliases and which statuses are billed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statuses {
    /// Alias (lowercase) -> status.
    pub aliases: BTreeMap<String, Status>,
    /// Billed statuses, by [`Status::index`].
    pub billed: [bool; 6],
}

impl Statuses {
    /// Finds a status by canonical name or alias, ignoring case.
    pub fn resolve(&self, text: &str) -> Option<Status> {
        Status::parse(text).or_else(|| lowercase_key(text, |key| self.aliases.get(key).copied()))
    }

    /// Whether users in this status count against seats.
    pub fn is_billed(&self, status: Status) -> bool {
        self.billed[status.index()]
    }

    /// The known names, for the help of an error about `given` (the near one first).
    pub fn known_for(&self, given: &str) -> String {
        let names =
            Status::ALL.iter().map(|s| s.as_str()).chain(self.aliases.keys().map(String::as_str));
        crate::hints::did_you_mean(crate::hints::closest(given, names)) + &self.known()
    }

    /// The known names, for error help.
    pub fn known(&self) -> String {
        let names: Vec<String> = Status::ALL.iter().map(|s| format!("`{s}`")).collect();
        if self.aliases.is_empty() {
            format!("known statuses: {}", names.join(", "))
        } else {
            let aliases: Vec<String> = self.aliases.keys().map(|a| format!("`{a}`")).collect();
            format!("known statuses: {}; aliases: {}", names.join(", "), aliases.join(", "))
        }
    }
}

/// Looks `text` up by its trimmed, lowercase form, allocating only when lowercasing changes
/// it (the common spellings are looked up as they are).
fn lowercase_key<T>(text: &str, get: impl Fn(&str) -> Option<T>) -> Option<T> {
    let text = text.trim();
    let unchanged = |c: char| {
        let mut lower = c.to_lowercase();
        lower.next() == Some(c) && lower.next().is_none()
    };
    if text.chars().all(unchanged) {
        get(text)
    } else {
        get(&text.to_lowercase())
    }
}

/// The one form every e-mail comparison uses: each character lowercased by Unicode's
/// rules (so `JOSÉ@X.IO` and `josé@x.io` are one address). Borrows when nothing changes,
/// which is every lowercase ASCII address.
pub fn fold_email(email: &str) -> std::borrow::Cow<'_, str> {
    if email.is_ascii() {
        if email.bytes().any(|b| b.is_ascii_uppercase()) {
            return email.to_ascii_lowercase().into();
        }
        return email.into();
    }
    let unchanged = |c: char| {
        let mut lower = c.to_lowercase();
        lower.next() == Some(c) && lower.next().is_none()
    };
    if email.chars().all(unchanged) {
        email.into()
    } else {
        email.chars().flat_map(char::to_lowercase).collect::<String>().into()
    }
}

#[cfg(test)]
mod tests {
    use super::fold_email;

    #[test]
    fn e_mails_fold_beyond_ascii_and_borrow_when_they_can() {
        assert_eq!(fold_email("JOSÉ@X.IO"), "josé@x.io");
        assert_eq!(fold_email("ZOË@x.io"), fold_email("zoë@X.IO"));
        assert!(matches!(fold_email("ana@x.io"), std::borrow::Cow::Borrowed(_)));
        assert!(matches!(fold_email("zoë@x.io"), std::borrow::Cow::Borrowed(_)));
        assert_eq!(fold_email("Ana@X.io"), "ana@x.io");
    }
}
