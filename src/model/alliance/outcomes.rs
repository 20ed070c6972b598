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
//! The index is kept, but it is dominated by structural dispersion that no policy touches, so
//! its components are reported separately (`dispersion_mean`, `unilateral_share_mean`) beside
//! outcomes that answer the commentary's fears directly: allies running channels *while*
//! Moscow keeps NATO's cut (`channels_while_cut`), consensus delays (`deadlock_turns`,
//! `longest_deadlock`), blocking allies (`blocking_allies`), and per ally ([`ALLY_METRICS`]):
//! whether and how long it ran a channel, how often it blocked, its spending change, its final
//! stance and threat, its sharpest rise of threat, and its spending and whether it ran a
//! channel per calendar year (the record reports both by year: NATO's spending figures, the
//! leaders' meetings with Putin).
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

/// (cohesion index, weighted unilateral share, number on unilateral channels, dispersion
/// 2 sd_w(x)).
pub fn cohesion_index(
    w: &[f64],
    x: &[f64],
    channel: &[bool],
    dispersion_weight: f64,
    channel_weight: f64,
) -> (f64, f64, usize, f64) {
    let mean = weighted_mean(w, x);
    cohesion_index_about(w, x, mean, channel, dispersion_weight, channel_weight)
}

/// [`cohesion_index`] with the weighted mean `mean` = `weighted_mean(w, x)` already known.
fn cohesion_index_about(
    w: &[f64],
    x: &[f64],
    mean: f64,
    channel: &[bool],
    dispersion_weight: f64,
    channel_weight: f64,
) -> (f64, f64, usize, f64) {
    let (mut var, mut share, mut count) = (0.0, 0.0, 0);
    let n = w.len();
    let (x, channel) = (&x[..n], &channel[..n]);
    for i in 0..n {
        let d = x[i] - mean;
        var += w[i] * d * d;
        // Selects, not a branch (who runs a channel is a coin flip): adding 0.0 to a share that
        // starts at +0.0 and only grows leaves it unchanged, bit for bit.
        let on = channel[i];
        share += if on { w[i] } else { 0.0 };
        count += on as usize;
    }
    let share = share.clamp(0.0, 1.0);
    let spread = (2.0 * libm::sqrt(var)).min(1.0);
    let c = 1.0 - (dispersion_weight * spread + channel_weight * share).clamp(0.0, 1.0);
    (c, share, count, spread)
}

/// Measures the turn's cohesion, unilateral share and count, and mean threat.
pub fn measure(c: &Coeffs, s: &mut State) {
    let mean = weighted_mean(&c.w, &s.stance);
    let threat_sum = s.threat.iter().sum::<f64>();
    measure_from(c, s, mean, threat_sum);
}

/// [`measure`] with the weighted mean stance and the sum of the threat perceptions already
/// known (the turn computed both in earlier steps, on the same values).
pub fn measure_from(c: &Coeffs, s: &mut State, stance_mean: f64, threat_sum: f64) {
    let (coh, share, count, spread) = cohesion_index_about(
        &c.w,
        &s.stance,
        stance_mean,
        &s.channel,
        c[P::CohesionDispersionWeight],
        c[P::CohesionChannelWeight],
    );
    s.cohesion = coh;
    s.dispersion = spread;
    s.unilateral_share = share;
    s.unilateral_count = count;
    s.threat_mean = (threat_sum / s.allies() as f64).clamp(0.0, 1.0);
}

/// Step 9: folds the turn into the trial's accumulators and checks for a fracture.
pub fn record<T: Tracer>(c: &Coeffs, s: &mut State, ws: &Workspace, t: usize, tr: &mut T) {
    s.cohesion_sum += s.cohesion;
    s.cohesion_min = s.cohesion_min.min(s.cohesion);
    s.consensus_sum += s.consensus_share;
    s.unilateral_peak = s.unilateral_peak.max(s.unilateral_count);
    s.dispersion_sum += s.dispersion;
    s.unilateral_sum += s.unilateral_share;
    if ws.crisis {
        s.crises += 1;
    }
    if !s.consensus {
        s.deadlock_turns += 1;
        s.longest_deadlock = s.longest_deadlock.max(s.no_consensus_run);
    }
    // The label's stated conditions: channels restored, no hostile act this turn.
    s.conditions_run = if !s.dialogue_cut && !ws.hostile {
        s.conditions_run + 1
    } else {
        0
    };
    let n = s.allies();
    // Counts as data, not branches (who runs a channel varies from turn to turn).
    let cut = s.dialogue_cut;
    let (channel, months) = (&s.channel[..n], &mut s.channel_months[..n]);
    let mut while_cut = 0;
    for i in 0..n {
        let on = channel[i];
        months[i] += on as u32;
        while_cut += (on & cut) as usize;
    }
    s.channels_while_cut += while_cut;
    if let Some(Some(y)) = c.year_of_turn.get(t.wrapping_sub(1)) {
        let row = &mut s.defence_year[y * n..(y + 1) * n];
        for (acc, &d) in row.iter_mut().zip(&s.defence) {
            *acc += d;
        }
        if let Some(row) = s.channel_year.get_mut(y * n..(y + 1) * n) {
            for (ran, &open) in row.iter_mut().zip(&s.channel) {
                *ran |= open;
            }
        }
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
        (s.dispersion_sum / turns).clamp(0.0, 1.0),
        (s.unilateral_sum / turns).clamp(0.0, 1.0),
        s.channels_while_cut as f64,
        s.deadlock_turns as f64,
        s.longest_deadlock as f64,
        s.blocked.iter().filter(|&&b| b > 0).count() as f64,
        s.outreach as f64,
        turn(s.label_first_change_turn),
    ];
    out[..N_FIXED_OUTCOMES].copy_from_slice(&fixed);
    let n = c.allies();
    let mut k = N_FIXED_OUTCOMES;
    let mut family = |value: &dyn Fn(usize) -> f64| {
        for i in 0..n {
            out[k + i] = value(i);
        }
        k += n;
    };
    family(&|i| flag(s.opened[i]));
    family(&|i| s.channel_months[i] as f64);
    family(&|i| s.blocked[i] as f64);
    family(&|i| s.defence[i] - c.defence0[i]);
    family(&|i| s.stance[i]);
    family(&|i| s.threat[i]);
    family(&|i| s.threat_jump_max[i]);
    for (y, &turns_in) in c.turns_in_year.iter().enumerate() {
        family(&|i| s.defence_year[y * n + i] / turns_in.max(1) as f64);
    }
    for y in 0..channel_years(&c.years) {
        family(&|i| flag(s.channel_year[y * n + i]));
    }
    debug_assert_eq!(k, out.len());
}

/// The most calendar years with a `channel_<year>` family: the first ten of a run. They hold
/// a run against a record of meetings by year (a hindcast spans a few years); a 10,000-turn
/// run would otherwise carry 25,000 more yes/no outcomes per option through its summary,
/// comparison and charts, beyond the memory such a run is allowed (docs/RELIABILITY.md).
pub const CHANNEL_YEARS: usize = 10;

/// How many of the run's calendar years `years` have a `channel_<year>` family.
pub fn channel_years(years: &[i64]) -> usize {
    years.len().min(CHANNEL_YEARS)
}

/// Number of per-trial outcomes before the per-ally families.
pub const N_FIXED_OUTCOMES: usize = 26;

/// The per-ally metrics, in the order of their families after the fixed outcomes (then one
/// `defence_<year>` family per calendar year of the run, then one `channel_<year>` family per
/// year, up to [`CHANNEL_YEARS`]): (name, meaning).
pub const ALLY_METRICS: [(&str, &str); 7] = [
    (
        "channel_ever",
        "ran a unilateral channel to Moscow at some point",
    ),
    (
        "channel_months",
        "turns with a unilateral channel to Moscow open",
    ),
    (
        "blocked_consensus",
        "turns in which it dissented from the line and blocked consensus",
    ),
    (
        "defence_change_pp",
        "defence spending at the last turn minus the first, percentage points of GDP",
    ),
    (
        "stance_final",
        "stance at the last turn (0 engagement, 1 confrontation)",
    ),
    ("threat_final", "threat perception at the last turn"),
    (
        "threat_jump_max",
        "largest one-turn rise of its threat perception",
    ),
];

/// The per-trial outcomes: the fixed ones in the order [`finish`] writes them, then one
/// family `metric.<ally>` per metric of [`ALLY_METRICS`], then `defence_<year>.<ally>` for each
/// calendar year of `years`, then `channel_<year>.<ally>` (yes/no: a channel open in some turn
/// of that year) for each of the first [`CHANNEL_YEARS`]. The per-year families are details: summarised in `summary.csv` and
/// `allies.csv`, not written per trial (thirty columns per family and year).
pub(super) fn outcome_specs(names: &[String], years: &[i64]) -> Vec<OutcomeSpec> {
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
        OutcomeSpec::new(
            "dispersion_mean",
            unit,
            "mean over turns of the dispersion of stances (2 × weighted sd): the index's first component",
        ),
        OutcomeSpec::new(
            "unilateral_share_mean",
            unit,
            "mean over turns of the weighted share on unilateral channels: the index's second component",
        ),
        OutcomeSpec::new(
            "channels_while_cut",
            OutcomeKind::Count,
            "ally-turns with a unilateral channel open while Moscow kept NATO's channels cut",
        ),
        OutcomeSpec::new(
            "deadlock_turns",
            OutcomeKind::Count,
            "turns without consensus",
        ),
        OutcomeSpec::new(
            "longest_deadlock",
            OutcomeKind::Count,
            "longest run of turns without consensus (turns to agreement)",
        ),
        OutcomeSpec::new(
            "blocking_allies",
            OutcomeKind::Count,
            "allies that blocked consensus at least once",
        ),
        OutcomeSpec::new(
            "outreach",
            OutcomeKind::Count,
            "Moscow's offers of bilateral dialogue while NATO's channels were cut",
        ),
        OutcomeSpec::new(
            "label_first_change_turn",
            OutcomeKind::Turn,
            "turn at which the label first changed",
        ),
    ];
    debug_assert_eq!(v.len(), N_FIXED_OUTCOMES);
    let span = 1.0 + 20.0 * years.len().max(3) as f64;
    for (metric, meaning) in ALLY_METRICS {
        let kind = match metric {
            "channel_ever" => OutcomeKind::Binary,
            "channel_months" | "blocked_consensus" => OutcomeKind::Count,
            "defence_change_pp" => OutcomeKind::Real {
                min: -span,
                max: span,
            },
            _ => unit,
        };
        for n in names {
            let o = OutcomeSpec::new(format!("{metric}.{n}"), kind, format!("{n}: {meaning}"));
            v.push(if matches!(kind, OutcomeKind::Real { .. }) {
                o.detail()
            } else {
                o
            });
        }
    }
    for y in years {
        for n in names {
            v.push(
                OutcomeSpec::new(
                    format!("defence_{y}.{n}"),
                    OutcomeKind::Real {
                        min: 0.0,
                        max: 20.0 + span,
                    },
                    format!(
                        "{n}: mean defence spending over the turns of calendar year {y}, % of GDP"
                    ),
                )
                .detail(),
            );
        }
    }
    for y in &years[..channel_years(years)] {
        for n in names {
            v.push(
                OutcomeSpec::new(
                    format!("channel_{y}.{n}"),
                    OutcomeKind::Binary,
                    format!(
                        "{n}: ran a unilateral channel to Moscow in some turn of calendar year {y}"
                    ),
                )
                .detail(),
            );
        }
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
        let (c1, u1, n1, d1) = cohesion_index(&w, &[0.6; 3], &[false; 3], 1.0, 1.0);
        assert_eq!((c1, u1, n1, d1), (1.0, 0.0, 0, 0.0));
        let (c2, _, _, d2) = cohesion_index(&w, &[0.2, 0.6, 0.9], &[false; 3], 1.0, 1.0);
        assert!(c2 < 1.0 && (c2 - (1.0 - d2)).abs() < 1e-15);
        let (c3, u3, n3, _) = cohesion_index(&w, &[0.2, 0.6, 0.9], &[false, true, false], 1.0, 1.0);
        assert!(c3 < c2 && (u3 - 0.3).abs() < 1e-15 && n3 == 1);
        let (c4, _, _, _) = cohesion_index(&w, &[0.0, 1.0, 0.0], &[true; 3], 2.0, 2.0);
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
        let specs = outcome_specs(&c.names, &c.years);
        let mut out = vec![0.0; specs.len()];
        finish(&c, &s, &mut out);
        assert_eq!(specs[N_FIXED_OUTCOMES + 2].name, "channel_ever.C");
        assert_eq!(out[N_FIXED_OUTCOMES + 2], 1.0);
        assert!(out[4].is_nan() && out[9].is_nan());
        for (d, &x) in specs.iter().zip(&out) {
            let signed = d.name.starts_with("defence_change_pp.");
            assert!(x.is_nan() || x >= 0.0 || signed, "{} = {x}", d.name);
        }
    }

    #[test]
    fn every_outcome_finish_writes_fits_its_declaration() {
        for dated in [false, true] {
            let mut sim = sim(15);
            if dated {
                // October 2021: calendar years 2022 (12 turns) and 2023 (turns 16-…, none here).
                sim.start_month = Some(2021 * 12 + 9);
            }
            let mut c = Coeffs::new(&sim);
            c.fill(&sim, &defaults());
            let mut run = sim.alliance_runner();
            run.coeffs = c.clone();
            let mut st = crate::kernel::rng::StreamKeys::new(3).trial_streams(1);
            let lv = run.start(&defaults(), &mut st, &mut NoTrace);
            for _ in 0..15 {
                run.step(&lv, &mut st, &mut NoTrace);
            }
            let specs = outcome_specs(&c.names, &c.years);
            let families = ALLY_METRICS.len() + c.years.len() + channel_years(&c.years);
            assert_eq!(specs.len(), N_FIXED_OUTCOMES + families * c.allies());
            assert_eq!(c.years, if dated { vec![2022] } else { vec![] });
            assert_eq!(
                specs[N_FIXED_OUTCOMES + c.allies() + 1].name,
                format!("channel_months.{}", c.names[1])
            );
            let mut out = vec![0.0; specs.len()];
            finish(&run.coeffs, &run.state, &mut out);
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
                // Real per-ally values and the per-year families are details (not in
                // trials.csv); the rest are not.
                let family = d.name.contains('.');
                let yearly = d.name.starts_with("channel_20") || d.name.starts_with("defence_20");
                assert_eq!(
                    d.detail,
                    family && (yearly || matches!(d.kind, OutcomeKind::Real { .. })),
                    "{}",
                    d.name
                );
            }
            if dated {
                // The 2022 mean of the monthly levels lies between the first and last level.
                let k = specs
                    .iter()
                    .position(|d| d.name == "defence_2022.A")
                    .unwrap();
                let (d0, d1) = (c.defence0[0], run.state.defence[0]);
                assert!(out[k] >= d0.min(d1) - 1e-12 && out[k] <= d0.max(d1) + 1e-12);
                let months: u32 = run.state.channel_months.iter().sum();
                let first = N_FIXED_OUTCOMES + c.allies();
                let total: f64 = out[first..first + c.allies()].iter().sum();
                assert_eq!(total, months as f64);
            }
        }
    }

    #[test]
    fn a_channel_counts_in_the_calendar_year_of_the_turns_it_was_open() {
        // October 2021 start: turns 1-3 are 2021 (no family), 4-15 are 2022, 16-18 are 2023.
        let mut sim = sim(18);
        sim.start_month = Some(2021 * 12 + 9);
        let mut c = Coeffs::new(&sim);
        c.fill(&sim, &defaults());
        assert_eq!(c.years, vec![2022, 2023]);
        let (_, _, mut s, _, ws) = setup(&defaults());
        s.channel_year = vec![false; 2 * c.allies()];
        s.defence_year = vec![0.0; 2 * c.allies()];
        for t in 1..=18 {
            s.channel.fill(false);
            // A: December 2021 only; B: January 2022 only; C: December 2022 and January 2023.
            s.channel[0] = t == 3;
            s.channel[1] = t == 4;
            s.channel[2] = t == 15 || t == 16;
            record(&c, &mut s, &ws, t, &mut NoTrace);
        }
        s.turn = 18;
        let specs = outcome_specs(&c.names, &c.years);
        let mut out = vec![0.0; specs.len()];
        finish(&c, &s, &mut out);
        let value = |name: &str| out[specs.iter().position(|d| d.name == name).unwrap()];
        let ran: Vec<(f64, f64)> = ["A", "B", "C", "D"]
            .iter()
            .map(|a| {
                (
                    value(&format!("channel_2022.{a}")),
                    value(&format!("channel_2023.{a}")),
                )
            })
            .collect();
        assert_eq!(ran, [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)]);
        assert_eq!(value("channel_ever.A"), 0.0); // `opened` is set by the channel step
        assert_eq!(value("channel_months.C"), 2.0);
        // Fifteen calendar years: spending for each, channels for the first ten only.
        let years: Vec<i64> = (2022..2037).collect();
        let specs = outcome_specs(&c.names, &years);
        let has = |name: &str| specs.iter().any(|d| d.name == name);
        assert!(has("defence_2036.A") && has("channel_2031.A") && !has("channel_2032.A"));
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
