//! `roster offboard`: a dry run of deactivating one or many users.

use super::args::{load_requests, RunArgs};
use super::{Error, Exit};
use crate::engine::scenario::{Command, Scenario};
use std::path::PathBuf;

/// Plan the offboarding of users: what would be refused and why, and where every record,
/// direct report and team they hold would go. Nothing is changed anywhere.
#[derive(Debug, clap::Args)]
#[command(
    group(clap::ArgGroup::new("targets").required(true).args(["user", "requests"])),
    override_usage = "roster offboard [OPTIONS] --policy <FILE> --snapshot <PATH> --actor <ID>\n       \
<--user <ID_OR_EMAIL>... | --requests <SHEET.csv>>",
    after_help = concat!(
        "Examples:\n  \
roster offboard --policy policies/default.toml --snapshot examples/acme \\\n      \
--actor u002 --user u013\n  \
roster offboard --policy policies/contact-center.toml \\\n      \
--snapshot examples/contact-center --actor u2 \\\n      \
--requests examples/contact-center/bulk-deactivate.csv --format table\n\n\
",
        run_exit_status!()
    )
)]
pub struct Args {
    #[command(flatten)]
    run: RunArgs,
    /// The user who performs the offboarding (their role and permissions are checked).
    #[arg(long, value_name = "ID")]
    actor: String,
    /// A user to offboard, by id or e-mail (repeatable).
    #[arg(long, value_name = "ID_OR_EMAIL")]
    user: Vec<String>,
    /// A bulk sheet (CSV: user, deactivate = y/yes/true/1, optional reassign_to, reports_to); implies --channel bulk.
    #[arg(long, value_name = "SHEET.csv", conflicts_with = "user")]
    requests: Option<PathBuf>,
    /// The channel the request comes through [default: manual, or bulk with --requests].
    #[arg(long, value_enum)]
    channel: Option<ChannelArg>,
    /// Give the leavers' transferable records to this user first (then the policy's chain).
    #[arg(long, value_name = "ID")]
    reassign_to: Option<String>,
    /// Make this user the new manager of the leavers' reports and leader of their teams first.
    #[arg(long, value_name = "ID")]
    reports_to: Option<String>,
    /// Do not block the e-mail: the user may be reactivated by a future purchase.
    #[arg(long)]
    allow_reactivation: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ChannelArg {
    Manual,
    Bulk,
}

/// Runs the command.
pub fn run(args: Args) -> Result<Exit, Error> {
    let sheet = match &args.requests {
        Some(path) => Some(load_requests(path)?),
        None => None,
    };
    let (output, loaded) = args.run.load(args.requests.as_deref().as_slice())?;
    if args.channel == Some(ChannelArg::Manual) && sheet.is_some() {
        return Err(Error::Usage("--requests implies --channel bulk".to_owned()));
    }
    let scenario = Scenario {
        command: Command::Offboard,
        actor: Some(args.actor.clone()),
        users: args.user.clone(),
        sheet,
        bulk: args.channel == Some(ChannelArg::Bulk),
        reassign_to: args.reassign_to.clone(),
        reports_to: args.reports_to.clone(),
        allow_reactivation: args.allow_reactivation,
        previous: None,
        directory: loaded.directory.clone(),
    };
    let plan = scenario.plan(&loaded.policy, &loaded.store, loaded.as_of)?;
    let exit = args.run.finish(output, &plan, &loaded.store, "roster offboard");
    super::leave_to_exit(plan);
    super::leave_to_exit(loaded);
    exit
}
