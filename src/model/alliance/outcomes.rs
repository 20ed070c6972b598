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
//!
//! The names of the outcomes and time series are declared here, beside the functions that
//! fill them, so that a name and its value are written in one place: `outcome_specs` and
//! [`finish`] in the same order, and one table for the series ([`SERIES`], [`series_row`]).

use super::state::State;
use super::{Coeffs, P, Workspace};
use crate::model::{OutcomeKind, OutcomeSpec, SeriesSpec, Tracer};

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

/// Number of per-trial outcomes before the per-ally `channel.<name>` outcomes.
pub const N_FIXED_OUTCOMES: usize = 18;

/// The per-trial outcomes: the fixed ones in the order [`finish`] writes them, then one
/// `channel.<name>` per ally.
pub(super) fn outcome_specs(names: &[String]) -> Vec<OutcomeSpec> {
    let unit = OutcomeKind::Real { min: 0.0, max: 1.0 };
    let mut v = vec![
        OutcomeSpec::new("cohesion_final", unit, "cohesion index at the last turn"),
        OutcomeSpec::new("cohesion_mean", unit, "mean cohesion index over the turns"),
        OutcomeSpec::new("cohesion_min", unit, "lowest cohesion index over the turns"),
        OutcomeSpec::new(
            "fracture",
            OutcomeKind::Binary,
            "1 if the alliance fractured (no consensus for fracture_turns turns, or unilateral share above fracture_unilateral_share)",
        ),
        OutcomeSpec::new("fracture_turn", OutcomeKind::Turn, "turn of the fracture"),
        OutcomeSpec::new(
            "unilateral_peak",
            OutcomeKind::Count,
            "largest number of allies on unilateral channels in one turn",
        ),
        OutcomeSpec::new(
            "credibility_final",
            unit,
            "deterrence credibility at the last turn",
        ),
        OutcomeSpec::new(
            "crises",
            OutcomeKind::Count,
            "turns with military intimidation, aggression or an attack on an ally",
        ),
        OutcomeSpec::new(
            "ally_attacked",
            OutcomeKind::Binary,
            "1 if an ally was attacked",
        ),
        OutcomeSpec::new(
            "attack_turn",
            OutcomeKind::Turn,
            "turn of the first attack on an ally",
        ),
        OutcomeSpec::new(
            "label_final",
            OutcomeKind::Category(&["partner", "competitor", "threat", "adversary"]),
            "label in force at the end: 0 partner, 1 competitor, 2 threat, 3 adversary",
        ),
        OutcomeSpec::new(
            "label_change_turn",
            OutcomeKind::Turn,
            "turn at which the label last changed",
        ),
        OutcomeSpec::new(
            "consensus_share",
            unit,
            "mean over turns of the weighted share of allies within tolerance of the line",
        ),
        OutcomeSpec::new(
            "threat_final",
            unit,
            "mean threat perception at the last turn",
        ),
        OutcomeSpec::new(
            "line_final",
            unit,
            "the common line at the last turn (0 engagement, 1 confrontation)",
        ),
        OutcomeSpec::new(
            "disinfo_campaigns",
            OutcomeKind::Count,
            "disinformation campaigns",
        ),
        OutcomeSpec::new("inducements", OutcomeKind::Count, "inducement offensives"),
        OutcomeSpec::new("hybrid_attacks", OutcomeKind::Count, "hybrid attacks"),
    ];
    debug_assert_eq!(v.len(), N_FIXED_OUTCOMES);
    for n in names {
        v.push(OutcomeSpec::new(
            format!("channel.{n}"),
            OutcomeKind::Binary,
            format!("1 if {n} ran a unilateral channel to Moscow at some point"),
        ));
    }
    v
}

/// One per-turn time series: its name, its meaning, and the state variable it reports.
struct SeriesDecl {
    name: &'static str,
    meaning: &'static str,
    value: fn(&State) -> f64,
}

/// Number of per-turn time series.
pub const N_SERIES: usize = 4;

/// The per-turn time series, in the order a run reports them (every one on [0, 1]).
const SERIES_DECL: [SeriesDecl; N_SERIES] = [
    SeriesDecl {
        name: "cohesion",
        meaning: "cohesion index",
        value: |s| s.cohesion,
    },
    SeriesDecl {
        name: "credibility",
        meaning: "deterrence credibility",
        value: |s| s.credibility,
    },
    SeriesDecl {
        name: "unilateral_share",
        meaning: "weighted share of allies on unilateral channels",
        value: |s| s.unilateral_share,
    },
    SeriesDecl {
        name: "threat_mean",
        meaning: "mean threat perception over allies",
        value: |s| s.threat_mean,
    },
];

/// The names of the per-turn time series, in the order of a run's series and of [`series_row`].
pub const SERIES: [&str; N_SERIES] = {
    let mut names = [""; N_SERIES];
    let mut k = 0;
    while k < N_SERIES {
        names[k] = SERIES_DECL[k].name;
        k += 1;
    }
    names
};

/// The values of the series of [`SERIES`] for a state, in that order.
#[inline]
pub fn series_row(s: &State) -> [f64; N_SERIES] {
    std::array::from_fn(|k| (SERIES_DECL[k].value)(s))
}

/// The declarations of the per-turn time series.
pub(super) fn series_specs() -> Vec<SeriesSpec> {
    SERIES_DECL
        .iter()
        .map(|d| SeriesSpec::new(d.name, 0.0, 1.0, d.meaning))
        .collect()
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

    #[test]
    fn every_outcome_finish_writes_fits_its_declaration() {
        let (_, c, mut s, _, ws) = setup(&defaults());
        s.turn = 1;
        record(&c, &mut s, &ws, 1, &mut NoTrace);
        let specs = outcome_specs(&c.names);
        assert_eq!(specs.len(), N_FIXED_OUTCOMES + c.allies());
        assert_eq!(
            specs[N_FIXED_OUTCOMES + 1].name,
            format!("channel.{}", c.names[1])
        );
        let mut out = vec![0.0; specs.len()];
        finish(&c, &s, &mut out);
        for (d, &x) in specs.iter().zip(&out) {
            let fits = match d.kind {
                OutcomeKind::Real { min, max } => (min..=max).contains(&x),
                OutcomeKind::Count => x >= 0.0 && x.fract() == 0.0,
                OutcomeKind::Binary => x == 0.0 || x == 1.0,
                OutcomeKind::Turn => x.is_nan() || (x >= 1.0 && x.fract() == 0.0),
                OutcomeKind::Category(names) => {
                    x >= 0.0 && x.fract() == 0.0 && (x as usize) < names.len()
                }
            };
            assert!(fits, "{} = {x}", d.name);
        }
    }

    #[test]
    fn a_series_row_reports_each_named_variable() {
        let (_, _, mut s, _, _) = setup(&defaults());
        (s.cohesion, s.credibility, s.unilateral_share, s.threat_mean) = (0.9, 0.6, 0.1, 0.4);
        let row = series_row(&s);
        let named = |name: &str| row[SERIES.iter().position(|&n| n == name).unwrap()];
        assert_eq!(named("cohesion"), 0.9);
        assert_eq!(named("credibility"), 0.6);
        assert_eq!(named("unilateral_share"), 0.1);
        assert_eq!(named("threat_mean"), 0.4);
        let specs = series_specs();
        assert_eq!(
            specs.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(),
            SERIES
        );
    }
}
