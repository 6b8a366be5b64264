//! Reading a table in blocks: a file (or bytes in memory) is read and hashed block by
//! block, each block cut after its last complete record ([`split::boundary`], which also
//! checks the quoting), so that blocks can be parsed on any thread in any order. Parsed
//! blocks may hand their buffers back to be read into again.

use super::split::{self, QuoteError, COMMA};
use crate::diag::{Diagnostic, Location};
use crate::snapshot::source;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

/// The size of the blocks a file is read in.
const BLOCK: usize = 4 << 20;

/// Where a table's bytes come from.
pub(in crate::snapshot) enum Source<'a> {
    /// A file on disk, streamed.
    File(source::Input),
    /// Bytes in memory.
    Bytes(&'a [u8]),
}

impl Source<'_> {
    /// How many bytes.
    pub(super) fn len(&self) -> u64 {
        match self {
            Source::File(f) => f.len,
            Source::Bytes(b) => b.len() as u64,
        }
    }
}

/// A block of whole records of a file, from the reader thread.
pub(super) struct Block {
    /// Its place in the file, from 0.
    pub(super) index: usize,
    /// Its bytes: whole records.
    pub(super) bytes: Vec<u8>,
    /// The line of its first byte (1-based).
    pub(super) first_line: u64,
}

/// A problem found while reading a file's bytes.
#[derive(Debug)]
pub(super) enum ReadError {
    /// The quoting: (line, column and text of the line where the quote opens, what is
    /// wrong).
    Quote((u64, u64, String), QuoteProblem),
    /// Reading failed.
    Io(String),
    /// The length changed.
    Changed,
}

/// What is wrong with a quoted cell.
#[derive(Debug)]
pub(super) enum QuoteProblem {
    /// It never closes.
    Unterminated,
    /// Text follows its closing quote, on this line.
    TextAfter(u64),
}

impl ReadError {
    pub(super) fn file_at(self, path: &Path) -> Diagnostic {
        let help = "a quote inside a cell must be doubled (\"\"); a quoted cell ends with its \
                    closing quote, right before the next comma or the end of the line";
        match self {
            ReadError::Quote((line, column, snippet), QuoteProblem::Unterminated) => Diagnostic::file(
                path,
                "a quoted cell opens here and never closes: every row after it would be read as part of it",
            )
            .at(Location { line: Some(line), column: Some(column), snippet: Some(snippet) })
            .help(help),
            ReadError::Quote((line, column, snippet), QuoteProblem::TextAfter(at)) => Diagnostic::file(
                path,
                format!(
                    "a quoted cell opens here and closes on line {at} with text after the closing quote"
                ),
            )
            .at(Location { line: Some(line), column: Some(column), snippet: Some(snippet) })
            .help(help),
            ReadError::Io(e) => Diagnostic::file(path, format!("cannot read the file: {e}")),
            ReadError::Changed => source::changed(path),
        }
    }
}

/// Reads a table in blocks that end at record boundaries.
pub(super) struct BlockReader<'a> {
    input: Source<'a>,
    /// The field delimiter: the policy's, or found in the header by [`split::detect`].
    delimiter: Option<u8>,
    /// Bytes read from a file so far.
    read: u64,
    /// Bytes read but not handed out (the start of the next block).
    carry: Vec<u8>,
    /// Whether the whole input has been read.
    pub(super) done: bool,
    /// Whether the BOM check has been made.
    started: bool,
}

impl<'a> BlockReader<'a> {
    pub(super) fn new(input: Source<'a>, delimiter: Option<u8>) -> Self {
        BlockReader { input, delimiter, read: 0, carry: Vec::new(), done: false, started: false }
    }

    /// The delimiter, once the header is read.
    pub(super) fn delimiter(&self) -> u8 {
        self.delimiter.unwrap_or(COMMA)
    }

    /// Appends up to `want` more bytes to `buf` (hashing them); sets `done` at the end.
    fn fill(
        &mut self,
        buf: &mut Vec<u8>,
        want: usize,
        digest: &mut Sha256,
    ) -> Result<(), ReadError> {
        let start = buf.len();
        match &mut self.input {
            Source::Bytes(bytes) => {
                let n = want.min(bytes.len());
                let (now, rest) = bytes.split_at(n);
                buf.extend_from_slice(now);
                *bytes = rest;
                if bytes.is_empty() {
                    self.done = true;
                }
            }
            Source::File(input) => {
                buf.reserve(want);
                let limit = want as u64;
                let n = (&mut input.file)
                    .take(limit)
                    .read_to_end(buf)
                    .map_err(|e| ReadError::Io(e.to_string()))?;
                self.read += n as u64;
                if (n as u64) < limit {
                    self.done = true;
                    if self.read != input.len {
                        return Err(ReadError::Changed);
                    }
                } else if self.read > input.len {
                    return Err(ReadError::Changed);
                }
            }
        }
        digest.update(&buf[start..]);
        Ok(())
    }

    /// The first record of the input (after a BOM and blank lines are skipped, it is the
    /// header), or `None` for an input with nothing but blank space.
    pub(super) fn first_record(
        &mut self,
        digest: &mut Sha256,
    ) -> Result<Option<Vec<u8>>, ReadError> {
        let mut buf = Vec::new();
        loop {
            self.fill(&mut buf, BLOCK, digest)?;
            if !self.started && (buf.len() >= 3 || self.done) {
                self.started = true;
                if buf.starts_with(b"\xEF\xBB\xBF") {
                    buf.drain(..3);
                }
            }
            if self.started && self.delimiter.is_none() {
                // The first line decides; it is whole once a line break or the end is read.
                if memchr::memchr2(b'\n', b'\r', &buf).is_some() || self.done {
                    self.delimiter = Some(split::detect(&buf));
                } else {
                    continue;
                }
            }
            if self.started {
                match split::first_record(&buf, self.delimiter(), self.done) {
                    Ok(Some(end)) => {
                        self.carry = buf.split_off(end);
                        if buf.iter().all(u8::is_ascii_whitespace)
                            && self.done
                            && self.carry.is_empty()
                        {
                            return Ok(None);
                        }
                        return Ok(Some(buf));
                    }
                    Ok(None) if self.done => return Ok(None),
                    Ok(None) => {}
                    Err(e) => return Err(quote_error(&buf, 1, e)),
                }
            }
        }
    }

    /// Reads the rest of the input in blocks cut after their last complete record and sends
    /// them, with the line of their first byte, until the end or `stop`.
    /// Buffers of parsed blocks come back through `spares`, if given, to be read into again.
    pub(super) fn blocks(
        &mut self,
        first_line: u64,
        digest: &mut Sha256,
        stop: &AtomicBool,
        tx: std::sync::mpsc::SyncSender<Block>,
        spares: Option<&std::sync::mpsc::Receiver<Vec<u8>>>,
    ) -> Result<(), ReadError> {
        let mut line = first_line;
        let mut index = 0;
        let mut buf = std::mem::take(&mut self.carry);
        loop {
            if stop.load(Ordering::Relaxed) {
                return Ok(());
            }
            if !self.done {
                let want = BLOCK.saturating_sub(buf.len()).max(BLOCK / 4);
                self.fill(&mut buf, want, digest)?;
            }
            match split::boundary(&buf, self.delimiter(), self.done)
                .map_err(|e| quote_error(&buf, line, e))?
            {
                Some(end) => {
                    let mut rest = match spares.and_then(|s| s.try_recv().ok()) {
                        Some(mut spare) => {
                            spare.clear();
                            spare
                        }
                        // Nothing more to read: the rest is all there is (a small table,
                        // thousands of them in a run of many tenants, needs no block).
                        None if self.done => Vec::new(),
                        None => Vec::with_capacity(BLOCK),
                    };
                    rest.extend_from_slice(buf.get(end..).unwrap_or_default());
                    buf.truncate(end);
                    let next_line = line + split::line_breaks(&buf);
                    let block =
                        Block { index, bytes: std::mem::replace(&mut buf, rest), first_line: line };
                    index += 1;
                    line = next_line;
                    if tx.send(block).is_err() {
                        return Ok(());
                    }
                }
                None if self.done => return Ok(()),
                None => {} // a record longer than a block: read more
            }
            if self.done && buf.is_empty() {
                return Ok(());
            }
        }
    }
}

/// A quoting problem at an offset of `buf`, whose first byte is on line `line`.
fn quote_error(buf: &[u8], line: u64, e: QuoteError) -> ReadError {
    let line_of = |at: usize| line + split::line_breaks(buf.get(..at).unwrap_or_default());
    // The column of the opening quote, in characters from the start of its line, and the
    // text of that line.
    let place = |at: usize| {
        let before = buf.get(..at).unwrap_or_default();
        let start = memchr::memrchr2(b'\n', b'\r', before).map_or(0, |p| p + 1);
        let rest = buf.get(start..).unwrap_or_default();
        let end = memchr::memchr2(b'\n', b'\r', rest).map_or(buf.len(), |p| start + p);
        let column =
            String::from_utf8_lossy(before.get(start..).unwrap_or_default()).chars().count();
        let snippet = String::from_utf8_lossy(buf.get(start..end).unwrap_or_default()).into_owned();
        (line_of(at), column as u64 + 1, snippet)
    };
    match e {
        QuoteError::Unterminated(open) => ReadError::Quote(place(open), QuoteProblem::Unterminated),
        QuoteError::TextAfter(open, at) => {
            ReadError::Quote(place(open), QuoteProblem::TextAfter(line_of(at)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cuts `data` into blocks, reading into the buffers `spares` hands back, if any.
    fn check_blocks(spares: Option<&std::sync::mpsc::Receiver<Vec<u8>>>) {
        let mut data = b"id,name\n".to_vec();
        for i in 0..200_000 {
            data.extend_from_slice(format!("u{i},\"Name, {i}\nsecond line\"\r\n").as_bytes());
        }
        let mut reader = BlockReader::new(Source::Bytes(&data), None);
        let mut digest = Sha256::new();
        let head = reader.first_record(&mut digest).unwrap().unwrap();
        assert_eq!(head, b"id,name\n");
        let (tx, rx) = std::sync::mpsc::sync_channel(1000);
        reader.blocks(2, &mut digest, &AtomicBool::new(false), tx, spares).unwrap();
        let blocks: Vec<Block> = rx.into_iter().collect();
        assert!(blocks.len() > 1, "{} blocks", blocks.len());
        let mut joined = head.clone();
        let mut rows = 0;
        for b in &blocks {
            assert!(b.bytes.ends_with(b"\r\n"));
            assert_eq!(b.first_line, 2 + 2 * rows as u64);
            let mut records = split::Records::new(&b.bytes, COMMA);
            while records.next_record().is_some() {
                rows += 1;
            }
            joined.extend_from_slice(&b.bytes);
        }
        assert_eq!(rows, 200_000);
        assert_eq!(joined, data);
        assert_eq!(digest.finalize(), Sha256::digest(&data));
    }

    #[test]
    fn blocks_end_at_record_boundaries_and_keep_every_byte() {
        check_blocks(None);
    }

    #[test]
    fn blocks_read_into_buffers_handed_back_keep_every_byte() {
        // Buffers handed back still hold the bytes of the block they were: none may leak.
        let (back, spares) = std::sync::mpsc::channel();
        for fill in [b'x', b'"', b'\n'] {
            back.send(vec![fill; BLOCK + 17]).unwrap();
        }
        check_blocks(Some(&spares));
        assert!(spares.try_iter().count() < 3, "no buffer handed back was read into");
    }
}
