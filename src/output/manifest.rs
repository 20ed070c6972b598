//! `manifest.json`: everything needed to know what a result is and to reproduce it.
//! Written last: a directory without it is not a complete result.
//!
//! Fields added after the first format (`charts`, `format`, `stopping`, `execution`…) are
//! written only when they differ from what an older manifest implied, and read with that
//! default, so older result folders stay readable and a plain run's manifest is unchanged.

use serde::{Deserialize, Serialize};

/// One input file and its BLAKE3 hash.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileHash {
    pub path: String,
    pub blake3: String,
}

/// The format of a run folder this version writes: its tables' columns and the manifest's
/// keys. Raised whenever either changes in a way an older reader would misread (CHANGELOG.md).
pub const FORMAT: &str = "cohesion-run/2";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    /// [`FORMAT`] when written; empty in folders written before formats were versioned.
    #[serde(default)]
    pub format: String,
    pub cohesion_version: String,
    pub git_commit: Option<String>,
    pub command_line: Vec<String>,
    pub scenario: String,
    /// The scenario's description (for the report; absent in manifests of older runs).
    #[serde(default)]
    pub scenario_description: String,
    /// The length of a turn ("month", "step"…), for time axes.
    #[serde(default)]
    pub turn_length: String,
    /// The calendar date of turn 1 ("2021-10"), when the scenario is dated.
    #[serde(default)]
    pub start: Option<String>,
    /// The number of turns of the horizon (absent in manifests of older runs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub turns: Option<usize>,
    pub scenario_path: String,
    pub scenario_blake3: String,
    /// Every file the scenario pulls in (extends, actor tables), with hashes.
    pub files: Vec<FileHash>,
    pub model: String,
    pub seed: u64,
    /// Whether the seed was drawn fresh (no --seed given).
    pub seed_generated: bool,
    pub trials: u64,
    pub block_size: u64,
    pub threads: usize,
    pub policies: Vec<String>,
    pub baseline: String,
    pub target: String,
    pub started: String,
    pub finished: String,
    pub wall_seconds: f64,
    pub trials_per_second: f64,
    /// The accuracy of histogram quantiles of bounded outcomes, as a fraction of their range.
    pub quantile_accuracy: String,
    /// The scenario's `[outcomes] key`: the outcomes the report's bottom line ranks on
    /// (absent when the scenario names none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub key_outcomes: Vec<String>,
    /// The scenario's `[outcomes] negligible` bands, by outcome (absent when none).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub negligible: std::collections::BTreeMap<String, f64>,
}

/// What a run records beyond [`Manifest`]'s fields: how to repeat it exactly and how it
/// was produced. Written flattened into the same JSON object, after the base fields.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Extras {
    /// The scenario file's absolute path when it is on disk (for `cohesion rerun` and
    /// `cohesion merge`, which read it again and check its hash); absent for built-ins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario_abs_path: Option<String>,
    /// Whether charts and `report.html` were drawn (absent: yes).
    #[serde(default = "yes", skip_serializing_if = "is_yes")]
    pub charts: bool,
    /// Table format: `csv` (absent), `parquet` or `both`.
    #[serde(default = "csv", skip_serializing_if = "is_csv")]
    pub table_format: String,
    /// Adaptive stopping (`--precision`): the targets, the trial limit, why the run stopped
    /// and the half-widths reached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopping: Option<Stopping>,
    /// How the result was produced when not by one uninterrupted process: blocks reused from
    /// a checkpoint, or the shard parts it was merged from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution: Option<Execution>,
}

/// A run's `manifest.json` with its [`Extras`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RunManifest {
    #[serde(flatten)]
    pub base: Manifest,
    #[serde(flatten)]
    pub extras: Extras,
}

impl RunManifest {
    pub fn to_json(&self) -> anyhow::Result<String> {
        Ok(serde_json::to_string_pretty(self)? + "\n")
    }

    pub fn write(&self, path: &std::path::Path) -> anyhow::Result<()> {
        crate::kernel::fs::write_atomic(path, self.to_json()?.as_bytes())
            .map_err(anyhow::Error::msg)
    }

    /// Reads `DIR/manifest.json`.
    pub fn read(dir: &std::path::Path) -> anyhow::Result<RunManifest> {
        let path = dir.join("manifest.json");
        let text = std::fs::read_to_string(&path).map_err(|e| {
            anyhow::anyhow!(
                "cannot read {}: {e} (not a finished cohesion result?)",
                path.display()
            )
        })?;
        serde_json::from_str(&text)
            .map_err(|e| anyhow::anyhow!("{} is not a cohesion manifest: {e}", path.display()))
    }
}

fn yes() -> bool {
    true
}
fn is_yes(b: &bool) -> bool {
    *b
}
fn csv() -> String {
    "csv".into()
}
fn is_csv(s: &str) -> bool {
    s == "csv"
}

/// What `--precision` asked for and what it reached.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Stopping {
    /// The targets as given (`fracture=0.005`).
    pub precision: String,
    /// The most trials the run was allowed (`--trials`).
    pub trials_limit: u64,
    /// `precision reached` or `trial limit reached`.
    pub reason: String,
    /// Trials run (a whole number of blocks, or the limit).
    pub trials: u64,
    /// The half-width of every target, per option, when the run stopped.
    pub half_widths: Vec<HalfWidth>,
}

/// One option's half-width of one outcome.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HalfWidth {
    pub option: String,
    pub outcome: String,
    pub half_width: f64,
    pub target: f64,
}

/// How a result was assembled.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Execution {
    /// Blocks taken from a checkpoint of an interrupted run rather than computed again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocks_reused: Option<u64>,
    /// Blocks in the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocks: Option<u64>,
    /// The shard parts merged into this result, in block order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merged_from: Vec<String>,
}

impl Manifest {
    pub fn write(&self, path: &std::path::Path) -> anyhow::Result<()> {
        let text = serde_json::to_string_pretty(self)? + "\n";
        std::fs::write(path, text)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))
    }
}
