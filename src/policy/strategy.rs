//! Receiver strategies: the ways roster looks for who takes over a leaver's things.

use std::fmt;

/// One step of a receiver chain, tried in order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Strategy {
    /// A named user (`user:<id>`).
    User(String),
    /// The leaver's manager.
    Manager,
    /// The first eligible user up the leaver's manager chain.
    ManagerChain,
    /// The leader of the leaver's primary team.
    TeamLeader,
    /// The leader of the account's first team.
    FirstTeamLeader,
    /// The account's primary owner.
    AccountOwner,
    /// The peer in the same primary team and role with the fewest records.
    LeastLoadedPeer,
    /// Nothing moves: the leaver keeps it.
    Keep,
}

/// The strategy names, for help texts.
pub const STRATEGY_NAMES: &str = "`user:<id>`, `manager`, `manager_chain`, `team_leader`, \
`first_team_leader`, `account_owner`, `least_loaded_peer` or `keep`";

impl Strategy {
    /// Every strategy without an argument (all but `user:<id>`).
    pub const PLAIN: [Strategy; 7] = [
        Strategy::Manager,
        Strategy::ManagerChain,
        Strategy::TeamLeader,
        Strategy::FirstTeamLeader,
        Strategy::AccountOwner,
        Strategy::LeastLoadedPeer,
        Strategy::Keep,
    ];

    /// Parses a strategy as the policy spells it.
    pub fn parse(text: &str) -> Result<Strategy, String> {
        if let Some(plain) = Self::PLAIN.iter().find(|s| s.label() == text) {
            return Ok(plain.clone());
        }
        match text.strip_prefix("user:") {
            Some(id) if !id.trim().is_empty() => Ok(Strategy::User(id.trim().to_owned())),
            Some(_) => Err("`user:` needs a user id, as in `user:u42`".to_owned()),
            None => Err(format!("unknown receiver strategy `{text}`")),
        }
    }

    /// The name a plan shows in `via`.
    pub fn label(&self) -> &'static str {
        match self {
            Strategy::User(_) => "user",
            Strategy::Manager => "manager",
            Strategy::ManagerChain => "manager_chain",
            Strategy::TeamLeader => "team_leader",
            Strategy::FirstTeamLeader => "first_team_leader",
            Strategy::AccountOwner => "account_owner",
            Strategy::LeastLoadedPeer => "least_loaded_peer",
            Strategy::Keep => "keep",
        }
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Strategy::User(id) => write!(f, "user:{id}"),
            other => f.write_str(other.label()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_strategy_and_round_trips() {
        for text in ["manager", "manager_chain", "team_leader", "first_team_leader"]
            .into_iter()
            .chain(["account_owner", "least_loaded_peer", "keep", "user:u42"])
        {
            assert_eq!(Strategy::parse(text).unwrap().to_string(), text);
        }
        assert_eq!(Strategy::PLAIN.len(), 7);
        assert!(Strategy::parse("boss").is_err());
        assert!(Strategy::parse("user:").is_err());
    }
}
