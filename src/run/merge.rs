//! Shard parts and `cohesion merge`: a run split over machines, put back together bit for bit.
//!
//! `cohesion run … --shard I/N` runs only shard I's blocks (a contiguous range; see
//! [`super::Shard::range`]) and writes a *part* directory:
//!
//! - `part.json`: the run's [`Identity`] (version, scenario hashes, seed, trials, block size,
//!   options, output settings), the shard, and the blocks it holds;
//! - `stats.bin`: each block's own moments, in block order, and the part's quantile sketches
//!   (counts, which add exactly in any order), in the exact binary form of
//!   [`crate::output::codec`];
//! - `rows.csv`: the `trials.csv` header and the rows of its blocks.
//!
//! `cohesion merge PART… --out DIR` checks that every part belongs to the same run and that
//! every block is present exactly once, then folds the block moments in block order into
//! fresh statistics (exactly the merges a single process does), adds the sketches, joins
//! the rows in block order and writes the result with the same code as `run`. Moments are
//! merged block by block rather than part by part because floating-point merging is not
//! associative: only the single process's order gives its bits.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use super::identity::{Identity, load_recorded};
use super::{Format, RunConfig, RunReport, Shard};
use crate::engine::Experiment;
use crate::output::OutputDir;
use crate::output::codec::{Reader, Writer};
use crate::output::manifest::{Execution, Extras};
use crate::stats::{Accumulators, BlockMoments, Layout};

const FORMAT: &str = "cohesion-part";

/// What `part.json` holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PartInfo {
    pub format: String,
    pub format_version: u32,
    pub identity: Identity,
    pub shard: String,
    pub shard_index: u64,
    pub shard_count: u64,
    /// Blocks of the whole run.
    pub blocks_total: u64,
    /// The part's blocks: `first_block` to `end_block - 1`.
    pub first_block: u64,
    pub end_block: u64,
    /// Trials in the part.
    pub trials: u64,
    pub seed_generated: bool,
    pub threads: usize,
    pub command_line: Vec<String>,
    pub started: String,
    pub finished: String,
    pub wall_seconds: f64,
}

impl PartInfo {
    pub fn new(
        id: &Identity,
        s: Shard,
        blocks_total: u64,
        trials: u64,
        started: String,
        wall: f64,
        cfg: &RunConfig,
    ) -> PartInfo {
        let r = s.range(blocks_total);
        PartInfo {
            format: FORMAT.into(),
            format_version: 1,
            identity: id.clone(),
            shard: s.label(),
            shard_index: s.index,
            shard_count: s.count,
            blocks_total,
            first_block: r.start,
            end_block: r.end,
            trials,
            seed_generated: cfg.seed_generated,
            threads: cfg.threads,
            command_line: cfg.command_line.clone(),
            started,
            finished: crate::kernel::time::now_rfc3339(),
            wall_seconds: wall,
        }
    }
}

/// Writes `part.json` and `stats.bin` into a part directory (its `rows.csv` is already in).
pub fn write_part(
    dir: &OutputDir,
    info: &PartInfo,
    layout: &Layout,
    acc: &Accumulators,
    blocks: &[BlockMoments],
) -> Result<()> {
    let mut w = Writer::new("part", layout);
    w.u64(blocks.len() as u64);
    for b in blocks {
        w.block_moments(b);
    }
    w.accumulators(acc);
    crate::kernel::fs::write_atomic(&dir.file("stats.bin"), &w.finish())
        .map_err(anyhow::Error::msg)?;
    let json = serde_json::to_string_pretty(info)? + "\n";
    crate::kernel::fs::write_atomic(&dir.file("part.json"), json.as_bytes())
        .map_err(anyhow::Error::msg)
}

/// Reads a part's `part.json`.
pub fn read_info(part: &Path) -> Result<PartInfo> {
    let p = part.join("part.json");
    let text = std::fs::read_to_string(&p).map_err(|e| {
        anyhow::anyhow!(
            "{} is not a finished shard part (cannot read {}: {e})",
            part.display(),
            p.display()
        )
    })?;
    let info: PartInfo = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a cohesion part", p.display()))?;
    if info.format != FORMAT {
        bail!("{} is not a cohesion part", p.display());
    }
    Ok(info)
}

/// Options of `cohesion merge`.
pub struct MergeConfig {
    pub parts: Vec<PathBuf>,
    pub out: PathBuf,
    pub force: bool,
    pub command_line: Vec<String>,
}

/// Checks the parts against each other and returns them sorted by block.
fn check(parts: &[PathBuf]) -> Result<Vec<(PathBuf, PartInfo)>> {
    if parts.is_empty() {
        bail!("no part given");
    }
    let mut infos: Vec<(PathBuf, PartInfo)> = Vec::new();
    for p in parts {
        infos.push((p.clone(), read_info(p)?));
    }
    let (p0, i0) = &infos[0];
    for (p, i) in &infos[1..] {
        let here = format!("in {}", p0.display());
        let there = format!("in {}", p.display());
        let mut d = i0.identity.differences(&i.identity, &here, &there);
        if i.shard_count != i0.shard_count {
            d.push(format!(
                "shards: {} {here}, {} {there}",
                i0.shard_count, i.shard_count
            ));
        }
        if !d.is_empty() {
            bail!(
                "{} is a part of another run than {}:\n  {}",
                p.display(),
                p0.display(),
                d.join("\n  ")
            );
        }
    }
    let n = i0.shard_count;
    let total = i0.blocks_total;
    infos.sort_by_key(|(_, i)| (i.first_block, i.shard_index));
    for w in infos.windows(2) {
        let ((pa, a), (pb, b)) = (&w[0], &w[1]);
        if a.shard_index == b.shard_index || b.first_block < a.end_block {
            bail!(
                "{} and {} hold the same blocks (shard {} twice): give each part once",
                pa.display(),
                pb.display(),
                b.shard
            );
        }
    }
    let mut missing = Vec::new();
    for k in 1..=n {
        if !infos.iter().any(|(_, i)| i.shard_index == k) {
            let r = Shard { index: k, count: n }.range(total);
            missing.push(format!(
                "shard {k}/{n} (blocks {}–{})",
                r.start,
                r.end.saturating_sub(1)
            ));
        }
    }
    if !missing.is_empty() {
        bail!(
            "parts are missing: {} — no part given for them",
            missing.join(", ")
        );
    }
    Ok(infos)
}

/// Merges shard parts into one result, byte-identical to a single run of the same command.
pub fn merge(cfg: &MergeConfig) -> Result<RunReport> {
    let t0 = Instant::now();
    let infos = check(&cfg.parts)?;
    let first = &infos[0].1;
    let id = first.identity.clone();
    let (sc, changed) = load_recorded(
        &id.scenario_path,
        id.scenario_abs_path.as_deref(),
        &id.files,
    )?;
    if !changed.is_empty() {
        bail!(
            "the scenario changed since the parts were written: {}; restore it to merge",
            changed.join("; ")
        );
    }
    let mut policies = Vec::new();
    for name in &id.policies {
        match sc.policy_index(name) {
            Some(i) => policies.push(i),
            None => bail!("the scenario no longer has the option `{name}`"),
        }
    }
    let sim = crate::model::build(&sc).map_err(|e| anyhow::anyhow!("{e}"))?;
    let exp = Experiment {
        scenario: &sc,
        sim: sim.as_ref(),
        policies: policies.clone(),
        trials: id.trials,
        seed: id.seed,
        block_size: id.block_size,
        threads: 1,
    };
    let layout = exp.layout();
    let dir = OutputDir::create(&cfg.out, cfg.force)?;
    let mut acc = Accumulators::new(layout.clone());
    let mut header: Option<Vec<u8>> = None;
    let trials_path = dir.file("trials.csv");
    let mut tw = std::io::BufWriter::with_capacity(
        1 << 20,
        std::fs::File::create(&trials_path)
            .with_context(|| format!("cannot write {}", trials_path.display()))?,
    );
    let mut trials = 0u64;
    let mut wall = 0.0;
    for (path, info) in &infos {
        let sp = path.join("stats.bin");
        let bytes = std::fs::read(&sp).with_context(|| format!("cannot read {}", sp.display()))?;
        let what = sp.display().to_string();
        let mut r = Reader::new(&bytes, "part", &layout, &what)?;
        let n = r.u64()?;
        if n != info.end_block - info.first_block {
            bail!(
                "{what} holds {n} blocks; its part.json says {}",
                info.end_block - info.first_block
            );
        }
        // Block order across parts: the parts are sorted by their first block.
        for _ in 0..n {
            let b = r.block_moments(&layout)?;
            acc.moments.merge(&b);
        }
        let part_acc = r.accumulators(&layout)?;
        r.end()?;
        acc.merge_sketches(&part_acc);
        let rp = path.join("rows.csv");
        let rows = std::fs::read(&rp).with_context(|| format!("cannot read {}", rp.display()))?;
        let cut = rows
            .iter()
            .position(|&b| b == b'\n')
            .map_or(rows.len(), |i| i + 1);
        let (h, body) = rows.split_at(cut);
        match &header {
            None => {
                std::io::Write::write_all(&mut tw, h)?;
                header = Some(h.to_vec());
            }
            Some(h0) if h0 != h => bail!("{} has other columns than the first part", rp.display()),
            _ => {}
        }
        std::io::Write::write_all(&mut tw, body)
            .with_context(|| format!("cannot write {}", trials_path.display()))?;
        trials += info.trials;
        wall += info.wall_seconds;
    }
    std::io::Write::flush(&mut tw)
        .with_context(|| format!("cannot write {}", trials_path.display()))?;
    drop(tw);
    if acc.moments.trials != trials || trials != id.trials {
        bail!(
            "the parts hold {} trials; the run has {}",
            acc.moments.trials,
            id.trials
        );
    }
    let manifest = super::manifest_for(
        &sc,
        &id,
        trials,
        first.threads,
        cfg.command_line.clone(),
        first.seed_generated,
        first.started.clone(),
        wall,
        Extras {
            execution: Some(Execution {
                blocks_reused: None,
                blocks: Some(first.blocks_total),
                merged_from: infos.iter().map(|(p, _)| p.display().to_string()).collect(),
            }),
            ..Extras::default()
        },
    );
    let format = Format::parse(&id.format)?;
    let chart_seconds = super::results::write(&dir, &sc, &policies, acc, &manifest, format)?;
    let out = dir.commit()?;
    let secs = t0.elapsed().as_secs_f64();
    Ok(RunReport {
        out,
        trials,
        wall_seconds: secs,
        trials_per_second: trials as f64 / wall.max(1e-9),
        chart_seconds,
        blocks_reused: 0,
        blocks: first.blocks_total,
        resume_found_nothing: false,
        stopping: None,
    })
}
