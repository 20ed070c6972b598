//! Step 7: alliance decisions — the common line, consensus, and the label at summits.
//!
//! At a summit turn (an inject of kind `summit`) the Allies bargain over the common line with
//! KTAB's Spatial Model of Politics (`bargaining/smp.rs`, KAPSARC's conventions: salience-
//! weighted distance, u = (1 − d)(1 + d·R) with risk attitudes R inferred from a risk-neutral
//! pass, proportional voting v_k(i:j) = w_k (u_k(i) − u_k(j)), linear victory probabilities,
//! conditional probability of each position prevailing). The positions are the allies'
//! stances on one dimension; the voting weight is the ally's weight × its salience
//! (1 − salience_threat + salience_threat × τ_i: threatened allies care more), since on one
//! dimension KTAB's salience cancels out of the distance. The new line is KTAB's expected
//! position (or a position drawn by its probabilities). NATO decides by consensus: an ally
//! further than `consensus_tolerance` from the line dissents, and each dissenter blocks with
//! probability `veto_propensity`; a blocked line is not adopted. A proposed label
//! (lever) is adopted at a summit with the label on its agenda only if the line was adopted,
//! the line is close enough to the label's position, and no objector blocks it.
//! Between summits the line follows the weighted mean stance (the North Atlantic Council's
//! daily business) and consensus is tested against it every turn.
//!
//! [`Smp`] is an allocation-free re-implementation of `smp::analyse` on a preallocated
//! workspace, with the same operations in the same order (tested bit for bit against it, on
//! KTAB's SOE-Pol-Comp example too), and its coalition sums blocked four options at a time.

use rand::Rng;

use super::outcomes::weighted_mean;
use super::state::{LABELS, State};
use super::{Coeffs, P, Workspace};
use crate::kernel::rng::unit;
use crate::model::Tracer;
use crate::model::bargaining::smp::{
    MIN_COALITION, POSITION_TOLERANCE, distance, utility, victory_probability, vote,
};

/// Workspace and results of a state-0 SMP analysis for up to `capacity` actors.
#[derive(Debug, Clone)]
pub struct Smp {
    capacity: usize,
    dims: usize,
    /// `d[i * n + j]`: distance from actor i's position to j's, with i's saliences.
    d: Vec<f64>,
    /// `ut[k * m + o]`: utility to actor k of option o (m options).
    ut: Vec<f64>,
    c: Vec<f64>,
    pv: Vec<f64>,
    p: Vec<f64>,
    own: Vec<f64>,
    acc_a: Vec<f64>,
    acc_b: Vec<f64>,
    zeros: Vec<f64>,
    sorted: Sorted1d,
    /// Use KTAB's O(n³) loops even on one dimension (bit-identical to `smp::analyse`).
    pub exact: bool,
    /// Inferred risk attitude of each actor.
    pub risk: Vec<f64>,
    /// First actor holding each distinct position (`unique[..m]`).
    pub unique: Vec<usize>,
    /// Number of distinct positions.
    pub m: usize,
    /// Probability that each distinct position prevails.
    pub prob_unique: Vec<f64>,
    /// Probability that each actor's position prevails (as `SmpResult::win_probabilities`).
    pub win: Vec<f64>,
    /// Probability-weighted expected position.
    pub expected: Vec<f64>,
}

fn same_position(a: &[f64], b: &[f64]) -> bool {
    let sq = a
        .iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .fold(0.0, |s, v| s + v);
    libm::sqrt(sq) < POSITION_TOLERANCE
}

/// Coalition strengths of KTAB's `Model::coalitions` with proportional votes, on actor-major
/// utilities `ut[k * m + o]` (utility to actor k of option o), `m` options, `n` actors with
/// weights `w`: `c[i * m + j]` = C(i:j). `acc_a`, `acc_b` are scratch rows of length ≥ m.
///
/// The coalition sums run with the actor loop outside and the option loop inside, so the
/// inner loop is contiguous and vectorises; every sum C(i:j) still adds its actors' votes in
/// actor order, exactly as KTAB's loop does, so the bits are the same.
#[allow(clippy::too_many_arguments)]
fn coalitions_exact(
    w: &[f64],
    ut: &[f64],
    n: usize,
    m: usize,
    c: &mut [f64],
    acc_a: &mut [f64],
    acc_b: &mut [f64],
) {
    for i in 0..m {
        let (a, b) = (&mut acc_a[..i], &mut acc_b[..i]);
        a.fill(MIN_COALITION);
        b.fill(MIN_COALITION);
        for k in 0..n {
            let row = &ut[k * m..k * m + i];
            let (wk, x) = (w[k], ut[k * m + i]);
            for ((aj, bj), &uj) in a.iter_mut().zip(b.iter_mut()).zip(row) {
                let v = vote(wk, x, uj);
                // Branch-free `if v > 0 { a += v }; if v < 0 { b -= v }`: adding a signed
                // zero to a positive sum leaves it unchanged, so the bits are the same.
                *aj += if v > 0.0 { v } else { 0.0 };
                *bj -= if v < 0.0 { v } else { 0.0 };
            }
        }
        for j in 0..i {
            c[i * m + j] = a[j];
            c[j * m + i] = b[j];
        }
        c[i * m + i] = MIN_COALITION;
    }
}

/// KTAB's linear victory probabilities and conditional PCE (`Model::vProb`, `Model::condPCE`)
/// from coalition strengths `c` of `m` options: the probability `p[i]` that option i prevails.
fn pce_from_coalitions(c: &[f64], m: usize, pv: &mut [f64], p: &mut [f64]) {
    for i in 0..m {
        for j in 0..i {
            pv[i * m + j] = victory_probability(c[i * m + j], c[j * m + i]);
            pv[j * m + i] = victory_probability(c[j * m + i], c[i * m + j]);
        }
        pv[i * m + i] = 0.5;
    }
    for i in 0..m {
        p[i] = pv[i * m..i * m + m].iter().fold(1.0, |a, &b| a * b);
    }
    let total = p[..m].iter().fold(0.0, |a, &b| a + b);
    if total > 0.0 && total.is_finite() {
        for x in &mut p[..m] {
            *x /= total;
        }
    } else {
        for i in 0..m {
            p[i] = pv[i * m..i * m + m].iter().map(|&x| libm::log(x)).sum();
        }
        let max = p[..m].iter().copied().fold(f64::NEG_INFINITY, f64::max);
        for x in &mut p[..m] {
            *x = libm::exp(*x - max);
        }
        let total: f64 = p[..m].iter().sum();
        for x in &mut p[..m] {
            *x /= total;
        }
    }
}

/// Buffers of the one-dimensional coalition computation.
#[derive(Debug, Clone)]
struct Sorted1d {
    /// Number of actors `order[..n]` is a permutation of.
    n: usize,
    /// Actor indices sorted by position, and the positions in that order.
    order: Vec<usize>,
    /// Option indices sorted by position (`oorder[..om]` is a permutation).
    oorder: Vec<usize>,
    om: usize,
    xs: Vec<f64>,
    /// Prefix sums over sorted actors of [w(1 − R), w(1 − R)x, wR, wRx].
    pre: Vec<[f64; 4]>,
    /// Option positions, their lower bounds in `xs`, and their total weighted utility
    /// T_o = Σ_k w_k u_k(o).
    opts: Vec<f64>,
    lb: Vec<usize>,
    tot: Vec<f64>,
    /// The same in the options' rank order, with each pair's midpoint index and the products.
    ry: Vec<f64>,
    rtot: Vec<f64>,
    rmid: Vec<usize>,
    rprod: Vec<f64>,
}

impl Sorted1d {
    fn new(capacity: usize) -> Self {
        Sorted1d {
            n: capacity,
            order: (0..capacity).collect(),
            oorder: vec![0; capacity],
            om: usize::MAX,
            xs: vec![0.0; capacity],
            pre: vec![[0.0; 4]; capacity + 1],
            opts: vec![0.0; capacity],
            lb: vec![0; capacity],
            tot: vec![0.0; capacity],
            ry: vec![0.0; capacity],
            rtot: vec![0.0; capacity],
            rmid: vec![0; capacity],
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
        let oorder = &self.oorder[..m];
        if c.is_none() {
            // Fused products in rank order: contiguous arrays, the midpoints first, then an
            // arithmetic loop over pairs two at a time (the products' rounding order is not
            // KTAB's; the values agree to rounding).
            for (r, &o) in oorder.iter().enumerate() {
                self.ry[r] = opts[o];
                self.rtot[r] = self.tot[o];
            }
            let (ry, rtot) = (&self.ry[..m], &self.rtot[..m]);
            let rprod = &mut self.rprod[..m];
            rprod.fill(0.5);
            for a in 0..m {
                let lo = ry[a];
                let l = self.lb[oorder[a]];
                let [al, bl, _, _] = pre[l];
                let t_lo = rtot[a];
                let mut mid = l;
                for b in a + 1..m {
                    let s = lo + ry[b];
                    let h = self.lb[oorder[b]];
                    while mid < h && 2.0 * xs[mid] < s {
                        mid += 1;
                    }
                    self.rmid[b] = mid;
                }
                let mut acc = [1.0f64; 2];
                let pair = |b: usize| -> (f64, f64) {
                    let hi = ry[b];
                    let (delta, s) = (hi - lo, lo + hi);
                    let [am, bm, cm, dm] = pre[self.rmid[b]];
                    let for_lo =
                        delta * al + s * (am - al) - 2.0 * (bm - bl) + delta * (s * cm - 2.0 * dm);
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
            return;
        }
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

    /// The conditional PCE of `m` options into `p`: fused products, normalised; if they
    /// underflow (only possible with many options), again through the coalition matrix and
    /// KTAB's log-space fallback.
    #[allow(clippy::too_many_arguments)]
    fn pce(
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

impl Smp {
    /// Workspace for up to `capacity` actors on `dims` dimensions.
    pub fn new(capacity: usize, dims: usize) -> Self {
        let n2 = capacity * capacity;
        Smp {
            capacity,
            dims,
            d: vec![0.0; n2],
            ut: vec![0.0; n2],
            c: vec![0.0; n2],
            pv: vec![0.0; n2],
            p: vec![0.0; capacity],
            own: vec![0.0; capacity],
            acc_a: vec![0.0; capacity],
            acc_b: vec![0.0; capacity],
            zeros: vec![0.0; capacity],
            sorted: Sorted1d::new(capacity),
            exact: false,
            risk: vec![0.0; capacity],
            unique: vec![0; capacity],
            m: 0,
            prob_unique: vec![0.0; capacity],
            win: vec![0.0; capacity],
            expected: vec![0.0; dims],
        }
    }

    /// State-0 analysis as `smp::analyse`, for `caps.len()` actors: positions and saliences
    /// are flat, `pos[i * dims + k]`. Results in the public fields. Allocates nothing.
    pub fn analyse(&mut self, caps: &[f64], pos: &[f64], sal: &[f64]) {
        let n = caps.len();
        let dims = self.dims;
        assert!(
            n <= self.capacity,
            "Smp holds at most {} actors",
            self.capacity
        );
        assert_eq!(pos.len(), n * dims, "one position per actor and dimension");
        assert_eq!(sal.len(), n * dims, "one salience per actor and dimension");
        self.expected.fill(0.0);
        self.m = 0;
        if n == 0 {
            return;
        }
        let at = |i: usize| i * dims..(i + 1) * dims;
        // One dimension: KTAB's distance sqrt(((a − b) s)² / s²) is |a − b| whatever the
        // salience, and the sorted computation replaces the O(n³) loops.
        let fast = dims == 1 && !self.exact;
        if fast {
            self.sorted.opts[..n].copy_from_slice(pos);
            self.sorted.pce(
                caps,
                pos,
                &self.zeros[..n],
                n,
                &mut self.c,
                &mut self.pv,
                &mut self.p,
            );
        } else {
            for i in 0..n {
                for j in 0..n {
                    self.d[i * n + j] = distance(&pos[at(i)], &pos[at(j)], &sal[at(i)]);
                }
            }
            // Risk-neutral pass over every actor's position.
            for o in 0..n {
                for k in 0..n {
                    self.ut[k * n + o] = utility(self.d[k * n + o], 0.0);
                }
            }
            coalitions_exact(
                caps,
                &self.ut,
                n,
                n,
                &mut self.c,
                &mut self.acc_a,
                &mut self.acc_b,
            );
            pce_from_coalitions(&self.c, n, &mut self.pv, &mut self.p);
        }
        let p = &self.p[..n];
        let p_min = p.iter().copied().fold(1.0, f64::min);
        let p_max = p.iter().copied().fold(0.0, f64::max);
        let range = p_max - p_min;
        for i in 0..n {
            self.risk[i] = if range > 0.0 {
                // Clamped as in smp.rs: rounding can land one ulp outside [-0.5, 1].
                ((3.0 * p[i] - (p_max + 2.0 * p_min)) / (2.0 * range)).clamp(-0.5, 1.0)
            } else {
                0.0
            };
            let r = self.risk[i];
            self.own[i] = (2.0 * r + r) / 3.0;
        }
        // Distinct positions.
        let same = |a: usize, b: usize| {
            if dims == 1 {
                // sqrt((x − y)²) = |x − y| exactly (sqrt(x ⊗ x) = |x| in binary floating point).
                (pos[a] - pos[b]).abs() < POSITION_TOLERANCE
            } else {
                same_position(&pos[at(a)], &pos[at(b)])
            }
        };
        let mut m = 0;
        for i in 0..n {
            if !(0..m).any(|u| same(i, self.unique[u])) {
                self.unique[m] = i;
                m += 1;
            }
        }
        self.m = m;
        // Risk-aware pass over the distinct positions.
        if fast {
            for u in 0..m {
                self.sorted.opts[u] = pos[self.unique[u]];
            }
            self.sorted.pce(
                caps,
                pos,
                &self.own[..n],
                m,
                &mut self.c,
                &mut self.pv,
                &mut self.prob_unique,
            );
        } else {
            for u in 0..m {
                let o = self.unique[u];
                for k in 0..n {
                    self.ut[k * m + u] = utility(self.d[k * n + o], self.own[k]);
                }
            }
            coalitions_exact(
                caps,
                &self.ut,
                n,
                m,
                &mut self.c,
                &mut self.acc_a,
                &mut self.acc_b,
            );
            pce_from_coalitions(&self.c, m, &mut self.pv, &mut self.prob_unique);
        }
        for i in 0..n {
            let k = (0..m).rev().find(|&u| same(i, self.unique[u])).unwrap_or(0);
            self.win[i] = self.prob_unique[k];
        }
        for u in 0..m {
            let j = self.unique[u];
            let pu = self.prob_unique[u];
            for k in 0..dims {
                self.expected[k] += pu * pos[j * dims + k];
            }
        }
    }
}

/// Probability that no dissenter blocks: (1 − veto_propensity)^dissenters.
#[inline]
pub fn pass_probability(veto: f64, dissenters: usize) -> f64 {
    libm::pow(1.0 - veto.clamp(0.0, 1.0), dissenters as f64)
}

/// Dissent against a line: (number of dissenters, weighted share within tolerance, the
/// furthest ally).
pub fn dissent(c: &Coeffs, s: &State, line: f64, tol: f64) -> (usize, f64, usize) {
    let (mut k, mut share, mut far, mut far_d) = (0, 0.0, 0, -1.0);
    for i in 0..s.allies() {
        let d = (s.stance[i] - line).abs();
        if d > tol {
            k += 1;
        } else {
            share += c.w[i];
        }
        if d > far_d {
            far = i;
            far_d = d;
        }
    }
    (k, share.clamp(0.0, 1.0), far)
}

/// The stance that corresponds to label `label`: label_threshold × label / 3.
#[inline]
pub fn label_position(c: &Coeffs, label: usize) -> f64 {
    c[P::LabelThreshold] * label as f64 / (LABELS.len() - 1) as f64
}

/// Step 7 (decisions stream: three uniforms per turn, always drawn).
pub fn decide<R: Rng + ?Sized, T: Tracer>(
    c: &Coeffs,
    s: &mut State,
    ws: &mut Workspace,
    rng: &mut R,
    t: usize,
    tr: &mut T,
) {
    let n = s.allies();
    let tol = c[P::ConsensusTolerance];
    let veto = c[P::VetoPropensity];
    let u_line = unit(rng);
    let u_label = unit(rng);
    let u_pick = unit(rng);
    if ws.summit {
        let st = c[P::SalienceThreat];
        for i in 0..n {
            ws.caps[i] = c.w[i] * ((1.0 - st) + st * s.threat[i]);
        }
        ws.smp.analyse(&ws.caps[..n], &s.stance, &ws.sal[..n]);
        let candidate = if c.int(P::SummitOutcome) == 0 {
            ws.smp.expected[0]
        } else {
            let m = ws.smp.m;
            let u = super::adversary::weighted_pick(m, u_pick, |k| ws.smp.prob_unique[k]);
            s.stance[ws.smp.unique[u]]
        }
        .clamp(0.0, 1.0);
        let (k, share, far) = dissent(c, s, candidate, tol);
        let p_ok = pass_probability(veto, k);
        ws.drawn.council_odds[0] = (p_ok, u_line);
        let ok = ws.forced.consensus.unwrap_or(u_line < p_ok);
        if T::ENABLED {
            let (smp, stance) = (&ws.smp, &s.stance);
            tr.event(t, "summit", "alliance", &|| {
                let best = (0..smp.m)
                    .max_by(|&a, &b| smp.prob_unique[a].total_cmp(&smp.prob_unique[b]))
                    .unwrap_or(0);
                format!(
                    "KTAB bargaining over the line: expected position {:.3}; most likely position {:.3} ({}'s, p = {:.3}); candidate line {:.3}; {} dissenter(s) beyond {tol}; {}",
                    smp.expected[0],
                    stance[smp.unique[best]],
                    c.names[smp.unique[best]],
                    smp.prob_unique[best],
                    candidate,
                    k,
                    if ok {
                        "adopted by consensus".to_string()
                    } else {
                        format!("BLOCKED (furthest: {})", c.names[far])
                    }
                )
            });
        }
        if ok {
            s.line = candidate;
        }
        s.consensus = ok;
        s.consensus_share = share;
        if ws.label_on_agenda && s.proposed_label != s.label {
            let target = label_position(c, s.proposed_label);
            let hardening = s.proposed_label > s.label;
            let objectors = s
                .stance
                .iter()
                .filter(|&&x| {
                    if hardening {
                        x < target - tol
                    } else {
                        x > target + tol
                    }
                })
                .count();
            let supported = if hardening {
                candidate >= target - c[P::LabelSlack]
            } else {
                candidate <= target + c[P::LabelSlack]
            };
            let p_label = if ok && supported {
                pass_probability(veto, objectors)
            } else {
                0.0
            };
            ws.drawn.council_odds[1] = (p_label, u_label);
            let adopted = ws.forced.label.unwrap_or(u_label < p_label);
            ws.drawn.label = Some(adopted);
            if T::ENABLED {
                let (from, to) = (LABELS[s.label], LABELS[s.proposed_label]);
                tr.event(t, "decision", "alliance", &|| {
                    format!(
                        "label {from} → {to} (position {target:.2}): {} ({objectors} objector(s); line {} the label)",
                        if adopted { "ADOPTED" } else { "not adopted" },
                        if supported { "supports" } else { "does not support" }
                    )
                });
            }
            if adopted {
                s.label = s.proposed_label;
                s.label_change_turn = Some(t);
            }
        }
    } else {
        let mean = weighted_mean(&c.w, &s.stance);
        s.line = (s.line + c[P::LineAdjust] * (mean - s.line)).clamp(0.0, 1.0);
        let (k, share, far) = dissent(c, s, s.line, tol);
        let p_ok = pass_probability(veto, k);
        ws.drawn.council_odds[0] = (p_ok, u_line);
        s.consensus = ws.forced.consensus.unwrap_or(u_line < p_ok);
        s.consensus_share = share;
        if T::ENABLED && !s.consensus {
            tr.event(t, "decision", &c.names[far], &|| {
                format!(
                    "no consensus in the North Atlantic Council: {k} ally(ies) beyond {tol} of the line {:.3}",
                    s.line
                )
            });
        }
    }
    ws.drawn.summit = ws.summit;
    ws.drawn.consensus = s.consensus;
    s.no_consensus_run = if s.consensus {
        0
    } else {
        s.no_consensus_run + 1
    };
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;
    use crate::kernel::rng::{Purpose, stream, uniform};
    use crate::model::NoTrace;
    use crate::model::bargaining::smp::{self, Actor};

    /// KTAB's SOE-Pol-Comp example (capability, two positions and saliences, 0–100).
    const SOE: [(f64, f64, f64, f64, f64); 13] = [
        (100.0, 30.0, 24.0, 20.0, 48.0),
        (60.2, 45.0, 44.7, 65.0, 41.3),
        (35.0, 30.0, 28.9, 15.0, 65.1),
        (35.0, 45.0, 20.6, 45.0, 49.4),
        (40.0, 50.0, 44.7, 65.0, 47.8),
        (20.0, 15.0, 32.0, 10.0, 32.0),
        (15.0, 20.0, 32.0, 15.0, 32.0),
        (25.0, 60.0, 43.9, 50.0, 50.1),
        (20.0, 30.0, 26.4, 15.0, 17.6),
        (35.0, 45.0, 35.9, 40.0, 46.6),
        (20.0, 50.0, 44.7, 50.0, 47.8),
        (20.0, 20.0, 47.4, 30.0, 40.6),
        (40.0, 15.0, 49.0, 60.0, 46.0),
    ];

    fn compare(actors: &[Actor], dims: usize) {
        let r = smp::analyse(actors);
        let n = actors.len();
        let caps: Vec<f64> = actors.iter().map(|a| a.capability).collect();
        let pos: Vec<f64> = actors.iter().flat_map(|a| a.position.clone()).collect();
        let sal: Vec<f64> = actors.iter().flat_map(|a| a.salience.clone()).collect();
        let mut ws = Smp::new(n + 3, dims);
        ws.exact = true;
        // Run twice: a used workspace gives the same bits.
        for _ in 0..2 {
            ws.analyse(&caps, &pos, &sal);
            for i in 0..n {
                assert_eq!(ws.risk[i].to_bits(), r.risk_attitudes[i].to_bits(), "R {i}");
                assert_eq!(
                    ws.win[i].to_bits(),
                    r.win_probabilities[i].to_bits(),
                    "p {i}"
                );
            }
            for k in 0..dims {
                assert_eq!(ws.expected[k].to_bits(), r.expected_position[k].to_bits());
            }
        }
    }

    /// The fast one-dimensional path agrees with `smp::analyse` to rounding.
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
    fn fast_one_dimensional_analysis_agrees_with_smp() {
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
    fn workspace_analysis_is_bit_identical_to_smp_on_ktab_soe_pol_comp() {
        let actors: Vec<Actor> = SOE
            .iter()
            .enumerate()
            .map(|(i, &(cap, p0, s0, p1, s1))| Actor {
                name: format!("a{i}"),
                capability: cap,
                position: vec![p0 / 100.0, p1 / 100.0],
                salience: vec![s0 / 100.0, s1 / 100.0],
            })
            .collect();
        compare(&actors, 2);
        // And it still reproduces KTAB's reference values (MK's win probability 0.4340).
        let caps: Vec<f64> = actors.iter().map(|a| a.capability).collect();
        let pos: Vec<f64> = actors.iter().flat_map(|a| a.position.clone()).collect();
        let sal: Vec<f64> = actors.iter().flat_map(|a| a.salience.clone()).collect();
        let mut ws = Smp::new(13, 2);
        ws.analyse(&caps, &pos, &sal);
        assert!((ws.win[3] - 0.4340).abs() <= 6e-5);
        assert!((ws.risk[0] - 1.0).abs() <= 6e-4);
    }

    #[test]
    fn workspace_analysis_is_bit_identical_on_random_one_dimensional_alliances() {
        let mut r = stream(4, Purpose::Init, 0);
        for n in [1, 2, 3, 5, 8, 13, 30] {
            for _ in 0..5 {
                let actors: Vec<Actor> = (0..n)
                    .map(|i| Actor {
                        name: format!("a{i}"),
                        capability: uniform(&mut r, 0.01, 1.0),
                        // Some shared positions, to exercise the distinct-position logic.
                        position: vec![if i % 4 == 3 {
                            0.5
                        } else {
                            uniform(&mut r, 0.0, 1.0)
                        }],
                        salience: vec![1.0],
                    })
                    .collect();
                compare(&actors, 1);
                // Unequal saliences take the general distance path.
                let mut other = actors.clone();
                for a in &mut other {
                    a.salience[0] = uniform(&mut r, 0.1, 1.0);
                }
                compare(&other, 1);
            }
        }
    }

    #[test]
    fn consensus_needs_no_veto_and_pass_probability_falls_with_dissent() {
        assert_eq!(pass_probability(0.3, 0), 1.0);
        assert!(pass_probability(0.3, 2) < pass_probability(0.3, 1));
        assert_eq!(pass_probability(1.0, 1), 0.0);
    }

    #[test]
    fn a_summit_sets_the_line_by_bargaining_and_may_adopt_the_label() {
        let mut p = defaults();
        p.values[P::VetoPropensity.i()] = 0.0;
        p.values[P::LabelThreshold.i()] = 0.3;
        let (_, c, mut s, mut st, mut ws) = setup(&p);
        s.proposed_label = 3;
        ws.summit = true;
        ws.label_on_agenda = true;
        let mut tr = crate::kernel::trace::Trace::default();
        decide(&c, &mut s, &mut ws, &mut st.decisions, 4, &mut tr);
        assert!(s.consensus);
        assert!((s.line - ws.smp.expected[0]).abs() < 1e-15);
        assert_eq!(s.label, 3, "{:?}", tr.events);
        assert_eq!(s.label_change_turn, Some(4));
        assert!(tr.events.iter().any(|e| e.kind == "summit"));
    }

    #[test]
    fn between_summits_the_line_follows_the_mean_and_vetoes_can_block() {
        let mut p = defaults();
        p.values[P::VetoPropensity.i()] = 1.0;
        p.values[P::ConsensusTolerance.i()] = 0.0;
        let (_, c, mut s, mut st, mut ws) = setup(&p);
        s.line = 0.0;
        decide(&c, &mut s, &mut ws, &mut st.decisions, 1, &mut NoTrace);
        assert!(s.line > 0.0);
        assert!(!s.consensus);
        assert_eq!(s.no_consensus_run, 1);
        decide(&c, &mut s, &mut ws, &mut st.decisions, 2, &mut NoTrace);
        assert_eq!(s.no_consensus_run, 2);
    }
}
