//! The command line: argument parsing, one module per subcommand, exit codes.
//!
//! Commands return an [`Exit`]; only this module prints errors.

/// The "Exit status" part of the help of the commands that write a plan (plan, offboard,
/// reactivate), which the manual pages make their EXIT STATUS section.
macro_rules! run_exit_status {
    () => {
        "Exit status:\n  \
         0  the plan was written\n  \
         1  bad input: the policy, the snapshot or an argument's file\n  \
         2  usage: a missing or conflicting argument\n  \
         3  a --fail-on condition held (the plan is written)\n  \
         4  the plan is held by [safety] (it is written; --accept-held exits 0)"
    };
}

mod args;
mod check;
mod completions;
mod diff;
mod explain;
pub(crate) mod generate;
mod man;
mod offboard;
mod output;
mod plan;
mod progress;
mod pull;
mod reactivate;
pub mod replace;
mod results;
mod schema;
mod suite;
mod summary;
mod tenants;
mod test;

use crate::diag::Diagnostics;
use clap::{CommandFactory, Parser, Subcommand};
use std::io::Write;
use std::process::ExitCode;

/// roster: plans, explains and checks the user lifecycle of a business application.
#[derive(Debug, Parser)]
#[command(
    name = "roster",
    version,
    about,
    long_about = None,
    propagate_version = true,
    after_help = "Examples:\n  \
roster check --policy policies/default.toml --snapshot examples/acme\n  \
roster plan --policy policies/default.toml --snapshot examples/acme\n  \
roster explain --policy policies/default.toml --snapshot examples/acme \\\n      \
--user u013\n  \
roster offboard --policy policies/default.toml --snapshot examples/acme \\\n      \
--actor u002 --user u013\n  \
roster test policies/tests\n\n\
Exit status:\n  \
0  the command ran (a plan, a check, passing cases)\n  \
1  bad input: a policy, a snapshot, a sheet or a case that cannot be read\n  \
2  usage: a missing or conflicting argument\n  \
3  a --fail-on condition held, a test case failed, or a diff differs\n  \
4  the plan is held by [safety] (it is written; --accept-held exits 0)"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate a policy, and a snapshot against it; print a summary.
    Check(check::Args),
    /// Plan the nightly lifecycle actions for a snapshot.
    Plan(plan::Args),
    /// Plan (dry-run) the offboarding of one or many users.
    Offboard(offboard::Args),
    /// Plan (dry-run) the reactivation of deactivated users.
    Reactivate(reactivate::Args),
    /// Replay policy test cases and compare their plans with the approved ones.
    Test(test::Args),
    /// Show what differs between two plans, or between two policies on one snapshot.
    Diff(diff::Args),
    /// Explain why the plan treats one user as it does.
    Explain(explain::Args),
    /// Write a synthetic snapshot for benchmarks.
    Generate(generate::Args),
    /// Print the JSON Schema of the policy file, for editor completion and validation.
    Schema(schema::Args),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(completions::Args),
    /// Print the manual page, or write one page per command with --out.
    Man(man::Args),
    /// Read the users and groups of a live SCIM server into a snapshot folder (GET only).
    Pull(pull::Args),
    /// Merge the summaries of several `plan --tenants` runs (the shards of one job).
    Summary(summary::Args),
}

/// The argument parser as a clap command, for completions and manual pages.
pub fn command() -> clap::Command {
    Cli::command()
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: ran.
    Ok,
    /// 1: bad input or policy.
    BadInput,
    /// 2: usage error.
    Usage,
    /// 3: a `--fail-on` condition held.
    FailOn,
    /// 4: the plan is held by a `[safety]` limit (and `--accept-held` was not given).
    Held,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::BadInput => 1,
            Exit::Usage => 2,
            Exit::FailOn => 3,
            Exit::Held => 4,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(e.code())
    }
}

/// A failure of a command, rendered on stderr by [`main`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input files.
    #[error("{0}")]
    Input(#[from] Diagnostics),
    /// A bad argument combination found after parsing.
    #[error("error: {0}")]
    Usage(String),
    /// Writing the output failed.
    #[error("error: {0}")]
    Output(String),
    /// A server could not be read (`roster pull`).
    #[error("error: {0}")]
    Remote(String),
}

pub use replace::Allocator;

/// Parses arguments, runs the command and returns the exit code.
pub fn main() -> ExitCode {
    replace::tune_allocator();
    replace::on_signals();
    // Help fits the same width as every other text for people (clap's own default for a
    // pipe is 100 columns).
    let parsed = Cli::command()
        .term_width(crate::render::wrap::width())
        .try_get_matches()
        .and_then(|m| <Cli as clap::FromArgMatches>::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => Exit::Usage.into(),
            };
        }
    };
    let result = match cli.command {
        Command::Check(args) => check::run(args),
        Command::Plan(args) => plan::run(args),
        Command::Offboard(args) => offboard::run(args),
        Command::Reactivate(args) => reactivate::run(args),
        Command::Test(args) => test::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Generate(args) => generate::run(args),
        Command::Schema(args) => schema::run(args),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
        Command::Summary(args) => summary::run(args),
        Command::Pull(args) => pull::run(args),
    };
    match result {
        Ok(exit) => exit.into(),
        Err(e) => {
            progress::end();
            eprint_fitted(&e.to_string());
            match e {
                Error::Usage(_) => Exit::Usage.into(),
                _ => Exit::BadInput.into(),
            }
        }
    }
}

/// Leaves a command's plan and loaded inputs to the end of the process instead of freeing
/// them: `main` returns right after the plan is written, and the operating system takes
/// the memory back at once, where dropping them freed a big plan's few hundred thousand
/// entries one by one (a tenth of a second of a million users' run that nobody waits for).
fn leave_to_exit<T>(value: T) {
    std::mem::forget(value);
}

/// Prints text for people, fitted to the terminal's width ([`crate::render::wrap`]).
pub(crate) fn print_fitted(text: &str) -> Result<(), Error> {
    print(&crate::render::wrap::fit(text, crate::render::wrap::width()))
}

/// Writes a line (or lines) for people to stderr, made visible and fitted to the width
/// of the terminal on stderr.
pub(crate) fn eprint_fitted(text: &str) {
    let text = crate::diag::for_terminal(text);
    let fitted = crate::render::wrap::fit(&text, crate::render::wrap::stderr_width());
    let _ = writeln!(std::io::stderr().lock(), "{fitted}");
}

/// Writes a command's text to stdout, through [`crate::diag::for_terminal`]; a closed
/// pipe (`roster plan | head`) ends quietly.
pub(crate) fn print(text: &str) -> Result<(), Error> {
    progress::end();
    let text = crate::diag::for_terminal(text);
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::Output(format!("cannot write to stdout: {e}"))),
    }
}
