//! Exact counts per whole value, for the quantiles of counts, turns and yes/no outcomes.
//!
//! Most whole outcomes are small and non-negative (a yes/no is 0 or 1, a turn at most the
//! horizon), and a run counts tens of millions of them: the values below [`SMALL`] are
//! counted in a plain array indexed by the value, grown to the largest one seen, and only
//! the rare others (negative or large) in an ordered map. Which store holds a value depends
//! on the value alone, so two counts are equal exactly when they count the same values, and
//! they iterate in increasing order either way.

use std::collections::BTreeMap;

/// Values in `0..SMALL` are counted in the array.
pub const SMALL: i64 = 4096;

/// Counts per whole value (only nonzero counts are held).
#[derive(Debug, Clone, Default)]
pub struct WholeCounts {
    /// `small[k]`: how many times `k` was counted, for `0 <= k < small.len() <= SMALL`.
    small: Vec<u64>,
    /// The counts of values outside `0..SMALL`.
    rest: BTreeMap<i64, u64>,
}

impl WholeCounts {
    /// Adds `c` to value `k`'s count (nothing for `c == 0`).
    #[inline]
    pub fn add(&mut self, k: i64, c: u64) {
        if c == 0 {
            return;
        }
        if (0..SMALL).contains(&k) {
            let i = k as usize;
            if i >= self.small.len() {
                // Exactly as long as the largest value (a yes/no holds two words): a new
                // largest value is rare after the first few trials.
                self.small.reserve_exact(i + 1 - self.small.len());
                self.small.resize(i + 1, 0);
            }
            self.small[i] += c;
        } else {
            *self.rest.entry(k).or_insert(0) += c;
        }
    }

    /// Value `k`'s count.
    pub fn get(&self, k: i64) -> u64 {
        if (0..SMALL).contains(&k) {
            self.small.get(k as usize).copied().unwrap_or(0)
        } else {
            self.rest.get(&k).copied().unwrap_or(0)
        }
    }

    /// The counted values in increasing order, with their (nonzero) counts.
    pub fn iter(&self) -> impl Iterator<Item = (i64, u64)> + '_ {
        let below = self.rest.range(..0).map(|(&k, &c)| (k, c));
        let small = self
            .small
            .iter()
            .enumerate()
            .filter(|&(_, &c)| c > 0)
            .map(|(k, &c)| (k as i64, c));
        let above = self.rest.range(SMALL..).map(|(&k, &c)| (k, c));
        below.chain(small).chain(above)
    }

    /// How many distinct values were counted.
    pub fn len(&self) -> usize {
        self.rest.len() + self.small.iter().filter(|&&c| c > 0).count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds another's counts to these.
    pub fn merge(&mut self, o: &WholeCounts) {
        if o.small.len() > self.small.len() {
            self.small.reserve_exact(o.small.len() - self.small.len());
            self.small.resize(o.small.len(), 0);
        }
        for (a, &b) in self.small.iter_mut().zip(&o.small) {
            *a += b;
        }
        for (&k, &c) in &o.rest {
            *self.rest.entry(k).or_insert(0) += c;
        }
    }

    /// Bytes held on the heap (map nodes estimated at 16 bytes per entry).
    pub fn heap_bytes(&self) -> usize {
        self.small.capacity() * 8 + self.rest.len() * 16
    }
}

impl PartialEq for WholeCounts {
    fn eq(&self, o: &WholeCounts) -> bool {
        self.iter().eq(o.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_like_an_ordered_map_whatever_the_values() {
        let mut w = WholeCounts::default();
        let mut m = BTreeMap::new();
        let mut x = 12345u64;
        for _ in 0..5000 {
            crate::stats::test_word(&mut x);
            let k = match x >> 62 {
                0 => (x >> 40) as i64 % 3,
                1 => -((x >> 40) as i64 % 50),
                2 => (x >> 40) as i64 % 10_000,
                _ => (x >> 33) as i64 - (1 << 30),
            };
            w.add(k, 1);
            *m.entry(k).or_insert(0u64) += 1;
        }
        assert!(w.iter().eq(m.iter().map(|(&k, &c)| (k, c))));
        assert_eq!(w.len(), m.len());
        for k in [-7, 0, 1, 2, 4095, 4096, 9999] {
            assert_eq!(w.get(k), m.get(&k).copied().unwrap_or(0), "{k}");
        }
        // Merging is adding, in any order and whatever the stores' sizes.
        let mut a = WholeCounts::default();
        a.add(1, 2);
        a.add(-3, 1);
        let mut b = WholeCounts::default();
        b.add(7000, 4);
        b.add(5, 1);
        b.add(1, 1);
        let (mut ab, mut ba) = (a.clone(), b.clone());
        ab.merge(&b);
        ba.merge(&a);
        assert_eq!(ab, ba);
        let got: Vec<_> = ab.iter().collect();
        assert_eq!(got, vec![(-3, 1), (1, 3), (5, 1), (7000, 4)]);
        // Zero counts are not held.
        let mut z = WholeCounts::default();
        z.add(3, 0);
        z.add(-3, 0);
        assert!(z.is_empty());
        assert_eq!(z, WholeCounts::default());
    }
}
