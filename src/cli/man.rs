//! `roster man`: the manual page, generated from the argument parser.

use super::{Error, Exit};
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
    let man = clap_mangen::Man::new(command);
    let mut roff = Vec::new();
    // Rendering into a Vec cannot fail.
    let _ = man.render(&mut roff);
    super::replace::write(&dir.join(man.get_filename()), &roff).map_err(Error::Output)
}

/// roster(1): the main page, with every command in its SUBCOMMANDS section. The same page
/// as `--out` writes, which leaves out `help` (it has no page of its own).
pub fn page() -> String {
    let mut command = super::command().disable_help_subcommand(true);
    command.build();
    let mut roff = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = clap_mangen::Man::new(command).render(&mut roff);
    String::from_utf8_lossy(&roff).into_owned()
}
