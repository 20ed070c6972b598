//! `cohesion calibrate` through the binary: the ABC posterior of the two toy models against
//! posteriors computed here from outside the program (the conjugate normal closed form; a grid
//! integration of the exact likelihood), held-out targets that are reported but never fitted
//! (their posterior predictive against a grid integration), the same bytes at any thread
//! count, clear errors in a targets file, and the scenario fragment that reruns with the
//! posterior drawn jointly.

use std::path::Path;

use crate::util::{self, Table, run, run_ok, stderr};

/// Runs a calibration into `out` with `extra` arguments.
fn calibrate(scenario: &str, targets: &str, out: &Path, extra: &[&str]) {
    let mut args = vec![
        "calibrate",
        scenario,
        "--targets",
        targets,
        "--out",
        out.to_str().unwrap(),
        "-q",
    ];
    args.extend_from_slice(extra);
    run_ok(&args);
}

/// (posterior mean, posterior sd) of a parameter, from parameters.csv.
fn posterior(out: &Path, param: &str) -> (f64, f64) {
    let t = Table::read(&out.join("parameters.csv"));
    let r = t.row(&[("parameter", param)]).clone();
    (t.num(&r, "posterior_mean"), t.num(&r, "posterior_sd"))
}

fn within(got: f64, want: f64, rel: f64, what: &str) {
    assert!(
        (got - want).abs() <= rel * want.abs(),
        "{what}: {got} vs reference {want} (allowed ±{}%)",
        rel * 100.0
    );
}

#[test]
fn toy_normal_posterior_matches_the_conjugate_closed_form() {
    // n = 10 observations of N(θ, 1), observed mean 1.5, prior N(0, 1) (the shipped toy
    // scenario and targets): posterior precision 1 + n, mean n ȳ / (1 + n).
    let (n, ybar, prior_var, sigma2): (f64, f64, f64, f64) = (10.0, 1.5, 1.0, 1.0);
    let precision = 1.0 / prior_var + n / sigma2;
    let (mean, sd) = ((n * ybar / sigma2) / precision, (1.0 / precision).sqrt());
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("normal");
    calibrate(
        "reference/toy-normal",
        "calibration/toy-normal.targets.toml",
        &out,
        &[],
    );
    let (m, s) = posterior(&out, "theta");
    within(m, mean, 0.05, "posterior mean of theta");
    within(s, sd, 0.05, "posterior sd of theta");
    // The posterior is narrower than the prior, and the fit is close.
    let fit = Table::read(&out.join("fit.csv"));
    let r = fit.row(&[("target", "sample mean")]).clone();
    assert!((fit.num(&r, "posterior_mean") - ybar).abs() < 0.05);
}

/// Mean and sd of a and b under prior × likelihood on a fine grid (midpoint rule), for the
/// toy-nonlinear scenario: ȳ₀ ~ N(a, s²), ȳ₁ ~ N(a e^b, s²), s = 1/√25, a ~ U(0.5, 3),
/// b ~ U(−1, 1.5).
fn grid_posterior(y0: f64, y1: f64) -> [(f64, f64); 2] {
    let s = 0.2;
    let (n_a, n_b) = (1500, 1500);
    let (a0, a1, b0, b1) = (0.5, 3.0, -1.0, 1.5);
    let (mut z, mut sa, mut sa2, mut sb, mut sb2) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for i in 0..n_a {
        let a = a0 + (i as f64 + 0.5) * (a1 - a0) / n_a as f64;
        for j in 0..n_b {
            let b = b0 + (j as f64 + 0.5) * (b1 - b0) / n_b as f64;
            let r0 = (y0 - a) / s;
            let r1 = (y1 - a * b.exp()) / s;
            let l = (-0.5 * (r0 * r0 + r1 * r1)).exp();
            z += l;
            sa += l * a;
            sa2 += l * a * a;
            sb += l * b;
            sb2 += l * b * b;
        }
    }
    let (ma, mb) = (sa / z, sb / z);
    [
        (ma, (sa2 / z - ma * ma).sqrt()),
        (mb, (sb2 / z - mb * mb).sqrt()),
    ]
}

#[test]
fn toy_nonlinear_posterior_matches_a_grid_integration() {
    let [(ma, sa), (mb, sb)] = grid_posterior(1.6, 2.7);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("nonlinear");
    calibrate(
        "reference/toy-nonlinear",
        "calibration/toy-nonlinear.targets.toml",
        &out,
        &[],
    );
    let (m, s) = posterior(&out, "a");
    within(m, ma, 0.05, "posterior mean of a");
    within(s, sa, 0.05, "posterior sd of a");
    let (m, s) = posterior(&out, "b");
    within(m, mb, 0.05, "posterior mean of b");
    within(s, sb, 0.05, "posterior sd of b");
    // The tolerance shrinks from the prior's generation to the last.
    let g = Table::read(&out.join("generations.csv"));
    let tol: Vec<f64> = g.rows.iter().map(|r| g.num(r, "tolerance")).collect();
    assert!(tol.last().unwrap() < &(0.5 * tol[0]), "{tol:?}");
    assert!(out.join("charts/calibration.svg").is_file());
    assert!(out.join("charts/calibration.png").is_file());
}

/// Mean and sd of the posterior predictive of ȳ₁ (the sample mean at x = 1) in the
/// toy-nonlinear scenario given only ȳ₀: prior × the likelihood of ȳ₀ on a grid (midpoint
/// rule); the predictive variance is Var(a e^b | ȳ₀) plus the sampling variance s².
fn grid_predictive_y1(y0: f64) -> (f64, f64) {
    let s = 0.2;
    let (n_a, n_b) = (1500, 1500);
    let (a0, a1, b0, b1) = (0.5, 3.0, -1.0, 1.5);
    let (mut z, mut m1, mut m2) = (0.0, 0.0, 0.0);
    for i in 0..n_a {
        let a = a0 + (i as f64 + 0.5) * (a1 - a0) / n_a as f64;
        let r0 = (y0 - a) / s;
        let l = (-0.5 * r0 * r0).exp();
        for j in 0..n_b {
            let b = b0 + (j as f64 + 0.5) * (b1 - b0) / n_b as f64;
            let mu = a * b.exp();
            z += l;
            m1 += l * mu;
            m2 += l * mu * mu;
        }
    }
    let m = m1 / z;
    (m, (m2 / z - m * m + s * s).sqrt())
}

#[test]
fn held_out_targets_are_reported_never_fitted() {
    // Fit the toy-nonlinear model on ȳ₀ only; hold ȳ₁ out with a naive forecast beside it.
    let tmp = tempfile::tempdir().unwrap();
    let fit_target = r#"[calibration]
option = "reference"
parameters = ["a", "b"]
trials_per_simulation = 1
simulations = 100000
population = 4000
generations = 3
seed = 4

[[target]]
name = "mean at x = 0"
outcome = "mean_y0"
value = 1.6
scale = 0.2
"#;
    let holdout = r#"
[[target]]
name = "mean at x = 1"
outcome = "mean_y1"
value = 2.7
use = "holdout"
baseline = 1.6
"#;
    let (only_fit, with_holdout) = (tmp.path().join("fit.toml"), tmp.path().join("both.toml"));
    std::fs::write(&only_fit, fit_target).unwrap();
    std::fs::write(&with_holdout, format!("{fit_target}{holdout}")).unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    calibrate(
        "reference/toy-nonlinear",
        only_fit.to_str().unwrap(),
        &a,
        &[],
    );
    calibrate(
        "reference/toy-nonlinear",
        with_holdout.to_str().unwrap(),
        &b,
        &[],
    );
    // The held-out target changes nothing of the fit: same particles, weights and distances.
    assert_eq!(
        std::fs::read(a.join("posterior.csv")).unwrap(),
        std::fs::read(b.join("posterior.csv")).unwrap(),
        "a held-out target changed the posterior"
    );
    assert_eq!(
        std::fs::read(a.join("generations.csv")).unwrap(),
        std::fs::read(b.join("generations.csv")).unwrap()
    );
    // Its posterior predictive is the model's forecast of data it did not see: against the
    // same forecast integrated on a grid from ȳ₀ alone.
    let (want_mean, want_sd) = grid_predictive_y1(1.6);
    let fit = Table::read(&b.join("fit.csv"));
    let r = fit.row(&[("target", "mean at x = 1")]).clone();
    assert_eq!(r[fit.col("use")], "holdout");
    let (pm, psd) = (fit.num(&r, "posterior_mean"), fit.num(&r, "posterior_sd"));
    within(
        pm,
        want_mean,
        0.05,
        "posterior predictive mean of the held-out mean",
    );
    within(
        psd,
        want_sd,
        0.05,
        "posterior predictive sd of the held-out mean",
    );
    assert!((fit.num(&r, "error") - (pm - 2.7)).abs() < 1e-9);
    assert!((fit.num(&r, "baseline_error") - (1.6 - 2.7)).abs() < 1e-9);
    // The summary reports the held-out group apart from the fitted one, beside the baseline.
    let sum = Table::read(&b.join("fit_summary.csv"));
    let h = sum.row(&[("use", "holdout")]).clone();
    assert_eq!(h[sum.col("targets")], "1");
    assert!((sum.num(&h, "rmse") - (pm - 2.7).abs()).abs() < 1e-9);
    assert!((sum.num(&h, "baseline_rmse") - 1.1).abs() < 1e-9);
    let f = sum.row(&[("use", "fit")]).clone();
    assert_eq!(f[sum.col("targets")], "1");
    // The manifest says which data were fitted and which held out.
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(b.join("manifest.json")).unwrap()).unwrap();
    let uses: Vec<(&str, &str, f64)> = m["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap(),
                t["use"].as_str().unwrap(),
                t["observed"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        uses,
        [
            ("mean at x = 0", "fit", 1.6),
            ("mean at x = 1", "holdout", 2.7)
        ]
    );
}

#[test]
fn calendar_year_targets_of_the_alliance_model_read_their_months_at_any_thread_count() {
    // nato-2021-invasion starts in October 2021 with 36 monthly turns: 2021 holds 3 of them
    // (October to December), 2022 twelve, 2024 nine (January to September).
    let tmp = tempfile::tempdir().unwrap();
    let targets = tmp.path().join("years.targets.toml");
    let mut text = String::from(
        r#"[calibration]
option = "status-quo"
parameters = ["risk_appetite"]
trials_per_simulation = 1
simulations = 4000
population = 100
generations = 2
"#,
    );
    for (year, turns, use_) in [
        (2022, "4-15", "fit"),
        (2021, "1-3", "holdout"),
        (2024, "28-36", "holdout"),
    ] {
        text += &format!(
            "\n[[target]]\nname = \"threat {year} ({turns})\"\nstatistic = \"year_mean\"\nseries = \"threat_mean\"\nyear = {year}\nvalue = 0.6\nuse = \"{use_}\"\n"
        );
    }
    std::fs::write(&targets, text).unwrap();
    let mut outs = Vec::new();
    for j in ["1", "2"] {
        let out = tmp.path().join(format!("j{j}"));
        calibrate(
            "nato-2021-invasion",
            targets.to_str().unwrap(),
            &out,
            &["--seed", "5", "-j", j, "--block-size", "50"],
        );
        outs.push(contents(&out));
    }
    assert_eq!(outs[0], outs[1], "1 and 2 threads differ");
    let fit = Table::read(&tmp.path().join("j1/fit.csv"));
    // A run of the same option: its mean series over the turns of each year. risk_appetite's
    // prior is the scenario's own [[uncertainty]], so generation 0 (the prior predictive)
    // simulates what a run's trials do, on other random streams.
    let run = tmp.path().join("run");
    util::run_to(
        "nato-2021-invasion",
        &run,
        5,
        &[
            "--trials",
            "4000",
            "--no-charts",
            "--policies",
            "status-quo",
        ],
    );
    let ts = Table::read(&run.join("timeseries.csv"));
    let turn = |t: usize, col: &str| -> f64 {
        let r = ts
            .row(&[
                ("option", "status-quo"),
                ("metric", "threat_mean"),
                ("turn", &t.to_string()),
            ])
            .clone();
        ts.num(&r, col)
    };
    for (year, first, last, months) in [(2022, 4, 15, 12), (2021, 1, 3, 3), (2024, 28, 36, 9)] {
        let r = fit
            .row(&[("target", &format!("threat {year} ({first}-{last})"))])
            .clone();
        assert_eq!(
            r[fit.col("statistic")],
            format!("series threat_mean, mean of {year} ({months} months)")
        );
        let want = (first..=last).map(|t| turn(t, "mean")).sum::<f64>() / months as f64;
        // Standard error of the difference of two means of 4,000 draws, bounded through the
        // widest 90% range of a month of the year (about 3.29 sd of a normal).
        let sd = (first..=last)
            .map(|t| turn(t, "p95") - turn(t, "p5"))
            .fold(0.0, f64::max)
            / 3.29;
        let se = sd * (2.0f64 / 4000.0).sqrt();
        let got = fit.num(&r, "prior_mean");
        assert!(
            (got - want).abs() < 4.0 * se,
            "{year}: prior predictive {got} vs the run's mean of turns {first}-{last} {want} (4 se = {})",
            4.0 * se
        );
    }
}

/// Every file of a calibration folder, but the manifest (which records times and threads).
fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    util::all_files(dir)
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n != "manifest.json"))
        .map(|p| {
            (
                p.strip_prefix(dir).unwrap().display().to_string(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect()
}

#[test]
fn calibration_output_is_byte_identical_for_any_thread_count_and_block_size() {
    let tmp = tempfile::tempdir().unwrap();
    let small = [
        "--simulations",
        "300",
        "--population",
        "60",
        "--generations",
        "3",
        "--seed",
        "9",
    ];
    let mut outs = Vec::new();
    for (j, block) in [("1", "7"), ("2", "7"), ("2", "64")] {
        let out = tmp.path().join(format!("j{j}-b{block}"));
        let mut args = small.to_vec();
        args.extend_from_slice(&["-j", j, "--block-size", block]);
        calibrate(
            "reference/toy-nonlinear",
            "calibration/toy-nonlinear.targets.toml",
            &out,
            &args,
        );
        outs.push(contents(&out));
    }
    assert!(
        outs[0].len() >= 9,
        "{:?}",
        outs[0].iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    assert_eq!(outs[0], outs[1], "1 and 2 threads differ");
    assert_eq!(outs[0], outs[2], "block sizes differ");
    // Another seed gives another posterior.
    let other = tmp.path().join("seed10");
    let mut args = small.to_vec();
    args[7] = "10";
    calibrate(
        "reference/toy-nonlinear",
        "calibration/toy-nonlinear.targets.toml",
        &other,
        &args,
    );
    assert_ne!(
        std::fs::read(other.join("posterior.csv")).unwrap(),
        std::fs::read(tmp.path().join("j1-b7/posterior.csv")).unwrap()
    );
}

#[test]
fn the_fragment_reruns_drawing_the_parameters_jointly_from_the_posterior() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cal");
    calibrate(
        "reference/toy-nonlinear",
        "calibration/toy-nonlinear.targets.toml",
        &out,
        &[
            "--simulations",
            "2000",
            "--population",
            "200",
            "--generations",
            "3",
        ],
    );
    let fragment = out.join("toy-nonlinear-calibrated.toml");
    let run_out = tmp.path().join("run");
    util::run_to(
        fragment.to_str().unwrap(),
        &run_out,
        4,
        &["--trials", "300", "--no-charts"],
    );
    let post = Table::read(&out.join("posterior.csv"));
    let pairs: Vec<(String, String)> = post
        .rows
        .iter()
        .map(|r| (r[post.col("a")].clone(), r[post.col("b")].clone()))
        .collect();
    let trials = Table::read(&run_out.join("trials.csv"));
    let (ca, cb) = (trials.col("a"), trials.col("b"));
    for r in &trials.rows {
        // Every trial's (a, b) is one particle of the posterior: drawn jointly, not each
        // from its own marginal.
        assert!(
            pairs.contains(&(r[ca].clone(), r[cb].clone())),
            "({}, {}) is no posterior particle",
            r[ca],
            r[cb]
        );
    }
}

#[test]
fn the_fragment_of_a_scenario_with_an_actors_file_reruns_from_anywhere() {
    // nato-2021-invasion reads its allies from a CSV file, resolved from the scenario given on
    // the command line: the fragment names it again, for a built-in scenario (copied beside
    // the fragment) and for one on disk (by its relative path).
    let tmp = tempfile::tempdir().unwrap();
    let on_disk = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/nato-2021-invasion.toml"
    );
    for (i, scenario) in ["nato-2021-invasion", on_disk].into_iter().enumerate() {
        let out = tmp.path().join(format!("cal{i}"));
        calibrate(
            scenario,
            "calibration/nato-2021-invasion.targets.toml",
            &out,
            &[
                "--simulations",
                "20",
                "--population",
                "5",
                "--generations",
                "2",
                "--trials-per-simulation",
                "1",
            ],
        );
        let fragment = out.join("nato-2021-invasion-calibrated.toml");
        let text = std::fs::read_to_string(&fragment).unwrap();
        assert!(text.contains("\n[actors]\nfile = "), "{text}");
        // The built-in's folder, moved elsewhere whole, still runs.
        let fragment = if i == 0 {
            let moved = tmp.path().join("moved");
            std::fs::rename(&out, &moved).unwrap();
            moved.join("nato-2021-invasion-calibrated.toml")
        } else {
            fragment
        };
        let run_out = tmp.path().join(format!("run{i}"));
        util::run_to(
            fragment.to_str().unwrap(),
            &run_out,
            3,
            &["--trials", "40", "--no-charts", "--policies", "status-quo"],
        );
        let post = Table::read(&fragment.parent().unwrap().join("posterior.csv"));
        let particles: Vec<&String> = post
            .rows
            .iter()
            .map(|r| &r[post.col("spending_threat_response")])
            .collect();
        let trials = Table::read(&run_out.join("trials.csv"));
        let c = trials.col("spending_threat_response");
        assert!(
            trials.rows.iter().all(|r| particles.contains(&&r[c])),
            "a trial's spending_threat_response is no posterior particle"
        );
    }
}

#[test]
fn a_bad_targets_file_gets_every_problem_with_file_line_and_key() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("bad.targets.toml");
    std::fs::write(
        &path,
        r#"[calibration]
parameters = ["a", "nope"]
simulations = 0
colour = "red"

[[target]]
statistic = "outcome"
outcome = "mean_y9"
value = 1.0

[[target]]
statistic = "year_mean"
series = "mean_y0"
year = 2022
value = 1.0

[[target]]
outcome = "mean_y1"
scale = -1
"#,
    )
    .unwrap();
    let o = run(&[
        "calibrate",
        "reference/toy-nonlinear",
        "--targets",
        path.to_str().unwrap(),
        "-q",
    ]);
    assert!(!o.status.success());
    util::assert_no_panic(&o);
    let e = stderr(&o);
    for want in [
        "bad.targets.toml:2:",
        "calibration.parameters[1]: model `toy-nonlinear` declares no parameter `nope`",
        "bad.targets.toml:3:",
        "calibration.simulations: 0 is not allowed; allowed: a whole number from 2",
        "calibration.colour: unknown key `colour`",
        "bad.targets.toml:8:",
        "target[0].outcome: model `toy-nonlinear` has no outcome `mean_y9`; allowed: mean_y0, mean_y1",
        "target[1].statistic: a calendar year needs a dated scenario of monthly turns",
        "target[2].value: missing: the observed value",
        "target[2].scale: -1 is not allowed; allowed: a number > 0",
    ] {
        assert!(e.contains(want), "missing `{want}` in:\n{e}");
    }
    // A targets file that does not exist.
    let o = run(&[
        "calibrate",
        "reference/toy-nonlinear",
        "--targets",
        "no-such-file.toml",
    ]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("--targets: no file `no-such-file.toml`"));
}

#[test]
fn a_bad_targets_file_for_the_alliance_names_option_series_year_and_use() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("bad.targets.toml");
    std::fs::write(
        &path,
        r#"[calibration]
option = "no-such-option"
parameters = ["channel_base", "channel_base"]

[[target]]
statistic = "year_mean"
series = "defence.Narnia"
year = 2022
value = 1.0

[[target]]
statistic = "year_mean"
series = "threat_mean"
year = 2030
value = 1.0

[[target]]
outcome = "channel_ever.Hungary"
value = 1
use = "train"

[[target]]
statistic = "median"
value = 1

[[target]]
outcome = "defence_2024.Poland"
minus = "defence_2023.Narnia"
value = 0.5
"#,
    )
    .unwrap();
    let out = tmp.path().join("out");
    let o = run(&[
        "calibrate",
        "nato-2021-invasion",
        "--targets",
        path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert!(!o.status.success());
    util::assert_no_panic(&o);
    let e = stderr(&o);
    for want in [
        "7 problems found",
        "bad.targets.toml:2:10: calibration.option: no option \"no-such-option\" in scenario `nato-2021-invasion`; allowed: status-quo,",
        "bad.targets.toml:3:31: calibration.parameters[1]: `channel_base` is named twice",
        "bad.targets.toml:7:10: target[0].series: model `alliance` has no series `defence.Narnia`; allowed: ",
        "bad.targets.toml:14:8: target[1].year: 2030 has no turn in the scenario; allowed: 2021 to 2024",
        "bad.targets.toml:20:7: target[2].use: `train` is not allowed; allowed: fit, holdout",
        "bad.targets.toml:23:13: target[3].statistic: unknown statistic `median`; allowed: outcome, year_mean",
        "bad.targets.toml:28:9: target[4].minus: model `alliance` has no outcome `defence_2023.Narnia`; allowed: a number or the name of an outcome (",
    ] {
        assert!(e.contains(want), "missing `{want}` in:\n{e}");
    }
    // Nothing is written for a file that fails its checks.
    assert!(!out.exists());
}

#[test]
fn the_shipped_calibrated_scenario_reruns_drawing_both_spending_coefficients_from_one_particle() {
    // scenarios/nato-2021-calibrated.toml is the fragment of the default-budget calibration on
    // the spending record, pointed at the scenarios folder: it runs as a scenario on disk, and
    // every trial sets both calibrated coefficients from the same posterior particle.
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/nato-2021-calibrated.toml"
    );
    let doc: toml::Table = std::fs::read_to_string(path).unwrap().parse().unwrap();
    let column = |param: &str, key: &str| util::joint_column(&doc, "calibration", param, key);
    let beta = column("spending_threat_response", "values");
    let lambda = column("spending_convergence", "values");
    let weights = column("spending_threat_response", "weights");
    assert_eq!(beta.len(), 500);
    assert_eq!(lambda.len(), beta.len());
    assert!((weights.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    util::run_to(
        path,
        &out,
        3,
        &["--trials", "60", "--no-charts", "--policies", "as-happened"],
    );
    let trials = Table::read(&out.join("trials.csv"));
    let (b, l) = (
        trials.col("spending_threat_response"),
        trials.col("spending_convergence"),
    );
    let o = trials.col("option");
    let rows: Vec<_> = trials
        .rows
        .iter()
        .filter(|r| r[o] == "as-happened")
        .collect();
    assert_eq!(rows.len(), 60);
    for r in rows {
        let (x, y): (f64, f64) = (r[b].parse().unwrap(), r[l].parse().unwrap());
        assert!(
            beta.iter().zip(&lambda).any(|(&p, &q)| p == x && q == y),
            "trial's ({x}, {y}) is no particle of the posterior"
        );
    }
    assert!(out.join("allies.csv").is_file());
}

#[test]
fn an_empirical_joint_group_must_have_matching_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("joint.toml");
    std::fs::write(
        &path,
        r#"[scenario]
name = "joint"
turn_length = "step"
turns = 1

[model]
kind = "toy-nonlinear"

[[policy]]
name = "reference"
baseline = true

[[uncertainty]]
param = "a"
dist = "empirical"
joint = "g"
values = [1.0, 2.0]

[[uncertainty]]
param = "b"
dist = "empirical"
joint = "g"
values = [0.1, 0.2, 0.3]
"#,
    )
    .unwrap();
    let o = run(&["validate", path.to_str().unwrap()]);
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(
        e.contains("joint.toml:22:")
            && e.contains(
                "uncertainty[1].joint: joint group `g`: `b` has 3 rows, `a` (its first entry) has 2"
            ),
        "{e}"
    );
}
