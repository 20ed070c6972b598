//! Invariants, for random seeds and parameter values: every state variable stays within its
//! documented range, every outcome within its declared kind, the traced run equals the plain
//! one, and no NaN or infinity reaches an output file.

use crate::util;

use cohesion::engine;
use cohesion::kernel::rng::{Purpose, StreamKeys, stream};
use cohesion::kernel::trace::Trace;
use cohesion::model::reference::{P_AGENTS, P_EPSILON, P_MU, P_SWEEPS};
use cohesion::model::{OutcomeKind, Params, Simulation, TrialOut};
use cohesion::scenario::{Cell, Distribution, Inject, Origin, Scenario};
use cohesion::stats::{Sketch, wilson95};
use proptest::prelude::*;

use util::{HK_SMALL, Table, run_to, scenario_dir, write_files};

fn builtin(name: &str) -> Scenario {
    cohesion::model::load_scenario(Origin::Builtin(format!("reference/{name}.toml")))
        .expect("valid built-in")
}

/// Asserts that `v` is a possible value of an outcome of this kind.
fn check_outcome(name: &str, kind: OutcomeKind, v: f64, turns: usize) {
    match kind {
        OutcomeKind::Real { min, max } => {
            assert!(
                v.is_finite() && min <= v && v <= max,
                "{name} = {v:?} outside its declared range [{min}, {max}]"
            )
        }
        OutcomeKind::Count => assert!(
            v.is_finite() && v >= 0.0 && v == v.trunc(),
            "{name} = {v:?} is not a count"
        ),
        OutcomeKind::Binary => assert!(v == 0.0 || v == 1.0, "{name} = {v:?} is not 0 or 1"),
        OutcomeKind::Turn => assert!(
            v.is_nan() || (v == v.trunc() && v >= 1.0 && v <= turns as f64),
            "{name} = {v:?} is not a turn of 1..={turns}"
        ),
        OutcomeKind::Category(names) => assert!(
            v >= 0.0 && v == v.trunc() && (v as usize) < names.len(),
            "{name} = {v:?} is not one of {names:?}"
        ),
    }
}

/// Traces trial `k` of option `policy`, checks its outcomes and series against their
/// declarations and against an untraced run of the same trial, and returns the trace.
fn traced(
    sc: &Scenario,
    policy: usize,
    seed: u64,
    k: u64,
) -> (Box<dyn Simulation>, TrialOut, Trace) {
    let sim = cohesion::model::build(sc).expect("scenario builds");
    let (draws, out, tr) = engine::trace_trial(sc, sim.as_ref(), seed, policy, k);
    for (spec, &v) in sim.outcomes().iter().zip(&out.outcomes) {
        check_outcome(&spec.name, spec.kind, v, sim.turns());
    }
    let s_n = sim.series().len();
    for (i, &v) in out.series.iter().enumerate() {
        let spec = &sim.series()[i % s_n];
        assert!(
            v.is_finite() && spec.min <= v && v <= spec.max,
            "series {} at turn {} = {v:?} outside [{}, {}]",
            spec.name,
            i / s_n + 1,
            spec.min,
            spec.max
        );
    }
    for s in &tr.states {
        assert!(
            s.value.is_finite(),
            "state {} of {} = {:?}",
            s.variable,
            s.actor,
            s.value
        );
    }
    // The untraced run of the same trial gives the same bits.
    let mut params = Params {
        values: sc.base.clone(),
    };
    engine::set_params(sc, policy, &draws, &mut params);
    let mut plain = TrialOut::new(sim.outcomes().len(), s_n, sim.turns());
    let mut streams = StreamKeys::new(seed).trial_streams(k);
    sim.runner().run(&params, &mut streams, &mut plain);
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(
        bits(&plain.outcomes),
        bits(&out.outcomes),
        "trace changed the outcomes"
    );
    assert_eq!(
        bits(&plain.series),
        bits(&out.series),
        "trace changed the series"
    );
    assert_eq!(plain.turns_run, out.turns_run);
    (sim, out, tr)
}

/// The opinions of a traced opinion-dynamics trial stay in [0, 1]; clusters are consistent.
fn check_opinions(tr: &Trace, out: &TrialOut, agents: usize) {
    let mut n = 0;
    for s in tr.states.iter().filter(|s| s.variable == "opinion") {
        assert!(
            (0.0..=1.0).contains(&s.value),
            "{} has opinion {} at turn {}",
            s.actor,
            s.value,
            s.turn
        );
        n += 1;
    }
    assert!(
        n >= 2 * agents,
        "initial and at least one later state per agent"
    );
    for s in tr.states.iter().filter(|s| s.variable == "max_change") {
        assert!(s.value >= 0.0, "max_change {}", s.value);
    }
    let (clusters, major) = (out.outcomes[0], out.outcomes[1]);
    assert!(clusters >= 1.0 && clusters <= agents as f64);
    assert!(major <= clusters);
    assert_eq!(out.outcomes[2], if major == 1.0 { 1.0 } else { 0.0 });
}

/// An opinion-dynamics scenario with `turns` turns and a shift inject at `shift_turn`.
fn with_shift(mut sc: Scenario, turns: usize, shift_turn: usize, amount: f64) -> Scenario {
    sc.turns = turns;
    sc.injects = vec![Inject {
        turn: shift_turn.min(turns),
        kind: "shift".into(),
        name: "shock".into(),
        date: None,
        description: String::new(),
        fields: vec![("amount".into(), Cell::Number(amount))],
    }];
    sc
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn hk_opinions_and_outcomes_stay_in_range(
        seed in any::<u64>(),
        k in 0u64..1_000_000,
        agents in 20usize..200,
        epsilon in 0.0f64..=1.0,
        shift_turn in 1usize..40,
        amount in -1.0f64..=1.0,
    ) {
        let mut sc = with_shift(builtin("hk-0.25"), 30, shift_turn, amount);
        sc.base[P_AGENTS] = agents as f64;
        sc.base[P_EPSILON] = epsilon;
        let (_, out, tr) = traced(&sc, 0, seed, k);
        check_opinions(&tr, &out, agents);
        // A run goes on past the last turn until it converges, at most max_steps updates.
        let cap = sc.base[cohesion::model::reference::P_MAX_STEPS];
        prop_assert!(out.outcomes[4] >= 1.0 && out.outcomes[4] <= cap, "steps");
        prop_assert!(out.outcomes[3] == 1.0 || out.outcomes[4] == cap, "stopped early");
    }

    #[test]
    fn deffuant_opinions_and_outcomes_stay_in_range(
        seed in any::<u64>(),
        k in 0u64..1_000_000,
        agents in 20usize..200,
        epsilon in 0.0f64..=1.0,
        mu in 0.0f64..=0.5,
        sweeps in 1i64..4,
        shift_turn in 1usize..30,
        amount in -1.0f64..=1.0,
    ) {
        let mut sc = with_shift(builtin("deffuant-0.2"), 25, shift_turn, amount);
        sc.base[P_AGENTS] = agents as f64;
        sc.base[P_EPSILON] = epsilon;
        sc.base[P_MU] = mu;
        sc.base[P_SWEEPS] = sweeps as f64;
        // Small caps keep the degenerate cases (mu = 0 never freezes) quick.
        let cap = 2_000.0;
        sc.base[cohesion::model::reference::P_MAX_SWEEPS] = cap;
        let (_, out, tr) = traced(&sc, 0, seed, k);
        check_opinions(&tr, &out, agents);
        prop_assert!(out.outcomes[4] >= 1.0 && out.outcomes[4] <= cap, "steps");
        prop_assert!(out.outcomes[3] == 1.0 || out.outcomes[4] == cap, "stopped early");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn bargaining_state_and_outcomes_stay_in_range(
        seed in any::<u64>(),
        k in 0u64..1_000_000,
        capability_noise in 0.0f64..=2.0,
        position_noise in 0.0f64..=50.0,
        policy in 0usize..3,
    ) {
        let mut sc = builtin("ktab-soe-pol-comp");
        sc.base[1] = capability_noise;
        sc.base[2] = position_noise;
        let (sim, out, tr) = traced(&sc, policy, seed, k);
        for s in &tr.states {
            let ok = match s.variable.as_str() {
                "capability" => s.value > 0.0,
                "risk_attitude" => (-0.5..=1.0).contains(&s.value),
                "win_probability" => (0.0..=1.0).contains(&s.value),
                v if v.starts_with("position_") || v.starts_with("expected_") => {
                    (0.0..=100.0).contains(&s.value)
                }
                _ => true,
            };
            prop_assert!(ok, "{} of {} = {}", s.variable, s.actor, s.value);
        }
        prop_assert_eq!(out.outcomes.len(), sim.outcomes().len());
    }

    #[test]
    fn uncertain_parameter_draws_stay_in_the_distribution_support(
        seed in any::<u64>(),
        k in 0u64..1_000_000,
        a in -10.0f64..10.0,
        width in 1e-6f64..10.0,
        mode in 0.0f64..=1.0,
        shape in 0.05f64..20.0,
        sd in 1e-3f64..20.0,
    ) {
        let (min, max) = (a, a + width);
        let dists = [
            Distribution::Uniform { min, max },
            Distribution::Triangular { min, mode: min + mode * width, max },
            Distribution::TruncNormal { mean: min + mode * width, sd, min, max },
            Distribution::TruncNormal { mean: max + 3.0 * sd, sd, min, max },
            Distribution::Beta { alpha: shape, beta: 1.0 / shape, min, max },
            Distribution::Choice { values: vec![min, max, a + width / 3.0], weights: vec![1.0, shape, 0.0] },
        ];
        let mut rng = stream(seed, Purpose::Uncertainty, k);
        for d in &dists {
            for _ in 0..20 {
                let x = d.sample(&mut rng);
                prop_assert!(x.is_finite() && min <= x && x <= max, "{d:?} drew {x}");
            }
        }
    }

    #[test]
    fn wilson_interval_contains_the_proportion(n in 1u64..100_000, frac in 0.0f64..=1.0) {
        let k = ((n as f64) * frac).round() as u64;
        let p = k as f64 / n as f64;
        let (lo, hi) = wilson95(k, n);
        prop_assert!(0.0 <= lo && lo <= p && p <= hi && hi <= 1.0, "{k}/{n}: [{lo}, {hi}]");
        if k == 0 { prop_assert_eq!(lo, 0.0); }
        if k == n { prop_assert_eq!(hi, 1.0); }
    }

    #[test]
    fn histogram_quantiles_are_within_the_stated_accuracy(
        xs in prop::collection::vec(0.0f64..=1.0, 1..400),
        q in prop::sample::select(vec![0.05, 0.25, 0.5, 0.75, 0.95]),
    ) {
        let mut sk = Sketch::bounded(0.0, 1.0);
        for &x in &xs { sk.push(x); }
        let mut sorted = xs.clone();
        sorted.sort_by(f64::total_cmp);
        let (min, max) = (sorted[0], sorted[sorted.len() - 1]);
        // Nearest rank: the smallest value with at least q·n values at or below it.
        let rank = ((q * xs.len() as f64).ceil() as usize).clamp(1, xs.len());
        let exact = sorted[rank - 1];
        let got = sk.quantile(q, min, max).unwrap();
        prop_assert!(
            (got - exact).abs() <= sk.accuracy() + 1e-12,
            "q{q}: {got} vs exact {exact} (accuracy {})", sk.accuracy()
        );
        prop_assert!(min <= got && got <= max);
    }
}

/// Every cell of every table is a finite number, an empty cell, or text in a text column.
fn assert_clean_tables(out: &std::path::Path) {
    const TEXT: &[&str] = &["option", "outcome", "kind", "metric", "baseline", "verdict"];
    for f in [
        "trials.csv",
        "summary.csv",
        "timeseries.csv",
        "comparison.csv",
    ] {
        let t = Table::read(&out.join(f));
        // comparison.csv has no rows when the baseline is the only option.
        assert!(!t.rows.is_empty() || f == "comparison.csv", "{f} is empty");
        for r in &t.rows {
            assert_eq!(r.len(), t.header.len(), "{f}: ragged row");
            for (h, c) in t.header.iter().zip(r) {
                let l = c.to_ascii_lowercase();
                assert!(!l.contains("nan") && !l.contains("inf"), "{f}: {h} = {c}");
                if TEXT.contains(&h.as_str()) || c.is_empty() {
                    continue;
                }
                let x: f64 = c
                    .parse()
                    .unwrap_or_else(|_| panic!("{f}: {h} = {c:?} is not a number"));
                assert!(x.is_finite(), "{f}: {h} = {c}");
            }
        }
    }
}

/// summary.csv rows are internally consistent: ordered quantiles, the mean inside its
/// interval and inside [min, max], and for yes/no outcomes a probability inside its Wilson
/// interval that equals the mean.
fn assert_consistent_summary(out: &std::path::Path, trials: f64) {
    let t = Table::read(&out.join("summary.csv"));
    for r in &t.rows {
        let what = format!("{} {}", r[0], r[1]);
        let n = |c: &str| t.num(r, c);
        assert_eq!(n("n"), trials, "{what}");
        let chain = ["min", "p5", "p25", "p50", "p75", "p95", "max"].map(n);
        assert!(chain.windows(2).all(|w| w[0] <= w[1]), "{what}: {chain:?}");
        assert!(n("min") <= n("mean") && n("mean") <= n("max"), "{what}");
        assert!(
            n("mean_lo95") <= n("mean") && n("mean") <= n("mean_hi95"),
            "{what}"
        );
        assert!(n("sd") >= 0.0 && n("mcse") >= 0.0, "{what}");
        if r[t.col("kind")] == "binary" {
            let p = n("prob");
            assert!(0.0 <= n("prob_lo95") && n("prob_lo95") <= p, "{what}");
            assert!(p <= n("prob_hi95") && n("prob_hi95") <= 1.0, "{what}");
            assert!((p - n("mean")).abs() < 1e-12, "{what}");
        } else {
            assert!(
                r[t.col("prob")].is_empty(),
                "{what}: prob of a non-binary outcome"
            );
        }
    }
}

/// Every outcome in trials.csv is within the range its model declares.
fn assert_outcomes_in_declared_range(out: &std::path::Path, sc: &Scenario) {
    let sim = cohesion::model::build(sc).unwrap();
    let t = Table::read(&out.join("trials.csv"));
    for spec in sim.outcomes() {
        let c = t.col(&spec.name);
        for r in &t.rows {
            let v = if r[c].is_empty() {
                f64::NAN
            } else {
                t.num(r, &spec.name)
            };
            check_outcome(&spec.name, spec.kind, v, sim.turns());
        }
    }
}

#[test]
fn no_nan_or_infinity_reaches_an_output_and_summaries_are_consistent() {
    let dir = scenario_dir();
    write_files(dir.path(), &[("hk-small.toml", HK_SMALL)]);
    let hk = dir.path().join("hk-small.toml");
    let out = dir.path().join("hk");
    run_to(hk.to_str().unwrap(), &out, 11, &["--trials", "60"]);
    assert_clean_tables(&out);
    assert_consistent_summary(&out, 60.0);
    let sc = cohesion::model::load_scenario(Origin::File(hk)).unwrap();
    assert_outcomes_in_declared_range(&out, &sc);

    let out = dir.path().join("ktab");
    run_to(
        "reference/ktab-soe-pol-comp",
        &out,
        11,
        &["--trials", "200"],
    );
    assert_clean_tables(&out);
    assert_consistent_summary(&out, 200.0);
    assert_outcomes_in_declared_range(&out, &builtin("ktab-soe-pol-comp"));

    // ε = 0.15: consensus is never reached, the edge case of the Wilson interval (0 of n).
    let out = dir.path().join("hk015");
    run_to("reference/hk-0.15", &out, 11, &["--trials", "20"]);
    assert_clean_tables(&out);
    assert_consistent_summary(&out, 20.0);
}
