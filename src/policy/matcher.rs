//! `where`, `exempt`, `protected` and `bulk_refuse` matchers.
//!
//! A matcher is a table of field -> value or list of values (any of); every field must
//! match. It is compiled against the policy (role and status names) and then bound to a
//! snapshot (flags, permissions, teams and extra columns become dense ids).

use crate::model::{RoleIx, Status};
use crate::snapshot::{Store, Sym, TeamIx, UserIx};
use std::ops::Range;

/// One field test of a matcher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clause {
    /// The user's role is one of these.
    Role(Vec<RoleIx>),
    /// The user's status is one of these.
    Status(Vec<Status>),
    /// The user carries one of these flags.
    Flags(Vec<String>),
    /// The user holds one of these permissions (through the role or directly).
    Permissions(Vec<String>),
    /// The user is a member of one of these teams.
    Teams(Vec<String>),
    /// The user's id is one of these.
    Id(Vec<String>),
    /// The user's e-mail is one of these (any case).
    Email(Vec<String>),
    /// An extra column of the snapshot has one of these values.
    Attribute {
        /// The column name.
        name: String,
        /// Accepted values.
        values: Vec<String>,
    },
}

impl Clause {
    /// The field name as the policy spells it.
    pub fn field(&self) -> &str {
        match self {
            Clause::Role(_) => "role",
            Clause::Status(_) => "status",
            Clause::Flags(_) => "flags",
            Clause::Permissions(_) => "permissions",
            Clause::Teams(_) => "teams",
            Clause::Id(_) => "id",
            Clause::Email(_) => "email",
            Clause::Attribute { name, .. } => name,
        }
    }
}

/// A compiled matcher. The empty matcher matches everyone.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Matcher {
    /// All must hold.
    pub clauses: Vec<Clause>,
    /// Where the matcher is written, for errors found when binding to a snapshot.
    pub span: Option<Range<usize>>,
    /// The key that holds it (`idle.exempt`), for messages.
    pub key: String,
}

/// The fields a matcher may test, for help texts: `` `id`, `email`, ... ``.
pub fn matchable_fields() -> String {
    let names: Vec<String> = crate::fields::USER_FIELDS
        .iter()
        .filter(|f| f.matcher.is_some())
        .map(|f| format!("`{}`", f.name))
        .collect();
    names.join(", ")
}

/// A matcher bound to one snapshot.
#[derive(Debug, Clone)]
pub struct BoundMatcher {
    clauses: Vec<BoundClause>,
}

/// A clause with the snapshot's names resolved to its symbols and indices.
#[derive(Debug, Clone)]
enum BoundClause {
    /// Role, status and e-mail clauses name nothing of the snapshot: kept as compiled.
    AsCompiled(Clause),
    Flags(Vec<Sym>),
    /// Roles that grant one of the permissions, and the permission symbols.
    Permissions {
        roles: Vec<bool>,
        syms: Vec<Sym>,
    },
    Teams(Vec<TeamIx>),
    Id(Vec<UserIx>),
    Attribute {
        name: Sym,
        values: Vec<String>,
    },
}

impl Matcher {
    /// Binds the matcher to a snapshot. An extra-column field that the snapshot does not
    /// have is an error: it would silently match no one.
    pub fn bind(
        &self,
        store: &Store,
        role_permissions: &[Vec<String>],
    ) -> Result<BoundMatcher, String> {
        let mut clauses = Vec::with_capacity(self.clauses.len());
        for clause in &self.clauses {
            clauses.push(match clause {
                Clause::Role(_) | Clause::Status(_) | Clause::Email(_) => {
                    BoundClause::AsCompiled(clause.clone())
                }
                Clause::Flags(f) => {
                    BoundClause::Flags(f.iter().filter_map(|v| store.symbols.get(v)).collect())
                }
                Clause::Permissions(p) => BoundClause::Permissions {
                    roles: role_permissions
                        .iter()
                        .map(|granted| granted.iter().any(|g| p.contains(g)))
                        .collect(),
                    syms: p.iter().filter_map(|v| store.symbols.get(v)).collect(),
                },
                Clause::Teams(t) => {
                    BoundClause::Teams(t.iter().filter_map(|v| store.team_ix(v)).collect())
                }
                Clause::Id(ids) => {
                    BoundClause::Id(ids.iter().filter_map(|v| store.user_ix(v)).collect())
                }
                Clause::Attribute { name, values } => match store.attribute_sym(name) {
                    Some(sym) => BoundClause::Attribute { name: sym, values: values.clone() },
                    None => {
                        return Err(format!(
                            "`{}` matches on `{name}`, which is neither a user field nor a \
                             column of the snapshot",
                            self.key
                        ))
                    }
                },
            });
        }
        Ok(BoundMatcher { clauses })
    }
}

impl BoundMatcher {
    /// A matcher that matches no one (for absent optional matchers).
    pub fn nobody() -> Self {
        BoundMatcher { clauses: vec![BoundClause::Id(Vec::new())] }
    }

    /// The users whose status (by `status_of`: the snapshot's, or the one after a plan)
    /// is `active` and who match: the holders a `[[deactivation.min_holders]]` rule counts.
    pub fn active_holders(
        &self,
        store: &Store,
        status_of: impl Fn(UserIx) -> Status + Sync,
    ) -> Vec<UserIx> {
        use rayon::prelude::*;
        (0..store.users.len() as u32)
            .into_par_iter()
            .map(UserIx)
            .filter(|&u| status_of(u) == Status::Active && self.matches(store, u))
            .collect()
    }

    /// Whether the user matches every clause.
    pub fn matches(&self, store: &Store, user: UserIx) -> bool {
        let u = store.user(user);
        self.clauses.iter().all(|c| match c {
            BoundClause::AsCompiled(Clause::Role(r)) => r.contains(&u.role()),
            BoundClause::AsCompiled(Clause::Status(s)) => s.contains(&u.status()),
            BoundClause::AsCompiled(Clause::Email(e)) => u.email().is_some_and(|m| {
                let m = crate::model::fold_email(m);
                e.iter().any(|x| *x == m)
            }),
            // `bind` keeps no other clause as compiled.
            BoundClause::AsCompiled(_) => false,
            BoundClause::Flags(f) => u.flags().any(|x| f.contains(&x)),
            BoundClause::Permissions { roles, syms } => {
                roles.get(u.role().index()).copied().unwrap_or(false)
                    || u.permissions().any(|x| syms.contains(&x))
            }
            BoundClause::Teams(t) => u.teams().any(|m| m.ix().is_some_and(|ix| t.contains(&ix))),
            BoundClause::Id(ids) => ids.contains(&user),
            BoundClause::Attribute { name, values } => {
                u.attribute(*name).is_some_and(|v| values.iter().any(|x| x == v))
            }
        })
    }
}
