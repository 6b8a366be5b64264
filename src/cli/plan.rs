//! `roster plan`: the nightly compliance run.

use super::args::{load_snapshot, RunArgs};
use super::{Error, Exit};
use crate::engine;
use std::path::PathBuf;

/// Evaluate the policy on a snapshot and write the plan: idle users, expired invites,
/// lockouts, seats, escalations to offboarding, orphaned records and data findings.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
roster plan --policy policies/default.toml --snapshot examples/acme\n  \
roster plan --policy policies/default.toml --snapshot examples/acme \\\n      \
--out plan.json --out plan.md --fail-on blocked\n\n\
Exit status:\n  \
0  the plan was written\n  \
1  bad input: the policy, the snapshot or an argument's file\n  \
2  usage: a missing or conflicting argument\n  \
3  a --fail-on condition held (the plan is written)\n  \
4  the plan is held by [safety] (it is written; --accept-held exits 0)")]
pub struct Args {
    #[command(flatten)]
    run: RunArgs,
    /// The previous snapshot of the same account: a user id whose e-mail and name both
    /// changed since then is reported as `identity_reused`.
    #[arg(long, value_name = "PATH")]
    previous: Option<PathBuf>,
}

/// Runs the command.
pub fn run(args: Args) -> Result<Exit, Error> {
    let (output, loaded) = args.run.load(args.previous.as_deref().as_slice())?;
    let previous = match &args.previous {
        Some(path) => Some(load_snapshot(path, &loaded.policy)?),
        None => None,
    };
    let plan = engine::nightly(&loaded.policy, &loaded.store, loaded.as_of, previous.as_ref())?;
    args.run.finish(output, &plan, &loaded.store, "roster plan")
}
