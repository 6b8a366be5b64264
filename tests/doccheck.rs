//! Docs that cannot go stale: every shell block of README.md, docs/*.md and
//! examples/ci/README.md, and every `run:` step of the workflow examples/ci/roster.yml,
//! runs here.
//!
//! - A ```` ```sh ```` block is a list of commands (`\` continues a line, `#` starts a
//!   comment); each must exit 0.
//! - A ```` ```console ```` block shows commands after `$ ` with their output below them
//!   (stdout and stderr, as a pipe gets them: fitted to 80 columns). The output must match
//!   line for line, except that a line `...` stands for any number of lines, digests are
//!   compared as `[sha256]`, and a last line `[exit N]` gives the exit code (else 0).
//!
//! `roster` is the binary under test; `cargo run [--release] -- ARGS` runs it with ARGS.
//! `cargo test`, `cargo install` and `taplo` lines are not run here (`cargo test` is this
//! run, `.ci/run` installs and runs taplo). Commands run in a scratch folder holding copies
//! of `policies/` and `examples/`, a `policy.toml` and a `main.toml` (the default policy),
//! an `export/` (the Acme snapshot), `old-plan.json`/`new-plan.json` (two approved plans)
//! and `base/policies/` (the base branch of a pull request), with HOME in that folder, so
//! `~/...` paths work on a fresh HOME, and GITHUB_STEP_SUMMARY naming a file there.
//!
//! `DOCS_BLESS=1 cargo test doccheck` rewrites the output of console blocks that have no
//! `...` line with what the commands print now; review the diff like code.

use crate::support::{copy_dir, root};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The `run:` steps of a GitHub Actions workflow, as one sh block each (a line with a
/// `${{ }}` expression is for GitHub only and is left out).
fn workflow_blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let indent = line.len() - line.trim_start().len();
        let trimmed = line.trim_start().trim_start_matches("- ");
        i += 1;
        let Some(run) = trimmed.strip_prefix("run:") else { continue };
        let run = run.trim();
        let mut body = Vec::new();
        if run == "|" {
            while i < lines.len()
                && (lines[i].trim().is_empty()
                    || lines[i].len() - lines[i].trim_start().len() > indent)
            {
                body.push(lines[i].trim().to_owned());
                i += 1;
            }
        } else {
            body.push(run.to_owned());
        }
        body.retain(|l| !l.contains("${{"));
        // A step is one script: its lines run together, as the runner runs them.
        let script = body.join("\n").replace("\\\n", " ");
        out.push(Block { kind: Kind::Script, first: i, lines: vec![script] });
    }
    out
}

/// The files whose shell blocks run.
fn documents() -> Vec<PathBuf> {
    let mut files = vec![
        root().join("README.md"),
        root().join("examples/ci/README.md"),
        root().join("examples/ci/roster.yml"),
    ];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Sh,
    Console,
    /// A workflow step: one script.
    Script,
}

/// A fenced block: its kind, the line of its first content line, its lines.
struct Block {
    kind: Kind,
    first: usize,
    lines: Vec<String>,
}

fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<(Option<Kind>, usize, Vec<String>)> = None;
    for (i, line) in text.lines().enumerate() {
        match &mut open {
            None => {
                if let Some(info) = line.strip_prefix("```") {
                    let kind = match info.trim() {
                        "sh" | "bash" | "shell" => Some(Kind::Sh),
                        "console" => Some(Kind::Console),
                        _ => None,
                    };
                    open = Some((kind, i + 2, Vec::new()));
                }
            }
            Some((kind, first, lines)) => {
                if line.starts_with("```") {
                    if let Some(kind) = kind {
                        out.push(Block {
                            kind: *kind,
                            first: *first,
                            lines: std::mem::take(lines),
                        });
                    }
                    open = None;
                } else {
                    lines.push(line.to_owned());
                }
            }
        }
    }
    out
}

/// One command of a block, with what it must print (console blocks) and exit with.
struct Step {
    line: usize,
    command: String,
    expected: Option<Vec<String>>,
    /// Where the expected output sits in the block's lines (for DOCS_BLESS).
    output_lines: std::ops::Range<usize>,
    exit: i32,
}

/// A line without its trailing `# comment` (a `#` after a space, outside quotes).
fn without_comment(line: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '\'' | '"') => quote = Some(c),
            (None, '#') if prev.is_whitespace() => return line[..i].trim_end(),
            _ => {}
        }
        prev = c;
    }
    line.trim_end()
}

fn steps(block: &Block) -> Vec<Step> {
    let mut out: Vec<Step> = Vec::new();
    let mut i = 0;
    let lines = &block.lines;
    while i < lines.len() {
        let raw = &lines[i];
        let start = i;
        let text = match block.kind {
            Kind::Script => raw.clone(),
            Kind::Sh => without_comment(raw).trim().to_owned(),
            Kind::Console => match raw.strip_prefix("$ ") {
                Some(c) => c.to_owned(),
                None => {
                    i += 1;
                    continue;
                }
            },
        };
        i += 1;
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let mut command = text;
        while block.kind != Kind::Script && command.ends_with('\\') && i < lines.len() {
            command.pop();
            command.push(' ');
            command.push_str(without_comment(&lines[i]).trim());
            i += 1;
        }
        let (expected, output_lines, exit) = if block.kind == Kind::Console {
            let from = i;
            while i < lines.len() && !lines[i].starts_with("$ ") {
                i += 1;
            }
            let mut expected: Vec<String> = lines[from..i].to_vec();
            let mut exit = 0;
            if let Some(code) = expected
                .last()
                .and_then(|l| l.strip_prefix("[exit "))
                .and_then(|l| l.strip_suffix(']'))
            {
                exit = code.parse().unwrap();
                expected.pop();
            }
            let end = from + expected.len();
            (Some(expected), from..end, exit)
        } else {
            (None, 0..0, 0)
        };
        out.push(Step { line: block.first + start, command, expected, output_lines, exit });
    }
    out
}

/// The command to run for a documented one, or `None` for the ones not run here.
fn runnable(command: &str) -> Option<String> {
    if let Some(rest) = command.strip_prefix("cargo run") {
        let args = rest.split_once(" -- ").map_or("", |(_, a)| a);
        return Some(format!("roster {args}"));
    }
    let skipped = ["cargo test", "cargo install", "taplo "];
    if skipped.iter().any(|s| command.starts_with(s)) {
        return None;
    }
    Some(command.to_owned())
}

/// A fresh scratch folder, as described at the top.
fn scratch() -> PathBuf {
    let dir = crate::support::temp_dir("doccheck");
    let dir = dir.canonicalize().unwrap();
    copy_dir(&root().join("policies"), &dir.join("policies"));
    copy_dir(&root().join("examples"), &dir.join("examples"));
    copy_dir(&root().join("examples/acme"), &dir.join("export"));
    for name in ["policy.toml", "main.toml"] {
        std::fs::copy(root().join("policies/default.toml"), dir.join(name)).unwrap();
    }
    let approved =
        |case: &str| root().join("policies/tests/default").join(case).join("expected.json");
    std::fs::copy(approved("plan-acme"), dir.join("old-plan.json")).unwrap();
    std::fs::copy(approved("plan-acme-a-month-later"), dir.join("new-plan.json")).unwrap();
    copy_dir(&root().join("policies"), &dir.join("base/policies"));
    std::fs::create_dir_all(dir.join("home")).unwrap();
    dir
}

/// `text` with digests and the scratch folder's path made stable.
fn normalise(text: &str, dir: &Path) -> String {
    let text = text.replace(&dir.to_string_lossy().into_owned(), ".");
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let run = chars[i..]
            .iter()
            .take_while(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
            .count();
        let boundary = i == 0 || !chars[i - 1].is_ascii_alphanumeric();
        if boundary && run == 64 {
            out.push_str("[sha256]");
            i += run;
        } else if boundary && run == 12 && out.ends_with("sha256 ") {
            out.push_str("[sha]");
            i += run;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// Whether `actual` matches `expected`, where a `...` line stands for any lines.
fn matches(expected: &[String], actual: &[String]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((e, rest)) if e == "..." => (0..=actual.len()).any(|k| matches(rest, &actual[k..])),
        Some((e, rest)) => {
            actual.split_first().is_some_and(|(a, more)| a == e && matches(rest, more))
        }
    }
}

fn run(command: &str, dir: &Path) -> (i32, String) {
    let bin = Path::new(env!("CARGO_BIN_EXE_roster")).parent().unwrap().to_path_buf();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let out = Command::new("bash")
        .args(["-e", "-o", "pipefail", "-c", &format!("{{\n{command}\n}} 2>&1")])
        .current_dir(dir)
        .env("PATH", path)
        .env("HOME", dir.join("home"))
        .env_remove("COLUMNS")
        .env("GITHUB_STEP_SUMMARY", dir.join("summary.md"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn every_documented_command_runs_and_prints_what_the_docs_show() {
    let bless = std::env::var_os("DOCS_BLESS").is_some();
    let mut failures = Vec::new();
    let mut ran = 0;
    for doc in documents() {
        let Ok(text) = std::fs::read_to_string(&doc) else { continue };
        let name = doc.strip_prefix(root()).unwrap().display().to_string();
        let mut rewritten: Vec<String> = text.lines().map(str::to_owned).collect();
        let mut shift: isize = 0;
        let all = if name.ends_with(".yml") { workflow_blocks(&text) } else { blocks(&text) };
        for block in all {
            // One scratch folder a block: the commands of a block may build on each other.
            let dir = scratch();
            for step in steps(&block) {
                let Some(command) = runnable(&step.command) else { continue };
                ran += 1;
                let (code, output) = run(&command, &dir);
                let actual: Vec<String> =
                    normalise(&output, &dir).lines().map(|l| l.trim_end().to_owned()).collect();
                let place = format!("{name}:{}: {}", step.line, step.command);
                if code != step.exit {
                    failures.push(format!(
                        "{place}\n  exit {code}, the docs say {}\n{output}",
                        step.exit
                    ));
                    continue;
                }
                let Some(expected) = &step.expected else { continue };
                let expected: Vec<String> =
                    expected.iter().map(|l| normalise(l, &dir).trim_end().to_owned()).collect();
                if matches(&expected, &actual) {
                    continue;
                }
                if bless && !expected.iter().any(|l| l == "...") {
                    let start = (block.first - 1 + step.output_lines.start) as isize + shift;
                    let len = step.output_lines.len();
                    // The real digests are written; they are compared as `[sha256]`.
                    let now: Vec<String> = output
                        .replace(&dir.to_string_lossy().into_owned(), ".")
                        .lines()
                        .map(|l| l.trim_end().to_owned())
                        .collect();
                    let start = start as usize;
                    rewritten.splice(start..start + len, now.iter().cloned());
                    shift += now.len() as isize - len as isize;
                    continue;
                }
                let first = expected
                    .iter()
                    .zip(&actual)
                    .position(|(e, a)| e != a)
                    .unwrap_or(expected.len().min(actual.len()));
                failures.push(format!(
                    "{place}\n  differs from line {} of the output:\n  docs:   {:?}\n  actual: {:?}\n--- whole output\n{}",
                    first + 1,
                    expected.get(first),
                    actual.get(first),
                    actual.join("\n")
                ));
            }
        }
        if bless {
            let mut new = rewritten.join("\n");
            new.push('\n');
            if new != text {
                std::fs::write(&doc, new).unwrap();
            }
        }
    }
    assert!(ran >= 20, "only {ran} documented commands found");
    assert!(
        failures.is_empty(),
        "{} documented commands differ:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// The ```` ```toml ```` blocks of the docs: each is a policy, or a fragment of one that
/// the shipped roles complete, and must pass `roster check --policy`. A block whose first
/// line names a file of the repository (`# policies/tests/x/case.toml`) must mean what that
/// file holds; one that starts with `# not a policy` is only parsed as TOML.
#[test]
fn every_documented_policy_fragment_is_a_valid_policy() {
    let header = "\n[roles]\norder = [\"admin\", \"manager\", \"rep\", \"contractor\"]\n";
    let dir = crate::support::temp_dir("doccheck-toml");
    let mut checked = 0;
    let mut failures = Vec::new();
    for doc in documents().into_iter().filter(|d| d.extension().is_some_and(|e| e == "md")) {
        let Ok(text) = std::fs::read_to_string(&doc) else { continue };
        let name = doc.strip_prefix(root()).unwrap().display().to_string();
        let mut in_toml: Option<(usize, Vec<&str>)> = None;
        for (i, line) in text.lines().enumerate() {
            match &mut in_toml {
                None if line.trim() == "```toml" => in_toml = Some((i + 2, Vec::new())),
                None => {}
                Some((first, lines)) if line.starts_with("```") => {
                    let body = lines.join("\n");
                    let first = *first;
                    in_toml = None;
                    if let Err(e) = body.parse::<toml::Table>() {
                        failures.push(format!("{name}:{first}: not TOML: {e}"));
                        continue;
                    }
                    // `# path/to/file.toml` on the first line: the block shows that file, and
                    // must mean what it holds.
                    let named =
                        body.lines().next().and_then(|l| l.strip_prefix("# ")).map(str::trim);
                    if let Some(file) =
                        named.filter(|f| f.ends_with(".toml") && root().join(f).is_file())
                    {
                        let shown: toml::Table = body.parse().unwrap();
                        let real: toml::Table =
                            std::fs::read_to_string(root().join(file)).unwrap().parse().unwrap();
                        if shown != real {
                            failures.push(format!("{name}:{first}: does not match {file}"));
                        }
                        continue;
                    }
                    if body.trim_start().starts_with("# not a policy") {
                        continue;
                    }
                    let mut policy = String::new();
                    if !body.lines().any(|l| l.trim_start().starts_with("name =")) {
                        policy.push_str("name = \"docs\"\n");
                    }
                    policy.push_str(&body);
                    if !body.contains("[roles]") {
                        policy.push_str(header);
                    }
                    let file = dir.join(format!("block-{checked}.toml"));
                    std::fs::write(&file, policy).unwrap();
                    let out = crate::support::roster(["check", "--policy", file.to_str().unwrap()]);
                    checked += 1;
                    if out.status.code() != Some(0) {
                        failures.push(format!(
                            "{name}:{first}: not a valid policy fragment:\n{}",
                            String::from_utf8_lossy(&out.stderr)
                        ));
                    }
                }
                Some((_, lines)) => lines.push(line),
            }
        }
    }
    assert!(checked >= 5, "only {checked} TOML blocks found");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_matcher_understands_elision_and_digests() {
    let lines = |t: &str| t.lines().map(str::to_owned).collect::<Vec<_>>();
    assert!(matches(&lines("a\n...\nd"), &lines("a\nb\nc\nd")));
    assert!(matches(&lines("a\n...\nd"), &lines("a\nd")));
    assert!(!matches(&lines("a\n...\nd"), &lines("a\nb")));
    let d = "d73b19129afa07883d8ee8452e61e488d28e0d033c354540c30b9ad2d66a5a79";
    assert_eq!(
        normalise(&format!("x {d} (sha256 d73b19129afa)"), Path::new("/x")),
        "x [sha256] (sha256 [sha])"
    );
    assert_eq!(without_comment("roster test x   # run \"#\" it"), "roster test x");
}
