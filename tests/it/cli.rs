//! The command line as a user sees it: `scenarios`, `describe`, `init`, `run` without a
//! scenario, fresh seeds, the manifest and the layout of the output tables.

use crate::util;

use std::path::Path;

use util::{BUILTINS, Table, assert_no_panic, cohesion, run, run_ok, run_to, stderr, stdout};

fn manifest(out: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(out.join("manifest.json")).expect("manifest.json");
    serde_json::from_str(&text).expect("manifest.json is JSON")
}

#[test]
fn scenarios_lists_the_builtins_with_the_default_marked() {
    let text = stdout(&run_ok(&["scenarios"]));
    for name in BUILTINS {
        assert!(
            text.lines()
                .any(|l| l.split_whitespace().next() == Some(name)),
            "{name} not listed:\n{text}"
        );
    }
    assert_eq!(text.matches("(default)").count(), 1, "{text}");
    assert!(text.contains("nato-2021 (default)"), "{text}");
    // Each with its description.
    assert!(text.contains("KTAB spatial bargaining"), "{text}");
    // The targets files of `cohesion calibrate` are built in, but are not scenarios.
    assert!(!text.contains("targets"), "{text}");
}

#[test]
fn describe_prints_the_parameter_table() {
    let text = stdout(&run_ok(&["describe", "hegselmann-krause"]));
    for col in [
        "parameter",
        "section",
        "type",
        "range",
        "default",
        "meaning",
    ] {
        assert!(text.contains(col), "no {col} column:\n{text}");
    }
    for (name, range, default) in [
        ("agents", "2..=100000", "1000"),
        ("epsilon", "[0, 1]", "0.25"),
        ("tolerance", "[0, 0.1]", "1e-9"),
        ("cluster_gap", "[0, 1]", "0.001"),
        ("major_share", "[0, 1]", "0.02"),
    ] {
        let line = text
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no row for {name}:\n{text}"));
        assert!(
            line.contains(range) && line.contains(default),
            "{name}: {line}"
        );
    }
    assert!(text.contains("shift"), "inject kinds missing:\n{text}");
}

#[test]
fn describe_markdown_prints_a_markdown_table() {
    let text = stdout(&run_ok(&["describe", "hegselmann-krause", "--markdown"]));
    assert!(text.starts_with("## `hegselmann-krause`"), "{text}");
    assert!(
        text.contains(
            "| parameter | section | type | range | default | meaning |\n|---|---|---|---|---|---|"
        ),
        "{text}"
    );
    assert!(
        text.contains("| `epsilon` | model | real | [0, 1] | 0.25 |"),
        "{text}"
    );
    assert!(text.contains("| `major_share` | outcomes |"), "{text}");
    // Every table row has the same number of cells as the header.
    for l in text.lines().filter(|l| l.starts_with("| `")) {
        let cells = l.matches('|').count();
        assert!(cells == 7 || cells == 5 || cells == 4, "{l}");
    }
    // The bargaining model also lists its actor fields.
    let text = stdout(&run_ok(&["describe", "bargaining", "--markdown"]));
    assert!(
        text.contains("| actor field | required | allowed | meaning |"),
        "{text}"
    );
    assert!(text.contains("| `position_1` | yes |"), "{text}");
}

#[test]
fn describe_of_an_unknown_model_lists_the_models() {
    let o = run(&["describe", "hk"]);
    assert!(!o.status.success());
    assert_no_panic(&o);
    assert!(
        stderr(&o).contains(
            "allowed: alliance, deffuant, hegselmann-krause, bargaining, ishigami, toy-normal, toy-nonlinear"
        ),
        "{}",
        stderr(&o)
    );
}

const SCENARIO_MD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/SCENARIO.md");
const BEGIN_GENERATED: &str = "<!-- BEGIN GENERATED:";
const END_GENERATED: &str = "<!-- END GENERATED -->";

/// docs/SCENARIO.md's reference is what `describe --scenario-format --markdown` prints (which
/// reads the validator's own declarations). After changing a declaration, regenerate it with
/// `COHESION_UPDATE_DOCS=1 cargo test --release --test it scenario_md`.
#[test]
fn scenario_md_reference_is_the_generated_one() {
    let generated = stdout(&run_ok(&["describe", "--scenario-format", "--markdown"]));
    let doc = std::fs::read_to_string(SCENARIO_MD).expect("docs/SCENARIO.md");
    let begin = doc
        .find(BEGIN_GENERATED)
        .expect("no BEGIN GENERATED marker");
    let start = begin + doc[begin..].find('\n').unwrap() + 1;
    let end = doc.find(END_GENERATED).expect("no END GENERATED marker");
    assert!(start <= end, "markers out of order");
    if std::env::var_os("COHESION_UPDATE_DOCS").is_some() {
        let text = format!("{}{generated}{}", &doc[..start], &doc[end..]);
        std::fs::write(SCENARIO_MD, text).unwrap();
        return;
    }
    let got = &doc[start..end];
    if got != generated {
        let line = got
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(got.lines().count().min(generated.lines().count()));
        panic!(
            "docs/SCENARIO.md's reference differs from `cohesion describe --scenario-format --markdown` \
             from its line {} on; regenerate with COHESION_UPDATE_DOCS=1 cargo test --release --test it scenario_md",
            line + 1
        );
    }
}

#[test]
fn describe_scenario_format_lists_every_section_and_key() {
    // The keys and limits of the format as the README's scenario example and the validator's
    // messages state them.
    let text = stdout(&run_ok(&["describe", "--scenario-format"]));
    for section in [
        "[scenario]",
        "[run]",
        "[model]",
        "[outcomes]",
        "[actors]",
        "[[actor]]",
        "[[policy]]",
        "[[uncertainty]]",
        "[[inject]]",
    ] {
        assert!(
            text.lines().any(|l| l.starts_with(section)),
            "no {section}:\n{text}"
        );
    }
    for (key, allowed) in [
        ("extends", "relative to this file"),
        ("turns", "a whole number from 1 to 10000"),
        (
            "turn_length",
            "one of day, week, month, quarter, year, step",
        ),
        (
            "trials",
            "a whole number from 1 to 68719476720; default: 1000",
        ),
        (
            "block_size",
            "a whole number from 1 to 1000000; default: 256",
        ),
        ("seed", "a whole number from 0 to 9223372036854775807"),
        ("baseline", "true or false; default: false"),
        (
            "dist",
            "one of uniform, triangular, truncnormal, beta, choice",
        ),
    ] {
        assert!(
            text.lines()
                .any(|l| l.trim_start().starts_with(key) && l.contains(allowed)),
            "no {key} with {allowed:?}:\n{text}"
        );
    }
    assert!(
        text.contains("beta         alpha, beta, [min], [max]"),
        "{text}"
    );
    // The Markdown form holds every model's tables too, each row complete.
    let md = stdout(&run_ok(&["describe", "--scenario-format", "--markdown"]));
    for kind in [
        "alliance",
        "deffuant",
        "hegselmann-krause",
        "bargaining",
        "toy-normal",
        "toy-nonlinear",
    ] {
        assert!(md.contains(&format!("### `{kind}`: ")), "no model {kind}");
    }
    let mut header_cells = 0;
    for l in md.lines() {
        if !l.starts_with('|') {
            header_cells = 0;
            continue;
        }
        let cells = l.replace("\\|", "").matches('|').count();
        if header_cells == 0 {
            header_cells = cells;
        }
        assert_eq!(cells, header_cells, "row with a wrong number of cells: {l}");
    }
    // `describe` needs a model or --scenario-format, not both.
    for args in [
        &["describe"][..],
        &["describe", "alliance", "--scenario-format"],
    ] {
        let o = run(args);
        assert_no_panic(&o);
        assert!(!o.status.success(), "{args:?} should fail");
    }
}

#[test]
fn init_writes_an_editable_copy_that_validates_and_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("work");
    let o = run_ok(&["init", "reference/ktab-soe-pol-comp", dir.to_str().unwrap()]);
    let toml = dir.join("reference/ktab-soe-pol-comp.toml");
    let csv = dir.join("reference/data/soe-pol-comp.csv");
    assert!(toml.is_file() && csv.is_file(), "{}", stdout(&o));
    assert_eq!(std::fs::read_to_string(&toml).unwrap(), util::KTAB);
    assert_eq!(std::fs::read_to_string(&csv).unwrap(), util::KTAB_CSV);

    // It validates, and runs from its folder with relative paths.
    let o = cohesion()
        .current_dir(&dir)
        .args(["validate", "reference/ktab-soe-pol-comp.toml"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let o = cohesion()
        .current_dir(&dir)
        .args([
            "run",
            "reference/ktab-soe-pol-comp.toml",
            "--trials",
            "5",
            "--seed",
            "4",
            "--out",
            "res",
            "-q",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let m = manifest(&dir.join("res"));
    assert_eq!(m["scenario_path"], "reference/ktab-soe-pol-comp.toml");
    let files = m["files"].as_array().unwrap();
    assert!(
        files
            .iter()
            .any(|f| f["path"] == "reference/data/soe-pol-comp.csv"),
        "{files:?}"
    );

    // It is editable: the copy's data is what runs.
    let edited = util::KTAB_CSV.replacen("XJ,Xi Jinping,100.0", "XJ,Xi Jinping,1000.0", 1);
    std::fs::write(&csv, edited).unwrap();
    let o = cohesion()
        .current_dir(&dir)
        .args([
            "run",
            "reference/ktab-soe-pol-comp.toml",
            "--trials",
            "5",
            "--seed",
            "4",
            "--out",
            "res2",
            "-q",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let before = util::summary_value(&dir.join("res"), "as-given", "win_prob.XJ", "mean");
    let after = util::summary_value(&dir.join("res2"), "as-given", "win_prob.XJ", "mean");
    assert!(after > before, "editing the copy's CSV changed nothing");

    // It does not overwrite an existing copy without --force.
    let o = run(&["init", "reference/ktab-soe-pol-comp", dir.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    run_ok(&[
        "init",
        "reference/ktab-soe-pol-comp",
        dir.to_str().unwrap(),
        "--force",
    ]);
    assert_eq!(std::fs::read_to_string(&csv).unwrap(), util::KTAB_CSV);
}

#[test]
fn run_without_a_scenario_runs_the_default_one() {
    let tmp = tempfile::tempdir().unwrap();
    let o = cohesion()
        .current_dir(tmp.path())
        .args(["run", "--trials", "2", "--seed", "5", "--out", "tmp", "-q"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let m = manifest(&tmp.path().join("tmp"));
    assert_eq!(m["scenario"], "nato-2021");
    assert_eq!(m["scenario_path"], "builtin:nato-2021.toml");
    assert_eq!(m["trials"], 2);
}

#[test]
fn run_writes_to_output_scenario_seed_by_default() {
    let tmp = tempfile::tempdir().unwrap();
    let o = cohesion()
        .current_dir(tmp.path())
        .args(["run", "reference/hk-0.3", "--trials", "2", "--seed", "77"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let out = tmp.path().join("output/hk-0.3-77");
    assert!(out.join("manifest.json").is_file());
    // Without --quiet, the report names the result folder.
    assert!(stdout(&o).contains("output/hk-0.3-77"), "{}", stdout(&o));
}

#[test]
fn a_fresh_seed_is_printed_and_recorded() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("fresh");
    let o = run_ok(&[
        "run",
        "reference/hk-0.3",
        "--trials",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = stderr(&o);
    let seed: u64 = err
        .split("seed: ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no fresh seed on stderr:\n{err}"));
    let m = manifest(&out);
    assert_eq!(m["seed"], seed);
    assert_eq!(m["seed_generated"], true);
    // The printed seed repeats the run.
    let again = tmp.path().join("again");
    run_to("reference/hk-0.3", &again, seed, &["--trials", "2"]);
    assert_eq!(
        std::fs::read(out.join("trials.csv")).unwrap(),
        std::fs::read(again.join("trials.csv")).unwrap()
    );
    assert_eq!(manifest(&again)["seed_generated"], false);
}

#[test]
fn manifest_records_everything_needed_to_reproduce_the_run() {
    let dir = util::scenario_dir();
    util::write_files(dir.path(), &[("hk-small.toml", util::HK_SMALL)]);
    let sc = dir.path().join("hk-small.toml");
    let out = dir.path().join("out");
    run_to(
        sc.to_str().unwrap(),
        &out,
        99,
        &["--trials", "20", "--threads", "2", "--block-size", "8"],
    );
    let m = manifest(&out);
    for key in [
        "cohesion_version",
        "git_commit",
        "command_line",
        "scenario_path",
        "scenario_blake3",
        "files",
        "seed",
        "seed_generated",
        "trials",
        "block_size",
        "threads",
        "target",
        "started",
        "finished",
        "wall_seconds",
        "trials_per_second",
    ] {
        assert!(m.get(key).is_some(), "manifest.json lacks {key}: {m:#}");
    }
    assert_eq!(m["cohesion_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(m["seed"], 99);
    assert_eq!(m["seed_generated"], false);
    assert_eq!(m["trials"], 20);
    assert_eq!(m["block_size"], 8);
    assert_eq!(m["threads"], 2);
    assert_eq!(m["scenario_path"], sc.display().to_string());
    let cl: Vec<&str> = m["command_line"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(cl.contains(&"--block-size") && cl.contains(&"99"), "{cl:?}");
    assert!(!m["target"].as_str().unwrap().is_empty());
    for k in ["started", "finished"] {
        let t = m[k].as_str().unwrap();
        assert!(
            t.len() == 20 && t.ends_with('Z') && &t[10..11] == "T",
            "{k}: {t}"
        );
    }
    assert!(m["started"].as_str() <= m["finished"].as_str());
    assert!(m["wall_seconds"].as_f64().unwrap() > 0.0);
    assert!(m["trials_per_second"].as_f64().unwrap() > 0.0);

    // The hashes are BLAKE3 of the bytes of the scenario and of every file it pulls in.
    let hash = |p: &Path| {
        blake3::hash(&std::fs::read(p).unwrap())
            .to_hex()
            .to_string()
    };
    assert_eq!(m["scenario_blake3"], hash(&sc));
    let files = m["files"].as_array().unwrap();
    let parent = dir.path().join("hk-0.25.toml");
    for p in [&sc, &parent] {
        let entry = files
            .iter()
            .find(|f| f["path"] == p.display().to_string())
            .unwrap_or_else(|| panic!("{} not in files: {files:?}", p.display()));
        assert_eq!(entry["blake3"], hash(p));
    }
}

#[test]
fn output_tables_have_their_documented_columns() {
    let dir = util::scenario_dir();
    util::write_files(dir.path(), &[("hk-small.toml", util::HK_SMALL)]);
    let out = dir.path().join("out");
    run_to(
        dir.path().join("hk-small.toml").to_str().unwrap(),
        &out,
        3,
        &["--trials", "10"],
    );
    let header = |f: &str| Table::read(&out.join(f)).header;
    assert_eq!(
        header("summary.csv"),
        [
            "option",
            "outcome",
            "kind",
            "n",
            "mean",
            "sd",
            "mcse",
            "mean_lo95",
            "mean_hi95",
            "p5",
            "p25",
            "p50",
            "p75",
            "p95",
            "min",
            "max",
            "prob",
            "prob_lo95",
            "prob_hi95"
        ]
    );
    assert_eq!(
        header("timeseries.csv"),
        [
            "option", "turn", "metric", "n", "mean", "p5", "p25", "p50", "p75", "p95"
        ]
    );
    assert_eq!(
        header("comparison.csv"),
        [
            "option",
            "baseline",
            "outcome",
            "n",
            "mean_diff",
            "sd_diff",
            "mcse",
            "diff_lo95",
            "diff_hi95",
            "verdict"
        ]
    );
    assert_eq!(
        header("trials.csv"),
        [
            "trial",
            "option",
            "epsilon",
            "clusters",
            "major_clusters",
            "consensus",
            "converged",
            "steps",
            "spread",
            "mean_opinion"
        ]
    );
    // Long layout: one row per (trial, option), (option, outcome), (option, turn, metric).
    assert_eq!(Table::read(&out.join("trials.csv")).rows.len(), 10 * 3);
    assert_eq!(Table::read(&out.join("summary.csv")).rows.len(), 3 * 7);
    assert_eq!(
        Table::read(&out.join("timeseries.csv")).rows.len(),
        3 * 40 * 2
    );
    let c = Table::read(&out.join("comparison.csv"));
    assert_eq!(c.rows.len(), 2 * 7);
    assert!(c.rows.iter().all(|r| r[1] == "reference"));
}

#[test]
fn bad_run_arguments_are_clear_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("x");
    let out = out.to_str().unwrap();
    for (args, needle) in [
        (
            vec!["run", "reference/hk-0.3", "--trials", "0", "--out", out],
            "--trials",
        ),
        (
            vec![
                "run",
                "reference/ktab-soe-pol-comp",
                "--policies",
                "nope",
                "--out",
                out,
            ],
            "allowed: as-given, noisy-capabilities, noisy-positions",
        ),
        (vec!["run", "no/such-scenario", "--out", out], "built-in:"),
        (
            vec![
                "trace",
                "reference/ktab-soe-pol-comp",
                "--policy",
                "as-given",
                "--trial",
                "0",
            ],
            "--seed is required",
        ),
        (
            vec![
                "trace",
                "reference/ktab-soe-pol-comp",
                "--policy",
                "nope",
                "--trial",
                "0",
                "--seed",
                "1",
            ],
            "allowed: as-given",
        ),
    ] {
        let o = run(&args);
        assert!(!o.status.success(), "{args:?} succeeded");
        assert_no_panic(&o);
        assert!(stderr(&o).contains(needle), "{args:?}:\n{}", stderr(&o));
    }
    assert!(!Path::new(out).exists());
}
