//! Step 8: deterrence credibility, and the escalation and attack risks of the next turn.
//!
//! Credibility K moves toward a target built from cohesion, posture, defence spending, the
//! label and the prepared costs of aggression:
//!
//! ```text
//! K* = clamp(credibility_base + k_coh C + k_post posture_eff + k_spend S + k_label h(label) + k_costs costs, 0, 1)
//! K ← K + credibility_adjust (K* − K)
//! posture_eff = min(1, posture + posture_threat_response × max(0, τ̄ − τ̄₀))
//! S = Σ_i w_i min(1, defence_i / 2%)          (weighted share of the 2% goal met)
//! ```
//!
//! Each ally's defence spending d_i (% of GDP) grows by the common lever g, by its own response
//! to threat — the rise of its threat perception above its start, times its exposure m_i: an
//! ally spends on the defence of its own territory, which the threat concerns in proportion to
//! its exposure (the private benefit of the joint-product model of alliances) — and by
//! convergence toward the spending guideline P (2% since Wales, 2014) for an ally below it:
//!
//! ```text
//! d_i ← max(0, d_i + (g + β m_i max(0, τ_i − τ_i(0)) + λ max(0, P − d_i)) / turns per year)
//! e_i ← e_i (1 − δ max(0, τ_i − τ_i(0)) (1 − lock_in L_i))
//! ```
//!
//! The second line is energy diversification: an ally that feels more threatened sheds its
//! dependence on Russian gas, unless a long-term contract or pipeline infrastructure locks it in
//! (L_i, from the data). The adversary's military moves then get logit-linear probabilities in its
//! risk appetite a, strategy mix σ, perceived disunity, credibility, prepared costs, the label's
//! provocation and the dialogue channel's openness o:
//!
//! ```text
//! logit P(intimidation) = intimidation_base + g_a(a − ½) + g_σ(σ − ½) + prov − g_K K − g_D o
//! logit P(aggression)   = aggression_base  + g_a(a − ½) + g_σ(σ − ½) + prov − g_c costs − g_D o
//! logit P(attack)       = attack_base      + g_a(a − ½) + g_σ(σ − ½) + g_o(1 − ĉ) + prov − g_K K − g_D o
//! ```
//!
//! Aggression against a non-member is not covered by Article 5, so it answers to the prepared
//! costs rather than to credibility.

use super::adversary::{logistic, provocation};
use super::state::{State, hostility};
use super::{Coeffs, P};
use crate::model::Tracer;

/// Weighted share of the 2% spending goal met.
pub fn spending_index(c: &Coeffs, s: &State) -> f64 {
    let mut x = 0.0;
    for i in 0..s.allies() {
        x += c.w[i] * (s.defence[i] / 2.0).min(1.0);
    }
    x.clamp(0.0, 1.0)
}

/// Posture with the threat response.
pub fn effective_posture(c: &Coeffs, s: &State) -> f64 {
    let rise = (s.threat_mean - c.threat_mean0).max(0.0);
    (s.posture + c[P::PostureThreatResponse] * rise).clamp(0.0, 1.0)
}

/// The credibility target K*.
pub fn credibility_target(c: &Coeffs, s: &State, spending: f64) -> f64 {
    (c[P::CredibilityBase]
        + c[P::CredibilityCohesion] * s.cohesion
        + c[P::CredibilityPosture] * effective_posture(c, s)
        + c[P::CredibilitySpending] * spending
        + c[P::CredibilityLabel] * hostility(s.label)
        + c[P::CredibilityCosts] * s.costs)
        .clamp(0.0, 1.0)
}

/// What the military risks depend on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RiskDrivers {
    pub risk_appetite: f64,
    pub strategy_military: f64,
    pub perceived_cohesion: f64,
    pub credibility: f64,
    pub costs: f64,
    pub label: usize,
    pub openness: f64,
}

impl RiskDrivers {
    pub fn of(c: &Coeffs, s: &State) -> Self {
        RiskDrivers {
            risk_appetite: s.risk_appetite,
            strategy_military: s.strategy_military,
            perceived_cohesion: s.perceived_cohesion,
            credibility: s.credibility,
            costs: s.costs,
            label: s.label,
            openness: s.dialogue_openness(c[P::CutDamping]),
        }
    }
}

fn common(c: &Coeffs, d: &RiskDrivers) -> f64 {
    c[P::AppetiteGain] * (d.risk_appetite - 0.5)
        + c[P::MixGain] * (d.strategy_military - 0.5)
        + provocation(c, d.label)
        - c[P::DialogueDeescalation] * d.openness
}

/// Logit of military intimidation in a turn.
pub fn intimidation_logit(c: &Coeffs, d: &RiskDrivers) -> f64 {
    c[P::IntimidationBase] + common(c, d) - c[P::DeterrenceGain] * d.credibility
}

/// Logit of aggression against a non-member in a turn.
pub fn aggression_logit(c: &Coeffs, d: &RiskDrivers) -> f64 {
    c[P::AggressionBase] + common(c, d) - c[P::CostsGain] * d.costs
}

/// Logit of an attack on an ally in a turn.
pub fn attack_logit(c: &Coeffs, d: &RiskDrivers) -> f64 {
    c[P::AttackBase] + common(c, d) + c[P::OpportunityGain] * (1.0 - d.perceived_cohesion)
        - c[P::DeterrenceGain] * d.credibility
}

/// Probability of military intimidation in a turn.
pub fn intimidation_probability(c: &Coeffs, d: &RiskDrivers) -> f64 {
    logistic(intimidation_logit(c, d))
}

/// Probability of aggression against a non-member in a turn.
pub fn aggression_probability(c: &Coeffs, d: &RiskDrivers) -> f64 {
    logistic(aggression_logit(c, d))
}

/// Probability of an attack on an ally in a turn: never higher with higher credibility.
pub fn attack_probability(c: &Coeffs, d: &RiskDrivers) -> f64 {
    logistic(attack_logit(c, d))
}

/// Sets next turn's military risks (as logits) from the current state.
pub fn set_risks(c: &Coeffs, s: &mut State) {
    let d = RiskDrivers::of(c, s);
    s.intimidation_logit = intimidation_logit(c, &d);
    s.aggression_logit = aggression_logit(c, &d);
    s.attack_logit = attack_logit(c, &d);
}

/// One turn's change of an ally's defence spending (% of GDP): the common growth, its
/// exposure-scaled response to the rise of its threat, and convergence to the guideline.
#[inline(always)]
pub fn spending_step(c: &Coeffs, s: &State, i: usize) -> f64 {
    let rise = (s.threat[i] - c.threat0[i]).max(0.0);
    let gap = (c[P::SpendingPledge] - s.defence[i]).max(0.0);
    (s.spending_growth
        + c[P::SpendingThreatResponse] * c.exposure[i] * rise
        + c[P::SpendingConvergence] * gap)
        / c.turns_per_year
}

/// Step 8: spending, diversification, credibility, next turn's risks. Expects this turn's
/// cohesion measured.
pub fn update<T: Tracer>(c: &Coeffs, s: &mut State, t: usize, tr: &mut T) {
    let (div, lock) = (c[P::DiversificationRate], c[P::LockIn]);
    let (growth, response) = (s.spending_growth, c[P::SpendingThreatResponse]);
    let (pledge, convergence) = (c[P::SpendingPledge], c[P::SpendingConvergence]);
    // Slices of one length: addresses in registers, no bounds checks in the loop.
    let n = s.allies();
    let (threat, threat0) = (&s.threat[..n], &c.threat0[..n]);
    let (exposure, lock_in) = (&c.exposure[..n], &c.lock_in[..n]);
    let defence = &mut s.defence[..n];
    let dependence = &mut s.dependence[..n];
    let w = &c.w[..n];
    // spending_index, folded into the loop: the same terms in the same order.
    let mut spending = 0.0;
    for i in 0..n {
        // spending_step, on the slices.
        let rise = (threat[i] - threat0[i]).max(0.0);
        let gap = (pledge - defence[i]).max(0.0);
        let step = (growth + response * exposure[i] * rise + convergence * gap) / c.turns_per_year;
        defence[i] = (defence[i] + step).max(0.0);
        if rise > 0.0 && dependence[i] > 0.0 {
            let locked = if lock_in[i] { lock } else { 0.0 };
            let shed = (div * rise * (1.0 - locked)).clamp(0.0, 1.0);
            dependence[i] *= 1.0 - shed;
        }
        spending += w[i] * (defence[i] / 2.0).min(1.0);
    }
    let target = credibility_target(c, s, spending.clamp(0.0, 1.0));
    s.credibility =
        (s.credibility + c[P::CredibilityAdjust] * (target - s.credibility)).clamp(0.0, 1.0);
    set_risks(c, s);
    if T::ENABLED {
        let (k, a, b, d) = (
            s.credibility,
            logistic(s.intimidation_logit),
            logistic(s.aggression_logit),
            logistic(s.attack_logit),
        );
        tr.event(t, "deterrence", "alliance", &|| {
            format!(
                "credibility {k:.3} (target {target:.3}); next turn: intimidation {a:.3}, aggression {b:.4}, attack on an ally {d:.5}"
            )
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;

    fn drivers() -> RiskDrivers {
        RiskDrivers {
            risk_appetite: 0.5,
            strategy_military: 0.5,
            perceived_cohesion: 0.7,
            credibility: 0.6,
            costs: 0.3,
            label: 2,
            openness: 0.3,
        }
    }

    #[test]
    fn higher_credibility_never_raises_the_chance_of_an_attack() {
        for (gain, prov) in [(0.0, 0.0), (3.0, 0.5), (20.0, 3.0)] {
            let mut p = defaults();
            p.values[P::DeterrenceGain.i()] = gain;
            p.values[P::LabelProvocation.i()] = prov;
            let (_, c, _, _, _) = setup(&p);
            for label in 0..4 {
                for a in [0.0, 0.5, 1.0] {
                    let mut d = RiskDrivers {
                        label,
                        risk_appetite: a,
                        ..drivers()
                    };
                    let mut last = 1.0;
                    for k in 0..=100 {
                        d.credibility = k as f64 / 100.0;
                        let pa = attack_probability(&c, &d);
                        assert!(pa <= last);
                        assert!(
                            intimidation_probability(&c, &d)
                                <= intimidation_probability(
                                    &c,
                                    &RiskDrivers {
                                        credibility: (k as f64 - 1.0).max(0.0) / 100.0,
                                        ..d
                                    }
                                )
                        );
                        last = pa;
                    }
                }
            }
        }
    }

    #[test]
    fn attacks_are_rare_and_respond_to_appetite_costs_and_dialogue() {
        let mut p = defaults();
        p.values[P::DialogueDeescalation.i()] = 0.5;
        let (_, c, _, _, _) = setup(&p);
        let d = drivers();
        let pa = attack_probability(&c, &d);
        assert!(pa < 0.002, "{pa}");
        assert!(
            attack_probability(
                &c,
                &RiskDrivers {
                    risk_appetite: 1.0,
                    ..d
                }
            ) > pa
        );
        assert!(
            aggression_probability(&c, &RiskDrivers { costs: 1.0, ..d })
                < aggression_probability(&c, &d)
        );
        assert!(
            intimidation_probability(&c, &RiskDrivers { openness: 1.0, ..d })
                < intimidation_probability(&c, &d)
        );
        // Dialogue that emboldens (the contested other side) raises it instead.
        p.values[P::DialogueDeescalation.i()] = -0.5;
        let (_, c, _, _, _) = setup(&p);
        assert!(
            intimidation_probability(&c, &RiskDrivers { openness: 1.0, ..d })
                > intimidation_probability(&c, &d)
        );
    }

    #[test]
    fn credibility_grows_with_cohesion_posture_and_spending() {
        let (_, c, mut s, _, _) = setup(&defaults());
        let k0 = credibility_target(&c, &s, 0.5);
        assert!(credibility_target(&c, &s, 0.9) > k0);
        s.cohesion += 0.1;
        assert!(credibility_target(&c, &s, 0.5) > k0);
        s.posture = 1.0;
        assert!(credibility_target(&c, &s, 0.5) > k0);
        let si = spending_index(&c, &s);
        assert!((0.0..=1.0).contains(&si));
    }

    #[test]
    fn spending_follows_threat_times_exposure_and_converges_to_the_guideline() {
        let (_, c, mut s, _, _) = setup(&defaults());
        s.spending_growth = 0.0;
        // Ally 1 is frontline, ally 0 rear: the same rise of threat moves the frontline more.
        for i in [0, 1] {
            s.threat[i] = c.threat0[i] + 0.2;
            s.defence[i] = 2.5;
        }
        let (rear, front) = (spending_step(&c, &s, 0), spending_step(&c, &s, 1));
        assert!(front > rear && rear > 0.0);
        let per_year = c[P::SpendingThreatResponse] * 0.2;
        assert!((front * c.turns_per_year - per_year).abs() < 1e-12);
        // Below the guideline and without a threat rise: λ × the gap per year.
        s.threat[0] = c.threat0[0];
        s.defence[0] = 1.0;
        let gap = c[P::SpendingPledge] - 1.0;
        let expected = c[P::SpendingConvergence] * gap / c.turns_per_year;
        assert!((spending_step(&c, &s, 0) - expected).abs() < 1e-12);
        s.defence[0] = 3.0;
        assert_eq!(spending_step(&c, &s, 0), 0.0);
    }

    #[test]
    fn threatened_allies_diversify_unless_locked_in() {
        let (_, c, mut s, _, _) = setup(&defaults());
        // Ally 4 (E) is locked in by the test data (gas 100%), ally 1 (B) is not.
        assert!(c.lock_in[4] && !c.lock_in[1]);
        for i in [1, 4] {
            s.threat[i] = (c.threat0[i] + 0.3).min(1.0);
            s.dependence[i] = 0.9;
        }
        update(&c, &mut s, 1, &mut crate::model::NoTrace);
        assert!(s.dependence[1] < 0.9 && s.dependence[4] < 0.9);
        assert!(0.9 - s.dependence[1] > 0.9 - s.dependence[4]);
    }

    #[test]
    fn update_raises_spending_under_threat_and_keeps_ranges() {
        let (_, c, mut s, _, _) = setup(&defaults());
        let before = s.defence.clone();
        s.threat[1] = 1.0;
        update(&c, &mut s, 1, &mut crate::model::NoTrace);
        assert!(s.defence[1] - before[1] > s.defence[0] - before[0]);
        s.check_ranges().unwrap();
    }
}
