//! Flags shared by the commands that produce a plan.

use super::output::Output;
use super::{Error, Exit};
use crate::plan::Plan;
use crate::policy::{self, Policy};
use crate::render::{self, Format, Names};
use crate::snapshot::{self, Store};
use crate::time::{parse_time, Time, TIME_HINT};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

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

/// `--policy`, `--snapshot`, `--as-of`, `--format`, `--out`, `--fail-on`.
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// The policy file (TOML).
    #[arg(long, value_name = "FILE")]
    pub policy: PathBuf,
    /// The snapshot: a folder with users.csv (teams.csv, records.csv, snapshot.toml optional) or a .json file.
    #[arg(long, value_name = "PATH")]
    pub snapshot: PathBuf,
    /// Evaluate at this instant (RFC 3339 or YYYY-MM-DD) instead of the snapshot's taken_at (or, without one, now).
    #[arg(long, value_name = "TIME", value_parser = parse_as_of)]
    pub as_of: Option<Time>,
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

/// `--as-of`: RFC 3339 or a date, for every command that takes it.
pub(crate) fn parse_as_of(text: &str) -> Result<Time, String> {
    parse_time(text).ok_or_else(|| format!("`{text}` is not a time ({TIME_HINT})"))
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

impl RunArgs {
    /// Opens the output (failing early if unwritable), then loads policy and snapshot.
    pub fn load(&self) -> Result<(Output, Loaded), Error> {
        crate::timing::start();
        let output = Output::open(self.out.as_deref())?;
        let policy = policy::load(&self.policy)?;
        let store = snapshot::load(&self.snapshot, &policy)?;
        crate::timing::phase("load");
        let as_of = self.as_of.or(store.taken_at).unwrap_or_else(chrono::Utc::now);
        Ok((output, Loaded { policy, store, as_of }))
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
        crate::timing::phase("plan");
        crate::progress::step("writing the plan");
        let text = render::render(plan, format, Names::from_store(store), title);
        crate::timing::phase("render");
        output.finish(&text)?;
        if let Some(note) = render::note(plan, format, Names::from_store(store)) {
            let _ = std::io::stderr().lock().write_all(note.as_bytes());
        }
        crate::timing::phase("write");
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
