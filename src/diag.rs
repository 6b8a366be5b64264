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
const SNIPPET_WIDTH: usize = 64;

/// At most [`SNIPPET_WIDTH`] characters of `line` around the 0-based character `caret`
/// (a minified JSON file is one line of megabytes), marked with `…` where cut, with
/// [hidden](is_hidden) characters made visible; and where the caret falls in what is shown.
fn window(line: &str, caret: Option<usize>) -> (String, Option<usize>) {
    let len = line.chars().count();
    let (start, end) = if len <= SNIPPET_WIDTH {
        (0, len)
    } else {
        let at = caret.unwrap_or(0).min(len);
        let start = at.saturating_sub(SNIPPET_WIDTH / 2).min(len - SNIPPET_WIDTH);
        (start, start + SNIPPET_WIDTH)
    };
    let mut shown = String::new();
    let mut shown_caret = None;
    if start > 0 {
        shown.push('…');
    }
    for (i, c) in line.chars().enumerate().skip(start).take(end - start) {
        if caret == Some(i) {
            shown_caret = Some(shown.chars().count());
        }
        if c == '\t' {
            shown.push(' ');
        } else if is_hidden(c) {
            shown.extend(c.escape_unicode());
        } else {
            shown.push(c);
        }
    }
    if caret.is_some() && shown_caret.is_none() {
        shown_caret = Some(shown.chars().count());
    }
    if end < len {
        shown.push('…');
    }
    (shown, shown_caret)
}

/// Several problems found in one pass, in the order found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

/// How many distinct problems are shown before the others are only counted.
const SHOWN_PROBLEMS: usize = 40;

/// How many of the further places of one repeated problem are listed by line.
const LISTED_LINES: usize = 8;

impl fmt::Display for Diagnostics {
    /// Each problem once, in the order found: a problem repeated on other lines (the same
    /// file, field, message and help) is shown in full the first time, then counted with
    /// the lines where it repeats. After [`SHOWN_PROBLEMS`] problems the rest are counted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        type Key<'a> = (&'a Path, Option<&'a str>, &'a str, Option<&'a str>);
        let mut index: std::collections::HashMap<Key<'_>, usize> = Default::default();
        let mut groups: Vec<Vec<&Diagnostic>> = Vec::new();
        for d in &self.0 {
            let key = (d.file.as_path(), d.field.as_deref(), d.message.as_str(), d.help.as_deref());
            let at = *index.entry(key).or_insert_with(|| {
                groups.push(Vec::new());
                groups.len() - 1
            });
            groups[at].push(d);
        }
        for (i, group) in groups.iter().take(SHOWN_PROBLEMS).enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {}", group[0])?;
            if let [first, rest @ ..] = group.as_slice() {
                if !rest.is_empty() {
                    write!(f, "\n  ")?;
                    repeats(f, first, rest)?;
                }
            }
        }
        if groups.len() > SHOWN_PROBLEMS {
            let hidden: usize = groups[SHOWN_PROBLEMS..].iter().map(Vec::len).sum();
            write!(
                f,
                "\nerror: {hidden} more problem{} not shown; fix these first, then run again",
                if hidden == 1 { " is" } else { "s are" }
            )?;
        }
        Ok(())
    }
}

/// `the same on 39 more lines of users.csv: 40, 41, ... and 31 more`.
fn repeats(f: &mut fmt::Formatter<'_>, first: &Diagnostic, rest: &[&Diagnostic]) -> fmt::Result {
    let n = rest.len();
    let lines: Vec<u64> = rest.iter().filter_map(|d| d.location.line).collect();
    let file = first.file.display();
    if lines.len() < n {
        return write!(f, "the same {n} more time{} in {file}", if n == 1 { "" } else { "s" });
    }
    let listed: Vec<String> = lines.iter().take(LISTED_LINES).map(u64::to_string).collect();
    let more =
        if n > LISTED_LINES { format!(" and {} more", n - LISTED_LINES) } else { String::new() };
    write!(
        f,
        "the same on {n} more line{} of {file}: {}{more}",
        if n == 1 { "" } else { "s" },
        listed.join(", ")
    )
}

impl std::error::Error for Diagnostics {}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

/// Quotes user text for a message: backticks, [hidden](is_hidden) characters escaped,
/// long text cut.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(64) + 2);
    out.push('`');
    for (i, c) in text.chars().enumerate() {
        if i == 60 {
            out.push('…');
            break;
        }
        if is_hidden(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.push('`');
    out
}

/// Whether a terminal, an editor or a viewer could act on `c` rather than show it: C0 and
/// C1 controls and DEL (ESC starts sequences, CR and BS overwrite), the bidirectional
/// controls (U+061C, U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069), and the line and
/// paragraph separators U+2028 and U+2029.
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// A user's value shown on one line of a terminal: every [hidden](is_hidden) character,
/// line breaks included, becomes a visible `\u{..}` escape.
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    escape(text, is_hidden)
}

/// Text about to be written to a terminal (stdout or stderr of a human-readable
/// command): as [`visible`], except that its own line breaks and tabs stay. Every message
/// roster prints goes through here, so user text that reached a message unquoted still
/// cannot drive the terminal.
pub fn for_terminal(text: &str) -> std::borrow::Cow<'_, str> {
    escape(text, |c| c != '\n' && c != '\t' && is_hidden(c))
}

fn escape(text: &str, hide: impl Fn(char) -> bool) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(&hide) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if hide(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn repeated_problems_are_shown_once_and_counted() {
        let at = |line, message: &str| {
            Diagnostic::file("users.csv", message).at(Location::line(line)).field("role")
        };
        let mut all: Vec<Diagnostic> = (3..=42).map(|l| at(l, "unknown role `x`")).collect();
        all.insert(1, at(4, "unknown role `y`"));
        let text = Diagnostics(all).to_string();
        assert_eq!(
            text,
            "error: users.csv:3: role: unknown role `x`\n  \
             the same on 39 more lines of users.csv: 4, 5, 6, 7, 8, 9, 10, 11 and 31 more\n\
             error: users.csv:4: role: unknown role `y`"
        );
    }

    #[test]
    fn past_forty_problems_the_rest_are_counted() {
        let all: Vec<Diagnostic> = (1..=45)
            .map(|l| Diagnostic::file("f", format!("problem {l}")).at(Location::line(l)))
            .collect();
        let text = Diagnostics(all).to_string();
        assert_eq!(text.lines().filter(|l| l.starts_with("error: f:")).count(), 40);
        assert!(
            text.ends_with("error: 5 more problems are not shown; fix these first, then run again"),
            "{text}"
        );
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
        assert_eq!(quote("evil\u{202E}txt"), "`evil\\u{202e}txt`");
    }

    #[test]
    fn terminal_text_keeps_its_own_lines_only() {
        assert_eq!(visible("a\nb\u{2028}c"), "a\\u{a}b\\u{2028}c");
        assert_eq!(for_terminal("a\nb\u{1b}]0;x\u{7}"), "a\nb\\u{1b}]0;x\\u{7}");
        assert_eq!(for_terminal("\u{9b}31m\u{2067}"), "\\u{9b}31m\\u{2067}");
        assert!(matches!(for_terminal("plain"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn snippets_escape_what_they_show_and_keep_the_caret() {
        let (shown, caret) = window("a\u{1b}b", Some(2));
        assert_eq!(shown, "a\\u{1b}b");
        assert_eq!(caret, Some(7));
        let long = "x".repeat(10_000);
        let (shown, caret) = window(&long, Some(5_000));
        assert!(shown.chars().count() <= SNIPPET_WIDTH + 2);
        assert_eq!(shown.chars().nth(caret.unwrap()), Some('x'));
    }
}
