//! `roster generate`: a synthetic snapshot for benchmarks.

use super::{Error, Exit};
use crate::generate::{generate, Spec};
use std::path::PathBuf;

/// Write a realistic, deterministic synthetic snapshot (CSV folder, optionally also JSON)
/// with a bulk sheet `leavers.csv` offboarding 1% of the users.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Number of users.
    #[arg(long, default_value_t = 1000)]
    users: usize,
    /// Number of records.
    #[arg(long, default_value_t = 10_000)]
    records: usize,
    /// Seed: the same seed gives the same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The folder to write (created if needed).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Also write snapshot.json, the same data as one JSON document.
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(args: Args) -> Result<Exit, Error> {
    let spec = Spec { users: args.users, records: args.records, seed: args.seed, json: args.json };
    generate(&spec, &args.out)
        .map_err(|e| Error::Output(format!("cannot write {}: {e}", args.out.display())))?;
    Ok(Exit::Ok)
}
