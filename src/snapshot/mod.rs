//! The snapshot: CSV folder, JSON file or SCIM export -> one in-memory [`Store`] with dense
//! ids.
//!
//! Users, teams and records live in vectors; ids are interned to dense indices; who
//! reports to whom, who is in which team, who owns which records and who leads which team
//! are adjacency lists (offsets + items), so every rule runs in O(users + records) and
//! nothing is cloned per row.

mod build;
mod cells;
pub mod columns;
mod csv;
mod idmap;
mod json;
mod mapping;
mod meta;
mod records;
mod scim;
mod source;
mod teams;
mod users;

pub use self::csv::{detect_delimiter, parse_folder, CsvFiles};
pub use cells::{parse_bool, BLOCKED_EMAIL_COLUMNS, RECORD_COLUMNS, TEAM_COLUMNS};
pub use json::parse_file as parse_json;
pub use mapping::{AttrPath, ColumnMap, Input, Reading, TimeFormat, TimeFormats};
pub use records::{Record, Records};
pub use scim::{
    is_list_response, page_files as scim_page_files, parse_file as parse_scim,
    LIST_RESPONSE as SCIM_LIST_RESPONSE, STATUS_EXTENSION,
};
pub use source::MAX_FILE_BYTES;

/// The SCIM schema URNs roster reads, for the directory's SCIM reader.
pub mod scim_paths {
    pub use super::scim::{ENTERPRISE_USER, ROSTER_USER, USER_SCHEMA};
}
pub use teams::{Team, Teams};
pub use users::{User, Users};

use crate::diag::{Diagnostic, Diagnostics};
use crate::model::fold_email;
use crate::time::Time;
use idmap::IdMap;
use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;
use std::path::{Path, PathBuf};

/// A user, as a dense index into [`Store::users`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UserIx(pub u32);
/// A team, as a dense index into [`Store::teams`] (also the account's team order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TeamIx(pub u32);
/// A record, as a dense index into [`Store::records`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RecordIx(pub u32);
/// An interned string (flag, permission, record kind or state, column name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sym(pub u32);

macro_rules! index_type {
    ($t:ty) => {
        impl $t {
            /// The position in its vector.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}
index_type!(UserIx);
index_type!(TeamIx);
index_type!(RecordIx);
index_type!(Sym);

/// A reference from one row to another; `S` holds the id of a missing row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link<T, S = Box<str>> {
    /// The cell is empty.
    None,
    /// The referenced row exists.
    To(T),
    /// The cell names an id no row has (a finding, not an error).
    Dangling(S),
}

impl<T: Copy, S> Link<T, S> {
    /// The referenced row, if it exists.
    pub fn ix(&self) -> Option<T> {
        match self {
            Link::To(t) => Some(*t),
            _ => None,
        }
    }
}

impl<T: Copy, S: std::ops::Deref<Target = str>> Link<T, S> {
    /// The same link, borrowing the missing id.
    pub fn as_deref(&self) -> Link<T, &str> {
        match self {
            Link::None => Link::None,
            Link::To(t) => Link::To(*t),
            Link::Dangling(s) => Link::Dangling(s),
        }
    }
}

/// `snapshot.toml`'s `[account]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Licence count.
    pub seats: Option<u64>,
    /// The primary account owner.
    pub owner: Link<UserIx>,
}

/// Interned strings.
#[derive(Debug, Clone, Default)]
pub struct Interner {
    lookup: HashMap<Box<str>, Sym>,
    names: Vec<Box<str>>,
}

impl Interner {
    /// The symbol of a string, adding it if new.
    pub fn intern(&mut self, s: &str) -> Sym {
        if let Some(&sym) = self.lookup.get(s) {
            return sym;
        }
        let sym = Sym(u32::try_from(self.names.len()).unwrap_or(u32::MAX));
        self.names.push(s.into());
        self.lookup.insert(s.into(), sym);
        sym
    }

    /// The symbol of a string already seen.
    pub fn get(&self, s: &str) -> Option<Sym> {
        self.lookup.get(s).copied()
    }

    /// The string of a symbol.
    pub fn resolve(&self, sym: Sym) -> &str {
        self.names.get(sym.index()).map_or("", |s| s)
    }

    /// How many strings there are.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// Adjacency lists in compressed form: the items of source `i` are
/// `items[offsets[i]..offsets[i + 1]]`, in ascending order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Adjacency {
    offsets: Vec<u32>,
    items: Vec<u32>,
}

impl Adjacency {
    /// Builds from (source, item) pairs with a counting sort; items keep the pair order.
    pub fn build(sources: usize, pairs: &[(u32, u32)]) -> Self {
        let mut offsets = vec![0u32; sources + 1];
        for &(s, _) in pairs {
            if let Some(o) = offsets.get_mut(s as usize + 1) {
                *o += 1;
            }
        }
        for i in 1..offsets.len() {
            offsets[i] += offsets[i - 1];
        }
        let mut next = offsets.clone();
        let mut items = vec![0u32; pairs.len()];
        for &(s, item) in pairs {
            if let Some(slot) = next.get_mut(s as usize) {
                if let Some(dst) = items.get_mut(*slot as usize) {
                    *dst = item;
                }
                *slot += 1;
            }
        }
        Adjacency { offsets, items }
    }

    /// [`Adjacency::group`] on every thread: each thread takes a range of sources and scans
    /// all the keys for its own (a scan of ten million keys is cheap; the writes are what
    /// cost), so the result is the same as on one thread.
    pub fn group_par<I>(sources: usize, keys: impl Fn() -> I + Sync) -> Self
    where
        I: Iterator<Item = Option<u32>> + Clone,
    {
        let threads = rayon::current_num_threads().max(1);
        if threads == 1 || sources < 1024 {
            return Self::group(sources, keys());
        }
        let step = sources.div_ceil(threads);
        let ranges: Vec<(usize, usize)> =
            (0..threads).map(|t| (t * step, ((t + 1) * step).min(sources))).collect();
        // How many items each source has, each range counted by its own thread.
        let counts: Vec<Vec<u32>> = ranges
            .par_iter()
            .map(|&(lo, hi)| {
                let mut c = vec![0u32; hi.saturating_sub(lo)];
                for s in keys().flatten() {
                    if let Some(n) = (s as usize).checked_sub(lo).and_then(|i| c.get_mut(i)) {
                        *n += 1;
                    }
                }
                c
            })
            .collect();
        let mut offsets = Vec::with_capacity(sources + 1);
        let mut total = 0u32;
        offsets.push(0);
        for c in counts.iter().flatten() {
            total += c;
            offsets.push(total);
        }
        let mut items = vec![0u32; total as usize];
        // Each range owns one contiguous piece of `items`.
        let mut pieces = Vec::with_capacity(ranges.len());
        let mut rest: &mut [u32] = &mut items;
        for &(lo, hi) in &ranges {
            let len =
                offsets.get(hi).copied().unwrap_or(total) - offsets.get(lo).copied().unwrap_or(0);
            let (piece, tail) = rest.split_at_mut(len as usize);
            pieces.push((lo, hi, piece));
            rest = tail;
        }
        let offsets_ref = &offsets;
        pieces.into_par_iter().for_each(|(lo, hi, piece)| {
            let base = offsets_ref.get(lo).copied().unwrap_or(0);
            let mut next: Vec<u32> =
                offsets_ref.get(lo..hi).unwrap_or_default().iter().map(|o| o - base).collect();
            for (item, key) in keys().enumerate() {
                let Some(s) = key else { continue };
                let Some(slot) = (s as usize).checked_sub(lo).and_then(|i| next.get_mut(i)) else {
                    continue;
                };
                if let Some(dst) = piece.get_mut(*slot as usize) {
                    *dst = item as u32;
                }
                *slot += 1;
            }
        });
        Adjacency { offsets, items }
    }

    /// Groups items `0..keys.len()` by their key (`None`: in no group), in item order.
    pub fn group(sources: usize, keys: impl Iterator<Item = Option<u32>> + Clone) -> Self {
        let mut offsets = vec![0u32; sources + 1];
        for s in keys.clone().flatten() {
            if let Some(o) = offsets.get_mut(s as usize + 1) {
                *o += 1;
            }
        }
        for i in 1..offsets.len() {
            offsets[i] += offsets[i - 1];
        }
        let mut next = offsets.clone();
        let mut items = vec![0u32; offsets.last().copied().unwrap_or(0) as usize];
        for (item, key) in keys.enumerate() {
            let Some(slot) = key.and_then(|s| next.get_mut(s as usize)) else { continue };
            if let Some(dst) = items.get_mut(*slot as usize) {
                *dst = item as u32;
            }
            *slot += 1;
        }
        Adjacency { offsets, items }
    }

    /// The items of one source.
    pub fn of(&self, source: usize) -> &[u32] {
        match (self.offsets.get(source), self.offsets.get(source + 1)) {
            (Some(&a), Some(&b)) => self.items.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// The loaded snapshot.
#[derive(Debug, Clone)]
pub struct Store {
    /// Where it was read from.
    pub source: PathBuf,
    /// SHA-256 of its files, hex.
    pub sha256: String,
    /// `taken_at`.
    pub taken_at: Option<Time>,
    /// `[account]`.
    pub account: Account,
    /// Users in file order, as columns.
    pub users: Users,
    /// Teams in file order (the account's team order), as columns.
    pub teams: Teams,
    /// Records in file order, as columns.
    pub records: Records,
    /// Interned flags, permissions, kinds, states and column names.
    pub symbols: Interner,
    /// E-mails on the block list (`blocked_emails.csv`), lowercase.
    pub blocked_emails: std::collections::HashSet<Box<str>>,
    /// What the loader read in a way a person should know of (a time without an offset
    /// read as UTC), for the command line to print on stderr.
    pub notes: Vec<String>,
    /// Whether users' statuses were read from roster's SCIM extension
    /// (`urn:roster:...:User:status`), which a SCIM Bulk request must then write too.
    pub scim_status_extension: bool,
    user_by_id: IdMap,
    team_by_id: IdMap,
    reports: Adjacency,
    members: Adjacency,
    owned: Adjacency,
    led: Adjacency,
}

/// Told what a loader is doing, for a progress line and phase timings: the loader itself
/// writes nothing anywhere.
pub trait Progress: Sync {
    /// A step begins (`parsing records.csv`).
    fn step(&self, _what: &str) {}
    /// A phase has ended (`users.csv`).
    fn phase(&self, _name: &str) {}
}

/// Progress nobody watches.
pub struct Silent;

impl Progress for Silent {}

/// Reads a snapshot: a folder of CSV files (or a folder whose users come from
/// `users.scim.json`), a roster JSON file, or a SCIM ListResponse file (told apart by
/// content).
pub fn load(
    path: &Path,
    reading: Reading<'_>,
    progress: &dyn Progress,
) -> Result<Store, Diagnostics> {
    progress.step("reading the snapshot");
    let store = load_any(path, reading, progress);
    progress.step("evaluating the policy");
    store
}

fn load_any(
    path: &Path,
    reading: Reading<'_>,
    progress: &dyn Progress,
) -> Result<Store, Diagnostics> {
    if path.is_dir() {
        if !path.join("users.csv").exists()
            && scim::page_files(path, "users").map_or(true, |p| !p.is_empty())
        {
            scim::load_folder(path, reading)
        } else {
            csv::load_folder(path, reading, progress)
        }
    } else if path.exists() {
        let csv = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        if csv {
            let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
            let folder = folder.map_or_else(|| ".".to_owned(), |p| p.display().to_string());
            return Err(Diagnostic::file(
                path,
                "is one CSV file; a CSV snapshot is the folder that holds users.csv (and teams.csv, records.csv, snapshot.toml)",
            )
            .help(format!("pass the folder: --snapshot {folder}"))
            .into());
        }
        let Some(bytes) = source::read(path)? else {
            return Err(Diagnostic::file(path, "no such snapshot").into());
        };
        if scim::is_list_response(&bytes) {
            scim::parse_file(path, &bytes, reading)
        } else {
            json::parse_file(path, &bytes, reading)
        }
    } else {
        Err(Diagnostic::file(path, "no such snapshot")
            .help(format!(
                "{}pass a folder with users.csv, or a .json snapshot (roster or SCIM), with --snapshot",
                crate::hints::did_you_mean_file(path)
            ))
            .into())
    }
}

/// How a loader ends: the store, with the digest of what it read (worked out only then),
/// or at most [`csv::MAX_PROBLEMS`] of its problems.
fn finish(
    builder: build::StoreBuilder<'_>,
    mut problems: Vec<Diagnostic>,
    source: &Path,
    sha256: impl FnOnce() -> String,
) -> Result<Store, Diagnostics> {
    if problems.is_empty() {
        builder
            .finish(source.to_path_buf(), sha256())
            .map_err(|e| Diagnostic::file(source, e.message).help(e.help).into())
    } else {
        problems.truncate(csv::MAX_PROBLEMS);
        Err(Diagnostics(problems))
    }
}

impl Store {
    /// A user by index.
    pub fn user(&self, ix: UserIx) -> User<'_> {
        self.users.get(ix)
    }

    /// A team by index.
    pub fn team(&self, ix: TeamIx) -> Team<'_> {
        self.teams.get(ix)
    }

    /// A record by index.
    pub fn record(&self, ix: RecordIx) -> Record<'_> {
        self.records.get(ix)
    }

    /// Every user index, in file order.
    pub fn user_ixs(&self) -> impl Iterator<Item = UserIx> + '_ {
        (0..self.users.len() as u32).map(UserIx)
    }

    /// Why `asked` finds no user, for messages: no user has it, or several users share
    /// the e-mail (an e-mail names a user only when exactly one has it).
    pub fn why_not_found(&self, asked: &str) -> String {
        let asked = asked.trim();
        let folded = crate::model::fold_email(asked);
        let sharing = if asked.contains('@') {
            self.users
                .iter()
                .filter(|u| u.email().is_some_and(|e| crate::model::fold_email(e) == folded))
                .count()
        } else {
            0
        };
        if sharing > 1 {
            format!(
                "{sharing} users share the e-mail `{asked}` (ignoring case), so it names none of them: use the user id"
            )
        } else {
            format!("no user has the id or e-mail `{asked}`")
        }
    }

    /// Finds a user by id.
    pub fn user_ix(&self, id: &str) -> Option<UserIx> {
        self.user_by_id.get(self.users_ids(), id).map(UserIx)
    }

    /// [`Store::user_ix`] of many ids at once, in their order (looked up in batches).
    pub fn user_ixs_of(&self, ids: &[&str]) -> Vec<Option<UserIx>> {
        let mut found = Vec::with_capacity(ids.len());
        self.user_by_id.get_many(self.users_ids(), ids.iter().copied(), &mut found);
        found.into_iter().map(|u| u.map(UserIx)).collect()
    }

    fn users_ids(&self) -> &columns::Strings {
        self.users.ids()
    }

    /// Finds a user by id, or else by e-mail (compared by [`fold_email`]; only when exactly
    /// one user has it).
    pub fn find_user(&self, id_or_email: &str) -> Option<UserIx> {
        self.find_users([id_or_email]).pop().flatten()
    }

    /// [`Store::find_user`] for many at once: ids are looked up directly, and the e-mails
    /// of all the others in one pass over the users, so a sheet of any length costs time
    /// linear in the users plus the sheet.
    pub fn find_users<'q>(&self, asked: impl IntoIterator<Item = &'q str>) -> Vec<Option<UserIx>> {
        let asked: Vec<&str> = asked.into_iter().map(str::trim).collect();
        let mut found: Vec<Option<UserIx>> = asked.iter().map(|a| self.user_ix(a)).collect();
        // Folded e-mail -> (the one user who has it, how many have it).
        let mut by_email: HashMap<String, (Option<UserIx>, usize)> = HashMap::default();
        for (a, f) in asked.iter().zip(&found) {
            if f.is_none() {
                by_email.insert(fold_email(a).into_owned(), (None, 0));
            }
        }
        if by_email.is_empty() {
            return found;
        }
        for u in &self.users {
            if let Some(entry) = u.email().and_then(|e| by_email.get_mut(fold_email(e).as_ref())) {
                entry.0.get_or_insert(u.ix());
                entry.1 += 1;
            }
        }
        for (a, f) in asked.iter().zip(&mut found) {
            if f.is_none() {
                *f = by_email
                    .get(fold_email(a).as_ref())
                    .and_then(|(u, n)| (*n == 1).then_some(*u))
                    .flatten();
            }
        }
        found
    }

    /// Finds a team by id.
    pub fn team_ix(&self, id: &str) -> Option<TeamIx> {
        self.team_by_id.get(self.teams.ids(), id).map(TeamIx)
    }

    /// Extra user columns, in first-seen order.
    pub fn attribute_names(&self) -> &[Sym] {
        self.users.attribute_names()
    }

    /// The symbol of an extra column, if the snapshot has it.
    pub fn attribute_sym(&self, name: &str) -> Option<Sym> {
        self.symbols.get(name).filter(|s| self.attribute_names().contains(s))
    }

    /// The extra columns, for help texts.
    pub fn attribute_names_hint(&self) -> String {
        if self.attribute_names().is_empty() {
            "it has no extra columns".to_owned()
        } else {
            let names: Vec<String> = self
                .attribute_names()
                .iter()
                .map(|s| format!("`{}`", self.symbols.resolve(*s)))
                .collect();
            format!("its extra columns: {}", names.join(", "))
        }
    }

    /// Users whose manager is `user`, in file order.
    pub fn reports_of(&self, user: UserIx) -> impl Iterator<Item = UserIx> + '_ {
        self.reports.of(user.index()).iter().map(|&i| UserIx(i))
    }

    /// Members of a team, in file order.
    pub fn members_of(&self, team: TeamIx) -> impl Iterator<Item = UserIx> + '_ {
        self.members.of(team.index()).iter().map(|&i| UserIx(i))
    }

    /// Records owned by a user, in file order.
    pub fn records_of(&self, user: UserIx) -> impl Iterator<Item = RecordIx> + '_ {
        self.owned.of(user.index()).iter().map(|&i| RecordIx(i))
    }

    /// The owner of every record, by record: a user, an id that names no user, or none.
    /// (The store keeps the records by owner, not the owner of each record: this is for
    /// reading a whole store back, not for a lookup per record.)
    pub fn record_owners(&self) -> Vec<Link<UserIx, &str>> {
        let mut owners = vec![Link::None; self.records.len()];
        for u in self.user_ixs() {
            for r in self.records_of(u) {
                if let Some(o) = owners.get_mut(r.index()) {
                    *o = Link::To(u);
                }
            }
        }
        for (r, id) in self.records.dangling() {
            if let Some(o) = owners.get_mut(r.index()) {
                *o = Link::Dangling(id);
            }
        }
        owners
    }

    /// How many records a user owns.
    pub fn record_count(&self, user: UserIx) -> usize {
        self.owned.of(user.index()).len()
    }

    /// Teams a user leads, in team order.
    pub fn teams_led_by(&self, user: UserIx) -> impl Iterator<Item = TeamIx> + '_ {
        self.led.of(user.index()).iter().map(|&i| TeamIx(i))
    }

    /// The account's first team, if it has teams.
    pub fn first_team(&self) -> Option<TeamIx> {
        (!self.teams.is_empty()).then_some(TeamIx(0))
    }

    /// A record's kind as text.
    pub fn kind_of(&self, record: Record<'_>) -> &str {
        self.symbols.resolve(record.kind)
    }

    /// Whether an e-mail is on the block list (any case).
    pub fn is_email_blocked(&self, email: &str) -> bool {
        self.blocked_emails.contains(fold_email(email).as_ref())
    }

    /// A record's state as text.
    pub fn state_of(&self, record: Record<'_>) -> &str {
        self.symbols.resolve(record.state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adjacency_groups_items_by_source_in_order() {
        let adj = Adjacency::build(3, &[(2, 5), (0, 1), (2, 3), (0, 4)]);
        assert_eq!(adj.of(0), &[1, 4]);
        assert_eq!(adj.of(1), &[] as &[u32]);
        assert_eq!(adj.of(2), &[5, 3]);
        assert_eq!(adj.of(9), &[] as &[u32]);
    }

    #[test]
    fn grouping_on_every_thread_is_grouping_on_one() {
        let keys: Vec<Option<u32>> =
            (0..50_000u32).map(|i| (i % 7 != 0).then_some((i * 7919) % 3001)).collect();
        let one = Adjacency::group(3001, keys.iter().copied());
        let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
        let many = pool.install(|| Adjacency::group_par(3001, || keys.iter().copied()));
        assert_eq!(one, many);
        assert_eq!(one.of(5).len(), many.of(5).len());
    }

    #[test]
    fn interner_returns_the_same_symbol() {
        let mut i = Interner::default();
        let a = i.intern("open");
        assert_eq!(i.intern("open"), a);
        assert_ne!(i.intern("closed"), a);
        assert_eq!(i.resolve(a), "open");
        assert_eq!(i.get("nope"), None);
    }
}
