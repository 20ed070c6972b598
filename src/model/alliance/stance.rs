//! Step 5: stances — domestic pull, then consultation by bounded confidence.
//!
//! Each ally's stance x_i ∈ [0, 1] (0 engagement, 1 confrontation) first moves toward where
//! domestic politics pulls it:
//!
//! ```text
//! T_i = clamp(stance_base + offset_i + stance_threat τ_i − stance_energy e_i (1 + g × stress)
//!             − stance_ties k_i, 0, 1)
//! Δ_i = domestic_pull (T_i − x_i) + line_pull × s_i (L − x_i) − min(1, inducement_pull × I_i (1 − r_i)) x_i
//! s_i = min(1, support_i (1 − ℓ_i) + support_rally × max(0, τ_i − τ_i(0)))
//! ```
//!
//! (threat pushes toward confrontation; energy dependence, structural ties with Russia k_i and
//! inducements toward engagement; public support for NATO, less what disinformation eroded
//! (ℓ_i, step 4), toward the alliance line L, and support rallies when threat rises). Then the allies consult: the reference
//! bounded-confidence rules of `opinion.rs`, Deffuant–Weisbuch (random pairs, weighted
//! encounter) or Hegselmann–Krause (weighted neighbourhood mean), with the allies' weights as
//! partner weights. When the three domestic coefficients are zero the domestic step is skipped
//! exactly, so the step *is* the reference model (tested bit for bit).

use rand::Rng;

use super::state::State;
use super::{Coeffs, P, Workspace};
use crate::kernel::rng::below;
use crate::model::opinion::{self, HkScratch};

/// The turn's constants of the domestic target.
#[derive(Debug, Clone, Copy)]
struct Target {
    base: f64,
    threat: f64,
    /// stance_energy × (1 + energy_stress_gain × stress).
    energy: f64,
    ties: f64,
}

impl Target {
    #[inline]
    fn of(c: &Coeffs, s: &State) -> Self {
        Target {
            base: c[P::StanceBase],
            threat: c[P::StanceThreat],
            energy: c[P::StanceEnergy] * (1.0 + c[P::EnergyStressGain] * s.energy_stress),
            ties: c[P::StanceTies],
        }
    }

    #[inline]
    fn at(&self, c: &Coeffs, s: &State, i: usize) -> f64 {
        (self.base + s.offset[i] + self.threat * s.threat[i]
            - self.energy * s.dependence[i]
            - self.ties * c.ties[i])
            .clamp(0.0, 1.0)
    }
}

/// The domestic stance target of ally `i`.
pub fn domestic_target(c: &Coeffs, s: &State, i: usize) -> f64 {
    Target::of(c, s).at(c, s, i)
}

/// The domestic pull on every stance (skipped where it is exactly zero).
pub fn domestic_step(c: &Coeffs, s: &mut State) {
    let (kd, kl, ki) = (c[P::DomesticPull], c[P::LinePull], c[P::InducementPull]);
    if kd == 0.0 && kl == 0.0 && ki == 0.0 {
        return;
    }
    let line = s.line;
    let rally = c[P::SupportRally];
    let tg = Target::of(c, s);
    // Slices of one length: addresses in registers, no bounds checks in the loop.
    let n = s.allies();
    let (offset, threat, dependence) = (&s.offset[..n], &s.threat[..n], &s.dependence[..n]);
    let (loss, inducement, resilience) =
        (&s.support_loss[..n], &s.inducement[..n], &s.resilience[..n]);
    let (ties, support0, threat0) = (&c.ties[..n], &c.support[..n], &c.threat0[..n]);
    let stance = &mut s.stance[..n];
    for i in 0..n {
        let x = stance[i];
        // Target::at, on the slices.
        let target = (tg.base + offset[i] + tg.threat * threat[i]
            - tg.energy * dependence[i]
            - tg.ties * ties[i])
            .clamp(0.0, 1.0);
        let support =
            (support0[i] * (1.0 - loss[i]) + rally * (threat[i] - threat0[i]).max(0.0)).min(1.0);
        let induced = (ki * inducement[i] * (1.0 - resilience[i])).min(1.0);
        let d = kd * (target - x) + kl * support * (line - x) - induced * x;
        if d != 0.0 {
            stance[i] = (x + d).clamp(0.0, 1.0);
        }
    }
}

/// Which consultation rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    Deffuant,
    HegselmannKrause,
}

/// The move fractions of the weighted Deffuant encounter for every ordered pair,
/// `f[i n + j] = mu · (2 w_j / (w_i + w_j))` (agent `i` meeting `j`): the expression of
/// [`opinion::deffuant_pair_weighted`], evaluated once for the weights and `mu` of a trial (the
/// options of a trial, and usually all its trials, share them) instead of two divisions per
/// encounter. The same values, bit for bit.
#[derive(Debug, Clone)]
pub struct PairMoves {
    /// The weights and `mu` the table holds (compared bit for bit; NaN: none yet).
    w: Vec<f64>,
    mu: f64,
    f: Vec<f64>,
}

impl PairMoves {
    /// An empty table for up to `n` agents (the only allocation).
    pub fn new(n: usize) -> Self {
        PairMoves {
            w: vec![f64::NAN; n],
            mu: f64::NAN,
            f: vec![0.0; n * n],
        }
    }

    /// Makes the table that of weights `w` and `mu` (recomputed only when either changes).
    pub fn refresh(&mut self, w: &[f64], mu: f64) {
        let n = w.len();
        let same = self.mu.to_bits() == mu.to_bits()
            && self.w.len() == n
            && self
                .w
                .iter()
                .zip(w)
                .all(|(a, b)| a.to_bits() == b.to_bits());
        if !same {
            self.w.clear();
            self.w.extend_from_slice(w);
            self.mu = mu;
            self.f.resize(n * n, 0.0);
            for (row, &wi) in self.f.chunks_exact_mut(n).zip(w) {
                for (f, &wj) in row.iter_mut().zip(w) {
                    let total = wi + wj;
                    *f = mu * (2.0 * wj / total);
                }
            }
        }
    }

    /// Whether the table is that of weights `w` and `mu`.
    pub fn is_for(&self, w: &[f64], mu: f64) -> bool {
        self.mu.to_bits() == mu.to_bits()
            && self.w.len() == w.len()
            && self
                .w
                .iter()
                .zip(w)
                .all(|(a, b)| a.to_bits() == b.to_bits())
    }

    /// The table, `f[i n + j]`.
    pub fn table(&self) -> &[f64] {
        &self.f
    }
}

/// One weighted Deffuant–Weisbuch sweep, as [`opinion::deffuant_sweep_weighted_untracked`]
/// (the same pairs from the same draws, the same arithmetic), with the move fractions read
/// from the pair table `f` of [`PairMoves`].
fn deffuant_sweep_table<R: Rng + ?Sized>(x: &mut [f64], f: &[f64], eps: f64, rng: &mut R) {
    let n = x.len();
    if n < 2 {
        return;
    }
    let f = &f[..n * n];
    for _ in 0..n {
        // opinion::random_pair
        let i = below(rng, n as u64) as usize;
        let mut j = below(rng, (n - 1) as u64) as usize;
        if j >= i {
            j += 1;
        }
        // opinion::deffuant_pair_weighted
        let (a, b) = (x[i], x[j]);
        if (a - b).abs() < eps {
            let (mu_i, mu_j) = (f[i * n + j], f[j * n + i]);
            x[i] = a + mu_i * (b - a);
            x[j] = b + mu_j * (a - b);
        }
    }
}

/// Consultation among the allies: `rounds` weighted Deffuant sweeps or weighted HK steps on
/// `x`, with partner weights `w` (nobody reads the size of the moves, so it is not tracked).
#[allow(clippy::too_many_arguments)]
pub fn consult<R: Rng + ?Sized>(
    rule: Rule,
    x: &mut Vec<f64>,
    w: &[f64],
    eps: f64,
    mu: f64,
    rounds: usize,
    rng: &mut R,
    next: &mut Vec<f64>,
    hk: &mut HkScratch,
) {
    for _ in 0..rounds {
        match rule {
            Rule::Deffuant => opinion::deffuant_sweep_weighted_untracked(x, w, eps, mu, rng),
            Rule::HegselmannKrause => {
                opinion::hk_step_weighted(x, w, next, eps, hk);
                std::mem::swap(x, next);
            }
        }
    }
}

/// Step 5: domestic pull, then consultation (dynamics stream). The Deffuant rule runs on the
/// coefficients' pair table ([`PairMoves`]): the result of [`consult`], bit for bit.
pub fn update<R: Rng + ?Sized>(c: &Coeffs, s: &mut State, ws: &mut Workspace, rng: &mut R) {
    domestic_step(c, s);
    let rounds = c.int(P::ConsultationRounds);
    if c.int(P::Consultation) == 0 {
        let eps = c[P::Epsilon];
        // Filled with the weights, once per trial (`Coeffs::fill`).
        debug_assert!(c.pairs.is_for(&c.w, c[P::Mu]));
        let f = c.pairs.table();
        for _ in 0..rounds {
            deffuant_sweep_table(&mut s.stance, f, eps, rng);
        }
    } else {
        consult(
            Rule::HegselmannKrause,
            &mut s.stance,
            &c.w,
            c[P::Epsilon],
            c[P::Mu],
            rounds,
            rng,
            &mut ws.next,
            &mut ws.hk,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;
    use crate::kernel::rng::{Purpose, stream};

    /// Parameters with the domestic and adversary terms of the stance step switched off.
    fn reference_params(rule: usize, equal_weights: bool) -> crate::model::Params {
        let mut p = defaults();
        p.values[P::DomesticPull.i()] = 0.0;
        p.values[P::LinePull.i()] = 0.0;
        p.values[P::InducementPull.i()] = 0.0;
        p.values[P::Consultation.i()] = rule as f64;
        p.values[P::Epsilon.i()] = 0.35;
        p.values[P::Mu.i()] = 0.5;
        p.values[P::ConsultationRounds.i()] = 3.0;
        if equal_weights {
            p.values[P::WeightExponent.i()] = 0.0;
        }
        p
    }

    fn bits(x: &[f64]) -> Vec<u64> {
        x.iter().map(|v| v.to_bits()).collect()
    }

    #[test]
    fn reduces_to_weighted_deffuant_exactly() {
        let (_, c, mut s, _, mut ws) = setup(&reference_params(0, false));
        s.inducement.fill(2.0); // would pull if the term were on
        let mut x = s.stance.clone();
        let mut r1 = stream(5, Purpose::Dynamics, 9);
        let mut r2 = r1.clone();
        for _ in 0..20 {
            update(&c, &mut s, &mut ws, &mut r1);
            for _ in 0..3 {
                opinion::deffuant_sweep_weighted(&mut x, &c.w, 0.35, 0.5, &mut r2);
            }
            assert_eq!(bits(&s.stance), bits(&x));
        }
        assert_eq!(r1.next_u64(), r2.next_u64());
    }

    #[test]
    fn reduces_to_plain_deffuant_with_equal_weights() {
        let (_, c, mut s, _, mut ws) = setup(&reference_params(0, true));
        let mut x = s.stance.clone();
        let mut r1 = stream(6, Purpose::Dynamics, 1);
        let mut r2 = r1.clone();
        for _ in 0..20 {
            update(&c, &mut s, &mut ws, &mut r1);
            for _ in 0..3 {
                opinion::deffuant_sweep(&mut x, 0.35, 0.5, &mut r2);
            }
            assert_eq!(bits(&s.stance), bits(&x));
        }
    }

    #[test]
    fn reduces_to_hegselmann_krause_exactly() {
        for equal in [false, true] {
            let (_, c, mut s, _, mut ws) = setup(&reference_params(1, equal));
            let mut x = s.stance.clone();
            let mut next = vec![0.0; x.len()];
            let mut hk = HkScratch::new(x.len());
            let mut r = stream(6, Purpose::Dynamics, 2);
            for _ in 0..10 {
                update(&c, &mut s, &mut ws, &mut r);
                for _ in 0..3 {
                    if equal {
                        opinion::hk_step(&x, &mut next, 0.35, &mut hk);
                    } else {
                        opinion::hk_step_weighted(&x, &c.w, &mut next, 0.35, &mut hk);
                    }
                    std::mem::swap(&mut x, &mut next);
                }
                assert_eq!(bits(&s.stance), bits(&x));
            }
        }
    }

    #[test]
    fn threat_pushes_toward_confrontation_dependence_toward_engagement() {
        let (_, c, mut s, _, _) = setup(&defaults());
        s.energy_stress = 0.0;
        s.threat[0] = 0.2;
        let low = domestic_target(&c, &s, 0);
        s.threat[0] = 0.8;
        assert!(domestic_target(&c, &s, 0) > low);
        let hi = domestic_target(&c, &s, 0);
        s.dependence[0] = 0.9;
        assert!(domestic_target(&c, &s, 0) < hi);
    }

    #[test]
    fn inducements_pull_toward_engagement_and_stances_stay_in_range() {
        let (_, c, mut s, _, _) = setup(&defaults());
        let mut t = s.clone();
        t.inducement[2] = 3.0;
        domestic_step(&c, &mut s);
        domestic_step(&c, &mut t);
        assert!(t.stance[2] < s.stance[2]);
        t.check_ranges().unwrap();
    }
}
