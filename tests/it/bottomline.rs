//! The report's bottom line, verdicts against the negligible band, categorical outcomes as
//! distributions, and `cohesion diff`, through the binary and the files it writes.

use std::collections::BTreeMap;
use std::path::Path;

use crate::util::{self, Table, assert_no_panic, run, run_ok, stderr, stdout};
use cohesion::stats::verdict::newcombe_paired;

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn num(s: &str) -> f64 {
    s.parse().unwrap_or(f64::NAN)
}

/// The negligible bands a run's manifest records.
fn bands(dir: &Path) -> BTreeMap<String, f64> {
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    m["negligible"]
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), v.as_f64().unwrap()))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_run_report_opens_with_the_bottom_line_and_no_firm_verdict_is_inside_the_band() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    util::run_to("nato-2021", &out, 11, &["--trials", "1500"]);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    // First on the page: before the contents, the run's record and every chart.
    let bl = html
        .find("<section id=\"bottom-line\">")
        .expect("no bottom line");
    for later in [
        "<nav>",
        "<section id=\"run\">",
        "<section id=\"charts\">",
        "<figure",
    ] {
        assert!(
            bl < html.find(later).unwrap(),
            "{later} comes before the bottom line"
        );
    }
    // The scenario's key outcomes, each ranked with a verdict; what drives them.
    for key in ["fracture", "cohesion_final", "credibility_final", "crises"] {
        assert!(
            html.contains(&format!("id=\"bottom-table-{key}\"")),
            "no bottom-line table for {key}"
        );
        assert!(html.contains(&format!("id=\"drivers-{key}\"")), "{key}");
    }
    assert!(html.contains("<section id=\"drivers\">"));
    assert!(html.contains("label_provocation"), "no parameter named");

    // comparison.csv: a verdict on every numeric row, firm only when the whole interval lies
    // beyond the band the scenario declares.
    let cmp = Table::read(&out.join("comparison.csv"));
    let band = bands(&out);
    assert_eq!(band.get("cohesion_final"), Some(&0.01));
    let allowed = [
        "better",
        "worse",
        "higher",
        "lower",
        "negligible",
        "detectable but negligible",
        "undetermined",
    ];
    let (c_out, c_lo, c_hi, c_v) = (
        cmp.col("outcome"),
        cmp.col("diff_lo95"),
        cmp.col("diff_hi95"),
        cmp.col("verdict"),
    );
    let mut firm = 0;
    let mut small = 0;
    for r in &cmp.rows {
        let v = r[c_v].as_str();
        if r[c_out] == "label_final" {
            assert_eq!(v, "", "a categorical outcome has no verdict");
            continue;
        }
        if r[c_lo].is_empty() {
            continue;
        }
        assert!(allowed.contains(&v), "verdict `{v}`");
        let (lo, hi) = (num(&r[c_lo]), num(&r[c_hi]));
        let b = band.get(&r[c_out]).copied().unwrap_or(0.0);
        if matches!(v, "better" | "worse" | "higher" | "lower") {
            firm += 1;
            assert!(
                lo > b || hi < -b,
                "firm verdict on {r:?} inside the band {b}"
            );
        }
        if v == "detectable but negligible" {
            small += 1;
            assert!((lo > 0.0 || hi < 0.0) && lo >= -b && hi <= b, "{r:?}");
        }
    }
    assert!(
        firm > 0 && small > 0,
        "firm {firm}, detectable but negligible {small}"
    );
    // The issue's example: label-hostile's +0.002 on final cohesion is not "better".
    let row = cmp.select(&[("option", "label-hostile"), ("outcome", "cohesion_final")])[0];
    assert_ne!(row[c_v], "better", "{row:?}");

    // The label in force is never averaged: no mean in the summary, shares in the report.
    let sum = Table::read(&out.join("summary.csv"));
    for r in sum.select(&[("outcome", "label_final")]) {
        assert!(r[sum.col("kind")].starts_with("category:partner|competitor|threat|adversary"));
        for c in ["mean", "sd", "mean_lo95", "mean_hi95", "p50"] {
            assert_eq!(r[sum.col(c)], "", "label_final has a {c}");
        }
    }
    assert!(html.contains("id=\"bottom-table-label_final\"") || html.contains("competitor "));
}

#[test]
fn a_rare_yes_no_difference_on_few_discordant_trials_is_never_firm() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    util::run_to(
        "nato-2021",
        &out,
        5,
        &["--trials", "600", "--no-charts", "--policies", "dialogue"],
    );
    // The paired table of `ally_attacked`, counted from trials.csv.
    let t = Table::read(&out.join("trials.csv"));
    let (c_trial, c_opt, c_y) = (t.col("trial"), t.col("option"), t.col("ally_attacked"));
    let mut by_trial: BTreeMap<String, (u8, u8)> = BTreeMap::new();
    for r in &t.rows {
        let e = by_trial.entry(r[c_trial].clone()).or_default();
        let y = (r[c_y] == "1") as u8;
        if r[c_opt] == "dialogue" {
            e.0 = y;
        } else {
            e.1 = y;
        }
    }
    let mut cells = [0u64; 4];
    for (a, b) in by_trial.values() {
        cells[match (a, b) {
            (1, 1) => 0,
            (1, 0) => 1,
            (0, 1) => 2,
            _ => 3,
        }] += 1;
    }
    let cmp = Table::read(&out.join("comparison.csv"));
    let row = cmp.select(&[("option", "dialogue"), ("outcome", "ally_attacked")])[0];
    let (lo, hi) = (
        num(&row[cmp.col("diff_lo95")]),
        num(&row[cmp.col("diff_hi95")]),
    );
    let (e_lo, e_hi) = newcombe_paired(cells[0], cells[1], cells[2], cells[3]);
    assert!(
        (lo - e_lo).abs() < 1e-12 && (hi - e_hi).abs() < 1e-12,
        "{row:?} vs {cells:?}"
    );
    if cells[1] + cells[2] <= 4 {
        assert!(!matches!(
            row[cmp.col("verdict")].as_str(),
            "better" | "worse"
        ));
    }
}

const BAD_BAND: &str = r#"
extends = "nato-2021.toml"
[outcomes]
key = ["fracture", "cohesion_fnal"]
negligible.crisis = 0.2
"#;

#[test]
fn a_key_or_band_for_an_unknown_outcome_is_an_error_naming_the_allowed_ones() {
    let dir = tempfile::tempdir().unwrap();
    run_ok(&["init", "nato-2021", p(dir.path())]);
    let f = dir.path().join("bad.toml");
    std::fs::write(&f, BAD_BAND).unwrap();
    let o = run(&["validate", p(&f)]);
    assert!(!o.status.success());
    assert_no_panic(&o);
    let e = format!("{}{}", stdout(&o), stderr(&o));
    for want in [
        "outcomes.key[1]",
        "no outcome `cohesion_fnal`",
        "outcomes.negligible.crisis",
        "allowed: cohesion_final, cohesion_mean",
    ] {
        assert!(e.contains(want), "missing `{want}` in:\n{e}");
    }
    // A band that is not a number ≥ 0.
    std::fs::write(
        &f,
        "extends = \"nato-2021.toml\"\n[outcomes]\nnegligible.crises = -1\n",
    )
    .unwrap();
    let o = run(&["validate", p(&f)]);
    assert!(!o.status.success());
    let e = format!("{}{}", stdout(&o), stderr(&o));
    assert!(
        e.contains("outcomes.negligible.crises") && e.contains("≥ 0"),
        "{e}"
    );
    // A categorical outcome is not explored (it has no mean).
    let o = run(&[
        "explore",
        "nato-2021",
        "--design",
        "lhs",
        "--points",
        "8",
        "--outcomes",
        "label_final",
        "--out",
        p(&dir.path().join("x")),
    ]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("categorical"), "{}", stderr(&o));
}

#[test]
fn diff_compares_two_runs_and_names_the_scenario_keys_that_differ() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run_ok(&["init", "nato-2021", p(&d.join("s"))]);
    let sc = d.join("s").join("nato-2021.toml");
    let (a, b) = (d.join("a"), d.join("b"));
    let pol = ["--trials", "400", "--no-charts", "--policies", "dialogue"];
    util::run_to(p(&sc), &a, 9, &pol);
    let text = std::fs::read_to_string(&sc).unwrap();
    let i = text.find("name = \"dialogue\"").unwrap();
    let j = i + text[i..].find("dialogue_effort = 1.0").unwrap();
    let changed = format!(
        "{}dialogue_effort = 0.4{}",
        &text[..j],
        &text[j + "dialogue_effort = 1.0".len()..]
    );
    std::fs::write(&sc, changed).unwrap();
    util::run_to(p(&sc), &b, 9, &pol);
    let csv = d.join("diff.csv");
    let o = run_ok(&["diff", p(&a), p(&b), "--out", p(&csv)]);
    let s = stdout(&o);
    assert!(
        s.contains("policy[dialogue].levers.dialogue_effort: 1.0 (A) → 0.4 (B)"),
        "{s}"
    );
    assert!(s.contains("label_final is categorical"), "{s}");
    let t = Table::read(&csv);
    assert_eq!(
        t.header,
        [
            "option",
            "outcome",
            "kind",
            "n_a",
            "n_b",
            "a",
            "b",
            "diff",
            "diff_lo95",
            "diff_hi95",
            "verdict"
        ]
    );
    // Same seed and trials: paired trial by trial. The baseline did not change, so each of its
    // differences is exactly zero, with a zero interval: negligible.
    assert!(s.contains("paired trial by trial"), "{s}");
    // (A yes/no outcome's score interval stays open around zero: not firm either way.)
    // Per-ally details (`defence_change_pp.Albania`…) are not columns of trials.csv: they
    // cannot be paired and get the independent-runs interval, around an exact zero.
    let columns = std::fs::read_to_string(a.join("trials.csv")).unwrap();
    let columns: Vec<&str> = columns.lines().next().unwrap().split(',').collect();
    for r in t.select(&[("option", "status-quo")]) {
        assert_eq!(num(&r[t.col("diff")]), 0.0, "{r:?}");
        if !columns.contains(&r[t.col("outcome")].as_str()) {
            assert!(num(&r[t.col("diff_lo95")]) <= 0.0, "{r:?}");
            assert!(num(&r[t.col("diff_hi95")]) >= 0.0, "{r:?}");
            continue;
        }
        if r[t.col("kind")] == "binary" {
            assert!(num(&r[t.col("diff_lo95")]) < 0.0, "{r:?}");
            assert!(
                matches!(r[t.col("verdict")].as_str(), "negligible" | "undetermined"),
                "{r:?}"
            );
        } else {
            assert_eq!(num(&r[t.col("diff_lo95")]), 0.0, "{r:?}");
            assert_eq!(r[t.col("verdict")], "negligible", "{r:?}");
        }
    }
    // The paired interval of one row, recomputed from the two trials.csv.
    let column = |dir: &Path| -> Vec<f64> {
        let tr = Table::read(&dir.join("trials.csv"));
        tr.select(&[("option", "dialogue")])
            .iter()
            .map(|r| num(&r[tr.col("crises")]))
            .collect()
    };
    let dd: Vec<f64> = column(&b)
        .iter()
        .zip(column(&a))
        .map(|(x, y)| x - y)
        .collect();
    let n = dd.len() as f64;
    let mean = dd.iter().sum::<f64>() / n;
    let sd = (dd.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let r = t.select(&[("option", "dialogue"), ("outcome", "crises")])[0];
    assert!(
        (num(&r[t.col("diff")]) - mean).abs() < 1e-9,
        "{r:?} vs {mean}"
    );
    let half = num(&r[t.col("diff_hi95")]) - num(&r[t.col("diff")]);
    assert!(
        (half - 1.959964 * sd / n.sqrt()).abs() < 1e-6,
        "{half} vs {sd}"
    );

    // Another seed: independent runs, Welch's interval from the two summaries.
    let b2 = d.join("b2");
    util::run_to(p(&sc), &b2, 10, &pol);
    let o = run_ok(&["diff", p(&a), p(&b2), "--out", p(&csv)]);
    assert!(stdout(&o).contains("independent runs"), "{}", stdout(&o));
    let t = Table::read(&csv);
    let sa = Table::read(&a.join("summary.csv"));
    let sb = Table::read(&b2.join("summary.csv"));
    let get = |s: &Table, c: &str| {
        num(&s.select(&[("option", "dialogue"), ("outcome", "crises")])[0][s.col(c)])
    };
    let r = t.select(&[("option", "dialogue"), ("outcome", "crises")])[0];
    let se = (get(&sa, "mcse").powi(2) + get(&sb, "mcse").powi(2)).sqrt();
    let half = num(&r[t.col("diff_hi95")]) - num(&r[t.col("diff")]);
    // With about 800 degrees of freedom Student's t is between 1.96 and 1.97.
    assert!(half > 1.96 * se && half < 1.97 * se, "{half} vs {se}");

    // Mismatched options, and a folder that is not a finished run.
    let c = d.join("c");
    util::run_to("nato-2021", &c, 9, &["--trials", "100", "--no-charts"]);
    let o = run(&["diff", p(&a), p(&c)]);
    assert!(!o.status.success());
    assert_no_panic(&o);
    assert!(stderr(&o).contains("different options"), "{}", stderr(&o));
    let o = run(&["diff", p(&a), p(d)]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("not a finished `cohesion run`"),
        "{}",
        stderr(&o)
    );
}
