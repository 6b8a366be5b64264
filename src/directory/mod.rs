//! The directory: the people who should have access, from a second source of truth (an HR
//! export as CSV, or an identity provider's users as a SCIM ListResponse), given with
//! `--directory`. It is read into [`People`]: every text in one arena, a person a few
//! offsets, and an index per match key from the key's hash to the people (compared with
//! the arena's text on lookup, so no key is copied).
//!
//! The loader checks the file (columns, status words, dates, duplicate ids) and says where
//! a problem is; what the people mean for the accounts is the directory rule's business
//! ([`crate::rules`]).

mod csv;
mod scim;

use crate::diag::{Diagnostic, Diagnostics};
use crate::policy::{Directory, MatchKey};
use crate::time::Time;
use rustc_hash::FxHashMap as HashMap;
use std::borrow::Cow;
use std::hash::Hasher;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// A person's index in [`People`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PersonIx(pub u32);

/// One person: offsets into the arena.
#[derive(Debug, Clone)]
struct Row {
    id: Range<u32>,
    email: Range<u32>,
    employee_number: Range<u32>,
    manager: Range<u32>,
    department: Range<u32>,
    active: bool,
    leave_date: Option<Time>,
    line: u32,
}

/// Who a key value names: one person, or several (a duplicate on the directory's side).
#[derive(Debug, Clone)]
pub enum Hit {
    /// One person.
    One(PersonIx),
    /// Several people.
    Many(Vec<PersonIx>),
}

/// The people of a directory, with an index per key.
#[derive(Debug, Default)]
pub struct People {
    /// The file.
    pub source: PathBuf,
    /// SHA-256 of the file, hex.
    pub sha256: String,
    text: String,
    rows: Vec<Row>,
    by_id: Index,
    by_email: Index,
    by_number: Index,
}

/// An index from a key's hash to a person, or (top bit set) to a list of the people who
/// share the hash: 12 bytes an entry, so a million people stay in cache-friendly tables.
/// (People are fewer than 2^31: the file limit of roster's readers sees to that.)
#[derive(Debug, Default)]
struct Index {
    slots: HashMap<u64, PersonIx>,
    shared: Vec<Vec<PersonIx>>,
}

const SHARED: u32 = 1 << 31;

impl Index {
    fn insert(&mut self, hash: u64, ix: PersonIx) {
        match self.slots.entry(hash) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(ix);
            }
            std::collections::hash_map::Entry::Occupied(mut o) => {
                let v = o.get().0;
                if v & SHARED != 0 {
                    if let Some(list) = self.shared.get_mut((v & !SHARED) as usize) {
                        list.push(ix);
                    }
                } else {
                    self.shared.push(vec![PersonIx(v), ix]);
                    *o.get_mut() = PersonIx(SHARED | (self.shared.len() - 1) as u32);
                }
            }
        }
    }

    /// The people whose key has this hash.
    fn get(&self, hash: u64) -> &[PersonIx] {
        match self.slots.get(&hash) {
            None => &[],
            Some(p) if p.0 & SHARED != 0 => {
                self.shared.get((p.0 & !SHARED) as usize).map_or(&[], Vec::as_slice)
            }
            Some(p) => std::slice::from_ref(p),
        }
    }
}

/// The hash of a key's text in the indices.
fn key_hash(text: &str) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    h.write(text.as_bytes());
    h.finish()
}

/// Which text of a row an index compares.
#[derive(Clone, Copy)]
enum Field {
    Id,
    Email,
    Number,
}

/// One person, borrowed.
#[derive(Debug, Clone, Copy)]
pub struct Person<'a> {
    people: &'a People,
    ix: PersonIx,
}

impl<'a> Person<'a> {
    fn row(&self) -> &'a Row {
        &self.people.rows[self.ix.0 as usize]
    }

    fn text(&self, r: &Range<u32>) -> Option<&'a str> {
        let s = self.people.text.get(r.start as usize..r.end as usize)?;
        (!s.is_empty()).then_some(s)
    }

    /// Its index.
    pub fn ix(&self) -> PersonIx {
        self.ix
    }

    /// The directory's id.
    pub fn id(&self) -> &'a str {
        self.text(&self.row().id).unwrap_or_default()
    }

    /// E-mail, trimmed and lowercase.
    pub fn email(&self) -> Option<&'a str> {
        self.text(&self.row().email)
    }

    /// Employee number (the id when the directory has none).
    pub fn employee_number(&self) -> Option<&'a str> {
        self.text(&self.row().employee_number)
    }

    /// The manager's directory id.
    pub fn manager(&self) -> Option<&'a str> {
        self.text(&self.row().manager)
    }

    /// Department.
    pub fn department(&self) -> Option<&'a str> {
        self.text(&self.row().department)
    }

    /// Whether the directory says the person works here.
    pub fn active(&self) -> bool {
        self.row().active
    }

    /// The leave date, if any.
    pub fn leave_date(&self) -> Option<Time> {
        self.row().leave_date
    }

    /// The line (CSV) or the position in `Resources` (SCIM) it was read from.
    pub fn line(&self) -> u32 {
        self.row().line
    }
}

impl People {
    /// How many people.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// One person.
    pub fn get(&self, ix: PersonIx) -> Person<'_> {
        Person { people: self, ix }
    }

    /// The person with this directory id.
    pub fn by_id(&self, id: &str) -> Option<PersonIx> {
        match self.find(Field::Id, id.trim())? {
            Hit::One(p) => Some(p),
            Hit::Many(all) => all.first().copied(),
        }
    }

    /// Who a key's value names (`email` compares ignoring case; `external_id` and `id`
    /// name directory ids).
    pub fn lookup(&self, key: MatchKey, value: &str) -> Option<Hit> {
        let value = value.trim();
        if value.is_empty() {
            return None;
        }
        match key {
            MatchKey::Email => self.find(Field::Email, &fold(value)),
            MatchKey::EmployeeNumber => self.find(Field::Number, value),
            MatchKey::ExternalId | MatchKey::Id => self.find(Field::Id, value),
        }
    }

    fn field(&self, p: PersonIx, field: Field) -> &str {
        let Some(row) = self.rows.get(p.0 as usize) else { return "" };
        let r = match field {
            Field::Id => &row.id,
            Field::Email => &row.email,
            Field::Number => &row.employee_number,
        };
        self.text.get(r.start as usize..r.end as usize).unwrap_or_default()
    }

    /// The people whose `field` is `value`: the index names candidates by hash, the arena
    /// decides.
    fn find(&self, field: Field, value: &str) -> Option<Hit> {
        let index = match field {
            Field::Id => &self.by_id,
            Field::Email => &self.by_email,
            Field::Number => &self.by_number,
        };
        match index.get(key_hash(value)) {
            [] => None,
            [one] => (self.field(*one, field) == value).then_some(Hit::One(*one)),
            all => {
                let same: Vec<PersonIx> =
                    all.iter().copied().filter(|&p| self.field(p, field) == value).collect();
                match same.as_slice() {
                    [] => None,
                    [one] => Some(Hit::One(*one)),
                    _ => Some(Hit::Many(same)),
                }
            }
        }
    }
}

/// E-mails compare trimmed and ignoring case (no copy when already lowercase ASCII).
pub fn fold(email: &str) -> Cow<'_, str> {
    let t = email.trim();
    if t.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
        Cow::Borrowed(t)
    } else {
        Cow::Owned(t.to_lowercase())
    }
}

/// Builds [`People`] from loaded rows.
#[derive(Default)]
struct Builder {
    people: People,
    problems: Vec<Diagnostic>,
}

/// A person as a loader read it.
struct Read<'a> {
    id: &'a str,
    email: Option<&'a str>,
    employee_number: Option<&'a str>,
    manager: Option<&'a str>,
    department: Option<&'a str>,
    active: bool,
    leave_date: Option<Time>,
    line: u32,
}

impl Builder {
    /// Room for about `people` people and `bytes` of text.
    fn reserve(&mut self, people: usize, bytes: usize) {
        let p = &mut self.people;
        p.rows.reserve(people);
        p.text.reserve(bytes);
    }

    fn push_text(&mut self, s: Option<&str>) -> Range<u32> {
        let s = s.map(str::trim).unwrap_or_default();
        let start = self.people.text.len() as u32;
        self.people.text.push_str(s);
        start..self.people.text.len() as u32
    }

    /// Adds a person (indexed later, by [`Builder::index`]).
    fn push(&mut self, p: Read<'_>) {
        if self.people.rows.len() >= SHARED as usize {
            if self.problems.is_empty() {
                self.problems.push(Diagnostic::file(
                    &self.people.source,
                    format!("more than {} people: split the directory", SHARED - 1),
                ));
            }
            return;
        }
        let id = p.id.trim();
        let email = p.email.map(fold).filter(|e| !e.is_empty());
        let number = p.employee_number.map(str::trim).filter(|n| !n.is_empty()).unwrap_or(id);
        let row = Row {
            id: self.push_text(Some(id)),
            email: self.push_text(email.as_deref()),
            employee_number: self.push_text(Some(number)),
            manager: self.push_text(p.manager),
            department: self.push_text(p.department),
            active: p.active,
            leave_date: p.leave_date,
            line: p.line,
        };
        self.people.rows.push(row);
    }

    /// Builds the three indices (in parallel) once every person is read; returns each
    /// person whose id an earlier one has, with that earlier one (left out of the index).
    fn index(&mut self) -> Vec<(PersonIx, PersonIx)> {
        let p = &self.people;
        let ((by_id, duplicates), (by_email, by_number)) = rayon::join(
            || build(p, Field::Id),
            || rayon::join(|| build(p, Field::Email).0, || build(p, Field::Number).0),
        );
        self.people.by_id = by_id;
        self.people.by_email = by_email;
        self.people.by_number = by_number;
        duplicates
    }
}

/// The index of one field; for ids, the duplicates too.
fn build(people: &People, field: Field) -> (Index, Vec<(PersonIx, PersonIx)>) {
    let mut index = Index::default();
    index.slots.reserve(people.len());
    let mut duplicates = Vec::new();
    for i in 0..people.len() as u32 {
        let ix = PersonIx(i);
        let text = people.field(ix, field);
        if text.is_empty() {
            continue;
        }
        let hash = key_hash(text);
        if matches!(field, Field::Id) {
            let first = index.get(hash).iter().copied().find(|&p| people.field(p, field) == text);
            if let Some(first) = first {
                duplicates.push((ix, first));
                continue;
            }
        }
        index.insert(hash, ix);
    }
    (index, duplicates)
}

/// Reads a directory file: a SCIM ListResponse (by content), else CSV.
pub fn load(path: &Path, policy: &Directory) -> Result<People, Diagnostics> {
    let bytes = match crate::files::read(path) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => {
            return Err(Diagnostic::file(path, "cannot read the directory: there is no such file")
                .help(format!(
                    "{}pass an HR export (CSV) or an identity provider's SCIM ListResponse \
                     with --directory",
                    crate::hints::did_you_mean_file(path)
                ))
                .into())
        }
        Err(d) => return Err(d.into()),
    };
    parse(path, &bytes, policy)
}

/// Reads a directory's bytes (`path` names them in errors).
pub fn parse(path: &Path, bytes: &[u8], policy: &Directory) -> Result<People, Diagnostics> {
    let mut b = Builder::default();
    b.people.source = path.to_path_buf();
    b.people.sha256 = crate::hash::sha256(bytes);
    if crate::snapshot::is_list_response(bytes) {
        scim::read(path, bytes, &mut b)?;
    } else {
        csv::read(path, bytes, policy, &mut b)?;
    }
    if b.problems.is_empty() {
        Ok(b.people)
    } else {
        Err(Diagnostics(b.problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: &str, email: &str, line: u32) -> Read<'static> {
        let (id, email) = (Box::leak(id.into()), Box::leak(email.into()));
        Read {
            id,
            email: Some(email),
            employee_number: None,
            manager: None,
            department: None,
            active: true,
            leave_date: None,
            line,
        }
    }

    #[test]
    fn keys_find_one_person_or_several() {
        let mut b = Builder::default();
        b.push(person("e1", "Ann@X.com", 2));
        b.push(person("e2", "ann@x.com ", 3));
        b.push(person("e3", "bo@x.com", 4));
        b.push(person("e1", "c@x.com", 5));
        assert_eq!(b.index(), [(PersonIx(3), PersonIx(0))]);
        let p = b.people;
        assert!(
            matches!(p.lookup(MatchKey::Email, " ANN@x.com"), Some(Hit::Many(v)) if v.len() == 2)
        );
        assert!(matches!(p.lookup(MatchKey::Email, "bo@x.com"), Some(Hit::One(PersonIx(2)))));
        assert!(matches!(p.lookup(MatchKey::EmployeeNumber, "e3"), Some(Hit::One(PersonIx(2)))));
        assert!(p.lookup(MatchKey::Id, "e9").is_none());
        assert!(p.lookup(MatchKey::Email, "").is_none());
        assert_eq!(p.get(PersonIx(1)).email(), Some("ann@x.com"));
    }
}
