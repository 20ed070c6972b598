//! Step 9: the turn's metrics, the per-trial accumulators, and the per-trial outcomes.
//!
//! The cohesion index combines the two ways an alliance comes apart — disagreement on the line
//! and allies going their own way:
//!
//! ```text
//! C = 1 − clamp(a_d × 2 sd_w(x) + a_c × U, 0, 1)
//! sd_w(x) = sqrt(Σ_i w_i (x_i − x̄_w)²)      (weighted dispersion of stances; ≤ ½, so 2 sd_w ∈ [0, 1])
//! U = Σ_{i on a unilateral channel} w_i      (weighted share on unilateral channels)
//! ```
//!
//! with `a_d = cohesion_dispersion_weight`, `a_c = cohesion_channel_weight` and w the allies'
//! normalised weights. The alliance *fractures* at the first turn at which it has had no
//! consensus for `fracture_turns` consecutive turns, or U exceeds `fracture_unilateral_share`.

use super::state::State;
use super::{Coeffs, N_FIXED_OUTCOMES, P, Workspace};
use crate::model::Tracer;

/// Σ w_i x_i (weights normalised to sum 1).
#[inline]
pub fn weighted_mean(w: &[f64], x: &[f64]) -> f64 {
    w.iter()
        .zip(x)
        .map(|(a, b)| a * b)
        .sum::<f64>()
        .clamp(0.0, 1.0)
}

/// (cohesion index, weighted unilateral share, number on unilateral channels).
pub fn cohesion_index(
    w: &[f64],
    x: &[f64],
    channel: &[bool],
    dispersion_weight: f64,
    channel_weight: f64,
) -> (f64, f64, usize) {
    let mean = weighted_mean(w, x);
    let (mut var, mut share, mut count) = (0.0, 0.0, 0);
    for i in 0..w.len() {
        let d = x[i] - mean;
        var += w[i] * d * d;
        if channel[i] {
            share += w[i];
            count += 1;
        }
    }
    let share = share.clamp(0.0, 1.0);
    let spread = (2.0 * libm::sqrt(var)).min(1.0);
    let c = 1.0 - (dispersion_weight * spread + channel_weight * share).clamp(0.0, 1.0);
    (c, share, count)
}

/// Measures the turn's cohesion, unilateral share and count, and mean threat.
pub fn measure(c: &Coeffs, s: &mut State) {
    let (coh, share, count) = cohesion_index(
        &c.w,
        &s.stance,
        &s.channel,
        c[P::CohesionDispersionWeight],
        c[P::CohesionChannelWeight],
    );
    s.cohesion = coh;
    s.unilateral_share = share;
    s.unilateral_count = count;
    s.threat_mean = (s.threat.iter().sum::<f64>() / s.allies() as f64).clamp(0.0, 1.0);
}

/// Step 9: folds the turn into the trial's accumulators and checks for a fracture.
pub fn record<T: Tracer>(c: &Coeffs, s: &mut State, ws: &Workspace, t: usize, tr: &mut T) {
    s.cohesion_sum += s.cohesion;
    s.cohesion_min = s.cohesion_min.min(s.cohesion);
    s.consensus_sum += s.consensus_share;
    s.unilateral_peak = s.unilateral_peak.max(s.unilateral_count);
    if ws.crisis {
        s.crises += 1;
    }
    if s.fracture_turn.is_none() {
        let stalled = s.no_consensus_run >= c.int(P::FractureTurns);
        let split = s.unilateral_share > c[P::FractureUnilateralShare];
        if stalled || split {
            s.fracture_turn = Some(t);
            if T::ENABLED {
                let (run, share) = (s.no_consensus_run, s.unilateral_share);
                tr.event(t, "outcome", "alliance", &|| {
                    format!(
                        "FRACTURE: {}",
                        if stalled {
                            format!("no consensus for {run} consecutive turns")
                        } else {
                            format!("weighted share on unilateral channels {share:.3}")
                        }
                    )
                });
            }
        }
    }
}

/// The per-trial outcomes, in `outcome_specs` order, from the state after the last turn.
pub fn finish(c: &Coeffs, s: &State, out: &mut [f64]) {
    let turns = s.turn.max(1) as f64;
    let turn = |x: Option<usize>| x.map_or(f64::NAN, |t| t as f64);
    let flag = |b: bool| if b { 1.0 } else { 0.0 };
    let fixed: [f64; N_FIXED_OUTCOMES] = [
        s.cohesion,
        (s.cohesion_sum / turns).clamp(0.0, 1.0),
        s.cohesion_min.min(s.cohesion),
        flag(s.fracture_turn.is_some()),
        turn(s.fracture_turn),
        s.unilateral_peak as f64,
        s.credibility,
        s.crises as f64,
        flag(s.attack_turn.is_some()),
        turn(s.attack_turn),
        s.label as f64,
        turn(s.label_change_turn),
        (s.consensus_sum / turns).clamp(0.0, 1.0),
        s.threat_mean,
        s.line,
        s.disinfo_campaigns as f64,
        s.inducements as f64,
        s.hybrid_attacks as f64,
    ];
    out[..N_FIXED_OUTCOMES].copy_from_slice(&fixed);
    for (o, &opened) in out[N_FIXED_OUTCOMES..].iter_mut().zip(&s.opened) {
        *o = flag(opened);
    }
    debug_assert_eq!(out.len(), N_FIXED_OUTCOMES + c.allies());
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;
    use crate::model::NoTrace;

    #[test]
    fn cohesion_is_one_for_a_united_alliance_and_falls_with_dispersion_and_channels() {
        let w = [0.5, 0.3, 0.2];
        let (c1, u1, n1) = cohesion_index(&w, &[0.6; 3], &[false; 3], 1.0, 1.0);
        assert_eq!((c1, u1, n1), (1.0, 0.0, 0));
        let (c2, _, _) = cohesion_index(&w, &[0.2, 0.6, 0.9], &[false; 3], 1.0, 1.0);
        assert!(c2 < 1.0);
        let (c3, u3, n3) = cohesion_index(&w, &[0.2, 0.6, 0.9], &[false, true, false], 1.0, 1.0);
        assert!(c3 < c2 && (u3 - 0.3).abs() < 1e-15 && n3 == 1);
        let (c4, _, _) = cohesion_index(&w, &[0.0, 1.0, 0.0], &[true; 3], 2.0, 2.0);
        assert_eq!(c4, 0.0);
    }

    #[test]
    fn fracture_by_stalemate_or_by_unilateral_share() {
        let (_, c, mut s, _, ws) = setup(&defaults());
        s.no_consensus_run = c.int(P::FractureTurns);
        record(&c, &mut s, &ws, 7, &mut NoTrace);
        assert_eq!(s.fracture_turn, Some(7));
        let (_, c, mut s, _, ws) = setup(&defaults());
        s.unilateral_share = 0.9;
        record(&c, &mut s, &ws, 3, &mut NoTrace);
        assert_eq!(s.fracture_turn, Some(3));
        record(&c, &mut s, &ws, 4, &mut NoTrace);
        assert_eq!(s.fracture_turn, Some(3));
    }

    #[test]
    fn finish_writes_every_outcome_in_range() {
        let (_, c, mut s, _, ws) = setup(&defaults());
        s.turn = 1;
        s.opened[2] = true;
        record(&c, &mut s, &ws, 1, &mut NoTrace);
        let mut out = vec![0.0; N_FIXED_OUTCOMES + c.allies()];
        finish(&c, &s, &mut out);
        assert_eq!(out[N_FIXED_OUTCOMES + 2], 1.0);
        assert!(out[4].is_nan() && out[9].is_nan());
        for (k, &x) in out.iter().enumerate() {
            assert!(x.is_nan() || x >= 0.0, "{k}");
        }
    }
}
