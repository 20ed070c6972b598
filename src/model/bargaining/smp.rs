//! State-0 analysis of KTAB's Spatial Model of Politics (SMP): a Rust port of the relevant parts
//! of KAPSARC's KTAB (MIT licence): `examples/smp/libsrc/smp.cpp`, `KTAB/kmodel/libsrc/kmodel.cpp`.
//! Distance d_ij = sqrt(Σ_k (s_ik (x_ik − x_jk))² / Σ_k s_ik²); utility u = (1 − d)(1 + d·R);
//! proportional vote v_k(i:j) = c_k (u_k(i) − u_k(j)) with c_k the capability; coalition
//! C(i:j) = 1e-8 + Σ_k max(0, v_k(i:j)); linear victory P(i>j) = C(i:j) / (C(i:j) + C(j:i));
//! conditional PCE p_i ∝ Π_j P(i>j) (with P(i>i) = ½); risk attitude (BigRRange "Mid")
//! R_i = (3 p_i − (p_max + 2 p_min)) / (2 (p_max − p_min)) ∈ [−½, 1], inferred from the
//! risk-neutral p; the reported probabilities are those of the risk-aware utilities.

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

/// Coalition strengths (KTAB `Model::coalitions` with proportional votes).
///
/// `weights[k]` is actor k's weight, `util[k][i]` the utility to actor k of option i. Returns
/// `c` with `c[i][j]` = [`MIN_COALITION`] + Σ_k max(0, v_k(i:j)) and `c[i][i]` = [`MIN_COALITION`].
pub fn coalitions(weights: &[f64], util: &[Vec<f64>]) -> Vec<Vec<f64>> {
    assert_eq!(weights.len(), util.len(), "one utility row per actor");
    let n_opt = util.first().map_or(0, Vec::len);
    let mut c = vec![vec![0.0; n_opt]; n_opt];
    for i in 0..n_opt {
        for j in 0..i {
            let mut cij = MIN_COALITION;
            let mut cji = MIN_COALITION;
            for (w, u) in weights.iter().zip(util) {
                let v = vote(*w, u[i], u[j]);
                if v > 0.0 {
                    cij += v;
                }
                if v < 0.0 {
                    cji -= v;
                }
            }
            c[i][j] = cij;
            c[j][i] = cji;
        }
        c[i][i] = MIN_COALITION;
    }
    c
}

/// Linear victory probability of a coalition of strength `c_ij` over one of strength `c_ji`
/// (KTAB `Model::vProb`, `VPModel::Linear`): c_ij / (c_ij + c_ji).
pub fn victory_probability(c_ij: f64, c_ji: f64) -> f64 {
    c_ij / (c_ij + c_ji)
}

/// Matrix of linear victory probabilities P(i > j) from coalition strengths, with P(i > i) = ½
/// (KTAB `Model::vProb(VPModel, KMatrix)`).
pub fn victory_probabilities(c: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let n = c.len();
    let mut p = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..i {
            p[i][j] = victory_probability(c[i][j], c[j][i]);
            p[j][i] = victory_probability(c[j][i], c[i][j]);
        }
        p[i][i] = 0.5;
    }
    p
}

/// Conditional probability of each option prevailing (KTAB `Model::condPCE`): the probability
/// that option i beats every option, Π_j P(i > j) including the diagonal ½, normalised to sum 1.
pub fn conditional_pce(pv: &[Vec<f64>]) -> Vec<f64> {
    let mut p: Vec<f64> = pv.iter().map(|row| row.iter().product()).collect();
    let total: f64 = p.iter().sum();
    if total > 0.0 && total.is_finite() {
        p.iter_mut().for_each(|x| *x /= total);
    } else {
        // Only reachable when every product underflows (hundreds of options): same quantity,
        // computed in log space.
        let logs: Vec<f64> = pv
            .iter()
            .map(|row| row.iter().map(|&x| libm::log(x)).sum())
            .collect();
        let max = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        p = logs.iter().map(|&l| libm::exp(l - max)).collect();
        let total: f64 = p.iter().sum();
        p.iter_mut().for_each(|x| *x /= total);
    }
    p
}

/// Probability of each option prevailing, from weights and utilities (KTAB `Model::scalarPCE`
/// with proportional voting, linear victory probabilities and the conditional PCE model).
/// `util[k][i]` is the utility to actor k of option i.
pub fn scalar_pce(weights: &[f64], util: &[Vec<f64>]) -> Vec<f64> {
    conditional_pce(&victory_probabilities(&coalitions(weights, util)))
}

/// Risk attitudes from probabilities (KTAB `Model::bigRfromProb`, `BigRRange::Mid`):
/// R_i = (3 p_i − (p_max + 2 p_min)) / (2 (p_max − p_min)), so the least likely actor gets −½
/// and the most likely +1. When all probabilities are equal (KTAB divides 0 by 0) every actor
/// is taken to be risk neutral, R = 0. Clamped to [−½, 1]: rounding put the extremes one ulp
/// outside (e.g. 1.0000000000000002), beyond the declared range of the `risk.*` outcomes.
pub fn risk_from_probabilities(p: &[f64]) -> Vec<f64> {
    let p_min = p.iter().copied().fold(1.0, f64::min);
    let p_max = p.iter().copied().fold(0.0, f64::max);
    let range = p_max - p_min;
    if range > 0.0 {
        p.iter()
            .map(|&pi| ((3.0 * pi - (p_max + 2.0 * p_min)) / (2.0 * range)).clamp(-0.5, 1.0))
            .collect()
    } else {
        vec![0.0; p.len()]
    }
}

/// Distance matrix `d[i][j]` from actor i's position to actor j's, with i's saliences.
pub fn distance_matrix(actors: &[Actor]) -> Vec<Vec<f64>> {
    actors
        .iter()
        .map(|ai| {
            actors
                .iter()
                .map(|aj| distance(&ai.position, &aj.position, &ai.salience))
                .collect()
        })
        .collect()
}

/// Utility matrix `u[i][j]` = utility to actor i of actor j's position, with i's own risk
/// attitude `risk[i]` (KTAB: actor i's estimate of its own R under any `BigRAdjust` rule).
pub fn utility_matrix(distances: &[Vec<f64>], risk: &[f64]) -> Vec<Vec<f64>> {
    distances
        .iter()
        .zip(risk)
        .map(|(row, &r)| row.iter().map(|&d| utility(d, r)).collect())
        .collect()
}

/// Distinct positions (KTAB `KBase::ueIndices` with `SMPState::equivNdx`): returns the index of
/// the first actor holding each distinct position, and for every actor the index (into that
/// first list) of its position. Positions within [`POSITION_TOLERANCE`] are the same.
pub fn unique_positions(actors: &[Actor]) -> (Vec<usize>, Vec<usize>) {
    let mut unique: Vec<usize> = Vec::new();
    let mut equiv = Vec::with_capacity(actors.len());
    for (i, a) in actors.iter().enumerate() {
        match unique
            .iter()
            .position(|&k| same_position(&a.position, &actors[k].position))
        {
            Some(j) => equiv.push(j),
            None => {
                unique.push(i);
                equiv.push(unique.len() - 1);
            }
        }
    }
    (unique, equiv)
}

fn same_position(a: &[f64], b: &[f64]) -> bool {
    let sq: f64 = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum();
    libm::sqrt(sq) < POSITION_TOLERANCE
}

/// State-0 SMP analysis, as KTAB's `SMPState::setAllAUtil` then `SMPState::pDist(-1)` with the
/// default parameters (VictoryProbModel Linear, VotingRule Proportional, PCEModel Conditional,
/// BigRRange Mid):
///
/// 1. risk-neutral utilities 1 − d_ij; conditional PCE over all actors' positions (duplicates
///    included) with capabilities as weights; risk attitudes R_i from those probabilities;
/// 2. risk-aware utilities u_i(j) = (1 − d_ij)(1 + d_ij R_i); conditional PCE over the distinct
///    positions, again with capabilities as weights.
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
    let weights: Vec<f64> = actors.iter().map(|a| a.capability).collect();
    let d = distance_matrix(actors);

    // Risk-neutral pass over every actor's position: infer risk attitudes.
    let neutral = utility_matrix(&d, &vec![0.0; n]);
    let risk = risk_from_probabilities(&scalar_pce(&weights, &neutral));

    // Risk-aware pass over distinct positions. KTAB evaluates actor i's own estimate of its
    // risk attitude under the OneThird rule, (2 r_i + r_i) / 3; kept for bit-level fidelity.
    let own: Vec<f64> = risk.iter().map(|&r| (2.0 * r + r) / 3.0).collect();
    let aware = utility_matrix(&d, &own);
    let (unique, _) = unique_positions(actors);
    let aware_unique: Vec<Vec<f64>> = aware
        .iter()
        .map(|row| unique.iter().map(|&j| row[j]).collect())
        .collect();
    let p_unique = scalar_pce(&weights, &aware_unique);

    // KTAB `State::posProb`: the last distinct position equivalent to actor i's.
    let win_probabilities = actors
        .iter()
        .map(|a| {
            let k = unique
                .iter()
                .rposition(|&j| same_position(&a.position, &actors[j].position))
                .expect("every position is equivalent to a distinct one");
            p_unique[k]
        })
        .collect();

    let mut expected_position = vec![0.0; dims];
    for (&j, &p) in unique.iter().zip(&p_unique) {
        for (e, &x) in expected_position.iter_mut().zip(&actors[j].position) {
            *e += p * x;
        }
    }

    SmpResult {
        risk_attitudes: risk,
        win_probabilities,
        expected_position,
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
        let d = distance_matrix(&actors);
        let raw0 = [
            1.000, 0.592, 0.955, 0.767, 0.588, 0.888, 0.937, 0.700, 0.955, 0.809, 0.717, 0.900,
            0.636,
        ];
        for (j, &e) in raw0.iter().enumerate() {
            assert!(
                (utility(d[0][j], 0.0) - e).abs() <= 5e-4 + 1e-12,
                "raw (0,{j})"
            );
        }
        let res = analyse(&actors);
        let aware1 = [
            0.5663, 1.0000, 0.5291, 0.8059, 0.9457, 0.4444, 0.4963, 0.7866, 0.5291, 0.7602, 0.8438,
            0.5952, 0.6909,
        ];
        for (j, &e) in aware1.iter().enumerate() {
            let u = utility(d[1][j], res.risk_attitudes[1]);
            assert!((u - e).abs() <= 5e-5 + 1e-12, "aware (1,{j}): {u} vs {e}");
        }
    }

    #[test]
    fn probabilities_sum_to_one_over_distinct_positions() {
        let actors = soe_actors();
        let res = analyse(&actors);
        let (unique, equiv) = unique_positions(&actors);
        assert_eq!(unique.len(), 12); // ZG and MEP share (30, 15)
        assert_eq!(equiv[8], equiv[2]);
        let total: f64 = unique.iter().map(|&j| res.win_probabilities[j]).sum();
        assert!((total - 1.0).abs() < 1e-12, "{total}");
        assert_eq!(res.win_probabilities[2], res.win_probabilities[8]);
        let all: f64 = res.win_probabilities.iter().sum();
        assert!((all - 1.0 - res.win_probabilities[2]).abs() < 1e-12);

        let p = scalar_pce(
            &[1.0, 2.0, 3.0],
            &[
                vec![1.0, 0.2, 0.5],
                vec![0.3, 1.0, 0.7],
                vec![0.1, 0.6, 1.0],
            ],
        );
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
        let pv = vec![vec![0.5, 0.75], vec![0.25, 0.5]];
        let p = conditional_pce(&pv);
        assert!((p[0] - 0.75).abs() < 1e-15 && (p[1] - 0.25).abs() < 1e-15);
        let r = risk_from_probabilities(&[0.1, 0.4, 0.5]);
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
}
