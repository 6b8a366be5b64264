//! The user fields: one table that says, for each standard column of `users.csv`, what it
//! holds, whether every user must have it, whether a matcher may test it and whether
//! `deactivation.required_fields` may name it. The loaders, the matchers, the time formats,
//! the required fields and the policy's schema all read it.

/// A standard column of `users.csv` (and field of a JSON user), in the order of
/// [`USER_FIELDS`]; `field as usize` is its position there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserField {
    /// `id`.
    Id,
    /// `email`.
    Email,
    /// `name`.
    Name,
    /// `phone`.
    Phone,
    /// `role`.
    Role,
    /// `status`.
    Status,
    /// `manager_id`.
    ManagerId,
    /// `teams`.
    Teams,
    /// `flags`.
    Flags,
    /// `permissions`.
    Permissions,
    /// `last_login_at`.
    LastLoginAt,
    /// `invited_at`.
    InvitedAt,
    /// `activated_at`.
    ActivatedAt,
    /// `notified_at`.
    NotifiedAt,
    /// `invite_resends`.
    InviteResends,
    /// `failed_logins`.
    FailedLogins,
    /// `locked`.
    Locked,
    /// `locked_at`.
    LockedAt,
}

/// What a user field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// The user's id.
    Id,
    /// Free text.
    Text,
    /// A role of the policy (or an alias).
    Role,
    /// A status (or a policy alias).
    Status,
    /// A user id.
    Manager,
    /// `;`-separated team ids, the primary first.
    Teams,
    /// `;`-separated free tags.
    Tags,
    /// An instant.
    Time,
    /// A whole number, 0 when empty.
    Count,
    /// Yes or no, no when empty.
    Bool,
}

/// One user field: its name, what it holds, and what the policy may do with it.
#[derive(Debug, Clone, Copy)]
pub struct FieldSpec {
    /// The field.
    pub field: UserField,
    /// Its column name.
    pub name: &'static str,
    /// What it holds.
    pub kind: FieldKind,
    /// Every user must have it (a snapshot without the column is refused).
    pub required: bool,
    /// A matcher (`where`, `exempt`, `protected`, `bulk_refuse`) may test it; what such a
    /// clause matches, for the schema's hover help.
    pub matcher: Option<&'static str>,
    /// `deactivation.required_fields` may name it.
    pub requirable: bool,
}

const fn field(
    field: UserField,
    name: &'static str,
    kind: FieldKind,
    required: bool,
    matcher: Option<&'static str>,
    requirable: bool,
) -> FieldSpec {
    FieldSpec { field, name, kind, required, matcher, requirable }
}

/// The user fields: the one list the loaders, the matchers, the time formats, the required
/// fields and the policy's schema all read.
pub const USER_FIELDS: [FieldSpec; 18] = {
    use FieldKind as K;
    use UserField as F;
    [
        field(F::Id, "id", K::Id, true, Some("Users with one of these ids."), false),
        field(
            F::Email,
            "email",
            K::Text,
            false,
            Some("Users with one of these e-mails, ignoring case."),
            true,
        ),
        field(F::Name, "name", K::Text, false, None, true),
        field(F::Phone, "phone", K::Text, false, None, true),
        field(F::Role, "role", K::Role, true, Some("Role names or aliases, any case."), false),
        field(
            F::Status,
            "status",
            K::Status,
            true,
            Some("Statuses or status aliases, any case."),
            false,
        ),
        field(F::ManagerId, "manager_id", K::Manager, false, None, true),
        field(
            F::Teams,
            "teams",
            K::Teams,
            false,
            Some("Members of any of these teams (team ids)."),
            true,
        ),
        field(F::Flags, "flags", K::Tags, false, Some("Users carrying any of these flags."), false),
        field(
            F::Permissions,
            "permissions",
            K::Tags,
            false,
            Some(
                "Users granted any of these permissions, by their role or their own \
                 `permissions` column.",
            ),
            false,
        ),
        field(F::LastLoginAt, "last_login_at", K::Time, false, None, false),
        field(F::InvitedAt, "invited_at", K::Time, false, None, false),
        field(F::ActivatedAt, "activated_at", K::Time, false, None, false),
        field(F::NotifiedAt, "notified_at", K::Time, false, None, false),
        field(F::InviteResends, "invite_resends", K::Count, false, None, false),
        field(F::FailedLogins, "failed_logins", K::Count, false, None, false),
        field(F::Locked, "locked", K::Bool, false, None, false),
        field(F::LockedAt, "locked_at", K::Time, false, None, false),
    ]
};

/// The column names of [`USER_FIELDS`], in order.
pub const USER_COLUMNS: [&str; USER_FIELDS.len()] = {
    let mut names = [""; USER_FIELDS.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = USER_FIELDS[i].name;
        i += 1;
    }
    names
};

const REQUIRED: usize = {
    let mut n = 0;
    let mut i = 0;
    while i < USER_FIELDS.len() {
        if USER_FIELDS[i].required {
            n += 1;
        }
        i += 1;
    }
    n
};

/// The columns every `users.csv` must have.
pub const USER_REQUIRED: [&str; REQUIRED] = {
    let mut names = [""; REQUIRED];
    let (mut i, mut n) = (0, 0);
    while i < USER_FIELDS.len() {
        if USER_FIELDS[i].required {
            names[n] = USER_FIELDS[i].name;
            n += 1;
        }
        i += 1;
    }
    names
};

impl UserField {
    /// The field's entry in [`USER_FIELDS`].
    pub fn spec(self) -> &'static FieldSpec {
        &USER_FIELDS[self as usize]
    }

    /// The column name.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// The field with this column name.
    pub fn named(name: &str) -> Option<UserField> {
        USER_FIELDS.iter().find(|f| f.name == name).map(|f| f.field)
    }
}

/// The names of the fields of one kind, in order.
pub fn fields_of(kind: FieldKind) -> impl Iterator<Item = &'static str> {
    USER_FIELDS.iter().filter(move |f| f.kind == kind).map(|f| f.name)
}

/// The standard fields a matcher may not test (they are not sets of values), and the empty
/// name.
pub fn unmatchable_fields() -> Vec<&'static str> {
    USER_FIELDS.iter().filter(|f| f.matcher.is_none()).map(|f| f.name).chain([""]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_field_table_is_in_enum_order() {
        for (i, f) in USER_FIELDS.iter().enumerate() {
            assert_eq!(f.field as usize, i, "{}", f.name);
            assert_eq!(UserField::named(f.name), Some(f.field));
        }
        assert_eq!(USER_COLUMNS[UserField::LockedAt as usize], "locked_at");
        assert_eq!(fields_of(FieldKind::Time).count(), 5);
        assert_eq!(USER_REQUIRED, ["id", "role", "status"]);
    }
}
