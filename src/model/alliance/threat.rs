//! Step 4: threat perception and resilience.
//!
//! Threat perception τ_i ∈ [0, 1] drifts back toward its baseline, jumps after hostile acts
//! (the shocks collected in steps 2–3, larger for exposed allies), and is eroded by
//! disinformation in proportion to (1 − resilience), less so under counter-disinformation:
//!
//! ```text
//! τ ← τ + drift (τ̄ − τ)
//! τ ← τ + (1 − τ) S / (1 + S)             S = the turn's exposure-scaled shock
//! τ̄ ← τ̄ + memory × that jump            (a shock leaves a lasting mark)
//! τ ← τ (1 − D × erosion)                 D = campaigns reaching the ally this turn
//! erosion = disinfo_erosion (1 − r) (1 − counter_disinfo × counter_disinfo_effect)
//! ```
//!
//! Resilience r grows with investment, r ← r + gain × investment × (1 − r), and loses what
//! hybrid attacks took. Both forms keep every value in [0, 1] by construction.

use super::state::State;
use super::{Coeffs, P, Workspace};

/// Share of threat perception one campaign erodes in an ally of resilience `r` (in [0, 1];
/// never larger for a more resilient ally, never larger under more counter-disinformation).
#[inline]
pub fn disinfo_erosion(c: &Coeffs, resilience: f64, counter_effort: f64) -> f64 {
    let shield = (counter_effort * c[P::CounterDisinfoEffect]).clamp(0.0, 1.0);
    (c[P::DisinfoErosion] * (1.0 - resilience) * (1.0 - shield)).clamp(0.0, 1.0)
}

/// Rise of threat perception `tau` under a shock `s` ≥ 0: (1 − τ) s / (1 + s), a saturating
/// response (a shock of 1 closes half the gap to full threat).
#[inline]
pub fn shock_jump(tau: f64, s: f64) -> f64 {
    if s > 0.0 {
        (1.0 - tau) * (s / (1.0 + s))
    } else {
        0.0
    }
}

/// Step 4: updates every ally's threat perception, baseline and resilience.
pub fn update(c: &Coeffs, s: &mut State, ws: &Workspace) {
    let drift = c[P::ThreatDrift];
    let memory = c[P::ThreatMemory];
    let grow = c[P::ResilienceGain] * s.resilience_investment;
    for i in 0..s.allies() {
        let mut tau = s.threat[i];
        tau += drift * (s.threat_base[i] - tau);
        let jump = shock_jump(tau, ws.shock[i]);
        tau += jump;
        if jump > 0.0 {
            s.threat_base[i] = (s.threat_base[i] + memory * jump).clamp(0.0, 1.0);
        }
        let d = ws.disinfo[i];
        if d > 0.0 {
            let e = disinfo_erosion(c, s.resilience[i], s.counter_disinfo);
            tau *= (1.0 - d * e).max(0.0);
        }
        s.threat[i] = tau.clamp(0.0, 1.0);
        let r = s.resilience[i];
        s.resilience[i] = (r + grow * (1.0 - r) - ws.damage[i]).clamp(0.0, 1.0);
    }
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
        // Counter-disinformation never helps the campaign either.
        assert!(disinfo_erosion(&c, 0.3, 1.0) <= disinfo_erosion(&c, 0.3, 0.0));
    }

    #[test]
    fn shocks_raise_threat_within_bounds_and_saturate() {
        assert_eq!(shock_jump(0.4, 0.0), 0.0);
        let a = shock_jump(0.4, 0.5);
        let b = shock_jump(0.4, 1.0);
        assert!(0.0 < a && a < b && 0.4 + b < 1.0);
        assert!(shock_jump(0.9, 1.0) < shock_jump(0.4, 1.0));
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
