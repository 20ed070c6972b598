//! The channel choice held against the leaders' meetings with Putin: the per-year outcome
//! `channel_<year>.<ally>` computed through the binary against the monthly channel states of
//! the same trials' traces (calendar months counted here from the scenario's start), the
//! shipped channel targets file derived from the dated meetings as its comments say, and a
//! small-budget calibration on it that writes a posterior and reports the held-out year beside
//! persistence.

use std::collections::{BTreeMap, BTreeSet};

use crate::util::{self, Table, run_ok};

const TARGETS: &str = "calibration/nato-2021-invasion-channels.targets.toml";

/// The years (2022–2024) in which each ally's leader met Putin in person, from the dated record.
fn meetings() -> BTreeMap<String, BTreeSet<i64>> {
    let t = Table::read(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/data/leader-meetings-2022-2024.csv"),
    );
    let (d, a) = (t.col("date"), t.col("ally"));
    let mut m: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
    for r in &t.rows {
        m.entry(r[a].clone())
            .or_default()
            .insert(r[d][..4].parse().unwrap());
    }
    m
}

#[test]
fn channel_in_a_year_is_a_channel_open_in_some_month_of_that_calendar_year() {
    // nato-2021-invasion starts in October 2021 with monthly turns: turn t falls in calendar
    // month 2021-10 + (t - 1). Three traced trials give each ally's channel state per turn; the
    // run's allies.csv must report, per ally and year, the share of those trials with a channel
    // open in at least one month of that year.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let seed = 4;
    let trials = 3;
    util::run_to(
        "nato-2021-invasion",
        &out,
        seed,
        &["--trials", "3", "--policies", "status-quo"],
    );
    let allies = Table::read(&out.join("allies.csv"));
    let mut ran: BTreeMap<(String, i64), u32> = BTreeMap::new();
    let mut states = 0;
    for k in 0..trials {
        let o = run_ok(&[
            "trace",
            "nato-2021-invasion",
            "--policy",
            "status-quo",
            "--trial",
            &k.to_string(),
            "--seed",
            &seed.to_string(),
        ]);
        let mut open: BTreeSet<(String, i64)> = BTreeSet::new();
        let text = util::stdout(&o);
        let mut rdr = csv::Reader::from_reader(text.as_bytes());
        for r in rdr.records() {
            let r = r.unwrap();
            if &r[1] != "state" || &r[3] != "channel" {
                continue;
            }
            let turn: i64 = r[0].parse().unwrap();
            if turn == 0 {
                continue;
            }
            states += 1;
            let year = (2021 * 12 + 9 + turn - 1).div_euclid(12);
            if &r[4] == "1" && year >= 2022 {
                open.insert((r[2].to_string(), year));
            }
        }
        for key in open {
            *ran.entry(key).or_default() += 1;
        }
    }
    assert_eq!(
        states,
        trials * 36 * 30,
        "a channel state per ally and turn"
    );
    let mut some = 0;
    for ally in allies_of(&allies) {
        for year in [2022, 2023, 2024] {
            let metric = format!("channel_{year}");
            let r = allies
                .row(&[
                    ("option", "status-quo"),
                    ("ally", &ally),
                    ("metric", &metric),
                ])
                .clone();
            assert_eq!(r[allies.col("kind")], "binary");
            let want = *ran.get(&(ally.clone(), year)).unwrap_or(&0) as f64 / trials as f64;
            let got = allies.num(&r, "prob");
            assert!(
                (got - want).abs() < 1e-9,
                "{ally} {year}: allies.csv {got}, traces {want}"
            );
            some += (want > 0.0) as u32;
            // A channel in some year is a channel at some point.
            let ever = allies.value(
                &[
                    ("option", "status-quo"),
                    ("ally", &ally),
                    ("metric", "channel_ever"),
                ],
                "prob",
            );
            assert!(got <= ever + 1e-12, "{ally} {year}: {got} > ever {ever}");
        }
    }
    assert!(some >= 3, "the traces should show some channels: {some}");
    // Per-year families are details: not in trials.csv.
    let header = std::fs::read_to_string(out.join("trials.csv")).unwrap();
    let header = header.lines().next().unwrap();
    assert!(header.contains("channel_ever.Hungary") && !header.contains("channel_2022."));
    // ... nor charts of their own (one per calendar year): channel_ever keeps its heatmap.
    let charts = out.join("charts");
    assert!(charts.join("heatmap-channel_ever.svg").is_file());
    for year in [2022, 2023, 2024] {
        assert!(!charts.join(format!("heatmap-channel_{year}.svg")).exists());
    }
}

/// The allies of a run, from its allies.csv.
fn allies_of(allies: &Table) -> Vec<String> {
    let a = allies.col("ally");
    let names: BTreeSet<String> = allies.rows.iter().map(|r| r[a].clone()).collect();
    assert_eq!(names.len(), 30);
    names.into_iter().collect()
}

#[test]
fn the_channel_targets_are_the_meeting_record_by_calendar_year() {
    // Every ally and year 2022-2024 has one target: fitted 2022 and 2023, held out 2024; value
    // 1 if its leader met Putin in person that year (the dated record), else 0; the held-out
    // year's baseline is persistence, 1 if the leader met Putin in 2022 or 2023.
    let met = meetings();
    let doc: toml::Table = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios")
            .join(TARGETS),
    )
    .unwrap()
    .parse()
    .unwrap();
    let cal = doc["calibration"].as_table().unwrap();
    let params: Vec<&str> = cal["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(params, ["channel_ties", "channel_base"]);
    let targets = doc["target"].as_array().unwrap();
    assert_eq!(targets.len(), 90);
    let names: BTreeSet<String> = crate::util::Table::read(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/data/nato-allies-2021.csv"),
    )
    .rows
    .iter()
    .map(|r| r[0].clone())
    .collect();
    assert_eq!(names.len(), 30);
    let mut seen = BTreeSet::new();
    for t in targets {
        let outcome = t["outcome"].as_str().unwrap();
        let (year, ally) = outcome
            .strip_prefix("channel_")
            .and_then(|s| s.split_once('.'))
            .unwrap();
        let year: i64 = year.parse().unwrap();
        assert!(names.contains(ally), "{ally}");
        let years = met.get(ally).cloned().unwrap_or_default();
        let value = t["value"].as_integer().unwrap();
        assert_eq!(value, years.contains(&year) as i64, "{outcome}");
        assert_eq!(t["scale"].as_integer(), Some(1), "{outcome}");
        let holdout = t.get("use").and_then(|u| u.as_str()) == Some("holdout");
        assert_eq!(holdout, year == 2024, "{outcome}");
        if holdout {
            let persistence = (years.contains(&2022) || years.contains(&2023)) as i64;
            assert_eq!(t["baseline"].as_integer(), Some(persistence), "{outcome}");
        }
        assert!(seen.insert((year, ally.to_string())), "{outcome} twice");
    }
    assert_eq!(seen.len(), 90);
    // The record as the docs state it: Turkey 2022-2024, Hungary 2023-2024, nobody else.
    let who: Vec<(&str, Vec<i64>)> = met
        .iter()
        .map(|(a, y)| (a.as_str(), y.iter().copied().collect()))
        .collect();
    assert_eq!(
        who,
        [
            ("Hungary", vec![2023, 2024]),
            ("Turkey", vec![2022, 2023, 2024])
        ]
    );
}

#[test]
fn a_small_channel_calibration_writes_a_posterior_and_the_held_out_year_beside_persistence() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cal");
    run_ok(&[
        "calibrate",
        "nato-2021-invasion",
        "--targets",
        TARGETS,
        "--out",
        out.to_str().unwrap(),
        "-q",
        "--simulations",
        "60",
        "--population",
        "15",
        "--generations",
        "2",
        "--trials-per-simulation",
        "2",
    ]);
    let post = Table::read(&out.join("posterior.csv"));
    assert_eq!(post.rows.len(), 15);
    let (w, ties, base) = (
        post.col("weight"),
        post.col("channel_ties"),
        post.col("channel_base"),
    );
    let total: f64 = post.rows.iter().map(|r| r[w].parse::<f64>().unwrap()).sum();
    assert!((total - 1.0).abs() < 1e-9);
    for r in &post.rows {
        let (k, b): (f64, f64) = (r[ties].parse().unwrap(), r[base].parse().unwrap());
        assert!((0.0..=10.0).contains(&k) && (-15.0..=5.0).contains(&b));
    }
    let params = Table::read(&out.join("parameters.csv"));
    for p in ["channel_ties", "channel_base"] {
        let r = params.row(&[("parameter", p)]);
        assert!(r[params.col("prior")].contains("declared range: uniform"));
    }
    // 60 fitted targets, 30 held out; persistence is exactly right on 2024 (the same two
    // leaders met Putin again), so its RMSE is 0 and the model's is not below it.
    let fit = Table::read(&out.join("fit.csv"));
    assert_eq!(fit.select(&[("use", "fit")]).len(), 60);
    assert_eq!(fit.select(&[("use", "holdout")]).len(), 30);
    let summary = Table::read(&out.join("fit_summary.csv"));
    let hold = summary.row(&[("use", "holdout")]).clone();
    assert_eq!(summary.num(&hold, "baseline_rmse"), 0.0);
    assert!(summary.num(&hold, "rmse") > 0.0);
    let fragment = std::fs::read_to_string(out.join("nato-2021-invasion-calibrated.toml")).unwrap();
    assert!(fragment.contains("param = \"channel_ties\"") && fragment.contains("joint = "));
}

#[test]
fn the_shipped_calibrated_scenario_draws_the_channel_pair_from_one_particle() {
    // scenarios/nato-2021-calibrated.toml joins the spending and the channel calibrations: the
    // channel pair is its own joint group, so every trial's (channel_ties, channel_base) is one
    // particle of the channel posterior.
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/nato-2021-calibrated.toml"
    );
    let doc: toml::Table = std::fs::read_to_string(path).unwrap().parse().unwrap();
    let column = |param: &str, key: &str| util::joint_column(&doc, "channels", param, key);
    let ties = column("channel_ties", "values");
    let base = column("channel_base", "values");
    assert_eq!(ties.len(), 500);
    assert_eq!(base.len(), 500);
    assert_eq!(
        column("channel_ties", "weights"),
        column("channel_base", "weights")
    );
    assert!(ties.iter().all(|k| (0.0..=10.0).contains(k)));
    assert!(base.iter().all(|b| (-15.0..=5.0).contains(b)));
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    util::run_to(
        path,
        &out,
        5,
        &["--trials", "40", "--no-charts", "--policies", "as-happened"],
    );
    let trials = Table::read(&out.join("trials.csv"));
    let (k, b) = (trials.col("channel_ties"), trials.col("channel_base"));
    let rows = trials.select(&[("option", "as-happened")]);
    assert_eq!(rows.len(), 40);
    for r in rows {
        let (x, y): (f64, f64) = (r[k].parse().unwrap(), r[b].parse().unwrap());
        assert!(
            ties.iter().zip(&base).any(|(&p, &q)| p == x && q == y),
            "trial's ({x}, {y}) is no particle of the channel posterior"
        );
    }
}
