//! `manifest.json`: everything needed to know what a result is and to reproduce it.
//! Written last: a directory without it is not a complete result.

use serde::{Deserialize, Serialize};

/// One input file and its BLAKE3 hash.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileHash {
    pub path: String,
    pub blake3: String,
}

/// The format of a run folder this version writes: its tables' columns and the manifest's
/// keys. Raised whenever either changes in a way an older reader would misread (CHANGELOG.md).
pub const FORMAT: &str = "cohesion-run/1";

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
}

impl Manifest {
    pub fn write(&self, path: &std::path::Path) -> anyhow::Result<()> {
        let text = serde_json::to_string_pretty(self)? + "\n";
        std::fs::write(path, text)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))
    }
}
