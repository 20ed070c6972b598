//! The alliance model through the library and the CLI: the shipped scenarios validate, every
//! outcome and series stays in its declared range, the stance step reduces exactly to the
//! reference bounded-confidence models, each mechanism is monotone where the specification
//! says so, a traced trial reproduces the run, and the invasion hindcast raises threat
//! perception and cohesion in the months after 24 February 2022.

use std::path::Path;
use std::process::Command;

use cohesion::engine::{draw_uncertainties, set_params, trace_trial};
use cohesion::kernel::rng::{Purpose, StreamKeys, stream};
use cohesion::model::alliance::{
    self, AllianceSim, Coeffs, Levers, P, State, Workspace, channels, deterrence, stance, threat,
};
use cohesion::model::opinion::{self, HkScratch};
use cohesion::model::{NoTrace, OutcomeKind, Params, Runner, Simulation, TrialOut};
use cohesion::scenario::{self, Origin, Scenario};

fn load(name: &str) -> Scenario {
    cohesion::model::load_scenario(Origin::Builtin(format!("{name}.toml")))
        .expect("scenario validates")
}

/// Coefficients and a turn-0 state of the real alliance under `params`.
fn real(sim: &AllianceSim, params: &Params) -> (Coeffs, State, Workspace) {
    let mut c = Coeffs::new(sim);
    c.fill(sim, params);
    let mut s = State::new(sim.allies());
    let mut ws = Workspace::new(sim.allies());
    let mut st = StreamKeys::new(3).trial_streams(0);
    alliance::init(
        &c,
        &mut s,
        &Levers::from_coeffs(&c),
        &mut st,
        &mut ws,
        &mut NoTrace,
    );
    (c, s, ws)
}

#[test]
fn shipped_scenarios_validate_with_the_documented_shape() {
    for name in ["nato-2021", "nato-2021-invasion"] {
        let sc = load(name);
        assert_eq!(sc.model.kind, "alliance");
        assert_eq!(sc.turns, 36);
        assert_eq!(sc.actors.as_ref().map(|a| a.len()), Some(30));
        let names: Vec<&str> = sc.policies.iter().map(|p| p.name.as_str()).collect();
        let mut want = vec![
            "status-quo",
            "label-hostile",
            "label-only",
            "label-conditional",
            "dialogue",
            "counter-disinformation",
            "full-package",
        ];
        if name == "nato-2021-invasion" {
            want.push("as-happened");
        }
        assert_eq!(names, want);
        assert_eq!(sc.policies[sc.baseline].name, "status-quo");
        // Opening injects: the mission suspension and the Information Office closure.
        let first: Vec<&str> = sc
            .injects
            .iter()
            .filter(|i| i.turn == 1)
            .map(|i| i.kind.as_str())
            .collect();
        assert_eq!(first, ["dialogue_cut", "dialogue_cut"]);
        assert!(sc.injects.iter().any(|i| i.kind == "summit" && i.turn == 9));
    }
    let inv = load("nato-2021-invasion");
    assert!(
        inv.injects.iter().any(|i| i.kind == "aggression"
            && i.turn == 5
            && i.date.as_deref() == Some("2022-02-24"))
    );
    // The dated events of 2022–2024, each at the turn of its month (turn 1 = October 2021),
    // with the dates of the shared events table.
    let events = include_str!("../../scenarios/data/events-2022-2024.csv");
    let mut dated = 0;
    for i in inv.injects.iter().filter(|i| i.turn > 1) {
        let Some(d) = i.date.as_deref() else { continue };
        let month = cohesion::kernel::time::month_index(d).unwrap();
        let start = cohesion::kernel::time::month_index("2021-10").unwrap();
        assert_eq!(i.turn as i64, month - start + 1, "{}", i.name);
        if i.kind != "summit" {
            assert!(events.contains(d), "{d} is not in events-2022-2024.csv");
            dated += 1;
        }
    }
    assert_eq!(dated, 14);
    for (kind, target) in [
        ("energy_cutoff", "Poland"),
        ("energy_cutoff", "Germany"),
        ("hybrid", "Estonia"),
        ("government_change", "Slovakia"),
        ("intimidation", "Poland"),
    ] {
        assert!(
            inv.injects
                .iter()
                .any(|i| i.kind == kind && i.word("target") == Some(target)),
            "{kind} {target}"
        );
    }
    assert!(
        !load("nato-2021")
            .injects
            .iter()
            .any(|i| i.kind == "aggression")
    );
    assert_eq!(scenario::builtin::DEFAULT, "nato-2021");
}

#[test]
fn outcome_names_are_the_agreed_ones() {
    let sc = load("nato-2021");
    let sim = cohesion::model::build(&sc).unwrap();
    let names: Vec<&str> = sim.outcomes().iter().map(|o| o.name.as_str()).collect();
    for n in [
        "cohesion_final",
        "cohesion_mean",
        "cohesion_min",
        "fracture",
        "fracture_turn",
        "unilateral_peak",
        "credibility_final",
        "crises",
        "ally_attacked",
        "attack_turn",
        "dispersion_mean",
        "unilateral_share_mean",
        "channels_while_cut",
        "deadlock_turns",
        "longest_deadlock",
        "blocking_allies",
        "channel_ever.Hungary",
        "channel_ever.United States",
        "channel_months.Turkey",
        "defence_change_pp.Poland",
        "stance_final.Germany",
        "threat_final.Estonia",
        "blocked_consensus.Hungary",
        "defence_2022.Latvia",
        "defence_2024.Latvia",
    ] {
        assert!(names.contains(&n), "missing outcome {n}");
    }
    for family in [
        "channel_ever.",
        "channel_months.",
        "blocked_consensus.",
        "defence_change_pp.",
        "stance_final.",
        "threat_final.",
        "threat_jump_max.",
        "defence_2022.",
        "defence_2023.",
        "defence_2024.",
    ] {
        assert_eq!(
            names.iter().filter(|n| n.starts_with(family)).count(),
            30,
            "{family}"
        );
    }
    // Calendar years after the start year only: 2021's annual value is the data.
    assert!(!names.iter().any(|n| n.starts_with("defence_2021.")));
    let series: Vec<&str> = sim.series().iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        series,
        ["cohesion", "credibility", "unilateral_share", "threat_mean"]
    );
}

#[test]
fn every_outcome_and_series_stays_in_range_and_states_stay_valid() {
    for name in ["nato-2021", "nato-2021-invasion"] {
        let sc = load(name);
        let sim = AllianceSim::from_scenario(&sc).unwrap();
        let keys = StreamKeys::new(99);
        let mut params = Params {
            values: sc.base.clone(),
        };
        let mut draws = vec![0.0; sc.uncertainties.len()];
        let mut out = TrialOut::new(sim.outcomes().len(), sim.series().len(), sim.turns());
        let mut runner = sim.alliance_runner();
        for k in 0..150 {
            draw_uncertainties(&sc, &keys, k, &mut draws);
            for p in 0..sc.policies.len() {
                set_params(&sc, p, &draws, &mut params);
                // Step by step, checking every state variable after every turn.
                let mut st = keys.trial_streams(k);
                let lv = runner.start(&params, &mut st, &mut NoTrace);
                for _ in 0..sim.turns() {
                    runner.step(&lv, &mut st, &mut NoTrace);
                    if let Err(e) = runner.state.check_ranges() {
                        panic!("{name} trial {k} option {p}: {e}");
                    }
                }
                runner.run(&params, &mut keys.trial_streams(k), &mut out);
                for (o, &x) in sim.outcomes().iter().zip(&out.outcomes) {
                    let ok = match o.kind {
                        OutcomeKind::Real { min, max } => x >= min && x <= max,
                        OutcomeKind::Binary => x == 0.0 || x == 1.0,
                        OutcomeKind::Count => x >= 0.0 && x == x.trunc(),
                        OutcomeKind::Turn => {
                            x.is_nan() || (x >= 1.0 && x <= sim.turns() as f64 && x == x.trunc())
                        }
                        OutcomeKind::Category(names) => {
                            x >= 0.0 && x == x.trunc() && (x as usize) < names.len()
                        }
                    };
                    assert!(ok, "{name}: {} = {x}", o.name);
                }
                for (t, row) in out.series.chunks(sim.series().len()).enumerate() {
                    for (sp, &x) in sim.series().iter().zip(row) {
                        assert!(
                            x >= sp.min && x <= sp.max,
                            "{name} turn {t}: {} = {x}",
                            sp.name
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn stance_step_reduces_exactly_to_the_reference_models_on_the_real_alliance() {
    let sc = load("nato-2021");
    let sim = AllianceSim::from_scenario(&sc).unwrap();
    for (rule, equal) in [(0.0, false), (0.0, true), (1.0, false), (1.0, true)] {
        let mut p = Params {
            values: sc.base.clone(),
        };
        // Domestic and adversary terms off.
        p.values[P::DomesticPull.i()] = 0.0;
        p.values[P::LinePull.i()] = 0.0;
        p.values[P::InducementPull.i()] = 0.0;
        p.values[P::Consultation.i()] = rule;
        p.values[P::Epsilon.i()] = 0.3;
        p.values[P::Mu.i()] = 0.5;
        p.values[P::ConsultationRounds.i()] = 1.0;
        if equal {
            p.values[P::WeightExponent.i()] = 0.0;
        }
        let (c, mut s, mut ws) = real(&sim, &p);
        s.inducement.fill(3.0);
        let mut x = s.stance.clone();
        let mut next = vec![0.0; x.len()];
        let mut hk = HkScratch::new(x.len());
        let mut r1 = stream(17, Purpose::Dynamics, 4);
        let mut r2 = r1.clone();
        for _ in 0..40 {
            stance::update(&c, &mut s, &mut ws, &mut r1);
            match (rule == 0.0, equal) {
                (true, true) => {
                    opinion::deffuant_sweep(&mut x, 0.3, 0.5, &mut r2);
                }
                (true, false) => {
                    opinion::deffuant_sweep_weighted(&mut x, &c.w, 0.3, 0.5, &mut r2);
                }
                (false, true) => {
                    opinion::hk_step(&x, &mut next, 0.3, &mut hk);
                    std::mem::swap(&mut x, &mut next);
                }
                (false, false) => {
                    opinion::hk_step_weighted(&x, &c.w, &mut next, 0.3, &mut hk);
                    std::mem::swap(&mut x, &mut next);
                }
            }
            let a: Vec<u64> = s.stance.iter().map(|v| v.to_bits()).collect();
            let b: Vec<u64> = x.iter().map(|v| v.to_bits()).collect();
            assert_eq!(a, b, "rule {rule}, equal weights {equal}");
        }
    }
}

#[test]
fn mechanisms_are_monotone_on_the_real_alliance() {
    let sc = load("nato-2021");
    let sim = AllianceSim::from_scenario(&sc).unwrap();
    let p = Params {
        values: sc.base.clone(),
    };
    let (c, s, _) = real(&sim, &p);
    for i in 0..sim.allies() {
        let base = channels::drivers(&c, &s, i);
        // More energy dependence never makes a unilateral channel less likely.
        let mut last = 0.0;
        for k in 0..=100 {
            let d = channels::Drivers {
                dependence: k as f64 / 100.0,
                ..base
            };
            let pr = channels::probability(&c, &d);
            assert!(pr >= last, "{}", sim.names[i]);
            last = pr;
        }
        // A hostile label never lowers the political cost of a unilateral channel.
        for l in 1..4 {
            assert!(channels::political_cost(&c, l) >= channels::political_cost(&c, l - 1));
            let hard = channels::Drivers { label: l, ..base };
            let soft = channels::Drivers {
                label: l - 1,
                ..base
            };
            assert!(channels::probability(&c, &hard) <= channels::probability(&c, &soft));
        }
        // More resilience never makes disinformation more effective.
        let mut last = f64::INFINITY;
        for k in 0..=100 {
            let e = threat::disinfo_erosion(&c, k as f64 / 100.0, s.counter_disinfo);
            assert!(e <= last);
            last = e;
        }
    }
    // Higher credibility never raises the chance of an attack.
    let base = deterrence::RiskDrivers::of(&c, &s);
    let mut last = 1.0;
    for k in 0..=100 {
        let d = deterrence::RiskDrivers {
            credibility: k as f64 / 100.0,
            ..base
        };
        let pa = deterrence::attack_probability(&c, &d);
        assert!(pa <= last);
        last = pa;
    }
}

#[test]
fn a_traced_trial_reproduces_the_run() {
    let sc = load("nato-2021-invasion");
    let sim = cohesion::model::build(&sc).unwrap();
    let keys = StreamKeys::new(5);
    let mut draws = vec![0.0; sc.uncertainties.len()];
    let mut params = Params {
        values: sc.base.clone(),
    };
    let mut runner = sim.runner();
    let mut out = TrialOut::new(sim.outcomes().len(), sim.series().len(), sim.turns());
    for k in [0u64, 7] {
        for p in 0..sc.policies.len() {
            // The runner has run other trials before: its memo must not change anything.
            draw_uncertainties(&sc, &keys, k, &mut draws);
            set_params(&sc, p, &draws, &mut params);
            runner.run(&params, &mut keys.trial_streams(k), &mut out);
            let (_, traced, tr) = trace_trial(&sc, sim.as_ref(), 5, p, k);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&out.outcomes), bits(&traced.outcomes));
            assert_eq!(bits(&out.series), bits(&traced.series));
            assert!(
                tr.events
                    .iter()
                    .any(|e| e.kind == "inject" && e.detail.contains("invasion"))
            );
            assert!(tr.events.iter().any(|e| e.kind == "summit"));
            assert!(
                tr.states
                    .iter()
                    .any(|r| r.actor == "Hungary" && r.variable == "threat")
            );
        }
    }
}

/// Means per (option, metric, turn) from a run's `timeseries.csv`.
fn series_means(dir: &Path) -> Vec<(String, String, usize, f64)> {
    let mut rdr = csv::Reader::from_path(dir.join("timeseries.csv")).unwrap();
    let h = rdr.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let (o, m, t, mean) = (col("option"), col("metric"), col("turn"), col("mean"));
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            (
                r[o].to_string(),
                r[m].to_string(),
                r[t].parse().unwrap(),
                r[mean].parse().unwrap(),
            )
        })
        .collect()
}

#[test]
fn hindcast_invasion_raises_threat_and_cohesion_in_the_following_months() {
    let tmp = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_cohesion");
    for name in ["nato-2021", "nato-2021-invasion"] {
        let status = Command::new(bin)
            .args([
                "run", name, "--trials", "1500", "--seed", "2022", "--quiet", "--out",
            ])
            .arg(tmp.path().join(name))
            .status()
            .unwrap();
        assert!(status.success(), "{name}");
    }
    let base = series_means(&tmp.path().join("nato-2021"));
    let inv = series_means(&tmp.path().join("nato-2021-invasion"));
    // The invasion scenario has one more option (as-happened); the others are the same.
    assert!(inv.len() > base.len());
    // The invasion is turn 5 (February 2022); compare the twelve months after it, per option,
    // on the same trials (same seed): the mean over those months and every single month.
    for metric in ["threat_mean"] {
        for option in [
            "status-quo",
            "label-hostile",
            "dialogue",
            "counter-disinformation",
            "full-package",
        ] {
            let pick = |v: &[(String, String, usize, f64)]| -> Vec<f64> {
                (6..=17)
                    .map(|t| {
                        v.iter()
                            .find(|r| r.0 == option && r.1 == metric && r.2 == t)
                            .unwrap()
                            .3
                    })
                    .collect()
            };
            let (b, i) = (pick(&base), pick(&inv));
            for (t, (x, y)) in b.iter().zip(&i).enumerate() {
                assert!(y > x, "{option} {metric} turn {}: {y} vs {x}", t + 6);
            }
            let mb = b.iter().sum::<f64>() / b.len() as f64;
            let mi = i.iter().sum::<f64>() / i.len() as f64;
            assert!(mi > mb, "{option} {metric}: {mi} vs {mb}");
        }
        // Before the invasion the two scenarios are the same trials, turn for turn.
        for t in 1..=4 {
            let x = base
                .iter()
                .find(|r| r.0 == "status-quo" && r.1 == metric && r.2 == t);
            let y = inv
                .iter()
                .find(|r| r.0 == "status-quo" && r.1 == metric && r.2 == t);
            assert_eq!(x.unwrap().3, y.unwrap().3, "{metric} turn {t}");
        }
    }
}

#[test]
fn validate_and_describe_through_the_cli() {
    let bin = env!("CARGO_BIN_EXE_cohesion");
    for name in ["nato-2021", "nato-2021-invasion"] {
        let out = Command::new(bin).args(["validate", name]).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = Command::new(bin)
        .args(["describe", "alliance", "--markdown"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("`dialogue_legitimation`") && text.contains("`label_provocation`"));
}

#[test]
fn options_differ_in_the_documented_directions() {
    // A small paired run. The label alone raises credibility and cuts unilateral channels; the
    // contested effects point the way their drawn parameter says, on each side of its range:
    // active dialogue lowers crises where it calms and raises them where it emboldens, and
    // counter-disinformation keeps threat perception up where it works and lets it fall where
    // it backfires.
    let sc = load("nato-2021-invasion");
    let sim = AllianceSim::from_scenario(&sc).unwrap();
    let keys = StreamKeys::new(8);
    let mut params = Params {
        values: sc.base.clone(),
    };
    let mut draws = vec![0.0; sc.uncertainties.len()];
    let mut out = TrialOut::new(sim.outcomes().len(), sim.series().len(), sim.turns());
    let mut runner = sim.alliance_runner();
    let idx = |n: &str| sim.outcomes().iter().position(|o| o.name == n).unwrap();
    let (cred, peak, crises, threat) = (
        idx("credibility_final"),
        idx("unilateral_peak"),
        idx("crises"),
        idx("threat_final"),
    );
    let draw = |name: &str| {
        sc.uncertainties
            .iter()
            .position(|u| u.name == name)
            .unwrap()
    };
    let (deesc, effect) = (
        draw("dialogue_deescalation"),
        draw("counter_disinfo_effect"),
    );
    let n = 800;
    // sums[option][bucket][outcome], bucket 0: the parameter at its low end, 1: its high end.
    let mut sums = vec![[[0.0f64; 4]; 3]; sc.policies.len()];
    for k in 0..n {
        draw_uncertainties(&sc, &keys, k, &mut draws);
        let bucket = |x: f64, lo: f64, hi: f64| {
            if x < lo {
                Some(0)
            } else if x > hi {
                Some(1)
            } else {
                None
            }
        };
        let b_deesc = bucket(draws[deesc], -0.5, 0.5);
        let b_effect = bucket(draws[effect], 0.0, 0.5);
        for (p, sum) in sums.iter_mut().enumerate() {
            set_params(&sc, p, &draws, &mut params);
            runner.run(&params, &mut keys.trial_streams(k), &mut out);
            sum[2][0] += out.outcomes[cred];
            sum[2][1] += out.outcomes[peak];
            if let Some(b) = b_deesc {
                sum[b][2] += out.outcomes[crises];
            }
            if let Some(b) = b_effect {
                sum[b][3] += out.outcomes[threat];
            }
        }
    }
    let at = |name: &str| sums[sc.policy_index(name).unwrap()];
    let (sq, lo, dl, cd, fp, lh) = (
        at("status-quo"),
        at("label-only"),
        at("dialogue"),
        at("counter-disinformation"),
        at("full-package"),
        at("label-hostile"),
    );
    assert!(lo[2][0] > sq[2][0] && fp[2][0] > lh[2][0], "credibility");
    assert!(lo[2][1] < sq[2][1], "unilateral peak");
    assert!(dl[1][2] < sq[1][2], "dialogue that calms lowers crises");
    assert!(dl[0][2] > sq[0][2], "dialogue that emboldens raises crises");
    assert!(cd[1][3] > sq[1][3], "counter-disinformation that works");
    assert!(cd[0][3] < sq[0][3], "counter-disinformation that backfires");
}
