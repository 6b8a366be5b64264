//! Assembling the [`Store`] from what the loaders parsed: users arrive as chunks of rows
//! (in file order), teams and JSON records one row at a time, CSV records as parts parsed
//! on their own threads. Ids get dense indices here (a repeated id is an error naming
//! both lines), and once every row is in, references are resolved (anything unresolved
//! stays a dangling reference) and the adjacency lists built.

use super::cells::{self, check_record, Cell, FieldError};
use super::columns::Full;
use super::idmap::IdMap;
use super::mapping::Reading;
use super::records::{RecordPart, TooMany};
use super::teams::Teams;
use super::users::{RawLinks, UserChunk, Users};
use super::{Account, Adjacency, Interner, Link, RecordIx, Records, Store, Sym, TeamIx, UserIx};
use crate::diag::quote;
use rayon::prelude::*;
use std::path::PathBuf;

/// Gathers rows, then builds the [`Store`].
pub struct StoreBuilder<'r> {
    reading: Reading<'r>,
    symbols: Interner,
    users: Users,
    raw: RawLinks,
    user_lines: Vec<u32>,
    user_by_id: IdMap,
    teams: Teams,
    team_lines: Vec<u32>,
    team_by_id: IdMap,
    records: Records,
    /// Records added one row at a time (JSON), pushed as one part before they are used.
    part: RecordPart,
    /// The line of each record added one row at a time.
    record_lines: Vec<u32>,
    /// `taken_at`.
    pub taken_at: Option<crate::time::Time>,
    /// `[account].seats`.
    pub seats: Option<u64>,
    /// `[account].owner`.
    pub owner: Option<Box<str>>,
    blocked_emails: std::collections::HashSet<Box<str>>,
    /// Notes for the store ([`Store::notes`]).
    pub notes: Vec<String>,
    /// [`Store::scim_status_extension`].
    pub scim_status_extension: bool,
}

/// What a thread parsing records needs of the builder: the symbols known so far and the
/// user ids, to resolve owners.
#[derive(Clone, Copy)]
pub struct RecordContext<'b> {
    symbols: &'b Interner,
    users: &'b Users,
    user_by_id: &'b IdMap,
}

impl RecordContext<'_> {
    /// The symbol of a kind or state the store has already interned.
    pub fn known(&self, s: &str) -> Option<Sym> {
        self.symbols.get(s)
    }

    /// Resolves the owners of a batch of record rows into `out`.
    pub fn owners<'k>(
        &self,
        owners: impl IntoIterator<Item = &'k str>,
        out: &mut Vec<Option<u32>>,
    ) {
        self.user_by_id.get_many(self.users.ids(), owners, out);
    }
}

/// How many rows ahead of the one entering the id table its slot is fetched.
const PREFETCH_AHEAD: usize = 8;

fn too_big(what: &str) -> FieldError {
    FieldError::new(
        "id",
        format!("the {what} add up to more than 4 GiB"),
        "split the snapshot into smaller accounts",
    )
}

/// The problem of a part that cannot be added.
pub fn too_many(e: TooMany) -> FieldError {
    match e {
        TooMany::Bytes => too_big("record ids"),
        TooMany::Classes => FieldError::new(
            "kind",
            format!(
                "the records have more than {} distinct (kind, state) pairs",
                super::records::MAX_CLASSES
            ),
            "kinds and states name categories (`opportunity`, `open`); put free text in \
             other columns",
        ),
    }
}

impl<'r> StoreBuilder<'r> {
    /// A builder that resolves roles and statuses with `reading`.
    pub fn new(reading: Reading<'r>) -> Self {
        // Record kinds and states the policy names are interned up front, so that parallel
        // parsing rarely meets a new one.
        let mut symbols = Interner::default();
        for name in reading.names {
            symbols.intern(name);
        }
        StoreBuilder {
            reading,
            symbols,
            users: Users::default(),
            raw: RawLinks::default(),
            user_lines: Vec::new(),
            user_by_id: IdMap::default(),
            teams: Teams::default(),
            team_lines: Vec::new(),
            team_by_id: IdMap::default(),
            records: Records::default(),
            part: RecordPart::default(),
            record_lines: Vec::new(),
            taken_at: None,
            seats: None,
            owner: None,
            blocked_emails: std::collections::HashSet::new(),
            notes: Vec::new(),
            scim_status_extension: false,
        }
    }

    /// How the snapshot is read.
    pub fn reading(&self) -> Reading<'r> {
        self.reading
    }

    /// How the policy says to read the export.
    pub fn input(&self) -> &'r super::mapping::Input {
        self.reading.input
    }

    /// Whether the policy has a rule that reads last logins ([idle]).
    pub fn needs_last_login(&self) -> bool {
        self.reading.needs_last_login
    }

    /// Registers an extra user column (so a matcher may name it even when all cells are empty).
    pub fn attribute_column(&mut self, name: &str) {
        let sym = self.symbols.intern(name);
        self.users.attribute_column(sym);
    }

    /// Makes room for the users of `chunks`, so that joining them never reallocates.
    pub fn reserve_users(&mut self, chunks: &[UserChunk]) {
        let users: Vec<&Users> = chunks.iter().map(UserChunk::users).collect();
        self.users.reserve_for(&users);
        let raw: Vec<&RawLinks> = chunks.iter().map(UserChunk::raw).collect();
        self.raw.reserve_for(&raw);
        self.user_lines.reserve(users.iter().map(|u| u.len()).sum());
        if self.user_by_id.is_empty() {
            let rows = self.users.len() + users.iter().map(|u| u.len()).sum::<usize>();
            self.user_by_id = IdMap::with_capacity(rows);
        }
    }

    /// Adds the rows of a chunk, after the users already in, and gives their ids dense
    /// indices. Returns the repeated ids, with the key of their row, in row order (a row
    /// that failed its own checks is checked against the ids before it too).
    pub fn push_users(&mut self, chunk: UserChunk) -> Vec<(u32, FieldError)> {
        let mut problems = Vec::new();
        let first = self.users.len();
        let parts = chunk.into_parts();
        let appended = self.users.append(&parts.users, &parts.symbols, &mut self.symbols);
        if let Err(Full) = appended.and_then(|()| self.raw.append(&parts.raw)) {
            problems.push((parts.keys.first().copied().unwrap_or(0), too_big("users")));
            return problems;
        }
        // Kept rows and rejected rows, in row order.
        let mut rejected = parts.rejected.iter().peekable();
        let repeat = |id: &str, first: u32| {
            FieldError::new(
                "id",
                format!("duplicate user id {} (first on line {first})", quote(id)),
                "user ids must be unique; merge or rename one of the rows",
            )
        };
        for (k, (&line, &key)) in parts.lines.iter().zip(&parts.keys).enumerate() {
            while let Some(r) = rejected.next_if(|r| r.key < key) {
                if let Some(first) = self.user_by_id.get(self.users.ids(), &r.id) {
                    let at = self.user_lines.get(first as usize).copied().unwrap_or(0);
                    problems.push((r.key, repeat(&r.id, at)));
                }
            }
            let row = first + k;
            self.user_by_id.prefetch_row(self.users.ids(), row + PREFETCH_AHEAD);
            match self.user_by_id.insert(self.users.ids(), row) {
                Ok(_) => {}
                Err(existing) => {
                    let id = self.users.ids().get(row);
                    let at = self.user_lines.get(existing as usize).copied().unwrap_or(0);
                    problems.push((key, repeat(id, at)));
                }
            }
            self.user_lines.push(line);
        }
        for r in rejected {
            if let Some(first) = self.user_by_id.get(self.users.ids(), &r.id) {
                let at = self.user_lines.get(first as usize).copied().unwrap_or(0);
                problems.push((r.key, repeat(&r.id, at)));
            }
        }
        problems
    }

    /// Adds one team row. `cell(i)` returns the cell of [`cells::TEAM_COLUMNS`]`[i]`.
    pub fn add_team<'a>(
        &mut self,
        cell: impl Fn(usize) -> Option<Cell<'a>>,
        line: u64,
    ) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut get = |i: usize, field: &str| {
            cells::text(cell(i), field).unwrap_or_else(|e| {
                errors.push(e);
                None
            })
        };
        let id = get(0, "id");
        let name = get(1, "name");
        let leader = get(2, "leader_id");
        match id {
            None => {
                errors.push(FieldError::new("id", "is empty".to_owned(), "every team needs an id"))
            }
            Some(id) => {
                if let Some(first) = self.team_by_id.get(self.teams.ids(), id) {
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
        self.teams.push(id, name, leader).map_err(|_| vec![too_big("teams")])?;
        let row = self.teams.len() - 1;
        let inserted = self.team_by_id.insert(self.teams.ids(), row);
        debug_assert_eq!(inserted, Ok(row as u32));
        self.team_lines.push(u32::try_from(line).unwrap_or(u32::MAX));
        Ok(())
    }

    /// What threads parsing records need (users must be in: owners resolve there).
    pub fn record_context(&self) -> RecordContext<'_> {
        RecordContext { symbols: &self.symbols, users: &self.users, user_by_id: &self.user_by_id }
    }

    /// Adds one record row (the JSON loader). `cell(i)` returns the cell of
    /// [`cells::RECORD_COLUMNS`]`[i]`.
    pub fn add_record<'a>(
        &mut self,
        cell: impl Fn(usize) -> Option<Cell<'a>>,
        line: u64,
    ) -> Result<(), Vec<FieldError>> {
        let (id, kind, owner, state) = check_record(cell)?;
        let owner = match owner {
            None => Link::None,
            Some(o) => self
                .user_by_id
                .get(self.users.ids(), o)
                .map_or(Link::Dangling(o), |ix| Link::To(UserIx(ix))),
        };
        let symbols = &self.symbols;
        let kind = self.part.symbol(&|s: &str| symbols.get(s), kind);
        let state = self.part.symbol(&|s: &str| symbols.get(s), state);
        self.part.push(id, kind, state, owner).map_err(|e| vec![too_many(e)])?;
        self.record_lines.push(u32::try_from(line).unwrap_or(u32::MAX));
        Ok(())
    }

    /// Appends a parsed part, after the records already in.
    pub fn push_records(&mut self, part: RecordPart) -> Result<(), FieldError> {
        self.flush_records()?;
        let symbols = &mut self.symbols;
        self.records.push(part, |s| symbols.intern(s)).map_err(too_many)
    }

    fn flush_records(&mut self) -> Result<(), FieldError> {
        if self.part.is_empty() {
            return Ok(());
        }
        let part = std::mem::take(&mut self.part);
        let symbols = &mut self.symbols;
        self.records.push(part, |s| symbols.intern(s)).map_err(too_many)
    }

    /// Record ids that appear more than once: (first, repeat, error), by repeat. Checked
    /// once all rows are in, so that loading allocates nothing per record.
    pub fn duplicate_records(
        &mut self,
    ) -> Result<Vec<(RecordIx, RecordIx, FieldError)>, FieldError> {
        self.flush_records()?;
        Ok(self
            .records
            .duplicates()
            .into_iter()
            .map(|(first, repeat)| {
                let id = self.records.get(repeat).id;
                let message = format!("duplicate record id {}", quote(id));
                (first, repeat, FieldError::new("id", message, "record ids must be unique"))
            })
            .collect())
    }

    /// The line of a record added one row at a time.
    pub fn record_line(&self, record: RecordIx) -> Option<u64> {
        self.record_lines.get(record.index()).map(|l| u64::from(*l))
    }

    /// Adds one row of `blocked_emails.csv` (an e-mail that may not sign up or be
    /// reactivated). `cell(0)` is the e-mail.
    pub fn add_blocked_email<'a>(
        &mut self,
        cell: impl Fn(usize) -> Option<Cell<'a>>,
        _line: u64,
    ) -> Result<(), Vec<FieldError>> {
        match cells::text(cell(0), "email") {
            Ok(Some(e)) => {
                self.blocked_emails.insert(crate::model::fold_email(e).into());
                Ok(())
            }
            Ok(None) => Ok(()),
            Err(e) => Err(vec![e]),
        }
    }

    /// Resolves every reference and builds the store.
    pub fn finish(mut self, source: PathBuf, sha256: String) -> Result<Store, FieldError> {
        self.flush_records()?;
        let StoreBuilder {
            mut users,
            raw,
            user_by_id,
            mut teams,
            team_by_id,
            mut records,
            symbols,
            taken_at,
            seats,
            owner,
            blocked_emails,
            notes,
            scim_status_extension,
            ..
        } = self;
        let user_ix = |id: &str| user_by_id.get(users.ids(), id).map(UserIx);
        teams.resolve(user_ix).map_err(|_| too_big("team leaders"))?;
        let mut account_owner: Link<UserIx, Box<str>> = owner.map_or(Link::None, Link::Dangling);
        if let Link::Dangling(id) = &account_owner {
            if let Some(u) = user_ix(id) {
                account_owner = Link::To(u);
            }
        }
        users
            .resolve(&raw, &user_by_id, |id| team_by_id.get(teams.ids(), id).map(TeamIx))
            .map_err(|_| too_big("manager and team references"))?;
        drop(raw);
        let n = users.len();
        let mut reports = Vec::new();
        let mut members = Vec::new();
        for u in users.iter() {
            if let Link::To(m) = u.manager() {
                reports.push((m.0, u.ix().0));
            }
            for t in u.teams() {
                if let Link::To(t) = t {
                    members.push((t.0, u.ix().0));
                }
            }
        }
        let led: Vec<(u32, u32)> = teams
            .iter()
            .enumerate()
            .filter_map(|(i, t)| t.leader().ix().map(|l| (l.0, i as u32)))
            .collect();
        members.par_sort_unstable();
        members.dedup();
        let owned = Adjacency::group_par(n, || records.owner_ixs());
        records.drop_owners();
        Ok(Store {
            source,
            sha256,
            taken_at,
            account: Account { seats, owner: account_owner },
            reports: Adjacency::build(n, &reports),
            members: Adjacency::build(teams.len(), &members),
            owned,
            led: Adjacency::build(n, &led),
            users,
            teams,
            records,
            symbols,
            blocked_emails,
            notes,
            scim_status_extension,
            user_by_id,
            team_by_id,
        })
    }
}
