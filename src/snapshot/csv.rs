//! The CSV folder: `users.csv` (required), `teams.csv`, `records.csv`, `snapshot.toml`,
//! `blocked_emails.csv`.
//!
//! Column order is free, header names are matched ignoring case and surrounding space,
//! extra user columns are kept as attributes, a UTF-8 BOM is skipped, and every bad cell
//! is reported with its file, line and column name.

use super::build::{
    Cell, FieldError, RecordChunk, StoreBuilder, BLOCKED_EMAIL_COLUMNS, RECORD_COLUMNS,
    RECORD_REQUIRED, TEAM_COLUMNS, TEAM_REQUIRED,
};
use super::mapping::{ColumnMap, Input};
use super::meta;
use super::Reading;
use super::{Progress, Store};
use crate::diag::{closest, Diagnostic, Diagnostics, Location};
use crate::fields::{USER_COLUMNS, USER_REQUIRED};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::path::Path;

/// At most this many problems are reported from one snapshot.
pub const MAX_PROBLEMS: usize = 50;

/// The files of a CSV snapshot, read into memory.
#[derive(Debug, Clone, Default)]
pub struct CsvFiles {
    /// `users.csv` (required).
    pub users: Vec<u8>,
    /// `teams.csv`.
    pub teams: Option<Vec<u8>>,
    /// `records.csv`.
    pub records: Option<Vec<u8>>,
    /// `snapshot.toml`.
    pub meta: Option<Vec<u8>>,
    /// `blocked_emails.csv`.
    pub blocked_emails: Option<Vec<u8>>,
}

/// Loads a CSV folder.
pub fn load_folder(
    dir: &Path,
    reading: Reading<'_>,
    progress: &dyn Progress,
) -> Result<Store, Diagnostics> {
    let mut problems = Vec::new();
    let users_path = dir.join("users.csv");
    let users = match std::fs::read(&users_path) {
        Ok(bytes) => bytes,
        Err(e) => {
            return Err(Diagnostic::file(&users_path, format!("cannot read users.csv: {e}"))
                .help(
                    "a snapshot folder needs users.csv with at least the columns id, role, status",
                )
                .into())
        }
    };
    let files = CsvFiles {
        users,
        teams: read_optional(&dir.join("teams.csv"), &mut problems),
        records: read_optional(&dir.join("records.csv"), &mut problems),
        meta: read_optional(&dir.join("snapshot.toml"), &mut problems),
        blocked_emails: read_optional(&dir.join("blocked_emails.csv"), &mut problems),
    };
    if !problems.is_empty() {
        return Err(Diagnostics(problems));
    }
    progress.phase("read files");
    parse_folder(dir, &files, reading, progress)
}

/// Parses the files of a CSV snapshot; `dir` names the folder in messages.
pub fn parse_folder(
    dir: &Path,
    files: &CsvFiles,
    reading: Reading<'_>,
    progress: &dyn Progress,
) -> Result<Store, Diagnostics> {
    // The digest of 500 MB takes about half a second: compute it beside the parsing.
    let (sha, parsed) =
        rayon::join(|| digest_folder(files), || parse_tables(dir, files, reading, progress));
    parsed.map(|builder| builder.finish(dir.to_path_buf(), sha))
}

/// The SHA-256 the plan records for a CSV snapshot: every file present, by name.
fn digest_folder(files: &CsvFiles) -> String {
    let mut digest = Sha256::new();
    for (name, bytes) in [
        ("snapshot.toml", files.meta.as_deref()),
        ("users.csv", Some(files.users.as_slice())),
        ("teams.csv", files.teams.as_deref()),
        ("records.csv", files.records.as_deref()),
        ("blocked_emails.csv", files.blocked_emails.as_deref()),
    ] {
        if let Some(bytes) = bytes {
            hash_file(&mut digest, name, bytes);
        }
    }
    crate::hash::hex(&digest.finalize())
}

/// Parses every table of a CSV snapshot into a builder.
fn parse_tables<'p>(
    dir: &Path,
    files: &CsvFiles,
    reading: Reading<'p>,
    progress: &dyn Progress,
) -> Result<StoreBuilder<'p>, Diagnostics> {
    let mut builder = StoreBuilder::new(reading);
    let mut problems = Vec::new();
    if let Some(bytes) = &files.meta {
        meta::apply(&dir.join("snapshot.toml"), bytes, &mut builder, &mut problems);
    }
    progress.step("parsing users.csv");
    let users = dir.join("users.csv");
    read_table(&users, &files.users, Table::Users, &mut builder, &mut problems, progress);
    progress.phase("users.csv");
    for (name, table, bytes) in [
        ("teams.csv", Table::Teams, &files.teams),
        ("records.csv", Table::Records, &files.records),
        ("blocked_emails.csv", Table::BlockedEmails, &files.blocked_emails),
    ] {
        if let Some(bytes) = bytes {
            progress.step(&format!("parsing {name}"));
            read_table(&dir.join(name), bytes, table, &mut builder, &mut problems, progress);
            progress.phase(name);
        }
    }
    if problems.is_empty() {
        progress.step("checking record ids");
        let records = dir.join("records.csv");
        for (line, e) in builder.duplicate_records().into_iter().take(MAX_PROBLEMS) {
            problems.push(field_error(&records, line, e));
        }
        progress.phase("duplicate record ids");
    }
    if problems.is_empty() {
        Ok(builder)
    } else {
        problems.truncate(MAX_PROBLEMS);
        Err(Diagnostics(problems))
    }
}

pub(super) fn hash_file(digest: &mut Sha256, name: &str, bytes: &[u8]) {
    digest.update(name.as_bytes());
    digest.update([0]);
    digest.update((bytes.len() as u64).to_le_bytes());
    digest.update(bytes);
}

pub(super) fn read_optional(path: &Path, problems: &mut Vec<Diagnostic>) -> Option<Vec<u8>> {
    match std::fs::read(path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            problems.push(Diagnostic::file(path, format!("cannot read the file: {e}")));
            None
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Table {
    Users,
    Teams,
    Records,
    BlockedEmails,
}

impl Table {
    fn columns(self) -> &'static [&'static str] {
        match self {
            Table::Users => &USER_COLUMNS,
            Table::Teams => &TEAM_COLUMNS,
            Table::Records => &RECORD_COLUMNS,
            Table::BlockedEmails => &BLOCKED_EMAIL_COLUMNS,
        }
    }

    fn columns_map(self, input: &Input) -> &ColumnMap {
        match self {
            Table::Users => &input.users,
            Table::Teams => &input.teams,
            Table::Records => &input.records,
            Table::BlockedEmails => &input.blocked_emails,
        }
    }

    fn file(self) -> &'static str {
        match self {
            Table::Users => "users",
            Table::Teams => "teams",
            Table::Records => "records",
            Table::BlockedEmails => "blocked_emails",
        }
    }

    fn required(self) -> &'static [&'static str] {
        match self {
            Table::Users => &USER_REQUIRED,
            Table::Teams => &TEAM_REQUIRED,
            Table::Records => &RECORD_REQUIRED,
            Table::BlockedEmails => &BLOCKED_EMAIL_COLUMNS,
        }
    }
}

/// Strips a UTF-8 byte order mark.
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Reads one CSV table into the builder, pushing every problem found.
pub(super) fn read_table(
    path: &Path,
    bytes: &[u8],
    table: Table,
    builder: &mut StoreBuilder<'_>,
    problems: &mut Vec<Diagnostic>,
    progress: &dyn Progress,
) {
    let bytes = strip_bom(bytes);
    let required = table.required().join(", ");
    if bytes.iter().all(u8::is_ascii_whitespace) {
        problems.push(
            Diagnostic::file(path, "the file is empty")
                .help(format!("write a header row naming at least the columns {required}")),
        );
        return;
    }
    let data_start = end_of_first_record(bytes);
    let (head, data) = bytes.split_at(data_start.min(bytes.len()));
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(head);
    let mut records = reader.byte_records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => {
            problems.push(csv_error(path, &e));
            return;
        }
        None => {
            problems.push(
                Diagnostic::file(path, "the file is empty")
                    .help(format!("write a header row naming at least the columns {required}")),
            );
            return;
        }
    };
    // Column positions of the standard fields, and the extra columns. A mapped export
    // names its columns in [snapshot.columns.<file>]; positions are resolved here, once.
    let known = table.columns();
    let map = table.columns_map(builder.input());
    let expected: Vec<String> = known
        .iter()
        .map(|k| map.header(k).map_or_else(|| (*k).to_owned(), str::to_lowercase))
        .collect();
    let mut positions: Vec<Option<usize>> = vec![None; known.len()];
    let mut extras: Vec<(String, usize)> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for (col, raw) in header.iter().enumerate() {
        let Ok(name) = std::str::from_utf8(raw) else {
            problems.push(
                Diagnostic::file(path, format!("column {} of the header is not UTF-8", col + 1))
                    .at(Location::line(1))
                    .help("save the file as UTF-8"),
            );
            return;
        };
        let name = name.trim();
        let key = name.to_lowercase();
        if name.is_empty() {
            problems.push(
                Diagnostic::file(path, format!("column {} of the header has no name", col + 1))
                    .at(Location::line(1))
                    .help("name every column, or remove the empty one"),
            );
            continue;
        }
        if seen.contains(&key) {
            problems.push(
                Diagnostic::file(path, format!("column `{name}` appears twice in the header"))
                    .at(Location::line(1))
                    .help("remove or rename one of the two columns"),
            );
            continue;
        }
        seen.push(key.clone());
        names.push(name.to_owned());
        match expected.iter().position(|k| *k == key) {
            Some(i) => positions[i] = Some(col),
            None if table == Table::Users => {
                builder.attribute_column(name);
                extras.push((name.to_owned(), col));
            }
            None => {}
        }
    }
    let found = names.join(", ");
    let mut header_ok = true;
    for (i, column) in known.iter().enumerate() {
        if positions[i].is_some() {
            continue;
        }
        let mapped = map.header(column);
        let close = closest(mapped.unwrap_or(column), names.iter().map(String::as_str));
        let did_you_mean = close.map_or(String::new(), |c| format!("did you mean `{c}`? "));
        match mapped {
            Some(h) => problems.push(
                Diagnostic::file(
                    path,
                    format!(
                        "missing column `{h}`, which [snapshot.columns.{}] maps to `{column}`",
                        table.file()
                    ),
                )
                .at(Location::line(1))
                .help(format!(
                    "{did_you_mean}the header has: {found}; fix the header name in the policy"
                )),
            ),
            None if table.required().contains(column) => problems.push(
                Diagnostic::file(path, format!("missing required column `{column}`"))
                    .at(Location::line(1))
                    .help(format!(
                        "{did_you_mean}the header has: {found}; add a `{column}` column, or map \
                         the export's own header with [snapshot.columns.{}] in the policy",
                        table.file()
                    )),
            ),
            None => continue,
        }
        header_ok = false;
    }
    if header_ok && table == Table::Users && !map.is_empty() && builder.needs_last_login() {
        if let Some(i) = known.iter().position(|k| *k == "last_login_at") {
            if positions[i].is_none() {
                problems.push(
                    Diagnostic::file(path, "the export has no last login column, and the policy's [idle] rule needs one")
                        .at(Location::line(1))
                        .field("last_login_at")
                        .help(format!(
                            "the header has: {found}; map the column with last_login_at = \"<header>\" in \
                             [snapshot.columns.users] (without it every user would count as never logged in)"
                        )),
                );
                header_ok = false;
            }
        }
    }
    if !header_ok {
        return;
    }
    drop(records);
    let line_base = newlines(head);
    match table {
        Table::Records => {
            read_records(path, data, line_base, &header, &positions, builder, problems);
            return;
        }
        Table::Users => {
            let columns = UserColumns { header: &header, positions: &positions, extras: &extras };
            read_users(path, data, line_base, &columns, builder, problems, progress);
            return;
        }
        Table::Teams | Table::BlockedEmails => {}
    }
    let positions = &positions;
    each_row(path, data, line_base, &header, problems, |line, row| {
        let cell = |i: usize| standard_cell(row, positions, i);
        match table {
            Table::Teams => builder.add_team(cell, line),
            Table::BlockedEmails => builder.add_blocked_email(cell, line),
            Table::Users | Table::Records => Ok(()),
        }
    });
}

/// A cell of a row already checked to be UTF-8.
fn cell_text(row: &csv::ByteRecord, c: usize) -> Option<&str> {
    row.get(c).and_then(|raw| std::str::from_utf8(raw).ok())
}

/// The cell of standard column `i` (`positions[i]` is where the header put it), if any.
fn standard_cell<'r>(
    row: &'r csv::ByteRecord,
    positions: &[Option<usize>],
    i: usize,
) -> Option<Cell<'r>> {
    positions.get(i).copied().flatten().and_then(|c| cell_text(row, c)).map(Cell::Text)
}

/// Where records end, as the `csv` crate reads them: a quote opens a quoted field only at
/// the start of a field; inside one, `""` is a quote and a lone `"` closes it.
#[derive(Default)]
struct Quotes {
    quoted: bool,
    mid_field: bool,
    skip: bool,
}

impl Quotes {
    /// Feeds byte `b` (followed by `next`); true when `b` ends a record.
    fn ends_record(&mut self, b: u8, next: Option<u8>) -> bool {
        if self.skip {
            self.skip = false;
            return false;
        }
        if self.quoted {
            if b == b'"' {
                if next == Some(b'"') {
                    self.skip = true;
                } else {
                    self.quoted = false;
                }
            }
            return false;
        }
        match b {
            b'"' if !self.mid_field => {
                self.quoted = true;
                self.mid_field = true;
                false
            }
            b',' => {
                self.mid_field = false;
                false
            }
            b'\n' | b'\r' => {
                self.mid_field = false;
                true
            }
            _ => {
                self.mid_field = true;
                false
            }
        }
    }
}

/// The byte offset just past the first record (the header), honouring quoted fields.
fn end_of_first_record(bytes: &[u8]) -> usize {
    let mut q = Quotes::default();
    for (i, b) in bytes.iter().enumerate() {
        if q.ends_record(*b, bytes.get(i + 1).copied()) {
            return if *b == b'\r' && bytes.get(i + 1) == Some(&b'\n') { i + 2 } else { i + 1 };
        }
    }
    bytes.len()
}

/// How many line breaks `bytes` holds: LF, CRLF and a lone CR each count once.
pub(super) fn newlines(bytes: &[u8]) -> u64 {
    let lf = bytes.iter().filter(|b| **b == b'\n').count();
    let lone_cr = bytes.windows(2).filter(|w| w[0] == b'\r' && w[1] != b'\n').count()
        + usize::from(bytes.last() == Some(&b'\r'));
    (lf + lone_cr) as u64
}

/// Line numbers of records from their byte offsets, counted as the reader moves forward
/// (the `csv` crate's own line count is off by one after CRLF and blind to a lone CR).
pub(crate) struct Lines<'d> {
    data: &'d [u8],
    pos: usize,
    breaks: u64,
}

impl<'d> Lines<'d> {
    /// Counts lines in `data` from its start.
    pub(crate) fn new(data: &'d [u8]) -> Self {
        Lines { data, pos: 0, breaks: 0 }
    }

    /// The 1-based line (within `data`) where the record starting at `offset` begins.
    pub(crate) fn of(&mut self, offset: usize) -> u64 {
        let target = offset.min(self.data.len());
        if target > self.pos {
            self.breaks += newlines(self.data.get(self.pos..target).unwrap_or_default());
            // A CR counted as lone because its LF lies at `target` is one CRLF break.
            if self.data.get(target - 1) == Some(&b'\r') && self.data.get(target) == Some(&b'\n') {
                self.breaks -= 1;
            }
            self.pos = target;
        }
        // The record may begin with the end of the previous line.
        let mut line = self.breaks + 1;
        let mut p = self.pos;
        while let Some(b) = self.data.get(p) {
            match b {
                b'\n' => line += 1,
                b'\r' if self.data.get(p + 1) != Some(&b'\n') => line += 1,
                b'\r' => {}
                _ => break,
            }
            p += 1;
        }
        line
    }
}

/// Reads the data rows of `data` (no header): checks each row's width and UTF-8, then
/// hands good rows, with their line in the file (`line_base` lines come before `data`), to
/// `on_row`. One record buffer serves the whole slice: no allocation per row.
fn each_row(
    path: &Path,
    data: &[u8],
    line_base: u64,
    header: &csv::ByteRecord,
    problems: &mut Vec<Diagnostic>,
    mut on_row: impl FnMut(u64, &csv::ByteRecord) -> Result<(), Vec<FieldError>>,
) -> bool {
    let width = header.len();
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(data);
    let mut row = csv::ByteRecord::new();
    let mut lines = Lines::new(data);
    loop {
        if problems.len() >= MAX_PROBLEMS {
            return false;
        }
        match reader.read_byte_record(&mut row) {
            Ok(true) => {}
            Ok(false) => return true,
            Err(e) => {
                let mut d = csv_error(path, &e);
                d.location.line = d.location.line.map(|l| l + line_base);
                problems.push(d);
                return false;
            }
        }
        let line = line_base + lines.of(row.position().map_or(0, |p| p.byte() as usize));
        if row.len() != width {
            problems.push(
                Diagnostic::file(
                    path,
                    format!("the row has {} fields, the header has {width}", row.len()),
                )
                .at(Location::line(line))
                .help("quote cells that contain commas, and give every row one cell per column"),
            );
            continue;
        }
        // Fields split at ASCII delimiters, so a valid row has valid fields: check the row
        // once, and look for the bad cell only when it is not.
        if std::str::from_utf8(row.as_slice()).is_err() {
            if let Some((col, e)) = row
                .iter()
                .enumerate()
                .find_map(|(c, raw)| std::str::from_utf8(raw).err().map(|e| (c, e)))
            {
                let column = header.get(col).map(String::from_utf8_lossy).unwrap_or_default();
                problems.push(
                    Diagnostic::file(
                        path,
                        format!("invalid UTF-8 after byte {} of the cell", e.valid_up_to()),
                    )
                    .at(Location::line(line))
                    .field(column.trim().to_owned())
                    .help("save the file as UTF-8"),
                );
            }
            continue;
        }
        if let Err(errors) = on_row(line, &row) {
            problems.extend(errors.into_iter().map(|e| field_error(path, line, e)));
        }
    }
}

/// Files at least this large are parsed in parallel chunks.
const PARALLEL_BYTES: usize = 4 << 20;

/// Cuts `data` (rows only; `line_base` lines come before it) at record boundaries into
/// chunks, parsed in parallel by `parse(chunk, its line base, its problems)` when the file
/// is big, and returns their results in file order with each chunk's problems and whether
/// all its rows were read. The caller appends them in that order, so the result is the
/// same whatever the thread count.
fn in_chunks<T: Send>(
    data: &[u8],
    line_base: u64,
    parse: impl Fn(&[u8], u64, &mut Vec<Diagnostic>) -> (T, bool) + Sync,
) -> Vec<(T, Vec<Diagnostic>, bool)> {
    let parts =
        if data.len() < PARALLEL_BYTES { 1 } else { rayon::current_num_threads().max(1) * 4 };
    let bounds = chunk_bounds(data, parts);
    let bases: Vec<u64> = {
        let counts: Vec<u64> = bounds
            .par_windows(2)
            .map(|w| newlines(data.get(w[0]..w[1]).unwrap_or_default()))
            .collect();
        let mut base = line_base;
        counts
            .iter()
            .map(|c| {
                let b = base;
                base += c;
                b
            })
            .collect()
    };
    bounds
        .par_windows(2)
        .zip(bases.par_iter())
        .map(|(w, base)| {
            let mut problems = Vec::new();
            let (out, complete) =
                parse(data.get(w[0]..w[1]).unwrap_or_default(), *base, &mut problems);
            (out, problems, complete)
        })
        .collect()
}

/// `users.csv`: rows are checked and converted in parallel chunks, then pushed in file
/// order (ids checked for repeats, flags and attribute names interned).
/// Where the columns of `users.csv` are: the header, the position of each standard column
/// and the extra columns with theirs.
struct UserColumns<'h> {
    header: &'h csv::ByteRecord,
    positions: &'h [Option<usize>],
    extras: &'h [(String, usize)],
}

fn read_users(
    path: &Path,
    data: &[u8],
    line_base: u64,
    &UserColumns { header, positions, extras }: &UserColumns<'_>,
    builder: &mut StoreBuilder<'_>,
    problems: &mut Vec<Diagnostic>,
    progress: &dyn Progress,
) {
    let reader = &*builder;
    let chunks = in_chunks(data, line_base, |chunk, base, problems| {
        let mut rows = Vec::new();
        let complete = each_row(path, chunk, base, header, problems, |line, row| {
            let cell = |i: usize| standard_cell(row, positions, i);
            let attrs: Vec<(&str, Cell<'_>)> = extras
                .iter()
                .filter_map(|(name, c)| cell_text(row, *c).map(|v| (name.as_str(), Cell::Text(v))))
                .collect();
            rows.push((line, reader.parse_user(cell, &attrs)));
            Ok(())
        });
        (rows, complete)
    });
    let rows: usize = chunks.iter().map(|(rows, _, _)| rows.len()).sum();
    let id_bytes: usize =
        chunks.iter().flat_map(|(rows, _, _)| rows.iter()).map(|(_, r)| r.id_len()).sum();
    builder.reserve_users(rows, id_bytes);
    progress.phase("users parsed");
    for (rows, chunk_problems, complete) in chunks {
        let mut found = chunk_problems;
        for (line, row) in rows {
            if let Err(errors) = builder.push_user(row, line) {
                found.extend(errors.into_iter().map(|e| field_error(path, line, e)));
            }
        }
        // Row problems and field problems, each in file order: merge them by line.
        found.sort_by_key(|d| d.location.line);
        problems.extend(found);
        if !complete || problems.len() >= MAX_PROBLEMS {
            return;
        }
    }
}

/// `records.csv`, the big table: parsed in parallel chunks (owners resolved per chunk),
/// then appended in file order.
fn read_records(
    path: &Path,
    data: &[u8],
    line_base: u64,
    header: &csv::ByteRecord,
    positions: &[Option<usize>],
    builder: &mut StoreBuilder<'_>,
    problems: &mut Vec<Diagnostic>,
) {
    let reader = &*builder;
    let chunks = in_chunks(data, line_base, |chunk, base, problems| {
        // Rows are about 35 bytes, ids about 10: reserve, then let the vectors grow.
        let mut out = RecordChunk::with_capacity(chunk.len() / 32, chunk.len() / 3);
        let complete = each_row(path, chunk, base, header, problems, |line, row| {
            reader.parse_record(|i| standard_cell(row, positions, i), line, &mut out)
        });
        reader.resolve_owners(&mut out);
        (out, complete)
    });
    for (records, chunk_problems, complete) in chunks {
        problems.extend(chunk_problems);
        if let Err(e) = builder.push_records(records) {
            problems.push(Diagnostic::file(path, e.message).help(e.help));
            return;
        }
        if !complete || problems.len() >= MAX_PROBLEMS {
            return;
        }
    }
}

/// Start offsets of `parts` chunks of `data` (plus its end), each at a record boundary.
fn chunk_bounds(data: &[u8], parts: usize) -> Vec<usize> {
    let mut bounds = vec![0];
    let mut cursor = 0usize;
    for k in 1..parts.max(1) {
        let target = data.len() * k / parts;
        if target <= cursor {
            continue;
        }
        match next_record_start(data, cursor, target) {
            Some(end) if end < data.len() => {
                bounds.push(end);
                cursor = end;
            }
            _ => break,
        }
    }
    bounds.push(data.len());
    bounds
}

/// The first record start after an LF at or after `target`, walking from `from` (itself
/// a record start). Outside quoted fields the walk jumps from quote to quote, so files
/// without quotes are crossed at memchr speed.
fn next_record_start(data: &[u8], from: usize, target: usize) -> Option<usize> {
    let mut q = Quotes::default();
    let mut i = from;
    while i < data.len() {
        if !q.quoted && !q.skip {
            let quote = memchr::memchr(b'"', data.get(i..)?).map_or(data.len(), |p| i + p);
            let start = i.max(target);
            if let Some(lf) = data.get(start..quote).and_then(|s| memchr::memchr(b'\n', s)) {
                return Some(start + lf + 1);
            }
            if quote == data.len() {
                return None;
            }
            // Whether the quote opens a field depends only on the byte before it.
            q.mid_field =
                quote > from && !matches!(data.get(quote - 1), Some(b',' | b'\n' | b'\r'));
            i = quote;
        }
        let b = data.get(i).copied()?;
        if q.ends_record(b, data.get(i + 1).copied()) && b == b'\n' && i >= target {
            return Some(i + 1);
        }
        i += 1;
    }
    None
}

fn field_error(path: &Path, line: u64, e: FieldError) -> Diagnostic {
    Diagnostic::file(path, e.message).at(Location::line(line)).field(e.field).help(e.help)
}

fn csv_error(path: &Path, e: &csv::Error) -> Diagnostic {
    let line = e.position().map(csv::Position::line);
    let message = match e.kind() {
        csv::ErrorKind::Utf8 { err, .. } => {
            format!("invalid UTF-8 in field {}", err.field() + 1)
        }
        csv::ErrorKind::Io(io) => format!("cannot read the file: {io}"),
        _ => e.to_string(),
    };
    let d = Diagnostic::file(path, message).help("check the quoting around this line");
    match line {
        Some(l) => d.at(Location::line(l)),
        None => d,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quote_inside_an_unquoted_header_field_does_not_swallow_the_file() {
        // Found by fuzzing: `l"gin` is a literal quote for the csv crate, not a quoted field.
        let bytes = b"id,last_l\"gin_at,role,status\nu1,,rep,active\n";
        assert_eq!(end_of_first_record(bytes), 29);
        assert_eq!(end_of_first_record(b"\"a,\nb\",c\r\nx\n"), 10);
        assert_eq!(end_of_first_record(b"a,\"b\"\"\nc\"\ny\n"), 10);
    }

    #[test]
    fn chunks_end_at_record_boundaries() {
        let data = b"a,\"1\n2\"\nb,3\nc,\"x\"\"\ny\"\nd,4\n";
        let bounds = chunk_bounds(data, 8);
        for w in bounds.windows(2) {
            let chunk = &data[w[0]..w[1]];
            let rows = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(chunk)
                .byte_records()
                .count();
            assert!(rows >= 1 && chunk.ends_with(b"\n"), "{:?}", String::from_utf8_lossy(chunk));
        }
        assert_eq!(bounds.last(), Some(&data.len()));
    }
}
