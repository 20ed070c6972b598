//! Bounded-confidence opinion dynamics: the reference update rules, as pure step functions.
//!
//! Agents heed only opinions closer than a confidence bound ε. Deffuant–Weisbuch pairs meet at
//! random and compromise; Hegselmann–Krause moves everyone at once to their neighbourhood mean,
//! in O(N log N) (one sort, compensated prefix sums, sliding windows). Nothing here allocates or
//! draws randomness except from the `Rng` it is handed. References: Deffuant, Neau, Amblard &
//! Weisbuch 2000, Adv. Complex Syst. 3; Hegselmann & Krause 2002, JASSS 5(3); Fortunato 2005,
//! Int. J. Mod. Phys. C 16.

use rand::Rng;

use crate::kernel::rng::below;

/// One Deffuant–Weisbuch encounter of agents `i` and `j`: if `|x_i − x_j| < eps` (strict), both
/// move the fraction `mu` of the way toward the other's old opinion:
/// `x_i += mu (x_j − x_i)`, `x_j += mu (x_i − x_j)`. Returns whether they interacted.
///
/// With `mu ∈ [0, 0.5]` both stay between the two old opinions (`mu = 0.5`: they meet halfway).
#[inline]
pub fn deffuant_pair(x: &mut [f64], i: usize, j: usize, eps: f64, mu: f64) -> bool {
    let (a, b) = (x[i], x[j]);
    if (a - b).abs() < eps {
        x[i] = a + mu * (b - a);
        x[j] = b + mu * (a - b);
        true
    } else {
        false
    }
}

/// The weighted Deffuant–Weisbuch encounter: as [`deffuant_pair`], but agent `i` moves by
/// `mu_i = mu · 2 w_j / (w_i + w_j)` and agent `j` by `mu_j = mu · 2 w_i / (w_i + w_j)`.
///
/// A heavier partner pulls harder and a heavier agent moves less; `w_i mu_i = w_j mu_j`, so the
/// weighted mean `w_i x_i + w_j x_j` is conserved (as the plain mean is in the unweighted rule).
/// With equal weights the factor `2 w / (w + w)` is exactly 1.0 in floating point, so the result
/// is bit-for-bit that of [`deffuant_pair`]. Weights must be positive and finite; with
/// `mu ≤ 0.5` neither agent moves past the other (`mu_i < 2 mu ≤ 1`).
#[inline]
pub fn deffuant_pair_weighted(
    x: &mut [f64],
    w: &[f64],
    i: usize,
    j: usize,
    eps: f64,
    mu: f64,
) -> bool {
    let (a, b) = (x[i], x[j]);
    if (a - b).abs() < eps {
        let (wi, wj) = (w[i], w[j]);
        let total = wi + wj;
        let mu_i = mu * (2.0 * wj / total);
        let mu_j = mu * (2.0 * wi / total);
        x[i] = a + mu_i * (b - a);
        x[j] = b + mu_j * (a - b);
        true
    } else {
        false
    }
}

/// Draws the pair of one encounter on the complete graph: `i` uniform in `[0, n)`, `j` uniform
/// among the other `n − 1` agents. `n` must be at least 2.
#[inline]
fn random_pair<R: Rng + ?Sized>(rng: &mut R, n: usize) -> (usize, usize) {
    let i = below(rng, n as u64) as usize;
    let mut j = below(rng, (n - 1) as u64) as usize;
    if j >= i {
        j += 1;
    }
    (i, j)
}

/// One Deffuant–Weisbuch sweep on the complete graph: `N = x.len()` encounters, each of a
/// uniformly drawn ordered pair `i ≠ j` (see [`deffuant_pair`]). Returns the largest single
/// move of any opinion during the sweep (0 if nobody interacted).
///
/// Draws exactly two [`below`] values per encounter (the rare rejection inside `below` is a
/// deterministic function of the stream). Fewer than two agents: no draw, returns 0.
///
/// A small max move is not by itself convergence: an isolated pair may simply not have met in
/// this sweep. Confirm with `clusters::is_frozen`.
pub fn deffuant_sweep<R: Rng + ?Sized>(x: &mut [f64], eps: f64, mu: f64, rng: &mut R) -> f64 {
    let n = x.len();
    if n < 2 {
        return 0.0;
    }
    let mut max_move = 0.0f64;
    for _ in 0..n {
        let (i, j) = random_pair(rng, n);
        let (a, b) = (x[i], x[j]);
        if deffuant_pair(x, i, j, eps, mu) {
            max_move = max_move.max((x[i] - a).abs()).max((x[j] - b).abs());
        }
    }
    max_move
}

/// [`deffuant_sweep`] with the weighted encounter [`deffuant_pair_weighted`]. Draws exactly the
/// same pairs as the unweighted sweep from the same stream, so with equal weights it reproduces
/// it bit for bit.
pub fn deffuant_sweep_weighted<R: Rng + ?Sized>(
    x: &mut [f64],
    w: &[f64],
    eps: f64,
    mu: f64,
    rng: &mut R,
) -> f64 {
    sweep_weighted::<R, true>(x, w, eps, mu, rng)
}

/// [`deffuant_sweep_weighted`] without the largest move: the same pairs, the same opinions,
/// for callers that do not read it (the running maximum is a chain through every encounter).
pub fn deffuant_sweep_weighted_untracked<R: Rng + ?Sized>(
    x: &mut [f64],
    w: &[f64],
    eps: f64,
    mu: f64,
    rng: &mut R,
) {
    sweep_weighted::<R, false>(x, w, eps, mu, rng);
}

#[inline(always)]
fn sweep_weighted<R: Rng + ?Sized, const TRACK: bool>(
    x: &mut [f64],
    w: &[f64],
    eps: f64,
    mu: f64,
    rng: &mut R,
) -> f64 {
    let n = x.len();
    assert_eq!(w.len(), n, "one weight per agent");
    if n < 2 {
        return 0.0;
    }
    let mut max_move = 0.0f64;
    for _ in 0..n {
        let (i, j) = random_pair(rng, n);
        let (a, b) = (x[i], x[j]);
        if deffuant_pair_weighted(x, w, i, j, eps, mu) && TRACK {
            max_move = max_move.max((x[i] - a).abs()).max((x[j] - b).abs());
        }
    }
    max_move
}

/// Preallocated working memory of a Hegselmann–Krause step for up to `capacity` agents.
///
/// Keeps the sorting permutation of the previous step: HK preserves the order of opinions, so
/// the next sort starts from nearly sorted input. The result never depends on that leftover
/// order (ties are broken by agent index).
#[derive(Debug, Clone)]
pub struct HkScratch {
    /// The population `idx[..n]` is a permutation of (the last step's number of agents).
    n: usize,
    /// Agent indices sorted by (opinion, index).
    idx: Vec<usize>,
    /// Opinions in that order.
    sorted: Vec<f64>,
    /// Prefix sums of weight × opinion in sorted order, as a compensated (hi, lo) pair.
    wx_hi: Vec<f64>,
    wx_lo: Vec<f64>,
    /// Prefix sums of weights in sorted order, likewise.
    w_hi: Vec<f64>,
    w_lo: Vec<f64>,
}

impl HkScratch {
    /// Scratch for populations of up to `capacity` agents (the only allocation of the HK
    /// functions). One scratch serves trials of different sizes within that bound.
    pub fn new(capacity: usize) -> Self {
        HkScratch {
            n: capacity,
            idx: (0..capacity).collect(),
            sorted: vec![0.0; capacity],
            wx_hi: vec![0.0; capacity + 1],
            wx_lo: vec![0.0; capacity + 1],
            w_hi: vec![0.0; capacity + 1],
            w_lo: vec![0.0; capacity + 1],
        }
    }

    /// The largest population this scratch serves.
    pub fn capacity(&self) -> usize {
        self.idx.len()
    }
}

/// Knuth's TwoSum: `a + b = s + e` exactly.
#[inline]
fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    let e = (a - (s - bb)) + (b - bb);
    (s, e)
}

/// One synchronous Hegselmann–Krause step on the complete graph: `next_i` is the mean of every
/// `x_j` with `|x_i − x_j| ≤ eps` (non-strict; `i` itself included). Returns `max_i |next_i − x_i|`.
///
/// O(N log N): agents are sorted by opinion, each neighbourhood is a contiguous window found by
/// two pointers, and its sum comes from compensated prefix sums (TwoSum hi/lo), so it agrees
/// with the direct mean ([`hk_step_naive`]) to a few ulps; the neighbourhoods themselves are
/// decided by the same comparison and so are identical. The mean is clamped to the window's
/// [min, max], so a cluster of equal opinions is an exact fixed point and HK reaches max change
/// 0 in finitely many steps. `x` and `next` must have the same length, at most the scratch's
/// capacity (else it panics); opinions must be finite.
pub fn hk_step(x: &[f64], next: &mut [f64], eps: f64, scratch: &mut HkScratch) -> f64 {
    hk_core(x, |_| 1.0, next, eps, scratch)
}

/// The weighted Hegselmann–Krause step: `next_i = Σ w_j x_j / Σ w_j` over the same
/// neighbourhood as [`hk_step`]. Weights must be positive and finite. They are first divided by
/// `w[0]` (the mean is scale-free), so equal weights become exactly 1.0 and the result is bit for
/// bit that of [`hk_step`].
pub fn hk_step_weighted(
    x: &[f64],
    w: &[f64],
    next: &mut [f64],
    eps: f64,
    scratch: &mut HkScratch,
) -> f64 {
    assert_eq!(w.len(), x.len(), "one weight per agent");
    if x.is_empty() {
        return 0.0;
    }
    let w0 = w[0];
    hk_core(x, |j| w[j] / w0, next, eps, scratch)
}

/// The shared HK step; `weight(j)` is agent `j`'s weight (1.0 for the unweighted step, which
/// makes `weight × x` exact and the weight sums exact counts).
#[inline]
fn hk_core<W: Fn(usize) -> f64>(
    x: &[f64],
    weight: W,
    next: &mut [f64],
    eps: f64,
    s: &mut HkScratch,
) -> f64 {
    let n = x.len();
    assert_eq!(next.len(), n, "next must have one slot per agent");
    assert!(
        n <= s.capacity(),
        "HkScratch holds at most {} agents, got {n}",
        s.capacity()
    );
    debug_assert!(eps >= 0.0, "confidence bound must be non-negative");

    if s.n != n {
        for (k, slot) in s.idx[..n].iter_mut().enumerate() {
            *slot = k;
        }
        s.n = n;
    }
    let idx = &mut s.idx[..n];
    idx.sort_unstable_by(|&a, &b| x[a].total_cmp(&x[b]).then(a.cmp(&b)));
    let idx = &*idx;
    let sorted = &mut s.sorted[..n];
    let (wx_hi, wx_lo) = (&mut s.wx_hi[..=n], &mut s.wx_lo[..=n]);
    let (w_hi, w_lo) = (&mut s.w_hi[..=n], &mut s.w_lo[..=n]);
    let (mut a_hi, mut a_lo, mut b_hi, mut b_lo) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    wx_hi[0] = 0.0;
    wx_lo[0] = 0.0;
    w_hi[0] = 0.0;
    w_lo[0] = 0.0;
    for (k, &j) in idx.iter().enumerate() {
        let v = x[j];
        let wj = weight(j);
        sorted[k] = v;
        let (h, e) = two_sum(a_hi, wj * v);
        a_hi = h;
        a_lo += e;
        let (h, e) = two_sum(b_hi, wj);
        b_hi = h;
        b_lo += e;
        wx_hi[k + 1] = a_hi;
        wx_lo[k + 1] = a_lo;
        w_hi[k + 1] = b_hi;
        w_lo[k + 1] = b_lo;
    }

    let sorted = &*sorted;
    let (mut lo, mut hi) = (0usize, 0usize);
    let mut max_change = 0.0f64;
    for (k, (&v, &agent)) in sorted.iter().zip(idx).enumerate() {
        // Same comparison as `(x_i - x_j).abs() <= eps`: fl(a - b) = -fl(b - a) exactly.
        while lo < k && v - sorted[lo] > eps {
            lo += 1;
        }
        hi = hi.max(k);
        while hi + 1 < n && sorted[hi + 1] - v <= eps {
            hi += 1;
        }
        let num = (wx_hi[hi + 1] - wx_hi[lo]) + (wx_lo[hi + 1] - wx_lo[lo]);
        let den = (w_hi[hi + 1] - w_hi[lo]) + (w_lo[hi + 1] - w_lo[lo]);
        // max/min rather than clamp: never panics, even on a NaN that slipped in.
        let mean = (num / den).max(sorted[lo]).min(sorted[hi]);
        next[agent] = mean;
        max_change = max_change.max((mean - v).abs());
    }
    max_change
}

/// The definition of [`hk_step`] written out directly, O(N²): for each agent, the plain
/// left-to-right sum of its neighbours' opinions divided by their count. A reference for tests
/// (agrees with `hk_step` to about 1e-15); returns `max_i |next_i − x_i|`.
pub fn hk_step_naive(x: &[f64], next: &mut [f64], eps: f64) -> f64 {
    assert_eq!(next.len(), x.len(), "next must have one slot per agent");
    let mut max_change = 0.0f64;
    for (xi, ni) in x.iter().zip(next.iter_mut()) {
        let (mut sum, mut count) = (0.0f64, 0usize);
        for &xj in x {
            if (xi - xj).abs() <= eps {
                sum += xj;
                count += 1;
            }
        }
        *ni = sum / count as f64;
        max_change = max_change.max((*ni - xi).abs());
    }
    max_change
}

/// The weighted counterpart of [`hk_step_naive`]: `Σ w_j x_j / Σ w_j`, summed directly.
pub fn hk_step_weighted_naive(x: &[f64], w: &[f64], next: &mut [f64], eps: f64) -> f64 {
    assert_eq!(next.len(), x.len(), "next must have one slot per agent");
    assert_eq!(w.len(), x.len(), "one weight per agent");
    let mut max_change = 0.0f64;
    for (xi, ni) in x.iter().zip(next.iter_mut()) {
        let (mut num, mut den) = (0.0f64, 0.0f64);
        for (&xj, &wj) in x.iter().zip(w) {
            if (xi - xj).abs() <= eps {
                num += wj * xj;
                den += wj;
            }
        }
        *ni = num / den;
        max_change = max_change.max((*ni - xi).abs());
    }
    max_change
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::rng::{Purpose, stream, uniform, unit};
    use crate::model::clusters::{
        DEFAULT_MIN_SHARE, count_clusters, is_consensus, is_frozen, major_clusters,
    };

    const N: usize = 1000;
    /// Convergence tolerance: a Deffuant run stops when frozen at this spread, HK when no
    /// opinion moves by more than this.
    const TOL: f64 = 1e-9;
    /// Deffuant sweep cap. Measured with N = 1000, mu = 0.5 over 100 trials per eps: frozen after
    /// 44–48 sweeps at eps = 0.5, but up to ~10^4 at eps ≤ 0.3 (small outlier groups meet rarely).
    const DW_MAX_SWEEPS: usize = 50_000;
    /// HK step cap (measured: at most a few hundred steps near eps = 0.2, 5–50 elsewhere).
    const HK_MAX_STEPS: usize = 5_000;
    /// Gap used to count clusters of a converged run: far above TOL, far below any eps tested.
    const GAP: f64 = 1e-6;
    const SEED: u64 = 2000;

    fn initial(seed: u64, trial: u64, n: usize) -> Vec<f64> {
        let mut r = stream(seed, Purpose::Init, trial);
        (0..n).map(|_| unit(&mut r)).collect()
    }

    fn bounds(x: &[f64]) -> (f64, f64) {
        x.iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            })
    }

    /// Runs Deffuant (complete graph) to a frozen state; returns (opinions, sweeps, frozen).
    fn run_deffuant(eps: f64, mu: f64, trial: u64) -> (Vec<f64>, usize, bool) {
        let mut x = initial(SEED, trial, N);
        let mut rng = stream(SEED, Purpose::Dynamics, trial);
        let mut scratch = Vec::with_capacity(N);
        for sweep in 1..=DW_MAX_SWEEPS {
            let moved = deffuant_sweep(&mut x, eps, mu, &mut rng);
            if moved < TOL && is_frozen(&x, eps, TOL, &mut scratch) {
                return (x, sweep, true);
            }
        }
        (x, DW_MAX_SWEEPS, false)
    }

    /// Runs HK to its fixed point; returns (opinions, steps, converged).
    fn run_hk(eps: f64, trial: u64) -> (Vec<f64>, usize, bool) {
        let mut x = initial(SEED, trial, N);
        let mut next = vec![0.0; N];
        let mut scratch = HkScratch::new(N);
        for step in 1..=HK_MAX_STEPS {
            let moved = hk_step(&x, &mut next, eps, &mut scratch);
            std::mem::swap(&mut x, &mut next);
            if moved < TOL {
                return (x, step, true);
            }
        }
        (x, HK_MAX_STEPS, false)
    }

    #[test]
    fn deffuant_pair_moves_both_toward_each_other_within_eps_only() {
        let mut x = [0.2, 0.4, 0.9];
        assert!(deffuant_pair(&mut x, 0, 1, 0.3, 0.25));
        assert!((x[0] - 0.25).abs() < 1e-15 && (x[1] - 0.35).abs() < 1e-15);
        assert!(!deffuant_pair(&mut x, 1, 2, 0.3, 0.25));
        assert_eq!(x[2], 0.9);
        // The bound is strict: a difference of exactly eps does not interact.
        let mut y = [0.0, 0.25];
        assert!(!deffuant_pair(&mut y, 0, 1, 0.25, 0.5));
        assert_eq!(y, [0.0, 0.25]);
        // mu = 0.5: both land on the midpoint.
        let mut z = [0.25, 0.75];
        assert!(deffuant_pair(&mut z, 1, 0, 0.6, 0.5));
        assert_eq!(z, [0.5, 0.5]);
    }

    #[test]
    fn weighted_pair_reduces_bit_for_bit_and_conserves_weighted_mean() {
        let mut r = stream(3, Purpose::Dynamics, 0);
        for &wv in &[1.0, 0.3, 7.0, 1.0 / 3.0] {
            for _ in 0..1000 {
                let (a, b) = (unit(&mut r), unit(&mut r));
                let mu = uniform(&mut r, 0.0, 0.5);
                let mut x = [a, b];
                let mut y = [a, b];
                let hit = deffuant_pair(&mut x, 0, 1, 0.5, mu);
                assert_eq!(
                    hit,
                    deffuant_pair_weighted(&mut y, &[wv, wv], 0, 1, 0.5, mu)
                );
                assert_eq!(x[0].to_bits(), y[0].to_bits());
                assert_eq!(x[1].to_bits(), y[1].to_bits());
            }
        }
        // Unequal weights: the heavier agent moves less; w_i x_i + w_j x_j is unchanged.
        let w = [3.0, 1.0];
        let mut x = [0.2, 0.6];
        let before = w[0] * x[0] + w[1] * x[1];
        assert!(deffuant_pair_weighted(&mut x, &w, 0, 1, 0.5, 0.5));
        assert!((x[0] - 0.3).abs() < 1e-15, "{x:?}");
        assert!((x[1] - 0.3).abs() < 1e-15, "{x:?}");
        assert!((w[0] * x[0] + w[1] * x[1] - before).abs() < 1e-15);
    }

    #[test]
    fn weighted_sweep_with_equal_weights_reproduces_unweighted_sweep() {
        let mut x = initial(9, 0, 300);
        let mut y = x.clone();
        let w = vec![2.5; 300];
        let mut r1 = stream(9, Purpose::Dynamics, 0);
        let mut r2 = stream(9, Purpose::Dynamics, 0);
        for _ in 0..50 {
            let m1 = deffuant_sweep(&mut x, 0.2, 0.3, &mut r1);
            let m2 = deffuant_sweep_weighted(&mut y, &w, 0.2, 0.3, &mut r2);
            assert_eq!(m1.to_bits(), m2.to_bits());
        }
        assert!(x.iter().zip(&y).all(|(a, b)| a.to_bits() == b.to_bits()));
        assert_eq!(r1.next_u64(), r2.next_u64(), "same number of draws");
    }

    #[test]
    fn weighted_sweep_conserves_weighted_mean_and_bounds() {
        let n = 500;
        let mut x = initial(4, 1, n);
        let mut rw = stream(4, Purpose::Uncertainty, 1);
        let w: Vec<f64> = (0..n).map(|_| uniform(&mut rw, 0.5, 2.0)).collect();
        let mean = |x: &[f64]| x.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>();
        let (m0, (lo, hi)) = (mean(&x), bounds(&x));
        let mut r = stream(4, Purpose::Dynamics, 1);
        for _ in 0..200 {
            deffuant_sweep_weighted(&mut x, &w, 0.3, 0.5, &mut r);
            assert!(x.iter().all(|&v| lo <= v && v <= hi));
        }
        assert!((mean(&x) - m0).abs() < 1e-10, "{} vs {m0}", mean(&x));
    }

    #[test]
    fn deffuant_sweep_is_deterministic_and_skips_tiny_populations() {
        let mut a = initial(5, 0, 200);
        let mut b = a.clone();
        let (mut r1, mut r2) = (
            stream(5, Purpose::Dynamics, 0),
            stream(5, Purpose::Dynamics, 0),
        );
        for _ in 0..20 {
            deffuant_sweep(&mut a, 0.3, 0.5, &mut r1);
            deffuant_sweep(&mut b, 0.3, 0.5, &mut r2);
        }
        assert_eq!(a, b);
        let mut one = [0.5];
        let mut r = stream(5, Purpose::Dynamics, 1);
        assert_eq!(deffuant_sweep(&mut one, 0.3, 0.5, &mut r), 0.0);
        assert_eq!(r.next_u64(), stream(5, Purpose::Dynamics, 1).next_u64());
    }

    #[test]
    fn deffuant_opinions_stay_within_initial_range() {
        let mut x = initial(SEED, 11, N);
        let (lo, hi) = bounds(&x);
        let mut r = stream(SEED, Purpose::Dynamics, 11);
        for _ in 0..300 {
            let moved = deffuant_sweep(&mut x, 0.3, 0.5, &mut r);
            assert!(moved <= 0.15);
            assert!(x.iter().all(|&v| lo <= v && v <= hi));
        }
    }

    #[test]
    fn hk_step_agrees_with_naive_definition() {
        let mut scratch = HkScratch::new(N);
        let mut fast = vec![0.0; N];
        let mut slow = vec![0.0; N];
        for trial in 0..3 {
            for &eps in &[0.0, 0.01, 0.1, 0.19, 0.25, 1.0] {
                let mut x = initial(17, trial, N);
                // Follow the fast trajectory, comparing each step against the naive one.
                for _ in 0..12 {
                    let mf = hk_step(&x, &mut fast, eps, &mut scratch);
                    let ms = hk_step_naive(&x, &mut slow, eps);
                    let worst = fast
                        .iter()
                        .zip(&slow)
                        .map(|(a, b)| (a - b).abs())
                        .fold(0.0, f64::max);
                    assert!(worst <= 1e-12, "eps {eps}: differ by {worst:e}");
                    assert!((mf - ms).abs() <= 1e-12);
                    std::mem::swap(&mut x, &mut fast);
                }
            }
        }
        // Ties and repeated values, in a small population.
        let x = [0.5, 0.1, 0.5, 0.3, 0.1, 0.7, 0.5, 0.3];
        let mut scratch = HkScratch::new(x.len());
        let (mut a, mut b) = ([0.0; 8], [0.0; 8]);
        for &eps in &[0.0, 0.2, 0.25, 0.4, 0.6] {
            hk_step(&x, &mut a, eps, &mut scratch);
            hk_step_naive(&x, &mut b, eps);
            assert!(
                a.iter().zip(&b).all(|(p, q)| (p - q).abs() <= 1e-15),
                "{a:?} {b:?}"
            );
        }
        // eps = 0: nobody moves.
        hk_step(&x, &mut a, 0.0, &mut scratch);
        assert_eq!(a, x);
    }

    #[test]
    fn hk_weighted_reduces_to_unweighted_and_agrees_with_naive() {
        let n = 400;
        let mut scratch = HkScratch::new(n);
        let (mut a, mut b) = (vec![0.0; n], vec![0.0; n]);
        for trial in 0..3 {
            let x = initial(21, trial, n);
            for &eps in &[0.05, 0.2, 0.3] {
                let m = hk_step(&x, &mut a, eps, &mut scratch);
                for &wv in &[1.0, 0.3, 7.0, 1.0 / 3.0] {
                    let w = vec![wv; n];
                    let mw = hk_step_weighted(&x, &w, &mut b, eps, &mut scratch);
                    assert_eq!(m.to_bits(), mw.to_bits());
                    assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()));
                }
                let mut rw = stream(21, Purpose::Uncertainty, trial);
                let w: Vec<f64> = (0..n).map(|_| uniform(&mut rw, 0.1, 10.0)).collect();
                hk_step_weighted(&x, &w, &mut a, eps, &mut scratch);
                hk_step_weighted_naive(&x, &w, &mut b, eps);
                let worst = a
                    .iter()
                    .zip(&b)
                    .map(|(p, q)| (p - q).abs())
                    .fold(0.0, f64::max);
                assert!(worst <= 1e-12, "{worst:e}");
            }
        }
    }

    #[test]
    fn hk_result_does_not_depend_on_leftover_scratch_order() {
        let x = initial(8, 0, 300);
        let w: Vec<f64> = (0..300).map(|k| 1.0 + (k % 7) as f64).collect();
        let mut fresh = HkScratch::new(300);
        let mut used = HkScratch::new(300);
        let (mut a, mut b) = (vec![0.0; 300], vec![0.0; 300]);
        hk_step(&initial(8, 1, 300), &mut b, 0.2, &mut used);
        hk_step_weighted(&x, &w, &mut a, 0.2, &mut fresh);
        hk_step_weighted(&x, &w, &mut b, 0.2, &mut used);
        assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()));
    }

    #[test]
    #[should_panic(expected = "at most 2 agents")]
    fn hk_scratch_too_small_is_refused() {
        let x = [0.1, 0.2, 0.3];
        let mut next = [0.0; 3];
        hk_step(&x, &mut next, 0.1, &mut HkScratch::new(2));
    }

    #[test]
    fn one_hk_scratch_serves_populations_of_any_size_up_to_capacity() {
        let mut shared = HkScratch::new(N);
        for &n in &[N, 10, 500, 1, 0, 999, N] {
            let x = initial(13, n as u64, n);
            let (mut a, mut b) = (vec![0.0; n], vec![0.0; n]);
            let ma = hk_step(&x, &mut a, 0.2, &mut shared);
            let mb = hk_step(&x, &mut b, 0.2, &mut HkScratch::new(n));
            assert_eq!(ma.to_bits(), mb.to_bits());
            assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()));
            hk_step_naive(&x, &mut b, 0.2);
            assert!(a.iter().zip(&b).all(|(p, q)| (p - q).abs() <= 1e-12));
        }
    }

    #[test]
    fn hk_opinions_stay_within_initial_range_and_reach_an_exact_fixed_point() {
        for &eps in &[0.1, 0.2, 0.3] {
            let mut x = initial(SEED, 5, N);
            let (lo, hi) = bounds(&x);
            let mut next = vec![0.0; N];
            let mut scratch = HkScratch::new(N);
            let mut fixed = false;
            for _ in 0..HK_MAX_STEPS {
                let moved = hk_step(&x, &mut next, eps, &mut scratch);
                assert!(next.iter().all(|&v| lo <= v && v <= hi));
                std::mem::swap(&mut x, &mut next);
                if moved == 0.0 {
                    fixed = true;
                    break;
                }
            }
            assert!(fixed, "eps {eps}: no exact fixed point");
        }
    }

    #[test]
    fn deffuant_large_eps_reaches_complete_consensus() {
        let mut scratch = Vec::with_capacity(N);
        for &eps in &[0.5, 0.6] {
            for trial in 0..3 {
                let (x, sweeps, frozen) = run_deffuant(eps, 0.5, trial);
                assert!(
                    frozen,
                    "eps {eps} trial {trial}: not frozen in {sweeps} sweeps"
                );
                assert_eq!(count_clusters(&x, GAP, &mut scratch), 1, "eps {eps}");
                assert!(is_consensus(&x, GAP, 0.0, &mut scratch));
            }
        }
    }

    #[test]
    fn deffuant_eps_0_2_gives_two_major_clusters() {
        // floor(1 / (2 eps)) = 2. Measured over 100 trials: 2 major clusters in 96, 3 in 4.
        let mut scratch = Vec::with_capacity(N);
        let mut counts = Vec::new();
        for trial in 0..4 {
            let (x, sweeps, frozen) = run_deffuant(0.2, 0.5, trial);
            assert!(frozen, "trial {trial}: not frozen in {sweeps} sweeps");
            let majors = major_clusters(&x, GAP, DEFAULT_MIN_SHARE, &mut scratch);
            assert!(!is_consensus(&x, GAP, DEFAULT_MIN_SHARE, &mut scratch));
            counts.push(majors);
        }
        assert!(counts.iter().all(|&m| (2..=3).contains(&m)), "{counts:?}");
        assert!(
            counts.iter().filter(|&&m| m == 2).count() >= 3,
            "{counts:?}"
        );
    }

    #[test]
    fn deffuant_eps_0_1_gives_about_five_major_clusters() {
        // floor(1 / (2 eps)) = 5. Measured over 100 trials: 4 major clusters in 55, 5 in 44.
        let mut scratch = Vec::with_capacity(N);
        let mut counts = Vec::new();
        for trial in 0..5 {
            let (x, sweeps, frozen) = run_deffuant(0.1, 0.5, trial);
            assert!(frozen, "trial {trial}: not frozen in {sweeps} sweeps");
            counts.push(major_clusters(&x, GAP, DEFAULT_MIN_SHARE, &mut scratch));
        }
        let mean = counts.iter().sum::<usize>() as f64 / counts.len() as f64;
        assert!((4.0..=6.0).contains(&mean), "{counts:?}");
        assert!(counts.iter().all(|&m| (3..=7).contains(&m)), "{counts:?}");
    }

    #[test]
    fn hk_consensus_threshold_is_near_0_2() {
        // Fortunato 2005: consensus (every agent in one cluster) above eps_c ≈ 0.2. Measured
        // over 50 trials: 50/50 at 0.3 and 0.25, 6/50 at 0.2, 0/50 at 0.18 and 0.15.
        let trials = 20;
        let mut scratch = Vec::with_capacity(N);
        for &(eps, min_frac, max_frac) in &[
            (0.3, 0.9, 1.0),
            (0.25, 0.9, 1.0),
            (0.2, 0.0, 0.3),
            (0.15, 0.0, 0.0),
        ] {
            let mut consensus = 0;
            for trial in 0..trials {
                let (x, steps, converged) = run_hk(eps, trial);
                assert!(converged, "eps {eps} trial {trial}: {steps} steps");
                if is_consensus(&x, GAP, 0.0, &mut scratch) {
                    consensus += 1;
                }
            }
            let frac = consensus as f64 / trials as f64;
            assert!(
                (min_frac..=max_frac).contains(&frac),
                "eps {eps}: consensus in {consensus}/{trials}"
            );
        }
    }
}
