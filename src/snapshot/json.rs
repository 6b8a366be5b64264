//! The JSON snapshot: one document with `taken_at`, `account`, `users`, `teams`, `records`.
//!
//! Field names are the CSV column names; `teams`, `flags` and `permissions` are arrays.
//! Each row is parsed on its own (through `RawValue`), so that a bad cell is reported with
//! the line and column of its row and loading goes on to find the next problem.

use super::build::StoreBuilder;
use super::cells::{Cell, RECORD_COLUMNS, TEAM_COLUMNS};
use super::csv::MAX_PROBLEMS;
use super::source::{line_breaks, strip_bom};
use super::users::UserChunk;
use super::Reading;
use super::Store;
use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::fields::UserField;
use crate::fields::USER_COLUMNS;
use crate::time::parse_time;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;
use std::borrow::Cow;
use std::path::Path;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Document<'a> {
    taken_at: Option<String>,
    account: Option<Account>,
    #[serde(borrow)]
    users: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    teams: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    records: Vec<&'a RawValue>,
    #[serde(default)]
    blocked_emails: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Account {
    seats: Option<u64>,
    owner: Option<String>,
}

/// A JSON value reduced to what a cell can be (also for SCIM).
pub(super) enum Owned {
    Text(String),
    List(Vec<String>),
}

/// Parses a JSON snapshot; `path` names it in messages.
pub fn parse_file(path: &Path, bytes: &[u8], reading: Reading<'_>) -> Result<Store, Diagnostics> {
    let sha = crate::hash::sha256(bytes);
    let body = strip_bom(bytes);
    let source = std::str::from_utf8(body).map_err(|e| {
        let valid = body.get(..e.valid_up_to()).unwrap_or_default();
        let line = valid.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        Diagnostic::file(path, "invalid UTF-8")
            .at(Location::line(line))
            .help("save the file as UTF-8")
    })?;
    if source.trim().is_empty() {
        return Err(Diagnostic::file(path, "the file is empty")
            .help("write a JSON object with at least a `users` array")
            .into());
    }
    let doc: Document<'_> = serde_json::from_str(source).map_err(|e| {
        Diagnostic::file(path, e.to_string().split(" at line ").next().unwrap_or_default().to_owned())
            .at(Location::of_offset(source, offset_of_line_col(source, e.line(), e.column())))
            .help("a JSON snapshot is an object with `taken_at`, `account`, `users`, `teams` and `records`")
    })?;

    let mut builder = StoreBuilder::new(reading);
    let mut problems = Vec::new();
    if let Some(t) = &doc.taken_at {
        match parse_time(t) {
            Some(time) => builder.taken_at = Some(time),
            None => problems.push(
                Diagnostic::file(path, format!("`{t}` is not a time"))
                    .field("taken_at")
                    .help(crate::hints::time_hint(t, None)),
            ),
        }
    }
    if let Some(a) = doc.account {
        builder.seats = a.seats;
        builder.owner = a.owner.as_deref().map(str::trim).filter(|o| !o.is_empty()).map(Box::from);
    }

    // Rows come in increasing offsets: count lines as we go (never from the start again).
    let mut lines = LineCounter { source, offset: 0, line: 1 };
    for email in &doc.blocked_emails {
        let _ = builder.add_blocked_email(|_| Some(Cell::Text(email)), 0);
    }
    let place = |what: &str, row: &Row<'_>, field: Option<&str>, message: String, help: String| {
        locate(path, source, what, row.n, row.offset, field, message, help)
    };
    // Users: one chunk, joined to the store at once; a repeated id is reported at its row,
    // before that row's other problems.
    let mut found: Vec<(usize, u8, Diagnostic)> = Vec::new();
    let users = read_rows(path, &doc.users, "users", &mut lines, &mut found);
    let mut chunk = UserChunk::default();
    for (name, _) in
        users.iter().flat_map(|r| &r.cells).filter(|(k, _)| !USER_COLUMNS.contains(&k.as_ref()))
    {
        chunk.attribute_column(name);
    }
    let reading = builder.reading();
    for row in &users {
        let cell = |f: UserField| row.cell(f.name());
        let attrs: Vec<(&str, Cell<'_>)> = row
            .cells
            .iter()
            .filter(|(k, _)| !USER_COLUMNS.contains(&k.as_ref()))
            .map(|(k, v)| (k.as_ref(), as_cell(v)))
            .collect();
        if let Err(errors) = chunk.push_row(&reading, cell, &attrs, row.line, row.n as u32) {
            found.extend(
                errors
                    .into_iter()
                    .map(|e| (row.n, 1, place("users", row, Some(&e.field), e.message, e.help))),
            );
        }
    }
    for (key, e) in builder.push_users(chunk) {
        // Keys are positions in the users array.
        if let Some(row) = users.iter().find(|r| r.n == key as usize) {
            found.push((row.n, 0, place("users", row, Some(&e.field), e.message, e.help)));
        }
    }
    found.sort_by_key(|(n, rank, _)| (*n, *rank));
    problems.extend(found.into_iter().map(|(_, _, d)| d));
    if problems.len() < MAX_PROBLEMS {
        let mut found = Vec::new();
        let teams = read_rows(path, &doc.teams, "teams", &mut lines, &mut found);
        problems.extend(found.into_iter().map(|(_, _, d)| d));
        for row in &teams {
            let cell = |i: usize| TEAM_COLUMNS.get(i).and_then(|k| row.cell(k));
            if let Err(errors) = builder.add_team(cell, row.line) {
                problems.extend(
                    errors
                        .into_iter()
                        .map(|e| place("teams", row, Some(&e.field), e.message, e.help)),
                );
            }
        }
    }
    if problems.len() < MAX_PROBLEMS {
        let mut found = Vec::new();
        let records = read_rows(path, &doc.records, "records", &mut lines, &mut found);
        problems.extend(found.into_iter().map(|(_, _, d)| d));
        for row in &records {
            let cell = |i: usize| RECORD_COLUMNS.get(i).and_then(|k| row.cell(k));
            if let Err(errors) = builder.add_record(cell, row.line) {
                problems.extend(
                    errors
                        .into_iter()
                        .map(|e| place("records", row, Some(&e.field), e.message, e.help)),
                );
            }
        }
    }
    if problems.is_empty() {
        match builder.duplicate_records() {
            Ok(repeats) => {
                for (first, repeat, e) in repeats.into_iter().take(MAX_PROBLEMS) {
                    let line = |r| builder.record_line(r).unwrap_or(0);
                    problems.push(
                        Diagnostic::file(
                            path,
                            format!("{} (first on line {})", e.message, line(first)),
                        )
                        .at(Location::line(line(repeat)))
                        .field(format!("records.{}", e.field))
                        .help(e.help),
                    );
                }
            }
            Err(e) => problems.push(Diagnostic::file(path, e.message).help(e.help)),
        }
    }
    problems.truncate(MAX_PROBLEMS);
    super::finish(builder, problems, path, || sha)
}

/// Line numbers of increasing offsets of one document, counted as it goes.
struct LineCounter<'s> {
    source: &'s str,
    offset: usize,
    line: u64,
}

impl LineCounter<'_> {
    fn line_of(&mut self, offset: usize) -> u64 {
        if offset >= self.offset {
            let seen = self.source.as_bytes().get(self.offset..offset).unwrap_or_default();
            self.line += line_breaks(seen);
            self.offset = offset;
        }
        self.line
    }
}

/// One row of a JSON table: where it is, and its fields as cells.
struct Row<'s> {
    n: usize,
    offset: usize,
    line: u64,
    cells: Vec<(Cow<'s, str>, Owned)>,
}

impl Row<'_> {
    fn cell(&self, key: &str) -> Option<Cell<'_>> {
        self.cells.iter().find(|(k, _)| k == key).map(|(_, v)| as_cell(v))
    }
}

/// A problem at a row of a table.
#[allow(clippy::too_many_arguments)]
fn locate(
    path: &Path,
    source: &str,
    what: &str,
    n: usize,
    offset: usize,
    field: Option<&str>,
    message: String,
    help: String,
) -> Diagnostic {
    let field = match field {
        Some(f) => format!("{what}[{n}].{f}"),
        None => format!("{what}[{n}]"),
    };
    Diagnostic::file(path, message).at(Location::of_offset(source, offset)).field(field).help(help)
}

/// The fields of a JSON object in document order, repeats included (a map type would keep
/// only the last of a repeated key, silently).
struct Pairs<'s>(Vec<(Cow<'s, str>, &'s RawValue)>);

impl<'de> serde::Deserialize<'de> for Pairs<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Pairs<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Pairs<'de>, A::Error> {
                let mut pairs = Vec::new();
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    pairs.push((key, map.next_value::<&'de RawValue>()?));
                }
                Ok(Pairs(pairs))
            }
        }
        d.deserialize_map(Visit)
    }
}

/// The fields that hold an id: a JSON number is refused there (a reader that takes it as a
/// 64-bit float keeps about 15 digits of it), with a hint to quote it.
const ID_FIELDS: [&str; 3] = ["id", "manager_id", "leader_id"];

/// Reads the rows of one table: each an object of fields whose values become cells.
fn read_rows<'s>(
    path: &Path,
    items: &[&'s RawValue],
    what: &str,
    lines: &mut LineCounter<'s>,
    problems: &mut Vec<(usize, u8, Diagnostic)>,
) -> Vec<Row<'s>> {
    let source = lines.source;
    let mut rows = Vec::with_capacity(items.len());
    for (n, raw) in items.iter().enumerate() {
        if problems.len() >= MAX_PROBLEMS {
            break;
        }
        let offset = (raw.get().as_ptr() as usize).saturating_sub(source.as_ptr() as usize);
        let mut row = Row { n, offset, line: lines.line_of(offset), cells: Vec::new() };
        let at = |field: Option<&str>, message: String, help: String| {
            locate(path, source, what, n, offset, field, message, help)
        };
        let pairs: Pairs<'s> = match serde_json::from_str(raw.get()) {
            Ok(p) => p,
            Err(e) => {
                let message = if e.is_data() {
                    "is not an object".to_owned()
                } else {
                    let text = e.to_string();
                    format!("cannot be read: {}", text.split(" at line ").next().unwrap_or(&text))
                };
                problems.push((
                    n,
                    1,
                    at(None, message, format!("write each of `{what}` as an object of fields")),
                ));
                continue;
            }
        };
        let mut bad = false;
        let mut seen: rustc_hash::FxHashSet<&str> = rustc_hash::FxHashSet::default();
        for (key, value) in &pairs.0 {
            // Problems about one value point at it.
            let value_offset =
                (value.get().as_ptr() as usize).saturating_sub(source.as_ptr() as usize);
            let at_value = |message: String, help: String| {
                locate(path, source, what, n, value_offset, Some(key), message, help)
            };
            if !seen.insert(key.as_ref()) {
                problems.push((
                    n,
                    1,
                    at_value(
                        "appears twice in the object".into(),
                        "give each field once: a repeated key would silently keep only one of its values".into(),
                    ),
                ));
                bad = true;
                continue;
            }
            let text = value.get();
            let is_number = text.starts_with(|c: char| c == '-' || c.is_ascii_digit());
            let is_id =
                ID_FIELDS.contains(&key.as_ref()) || (what == "records" && key == "owner_id");
            if is_number {
                if is_id {
                    problems.push((
                        n,
                        1,
                        at_value(
                            format!("is the number {text}, not an id"),
                            format!(
                                "write the id as a string, `\"{key}\": \"{text}\"`: read as a number, an id of \
                                 more than 15 digits loses the rest"
                            ),
                        ),
                    ));
                    bad = true;
                } else {
                    row.cells.push((key.clone(), Owned::Text(text.to_owned())));
                }
                continue;
            }
            let value: Value = match serde_json::from_str(text) {
                Ok(v) => v,
                Err(e) => {
                    let message = e.to_string();
                    let message = message.split(" at line ").next().unwrap_or(&message).to_owned();
                    problems.push((
                        n,
                        1,
                        at_value(
                            format!("cannot be read: {message}"),
                            "nest at most 128 levels deep".into(),
                        ),
                    ));
                    bad = true;
                    continue;
                }
            };
            let owned = match &value {
                Value::Null => continue,
                Value::String(s) => Owned::Text(s.clone()),
                Value::Bool(b) => Owned::Text(b.to_string()),
                Value::Number(x) => Owned::Text(x.to_string()),
                Value::Array(items) => {
                    let mut list = Vec::with_capacity(items.len());
                    for item in items {
                        match item {
                            Value::String(s) => list.push(s.clone()),
                            _ => {
                                problems.push((
                                    n,
                                    1,
                                    at(
                                        Some(key),
                                        "has an item that is not a string".into(),
                                        "write the list as an array of strings".into(),
                                    ),
                                ));
                                bad = true;
                            }
                        }
                    }
                    Owned::List(list)
                }
                Value::Object(_) => {
                    problems.push((
                        n,
                        1,
                        at(
                            Some(key),
                            "is an object".into(),
                            "write a string, a number or a boolean".into(),
                        ),
                    ));
                    bad = true;
                    continue;
                }
            };
            row.cells.push((key.clone(), owned));
        }
        if !bad {
            // Fields in name order, as the columns of a table would be.
            row.cells.sort_by(|a, b| a.0.cmp(&b.0));
            rows.push(row);
        }
    }
    rows
}

/// The builder's view of an owned cell.
pub(super) fn as_cell(o: &Owned) -> Cell<'_> {
    match o {
        Owned::Text(s) => Cell::Text(s),
        Owned::List(l) => Cell::List(l),
    }
}

/// The byte offset of a 1-based line and column, as serde_json reports them.
pub(super) fn offset_of_line_col(source: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in source.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return offset + column.saturating_sub(1).min(l.len());
        }
        offset += l.len();
    }
    source.len()
}
