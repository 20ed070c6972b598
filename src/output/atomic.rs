//! The output directory appears whole or not at all.
//!
//! A run writes into a hidden `.NAME.partial-PID` directory beside the target and renames it
//! into place only when every file, the manifest last, is written and flushed. An existing
//! result is never replaced without `--force`; with it, the old directory is moved aside and
//! removed only after the new one is in place. If the run fails or is interrupted, the
//! partial directory is removed; if the process is killed outright, what remains is a
//! hidden `.partial` directory without a manifest, which nothing mistakes for a result, and
//! the next run into the same folder removes it when the process that wrote it is gone (it
//! records its process and host in `.owner`) or reports it when that cannot be known.
//! Before the rename every file and folder is synced (fsync), and the parent folder after
//! it, so that a result in place survives a power cut.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// A directory being written.
pub struct OutputDir {
    target: PathBuf,
    tmp: PathBuf,
    force: bool,
    committed: bool,
}

impl OutputDir {
    /// Prepares to write `target`. Fails if it exists and `force` is false, and even with
    /// `force` if it is not something `--force` may replace (see [`check_replaceable`]).
    pub fn create(target: &Path, force: bool) -> Result<OutputDir> {
        if target.exists() && !force && target.is_dir() {
            bail!(
                "output directory {} already exists; use --force to replace it, or --out to write elsewhere",
                target.display()
            );
        }
        if target.exists() {
            check_replaceable(target)?;
        }
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent)
            .with_context(|| format!("cannot create output folder {}", parent.display()))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| "out".into());
        let tmp = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp).ok();
        }
        for note in clean_stale(&parent, &name) {
            eprintln!("{note}");
        }
        std::fs::create_dir(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
        crate::kernel::fs::write_atomic(&tmp.join(OWNER), owner().as_bytes())
            .map_err(anyhow::Error::msg)?;
        Ok(OutputDir {
            target: target.to_path_buf(),
            tmp,
            force,
            committed: false,
        })
    }

    /// Where files are written until [`commit`](Self::commit).
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// The final location.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// A file in the partial directory.
    pub fn file(&self, name: &str) -> PathBuf {
        self.tmp.join(name)
    }

    /// Forces every file written so far to disk (done again by [`commit`](Self::commit); a
    /// caller that wants to stop after the slow part and before the rename calls it first).
    pub fn sync(&self) -> Result<()> {
        std::fs::remove_file(self.tmp.join(OWNER)).ok();
        crate::kernel::fs::sync_tree(&self.tmp)
            .with_context(|| format!("cannot sync {}", self.tmp.display()))
    }

    /// Moves the finished directory into place, durably: its files and folders synced
    /// before the rename, the parent folder after.
    pub fn commit(mut self) -> Result<PathBuf> {
        self.sync()?;
        let mut old = None;
        if self.target.exists() {
            if !self.force {
                bail!(
                    "output directory {} appeared during the run; not replaced (use --force)",
                    self.target.display()
                );
            }
            check_replaceable(&self.target)?;
            let aside = self.tmp.with_file_name(format!(
                ".{}.old-{}",
                self.target
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default(),
                std::process::id()
            ));
            std::fs::rename(&self.target, &aside)
                .with_context(|| format!("cannot move old {} aside", self.target.display()))?;
            old = Some(aside);
        }
        std::fs::rename(&self.tmp, &self.target)
            .with_context(|| format!("cannot move results into {}", self.target.display()))?;
        self.committed = true;
        if let Some(parent) = self.target.parent() {
            let parent = if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            };
            crate::kernel::fs::sync_dir(parent)
                .with_context(|| format!("cannot sync {}", parent.display()))?;
        }
        if let Some(o) = old {
            std::fs::remove_dir_all(&o).ok();
        }
        Ok(self.target.clone())
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.committed {
            std::fs::remove_dir_all(&self.tmp).ok();
        }
    }
}

/// The files a run writes at the top of its folder (and `charts/`, which holds only SVG and
/// PNG charts): what `--force` may replace.
pub const RESULT_FILES: &[&str] = &[
    "manifest.json",
    "trials.csv",
    "summary.csv",
    "timeseries.csv",
    "comparison.csv",
    "conditions.csv",
    "allies.csv",
    "injects.csv",
    "policies.csv",
    "report.html",
    "scenario.toml",
    "charts",
];

/// Whether a file at the top of a result folder is one a run writes: a table as CSV or,
/// with `--format parquet|both`, as Parquet, or the manifest or report.
fn result_file(name: &str) -> bool {
    RESULT_FILES.contains(&name)
        || name
            .strip_suffix(".parquet")
            .is_some_and(|t| RESULT_FILES.contains(&format!("{t}.csv").as_str()))
}

/// What in an earlier result a run did not write (a user's notes, a notebook…), by path
/// relative to it.
fn foreign_files(target: &Path) -> Result<Vec<String>> {
    let mut foreign = Vec::new();
    let list = |dir: &Path| -> Result<Vec<std::fs::DirEntry>> {
        let mut v: Vec<_> = std::fs::read_dir(dir)
            .with_context(|| format!("cannot read {}", dir.display()))?
            .flatten()
            .collect();
        v.sort_by_key(|e| e.file_name());
        Ok(v)
    };
    for e in list(target)? {
        let name = e.file_name().to_string_lossy().to_string();
        let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
        if name == "charts" && is_dir {
            for c in list(&e.path())? {
                let n = c.file_name().to_string_lossy().to_string();
                let chart = c.file_type().is_ok_and(|t| t.is_file())
                    && (n.ends_with(".svg") || n.ends_with(".png"));
                if !chart {
                    foreign.push(format!("charts/{n}"));
                }
            }
        } else if !result_file(&name) || is_dir {
            foreign.push(name);
        }
    }
    Ok(foreign)
}

/// `--force` replaces an earlier result (a directory with a `manifest.json` and only what a
/// run writes) or an empty directory, never a file, a folder of other work that `--out`
/// happens to name, or files a user added to a result (they would be deleted unseen).
fn check_replaceable(target: &Path) -> Result<()> {
    if !target.is_dir() {
        bail!(
            "{} exists and is not a directory; not replaced, even with --force",
            target.display()
        );
    }
    let empty = std::fs::read_dir(target)
        .with_context(|| format!("cannot read {}", target.display()))?
        .next()
        .is_none();
    if !empty && !target.join("manifest.json").is_file() {
        bail!(
            "{} is not a cohesion result (it has no manifest.json); --force replaces only an earlier result or an empty folder",
            target.display()
        );
    }
    let foreign = foreign_files(target)?;
    if !foreign.is_empty() {
        let shown: Vec<String> = foreign
            .iter()
            .take(5)
            .map(|f| crate::kernel::text::shown(f))
            .collect();
        bail!(
            "{} holds files a run did not write ({}{}); --force would delete them: move them elsewhere first, or choose another --out",
            target.display(),
            shown.join(", "),
            if foreign.len() > 5 {
                format!(" and {} more", foreign.len() - 5)
            } else {
                String::new()
            }
        );
    }
    Ok(())
}

/// The file in a partial directory that names the process writing it (removed before the
/// directory becomes the result).
const OWNER: &str = ".owner";

fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

fn owner() -> String {
    format!("{} {}\n", std::process::id(), host())
}

/// Whether process `pid` runs on this machine (Linux: it has a `/proc` entry).
fn alive(pid: u32) -> bool {
    !Path::new("/proc/self").exists() || Path::new(&format!("/proc/{pid}")).exists()
}

/// Partial folders `.NAME.partial-PID` that other runs into `parent/NAME` left behind (killed
/// outright, or stopped by a second signal): removed when they record a process of this
/// host that is gone, else left and reported; and an earlier result that an interrupted
/// `--force` had moved aside (`.NAME.old-PID`), reported and kept. Returns the notes to show.
pub fn clean_stale(parent: &Path, name: &str) -> Vec<String> {
    let partial = format!(".{name}.partial-");
    let old = format!(".{name}.old-");
    let mine = std::process::id();
    let mut notes = Vec::new();
    let Ok(entries) = std::fs::read_dir(parent) else {
        return notes;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let file = e.file_name().to_string_lossy().to_string();
        let path = e.path();
        if let Some(pid) = file.strip_prefix(&partial) {
            if pid.parse::<u32>().ok() == Some(mine) {
                continue;
            }
            let rec = std::fs::read_to_string(path.join(OWNER)).unwrap_or_default();
            let mut it = rec.split_whitespace();
            let pid: Option<u32> = it.next().and_then(|p| p.parse().ok());
            let same_host = it.next().is_some_and(|h| h == host());
            match pid {
                Some(p) if same_host && !alive(p) => {
                    if std::fs::remove_dir_all(&path).is_ok() {
                        notes.push(format!(
                            "removed {}: the partial output of a run (process {p}) that was stopped before it finished",
                            path.display()
                        ));
                    }
                }
                Some(p) if same_host => notes.push(format!(
                    "note: {} is being written by process {p}, which is still running",
                    path.display()
                )),
                _ => notes.push(format!(
                    "note: {} is the partial output of an unfinished run (of another machine, or of an older cohesion); remove it if no run is writing it",
                    path.display()
                )),
            }
        } else if file.starts_with(&old) {
            notes.push(format!(
                "note: {} is an earlier result that an interrupted --force had moved aside; it is kept: move it back or remove it",
                path.display()
            ));
        }
    }
    notes
}

/// Removes partial directories of this process (used by the Ctrl-C handler).
pub fn partial_name_prefix(target: &Path) -> String {
    format!(
        ".{}.partial-",
        target
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default()
    )
}
