//! `cohesion rerun DIR`: repeat a finished run from its manifest and say whether the new
//! result is byte-identical.
//!
//! The manifest holds all a run depends on: the scenario (its path, absolute when on disk or
//! `builtin:NAME`, and the BLAKE3 hash of every file it read), the seed, the trial count (the
//! limit and targets with `--precision`), the block size, the options run, whether charts were
//! drawn and the table format. The scenario is read again from that path and checked against
//! the hashes; a file that changed since is named, and the run is repeated anyway, so the
//! report says whether the change matters. Keep scenario files under version control: the
//! manifest records their hashes, not their bytes (a Parquet result also carries the
//! scenario's text in its metadata).
//!
//! Files are compared byte for byte, except what records when, where and how fast a run
//! happened: manifest fields such as `started`, `wall_seconds`, `threads` or
//! `command_line`, and clock times in `report.html`. Parquet tables are compared by their
//! values (their metadata embeds the manifest and so its times).

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use anyhow::{Result, bail};

use super::identity::load_recorded;
use super::{Format, RunConfig, RunReport, execute};
use crate::engine::Precision;
use crate::output::manifest::RunManifest;

/// Manifest keys that say when, where and how a run happened, not what it computed.
pub const VOLATILE_KEYS: &[&str] = &[
    "started",
    "finished",
    "wall_seconds",
    "trials_per_second",
    "command_line",
    "threads",
    "git_commit",
    "target",
    "execution",
    "scenario_path",
    "scenario_abs_path",
];

/// Options of `cohesion rerun`.
pub struct RerunConfig {
    pub dir: PathBuf,
    pub out: Option<PathBuf>,
    pub threads: usize,
    pub force: bool,
    pub command_line: Vec<String>,
}

/// What `rerun` found.
pub struct RerunReport {
    pub run: RunReport,
    /// Files that differ (or exist on one side only), by relative path.
    pub differing: Vec<String>,
    /// Scenario files whose hash changed since the original run.
    pub changed_inputs: Vec<String>,
    /// The original run's cohesion version, when it differs from this one.
    pub other_version: Option<String>,
}

impl RerunReport {
    pub fn identical(&self) -> bool {
        self.differing.is_empty()
    }
}

/// Repeats the run recorded in `cfg.dir`.
pub fn rerun(
    cfg: &RerunConfig,
    progress: &dyn Fn(u64),
    cancel: &AtomicBool,
) -> Result<RerunReport> {
    let m = RunManifest::read(&cfg.dir)?;
    let (sc, changed_inputs) = load_recorded(
        &m.base.scenario_path,
        m.extras.scenario_abs_path.as_deref(),
        &m.base.files,
    )?;
    let mut policies = Vec::new();
    for name in &m.base.policies {
        match sc.policy_index(name) {
            Some(i) => policies.push(i),
            None => bail!(
                "the scenario no longer has the option `{name}` that the run used (changed: {})",
                changed_inputs.join("; ")
            ),
        }
    }
    let sim = crate::model::build(&sc).map_err(|e| anyhow::anyhow!("{e}"))?;
    let (trials, precision) = match &m.extras.stopping {
        Some(s) => (
            s.trials_limit,
            Some(Precision::parse(&s.precision, sim.outcomes()).map_err(anyhow::Error::msg)?),
        ),
        None => (m.base.trials, None),
    };
    let out = cfg.out.clone().unwrap_or_else(|| {
        let mut name = cfg.dir.file_name().unwrap_or_default().to_os_string();
        name.push("-rerun");
        cfg.dir.with_file_name(name)
    });
    let run_cfg = RunConfig {
        scenario: sc,
        policies,
        trials,
        seed: m.base.seed,
        seed_generated: m.base.seed_generated,
        threads: cfg.threads,
        block_size: m.base.block_size,
        out,
        force: cfg.force,
        command_line: cfg.command_line.clone(),
        fail_after_blocks: None,
        charts: m.extras.charts,
        shard: None,
        resume: false,
        precision,
        format: Format::parse(&m.extras.table_format)?,
    };
    let run = execute(&run_cfg, progress, cancel)?;
    let differing = compare_dirs(&cfg.dir, &run.out)?;
    Ok(RerunReport {
        run,
        differing,
        changed_inputs,
        other_version: (m.base.cohesion_version != crate::VERSION)
            .then(|| m.base.cohesion_version.clone()),
    })
}

fn files_under(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<()> {
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() {
            files_under(root, &p, out)?;
        } else if let Ok(rel) = p.strip_prefix(root) {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}

/// The relative paths of the files that differ between two result folders.
pub fn compare_dirs(a: &Path, b: &Path) -> Result<Vec<String>> {
    let (mut fa, mut fb) = (Vec::new(), Vec::new());
    files_under(a, a, &mut fa)?;
    files_under(b, b, &mut fb)?;
    fa.sort();
    fb.sort();
    let mut diff = Vec::new();
    for f in &fa {
        if !fb.contains(f) {
            diff.push(format!("{f} (only in {})", a.display()));
        } else if comparable(&a.join(f))? != comparable(&b.join(f))? {
            diff.push(f.clone());
        }
    }
    for f in fb.iter().filter(|f| !fa.contains(f)) {
        diff.push(format!("{f} (only in {})", b.display()));
    }
    Ok(diff)
}

/// The bytes a file is compared by (see the module docs).
pub fn comparable(path: &Path) -> Result<Vec<u8>> {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    if name.ends_with(".parquet") {
        return crate::output::parquet::to_csv(path);
    }
    let bytes = std::fs::read(path)?;
    if name == "manifest.json" {
        let mut v: serde_json::Value = serde_json::from_slice(&bytes)?;
        if let Some(o) = v.as_object_mut() {
            for k in VOLATILE_KEYS {
                o.remove(*k);
            }
        }
        return Ok(serde_json::to_vec_pretty(&v)?);
    }
    if name.ends_with(".html") {
        return Ok(strip_times(&String::from_utf8_lossy(&bytes)).into_bytes());
    }
    Ok(bytes)
}

/// Replaces every RFC 3339 UTC time (`2026-11-30T11:53:46Z`) with `<time>`.
pub fn strip_times(text: &str) -> String {
    let b = text.as_bytes();
    let shape = b"dddd-dd-ddTdd:dd:ddZ";
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let fits = i + shape.len() <= b.len()
            && shape.iter().zip(&b[i..]).all(|(s, c)| match s {
                b'd' => c.is_ascii_digit(),
                s => s == c,
            });
        if fits {
            out.extend_from_slice(b"<time>");
            i += shape.len();
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_are_stripped() {
        assert_eq!(
            super::strip_times("at 2026-11-30T11:53:46Z, é 2026-1"),
            "at <time>, é 2026-1"
        );
    }
}
