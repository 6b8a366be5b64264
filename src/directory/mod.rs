//! The directory: the people who should have access, from a second source of truth (an HR
//! export as CSV, or an identity provider's users as a SCIM ListResponse), given with
//! `--directory`. It is read into [`People`]: every text in one arena, a person a few
//! offsets, and an index per match key.
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
    by_id: HashMap<Box<str>, PersonIx>,
    by_email: HashMap<Box<str>, Hit>,
    by_number: HashMap<Box<str>, Hit>,
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

    /// E-mail, as written.
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
        self.by_id.get(id).copied()
    }

    /// Who a key's value names (`email` compares ignoring case; `external_id` and `id`
    /// name directory ids).
    pub fn lookup(&self, key: MatchKey, value: &str) -> Option<Hit> {
        let value = value.trim();
        if value.is_empty() {
            return None;
        }
        match key {
            MatchKey::Email => self.by_email.get(fold(value).as_str()).cloned(),
            MatchKey::EmployeeNumber => self.by_number.get(value).cloned(),
            MatchKey::ExternalId | MatchKey::Id => self.by_id.get(value).map(|&p| Hit::One(p)),
        }
    }
}

/// E-mails compare trimmed and ignoring case.
pub fn fold(email: &str) -> String {
    email.trim().to_lowercase()
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
    fn push_text(&mut self, s: Option<&str>) -> Range<u32> {
        let s = s.map(str::trim).unwrap_or_default();
        let start = self.people.text.len() as u32;
        self.people.text.push_str(s);
        start..self.people.text.len() as u32
    }

    /// Adds a person; a second person with the same id is `Err` with the first's line.
    fn push(&mut self, p: Read<'_>) -> Result<(), u32> {
        let ix = PersonIx(self.people.rows.len() as u32);
        let id = p.id.trim();
        if let Some(&first) = self.people.by_id.get(id) {
            return Err(self.people.get(first).line());
        }
        self.people.by_id.insert(id.into(), ix);
        if let Some(email) = p.email.filter(|e| !e.trim().is_empty()) {
            add_hit(&mut self.people.by_email, fold(email).into(), ix);
        }
        let number = p.employee_number.filter(|n| !n.trim().is_empty()).unwrap_or(id);
        add_hit(&mut self.people.by_number, number.trim().into(), ix);
        let row = Row {
            id: self.push_text(Some(id)),
            email: self.push_text(p.email),
            employee_number: self.push_text(Some(number)),
            manager: self.push_text(p.manager),
            department: self.push_text(p.department),
            active: p.active,
            leave_date: p.leave_date,
            line: p.line,
        };
        self.people.rows.push(row);
        Ok(())
    }
}

fn add_hit(index: &mut HashMap<Box<str>, Hit>, key: Box<str>, ix: PersonIx) {
    match index.get_mut(&key) {
        None => {
            index.insert(key, Hit::One(ix));
        }
        Some(hit) => {
            let mut all = match hit {
                Hit::One(first) => vec![*first],
                Hit::Many(v) => std::mem::take(v),
            };
            all.push(ix);
            *hit = Hit::Many(all);
        }
    }
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
        b.push(person("e1", "Ann@X.com", 2)).expect("new");
        b.push(person("e2", "ann@x.com ", 3)).expect("new");
        b.push(person("e3", "bo@x.com", 4)).expect("new");
        assert_eq!(b.push(person("e1", "c@x.com", 5)), Err(2));
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
