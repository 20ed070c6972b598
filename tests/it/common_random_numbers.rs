//! Common random numbers: every option of a trial runs on the same draw and the same random
//! streams, so options with identical levers give identical outcomes and a paired
//! difference of exactly zero, and a run of a subset of options reproduces their results.

use crate::util;

use std::path::Path;

use util::{HK_SMALL, Table, run_to, scenario_dir, write_files};

/// The KTAB example with its baseline made noisy, plus a twin of the baseline. The built-in's
/// `noisy-positions` option has the very same lever, so it is a second twin;
/// `noisy-capabilities` is different.
const KTAB_TWINS: &str = r#"extends = "ktab.toml"

[scenario]
name = "ktab-twins"

[[policy]]
name = "as-given"
levers = { position_noise = 5.0 }

[[policy]]
name = "twin"
description = "the same lever value as the baseline"
levers = { position_noise = 5.0 }
"#;

/// HK with an uncertain ε and two pairs of options with identical parameters: `big` and
/// `big-twin`; the baseline (60 agents from `[model]`) and `same` (60 agents as a lever).
const HK_TWINS: &str = r#"extends = "hk-small.toml"

[scenario]
name = "hk-twins"

[[policy]]
name = "big-twin"
levers = { agents = 120 }

[[policy]]
name = "same"
levers = { agents = 60 }
"#;

/// Outcome columns of trials.csv (after trial, option and the drawn parameters).
fn outcome_cols(t: &Table, n_params: usize) -> std::ops::Range<usize> {
    2 + n_params..t.header.len()
}

/// Asserts that options `a` and `b` have the same outcomes, trial by trial, as text.
fn assert_same_trials(t: &Table, n_params: usize, a: &str, b: &str, trials: usize) {
    let ra = t.select(&[("option", a)]);
    let rb = t.select(&[("option", b)]);
    assert_eq!(ra.len(), trials);
    assert_eq!(rb.len(), trials);
    for (x, y) in ra.iter().zip(&rb) {
        assert_eq!(x[0], y[0], "rows out of order");
        for c in outcome_cols(t, n_params) {
            assert_eq!(
                x[c], y[c],
                "trial {}: {} is {} for {a} but {} for {b}",
                x[0], t.header[c], x[c], y[c]
            );
        }
    }
}

/// Asserts that every comparison.csv row of `option` is exactly zero, and returns how many.
fn assert_zero_difference(out: &Path, option: &str, trials: usize) -> usize {
    let c = Table::read(&out.join("comparison.csv"));
    let rows = c.select(&[("option", option)]);
    assert!(!rows.is_empty(), "no comparison rows for {option}");
    let kinds = Table::read(&out.join("summary.csv"));
    for r in &rows {
        let outcome = &r[c.col("outcome")];
        assert_eq!(c.num(r, "n"), trials as f64, "{option} {outcome}");
        // A yes/no outcome's interval is Newcombe's paired score interval: with no discordant
        // trial it is symmetric about zero, not zero wide.
        let binary = kinds.select(&[("outcome", outcome)])[0][kinds.col("kind")] == "binary";
        let cols: &[&str] = if binary {
            assert_eq!(
                c.num(r, "diff_lo95"),
                -c.num(r, "diff_hi95"),
                "{option} {outcome}"
            );
            &["mean_diff", "sd_diff", "mcse"]
        } else {
            &["mean_diff", "sd_diff", "mcse", "diff_lo95", "diff_hi95"]
        };
        for &col in cols {
            assert_eq!(
                c.num(r, col),
                0.0,
                "{option} vs baseline, {outcome}: {col} should be exactly 0"
            );
        }
    }
    rows.len()
}

#[test]
fn bargaining_options_with_identical_levers_give_identical_trials_and_zero_difference() {
    let dir = scenario_dir();
    write_files(dir.path(), &[("twins.toml", KTAB_TWINS)]);
    let out = dir.path().join("out");
    let trials = 300;
    run_to(
        dir.path().join("twins.toml").to_str().unwrap(),
        &out,
        31,
        &["--trials", "300", "--block-size", "64"],
    );
    let t = Table::read(&out.join("trials.csv"));
    assert_same_trials(&t, 0, "as-given", "twin", trials);
    assert_same_trials(&t, 0, "as-given", "noisy-positions", trials);
    // 13 actors: 13 win probabilities, 13 risk attitudes, 2 expected positions.
    assert_eq!(assert_zero_difference(&out, "twin", trials), 28);
    assert_eq!(assert_zero_difference(&out, "noisy-positions", trials), 28);

    // The baseline is really noisy here, so the zero difference is not a zero-noise artefact…
    let sd = util::summary_value(&out, "as-given", "win_prob.MK", "sd");
    assert!(sd > 0.0, "the baseline should vary between trials");
    // …and a different option does differ.
    let c = Table::read(&out.join("comparison.csv"));
    let diff = c.value(
        &[("option", "noisy-capabilities"), ("outcome", "win_prob.MK")],
        "sd_diff",
    );
    assert!(
        diff > 0.0,
        "noisy-capabilities should differ from the baseline"
    );
}

#[test]
fn hk_options_with_identical_levers_share_draws_and_give_zero_difference() {
    let dir = scenario_dir();
    write_files(
        dir.path(),
        &[("hk-small.toml", HK_SMALL), ("hk-twins.toml", HK_TWINS)],
    );
    let out = dir.path().join("out");
    let trials = 64;
    run_to(
        dir.path().join("hk-twins.toml").to_str().unwrap(),
        &out,
        5,
        &["--trials", "64", "--block-size", "16"],
    );
    let t = Table::read(&out.join("trials.csv"));
    assert_same_trials(&t, 1, "big", "big-twin", trials);
    assert_same_trials(&t, 1, "reference", "same", trials);
    assert_eq!(assert_zero_difference(&out, "same", trials), 7);
    // Twins have the same paired differences against the baseline, to the bit.
    let c = Table::read(&out.join("comparison.csv"));
    let big = c.select(&[("option", "big")]);
    let twin = c.select(&[("option", "big-twin")]);
    assert_eq!(big.len(), 7);
    for (a, b) in big.iter().zip(&twin) {
        assert_eq!(a[2..], b[2..], "big and big-twin compare differently");
    }
    assert!(
        big.iter().any(|r| c.num(r, "mean_diff") != 0.0),
        "120 agents should differ from 60"
    );

    // Every option of a trial gets the same draw of the uncertain parameter.
    let eps = t.col("epsilon");
    for k in 0..trials {
        let rows = t.select(&[("trial", &k.to_string())]);
        assert_eq!(rows.len(), 5);
        assert!(
            rows.iter().all(|r| r[eps] == rows[0][eps]),
            "trial {k}: epsilon differs between options"
        );
    }
    // The draws vary between trials.
    let first = &t.rows[0][eps];
    assert!(t.rows.iter().any(|r| &r[eps] != first));
}

#[test]
fn running_a_subset_of_options_reproduces_their_rows() {
    let dir = scenario_dir();
    write_files(dir.path(), &[("hk-small.toml", HK_SMALL)]);
    let sc = dir.path().join("hk-small.toml");
    let sc = sc.to_str().unwrap();
    let all = dir.path().join("all");
    let sub = dir.path().join("sub");
    run_to(sc, &all, 8, &["--trials", "48", "--block-size", "16"]);
    run_to(
        sc,
        &sub,
        8,
        &[
            "--trials",
            "48",
            "--block-size",
            "16",
            "--policies",
            "tight",
        ],
    );
    let ta = Table::read(&all.join("trials.csv"));
    let ts = Table::read(&sub.join("trials.csv"));
    // The baseline is always run with a subset.
    assert_eq!(ts.rows.len(), 48 * 2);
    assert_eq!(ta.header, ts.header);
    for r in &ts.rows {
        let full = ta.row(&[("trial", &r[0]), ("option", &r[1])]);
        assert_eq!(
            full, r,
            "trial {} of {} changed with --policies",
            r[0], r[1]
        );
    }
}
