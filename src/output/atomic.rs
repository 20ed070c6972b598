//! The output directory appears whole or not at all.
//!
//! A run writes into a hidden `.NAME.partial-PID` directory beside the target and renames it
//! into place only when every file, the manifest last, is written and flushed. An existing
//! result is never replaced without `--force`; with it, the old directory is moved aside and
//! removed only after the new one is in place. If the run fails or is interrupted, the
//! partial directory is removed; if the process is killed outright, what remains is a
//! hidden `.partial` directory without a manifest, which nothing mistakes for a result.

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
        std::fs::create_dir(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
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

    /// Moves the finished directory into place.
    pub fn commit(mut self) -> Result<PathBuf> {
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
    "allies.csv",
    "injects.csv",
    "policies.csv",
    "report.html",
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
