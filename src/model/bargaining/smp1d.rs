//! The one-dimensional fast path of KTAB's SMP: coalition strengths and the conditional PCE
//! from sorted positions and prefix sums, in O(n log n + m² log n) instead of O(m² n).
//!
//! The alliance model bargains over one dimension (the common line) at every summit of every
//! trial, where the general loops of [`super::smp`] would dominate a run. On one dimension an
//! actor's vote between two options depends only on which side of them it stands, so each
//! coalition is a handful of prefix-sum differences over the actors sorted by position. The
//! scalar helpers (votes, victory probabilities, the log-space fallback) are those of
//! [`super::smp`]; the results equal KTAB's to rounding (about 1e-12), not bit for bit, which
//! is why [`super::smp::Smp::exact`] exists.

// Actors and options are parallel arrays indexed by number; index loops say that most plainly.
#![allow(clippy::needless_range_loop)]

use super::smp::{MIN_COALITION, pce_from_coalitions};

/// Buffers of the one-dimensional coalition computation.
#[derive(Debug, Clone)]
pub(super) struct Sorted1d {
    /// Number of actors `order[..n]` is a permutation of.
    n: usize,
    /// Actor indices sorted by position, and the positions in that order.
    order: Vec<usize>,
    /// Option indices sorted by position (`oorder[..om]` is a permutation).
    oorder: Vec<usize>,
    om: usize,
    xs: Vec<f64>,
    /// The same doubled (exactly), for the midpoint tests 2x < lo + hi, then +∞ (`x2[n]`).
    x2: Vec<f64>,
    /// Prefix sums over sorted actors of [w(1 − R), w(1 − R)x, wR, wRx].
    pre: Vec<[f64; 4]>,
    /// Option positions (`opts[..m]`, set by the caller before [`Sorted1d::pce`]), their lower
    /// bounds in `xs`, and their total weighted utility T_o = Σ_k w_k u_k(o).
    pub(super) opts: Vec<f64>,
    lb: Vec<usize>,
    tot: Vec<f64>,
    /// The same in the options' rank order, with each pair's midpoint index and the products.
    ry: Vec<f64>,
    rtot: Vec<f64>,
    rmid: Vec<usize>,
    /// Each ranked option's lower bound in `xs` (`lb` in rank order).
    rh: Vec<usize>,
    rprod: Vec<f64>,
}

impl Sorted1d {
    pub(super) fn new(capacity: usize) -> Self {
        Sorted1d {
            n: capacity,
            order: (0..capacity).collect(),
            oorder: vec![0; capacity],
            om: usize::MAX,
            xs: vec![0.0; capacity],
            x2: vec![0.0; capacity + 1],
            pre: vec![[0.0; 4]; capacity + 1],
            opts: vec![0.0; capacity],
            lb: vec![0; capacity],
            tot: vec![0.0; capacity],
            ry: vec![0.0; capacity],
            rtot: vec![0.0; capacity],
            rmid: vec![0; capacity],
            rh: vec![0; capacity],
            rprod: vec![0.0; capacity],
        }
    }

    /// Coalition strengths C(i:j) for `m` options at `self.opts[..m]`, actors at `x` with
    /// weights `w` and risk attitudes `r`, in O(n log n + m² log n) instead of O(m² n).
    ///
    /// On one dimension actor k prefers the closer option (KTAB's utility
    /// f(d) = (1 − d)(1 + dR) falls with d for R ∈ [−½, 1]), and for options lo < hi
    /// (Δ = hi − lo, s = lo + hi) its vote is w [f(d_lo) − f(d_hi)] =
    ///   w Δ [(1 − R) + R (s − 2x)]         for x ≤ lo,
    ///   w (s − 2x) [(1 − R) + R Δ]         for lo < x < hi (for lo if x < s/2),
    ///   −w Δ [(1 − R) + R (2x − s)]        for x ≥ hi,
    /// so each coalition is a handful of prefix-sum differences. Equal to KTAB's sums to
    /// rounding (risk attitudes and probabilities to about 1e-12), not bit for bit.
    ///
    /// With `c`, writes the coalition matrix (`c[i * m + j]` = C(i:j)). Without, it folds the
    /// linear victory probabilities straight into the conditional PCE products
    /// `prod[i] = ½ Π_{j≠i} P(i > j)` (unnormalised), never storing the matrices.
    fn coalitions(
        &mut self,
        w: &[f64],
        x: &[f64],
        r: &[f64],
        m: usize,
        mut c: Option<&mut [f64]>,
        prod: &mut [f64],
    ) {
        let n = w.len();
        // Insertion sort from the previous order (usually nearly sorted already); ties by
        // index, so the result never depends on the leftover order.
        if self.n != n {
            for (t, o) in self.order[..n].iter_mut().enumerate() {
                *o = t;
            }
            self.n = n;
        }
        let before = |a: usize, b: usize| x[a] < x[b] || (x[a] == x[b] && a < b);
        insertion_sort(&mut self.order[..n], before);
        let order = &self.order[..n];
        let mut acc = [0.0f64; 4];
        let (mut w_all, mut e_all) = (0.0, 0.0);
        self.pre[0] = acc;
        for (t, &k) in order.iter().enumerate() {
            let xk = x[k];
            self.xs[t] = xk;
            self.x2[t] = 2.0 * xk;
            let w1 = w[k] * (1.0 - r[k]);
            let wr = w[k] * r[k];
            acc[0] += w1;
            acc[1] += w1 * xk;
            acc[2] += wr;
            acc[3] += wr * xk;
            w_all += w[k];
            e_all += wr * xk * xk;
            self.pre[t + 1] = acc;
        }
        self.x2[n] = f64::INFINITY;
        let xs = &self.xs[..n];
        // Options sorted by position too, so the midpoint index only moves forward.
        // (Again from the previous order when the number of options is unchanged: the result is
        // the same, and the options of consecutive passes are usually in nearly the same order.)
        let opts = &self.opts[..m];
        if self.om != m {
            for (o, slot) in self.oorder[..m].iter_mut().enumerate() {
                *slot = o;
            }
            self.om = m;
        }
        insertion_sort(&mut self.oorder[..m], |a, b| {
            opts[a] < opts[b] || (opts[a] == opts[b] && a < b)
        });
        let pre = &self.pre[..=n];
        let [an, bn, cn, dn] = pre[n];
        for o in 0..m {
            let y = opts[o];
            let l = xs.partition_point(|&v| v < y);
            self.lb[o] = l;
            // T_o = Σ w (1 − d)(1 + dR) = Σ w − Σ w(1 − R) d − Σ wR d².
            let [al, bl, _, _] = pre[l];
            let sum_ad = (y * al - bl) + ((bn - bl) - y * (an - al));
            let sum_cd2 = y * y * cn - 2.0 * y * dn + e_all;
            self.tot[o] = w_all - sum_ad - sum_cd2;
        }
        if c.is_none() {
            // A risk-neutral pass (every R = ±0) has all R-weighted prefix sums +0: its pairs
            // skip the R term, which would add a signed zero (the same coalitions, bit for bit).
            if r[..n].iter().all(|&v| v == 0.0) {
                self.fused::<true>(n, m, prod);
            } else {
                self.fused::<false>(n, m, prod);
            }
            return;
        }
        let oorder = &self.oorder[..m];
        prod[..m].fill(0.5);
        for (ai, &i) in oorder.iter().enumerate() {
            let lo = opts[i];
            let l = self.lb[i];
            let [al, bl, _, _] = pre[l];
            let t_lo = self.tot[i];
            let mut mid = l;
            let mut prod_i = prod[i];
            for &j in &oorder[ai + 1..] {
                let hi = opts[j];
                if hi == lo {
                    if let Some(c) = c.as_deref_mut() {
                        c[i * m + j] = MIN_COALITION;
                        c[j * m + i] = MIN_COALITION;
                    }
                    prod_i *= 0.5;
                    prod[j] *= 0.5;
                    continue;
                }
                let h = self.lb[j];
                let (delta, s) = (hi - lo, lo + hi);
                debug_assert!(h >= mid);
                while mid < h && 2.0 * xs[mid] < s {
                    mid += 1;
                }
                let [am, bm, cm, dm] = pre[mid];
                // Actors preferring lo: those left of lo, and those between lo and s/2.
                let for_lo =
                    delta * al + s * (am - al) - 2.0 * (bm - bl) + delta * (s * cm - 2.0 * dm);
                // The others prefer hi; all votes sum to T_lo − T_hi.
                let for_hi = for_lo - (t_lo - self.tot[j]);
                let c_lo = MIN_COALITION + for_lo.max(0.0);
                let c_hi = MIN_COALITION + for_hi.max(0.0);
                if let Some(c) = c.as_deref_mut() {
                    c[i * m + j] = c_lo;
                    c[j * m + i] = c_hi;
                }
                let inv = 1.0 / (c_lo + c_hi);
                prod_i *= c_lo * inv;
                prod[j] *= c_hi * inv;
            }
            prod[i] = prod_i;
            if let Some(c) = c.as_deref_mut() {
                c[i * m + i] = MIN_COALITION;
            }
        }
    }

    /// The fused products of [`Sorted1d::coalitions`] (no coalition matrix) in the options'
    /// rank order: contiguous arrays, the midpoints first, then an arithmetic loop over pairs
    /// two at a time (the products' rounding order is not KTAB's; the values agree to
    /// rounding). `NEUTRAL`: every risk attitude is zero (the R-weighted prefix sums are +0).
    fn fused<const NEUTRAL: bool>(&mut self, n: usize, m: usize, prod: &mut [f64]) {
        let oorder = &self.oorder[..m];
        for (r, &o) in oorder.iter().enumerate() {
            self.ry[r] = self.opts[o];
            self.rtot[r] = self.tot[o];
            self.rh[r] = self.lb[o];
        }
        let (ry, rtot, rh) = (&self.ry[..m], &self.rtot[..m], &self.rh[..m]);
        let (pre, x2) = (&self.pre[..=n], &self.x2[..=n]);
        let rmid = &mut self.rmid[..m];
        let rprod = &mut self.rprod[..m];
        rprod.fill(0.5);
        for a in 0..m {
            let lo = ry[a];
            let l = rh[a];
            let [al, bl, _, _] = pre[l];
            let t_lo = rtot[a];
            // The actors preferring lo are those below the pair's midpoint: with xs sorted,
            // the pair's index is mid(a, b) = clamp(#{t : 2 xs[t] < s}, l, h), which never
            // falls as a or b rises (s and both bounds rise with them). So each pair starts
            // from the previous row's index for the same b, mid(a − 1, b), and is nearly
            // always there or one actor further: a step without a branch, then a loop for
            // the rare longer moves. The pairs of a row do not depend on each other (no
            // chain through a walk along the row), and the result is the same index.
            // The first row searches (branch-free binary searches).
            if a == 0 {
                for b in a + 1..m {
                    let s = lo + ry[b];
                    rmid[b] = l + x2[l..rh[b]].partition_point(|&v| v < s);
                }
            } else {
                for b in a + 1..m {
                    let s = lo + ry[b];
                    let h = rh[b];
                    let mut mid = rmid[b].max(l);
                    // `x2[n]` is +∞: the read stays in bounds and the test fails.
                    mid += ((mid < h) & (x2[mid] < s)) as usize;
                    while mid < h && x2[mid] < s {
                        mid += 1;
                    }
                    rmid[b] = mid;
                }
            }
            let rmid = &*rmid;
            let mut acc = [1.0f64; 2];
            let pair = |b: usize| -> (f64, f64) {
                let hi = ry[b];
                let (delta, s) = (hi - lo, lo + hi);
                let [am, bm, cm, dm] = pre[rmid[b]];
                let for_lo = if NEUTRAL {
                    delta * al + s * (am - al) - 2.0 * (bm - bl)
                } else {
                    delta * al + s * (am - al) - 2.0 * (bm - bl) + delta * (s * cm - 2.0 * dm)
                };
                let for_hi = for_lo - (t_lo - rtot[b]);
                let c_lo = MIN_COALITION + for_lo.max(0.0);
                let c_hi = MIN_COALITION + for_hi.max(0.0);
                let inv = 1.0 / (c_lo + c_hi);
                (c_lo * inv, c_hi * inv)
            };
            let mut b = a + 1;
            while b + 1 < m {
                let (p0, q0) = pair(b);
                let (p1, q1) = pair(b + 1);
                acc[0] *= p0;
                acc[1] *= p1;
                rprod[b] *= q0;
                rprod[b + 1] *= q1;
                b += 2;
            }
            if b < m {
                let (p0, q0) = pair(b);
                acc[0] *= p0;
                rprod[b] *= q0;
            }
            rprod[a] *= acc[0] * acc[1];
        }
        for (r, &o) in oorder.iter().enumerate() {
            prod[o] = rprod[r];
        }
    }

    /// The conditional PCE of `m` options into `p`: fused products, normalised; if they
    /// underflow (only possible with many options), again through the coalition matrix and
    /// KTAB's log-space fallback.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn pce(
        &mut self,
        w: &[f64],
        x: &[f64],
        r: &[f64],
        m: usize,
        c: &mut [f64],
        pv: &mut [f64],
        p: &mut [f64],
    ) {
        self.coalitions(w, x, r, m, None, p);
        let total = p[..m].iter().fold(0.0, |a, &b| a + b);
        if total > 0.0 && total.is_finite() && p[..m].iter().all(|&v| v > 0.0) {
            for v in &mut p[..m] {
                *v /= total;
            }
        } else {
            self.coalitions(w, x, r, m, Some(c), p);
            pce_from_coalitions(c, m, pv, p);
        }
    }
}

/// Sorts `v` by the strict order `before` (stable, fast on nearly sorted input).
fn insertion_sort(v: &mut [usize], before: impl Fn(usize, usize) -> bool) {
    for t in 1..v.len() {
        let x = v[t];
        let mut u = t;
        while u > 0 && before(x, v[u - 1]) {
            v[u] = v[u - 1];
            u -= 1;
        }
        v[u] = x;
    }
}

#[cfg(test)]
mod tests {
    use super::super::smp::{self, Actor, Smp};
    use crate::kernel::rng::{Purpose, stream, uniform};

    /// The fast path agrees with KTAB's order of operations ([`smp::analyse`]) to rounding.
    fn compare_fast(actors: &[Actor]) {
        let r = smp::analyse(actors);
        let n = actors.len();
        let caps: Vec<f64> = actors.iter().map(|a| a.capability).collect();
        let pos: Vec<f64> = actors.iter().map(|a| a.position[0]).collect();
        let sal: Vec<f64> = actors.iter().map(|a| a.salience[0]).collect();
        let mut ws = Smp::new(n, 1);
        for _ in 0..2 {
            ws.analyse(&caps, &pos, &sal);
            for i in 0..n {
                assert!(
                    (ws.risk[i] - r.risk_attitudes[i]).abs() < 1e-10,
                    "R {i} {} {}",
                    ws.risk[i],
                    r.risk_attitudes[i]
                );
                assert!(
                    (ws.win[i] - r.win_probabilities[i]).abs() < 1e-10,
                    "p {i} {} {}",
                    ws.win[i],
                    r.win_probabilities[i]
                );
            }
            assert!((ws.expected[0] - r.expected_position[0]).abs() < 1e-10);
        }
    }

    #[test]
    fn fast_one_dimensional_analysis_agrees_with_ktab_order() {
        let mut r = stream(12, Purpose::Init, 0);
        for n in [1, 2, 3, 5, 8, 13, 30, 60] {
            for rep in 0..20 {
                let actors: Vec<Actor> = (0..n)
                    .map(|i| Actor {
                        name: format!("a{i}"),
                        capability: uniform(&mut r, 0.01, 1.0),
                        position: vec![match (i + rep) % 5 {
                            3 => 0.5,
                            4 => 0.5 + 4e-4,
                            _ => uniform(&mut r, 0.0, 1.0),
                        }],
                        salience: vec![uniform(&mut r, 0.1, 1.0)],
                    })
                    .collect();
                compare_fast(&actors);
            }
        }
    }

    #[test]
    fn insertion_sort_is_stable_by_the_given_order() {
        let keys = [0.3, 0.1, 0.3, 0.0, 0.1];
        let mut v = vec![0, 1, 2, 3, 4];
        super::insertion_sort(&mut v, |a, b| keys[a] < keys[b]);
        assert_eq!(v, [3, 1, 4, 0, 2]);
    }
}
