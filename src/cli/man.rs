//! `roster man`: the manual page, generated from the argument parser.

use super::{Error, Exit};
use clap_mangen::roff::{bold, roman, Roff};
use std::path::{Path, PathBuf};

/// Print the manual page roster(1) as roff (`roster man | man -l -`), or write one page
/// per command into a folder.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write roster.1 and one page per command (roster-plan.1, ...) into this folder
    /// (created if needed) instead of printing roster.1.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// Runs the command.
pub fn run(args: Args) -> Result<Exit, Error> {
    let command = super::command();
    match args.out {
        None => super::print(&page())?,
        Some(dir) => {
            std::fs::create_dir_all(&dir).map_err(|e| {
                Error::Output(format!("cannot write the manual pages to {}: {e}", dir.display()))
            })?;
            let mut command = command.disable_help_subcommand(true);
            command.build();
            write_pages(command, &dir)?;
        }
    }
    Ok(Exit::Ok)
}

/// Writes the page of `command` and of each visible subcommand into `dir`, each file the
/// safe way (a link planted in the folder is refused, never followed).
fn write_pages(command: clap::Command, dir: &Path) -> Result<(), Error> {
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_pages(sub.clone(), dir)?;
    }
    let name = clap_mangen::Man::new(command.clone()).get_filename();
    let main = command.has_subcommands();
    super::replace::write(&dir.join(name), &render(command, main)).map_err(Error::Output)
}

/// roster(1): the main page, with every command in its SUBCOMMANDS section. The same page
/// as `--out` writes, which leaves out `help` (it has no page of its own).
pub fn page() -> String {
    let mut command = super::command().disable_help_subcommand(true);
    command.build();
    String::from_utf8_lossy(&render(command, true)).into_owned()
}

/// A page: clap_mangen's title, NAME, SYNOPSIS, DESCRIPTION, OPTIONS and SUBCOMMANDS, then
/// the command's help epilogue split into its own sections (EXAMPLES, EXIT STATUS, ...),
/// and for roster(1) FILES, ENVIRONMENT and SEE ALSO.
fn render(command: clap::Command, main: bool) -> Vec<u8> {
    let epilogue = command.get_after_help().map(ToString::to_string).unwrap_or_default();
    let version = command.get_version().unwrap_or(env!("CARGO_PKG_VERSION")).to_owned();
    let man = clap_mangen::Man::new(command.clone())
        .source(format!("roster {version}"))
        .manual("roster manual");
    let mut out = Vec::new();
    // Rendering into a Vec cannot fail.
    let _ = man.render_title(&mut out);
    let _ = man.render_name_section(&mut out);
    let _ = man.render_synopsis_section(&mut out);
    let _ = man.render_description_section(&mut out);
    if command.get_arguments().any(|a| !a.is_hide_set()) {
        let _ = man.render_options_section(&mut out);
    }
    if command.has_subcommands() {
        let _ = man.render_subcommands_section(&mut out);
    }
    let mut roff = Roff::default();
    for block in epilogue.split("\n\n").filter(|b| !b.trim().is_empty()) {
        section(&mut roff, block);
    }
    if main {
        files_and_environment(&mut roff);
    } else {
        roff.control("SH", ["SEE ALSO"]);
        roff.text([roman("roster(1)")]);
    }
    let _ = roff.to_writer(&mut out);
    out
}

/// One block of a help epilogue: `Examples:` become EXAMPLES (each command as it is, in a
/// no-fill block), `Exit status:` EXIT STATUS (one tagged paragraph a code), anything else
/// NOTES.
fn section(roff: &mut Roff, block: &str) {
    let (head, body) = block.split_once('\n').unwrap_or((block, ""));
    match head.trim() {
        "Examples:" => {
            roff.control("SH", ["EXAMPLES"]);
            roff.control("nf", Vec::<&str>::new());
            for line in body.lines() {
                roff.text([roman(line.strip_prefix("  ").unwrap_or(line))]);
                roff.control("br", Vec::<&str>::new());
            }
            roff.control("fi", Vec::<&str>::new());
        }
        "Exit status:" => {
            roff.control("SH", ["EXIT STATUS"]);
            for line in body.lines() {
                let (code, meaning) =
                    line.trim().split_once(char::is_whitespace).unwrap_or((line, ""));
                roff.control("TP", Vec::<&str>::new());
                roff.text([bold(code)]);
                roff.text([roman(meaning.trim())]);
            }
        }
        _ => {
            roff.control("SH", ["NOTES"]);
            roff.control("nf", Vec::<&str>::new());
            for line in block.lines() {
                roff.text([roman(line)]);
                roff.control("br", Vec::<&str>::new());
            }
            roff.control("fi", Vec::<&str>::new());
        }
    }
}

/// The FILES, ENVIRONMENT and SEE ALSO sections of roster(1).
fn files_and_environment(roff: &mut Roff) {
    roff.control("SH", ["FILES"]);
    for (file, what) in FILES {
        roff.control("TP", Vec::<&str>::new());
        roff.text([bold(*file)]);
        roff.text([roman(*what)]);
    }
    roff.control("SH", ["ENVIRONMENT"]);
    for (name, what) in ENVIRONMENT {
        roff.control("TP", Vec::<&str>::new());
        roff.text([bold(*name)]);
        roff.text([roman(*what)]);
    }
    roff.control("SH", ["SEE ALSO"]);
    let pages: Vec<String> = super::command()
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
        .map(|s| format!("roster-{}(1)", s.get_name()))
        .collect();
    roff.text([roman(pages.join(", "))]);
}

/// What roster reads and writes.
const FILES: &[(&str, &str)] = &[
    ("POLICY.toml", "The policy (--policy): roles, thresholds, receivers, what happens to records. Its JSON Schema is printed by roster schema."),
    ("SNAPSHOT/users.csv", "One row per user; required in a CSV snapshot folder, beside the optional teams.csv, records.csv, blocked_emails.csv and snapshot.toml (taken_at, seats, owner)."),
    ("SNAPSHOT.json, SNAPSHOT/users.scim.json", "A snapshot as one JSON file, or a SCIM 2.0 ListResponse export."),
    ("CASES/*/case.toml, CASES/*/expected.json", "A policy test case and its approved plan, for roster test."),
    ("--out FILE", "Written whole or not at all: a temporary file beside it is renamed into place, and removed if roster is stopped."),
];

/// The environment roster reads.
const ENVIRONMENT: &[(&str, &str)] = &[
    ("COLUMNS", "The width text for people is fitted to; without it, the terminal's width, else 80."),
    ("GITHUB_STEP_SUMMARY", "A file roster test and roster check append a Markdown summary to (set by GitHub Actions)."),
    ("HTTPS_PROXY", "The proxy roster pull goes through (also HTTP_PROXY, ALL_PROXY and NO_PROXY); never for 127.0.0.1 or localhost."),
    ("RAYON_NUM_THREADS", "How many threads evaluate the policy (default: one per core). Output does not depend on it."),
    ("ROSTER_SCIM_TOKEN", "The bearer token of roster pull, when --token-file is not given. Never printed."),
    ("ROSTER_TIMINGS", "When set, the time and memory of each phase are printed on standard error."),
];
