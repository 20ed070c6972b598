//! What a set of charts is drawn as and where it goes: formats, options, the charts drawn, the
//! `--charts` filter and the whole-file writer. Shared by the driver of a run's charts and the
//! driver of an exploration's.

use std::path::{Path, PathBuf};

use anyhow::Result;

use super::style::Style;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Svg,
    Png,
    Both,
}

impl Format {
    pub fn svg(self) -> bool {
        matches!(self, Format::Svg | Format::Both)
    }
    pub fn png(self) -> bool {
        matches!(self, Format::Png | Format::Both)
    }
}

/// What to draw and how.
#[derive(Debug, Clone)]
pub struct PlotOptions {
    pub style: Style,
    pub format: Format,
    /// Only the charts whose id is listed or starts with a listed kind followed by `-`
    /// (`fan` selects every `fan-…`); `None`: all.
    pub only: Option<Vec<String>>,
    /// Write `report.html` too.
    pub report: bool,
}

impl Default for PlotOptions {
    fn default() -> Self {
        PlotOptions {
            style: Style::default(),
            format: Format::Both,
            only: None,
            report: true,
        }
    }
}

/// A chart drawn: its id, title, caption, SVG text, and the files written.
#[derive(Debug, Clone)]
pub struct Drawn {
    pub id: String,
    pub title: String,
    pub caption: String,
    pub svg: String,
    pub files: Vec<PathBuf>,
}

/// Whether `id` is picked by a `--charts` list.
pub fn picked(id: &str, only: &Option<Vec<String>>) -> bool {
    match only {
        None => true,
        Some(list) => list.iter().any(|s| {
            id == s
                || id
                    .strip_prefix(s.as_str())
                    .is_some_and(|r| r.starts_with('-'))
        }),
    }
}

/// Writes `bytes` to `path` whole (temporary file, flush, rename).
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::kernel::fs::write_atomic(path, bytes).map_err(anyhow::Error::msg)
}
/// Refuses a `--charts` name that matches none of the charts `ids` (`of`: "this run", "this
/// exploration"), listing the ones there are.
pub fn check_only(ids: &[String], only: &Option<Vec<String>>, of: &str) -> Result<()> {
    for s in only.iter().flatten() {
        if !ids.iter().any(|id| picked(id, &Some(vec![s.clone()]))) {
            anyhow::bail!("no chart `{s}` for {of}; available: {}", ids.join(", "));
        }
    }
    Ok(())
}

/// Writes the files of one selected chart into `dir`: its SVG text and, when the format asks
/// for it, the PNG that `png` draws (only then). Returns the files written.
pub fn write_chart(
    dir: &Path,
    id: &str,
    svg: &str,
    opts: &PlotOptions,
    png: &dyn Fn() -> Result<Vec<u8>>,
) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    if opts.format.svg() {
        let p = dir.join(format!("{id}.svg"));
        write_file(&p, svg.as_bytes())?;
        files.push(p);
    }
    if opts.format.png() {
        let p = dir.join(format!("{id}.png"));
        write_file(&p, &png()?)?;
        files.push(p);
    }
    Ok(files)
}
