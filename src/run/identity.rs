//! What makes two pieces of work parts of the same run: the same program, scenario bytes,
//! seed, trials, block size, options and output settings.
//!
//! A checkpoint and a shard part both record an [`Identity`]; a resume and a merge compare
//! theirs with the current one field by field and refuse with every difference named (the
//! file whose hash changed, the seed then and now…), since folding statistics of different
//! runs together would give a result that looks right and is not. The scenario is found again
//! by path (absolute for files on disk, `builtin:NAME` for built-ins) and checked by hash.

use anyhow::{Result, bail};
use serde::{Deserialize, Serialize};

use crate::output::manifest::FileHash;
use crate::scenario::{Origin, Scenario};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Identity {
    pub cohesion_version: String,
    pub git_commit: Option<String>,
    pub scenario: String,
    /// The scenario as named on the command line (`builtin:…` or a path).
    pub scenario_path: String,
    /// Its absolute path when on disk.
    pub scenario_abs_path: Option<String>,
    /// Every file read, with its BLAKE3 hash.
    pub files: Vec<FileHash>,
    pub model: String,
    pub seed: u64,
    /// Trials asked for (the limit, with `--precision`).
    pub trials: u64,
    pub block_size: u64,
    pub policies: Vec<String>,
    /// `--precision` targets, as given.
    pub precision: Option<String>,
    /// `csv`, `parquet` or `both`.
    pub format: String,
    pub charts: bool,
}

fn short(h: &str) -> &str {
    &h[..h.len().min(12)]
}

impl Identity {
    /// Every difference between `self` (`here`) and `other` (`there`), as sentences.
    pub fn differences(&self, other: &Identity, here: &str, there: &str) -> Vec<String> {
        let mut d = Vec::new();
        let mut field = |name: &str, a: String, b: String| {
            if a != b {
                d.push(format!("{name}: {a} {here}, {b} {there}"));
            }
        };
        field(
            "cohesion version",
            self.cohesion_version.clone(),
            other.cohesion_version.clone(),
        );
        if let (Some(a), Some(b)) = (&self.git_commit, &other.git_commit) {
            field("git commit", a.clone(), b.clone());
        }
        field("scenario", self.scenario.clone(), other.scenario.clone());
        field("model", self.model.clone(), other.model.clone());
        field("seed", self.seed.to_string(), other.seed.to_string());
        field("trials", self.trials.to_string(), other.trials.to_string());
        field(
            "block size",
            self.block_size.to_string(),
            other.block_size.to_string(),
        );
        field("options", self.policies.join(","), other.policies.join(","));
        field(
            "--precision",
            self.precision.clone().unwrap_or_else(|| "none".into()),
            other.precision.clone().unwrap_or_else(|| "none".into()),
        );
        field("--format", self.format.clone(), other.format.clone());
        field(
            "charts",
            if self.charts {
                "yes"
            } else {
                "no (--no-charts)"
            }
            .into(),
            if other.charts {
                "yes"
            } else {
                "no (--no-charts)"
            }
            .into(),
        );
        // Files are compared in the order they were read (the scenario, what it extends,
        // its tables), since the same file may be named by another path elsewhere.
        for (f, g) in self.files.iter().zip(&other.files) {
            if g.blake3 != f.blake3 {
                d.push(format!(
                    "scenario file {} changed: BLAKE3 {}… {here}, {}… {there}",
                    f.path,
                    short(&f.blake3),
                    short(&g.blake3)
                ));
            }
        }
        if self.files.len() != other.files.len() {
            d.push(format!(
                "scenario files: {} read {here}, {} {there}",
                self.files.len(),
                other.files.len()
            ));
        }
        d
    }
}

/// The file hashes of a loaded scenario.
pub fn file_hashes(sc: &Scenario) -> Vec<FileHash> {
    sc.files
        .iter()
        .map(|f| FileHash {
            path: f.name(),
            blake3: f.blake3.clone(),
        })
        .collect()
}

/// The absolute path of a scenario on disk (`None` for a built-in).
pub fn abs_path(sc: &Scenario) -> Option<String> {
    match &sc.origin {
        Origin::File(p) => Some(
            std::fs::canonicalize(p)
                .unwrap_or_else(|_| p.clone())
                .display()
                .to_string(),
        ),
        Origin::Builtin(_) => None,
    }
}

/// Loads the scenario a record names (its absolute path when on disk, else the path as
/// recorded, or the built-in) and checks every file against the recorded hashes. The
/// scenario is returned with the list of files that changed since (empty when none did).
pub fn load_recorded(
    scenario_path: &str,
    abs: Option<&str>,
    files: &[FileHash],
) -> Result<(Scenario, Vec<String>)> {
    let origin = match scenario_path.strip_prefix("builtin:") {
        Some(name) => Origin::Builtin(name.to_string()),
        None => {
            // The path as recorded when it still names the same file from here (the same
            // names then appear in the new manifest and report), else the absolute path.
            let rel = std::path::Path::new(scenario_path);
            let same = rel.is_file()
                && abs.is_none_or(|a| {
                    std::fs::canonicalize(rel).is_ok_and(|c| c == std::path::Path::new(a))
                });
            let p = if same {
                scenario_path
            } else {
                abs.unwrap_or(scenario_path)
            };
            if !std::path::Path::new(p).is_file() {
                bail!(
                    "the scenario file {p} is gone (the run read it from there); put it back to repeat or merge the run"
                );
            }
            Origin::File(p.into())
        }
    };
    let sc = crate::model::load_scenario(origin).map_err(|issues| {
        anyhow::anyhow!("the scenario {scenario_path} no longer loads: {issues}")
    })?;
    let now = file_hashes(&sc);
    let mut changed = Vec::new();
    for (f, g) in files.iter().zip(&now) {
        if f.blake3 != g.blake3 {
            changed.push(format!(
                "{} (BLAKE3 {}… then, {}… now)",
                f.path,
                short(&f.blake3),
                short(&g.blake3)
            ));
        }
    }
    if files.len() != now.len() {
        changed.push(format!(
            "the scenario reads {} files now, {} then",
            now.len(),
            files.len()
        ));
    }
    Ok((sc, changed))
}
