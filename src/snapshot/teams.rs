//! Teams as columns, in the account's team order (`teams.csv` row order, or the order of
//! the SCIM Groups), with [`Team`] a borrowed view of one.

use super::columns::{Full, PackedLink, Strings, DANGLING, NO_LINK};
use super::{Link, UserIx};

/// Every team of the snapshot.
#[derive(Debug, Clone, Default)]
pub struct Teams {
    ids: Strings,
    names: Strings,
    /// The leader ids as written, until [`Teams::resolve`].
    leader_ids: Strings,
    leaders: Vec<PackedLink>,
    dangling: Strings,
}

/// One team, borrowed from [`Teams`].
#[derive(Debug, Clone, Copy)]
pub struct Team<'a> {
    teams: &'a Teams,
    i: usize,
}

impl Teams {
    /// How many teams.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// One team (indices come from the store).
    pub fn get(&self, ix: super::TeamIx) -> Team<'_> {
        Team { teams: self, i: ix.index() }
    }

    /// Every team, in team order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Team<'_>> + '_ {
        (0..self.len()).map(move |i| Team { teams: self, i })
    }

    /// The id column.
    pub(super) fn ids(&self) -> &Strings {
        &self.ids
    }

    /// Appends a team; its leader is resolved later.
    pub(super) fn push(
        &mut self,
        id: &str,
        name: Option<&str>,
        leader: Option<&str>,
    ) -> Result<(), Full> {
        self.ids.push(id)?;
        self.names.push(name.unwrap_or(""))?;
        self.leader_ids.push(leader.unwrap_or(""))
    }

    /// Resolves every leader with the user id table.
    pub(super) fn resolve(&mut self, user_ix: impl Fn(&str) -> Option<UserIx>) -> Result<(), Full> {
        let mut leaders = Vec::with_capacity(self.len());
        let mut dangling = Strings::default();
        for i in 0..self.len() {
            leaders.push(match self.leader_ids.value(i) {
                None => NO_LINK,
                Some(l) => match user_ix(l) {
                    Some(u) => u.0,
                    None => {
                        dangling.push(l)?;
                        DANGLING | (dangling.len() as u32 - 1)
                    }
                },
            });
        }
        self.leaders = leaders;
        self.dangling = dangling;
        self.leader_ids = Strings::default();
        Ok(())
    }
}

impl<'a> IntoIterator for &'a Teams {
    type Item = Team<'a>;
    type IntoIter = Box<dyn ExactSizeIterator<Item = Team<'a>> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

impl<'a> Team<'a> {
    /// `id`.
    pub fn id(&self) -> &'a str {
        self.teams.ids.get(self.i)
    }

    /// `name`.
    pub fn name(&self) -> Option<&'a str> {
        self.teams.names.value(self.i)
    }

    /// The name if known, else the id.
    pub fn display(&self) -> &'a str {
        self.name().unwrap_or_else(|| self.id())
    }

    /// `leader_id`.
    pub fn leader(&self) -> Link<UserIx, &'a str> {
        match self.teams.leaders.get(self.i).copied().unwrap_or(NO_LINK) {
            NO_LINK => Link::None,
            v if v & DANGLING != 0 => {
                Link::Dangling(self.teams.dangling.get((v & !DANGLING) as usize))
            }
            v => Link::To(UserIx(v)),
        }
    }
}
