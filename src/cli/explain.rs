//! `roster explain`: why the plan treats one user as it does.

use super::{print, Error, Exit};
use crate::explain::{self, Offboarding};
use crate::scenario::{Command, Scenario};
use crate::time::Time;
use crate::{policy, snapshot};
use std::path::PathBuf;

/// Explain one user: every rule that looked at them (matched or not) with the values and
/// thresholds compared, the matchers that applied, what tonight's plan does to them, and
/// the receiver chain tried for everything they hold.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  roster explain --policy policies/default.toml --snapshot examples/acme --user u013\n  \
roster explain --policy policies/default.toml --snapshot examples/acme --user u013 --actor u002 --offboard u004\n\n\
Exit codes: 0 ran, 1 bad input or policy (or no such user), 2 usage."
)]
pub struct Args {
    /// The policy file (TOML).
    #[arg(long, value_name = "FILE")]
    policy: PathBuf,
    /// The snapshot: a folder with users.csv or a .json file.
    #[arg(long, value_name = "PATH")]
    snapshot: PathBuf,
    /// The user to explain, by id or e-mail.
    #[arg(long, value_name = "ID_OR_EMAIL")]
    user: String,
    /// Evaluate at this instant (RFC 3339 or YYYY-MM-DD) instead of the snapshot's taken_at.
    #[arg(long, value_name = "TIME", value_parser = super::run_args::parse_as_of)]
    as_of: Option<Time>,
    /// Explain the user within an offboarding of them and these other users (repeatable).
    #[arg(long, value_name = "ID_OR_EMAIL")]
    offboard: Vec<String>,
    /// The actor of that offboarding (default: the policy itself, no actor checks).
    #[arg(long, value_name = "ID")]
    actor: Option<String>,
    /// New receiver of the leavers' records, tried first, in that offboarding.
    #[arg(long, value_name = "ID")]
    reassign_to: Option<String>,
    /// New manager of the leavers' reports, tried first, in that offboarding.
    #[arg(long, value_name = "ID")]
    reports_to: Option<String>,
}

/// Runs the command.
pub fn run(args: Args) -> Result<Exit, Error> {
    let policy = policy::load(&args.policy)?;
    let store = snapshot::load(&args.snapshot, &policy)?;
    let as_of = args.as_of.or(store.taken_at).unwrap_or_else(chrono::Utc::now);
    let requested = !args.offboard.is_empty() || args.actor.is_some();
    let text = if requested {
        let mut users = vec![args.user.clone()];
        users.extend(args.offboard.iter().filter(|u| **u != args.user).cloned());
        let scenario = Scenario {
            command: Command::Offboard,
            actor: args.actor.clone(),
            users,
            reassign_to: args.reassign_to.clone(),
            reports_to: args.reports_to.clone(),
            ..Scenario::default()
        };
        let (requests, mut options) = scenario.offboarding(&store);
        if args.actor.is_none() {
            options.actor = crate::offboard::Actor::Policy;
        }
        explain::explain(
            &policy,
            &store,
            as_of,
            &args.user,
            Some(Offboarding { requests: &requests, options: &options }),
        )?
    } else {
        explain::explain(&policy, &store, as_of, &args.user, None)?
    };
    print(&text)?;
    Ok(Exit::Ok)
}
