//! The last steps of a result, shared by `run` and `merge`: the tables from the folded
//! statistics, the scenario as run (`scenario.toml`), the conditions under which each option
//! wins (`conditions.csv`, PRIM on `trials.csv`), charts and `report.html` drawn from those tables, Parquet copies when asked,
//! and the manifest last. `trials.csv` is already in the folder when this starts.
//!
//! Because a merge hands this exactly the statistics and rows a single run would have, in
//! the same order, both write the same bytes.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};

use super::Format;
use crate::output::manifest::RunManifest;
use crate::output::parquet::{self, ColType};
use crate::output::{OutputDir, injects, policies, tables};
use crate::scenario::Scenario;
use crate::stats::{Accumulators, Layout};

/// The tables a result holds, by file stem, `trials` first.
pub const TABLES: [&str; 6] = [
    "trials",
    "summary",
    "timeseries",
    "comparison",
    "injects",
    "policies",
];

/// The tables of the result in `dir`: [`TABLES`], and `allies` when the model reports
/// per-actor outcomes.
pub fn present(dir: &Path) -> Vec<&'static str> {
    let mut t = TABLES.to_vec();
    if dir.join("allies.csv").exists() {
        t.push("allies");
    }
    t
}

/// The column type of every column of `trials.csv`.
pub fn trials_type<'a>(sc: &'a Scenario, layout: &'a Layout) -> impl Fn(&str) -> ColType + 'a {
    move |col: &str| {
        if col == "trial" {
            return ColType::Int;
        }
        if col == "option" {
            return ColType::Text;
        }
        if let Some(u) = sc.uncertainties.iter().find(|u| u.name == col) {
            return match sc.model.params[u.param].kind {
                crate::model::ParamKind::Real { .. } => ColType::Float,
                crate::model::ParamKind::Int { .. } => ColType::Int,
                crate::model::ParamKind::Bool => ColType::Bool,
                crate::model::ParamKind::Choice(_) => ColType::Text,
            };
        }
        match layout
            .outcomes
            .iter()
            .find(|o| o.name == col)
            .map(|o| o.kind)
        {
            Some(crate::model::OutcomeKind::Real { .. }) | None => ColType::Float,
            Some(_) => ColType::Int,
        }
    }
}

/// Writes every table, the charts, the Parquet copies and the manifest into `dir`; returns
/// the seconds spent on charts.
pub fn write(
    dir: &OutputDir,
    sc: &Scenario,
    policy_idx: &[usize],
    acc: Accumulators,
    manifest: &RunManifest,
    format: Format,
) -> Result<f64> {
    tables::write_summary(&acc, &dir.file("summary.csv"))?;
    tables::write_timeseries(&acc, &dir.file("timeseries.csv"))?;
    tables::write_comparison(&acc, &dir.file("comparison.csv"), &|o| sc.band(o), &|o| {
        crate::plot::labels::outcome(o).higher_is_better
    })?;
    if let Some(t) = &sc.actors {
        crate::output::allies::write(&acc, &t.names, &dir.file("allies.csv"))?;
    }
    // The statistics are in the tables now: their memory goes before the charts read the
    // tables back (at long horizons both are tens of megabytes).
    let layout = acc.layout.clone();
    drop(acc);
    injects::write(sc, &dir.file("injects.csv"))?;
    write_scenario(sc, &dir.file("scenario.toml"))?;
    policies::write(sc, policy_idx, &dir.file("policies.csv"))?;
    // The conditions under which each option wins (PRIM on the run's draws), before the
    // report that draws them.
    let rows = crate::report::conditions::compute(
        dir.path(),
        &manifest.base.key_outcomes,
        &manifest.base.baseline,
        manifest.base.threads,
    )
    .context("cannot find the conditions under which each option wins")?;
    crate::report::conditions::write(&dir.file(crate::report::conditions::FILE), &rows)?;
    // Charts read back the CSV files just written (as `cohesion plot` does), so that both
    // draw the same bytes; they go in before the manifest, which marks the result complete.
    let t_charts = Instant::now();
    let mut chart_seconds = 0.0;
    if manifest.extras.charts {
        let data = crate::plot::RunData::load_with(dir.path(), &manifest.base)?;
        let drawn = crate::plot::write_all(&data, dir.path(), &crate::plot::PlotOptions::default())
            .context("cannot draw the charts")?;
        crate::report::write(&data, &drawn, dir.path())?;
        chart_seconds = t_charts.elapsed().as_secs_f64();
    }
    if format != Format::Csv {
        write_parquet(dir.path(), sc, &layout, manifest)?;
    }
    if format == Format::Parquet {
        for t in present(dir.path()) {
            let p = dir.file(&format!("{t}.csv"));
            std::fs::remove_file(&p).with_context(|| format!("cannot remove {}", p.display()))?;
        }
    }
    manifest.write(&dir.file("manifest.json"))?;
    Ok(chart_seconds)
}

/// Writes the scenario as run (after `extends`), for the record and for `cohesion diff`.
fn write_scenario(sc: &Scenario, path: &Path) -> Result<()> {
    let text = format!(
        "# The scenario `{}` as this run read it, with every file it extends merged in.\n# Actor tables are not copied; manifest.json holds the hash of every file read.\n\n{}",
        sc.name,
        toml::to_string(&sc.table).context("cannot write the scenario as TOML")?
    );
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

/// Writes `TABLE.parquet` beside each `TABLE.csv` of `dir`, with the manifest and the
/// scenario's text as metadata.
pub fn write_parquet(
    dir: &Path,
    sc: &Scenario,
    layout: &Layout,
    manifest: &RunManifest,
) -> Result<()> {
    let files: Vec<serde_json::Value> = sc
        .files
        .iter()
        .map(|f| serde_json::json!({"path": f.name(), "blake3": f.blake3, "text": f.text}))
        .collect();
    let meta = vec![
        ("cohesion.manifest".to_string(), manifest.to_json()?),
        (
            "cohesion.scenario".to_string(),
            sc.files.first().map(|f| f.text.clone()).unwrap_or_default(),
        ),
        (
            "cohesion.scenario_files".to_string(),
            serde_json::to_string(&files)?,
        ),
    ];
    let trials_types = trials_type(sc, layout);
    for t in present(dir) {
        let csv = dir.join(format!("{t}.csv"));
        let f =
            std::fs::File::open(&csv).with_context(|| format!("cannot read {}", csv.display()))?;
        let rd = std::io::BufReader::with_capacity(1 << 20, f);
        let out = dir.join(format!("{t}.parquet"));
        if t == "trials" {
            parquet::write_from_csv(rd, &trials_types, &meta, &out)?;
        } else {
            parquet::write_from_csv(rd, &|c| parquet::table_type(t, c), &meta, &out)?;
        }
    }
    Ok(())
}
