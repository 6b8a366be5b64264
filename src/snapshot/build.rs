//! Row -> model conversion shared by the CSV and JSON loaders.
//!
//! A loader hands over one row at a time as cells by field; the builder parses and checks
//! them (times, integers, booleans, roles, statuses) and, once every row is in, resolves
//! ids into dense indices and builds the adjacency lists.

use super::mapping::{Reading, TimeFormat};
use super::{
    Account, Adjacency, IdMap, Interner, Link, Records, Store, Sym, Team, TeamIx, User, UserIx,
};
use crate::diag::quote;
use crate::fields::UserField as F;
use crate::time::{parse_time, Time, TIME_HINT};
use std::path::PathBuf;

/// The standard columns of `teams.csv`.
pub const TEAM_COLUMNS: [&str; 3] = ["id", "name", "leader_id"];
/// The standard columns of `records.csv`.
pub const RECORD_COLUMNS: [&str; 4] = ["id", "kind", "owner_id", "state"];

/// The columns of `blocked_emails.csv`.
pub const BLOCKED_EMAIL_COLUMNS: [&str; 1] = ["email"];

/// Required team columns.
pub const TEAM_REQUIRED: [&str; 1] = ["id"];
/// Required record columns.
pub const RECORD_REQUIRED: [&str; 4] = ["id", "kind", "owner_id", "state"];

/// One cell as a loader sees it.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    /// A scalar (CSV cells are always this; `;` separates list items).
    Text(&'a str),
    /// A JSON array of strings.
    List(&'a [String]),
}

/// A bad cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The column.
    pub field: String,
    /// What is wrong.
    pub message: String,
    /// What would fix it.
    pub help: String,
}

impl FieldError {
    fn new(field: &str, message: String, help: impl Into<String>) -> Self {
        FieldError { field: field.to_owned(), message, help: help.into() }
    }
}

/// Symbols at or above this value in a [`RecordChunk`] are its own new strings.
const NEW_SYM: u32 = 1 << 31;

/// Records parsed from one chunk of a file, not yet in the store, so that chunks can be
/// parsed in parallel and appended in file order.
#[derive(Debug, Default)]
pub struct RecordChunk {
    records: Records,
    lines: Vec<u32>,
    /// Kinds and states the store had not interned when the chunk was parsed.
    new_symbols: Vec<Box<str>>,
    /// Owner ids not yet looked up, back to back, and (row, end offset) for each.
    owner_ids: String,
    owners: Vec<(u32, u32)>,
}

impl RecordChunk {
    /// An empty chunk with room for about `rows` records of `bytes` bytes of ids.
    pub fn with_capacity(rows: usize, bytes: usize) -> Self {
        RecordChunk {
            records: Records::with_capacity(rows, bytes),
            lines: Vec::with_capacity(rows),
            new_symbols: Vec::new(),
            owner_ids: String::with_capacity(bytes),
            owners: Vec::with_capacity(rows),
        }
    }

    fn symbol(&mut self, symbols: &Interner, s: &str) -> Sym {
        if let Some(sym) = symbols.get(s) {
            return sym;
        }
        let k = match self.new_symbols.iter().position(|n| **n == *s) {
            Some(k) => k,
            None => {
                self.new_symbols.push(s.into());
                self.new_symbols.len() - 1
            }
        };
        Sym(NEW_SYM + k as u32)
    }
}

fn too_many_record_ids() -> FieldError {
    FieldError::new(
        "id",
        format!("the record ids add up to more than {} bytes", super::records::MAX_ID_BYTES),
        "split the snapshot into smaller accounts",
    )
}

/// One user row, checked and converted but not yet in the store: what can be done in
/// parallel. Flags, permissions and attribute names are interned, and the id checked for
/// repeats, by [`StoreBuilder::push_user`].
#[derive(Debug)]
pub struct UserRow {
    id: Box<str>,
    /// `None` when the role or the status is missing or unknown (`errors` says which).
    user: Option<User>,
    flags: Vec<Box<str>>,
    permissions: Vec<Box<str>>,
    attributes: Vec<(Box<str>, Box<str>)>,
    errors: Vec<FieldError>,
}

impl UserRow {
    /// The length of the row's id in bytes.
    pub fn id_len(&self) -> usize {
        self.id.len()
    }
}

/// Gathers rows, then builds the [`Store`].
pub struct StoreBuilder<'p> {
    reading: Reading<'p>,
    symbols: Interner,
    attribute_names: Vec<Sym>,
    users: Vec<User>,
    user_by_id: IdMap,
    user_lines: Vec<u64>,
    teams: Vec<Team>,
    team_by_id: IdMap,
    team_lines: Vec<u64>,
    records: Records,
    record_lines: Vec<u32>,
    /// `taken_at`.
    pub taken_at: Option<Time>,
    /// `[account].seats`.
    pub seats: Option<u64>,
    /// `[account].owner`.
    pub owner: Option<Box<str>>,
    blocked_emails: std::collections::HashSet<Box<str>>,
}

/// A scalar cell, trimmed; empty = absent.
fn text<'a>(cell: Option<Cell<'a>>, field: &str) -> Result<Option<&'a str>, FieldError> {
    match cell {
        None => Ok(None),
        Some(Cell::Text(t)) => {
            let t = t.trim();
            Ok((!t.is_empty()).then_some(t))
        }
        Some(Cell::List(_)) => Err(FieldError::new(
            field,
            "is a list, expected a single value".to_owned(),
            "write one value",
        )),
    }
}

/// A list cell: `;`-separated text or an array; items trimmed, empty items dropped.
fn list<'a>(cell: Option<Cell<'a>>) -> Vec<&'a str> {
    match cell {
        None => Vec::new(),
        Some(Cell::Text(t)) => t.split(';').map(str::trim).filter(|s| !s.is_empty()).collect(),
        Some(Cell::List(items)) => {
            items.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect()
        }
    }
}

fn time(
    cell: Option<Cell<'_>>,
    field: &str,
    format: Option<&TimeFormat>,
) -> Result<Option<Time>, FieldError> {
    let Some(t) = text(cell, field)? else { return Ok(None) };
    // The export's own format first (the common case for a mapped export), then the
    // standard forms, which stay accepted.
    if let Some(time) = format.and_then(|f| f.read(t)).or_else(|| parse_time(t)) {
        return Ok(Some(time));
    }
    let help = match format {
        None => TIME_HINT.to_owned(),
        Some(f) => format!(
            "expected `{}` from [snapshot.formats] (such as `{}`), RFC 3339 \
             (2026-11-02T08:15:00Z) or YYYY-MM-DD",
            f.text,
            f.example()
        ),
    };
    Err(FieldError::new(field, format!("{} is not a time", quote(t)), help))
}

fn count(cell: Option<Cell<'_>>, field: &str) -> Result<u32, FieldError> {
    match text(cell, field)? {
        None => Ok(0),
        Some(t) => t.parse::<u32>().map_err(|_| {
            FieldError::new(
                field,
                format!("{} is not a count", quote(t)),
                "write a whole number from 0 to 4294967295, or leave the cell empty for 0",
            )
        }),
    }
}

/// Parses the boolean spellings `true/false/yes/no/y/n/1/0`, any case.
pub fn parse_bool(t: &str) -> Option<bool> {
    match t.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "1" => Some(true),
        "false" | "no" | "n" | "0" => Some(false),
        _ => None,
    }
}

fn boolean(cell: Option<Cell<'_>>, field: &str) -> Result<bool, FieldError> {
    match text(cell, field)? {
        None => Ok(false),
        Some(t) => parse_bool(t).ok_or_else(|| {
            FieldError::new(
                field,
                format!("{} is not a yes/no value", quote(t)),
                "write true/false, yes/no, y/n or 1/0 (any case), or leave the cell empty",
            )
        }),
    }
}

fn boxed(s: Option<&str>) -> Option<Box<str>> {
    s.map(Box::from)
}

/// The cells of a record row: (id, kind, owner, state).
type RecordCells<'a> = (&'a str, &'a str, Option<&'a str>, &'a str);

/// Checks the cells of a record row.
fn check_record<'a>(
    cell: impl Fn(usize) -> Option<Cell<'a>>,
) -> Result<RecordCells<'a>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut get = |i: usize, field: &str| {
        text(cell(i), field).unwrap_or_else(|e| {
            errors.push(e);
            None
        })
    };
    let id = get(0, "id");
    let kind = get(1, "kind");
    let owner = get(2, "owner_id");
    let state = get(3, "state");
    for (value, field, help) in [
        (id, "id", "every record needs an id"),
        (kind, "kind", "write the record kind, such as `opportunity` or `contact`"),
        (state, "state", "write the record state, such as `open` or `closed`"),
    ] {
        if value.is_none() {
            errors.push(FieldError::new(field, "is empty".to_owned(), help));
        }
    }
    match (id, kind, state, errors.is_empty()) {
        (Some(id), Some(kind), Some(state), true) => Ok((id, kind, owner, state)),
        _ => Err(errors),
    }
}

impl<'p> StoreBuilder<'p> {
    /// A builder that resolves roles and statuses with `reading`.
    pub fn new(reading: Reading<'p>) -> Self {
        // Record kinds and states the policy names are interned up front, so that parallel
        // parsing rarely meets a new one.
        let mut symbols = Interner::default();
        for name in reading.names {
            symbols.intern(name);
        }
        StoreBuilder {
            reading,
            symbols,
            attribute_names: Vec::new(),
            users: Vec::new(),
            user_by_id: IdMap::default(),
            user_lines: Vec::new(),
            teams: Vec::new(),
            team_by_id: IdMap::default(),
            team_lines: Vec::new(),
            records: Records::default(),
            record_lines: Vec::new(),
            taken_at: None,
            seats: None,
            owner: None,
            blocked_emails: std::collections::HashSet::new(),
        }
    }

    /// How the policy says to read the export.
    pub fn input(&self) -> &'p super::mapping::Input {
        self.reading.input
    }

    /// Whether the policy has a rule that reads last logins ([idle]).
    pub fn needs_last_login(&self) -> bool {
        self.reading.needs_last_login
    }

    /// Registers an extra user column (so a matcher may name it even when all cells are empty).
    pub fn attribute_column(&mut self, name: &str) {
        let sym = self.symbols.intern(name);
        if !self.attribute_names.contains(&sym) {
            self.attribute_names.push(sym);
        }
    }

    /// Adds one user row. `cell(i)` returns the cell of [`crate::fields::USER_COLUMNS`]`[i]`.
    pub fn add_user<'a>(
        &mut self,
        cell: impl Fn(usize) -> Option<Cell<'a>>,
        attributes: &[(&'a str, Cell<'a>)],
        line: u64,
    ) -> Result<(), Vec<FieldError>> {
        let row = self.parse_user(cell, attributes);
        self.push_user(row, line)
    }

    /// Checks and converts one user row without changing the builder, so that chunks of a
    /// file can be parsed in parallel; [`Self::push_user`] then adds it.
    pub fn parse_user<'a>(
        &self,
        cell: impl Fn(usize) -> Option<Cell<'a>>,
        attributes: &[(&'a str, Cell<'a>)],
    ) -> UserRow {
        let mut errors = Vec::new();
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
        let field = |f: F| cell(f as usize);
        let id = take!(text(field(F::Id), "id"), None);
        let role_text = take!(text(field(F::Role), "role"), None);
        let status_text = take!(text(field(F::Status), "status"), None);
        let id = match id {
            Some(id) => id,
            None => {
                errors.push(FieldError::new("id", "is empty".to_owned(), "every user needs an id"));
                ""
            }
        };
        let role = match role_text {
            None => {
                errors.push(FieldError::new(
                    "role",
                    "is empty".to_owned(),
                    format!("every user needs a role; {}", self.reading.roles.known()),
                ));
                None
            }
            Some(r) => {
                let role = self.reading.roles.resolve(r);
                if role.is_none() {
                    errors.push(FieldError::new(
                        "role",
                        format!("unknown role {}", quote(r)),
                        format!(
                            "{}; add it to the policy's [roles] order or aliases",
                            self.reading.roles.known()
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
                    format!("every user needs a status; {}", self.reading.statuses.known()),
                ));
                None
            }
            Some(s) => {
                let status = self.reading.statuses.resolve(s);
                if status.is_none() {
                    errors.push(FieldError::new(
                        "status",
                        format!("unknown status {}", quote(s)),
                        format!(
                            "{}; map it with [statuses] aliases in the policy",
                            self.reading.statuses.known()
                        ),
                    ));
                }
                status
            }
        };
        let email = take!(text(field(F::Email), "email"), None);
        let name = take!(text(field(F::Name), "name"), None);
        let phone = take!(text(field(F::Phone), "phone"), None);
        let manager = take!(text(field(F::ManagerId), "manager_id"), None);
        let teams = list(field(F::Teams));
        let flags = list(field(F::Flags));
        let permissions = list(field(F::Permissions));
        let formats = &self.reading.input.formats;
        let when = |f: F| time(field(f), f.name(), formats.for_field(f.name()));
        let last_login_at = take!(when(F::LastLoginAt), None);
        let invited_at = take!(when(F::InvitedAt), None);
        let activated_at = take!(when(F::ActivatedAt), None);
        let notified_at = take!(when(F::NotifiedAt), None);
        let invite_resends = take!(count(field(F::InviteResends), "invite_resends"), 0);
        let failed_logins = take!(count(field(F::FailedLogins), "failed_logins"), 0);
        let locked = take!(boolean(field(F::Locked), "locked"), false);
        let locked_at = take!(when(F::LockedAt), None);
        let mut attrs = Vec::new();
        for (column, value) in attributes {
            match text(Some(*value), column) {
                Ok(Some(v)) => attrs.push((*column, v)),
                Ok(None) => {}
                Err(e) => errors.push(e),
            }
        }
        let user = match (role, status) {
            (Some(role), Some(status)) => Some(User {
                id: Box::default(),
                email: boxed(email),
                name: boxed(name),
                phone: boxed(phone),
                role,
                status,
                manager: manager.map_or(Link::None, |m| Link::Dangling(m.into())),
                teams: teams.into_iter().map(|t| Link::Dangling(t.into())).collect(),
                flags: Vec::new(),
                permissions: Vec::new(),
                last_login_at,
                invited_at,
                activated_at,
                notified_at,
                invite_resends,
                failed_logins,
                locked,
                locked_at,
                attributes: Vec::new(),
            }),
            _ => None,
        };
        UserRow {
            id: id.into(),
            user,
            flags: flags.into_iter().map(Box::from).collect(),
            permissions: permissions.into_iter().map(Box::from).collect(),
            attributes: attrs.into_iter().map(|(c, v)| (Box::from(c), Box::from(v))).collect(),
            errors,
        }
    }

    /// Makes room for `rows` more users with about `id_bytes` bytes of ids.
    pub fn reserve_users(&mut self, rows: usize, id_bytes: usize) {
        self.users.reserve(rows);
        self.user_lines.reserve(rows);
        self.user_by_id.reserve(rows, id_bytes);
    }

    /// Adds a parsed user row, first checking that its id is new. Rows must be pushed in
    /// file order (the first of two rows with one id is the one kept).
    pub fn push_user(&mut self, row: UserRow, line: u64) -> Result<(), Vec<FieldError>> {
        let UserRow { id, user, flags, permissions, attributes, mut errors } = row;
        if !id.is_empty() {
            if let Some(first) = self.user_by_id.get(&id) {
                let first_line = self.user_lines.get(first as usize).copied().unwrap_or(0);
                errors.insert(
                    0,
                    FieldError::new(
                        "id",
                        format!("duplicate user id {} (first on line {first_line})", quote(&id)),
                        "user ids must be unique; merge or rename one of the rows",
                    ),
                );
            }
        }
        let (Some(mut user), true) = (user, errors.is_empty()) else {
            return Err(errors);
        };
        // Checked above: the id is new, so its index is the next user's.
        let inserted = self.user_by_id.insert(&id);
        debug_assert_eq!(inserted, Ok(self.users.len() as u32));
        self.user_lines.push(line);
        user.id = id;
        user.flags = flags.iter().map(|f| self.symbols.intern(f)).collect();
        user.permissions = permissions.iter().map(|p| self.symbols.intern(p)).collect();
        user.attributes = attributes
            .into_iter()
            .map(|(column, v)| {
                self.attribute_column(&column);
                (self.symbols.intern(&column), v)
            })
            .collect();
        self.users.push(user);
        Ok(())
    }

    /// Adds one team row. `cell(i)` returns the cell of [`TEAM_COLUMNS`]`[i]`.
    pub fn add_team<'a>(
        &mut self,
        cell: impl Fn(usize) -> Option<Cell<'a>>,
        line: u64,
    ) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let id = text(cell(0), "id").unwrap_or_else(|e| {
            errors.push(e);
            None
        });
        let name = text(cell(1), "name").unwrap_or_else(|e| {
            errors.push(e);
            None
        });
        let leader = text(cell(2), "leader_id").unwrap_or_else(|e| {
            errors.push(e);
            None
        });
        match id {
            None => {
                errors.push(FieldError::new("id", "is empty".to_owned(), "every team needs an id"))
            }
            Some(id) => {
                if let Some(first) = self.team_by_id.get(id) {
                    let first_line = self.team_lines.get(first as usize).copied().unwrap_or(0);
                    errors.push(FieldError::new(
                        "id",
                        format!("duplicate team id {} (first on line {first_line})", quote(id)),
                        "team ids must be unique",
                    ));
                }
            }
        }
        let (Some(id), true) = (id, errors.is_empty()) else {
            return Err(errors);
        };
        let inserted = self.team_by_id.insert(id);
        debug_assert_eq!(inserted, Ok(self.teams.len() as u32));
        self.team_lines.push(line);
        self.teams.push(Team {
            id: id.into(),
            name: boxed(name),
            leader: leader.map_or(Link::None, |l| Link::Dangling(l.into())),
        });
        Ok(())
    }

    /// Adds one record row. `cell(i)` returns the cell of [`RECORD_COLUMNS`]`[i]`.
    pub fn add_record<'a>(
        &mut self,
        cell: impl Fn(usize) -> Option<Cell<'a>>,
        line: u64,
    ) -> Result<(), Vec<FieldError>> {
        let (id, kind, owner, state) = check_record(cell)?;
        let owner = self.owner(owner);
        let (kind, state) = (self.symbols.intern(kind), self.symbols.intern(state));
        self.records.push(id, kind, state, owner).map_err(|_| vec![too_many_record_ids()])?;
        self.record_lines.push(u32::try_from(line).unwrap_or(u32::MAX));
        Ok(())
    }

    fn owner<'a>(&self, owner: Option<&'a str>) -> Link<UserIx, &'a str> {
        match owner {
            None => Link::None,
            Some(o) => self.user_by_id.get(o).map_or(Link::Dangling(o), |ix| Link::To(UserIx(ix))),
        }
    }

    /// Checks and converts one record row into `chunk`, without changing the builder, so
    /// that chunks of a file can be parsed in parallel. Users must be loaded first (owners
    /// resolve here).
    pub fn parse_record<'a>(
        &self,
        cell: impl Fn(usize) -> Option<Cell<'a>>,
        line: u64,
        chunk: &mut RecordChunk,
    ) -> Result<(), Vec<FieldError>> {
        let (id, kind, owner, state) = check_record(cell)?;
        let kind = chunk.symbol(&self.symbols, kind);
        let state = chunk.symbol(&self.symbols, state);
        let row = chunk.records.len() as u32;
        chunk.records.push(id, kind, state, Link::None).map_err(|_| vec![too_many_record_ids()])?;
        if let Some(owner) = owner {
            chunk.owner_ids.push_str(owner);
            let end =
                u32::try_from(chunk.owner_ids.len()).map_err(|_| vec![too_many_record_ids()])?;
            chunk.owners.push((row, end));
        }
        chunk.lines.push(u32::try_from(line).unwrap_or(u32::MAX));
        Ok(())
    }

    /// Looks up the owners of a parsed chunk. A separate tight loop rather than one lookup
    /// per parsed row: the lookups are independent cache misses into the user table, and
    /// the processor overlaps them only when little else happens between them.
    pub fn resolve_owners(&self, chunk: &mut RecordChunk) {
        let mut start = 0;
        for &(row, end) in &chunk.owners {
            let id = chunk.owner_ids.get(start as usize..end as usize).unwrap_or_default();
            chunk.records.set_owner(row, self.owner(Some(id)));
            start = end;
        }
        chunk.owner_ids = String::new();
        chunk.owners = Vec::new();
    }

    /// Appends a parsed chunk, after the records already in.
    pub fn push_records(&mut self, chunk: RecordChunk) -> Result<(), FieldError> {
        let RecordChunk { records, lines, new_symbols, .. } = chunk;
        let new: Vec<Sym> = new_symbols.iter().map(|s| self.symbols.intern(s)).collect();
        let sym = |s: Sym| match s.0.checked_sub(NEW_SYM) {
            Some(k) => new.get(k as usize).copied().unwrap_or(s),
            None => s,
        };
        self.records.append(records, sym).map_err(|_| too_many_record_ids())?;
        self.record_lines.extend(lines);
        Ok(())
    }

    /// Record ids that appear more than once: (line of the repeat, error), in file order.
    /// Checked once all rows are in, so that loading allocates nothing per record.
    pub fn duplicate_records(&self) -> Vec<(u64, FieldError)> {
        let line =
            |r: super::RecordIx| u64::from(self.record_lines.get(r.index()).copied().unwrap_or(0));
        self.records
            .duplicates()
            .into_iter()
            .map(|(first, repeat)| {
                let id = self.records.get(repeat).id;
                let message =
                    format!("duplicate record id {} (first on line {})", quote(id), line(first));
                (line(repeat), FieldError::new("id", message, "record ids must be unique"))
            })
            .collect()
    }

    /// Adds one row of `blocked_emails.csv` (an e-mail that may not sign up or be
    /// reactivated). `cell(0)` is the e-mail.
    pub fn add_blocked_email<'a>(
        &mut self,
        cell: impl Fn(usize) -> Option<Cell<'a>>,
        _line: u64,
    ) -> Result<(), Vec<FieldError>> {
        match text(cell(0), "email") {
            Ok(Some(e)) => {
                self.blocked_emails.insert(e.to_lowercase().into());
                Ok(())
            }
            Ok(None) => Ok(()),
            Err(e) => Err(vec![e]),
        }
    }

    /// Resolves every reference and builds the store.
    pub fn finish(self, source: PathBuf, sha256: String) -> Store {
        let StoreBuilder {
            mut users,
            user_by_id,
            mut teams,
            team_by_id,
            records,
            symbols,
            attribute_names,
            taken_at,
            seats,
            owner,
            blocked_emails,
            ..
        } = self;
        let resolve_user = |link: &mut Link<UserIx>| {
            if let Link::Dangling(id) = link {
                if let Some(ix) = user_by_id.get(id) {
                    *link = Link::To(UserIx(ix));
                }
            }
        };
        let mut reports = Vec::new();
        let mut members = Vec::new();
        for (i, u) in users.iter_mut().enumerate() {
            resolve_user(&mut u.manager);
            if let Link::To(m) = u.manager {
                reports.push((m.0, i as u32));
            }
            for t in &mut u.teams {
                if let Link::Dangling(id) = t {
                    if let Some(ix) = team_by_id.get(id) {
                        let ix = TeamIx(ix);
                        *t = Link::To(ix);
                        members.push((ix.0, i as u32));
                    }
                }
            }
        }
        let mut led = Vec::new();
        for (i, t) in teams.iter_mut().enumerate() {
            resolve_user(&mut t.leader);
            if let Link::To(l) = t.leader {
                led.push((l.0, i as u32));
            }
        }
        let mut account_owner = owner.map_or(Link::None, Link::Dangling);
        resolve_user(&mut account_owner);
        let n = users.len();
        members.sort_unstable();
        members.dedup();
        Store {
            source,
            sha256,
            taken_at,
            account: Account { seats, owner: account_owner },
            reports: Adjacency::build(n, &reports),
            members: Adjacency::build(teams.len(), &members),
            owned: Adjacency::group(n, records.owner_ixs()),
            led: Adjacency::build(n, &led),
            users,
            teams,
            records,
            symbols,
            attribute_names,
            blocked_emails,
            user_by_id,
            team_by_id,
        }
    }
}
