//! The column types of the store: strings back to back in one arena, lists of small
//! integers in one array, references to rows packed in a `u32`, and instants as integers.
//! A million users is a handful of vectors, not a million allocations.

use crate::time::Time;

/// The largest arena a column holds (its offsets are `u32`).
pub const MAX_BYTES: usize = u32::MAX as usize;

/// A column outgrew its `u32` offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full;

/// Strings back to back: row `i` is `bytes[ends[i - 1]..ends[i]]`. An empty string is an
/// absent value (the loaders trim cells, and an empty cell means absent).
///
/// A column whose rows all have one length (ids such as `r00000001`, UUIDs, fixed-width
/// record ids of CRMs, or a column no row fills) keeps no offsets at all: row `i` is
/// `bytes[i * width..][..width]`.
/// The first row of another length writes the offsets out, and the column goes on as any
/// other; the two forms hold the same rows and compare equal.
#[derive(Debug, Clone)]
pub struct Strings {
    bytes: String,
    /// Empty while `uniform` holds.
    ends: Vec<u32>,
    /// Every row so far has one length: the offsets are not written out.
    uniform: Option<Uniform>,
}

/// The rows of a [`Strings`] whose rows all have one length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Uniform {
    rows: usize,
    /// 0 when every row is empty (absent).
    width: u32,
}

impl Uniform {
    /// The end of each row, in an arena where the first starts at `base`.
    fn ends(self, base: u32) -> impl Iterator<Item = u32> {
        (1..=self.rows).map(move |i| base + (i as u64 * u64::from(self.width)) as u32)
    }
}

impl Default for Strings {
    fn default() -> Self {
        Strings {
            bytes: String::new(),
            ends: Vec::new(),
            uniform: Some(Uniform { rows: 0, width: 0 }),
        }
    }
}

impl PartialEq for Strings {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.bytes == other.bytes && self.iter().eq(other.iter())
    }
}

impl Eq for Strings {}

impl Strings {
    /// An empty column with room for `bytes` bytes of rows (the offsets get their room when
    /// the first row of another length needs them).
    pub fn with_arena(bytes: usize) -> Self {
        Strings { bytes: String::with_capacity(bytes), ..Strings::default() }
    }

    /// How many rows.
    pub fn len(&self) -> usize {
        match self.uniform {
            Some(u) => u.rows,
            None => self.ends.len(),
        }
    }

    /// Gives back the room reserved beyond what the rows use.
    pub fn shrink_to_fit(&mut self) {
        self.bytes.shrink_to_fit();
        self.ends.shrink_to_fit();
    }

    /// Makes room for the rows of `others`, so that appending them never reallocates
    /// (when they will not all be one length, the offsets are written out now, with room
    /// for every row).
    pub fn reserve_for<'a>(&mut self, others: impl Iterator<Item = &'a Strings> + Clone) {
        self.bytes.reserve(others.clone().map(|o| o.bytes.len()).sum());
        // Whether every column with rows has one and the same width.
        let mine = (!self.is_empty()).then_some(self.uniform);
        let mut width: Option<u32> = None;
        let mut uniform = true;
        let theirs = others.clone().filter(|o| !o.is_empty()).map(|o| o.uniform);
        for form in theirs.chain(mine) {
            match (form, width) {
                (Some(u), None) => width = Some(u.width),
                (Some(u), Some(w)) if u.width == w => {}
                _ => uniform = false,
            }
        }
        if !uniform {
            let rows = others.map(Strings::len).sum();
            self.offsets(rows).reserve(rows);
        }
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes of every row, back to back.
    pub fn arena(&self) -> &str {
        &self.bytes
    }

    /// The offsets, written out from the uniform form if need be, with room for `more`.
    fn offsets(&mut self, more: usize) -> &mut Vec<u32> {
        if let Some(u) = self.uniform.take() {
            self.ends.reserve_exact(u.rows + more);
            self.ends.extend(u.ends(0));
        }
        &mut self.ends
    }

    /// Appends a row.
    pub fn push(&mut self, s: &str) -> Result<(), Full> {
        let end = u32::try_from(self.bytes.len() + s.len()).map_err(|_| Full)?;
        match &mut self.uniform {
            Some(u) if u.rows == 0 || u.width as usize == s.len() => {
                u.width = s.len() as u32;
                u.rows += 1;
            }
            _ => self.offsets(1).push(end),
        }
        self.bytes.push_str(s);
        Ok(())
    }

    /// The byte span of row `i` in [`Strings::arena`].
    pub fn span(&self, i: usize) -> (u32, u32) {
        if let Some(u) = self.uniform {
            // Rows end by `u32::MAX` (the arena's limit), so no product overflows.
            return if i < u.rows {
                (i as u32 * u.width, (i as u32 + 1) * u.width)
            } else {
                (0, 0)
            };
        }
        let start = match i.checked_sub(1) {
            Some(p) => self.ends.get(p).copied().unwrap_or(0),
            None => 0,
        };
        (start, self.ends.get(i).copied().unwrap_or(start))
    }

    /// Row `i` (empty past the end).
    pub fn get(&self, i: usize) -> &str {
        let (a, b) = self.span(i);
        self.bytes.get(a as usize..b as usize).unwrap_or_default()
    }

    /// Row `i`, `None` when empty.
    pub fn value(&self, i: usize) -> Option<&str> {
        Some(self.get(i)).filter(|s| !s.is_empty())
    }

    /// Appends every row of `other`.
    pub fn append(&mut self, other: &Strings) -> Result<(), Full> {
        let base = u32::try_from(self.bytes.len()).map_err(|_| Full)?;
        if self.bytes.len() + other.bytes.len() > MAX_BYTES {
            return Err(Full);
        }
        match (&mut self.uniform, other.uniform) {
            (_, Some(Uniform { rows: 0, .. })) => {}
            (Some(mine), Some(theirs)) if mine.rows == 0 || mine.width == theirs.width => {
                mine.width = theirs.width;
                mine.rows += theirs.rows;
            }
            (_, Some(theirs)) => self.offsets(theirs.rows).extend(theirs.ends(base)),
            (_, None) => {
                let ends = self.offsets(other.ends.len());
                ends.extend(other.ends.iter().map(|e| e + base));
            }
        }
        self.bytes.push_str(&other.bytes);
        Ok(())
    }

    /// Every row, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }
}

/// Lists of `u32` back to back: row `i` is `items[starts[i]..starts[i + 1]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lists {
    starts: Vec<u32>,
    items: Vec<u32>,
}

impl Default for Lists {
    fn default() -> Self {
        Lists { starts: vec![0], items: Vec::new() }
    }
}

impl Lists {
    /// How many rows.
    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// Makes room for the rows of `others`, so that appending them never reallocates.
    pub fn reserve_for<'a>(&mut self, others: impl Iterator<Item = &'a Lists> + Clone) {
        self.items.reserve(others.clone().map(|o| o.items.len()).sum());
        self.starts.reserve(others.map(Lists::len).sum());
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends a row.
    pub fn push(&mut self, items: impl IntoIterator<Item = u32>) -> Result<(), Full> {
        self.items.extend(items);
        self.starts.push(u32::try_from(self.items.len()).map_err(|_| Full)?);
        Ok(())
    }

    /// Row `i` (empty past the end).
    pub fn get(&self, i: usize) -> &[u32] {
        match (self.starts.get(i), self.starts.get(i + 1)) {
            (Some(&a), Some(&b)) => self.items.get(a as usize..b as usize).unwrap_or_default(),
            _ => &[],
        }
    }

    /// Every item, to rewrite them in place (rows keep their lengths).
    pub fn items_mut(&mut self) -> &mut [u32] {
        &mut self.items
    }

    /// Appends every row of `other`, each item passed through `map`.
    pub fn append(&mut self, other: &Lists, map: impl Fn(u32) -> u32) -> Result<(), Full> {
        let base = u32::try_from(self.items.len()).map_err(|_| Full)?;
        if self.items.len() + other.items.len() > MAX_BYTES {
            return Err(Full);
        }
        self.items.extend(other.items.iter().map(|&x| map(x)));
        self.starts.extend(other.starts.iter().skip(1).map(|s| s + base));
        Ok(())
    }
}

/// A reference from one row to another, packed: [`NO_LINK`], a row index, or
/// [`DANGLING`]` | k` for the `k`-th id that no row has (kept in a side column).
pub type PackedLink = u32;

/// The cell is empty.
pub const NO_LINK: u32 = u32::MAX;
/// The flag of a dangling reference.
pub const DANGLING: u32 = 1 << 31;
/// The most rows a table may hold, so that indices never reach [`DANGLING`].
pub const MAX_ROWS: usize = (DANGLING - 1) as usize;

/// An instant in a column: seconds since 1970 (UTC) in a `u32` for the instants from 1970
/// to 2106, which is every instant a user base holds in practice; others, and the rare
/// sub-second parts, are kept on the side so that every time reads back exactly as loaded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Times {
    /// [`NO_TIME`], [`WIDE`], or the seconds since 1970 plus one.
    seconds: Vec<u32>,
    /// (row, seconds since 1970) of the [`WIDE`] rows, by row.
    wide: Vec<(u32, i64)>,
    /// (row, nanoseconds) of the rows with a sub-second part, by row.
    nanos: Vec<(u32, u32)>,
}

/// The value of row `i` in a side table of (row, value) by row.
fn by_row<T: Copy>(table: &[(u32, T)], i: usize) -> Option<T> {
    let k = table.binary_search_by_key(&(i as u32), |(r, _)| *r).ok()?;
    table.get(k).map(|(_, v)| *v)
}

/// `seconds` of an empty cell.
const NO_TIME: u32 = 0;
/// `seconds` of an instant before 1970 or after the `u32` range: see `wide`.
const WIDE: u32 = u32::MAX;

impl Times {
    /// An empty column with room for `rows`.
    pub fn with_capacity(rows: usize) -> Self {
        Times { seconds: Vec::with_capacity(rows), ..Times::default() }
    }

    /// How many rows.
    pub fn len(&self) -> usize {
        self.seconds.len()
    }

    /// Makes room for the rows of `others`, so that appending them never reallocates.
    pub fn reserve_for<'a>(&mut self, others: impl Iterator<Item = &'a Times> + Clone) {
        self.seconds.reserve(others.map(Times::len).sum());
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.seconds.is_empty()
    }

    /// Appends a row.
    pub fn push(&mut self, t: Option<Time>) {
        let row = self.seconds.len() as u32;
        let Some(t) = t else {
            self.seconds.push(NO_TIME);
            return;
        };
        let nanos = t.timestamp_subsec_nanos();
        if nanos != 0 {
            self.nanos.push((row, nanos));
        }
        let seconds = t.timestamp();
        match u32::try_from(seconds + 1).ok().filter(|s| *s != NO_TIME && *s != WIDE) {
            Some(s) => self.seconds.push(s),
            None => {
                self.wide.push((row, seconds));
                self.seconds.push(WIDE);
            }
        }
    }

    /// Row `i`.
    pub fn get(&self, i: usize) -> Option<Time> {
        let seconds = match *self.seconds.get(i)? {
            NO_TIME => return None,
            WIDE => by_row(&self.wide, i)?,
            s => i64::from(s) - 1,
        };
        Time::from_timestamp(seconds, by_row(&self.nanos, i).unwrap_or(0))
    }

    /// Appends every row of `other`.
    pub fn append(&mut self, other: &Times) {
        let base = self.seconds.len() as u32;
        self.seconds.extend_from_slice(&other.seconds);
        self.wide.extend(other.wide.iter().map(|(r, s)| (r + base, *s)));
        self.nanos.extend(other.nanos.iter().map(|(r, n)| (r + base, *n)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_lists_and_times_round_trip() {
        let mut s = Strings::default();
        s.push("ab").unwrap();
        s.push("").unwrap();
        s.push("cde").unwrap();
        let mut t = Strings::default();
        t.push("f").unwrap();
        s.append(&t).unwrap();
        assert_eq!(s.iter().collect::<Vec<_>>(), ["ab", "", "cde", "f"]);
        assert_eq!((s.value(1), s.value(3)), (None, Some("f")));
        assert_eq!(s.get(9), "");

        let mut l = Lists::default();
        l.push([1, 2]).unwrap();
        l.push([]).unwrap();
        let mut m = Lists::default();
        m.push([7]).unwrap();
        l.append(&m, |x| x + 10).unwrap();
        assert_eq!((l.len(), l.get(0), l.get(1), l.get(2)), (3, &[1, 2][..], &[][..], &[17][..]));

        let exact = crate::time::parse_time("2026-11-02T08:15:00.123456789Z");
        let whole = crate::time::parse_time("1969-12-31T23:59:59Z");
        let mut times = Times::default();
        times.push(exact);
        times.push(None);
        let mut more = Times::default();
        more.push(whole);
        more.push(exact);
        times.append(&more);
        assert_eq!((0..4).map(|i| times.get(i)).collect::<Vec<_>>(), [exact, None, whole, exact]);
    }

    /// A column built row by row from `rows`.
    fn pushed(rows: &[String]) -> Strings {
        let mut s = Strings::default();
        for r in rows {
            s.push(r).unwrap();
        }
        s
    }

    /// What every reader of a column sees must not depend on its form: the rows, their
    /// spans in the arena, emptiness past the end, and equality.
    fn same_rows(s: &Strings, rows: &[String]) {
        assert_eq!(s.len(), rows.len());
        assert_eq!(s.arena(), rows.concat());
        let mut at = 0u32;
        for (i, r) in rows.iter().enumerate() {
            assert_eq!(s.get(i), r);
            assert_eq!(s.span(i), (at, at + r.len() as u32), "row {i}");
            at += r.len() as u32;
        }
        assert_eq!(s.get(rows.len()), "");
        assert_eq!(s.get(rows.len() + 5), "");
    }

    #[test]
    fn a_column_of_one_width_keeps_no_offsets_until_a_row_of_another() {
        let ids: Vec<String> = (0..100).map(|i| format!("r{i:08}")).collect();
        let s = pushed(&ids);
        assert!(s.uniform.is_some() && s.ends.is_empty());
        same_rows(&s, &ids);
        let mut more = ids.clone();
        more.push("r1".to_owned());
        more.push(String::new());
        let t = pushed(&more);
        assert!(t.uniform.is_none());
        same_rows(&t, &more);
        // A column no row fills costs nothing either; one filled row writes the offsets.
        let holes = pushed(&[String::new(), String::new()]);
        assert!(holes.uniform.is_some() && holes.arena().is_empty());
        same_rows(&holes, &[String::new(), String::new()]);
        assert_eq!((holes.value(0), holes.value(9)), (None, None));
        let filled = pushed(&[String::new(), "a".to_owned(), String::new()]);
        assert!(filled.uniform.is_none());
        same_rows(&filled, &[String::new(), "a".to_owned(), String::new()]);
    }

    proptest::proptest! {
        /// Any instant roster reads (years 1 to 9999, with or without a sub-second part),
        /// the edges of the narrow form among them, or none: each row reads back exactly,
        /// pushed one by one or appended in two parts.
        #[test]
        fn times_read_back_exactly(
            rows in proptest::collection::vec(
                proptest::option::of((
                    proptest::prop_oneof![
                        -62_135_596_800i64..=253_402_300_799,
                        -2i64..=2,
                        i64::from(u32::MAX) - 3..=i64::from(u32::MAX) + 1,
                    ],
                    proptest::prop_oneof![proptest::strategy::Just(0u32), 0u32..1_000_000_000],
                )),
                0..30,
            ),
            cut in 0usize..30,
        ) {
            let rows: Vec<Option<Time>> =
                rows.into_iter().map(|t| t.and_then(|(s, n)| Time::from_timestamp(s, n))).collect();
            let cut = cut.min(rows.len());
            let mut whole = Times::default();
            let (mut first, mut second) = (Times::default(), Times::default());
            for (i, t) in rows.iter().enumerate() {
                whole.push(*t);
                if i < cut { first.push(*t) } else { second.push(*t) }
            }
            first.append(&second);
            for (i, t) in rows.iter().enumerate() {
                proptest::prop_assert_eq!(whole.get(i), *t, "row {}", i);
                proptest::prop_assert_eq!(first.get(i), *t, "row {} appended", i);
            }
            proptest::prop_assert_eq!(whole.get(rows.len()), None);
            proptest::prop_assert_eq!(&first, &whole);
        }

        /// Rows of a few lengths (the empty one among them), pushed one by one or as
        /// chunks appended in any cut, with or without room reserved first: the same rows,
        /// and equal columns.
        #[test]
        fn both_forms_hold_the_same_rows(
            rows in proptest::collection::vec(
                proptest::sample::select(vec!["", "ab", "cd", "xyz", "abcd"]), 0..40),
            cuts in proptest::collection::vec(0usize..40, 0..6),
            reserve in proptest::bool::ANY,
        ) {
            let rows: Vec<String> = rows.into_iter().map(str::to_owned).collect();
            let whole = pushed(&rows);
            same_rows(&whole, &rows);
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(rows.len())).collect();
            cuts.push(0);
            cuts.push(rows.len());
            cuts.sort_unstable();
            let chunks: Vec<Strings> = cuts.windows(2).map(|w| pushed(&rows[w[0]..w[1]])).collect();
            let mut joined = Strings::default();
            if reserve {
                joined.reserve_for(chunks.iter());
            }
            for c in &chunks {
                joined.append(c).unwrap();
            }
            same_rows(&joined, &rows);
            proptest::prop_assert_eq!(&joined, &whole);
            proptest::prop_assert_eq!(joined.uniform.is_some(), whole.uniform.is_some());
        }
    }
}
