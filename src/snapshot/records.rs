//! Records in columns: at ten million rows, one allocation per record would cost more than
//! parsing them. A record is an id in an arena, a class (its kind and state, as one small
//! integer) and a packed owner (until the store has grouped the records by owner: then
//! only the owners that name no user stay). The columns stay in the parts a file was parsed
//! in (one per chunk, in file order), so loading never copies them; [`RecordIx`] numbers
//! the records across the parts in file order.

use super::columns::{Full, PackedLink, Strings, DANGLING, NO_LINK};
use super::{Link, RecordIx, Sym, UserIx};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::hash::BuildHasher;

/// One record (opportunity, contact, pin, subscription, ...), borrowed from [`Records`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    /// `id`.
    pub id: &'a str,
    /// `kind`.
    pub kind: Sym,
    /// `state`.
    pub state: Sym,
}

/// The records of one chunk of a file, as columns. Its classes and new symbols are its own
/// until [`Records::push`] maps them to the store's.
#[derive(Debug, Clone, Default)]
pub struct RecordPart {
    ids: Strings,
    classes: Vec<u16>,
    /// The owner of each record, until the store has grouped the records by owner
    /// ([`Records::drop_owners`]).
    owners: Vec<PackedLink>,
    /// Owner ids that name no user.
    dangling: Strings,
    /// (row, index in `dangling`) of the records whose owner names no user, by row, once
    /// `owners` is dropped.
    dangling_rows: Vec<(u32, u32)>,
    /// (kind, state) of each class of this part, as symbols: a symbol at or above
    /// [`NEW_SYM`] is `new_symbols[s - NEW_SYM]`, a string the store had not interned.
    local: Vec<(Sym, Sym)>,
    local_ix: FxHashMap<(Sym, Sym), u16>,
    new_symbols: Vec<Box<str>>,
    /// The classes met so far by their text: an export has a handful, so a short scan
    /// beats hashing two strings per record.
    by_text: Vec<(Box<str>, Box<str>, u16)>,
}

/// Symbols at or above this value in a [`RecordPart`] are its own new strings.
pub const NEW_SYM: u32 = 1 << 31;

/// More than this many (kind, state) pairs is refused.
pub const MAX_CLASSES: usize = u16::MAX as usize;

/// What can go wrong appending a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TooMany {
    /// The id arena would outgrow its `u32` offsets.
    Bytes,
    /// More (kind, state) pairs than [`MAX_CLASSES`].
    Classes,
}

impl From<Full> for TooMany {
    fn from(_: Full) -> Self {
        TooMany::Bytes
    }
}

impl RecordPart {
    /// An empty part with room for about `rows` records of `bytes` bytes of ids.
    pub fn with_capacity(rows: usize, bytes: usize) -> Self {
        RecordPart {
            ids: Strings::with_arena(bytes),
            classes: Vec::with_capacity(rows),
            owners: Vec::with_capacity(rows),
            ..RecordPart::default()
        }
    }

    /// How many records.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The symbol of `s`: the store's if it has one (`known`), else one of this part's.
    pub fn symbol(&mut self, known: &impl Fn(&str) -> Option<Sym>, s: &str) -> Sym {
        if let Some(sym) = known(s) {
            return sym;
        }
        let k = match self.new_symbols.iter().position(|n| **n == *s) {
            Some(k) => k,
            None => {
                self.new_symbols.push(s.into());
                self.new_symbols.len() - 1
            }
        };
        Sym(NEW_SYM + k as u32)
    }

    /// Appends a record given its kind and state as text (`known` is the store's symbols).
    pub fn push_named(
        &mut self,
        known: impl Fn(&str) -> Option<Sym>,
        id: &str,
        kind: &str,
        state: &str,
        owner: Link<UserIx, &str>,
    ) -> Result<(), TooMany> {
        let found = self.by_text.iter().find(|(k, s, _)| **k == *kind && **s == *state);
        let class = match found {
            Some((_, _, c)) => *c,
            None => {
                let k = self.symbol(&known, kind);
                let s = self.symbol(&known, state);
                let c = self.class(k, s)?;
                if self.by_text.len() < 64 {
                    self.by_text.push((kind.into(), state.into(), c));
                }
                c
            }
        };
        self.push_class(id, class, owner)
    }

    fn class(&mut self, kind: Sym, state: Sym) -> Result<u16, TooMany> {
        match self.local_ix.get(&(kind, state)) {
            Some(c) => Ok(*c),
            None => {
                let c = u16::try_from(self.local.len()).map_err(|_| TooMany::Classes)?;
                self.local.push((kind, state));
                self.local_ix.insert((kind, state), c);
                Ok(c)
            }
        }
    }

    /// Appends a record; `owner` is `None` (empty cell), a user, or an id no user has.
    pub fn push(
        &mut self,
        id: &str,
        kind: Sym,
        state: Sym,
        owner: Link<UserIx, &str>,
    ) -> Result<(), TooMany> {
        let class = self.class(kind, state)?;
        self.push_class(id, class, owner)
    }

    fn push_class(
        &mut self,
        id: &str,
        class: u16,
        owner: Link<UserIx, &str>,
    ) -> Result<(), TooMany> {
        let owner = match owner {
            Link::None => NO_LINK,
            Link::To(u) => u.0,
            Link::Dangling(o) => {
                self.dangling.push(o)?;
                DANGLING | (self.dangling.len() as u32 - 1)
            }
        };
        self.ids.push(id)?;
        self.classes.push(class);
        self.owners.push(owner);
        Ok(())
    }
}

impl RecordPart {
    /// (row, index in `dangling`) of the owners in the owner column that name no user.
    fn dangling_owners(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.owners.iter().enumerate().filter_map(|(k, &o)| {
            (o != NO_LINK && o & DANGLING != 0).then_some((k as u32, o & !DANGLING))
        })
    }

    /// Gives back the room reserved for rows the block did not have (a part is sized
    /// from its block's bytes before they are parsed).
    pub fn shrink_to_fit(&mut self) {
        self.ids.shrink_to_fit();
        self.classes.shrink_to_fit();
        self.owners.shrink_to_fit();
    }

    /// Sets the owner of record `row`, which was pushed without one.
    pub fn set_owner(&mut self, row: u32, owner: Link<UserIx, &str>) -> Result<(), TooMany> {
        let value = match owner {
            Link::None => NO_LINK,
            Link::To(u) => u.0,
            Link::Dangling(o) => {
                self.dangling.push(o)?;
                DANGLING | (self.dangling.len() as u32 - 1)
            }
        };
        if let Some(slot) = self.owners.get_mut(row as usize) {
            *slot = value;
        }
        Ok(())
    }
}

/// Every record of the snapshot, in file order, as columns in parts.
#[derive(Debug, Clone, Default)]
pub struct Records {
    parts: Vec<RecordPart>,
    /// The first record of each part.
    starts: Vec<u32>,
    len: usize,
    /// (kind, state) of each class.
    classes: Vec<(Sym, Sym)>,
    class_ix: FxHashMap<(Sym, Sym), u16>,
}

impl Records {
    /// How many records there are.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends a part after the records already in: its new symbols are interned with
    /// `intern`, its classes become the store's.
    pub fn push(
        &mut self,
        mut part: RecordPart,
        mut intern: impl FnMut(&str) -> Sym,
    ) -> Result<(), TooMany> {
        let new: Vec<Sym> = part.new_symbols.iter().map(|s| intern(s)).collect();
        let sym = |s: Sym| match s.0.checked_sub(NEW_SYM) {
            Some(k) => new.get(k as usize).copied().unwrap_or(s),
            None => s,
        };
        let mut remap = Vec::with_capacity(part.local.len());
        for &(kind, state) in &part.local {
            let pair = (sym(kind), sym(state));
            let class = match self.class_ix.get(&pair) {
                Some(c) => *c,
                None => {
                    let c = u16::try_from(self.classes.len()).map_err(|_| TooMany::Classes)?;
                    self.classes.push(pair);
                    self.class_ix.insert(pair, c);
                    c
                }
            };
            remap.push(class);
        }
        // A part's classes number from 0 in first-seen order: most parts see the same
        // classes in the same order as the store, and need no rewriting.
        if remap.iter().enumerate().any(|(i, c)| usize::from(*c) != i) {
            part.classes.par_iter_mut().for_each(|c| {
                *c = remap.get(usize::from(*c)).copied().unwrap_or(*c);
            });
        }
        part.local = Vec::new();
        part.local_ix = FxHashMap::default();
        part.new_symbols = Vec::new();
        part.by_text = Vec::new();
        let start = u32::try_from(self.len).map_err(|_| TooMany::Bytes)?;
        if self.len + part.len() > super::columns::MAX_ROWS {
            return Err(TooMany::Bytes);
        }
        self.len += part.len();
        self.starts.push(start);
        self.parts.push(part);
        Ok(())
    }

    /// The part holding record `i`, and its index there.
    fn locate(&self, i: usize) -> Option<(&RecordPart, usize)> {
        let p = match self.starts.binary_search(&(i as u32)) {
            Ok(p) => p,
            Err(p) => p.checked_sub(1)?,
        };
        // Empty parts share a start with the next one: take the last part starting there.
        let p = (p..self.parts.len()).take_while(|q| self.starts[*q] as usize <= i).last()?;
        let part = self.parts.get(p)?;
        let k = i - self.starts[p] as usize;
        (k < part.len()).then_some((part, k))
    }

    fn view<'a>(&self, part: &'a RecordPart, k: usize) -> Record<'a> {
        let class = part.classes.get(k).copied().unwrap_or(0);
        let (kind, state) =
            self.classes.get(usize::from(class)).copied().unwrap_or((Sym(0), Sym(0)));
        Record { id: part.ids.get(k), kind, state }
    }

    /// Every (kind, state) met, once each.
    pub fn classes(&self) -> &[(Sym, Sym)] {
        &self.classes
    }

    /// One record.
    pub fn get(&self, ix: RecordIx) -> Record<'_> {
        match self.locate(ix.index()) {
            Some((part, k)) => self.view(part, k),
            None => Record { id: "", kind: Sym(0), state: Sym(0) },
        }
    }

    /// Every record, in file order.
    pub fn iter(&self) -> impl Iterator<Item = Record<'_>> + '_ {
        self.parts.iter().flat_map(move |p| (0..p.len()).map(move |k| self.view(p, k)))
    }

    /// (kind, state) of every record, in file order.
    pub fn kinds_and_states(&self) -> impl Iterator<Item = (Sym, Sym)> + '_ {
        self.parts.iter().flat_map(move |p| {
            p.classes.iter().map(move |c| {
                self.classes.get(usize::from(*c)).copied().unwrap_or((Sym(0), Sym(0)))
            })
        })
    }

    /// Records whose owner names no user, with that owner id, in file order.
    pub fn dangling(&self) -> impl Iterator<Item = (RecordIx, &str)> + '_ {
        self.parts.iter().zip(&self.starts).flat_map(|(p, start)| {
            // From the owner column while it is there, else from what it left: one of the
            // two is always empty.
            let rows = p.dangling_rows.iter().copied().chain(p.dangling_owners());
            rows.map(move |(k, d)| (RecordIx(start + k), p.dangling.get(d as usize)))
        })
    }

    /// The owner of each record as a user index, `None` when it has none that exists
    /// (none at all once the owners are dropped).
    pub(super) fn owner_ixs(&self) -> impl Iterator<Item = Option<u32>> + Clone + '_ {
        self.parts.iter().flat_map(|p| p.owners.iter().map(|o| (*o & DANGLING == 0).then_some(*o)))
    }

    /// Gives up the owner column once the store has grouped the records by owner (ten
    /// million owners are 40 MB that nothing reads again): only the owners that name no
    /// user stay, by record.
    pub(super) fn drop_owners(&mut self) {
        self.parts.par_iter_mut().for_each(|p| {
            p.dangling_rows = p.dangling_owners().collect();
            p.owners = Vec::new();
        });
    }

    /// Pairs (first, repeat) of records with the same id, by repeat. Hashes are sorted, so
    /// strings are compared only where two hashes are equal.
    pub fn duplicates(&self) -> Vec<(RecordIx, RecordIx)> {
        let hasher = rustc_hash::FxBuildHasher;
        let hash = |id: &str| hasher.hash_one(id) as u32;
        let mut hashes: Vec<u32> = Vec::with_capacity(self.len);
        for p in &self.parts {
            let at = hashes.len();
            hashes.resize(at + p.len(), 0);
            if let Some(slot) = hashes.get_mut(at..) {
                slot.par_iter_mut().enumerate().for_each(|(k, h)| *h = hash(p.ids.get(k)));
            }
        }
        hashes.par_sort_unstable();
        let repeated: rustc_hash::FxHashSet<u32> =
            hashes.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0]).collect();
        drop(hashes);
        if repeated.is_empty() {
            return Vec::new();
        }
        let mut suspects: Vec<(&str, u32)> = self
            .parts
            .par_iter()
            .zip(&self.starts)
            .flat_map_iter(|(p, start)| {
                let repeated = &repeated;
                (0..p.len()).filter_map(move |k| {
                    let id = p.ids.get(k);
                    repeated.contains(&hash(id)).then_some((id, start + k as u32))
                })
            })
            .collect();
        suspects.par_sort_unstable();
        let mut out = Vec::new();
        for run in suspects.chunk_by(|a, b| a.0 == b.0) {
            if let Some((_, first)) = run.first() {
                out.extend(run.iter().skip(1).map(|(_, r)| (RecordIx(*first), RecordIx(*r))));
            }
        }
        out.sort_by_key(|(_, repeat)| *repeat);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(rows: &[(&str, u32, u32, Link<UserIx, &str>)]) -> RecordPart {
        let mut p = RecordPart::default();
        for (id, k, s, o) in rows {
            p.push(id, Sym(*k), Sym(*s), *o).unwrap();
        }
        p
    }

    #[test]
    fn records_round_trip_through_the_parts() {
        let mut r = Records::default();
        let intern = |_: &str| Sym(99);
        r.push(
            part(&[("a1", 1, 2, Link::To(UserIx(7))), ("b22", 3, 2, Link::Dangling("ghost"))]),
            intern,
        )
        .unwrap();
        r.push(RecordPart::default(), intern).unwrap();
        let mut p = RecordPart::default();
        let new = p.symbol(&|_: &str| None, "brand-new");
        p.push("", Sym(1), Sym(2), Link::None).unwrap();
        p.push("c3", new, Sym(2), Link::Dangling("x")).unwrap();
        r.push(p, intern).unwrap();
        let got: Vec<Record<'_>> = r.iter().collect();
        assert_eq!(r.len(), 4);
        assert_eq!(got[0], Record { id: "a1", kind: Sym(1), state: Sym(2) });
        assert_eq!(got[2], Record { id: "", kind: Sym(1), state: Sym(2) });
        assert_eq!(got[3], Record { id: "c3", kind: Sym(99), state: Sym(2) });
        for (i, rec) in got.iter().enumerate() {
            assert_eq!(r.get(RecordIx(i as u32)), *rec);
        }
        let dangling = [(RecordIx(1), "ghost"), (RecordIx(3), "x")];
        assert_eq!(r.dangling().collect::<Vec<_>>(), dangling);
        assert_eq!(r.owner_ixs().collect::<Vec<_>>(), [Some(7), None, None, None]);
        // Once the store has grouped the records by owner, the dangling owners stay.
        let mut dropped = r.clone();
        dropped.drop_owners();
        assert_eq!(dropped.owner_ixs().count(), 0);
        assert_eq!(dropped.dangling().collect::<Vec<_>>(), dangling);
        assert_eq!(dropped.iter().collect::<Vec<_>>(), got);
    }

    #[test]
    fn duplicates_pair_each_repeat_with_the_first() {
        let mut r = Records::default();
        for ids in [&["x", "y", "x"][..], &["z", "y", "x"][..]] {
            let mut p = RecordPart::default();
            for id in ids {
                p.push(id, Sym(0), Sym(0), Link::None).unwrap();
            }
            r.push(p, |_| Sym(0)).unwrap();
        }
        let d = |a, b| (RecordIx(a), RecordIx(b));
        assert_eq!(r.duplicates(), [d(0, 2), d(1, 4), d(0, 5)]);
    }
}
