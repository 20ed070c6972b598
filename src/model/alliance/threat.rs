//! Step 4: threat perception, resilience, and what disinformation does.
//!
//! Threat perception τ_i ∈ [0, 1] is read as an ally's subjective probability of being
//! targeted. It drifts back toward its baseline, and a hostile act is evidence that updates it
//! in odds form (Bayes' rule on the log-odds scale): the turn's exposure-scaled shock S adds to
//! the log-odds, so the same act moves a frontline ally, which sees it as more diagnostic of
//! danger to itself (larger S), further than a rear ally, wherever each starts:
//!
//! ```text
//! τ ← τ + drift (τ̄ − τ)
//! τ ← τ e^S / (1 − τ + τ e^S)             logit τ ← logit τ + S
//! τ̄ ← τ̄ + memory × that jump            (a shock leaves a lasting mark)
//! ```
//!
//! A disinformation campaign reaching an ally with intensity D erodes its threat perception,
//! pulls its stance toward engagement and erodes its public's support for NATO, each in
//! proportion to the ally's erosion factor ε_i, which falls with resilience and with the ally's
//! own counter-disinformation effort φ_i (and rises if counter-disinformation backfires, a
//! contested possibility: `counter_disinfo_effect` < 0):
//!
//! ```text
//! ε_i = disinfo_erosion (1 − r_i)(1 − φ_i counter_disinfo_effect)
//! φ_i = clamp(φ (1 − f + f τ_i / τ_mean), 0, 1)     f = counter_disinfo_focus
//! τ ← τ (1 − D ε_i);  x ← x (1 − disinfo_stance D ε_i);  ℓ ← ℓ + (1 − ℓ) min(1, disinfo_support D ε_i)
//! ```
//!
//! φ is the alliance's effort (lever); each ally's share follows its own threat perception, so
//! the allies that feel least threatened answer least ("some Allies do not pull their weight").
//! ℓ_i, the share of public support lost, recovers by `support_recovery` each turn. Resilience r
//! grows with investment, r ← r + gain × investment × (1 − r), and loses what hybrid attacks
//! took. Every form keeps every value in [0, 1] by construction.

use super::state::State;
use super::{Coeffs, P, Workspace};

/// Share of threat perception one campaign erodes in an ally of resilience `r` under its own
/// counter-disinformation effort (in [0, 1]; never larger for a more resilient ally; smaller
/// under more effort when counter-disinformation works, larger when it backfires).
#[inline]
pub fn disinfo_erosion(c: &Coeffs, resilience: f64, counter_effort: f64) -> f64 {
    let shield = (counter_effort * c[P::CounterDisinfoEffect]).clamp(-1.0, 1.0);
    (c[P::DisinfoErosion] * (1.0 - resilience) * (1.0 - shield)).clamp(0.0, 1.0)
}

/// An ally's own counter-disinformation effort: the alliance's effort `phi`, shared according
/// to its threat perception relative to the mean (`focus` 0: everyone at `phi`).
#[inline]
pub fn counter_effort(phi: f64, focus: f64, threat: f64, threat_mean: f64) -> f64 {
    let rel = if threat_mean > 0.0 {
        threat / threat_mean
    } else {
        1.0
    };
    (phi * (1.0 - focus + focus * rel)).clamp(0.0, 1.0)
}

/// Rise of threat perception `tau` under a shock `s` ≥ 0 added to its log-odds:
/// τ e^s / (1 − τ + τ e^s) − τ. Never negative, never beyond 1 − τ; for a small shock it is
/// s τ (1 − τ), so an ally already far up (or far down) moves less than one near ½; a larger (more
/// exposed) shock always moves further.
#[inline]
pub fn shock_jump(tau: f64, s: f64) -> f64 {
    if s > 0.0 {
        jump_of(tau, libm::exp(s))
    } else {
        0.0
    }
}

/// [`shock_jump`] from e^s (s > 0).
#[inline(always)]
fn jump_of(tau: f64, e: f64) -> f64 {
    let up = tau * e / (1.0 - tau + tau * e);
    (up - tau).max(0.0)
}

/// The last few (s, e^s) of a turn: a shock is an exposure multiple of the turn's events, so
/// the allies share a handful of distinct values and each exponential is computed once (the
/// same value `libm::exp` gives, read back).
struct ExpMemo {
    s: [f64; 4],
    e: [f64; 4],
    next: usize,
}

impl ExpMemo {
    fn new() -> Self {
        ExpMemo {
            s: [f64::NAN; 4],
            e: [0.0; 4],
            next: 0,
        }
    }

    #[inline]
    fn exp(&mut self, s: f64) -> f64 {
        for k in 0..4 {
            if self.s[k] == s {
                return self.e[k];
            }
        }
        let e = libm::exp(s);
        let k = self.next;
        self.s[k] = s;
        self.e[k] = e;
        self.next = (k + 1) & 3;
        e
    }
}

/// Step 4: updates every ally's threat perception, baseline and resilience.
///
/// The per-ally vectors are taken as slices of one length before the loop, so the loop keeps
/// their addresses in registers and needs no bounds checks. Returns the sum of the updated
/// threat perceptions, in ally order (what `s.threat.iter().sum()` gives after the step), so
/// that the turn's measurement need not sum them again.
pub fn update(c: &Coeffs, s: &mut State, ws: &Workspace) -> f64 {
    let n = s.allies();
    let drift = c[P::ThreatDrift];
    let memory = c[P::ThreatMemory];
    let grow = c[P::ResilienceGain] * s.resilience_investment;
    let (k_stance, k_support) = (c[P::DisinfoStance], c[P::DisinfoSupport]);
    let recover = 1.0 - c[P::SupportRecovery];
    let focus = c[P::CounterDisinfoFocus];
    let counter = s.counter_disinfo;
    let (shocks, disinfo, damage) = (&ws.shock[..n], &ws.disinfo[..n], &ws.damage[..n]);
    // The mean threat is read only where disinformation arrives: summed only in such a turn
    // (over the values before the update, as always).
    let any_disinfo = disinfo.iter().fold(false, |a, &d| a | (d > 0.0));
    let any_shock = shocks.iter().fold(false, |a, &x| a | (x > 0.0));
    if !any_disinfo && !any_shock {
        return quiet_update(s, drift, grow, recover, damage);
    }
    let threat_mean = if any_disinfo {
        s.threat.iter().sum::<f64>() / n.max(1) as f64
    } else {
        0.0
    };
    let mut memo = ExpMemo::new();
    let threat = &mut s.threat[..n];
    let base = &mut s.threat_base[..n];
    let support_loss = &mut s.support_loss[..n];
    let stance = &mut s.stance[..n];
    let resilience = &mut s.resilience[..n];
    let jump_max = &mut s.threat_jump_max[..n];
    // −0.0: the neutral element `f64::sum` starts from.
    let mut sum = -0.0;
    for i in 0..n {
        let before = threat[i];
        let mut tau = before;
        tau += drift * (base[i] - tau);
        let shock = shocks[i];
        let jump = if shock > 0.0 {
            jump_of(tau, memo.exp(shock))
        } else {
            0.0
        };
        tau += jump;
        if jump > 0.0 {
            base[i] = (base[i] + memory * jump).clamp(0.0, 1.0);
        }
        support_loss[i] *= recover;
        let d = disinfo[i];
        if d > 0.0 {
            let phi = counter_effort(counter, focus, before, threat_mean);
            let e = d * disinfo_erosion(c, resilience[i], phi);
            tau *= (1.0 - e).max(0.0);
            stance[i] = (stance[i] * (1.0 - k_stance * e).max(0.0)).clamp(0.0, 1.0);
            let l = support_loss[i];
            support_loss[i] = (l + (1.0 - l) * (k_support * e).min(1.0)).clamp(0.0, 1.0);
        }
        threat[i] = tau.clamp(0.0, 1.0);
        sum += threat[i];
        let rise = threat[i] - before;
        // A select, not a branch: whether this ally's threat rose most this turn is a coin flip.
        let m = jump_max[i];
        jump_max[i] = if rise > m { rise } else { m };
        let r = resilience[i];
        resilience[i] = (r + grow * (1.0 - r) - damage[i]).clamp(0.0, 1.0);
    }
    sum
}

/// [`update`] in a turn without shocks or disinformation (most turns): the same operations
/// with the jump 0 and no erosion, without branches, so the loop runs on vectors.
fn quiet_update(s: &mut State, drift: f64, grow: f64, recover: f64, damage: &[f64]) -> f64 {
    let n = s.allies();
    let threat = &mut s.threat[..n];
    let base = &s.threat_base[..n];
    let support_loss = &mut s.support_loss[..n];
    let resilience = &mut s.resilience[..n];
    let jump_max = &mut s.threat_jump_max[..n];
    let damage = &damage[..n];
    for i in 0..n {
        let before = threat[i];
        let mut tau = before;
        tau += drift * (base[i] - tau);
        // The jump of a turn without a shock (adding it keeps −0.0 → +0.0 as `update` does).
        tau += 0.0;
        support_loss[i] *= recover;
        threat[i] = tau.clamp(0.0, 1.0);
        let rise = threat[i] - before;
        let m = jump_max[i];
        jump_max[i] = if rise > m { rise } else { m };
        let r = resilience[i];
        resilience[i] = (r + grow * (1.0 - r) - damage[i]).clamp(0.0, 1.0);
    }
    // Summed apart: the loop above has no carried dependence.
    threat.iter().sum::<f64>()
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;

    #[test]
    fn more_resilience_never_makes_disinformation_more_effective() {
        let (_, c, _, _, _) = setup(&defaults());
        for counter in [0.0, 0.3, 1.0] {
            let mut last = f64::INFINITY;
            for k in 0..=1000 {
                let e = disinfo_erosion(&c, k as f64 / 1000.0, counter);
                assert!(e <= last, "r = {}", k as f64 / 1000.0);
                assert!((0.0..=1.0).contains(&e));
                last = e;
            }
        }
        // Counter-disinformation that works never helps the campaign; one that backfires does.
        assert!(disinfo_erosion(&c, 0.3, 1.0) <= disinfo_erosion(&c, 0.3, 0.0));
        let mut p = defaults();
        p.values[P::CounterDisinfoEffect.i()] = -0.3;
        let (_, c, _, _, _) = setup(&p);
        assert!(disinfo_erosion(&c, 0.3, 1.0) > disinfo_erosion(&c, 0.3, 0.0));
    }

    #[test]
    fn each_ally_counters_in_proportion_to_its_threat_and_the_mean_effort_is_kept() {
        assert_eq!(counter_effort(0.4, 0.0, 0.9, 0.5), 0.4);
        assert!(counter_effort(0.4, 1.0, 0.9, 0.5) > counter_effort(0.4, 1.0, 0.2, 0.5));
        let threats = [0.2, 0.4, 0.6];
        let mean: f64 = threats.iter().sum::<f64>() / 3.0;
        let avg: f64 = threats
            .iter()
            .map(|&t| counter_effort(0.5, 0.5, t, mean))
            .sum::<f64>()
            / 3.0;
        assert!((avg - 0.5).abs() < 1e-12);
        assert_eq!(counter_effort(1.0, 1.0, 0.9, 0.3), 1.0);
    }

    #[test]
    fn shocks_raise_threat_in_odds_form_within_bounds() {
        assert_eq!(shock_jump(0.4, 0.0), 0.0);
        let a = shock_jump(0.4, 0.5);
        let b = shock_jump(0.4, 1.0);
        assert!(0.0 < a && a < b && 0.4 + b < 1.0);
        // Odds form: the posterior odds are the prior odds × e^S (closed form).
        let post = 0.4 + b;
        let odds = |p: f64| p / (1.0 - p);
        assert!((odds(post) / odds(0.4) - 1f64.exp()).abs() < 1e-12);
        // A small shock moves τ by s τ (1 − τ); the invasion's exposure-scaled shock moves the
        // frontline (τ 0.7, S 0.8) further than the rear (τ 0.3, S 0.8 × 0.45).
        for tau in [0.1, 0.3, 0.7] {
            let e = 1e-7;
            assert!((shock_jump(tau, e) / e - tau * (1.0 - tau)).abs() < 1e-6);
        }
        assert!(shock_jump(0.7, 0.8) > shock_jump(0.3, 0.8 * 0.45));
        assert!(shock_jump(0.999, 3.0) <= 0.001);
    }

    #[test]
    fn update_drifts_shocks_erodes_and_keeps_ranges() {
        let (_, c, mut s, _, mut ws) = setup(&defaults());
        let base = s.threat_base.clone();
        s.threat[0] = 0.9;
        ws.shock[1] = 1.0;
        ws.disinfo[2] = 1.0;
        let before = s.threat.clone();
        update(&c, &mut s, &ws);
        assert!(s.threat[0] < 0.9, "drifts down toward baseline");
        assert!(s.threat[1] > before[1] && s.threat_base[1] > base[1]);
        assert!(s.threat[2] < before[2]);
        assert_eq!(s.threat[3], before[3]);
        s.check_ranges().unwrap();
    }

    #[test]
    fn resilience_grows_with_investment_and_falls_with_damage() {
        let (_, c, mut s, _, mut ws) = setup(&defaults());
        s.resilience_investment = 1.0;
        ws.damage[4] = 0.2;
        let before = s.resilience.clone();
        update(&c, &mut s, &ws);
        assert!(s.resilience[0] > before[0]);
        assert!(s.resilience[4] < before[4]);
    }
}
