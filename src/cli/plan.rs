//! `roster plan`: the nightly compliance run.

use super::run_args::RunArgs;
use super::{Error, Exit};
use crate::engine;

/// Evaluate the policy on a snapshot and write the plan: idle users, expired invites,
/// lockouts, seats, escalations to offboarding, orphaned records and data findings.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit codes: 0 ran, 1 bad input or policy, 2 usage, 3 a --fail-on condition held.\n\
Example: roster plan --policy policies/default.toml --snapshot examples/acme --format markdown --out plan.md"
)]
pub struct Args {
    #[command(flatten)]
    run: RunArgs,
}

/// Runs the command.
pub fn run(args: Args) -> Result<Exit, Error> {
    let (output, loaded) = args.run.load()?;
    let plan = engine::nightly(&loaded.policy, &loaded.store, loaded.as_of)?;
    args.run.finish(output, &plan, &loaded.store, "roster plan")
}
