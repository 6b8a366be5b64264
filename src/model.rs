//! Small domain values shared by the policy and the snapshot: statuses and role ranks.

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
