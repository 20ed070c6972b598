//! The CSV tables of a run folder as the charts read them back, each row checked.
//!
//! `cohesion plot` reads folders that may have been edited, damaged or written by another
//! version, so nothing a table holds is trusted: a table has its header (every column once),
//! at most [`MAX_TABLE_ROWS`] rows (counted while reading, before anything grows with them),
//! and every row names an option of the run, a known kind, finite numbers of a plausible size
//! ([`MAX_ABS_VALUE`]), probabilities within [0, 1], quantiles in order, and turns within the
//! run's horizon. The first wrong row stops the reading with a message that names the file,
//! the row (as a spreadsheet numbers it: the header is row 1) and the column. A table
//! written as Parquet (`--format parquet`) is read as the CSV text it was made from.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// The most rows `plot` reads from one table (`trials.csv`, streamed, is not held and has no
/// such limit). A run writes at most options × turns × series rows of `timeseries.csv`;
/// `cohesion run` refuses a scenario that would write more (see `docs/RELIABILITY.md`).
pub const MAX_TABLE_ROWS: usize = 1_000_000;

/// The largest absolute value a table may hold: models declare bounded outcomes and series,
/// and counts and turns are bounded by the run's size, so a larger number is damage.
pub const MAX_ABS_VALUE: f64 = 1e12;

/// How an outcome is summarised (the `kind` column of `summary.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Real,
    Count,
    Binary,
    Turn,
    /// One of a few named categories (held as its position; the cell is
    /// `category:NAME|NAME…`): shown as shares, never averaged.
    Category,
}

impl Kind {
    /// The kind a `kind` cell names.
    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "real" => Some(Kind::Real),
            "count" => Some(Kind::Count),
            "binary" => Some(Kind::Binary),
            "turn" => Some(Kind::Turn),
            _ if s
                .strip_prefix("category:")
                .is_some_and(|names| names.split('|').all(|n| !n.is_empty())) =>
            {
                Some(Kind::Category)
            }
            _ => None,
        }
    }
}

/// A row of `summary.csv`.
#[derive(Debug, Clone, Deserialize)]
pub struct SummaryRow {
    pub option: String,
    pub outcome: String,
    pub kind: String,
    pub n: u64,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub mcse: Option<f64>,
    pub mean_lo95: Option<f64>,
    pub mean_hi95: Option<f64>,
    pub p5: Option<f64>,
    pub p25: Option<f64>,
    pub p50: Option<f64>,
    pub p75: Option<f64>,
    pub p95: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub prob: Option<f64>,
    pub prob_lo95: Option<f64>,
    pub prob_hi95: Option<f64>,
}

/// A row of `timeseries.csv`.
#[derive(Debug, Clone, Deserialize)]
pub struct SeriesRow {
    pub option: String,
    pub turn: usize,
    pub metric: String,
    pub n: u64,
    pub mean: Option<f64>,
    pub p5: Option<f64>,
    pub p25: Option<f64>,
    pub p50: Option<f64>,
    pub p75: Option<f64>,
    pub p95: Option<f64>,
}

/// A row of `comparison.csv`.
#[derive(Debug, Clone, Deserialize)]
pub struct ComparisonRow {
    pub option: String,
    pub baseline: String,
    pub outcome: String,
    pub n: u64,
    pub mean_diff: Option<f64>,
    pub sd_diff: Option<f64>,
    pub mcse: Option<f64>,
    pub diff_lo95: Option<f64>,
    pub diff_hi95: Option<f64>,
    /// better, worse, higher, lower, negligible, detectable but negligible or undetermined
    /// (absent in folders written before verdicts).
    #[serde(default)]
    pub verdict: Option<String>,
}

/// A row of `allies.csv`.
#[derive(Debug, Clone, Deserialize)]
pub struct AllyRow {
    pub option: String,
    pub ally: String,
    pub metric: String,
    pub kind: String,
    pub n: u64,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub p5: Option<f64>,
    pub p50: Option<f64>,
    pub p95: Option<f64>,
    pub prob: Option<f64>,
    pub prob_lo95: Option<f64>,
    pub prob_hi95: Option<f64>,
}

/// The numbers of a row of `summary.csv`, as charts keep them: the option and outcome are
/// its place in [`crate::plot::RunData`]'s index, so a long horizon's hundred thousand rows
/// hold no text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub n: u64,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub mcse: Option<f64>,
    pub mean_lo95: Option<f64>,
    pub mean_hi95: Option<f64>,
    pub p5: Option<f64>,
    pub p25: Option<f64>,
    pub p50: Option<f64>,
    pub p75: Option<f64>,
    pub p95: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub prob: Option<f64>,
    pub prob_lo95: Option<f64>,
    pub prob_hi95: Option<f64>,
}

impl From<&SummaryRow> for Summary {
    fn from(r: &SummaryRow) -> Self {
        Summary {
            n: r.n,
            mean: r.mean,
            sd: r.sd,
            mcse: r.mcse,
            mean_lo95: r.mean_lo95,
            mean_hi95: r.mean_hi95,
            p5: r.p5,
            p25: r.p25,
            p50: r.p50,
            p75: r.p75,
            p95: r.p95,
            min: r.min,
            max: r.max,
            prob: r.prob,
            prob_lo95: r.prob_lo95,
            prob_hi95: r.prob_hi95,
        }
    }
}

/// One turn of a row of `timeseries.csv`, as charts keep it (option and metric are its
/// place in the index).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeriesPoint {
    pub turn: usize,
    pub n: u64,
    pub mean: Option<f64>,
    pub p5: Option<f64>,
    pub p25: Option<f64>,
    pub p50: Option<f64>,
    pub p75: Option<f64>,
    pub p95: Option<f64>,
}

impl From<&SeriesRow> for SeriesPoint {
    fn from(r: &SeriesRow) -> Self {
        SeriesPoint {
            turn: r.turn,
            n: r.n,
            mean: r.mean,
            p5: r.p5,
            p25: r.p25,
            p50: r.p50,
            p75: r.p75,
            p95: r.p95,
        }
    }
}

/// A row of `comparison.csv` as charts keep it: the outcome and verdict are shared names
/// (one allocation per distinct name, not per row).
#[derive(Debug, Clone, PartialEq)]
pub struct Compared {
    pub outcome: std::sync::Arc<str>,
    pub n: u64,
    pub mean_diff: Option<f64>,
    pub sd_diff: Option<f64>,
    pub mcse: Option<f64>,
    pub diff_lo95: Option<f64>,
    pub diff_hi95: Option<f64>,
    pub verdict: Option<std::sync::Arc<str>>,
}

/// The numbers of a row of `allies.csv`, as charts keep them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AllyStats {
    pub n: u64,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub p5: Option<f64>,
    pub p50: Option<f64>,
    pub p95: Option<f64>,
    pub prob: Option<f64>,
    pub prob_lo95: Option<f64>,
    pub prob_hi95: Option<f64>,
}

impl From<&AllyRow> for AllyStats {
    fn from(r: &AllyRow) -> Self {
        AllyStats {
            n: r.n,
            mean: r.mean,
            sd: r.sd,
            p5: r.p5,
            p50: r.p50,
            p95: r.p95,
            prob: r.prob,
            prob_lo95: r.prob_lo95,
            prob_hi95: r.prob_hi95,
        }
    }
}

/// A row of `injects.csv`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct InjectRow {
    pub turn: usize,
    #[serde(default)]
    pub date: String,
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
}

/// A row of `policies.csv` (one per lever; an option without levers has one row with the
/// lever blank).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct PolicyRow {
    pub option: String,
    pub baseline: bool,
    #[serde(default)]
    pub lever: String,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub description: String,
}

/// What the rows of a run's tables are checked against (from its manifest).
#[derive(Debug, Clone)]
pub struct Frame<'a> {
    /// The options run.
    pub options: &'a [String],
    pub baseline: &'a str,
    /// Trials per option: no count `n` may exceed it.
    pub trials: u64,
    /// The last turn of the horizon.
    pub turns: usize,
}

/// A wrong row: the message names the column and the problem.
type Check<'f, T> = &'f dyn Fn(&T) -> Result<(), String>;

/// A table's CSV text: `NAME.csv`, or, in a folder written with `--format parquet`, the CSV
/// text of `NAME.parquet` (the same values; see [`crate::output::parquet::to_csv`]).
pub fn open(path: &Path) -> Result<Box<dyn std::io::Read>> {
    let pq = path.with_extension("parquet");
    if !path.exists() && pq.exists() {
        return Ok(Box::new(std::io::Cursor::new(
            crate::output::parquet::to_csv(&pq)?,
        )));
    }
    let f = std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(Box::new(std::io::BufReader::with_capacity(1 << 20, f)))
}

/// At least the number of rows of a table, counted as its lines (a quoted cell may hold a
/// line break, so never fewer), at most [`MAX_TABLE_ROWS`]; 0 when it is not a CSV file.
/// A caller sizes its store with it, once, rather than growing it by doubling while reading
/// (at long horizons the store is tens of megabytes, and a doubling holds both copies).
pub fn rows_at_most(path: &Path) -> usize {
    use std::io::Read;
    let Ok(mut f) = std::fs::File::open(path) else {
        return 0;
    };
    let mut buf = vec![0u8; 1 << 16];
    let mut lines = 0usize;
    while let Ok(n) = f.read(&mut buf) {
        if n == 0 || lines > MAX_TABLE_ROWS {
            break;
        }
        lines += buf[..n].iter().filter(|&&b| b == b'\n').count();
    }
    lines.min(MAX_TABLE_ROWS)
}

/// Whether a table exists as CSV or Parquet.
pub fn exists(path: &Path) -> bool {
    path.exists() || path.with_extension("parquet").exists()
}

/// Reads every row of a table, checking each with `check`; an absent file is an error unless
/// `optional` (then no rows). An empty file (not even a header) is an error.
pub fn read<T: serde::de::DeserializeOwned>(
    path: &Path,
    optional: bool,
    check: Check<'_, T>,
) -> Result<Vec<T>> {
    let mut out = Vec::new();
    each(path, optional, check, &mut |_, row| {
        out.push(row);
        Ok(())
    })?;
    Ok(out)
}

/// Reads a table row by row, checking each with `check` and handing it to `sink` with its
/// row number (the header is row 1), so that a caller keeps only what it needs of a long
/// table; an absent file is an error unless `optional` (then no rows). The sink's error
/// names the row.
pub fn each<T: serde::de::DeserializeOwned>(
    path: &Path,
    optional: bool,
    check: Check<'_, T>,
    sink: &mut dyn FnMut(usize, T) -> Result<(), String>,
) -> Result<()> {
    if optional && !exists(path) {
        return Ok(());
    }
    let name = path.display();
    let mut r = csv::Reader::from_reader(open(path)?);
    let header = r
        .headers()
        .with_context(|| format!("{name}: row 1 (the header) is not CSV text"))?
        .clone();
    if header.is_empty() || header.iter().all(str::is_empty) {
        bail!("{name} is empty: a run's table starts with a header row");
    }
    for (i, h) in header.iter().enumerate() {
        if header.iter().take(i).any(|g| g == h) {
            bail!(
                "{name}: row 1 (the header): column `{}` appears twice; allowed: each column once",
                crate::kernel::text::shown(h)
            );
        }
    }
    for (i, row) in r.deserialize::<T>().enumerate() {
        let at = i + 2;
        if i == MAX_TABLE_ROWS {
            bail!("{name}: more than {MAX_TABLE_ROWS} rows; allowed: at most {MAX_TABLE_ROWS}");
        }
        let row = row.map_err(|e| {
            anyhow::anyhow!(
                "{name}: row {at}: {}",
                crate::kernel::text::terminal_safe(&e.to_string())
            )
        })?;
        check(&row).map_err(|e| anyhow::anyhow!("{name}: row {at}: {e}"))?;
        sink(at, row).map_err(|e| anyhow::anyhow!("{name}: row {at}: {e}"))?;
    }
    Ok(())
}

/// Names numbered in order of first appearance, each held once.
#[derive(Default)]
pub struct Names {
    pub order: Vec<String>,
    idx: BTreeMap<String, u32>,
}

impl Names {
    pub fn id(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.idx.get(name) {
            return i;
        }
        let i = self.order.len() as u32;
        self.order.push(name.to_string());
        self.idx.insert(name.to_string(), i);
        i
    }
}

/// The first row, in file order, whose key an earlier row already has: its position.
pub fn first_repeat<K: Ord + Copy, V>(rows: &[(K, V)]) -> Option<usize> {
    let mut keys: Vec<(K, usize)> = rows.iter().enumerate().map(|(i, r)| (r.0, i)).collect();
    keys.sort_unstable();
    keys.windows(2)
        .filter(|w| w[0].0 == w[1].0)
        .map(|w| w[1].1)
        .min()
}

/// Sorts keyed rows by key; of rows with the same key, keeps the last (`keep_last`) or the
/// first in file order.
pub fn sort_keyed<K: Ord + Copy, V>(rows: &mut Vec<(K, V)>, keep_last: bool) {
    // A run writes its tables in key order: then there is nothing to sort (and no scratch
    // copy of a long table to make).
    if !rows.is_sorted_by_key(|r| r.0) {
        rows.sort_by_key(|r| r.0);
    }
    rows.dedup_by(|later, kept| {
        if later.0 != kept.0 {
            return false;
        }
        if keep_last {
            std::mem::swap(later, kept);
        }
        true
    });
    rows.shrink_to_fit();
}

pub fn find<K: Ord + Copy, V>(rows: &[(K, V)], key: K) -> Option<&V> {
    rows.binary_search_by_key(&key, |r| r.0)
        .ok()
        .map(|i| &rows[i].1)
}

/// A number cell: finite and at most [`MAX_ABS_VALUE`] in size, when given.
pub fn number(col: &str, x: Option<f64>) -> Result<(), String> {
    match x {
        Some(v) if !v.is_finite() || v.abs() > MAX_ABS_VALUE => Err(format!(
            "column {col}: {} is not allowed; allowed: a finite number of at most {MAX_ABS_VALUE:e} in size, or blank",
            if v.is_finite() {
                crate::kernel::fmt::fmt_f64(v)
            } else {
                v.to_string()
            }
        )),
        _ => Ok(()),
    }
}

/// A probability cell: within [0, 1], when given.
fn probability(col: &str, x: Option<f64>) -> Result<(), String> {
    number(col, x)?;
    match x {
        Some(v) if !(0.0..=1.0).contains(&v) => Err(format!(
            "column {col}: {v} is not a probability; allowed: 0 to 1, or blank"
        )),
        _ => Ok(()),
    }
}

/// Quantiles that are given must not decrease (min ≤ p5 ≤ … ≤ max).
fn ordered(cols: &[(&str, Option<f64>)]) -> Result<(), String> {
    let given: Vec<(&str, f64)> = cols.iter().filter_map(|(c, x)| Some((*c, (*x)?))).collect();
    for w in given.windows(2) {
        if w[1].1 < w[0].1 {
            return Err(format!(
                "column {} ({}) is below column {} ({}); allowed: quantiles in increasing order",
                w[1].0, w[1].1, w[0].0, w[0].1
            ));
        }
    }
    Ok(())
}

impl Frame<'_> {
    fn option(&self, col: &str, name: &str) -> Result<(), String> {
        if self.options.iter().any(|o| o == name) {
            Ok(())
        } else {
            Err(format!(
                "column {col}: `{}` is not an option of this run; allowed: {} (manifest.json)",
                crate::kernel::text::shown(name),
                self.options.join(", ")
            ))
        }
    }

    fn count(&self, n: u64) -> Result<(), String> {
        if n > self.trials {
            return Err(format!(
                "column n: {n} is more than the run's {} trials",
                self.trials
            ));
        }
        Ok(())
    }

    fn turn(&self, t: usize) -> Result<(), String> {
        if !(1..=self.turns).contains(&t) {
            return Err(format!(
                "column turn: turn {t} is outside the horizon; allowed: 1 to {}",
                self.turns
            ));
        }
        Ok(())
    }

    /// A row of `summary.csv`.
    pub fn summary(&self, r: &SummaryRow) -> Result<(), String> {
        self.option("option", &r.option)?;
        if Kind::parse(&r.kind).is_none() {
            return Err(format!(
                "column kind: `{}` is not a kind; allowed: real, count, binary, turn, category:NAME|NAME…",
                crate::kernel::text::shown(&r.kind)
            ));
        }
        self.count(r.n)?;
        let cols = [
            ("mean", r.mean),
            ("sd", r.sd),
            ("mcse", r.mcse),
            ("mean_lo95", r.mean_lo95),
            ("mean_hi95", r.mean_hi95),
            ("p5", r.p5),
            ("p25", r.p25),
            ("p50", r.p50),
            ("p75", r.p75),
            ("p95", r.p95),
            ("min", r.min),
            ("max", r.max),
        ];
        for (c, x) in cols {
            number(c, x)?;
        }
        for (c, x) in [("sd", r.sd), ("mcse", r.mcse)] {
            if x.is_some_and(|v| v < 0.0) {
                return Err(format!("column {c}: a spread cannot be negative"));
            }
        }
        for (c, x) in [
            ("prob", r.prob),
            ("prob_lo95", r.prob_lo95),
            ("prob_hi95", r.prob_hi95),
        ] {
            probability(c, x)?;
        }
        ordered(&[
            ("min", r.min),
            ("p5", r.p5),
            ("p25", r.p25),
            ("p50", r.p50),
            ("p75", r.p75),
            ("p95", r.p95),
            ("max", r.max),
        ])?;
        ordered(&[("mean_lo95", r.mean_lo95), ("mean_hi95", r.mean_hi95)])?;
        ordered(&[("prob_lo95", r.prob_lo95), ("prob_hi95", r.prob_hi95)])
    }

    /// A row of `timeseries.csv`.
    pub fn series(&self, r: &SeriesRow) -> Result<(), String> {
        self.option("option", &r.option)?;
        self.turn(r.turn)?;
        self.count(r.n)?;
        let qs = [
            ("p5", r.p5),
            ("p25", r.p25),
            ("p50", r.p50),
            ("p75", r.p75),
            ("p95", r.p95),
        ];
        number("mean", r.mean)?;
        for (c, x) in qs {
            number(c, x)?;
        }
        ordered(&qs)
    }

    /// A row of `comparison.csv`; `known` tells the outcomes of `summary.csv`.
    pub fn comparison(
        &self,
        r: &ComparisonRow,
        known: &dyn Fn(&str) -> bool,
    ) -> Result<(), String> {
        self.option("option", &r.option)?;
        if r.baseline != self.baseline {
            return Err(format!(
                "column baseline: `{}` is not the run's baseline `{}`",
                crate::kernel::text::shown(&r.baseline),
                self.baseline
            ));
        }
        if !known(&r.outcome) {
            return Err(format!(
                "column outcome: `{}` is not an outcome of summary.csv",
                crate::kernel::text::shown(&r.outcome)
            ));
        }
        self.count(r.n)?;
        for (c, x) in [
            ("mean_diff", r.mean_diff),
            ("sd_diff", r.sd_diff),
            ("mcse", r.mcse),
            ("diff_lo95", r.diff_lo95),
            ("diff_hi95", r.diff_hi95),
        ] {
            number(c, x)?;
        }
        ordered(&[("diff_lo95", r.diff_lo95), ("diff_hi95", r.diff_hi95)])
    }

    /// A row of `injects.csv`.
    pub fn ally(&self, r: &AllyRow) -> Result<(), String> {
        self.option("option", &r.option)?;
        if Kind::parse(&r.kind).is_none() {
            return Err(format!(
                "column kind: `{}` is not a kind; allowed: real, count, binary, turn, category:NAME|NAME…",
                crate::kernel::text::shown(&r.kind)
            ));
        }
        self.count(r.n)?;
        for (c, x) in [
            ("mean", r.mean),
            ("sd", r.sd),
            ("p5", r.p5),
            ("p50", r.p50),
            ("p95", r.p95),
        ] {
            number(c, x)?;
        }
        if r.sd.is_some_and(|v| v < 0.0) {
            return Err("column sd: a spread cannot be negative".into());
        }
        for (c, x) in [
            ("prob", r.prob),
            ("prob_lo95", r.prob_lo95),
            ("prob_hi95", r.prob_hi95),
        ] {
            probability(c, x)?;
        }
        ordered(&[("p5", r.p5), ("p50", r.p50), ("p95", r.p95)])?;
        ordered(&[("prob_lo95", r.prob_lo95), ("prob_hi95", r.prob_hi95)])
    }

    pub fn inject(&self, r: &InjectRow) -> Result<(), String> {
        self.turn(r.turn)?;
        if !r.date.is_empty() {
            crate::kernel::time::parse_date(&r.date).map_err(|why| {
                format!(
                    "column date: `{}`: {why}; allowed: {}, or blank",
                    crate::kernel::text::shown(&r.date),
                    crate::kernel::time::DATE_FORMS
                )
            })?;
        }
        Ok(())
    }

    /// A row of `policies.csv`.
    pub fn policy(&self, r: &PolicyRow) -> Result<(), String> {
        self.option("option", &r.option)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_must_be_finite_and_plausible() {
        assert!(number("mean", Some(0.5)).is_ok());
        assert!(number("mean", None).is_ok());
        assert!(number("mean", Some(f64::NAN)).is_err());
        assert!(number("mean", Some(f64::INFINITY)).is_err());
        assert!(
            number("mean", Some(1e308))
                .unwrap_err()
                .contains("column mean")
        );
        assert!(probability("prob", Some(1.5)).is_err());
        assert!(ordered(&[("p5", Some(0.2)), ("p25", None), ("p50", Some(0.1))]).is_err());
        assert!(ordered(&[("p5", Some(0.1)), ("p50", Some(0.1))]).is_ok());
    }
}
