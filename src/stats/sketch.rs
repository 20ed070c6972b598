//! Quantiles in memory that does not grow with the number of trials, nor (beyond a few bytes
//! per value kept) with the number of turns.
//!
//! A bounded real value (cohesion, credibility…) is counted in a histogram of equal bins over
//! its declared range ([`BINS`] bins for an outcome, [`crate::stats::SERIES_BINS`] for a time
//! series or a per-actor detail): a quantile is reported as the midpoint of the bin that holds
//! it, clamped to the observed min and max, so it is within half a bin, (max − min)/(2·bins),
//! of the exact sample quantile (for [0, 1] and 1,000 bins: 5e-4). Whole numbers (counts,
//! turns) are counted exactly per value. Counts add, so merging is exact and does not depend
//! on order: a run gives the same bytes on any number of threads, and shards, merges and
//! resumed runs give the bytes of one uninterrupted run.
//!
//! **Why the counts are stored in two forms.** A run holds one histogram per option, turn and
//! series (and per option and per-actor detail), so a long horizon holds hundreds of thousands
//! of them; a dense `u64` per bin (8 KB for 1,000 bins) made a 10,000-turn run need 3.8 GB at
//! one trial. The bins themselves (and so every reported quantile) are unchanged, only their
//! storage is compact:
//!
//! - *sparse*: the occupied bins in increasing order, 4 bytes each (`u16` bin, `u16` count),
//!   while they are at most a quarter of the bins; a histogram of one trial holds one pair, a
//!   block's partial histogram at most one pair per trial;
//! - *dense*: a count per bin in the narrowest whole type that holds the largest count: a byte
//!   per bin (1 KB for 1,000 bins) until a bin passes 255, two bytes until one passes 65,535,
//!   and so on, so counts stay exact at any number of trials.
//!
//! A histogram of 1,000 bins therefore takes at most 1 KB while no bin holds more than 255
//! values, 2 KB up to 65,535 (plus a few words), and far less while few values were pushed.
//! A set of histograms small enough (an ordinary horizon, [`crate::stats::DENSE_BINS`]) starts
//! dense ([`Sketch::make_dense`]): a byte per bin costs little there and is filled fastest. Which form a histogram is
//! in depends on the order values arrived in, never what it holds: equality, quantiles and the
//! stored form ([`Sketch::nonzero`]) see only the counts.

use super::whole::WholeCounts;

/// Number of bins of an outcome's histogram.
pub const BINS: usize = 4000;

/// The most bins a histogram may have (its bin numbers are stored as `u16`).
pub const MAX_BINS: usize = 1 << 16;

/// The counts of a histogram's bins, sparse or dense (see the module docs).
#[derive(Debug, Clone)]
pub enum Counts {
    /// Occupied bins in increasing order, with their counts (each below 65,536).
    Sparse(Vec<(u16, u16)>),
    /// Every bin's count (boxed, so that a sparse histogram stays small).
    Dense(Box<Dense>),
}

/// Every bin's count, in the narrowest whole type that holds the largest of them.
#[derive(Debug, Clone)]
pub enum Dense {
    U8(Vec<u8>),
    U16(Vec<u16>),
    U32(Vec<u32>),
    U64(Vec<u64>),
}

/// A bin's count in one of [`Dense`]'s widths.
trait Count: Copy {
    /// `self + c`, if it fits.
    fn plus(self, c: u64) -> Option<Self>;
    fn wide(self) -> u64;
}

macro_rules! count {
    ($($t:ty),*) => {$(
        impl Count for $t {
            #[inline]
            fn plus(self, c: u64) -> Option<Self> {
                <$t>::try_from(c).ok().and_then(|c| self.checked_add(c))
            }
            #[inline]
            fn wide(self) -> u64 {
                self as u64
            }
        }
    )*};
}
count!(u8, u16, u32, u64);

/// Adds `x`'s counts to `a`'s bin by bin, up to the first sum that does not fit (returned;
/// the length when all fit).
fn zip_add<A: Count, X: Count>(a: &mut [A], x: &[X]) -> usize {
    for (i, (p, &q)) in a.iter_mut().zip(x).enumerate() {
        match p.plus(q.wide()) {
            Some(t) => *p = t,
            None => return i,
        }
    }
    a.len().min(x.len())
}

/// The nonzero counts of `v` with their bins, in order.
fn nonzero_of<T: Count>(v: &[T]) -> Box<dyn Iterator<Item = (usize, u64)> + '_> {
    Box::new(
        v.iter()
            .enumerate()
            .map(|(i, &c)| (i, c.wide()))
            .filter(|&(_, c)| c > 0),
    )
}

impl Dense {
    fn get(&self, i: usize) -> u64 {
        match self {
            Dense::U8(v) => v[i] as u64,
            Dense::U16(v) => v[i] as u64,
            Dense::U32(v) => v[i] as u64,
            Dense::U64(v) => v[i],
        }
    }

    fn len(&self) -> usize {
        match self {
            Dense::U8(v) => v.len(),
            Dense::U16(v) => v.len(),
            Dense::U32(v) => v.len(),
            Dense::U64(v) => v.len(),
        }
    }

    /// Sets bin `i` to `x`, widening every count first if `x` does not fit.
    fn set(&mut self, i: usize, x: u64) {
        let fits = match self {
            Dense::U8(v) => u8::try_from(x).map(|x| v[i] = x).is_ok(),
            Dense::U16(v) => u16::try_from(x).map(|x| v[i] = x).is_ok(),
            Dense::U32(v) => u32::try_from(x).map(|x| v[i] = x).is_ok(),
            Dense::U64(v) => {
                v[i] = x;
                true
            }
        };
        if !fits {
            let all = (0..self.len()).map(|j| self.get(j));
            *self = if x <= u16::MAX as u64 {
                Dense::U16(all.map(|c| c as u16).collect())
            } else if x <= u32::MAX as u64 {
                Dense::U32(all.map(|c| c as u32).collect())
            } else {
                Dense::U64(all.collect())
            };
            self.set(i, x);
        }
    }

    /// Adds `c` to bin `i`: in place while the sum fits the counts' type, else widening
    /// them first.
    #[inline]
    fn add(&mut self, i: usize, c: u64) {
        fn at<T: Count>(v: &mut [T], i: usize, c: u64) -> bool {
            v[i].plus(c).map(|x| v[i] = x).is_some()
        }
        let added = match self {
            Dense::U8(v) => at(v, i, c),
            Dense::U16(v) => at(v, i, c),
            Dense::U32(v) => at(v, i, c),
            Dense::U64(v) => at(v, i, c),
        };
        if !added {
            self.widen_add(i, c);
        }
    }

    /// Adds another histogram's counts, bin by bin.
    fn add_dense(&mut self, x: &Dense) {
        use Dense::*;
        // In place up to the first bin whose sum does not fit (none, usually); from there
        // on, with widening.
        let at = match (&mut *self, x) {
            (U8(a), U8(x)) => zip_add(a, x),
            (U16(a), U8(x)) => zip_add(a, x),
            (U16(a), U16(x)) => zip_add(a, x),
            (U32(a), U8(x)) => zip_add(a, x),
            (U32(a), U16(x)) => zip_add(a, x),
            (U32(a), U32(x)) => zip_add(a, x),
            (U64(a), U8(x)) => zip_add(a, x),
            (U64(a), U16(x)) => zip_add(a, x),
            (U64(a), U32(x)) => zip_add(a, x),
            (U64(a), U64(x)) => zip_add(a, x),
            _ => 0,
        };
        for i in at..x.len() {
            let c = x.get(i);
            if c > 0 {
                self.add(i, c);
            }
        }
    }

    /// [`Dense::add`] when the sum does not fit: kept out of line, it happens a few times per
    /// histogram.
    #[cold]
    #[inline(never)]
    fn widen_add(&mut self, i: usize, c: u64) {
        let x = self.get(i) + c;
        self.set(i, x);
    }

    fn heap_bytes(&self) -> usize {
        std::mem::size_of::<Dense>()
            + match self {
                Dense::U8(v) => v.capacity(),
                Dense::U16(v) => v.capacity() * 2,
                Dense::U32(v) => v.capacity() * 4,
                Dense::U64(v) => v.capacity() * 8,
            }
    }
}

impl Counts {
    /// The occupied bins in increasing order, with their counts.
    fn nonzero(&self) -> Box<dyn Iterator<Item = (usize, u64)> + '_> {
        match self {
            Counts::Sparse(v) => Box::new(v.iter().map(|&(i, c)| (i as usize, c as u64))),
            Counts::Dense(d) => match &**d {
                Dense::U8(v) => nonzero_of(v),
                Dense::U16(v) => nonzero_of(v),
                Dense::U32(v) => nonzero_of(v),
                Dense::U64(v) => nonzero_of(v),
            },
        }
    }

    /// Turns sparse counts dense (`bins` bins).
    fn densify(&mut self, bins: usize) {
        if let Counts::Sparse(v) = self {
            let mut d = Dense::U8(vec![0u8; bins]);
            for &(i, c) in v.iter() {
                d.set(i as usize, c as u64);
            }
            *self = Counts::Dense(Box::new(d));
        }
    }

    /// Whether `len` occupied bins are held more compactly sparse (4 bytes each) than dense
    /// (at least a byte per bin).
    fn sparse_fits(len: usize, bins: usize) -> bool {
        len <= bins / 4
    }

    /// Adds `c` to bin `i` of `bins`.
    #[inline]
    fn add(&mut self, i: usize, c: u64, bins: usize) {
        if let Counts::Sparse(v) = self {
            match v.binary_search_by_key(&(i as u16), |e| e.0) {
                Ok(j) if (v[j].1 as u64) + c < 1 << 16 => {
                    v[j].1 += c as u16;
                    return;
                }
                Err(j) if Self::sparse_fits(v.len() + 1, bins) && c < 1 << 16 => {
                    v.insert(j, (i as u16, c as u16));
                    return;
                }
                _ => self.densify(bins),
            }
        }
        if let Counts::Dense(d) = self {
            d.add(i, c);
        }
    }

    /// Bytes held on the heap.
    fn heap_bytes(&self) -> usize {
        match self {
            Counts::Sparse(v) => v.capacity() * 4,
            Counts::Dense(d) => d.heap_bytes(),
        }
    }
}

/// A mergeable quantile sketch.
#[derive(Debug, Clone)]
pub enum Sketch {
    /// Equal bins over [lo, hi]; values outside are clamped into the end bins.
    Bins {
        lo: f64,
        hi: f64,
        bins: u32,
        counts: Counts,
        n: u64,
    },
    /// Exact counts per whole value.
    Exact { counts: WholeCounts, n: u64 },
}

impl PartialEq for Sketch {
    /// Equal when they count the same values the same way, whatever form the counts are in.
    fn eq(&self, o: &Sketch) -> bool {
        match (self, o) {
            (
                Sketch::Bins {
                    lo, hi, bins, n, ..
                },
                Sketch::Bins {
                    lo: lo2,
                    hi: hi2,
                    bins: bins2,
                    n: n2,
                    ..
                },
            ) => {
                lo.to_bits() == lo2.to_bits()
                    && hi.to_bits() == hi2.to_bits()
                    && bins == bins2
                    && n == n2
                    && self.nonzero().eq(o.nonzero())
            }
            (Sketch::Exact { counts, n }, Sketch::Exact { counts: c2, n: n2 }) => {
                n == n2 && counts == c2
            }
            _ => false,
        }
    }
}

impl Sketch {
    pub fn bounded(lo: f64, hi: f64) -> Sketch {
        Self::bounded_with(lo, hi, BINS)
    }

    /// A bounded histogram with `bins` bins (1 to [`MAX_BINS`]).
    pub fn bounded_with(lo: f64, hi: f64, bins: usize) -> Sketch {
        Sketch::Bins {
            lo,
            hi,
            bins: bins.clamp(1, MAX_BINS) as u32,
            counts: Counts::Sparse(Vec::new()),
            n: 0,
        }
    }

    pub fn exact() -> Sketch {
        Sketch::Exact {
            counts: WholeCounts::default(),
            n: 0,
        }
    }

    /// An empty sketch of the same kind, range and bins.
    pub fn empty_like(&self) -> Sketch {
        match self {
            Sketch::Bins { lo, hi, bins, .. } => Sketch::bounded_with(*lo, *hi, *bins as usize),
            Sketch::Exact { .. } => Sketch::exact(),
        }
    }

    /// Stores a histogram's counts densely from now on (a byte per bin until a bin passes
    /// 255): faster to fill, for sets of histograms small enough to afford it.
    pub fn make_dense(&mut self) {
        if let Sketch::Bins { bins, counts, .. } = self {
            counts.densify(*bins as usize);
        }
    }

    /// The number of bins of a histogram (`None` for exact counts).
    pub fn bins(&self) -> Option<usize> {
        match self {
            Sketch::Bins { bins, .. } => Some(*bins as usize),
            Sketch::Exact { .. } => None,
        }
    }

    /// The accuracy of a reported quantile, in the value's units.
    pub fn accuracy(&self) -> f64 {
        match self {
            Sketch::Bins { lo, hi, bins, .. } => (hi - lo) / (2 * *bins as usize) as f64,
            Sketch::Exact { .. } => 0.0,
        }
    }

    /// The bin of `x` in a histogram over [lo, hi] with `bins` bins.
    #[inline]
    fn bin(lo: f64, hi: f64, bins: usize, x: f64) -> usize {
        let f = (x - lo) / (hi - lo);
        ((f * bins as f64) as isize).clamp(0, bins as isize - 1) as usize
    }

    #[inline]
    pub fn push(&mut self, x: f64) {
        match self {
            Sketch::Bins {
                lo,
                hi,
                bins,
                counts,
                n,
            } => {
                let b = *bins as usize;
                counts.add(Self::bin(*lo, *hi, b, x), 1, b);
                *n += 1;
            }
            Sketch::Exact { counts, n } => {
                counts.add(x.round() as i64, 1);
                *n += 1;
            }
        }
    }

    /// Counts one value in each bin `it` yields: a histogram's bin numbers as
    /// [`Sketch::push`] finds them, or the (non-negative) whole values of exact counts.
    pub fn add_bins(&mut self, it: impl Iterator<Item = u16>) {
        match self {
            Sketch::Bins {
                bins, counts, n, ..
            } => {
                let b = *bins as usize;
                let mut it = it.peekable();
                // Dense counts: their width matched once, then counted in place while the
                // counts fit (a count reaching its type's maximum widens them, below).
                if let Counts::Dense(d) = counts {
                    fn fill<T: Count>(
                        v: &mut [T],
                        it: &mut std::iter::Peekable<impl Iterator<Item = u16>>,
                        n: &mut u64,
                    ) {
                        while let Some(&i) = it.peek() {
                            match v[i as usize].plus(1) {
                                Some(c) => v[i as usize] = c,
                                None => return,
                            }
                            *n += 1;
                            it.next();
                        }
                    }
                    match &mut **d {
                        Dense::U8(v) => fill(v, &mut it, n),
                        Dense::U16(v) => fill(v, &mut it, n),
                        Dense::U32(v) => fill(v, &mut it, n),
                        Dense::U64(v) => fill(v, &mut it, n),
                    }
                }
                for i in it {
                    counts.add(i as usize, 1, b);
                    *n += 1;
                }
            }
            Sketch::Exact { counts, n } => {
                for k in it {
                    counts.add(k as i64, 1);
                    *n += 1;
                }
            }
        }
    }

    /// Adds `c` to bin `i` of a histogram (for reading a stored sketch); `false` if `i` is
    /// past its last bin or the sketch is not a histogram.
    pub fn add_to_bin(&mut self, i: usize, c: u64) -> bool {
        match self {
            Sketch::Bins { bins, counts, .. } if i < *bins as usize => {
                counts.add(i, c, *bins as usize);
                true
            }
            _ => false,
        }
    }

    /// The occupied bins of a histogram in increasing order, with their counts (nothing for
    /// exact counts).
    pub fn nonzero(&self) -> Box<dyn Iterator<Item = (usize, u64)> + '_> {
        match self {
            Sketch::Bins { counts, .. } => counts.nonzero(),
            Sketch::Exact { .. } => Box::new(std::iter::empty()),
        }
    }

    pub fn merge(&mut self, o: &Sketch) {
        match (self, o) {
            (
                Sketch::Bins {
                    bins, counts, n, ..
                },
                Sketch::Bins {
                    counts: c2, n: n2, ..
                },
            ) => {
                let b = *bins as usize;
                match (&mut *counts, c2) {
                    // Both sparse: one pass over both lists, kept sparse if it still fits.
                    (Counts::Sparse(a), Counts::Sparse(x)) => {
                        let mut m = Vec::with_capacity(a.len() + x.len());
                        let (mut i, mut j) = (0, 0);
                        let mut fits = true;
                        while i < a.len() || j < x.len() {
                            let e = match (a.get(i), x.get(j)) {
                                (Some(p), Some(q)) if p.0 == q.0 => {
                                    i += 1;
                                    j += 1;
                                    (p.0, p.1 as u32 + q.1 as u32)
                                }
                                (Some(p), Some(q)) if p.0 < q.0 => {
                                    i += 1;
                                    (p.0, p.1 as u32)
                                }
                                (Some(p), None) => {
                                    i += 1;
                                    (p.0, p.1 as u32)
                                }
                                (_, Some(q)) => {
                                    j += 1;
                                    (q.0, q.1 as u32)
                                }
                                (None, None) => unreachable!(),
                            };
                            if e.1 >= 1 << 16 {
                                fits = false;
                                break;
                            }
                            m.push((e.0, e.1 as u16));
                        }
                        if fits && Counts::sparse_fits(m.len(), b) {
                            *a = m;
                        } else {
                            for (k, c) in c2.nonzero() {
                                counts.add(k, c, b);
                            }
                        }
                    }
                    // Both dense: bin by bin (a block of an ordinary horizon into the run).
                    (Counts::Dense(a), Counts::Dense(x)) => a.add_dense(x),
                    _ => {
                        for (k, c) in c2.nonzero() {
                            counts.add(k, c, b);
                        }
                    }
                }
                *n += n2;
            }
            (Sketch::Exact { counts, n }, Sketch::Exact { counts: c2, n: n2 }) => {
                counts.merge(c2);
                *n += n2;
            }
            _ => panic!("merging sketches of different kinds"),
        }
    }

    pub fn count(&self) -> u64 {
        match self {
            Sketch::Bins { n, .. } | Sketch::Exact { n, .. } => *n,
        }
    }

    /// Bytes this sketch holds, its own size and what it holds on the heap (B-tree nodes
    /// estimated at 16 bytes per entry).
    pub fn bytes(&self) -> usize {
        std::mem::size_of::<Sketch>()
            + match self {
                Sketch::Bins { counts, .. } => counts.heap_bytes(),
                Sketch::Exact { counts, .. } => counts.heap_bytes(),
            }
    }

    /// The q-quantile by the nearest-rank rule (the smallest value with at least q·n values
    /// at or below it), clamped to [min, max]. `None` when empty.
    pub fn quantile(&self, q: f64, min: f64, max: f64) -> Option<f64> {
        let n = self.count();
        if n == 0 {
            return None;
        }
        let rank = ((q * n as f64).ceil() as u64).clamp(1, n);
        let mut seen = 0u64;
        match self {
            Sketch::Bins { lo, hi, bins, .. } => {
                let w = (hi - lo) / *bins as f64;
                for (i, c) in self.nonzero() {
                    seen += c;
                    if seen >= rank {
                        return Some((lo + (i as f64 + 0.5) * w).clamp(min, max));
                    }
                }
                Some(max)
            }
            Sketch::Exact { counts, .. } => {
                for (k, c) in counts.iter() {
                    seen += c;
                    if seen >= rank {
                        return Some(k as f64);
                    }
                }
                Some(max)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adding_bin_numbers_counts_as_pushing_through_every_count_width() {
        // Past 255 and 65,535 in one bin the dense counts widen in the middle of a column.
        let mut pushed = Sketch::bounded_with(0.0, 1.0, 10);
        pushed.make_dense();
        let mut added = pushed.clone();
        let xs: Vec<f64> = (0..70_000)
            .map(|i| if i % 7 == 0 { 0.95 } else { 0.15 })
            .collect();
        for chunk in xs.chunks(300) {
            chunk.iter().for_each(|&x| pushed.push(x));
            added.add_bins(chunk.iter().map(|&x| Sketch::bin(0.0, 1.0, 10, x) as u16));
        }
        assert_eq!(added, pushed);
        assert_eq!(added.count(), 70_000);
        let mut exact = Sketch::exact();
        exact.add_bins([0u16, 1, 1, 4095].into_iter());
        assert_eq!(exact.quantile(1.0, 0.0, 4095.0), Some(4095.0));
        assert_eq!(exact.count(), 4);
    }

    #[test]
    fn bounded_quantiles_are_within_stated_accuracy() {
        let mut s = Sketch::bounded(0.0, 1.0);
        let mut xs: Vec<f64> = (0..10_007)
            .map(|i| ((i as u64 * 2654435761) % 10_007) as f64 / 10_007.0)
            .collect();
        xs.iter().for_each(|&x| s.push(x));
        xs.sort_by(f64::total_cmp);
        for q in [0.05, 0.25, 0.5, 0.75, 0.95] {
            let exact = xs[((q * xs.len() as f64).ceil() as usize).max(1) - 1];
            let got = s.quantile(q, xs[0], xs[xs.len() - 1]).unwrap();
            assert!(
                (got - exact).abs() <= s.accuracy() + 1e-12,
                "q={q} {got} {exact}"
            );
        }
    }

    #[test]
    fn exact_sketch_gives_exact_quantiles_and_merges() {
        let mut a = Sketch::exact();
        let mut b = Sketch::exact();
        for x in [1.0, 2.0, 2.0, 3.0] {
            a.push(x);
        }
        for x in [5.0, 9.0] {
            b.push(x);
        }
        a.merge(&b);
        assert_eq!(a.quantile(0.5, 1.0, 9.0), Some(2.0));
        assert_eq!(a.quantile(0.95, 1.0, 9.0), Some(9.0));
        assert_eq!(a.quantile(0.0, 1.0, 9.0), Some(1.0));
        assert_eq!(Sketch::exact().quantile(0.5, 0.0, 0.0), None);
    }

    /// The counts of a plain dense `u64` histogram (the former storage), for comparison.
    fn reference(lo: f64, hi: f64, bins: usize, xs: &[f64]) -> Vec<(usize, u64)> {
        let mut c = vec![0u64; bins];
        for &x in xs {
            c[Sketch::bin(lo, hi, bins, x)] += 1;
        }
        c.into_iter().enumerate().filter(|&(_, n)| n > 0).collect()
    }

    #[test]
    fn sparse_and_dense_forms_count_the_same_and_merge_in_any_order() {
        // Spread values (dense), a narrow cluster (sparse) and a heavy bin past 255 and
        // 65,535 (widened counts).
        let spread: Vec<f64> = (0..5000)
            .map(|i| (i as f64 * 0.6180339887).fract())
            .collect();
        let narrow: Vec<f64> = (0..300).map(|i| 0.5 + (i % 7) as f64 * 1e-3).collect();
        let heavy = vec![0.25; 70_000];
        for xs in [&spread, &narrow, &heavy] {
            let mut s = Sketch::bounded_with(0.0, 1.0, 1000);
            xs.iter().for_each(|&x| s.push(x));
            assert_eq!(
                s.nonzero().collect::<Vec<_>>(),
                reference(0.0, 1.0, 1000, xs)
            );
            assert_eq!(s.count(), xs.len() as u64);
        }
        // Merging chunks in either order gives the same counts and the same quantiles as
        // pushing everything into one sketch.
        let all: Vec<f64> = spread
            .iter()
            .chain(&narrow)
            .chain(&heavy[..300])
            .copied()
            .collect();
        let mut one = Sketch::bounded_with(0.0, 1.0, 1000);
        all.iter().for_each(|&x| one.push(x));
        let parts: Vec<Sketch> = all
            .chunks(256)
            .map(|c| {
                let mut s = Sketch::bounded_with(0.0, 1.0, 1000);
                c.iter().for_each(|&x| s.push(x));
                s
            })
            .collect();
        let mut fwd = Sketch::bounded_with(0.0, 1.0, 1000);
        parts.iter().for_each(|p| fwd.merge(p));
        let mut back = Sketch::bounded_with(0.0, 1.0, 1000);
        parts.iter().rev().for_each(|p| back.merge(p));
        assert_eq!(fwd, one);
        assert_eq!(back, one);
        // The same, every sketch dense from the start (bins past 255 widen while merging).
        let mut dense = Sketch::bounded_with(0.0, 1.0, 1000);
        dense.make_dense();
        for c in all.chunks(256).chain(std::iter::once(&heavy[..])) {
            let mut s = Sketch::bounded_with(0.0, 1.0, 1000);
            s.make_dense();
            c.iter().for_each(|&x| s.push(x));
            dense.merge(&s);
        }
        let with_heavy: Vec<f64> = all.iter().chain(&heavy).copied().collect();
        assert_eq!(
            dense.nonzero().collect::<Vec<_>>(),
            reference(0.0, 1.0, 1000, &with_heavy)
        );
        for q in [0.05, 0.25, 0.5, 0.75, 0.95] {
            assert_eq!(fwd.quantile(q, 0.0, 1.0), one.quantile(q, 0.0, 1.0));
            assert_eq!(back.quantile(q, 0.0, 1.0), one.quantile(q, 0.0, 1.0));
        }
    }

    #[test]
    fn a_histogram_holds_little_while_few_values_went_in_and_at_most_a_byte_per_bin_until_255() {
        let base = std::mem::size_of::<Sketch>();
        let mut s = Sketch::bounded_with(0.0, 1.0, 1000);
        assert_eq!(s.bytes(), base);
        s.push(0.3);
        assert!(s.bytes() <= base + 16, "{}", s.bytes());
        // 256 values (a block) in at most 256 bins: at most 4 bytes a value.
        for i in 0..255 {
            s.push(i as f64 / 255.0);
        }
        assert!(s.bytes() <= base + 1024 + 64, "{}", s.bytes());
        // 10,000 spread values: one byte per bin while no bin passes 255.
        let mut d = Sketch::bounded_with(0.0, 1.0, 1000);
        for i in 0..10_000 {
            d.push((i as f64 * 0.6180339887).fract());
        }
        assert!(d.bytes() <= base + 1000 + 64, "{}", d.bytes());
        assert!(
            matches!(&d, Sketch::Bins { counts: Counts::Dense(w), .. } if matches!(**w, Dense::U8(_)))
        );
    }
}
