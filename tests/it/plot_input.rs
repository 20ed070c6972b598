//! `cohesion plot` on damaged, edited or foreign run folders: every table is checked, and the
//! first wrong row is named (file, row, column); nothing is drawn from wrong data, nothing
//! allocates by what a table claims, and charts of tables that are gone do not stay behind.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::util;
use util::{assert_no_panic, run, stderr};

/// A finished run of a small HK scenario (three options, time series, an inject), made once.
fn base_run() -> &'static Path {
    static DIR: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, p) = DIR.get_or_init(|| {
        let d = util::scenario_dir();
        util::write_files(d.path(), &[("small.toml", util::HK_SMALL)]);
        let out = d.path().join("run");
        let sc = d.path().join("small.toml");
        util::run_to(sc.to_str().unwrap(), &out, 5, &["--trials", "6"]);
        (d, out)
    });
    p
}

/// A copy of the base run, with `edit` applied; then `cohesion plot COPY`.
fn plot_edited(edit: impl Fn(&Path)) -> (std::process::Output, tempfile::TempDir) {
    let d = tempfile::tempdir().unwrap();
    let copy = d.path().join("run");
    copy_dir(base_run(), &copy);
    edit(&copy);
    let o = run(&["plot", copy.to_str().unwrap(), "--format", "svg", "-q"]);
    assert_no_panic(&o);
    (o, d)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), t).unwrap();
        }
    }
}

/// Replaces the cell of `column` in data row `row` (1 = first row after the header).
fn set_cell(path: &Path, row: usize, column: &str, value: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let col = lines[0].split(',').position(|c| c == column).unwrap();
    let mut cells: Vec<String> = lines[row].split(',').map(str::to_string).collect();
    cells[col] = value.to_string();
    lines[row] = cells.join(",");
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

/// Asserts `plot` refused, naming every needle.
fn refused(o: &std::process::Output, needles: &[&str]) {
    let err = stderr(o);
    assert!(!o.status.success(), "accepted; stderr: {err}");
    for n in needles {
        assert!(err.contains(n), "expected {n:?} in:\n{err}");
    }
}

#[test]
fn a_turn_of_999999999_in_timeseries_is_refused_before_anything_is_allocated() {
    // Regression: one row with turn 999999999 aborted allocating 4 GB; turn 2,000,000 took
    // 31 s and 967 MB.
    for turn in ["999999999", "2000000", "0"] {
        let (o, _d) = plot_edited(|p| set_cell(&p.join("timeseries.csv"), 2, "turn", turn));
        refused(
            &o,
            &[
                "timeseries.csv: row 3: column turn",
                &format!("turn {turn} is outside the horizon"),
            ],
        );
    }
}

#[test]
fn nan_and_1e308_values_are_refused_with_file_row_and_column() {
    // Regression: NaN and 1e308 were drawn without a word.
    for (file, col, v) in [
        ("summary.csv", "mean", "NaN"),
        ("summary.csv", "p50", "1e308"),
        ("timeseries.csv", "p95", "inf"),
        ("comparison.csv", "mean_diff", "-1e300"),
    ] {
        let (o, _d) = plot_edited(|p| set_cell(&p.join(file), 1, col, v));
        refused(
            &o,
            &[&format!("{file}: row 2: column {col}"), "finite number"],
        );
    }
    // An outcome value in trials.csv too.
    let (o, _d) = plot_edited(|p| set_cell(&p.join("trials.csv"), 3, "spread", "1e308"));
    refused(&o, &["trials.csv: row 4", "column spread"]);
}

#[test]
fn empty_and_header_only_tables_are_refused() {
    // Regression: an empty comparison.csv and header-only tables were accepted silently.
    let (o, _d) = plot_edited(|p| std::fs::write(p.join("comparison.csv"), "").unwrap());
    refused(&o, &["comparison.csv is empty"]);
    let (o, _d) = plot_edited(|p| {
        let s = std::fs::read_to_string(p.join("summary.csv")).unwrap();
        std::fs::write(
            p.join("summary.csv"),
            s.lines().next().unwrap().to_string() + "\n",
        )
        .unwrap();
    });
    refused(&o, &["summary.csv: no rows"]);
}

#[test]
fn an_unknown_option_name_is_refused() {
    // Regression: a table naming an option the run does not have was drawn.
    for file in [
        "summary.csv",
        "timeseries.csv",
        "comparison.csv",
        "trials.csv",
    ] {
        let (o, _d) = plot_edited(|p| set_cell(&p.join(file), 1, "option", "nobody"));
        refused(
            &o,
            &[
                &format!("{file}: row 2: column option"),
                "`nobody` is not an option of this run",
            ],
        );
    }
}

#[test]
fn a_column_named_twice_is_refused() {
    let (o, _d) = plot_edited(|p| {
        let s = std::fs::read_to_string(p.join("summary.csv")).unwrap();
        std::fs::write(p.join("summary.csv"), s.replacen(",sd,", ",mean,", 1)).unwrap();
    });
    refused(&o, &["summary.csv: row 1", "column `mean` appears twice"]);
}

#[test]
fn stale_fan_charts_are_removed_when_timeseries_csv_is_gone() {
    // Regression: `fan-*.svg` of the old time series stayed beside the redrawn charts.
    let (o, d) = plot_edited(|p| std::fs::remove_file(p.join("timeseries.csv")).unwrap());
    util::assert_ok(&o, &["plot", "without timeseries.csv"]);
    let charts = d.path().join("run/charts");
    let names: Vec<String> = std::fs::read_dir(&charts)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    assert!(!names.iter().any(|n| n.starts_with("fan-")), "{names:?}");
    assert!(names.iter().any(|n| n.starts_with("dist-")), "{names:?}");
    // A file of the user's in charts/ is left alone.
    let (o, d) = plot_edited(|p| std::fs::write(p.join("charts/notes.txt"), "mine").unwrap());
    util::assert_ok(&o, &["plot"]);
    assert!(d.path().join("run/charts/notes.txt").exists());
}

#[test]
fn an_unversioned_folder_is_plotted_and_a_newer_format_is_refused_with_what_to_do() {
    // A folder written before formats were versioned (no `format`, no `turns`) is read.
    let (o, _d) = plot_edited(|p| {
        let m = std::fs::read_to_string(p.join("manifest.json")).unwrap();
        let mut v: serde_json::Value = serde_json::from_str(&m).unwrap();
        let obj = v.as_object_mut().unwrap();
        obj.remove("format");
        obj.remove("turns");
        std::fs::write(p.join("manifest.json"), v.to_string()).unwrap();
    });
    util::assert_ok(&o, &["plot", "an unversioned folder"]);
    // A folder of the first versioned format (before verdicts and categories) is read too.
    let (o, _d) = plot_edited(|p| {
        let m = std::fs::read_to_string(p.join("manifest.json")).unwrap();
        std::fs::write(
            p.join("manifest.json"),
            m.replace(cohesion::output::manifest::FORMAT, "cohesion-run/1"),
        )
        .unwrap();
    });
    util::assert_ok(&o, &["plot", "a cohesion-run/1 folder"]);
    let (o, _d) = plot_edited(|p| {
        let m = std::fs::read_to_string(p.join("manifest.json")).unwrap();
        std::fs::write(
            p.join("manifest.json"),
            m.replace(cohesion::output::manifest::FORMAT, "cohesion-run/999"),
        )
        .unwrap();
    });
    refused(
        &o,
        &["cohesion-run/999", "newer cohesion", "use a newer cohesion"],
    );
}
