//! `roster reactivate`: a dry run of bringing deactivated users back.

use super::args::RunArgs;
use super::{Error, Exit};
use crate::engine;
use crate::offboard::Actor;

/// Plan the reactivation of deactivated or suspended users: who may come back (actor
/// rules, complete profile, a free seat, an e-mail not on the block list) and what coming
/// back does not restore.
#[derive(Debug, clap::Args)]
#[command(
    override_usage = "roster reactivate [OPTIONS] --policy <FILE> --snapshot <PATH>\n       \
--actor <ID> --user <ID_OR_EMAIL>...",
    after_help = concat!(
        "Examples:\n  \
roster reactivate --policy policies/commerce-backoffice.toml \\\n      \
--snapshot examples/commerce-backoffice --actor a1 --user e7\n\n\
",
        run_exit_status!()
    )
)]
pub struct Args {
    #[command(flatten)]
    run: RunArgs,
    /// The user who performs the reactivation (their role and permissions are checked).
    #[arg(long, value_name = "ID")]
    actor: String,
    /// A user to reactivate, by id or e-mail (repeatable).
    #[arg(long, value_name = "ID_OR_EMAIL", required = true)]
    user: Vec<String>,
}

/// Runs the command.
pub fn run(args: Args) -> Result<Exit, Error> {
    let (output, loaded) = args.run.load(&[])?;
    let actor = match loaded.store.find_user(&args.actor) {
        Some(a) => Actor::User(a),
        None => Actor::Unknown(args.actor.clone()),
    };
    let plan = engine::reactivation(
        &loaded.policy,
        &loaded.store,
        loaded.as_of,
        &args.user,
        &actor,
        loaded.directory.as_deref(),
    )?;
    args.run.finish(output, &plan, &loaded.store, "roster reactivate")
}
