//! Renderers: one plan, several formats. Only this module formats user data for people,
//! and it neutralises that data for each medium (terminal, spreadsheet, Markdown).

mod csv;
pub mod diff;
pub mod explain;
pub mod html;
mod json;
mod markdown;
pub mod mermaid;
pub mod notices;
pub mod scim;
pub mod sheet;
mod table;
pub mod wrap;
mod yaml;

pub use json::json;
pub use yaml::yaml;

use crate::plan::{Plan, Reassignment, What};
use crate::snapshot::Store;
use std::collections::BTreeMap;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A summary and the plan grouped by rule, for a terminal.
    Table,
    /// The plan as JSON (roster-plan/1), for machines.
    Json,
    /// The JSON plan as YAML, for people who review plans in pull requests.
    Yaml,
    /// One row per action, for spreadsheets.
    Csv,
    /// A report for people: chat, e-mail, pull requests.
    Markdown,
    /// A SCIM 2.0 Bulk request (RFC 7644) of the User changes: `active` and the enterprise
    /// `manager`; what SCIM cannot carry is listed on stderr.
    Scim,
    /// The same changes as one PATCH request a line (NDJSON: method, path, body), for SCIM
    /// servers without a Bulk endpoint.
    ScimPatch,
    /// A bulk-update sheet (CSV): one row per user whose status, manager or led teams change.
    Sheet,
    /// A Mermaid flowchart of who hands what to whom (records, reports, teams), with counts.
    Mermaid,
    /// One self-contained HTML report (chart, tables to filter and sort), for people.
    Html,
    /// The notices of the plan grouped by recipient (JSON), for a mailer or a chat bot.
    Notices,
    /// The same digest as CSV: one row per recipient and notice.
    NoticesCsv,
}

/// Display names, when the snapshot is at hand.
#[derive(Clone, Copy)]
pub struct Names<'a> {
    store: Option<&'a Store>,
}

impl<'a> Names<'a> {
    /// Names from a snapshot.
    pub fn from_store(store: &'a Store) -> Self {
        Names { store: Some(store) }
    }

    /// No names: ids only.
    pub fn none() -> Self {
        Names { store: None }
    }

    /// Whether the snapshot's statuses came from roster's SCIM extension.
    pub fn scim_status_extension(&self) -> bool {
        self.store.is_some_and(|s| s.scim_status_extension)
    }

    /// `Name (id)` or `id`.
    pub fn user(&self, id: &str) -> String {
        match self.store.and_then(|s| s.user_ix(id).map(|u| s.user(u))).and_then(|u| u.name()) {
            Some(name) => format!("{name} ({id})"),
            None => id.to_owned(),
        }
    }

    /// A user's name and e-mail, when the snapshot has the user.
    pub fn contact(&self, id: &str) -> (Option<&'a str>, Option<&'a str>) {
        match self.store.and_then(|s| s.user_ix(id).map(|u| s.user(u))) {
            Some(u) => (u.name(), u.email()),
            None => (None, None),
        }
    }

    /// `Name (id)` of a team, or `id`.
    pub fn team(&self, id: &str) -> String {
        match self.store.and_then(|s| s.team_ix(id).map(|t| s.team(t))).and_then(|t| t.name()) {
            Some(name) => format!("{name} ({id})"),
            None => id.to_owned(),
        }
    }

    /// How a manager reads a reassignment's `via`: "team leader of South".
    pub fn via(&self, r: &Reassignment) -> String {
        let store = self.store;
        let from = store.and_then(|s| s.user_ix(&r.from).map(|u| (s, u)));
        let primary = from
            .and_then(|(s, u)| s.user(u).primary_team().map(|t| s.team(t).display().to_owned()));
        let mut text = match r.via.as_ref() {
            "team_leader" => match primary {
                Some(t) => format!("team leader of {t}"),
                None => "team leader".to_owned(),
            },
            "first_team_leader" => {
                match store.and_then(|s| s.first_team().map(|t| s.team(t).display().to_owned())) {
                    Some(t) => format!("leader of the first team, {t}"),
                    None => "leader of the first team".to_owned(),
                }
            }
            "manager" => "manager".to_owned(),
            "manager_chain" => "next manager up the chain".to_owned(),
            "account_owner" => "account owner".to_owned(),
            "least_loaded_peer" => match primary {
                Some(t) => format!("least-loaded peer in {t}"),
                None => "least-loaded peer".to_owned(),
            },
            "user" => "chosen receiver".to_owned(),
            other => other.to_owned(),
        };
        if let Some(through) = r.through_text(|t| self.user(t)) {
            text.push_str(&format!(", through {through} (leaving too)"));
        }
        text
    }

    /// "12 open opportunity records" / "3 direct reports" / "1 team".
    pub fn what(&self, r: &Reassignment) -> String {
        match r.what {
            What::Records => format!(
                "{} {} {} record{}",
                r.count,
                r.state.as_deref().unwrap_or(""),
                r.kind.as_deref().unwrap_or(""),
                if r.count == 1 { "" } else { "s" }
            ),
            What::Reports => {
                format!("{} direct report{}", r.count, if r.count == 1 { "" } else { "s" })
            }
            What::Team => {
                let teams: Vec<String> = r.ids.iter().map(|t| self.team(t)).collect();
                format!("team{} {}", if r.count == 1 { "" } else { "s" }, teams.join(", "))
            }
        }
    }
}

/// Renders a plan.
pub fn render(plan: &Plan, format: Format, names: Names<'_>, title: &str) -> String {
    match format {
        Format::Json => json(plan),
        Format::Yaml => yaml(plan),
        Format::Table => wrap::fit(&table::render(plan, names, title), wrap::width()),
        Format::Csv => csv::render(plan),
        Format::Markdown => markdown::render(plan, names, title),
        Format::Scim => scim::render(plan, names),
        Format::ScimPatch => scim::patches(plan, names),
        Format::Sheet => sheet::render(plan, names),
        Format::Mermaid => mermaid::flowchart(plan, names),
        Format::Html => html::render(plan, names, title),
        Format::Notices => notices::json(plan, names),
        Format::NoticesCsv => notices::csv(plan, names),
    }
}

/// Writes a plan; JSON and YAML are streamed, the other formats are rendered first.
pub fn write(
    plan: &Plan,
    format: Format,
    names: Names<'_>,
    title: &str,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        Format::Json => json::write_json(plan, w),
        Format::Yaml => yaml::write(plan, w),
        other => w.write_all(render(plan, other, names, title).as_bytes()),
    }
}

/// A note for people that goes with a rendered plan on stderr, when the format leaves parts
/// of the plan out (SCIM carries User attributes only).
pub fn note(plan: &Plan, format: Format, names: Names<'_>) -> Option<String> {
    match format {
        Format::Scim | Format::ScimPatch => scim::note(plan, names),
        _ => None,
    }
}

/// `41 users, 1 team, 90 records`.
pub fn snapshot_counts(plan: &Plan) -> String {
    let s = &plan.snapshot;
    let n = |count: usize, noun: &str| format!("{count} {}", crate::plan::plural(count, noun));
    format!("{}, {}, {}", n(s.users, "user"), n(s.teams, "team"), n(s.records, "record"))
}

/// Action counts as `3 mark_idle, 1 suspend`.
pub fn action_counts(counts: &BTreeMap<String, usize>) -> String {
    let parts: Vec<String> = counts.iter().map(|(k, v)| format!("{v} {k}")).collect();
    parts.join(", ")
}

/// A user's value on one line of a terminal: see [`crate::diag::visible`] (controls,
/// line breaks and bidirectional overrides become visible `\u{..}` escapes).
pub fn terminal_safe(text: &str) -> String {
    crate::diag::visible(text).into_owned()
}

/// Escapes text for a Markdown table cell or paragraph: no HTML, no links or images, no
/// code spans, no emphasis, no table breaks. Characters that cannot start any of these
/// (parentheses, `#`, intraword `_`) are left alone, so that reports stay readable.
///
/// GitHub's Markdown also turns bare text into links: `scheme://`, `www.` and e-mail
/// addresses. The `:` before `//` and the `.` after `www` are escaped, and an `@` is
/// followed by a word joiner (U+2060, invisible), because GitHub joins escaped text back
/// together before it looks for e-mail addresses.
pub fn markdown_safe(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let www = |i: usize| {
        i >= 3
            && chars[i - 3..i].iter().all(|c| c.eq_ignore_ascii_case(&'w'))
            && (i == 3 || !chars[i - 4].is_alphanumeric())
    };
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\\' | '`' | '*' | '[' | ']' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '_' => {
                let word = |j: Option<usize>| {
                    j.and_then(|j| chars.get(j)).is_some_and(|c| c.is_alphanumeric())
                };
                if !(word(i.checked_sub(1)) && word(Some(i + 1))) {
                    out.push('\\');
                }
                out.push('_');
            }
            ':' if chars.get(i + 1..i + 3) == Some(&['/', '/'][..]) => out.push_str("\\:"),
            '.' if www(i) => out.push_str("\\."),
            '@' => out.push_str("@\u{2060}"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            c if crate::diag::is_hidden(c) => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    out
}

/// Neutralises a spreadsheet formula: a cell starting with `=`, `+`, `-`, `@`, tab or CR
/// gets a leading `'`.
pub fn spreadsheet_safe(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralises_hostile_text() {
        assert_eq!(spreadsheet_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(spreadsheet_safe("-1"), "'-1");
        assert_eq!(spreadsheet_safe("Dana"), "Dana");
        assert_eq!(terminal_safe("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(terminal_safe("\u{9b}x"), "\\u{9b}x");
        assert_eq!(
            markdown_safe("<img src=x onerror=alert(1)>"),
            "&lt;img src=x onerror=alert(1)&gt;"
        );
        assert_eq!(markdown_safe("a|b [x](http://e)"), "a\\|b \\[x\\](http\\://e)");
        assert_eq!(markdown_safe("as_of _em_ `code`"), "as_of \\_em\\_ \\`code\\`");
        assert_eq!(
            markdown_safe("https://e.x WWW.e.x a@b.co awww.x"),
            "https\\://e.x WWW\\.e.x a@\u{2060}b.co awww.x"
        );
        assert_eq!(markdown_safe("\u{202E}gpj.exe"), "\\u{202e}gpj.exe");
        assert_eq!(terminal_safe("a\u{2029}b"), "a\\u{2029}b");
    }
}
