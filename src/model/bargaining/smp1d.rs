//! The one-dimensional fast path of KTAB's SMP: coalition strengths and the conditional PCE
//! from sorted positions and prefix sums, in O(n log n + m²) instead of O(m² n).
//!
//! The alliance model bargains over one dimension (the common line) at every summit of every
//! trial, where the general loops of [`super::smp`] would dominate a run. On one dimension an
//! actor's vote between two options depends only on which side of them it stands, so each
//! coalition is a handful of prefix-sum differences over the actors sorted by position. The
//! scalar helpers (votes, victory probabilities, the log-space fallback) are those of
//! [`super::smp`]; the results equal KTAB's to rounding (about 1e-12), not bit for bit, which
//! is why [`super::smp::Smp::exact`] exists.
//!
//! An analysis sorts its actors once ([`Sorted1d::prepare`]): both of its passes bargain over
//! the actors' own positions (the risk-neutral pass over all of them, the risk-aware pass over
//! the distinct ones, a subsequence of the same sorted order), so the options need no sort of
//! their own, and each pair's midpoint index (which depends on positions only, not on risk
//! attitudes) is found once and read by both passes. The distinct positions and each actor's
//! equivalent position are found by scanning sorted neighbours within the tolerance instead of
//! comparing every pair. All of this gives the same numbers, bit for bit, as sorting and
//! searching in every pass.

// Actors and options are parallel arrays indexed by number; index loops say that most plainly.
#![allow(clippy::needless_range_loop)]

use super::smp::{MIN_COALITION, pce_from_coalitions};

/// Buffers of the one-dimensional coalition computation.
#[derive(Debug, Clone)]
pub(super) struct Sorted1d {
    /// Number of actors `order[..n]` is a permutation of.
    n: usize,
    /// Actor indices sorted by position (ties by index), and the positions in that order.
    order: Vec<usize>,
    xs: Vec<f64>,
    /// The same doubled (exactly), for the midpoint tests 2x < lo + hi, then four +∞
    /// (`x2[n..n + 4]`).
    x2: Vec<f64>,
    /// Each rank's lower bound in `xs`: the first index whose position is not below its own.
    rlb: Vec<usize>,
    /// Midpoint index of each pair of ranks a < b, `mid[a * n + b]`: the number of actors
    /// below (xs[a] + xs[b]) / 2, clamped to [rlb[a], rlb[b]].
    mid: Vec<u32>,
    /// Prefix sums over sorted actors of [w(1 − R), w(1 − R)x, wR, wRx].
    pre: Vec<[f64; 4]>,
    /// The pass's options in rank order: the rank of each one's actor and its option index.
    rsel: Vec<usize>,
    ropt: Vec<usize>,
    /// The same options' positions, lower bounds, total weighted utilities
    /// T_o = Σ_k w_k u_k(o), and products.
    ry: Vec<f64>,
    rh: Vec<usize>,
    rtot: Vec<f64>,
    rprod: Vec<f64>,
    /// One row's midpoint indices in the pass's rank order (when some actors' options are
    /// left out; otherwise the row of `mid` is read in place).
    rmid: Vec<u32>,
    /// Whether each actor holds a distinct position (set by [`Sorted1d::unique`]).
    chosen: Vec<bool>,
}

impl Sorted1d {
    pub(super) fn new(capacity: usize) -> Self {
        Sorted1d {
            n: capacity,
            order: (0..capacity).collect(),
            xs: vec![0.0; capacity],
            x2: vec![0.0; capacity + 4],
            rlb: vec![0; capacity],
            mid: vec![0; capacity * capacity],
            pre: vec![[0.0; 4]; capacity + 1],
            rsel: vec![0; capacity],
            ropt: vec![0; capacity],
            ry: vec![0.0; capacity],
            rh: vec![0; capacity],
            rtot: vec![0.0; capacity],
            rprod: vec![0.0; capacity],
            rmid: vec![0; capacity],
            chosen: vec![false; capacity],
        }
    }

    /// Sorts the actors at `x` and finds every pair's midpoint index, for the passes that
    /// follow ([`Sorted1d::pce`], [`Sorted1d::unique`]).
    pub(super) fn prepare(&mut self, x: &[f64]) {
        let n = x.len();
        // Insertion sort from the previous order (consecutive summits keep most of it); ties by
        // index, so the result never depends on the leftover order.
        if self.n != n {
            for (t, o) in self.order[..n].iter_mut().enumerate() {
                *o = t;
            }
            self.n = n;
        }
        let before = |a: usize, b: usize| x[a] < x[b] || (x[a] == x[b] && a < b);
        insertion_sort(&mut self.order[..n], before);
        for (t, &k) in self.order[..n].iter().enumerate() {
            self.xs[t] = x[k];
            self.x2[t] = 2.0 * x[k];
        }
        self.x2[n..n + 4].fill(f64::INFINITY);
        let xs = &self.xs[..n];
        // rlb[t] = #{u : xs[u] < xs[t]}: t itself, or its first equal.
        for t in 0..n {
            self.rlb[t] = if t > 0 && xs[t - 1] == xs[t] {
                self.rlb[t - 1]
            } else {
                t
            };
        }
        // The actors preferring lo are those below the pair's midpoint: with xs sorted, the
        // pair's index is mid(a, b) = clamp(#{t : 2 xs[t] < s}, rlb[a], rlb[b]), which never
        // falls as a or b rises (s and both bounds rise with them). So each pair starts from
        // the previous row's index for the same b, mid(a − 1, b), and is nearly always there
        // or a few actors further: four tests without a branch, then a loop for the rare
        // longer moves. The pairs of a row do not depend on each other. The first row searches
        // (branch-free binary searches).
        let (x2, rlb) = (&self.x2[..n + 4], &self.rlb[..n]);
        let mid = &mut self.mid[..n * n];
        for a in 0..n {
            let (lo, l) = (xs[a], rlb[a]);
            if a == 0 {
                for b in 1..n {
                    let s = lo + xs[b];
                    mid[b] = (l + x2[l..rlb[b]].partition_point(|&v| v < s)) as u32;
                }
                continue;
            }
            let (prev, row) = mid[(a - 1) * n..(a + 1) * n].split_at_mut(n);
            for b in a + 1..n {
                let s = lo + xs[b];
                let h = rlb[b];
                let m = (prev[b] as usize).max(l);
                // The next four tests at once (independent reads, no branch; `x2[n..n + 4]`
                // are +∞, so the reads stay in bounds and those tests fail); on sorted x2
                // their count is the number of steps, up to four.
                let w = &x2[m..m + 4];
                let k = (w[0] < s) as usize
                    + (w[1] < s) as usize
                    + (w[2] < s) as usize
                    + (w[3] < s) as usize;
                let mut m = m + k;
                if k == 4 {
                    while m < h && x2[m] < s {
                        m += 1;
                    }
                }
                row[b] = m.min(h) as u32;
            }
        }
    }

    /// The distinct positions (KTAB `KBase::ueIndices` with `SMPState::equivNdx`): in actor
    /// order, an actor whose position is not within `tol` of an earlier distinct one's is
    /// distinct. Writes their actors to `unique` (returns how many) and each distinct actor's
    /// number among them to `uidx`. Needs [`Sorted1d::prepare`] on the same positions.
    pub(super) fn unique(
        &mut self,
        x: &[f64],
        tol: f64,
        rank: &mut [usize],
        unique: &mut [usize],
        uidx: &mut [usize],
    ) -> usize {
        let n = self.n;
        let (order, xs) = (&self.order[..n], &self.xs[..n]);
        for (t, &k) in order.iter().enumerate() {
            rank[k] = t;
        }
        let chosen = &mut self.chosen[..n];
        chosen.fill(false);
        let mut m = 0;
        for i in 0..n {
            // |x_i − x_k| grows (weakly) with the distance in sorted order on either side, so
            // the neighbours within `tol` are a contiguous run around i's rank.
            let t = rank[i];
            let mut near = false;
            let mut u = t;
            while u > 0 && (x[i] - xs[u - 1]).abs() < tol {
                u -= 1;
                near |= chosen[order[u]];
            }
            let mut u = t + 1;
            while u < n && (x[i] - xs[u]).abs() < tol {
                near |= chosen[order[u]];
                u += 1;
            }
            if !near {
                chosen[i] = true;
                unique[m] = i;
                uidx[i] = m;
                m += 1;
            }
        }
        m
    }

    /// The last distinct position within `tol` of actor `i`'s (KTAB `State::posProb`), as its
    /// number among the distinct ones. Needs [`Sorted1d::unique`].
    pub(super) fn equivalent(
        &self,
        x: &[f64],
        tol: f64,
        rank: &[usize],
        uidx: &[usize],
        i: usize,
    ) -> usize {
        let (order, xs, chosen) = (&self.order[..self.n], &self.xs[..self.n], &self.chosen);
        let t = rank[i];
        let mut best = if chosen[i] { uidx[i] } else { 0 };
        let mut u = t;
        while u > 0 && (x[i] - xs[u - 1]).abs() < tol {
            u -= 1;
            let k = order[u];
            if chosen[k] {
                best = best.max(uidx[k]);
            }
        }
        let mut u = t + 1;
        while u < self.n && (x[i] - xs[u]).abs() < tol {
            let k = order[u];
            if chosen[k] {
                best = best.max(uidx[k]);
            }
            u += 1;
        }
        best
    }

    /// The conditional PCE into `p` of the options the actors' positions give: every actor's
    /// (option o = actor o, m = n), or with `distinct` those of [`Sorted1d::unique`] (option
    /// u = the u-th distinct actor). Actors weigh `w` and have risk attitudes `r`. Fused
    /// products, normalised; if they underflow (only possible with many options), again
    /// through the coalition matrix `c` and KTAB's log-space fallback. Needs
    /// [`Sorted1d::prepare`] on the same positions.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn pce(
        &mut self,
        w: &[f64],
        r: &[f64],
        distinct: bool,
        uidx: &[usize],
        c: &mut [f64],
        pv: &mut [f64],
        p: &mut [f64],
    ) {
        let m = self.options(w, r, distinct, uidx);
        // A risk-neutral pass (every R = ±0) has all R-weighted prefix sums +0: its pairs
        // skip the R term, which would add a signed zero (the same coalitions, bit for bit).
        if r[..self.n].iter().all(|&v| v == 0.0) {
            self.fused::<true>(m, p);
        } else {
            self.fused::<false>(m, p);
        }
        let total = p[..m].iter().fold(0.0, |a, &b| a + b);
        if total > 0.0 && total.is_finite() && p[..m].iter().all(|&v| v > 0.0) {
            for v in &mut p[..m] {
                *v /= total;
            }
        } else {
            self.matrix(m, c);
            pce_from_coalitions(c, m, pv, p);
        }
    }

    /// Prefix sums for weights `w` and risk attitudes `r`, and the pass's options in rank
    /// order with their total weighted utilities. Returns the number of options.
    fn options(&mut self, w: &[f64], r: &[f64], distinct: bool, uidx: &[usize]) -> usize {
        let n = self.n;
        let (order, xs) = (&self.order[..n], &self.xs[..n]);
        let mut acc = [0.0f64; 4];
        let (mut w_all, mut e_all) = (0.0, 0.0);
        self.pre[0] = acc;
        for (t, &k) in order.iter().enumerate() {
            let xk = xs[t];
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
        let mut m = 0;
        for (t, &k) in order.iter().enumerate() {
            if !distinct || self.chosen[k] {
                self.rsel[m] = t;
                self.ropt[m] = if distinct { uidx[k] } else { k };
                m += 1;
            }
        }
        let pre = &self.pre[..=n];
        let [an, bn, cn, dn] = pre[n];
        for a in 0..m {
            let t = self.rsel[a];
            let (y, l) = (xs[t], self.rlb[t]);
            self.ry[a] = y;
            self.rh[a] = l;
            // T_o = Σ w (1 − d)(1 + dR) = Σ w − Σ w(1 − R) d − Σ wR d².
            let [al, bl, _, _] = pre[l];
            let sum_ad = (y * al - bl) + ((bn - bl) - y * (an - al));
            let sum_cd2 = y * y * cn - 2.0 * y * dn + e_all;
            self.rtot[a] = w_all - sum_ad - sum_cd2;
        }
        m
    }

    /// Coalition strengths C(i:j) of the pass's `m` options, actors at `xs` (KTAB's sums to
    /// rounding, not bit for bit).
    ///
    /// On one dimension actor k prefers the closer option (KTAB's utility
    /// f(d) = (1 − d)(1 + dR) falls with d for R ∈ [−½, 1]), and for options lo < hi
    /// (Δ = hi − lo, s = lo + hi) its vote is w [f(d_lo) − f(d_hi)] =
    ///   w Δ [(1 − R) + R (s − 2x)]         for x ≤ lo,
    ///   w (s − 2x) [(1 − R) + R Δ]         for lo < x < hi (for lo if x < s/2),
    ///   −w Δ [(1 − R) + R (2x − s)]        for x ≥ hi,
    /// so each coalition is a handful of prefix-sum differences: with the actors below the
    /// pair's midpoint index `mid`, C(lo:hi) = ε + max(0, Δ A_l + s (A_mid − A_l)
    /// − 2 (B_mid − B_l) + Δ (s C_mid − 2 D_mid)) over the prefix sums [A, B, C, D] of
    /// [w(1 − R), w(1 − R)x, wR, wRx], and the votes of all actors sum to T_lo − T_hi.
    #[inline(always)]
    fn pair<const NEUTRAL: bool>(
        &self,
        a: usize,
        b: usize,
        lo: f64,
        al: f64,
        bl: f64,
        t_lo: f64,
    ) -> (f64, f64) {
        let n = self.n;
        let hi = self.ry[b];
        let (delta, s) = (hi - lo, lo + hi);
        let mid = self.mid[self.rsel[a] * n + self.rsel[b]] as usize;
        let [am, bm, cm, dm] = self.pre[mid];
        let for_lo = if NEUTRAL {
            delta * al + s * (am - al) - 2.0 * (bm - bl)
        } else {
            delta * al + s * (am - al) - 2.0 * (bm - bl) + delta * (s * cm - 2.0 * dm)
        };
        // The others prefer hi.
        let for_hi = for_lo - (t_lo - self.rtot[b]);
        (
            MIN_COALITION + for_lo.max(0.0),
            MIN_COALITION + for_hi.max(0.0),
        )
    }

    /// The coalition matrix (`c[i * m + j]` = C(i:j), options by number).
    fn matrix(&self, m: usize, c: &mut [f64]) {
        for a in 0..m {
            let (lo, i) = (self.ry[a], self.ropt[a]);
            let [al, bl, _, _] = self.pre[self.rh[a]];
            for b in a + 1..m {
                let j = self.ropt[b];
                let (c_lo, c_hi) = if self.ry[b] == lo {
                    (MIN_COALITION, MIN_COALITION)
                } else {
                    self.pair::<false>(a, b, lo, al, bl, self.rtot[a])
                };
                c[i * m + j] = c_lo;
                c[j * m + i] = c_hi;
            }
            c[i * m + i] = MIN_COALITION;
        }
    }

    /// The linear victory probabilities folded straight into the conditional PCE products
    /// `prod[o] = ½ Π_{j≠o} P(o > j)` (unnormalised), never storing the matrices: in the
    /// options' rank order, pairs two at a time (the products' rounding order is not KTAB's;
    /// the values agree to rounding). `NEUTRAL`: every risk attitude is zero (the R-weighted
    /// prefix sums are +0).
    fn fused<const NEUTRAL: bool>(&mut self, m: usize, prod: &mut [f64]) {
        let n = self.n;
        let (ry, rh, rtot, rsel) = (
            &self.ry[..m],
            &self.rh[..m],
            &self.rtot[..m],
            &self.rsel[..m],
        );
        let (pre, mid) = (&self.pre[..=n], &self.mid[..n * n]);
        let rmid_buf = &mut self.rmid[..m];
        // Every actor's position is an option (m = n, so `rsel` is the identity): a row of
        // `mid` is already in rank order.
        let every = m == n;
        let rprod = &mut self.rprod[..m];
        rprod.fill(0.5);
        for a in 0..m {
            let lo = ry[a];
            let [al, bl, _, _] = pre[rh[a]];
            let t_lo = rtot[a];
            // This row's midpoint indices, contiguous.
            let row = &mid[rsel[a] * n..rsel[a] * n + n];
            let rmid: &[u32] = if every {
                row
            } else {
                for b in a + 1..m {
                    rmid_buf[b] = row[rsel[b]];
                }
                rmid_buf
            };
            let pq = |b: usize| {
                let hi = ry[b];
                let (delta, s) = (hi - lo, lo + hi);
                let [am, bm, cm, dm] = pre[rmid[b] as usize];
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
            let mut acc = [1.0f64; 2];
            let mut b = a + 1;
            while b + 1 < m {
                let (p0, q0) = pq(b);
                let (p1, q1) = pq(b + 1);
                acc[0] *= p0;
                acc[1] *= p1;
                rprod[b] *= q0;
                rprod[b + 1] *= q1;
                b += 2;
            }
            if b < m {
                let (p0, q0) = pq(b);
                acc[0] *= p0;
                rprod[b] *= q0;
            }
            rprod[a] *= acc[0] * acc[1];
        }
        for a in 0..m {
            prod[self.ropt[a]] = rprod[a];
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
        let mut exact = Smp::new(n, 1);
        exact.exact = true;
        exact.analyse(&caps, &pos, &sal);
        for _ in 0..2 {
            ws.analyse(&caps, &pos, &sal);
            ws.win_probabilities(&pos);
            // The distinct positions, found from sorted neighbours, are KTAB's exactly.
            assert_eq!(ws.m, exact.m);
            assert_eq!(ws.unique[..ws.m], exact.unique[..exact.m]);
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
    fn positions_within_the_tolerance_chain_as_in_ktab() {
        // 0.5 + 9e-4 is within the tolerance (1e-3) of 0.5, so not distinct; 0.5 + 1.8e-3 is
        // within it of 0.5 + 9e-4 only, so distinct; equal positions and a cluster whose first
        // actor comes last in index order, too.
        let xs = [
            0.5 + 1.8e-3,
            0.5,
            0.5 + 9e-4,
            0.2,
            0.2,
            0.9 + 5e-4,
            0.9,
            0.9 - 5e-4,
            0.7,
            0.5 + 2.5e-3,
        ];
        let actors: Vec<Actor> = xs
            .iter()
            .enumerate()
            .map(|(i, &x)| Actor {
                name: format!("a{i}"),
                capability: 0.1 + 0.05 * i as f64,
                position: vec![x],
                salience: vec![0.5],
            })
            .collect();
        compare_fast(&actors);
        let mut rev = actors.clone();
        rev.reverse();
        compare_fast(&rev);
    }

    #[test]
    fn insertion_sort_is_stable_by_the_given_order() {
        let keys = [0.3, 0.1, 0.3, 0.0, 0.1];
        let mut v = vec![0, 1, 2, 3, 4];
        super::insertion_sort(&mut v, |a, b| keys[a] < keys[b]);
        assert_eq!(v, [3, 1, 4, 0, 2]);
    }
}
