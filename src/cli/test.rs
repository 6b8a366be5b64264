//! `roster test`: replay the cases of a folder and compare their plans with the approved ones.

use super::suite::{self, Blessed, Verdict};
use super::{Error, Exit};
use crate::render::{self, Names};
use std::fmt::Write;
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
}

/// Runs the command.
pub fn run(args: Args) -> Result<Exit, Error> {
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
    let mut out = String::new();
    let (mut passed, mut failed, mut broken) = (0usize, 0usize, 0usize);
    for r in &results {
        let name = render::terminal_safe(&r.case.name);
        match &r.verdict {
            Verdict::Passed => {
                passed += 1;
                match r.blessed {
                    None => {
                        let _ = writeln!(out, "ok      {name}");
                    }
                    Some(b) => {
                        let what = match b {
                            Blessed::Created => "approved plan created",
                            Blessed::Updated => "approved plan changed",
                            Blessed::Refreshed => {
                                "approved plan rewritten (reasons or digests only)"
                            }
                        };
                        let _ = writeln!(out, "blessed {name}: {what}");
                    }
                }
            }
            Verdict::Failed(diff) => {
                failed += 1;
                let _ = writeln!(out, "FAILED  {name}: the plan differs from the approved one");
                out.push_str(&render::diff::table(diff, Names::none(), "        "));
            }
            Verdict::Missing => {
                failed += 1;
                let _ = writeln!(
                    out,
                    "FAILED  {name}: no expected.json; review the plan, then approve it with `roster test {} --bless --filter {}`",
                    render::terminal_safe(&shell_word(&args.dir.to_string_lossy())),
                    render::terminal_safe(&shell_word(&r.case.name))
                );
            }
            Verdict::Error(d) => {
                broken += 1;
                let _ = writeln!(out, "FAILED  {name}: the case could not run");
                for line in d.to_string().lines() {
                    let _ = writeln!(out, "        {line}");
                }
            }
        }
    }
    let _ = writeln!(out, "{passed} passed, {} failed", failed + broken);
    super::print_fitted(&out)?;
    Ok(if broken > 0 {
        Exit::BadInput
    } else if failed > 0 {
        Exit::FailOn
    } else {
        Exit::Ok
    })
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
