//! Id -> dense index, for the joins of loading (ten million record owners looked up in a
//! million user ids). The ids sit back to back in one arena and the table holds packed
//! (hash tag, index) words with linear probing, so a lookup touches one table word and,
//! almost always, exactly one id: no pointer chasing through scattered key allocations.

use std::hash::BuildHasher;

/// Interned ids, numbered in insertion order from 0.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdMap {
    ids: String,
    len: u32,
    /// `[hash tag, index + 1, id start, id end]`, or all zero for an empty slot; the length
    /// is a power of two. The id's span sits in the slot so that a lookup costs one miss
    /// for the slot and one for the id bytes, not a third for an offsets table.
    slots: Vec<[u32; 4]>,
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

impl IdMap {
    /// How many ids there are.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Makes room for `more` ids beyond those in, so that inserting them never rehashes.
    pub fn reserve(&mut self, more: usize, bytes: usize) {
        self.ids.reserve(bytes);
        while (self.len() + more) * 2 > self.slots.len() {
            self.grow();
        }
    }

    fn span(&self, slot: &[u32; 4]) -> &str {
        self.ids.get(slot[2] as usize..slot[3] as usize).unwrap_or_default()
    }

    /// The index of `id`.
    pub fn get(&self, id: &str) -> Option<u32> {
        self.find(id, hash(id)).ok()
    }

    /// `Ok(index)` of `id`, or `Err(slot)` where it would go.
    fn find(&self, id: &str, h: u64) -> Result<u32, usize> {
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
            if slot[0] == tag && self.span(slot) == id {
                return Ok(slot[1] - 1);
            }
            pos = (pos + 1) & mask;
        }
    }

    /// Adds `id` with the next index and returns it, or returns `Err` with the index it
    /// already has (nothing is added). Also `Err(u32::MAX)` past `u32::MAX - 1` ids or
    /// 4 GiB of id bytes.
    pub fn insert(&mut self, id: &str) -> Result<u32, u32> {
        if (self.len() + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let h = hash(id);
        let pos = match self.find(id, h) {
            Ok(existing) => return Err(existing),
            Err(pos) => pos,
        };
        let index = Some(self.len).filter(|i| *i < u32::MAX - 1).ok_or(u32::MAX)?;
        let start = u32::try_from(self.ids.len()).map_err(|_| u32::MAX)?;
        let end = u32::try_from(self.ids.len() + id.len()).map_err(|_| u32::MAX)?;
        self.ids.push_str(id);
        self.len += 1;
        if let Some(s) = self.slots.get_mut(pos) {
            *s = [(h >> 32) as u32, index + 1, start, end];
        }
        Ok(index)
    }

    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(16);
        let old = std::mem::replace(&mut self.slots, vec![[0; 4]; size]);
        let mask = size - 1;
        for slot in old.into_iter().filter(|s| s[1] != 0) {
            let h = hash(self.span(&slot));
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
        let mut m = IdMap::default();
        assert_eq!(m.get("a"), None);
        let ids: Vec<String> = (0..1000).map(|i| format!("u{i:05}")).collect();
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(m.insert(id), Ok(i as u32));
        }
        assert_eq!(m.insert("u00007"), Err(7));
        assert_eq!(m.insert(""), Ok(1000));
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(m.get(id), Some(i as u32));
        }
        assert_eq!(m.get(""), Some(1000));
        assert_eq!(m.get("u1"), None);
        assert_eq!(m.len(), 1001);
    }
}
