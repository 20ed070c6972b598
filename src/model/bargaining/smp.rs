//! State-0 analysis of KTAB's Spatial Model of Politics (SMP): a Rust port of the relevant parts
//! of KAPSARC's KTAB (MIT licence): `examples/smp/libsrc/smp.cpp`, `KTAB/kmodel/libsrc/kmodel.cpp`.
//! Distance d_ij = sqrt(Σ_k (s_ik (x_ik − x_jk))² / Σ_k s_ik²); utility u = (1 − d)(1 + d·R);
//! proportional vote v_k(i:j) = c_k (u_k(i) − u_k(j)) with c_k the capability; coalition
//! C(i:j) = 1e-8 + Σ_k max(0, v_k(i:j)); linear victory P(i>j) = C(i:j) / (C(i:j) + C(j:i));
//! conditional PCE p_i ∝ Π_j P(i>j) (with P(i>i) = ½); risk attitude (BigRRange "Mid")
//! R_i = (3 p_i − (p_max + 2 p_min)) / (2 (p_max − p_min)) ∈ [−½, 1], inferred from the
//! risk-neutral p; the reported probabilities are those of the risk-aware utilities.
//!
//! There is one implementation, [`Smp`], working on buffers sized once, because the alliance
//! model bargains at every summit of every trial and its turn loop must not allocate; the
//! bargaining model's [`analyse`] runs the same code on a workspace of its own. Matrices are
//! flat and actor-major. With [`Smp::exact`] every sum runs in KTAB's order; on one dimension
//! the default is the sorted O(n log n + m²) computation of `smp1d.rs`, equal to rounding.

use super::smp1d::Sorted1d;

/// Floor added to every coalition strength (KTAB `Model::coalitions`, `minC`).
pub const MIN_COALITION: f64 = 1e-8;

/// Two positions closer than this (plain Euclidean norm on the 0–1 scale) are the same
/// position (KTAB `SMPModel::posTol`).
pub const POSITION_TOLERANCE: f64 = 1e-3;

/// One SMP actor.
///
/// Positions and saliences are on the 0–1 scale: a caller holding KTAB-style 0–100 inputs
/// divides both by 100 (KTAB's `csvRead` does exactly this). Saliences need not sum to 1 (KTAB
/// only requires their sum to be at most 1); the distance depends only on their ratios.
/// Capability is used as given (KTAB `sCap`, any positive scale).
#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    /// Short name, for reporting only.
    pub name: String,
    /// Scalar capability (voting weight), > 0.
    pub capability: f64,
    /// Position, one coordinate per dimension, each in [0, 1].
    pub position: Vec<f64>,
    /// Salience of each dimension, each in [0, 1], not all zero.
    pub salience: Vec<f64>,
}

/// The state-0 outcome of [`analyse`].
#[derive(Debug, Clone, PartialEq)]
pub struct SmpResult {
    /// Inferred risk attitude R_i of each actor, in [−0.5, 1].
    pub risk_attitudes: Vec<f64>,
    /// Probability that each actor's position prevails. As in KTAB's report, actors sharing a
    /// position (within [`POSITION_TOLERANCE`]) each show that position's probability, so this
    /// sums to 1 over distinct positions, and to more than 1 when positions are shared.
    pub win_probabilities: Vec<f64>,
    /// Probability-weighted mean position, per dimension (over distinct positions).
    pub expected_position: Vec<f64>,
}

/// Salience-weighted distance from `from` to `to` using `salience` (KTAB `SMPModel::bvDiff`):
/// sqrt(Σ_k (s_k (from_k − to_k))² / Σ_k s_k²). In [0, 1] for positions in [0, 1].
///
/// # Panics
/// If the slices differ in length, or all saliences are zero.
pub fn distance(from: &[f64], to: &[f64], salience: &[f64]) -> f64 {
    assert_eq!(from.len(), to.len(), "positions differ in dimension");
    assert_eq!(from.len(), salience.len(), "salience differs in dimension");
    let mut ds_sqr = 0.0;
    let mut ss_sqr = 0.0;
    for ((&a, &b), &s) in from.iter().zip(to).zip(salience) {
        let ds = (a - b) * s;
        ds_sqr += ds * ds;
        ss_sqr += s * s;
    }
    assert!(ss_sqr > 0.0, "saliences are all zero");
    libm::sqrt(ds_sqr / ss_sqr)
}

/// Utility of a position at distance `d` for risk attitude `r` (KTAB `SMPModel::bsUtil`):
/// (1 − d)(1 + d·r) for d ≤ 1, and (1 − d)(1 + r) beyond (round-off guard).
pub fn utility(d: f64, r: f64) -> f64 {
    if d <= 1.0 {
        (1.0 - d) * (1.0 + d * r)
    } else {
        (1.0 - d) * (1.0 + r)
    }
}

/// Proportional vote of an actor with weight `weight` for option i over option j
/// (KTAB `Model::vote`, `VotingRule::Proportional`): weight × (u_i − u_j).
pub fn vote(weight: f64, u_i: f64, u_j: f64) -> f64 {
    weight * (u_i - u_j)
}

/// Linear victory probability of a coalition of strength `c_ij` over one of strength `c_ji`
/// (KTAB `Model::vProb`, `VPModel::Linear`): c_ij / (c_ij + c_ji).
pub fn victory_probability(c_ij: f64, c_ji: f64) -> f64 {
    c_ij / (c_ij + c_ji)
}

/// Coalition strengths (KTAB `Model::coalitions` with proportional votes) of `m` options for
/// `n` actors with weights `w`, from actor-major utilities `ut[k * m + o]` (utility to actor k
/// of option o): `c[i * m + j]` = C(i:j) = [`MIN_COALITION`] + Σ_k max(0, v_k(i:j)), and
/// `c[i * m + i]` = [`MIN_COALITION`]. `acc_a`, `acc_b` are scratch rows of length ≥ m.
///
/// The actor loop is outside and the option loop inside, so the inner loop is contiguous and
/// vectorises; every sum C(i:j) still adds its actors' votes in actor order, as KTAB's loop does.
#[allow(clippy::too_many_arguments)]
pub fn coalitions(
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

/// The probability `p[i]` that each of `m` options prevails, from coalition strengths `c`:
/// linear victory probabilities `pv[i * m + j]` = P(i > j) with P(i > i) = ½ (KTAB
/// `Model::vProb`), then the conditional PCE Π_j P(i > j), normalised (KTAB `Model::condPCE`).
/// If every product underflows (hundreds of options), the same quantity in log space.
pub fn pce_from_coalitions(c: &[f64], m: usize, pv: &mut [f64], p: &mut [f64]) {
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

/// Risk attitudes from probabilities (KTAB `Model::bigRfromProb`, `BigRRange::Mid`):
/// R_i = (3 p_i − (p_max + 2 p_min)) / (2 (p_max − p_min)), so the least likely actor gets −½
/// and the most likely +1. When all probabilities are equal (KTAB divides 0 by 0) every actor
/// is taken to be risk neutral, R = 0. Clamped to [−½, 1]: rounding put the extremes one ulp
/// outside (e.g. 1.0000000000000002), beyond the declared range of the `risk.*` outcomes.
pub fn risk_attitudes(p: &[f64], r: &mut [f64]) {
    let p_min = p.iter().copied().fold(1.0, f64::min);
    let p_max = p.iter().copied().fold(0.0, f64::max);
    let range = p_max - p_min;
    for (ri, &pi) in r.iter_mut().zip(p) {
        *ri = if range > 0.0 {
            ((3.0 * pi - (p_max + 2.0 * p_min)) / (2.0 * range)).clamp(-0.5, 1.0)
        } else {
            0.0
        };
    }
}

/// Whether two positions are the same (within [`POSITION_TOLERANCE`], plain Euclidean norm).
fn same_position(a: &[f64], b: &[f64]) -> bool {
    let sq = a
        .iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .fold(0.0, |s, v| s + v);
    libm::sqrt(sq) < POSITION_TOLERANCE
}

/// Whether actors `a` and `b` hold the same position (`pos` flat, `dims` per actor).
fn same_at(pos: &[f64], dims: usize, a: usize, b: usize) -> bool {
    if dims == 1 {
        // sqrt((x − y)²) = |x − y| exactly (sqrt(x ⊗ x) = |x| in binary floating point).
        (pos[a] - pos[b]).abs() < POSITION_TOLERANCE
    } else {
        same_position(
            &pos[a * dims..(a + 1) * dims],
            &pos[b * dims..(b + 1) * dims],
        )
    }
}

/// Workspace and results of a state-0 SMP analysis for up to `capacity` actors.
#[derive(Debug, Clone)]
pub struct Smp {
    capacity: usize,
    dims: usize,
    /// Number of actors of the last analysis.
    n: usize,
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
    /// Each actor's rank in position order, and its number among the distinct positions
    /// (fast path).
    rank: Vec<usize>,
    uidx: Vec<usize>,
    /// Use KTAB's O(n³) loops even on one dimension (every sum in KTAB's order).
    pub exact: bool,
    /// Inferred risk attitude of each actor.
    pub risk: Vec<f64>,
    /// First actor holding each distinct position (`unique[..m]`).
    pub unique: Vec<usize>,
    /// Number of distinct positions.
    pub m: usize,
    /// Probability that each distinct position prevails.
    pub prob_unique: Vec<f64>,
    /// Probability that each actor's position prevails (as `SmpResult::win_probabilities`),
    /// filled by [`Smp::win_probabilities`].
    pub win: Vec<f64>,
    /// Probability-weighted expected position.
    pub expected: Vec<f64>,
}

impl Smp {
    /// Workspace for up to `capacity` actors on `dims` dimensions.
    pub fn new(capacity: usize, dims: usize) -> Self {
        let n2 = capacity * capacity;
        Smp {
            capacity,
            dims,
            n: 0,
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
            rank: vec![0; capacity],
            uidx: vec![0; capacity],
            exact: false,
            risk: vec![0.0; capacity],
            unique: vec![0; capacity],
            m: 0,
            prob_unique: vec![0.0; capacity],
            win: vec![0.0; capacity],
            expected: vec![0.0; dims],
        }
    }

    /// State-0 analysis (as [`analyse`]) of `caps.len()` actors: positions and saliences are
    /// flat, `pos[i * dims + k]`. Results in the public fields but [`Smp::win`]; allocates nothing.
    ///
    /// 1. risk-neutral utilities 1 − d_ij; conditional PCE over all actors' positions
    ///    (duplicates included) with capabilities as weights; risk attitudes R_i from those
    ///    probabilities;
    /// 2. risk-aware utilities u_i(j) = (1 − d_ij)(1 + d_ij R_i); conditional PCE over the
    ///    distinct positions, again with capabilities as weights.
    ///
    /// # Panics
    /// If there are more actors than the capacity, the slices do not match the dimension, or
    /// (off the one-dimensional fast path) an actor's saliences are all zero.
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
        self.n = n;
        if n == 0 {
            return;
        }
        let at = |i: usize| i * dims..(i + 1) * dims;
        // One dimension: KTAB's distance sqrt(((a − b) s)² / s²) is |a − b| whatever the
        // salience, and the sorted computation replaces the O(n³) loops.
        let fast = dims == 1 && !self.exact;
        if fast {
            self.sorted.prepare(pos);
            self.sorted.pce(
                caps,
                &self.zeros[..n],
                false,
                &self.uidx,
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
            coalitions(
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
        risk_attitudes(&self.p[..n], &mut self.risk[..n]);
        for i in 0..n {
            // KTAB evaluates actor i's own estimate of its risk attitude under the OneThird
            // rule, (2 r_i + r_i) / 3; kept for bit-level fidelity.
            let r = self.risk[i];
            self.own[i] = (2.0 * r + r) / 3.0;
        }
        // Distinct positions (KTAB `KBase::ueIndices` with `SMPState::equivNdx`).
        let same = |a: usize, b: usize| same_at(pos, dims, a, b);
        let m = if fast {
            let (rank, uidx) = (&mut self.rank[..n], &mut self.uidx[..n]);
            self.sorted
                .unique(pos, POSITION_TOLERANCE, rank, &mut self.unique, uidx)
        } else {
            let mut m = 0;
            for i in 0..n {
                if !(0..m).any(|u| same(i, self.unique[u])) {
                    self.unique[m] = i;
                    m += 1;
                }
            }
            m
        };
        self.m = m;
        // Risk-aware pass over the distinct positions.
        if fast {
            self.sorted.pce(
                caps,
                &self.own[..n],
                true,
                &self.uidx,
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
            coalitions(
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
        for u in 0..m {
            let j = self.unique[u];
            let pu = self.prob_unique[u];
            for k in 0..dims {
                self.expected[k] += pu * pos[j * dims + k];
            }
        }
    }

    /// Fills [`Smp::win`], each actor's probability, after [`Smp::analyse`] on the same
    /// positions `pos`. A separate step because the alliance summit reads only the distinct
    /// positions' probabilities and the expected position, and need not pay for it.
    pub fn win_probabilities(&mut self, pos: &[f64]) {
        let (n, dims, m) = (self.n, self.dims, self.m);
        assert_eq!(pos.len(), n * dims, "the positions of the last analysis");
        let fast = dims == 1 && !self.exact;
        // KTAB `State::posProb`: the last distinct position equivalent to actor i's.
        for i in 0..n {
            let k = if fast {
                let (rank, uidx) = (&self.rank[..n], &self.uidx[..n]);
                self.sorted
                    .equivalent(pos, POSITION_TOLERANCE, rank, uidx, i)
            } else {
                (0..m)
                    .rev()
                    .find(|&u| same_at(pos, dims, i, self.unique[u]))
                    .unwrap_or(0)
            };
            self.win[i] = self.prob_unique[k];
        }
    }
}

/// State-0 SMP analysis, as KTAB's `SMPState::setAllAUtil` then `SMPState::pDist(-1)` with the
/// default parameters (VictoryProbModel Linear, VotingRule Proportional, PCEModel Conditional,
/// BigRRange Mid): [`Smp::analyse`] in KTAB's order of operations, on a workspace of its own.
///
/// Deterministic: fixed iteration order throughout. An empty slice gives an empty result.
///
/// # Panics
/// If actors' positions and saliences do not all have the same dimension, or an actor's
/// saliences are all zero.
pub fn analyse(actors: &[Actor]) -> SmpResult {
    let n = actors.len();
    let dims = actors.first().map_or(0, |a| a.position.len());
    for a in actors {
        assert_eq!(
            a.position.len(),
            dims,
            "actor {} position dimension",
            a.name
        );
        assert_eq!(
            a.salience.len(),
            dims,
            "actor {} salience dimension",
            a.name
        );
    }
    if n == 0 {
        return SmpResult {
            risk_attitudes: Vec::new(),
            win_probabilities: Vec::new(),
            expected_position: Vec::new(),
        };
    }
    let caps: Vec<f64> = actors.iter().map(|a| a.capability).collect();
    let pos: Vec<f64> = actors
        .iter()
        .flat_map(|a| a.position.iter().copied())
        .collect();
    let sal: Vec<f64> = actors
        .iter()
        .flat_map(|a| a.salience.iter().copied())
        .collect();
    let mut ws = Smp::new(n, dims);
    ws.exact = true;
    ws.analyse(&caps, &pos, &sal);
    ws.win_probabilities(&pos);
    SmpResult {
        risk_attitudes: ws.risk,
        win_probabilities: ws.win,
        expected_position: ws.expected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (name, capability, pos 0, sal 0, pos 1, sal 1, expected R, expected p).
    type Row = (&'static str, f64, f64, f64, f64, f64, f64, f64);

    /// KTAB `examples/smp/doc/SOE-Pol-Comp.csv`: name, capability, policy position, policy
    /// salience, competitive position, competitive salience (all 0–100), then the reference
    /// run's (`20170530_ref-SOE-Pol-Comp.txt`) inferred R and state-0 win probability.
    const SOE_POL_COMP: [Row; 13] = [
        ("XJ", 100.0, 30.0, 24.0, 20.0, 48.0, 1.000, 0.0618),
        ("LK", 60.2, 45.0, 44.7, 65.0, 41.3, -0.498, 0.0156),
        ("ZG", 35.0, 30.0, 28.9, 15.0, 65.1, -0.452, 0.0117),
        ("MK", 35.0, 45.0, 20.6, 45.0, 49.4, 0.362, 0.4340),
        ("LH", 40.0, 50.0, 44.7, 65.0, 47.8, -0.500, 0.0028),
        ("XS", 20.0, 15.0, 32.0, 10.0, 32.0, -0.500, 0.0000),
        ("NEA", 15.0, 20.0, 32.0, 15.0, 32.0, -0.497, 0.0020),
        ("MLR", 25.0, 60.0, 43.9, 50.0, 50.1, -0.499, 0.0013),
        ("MEP", 20.0, 30.0, 26.4, 15.0, 17.6, -0.452, 0.0117),
        ("MOF", 35.0, 45.0, 35.9, 40.0, 46.6, 0.643, 0.2481),
        ("SHX", 20.0, 50.0, 44.7, 50.0, 47.8, -0.383, 0.1533),
        ("HLJ", 20.0, 20.0, 47.4, 30.0, 40.6, -0.196, 0.0689),
        ("WY", 40.0, 15.0, 49.0, 60.0, 46.0, -0.500, 0.0005),
    ];

    fn soe_actors() -> Vec<Actor> {
        SOE_POL_COMP
            .iter()
            .map(|&(name, cap, p0, s0, p1, s1, _, _)| Actor {
                name: name.to_string(),
                capability: cap,
                position: vec![p0 / 100.0, p1 / 100.0],
                salience: vec![s0 / 100.0, s1 / 100.0],
            })
            .collect()
    }

    /// Capabilities, and positions and saliences flat (`[i * dims + k]`).
    fn flat(actors: &[Actor]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let caps = actors.iter().map(|a| a.capability).collect();
        let pos = actors.iter().flat_map(|a| a.position.clone()).collect();
        let sal = actors.iter().flat_map(|a| a.salience.clone()).collect();
        (caps, pos, sal)
    }

    fn actor(name: &str, capability: f64, position: &[f64], salience: &[f64]) -> Actor {
        Actor {
            name: name.to_string(),
            capability,
            position: position.to_vec(),
            salience: salience.to_vec(),
        }
    }

    #[test]
    fn reproduces_ktab_soe_pol_comp_state_0() {
        let res = analyse(&soe_actors());
        let mut max_r: f64 = 0.0;
        let mut max_p: f64 = 0.0;
        for (i, row) in SOE_POL_COMP.iter().enumerate() {
            let (name, expected_r, expected_p) = (row.0, row.6, row.7);
            let dr = (res.risk_attitudes[i] - expected_r).abs();
            let dp = (res.win_probabilities[i] - expected_p).abs();
            assert!(
                dr <= 6e-4,
                "{name}: R {} vs {expected_r}",
                res.risk_attitudes[i]
            );
            assert!(
                dp <= 6e-5,
                "{name}: p {} vs {expected_p}",
                res.win_probabilities[i]
            );
            max_r = max_r.max(dr);
            max_p = max_p.max(dp);
        }
        println!("max |dR| = {max_r:.3e}, max |dp| = {max_p:.3e}");
    }

    #[test]
    fn reproduces_ktab_utility_matrices() {
        // Reference log rows: risk-neutral value (3 decimals) of actor 0, and risk-aware
        // utility (4 decimals) of actor 1, to every actor's position.
        let actors = soe_actors();
        let d = |i: usize, j: usize| {
            let (a, b) = (&actors[i], &actors[j]);
            distance(&a.position, &b.position, &a.salience)
        };
        let raw0 = [
            1.000, 0.592, 0.955, 0.767, 0.588, 0.888, 0.937, 0.700, 0.955, 0.809, 0.717, 0.900,
            0.636,
        ];
        for (j, &e) in raw0.iter().enumerate() {
            assert!(
                (utility(d(0, j), 0.0) - e).abs() <= 5e-4 + 1e-12,
                "raw (0,{j})"
            );
        }
        let res = analyse(&actors);
        let aware1 = [
            0.5663, 1.0000, 0.5291, 0.8059, 0.9457, 0.4444, 0.4963, 0.7866, 0.5291, 0.7602, 0.8438,
            0.5952, 0.6909,
        ];
        for (j, &e) in aware1.iter().enumerate() {
            let u = utility(d(1, j), res.risk_attitudes[1]);
            assert!((u - e).abs() <= 5e-5 + 1e-12, "aware (1,{j}): {u} vs {e}");
        }
    }

    #[test]
    fn probabilities_sum_to_one_over_distinct_positions() {
        let actors = soe_actors();
        let res = analyse(&actors);
        let (caps, pos, sal) = flat(&actors);
        let mut ws = Smp::new(13, 2);
        ws.exact = true;
        ws.analyse(&caps, &pos, &sal);
        let unique = &ws.unique[..ws.m];
        assert_eq!(unique.len(), 12); // ZG and MEP share (30, 15)
        assert!(unique.contains(&2) && !unique.contains(&8));
        let total: f64 = unique.iter().map(|&j| res.win_probabilities[j]).sum();
        assert!((total - 1.0).abs() < 1e-12, "{total}");
        assert_eq!(res.win_probabilities[2], res.win_probabilities[8]);
        let all: f64 = res.win_probabilities.iter().sum();
        assert!((all - 1.0 - res.win_probabilities[2]).abs() < 1e-12);

        // Three actors (weights 1, 2, 3) and three options, utilities actor-major.
        let ut = [1.0, 0.2, 0.5, 0.3, 1.0, 0.7, 0.1, 0.6, 1.0];
        let (mut c, mut pv, mut p) = ([0.0; 9], [0.0; 9], [0.0; 3]);
        let (mut a, mut b) = ([0.0; 3], [0.0; 3]);
        coalitions(&[1.0, 2.0, 3.0], &ut, 3, 3, &mut c, &mut a, &mut b);
        // C(1:0): actors 1 and 2 prefer option 1 by 0.7 and 0.5, weighted 2 and 3.
        assert!((c[3] - (MIN_COALITION + 2.0 * 0.7 + 3.0 * 0.5)).abs() < 1e-12);
        assert!((c[1] - (MIN_COALITION + 0.8)).abs() < 1e-12);
        pce_from_coalitions(&c, 3, &mut pv, &mut p);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);

        let r = &res.risk_attitudes;
        assert!(r.iter().all(|&x| (-0.5..=1.0).contains(&x)));
        let e = &res.expected_position;
        assert!(e.iter().all(|&x| (0.0..=1.0).contains(&x)));
    }

    #[test]
    fn two_actors_by_hand() {
        // A (capability 2) at 0, B (capability 1) at 1, one dimension: d(A,B) = 1, so
        // utilities are 1 (own) and 0 (other) whatever R. C(A:B) = 2 + ε, C(B:A) = 1 + ε,
        // P(A>B) ≈ 2/3, p_A ∝ ½·⅔, p_B ∝ ½·⅓, so p = (2/3, 1/3), R = (1, −½), E[x] = 1/3.
        let actors = [
            actor("A", 2.0, &[0.0], &[1.0]),
            actor("B", 1.0, &[1.0], &[0.5]),
        ];
        let res = analyse(&actors);
        assert!((res.win_probabilities[0] - 2.0 / 3.0).abs() < 1e-8);
        assert!((res.win_probabilities[1] - 1.0 / 3.0).abs() < 1e-8);
        assert!((res.risk_attitudes[0] - 1.0).abs() < 1e-12);
        assert!((res.risk_attitudes[1] + 0.5).abs() < 1e-12);
        assert!((res.expected_position[0] - 1.0 / 3.0).abs() < 1e-8);
    }

    #[test]
    fn helpers_by_hand() {
        // Distance uses only salience ratios: (0.15, 0.45) weighted (1, 2) → sqrt(0.8325/5).
        let d = distance(&[0.30, 0.20], &[0.45, 0.65], &[0.24, 0.48]);
        assert!((d - libm::sqrt((0.15f64.powi(2) + 4.0 * 0.45f64.powi(2)) / 5.0)).abs() < 1e-12);
        assert_eq!(distance(&[0.4, 0.6], &[0.4, 0.6], &[0.3, 0.1]), 0.0);
        assert!((utility(0.5, 1.0) - 0.75).abs() < 1e-15);
        assert!((utility(0.5, -0.5) - 0.375).abs() < 1e-15);
        assert!((utility(0.5, 0.0) - 0.5).abs() < 1e-15);
        assert_eq!(vote(2.0, 0.75, 0.5), 0.5);
        assert!((victory_probability(3.0, 1.0) - 0.75).abs() < 1e-15);
        // C(0:1) = 3, C(1:0) = 1: P(0 > 1) = ¾, and p ∝ (½ · ¾, ¼ · ½) = (¾, ¼).
        let (mut pv, mut p) = ([0.0; 4], [0.0; 2]);
        pce_from_coalitions(
            &[MIN_COALITION, 3.0, 1.0, MIN_COALITION],
            2,
            &mut pv,
            &mut p,
        );
        assert!((pv[1] - 0.75).abs() < 1e-8 && pv[0] == 0.5);
        assert!((p[0] - 0.75).abs() < 1e-8 && (p[1] - 0.25).abs() < 1e-8);
        let mut r = [0.0; 3];
        risk_attitudes(&[0.1, 0.4, 0.5], &mut r);
        for (x, e) in r.iter().zip([-0.5, 0.625, 1.0]) {
            assert!((x - e).abs() < 1e-12, "{x} vs {e}");
        }
    }

    #[test]
    fn identical_actors_share_one_certain_position() {
        let actors = [
            actor("A", 1.0, &[0.3, 0.7], &[0.5, 0.5]),
            actor("B", 1.0, &[0.3, 0.7], &[0.5, 0.5]),
            actor("C", 1.0, &[0.3, 0.7], &[0.5, 0.5]),
        ];
        let res = analyse(&actors);
        assert_eq!(res.risk_attitudes, vec![0.0; 3]);
        assert_eq!(res.win_probabilities, vec![1.0; 3]);
        assert!((res.expected_position[0] - 0.3).abs() < 1e-15);
        assert!((res.expected_position[1] - 0.7).abs() < 1e-15);
    }

    #[test]
    fn symmetric_pair_splits_evenly() {
        let actors = [
            actor("A", 1.0, &[0.2], &[0.8]),
            actor("B", 1.0, &[0.8], &[0.8]),
        ];
        let res = analyse(&actors);
        assert_eq!(res.risk_attitudes, vec![0.0; 2]);
        assert!((res.win_probabilities[0] - 0.5).abs() < 1e-15);
        assert!((res.expected_position[0] - 0.5).abs() < 1e-15);
        assert!(analyse(&[]).win_probabilities.is_empty());
    }

    #[test]
    fn deterministic() {
        let actors = soe_actors();
        assert_eq!(analyse(&actors), analyse(&actors));
    }

    /// A workspace reused for other inputs (and larger than needed) gives the same bits as a
    /// fresh one: nothing of an earlier analysis leaks into the next.
    fn reused_workspace_matches_a_fresh_one(actors: &[Actor], other: &[Actor], dims: usize) {
        let fresh = analyse(actors);
        let (caps, pos, sal) = flat(actors);
        let (caps2, pos2, sal2) = flat(other);
        let mut ws = Smp::new(actors.len().max(other.len()) + 3, dims);
        ws.exact = true;
        for _ in 0..2 {
            ws.analyse(&caps2, &pos2, &sal2);
            ws.win_probabilities(&pos2);
            ws.analyse(&caps, &pos, &sal);
            ws.win_probabilities(&pos);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            let n = actors.len();
            assert_eq!(bits(&ws.risk[..n]), bits(&fresh.risk_attitudes));
            assert_eq!(bits(&ws.win[..n]), bits(&fresh.win_probabilities));
            assert_eq!(bits(&ws.expected), bits(&fresh.expected_position));
        }
    }

    #[test]
    fn a_reused_workspace_gives_the_bits_of_a_fresh_one() {
        let soe = soe_actors();
        let shifted: Vec<Actor> = soe[..7]
            .iter()
            .map(|a| actor(&a.name, a.capability * 2.0, &[0.5, 0.1], &a.salience))
            .collect();
        reused_workspace_matches_a_fresh_one(&soe, &shifted, 2);
        reused_workspace_matches_a_fresh_one(&shifted, &soe, 2);
        let mut r = crate::kernel::rng::stream(4, crate::kernel::rng::Purpose::Init, 0);
        let mut random = |n: usize| -> Vec<Actor> {
            (0..n)
                .map(|i| {
                    // Some shared positions, to exercise the distinct-position logic.
                    let x = if i % 4 == 3 {
                        0.5
                    } else {
                        crate::kernel::rng::uniform(&mut r, 0.0, 1.0)
                    };
                    let s = crate::kernel::rng::uniform(&mut r, 0.1, 1.0);
                    let c = crate::kernel::rng::uniform(&mut r, 0.01, 1.0);
                    actor(&format!("a{i}"), c, &[x], &[s])
                })
                .collect()
        };
        for n in [1, 2, 3, 5, 8, 13, 30] {
            let (a, b) = (random(n), random(n + 2));
            reused_workspace_matches_a_fresh_one(&a, &b, 1);
        }
    }
}
