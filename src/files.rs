//! Opening input files (policies, snapshots, requests sheets, test cases): only regular
//! files are read (a FIFO nobody writes to would hang the run, a device would never end),
//! none larger than [`MAX_FILE_BYTES`], and a file that changes while it is read is an
//! error rather than half of two versions.

use crate::diag::Diagnostic;
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// The largest input file: the snapshot store keeps its text in arenas with 32-bit
/// offsets. A larger file is refused before anything is read.
pub const MAX_FILE_BYTES: u64 = 4 << 30;

/// A file opened for reading, with its length when opened.
pub struct Input {
    /// The handle.
    pub file: File,
    /// Its length, in bytes.
    pub len: u64,
}

/// Opens an input file; `Ok(None)` when there is none. Anything but a regular file (or a
/// link to one) is refused, and so is a file over [`MAX_FILE_BYTES`].
pub fn open(path: &Path) -> Result<Option<Input>, Diagnostic> {
    let kind = match std::fs::metadata(path) {
        Ok(m) => m.file_type(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Diagnostic::file(path, format!("cannot read the file: {e}"))),
    };
    if !kind.is_file() {
        return Err(not_regular(path, kind));
    }
    let file = open_nonblocking(path)
        .map_err(|e| Diagnostic::file(path, format!("cannot read the file: {e}")))?;
    // Checked again on the open handle: the path may have changed in between.
    let meta = file
        .metadata()
        .map_err(|e| Diagnostic::file(path, format!("cannot read the file: {e}")))?;
    if !meta.file_type().is_file() {
        return Err(not_regular(path, meta.file_type()));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(Diagnostic::file(
            path,
            format!(
                "the file is {:.1} GiB; roster reads snapshot files of up to {} GiB",
                meta.len() as f64 / (1u64 << 30) as f64,
                MAX_FILE_BYTES >> 30
            ),
        )
        .help("split the export into one snapshot per account, or leave out columns roster does not read"));
    }
    Ok(Some(Input { file, len: meta.len() }))
}

/// Opens without blocking on a FIFO that no one writes to (the handle is checked next).
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        const O_NONBLOCK: i32 = 0o4000;
        options.custom_flags(O_NONBLOCK);
    }
    options.open(path)
}

fn not_regular(path: &Path, kind: std::fs::FileType) -> Diagnostic {
    let what = if kind.is_dir() {
        "a folder"
    } else if is_fifo(&kind) {
        "a named pipe (FIFO)"
    } else {
        "not a regular file (a device or a socket)"
    };
    Diagnostic::file(path, format!("is {what}, not a file roster can read"))
        .help("save the input to a regular file first (a pipe would be read only once, and a device never ends)")
}

#[cfg(unix)]
fn is_fifo(kind: &std::fs::FileType) -> bool {
    use std::os::unix::fs::FileTypeExt;
    kind.is_fifo()
}

#[cfg(not(unix))]
fn is_fifo(_: &std::fs::FileType) -> bool {
    false
}

/// Reads a whole file (a policy, a JSON or SCIM document, a sheet); `Ok(None)` when there
/// is none.
pub fn read(path: &Path) -> Result<Option<Vec<u8>>, Diagnostic> {
    let Some(mut input) = open(path)? else { return Ok(None) };
    let mut bytes = Vec::with_capacity(usize::try_from(input.len).unwrap_or(0));
    input
        .file
        .by_ref()
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Diagnostic::file(path, format!("cannot read the file: {e}")))?;
    if bytes.len() as u64 != input.len {
        return Err(changed(path));
    }
    Ok(Some(bytes))
}

/// The error of a file whose length changed while roster read it.
pub fn changed(path: &Path) -> Diagnostic {
    Diagnostic::file(path, "the file changed while it was read")
        .help("read a snapshot that no process is still writing")
}

/// Strips a UTF-8 byte order mark.
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// How many line breaks `bytes` holds: LF, CRLF and a lone CR each count once.
pub fn line_breaks(bytes: &[u8]) -> u64 {
    let lf = memchr::memchr_iter(b'\n', bytes).count();
    let lone_cr =
        memchr::memchr_iter(b'\r', bytes).filter(|&i| bytes.get(i + 1) != Some(&b'\n')).count();
    (lf + lone_cr) as u64
}

/// Where a CSV record the `csv` crate places at `offset` begins: past the line end it may
/// start with (the crate puts a record after a CRLF at its LF).
pub fn record_start(data: &[u8], offset: usize) -> usize {
    let mut p = offset;
    while matches!(data.get(p), Some(b'\n' | b'\r')) {
        p += 1;
    }
    p
}

/// Line numbers of CSV records from their byte offsets, counted as the reader moves
/// forward (the `csv` crate's own line count is off by one after CRLF and blind to a lone
/// CR).
pub struct Lines<'d> {
    data: &'d [u8],
    pos: usize,
    breaks: u64,
}

impl<'d> Lines<'d> {
    /// Counts lines in `data` from its start.
    pub fn new(data: &'d [u8]) -> Self {
        Lines { data, pos: 0, breaks: 0 }
    }

    /// The 1-based line (within `data`) where the record at `offset` begins; offsets must
    /// not go back.
    pub fn of(&mut self, offset: usize) -> u64 {
        let target = offset.min(self.data.len());
        if target > self.pos {
            self.breaks += line_breaks(self.data.get(self.pos..target).unwrap_or_default());
            // A CR counted as lone because its LF lies at `target` is one CRLF break.
            if self.data.get(target - 1) == Some(&b'\r') && self.data.get(target) == Some(&b'\n') {
                self.breaks -= 1;
            }
            self.pos = target;
        }
        // The record may begin with the end of the previous line.
        let start = record_start(self.data, self.pos);
        self.breaks + 1 + line_breaks(self.data.get(self.pos..start).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_count_lf_crlf_and_lone_cr() {
        let data = b"a\r\nb\nc\rd";
        let mut l = Lines::new(data);
        assert_eq!(l.of(0), 1);
        // The csv crate places the record after a CRLF at its LF.
        assert_eq!(l.of(2), 2);
        assert_eq!(l.of(5), 3);
        assert_eq!(l.of(7), 4);
        assert_eq!(record_start(data, 2), 3);
        assert_eq!(line_breaks(data), 3);
    }
}
