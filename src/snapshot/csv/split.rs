//! CSV as roster reads it, strictly enough that no row is ever lost: records end at `\n`,
//! `\r\n` or a lone `\r`; a field that starts with `"` is quoted until a `"` that is not
//! doubled, and that closing quote must end the field (a delimiter or the end of the
//! record follows it); a `"` anywhere else in a field is an ordinary character; empty
//! lines are skipped. A quote that opens and never closes, or closes with text after it,
//! is an error naming the line where it opened.
//!
//! [`boundary`] finds where the last complete record of a buffer ends, jumping from quote
//! to quote (a file without quotes is crossed at `memchr` speed); [`Records`] splits the
//! records of a block into fields without copying them (a doubled quote is undone into a
//! scratch buffer). Delimiters, quotes and line breaks are ASCII, so a block is split the
//! same whether or not it is valid UTF-8; its fields are checked as they are read.

/// The field delimiter unless a policy or a header says otherwise.
pub const COMMA: u8 = b',';

/// The separators a header is searched for when the policy names none.
const DETECTED: [u8; 3] = [b';', b'\t', b'|'];

/// The delimiter of a file whose first record starts `head`: a comma, unless the first line
/// has no comma outside quotes and has `;`, a tab or `|` (the most frequent of them).
pub fn detect(head: &[u8]) -> u8 {
    let mut counts = [0usize; 4];
    let mut quoted = false;
    for &b in head {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            _ if quoted => {}
            b',' => counts[0] += 1,
            _ => {
                if let Some(i) = DETECTED.iter().position(|&d| d == b) {
                    counts[i + 1] += 1;
                }
            }
        }
    }
    if counts[0] > 0 {
        return COMMA;
    }
    // The most frequent; on a tie, the first of `DETECTED`.
    let mut best = (0, COMMA);
    for (i, &d) in DETECTED.iter().enumerate() {
        if counts[i + 1] > best.0 {
            best = (counts[i + 1], d);
        }
    }
    best.1
}

/// What is wrong with the quoting of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuoteError {
    /// A quoted field runs to the end of the file: the offset of its opening quote.
    Unterminated(usize),
    /// A closing quote is followed by text: the offsets of the opening quote and of the
    /// text.
    TextAfter(usize, usize),
}

/// Whether byte `i` of `buf` starts a field (the buffer starts at a record boundary).
fn at_field_start(buf: &[u8], i: usize, delimiter: u8) -> bool {
    match i.checked_sub(1).and_then(|p| buf.get(p)) {
        None => true,
        Some(&b) => b == delimiter || b == b'\n' || b == b'\r',
    }
}

/// The end (exclusive) of the last terminator in `seg`, an absolute range of `buf` outside
/// quotes, or `None`. A `\r` at the very end of an incomplete buffer may be the first half
/// of `\r\n`, so it does not count.
fn last_terminator(buf: &[u8], from: usize, to: usize, complete: bool) -> Option<usize> {
    let seg = buf.get(from..to)?;
    let mut end = to;
    loop {
        let at = from + memchr::memrchr2(b'\n', b'\r', seg.get(..end - from)?)?;
        match buf.get(at) {
            Some(b'\r') => match buf.get(at + 1) {
                Some(b'\n') => return Some(at + 2),
                None if !complete => end = at,
                _ => return Some(at + 1),
            },
            _ => return Some(at + 1),
        }
        if end == from {
            return None;
        }
    }
}

/// Where the last complete record of `buf` ends (`buf` starts at a record boundary), or
/// `Ok(None)` when no record ends in it yet. `complete`: nothing follows `buf` (the end of
/// the file), so the last record ends with it.
pub fn boundary(buf: &[u8], delimiter: u8, complete: bool) -> Result<Option<usize>, QuoteError> {
    let mut last = None;
    let mut pos = 0;
    loop {
        let quote = memchr::memchr(b'"', buf.get(pos..).unwrap_or_default()).map(|q| pos + q);
        let to = quote.unwrap_or(buf.len());
        if let Some(end) = last_terminator(buf, pos, to, complete) {
            last = Some(end);
        }
        let Some(open) = quote else { break };
        if !at_field_start(buf, open, delimiter) {
            pos = open + 1; // an ordinary character inside an unquoted field
            continue;
        }
        match closing_quote(buf, open) {
            Closing::At(close) => match buf.get(close + 1) {
                None if !complete => break, // what follows decides
                None => pos = close + 1,
                Some(&b) if b == delimiter || b == b'\n' || b == b'\r' => pos = close + 1,
                Some(_) => return Err(QuoteError::TextAfter(open, close + 1)),
            },
            Closing::Missing if complete => return Err(QuoteError::Unterminated(open)),
            Closing::Missing => break,
        }
    }
    if complete && buf.len() > last.unwrap_or(0) {
        last = Some(buf.len());
    }
    Ok(last)
}

/// Where the first record of `buf` ends (blank lines before it are skipped, and belong to
/// it), or `Ok(None)` when it does not end in `buf` yet. `complete`: nothing follows `buf`.
pub fn first_record(
    buf: &[u8],
    delimiter: u8,
    complete: bool,
) -> Result<Option<usize>, QuoteError> {
    let start = buf.iter().position(|b| *b != b'\n' && *b != b'\r').unwrap_or(buf.len());
    let mut pos = start;
    loop {
        let quote = memchr::memchr(b'"', buf.get(pos..).unwrap_or_default()).map(|q| pos + q);
        let to = quote.unwrap_or(buf.len());
        if let Some(t) = memchr::memchr2(b'\n', b'\r', buf.get(pos..to).unwrap_or_default()) {
            let at = pos + t;
            return Ok(match (buf.get(at), buf.get(at + 1)) {
                (Some(b'\r'), Some(b'\n')) => Some(at + 2),
                (Some(b'\r'), None) if !complete => None,
                _ => Some(at + 1),
            });
        }
        let Some(open) = quote else {
            return Ok(complete.then_some(buf.len()));
        };
        if !at_field_start(buf, open, delimiter) {
            pos = open + 1;
            continue;
        }
        match closing_quote(buf, open) {
            Closing::At(close) => match buf.get(close + 1) {
                None if !complete => return Ok(None),
                None => return Ok(Some(buf.len())),
                Some(&b) if b == delimiter || b == b'\n' || b == b'\r' => pos = close + 1,
                Some(_) => return Err(QuoteError::TextAfter(open, close + 1)),
            },
            Closing::Missing if complete => return Err(QuoteError::Unterminated(open)),
            Closing::Missing => return Ok(None),
        }
    }
}

enum Closing {
    At(usize),
    Missing,
}

/// The closing quote of the quoted field opened at `open`: the first `"` after it that is
/// not doubled.
fn closing_quote(buf: &[u8], open: usize) -> Closing {
    let mut i = open + 1;
    while let Some(q) = memchr::memchr(b'"', buf.get(i..).unwrap_or_default()) {
        let q = i + q;
        match buf.get(q + 1) {
            Some(b'"') => i = q + 2,
            // A quote at the very end may still be the first of a doubled pair.
            None => return if q + 1 == buf.len() { Closing::At(q) } else { Closing::Missing },
            Some(_) => return Closing::At(q),
        }
    }
    Closing::Missing
}

/// Where a field's text is: in the block, or (for a quoted field with doubled quotes) in
/// the scratch buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Span {
    Block(u32, u32),
    Scratch(u32, u32),
}

/// One record split into fields, borrowed from the block and the reader's scratch buffer.
pub struct Fields<'b> {
    block: &'b [u8],
    /// The block as text, when it is valid UTF-8 (then every field is).
    text: Option<&'b str>,
    scratch: &'b [u8],
    spans: &'b [Span],
}

impl<'b> Fields<'b> {
    /// How many fields.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether every field is known to be UTF-8 (the whole block is).
    pub fn all_utf8(&self) -> bool {
        self.text.is_some()
    }

    /// Field `i`, as text; `Err` when it is not UTF-8.
    pub fn get(&self, i: usize) -> Option<Result<&'b str, std::str::Utf8Error>> {
        Some(match *self.spans.get(i)? {
            Span::Block(a, b) => match self.text {
                Some(text) => Ok(text.get(a as usize..b as usize).unwrap_or_default()),
                None => std::str::from_utf8(self.block.get(a as usize..b as usize)?),
            },
            Span::Scratch(a, b) => std::str::from_utf8(self.scratch.get(a as usize..b as usize)?),
        })
    }
}

/// The records of a block, one after the other. The block holds whole records only (its
/// quoting was checked by [`boundary`]).
pub struct Records<'b> {
    block: &'b [u8],
    text: Option<&'b str>,
    delimiter: u8,
    pos: usize,
    /// Line breaks before `pos`.
    breaks: u64,
    spans: Vec<Span>,
    scratch: Vec<u8>,
}

impl<'b> Records<'b> {
    /// The records of `block`.
    pub fn new(block: &'b [u8], delimiter: u8) -> Self {
        Records {
            block,
            text: std::str::from_utf8(block).ok(),
            delimiter,
            pos: 0,
            breaks: 0,
            spans: Vec::new(),
            scratch: Vec::new(),
        }
    }

    /// The next record: its offset in the block, the line breaks before it in the block,
    /// and its fields.
    pub fn next_record(&mut self) -> Option<(usize, u64, Fields<'_>)> {
        let bytes = self.block;
        // Skip empty lines.
        loop {
            match bytes.get(self.pos) {
                None => return None,
                Some(b'\n') => {
                    self.pos += 1;
                    self.breaks += 1;
                }
                Some(b'\r') => {
                    self.pos += if bytes.get(self.pos + 1) == Some(&b'\n') { 2 } else { 1 };
                    self.breaks += 1;
                }
                Some(_) => break,
            }
        }
        let start = self.pos;
        let line = self.breaks;
        self.spans.clear();
        self.scratch.clear();
        let d = self.delimiter;
        let mut field = start;
        let mut i = start;
        loop {
            match bytes.get(i) {
                Some(b'"') if i == field => {
                    let (end, span) = self.quoted(i);
                    self.spans.push(span);
                    i = end; // just past the closing quote (or the end of the block)
                    match bytes.get(i) {
                        Some(&b) if b == d => {
                            i += 1;
                            field = i;
                        }
                        _ => {
                            i = self.end_record(i);
                            break;
                        }
                    }
                }
                Some(&b) if b == d => {
                    self.spans.push(Span::Block(field as u32, i as u32));
                    i += 1;
                    field = i;
                }
                Some(b'\n' | b'\r') | None => {
                    self.spans.push(Span::Block(field as u32, i as u32));
                    i = self.end_record(i);
                    break;
                }
                Some(_) => {
                    // Jump to the next byte that matters in an unquoted field.
                    let rest = bytes.get(i..).unwrap_or_default();
                    i += memchr::memchr3(d, b'\n', b'\r', rest).unwrap_or(rest.len());
                }
            }
        }
        self.pos = i;
        let fields = Fields {
            block: self.block,
            text: self.text,
            scratch: &self.scratch,
            spans: &self.spans,
        };
        Some((start, line, fields))
    }

    /// Past the terminator at `i` (counting its line break).
    fn end_record(&mut self, i: usize) -> usize {
        let bytes = self.block;
        match bytes.get(i) {
            Some(b'\r') if bytes.get(i + 1) == Some(&b'\n') => {
                self.breaks += 1;
                i + 2
            }
            Some(b'\n' | b'\r') => {
                self.breaks += 1;
                i + 1
            }
            _ => i,
        }
    }

    /// The quoted field opened at `open`: where it ends (past the closing quote) and its
    /// text, counting the line breaks inside it.
    fn quoted(&mut self, open: usize) -> (usize, Span) {
        let bytes = self.block;
        let mut i = open + 1;
        let mut unescaped: Option<usize> = None; // where its text starts in the scratch buffer
        let mut piece = i;
        loop {
            let rest = bytes.get(i..).unwrap_or_default();
            let end = match memchr::memchr(b'"', rest) {
                // Unterminated (the boundary check refuses it, but stay total).
                None => bytes.len(),
                Some(q) if bytes.get(i + q + 1) == Some(&b'"') => {
                    unescaped.get_or_insert(self.scratch.len());
                    self.scratch.extend_from_slice(bytes.get(piece..=i + q).unwrap_or_default());
                    i += q + 2;
                    piece = i;
                    continue;
                }
                Some(q) => i + q,
            };
            self.breaks += line_breaks(bytes.get(open..end).unwrap_or_default());
            let span = match unescaped {
                None => Span::Block(piece as u32, end as u32),
                Some(s) => {
                    self.scratch.extend_from_slice(bytes.get(piece..end).unwrap_or_default());
                    Span::Scratch(s as u32, self.scratch.len() as u32)
                }
            };
            return ((end + 1).min(bytes.len()), span);
        }
    }
}

/// How many line breaks `bytes` holds: LF, CRLF and a lone CR each count once.
pub fn line_breaks(bytes: &[u8]) -> u64 {
    crate::files::line_breaks(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<(u64, Vec<String>)> {
        let mut r = Records::new(text.as_bytes(), COMMA);
        let mut out = Vec::new();
        while let Some((_, line, f)) = r.next_record() {
            out.push((line, (0..f.len()).map(|i| f.get(i).unwrap().unwrap().to_owned()).collect()));
        }
        out
    }

    #[test]
    fn fields_split_at_commas_outside_quotes() {
        let got = rows("a,b\r\n\"x,\"\"y\"\"\nz\",c\n\n,\rlast");
        assert_eq!(
            got,
            [
                (0, vec!["a".to_owned(), "b".to_owned()]),
                (1, vec!["x,\"y\"\nz".to_owned(), "c".to_owned()]),
                (4, vec![String::new(), String::new()]),
                (5, vec!["last".to_owned()]),
            ]
        );
        // A quote inside an unquoted field is an ordinary character.
        assert_eq!(rows("a\"b,c\n"), [(0, vec!["a\"b".to_owned(), "c".to_owned()])]);
        assert_eq!(rows("\"\",x"), [(0, vec![String::new(), "x".to_owned()])]);
    }

    #[test]
    fn boundaries_fall_after_the_last_complete_record() {
        assert_eq!(boundary(b"a,b\nc,d", COMMA, false), Ok(Some(4)));
        assert_eq!(boundary(b"a,b\nc,d", COMMA, true), Ok(Some(7)));
        assert_eq!(boundary(b"a,\"b\nc\",d\ne", COMMA, false), Ok(Some(10)));
        assert_eq!(boundary(b"a,\"b\nc", COMMA, false), Ok(None));
        assert_eq!(boundary(b"a\r", COMMA, false), Ok(None), "the CR may be half of CRLF");
        assert_eq!(boundary(b"a\r\nb", COMMA, false), Ok(Some(3)));
        assert_eq!(boundary(b"a\rb", COMMA, false), Ok(Some(2)));
        assert_eq!(boundary(b"x\"y\nz", COMMA, false), Ok(Some(4)), "a literal quote");
        assert_eq!(boundary(b"a,\"b\"\"\"\nc", COMMA, false), Ok(Some(8)));
        assert_eq!(boundary(b"a,\"b\"", COMMA, false), Ok(None), "a doubled quote may follow");
        assert_eq!(boundary(b"a,\"b\"", COMMA, true), Ok(Some(5)));
    }

    #[test]
    fn the_first_record_ends_at_its_own_line_break() {
        assert_eq!(first_record(b"\n\nid,name\nu1", COMMA, false), Ok(Some(10)));
        assert_eq!(first_record(b"id,\"na\nme\"\r\nu1", COMMA, false), Ok(Some(12)));
        assert_eq!(first_record(b"id,name", COMMA, false), Ok(None));
        assert_eq!(first_record(b"id,name", COMMA, true), Ok(Some(7)));
        assert_eq!(first_record(b"id\r", COMMA, false), Ok(None));
        assert_eq!(first_record(b"a\"b\nc", COMMA, false), Ok(Some(4)), "a literal quote");
        assert_eq!(first_record(b"\"id", COMMA, true), Err(QuoteError::Unterminated(0)));
    }

    #[test]
    fn a_stray_quote_is_an_error_naming_where_it_opened() {
        assert_eq!(
            boundary(b"id,dept\nu1,\"Sales\nu2,Ops\n", COMMA, true),
            Err(QuoteError::Unterminated(11))
        );
        assert_eq!(
            boundary(b"id,dept\nu1,\"Sales\nu2,\"Ops\"\n", COMMA, true),
            Err(QuoteError::TextAfter(11, 22))
        );
        assert_eq!(boundary(b"a,\"b\"c\n", COMMA, false), Err(QuoteError::TextAfter(2, 5)));
    }

    #[test]
    fn line_breaks_count_lf_crlf_and_lone_cr_once() {
        assert_eq!(line_breaks(b"a\nb\r\nc\rd"), 3);
        assert_eq!(line_breaks(b""), 0);
    }
}
