//! Id -> dense index, for the joins of loading (ten million record owners looked up in a
//! million user ids). The ids are the rows of a [`Strings`] column, which the table does not
//! copy: each slot packs a hash tag and the row, so a million ids take 16 MB of slots, and a
//! lookup touches one slot and, almost always, exactly one id (whose place in the arena
//! costs nothing to find in a column of one width). Lookups come in batches whose slots,
//! then ids, are fetched ahead, so that their cache misses overlap.

use super::columns::Strings;
use std::hash::BuildHasher;

/// The ids of one [`Strings`] column, by row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdMap {
    len: u32,
    /// `[hash tag, row + 1]`, or both zero for an empty slot; the length is a power of two.
    slots: Vec<[u32; 2]>,
}

/// A well-mixed 64-bit hash: Fx, then the MurmurHash3 finaliser, so that both the slot
/// (low bits) and the tag (high bits) vary with every byte of the id.
fn hash(id: &str) -> u64 {
    let mut h = rustc_hash::FxBuildHasher.hash_one(id);
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// Asks the processor to fetch the cache line of `value` (a hint: it never faults).
#[inline(always)]
fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: prefetching is a hint; it reads nothing and cannot fault, whatever the
        // address. SSE is part of every x86-64 processor.
        unsafe { _mm_prefetch::<_MM_HINT_T0>((value as *const T).cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

/// How many lookups of a batch are in flight at once.
const BATCH: usize = 16;

impl IdMap {
    /// A table with room for `rows` ids without rehashing.
    pub fn with_capacity(rows: usize) -> Self {
        let mut size = 16usize;
        while size < rows.saturating_mul(2) {
            size *= 2;
        }
        IdMap { len: 0, slots: vec![[0; 2]; size] }
    }

    /// How many ids there are.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The index of `id` among the rows of `ids`.
    pub fn get(&self, ids: &Strings, id: &str) -> Option<u32> {
        self.find(ids, id, hash(id)).ok()
    }

    /// The indices of `keys` (`None`: no row has it), into `out`, in batches whose slots
    /// are fetched ahead.
    pub fn get_many<'k>(
        &self,
        ids: &Strings,
        keys: impl IntoIterator<Item = &'k str>,
        out: &mut Vec<Option<u32>>,
    ) {
        let arena = ids.arena().as_bytes();
        let mask = self.slots.len().wrapping_sub(1);
        let mut keys = keys.into_iter();
        loop {
            let mut batch = [""; BATCH];
            let mut hashes = [0u64; BATCH];
            let mut n = 0;
            for ((key, h), k) in batch.iter_mut().zip(&mut hashes).zip(keys.by_ref()) {
                *key = k;
                *h = hash(k);
                if let Some(slot) = self.slots.get(*h as usize & mask) {
                    prefetch(slot);
                }
                n += 1;
            }
            // The home slots have arrived (or are on their way): fetch ahead the ids they
            // point at, the second miss of a lookup, before comparing any.
            for h in hashes.iter().take(n) {
                if let Some(slot) = self.slots.get(*h as usize & mask) {
                    if slot[0] == (*h >> 32) as u32 && slot[1] != 0 {
                        let (start, _) = ids.span(slot[1] as usize - 1);
                        if let Some(b) = arena.get(start as usize) {
                            prefetch(b);
                        }
                    }
                }
            }
            for (key, h) in batch.iter().zip(hashes).take(n) {
                out.push(self.find(ids, key, h).ok());
            }
            if n < BATCH {
                return;
            }
        }
    }

    /// `Ok(index)` of `id`, or `Err(slot)` where it would go.
    fn find(&self, ids: &Strings, id: &str, h: u64) -> Result<u32, usize> {
        if self.slots.is_empty() {
            return Err(0);
        }
        let mask = self.slots.len() - 1;
        let tag = (h >> 32) as u32;
        let mut pos = h as usize & mask;
        loop {
            let Some(slot) = self.slots.get(pos) else { return Err(pos) };
            if slot[1] == 0 {
                return Err(pos);
            }
            if slot[0] == tag && ids.get(slot[1] as usize - 1) == id {
                return Ok(slot[1] - 1);
            }
            pos = (pos + 1) & mask;
        }
    }

    /// Fetches ahead the slot where row `row` of `ids` starts its probe, for an
    /// [`IdMap::insert`] of that row soon after: rows enter one by one, in file order, and
    /// each insert is otherwise a cache miss nothing overlaps. A row past the end is
    /// ignored.
    pub fn prefetch_row(&self, ids: &Strings, row: usize) {
        if row >= ids.len() || self.slots.is_empty() {
            return;
        }
        let h = hash(ids.get(row));
        if let Some(slot) = self.slots.get(h as usize & (self.slots.len() - 1)) {
            prefetch(slot);
        }
    }

    /// Adds row `row` of `ids` (its index is the row) and returns it, or returns `Err` with
    /// the row that already has its id (nothing is added). Also `Err(u32::MAX)` for a row
    /// past `u32::MAX - 1`.
    pub fn insert(&mut self, ids: &Strings, row: usize) -> Result<u32, u32> {
        if (self.len() + 1) * 2 > self.slots.len() {
            self.grow(ids);
        }
        let id = ids.get(row);
        let h = hash(id);
        let pos = match self.find(ids, id, h) {
            Ok(existing) => return Err(existing),
            Err(pos) => pos,
        };
        let index = u32::try_from(row).ok().filter(|i| *i < u32::MAX - 1).ok_or(u32::MAX)?;
        self.len += 1;
        if let Some(s) = self.slots.get_mut(pos) {
            *s = [(h >> 32) as u32, index + 1];
        }
        Ok(index)
    }

    fn grow(&mut self, ids: &Strings) {
        let size = (self.slots.len() * 2).max(16);
        let old = std::mem::replace(&mut self.slots, vec![[0; 2]; size]);
        let mask = size - 1;
        for slot in old.into_iter().filter(|s| s[1] != 0) {
            let h = hash(ids.get(slot[1] as usize - 1));
            let mut pos = h as usize & mask;
            while self.slots.get(pos).is_some_and(|s| s[1] != 0) {
                pos = (pos + 1) & mask;
            }
            if let Some(s) = self.slots.get_mut(pos) {
                *s = slot;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_get_dense_indices_in_insertion_order() {
        let mut ids = Strings::default();
        for i in 0..1000 {
            ids.push(&format!("u{i:05}")).unwrap();
        }
        ids.push("u00007").unwrap();
        ids.push("").unwrap();
        let mut m = IdMap::default();
        assert_eq!(m.get(&ids, "a"), None);
        for i in 0..1000 {
            assert_eq!(m.insert(&ids, i), Ok(i as u32));
        }
        assert_eq!(m.insert(&ids, 1000), Err(7));
        assert_eq!(m.insert(&ids, 1001), Ok(1001));
        for i in 0..1000 {
            assert_eq!(m.get(&ids, ids.get(i)), Some(i as u32));
        }
        assert_eq!(m.get(&ids, ""), Some(1001));
        assert_eq!(m.get(&ids, "u1"), None);
        assert_eq!(m.len(), 1001);
        let keys = ["u00003", "nobody", "u00999", ""];
        let mut out = Vec::new();
        m.get_many(&ids, keys, &mut out);
        assert_eq!(out, [Some(3), None, Some(999), Some(1001)]);
    }

    #[test]
    fn ids_of_one_width_are_found_the_same() {
        // Such a column keeps no offsets: each id's place is worked out from its row.
        let mut ids = Strings::default();
        let mut m = IdMap::default();
        for i in 0..5000 {
            ids.push(&format!("r{i:08}")).unwrap();
            assert_eq!(m.insert(&ids, i), Ok(i as u32));
        }
        ids.push("r00000042").unwrap();
        assert_eq!(m.insert(&ids, 5000), Err(42));
        let keys: Vec<String> = (0..6000).map(|i| format!("r{i:08}")).collect();
        let mut out = Vec::new();
        m.get_many(&ids, keys.iter().map(String::as_str), &mut out);
        let want: Vec<Option<u32>> = (0..6000).map(|i| (i < 5000).then_some(i)).collect();
        assert_eq!(out, want);
    }
}
