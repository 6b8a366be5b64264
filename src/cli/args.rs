//! The flags every command that reads a policy and a snapshot shares, declared once, and
//! the input files the command line reads for the library (policy, snapshot, requests
//! sheet): the library itself only parses.

use super::output::Output;
use super::progress;
use super::{Error, Exit};
use crate::diag::{Diagnostic, Diagnostics};
use crate::offboard::requests::{self, Sheet};
use crate::plan::Plan;
use crate::policy::{self, Policy};
use crate::render::{self, Format, Names};
use crate::snapshot::{self, Store};
use crate::time::{parse_time, Time, TIME_HINT};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// What `--snapshot` names, for every command's help.
pub const SNAPSHOT_HELP: &str = "The snapshot: a folder with users.csv (teams.csv, records.csv, \
     snapshot.toml optional) or a .json file (roster or SCIM)";

/// `--as-of`.
#[derive(Debug, Clone, clap::Args)]
pub struct AsOf {
    /// Evaluate at this instant (RFC 3339 or YYYY-MM-DD) instead of the snapshot's taken_at
    /// (or, without one, now).
    #[arg(long = "as-of", value_name = "TIME", value_parser = parse_as_of)]
    pub time: Option<Time>,
}

impl AsOf {
    /// The evaluation instant: `--as-of`, else the snapshot's `taken_at`, else now. The one
    /// place a run may read the clock.
    pub fn resolve(&self, store: &Store) -> Time {
        self.time.or(store.taken_at).unwrap_or_else(chrono::Utc::now)
    }
}

/// `--as-of`: RFC 3339 or a date.
fn parse_as_of(text: &str) -> Result<Time, String> {
    parse_time(text).ok_or_else(|| format!("`{text}` is not a time ({TIME_HINT})"))
}

/// `--policy`, `--snapshot`, `--as-of`.
#[derive(Debug, Clone, clap::Args)]
pub struct Inputs {
    /// The policy file (TOML).
    #[arg(long, value_name = "FILE")]
    pub policy: PathBuf,
    #[arg(long, value_name = "PATH", help = SNAPSHOT_HELP)]
    pub snapshot: PathBuf,
    #[command(flatten)]
    pub as_of: AsOf,
}

/// Everything loaded for a run.
pub struct Loaded {
    /// The policy.
    pub policy: Policy,
    /// The snapshot.
    pub store: Store,
    /// The evaluation instant.
    pub as_of: Time,
}

impl Inputs {
    /// Loads the policy and the snapshot, and picks `as_of`.
    pub fn load(&self) -> Result<Loaded, Error> {
        let policy = policy::load(&self.policy)?;
        let store = load_snapshot(&self.snapshot, &policy)?;
        let as_of = self.as_of.resolve(&store);
        Ok(Loaded { policy, store, as_of })
    }
}

/// Loads a snapshot, with the progress line on a terminal.
pub fn load_snapshot(path: &Path, policy: &Policy) -> Result<Store, Diagnostics> {
    progress::begin(path);
    snapshot::load(path, policy.reading(), &progress::Terminal)
}

/// Reads and parses a bulk requests sheet.
pub fn load_requests(path: &Path) -> Result<Sheet, Diagnostics> {
    match crate::files::read(path)? {
        Some(bytes) => requests::parse(path, &bytes),
        None => {
            Err(Diagnostic::file(path, "cannot read the requests sheet: there is no such file")
                .help("pass the CSV sheet with --requests")
                .into())
        }
    }
}

/// What `--fail-on` can watch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Any `blocked` entry.
    Blocked,
    /// Any finding.
    Findings,
    /// Any action.
    Actions,
}

/// The inputs, and `--format`, `--out`, `--fail-on`: the flags of the commands that write
/// a plan.
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub inputs: Inputs,
    /// Output format [default: table on a terminal, json otherwise and with --out]. scim,
    /// sheet and mermaid carry part of the plan for other systems (docs/output-formats.md).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,
    /// Write the plan to this file, atomically (nothing is written if the run fails).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Exit with code 3 when the plan has any of these (repeatable, or comma-separated).
    #[arg(long, value_enum, value_name = "KIND", value_delimiter = ',')]
    pub fail_on: Vec<FailOn>,
}

impl RunArgs {
    /// Opens the output (failing early if unwritable, or if it is one of the inputs:
    /// policy, snapshot, and the command's `more` inputs), then loads policy and snapshot.
    pub fn load(&self, more: &[&Path]) -> Result<(Output, Loaded), Error> {
        progress::start();
        let mut inputs = vec![self.inputs.policy.as_path(), self.inputs.snapshot.as_path()];
        inputs.extend_from_slice(more);
        let output = Output::open(self.out.as_deref(), &inputs)?;
        let loaded = self.inputs.load()?;
        progress::phase("load");
        Ok((output, loaded))
    }

    /// Renders the plan, writes it and returns the exit code `--fail-on` calls for.
    pub fn finish(
        &self,
        output: Output,
        plan: &Plan,
        store: &Store,
        title: &str,
    ) -> Result<Exit, Error> {
        let format =
            self.format.unwrap_or(if output.is_file() || !std::io::stdout().is_terminal() {
                Format::Json
            } else {
                Format::Table
            });
        progress::phase("plan");
        progress::step("writing the plan");
        let names = Names::from_store(store);
        output.finish_with(|w| render::write(plan, format, names, title, w))?;
        progress::phase("render");
        if let Some(note) = render::note(plan, format, Names::from_store(store)) {
            let note = crate::diag::for_terminal(&note);
            let _ = std::io::stderr().lock().write_all(note.as_bytes());
        }
        progress::phase("write");
        Ok(fail_on(&self.fail_on, plan))
    }
}

/// Exit 3 when a watched list is not empty.
pub fn fail_on(kinds: &[FailOn], plan: &Plan) -> Exit {
    let held = kinds.iter().any(|k| match k {
        FailOn::Blocked => !plan.blocked.is_empty(),
        FailOn::Findings => !plan.findings.is_empty(),
        FailOn::Actions => !plan.actions.is_empty(),
    });
    if held {
        Exit::FailOn
    } else {
        Exit::Ok
    }
}
