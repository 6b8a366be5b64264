//! Users as columns: every field of a million users lives in a few vectors (strings in
//! arenas, roles and statuses as small integers, flags and permissions as symbol lists,
//! times as integers, references packed in a `u32`), and [`User`] is a borrowed view of one
//! row. [`UserChunk`] is the same columns for the rows of one chunk of a file, parsed on
//! its own thread and appended in file order.

use super::cells::{self, Cell, FieldError};
use super::columns::{Full, Lists, PackedLink, Strings, Times, DANGLING, NO_LINK};
use super::mapping::Reading;
use super::{Interner, Link, Sym, TeamIx, UserIx};
use crate::diag::quote;
use crate::fields::UserField as F;
use crate::model::{RoleIx, Status};
use crate::time::Time;

/// The time fields, in the order of [`Users::times`].
const TIME_FIELDS: [F; 5] =
    [F::LastLoginAt, F::InvitedAt, F::ActivatedAt, F::NotifiedAt, F::LockedAt];

/// Every user of the snapshot, in file order, as columns.
#[derive(Debug, Clone, Default)]
pub struct Users {
    ids: Strings,
    emails: Strings,
    names: Strings,
    phones: Strings,
    roles: Vec<RoleIx>,
    statuses: Vec<Status>,
    /// Resolved by [`Users::resolve`]; empty before.
    managers: Vec<PackedLink>,
    /// Team references (resolved), per user.
    teams: Lists,
    /// Ids named by a manager or team reference that nothing has.
    dangling: Strings,
    flags: Lists,
    permissions: Lists,
    times: [Times; 5],
    invite_resends: Vec<u32>,
    failed_logins: Vec<u32>,
    locked: Vec<bool>,
    /// Extra columns, by name symbol, each with one value per user (empty: none).
    attribute_names: Vec<Sym>,
    attributes: Vec<Strings>,
    /// The position of each extra column.
    attribute_index: rustc_hash::FxHashMap<Sym, usize>,
}

/// One user, borrowed from [`Users`].
#[derive(Debug, Clone, Copy)]
pub struct User<'a> {
    users: &'a Users,
    i: usize,
}

impl Users {
    /// How many users.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// One user (indices come from the store, so they are in range).
    pub fn get(&self, ix: UserIx) -> User<'_> {
        User { users: self, i: ix.index() }
    }

    /// Every user, in file order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = User<'_>> + '_ {
        (0..self.len()).map(move |i| User { users: self, i })
    }

    /// The id column (the id table of the store points into its arena).
    pub(super) fn ids(&self) -> &Strings {
        &self.ids
    }

    /// The extra columns, in first-seen order.
    pub fn attribute_names(&self) -> &[Sym] {
        &self.attribute_names
    }

    /// Makes room for the rows of `others`, so that appending them never reallocates (a
    /// column that doubles as it grows copies itself and, for a moment, is there twice).
    pub(super) fn reserve_for(&mut self, others: &[&Users]) {
        let all = || others.iter().copied();
        self.ids.reserve_for(all().map(|u| &u.ids));
        self.emails.reserve_for(all().map(|u| &u.emails));
        self.names.reserve_for(all().map(|u| &u.names));
        self.phones.reserve_for(all().map(|u| &u.phones));
        let rows: usize = all().map(Users::len).sum();
        self.roles.reserve(rows);
        self.statuses.reserve(rows);
        self.flags.reserve_for(all().map(|u| &u.flags));
        self.permissions.reserve_for(all().map(|u| &u.permissions));
        for (k, times) in self.times.iter_mut().enumerate() {
            times.reserve_for(all().filter_map(|u| u.times.get(k)));
        }
        self.invite_resends.reserve(rows);
        self.failed_logins.reserve(rows);
        self.locked.reserve(rows);
    }

    /// Registers an extra column (so a matcher may name it even when all cells are empty).
    pub(super) fn attribute_column(&mut self, name: Sym) {
        if let std::collections::hash_map::Entry::Vacant(slot) = self.attribute_index.entry(name) {
            slot.insert(self.attribute_names.len());
            self.attribute_names.push(name);
            let mut column = Strings::default();
            for _ in 0..self.len() {
                let _ = column.push("");
            }
            self.attributes.push(column);
        }
    }

    /// Appends the rows of a chunk. Its flags, permissions and attribute names are its own
    /// symbols, re-interned here; its manager and team references stay unresolved.
    pub(super) fn append(
        &mut self,
        u: &Users,
        their_symbols: &Interner,
        symbols: &mut Interner,
    ) -> Result<(), Full> {
        let local: Vec<u32> = (0..their_symbols.len())
            .map(|k| symbols.intern(their_symbols.resolve(Sym(k as u32))).0)
            .collect();
        let remap = |s: u32| local.get(s as usize).copied().unwrap_or(s);
        let before = self.len();
        // Extra columns first, while the rows before this chunk are all there are: a new
        // column gets an empty value for each of them.
        for (k, name) in u.attribute_names.iter().enumerate() {
            let sym = Sym(remap(name.0));
            self.attribute_column(sym);
            let column = self.attribute_index.get(&sym).and_then(|&c| self.attributes.get_mut(c));
            if let (Some(column), Some(values)) = (column, u.attributes.get(k)) {
                column.append(values)?;
            }
        }
        self.ids.append(&u.ids)?;
        self.emails.append(&u.emails)?;
        self.names.append(&u.names)?;
        self.phones.append(&u.phones)?;
        self.roles.extend_from_slice(&u.roles);
        self.statuses.extend_from_slice(&u.statuses);
        self.flags.append(&u.flags, remap)?;
        self.permissions.append(&u.permissions, remap)?;
        for (mine, theirs) in self.times.iter_mut().zip(&u.times) {
            mine.append(theirs);
        }
        self.invite_resends.extend_from_slice(&u.invite_resends);
        self.failed_logins.extend_from_slice(&u.failed_logins);
        self.locked.extend_from_slice(&u.locked);
        // Columns this chunk does not have get empty values.
        let rows = self.len();
        for column in &mut self.attributes {
            while column.len() < rows {
                column.push("")?;
            }
        }
        debug_assert_eq!(self.roles.len(), before + u.len());
        Ok(())
    }

    /// Resolves the manager and team references of every user (in `raw`, by row) with the
    /// id tables; an id nothing has becomes a dangling reference.
    pub(super) fn resolve(
        &mut self,
        raw: &RawLinks,
        user_by_id: &super::idmap::IdMap,
        team_ix: impl Fn(&str) -> Option<TeamIx> + Sync,
    ) -> Result<(), Full> {
        use rayon::prelude::*;
        // The lookups are independent: on every thread; the dangling ids are numbered after,
        // in row order.
        let ids = &self.ids;
        let managers_found: Vec<Option<u32>> = (0..self.len())
            .into_par_iter()
            .map(|i| raw.managers.value(i).and_then(|m| user_by_id.get(ids, m)))
            .collect();
        let teams_found: Vec<Option<u32>> = (0..raw.team_ids.len())
            .into_par_iter()
            .map(|k| team_ix(raw.team_ids.get(k)).map(|t| t.0))
            .collect();
        let mut dangling = Strings::default();
        let mut keep = |id: &str| -> Result<PackedLink, Full> {
            dangling.push(id)?;
            Ok(DANGLING | (dangling.len() as u32 - 1))
        };
        let mut managers = Vec::with_capacity(self.len());
        for (i, found) in managers_found.into_iter().enumerate() {
            managers.push(match (raw.managers.value(i), found) {
                (None, _) => NO_LINK,
                (Some(_), Some(u)) => u,
                (Some(m), None) => keep(m)?,
            });
        }
        let mut teams = Lists::default();
        let mut links = Vec::new();
        for i in 0..self.len() {
            links.clear();
            for &t in raw.teams.get(i) {
                links.push(match teams_found.get(t as usize).copied().flatten() {
                    Some(team) => team,
                    None => keep(raw.team_ids.get(t as usize))?,
                });
            }
            teams.push(links.iter().copied())?;
        }
        self.managers = managers;
        self.teams = teams;
        self.dangling = dangling;
        Ok(())
    }

    fn link<T>(&self, value: PackedLink, make: fn(u32) -> T) -> Link<T, &str> {
        match value {
            NO_LINK => Link::None,
            v if v & DANGLING != 0 => Link::Dangling(self.dangling.get((v & !DANGLING) as usize)),
            v => Link::To(make(v)),
        }
    }
}

impl<'a> IntoIterator for &'a Users {
    type Item = User<'a>;
    type IntoIter = Box<dyn ExactSizeIterator<Item = User<'a>> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

impl<'a> User<'a> {
    /// The user's index in the store.
    pub fn ix(&self) -> UserIx {
        UserIx(self.i as u32)
    }

    /// `id`.
    pub fn id(&self) -> &'a str {
        self.users.ids.get(self.i)
    }

    /// `email`.
    pub fn email(&self) -> Option<&'a str> {
        self.users.emails.value(self.i)
    }

    /// `name`.
    pub fn name(&self) -> Option<&'a str> {
        self.users.names.value(self.i)
    }

    /// `phone`.
    pub fn phone(&self) -> Option<&'a str> {
        self.users.phones.value(self.i)
    }

    /// The name if known, else the id.
    pub fn display(&self) -> &'a str {
        self.name().unwrap_or_else(|| self.id())
    }

    /// `role`, resolved against the policy.
    pub fn role(&self) -> RoleIx {
        self.users.roles.get(self.i).copied().unwrap_or(RoleIx(0))
    }

    /// `status`, resolved against the policy's aliases.
    pub fn status(&self) -> Status {
        self.users.statuses.get(self.i).copied().unwrap_or(Status::Active)
    }

    /// `manager_id`.
    pub fn manager(&self) -> Link<UserIx, &'a str> {
        let v = self.users.managers.get(self.i).copied().unwrap_or(NO_LINK);
        self.users.link(v, UserIx)
    }

    /// `teams`, primary first.
    pub fn teams(&self) -> impl Iterator<Item = Link<TeamIx, &'a str>> + 'a {
        let users = self.users;
        users.teams.get(self.i).iter().map(move |&v| users.link(v, TeamIx))
    }

    /// Whether the user is in no team (not even one that does not exist).
    pub fn has_teams(&self) -> bool {
        !self.users.teams.get(self.i).is_empty()
    }

    /// The primary team, if the user is in one that exists.
    pub fn primary_team(&self) -> Option<TeamIx> {
        self.teams().next().and_then(|t| t.ix())
    }

    /// `flags`.
    pub fn flags(&self) -> impl Iterator<Item = Sym> + 'a {
        self.users.flags.get(self.i).iter().map(|&s| Sym(s))
    }

    /// `permissions` (on top of the role's).
    pub fn permissions(&self) -> impl Iterator<Item = Sym> + 'a {
        self.users.permissions.get(self.i).iter().map(|&s| Sym(s))
    }

    fn time(&self, k: usize) -> Option<Time> {
        self.users.times.get(k).and_then(|t| t.get(self.i))
    }

    /// `last_login_at`.
    pub fn last_login_at(&self) -> Option<Time> {
        self.time(0)
    }

    /// `invited_at`.
    pub fn invited_at(&self) -> Option<Time> {
        self.time(1)
    }

    /// `activated_at`.
    pub fn activated_at(&self) -> Option<Time> {
        self.time(2)
    }

    /// `notified_at`.
    pub fn notified_at(&self) -> Option<Time> {
        self.time(3)
    }

    /// `locked_at`.
    pub fn locked_at(&self) -> Option<Time> {
        self.time(4)
    }

    /// `invite_resends`.
    pub fn invite_resends(&self) -> u32 {
        self.users.invite_resends.get(self.i).copied().unwrap_or(0)
    }

    /// `failed_logins`.
    pub fn failed_logins(&self) -> u32 {
        self.users.failed_logins.get(self.i).copied().unwrap_or(0)
    }

    /// `locked`.
    pub fn locked(&self) -> bool {
        self.users.locked.get(self.i).copied().unwrap_or(false)
    }

    /// The value of an extra column.
    pub fn attribute(&self, name: Sym) -> Option<&'a str> {
        let k = *self.users.attribute_index.get(&name)?;
        self.users.attributes.get(k)?.value(self.i)
    }

    /// Every extra column with a value: (name, value).
    pub fn attributes(&self) -> impl Iterator<Item = (Sym, &'a str)> + 'a {
        let (users, i) = (self.users, self.i);
        users
            .attribute_names
            .iter()
            .zip(&users.attributes)
            .filter_map(move |(n, c)| Some((*n, c.value(i)?)))
    }
}

/// The manager and team ids of each row as written, until the id tables resolve them.
#[derive(Debug, Clone, Default)]
pub struct RawLinks {
    managers: Strings,
    team_ids: Strings,
    teams: Lists,
}

impl RawLinks {
    /// Makes room for the references of `others`.
    pub(super) fn reserve_for(&mut self, others: &[&RawLinks]) {
        let all = || others.iter().copied();
        self.managers.reserve_for(all().map(|r| &r.managers));
        self.team_ids.reserve_for(all().map(|r| &r.team_ids));
        self.teams.reserve_for(all().map(|r| &r.teams));
    }

    /// Appends the references of the rows of `other`.
    pub(super) fn append(&mut self, other: &RawLinks) -> Result<(), Full> {
        let base = self.team_ids.len() as u32;
        self.managers.append(&other.managers)?;
        self.team_ids.append(&other.team_ids)?;
        self.teams.append(&other.teams, |t| t + base)
    }
}

/// The rows of one chunk of a users file (or of a whole JSON or SCIM document), checked and
/// converted, with the ids of the rows that failed (to be checked for repeats too).
#[derive(Debug, Default)]
pub struct UserChunk {
    users: Users,
    raw: RawLinks,
    /// Flags, permissions and attribute names, as this chunk's own symbols.
    symbols: Interner,
    /// The line of each row kept.
    lines: Vec<u32>,
    /// The caller's key of each row kept (its line for a CSV file, its position in a JSON
    /// array), in increasing order.
    keys: Vec<u32>,
    /// Rows that failed their checks.
    rejected: Vec<Rejected>,
}

/// A row that failed its checks.
#[derive(Debug, Clone)]
pub struct Rejected {
    /// The caller's key of the row.
    pub key: u32,
    /// Its id, if it has one.
    pub id: Box<str>,
}

/// A chunk taken apart, for the store to adopt.
pub struct ChunkParts {
    /// The rows kept, as columns.
    pub users: Users,
    /// Their manager and team ids.
    pub raw: RawLinks,
    /// The chunk's own symbols.
    pub symbols: Interner,
    /// The line of each row kept.
    pub lines: Vec<u32>,
    /// The key of each row kept.
    pub keys: Vec<u32>,
    /// The rows that failed, by key.
    pub rejected: Vec<Rejected>,
}

/// What a user row holds once checked, borrowed from its cells.
struct Checked<'a> {
    id: &'a str,
    role: RoleIx,
    status: Status,
    email: Option<&'a str>,
    name: Option<&'a str>,
    phone: Option<&'a str>,
    manager: Option<&'a str>,
    times: [Option<Time>; 5],
    invite_resends: u32,
    failed_logins: u32,
    locked: bool,
}

impl UserChunk {
    /// The rows kept, as columns.
    pub(super) fn users(&self) -> &Users {
        &self.users
    }

    /// Their manager and team ids.
    pub(super) fn raw(&self) -> &RawLinks {
        &self.raw
    }

    /// Takes the chunk apart.
    pub fn into_parts(self) -> ChunkParts {
        let UserChunk { users, raw, symbols, lines, keys, rejected } = self;
        ChunkParts { users, raw, symbols, lines, keys, rejected }
    }

    /// Registers an extra column of this chunk.
    pub fn attribute_column(&mut self, name: &str) {
        let sym = self.symbols.intern(name);
        self.users.attribute_column(sym);
    }

    /// Checks and converts one row; `cell(field)` is the cell of a standard field, and
    /// `attributes` the extra columns with a cell. A row with a problem is not kept, and its
    /// problems are returned. `key` names the row to the caller (keys increase).
    pub fn push_row<'a>(
        &mut self,
        reading: &Reading<'_>,
        cell: impl Fn(F) -> Option<Cell<'a>>,
        attributes: &[(&'a str, Cell<'a>)],
        line: u64,
        key: u32,
    ) -> Result<(), Vec<FieldError>> {
        let line = u32::try_from(line).unwrap_or(u32::MAX);
        let mut errors = Vec::new();
        let checked = check(reading, &cell, &mut errors);
        for (column, value) in attributes {
            if let Err(e) = cells::text(Some(*value), column) {
                errors.push(e);
            }
        }
        let id = cells::text(cell(F::Id), "id").ok().flatten().unwrap_or_default();
        let Some(c) = checked.filter(|_| errors.is_empty()) else {
            self.rejected.push(Rejected { key, id: id.into() });
            return Err(errors);
        };
        if let Err(Full) = self.keep(&c, &cell, attributes) {
            self.rejected.push(Rejected { key, id: id.into() });
            return Err(vec![FieldError::new(
                "id",
                "the users add up to more than 4 GiB of text".to_owned(),
                "split the snapshot into smaller accounts",
            )]);
        }
        self.lines.push(line);
        self.keys.push(key);
        Ok(())
    }

    fn keep<'a>(
        &mut self,
        c: &Checked<'_>,
        cell: &impl Fn(F) -> Option<Cell<'a>>,
        attributes: &[(&'a str, Cell<'a>)],
    ) -> Result<(), Full> {
        let u = &mut self.users;
        // Extra cells before the row's id: a column first seen on this row gets an empty
        // value for every row before it, then this row's value.
        for (name, value) in attributes {
            if let Ok(Some(value)) = cells::text(Some(*value), name) {
                let sym = self.symbols.intern(name);
                u.attribute_column(sym);
                if let Some(column) =
                    u.attribute_index.get(&sym).and_then(|&k| u.attributes.get_mut(k))
                {
                    column.push(value)?;
                }
            }
        }
        let symbols = &mut self.symbols;
        u.ids.push(c.id)?;
        u.emails.push(c.email.unwrap_or(""))?;
        u.names.push(c.name.unwrap_or(""))?;
        u.phones.push(c.phone.unwrap_or(""))?;
        u.roles.push(c.role);
        u.statuses.push(c.status);
        u.flags.push(cells::list(cell(F::Flags)).map(|f| symbols.intern(f).0))?;
        u.permissions.push(cells::list(cell(F::Permissions)).map(|p| symbols.intern(p).0))?;
        for (column, t) in u.times.iter_mut().zip(c.times) {
            column.push(t);
        }
        u.invite_resends.push(c.invite_resends);
        u.failed_logins.push(c.failed_logins);
        u.locked.push(c.locked);
        let rows = u.ids.len();
        for column in &mut u.attributes {
            while column.len() < rows {
                column.push("")?;
            }
        }
        let raw = &mut self.raw;
        raw.managers.push(c.manager.unwrap_or(""))?;
        let first = raw.team_ids.len() as u32;
        let mut n = 0u32;
        for t in cells::list(cell(F::Teams)) {
            raw.team_ids.push(t)?;
            n += 1;
        }
        raw.teams.push(first..first + n)
    }
}

/// Checks the cells of a row, in the order problems are reported: the id, role and status
/// first, then every other field in column order.
fn check<'a>(
    reading: &Reading<'_>,
    cell: &impl Fn(F) -> Option<Cell<'a>>,
    errors: &mut Vec<FieldError>,
) -> Option<Checked<'a>> {
    macro_rules! take {
        ($e:expr, $default:expr) => {
            match $e {
                Ok(v) => v,
                Err(e) => {
                    errors.push(e);
                    $default
                }
            }
        };
    }
    let id = take!(cells::text(cell(F::Id), "id"), None);
    let role_text = take!(cells::text(cell(F::Role), "role"), None);
    let status_text = take!(cells::text(cell(F::Status), "status"), None);
    if id.is_none() {
        errors.push(FieldError::new("id", "is empty".to_owned(), "every user needs an id"));
    }
    let role = match role_text {
        None => {
            errors.push(FieldError::new(
                "role",
                "is empty".to_owned(),
                format!("every user needs a role; {}", reading.roles.known()),
            ));
            None
        }
        Some(r) => {
            let role = reading.roles.resolve(r);
            if role.is_none() {
                errors.push(FieldError::new(
                    "role",
                    format!("unknown role {}", quote(r)),
                    format!(
                        "{}; add it to the policy's [roles] order or aliases",
                        reading.roles.known_for(r)
                    ),
                ));
            }
            role
        }
    };
    let status = match status_text {
        None => {
            errors.push(FieldError::new(
                "status",
                "is empty".to_owned(),
                format!("every user needs a status; {}", reading.statuses.known()),
            ));
            None
        }
        Some(s) => {
            let status = reading.statuses.resolve(s);
            if status.is_none() {
                errors.push(FieldError::new(
                    "status",
                    format!("unknown status {}", quote(s)),
                    format!(
                        "{}; map it with [statuses] aliases in the policy",
                        reading.statuses.known_for(s)
                    ),
                ));
            }
            status
        }
    };
    let email = take!(cells::text(cell(F::Email), "email"), None);
    let name = take!(cells::text(cell(F::Name), "name"), None);
    // A column no rule reads is not kept (nor checked).
    let phone =
        if reading.needs_phone { take!(cells::text(cell(F::Phone), "phone"), None) } else { None };
    let manager = take!(cells::text(cell(F::ManagerId), "manager_id"), None);
    let formats = &reading.input.formats;
    let mut times = [None; 5];
    let mut time = |k: usize, errors: &mut Vec<FieldError>| {
        let field = TIME_FIELDS[k];
        let name = field.name();
        match cells::time(cell(field), name, formats.for_field(name)) {
            Ok(t) => times[k] = t,
            Err(e) => errors.push(e),
        }
    };
    for k in 0..4 {
        time(k, errors);
    }
    let invite_resends = take!(cells::count(cell(F::InviteResends), "invite_resends"), 0);
    let failed_logins = take!(cells::count(cell(F::FailedLogins), "failed_logins"), 0);
    let locked = take!(cells::boolean(cell(F::Locked), "locked"), false);
    time(4, errors);
    Some(Checked {
        id: id?,
        role: role?,
        status: status?,
        email,
        name,
        phone,
        manager,
        times,
        invite_resends,
        failed_logins,
        locked,
    })
}
