//! The CSV folder: `users.csv` (required), `teams.csv`, `records.csv`, `snapshot.toml`,
//! `blocked_emails.csv`.
//!
//! Each file is streamed: a reader thread reads it in blocks ([`blocks`]), cuts each block
//! after its last complete record ([`split::boundary`], which also checks the quoting) and
//! hashes it for the plan's digest, while the worker threads split blocks into fields and convert them
//! into columns; a block's bytes are dropped once parsed. Column order is free, header
//! names are matched ignoring case and surrounding space, extra user columns are kept as
//! attributes, a UTF-8 BOM is skipped, and every bad cell, row or quote is reported with
//! its file, line and column name.

mod blocks;
pub(super) mod split;

use super::build::{too_many, StoreBuilder};
use super::cells::{
    Cell, FieldError, BLOCKED_EMAIL_COLUMNS, RECORD_COLUMNS, RECORD_REQUIRED, TEAM_COLUMNS,
    TEAM_REQUIRED,
};
use super::mapping::{ColumnMap, Input};
use super::records::RecordPart;
use super::source::{self, digest_file, digest_header, strip_bom};
use super::users::UserChunk;
use super::{meta, Link, Progress, Reading, Store, UserIx};
use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::fields::{UserField, USER_COLUMNS, USER_REQUIRED};
use crate::hints::closest;
pub(super) use blocks::Source;
use blocks::{Block, BlockReader, ReadError};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use split::{Fields, COMMA};
use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

/// The delimiter of a CSV file that starts with `head` (see [`split::detect`]).
pub fn detect_delimiter(head: &[u8]) -> u8 {
    split::detect(head)
}

/// At most this many problems are reported from one snapshot.
pub const MAX_PROBLEMS: usize = 50;

/// The files of a CSV snapshot, read into memory (for tests and fuzzing; a folder on disk
/// is streamed).
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
    let users_path = dir.join("users.csv");
    let users = match source::open(&users_path) {
        Ok(Some(input)) => input,
        Ok(None) => {
            return Err(Diagnostic::file(&users_path, "cannot read users.csv: it is not there")
                .help(format!(
                    "{}a snapshot folder needs users.csv with at least the columns id, role, \
                     status",
                    crate::hints::did_you_mean_file(&users_path)
                ))
                .into())
        }
        Err(d) => return Err(d.into()),
    };
    let mut problems = Vec::new();
    let mut open = |name: &str| match source::open(&dir.join(name)) {
        Ok(input) => input.map(Source::File),
        Err(d) => {
            problems.push(d);
            None
        }
    };
    let teams = open("teams.csv");
    let records = open("records.csv");
    let blocked = open("blocked_emails.csv");
    let meta = match source::read(&dir.join("snapshot.toml")) {
        Ok(bytes) => bytes,
        Err(d) => {
            problems.push(d);
            None
        }
    };
    if !problems.is_empty() {
        return Err(Diagnostics(problems));
    }
    let tables = Tables { users: Source::File(users), teams, records, blocked };
    build(dir, meta.as_deref(), tables, reading, progress)
}

/// Parses the files of a CSV snapshot held in memory; `dir` names the folder in messages.
pub fn parse_folder(
    dir: &Path,
    files: &CsvFiles,
    reading: Reading<'_>,
    progress: &dyn Progress,
) -> Result<Store, Diagnostics> {
    let tables = Tables {
        users: Source::Bytes(&files.users),
        teams: files.teams.as_deref().map(Source::Bytes),
        records: files.records.as_deref().map(Source::Bytes),
        blocked: files.blocked_emails.as_deref().map(Source::Bytes),
    };
    build(dir, files.meta.as_deref(), tables, reading, progress)
}

/// The tables of a folder, in the order they are read (and digested).
struct Tables<'a> {
    users: Source<'a>,
    teams: Option<Source<'a>>,
    records: Option<Source<'a>>,
    blocked: Option<Source<'a>>,
}

fn build(
    dir: &Path,
    meta_bytes: Option<&[u8]>,
    tables: Tables<'_>,
    reading: Reading<'_>,
    progress: &dyn Progress,
) -> Result<Store, Diagnostics> {
    let mut builder = StoreBuilder::new(reading);
    let mut problems = Vec::new();
    let mut digest = Sha256::new();
    if let Some(bytes) = meta_bytes {
        digest_file(&mut digest, "snapshot.toml", bytes);
        meta::apply(&dir.join("snapshot.toml"), bytes, &mut builder, &mut problems);
    }
    let Tables { users, teams, records, blocked } = tables;
    let mut read = |name: &str, table: Table, input: Source<'_>, builder: &mut StoreBuilder<'_>| {
        if problems.len() >= MAX_PROBLEMS {
            return;
        }
        progress.step(&format!("parsing {name}"));
        let table = TableRead { path: &dir.join(name), name, table };
        read_table(&table, input, builder, &mut problems, &mut digest);
        progress.phase(name);
    };
    read("users.csv", Table::Users, users, &mut builder);
    if let Some(input) = teams {
        read("teams.csv", Table::Teams, input, &mut builder);
    }
    if let Some(input) = records {
        read("records.csv", Table::Records, input, &mut builder);
    }
    if let Some(input) = blocked {
        read("blocked_emails.csv", Table::BlockedEmails, input, &mut builder);
    }
    if problems.is_empty() {
        progress.step("checking record ids");
        duplicate_records(&dir.join("records.csv"), &mut builder, &mut problems);
        progress.phase("duplicate record ids");
    }
    super::finish(builder, problems, dir, || crate::hash::hex(&digest.finalize()))
}

/// Reports repeated record ids, with the lines of both rows (found again by reading the
/// file, on this error path only: loading keeps no line per record).
pub(super) fn duplicate_records(
    path: &Path,
    builder: &mut StoreBuilder<'_>,
    problems: &mut Vec<Diagnostic>,
) {
    let repeats = match builder.duplicate_records() {
        Ok(r) => r,
        Err(e) => {
            problems.push(Diagnostic::file(path, e.message).help(e.help));
            return;
        }
    };
    if repeats.is_empty() {
        return;
    }
    let wanted: Vec<u32> = repeats
        .iter()
        .take(MAX_PROBLEMS)
        .flat_map(|(first, repeat, _)| [first.0, repeat.0])
        .collect();
    let lines = record_lines(path, &wanted, builder.input().delimiter);
    for (first, repeat, e) in repeats.into_iter().take(MAX_PROBLEMS) {
        let line = |r: super::RecordIx| {
            builder.record_line(r).or_else(|| lines.get(&r.0).copied()).unwrap_or(0)
        };
        let message = format!("{} (first on line {})", e.message, line(first));
        problems.push(
            Diagnostic::file(path, message)
                .at(Location::line(line(repeat)))
                .field(e.field)
                .help(e.help),
        );
    }
}

/// The lines of some records of a CSV file (by record number, header excluded).
fn record_lines(
    path: &Path,
    wanted: &[u32],
    delimiter: Option<u8>,
) -> std::collections::HashMap<u32, u64> {
    let mut found = std::collections::HashMap::new();
    let Ok(Some(bytes)) = source::read(path) else { return found };
    let bytes = strip_bom(&bytes);
    let wanted: HashSet<u32> = wanted.iter().copied().collect();
    let delimiter = delimiter.unwrap_or_else(|| split::detect(bytes));
    let mut records = split::Records::new(bytes, delimiter);
    let mut n: i64 = -1; // the header is not a record
    while let Some((_, breaks, _)) = records.next_record() {
        if n >= 0 && wanted.contains(&(n as u32)) {
            found.insert(n as u32, breaks + 1);
        }
        n += 1;
    }
    found
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

/// One table being read: its path (for messages), its file name (for the digest), which
/// table it is.
pub(super) struct TableRead<'p> {
    pub path: &'p Path,
    pub name: &'p str,
    pub table: Table,
}

/// Where the columns of a table are: the header's width, the position of each standard
/// column and the extra columns with theirs.
struct Columns {
    width: usize,
    delimiter: u8,
    names: Vec<String>,
    positions: Vec<Option<usize>>,
    extras: Vec<(String, usize)>,
}

impl Columns {
    /// The name of column `c`, for messages.
    fn name(&self, c: usize) -> &str {
        self.names.get(c).map_or("", String::as_str)
    }
}

/// The header names, for a help text: the first few and how many more.
fn some_names(names: &[String]) -> String {
    const SHOWN: usize = 20;
    let mut shown =
        names.iter().take(SHOWN).map(|n| crate::diag::quote(n)).collect::<Vec<_>>().join(", ");
    if names.len() > SHOWN {
        shown.push_str(&format!(", and {} more", names.len() - SHOWN));
    }
    shown
}

/// Reads the header: the positions of the columns, or the problems of a header that
/// cannot be read with them.
fn header(
    t: &TableRead<'_>,
    fields: &Fields<'_>,
    builder: &mut StoreBuilder<'_>,
    problems: &mut Vec<Diagnostic>,
) -> Option<Columns> {
    let (path, table) = (t.path, t.table);
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
    let mut seen: HashSet<String> = HashSet::new();
    let mut names: Vec<String> = Vec::new();
    let mut all: Vec<String> = Vec::with_capacity(fields.len());
    for col in 0..fields.len() {
        let Some(Ok(name)) = fields.get(col) else {
            problems.push(
                Diagnostic::file(path, format!("column {} of the header is not UTF-8", col + 1))
                    .at(Location::line(1))
                    .help("save the file as UTF-8"),
            );
            return None;
        };
        let name = name.trim();
        all.push(name.to_owned());
        let key = name.to_lowercase();
        if name.is_empty() {
            problems.push(
                Diagnostic::file(path, format!("column {} of the header has no name", col + 1))
                    .at(Location::line(1))
                    .help("name every column, or remove the empty one"),
            );
            continue;
        }
        if !seen.insert(key.clone()) {
            problems.push(
                Diagnostic::file(
                    path,
                    format!("column {} appears twice in the header", crate::diag::quote(name)),
                )
                .at(Location::line(1))
                .help("remove or rename one of the two columns"),
            );
            if problems.len() >= MAX_PROBLEMS {
                return None;
            }
            continue;
        }
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
    let found = some_names(&names);
    // A header read as one column that holds another separator: the file is delimited by
    // that one.
    let separator_hint = match names.as_slice() {
        [only] => {
            [b',', b';', b'\t', b'|'].into_iter().find(|&d| only.as_bytes().contains(&d)).map(|d| {
                let shown = if d == b'\t' { "\\t".to_owned() } else { char::from(d).to_string() };
                format!(
                    "the header was read as one column, but it holds `{shown}`: if that separates \
                     the columns, set delimiter = \"{shown}\" in the policy's [snapshot]; "
                )
            })
        }
        _ => None,
    };
    let mut header_ok = true;
    for (i, column) in known.iter().enumerate() {
        if positions[i].is_some() {
            continue;
        }
        let mapped = map.header(column);
        if mapped.is_none() && !table.required().contains(column) {
            continue;
        }
        let close = closest(mapped.unwrap_or(column), names.iter().map(String::as_str));
        let did_you_mean = separator_hint.clone().unwrap_or_else(|| {
            close.map_or(String::new(), |c| format!("did you mean {}? ", crate::diag::quote(c)))
        });
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
                        "{did_you_mean}the header has: {found}; add {} `{column}` column, or map \
                         the export's own header with [snapshot.columns.{}] in the policy",
                        if column.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" },
                        table.file()
                    )),
            ),
            None => continue,
        }
        header_ok = false;
    }
    if header_ok && table == Table::Users && !map.is_empty() && builder.needs_last_login() {
        let login = UserField::LastLoginAt as usize;
        if positions.get(login).is_some_and(Option::is_none) {
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
    header_ok.then_some(Columns {
        width: fields.len(),
        delimiter: COMMA,
        names: all,
        positions,
        extras,
    })
}

/// Reads one CSV table into the builder, pushing every problem found, and adds the file to
/// the digest.
pub(super) fn read_table(
    t: &TableRead<'_>,
    input: Source<'_>,
    builder: &mut StoreBuilder<'_>,
    problems: &mut Vec<Diagnostic>,
    digest: &mut Sha256,
) {
    let path = t.path;
    let required = t.table.required().join(", ");
    let empty = || {
        Diagnostic::file(path, "the file is empty")
            .help(format!("write a header row naming at least the columns {required}"))
    };
    digest_header(digest, t.name, input.len());
    let mut reader = BlockReader::new(input, builder.input().delimiter);
    // The header: the first record, read whole whatever its length.
    let head = match reader.first_record(digest) {
        Ok(Some(head)) => head,
        Ok(None) => {
            problems.push(empty());
            return;
        }
        Err(d) => {
            problems.push(d.file_at(path));
            return;
        }
    };
    let delimiter = reader.delimiter();
    let mut records = split::Records::new(&head, delimiter);
    let Some((_, breaks, fields)) = records.next_record() else {
        problems.push(empty());
        return;
    };
    let _ = breaks;
    let Some(mut columns) = header(t, &fields, builder, problems) else { return };
    columns.delimiter = delimiter;
    // The data starts on the line after the header (and any blank lines before it).
    let first_line = 1 + split::line_breaks(&head);
    match t.table {
        Table::Users => read_users(t, reader, first_line, &columns, builder, problems, digest),
        Table::Records => read_records(t, reader, first_line, &columns, builder, problems, digest),
        Table::Teams | Table::BlockedEmails => {
            let rows = stream(t, reader, first_line, digest, problems, |block, found| {
                small_rows(t, block, &columns, found)
            });
            for (line, cells) in rows.into_iter().flatten() {
                let cell = |i: usize| cells.get(i).and_then(|c| c.as_deref()).map(Cell::Text);
                let added = match t.table {
                    Table::Teams => builder.add_team(cell, line),
                    _ => builder.add_blocked_email(cell, line),
                };
                if let Err(errors) = added {
                    problems.extend(errors.into_iter().map(|e| field_error(path, line, e)));
                }
            }
            sort_and_cap(problems);
        }
    }
}

/// Problems in file order, at most [`MAX_PROBLEMS`].
fn sort_and_cap(problems: &mut Vec<Diagnostic>) {
    problems.sort_by_key(|d| d.location.line.unwrap_or(0));
    problems.truncate(MAX_PROBLEMS);
}

/// Reads the blocks after the header on a reader thread and parses them on the worker
/// threads with `parse(block, problems)`; returns the results in file order, with the
/// problems of every block (and of the reader) in `problems`, in file order.
fn stream<T: Send>(
    t: &TableRead<'_>,
    mut reader: BlockReader<'_>,
    first_line: u64,
    digest: &mut Sha256,
    problems: &mut Vec<Diagnostic>,
    parse: impl Fn(&Block, &mut Vec<Diagnostic>) -> T + Sync,
) -> Vec<T> {
    let found = AtomicUsize::new(problems.len());
    let stop = AtomicBool::new(false);
    if reader.done {
        // The whole table is already read (it is smaller than a block): parse it here,
        // without a reader thread to start and hand blocks over (thousands of small
        // tenants in one run pay for every thread they start).
        let (tx, rx) = std::sync::mpsc::sync_channel::<Block>(64);
        let read_problem = reader.blocks(first_line, digest, &stop, tx, None);
        let mut out = Vec::new();
        for block in rx.try_iter() {
            let mut mine = Vec::new();
            out.push(parse(&block, &mut mine));
            problems.extend(mine);
            if problems.len() >= MAX_PROBLEMS {
                break;
            }
        }
        if let Err(e) = read_problem {
            problems.push(e.file_at(t.path));
        }
        sort_and_cap(problems);
        return out;
    }
    let results: Mutex<Vec<(usize, T, Vec<Diagnostic>)>> = Mutex::new(Vec::new());
    let in_flight = rayon::current_num_threads().max(1) * 2;
    let read_problem = std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Block>(in_flight);
        // Parsed blocks hand their buffers back to the reader, which reads into them again:
        // a fresh buffer per block would be memory the kernel zeroes page by page.
        let (spare_tx, spare_rx) = std::sync::mpsc::channel::<Vec<u8>>();
        let (reader, stop_reading) = (&mut reader, &stop);
        let reading = scope
            .spawn(move || reader.blocks(first_line, digest, stop_reading, tx, Some(&spare_rx)));
        rx.into_iter().par_bridge().for_each_with(spare_tx, |spare_tx, block| {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            let mut mine = Vec::new();
            let out = parse(&block, &mut mine);
            // The reader may be done already; the buffer is then simply dropped.
            let _ = spare_tx.send(block.bytes);
            if found.fetch_add(mine.len(), Ordering::Relaxed) + mine.len() >= MAX_PROBLEMS {
                stop.store(true, Ordering::Relaxed);
            }
            if let Ok(mut r) = results.lock() {
                r.push((block.index, out, mine));
            }
        });
        reading.join().unwrap_or_else(|_| Err(ReadError::Io("the reader stopped".to_owned())))
    });
    let mut results = results.into_inner().unwrap_or_default();
    results.sort_by_key(|(index, _, _)| *index);
    let mut out = Vec::with_capacity(results.len());
    for (_, value, found) in results {
        problems.extend(found);
        out.push(value);
    }
    if let Err(e) = read_problem {
        problems.push(e.file_at(t.path));
    }
    sort_and_cap(problems);
    out
}

/// `users.csv`: blocks become user chunks in parallel; chunks join the store in file order,
/// where ids get their indices (and repeats are found).
fn read_users(
    t: &TableRead<'_>,
    reader: BlockReader<'_>,
    first_line: u64,
    columns: &Columns,
    builder: &mut StoreBuilder<'_>,
    problems: &mut Vec<Diagnostic>,
    digest: &mut Sha256,
) {
    let reading = builder.reading();
    let chunks = stream(t, reader, first_line, digest, problems, |block, found| {
        user_rows(t, block, columns, &reading, found)
    });
    builder.reserve_users(&chunks);
    for chunk in chunks {
        for (line, e) in builder.push_users(chunk) {
            problems.push(field_error(t.path, u64::from(line), e));
        }
    }
    sort_and_cap(problems);
}

/// The user rows of a block.
fn user_rows(
    t: &TableRead<'_>,
    block: &Block,
    columns: &Columns,
    reading: &Reading<'_>,
    problems: &mut Vec<Diagnostic>,
) -> UserChunk {
    let mut chunk = UserChunk::default();
    for (name, _) in &columns.extras {
        chunk.attribute_column(name);
    }
    each_row(t, block, columns, problems, |line, fields, problems| {
        let cell = |f: UserField| {
            let c = columns.positions.get(f as usize).copied().flatten()?;
            fields.get(c).and_then(Result::ok).map(Cell::Text)
        };
        let attrs: Vec<(&str, Cell<'_>)> = columns
            .extras
            .iter()
            .filter_map(|(name, c)| {
                fields.get(*c).and_then(Result::ok).map(|v| (name.as_str(), Cell::Text(v)))
            })
            .collect();
        let key = u32::try_from(line).unwrap_or(u32::MAX);
        if let Err(errors) = chunk.push_row(reading, cell, &attrs, line, key) {
            problems.extend(errors.into_iter().map(|e| field_error(t.path, line, e)));
        }
    });
    chunk
}

/// `records.csv`: blocks become record parts in parallel, owners looked up in batches; the
/// parts join the store in file order, as they are.
fn read_records(
    t: &TableRead<'_>,
    reader: BlockReader<'_>,
    first_line: u64,
    columns: &Columns,
    builder: &mut StoreBuilder<'_>,
    problems: &mut Vec<Diagnostic>,
    digest: &mut Sha256,
) {
    let context = builder.record_context();
    let parts = stream(t, reader, first_line, digest, problems, |block, found| {
        record_rows(t, block, columns, context, found)
    });
    for part in parts {
        if let Err(e) = builder.push_records(part) {
            problems.push(Diagnostic::file(t.path, e.message).help(e.help));
            return;
        }
    }
}

/// The record rows of a block.
fn record_rows(
    t: &TableRead<'_>,
    block: &Block,
    columns: &Columns,
    context: super::build::RecordContext<'_>,
    problems: &mut Vec<Diagnostic>,
) -> RecordPart {
    let rows = block.bytes.len() / 32;
    let mut part = RecordPart::with_capacity(rows, block.bytes.len() / 3);
    // Owners are looked up once the block is parsed, in one batch: the lookups are
    // independent cache misses, which overlap only when nothing else runs between them.
    let mut owner_ids = super::columns::Strings::with_arena(block.bytes.len() / 4);
    let mut owned_rows: Vec<u32> = Vec::with_capacity(rows);
    let mut full = None;
    each_row(t, block, columns, problems, |line, fields, problems| {
        let cell = |i: usize| {
            let c = columns.positions.get(i).copied().flatten()?;
            fields.get(c).and_then(Result::ok).map(Cell::Text)
        };
        match super::cells::check_record(cell) {
            Ok((id, kind, owner, state)) if full.is_none() => {
                let row = part.len() as u32;
                let known = |s: &str| context.known(s);
                let pushed =
                    part.push_named(known, id, kind, state, Link::None).and_then(
                        |()| match owner {
                            Some(o) => owner_ids.push(o).map_err(Into::into),
                            None => Ok(()),
                        },
                    );
                match pushed {
                    Ok(()) if owner.is_some() => owned_rows.push(row),
                    Ok(()) => {}
                    Err(e) => full = Some(e),
                }
            }
            Ok(_) => {}
            Err(errors) => {
                problems.extend(errors.into_iter().map(|e| field_error(t.path, line, e)))
            }
        }
    });
    if let Some(e) = full {
        let e = too_many(e);
        problems.push(Diagnostic::file(t.path, e.message).help(e.help));
        return part;
    }
    let mut found = Vec::with_capacity(owner_ids.len());
    context.owners(owner_ids.iter(), &mut found);
    for ((row, found), id) in owned_rows.into_iter().zip(found).zip(owner_ids.iter()) {
        let owner = match found {
            Some(u) => Link::To(UserIx(u)),
            None => Link::Dangling(id),
        };
        if let Err(e) = part.set_owner(row, owner) {
            let e = too_many(e);
            problems.push(Diagnostic::file(t.path, e.message).help(e.help));
            break;
        }
    }
    part.shrink_to_fit();
    part
}

/// The rows of a small table (teams, blocked e-mails), with their standard cells.
fn small_rows(
    t: &TableRead<'_>,
    block: &Block,
    columns: &Columns,
    problems: &mut Vec<Diagnostic>,
) -> Vec<(u64, Vec<Option<String>>)> {
    let mut rows = Vec::new();
    each_row(t, block, columns, problems, |line, fields, _| {
        let cells = columns
            .positions
            .iter()
            .map(|p| p.and_then(|c| fields.get(c)).and_then(Result::ok).map(str::to_owned))
            .collect();
        rows.push((line, cells));
    });
    rows
}

/// Splits the records of a block, checks each row's width and UTF-8, and hands good rows,
/// with their line, to `on_row`.
fn each_row(
    t: &TableRead<'_>,
    block: &Block,
    columns: &Columns,
    problems: &mut Vec<Diagnostic>,
    mut on_row: impl FnMut(u64, &Fields<'_>, &mut Vec<Diagnostic>),
) {
    let path = t.path;
    let width = columns.width;
    let mut records = split::Records::new(&block.bytes, columns.delimiter);
    while let Some((_, breaks, fields)) = records.next_record() {
        if problems.len() >= MAX_PROBLEMS {
            return;
        }
        let line = block.first_line + breaks;
        if fields.len() != width {
            problems.push(
                Diagnostic::file(
                    path,
                    format!("the row has {} fields, the header has {width}", fields.len()),
                )
                .at(Location::line(line))
                .help("quote cells that contain commas, and give every row one cell per column"),
            );
            continue;
        }
        let bad = match fields.all_utf8() {
            true => None,
            false => (0..fields.len()).find_map(|c| match fields.get(c) {
                Some(Err(e)) => Some((c, e.valid_up_to())),
                _ => None,
            }),
        };
        if let Some((c, valid)) = bad {
            problems.push(
                Diagnostic::file(path, format!("invalid UTF-8 after byte {valid} of the cell"))
                    .at(Location::line(line))
                    .field(columns.name(c).to_owned())
                    .help("save the file as UTF-8"),
            );
            continue;
        }
        on_row(line, &fields, problems);
    }
}

fn field_error(path: &Path, line: u64, e: FieldError) -> Diagnostic {
    Diagnostic::file(path, e.message).at(Location::line(line)).field(e.field).help(e.help)
}
