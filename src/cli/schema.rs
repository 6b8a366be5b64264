//! `roster schema`: the JSON Schema of the policy file, for editors and linters.

use super::{Error, Exit};

/// Print the JSON Schema (draft-07) of the policy file. Editors that speak TOML with JSON
/// Schema (Taplo, Even Better TOML) use it for completion, hover help and validation.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: Args) -> Result<Exit, Error> {
    super::print(&crate::policy::policy_schema_json())?;
    Ok(Exit::Ok)
}
