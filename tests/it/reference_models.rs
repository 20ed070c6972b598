//! Published results of the reference models, checked through the CLI: run the shipped
//! scenario, read `summary.csv`. Thresholds come from the literature, not from our output.

use crate::util;

use std::path::Path;

use util::{Table, run_to};

/// Runs a built-in scenario with `trials` trials and returns its output folder.
fn run_builtin(name: &str, trials: u32, tmp: &Path) -> std::path::PathBuf {
    let out = tmp.join(name.replace('/', "_"));
    run_to(name, &out, 2000, &["--trials", &trials.to_string()]);
    out
}

/// P(consensus) of the only option, from summary.csv, checked against its own columns.
fn p_consensus(out: &Path) -> f64 {
    let t = Table::read(&out.join("summary.csv"));
    let r = t
        .row(&[("option", "reference"), ("outcome", "consensus")])
        .clone();
    assert_eq!(&r[t.col("kind")], "binary");
    let p = t.num(&r, "prob");
    assert!(t.num(&r, "prob_lo95") <= p && p <= t.num(&r, "prob_hi95"));
    p
}

fn major_clusters(out: &Path, col: &str) -> f64 {
    util::summary_value(out, "reference", "major_clusters", col)
}

// Hegselmann–Krause, N = 1000 uniform opinions. Fortunato (2005): consensus threshold
// ε_c ≈ 0.2 for large N; issue 2: "nearly every run reaches consensus at ε = 0.25 and 0.3,
// few at 0.2, none at 0.15". 50 trials each (about 0.1 s per scenario).

#[test]
fn hk_reaches_consensus_in_nearly_every_run_above_the_threshold() {
    let tmp = tempfile::tempdir().unwrap();
    for eps in ["0.25", "0.3"] {
        let out = run_builtin(&format!("reference/hk-{eps}"), 50, tmp.path());
        let p = p_consensus(&out);
        assert!(
            p >= 0.9,
            "HK ε = {eps}: P(consensus) = {p}, published: nearly 1"
        );
    }
}

#[test]
fn hk_never_reaches_consensus_at_epsilon_0_15() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run_builtin("reference/hk-0.15", 50, tmp.path());
    assert_eq!(
        p_consensus(&out),
        0.0,
        "published: no consensus at ε = 0.15"
    );
    // Several opinion clusters instead: at least two major ones in every run.
    assert!(major_clusters(&out, "min") >= 2.0);
}

#[test]
fn hk_rarely_reaches_consensus_at_epsilon_0_2() {
    // "Few" runs at the threshold: at most 30 %, and fewer than at ε = 0.25.
    let tmp = tempfile::tempdir().unwrap();
    let at_02 = p_consensus(&run_builtin("reference/hk-0.2", 50, tmp.path()));
    let at_025 = p_consensus(&run_builtin("reference/hk-0.25", 50, tmp.path()));
    assert!(
        at_02 <= 0.3,
        "HK ε = 0.2: P(consensus) = {at_02}, published: few"
    );
    assert!(at_02 < at_025);
}

// Deffuant–Weisbuch, N = 1000 uniform opinions, μ = 0.5 (Deffuant et al. 2000): complete
// consensus for ε > 1/2; below, about ⌊1/(2ε)⌋ major clusters. 40 trials each (~0.3 s).

#[test]
fn deffuant_reaches_consensus_above_one_half() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run_builtin("reference/deffuant-0.6", 40, tmp.path());
    let p = p_consensus(&out);
    assert!(
        p >= 0.95,
        "Deffuant ε = 0.6: P(consensus) = {p}, published: 1"
    );
    assert_eq!(major_clusters(&out, "max"), 1.0);
}

#[test]
fn deffuant_has_about_one_over_two_epsilon_major_clusters_at_epsilon_0_2() {
    // ⌊1/(2ε)⌋ = 2 at ε = 0.2. As 1/(2ε) = 2.5 sits exactly between 2 and 3, runs end with
    // 2 major clusters, sometimes 3 (Deffuant et al. 2000, Fig. 3; Weisbuch et al. 2002):
    // no run in consensus, none with more than 3, and a mean from 2 to 3.
    let tmp = tempfile::tempdir().unwrap();
    let out = run_builtin("reference/deffuant-0.2", 40, tmp.path());
    assert_eq!(p_consensus(&out), 0.0);
    let mean = major_clusters(&out, "mean");
    assert!(
        (2.0..=3.0).contains(&mean),
        "Deffuant ε = 0.2: mean major clusters {mean}, published ≈ 2"
    );
    assert!(major_clusters(&out, "min") >= 2.0);
    assert!(major_clusters(&out, "max") <= 3.0);
    assert_eq!(major_clusters(&out, "p50"), 2.0);
}

/// KTAB SOE-Pol-Comp, state 0 (KAPSARC KTAB reference run log, 20170530_ref-SOE-Pol-Comp):
/// (actor, probability that its position prevails, inferred risk attitude), as published to
/// 4 and 3 decimals.
const KTAB_STATE0: &[(&str, f64, f64)] = &[
    ("XJ", 0.0618, 1.000),
    ("LK", 0.0156, -0.498),
    ("ZG", 0.0117, -0.452),
    ("MK", 0.4340, 0.362),
    ("LH", 0.0028, -0.500),
    ("XS", 0.0000, -0.500),
    ("NEA", 0.0020, -0.497),
    ("MLR", 0.0013, -0.499),
    ("MEP", 0.0117, -0.452),
    ("MOF", 0.2481, 0.643),
    ("SHX", 0.1533, -0.383),
    ("HLJ", 0.0689, -0.196),
    ("WY", 0.0005, -0.500),
];

#[test]
fn ktab_soe_pol_comp_baseline_reproduces_the_published_state_0() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("ktab");
    run_to(
        "reference/ktab-soe-pol-comp",
        &out,
        2000,
        &["--trials", "20", "--policies", "as-given"],
    );
    let t = Table::read(&out.join("summary.csv"));
    // Only the baseline was run.
    assert!(t.rows.iter().all(|r| r[0] == "as-given"));
    let get =
        |outcome: &str, col: &str| t.value(&[("option", "as-given"), ("outcome", outcome)], col);
    // The headline values of the fixture.
    let mk = get("win_prob.MK", "mean");
    assert!((mk - 0.4340).abs() <= 6e-5, "win_prob.MK = {mk}");
    let xj = get("risk.XJ", "mean");
    assert!((xj - 1.000).abs() <= 6e-4, "risk.XJ = {xj}");
    // Every actor, within the rounding of the published figures.
    for &(a, win, risk) in KTAB_STATE0 {
        let w = get(&format!("win_prob.{a}"), "mean");
        let r = get(&format!("risk.{a}"), "mean");
        assert!(
            (w - win).abs() <= 6e-5,
            "win_prob.{a} = {w}, published {win}"
        );
        assert!((r - risk).abs() <= 6e-4, "risk.{a} = {r}, published {risk}");
        // No noise in the baseline: every trial is the same analysis.
        assert_eq!(get(&format!("win_prob.{a}"), "sd"), 0.0);
    }
}
