//! The tables of `cohesion explore`: the design, the per-point results and the manifest.
//!
//! `design.csv` holds one row per design point: its number, its group (Saltelli base row,
//! Morris trajectory, or the point), its role (A, B, AB:param… for Sobol', start or step:param
//! for Morris, sample otherwise) and the value of every explored parameter as a user writes it.
//! `results.csv` holds one row per (point, option): the replications run and, per outcome, the
//! mean over them and its Monte Carlo standard error (`O` and `O_mcse`), written block by
//! block as blocks finish. The analysis tables are in [`super::analysis`].

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::manifest::FileHash;
use crate::engine::explore::PointBlock;
use crate::kernel::fmt::push_f64;
use crate::stats::designs::Design;

/// One explored parameter, as the manifest records it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DesignParam {
    pub name: String,
    /// "uncertainty" or "lever".
    pub role: String,
    /// The distribution or range a unit coordinate is mapped through, as text.
    pub distribution: String,
}

/// PRIM's settings, as the manifest records them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PrimSettings {
    pub peel_alpha: f64,
    pub paste_alpha: f64,
    pub mass_min: f64,
    /// The chosen box is the densest with at least this coverage…
    pub min_coverage: f64,
    /// …with its restrictions lifted while a restricted dimension's best quasi-p-value is
    /// above this (1: no pruning).
    pub max_qp: f64,
}

/// PRIM's settings when none are given: EMA Workbench's peeling, pasting and minimum mass
/// (0.05 each), the densest box covering at least half the cases of interest, restrictions
/// kept only with a quasi-p-value of at most 0.05. `cohesion discover`'s and `cohesion
/// explore`'s defaults, and what a run's conditions table uses.
pub const DEFAULT_PRIM: PrimSettings = PrimSettings {
    peel_alpha: 0.05,
    paste_alpha: 0.05,
    mass_min: 0.05,
    min_coverage: 0.5,
    max_qp: 0.05,
};

/// `manifest.json` of an exploration: what was run and how to run it again.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ExploreManifest {
    /// Always "explore" (a run's manifest has no `kind`).
    pub kind: String,
    /// [`FORMAT`] when written; empty in explorations written before it was recorded.
    #[serde(default)]
    pub format: String,
    pub cohesion_version: String,
    pub git_commit: Option<String>,
    pub command_line: Vec<String>,
    pub scenario: String,
    pub scenario_description: String,
    pub scenario_path: String,
    pub scenario_blake3: String,
    pub files: Vec<FileHash>,
    pub model: String,
    pub seed: u64,
    pub seed_generated: bool,
    /// lhs, sobol, morris or factorial.
    pub design: String,
    /// Sobol': base rows N; Morris: trajectories; otherwise the points.
    pub base_points: u64,
    /// Rows of design.csv.
    pub points: u64,
    pub replications: u64,
    /// Morris and factorial: levels per parameter.
    pub levels: Option<usize>,
    pub second_order: bool,
    /// How the design's random choices were made (scrambling of the Sobol' points…).
    pub randomisation: String,
    pub parameters: Vec<DesignParam>,
    /// The outcomes analysed (sensitivity, discovery, robustness); results.csv has them all.
    pub outcomes: Vec<String>,
    pub policies: Vec<String>,
    pub baseline: String,
    pub bootstrap: usize,
    pub thresholds: Vec<String>,
    pub prim: PrimSettings,
    pub threads: usize,
    pub points_per_block: u64,
    pub target: String,
    pub started: String,
    pub finished: String,
    pub wall_seconds: f64,
    /// Model runs (point × replication × option) per second.
    pub runs_per_second: f64,
    /// The scenario's `[outcomes] key` (absent when it names none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub key_outcomes: Vec<String>,
    /// The scenario's `[outcomes] negligible` bands (absent when none).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub negligible: std::collections::BTreeMap<String, f64>,
}

/// The format of an exploration folder this version writes and reads (with folders that
/// carry no format, written before it was recorded).
pub const FORMAT: &str = "cohesion-explore/1";

impl ExploreManifest {
    pub fn write(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self)? + "\n";
        crate::kernel::fs::write_atomic(path, text.as_bytes()).map_err(anyhow::Error::msg)
    }

    pub fn read(dir: &Path) -> Result<ExploreManifest> {
        let p = dir.join("manifest.json");
        let text =
            std::fs::read_to_string(&p).with_context(|| format!("cannot read {}", p.display()))?;
        let m: ExploreManifest = serde_json::from_str(&text).with_context(|| {
            format!("{} is not the manifest of `cohesion explore`", p.display())
        })?;
        if !m.format.is_empty() && m.format != FORMAT {
            anyhow::bail!(
                "{}: format `{}` is not one this version reads ({FORMAT}): use the cohesion that wrote it (or a newer one), or run the exploration again",
                p.display(),
                crate::kernel::text::shown(&m.format)
            );
        }
        Ok(m)
    }
}

/// Whether `dir` holds the result of `cohesion explore` (its manifest says so).
pub fn is_explore_dir(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("manifest.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .is_some_and(|v| v.get("kind").and_then(|k| k.as_str()) == Some("explore"))
}

/// Writes `design.csv`: `display(column, value)` writes a parameter value as a user would.
pub fn write_design(
    path: &Path,
    names: &[String],
    design: &Design,
    values: &[f64],
    display: &dyn Fn(usize, f64) -> String,
) -> Result<()> {
    let mut w =
        csv::Writer::from_path(path).with_context(|| format!("cannot write {}", path.display()))?;
    let mut head = vec!["point".to_string(), "group".into(), "role".into()];
    head.extend(names.iter().cloned());
    w.write_record(&head)?;
    let k = names.len();
    for p in 0..design.points() {
        let mut row = vec![
            p.to_string(),
            design.group[p].to_string(),
            design.role[p].label(names),
        ];
        row.extend((0..k).map(|c| display(c, values[p * k + c])));
        w.write_record(&row)?;
    }
    w.flush()
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// The header of `results.csv`.
pub fn results_header(outcomes: &[String]) -> Vec<u8> {
    let mut cols = vec!["point".to_string(), "option".into(), "replications".into()];
    for o in outcomes {
        cols.push(o.clone());
        cols.push(format!("{o}_mcse"));
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&cols).ok();
    w.into_inner().unwrap_or_default()
}

/// The rows of one block of points (option names are plain words: no quoting needed). A mean
/// over no value (an event that never happened in a turn outcome) is a blank cell, and so is
/// every cell of a categorical outcome (`categorical[o]`), which is never averaged.
pub fn results_rows(
    block: &PointBlock,
    options: &[String],
    categorical: &[bool],
    reps: u64,
    buf: &mut Vec<u8>,
) {
    let outcomes = categorical.len();
    for i in 0..block.points as usize {
        for (p, name) in options.iter().enumerate() {
            let m = &block.moments[(i * options.len() + p) * outcomes..][..outcomes];
            write!(buf, "{},{},{}", block.first_point + i as u64, name, reps).ok();
            for (x, &cat) in m.iter().zip(categorical) {
                buf.push(b',');
                if cat {
                    buf.push(b',');
                    continue;
                }
                if x.n > 0 {
                    push_f64(buf, x.mean);
                }
                buf.push(b',');
                if x.n > 0 {
                    push_f64(buf, x.mcse());
                }
            }
            buf.push(b'\n');
        }
    }
}

/// A cell as a number: blank or unreadable is NaN.
pub fn num(s: &str) -> f64 {
    if s.trim().is_empty() {
        f64::NAN
    } else {
        s.trim().parse().unwrap_or(f64::NAN)
    }
}

/// Reads a CSV file whole: its header and rows.
pub fn read_table(path: &Path) -> Result<(Vec<String>, Vec<csv::StringRecord>)> {
    let mut r =
        csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    let head: Vec<String> = r
        .headers()
        .with_context(|| format!("cannot read {}", path.display()))?
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for (i, rec) in r.records().enumerate() {
        rows.push(rec.with_context(|| format!("{}: bad row {}", path.display(), i + 2))?);
    }
    Ok((head, rows))
}
