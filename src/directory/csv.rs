//! A directory as CSV: an HR export, one person a row. Columns (roster's names, renamed in
//! `[directory.columns]`): `id` (required), `email`, `status`, `leave_date`, `manager_id`,
//! `department`, `employee_number`. Without a `status` column every person is active.

use super::{Builder, Read};
use crate::diag::{quote, Diagnostic, Location};
use crate::policy::Directory;
use std::path::Path;

/// The most problems reported before the rest are left out.
const MAX_PROBLEMS: usize = 50;

pub(super) fn read(
    path: &Path,
    bytes: &[u8],
    policy: &Directory,
    b: &mut Builder,
) -> Result<(), Diagnostic> {
    let body = crate::files::strip_bom(bytes);
    let text = std::str::from_utf8(body).map_err(|e| {
        let valid = body.get(..e.valid_up_to()).unwrap_or_default();
        Diagnostic::file(path, "invalid UTF-8")
            .at(Location::line(valid.iter().filter(|&&c| c == b'\n').count() as u64 + 1))
            .help("save the directory as UTF-8")
    })?;
    let delimiter =
        crate::snapshot::detect_delimiter(text.lines().next().unwrap_or_default().as_bytes());
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| {
            Diagnostic::file(path, format!("cannot read the header: {e}")).at(Location::line(1))
        })?
        .clone();
    let header_line = Location::of_offset(text, 0);
    let column = |name: &str| {
        let header = policy.header(name);
        headers.iter().position(|h| h.trim().eq_ignore_ascii_case(header))
    };
    let Some(id_col) = column("id") else {
        let renamed = policy.header("id");
        let mapped =
            if renamed == "id" { String::new() } else { " (directory.columns.id)".to_owned() };
        return Err(Diagnostic::file(
            path,
            format!("the directory has no `{renamed}` column{mapped}"),
        )
        .at(header_line)
        .help(format!(
            "each person needs an id; if the export calls it otherwise, map it: \
                 [directory.columns] id = \"<header>\" (the headers are {})",
            headers.iter().map(|h| format!("`{h}`")).collect::<Vec<_>>().join(", ")
        )));
    };
    // A renamed column that is not in the file is a mistake in the policy: said there.
    for c in &policy.columns {
        if column(&c.name).is_none() {
            b.problems.push(
                Diagnostic::file(
                    &policy.policy,
                    format!(
                        "directory.columns.{} names `{}`, a header {} does not have",
                        c.name,
                        c.header,
                        path.display()
                    ),
                )
                .at(c.at.clone())
                .help(format!(
                    "{}the headers are {}",
                    crate::hints::did_you_mean(crate::hints::closest(&c.header, headers.iter())),
                    headers.iter().map(|h| format!("`{h}`")).collect::<Vec<_>>().join(", ")
                )),
            );
        }
    }
    let cols = [
        column("email"),
        column("status"),
        column("leave_date"),
        column("manager_id"),
        column("department"),
        column("employee_number"),
    ];
    let [email, status, leave, manager, department, number] = cols;
    // Byte records: the text is UTF-8 already, and cells split at ASCII separators.
    let mut record = ::csv::ByteRecord::new();
    b.reserve(memchr::memchr_iter(b'\n', text.as_bytes()).count(), text.len());
    let mut lines = crate::files::Lines::new(text.as_bytes());
    // Where each person's row starts, for the errors about duplicates found later.
    let mut starts: Vec<usize> = Vec::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = lines.of(e.position().map_or(0, |p| p.byte() as usize));
                b.problems.push(
                    Diagnostic::file(path, csv_message(&e))
                        .at(Location::line(line))
                        .help("quote a cell holding the separator or a quote (\"a, b\"), and give every row as many cells as the header"),
                );
                if b.problems.len() >= MAX_PROBLEMS {
                    break;
                }
                continue;
            }
        }
        let at = record.position().map_or(0, |p| p.byte() as usize);
        let line = lines.of(at) as u32;
        let offset = crate::files::record_start(text.as_bytes(), at);
        let cell = |c: Option<usize>| {
            c.and_then(|i| record.get(i))
                .and_then(|b| std::str::from_utf8(b).ok())
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        let at = |name: &str| {
            let mut location = Location::of_offset(text, offset);
            let index = column(name).unwrap_or(0);
            if let Some(line) = &location.snippet {
                location.column = Some(cell_column(line, index, delimiter));
            }
            Diagnostic::file(path, String::new()).at(location).field(policy.header(name).to_owned())
        };
        let Some(id) = cell(Some(id_col)) else {
            b.problems.push(
                Diagnostic { message: "a person without an id".into(), ..at("id") }
                    .help("give every row an id, or remove it"),
            );
            continue;
        };
        let active = match cell(status) {
            None => true,
            Some(word) => match policy.status_word(word) {
                Some(a) => a,
                None => {
                    b.problems.push(
                        Diagnostic { message: format!("{} is not a directory status", quote(word)), ..at("status") }
                            .help(format!(
                                "map the word in the policy: [directory.statuses] {} = \"active\" or \"terminated\"",
                                toml_key(word)
                            )),
                    );
                    true
                }
            },
        };
        let leave_date = match cell(leave) {
            None => None,
            Some(t) => match crate::time::parse_time(t) {
                Some(t) => Some(t),
                None => {
                    b.problems.push(
                        Diagnostic {
                            message: format!("{} is not a date", quote(t)),
                            ..at("leave_date")
                        }
                        .help(crate::hints::time_hint(t, None)),
                    );
                    None
                }
            },
        };
        let read = Read {
            id,
            email: cell(email),
            employee_number: cell(number),
            manager: cell(manager),
            department: cell(department),
            active,
            leave_date,
            line,
        };
        starts.push(offset);
        b.push(read);
        if b.problems.len() >= MAX_PROBLEMS {
            break;
        }
    }
    let room = MAX_PROBLEMS.saturating_sub(b.problems.len());
    for (dup, first) in b.index().into_iter().take(room) {
        let (d, f) = (b.people.get(dup), b.people.get(first));
        let start = starts.get(dup.0 as usize).copied().unwrap_or(0);
        let mut location = Location::of_offset(text, start);
        if let Some(line) = &location.snippet {
            location.column = Some(cell_column(line, id_col, delimiter));
        }
        let problem = Diagnostic::file(
            path,
            format!("the id {} is also on line {}", quote(d.id()), f.line()),
        )
        .at(location)
        .field(policy.header("id").to_owned())
        .help("each person is one row: remove or merge the duplicate");
        b.problems.push(problem);
    }
    // In file order, whichever pass found them.
    b.problems.sort_by_key(|d| (d.location.line, d.location.column));
    Ok(())
}

/// The 1-based character column where cell `index` of a CSV line starts.
fn cell_column(line: &str, index: usize, delimiter: u8) -> u64 {
    let mut cell = 0;
    let mut quoted = false;
    for (chars, c) in line.chars().enumerate() {
        if cell == index {
            return chars as u64 + 1;
        }
        match c {
            '"' => quoted = !quoted,
            c if !quoted && c as u32 == u32::from(delimiter) => cell += 1,
            _ => {}
        }
    }
    line.chars().count() as u64 + 1
}

fn csv_message(e: &::csv::Error) -> String {
    match e.kind() {
        ::csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("the row has {len} cells and the header {expected_len}")
        }
        _ => e.to_string(),
    }
}

/// A word as a TOML key: bare when it can be, else quoted.
fn toml_key(word: &str) -> String {
    if !word.is_empty() && word.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
    {
        word.to_owned()
    } else {
        format!("{:?}", word)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn cells_start_after_separators_outside_quotes() {
        let line = "p1,\"Lee, Pat\",active";
        assert_eq!(super::cell_column(line, 0, b','), 1);
        assert_eq!(super::cell_column(line, 1, b','), 4);
        assert_eq!(super::cell_column(line, 2, b','), 15);
        assert_eq!(super::cell_column("a,", 1, b','), 3);
    }
}
