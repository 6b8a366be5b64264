//! `roster completions`: a shell completion script, generated from the argument parser.

use super::{Error, Exit};
use clap_complete::Shell;

/// Print the completion script for a shell. See the README for where each shell looks
/// for it.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to complete in.
    #[arg(value_enum)]
    shell: Shell,
}

/// Runs the command.
pub fn run(args: Args) -> Result<Exit, Error> {
    let mut command = super::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "roster", &mut script);
    super::print(&String::from_utf8_lossy(&script))?;
    Ok(Exit::Ok)
}
