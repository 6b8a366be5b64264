//! `roster explain`: why the plan treats one user as it does.

use super::args::Inputs;
use super::{Error, Exit};
use crate::engine::explain::{self, Offboarding};
use crate::engine::scenario::{Command, Scenario};
use crate::render;

/// Explain one user: every rule that looked at them (matched or not) with the values and
/// thresholds compared, the matchers that applied, what tonight's plan does to them, and
/// the receiver chain tried for everything they hold.
#[derive(Debug, clap::Args)]
#[command(
    override_usage = "roster explain [OPTIONS] --policy <FILE> --snapshot <PATH>\n       \
--user <ID_OR_EMAIL>",
    after_help = "Examples:\n  \
roster explain --policy policies/default.toml --snapshot examples/acme \\\n      \
--user u013\n  \
roster explain --policy policies/default.toml --snapshot examples/acme \\\n      \
--user u013 --actor u002 --offboard u004\n\n\
Exit status:\n  \
0  the explanation was printed\n  \
1  bad input: the policy or the snapshot, or no such user\n  \
2  usage: a missing or conflicting argument"
)]
pub struct Args {
    #[command(flatten)]
    inputs: Inputs,
    /// The user to explain, by id or e-mail.
    #[arg(long, value_name = "ID_OR_EMAIL")]
    user: String,
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
    let loaded = args.inputs.load()?;
    let (policy, store, as_of) = (&loaded.policy, &loaded.store, loaded.as_of);
    let people = loaded.directory.as_deref();
    let requested = !args.offboard.is_empty() || args.actor.is_some();
    let explanation = if requested {
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
        let (requests, mut options) = scenario.offboarding(store);
        if args.actor.is_none() {
            options.actor = crate::offboard::Actor::Policy;
        }
        let offboarding = Offboarding { requests: &requests, options: &options };
        explain::explain(policy, store, as_of, &args.user, Some(offboarding), people)?
    } else {
        explain::explain(policy, store, as_of, &args.user, None, people)?
    };
    super::print_fitted(&render::explain::render(&explanation))?;
    Ok(Exit::Ok)
}
