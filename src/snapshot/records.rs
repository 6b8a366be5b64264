//! Records in columns: at ten million rows, one heap allocation and a 24-byte link per
//! record would cost more than parsing them. Ids live back to back in one arena, kinds
//! and states are symbols, owners are user indices with two sentinels, and the rare
//! dangling owner ids sit in a side table.

use super::{Link, RecordIx, Sym, UserIx};
use rayon::prelude::*;
use std::hash::BuildHasher;

/// `owners` value: the cell is empty.
const NO_OWNER: u32 = u32::MAX;
/// `owners` value: the cell names no user (the id is in `dangling`).
const DANGLING_OWNER: u32 = u32::MAX - 1;

/// The largest arena of record ids (offsets are `u32`).
pub const MAX_ID_BYTES: usize = u32::MAX as usize;

/// The id arena or the row count would outgrow its `u32` offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArenaFull;

/// One record (opportunity, contact, pin, subscription, ...), borrowed from [`Records`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    /// `id`.
    pub id: &'a str,
    /// `kind`.
    pub kind: Sym,
    /// `state`.
    pub state: Sym,
    /// `owner_id`.
    pub owner: Link<UserIx, &'a str>,
}

/// Every record of the snapshot, in file order, as columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Records {
    ids: String,
    ends: Vec<u32>,
    kinds: Vec<Sym>,
    states: Vec<Sym>,
    owners: Vec<u32>,
    /// (record, owner id) for owners that name no user, by record.
    dangling: Vec<(u32, Box<str>)>,
}

impl Records {
    /// An empty column set with room for about `rows` records of `bytes` id bytes.
    pub fn with_capacity(rows: usize, bytes: usize) -> Self {
        Records {
            ids: String::with_capacity(bytes),
            ends: Vec::with_capacity(rows),
            kinds: Vec::with_capacity(rows),
            states: Vec::with_capacity(rows),
            owners: Vec::with_capacity(rows),
            dangling: Vec::new(),
        }
    }

    /// How many records there are.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Appends one record. `Err` when the id arena would outgrow [`MAX_ID_BYTES`].
    pub fn push(
        &mut self,
        id: &str,
        kind: Sym,
        state: Sym,
        owner: Link<UserIx, &str>,
    ) -> Result<(), ArenaFull> {
        let end = u32::try_from(self.ids.len() + id.len()).map_err(|_| ArenaFull)?;
        let row = u32::try_from(self.ends.len()).map_err(|_| ArenaFull)?;
        self.ids.push_str(id);
        self.ends.push(end);
        self.kinds.push(kind);
        self.states.push(state);
        self.owners.push(NO_OWNER);
        self.set_owner(row, owner);
        Ok(())
    }

    /// Sets the owner of record `row`, which was pushed with [`Link::None`]. Dangling
    /// owners must be set in increasing row order (the side table stays sorted).
    pub fn set_owner(&mut self, row: u32, owner: Link<UserIx, &str>) {
        let value = match owner {
            Link::None => NO_OWNER,
            Link::To(u) => u.0,
            Link::Dangling(o) => {
                debug_assert!(self.dangling.last().is_none_or(|(r, _)| *r < row));
                self.dangling.push((row, o.into()));
                DANGLING_OWNER
            }
        };
        if let Some(slot) = self.owners.get_mut(row as usize) {
            *slot = value;
        }
    }

    /// Appends every record of `other`, with its symbols passed through `sym`.
    /// `Err` when the id arena would outgrow [`MAX_ID_BYTES`].
    pub fn append(
        &mut self,
        other: Records,
        mut sym: impl FnMut(Sym) -> Sym,
    ) -> Result<(), ArenaFull> {
        let base = u32::try_from(self.ids.len()).map_err(|_| ArenaFull)?;
        let rows = u32::try_from(self.ends.len()).map_err(|_| ArenaFull)?;
        if self.ids.len() + other.ids.len() > MAX_ID_BYTES {
            return Err(ArenaFull);
        }
        self.ids.push_str(&other.ids);
        self.ends.extend(other.ends.iter().map(|e| e + base));
        self.kinds.extend(other.kinds.iter().map(|s| sym(*s)));
        self.states.extend(other.states.iter().map(|s| sym(*s)));
        self.owners.extend_from_slice(&other.owners);
        self.dangling.extend(other.dangling.into_iter().map(|(r, o)| (r + rows, o)));
        Ok(())
    }

    fn id(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends.get(i - 1).copied().unwrap_or(0) };
        let end = self.ends.get(i).copied().unwrap_or(start);
        self.ids.get(start as usize..end as usize).unwrap_or_default()
    }

    fn owner(&self, i: usize) -> Link<UserIx, &str> {
        match self.owners.get(i).copied().unwrap_or(NO_OWNER) {
            NO_OWNER => Link::None,
            DANGLING_OWNER => {
                let at = self.dangling.binary_search_by_key(&(i as u32), |(r, _)| *r);
                at.ok()
                    .and_then(|k| self.dangling.get(k))
                    .map_or(Link::None, |(_, o)| Link::Dangling(&**o))
            }
            u => Link::To(UserIx(u)),
        }
    }

    /// One record.
    pub fn get(&self, ix: RecordIx) -> Record<'_> {
        let i = ix.index();
        Record {
            id: self.id(i),
            kind: self.kinds.get(i).copied().unwrap_or(Sym(0)),
            state: self.states.get(i).copied().unwrap_or(Sym(0)),
            owner: self.owner(i),
        }
    }

    /// Every record, in file order.
    pub fn iter(&self) -> impl Iterator<Item = Record<'_>> + '_ {
        (0..self.len() as u32).map(|i| self.get(RecordIx(i)))
    }

    /// (kind, state) of every record, in file order.
    pub fn kinds_and_states(&self) -> impl Iterator<Item = (Sym, Sym)> + '_ {
        self.kinds.iter().copied().zip(self.states.iter().copied())
    }

    /// Records whose owner names no user, with that owner id, in file order.
    pub fn dangling(&self) -> impl Iterator<Item = (RecordIx, &str)> + '_ {
        self.dangling.iter().map(|(r, o)| (RecordIx(*r), &**o))
    }

    /// The owner of each record as a user index, `None` when it has none that exists.
    pub(super) fn owner_ixs(&self) -> impl Iterator<Item = Option<u32>> + Clone + '_ {
        self.owners.iter().map(|o| (*o < DANGLING_OWNER).then_some(*o))
    }

    /// Pairs (first, repeat) of records with the same id, by repeat. Hashes are sorted, so
    /// strings are compared only where two hashes are equal.
    pub fn duplicates(&self) -> Vec<(RecordIx, RecordIx)> {
        let hasher = rustc_hash::FxBuildHasher;
        let hash = |i: usize| hasher.hash_one(self.id(i));
        let mut hashes: Vec<u64> = (0..self.len()).into_par_iter().map(hash).collect();
        hashes.par_sort_unstable();
        let repeated: rustc_hash::FxHashSet<u64> =
            hashes.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0]).collect();
        drop(hashes);
        if repeated.is_empty() {
            return Vec::new();
        }
        let mut suspects: Vec<usize> =
            (0..self.len()).into_par_iter().filter(|i| repeated.contains(&hash(*i))).collect();
        suspects.sort_by(|a, b| self.id(*a).cmp(self.id(*b)).then(a.cmp(b)));
        let mut out = Vec::new();
        let mut first = 0;
        for k in 1..suspects.len() {
            let (Some(&a), Some(&b)) = (suspects.get(first), suspects.get(k)) else { continue };
            if self.id(a) == self.id(b) {
                out.push((RecordIx(a as u32), RecordIx(b as u32)));
            } else {
                first = k;
            }
        }
        out.sort_by_key(|(_, repeat)| *repeat);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_through_the_columns() {
        let mut r = Records::default();
        r.push("a1", Sym(1), Sym(2), Link::To(UserIx(7))).unwrap();
        r.push("b22", Sym(3), Sym(2), Link::Dangling("ghost")).unwrap();
        r.push("", Sym(1), Sym(4), Link::None).unwrap();
        let mut other = Records::default();
        other.push("c3", Sym(0), Sym(0), Link::Dangling("x")).unwrap();
        r.append(other, |s| Sym(s.0 + 10)).unwrap();
        let got: Vec<Record<'_>> = r.iter().collect();
        assert_eq!(
            got[0],
            Record { id: "a1", kind: Sym(1), state: Sym(2), owner: Link::To(UserIx(7)) }
        );
        assert_eq!(got[1].owner, Link::Dangling("ghost"));
        assert_eq!(got[2], Record { id: "", kind: Sym(1), state: Sym(4), owner: Link::None });
        assert_eq!(
            got[3],
            Record { id: "c3", kind: Sym(10), state: Sym(10), owner: Link::Dangling("x") }
        );
        assert_eq!(r.dangling().collect::<Vec<_>>(), [(RecordIx(1), "ghost"), (RecordIx(3), "x")]);
    }

    #[test]
    fn duplicates_pair_each_repeat_with_the_first() {
        let mut r = Records::default();
        for id in ["x", "y", "x", "z", "y", "x"] {
            r.push(id, Sym(0), Sym(0), Link::None).unwrap();
        }
        let d = |a, b| (RecordIx(a), RecordIx(b));
        assert_eq!(r.duplicates(), [d(0, 2), d(1, 4), d(0, 5)]);
    }
}
