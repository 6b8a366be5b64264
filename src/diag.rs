//! Diagnostics: one problem in one input, with where it is and how to fix it.
//!
//! Every loader turns its failures into [`Diagnostic`]s; only the CLI renders them.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where in a file a problem sits.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    /// 1-based line.
    pub line: Option<u64>,
    /// 1-based column (characters).
    pub column: Option<u64>,
    /// The text of that line, for a snippet under the message.
    pub snippet: Option<String>,
}

impl Location {
    /// A location that names only a line.
    pub fn line(line: u64) -> Self {
        Location { line: Some(line), ..Location::default() }
    }

    /// The location of a byte offset in `source`, with the line's text.
    pub fn of_offset(source: &str, offset: usize) -> Self {
        let offset = offset.min(source.len());
        let before = source.get(..offset).unwrap_or("");
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line = before.matches('\n').count() as u64 + 1;
        let column = source.get(line_start..offset).map_or(0, |s| s.chars().count()) as u64 + 1;
        let line_end = source[line_start..].find('\n').map_or(source.len(), |i| line_start + i);
        let snippet = source.get(line_start..line_end).map(|s| s.trim_end_matches('\r').to_owned());
        Location { line: Some(line), column: Some(column), snippet }
    }
}

/// One problem in one input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file (or folder) the problem is in.
    pub file: PathBuf,
    /// Where in the file.
    pub location: Location,
    /// The field, column or key concerned, if one is.
    pub field: Option<String>,
    /// What is wrong, lowercase, user input in backticks.
    pub message: String,
    /// What would fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A problem with a whole file.
    pub fn file(file: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.as_ref().to_path_buf(),
            location: Location::default(),
            field: None,
            message: message.into(),
            help: None,
        }
    }

    /// Sets the location.
    pub fn at(mut self, location: Location) -> Self {
        self.location = location;
        self
    }

    /// Sets the field.
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Sets the help text.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    /// `file:line:column: field: message`, then the source line and a caret, then `help: ...`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.location.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.location.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": ")?;
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        write!(f, "{}", self.message)?;
        if let (Some(snippet), Some(line)) = (&self.location.snippet, self.location.line) {
            let gutter = line.to_string();
            let pad = " ".repeat(gutter.len());
            let caret = self.location.column.map(|c| c.saturating_sub(1) as usize);
            let (shown, caret) = window(snippet, caret);
            write!(f, "\n {pad} |\n {gutter} | {shown}")?;
            if let Some(caret) = caret {
                let spaces = " ".repeat(caret);
                write!(f, "\n {pad} | {spaces}^")?;
            }
        }
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// The widest source line shown under a message, in characters.
const SNIPPET_WIDTH: usize = 100;

/// At most [`SNIPPET_WIDTH`] characters of `line` around the 0-based character `caret`
/// (a minified JSON file is one line of megabytes), marked with `…` where cut; and where
/// the caret falls in what is shown.
fn window(line: &str, caret: Option<usize>) -> (String, Option<usize>) {
    let len = line.chars().count();
    if len <= SNIPPET_WIDTH {
        return (line.to_owned(), caret);
    }
    let at = caret.unwrap_or(0).min(len);
    let start = at.saturating_sub(SNIPPET_WIDTH / 2).min(len - SNIPPET_WIDTH);
    let end = start + SNIPPET_WIDTH;
    let mut shown = String::new();
    if start > 0 {
        shown.push('…');
    }
    shown.extend(line.chars().skip(start).take(SNIPPET_WIDTH));
    if end < len {
        shown.push('…');
    }
    (shown, caret.map(|c| c - start + usize::from(start > 0)))
}

/// Several problems found in one pass, in the order found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

/// Quotes user text for a message: backticks, control characters escaped, long text cut.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(64) + 2);
    out.push('`');
    for (i, c) in text.chars().enumerate() {
        if i == 60 {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.push('`');
    out
}

/// The candidate closest to `word` (ignoring case and surrounding space), if one is close
/// enough to be a likely typo: for "did you mean" hints.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.trim().to_lowercase();
    let limit = (word.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (edit_distance(&word, &c.trim().to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row.first().copied().unwrap_or(0);
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let above = row.get(j + 1).copied().unwrap_or(0);
            let left = row.get(j).copied().unwrap_or(0);
            let cost = usize::from(ca != *cb);
            let value = (diagonal + cost).min(above + 1).min(left + 1);
            diagonal = above;
            if let Some(cell) = row.get_mut(j + 1) {
                *cell = value;
            }
        }
    }
    row.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_names_a_likely_typo_only() {
        let headers = ["User ID", "Email Address", "Last Login Date", "Role"];
        assert_eq!(closest("Last Login Data", headers), Some("Last Login Date"));
        assert_eq!(closest("email adress", headers), Some("Email Address"));
        assert_eq!(closest("Status", headers), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn offsets_become_lines_and_columns() {
        let src = "a = 1\nbb = \"x\"\n";
        let loc = Location::of_offset(src, 11);
        assert_eq!(loc.line, Some(2));
        assert_eq!(loc.column, Some(6));
        assert_eq!(loc.snippet.as_deref(), Some("bb = \"x\""));
    }

    #[test]
    fn long_lines_are_shown_around_the_caret() {
        let line = format!("{}X{}", "a".repeat(300), "b".repeat(300));
        let (shown, caret) = window(&line, Some(300));
        assert_eq!(shown.chars().count(), SNIPPET_WIDTH + 2);
        assert!(shown.starts_with('…') && shown.ends_with('…'));
        assert_eq!(shown.chars().nth(caret.unwrap()), Some('X'));
        let (start, caret) = window(&line, Some(0));
        assert!(start.starts_with('a') && start.ends_with('…'));
        assert_eq!(caret, Some(0));
        let (end, caret) = window(&line, Some(600));
        assert!(end.starts_with('…') && end.ends_with('b'));
        assert_eq!(end.chars().nth(caret.unwrap()), Some('b'));
        assert_eq!(window("short", Some(2)), ("short".to_owned(), Some(2)));
    }

    #[test]
    fn renders_file_line_field_and_help() {
        let d = Diagnostic::file("x/users.csv", "`yesterday` is not a time")
            .at(Location::line(4))
            .field("last_login_at")
            .help("write 2026-11-02");
        assert_eq!(
            d.to_string(),
            "x/users.csv:4: last_login_at: `yesterday` is not a time\n  help: write 2026-11-02"
        );
    }

    #[test]
    fn quoting_escapes_control_characters() {
        assert_eq!(quote("a\u{1b}[2J"), "`a\\u{1b}[2J`");
    }
}
