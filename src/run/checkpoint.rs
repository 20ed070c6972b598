//! The checkpoint of a run in progress, kept beside its partial output so that a run killed
//! at any moment (Ctrl-C, SIGTERM from a batch scheduler, kill -9, a power cut) continues with
//! `--resume` from its last saved block and ends byte-identical to an uninterrupted run.
//!
//! A run folds its blocks in a fixed order, so what it has done is always a prefix of its
//! block list. The checkpoint `.NAME.checkpoint/` beside the output holds:
//!
//! - `checkpoint.json`: the run's [`Identity`] and shard, written once; a resume compares it
//!   with the command given and refuses, naming every difference;
//! - `rows.csv`: the `trials.csv` rows of the blocks folded so far (header first), appended
//!   block by block;
//! - `state.bin`: how many blocks and trials are folded, how many bytes of `rows.csv` belong
//!   to them, and the exact folded statistics (see [`crate::output::codec`]), replaced
//!   atomically (written aside, synced, renamed) after the rows were synced. Bytes of
//!   `rows.csv` past the recorded length (a block written but not yet recorded) are cut off
//!   on resume.
//! - `owner`: the process id and host of the run writing it, so that a second run on the
//!   same output is refused while the first is alive;
//! - `progress.json`: the blocks and trials the state holds, for people and scripts watching
//!   a long run (never read back).
//!
//! Saving costs a sync and the statistics' size; it is done after a block when at least
//! forty times the last save's duration has passed since, which bounds its cost to about
//! 2.5% of the run while losing at most a few blocks. The checkpoint is removed once the result
//! is in place; signals and errors leave it.

use std::io::{BufWriter, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use super::identity::Identity;
use crate::output::codec::{Reader, Writer};
use crate::stats::{Accumulators, BlockMoments, Layout};

const FORMAT: &str = "cohesion-checkpoint";

/// What `checkpoint.json` holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Info {
    pub format: String,
    pub format_version: u32,
    pub identity: Identity,
    /// `I/N` when the run is one shard of a sharded run.
    pub shard: Option<String>,
    pub created: String,
}

/// What a resume restores.
pub struct Restored {
    /// Blocks of the block list already folded.
    pub done: usize,
    pub trials: u64,
    pub acc: Accumulators,
    /// Each folded block's own moments (kept only for a shard part).
    pub blocks: Vec<BlockMoments>,
}

/// A checkpoint being written.
pub struct Checkpoint {
    dir: PathBuf,
    rows: BufWriter<std::fs::File>,
    rows_len: u64,
    last_save: Instant,
    last_cost: Duration,
    layout: Layout,
}

/// Where the checkpoint of an output directory is kept.
pub fn path_for(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "out".into());
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    parent.join(format!(".{name}.checkpoint"))
}

fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// Whether process `pid` is alive on this machine (Linux: it has a `/proc` entry; elsewhere
/// assumed gone, so a stale checkpoint never blocks a resume).
fn alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// Refuses if another live process on this host owns the checkpoint; then takes it.
fn claim(dir: &Path) -> Result<()> {
    let owner = dir.join("owner");
    if let Ok(text) = std::fs::read_to_string(&owner) {
        let mut it = text.split_whitespace();
        let pid: Option<u32> = it.next().and_then(|p| p.parse().ok());
        let h = it.next().unwrap_or("");
        if let Some(pid) = pid
            && pid != std::process::id()
            && h == host()
            && alive(pid)
        {
            bail!(
                "another cohesion run (process {pid}) is writing {}; wait for it or stop it first",
                dir.display()
            );
        }
    }
    crate::kernel::fs::write_atomic(
        &owner,
        format!("{} {}\n", std::process::id(), host()).as_bytes(),
    )
    .map_err(anyhow::Error::msg)
}

impl Checkpoint {
    /// Starts a fresh checkpoint at `dir` (replacing any there), with the header of
    /// `trials.csv` as the first bytes of its rows.
    pub fn create(dir: &Path, info: &Info, header: &[u8], layout: &Layout) -> Result<Checkpoint> {
        if dir.exists() {
            std::fs::remove_dir_all(dir)
                .with_context(|| format!("cannot remove the old checkpoint {}", dir.display()))?;
        }
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the checkpoint {}", dir.display()))?;
        claim(dir)?;
        let json = serde_json::to_string_pretty(info)? + "\n";
        crate::kernel::fs::write_atomic(&dir.join("checkpoint.json"), json.as_bytes())
            .map_err(anyhow::Error::msg)?;
        let path = dir.join("rows.csv");
        let mut f = std::fs::File::create(&path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        f.write_all(header)
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(Checkpoint {
            dir: dir.to_path_buf(),
            rows: BufWriter::with_capacity(1 << 20, f),
            rows_len: header.len() as u64,
            last_save: Instant::now(),
            last_cost: Duration::ZERO,
            layout: layout.clone(),
        })
    }

    /// Reads the checkpoint's `checkpoint.json`.
    pub fn info(dir: &Path) -> Result<Info> {
        let p = dir.join("checkpoint.json");
        let text =
            std::fs::read_to_string(&p).with_context(|| format!("cannot read {}", p.display()))?;
        let info: Info = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a cohesion checkpoint", p.display()))?;
        if info.format != FORMAT {
            bail!("{} is not a cohesion checkpoint", p.display());
        }
        Ok(info)
    }

    /// Opens an existing checkpoint to continue it: restores the statistics and cuts
    /// `rows.csv` back to the rows they cover.
    pub fn resume(dir: &Path, layout: &Layout, shard: bool) -> Result<(Checkpoint, Restored)> {
        claim(dir)?;
        let sp = dir.join("state.bin");
        let rows_path = dir.join("rows.csv");
        let (restored, rows_len) = if sp.exists() {
            let bytes =
                std::fs::read(&sp).with_context(|| format!("cannot read {}", sp.display()))?;
            let what = sp.display().to_string();
            let mut r = Reader::new(&bytes, "checkpoint", layout, &what)?;
            let done = r.u64()? as usize;
            let trials = r.u64()?;
            let rows_len = r.u64()?;
            let acc = r.accumulators(layout)?;
            let n = r.u64()? as usize;
            let mut blocks = Vec::with_capacity(n);
            for _ in 0..n {
                blocks.push(r.block_moments(layout)?);
            }
            r.end()?;
            if shard != (n == done) && done > 0 {
                bail!("{what} does not match this kind of run");
            }
            (
                Restored {
                    done,
                    trials,
                    acc,
                    blocks,
                },
                rows_len,
            )
        } else {
            // Killed before the first save: nothing folded yet, keep only the header.
            let text = std::fs::read(&rows_path).unwrap_or_default();
            let header_len = text
                .iter()
                .position(|&b| b == b'\n')
                .map(|i| i as u64 + 1)
                .unwrap_or(0);
            (
                Restored {
                    done: 0,
                    trials: 0,
                    acc: Accumulators::new(layout.clone()),
                    blocks: Vec::new(),
                },
                header_len,
            )
        };
        unshare(&rows_path)?;
        let mut f = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&rows_path)
            .with_context(|| format!("cannot open {}", rows_path.display()))?;
        let have = f.metadata()?.len();
        if have < rows_len || rows_len == 0 {
            bail!(
                "{} is shorter than its checkpoint records ({have} of {rows_len} bytes): the checkpoint is damaged",
                rows_path.display()
            );
        }
        f.set_len(rows_len)?;
        f.seek(std::io::SeekFrom::End(0))?;
        Ok((
            Checkpoint {
                dir: dir.to_path_buf(),
                rows: BufWriter::with_capacity(1 << 20, f),
                rows_len,
                last_save: Instant::now(),
                last_cost: Duration::ZERO,
                layout: layout.clone(),
            },
            restored,
        ))
    }

    /// Appends a folded block's rows.
    pub fn append(&mut self, rows: &[u8]) -> Result<()> {
        self.rows
            .write_all(rows)
            .with_context(|| format!("cannot write {}", self.dir.join("rows.csv").display()))?;
        self.rows_len += rows.len() as u64;
        Ok(())
    }

    /// Whether enough time has passed since the last save to save again.
    pub fn due(&self) -> bool {
        self.last_save.elapsed() >= self.last_cost * 40
    }

    /// Saves what is folded: rows synced first, then the state replaced atomically.
    pub fn save(
        &mut self,
        done: usize,
        trials: u64,
        acc: &Accumulators,
        blocks: &[BlockMoments],
    ) -> Result<()> {
        let t = Instant::now();
        let rows_path = self.dir.join("rows.csv");
        self.rows
            .flush()
            .with_context(|| format!("cannot write {}", rows_path.display()))?;
        self.rows
            .get_ref()
            .sync_data()
            .with_context(|| format!("cannot sync {}", rows_path.display()))?;
        // Streamed to the file as it is encoded: a long horizon's state is tens of MB.
        let path = self.dir.join("state.bin");
        let tmp = crate::kernel::fs::temp_name(&path);
        let write = || -> std::io::Result<()> {
            let f = std::fs::File::create(&tmp)?;
            let dest = std::io::BufWriter::with_capacity(1 << 16, f.try_clone()?);
            let mut w = Writer::streaming("checkpoint", &self.layout, Box::new(dest));
            w.u64(done as u64);
            w.u64(trials);
            w.u64(self.rows_len);
            w.accumulators(acc);
            w.u64(blocks.len() as u64);
            for b in blocks {
                w.block_moments(b);
            }
            w.finish_streaming()?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)
        };
        write().map_err(|e| {
            std::fs::remove_file(&tmp).ok();
            anyhow::anyhow!("cannot write {}: {e}", path.display())
        })?;
        // For people and scripts watching the run (not read back): what the state holds.
        let progress = self.dir.join("progress.json");
        let tmp = crate::kernel::fs::temp_name(&progress);
        let text = format!("{{\"blocks_done\": {done}, \"trials_done\": {trials}}}\n");
        if std::fs::write(&tmp, text).is_ok() {
            std::fs::rename(&tmp, &progress).ok();
        }
        self.last_cost = t.elapsed();
        self.last_save = Instant::now();
        Ok(())
    }

    /// Finishes the rows and hands back their file (to be moved into the result).
    pub fn finish_rows(mut self) -> Result<PathBuf> {
        let p = self.dir.join("rows.csv");
        self.rows
            .flush()
            .with_context(|| format!("cannot write {}", p.display()))?;
        self.rows
            .get_ref()
            .sync_all()
            .with_context(|| format!("cannot sync {}", p.display()))?;
        Ok(p)
    }
}

/// Gives the result the checkpoint's rows as `to`: a hard link (no copy, and the checkpoint
/// stays whole until the result is in place, whatever stops the process before), or a copy
/// where the file system has no hard links.
pub fn link_rows(rows: &Path, to: &Path) -> Result<()> {
    if std::fs::hard_link(rows, to).is_err() {
        std::fs::copy(rows, to)
            .with_context(|| format!("cannot copy {} to {}", rows.display(), to.display()))?;
    }
    Ok(())
}

/// Makes `rows.csv` a file of its own before it is cut back on resume: a process stopped
/// after its result was in place but before its checkpoint was removed leaves the rows
/// linked into that result, which must not change.
fn unshare(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if std::fs::metadata(path).is_ok_and(|m| m.nlink() > 1) {
            let tmp = crate::kernel::fs::temp_name(path);
            std::fs::copy(path, &tmp)
                .and_then(|_| std::fs::rename(&tmp, path))
                .with_context(|| format!("cannot copy {}", path.display()))?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// The `Info` of a run.
pub fn info(identity: &Identity, shard: Option<String>) -> Info {
    Info {
        format: FORMAT.into(),
        format_version: 1,
        identity: identity.clone(),
        shard,
        created: crate::kernel::time::now_rfc3339(),
    }
}
