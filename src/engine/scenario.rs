//! A scenario: which command to plan, with which arguments. The CLI commands, `roster test`
//! cases and `roster diff` all describe a run this way, so a case replays exactly what the
//! command line would do.

use crate::diag::Diagnostics;
use crate::offboard::requests::Sheet;
use crate::offboard::{Actor, Channel, Chosen, Options, Request};
use crate::plan::Plan;
use crate::policy::Policy;
use crate::snapshot::Store;
use crate::time::Time;
use serde::Deserialize;

/// The command a scenario plans.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Command {
    /// The nightly run.
    #[default]
    Plan,
    /// An offboarding.
    Offboard,
    /// A reactivation.
    Reactivate,
}

impl Command {
    /// The command's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Command::Plan => "plan",
            Command::Offboard => "offboard",
            Command::Reactivate => "reactivate",
        }
    }
}

/// Everything a run needs besides the policy, the snapshot and `as_of`.
#[derive(Debug, Clone, Default)]
pub struct Scenario {
    /// Which command.
    pub command: Command,
    /// Who acts (offboard, reactivate).
    pub actor: Option<String>,
    /// Targets by id or e-mail (offboard, reactivate).
    pub users: Vec<String>,
    /// A bulk sheet's rows (offboard); implies the bulk channel.
    pub sheet: Option<Sheet>,
    /// The bulk channel without a sheet.
    pub bulk: bool,
    /// Receiver of the leavers' records, tried first.
    pub reassign_to: Option<String>,
    /// New manager of the leavers' reports and leader of their teams, tried first.
    pub reports_to: Option<String>,
    /// Keep e-mails off the block list.
    pub allow_reactivation: bool,
    /// The previous snapshot (plan); shared, since `roster diff` plans with two policies.
    pub previous: Option<std::sync::Arc<Store>>,
    /// The directory (`--directory`): plan reconciles every account with it, offboard
    /// adds what it says of the targets.
    pub directory: Option<std::sync::Arc<crate::directory::People>>,
}

impl Scenario {
    /// Plans the scenario.
    pub fn plan<'a>(
        &self,
        policy: &'a Policy,
        store: &'a Store,
        as_of: Time,
    ) -> Result<Plan<'a>, Diagnostics> {
        match self.command {
            Command::Plan => super::nightly(
                policy,
                store,
                as_of,
                super::Extra {
                    previous: self.previous.as_deref(),
                    directory: self.directory.as_deref(),
                },
            ),
            Command::Offboard => {
                if let Some(sheet) = &self.sheet {
                    sheet.check(store)?;
                }
                let (requests, options) = self.offboarding(store);
                super::offboarding(
                    policy,
                    store,
                    as_of,
                    &requests,
                    &options,
                    self.directory.as_deref(),
                )
            }
            Command::Reactivate => super::reactivation(
                policy,
                store,
                as_of,
                &self.users,
                &self.actor(store),
                self.directory.as_deref(),
            ),
        }
    }

    /// The actor, resolved in the snapshot.
    pub fn actor(&self, store: &Store) -> Actor {
        match &self.actor {
            None => Actor::Unknown(String::new()),
            Some(id) => store.find_user(id).map_or_else(|| Actor::Unknown(id.clone()), Actor::User),
        }
    }

    /// The offboarding requests and options of this scenario.
    pub fn offboarding(&self, store: &Store) -> (Vec<Request>, Options) {
        let channel =
            if self.sheet.is_some() || self.bulk { Channel::Bulk } else { Channel::Manual };
        let actor_id = self.actor.clone().unwrap_or_default();
        let asked = |how: String| format!("requested by {actor_id} ({how})");
        let requests = match &self.sheet {
            Some(sheet) => sheet
                .rows
                .iter()
                .map(|row| Request {
                    user: row.user.clone(),
                    chosen: Chosen {
                        records: row.reassign_to.clone().or_else(|| self.reassign_to.clone()),
                        reports: row.reports_to.clone().or_else(|| self.reports_to.clone()),
                    },
                    why: asked(format!("bulk sheet line {}", row.line)),
                    rule: None,
                })
                .collect(),
            None => self
                .users
                .iter()
                .map(|u| Request {
                    user: u.clone(),
                    chosen: Chosen {
                        records: self.reassign_to.clone(),
                        reports: self.reports_to.clone(),
                    },
                    why: asked(if channel == Channel::Bulk { "bulk" } else { "manual" }.to_owned()),
                    rule: None,
                })
                .collect(),
        };
        let options = Options {
            actor: self.actor(store),
            channel,
            allow_reactivation: self.allow_reactivation,
            rule: "offboard",
            orphans: false,
        };
        (requests, options)
    }
}
