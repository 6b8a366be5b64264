//! The JSON snapshot: one document with `taken_at`, `account`, `users`, `teams`, `records`.
//!
//! Field names are the CSV column names; `teams`, `flags` and `permissions` are arrays.
//! Each row is parsed on its own (through `RawValue`), so that a bad cell is reported with
//! the line and column of its row and loading goes on to find the next problem.

use super::build::{Cell, StoreBuilder, RECORD_COLUMNS, TEAM_COLUMNS};
use super::csv::{newlines, strip_bom, MAX_PROBLEMS};
use super::Reading;
use super::Store;
use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::fields::USER_COLUMNS;
use crate::time::{parse_time, TIME_HINT};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;
use std::collections::BTreeMap;
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
                    .help(TIME_HINT),
            ),
        }
    }
    if let Some(a) = doc.account {
        builder.seats = a.seats;
        builder.owner = a.owner.as_deref().map(str::trim).filter(|o| !o.is_empty()).map(Box::from);
    }

    // Rows come in increasing offsets: count lines as we go (never from the start again).
    let (mut seen_offset, mut seen_line) = (0usize, 1u64);
    let mut rows =
        |items: &[&RawValue], what: &str, known: &[&str], builder: &mut StoreBuilder<'_>| {
            for (n, raw) in items.iter().enumerate() {
                if problems.len() >= MAX_PROBLEMS {
                    return;
                }
                let offset = (raw.get().as_ptr() as usize).saturating_sub(source.as_ptr() as usize);
                if offset >= seen_offset {
                    seen_line +=
                        newlines(source.as_bytes().get(seen_offset..offset).unwrap_or_default());
                    seen_offset = offset;
                }
                let line = seen_line;
                // The column and the source line are only worked out for an error.
                let location = || Location::of_offset(source, offset);
                let at = |field: Option<&str>, message: String, help: String| {
                    let field = match field {
                        Some(f) => format!("{what}[{n}].{f}"),
                        None => format!("{what}[{n}]"),
                    };
                    Diagnostic::file(path, message).at(location()).field(field).help(help)
                };
                let object: BTreeMap<String, Value> = match serde_json::from_str(raw.get()) {
                    Ok(o) => o,
                    Err(_) => {
                        problems.push(at(
                            None,
                            "is not an object".into(),
                            format!("write each of `{what}` as an object of fields"),
                        ));
                        continue;
                    }
                };
                let mut cells: BTreeMap<&str, Owned> = BTreeMap::new();
                let mut bad = false;
                for (key, value) in &object {
                    let owned = match value {
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
                                        problems.push(at(
                                            Some(key),
                                            "has an item that is not a string".into(),
                                            "write the list as an array of strings".into(),
                                        ));
                                        bad = true;
                                    }
                                }
                            }
                            Owned::List(list)
                        }
                        Value::Object(_) => {
                            problems.push(at(
                                Some(key),
                                "is an object".into(),
                                "write a string, a number or a boolean".into(),
                            ));
                            bad = true;
                            continue;
                        }
                    };
                    cells.insert(key.as_str(), owned);
                }
                if bad {
                    continue;
                }
                let cell = |i: usize| known.get(i).and_then(|k| cells.get(k)).map(as_cell);
                let result = match what {
                    "users" => {
                        let attrs: Vec<(&str, Cell<'_>)> = cells
                            .iter()
                            .filter(|(k, _)| !USER_COLUMNS.contains(k))
                            .map(|(k, v)| (*k, as_cell(v)))
                            .collect();
                        builder.add_user(cell, &attrs, line)
                    }
                    "teams" => builder.add_team(cell, line),
                    _ => builder.add_record(cell, line),
                };
                if let Err(errors) = result {
                    for e in errors {
                        problems.push(at(Some(&e.field), e.message, e.help));
                    }
                }
            }
        };
    for email in &doc.blocked_emails {
        let _ = builder.add_blocked_email(|_| Some(Cell::Text(email)), 0);
    }
    rows(&doc.users, "users", &USER_COLUMNS, &mut builder);
    rows(&doc.teams, "teams", &TEAM_COLUMNS, &mut builder);
    rows(&doc.records, "records", &RECORD_COLUMNS, &mut builder);
    if problems.is_empty() {
        for (line, e) in builder.duplicate_records().into_iter().take(MAX_PROBLEMS) {
            problems.push(
                Diagnostic::file(path, e.message)
                    .at(Location::line(line))
                    .field(format!("records.{}", e.field))
                    .help(e.help),
            );
        }
    }
    super::finish(builder, problems, path, || sha)
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
