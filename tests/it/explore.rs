//! `cohesion explore` and `cohesion discover` as a user meets them, checked against references
//! from outside the program: the Ishigami function's analytic Sobol' indices, EMA Workbench's
//! PRIM and SALib's Sobol' estimators on the same data (fixtures made by
//! `tools/ema_fixtures.py`), and the rules every run obeys (same bytes at any thread count,
//! nothing written on an error, clear errors naming what is allowed).

use crate::util;

use std::path::Path;

use cohesion::stats::prim::{self, Data};
use cohesion::stats::sensitivity::sobol_indices;
use util::{Table, assert_no_panic, run, run_ok, stderr, stdout};

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// The value of one index in sensitivity.csv.
fn index(t: &Table, option: &str, versus: &str, index: &str, param: &str, with: &str) -> f64 {
    let r = t.row(&[
        ("option", option),
        ("versus", versus),
        ("index", index),
        ("parameter", param),
        ("with", with),
    ]);
    r[t.col("value")].parse().unwrap()
}

/// Ishigami–Homma with a = 7, b = 0.1 (Saltelli et al. 2008, §4.9).
const S1: [f64; 3] = [0.3139, 0.4424, 0.0];
const ST: [f64; 3] = [0.5576, 0.4424, 0.2437];

#[test]
fn ishigami_indices_match_the_analytic_values() {
    // The documented sample size (docs/EXPLORE.md): N = 4096 base points, 20,480 evaluations.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ish");
    run_ok(&[
        "explore",
        "ishigami",
        "--design",
        "sobol",
        "--points",
        "4096",
        "--replications",
        "1",
        "--second-order",
        "--seed",
        "1",
        "--out",
        p(&out),
        "--no-charts",
        "-q",
    ]);
    let t = Table::read(&out.join("sensitivity.csv"));
    for (i, x) in ["x1", "x2", "x3"].iter().enumerate() {
        let s1 = index(&t, "function", "", "S1", x, "");
        let st = index(&t, "function", "", "ST", x, "");
        assert!((s1 - S1[i]).abs() < 0.02, "S1 of {x}: {s1} vs {}", S1[i]);
        assert!((st - ST[i]).abs() < 0.02, "ST of {x}: {st} vs {}", ST[i]);
    }
    // Second order: only x1 and x3 interact (S13 = ST1 − S1 = 0.2437).
    let s13 = index(&t, "function", "", "S2", "x1", "x3");
    let s12 = index(&t, "function", "", "S2", "x1", "x2");
    let s23 = index(&t, "function", "", "S2", "x2", "x3");
    assert!((s13 - 0.2437).abs() < 0.03, "S13 {s13}");
    assert!(s12.abs() < 0.03 && s23.abs() < 0.03, "S12 {s12}, S23 {s23}");
    // Every index has a bootstrap interval around it.
    let (lo, hi) = (t.col("lo95"), t.col("hi95"));
    for r in t.select(&[("index", "ST")]) {
        let (v, a, b): (f64, f64, f64) = (
            r[t.col("value")].parse().unwrap(),
            r[lo].parse().unwrap(),
            r[hi].parse().unwrap(),
        );
        assert!(a <= v && v <= b && b - a < 0.1, "{r:?}");
    }
    // The design is Saltelli's: N × (2D + 2) points.
    assert_eq!(Table::read(&out.join("design.csv")).rows.len(), 4096 * 8);
}

#[derive(serde::Deserialize)]
struct EmaStep {
    coverage: f64,
    density: f64,
    mass: f64,
    n: usize,
    k: usize,
    res_dim: usize,
    lower: Vec<f64>,
    upper: Vec<f64>,
    qp: std::collections::BTreeMap<String, Vec<f64>>,
}

#[derive(serde::Deserialize)]
struct EmaCase {
    name: String,
    peel_alpha: f64,
    paste_alpha: f64,
    mass_min: f64,
    x: Vec<Vec<f64>>,
    y: Vec<u8>,
    chosen: usize,
    steps: Vec<EmaStep>,
}

#[derive(serde::Deserialize)]
struct EmaFixture {
    cases: Vec<EmaCase>,
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1e-300) || (a - b).abs() < 1e-300
}

#[test]
fn prim_follows_ema_workbench_step_for_step() {
    let text = include_str!("../data/explore/prim_ema.json");
    let fx: EmaFixture = serde_json::from_str(text).unwrap();
    assert_eq!(fx.cases.len(), 2);
    for case in &fx.cases {
        let dims = case.x[0].len();
        let x: Vec<f64> = case.x.iter().flatten().copied().collect();
        let y: Vec<bool> = case.y.iter().map(|&v| v == 1).collect();
        let data = Data { x: &x, dims, y: &y };
        let t = prim::prim(
            &data,
            prim::Options {
                peel_alpha: case.peel_alpha,
                paste_alpha: case.paste_alpha,
                mass_min: case.mass_min,
            },
        )
        .unwrap();
        assert_eq!(
            t.boxes.len(),
            case.steps.len(),
            "{}: trajectory length",
            case.name
        );
        for (i, (b, e)) in t.boxes.iter().zip(&case.steps).enumerate() {
            let at = format!("{} step {i}", case.name);
            assert_eq!((b.n, b.k, b.res_dim), (e.n, e.k, e.res_dim), "{at}");
            assert!(close(b.coverage, e.coverage, 1e-12), "{at}: coverage");
            assert!(close(b.density, e.density, 1e-12), "{at}: density");
            assert!(close(b.mass, e.mass, 1e-12), "{at}: mass");
            assert_eq!(b.lower, e.lower, "{at}: lower limits");
            assert_eq!(b.upper, e.upper, "{at}: upper limits");
        }
        // The chosen box (EMA's: the last) and its quasi-p-values.
        let e = &case.steps[case.chosen];
        let qp = prim::quasi_p(&data, &t, case.chosen);
        assert_eq!(qp.len(), e.qp.len(), "{}: restricted dimensions", case.name);
        for (d, lo, hi) in qp {
            let want = &e.qp[&d.to_string()];
            for (got, w) in [(lo, want[0]), (hi, want[1])] {
                match got {
                    None => assert_eq!(w, -1.0, "{} x{d}", case.name),
                    Some(g) => assert!(close(g, w, 1e-7), "{} x{d}: {g} vs {w}", case.name),
                }
            }
        }
    }
}

#[derive(serde::Deserialize)]
struct SalibFixture {
    dims: usize,
    y: Vec<f64>,
    #[serde(rename = "S1")]
    s1: Vec<f64>,
    #[serde(rename = "ST")]
    st: Vec<f64>,
    #[serde(rename = "S2")]
    s2: Vec<Vec<Option<f64>>>,
}

#[test]
fn sobol_estimators_agree_with_salib() {
    let fx: SalibFixture =
        serde_json::from_str(include_str!("../data/explore/sobol_salib.json")).unwrap();
    let s = sobol_indices(&fx.y, None, fx.dims, true, 10, 1, 0);
    for i in 0..fx.dims {
        assert!(close(s.s1[i].value, fx.s1[i], 1e-9), "S1[{i}]");
        assert!(close(s.st[i].value, fx.st[i], 1e-9), "ST[{i}]");
    }
    for (i, j, e) in s.s2 {
        let w = fx.s2[i][j].unwrap();
        assert!(close(e.value, w, 1e-9), "S2[{i}][{j}]: {} vs {w}", e.value);
    }
}

fn explore_small(out: &Path, threads: &str) {
    run_ok(&[
        "explore",
        "nato-2021",
        "--design",
        "sobol",
        "--points",
        "8",
        "--replications",
        "2",
        "--seed",
        "5",
        "--threads",
        threads,
        "--bootstrap",
        "200",
        "--out",
        p(out),
        "--no-charts",
        "-q",
    ]);
}

#[test]
fn results_are_the_same_bytes_at_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("j1"), dir.path().join("j2"));
    explore_small(&a, "1");
    explore_small(&b, "2");
    for f in [
        "sensitivity.csv",
        "results.csv",
        "design.csv",
        "prim.csv",
        "prim_box.csv",
        "robustness.csv",
    ] {
        let (x, y) = (
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
        );
        assert!(!x.is_empty(), "{f} is empty");
        assert!(x == y, "{f} differs between 1 and 2 threads");
    }
    // Every design point × option has a row; the paired differences are there.
    // Saltelli's N (k + 2) points for k = 9 uncertainties, N = 8, × the 7 options of nato-2021.
    let r = Table::read(&a.join("results.csv"));
    assert_eq!(r.rows.len(), 8 * (9 + 2) * 7);
    let s = Table::read(&a.join("sensitivity.csv"));
    assert!(
        !s.select(&[("option", "label-hostile"), ("versus", "status-quo")])
            .is_empty()
    );
    // Common random numbers: two options with the same levers give the same outcomes at every
    // point (here: an option and itself, through the results of status-quo at two runs).
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(a.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["kind"], "explore");
    assert_eq!(m["points"], 8 * (9 + 2));
}

#[test]
fn discover_on_a_run_names_the_restricted_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    util::run_to(
        "nato-2021",
        &out,
        3,
        &[
            "--trials",
            "4000",
            "--policies",
            "label-hostile,dialogue",
            "--no-charts",
        ],
    );
    let o = run_ok(&[
        "discover",
        p(&out),
        "--option",
        "label-hostile",
        "--versus",
        "dialogue",
        "--outcome",
        "fracture",
    ]);
    let text = stdout(&o);
    assert!(
        text.contains("label-hostile has lower fracture than dialogue"),
        "{text}"
    );
    assert!(text.contains("chosen box"), "{text}");
    let names = [
        "risk_appetite",
        "strategy_military",
        "label_provocation",
        "credibility_label",
        "dialogue_legitimation",
        "dialogue_deescalation",
        "counter_disinfo_effect",
        "disinfo_erosion",
    ];
    let restricted = text
        .split("restricted parameters:")
        .nth(1)
        .unwrap_or_else(|| panic!("no restricted parameter:\n{text}"));
    assert!(names.iter().any(|n| restricted.contains(n)), "{text}");
    // The same question on an unknown option is an error naming the options.
    let o = run(&[
        "discover",
        p(&out),
        "--option",
        "label-hostile",
        "--versus",
        "appeasement",
        "--outcome",
        "fracture",
    ]);
    assert!(!o.status.success());
    assert_no_panic(&o);
    let e = stderr(&o);
    assert!(
        e.contains("--versus appeasement")
            && e.contains("allowed: status-quo, label-hostile, dialogue"),
        "{e}"
    );
}

#[test]
fn bad_requests_are_clear_errors_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x");
    let cases: &[(&[&str], &str)] = &[
        // A scenario without uncertainties.
        (
            &["explore", "reference/hk-0.2", "--design", "lhs"],
            "has no [[uncertainty]] entries",
        ),
        // More Morris levels than trajectories.
        (
            &[
                "explore", "ishigami", "--design", "morris", "--points", "4", "--levels", "6",
            ],
            "allowed: an even number of levels from 2 to 4",
        ),
        (
            &["explore", "ishigami", "--design", "morris", "--levels", "5"],
            "allowed for Morris: an even number",
        ),
        (
            &[
                "explore",
                "ishigami",
                "--design",
                "factorial",
                "--points",
                "9",
            ],
            "set --levels instead",
        ),
        (
            &["explore", "ishigami", "--design", "halton"],
            "allowed: lhs, sobol, morris, factorial",
        ),
        (&["explore", "ishigami", "--outcomes", "z"], "allowed: y"),
        (
            &["explore", "nato-2021", "--levers", "gas_price"],
            "allowed: costs_of_aggression, counter_disinfo, dialogue",
        ),
        (
            &["explore", "ishigami", "--replications", "0"],
            "--replications 0: allowed",
        ),
    ];
    for (args, want) in cases {
        let mut a = args.to_vec();
        a.extend_from_slice(&["--out", p(&out), "-q"]);
        let o = run(&a);
        assert!(!o.status.success(), "{a:?} succeeded");
        assert_no_panic(&o);
        let e = stderr(&o);
        assert!(e.contains(want), "{a:?}: {e}");
        assert!(!out.exists(), "{a:?} left an output directory");
    }
}

#[test]
fn morris_and_lhs_designs_run_and_plot_redraws_the_same_charts() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("morris");
    run_ok(&[
        "explore",
        "ishigami",
        "--design",
        "morris",
        "--points",
        "40",
        "--levels",
        "4",
        "--replications",
        "1",
        "--seed",
        "2",
        "--out",
        p(&m),
        "-q",
    ]);
    let t = Table::read(&m.join("sensitivity.csv"));
    // On Ishigami x1 and x2 matter more than x3's first-order effect suggests, and x3 matters
    // only through x1: every μ* is positive, σ too.
    for x in ["x1", "x2", "x3"] {
        assert!(index(&t, "function", "", "mu_star", x, "") > 0.0);
    }
    assert_eq!(Table::read(&m.join("design.csv")).rows.len(), 40 * 4);
    // `cohesion plot` on an exploration redraws its charts byte for byte.
    let again = dir.path().join("again");
    run_ok(&["plot", p(&m), "--out", p(&again), "-q"]);
    let a = std::fs::read(m.join("charts/sensitivity-y.svg")).unwrap();
    let b = std::fs::read(again.join("charts/sensitivity-y.svg")).unwrap();
    assert!(a == b, "redrawn chart differs");
    let html = std::fs::read_to_string(m.join("report.html")).unwrap();
    assert!(html.contains("<svg") && html.contains("What decides each comparison"));
    // A Latin hypercube gives rank correlations; x2 acts through sin², so its correlation is
    // small, while x1's is clearly positive (y rises with sin x1).
    let l = dir.path().join("lhs");
    run_ok(&[
        "explore",
        "ishigami",
        "--design",
        "lhs",
        "--points",
        "500",
        "--replications",
        "1",
        "--seed",
        "3",
        "--out",
        p(&l),
        "--no-charts",
        "-q",
    ]);
    let t = Table::read(&l.join("sensitivity.csv"));
    assert!(index(&t, "function", "", "rho", "x1", "") > 0.3);
    assert!(index(&t, "function", "", "rho", "x2", "").abs() < 0.15);
}

#[test]
fn an_exploration_of_a_newer_format_is_refused_by_plot_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let x = dir.path().join("x");
    run_ok(&[
        "explore",
        "ishigami",
        "--design",
        "lhs",
        "--points",
        "20",
        "--replications",
        "1",
        "--seed",
        "4",
        "--out",
        p(&x),
        "--no-charts",
        "-q",
    ]);
    // The folder as written is read.
    run_ok(&["plot", p(&x), "--out", p(&dir.path().join("ok")), "-q"]);
    let m = std::fs::read_to_string(x.join("manifest.json")).unwrap();
    let format = cohesion::output::explore::FORMAT;
    assert!(m.contains(format), "{m}");
    std::fs::write(
        x.join("manifest.json"),
        m.replace(format, "cohesion-explore/99"),
    )
    .unwrap();
    let out = dir.path().join("charts");
    let o = run(&["plot", p(&x), "--out", p(&out), "-q"]);
    assert_no_panic(&o);
    let err = stderr(&o);
    assert!(!o.status.success(), "accepted; stderr: {err}");
    for needle in [
        "manifest.json",
        "cohesion-explore/99",
        format,
        "run the exploration again",
    ] {
        assert!(err.contains(needle), "expected {needle:?} in:\n{err}");
    }
    assert!(!out.exists(), "plot wrote charts for a folder it refused");
}
