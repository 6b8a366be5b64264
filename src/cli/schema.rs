//! `roster schema`: the JSON Schema of the policy file (or of a tenants file), for editors
//! and linters.

use super::{Error, Exit};

/// Print the JSON Schema (draft-07) of the policy file. Editors that speak TOML with JSON
/// Schema (Taplo, Even Better TOML) use it for completion, hover help and validation.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print the schema of a tenants file (`roster plan --tenants`) instead.
    #[arg(long)]
    tenants: bool,
}

/// Runs the command.
pub fn run(args: Args) -> Result<Exit, Error> {
    let schema = if args.tenants {
        crate::policy::schema_json::<super::tenants::RawTenants>()
    } else {
        crate::policy::policy_schema_json()
    };
    super::print(&schema)?;
    Ok(Exit::Ok)
}
