//! `roster test`: replay the cases of a folder and compare their plans with the approved ones.

use super::output::Output;
use super::results::{self, TestFormat};
use super::suite;
use super::{Error, Exit};
use std::path::PathBuf;

/// Replay policy test cases: every sub-folder with a case.toml (policy, snapshot, command,
/// as_of) is planned and compared, by meaning, with its approved expected.json.
#[derive(Debug, clap::Args)]
#[command(after_help = "A case.toml names paths relative to its folder:\n\n  \
policy = \"../../default.toml\"\n  snapshot = \"../../../examples/acme\"\n  command = \"offboard\"   # plan (default), offboard or reactivate\n  \
as_of = \"2026-11-22T06:00:00Z\"\n  actor = \"u002\"\n  users = [\"u013\"]\n\n\
Other keys: requests, channel, reassign_to, reports_to, allow_reactivation,\n\
previous. Every path must stay inside the current folder (or --root), once `..`\n\
and links are resolved.\n\n\
Examples:\n  \
roster test policies/tests\n  \
roster test policies/tests --format junit --out results.xml\n  \
roster test policies/tests --filter plan-acme --bless\n\n\
Exit status:\n  \
0  every case passed\n  \
1  a case could not run (bad input), or no case was found (see --allow-empty)\n  \
3  a case's plan differs from the approved one, or it has none")]
pub struct Args {
    /// The folder holding the cases (searched at any depth).
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// Write the current plans as the approved ones (expected.json), and say which changed.
    #[arg(long)]
    bless: bool,
    /// Only run the cases whose name contains this text.
    #[arg(long, value_name = "PATTERN")]
    filter: Option<String>,
    /// Pass when no case is found (by default that is an error: a mistyped folder or
    /// --filter would otherwise pass in CI).
    #[arg(long)]
    allow_empty: bool,
    /// The folder the cases may read from (their policies, snapshots and sheets) [default:
    /// the current folder]. A case path that leads outside it is an error.
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// How to report: text for people, or JSON, JUnit XML, TAP or GitHub annotations for
    /// CI. When GITHUB_STEP_SUMMARY is set, a Markdown summary is appended to that file too.
    #[arg(long, value_enum, default_value = "text")]
    format: TestFormat,
    /// Write the report to this file instead of stdout (written whole, or not at all).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// Runs the command.
pub fn run(args: Args) -> Result<Exit, Error> {
    // An unwritable --out fails before any case runs.
    let output = Output::open(args.out.as_deref(), &[])?;
    let suite = suite::Suite::new(&args.dir, args.root.as_deref())?;
    let results = suite::run(&suite, args.filter.as_deref(), args.bless)?;
    if results.is_empty() && !args.allow_empty {
        let what = match &args.filter {
            Some(f) => format!("no case under this folder has a name containing `{f}`"),
            None => "no case found: no sub-folder holds a case.toml".to_owned(),
        };
        let d = crate::diag::Diagnostic::file(&args.dir, what)
            .help("check the folder and --filter, or pass --allow-empty");
        return Err(crate::diag::Diagnostics::from(d).into());
    }
    let text = results::render(args.format, &args.dir, &results);
    match args.format {
        // Text for people is fitted to the terminal; the formats for machines are not.
        TestFormat::Text if !output.is_file() => super::print_fitted(&text)?,
        // Annotations stay one line each; the text after them is fitted.
        TestFormat::Github if !output.is_file() => {
            super::print(&results::annotations(&results))?;
            super::print_fitted(&results::text(&args.dir, &results))?;
        }
        _ => output.finish(&text)?,
    }
    results::append_step_summary(&results::summary(&args.dir, &results))?;
    let counts = results::Counts::of(&results);
    Ok(if counts.broken > 0 {
        Exit::BadInput
    } else if counts.failed > 0 {
        Exit::FailOn
    } else {
        Exit::Ok
    })
}
