//! The results of `roster test` in the formats CI systems read: text for people, JSON,
//! JUnit XML, TAP 13, GitHub workflow annotations, and the Markdown of a GitHub step
//! summary. `roster check` shares the annotations and the summary file.
//!
//! Every format lists the cases in the same order (the suite's, sorted by name) and has no
//! time in it, so that two runs over the same cases write the same bytes.

use super::suite::{Blessed, CaseResult, Verdict};
use crate::diag::{Diagnostic, Diagnostics};
use crate::render::{self, Names};
use std::fmt::Write;
use std::path::Path;

/// The formats of `roster test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TestFormat {
    /// For people: one line a case, then what differs.
    Text,
    /// A JSON report (`roster-test/1`).
    Json,
    /// JUnit XML, as Jenkins, GitLab, Azure DevOps and test-reporter actions read it.
    Junit,
    /// TAP version 13.
    Tap,
    /// GitHub workflow annotations, then the text report.
    Github,
}

/// The counts of a run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    /// Cases whose plan means what the approved one means (or that were blessed).
    pub passed: usize,
    /// Cases whose plan differs, or that have no approved plan.
    pub failed: usize,
    /// Cases that could not run.
    pub broken: usize,
}

impl Counts {
    /// Counts the results.
    pub fn of(results: &[CaseResult]) -> Counts {
        let mut c = Counts::default();
        for r in results {
            match r.verdict {
                Verdict::Passed => c.passed += 1,
                Verdict::Failed(_) | Verdict::Missing => c.failed += 1,
                Verdict::Error(_) => c.broken += 1,
            }
        }
        c
    }
}

/// Renders the results of the suite in `dir`.
pub fn render(format: TestFormat, dir: &Path, results: &[CaseResult]) -> String {
    match format {
        TestFormat::Text => text(dir, results),
        TestFormat::Json => json(dir, results),
        TestFormat::Junit => junit(dir, results),
        TestFormat::Tap => tap(dir, results),
        TestFormat::Github => annotations(results) + &text(dir, results),
    }
}

/// The GitHub annotations of the results that are not passes.
pub fn annotations(results: &[CaseResult]) -> String {
    results.iter().map(case_annotations).collect()
}

/// The one-line headline of a result that is not a pass.
fn headline(r: &CaseResult) -> &'static str {
    match r.verdict {
        Verdict::Passed => "passed",
        Verdict::Failed(_) => "the plan differs from the approved one",
        Verdict::Missing => "no approved plan (expected.json); review the plan, then bless it",
        Verdict::Error(_) => "the case could not run",
    }
}

/// What went wrong, as plain lines: the difference, or the errors.
fn details(r: &CaseResult) -> String {
    match &r.verdict {
        Verdict::Failed(diff) => render::diff::table(diff, Names::none(), ""),
        Verdict::Error(d) => format!("{d}\n"),
        Verdict::Passed | Verdict::Missing => String::new(),
    }
}

fn status(r: &CaseResult) -> &'static str {
    match r.verdict {
        Verdict::Passed => "passed",
        Verdict::Failed(_) => "failed",
        Verdict::Missing => "missing",
        Verdict::Error(_) => "broken",
    }
}

/// The text report.
pub fn text(dir: &Path, results: &[CaseResult]) -> String {
    let mut out = String::new();
    for r in results {
        let name = render::terminal_safe(&r.case.name);
        match &r.verdict {
            Verdict::Passed => match r.blessed {
                None => {
                    let _ = writeln!(out, "ok      {name}");
                }
                Some(b) => {
                    let what = match b {
                        Blessed::Created => "approved plan created",
                        Blessed::Updated => "approved plan changed",
                        Blessed::Refreshed => "approved plan rewritten (its reasons changed)",
                    };
                    let _ = writeln!(out, "blessed {name}: {what}");
                }
            },
            Verdict::Failed(diff) => {
                let _ = writeln!(out, "FAILED  {name}: the plan differs from the approved one");
                out.push_str(&render::diff::table(diff, Names::none(), "        "));
            }
            Verdict::Missing => {
                let _ = writeln!(
                    out,
                    "FAILED  {name}: no expected.json; review the plan, then approve it with `roster test {} --bless --filter {}`",
                    render::terminal_safe(&shell_word(&dir.to_string_lossy())),
                    render::terminal_safe(&shell_word(&r.case.name))
                );
            }
            Verdict::Error(d) => {
                let _ = writeln!(out, "FAILED  {name}: the case could not run");
                for line in d.to_string().lines() {
                    let _ = writeln!(out, "        {line}");
                }
            }
        }
    }
    let c = Counts::of(results);
    let _ = writeln!(out, "{} passed, {} failed", c.passed, c.failed + c.broken);
    out
}

/// `word` as one shell word: as it is when it has only safe characters, else in single
/// quotes.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:@%+=,".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// The JSON report: `{"format": "roster-test/1", "dir", "passed", "failed", "broken",
/// "cases": [{"name", "status", "blessed"?, "difference"?, "errors"?}]}`.
pub fn json(dir: &Path, results: &[CaseResult]) -> String {
    #[derive(serde::Serialize)]
    struct Report<'a> {
        format: &'static str,
        dir: String,
        passed: usize,
        failed: usize,
        broken: usize,
        cases: Vec<JsonCase<'a>>,
    }
    #[derive(serde::Serialize)]
    struct JsonCase<'a> {
        name: &'a str,
        status: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        blessed: Option<&'static str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        difference: Option<&'a crate::plan::diff::PlanDiff<'a>>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        errors: Vec<serde_json::Value>,
    }
    let c = Counts::of(results);
    let cases = results
        .iter()
        .map(|r| JsonCase {
            name: &r.case.name,
            status: status(r),
            blessed: r.blessed.map(|b| match b {
                Blessed::Created => "created",
                Blessed::Updated => "updated",
                Blessed::Refreshed => "refreshed",
            }),
            difference: match &r.verdict {
                Verdict::Failed(diff) => Some(diff),
                _ => None,
            },
            errors: match &r.verdict {
                Verdict::Error(d) => d.0.iter().map(error_json).collect(),
                _ => Vec::new(),
            },
        })
        .collect();
    let report = Report {
        format: "roster-test/1",
        dir: dir.to_string_lossy().into_owned(),
        passed: c.passed,
        failed: c.failed,
        broken: c.broken,
        cases,
    };
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}

fn error_json(d: &Diagnostic) -> serde_json::Value {
    serde_json::json!({
        "file": d.file.to_string_lossy(),
        "line": d.location.line,
        "column": d.location.column,
        "field": d.field,
        "message": d.message,
        "help": d.help,
    })
}

/// JUnit XML: one `<testsuite>` for the folder, one `<testcase>` a case; a plan that
/// differs (or has no approved plan) is a `<failure>`, a case that cannot run an `<error>`.
pub fn junit(dir: &Path, results: &[CaseResult]) -> String {
    let c = Counts::of(results);
    let suite = xml(&dir.to_string_lossy());
    let total = results.len();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"roster test\" tests=\"{total}\" failures=\"{}\" errors=\"{}\">",
        c.failed, c.broken
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"{suite}\" tests=\"{total}\" failures=\"{}\" errors=\"{}\" skipped=\"0\">",
        c.failed, c.broken
    );
    for r in results {
        let name = xml(&r.case.name);
        let open = format!("    <testcase name=\"{name}\" classname=\"{suite}\"");
        match &r.verdict {
            Verdict::Passed => {
                let _ = writeln!(out, "{open}/>");
            }
            Verdict::Failed(_) | Verdict::Missing => {
                let _ = writeln!(
                    out,
                    "{open}>\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>",
                    status(r),
                    xml(headline(r)),
                    xml(&details(r))
                );
            }
            Verdict::Error(_) => {
                let _ = writeln!(
                    out,
                    "{open}>\n      <error type=\"bad_input\" message=\"{}\">{}</error>\n    </testcase>",
                    xml(headline(r)),
                    xml(&details(r))
                );
            }
        }
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// Text for XML content and attribute values: the five special characters escaped, and
/// the characters XML 1.0 cannot hold at all (most C0 controls) written as `\u{..}`.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                out.extend(c.escape_unicode());
            }
            c => out.push(c),
        }
    }
    out
}

/// TAP version 13: `ok N - name` or `not ok N - name`, with the details in a YAML block.
pub fn tap(dir: &Path, results: &[CaseResult]) -> String {
    let mut out = format!("TAP version 13\n1..{}\n", results.len());
    let _ = writeln!(out, "# roster test {}", one_line(&dir.to_string_lossy()));
    for (i, r) in results.iter().enumerate() {
        let n = i + 1;
        let name = one_line(&r.case.name);
        if matches!(r.verdict, Verdict::Passed) {
            let _ = writeln!(out, "ok {n} - {name}");
            continue;
        }
        let _ = writeln!(out, "not ok {n} - {name}");
        let _ = writeln!(out, "  ---");
        let _ = writeln!(out, "  message: {}", yaml_string(headline(r)));
        let _ =
            writeln!(out, "  severity: {}", if status(r) == "broken" { "error" } else { "fail" });
        let details = details(r);
        if !details.is_empty() {
            let _ = writeln!(out, "  details: |-");
            for line in details.lines() {
                let _ = writeln!(out, "    {}", crate::diag::visible(line));
            }
        }
        let _ = writeln!(out, "  ...");
    }
    out
}

/// A name on one TAP line: `#` would start a directive and a newline a new line.
fn one_line(text: &str) -> String {
    crate::diag::visible(text).replace('#', "\\#").replace(['\n', '\r'], " ")
}

fn yaml_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The annotations of a result that is not a pass: a failure on the case's approved plan,
/// each error of a broken case at its file, line and column.
fn case_annotations(r: &CaseResult) -> String {
    let title = format!("roster test {}", r.case.name);
    match &r.verdict {
        Verdict::Passed => String::new(),
        Verdict::Failed(_) | Verdict::Missing => {
            let file = r.case.dir.join("expected.json");
            let message = format!("{}\n{}", headline(r), details(r));
            annotation("error", Some(&file), None, None, &title, &message)
        }
        Verdict::Error(d) => diagnostics_annotations(d, &title),
    }
}

/// One `::error` annotation per problem, at its file, line and column.
pub fn diagnostics_annotations(d: &Diagnostics, title: &str) -> String {
    d.0.iter()
        .map(|d| {
            let mut message = d.message.clone();
            if let Some(field) = &d.field {
                message = format!("{field}: {message}");
            }
            if let Some(help) = &d.help {
                message = format!("{message}\nhelp: {help}");
            }
            annotation("error", Some(&d.file), d.location.line, d.location.column, title, &message)
        })
        .collect()
}

/// A GitHub workflow command: `::error file=F,line=L,col=C,title=T::message`, with the
/// escapes the runner decodes (`%`, CR and LF everywhere; `:` and `,` in properties too).
pub fn annotation(
    level: &str,
    file: Option<&Path>,
    line: Option<u64>,
    column: Option<u64>,
    title: &str,
    message: &str,
) -> String {
    let property = |v: &str| data(v).replace(':', "%3A").replace(',', "%2C");
    let mut props = Vec::new();
    if let Some(f) = file {
        props.push(format!("file={}", property(&f.to_string_lossy())));
    }
    if let Some(l) = line {
        props.push(format!("line={l}"));
    }
    if let Some(c) = column {
        props.push(format!("col={c}"));
    }
    props.push(format!("title={}", property(title)));
    format!("::{level} {}::{}\n", props.join(","), data(message.trim_end()))
}

/// Escapes for the data of a workflow command; other control characters are made visible
/// so that no text of the input can start a command of its own.
fn data(text: &str) -> String {
    crate::diag::visible(&text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A"))
        .into_owned()
}

/// The Markdown of a GitHub step summary for a test run.
pub fn summary(dir: &Path, results: &[CaseResult]) -> String {
    let c = Counts::of(results);
    let mut out = format!(
        "### roster test {}\n\n{} passed, {} failed, {} could not run\n\n",
        render::markdown_safe(&dir.to_string_lossy()),
        c.passed,
        c.failed,
        c.broken
    );
    out.push_str("| case | result |\n|---|---|\n");
    for r in results {
        let _ = writeln!(out, "| {} | {} |", render::markdown_safe(&r.case.name), status(r));
    }
    for r in results.iter().filter(|r| !matches!(r.verdict, Verdict::Passed)) {
        let _ = write!(
            out,
            "\n<details><summary>{}: {}</summary>\n\n{}\n</details>\n",
            render::markdown_safe(&r.case.name),
            headline(r),
            fenced(&details(r))
        );
    }
    out
}

/// `text` as a fenced block of Markdown: the fence is longer than any run of backticks
/// in the text, so nothing in it can close the block early.
pub fn fenced(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}text\n{}\n{fence}\n", text.trim_end())
}

/// Appends `markdown` to the file `GITHUB_STEP_SUMMARY` names, when it names one.
pub fn append_step_summary(markdown: &str) -> Result<(), super::Error> {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    use std::io::Write as _;
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&path)
        .and_then(|mut f| f.write_all(markdown.as_bytes()).and_then(|()| f.write_all(b"\n")))
        .map_err(|e| {
            super::Error::Output(format!(
                "cannot append to GITHUB_STEP_SUMMARY ({}): {e}",
                Path::new(&path).display()
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_escape_what_the_runner_decodes() {
        let a =
            annotation("error", Some(Path::new("a,b:c.toml")), Some(3), Some(7), "t", "50%\nnext");
        assert_eq!(a, "::error file=a%2Cb%3Ac.toml,line=3,col=7,title=t::50%25%0Anext\n");
        // No text can start a workflow command of its own on a new line.
        let hostile = annotation("error", None, None, None, "t", "x\n::set-env name=A::1");
        assert_eq!(hostile.lines().count(), 1);
    }

    #[test]
    fn xml_text_is_escaped_and_valid() {
        assert_eq!(xml("<a href=\"x\">&'\u{1}"), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;\\u{1}");
    }
}
