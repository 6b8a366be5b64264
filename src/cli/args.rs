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
use crate::time::{parse_time, Time};
use std::io::IsTerminal;
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
    parse_time(text)
        .ok_or_else(|| format!("`{text}` is not a time ({})", crate::hints::time_hint(text, None)))
}

/// `--policy`, `--snapshot`, `--as-of`.
#[derive(Debug, Clone, clap::Args)]
pub struct Inputs {
    /// The policy file (TOML).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    #[arg(long, value_name = "PATH", help = SNAPSHOT_HELP)]
    pub snapshot: Option<PathBuf>,
    #[command(flatten)]
    pub as_of: AsOf,
    /// The people who should have access, from HR (CSV) or an identity provider (SCIM
    /// ListResponse): every account is reconciled with them as [directory] says.
    #[arg(long, value_name = "FILE")]
    pub directory: Option<PathBuf>,
}

/// Everything loaded for a run.
pub struct Loaded {
    /// The policy.
    pub policy: Policy,
    /// The snapshot.
    pub store: Store,
    /// The evaluation instant.
    pub as_of: Time,
    /// The directory, with `--directory`.
    pub directory: Option<std::sync::Arc<crate::directory::People>>,
}

impl Inputs {
    /// `--policy` (required by every command but `plan --tenants`).
    pub fn policy(&self) -> Result<&Path, Error> {
        required(self.policy.as_deref(), "--policy <FILE>")
    }

    /// `--snapshot`.
    pub fn snapshot(&self) -> Result<&Path, Error> {
        required(self.snapshot.as_deref(), "--snapshot <PATH>")
    }

    /// Loads the policy and the snapshot, and picks `as_of`.
    pub fn load(&self) -> Result<Loaded, Error> {
        let policy = policy::load(self.policy()?)?;
        let snapshot = self.snapshot()?;
        // The directory is read on a thread of its own while the snapshot loads.
        let (store, directory) = std::thread::scope(|scope| {
            let directory = self
                .directory
                .as_deref()
                .map(|path| scope.spawn(|| crate::directory::load(path, &policy.directory)));
            let store = load_snapshot(snapshot, &policy);
            let directory = directory.map(|d| {
                d.join().unwrap_or_else(|_| {
                    Err(Diagnostic::file(snapshot, "the directory could not be read").into())
                })
            });
            (store, directory)
        });
        let store = store?;
        let directory = match directory {
            Some(d) => Some(std::sync::Arc::new(d?)),
            None => None,
        };
        let as_of = self.as_of.resolve(&store);
        Ok(Loaded { policy, store, as_of, directory })
    }
}

/// A flag clap cannot require (another flag replaces it in one command): a usage error
/// worded as clap's own when it is missing.
pub fn required<'a>(value: Option<&'a Path>, flag: &str) -> Result<&'a Path, Error> {
    value.ok_or_else(|| {
        Error::Usage(format!(
            "the following required arguments were not provided:\n  {flag}\n\nFor more \
             information, try '--help'."
        ))
    })
}

/// Loads a snapshot, with the progress line on a terminal.
pub fn load_snapshot(path: &Path, policy: &Policy) -> Result<Store, Diagnostics> {
    progress::begin(path);
    let store = snapshot::load(path, policy.reading(), &progress::Terminal)?;
    for note in &store.notes {
        super::eprint_fitted(note);
    }
    Ok(store)
}

/// Reads and parses a bulk requests sheet.
pub fn load_requests(path: &Path) -> Result<Sheet, Diagnostics> {
    match crate::files::read(path)? {
        Some(bytes) => requests::parse(path, &bytes),
        None => {
            Err(Diagnostic::file(path, "cannot read the requests sheet: there is no such file")
                .help(format!(
                    "{}pass the CSV sheet with --requests",
                    crate::hints::did_you_mean_file(path)
                ))
                .into())
        }
    }
}

/// A list of the plan that `--fail-on` watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Watched {
    /// `blocked`: refusals.
    Blocked,
    /// `findings`.
    Findings,
    /// `actions`.
    Actions,
}

impl Watched {
    fn name(self) -> &'static str {
        match self {
            Watched::Blocked => "blocked",
            Watched::Findings => "findings",
            Watched::Actions => "actions",
        }
    }
}

/// One `--fail-on` condition: a whole list, or one code of it (`finding:seat_overage`,
/// `actions:deactivate`, `blocked:protected`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailOn {
    /// The list.
    pub list: Watched,
    /// Only entries with this code (finding code, action name, refusal code).
    pub code: Option<String>,
}

impl std::fmt::Display for FailOn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.code, self.list) {
            (None, list) => f.write_str(list.name()),
            (Some(code), Watched::Findings) => write!(f, "finding:{code}"),
            (Some(code), list) => write!(f, "{}:{code}", list.name()),
        }
    }
}

/// The words of `--fail-on`, for its help and errors.
const FAIL_ON_HELP: &str = "blocked, findings, actions, or one code of them: finding:CODE, \
     actions:ACTION, blocked:CODE";

/// Parses one `--fail-on` value; codes are checked against the ones roster emits.
fn parse_fail_on(text: &str) -> Result<FailOn, String> {
    let text = text.trim();
    let (list, code) = match text.split_once(':') {
        Some((l, c)) => (l, Some(c.trim())),
        None => (text, None),
    };
    let (list, known): (Watched, Vec<&str>) = match list {
        "blocked" => (Watched::Blocked, crate::plan::BLOCK_CODES.to_vec()),
        "finding" | "findings" => (Watched::Findings, crate::plan::FINDING_CODES.to_vec()),
        "action" | "actions" => {
            (Watched::Actions, crate::plan::ActionKind::ALL.iter().map(|k| k.as_str()).collect())
        }
        _ => return Err(format!("`{text}` is not a condition; use {FAIL_ON_HELP}")),
    };
    match code {
        None => Ok(FailOn { list, code: None }),
        Some(code) if known.contains(&code) => Ok(FailOn { list, code: Some(code.to_owned()) }),
        Some(code) => Err(unknown_code(code, &known, &format!("a code of {}", list.name()))),
    }
}

/// "`x` is not a code of findings; did you mean `y`? known: ..."
fn unknown_code(code: &str, known: &[&str], what: &str) -> String {
    let hint = crate::hints::closest(code, known.iter().copied())
        .map_or_else(String::new, |c| format!("did you mean `{c}`? "));
    format!("`{code}` is not {what}; {hint}known: {}", known.join(", "))
}

/// A finding code for `--ignore-finding`.
fn parse_finding_code(text: &str) -> Result<String, String> {
    let code = text.trim();
    if crate::plan::FINDING_CODES.contains(&code) {
        return Ok(code.to_owned());
    }
    Err(unknown_code(code, &crate::plan::FINDING_CODES, "a finding code"))
}

/// The inputs, and `--format`, `--out`, `--fail-on`: the flags of the commands that write
/// a plan.
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub inputs: Inputs,
    /// Output format of stdout or of a single --out [default: table on a terminal, json
    /// otherwise; with --out, the file's extension]. scim, sheet and mermaid carry part of
    /// the plan for other systems (docs/output-formats.md).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,
    /// Write the plan to this file, atomically (nothing is written if the run fails).
    /// Repeatable: each file's format follows its extension (.json .yaml .yml .csv .md
    /// .html .mmd).
    #[arg(long, value_name = "FILE")]
    pub out: Vec<PathBuf>,
    /// Exit with code 3 when the plan has any of these: blocked, findings, actions, or one
    /// code of them (finding:seat_overage, actions:deactivate, blocked:protected).
    /// Repeatable, or comma-separated.
    #[arg(long, value_name = "CONDITION", value_delimiter = ',', value_parser = parse_fail_on)]
    pub fail_on: Vec<FailOn>,
    /// A finding code that `--fail-on findings` does not count (it stays in the plan).
    /// Repeatable, or comma-separated.
    #[arg(long, value_name = "CODE", value_delimiter = ',', value_parser = parse_finding_code)]
    pub ignore_finding: Vec<String>,
    /// Exit as usual even when the plan goes over a [safety] limit (a held plan exits 4).
    #[arg(long)]
    pub accept_held: bool,
}

/// Where each output goes and in which format.
pub struct Outputs(Vec<(Output, Option<Format>)>);

/// The format a file's extension names.
pub(super) fn format_of_extension(path: &Path) -> Result<Option<Format>, String> {
    let Some(ext) = path.extension() else { return Ok(None) };
    let ext = ext.to_string_lossy().to_lowercase();
    Ok(Some(match ext.as_str() {
        "json" => Format::Json,
        "yaml" | "yml" => Format::Yaml,
        "csv" => Format::Csv,
        "md" | "markdown" => Format::Markdown,
        "html" | "htm" => Format::Html,
        "mmd" => Format::Mermaid,
        _ => {
            return Err(format!(
                "--out {}: roster does not know the extension `.{ext}`; use .json, .yaml, \
                 .yml, .csv, .md, .html or .mmd (or --format with a single --out)",
                path.display()
            ))
        }
    }))
}

impl RunArgs {
    /// Opens the outputs (failing early if one is unwritable, named twice, or one of the
    /// inputs: policy, snapshot, and the command's `more` inputs), then loads policy and
    /// snapshot.
    pub fn load(&self, more: &[&Path]) -> Result<(Outputs, Loaded), Error> {
        progress::start();
        let outputs = self.open(more)?;
        let loaded = self.inputs.load()?;
        progress::phase("load");
        Ok((outputs, loaded))
    }

    fn open(&self, more: &[&Path]) -> Result<Outputs, Error> {
        let mut inputs = vec![self.inputs.policy()?, self.inputs.snapshot()?];
        inputs.extend(self.inputs.directory.as_deref());
        inputs.extend_from_slice(more);
        let several = self.out.len() > 1;
        if several && self.format.is_some() {
            return Err(Error::Usage(
                "--format applies to stdout or to a single --out; with several --out, each \
                 file's extension names its format"
                    .to_owned(),
            ));
        }
        for (i, a) in self.out.iter().enumerate() {
            if self.out[..i].iter().any(|b| b == a || super::output::same_file(a, b)) {
                return Err(Error::Usage(format!("--out {} is named twice", a.display())));
            }
        }
        for path in &self.out {
            super::output::refuse_input(path, &inputs)?;
        }
        // Formats before any file is opened: a bad extension is a usage error. A single
        // --out that exists and is not a regular file (a device, a FIFO) has no format in
        // its name: JSON, unless --format says otherwise.
        let mut formats = Vec::new();
        for path in &self.out {
            let special =
                !several && std::fs::symlink_metadata(path).is_ok_and(|m| !m.file_type().is_file());
            let format = match self.format {
                Some(f) => Some(f),
                None if special => None,
                None => format_of_extension(path).map_err(Error::Usage)?,
            };
            if several && format.is_none() {
                return Err(Error::Usage(format!(
                    "--out {} has no extension; with several --out, each file's extension \
                     names its format (.json .yaml .yml .csv .md .html .mmd)",
                    path.display()
                )));
            }
            formats.push(format);
        }
        if self.out.is_empty() {
            return Ok(Outputs(vec![(Output::Stdout, self.format)]));
        }
        let mut outputs = Vec::new();
        for (path, format) in self.out.iter().zip(formats) {
            outputs.push((Output::open(Some(path), &inputs)?, format));
        }
        Ok(Outputs(outputs))
    }

    /// Renders the plan into every output and returns the exit code `--fail-on` (3) or a
    /// held plan (4) calls for, saying on stderr which condition held.
    pub fn finish(
        &self,
        outputs: Outputs,
        plan: &Plan,
        store: &Store,
        title: &str,
    ) -> Result<Exit, Error> {
        progress::phase("plan");
        progress::step("writing the plan");
        let names = Names::from_store(store);
        for (output, format) in outputs.0 {
            // No extension (a device, a FIFO, `plan`): JSON, as for any file.
            let format =
                format.unwrap_or(if output.is_file() || !std::io::stdout().is_terminal() {
                    Format::Json
                } else {
                    Format::Table
                });
            output.finish_with(|w| render::write(plan, format, names, title, w))?;
            if let Some(note) = render::note(plan, format, names) {
                super::eprint_fitted(note.trim_end_matches('\n'));
            }
        }
        progress::phase("render");
        progress::phase("write");
        let (mut exit, line) = fail_on(&self.fail_on, &self.ignore_finding, plan);
        let held = !plan.held.is_empty() && !self.accept_held;
        let mut lines: Vec<String> = line
            .into_iter()
            .map(|l| if held { l.replace("roster: exit 3: ", "roster: ") } else { l })
            .collect();
        if !plan.held.is_empty() {
            let over: Vec<String> = plan
                .held
                .iter()
                .map(|(key, h)| {
                    format!("{key} {} allows {}, the plan has {}", h.limit, h.allowed, h.count)
                })
                .collect();
            if self.accept_held {
                lines.push(format!(
                    "roster: the plan is over [safety] ({}); accepted with --accept-held",
                    over.join("; ")
                ));
            } else {
                exit = Exit::Held;
                lines.push(format!(
                    "roster: exit 4: the plan is held by [safety]: {}; it is written: review it, then rerun with --accept-held",
                    over.join("; ")
                ));
            }
        }
        for line in lines {
            super::eprint_fitted(&line);
        }
        Ok(exit)
    }
}

/// Exit 3 when a watched condition holds (findings with an ignored code do not count), with
/// the line that says which held and how many entries each has.
pub fn fail_on(conditions: &[FailOn], ignored: &[String], plan: &Plan) -> (Exit, Option<String>) {
    let count = |c: &FailOn| -> usize {
        let code = c.code.as_deref();
        match c.list {
            Watched::Blocked => {
                plan.blocked.iter().filter(|b| code.is_none_or(|k| b.code == k)).count()
            }
            Watched::Findings => plan
                .findings
                .iter()
                .filter(|f| match code {
                    Some(k) => f.code == k,
                    None => !ignored.iter().any(|c| *c == f.code),
                })
                .count(),
            Watched::Actions => {
                plan.actions.iter().filter(|a| code.is_none_or(|k| a.action.as_str() == k)).count()
            }
        }
    };
    let held: Vec<String> = conditions
        .iter()
        .filter_map(|c| match count(c) {
            0 => None,
            n => Some(format!("{c} ({n})")),
        })
        .collect();
    if held.is_empty() {
        (Exit::Ok, None)
    } else {
        (Exit::FailOn, Some(format!("roster: exit 3: --fail-on held: {}", held.join(", "))))
    }
}
