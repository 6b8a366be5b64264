//! Cells as loaders hand them over, and their conversion to values: trimmed text, lists,
//! times, counts and yes/no values, each failure a [`FieldError`] naming the field and the
//! fix.

use super::mapping::TimeFormat;
use crate::diag::quote;
use crate::time::{parse_time, trim, Time};

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
    /// A problem with one field.
    pub fn new(field: &str, message: String, help: impl Into<String>) -> Self {
        FieldError { field: field.to_owned(), message, help: help.into() }
    }
}

/// A scalar cell, trimmed; empty = absent.
pub fn text<'a>(cell: Option<Cell<'a>>, field: &str) -> Result<Option<&'a str>, FieldError> {
    match cell {
        None => Ok(None),
        Some(Cell::Text(t)) => {
            let t = trim(t);
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
pub fn list<'a>(cell: Option<Cell<'a>>) -> impl Iterator<Item = &'a str> + Clone {
    let (text, items): (&'a str, &'a [String]) = match cell {
        None => ("", &[]),
        Some(Cell::Text(t)) => (t, &[]),
        Some(Cell::List(items)) => ("", items),
    };
    let from_text = text.split(';');
    let from_items = items.iter().map(String::as_str);
    from_text.chain(from_items).map(trim).filter(|s| !s.is_empty())
}

/// A time cell: the export's own format first (the common case for a mapped export), then
/// the standard forms, which stay accepted.
pub fn time(
    cell: Option<Cell<'_>>,
    field: &str,
    format: Option<&TimeFormat>,
) -> Result<Option<Time>, FieldError> {
    let Some(t) = text(cell, field)? else { return Ok(None) };
    if let Some(f) = format {
        if let Some(time) = f.read(t) {
            use chrono::Datelike;
            if time.year() < 1900 {
                return Err(FieldError::new(
                    field,
                    format!("{} reads as the year {}", quote(t), time.year()),
                    format!(
                        "[snapshot.formats] reads it with `{}`: `%Y` takes the year as written \
                         (`26` is the year 26); for two-digit years write `%y` in the format",
                        f.text
                    ),
                ));
            }
            return Ok(Some(time));
        }
    }
    if let Some(time) = parse_time(t) {
        return Ok(Some(time));
    }
    let help = match format {
        None => crate::hints::time_hint(t, Some(field)),
        Some(f) => format!(
            "expected `{}` from [snapshot.formats] (such as `{}`), RFC 3339 \
             (2026-11-02T08:15:00Z) or YYYY-MM-DD",
            f.text,
            f.example()
        ),
    };
    Err(FieldError::new(field, format!("{} is not a time", quote(t)), help))
}

/// A count cell; empty is 0.
pub fn count(cell: Option<Cell<'_>>, field: &str) -> Result<u32, FieldError> {
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
    let t = trim(t);
    let is = |word: &str| t.eq_ignore_ascii_case(word);
    if is("true") || is("yes") || is("y") || is("1") {
        Some(true)
    } else if is("false") || is("no") || is("n") || is("0") {
        Some(false)
    } else {
        None
    }
}

/// A yes/no cell; empty is no.
pub fn boolean(cell: Option<Cell<'_>>, field: &str) -> Result<bool, FieldError> {
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

/// The cells of a record row: (id, kind, owner, state).
pub type RecordCells<'a> = (&'a str, &'a str, Option<&'a str>, &'a str);

/// Checks the cells of a record row; `cell(i)` is the cell of [`RECORD_COLUMNS`]`[i]`.
pub fn check_record<'a>(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_split_text_and_keep_array_items_whole() {
        let items = vec![" a;b ".to_owned(), String::new()];
        assert_eq!(list(Some(Cell::List(&items))).collect::<Vec<_>>(), ["a;b"]);
        assert_eq!(list(Some(Cell::Text(" x; ;y "))).collect::<Vec<_>>(), ["x", "y"]);
        assert_eq!(list(None).count(), 0);
    }

    #[test]
    fn a_format_that_reads_a_two_digit_year_as_written_is_an_error() {
        let f = TimeFormat::parse("%d/%m/%Y").unwrap();
        let e = time(Some(Cell::Text("11/02/26")), "last_login_at", Some(&f)).unwrap_err();
        assert_eq!(e.message, "`11/02/26` reads as the year 26");
        assert!(e.help.contains("`%y`"), "{}", e.help);
        let t = time(Some(Cell::Text("11/02/2026")), "last_login_at", Some(&f)).unwrap();
        assert_eq!(crate::time::format_time(t.unwrap()), "2026-02-11T00:00:00Z");
        let y = TimeFormat::parse("%d/%m/%y").unwrap();
        let t = time(Some(Cell::Text("11/02/26")), "last_login_at", Some(&y)).unwrap();
        assert_eq!(crate::time::format_time(t.unwrap()), "2026-02-11T00:00:00Z");
    }

    #[test]
    fn booleans_in_every_spelling() {
        for yes in ["true", "YES", " y ", "1"] {
            assert_eq!(parse_bool(yes), Some(true), "{yes}");
        }
        for no in ["False", "no", "N", "0"] {
            assert_eq!(parse_bool(no), Some(false), "{no}");
        }
        assert_eq!(parse_bool("maybe"), None);
    }
}
