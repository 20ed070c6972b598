//! Charts of a run's outcome distributions, drawn from its CSV files alone.
//!
//! One small driver (this file) and one file per kind of chart, as in hyperfine's exporters:
//! each kind implements [`Chart`]; [`select`] decides from the data which charts a run gets
//! (the alliance model's when its outcomes are there, the reference models', or a generic
//! set); the driver draws the frame (title naming scenario and seed, legend) and writes SVG
//! and PNG. Charts read only [`RunData`], so `cohesion plot DIR` redraws exactly what
//! `cohesion run` drew, byte for byte.
//!
//! Text is set in DejaVu Sans, compiled in and registered as "sans-serif": no system font.
//!
//! The files depend on each other in one direction only, bottom to top (a file uses files of
//! lower rows, never one of its own row or above; a test below checks it):
//!
//! 1. `style` (sizes, colours, fonts), `text` (glyph metrics), `scale` (linear maps, round
//!    steps, histogram bins), `numbers` (numbers as people read them), `labels` (names and
//!    units of outcomes), `layout` (grids of panels), `tables` (a run's tables read back,
//!    every row checked): no plot dependency.
//! 2. `backend` (SVG or bitmap behind one type, text through `text`); `data` (the run's
//!    files read back, binned on `scale`'s round steps); `files` (formats, options, the charts
//!    drawn, whole-file writes).
//! 3. `canvas`: rectangles, fonts, text and shapes in pixels.
//! 4. `axis` (value axes and their drawing), `legend` (legend entries and their layout).
//! 5. `timeline`: turns as dates, the time axis, scripted injects on it.
//! 6. `chart`: the [`Chart`] trait and the frame around every chart; `exploration`: an
//!    exploration's data, its chart trait and the ranked panel of bars.
//! 7. The kinds of chart: `allies`, `boxes`, `diff`, `dist`, `family`, `fan`, `heatmap`,
//!    `prob`, `timing` for a run, `discovery`, `robust`, `sens` for an exploration, and
//!    `calibration` (a calibration folder's diagnostics, drawn from its own CSV files rather
//!    than a run's); none uses another.
//! 8. `explore`: the driver of an exploration's charts.
//! 9. This driver, which chooses, draws and writes a run's charts (and a calibration's
//!    diagnostics chart); the report (`report.rs`) sits above it.

pub mod axis;
pub mod backend;
pub mod canvas;
pub mod chart;
pub mod data;
pub mod exploration;
pub mod explore;
pub mod files;
pub mod labels;
pub mod legend;
pub mod numbers;
pub mod scale;
pub mod style;
pub mod tables;
pub mod text;
pub mod timeline;

mod allies;
mod boxes;
mod calibration;
mod diff;
mod discovery;
mod dist;
mod family;
mod fan;
mod heatmap;
mod layout;
mod prob;
mod robust;
mod sens;
mod timing;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use canvas::Canvas;
pub use chart::Chart;
pub use data::{Kind, RunData};
use files::write_file;
pub use files::{Drawn, Format, PlotOptions, picked};
pub use style::Style;

/// The alliance model's key outcomes, in the order they are charted.
const ALLIANCE_KEY: [&str; 4] = [
    "cohesion_final",
    "cohesion_min",
    "credibility_final",
    "unilateral_peak",
];
/// The reference models' outcomes charted as distributions.
const REFERENCE_KEY: [&str; 5] = [
    "clusters",
    "major_clusters",
    "spread",
    "mean_opinion",
    "steps",
];

/// The outcomes whose distributions are charted.
fn key_outcomes(data: &RunData) -> Vec<String> {
    let present = |names: &[&str]| -> Vec<String> {
        names
            .iter()
            .filter(|n| data.kind(n).is_some())
            .map(|n| n.to_string())
            .collect()
    };
    let a = present(&ALLIANCE_KEY);
    if !a.is_empty() {
        return a;
    }
    let r = present(&REFERENCE_KEY);
    if !r.is_empty() {
        return r;
    }
    data.plain_outcomes()
        .filter(|(_, k)| matches!(k, Kind::Real | Kind::Count))
        .take(6)
        .map(|(n, _)| n.clone())
        .collect()
}

/// The charts a run gets, in report order.
pub fn select(data: &RunData) -> Vec<Box<dyn Chart>> {
    let mut charts: Vec<Box<dyn Chart>> = Vec::new();
    let key = key_outcomes(data);
    let plain = |kind: Kind| -> Vec<String> {
        data.plain_outcomes()
            .filter(|(_, k)| *k == kind)
            .map(|(n, _)| n.clone())
            .collect()
    };
    if data.digest.is_some() {
        for o in &key {
            charts.push(Box::new(dist::Distribution { outcome: o.clone() }));
        }
    }
    if !key.is_empty() {
        charts.push(Box::new(boxes::Boxes {
            outcomes: key.iter().take(6).cloned().collect(),
        }));
    }
    let binary = plain(Kind::Binary);
    if !binary.is_empty() {
        charts.push(Box::new(prob::Probabilities {
            outcomes: binary.iter().take(8).cloned().collect(),
        }));
    }
    if data.options().len() > 1 && data.has_comparison() {
        // The scenario's key outcomes first, then the charted ones and the yes/no ones.
        let mut outs: Vec<String> = data
            .info
            .key_outcomes
            .iter()
            .filter(|o| matches!(data.kind(o), Some(Kind::Real | Kind::Count | Kind::Binary)))
            .cloned()
            .collect();
        for o in key.iter().chain(binary.iter()) {
            if !outs.contains(o) {
                outs.push(o.clone());
            }
        }
        if outs.is_empty() {
            // Only families (bargaining): their small ones, e.g. the expected outcome.
            for (prefix, _) in data.families() {
                let members = data.members(&prefix);
                if members.len() <= 4 {
                    outs.extend(members.into_iter().map(|(n, _)| n));
                }
            }
        }
        outs.truncate(8);
        if !outs.is_empty() {
            charts.push(Box::new(diff::Differences { outcomes: outs }));
        }
    }
    if data.turns >= 2 {
        for m in &data.metrics {
            charts.push(Box::new(fan::Fan { metric: m.clone() }));
        }
        let turns = plain(Kind::Turn);
        if !turns.is_empty() && data.digest.is_some() {
            charts.push(Box::new(timing::Timing {
                outcomes: turns.into_iter().take(4).collect(),
            }));
        }
    }
    // When the run has the allies chart's metrics, its real per-ally families are shown there
    // (the rest are in allies.csv); a yes/no family keeps its heatmap (unless it is one of a
    // metric's per-year families, one per calendar year: those are in allies.csv only), and a
    // model without those metrics (e.g. a bargaining model's `win_prob`) keeps a chart per
    // family.
    let ally_metrics = data.ally_metrics();
    let allies_chart = allies::PANELS
        .iter()
        .any(|m| ally_metrics.iter().any(|a| a == m));
    let in_allies = |p: &str| allies_chart && ally_metrics.iter().any(|m| m == p);
    for (prefix, kind) in data.families() {
        if kind == Kind::Binary && in_allies(&prefix) && labels::per_year(&prefix) {
            continue;
        } else if kind == Kind::Binary {
            charts.push(Box::new(heatmap::Heatmap { prefix }));
        } else if !in_allies(&prefix) {
            charts.push(Box::new(family::Family { prefix }));
        }
    }
    if allies_chart {
        charts.push(Box::new(allies::Allies));
    }
    charts
}

/// The second line of every chart: scenario, seed, trials.
pub fn subtitle(data: &RunData) -> String {
    format!(
        "Scenario {} · seed {} · {} trials per option · cohesion {}",
        data.info.scenario, data.info.seed, data.info.trials, data.info.version
    )
}

fn draw_on(chart: &dyn Chart, data: &RunData, area: &canvas::Area, st: Style) -> Result<()> {
    let c = Canvas { area, st };
    let body = chart::draw_frame(&c, &chart.title(data), &subtitle(data), &chart.legend(data))?;
    chart.draw(data, &c, body)?;
    area.present()?;
    Ok(())
}

/// Draws a chart as SVG text.
pub fn render_svg(chart: &dyn Chart, data: &RunData, st: Style) -> Result<String> {
    canvas::svg_with(st, Some(&chart.title(data)), &|area| {
        draw_on(chart, data, area, st)
    })
}

/// Draws a chart as PNG bytes.
pub fn render_png(chart: &dyn Chart, data: &RunData, st: Style) -> Result<Vec<u8>> {
    canvas::png_with(st, &|area| draw_on(chart, data, area, st))
}

/// Draws the selected charts into `root/charts/`. With `opts.report`, every chart is drawn as
/// SVG text for the report (which always holds every chart), selected or not; the caller
/// writes the report from the returned charts.
pub fn write_all(data: &RunData, root: &Path, opts: &PlotOptions) -> Result<Vec<Drawn>> {
    opts.style.check().map_err(anyhow::Error::msg)?;
    let charts = select(data);
    let ids: Vec<String> = charts.iter().map(|c| c.id()).collect();
    files::check_only(&ids, &opts.only, "this run")?;
    let dir = root.join("charts");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut drawn = Vec::new();
    for chart in &charts {
        let id = chart.id();
        let selected = picked(&id, &opts.only);
        if !selected && !opts.report {
            continue;
        }
        let svg = render_svg(chart.as_ref(), data, opts.style)?;
        let files = if selected {
            files::write_chart(&dir, &id, &svg, opts, &|| {
                render_png(chart.as_ref(), data, opts.style)
            })?
        } else {
            Vec::new()
        };
        drawn.push(Drawn {
            id,
            title: chart.title(data),
            caption: chart.caption(data),
            svg,
            files,
        });
    }
    Ok(drawn)
}

/// Draws a calibration folder's diagnostics chart (prior and posterior of every parameter,
/// tolerance per generation) from its CSV files into `dir/charts/calibration.{svg,png}`.
pub fn write_calibration(dir: &Path, st: Style) -> Result<Vec<PathBuf>> {
    style::register_fonts();
    let data = calibration::CalibrationData::load(dir)?;
    let charts = dir.join("charts");
    std::fs::create_dir_all(&charts)
        .with_context(|| format!("cannot create {}", charts.display()))?;
    let draw = |area: &canvas::Area<'_>| {
        calibration::draw(&data, &Canvas { area, st })?;
        area.present()?;
        Ok(())
    };
    let svg = canvas::svg_with(st, None, &draw)?;
    let png_bytes = canvas::png_with(st, &draw)?;
    let (a, b) = (
        charts.join("calibration.svg"),
        charts.join("calibration.png"),
    );
    write_file(&a, svg.as_bytes())?;
    write_file(&b, &png_bytes)?;
    Ok(vec![a, b])
}

/// Whether a file name in `charts/` is one this module writes (`fan-cohesion.svg`,
/// `boxes.png`…): only such files are ever removed as stale.
fn is_chart_file(name: &str) -> bool {
    let Some(stem) = name
        .strip_suffix(".svg")
        .or_else(|| name.strip_suffix(".png"))
    else {
        return false;
    };
    [
        "boxes",
        "differences",
        "probabilities",
        "timing",
        "channels",
        "allies",
    ]
    .contains(&stem)
        || ["dist-", "family-", "fan-", "heatmap-"]
            .iter()
            .any(|p| stem.strip_prefix(p).is_some_and(|r| !r.is_empty()))
}

/// Removes the chart files of `root/charts/` that this run no longer gets (a chart of a
/// table that is gone, such as a fan chart once `timeseries.csv` was removed), so that no
/// stale chart stands beside the redrawn ones; returns the files removed. Files a user put
/// there under other names are left alone.
pub fn remove_stale_charts(data: &RunData, root: &Path) -> Result<Vec<PathBuf>> {
    let dir = root.join("charts");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(Vec::new());
    };
    let ids: Vec<String> = select(data).iter().map(|c| c.id()).collect();
    let mut removed = Vec::new();
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let stem = name.rsplit_once('.').map_or(name.as_str(), |(s, _)| s);
        if is_chart_file(&name) && !ids.iter().any(|i| i == stem) {
            std::fs::remove_file(e.path())
                .with_context(|| format!("cannot remove stale chart {}", e.path().display()))?;
            removed.push(e.path());
        }
    }
    removed.sort();
    Ok(removed)
}

/// The charts a run gets, as (id, title, caption), without drawing them.
pub fn list(data: &RunData) -> Vec<(String, String, String)> {
    select(data)
        .iter()
        .map(|c| (c.id(), c.title(data), c.caption(data)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_chart_file_names_count_as_charts() {
        for n in [
            "fan-cohesion.svg",
            "boxes.png",
            "dist-x.png",
            "channels.svg",
        ] {
            assert!(is_chart_file(n), "{n}");
        }
        for n in [
            "notes.txt",
            "fan-.svg",
            "my-boxes.svg",
            "fan-cohesion.pdf",
            "report.html",
        ] {
            assert!(!is_chart_file(n), "{n}");
        }
    }

    #[test]
    fn chart_choice_by_id_or_kind() {
        let only = Some(vec!["fan".to_string(), "boxes".to_string()]);
        assert!(picked("fan-cohesion", &only));
        assert!(picked("boxes", &only));
        assert!(!picked("family-risk", &only));
        assert!(!picked("fanfare", &only));
        assert!(picked("anything", &None));
    }

    /// The rows of the order in the module documentation, bottom to top (this file on top).
    const ORDER: &[&[&str]] = &[
        &[
            "style", "text", "scale", "numbers", "labels", "layout", "tables",
        ],
        &["backend", "data", "files"],
        &["canvas"],
        &["axis", "legend"],
        &["timeline"],
        &["chart", "exploration"],
        &[
            "allies",
            "boxes",
            "calibration",
            "diff",
            "dist",
            "family",
            "fan",
            "heatmap",
            "prob",
            "timing",
            "discovery",
            "robust",
            "sens",
        ],
        &["explore"],
    ];

    fn row(module: &str) -> Option<usize> {
        ORDER.iter().position(|r| r.contains(&module))
    }

    /// What a file names after `super::` or `crate::plot::` outside comments and tests: the
    /// first segment of each path, inside `{…}` groups too (a sibling file, or an item of
    /// this file).
    fn named(code: &str) -> Vec<String> {
        let code: String = code
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let ident = |s: &str| -> String {
            s.trim_start()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect()
        };
        let mut out = Vec::new();
        for prefix in ["super::", "crate::plot::"] {
            for (i, _) in code.match_indices(prefix) {
                let rest = &code[i + prefix.len()..];
                if let Some(group) = rest.strip_prefix('{') {
                    // Top-level items of the group.
                    let (mut depth, mut start) = (0, 0);
                    for (j, ch) in group.char_indices() {
                        match ch {
                            '{' => depth += 1,
                            '}' if depth == 0 => {
                                out.push(ident(&group[start..j]));
                                break;
                            }
                            '}' => depth -= 1,
                            ',' if depth == 0 => {
                                out.push(ident(&group[start..j]));
                                start = j + 1;
                            }
                            _ => {}
                        }
                    }
                } else {
                    out.push(ident(rest));
                }
            }
        }
        out.retain(|s| !s.is_empty());
        out
    }

    #[test]
    fn the_parser_of_imports_sees_paths_and_groups() {
        let code = "use super::canvas::{Canvas, Rect};\n// super::timeline in a comment\nuse super::{axis::{self, Axis}, legend};\nlet w = super::text::width(s);\nuse crate::plot::Chart;";
        assert_eq!(named(code), ["canvas", "axis", "legend", "text", "Chart"]);
    }

    #[test]
    fn files_depend_downward_only() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/plot");
        let mut seen = 0;
        let mut problems = Vec::new();
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            let name = p.file_stem().unwrap().to_string_lossy().to_string();
            if p.extension().is_none_or(|x| x != "rs") || name == "mod" {
                continue;
            }
            let Some(own) = row(&name) else {
                problems.push(format!("{name}.rs is in no row of the order"));
                continue;
            };
            seen += 1;
            let text = std::fs::read_to_string(&p).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap();
            for m in named(code) {
                match row(&m) {
                    Some(r) if r < own => {}
                    Some(_) => problems.push(format!("{name}.rs uses {m}.rs, not below it")),
                    None => problems.push(format!("{name}.rs uses `{m}` of the driver above it")),
                }
            }
        }
        assert_eq!(seen, ORDER.iter().map(|r| r.len()).sum::<usize>());
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}
