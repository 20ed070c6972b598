//! `cohesion validate-history`: a hindcast run held against the record of 2022–2024.
//!
//! A run of `nato-2021-invasion` (or any alliance scenario starting October 2021) replays
//! 2022–2024 under an option; this module reads the run's folder (its `allies.csv`, summary,
//! manifest and the digest of `trials.csv`), the exposure classes of its scenario (loaded from
//! the path the manifest records, checked against the recorded hash) and the record
//! ([`record`]), computes the comparisons ([`compare`]) and writes a validation page beside
//! tables of every figure ([`page`]), into an output folder that appears whole or not at all.
//!
//! It is a reader of finished runs, not a second simulator: the same run folder always gives
//! the same page, and the figures are those of the run's own files.

pub mod chart;
pub mod compare;
pub mod page;
pub mod record;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use serde::Serialize;

use crate::output::OutputDir;
use crate::plot::RunData;
use crate::scenario::Origin;

pub use compare::{Validation, compare};
pub use record::{Record, RecordSource};

/// What `validate-history` is asked.
#[derive(Debug, Clone)]
pub struct Options {
    /// Folder of a finished `cohesion run`.
    pub run: PathBuf,
    /// The option held against the record.
    pub option: String,
    pub record: RecordSource,
}

/// The exposure class of each ally, from the run's scenario. The scenario must be the one the
/// run used (same hash), so that the classes are those the run simulated.
fn exposure(data: &RunData, run: &Path) -> Result<BTreeMap<String, String>> {
    let path = &data.info.scenario_path;
    let origin = match path.strip_prefix("builtin:") {
        Some(n) => Origin::Builtin(n.to_string()),
        None => Origin::File(PathBuf::from(path)),
    };
    let sc = crate::model::load_scenario(origin).map_err(|e| {
        anyhow!(
            "cannot load the run's scenario {path} (recorded in {}): {e}",
            run.join("manifest.json").display()
        )
    })?;
    let hash = sc
        .files
        .first()
        .map(|f| f.blake3.clone())
        .unwrap_or_default();
    if hash != data.info.scenario_blake3 {
        bail!(
            "the scenario {path} has changed since the run (BLAKE3 {} now, {} in the manifest); rerun it",
            hash,
            data.info.scenario_blake3
        );
    }
    let Some(t) = &sc.actors else {
        bail!(
            "the run's scenario {path} has no actor table; validate-history needs the alliance model's allies"
        );
    };
    if !t.fields.contains(&"exposure") {
        bail!(
            "the run's scenario {path} has no `exposure` column; validate-history needs the alliance model's allies"
        );
    }
    Ok(t.names
        .iter()
        .cloned()
        .zip(
            t.words("exposure")
                .into_iter()
                .map(|w| w.unwrap_or_default()),
        )
        .collect())
}

/// Reads the run and the record and compares them.
pub fn validate(opts: &Options) -> Result<(Validation, Record, RunData)> {
    let data = RunData::load(&opts.run)?;
    if !data.has_allies() {
        bail!(
            "{} has no allies.csv: validate-history needs a run of the alliance model (per-ally outcomes)",
            opts.run.display()
        );
    }
    if !data.options().iter().any(|o| o == &opts.option) {
        bail!(
            "the run has no option `{}`; allowed: one of {}",
            opts.option,
            data.options().join(", ")
        );
    }
    let metrics = data.ally_metrics();
    for m in ["defence_change_pp", "channel_months", "blocked_consensus"] {
        if !metrics.iter().any(|x| x == m) {
            bail!(
                "{}: allies.csv has no `{m}`; validate-history needs a run of the alliance model",
                opts.run.display()
            );
        }
    }
    let exposure = exposure(&data, &opts.run)?;
    let allies = data.ally_names();
    let record = record::load(&opts.record, &allies).map_err(|p| {
        anyhow!(
            "the record has {} problem(s):\n  {}",
            p.len(),
            p.join("\n  ")
        )
    })?;
    let start = data
        .info
        .start
        .as_deref()
        .and_then(crate::kernel::time::month_index);
    let v = compare(&data, &opts.option, &exposure, &record, start);
    Ok((v, record, data))
}

#[derive(Serialize)]
struct Manifest<'a> {
    format: &'a str,
    cohesion_version: &'a str,
    run: String,
    run_scenario: &'a str,
    run_seed: u64,
    run_trials: u64,
    option: &'a str,
    record: Vec<String>,
    created: String,
}

/// Compares and writes `validation.html` and its files into `out` (replacing an earlier
/// validation only with `force`). Returns the comparison.
pub fn write(opts: &Options, out: &Path, force: bool) -> Result<Validation> {
    let (v, record, data) = validate(opts)?;
    let dir = OutputDir::create(out, force)?;
    page::write(dir.path(), &v, &record, &data, &opts.run)?;
    let m = Manifest {
        format: "cohesion-validation/1",
        cohesion_version: crate::VERSION,
        run: opts.run.display().to_string(),
        run_scenario: &data.info.scenario,
        run_seed: data.info.seed,
        run_trials: data.info.trials,
        option: &opts.option,
        record: record
            .files
            .iter()
            .map(|(n, p)| format!("{n}: {p}"))
            .collect(),
        created: crate::kernel::time::now_rfc3339(),
    };
    let text = serde_json::to_string_pretty(&m).context("cannot write manifest.json")?;
    crate::kernel::fs::write_atomic(&dir.file("manifest.json"), text.as_bytes())
        .map_err(anyhow::Error::msg)?;
    dir.commit()?;
    Ok(v)
}
