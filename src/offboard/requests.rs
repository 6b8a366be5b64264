//! The bulk requests sheet of `roster offboard --requests`: columns `user` (or `user_id`,
//! `id`, `email`), `deactivate` (or `deactivated`; `y/yes/true/1`, any case) and optionally
//! `reassign_to`, `reports_to`. Other columns are ignored, so a product's bulk update
//! sheet can be used as it is. When a sheet has several of the user columns, the ones
//! filled in on a row must name the same user ([`Sheet::check`]). Parsing only: the
//! command line reads the file.

use crate::diag::{quote, Diagnostic, Diagnostics, Location};
use crate::snapshot::{parse_bool, Store};
use std::path::{Path, PathBuf};

/// A parsed sheet and where it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    /// The file, for messages.
    pub path: PathBuf,
    /// The rows that ask for a deactivation, in sheet order.
    pub rows: Vec<SheetRow>,
}

impl Sheet {
    /// Refuses a row whose user columns name different users (or where one names a user
    /// and another nobody): taking either would offboard someone the sheet may not mean.
    pub fn check(&self, store: &Store) -> Result<(), Diagnostics> {
        let asked = self.rows.iter().flat_map(|r| {
            std::iter::once(r.user.as_str()).chain(r.also.iter().map(|(_, v)| v.as_str()))
        });
        let mut found = store.find_users(asked).into_iter();
        let mut problems = Vec::new();
        for row in &self.rows {
            let first = found.next().flatten();
            for ((column, value), user) in row.also.iter().zip(found.by_ref()) {
                if user != first {
                    let said = |u: Option<_>| match u {
                        Some(ix) => format!("user {}", quote(store.user(ix).id())),
                        None => "no user".to_owned(),
                    };
                    problems.push(
                        Diagnostic::file(
                            &self.path,
                            format!(
                                "`{}` {} is {} but `{column}` {} is {}",
                                row.user_column,
                                quote(&row.user),
                                said(first),
                                quote(value),
                                said(user)
                            ),
                        )
                        .at(Location::line(row.line))
                        .help(
                            "leave all but one user column empty, or make them name the same user",
                        ),
                    );
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Diagnostics(problems))
        }
    }
}

/// One row that asks for a deactivation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetRow {
    /// The line in the sheet.
    pub line: u64,
    /// The user (id or e-mail), from the first filled user column.
    pub user: String,
    /// That column's name.
    pub user_column: &'static str,
    /// The other filled user columns of the row, with their names.
    pub also: Vec<(&'static str, String)>,
    /// Receiver of the user's records.
    pub reassign_to: Option<String>,
    /// New manager of the user's reports (and leader of their teams).
    pub reports_to: Option<String>,
}

/// Parses a requests sheet read from `path` (which names it in messages); rows whose
/// `deactivate` is no or empty are skipped.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Sheet, Diagnostics> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let help =
        "a requests sheet has the columns user, deactivate and optionally reassign_to, reports_to";
    // Read with the delimiter of its header: a comma, or `;`, a tab or `|` when the header
    // has one of those and no comma (as the snapshot's files are).
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .delimiter(crate::snapshot::detect_delimiter(bytes))
        .from_reader(bytes);
    let header = reader
        .byte_headers()
        .map_err(|e| Diagnostic::file(path, format!("cannot read the header: {e}")).help(help))?
        .clone();
    if header.is_empty() || header.iter().all(|h| h.is_empty()) {
        return Err(Diagnostic::file(path, "the file is empty").help(help).into());
    }
    let names: Vec<String> =
        header.iter().map(|h| String::from_utf8_lossy(h).trim().to_lowercase()).collect();
    let col = |name: &str| names.iter().position(|n| n == name);
    let user_cols: Vec<(&'static str, usize)> =
        USER_COLUMNS.iter().filter_map(|name| Some((*name, col(name)?))).collect();
    let (false, Some(deactivate_col)) =
        (user_cols.is_empty(), col("deactivate").or_else(|| col("deactivated")))
    else {
        let missing = if user_cols.is_empty() { "user" } else { "deactivate" };
        const SHOWN: usize = 20;
        let mut found: Vec<String> = names.iter().take(SHOWN).map(|n| quote(n)).collect();
        if names.len() > SHOWN {
            found.push(format!("and {} more", names.len() - SHOWN));
        }
        return Err(Diagnostic::file(path, format!("missing required column `{missing}`"))
            .at(Location::line(1))
            .help(format!("{help}; the header has: {}", found.join(", ")))
            .into());
    };
    let (reassign_col, reports_col) = (col("reassign_to"), col("reports_to"));
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut lines = crate::files::Lines::new(bytes);
    for record in reader.byte_records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                problems.push(
                    Diagnostic::file(path, e.to_string()).at(Location::line(line)).help(help),
                );
                break;
            }
        };
        let line = lines.of(record.position().map_or(0, |p| p.byte() as usize));
        let cell = |i: Option<usize>| -> Result<Option<String>, Diagnostic> {
            let Some(raw) = i.and_then(|i| record.get(i)) else {
                return Ok(None);
            };
            let text = std::str::from_utf8(raw).map_err(|_| {
                Diagnostic::file(path, "invalid UTF-8")
                    .at(Location::line(line))
                    .help("save the sheet as UTF-8")
            })?;
            let text = text.trim();
            Ok((!text.is_empty()).then(|| text.to_owned()))
        };
        let row = (|| -> Result<Option<SheetRow>, Diagnostic> {
            let deactivate = cell(Some(deactivate_col))?;
            let wanted = match deactivate.as_deref() {
                None => false,
                Some(v) => parse_bool(v).ok_or_else(|| {
                    Diagnostic::file(path, format!("{} is not a yes/no value", quote(v)))
                        .at(Location::line(line))
                        .field("deactivate")
                        .help("write y/yes/true/1 to deactivate, n/no/false/0 or nothing to skip the row")
                })?,
            };
            if !wanted {
                return Ok(None);
            }
            let mut filled = Vec::new();
            for (name, i) in &user_cols {
                if let Some(value) = cell(Some(*i))? {
                    filled.push((*name, value));
                }
            }
            if filled.is_empty() {
                return Err(Diagnostic::file(path, "is empty")
                    .at(Location::line(line))
                    .field(user_cols[0].0)
                    .help("write a user id or e-mail"));
            }
            let (user_column, user) = filled.remove(0);
            Ok(Some(SheetRow {
                line,
                user,
                user_column,
                also: filled,
                reassign_to: cell(reassign_col)?,
                reports_to: cell(reports_col)?,
            }))
        })();
        match row {
            Ok(Some(r)) => rows.push(r),
            Ok(None) => {}
            Err(d) => problems.push(d),
        }
    }
    if problems.is_empty() {
        Ok(Sheet { path: path.to_owned(), rows })
    } else {
        Err(Diagnostics(problems))
    }
}

/// The column naming the user: `user`, else `user_id`, `id` or `email` (bulk update
/// sheets of many products use one of these).
/// The columns that name the user, in the order they are preferred.
const USER_COLUMNS: [&str; 4] = ["user", "user_id", "id", "email"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_yes_rows_and_skips_the_rest() {
        let sheet = b"User,Deactivate,reassign_to\nu1,Y,u9\nu2,no,\nu3,,\nu4,TRUE,\n";
        let rows = parse(Path::new("s.csv"), sheet).unwrap().rows;
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].user, "u1");
        assert_eq!(rows[0].reassign_to.as_deref(), Some("u9"));
        assert_eq!(rows[1].line, 5);
    }

    #[test]
    fn a_bad_flag_names_the_line() {
        let err = parse(Path::new("s.csv"), b"user,deactivate\nu1,maybe\n").unwrap_err();
        assert!(
            err.to_string().contains("s.csv:2: deactivate: `maybe` is not a yes/no value"),
            "{err}"
        );
    }
}
