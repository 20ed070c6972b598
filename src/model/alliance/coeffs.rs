//! The coefficients of one trial: every parameter value, and the per-ally attributes derived
//! from them and from the actor table (weights, baseline threat, exposure, initial resilience,
//! dependence and spending, the pull toward the line).
//!
//! They are fixed within a trial and kept apart from the evolving [`State`](super::State), so
//! that a snapshot of a trial is the state alone. [`Coeffs::fill`] refills them in place for
//! the next trial without allocating, and recomputes the weights only when the parameters they
//! depend on change (the options of one trial share them).

use super::P;
use super::params::{N_PARAMS, PARAMS};
use super::sim::AllianceSim;
use super::stance::PairMoves;
use crate::spec::Params;

/// Every parameter value of one trial and the per-ally attributes derived from them and from
/// the data. Fixed within a trial; refilled in place for the next.
#[derive(Debug, Clone)]
pub struct Coeffs {
    /// Parameter values, indexed by [`P`] (a fixed-size array: `c[P::…]` needs no bounds check).
    pub v: Box<[f64; N_PARAMS]>,
    /// Ally names (for traces).
    pub names: Vec<String>,
    /// Ally weight (economic and military), normalised to sum 1.
    pub w: Vec<f64>,
    /// Initial (and baseline) threat perception.
    pub threat0: Vec<f64>,
    /// Share of an alliance-wide shock the ally feels.
    pub exposure: Vec<f64>,
    /// Initial resilience (from CPI).
    pub resilience0: Vec<f64>,
    /// Initial energy dependence.
    pub dependence0: Vec<f64>,
    /// Initial defence spending, % GDP.
    pub defence0: Vec<f64>,
    /// Strength of the pull toward the line: public support × socialisation by tenure.
    pub support: Vec<f64>,
    /// Structural ties with Russia (share of the four kinds held), from the data.
    pub ties: Vec<f64>,
    /// Whether a long-term contract or pipeline locks the ally into Russian gas, from the data.
    pub lock_in: Vec<bool>,
    /// Mean initial threat perception (reference of the posture's threat response).
    pub threat_mean0: f64,
    /// The calendar years of the `defence_<year>` outcomes ([`AllianceSim::years`]).
    pub years: Vec<i64>,
    /// Per turn (index t − 1): the index into `years` of its calendar year, if any.
    pub year_of_turn: Vec<Option<usize>>,
    /// Per year: the number of turns in it.
    pub turns_in_year: Vec<u32>,
    /// Turns per year (rates given per year are divided by it).
    pub turns_per_year: f64,
    /// The weighted Deffuant rule's move fraction for every ordered pair of allies, from the
    /// weights and `mu` (recomputed only when they change).
    pub pairs: PairMoves,
    /// The (weight_gdp_share, weight_exponent, missing_defence_pct) the weights were computed
    /// for: options of one trial share them, so `fill` recomputes them only when they change.
    weights_for: [f64; 3],
}

impl std::ops::Index<P> for Coeffs {
    type Output = f64;
    #[inline]
    fn index(&self, p: P) -> &f64 {
        &self.v[p.i()]
    }
}

impl Coeffs {
    pub fn new(sim: &AllianceSim) -> Self {
        let n = sim.allies();
        Coeffs {
            v: Box::new(std::array::from_fn(|i| PARAMS[i].default)),
            names: sim.names.clone(),
            w: vec![0.0; n],
            threat0: vec![0.0; n],
            exposure: vec![0.0; n],
            resilience0: vec![0.0; n],
            dependence0: vec![0.0; n],
            defence0: vec![0.0; n],
            support: vec![0.0; n],
            ties: sim.allies.iter().map(|a| a.ties).collect(),
            lock_in: sim.allies.iter().map(|a| a.lock_in).collect(),
            threat_mean0: 0.0,
            years: sim.years(),
            year_of_turn: (1..=sim.turns).map(|t| sim.year_of_turn(t)).collect(),
            turns_in_year: {
                let mut k = vec![0u32; sim.years().len()];
                for y in (1..=sim.turns).filter_map(|t| sim.year_of_turn(t)) {
                    k[y] += 1;
                }
                k
            },
            turns_per_year: sim.turns_per_year,
            pairs: PairMoves::new(n),
            weights_for: [f64::NAN; 3],
        }
    }

    /// Number of allies.
    pub fn allies(&self) -> usize {
        self.w.len()
    }

    #[inline]
    pub fn int(&self, p: P) -> usize {
        self.v[p.i()] as usize
    }

    /// Refills every value from a trial's parameters and the data. Allocates nothing.
    pub fn fill(&mut self, sim: &AllianceSim, params: &Params) {
        self.v.copy_from_slice(&params.values);
        let alpha = self[P::WeightGdpShare];
        let gamma = self[P::WeightExponent];
        let missing_def = self[P::MissingDefencePct];
        let (mut gdp_total, mut mil_total) = (0.0, 0.0);
        for a in &sim.allies {
            gdp_total += a.gdp;
            mil_total += a.gdp * a.defence.unwrap_or(missing_def);
        }
        let latest = sim
            .allies
            .iter()
            .map(|a| a.accession_year)
            .max()
            .unwrap_or(1949);
        let earliest = sim
            .allies
            .iter()
            .map(|a| a.accession_year)
            .min()
            .unwrap_or(1949);
        let span = (latest - earliest).max(1) as f64;
        let soc = self[P::TenureSocialisation];
        let key = [alpha, gamma, missing_def];
        let new_weights = key != self.weights_for;
        let mut w_total = 0.0;
        for (i, a) in sim.allies.iter().enumerate() {
            let def = a.defence.unwrap_or(missing_def);
            if new_weights {
                let econ = a.gdp / gdp_total;
                let mil = if mil_total > 0.0 {
                    a.gdp * def / mil_total
                } else {
                    0.0
                };
                let share = alpha * econ + (1.0 - alpha) * mil;
                // A floor keeps every weight positive (the weighted rules divide by weights).
                let w = libm::pow(share, gamma).max(1e-12);
                self.w[i] = w;
                w_total += w;
            }
            self.threat0[i] = match a.exposure {
                0 => self[P::ThreatFrontline],
                1 => self[P::ThreatFlank],
                _ => self[P::ThreatRear],
            };
            self.exposure[i] = match a.exposure {
                0 => 1.0,
                1 => self[P::ExposureFlank],
                _ => self[P::ExposureRear],
            };
            let (rmin, rmax) = (self[P::ResilienceMin], self[P::ResilienceMax]);
            self.resilience0[i] = (rmin + (rmax - rmin) * a.cpi / 100.0).clamp(0.0, 1.0);
            let imports = a.gas_imports.map(|x| (x / 100.0).clamp(0.0, 1.0));
            let consumption = a.gas_consumption.map(|x| (x / 100.0).clamp(0.0, 1.0));
            let dep = match (self.int(P::EnergyMeasure), imports, consumption) {
                (0, Some(x), _) | (1, _, Some(x)) => Some(x),
                (2, Some(x), Some(y)) => Some(x.min(y)),
                (2, Some(x), None) | (2, None, Some(x)) => Some(x),
                _ => None,
            };
            self.dependence0[i] = dep.unwrap_or(self[P::MissingGasDependence]);
            self.defence0[i] = def;
            let tenure = (latest - a.accession_year) as f64 / span;
            let support = a
                .support
                .map(|s| s / 100.0)
                .unwrap_or(self[P::MissingNatoSupport]);
            self.support[i] = support * (1.0 - soc + soc * tenure);
        }
        if new_weights {
            for w in &mut self.w {
                *w /= w_total;
            }
            self.weights_for = key;
        }
        self.threat_mean0 = self.threat0.iter().sum::<f64>() / self.threat0.len() as f64;
        self.pairs.refresh(&self.w, self[P::Mu]);
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;

    #[test]
    fn coefficients_are_normalised_and_in_range() {
        let (_, c, s, _, _) = setup(&defaults());
        let total: f64 = c.w.iter().sum();
        assert!((total - 1.0).abs() < 1e-12);
        assert!(c.w[0] > c.w[1] && c.w[1] > c.w[4], "{:?}", c.w);
        assert!(c.w.iter().all(|&w| w > 0.0));
        s.check_ranges().unwrap();
        assert_eq!(c.dependence0[1], 0.9);
        assert!(c.resilience0[0] > c.resilience0[2]);
    }
}
