//! A synthetic run directory with the alliance model's outcome and series names, for chart
//! and report tests while the model itself is built elsewhere. The numbers come from a small
//! seeded generator with per-option effects, and every table is computed from the trials, so
//! that the charts drawn from it look like those of a real run.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::Path;

use cohesion::output::manifest::Manifest;

pub const OPTIONS: [&str; 5] = [
    "status-quo",
    "label-hostile",
    "dialogue",
    "counter-disinformation",
    "full-package",
];

pub const ALLIES: [&str; 30] = [
    "Albania",
    "Belgium",
    "Bulgaria",
    "Canada",
    "Croatia",
    "Czechia",
    "Denmark",
    "Estonia",
    "France",
    "Germany",
    "Greece",
    "Hungary",
    "Iceland",
    "Italy",
    "Latvia",
    "Lithuania",
    "Luxembourg",
    "Montenegro",
    "Netherlands",
    "North Macedonia",
    "Norway",
    "Poland",
    "Portugal",
    "Romania",
    "Slovakia",
    "Slovenia",
    "Spain",
    "Turkey",
    "United Kingdom",
    "United States",
];

pub const TURNS: usize = 36;

/// SplitMix64: small, seeded, good enough for test data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn uniform(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn normal(&mut self) -> f64 {
        let u1 = self.uniform().max(1e-12);
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
}

fn clamp01(x: f64) -> f64 {
    x.clamp(0.0, 1.0)
}

/// Outcome names and kinds, in trials.csv order.
pub fn outcomes() -> Vec<(String, &'static str)> {
    let mut v: Vec<(String, &'static str)> = vec![
        ("cohesion_final".into(), "real"),
        ("cohesion_mean".into(), "real"),
        ("cohesion_min".into(), "real"),
        ("fracture".into(), "binary"),
        ("fracture_turn".into(), "turn"),
        ("unilateral_peak".into(), "count"),
        ("credibility_final".into(), "real"),
        ("crises".into(), "count"),
        ("ally_attacked".into(), "binary"),
        ("attack_turn".into(), "turn"),
    ];
    for a in ALLIES {
        v.push((format!("channel.{a}"), "binary"));
    }
    v
}

const METRICS: [&str; 4] = ["cohesion", "credibility", "unilateral_share", "threat_mean"];

fn quantile(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    let i = ((q * n as f64).ceil() as usize).clamp(1, n) - 1;
    sorted[i]
}

fn cell(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        format!("{x}")
    }
}

fn wilson(k: f64, n: f64) -> (f64, f64) {
    let z = 1.959963984540054;
    let p = k / n;
    let d = 1.0 + z * z / n;
    let c = (p + z * z / (2.0 * n)) / d;
    let h = z * ((p * (1.0 - p) + z * z / (4.0 * n)) / n).sqrt() / d;
    ((c - h).max(0.0), (c + h).min(1.0))
}

fn moments(xs: &[f64]) -> (f64, f64, f64, f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = if xs.len() > 1 {
        xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    let sd = var.sqrt();
    let mcse = sd / n.sqrt();
    (mean, sd, mcse, mean - 1.96 * mcse, mean + 1.96 * mcse)
}

/// Writes a complete synthetic alliance run (CSV files, injects, options, manifest) into `dir`.
pub fn alliance_run(dir: &Path, trials: usize, with_injects: bool) {
    std::fs::create_dir_all(dir).unwrap();
    let outs = outcomes();
    let n_opt = OPTIONS.len();
    let coh = [0.0, 0.035, -0.02, 0.03, 0.06];
    let cred = [0.0, 0.05, -0.04, 0.01, 0.08];
    let chan = [0.0, -0.05, 0.06, -0.03, -0.08];
    // values[p][o][k]
    let mut values = vec![vec![vec![f64::NAN; trials]; outs.len()]; n_opt];
    // series[p][t][m][k]
    let mut series = vec![vec![vec![vec![0.0; trials]; METRICS.len()]; TURNS]; n_opt];
    let mut trials_csv = String::from("trial,option,risk_appetite");
    for (n, _) in &outs {
        let _ = write!(trials_csv, ",{n}");
    }
    trials_csv.push('\n');
    for k in 0..trials {
        let mut common = Rng::new(1000 + k as u64);
        let risk = common.uniform();
        let z1 = common.normal();
        let z2 = common.normal();
        let z3 = common.normal();
        let u_att = common.uniform();
        let u_fr = common.uniform();
        let ally_u: Vec<f64> = (0..ALLIES.len()).map(|_| common.uniform()).collect();
        for p in 0..n_opt {
            let mut own = Rng::new(((k as u64) << 8) + p as u64 + 77);
            let cf = clamp01(0.62 + coh[p] + 0.11 * z1 + 0.03 * own.normal() - 0.05 * risk);
            let cmin = clamp01(cf - (0.12 + 0.05 * z2.abs() + 0.02 * own.uniform()));
            let cmean = clamp01((cf + cmin) / 2.0 + 0.04);
            let fracture = if cmin < 0.33 || u_fr < 0.02 { 1.0 } else { 0.0 };
            let fturn = if fracture > 0.0 {
                (4.0 + 30.0 * own.uniform()).floor()
            } else {
                f64::NAN
            };
            let peak = (3.2 + 20.0 * chan[p] + 1.6 * z2 + 0.8 * own.normal())
                .round()
                .max(0.0);
            let crd = clamp01(0.55 + cred[p] + 0.09 * z3 + 0.02 * own.normal());
            let crises = (1.5 + 3.0 * risk + 0.8 * own.normal()).round().max(0.0);
            let attacked = if u_att < 0.02 + 0.10 * (1.0 - crd) * risk {
                1.0
            } else {
                0.0
            };
            let aturn = if attacked > 0.0 {
                (2.0 + 33.0 * own.uniform()).floor()
            } else {
                f64::NAN
            };
            let mut row = vec![
                cf, cmean, cmin, fracture, fturn, peak, crd, crises, attacked, aturn,
            ];
            for (a, u) in ally_u.iter().enumerate() {
                let base = 0.04
                    + 0.5 * ((a * 7919) % 31) as f64 / 31.0 * if a % 3 == 0 { 1.0 } else { 0.4 };
                row.push(if *u < (base + chan[p]).clamp(0.0, 1.0) {
                    1.0
                } else {
                    0.0
                });
            }
            let _ = write!(trials_csv, "{k},{},{risk}", OPTIONS[p]);
            for (o, v) in row.iter().enumerate() {
                values[p][o][k] = *v;
                let _ = write!(trials_csv, ",{}", cell(*v));
            }
            trials_csv.push('\n');
            for (t, at_turn) in series[p].iter_mut().enumerate() {
                let f = t as f64 / (TURNS - 1) as f64;
                let shock = if with_injects && t >= 4 {
                    0.08 * (-(t as f64 - 4.0) / 6.0).exp()
                } else {
                    0.0
                };
                let c = clamp01(0.72 + (cf - 0.72) * f - shock + 0.015 * own.normal());
                let r = clamp01(0.5 + (crd - 0.5) * f + 0.015 * own.normal());
                let share = clamp01((peak / 30.0) * f.sqrt() * 0.9 + 0.01 * own.uniform());
                let threat = clamp01(0.45 + 0.2 * risk + shock * 3.0 + 0.02 * own.normal());
                at_turn[0][k] = c;
                at_turn[1][k] = r;
                at_turn[2][k] = share;
                at_turn[3][k] = threat;
            }
        }
    }
    std::fs::write(dir.join("trials.csv"), trials_csv).unwrap();

    let mut summary = String::from(
        "option,outcome,kind,n,mean,sd,mcse,mean_lo95,mean_hi95,p5,p25,p50,p75,p95,min,max,prob,prob_lo95,prob_hi95\n",
    );
    for p in 0..n_opt {
        for (o, (name, kind)) in outs.iter().enumerate() {
            let mut xs: Vec<f64> = values[p][o]
                .iter()
                .copied()
                .filter(|x| !x.is_nan())
                .collect();
            xs.sort_by(f64::total_cmp);
            let _ = write!(summary, "{},{name},{kind},{}", OPTIONS[p], xs.len());
            if xs.is_empty() {
                summary.push_str(",,,,,,,,,,,,,,,\n");
                continue;
            }
            let (m, sd, se, lo, hi) = moments(&xs);
            let _ = write!(summary, ",{m},{sd},{se},{lo},{hi}");
            for q in [0.05, 0.25, 0.5, 0.75, 0.95] {
                let _ = write!(summary, ",{}", quantile(&xs, q));
            }
            let _ = write!(summary, ",{},{}", xs[0], xs[xs.len() - 1]);
            if *kind == "binary" {
                let k = xs.iter().sum::<f64>();
                let (a, b) = wilson(k, xs.len() as f64);
                let _ = write!(summary, ",{},{a},{b}", k / xs.len() as f64);
            } else {
                summary.push_str(",,,");
            }
            summary.push('\n');
        }
    }
    std::fs::write(dir.join("summary.csv"), summary).unwrap();

    let mut ts = String::from("option,turn,metric,n,mean,p5,p25,p50,p75,p95\n");
    for p in 0..n_opt {
        for (t, at_turn) in series[p].iter().enumerate() {
            for (m, name) in METRICS.iter().enumerate() {
                let mut xs = at_turn[m].clone();
                xs.sort_by(f64::total_cmp);
                let (mean, ..) = moments(&xs);
                let _ = write!(ts, "{},{},{name},{},{mean}", OPTIONS[p], t + 1, xs.len());
                for q in [0.05, 0.25, 0.5, 0.75, 0.95] {
                    let _ = write!(ts, ",{}", quantile(&xs, q));
                }
                ts.push('\n');
            }
        }
    }
    std::fs::write(dir.join("timeseries.csv"), ts).unwrap();

    let mut cmp =
        String::from("option,baseline,outcome,n,mean_diff,sd_diff,mcse,diff_lo95,diff_hi95\n");
    for p in 1..n_opt {
        for (o, (name, _)) in outs.iter().enumerate() {
            let d: Vec<f64> = (0..trials)
                .map(|k| values[p][o][k] - values[0][o][k])
                .filter(|x| !x.is_nan())
                .collect();
            let _ = write!(cmp, "{},{},{name},{}", OPTIONS[p], OPTIONS[0], d.len());
            if d.is_empty() {
                cmp.push_str(",,,,,\n");
            } else {
                let (m, sd, se, lo, hi) = moments(&d);
                let _ = writeln!(cmp, ",{m},{sd},{se},{lo},{hi}");
            }
        }
    }
    std::fs::write(dir.join("comparison.csv"), cmp).unwrap();

    let mut inj = String::from("turn,date,kind,name,description\n");
    if with_injects {
        inj.push_str("1,2021-10-18,diplomatic,Russia suspends its mission to NATO,Mission suspension announced by Lavrov\n");
        inj.push_str("1,2021-11-01,diplomatic,NATO Information Office in Moscow closed,\n");
        inj.push_str("5,2022-02-24,aggression,Full-scale invasion of Ukraine,\"Hindcast: the invasion, as an inject\"\n");
        inj.push_str("9,2022-06-29,summit,Madrid summit: new Strategic Concept,\n");
    }
    std::fs::write(dir.join("injects.csv"), inj).unwrap();

    let pol = "option,baseline,lever,value,description
status-quo,true,label,threat,\"The June 2021 line: defence, deterrence and an offer of dialogue\"
status-quo,true,dialogue,open,\"The June 2021 line: defence, deterrence and an offer of dialogue\"
label-hostile,false,label,adversary,Russia's policy and posture labelled hostile
label-hostile,false,dialogue,conditional,Russia's policy and posture labelled hostile
dialogue,false,dialogue,open,Actively seek to reactivate the NATO–Russia Council
dialogue,false,dialogue_effort,0.8,Actively seek to reactivate the NATO–Russia Council
counter-disinformation,false,counter_disinformation,0.6,Every Ally pulls its weight against disinformation
full-package,false,label,adversary,\"Label hostile, counter disinformation, resilience, costs of aggression\"
full-package,false,counter_disinformation,0.6,\"Label hostile, counter disinformation, resilience, costs of aggression\"
full-package,false,resilience,0.3,\"Label hostile, counter disinformation, resilience, costs of aggression\"
";
    std::fs::write(dir.join("policies.csv"), pol).unwrap();

    let manifest = Manifest {
        format: cohesion::output::manifest::FORMAT.into(),
        cohesion_version: "0.1.0".into(),
        git_commit: None,
        command_line: vec!["cohesion".into(), "run".into(), "nato-2021".into()],
        scenario: "nato-2021".into(),
        scenario_description: "NATO–Russia, October 2021: Russia suspends its mission to NATO; how should the Alliance answer? (synthetic test data)".into(),
        turn_length: "month".into(),
        start: Some("2021-10".into()),
        turns: Some(TURNS),
        scenario_path: "builtin:nato-2021.toml".into(),
        scenario_blake3: "0".repeat(64),
        files: vec![],
        model: "alliance".into(),
        seed: 42,
        seed_generated: false,
        trials: trials as u64,
        block_size: 100,
        threads: 2,
        policies: OPTIONS.iter().map(|s| s.to_string()).collect(),
        baseline: "status-quo".into(),
        target: "test".into(),
        started: "2021-10-18T00:00:00Z".into(),
        finished: "2021-10-18T00:00:01Z".into(),
        wall_seconds: 1.0,
        trials_per_second: trials as f64,
        quantile_accuracy: "exact (synthetic)".into(),
        key_outcomes: Vec::new(),
        negligible: Default::default(),
    };
    manifest.write(&dir.join("manifest.json")).unwrap();
}

/// Width and height from a PNG's IHDR chunk, after checking the signature.
pub fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.len() > 33, "PNG too short");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR", "first chunk is not IHDR");
    let w = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    (w, h)
}

/// Width and height attributes of an SVG's root element, after checking that it is one.
pub fn svg_size(text: &str) -> (u32, u32) {
    let start = text.find("<svg").expect("no <svg> element");
    let end = start + text[start..].find('>').expect("unterminated <svg>");
    let tag = &text[start..end];
    let attr = |name: &str| -> u32 {
        let k = format!(" {name}=\"");
        let i = tag
            .find(&k)
            .unwrap_or_else(|| panic!("no {name} attribute"))
            + k.len();
        let j = i + tag[i..].find('"').unwrap();
        tag[i..j].parse().unwrap()
    };
    assert!(text.trim_end().ends_with("</svg>"), "SVG not closed");
    (attr("width"), attr("height"))
}
