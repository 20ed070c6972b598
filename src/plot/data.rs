//! The inputs of every chart and of the report, read back from a run's output directory.
//!
//! Charts read only these files — `manifest.json` (or the same manifest in memory during a
//! run), `summary.csv`, `timeseries.csv`, `comparison.csv`, `injects.csv`, `policies.csv` and
//! `trials.csv` — so that `cohesion plot DIR` draws exactly what `cohesion run` drew.
//! A folder written with `--format parquet` holds `NAME.parquet` instead of `NAME.csv`; each
//! is read back as the CSV text it was made from.
//! `trials.csv` may hold millions of rows: it is streamed once into fixed histograms
//! ([`Digest`]) of the plain (undotted) outcomes.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use super::scale::histogram_bins;
use crate::output::manifest::Manifest;

/// How an outcome is summarised (the `kind` column of `summary.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Real,
    Count,
    Binary,
    Turn,
    /// One of a few named categories (held as its position): shown as shares, never averaged.
    Category,
}

impl Kind {
    fn parse(s: &str) -> Kind {
        match s {
            "count" => Kind::Count,
            _ if s.starts_with("category") => Kind::Category,
            "binary" => Kind::Binary,
            "turn" => Kind::Turn,
            _ => Kind::Real,
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

/// A policy option as `policies.csv` describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyOption {
    pub name: String,
    pub baseline: bool,
    /// (lever, value as written in a scenario).
    pub levers: Vec<(String, String)>,
    pub description: String,
}

/// What charts and the report need from the manifest.
#[derive(Debug, Clone, PartialEq)]
pub struct RunInfo {
    pub scenario: String,
    pub description: String,
    pub model: String,
    pub version: String,
    pub git_commit: Option<String>,
    pub seed: u64,
    pub trials: u64,
    pub block_size: u64,
    pub policies: Vec<String>,
    pub baseline: String,
    pub scenario_path: String,
    pub scenario_blake3: String,
    pub started: String,
    pub turn_length: String,
    pub start: Option<String>,
    pub quantile_accuracy: String,
    /// The scenario's key outcomes (may be empty).
    pub key_outcomes: Vec<String>,
    /// Negligible bands by outcome.
    pub negligible: BTreeMap<String, f64>,
}

impl RunInfo {
    /// The negligible band of an outcome (0 when none is declared).
    pub fn band(&self, outcome: &str) -> f64 {
        self.negligible.get(outcome).copied().unwrap_or(0.0)
    }
}

impl From<&Manifest> for RunInfo {
    fn from(m: &Manifest) -> Self {
        RunInfo {
            scenario: m.scenario.clone(),
            description: m.scenario_description.clone(),
            model: m.model.clone(),
            version: m.cohesion_version.clone(),
            git_commit: m.git_commit.clone(),
            seed: m.seed,
            trials: m.trials,
            block_size: m.block_size,
            policies: m.policies.clone(),
            baseline: m.baseline.clone(),
            scenario_path: m.scenario_path.clone(),
            scenario_blake3: m.scenario_blake3.clone(),
            started: m.started.clone(),
            turn_length: m.turn_length.clone(),
            start: m.start.clone(),
            quantile_accuracy: m.quantile_accuracy.clone(),
            key_outcomes: m.key_outcomes.clone(),
            negligible: m.negligible.clone(),
        }
    }
}

/// The distribution of one plain outcome for one option, from every row of `trials.csv`.
#[derive(Debug, Clone, PartialEq)]
pub enum Dist {
    /// A real outcome: counts in equal bins over `[lo, hi]`.
    Bins { lo: f64, hi: f64, counts: Vec<u64> },
    /// A count, yes/no or turn outcome: exact counts of each value.
    Exact { counts: BTreeMap<i64, u64> },
}

/// Distributions of the plain outcomes, per option.
#[derive(Debug, Clone, PartialEq)]
pub struct Digest {
    /// Rows per option (trials run).
    pub rows: Vec<u64>,
    /// Blank cells per `[outcome][option]` (a turn outcome whose event did not happen).
    pub missing: Vec<Vec<u64>>,
    /// Outcome names digested, in summary order.
    pub outcomes: Vec<String>,
    /// `[outcome][option]`.
    pub dists: Vec<Vec<Dist>>,
}

impl Digest {
    /// The distribution of `outcome` for option `p`.
    pub fn dist(&self, outcome: &str, p: usize) -> Option<&Dist> {
        let o = self.outcomes.iter().position(|n| n == outcome)?;
        self.dists[o].get(p)
    }
    pub fn missing(&self, outcome: &str, p: usize) -> u64 {
        self.outcomes
            .iter()
            .position(|n| n == outcome)
            .and_then(|o| self.missing[o].get(p).copied())
            .unwrap_or(0)
    }
}

/// Everything a chart may read.
#[derive(Debug, Clone)]
pub struct RunData {
    pub dir: PathBuf,
    pub info: RunInfo,
    /// Outcomes in summary order, with their kind.
    pub outcomes: Vec<(String, Kind)>,
    pub summary: Vec<SummaryRow>,
    /// Metrics in the order of `timeseries.csv`.
    pub metrics: Vec<String>,
    pub series: Vec<SeriesRow>,
    /// Turns in the time series (0 when there is none).
    pub turns: usize,
    pub comparison: Vec<ComparisonRow>,
    pub injects: Vec<InjectRow>,
    pub policies: Vec<PolicyRow>,
    /// `None` when `trials.csv` is absent.
    pub digest: Option<Digest>,
    /// The names of the categories of each categorical outcome (position = value).
    pub categories: BTreeMap<String, Vec<String>>,
    sum_idx: HashMap<(String, String), usize>,
    cmp_idx: HashMap<(String, String), usize>,
}

/// A table's CSV text: `NAME.csv`, or, in a folder written with `--format parquet`, the CSV
/// text of `NAME.parquet` (the same values; see [`crate::output::parquet::to_csv`]).
pub fn open_table(path: &Path) -> Result<Box<dyn std::io::Read>> {
    let pq = path.with_extension("parquet");
    if !path.exists() && pq.exists() {
        return Ok(Box::new(std::io::Cursor::new(
            crate::output::parquet::to_csv(&pq)?,
        )));
    }
    let f = std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(Box::new(std::io::BufReader::with_capacity(1 << 20, f)))
}

/// Whether a table exists as CSV or Parquet.
fn table_exists(path: &Path) -> bool {
    path.exists() || path.with_extension("parquet").exists()
}

fn read_csv<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<T>> {
    let mut r = csv::Reader::from_reader(open_table(path)?);
    let mut out = Vec::new();
    for (i, row) in r.deserialize().enumerate() {
        out.push(row.with_context(|| format!("{}: bad row {}", path.display(), i + 2))?);
    }
    Ok(out)
}

fn read_optional<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<T>> {
    if table_exists(path) {
        read_csv(path)
    } else {
        Ok(Vec::new())
    }
}

impl RunData {
    /// Reads a finished run directory (its `manifest.json` included).
    pub fn load(dir: &Path) -> Result<RunData> {
        let mpath = dir.join("manifest.json");
        if !mpath.exists() {
            bail!(
                "{} has no manifest.json: not a complete cohesion result (charts need the CSV files and the manifest of a finished `cohesion run`)",
                dir.display()
            );
        }
        let text = std::fs::read_to_string(&mpath)
            .with_context(|| format!("cannot read {}", mpath.display()))?;
        let manifest: Manifest = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a cohesion manifest", mpath.display()))?;
        RunData::load_with(dir, &manifest)
    }

    /// Reads the CSV files of `dir`, with the manifest given (during a run it is not yet
    /// written).
    pub fn load_with(dir: &Path, manifest: &Manifest) -> Result<RunData> {
        let info = RunInfo::from(manifest);
        let summary: Vec<SummaryRow> = read_csv(&dir.join("summary.csv"))?;
        let series: Vec<SeriesRow> = read_optional(&dir.join("timeseries.csv"))?;
        let comparison: Vec<ComparisonRow> = read_optional(&dir.join("comparison.csv"))?;
        let injects: Vec<InjectRow> = read_optional(&dir.join("injects.csv"))?;
        let policies: Vec<PolicyRow> = read_optional(&dir.join("policies.csv"))?;
        let mut outcomes: Vec<(String, Kind)> = Vec::new();
        let mut sum_idx = HashMap::new();
        let mut categories = BTreeMap::new();
        for (i, r) in summary.iter().enumerate() {
            if let Some(names) = r.kind.strip_prefix("category:") {
                categories.insert(
                    r.outcome.clone(),
                    names.split('|').map(str::to_string).collect(),
                );
            }
            if !outcomes.iter().any(|(n, _)| n == &r.outcome) {
                outcomes.push((r.outcome.clone(), Kind::parse(&r.kind)));
            }
            sum_idx.insert((r.option.clone(), r.outcome.clone()), i);
        }
        let mut metrics: Vec<String> = Vec::new();
        let mut turns = 0;
        for r in &series {
            if !metrics.contains(&r.metric) {
                metrics.push(r.metric.clone());
            }
            turns = turns.max(r.turn);
        }
        let cmp_idx = comparison
            .iter()
            .enumerate()
            .map(|(i, r)| ((r.option.clone(), r.outcome.clone()), i))
            .collect();
        let mut data = RunData {
            dir: dir.to_path_buf(),
            info,
            outcomes,
            summary,
            metrics,
            series,
            turns,
            comparison,
            injects,
            policies,
            digest: None,
            categories,
            sum_idx,
            cmp_idx,
        };
        let tpath = dir.join("trials.csv");
        if table_exists(&tpath) {
            data.digest = Some(data.digest_trials(&tpath)?);
        }
        Ok(data)
    }

    /// The options of the run, in output order.
    pub fn options(&self) -> &[String] {
        &self.info.policies
    }

    pub fn option_index(&self, name: &str) -> Option<usize> {
        self.info.policies.iter().position(|p| p == name)
    }

    pub fn baseline_index(&self) -> usize {
        self.option_index(&self.info.baseline).unwrap_or(0)
    }

    pub fn kind(&self, outcome: &str) -> Option<Kind> {
        self.outcomes
            .iter()
            .find(|(n, _)| n == outcome)
            .map(|(_, k)| *k)
    }

    pub fn summary(&self, option: &str, outcome: &str) -> Option<&SummaryRow> {
        self.sum_idx
            .get(&(option.to_string(), outcome.to_string()))
            .map(|&i| &self.summary[i])
    }

    pub fn comparison(&self, option: &str, outcome: &str) -> Option<&ComparisonRow> {
        self.cmp_idx
            .get(&(option.to_string(), outcome.to_string()))
            .map(|&i| &self.comparison[i])
    }

    /// The rows of one option and metric, by turn.
    pub fn series_of(&self, option: &str, metric: &str) -> Vec<&SeriesRow> {
        let mut v: Vec<&SeriesRow> = self
            .series
            .iter()
            .filter(|r| r.option == option && r.metric == metric)
            .collect();
        v.sort_by_key(|r| r.turn);
        v
    }

    /// The name of category `v` of a categorical outcome (its position when unnamed).
    pub fn category_name(&self, outcome: &str, v: i64) -> String {
        self.categories
            .get(outcome)
            .and_then(|c| usize::try_from(v).ok().and_then(|i| c.get(i)))
            .cloned()
            .unwrap_or_else(|| v.to_string())
    }

    /// The share of trials of option `p` in each category of `outcome`, in category order:
    /// (name, count, share). Empty without `trials.csv`.
    pub fn category_shares(&self, outcome: &str, p: usize) -> Vec<(String, u64, f64)> {
        let Some(Dist::Exact { counts }) = self.digest.as_ref().and_then(|d| d.dist(outcome, p))
        else {
            return Vec::new();
        };
        let total: u64 = counts.values().sum();
        let n = self.categories.get(outcome).map(Vec::len).unwrap_or(0) as i64;
        let mut keys: Vec<i64> = (0..n).collect();
        for k in counts.keys() {
            if !keys.contains(k) {
                keys.push(*k);
            }
        }
        keys.iter()
            .map(|&k| {
                let c = counts.get(&k).copied().unwrap_or(0);
                (
                    self.category_name(outcome, k),
                    c,
                    if total > 0 {
                        c as f64 / total as f64
                    } else {
                        0.0
                    },
                )
            })
            .collect()
    }

    /// The plain outcomes (not members of a family `prefix.member`), in summary order.
    pub fn plain_outcomes(&self) -> impl Iterator<Item = &(String, Kind)> {
        self.outcomes.iter().filter(|(n, _)| !n.contains('.'))
    }

    /// The families of outcomes `prefix.member`, in summary order, with their kind.
    pub fn families(&self) -> Vec<(String, Kind)> {
        let mut out: Vec<(String, Kind)> = Vec::new();
        for (n, k) in &self.outcomes {
            if let Some((prefix, _)) = n.split_once('.')
                && !out.iter().any(|(p, _)| p == prefix)
            {
                out.push((prefix.to_string(), *k));
            }
        }
        out
    }

    /// The members of the family `prefix`, in summary order: (outcome, member), e.g.
    /// (`channel.Hungary`, `Hungary`).
    pub fn members(&self, prefix: &str) -> Vec<(String, String)> {
        self.outcomes
            .iter()
            .filter_map(|(n, _)| {
                let member = n.strip_prefix(prefix)?.strip_prefix('.')?;
                Some((n.clone(), member.to_string()))
            })
            .collect()
    }

    /// The smallest and largest value of an outcome over every option (from the summary).
    pub fn range(&self, outcome: &str) -> Option<(f64, f64)> {
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for r in self.summary.iter().filter(|r| r.outcome == outcome) {
            if let (Some(a), Some(b)) = (r.min, r.max) {
                lo = lo.min(a);
                hi = hi.max(b);
            }
        }
        (lo <= hi).then_some((lo, hi))
    }

    /// The options of `policies.csv`, in file order, with their levers.
    pub fn policy_table(&self) -> Vec<PolicyOption> {
        let mut out: Vec<PolicyOption> = Vec::new();
        for r in &self.policies {
            let i = match out.iter().position(|o| o.name == r.option) {
                Some(i) => i,
                None => {
                    out.push(PolicyOption {
                        name: r.option.clone(),
                        baseline: r.baseline,
                        levers: Vec::new(),
                        description: r.description.clone(),
                    });
                    out.len() - 1
                }
            };
            if !r.lever.is_empty() {
                out[i].levers.push((r.lever.clone(), r.value.clone()));
            }
        }
        out
    }

    /// Streams `trials.csv` once into histograms of the plain outcomes.
    fn digest_trials(&self, path: &Path) -> Result<Digest> {
        let n_opt = self.info.policies.len();
        let names: Vec<(String, Kind)> = self.plain_outcomes().cloned().collect();
        let mut dists: Vec<Vec<Dist>> = Vec::new();
        for (name, kind) in &names {
            let d = match kind {
                Kind::Real => {
                    let (lo, hi) = self.range(name).unwrap_or((0.0, 1.0));
                    let (lo, hi, bins) = histogram_bins(lo, hi);
                    Dist::Bins {
                        lo,
                        hi,
                        counts: vec![0; bins],
                    }
                }
                _ => Dist::Exact {
                    counts: BTreeMap::new(),
                },
            };
            dists.push(vec![d; n_opt]);
        }
        let mut missing = vec![vec![0u64; n_opt]; names.len()];
        let mut rows = vec![0u64; n_opt];
        let mut r = csv::Reader::from_reader(open_table(path)?);
        let header = r.byte_headers()?.clone();
        let col_of = |name: &str| header.iter().position(|h| h == name.as_bytes());
        let opt_col =
            col_of("option").with_context(|| format!("{}: no `option` column", path.display()))?;
        let cols: Vec<Option<usize>> = names.iter().map(|(n, _)| col_of(n)).collect();
        let opt_idx: HashMap<Vec<u8>, usize> = self
            .info
            .policies
            .iter()
            .enumerate()
            .map(|(i, p)| (p.as_bytes().to_vec(), i))
            .collect();
        let mut rec = csv::ByteRecord::new();
        while r
            .read_byte_record(&mut rec)
            .with_context(|| format!("cannot read {}", path.display()))?
        {
            let Some(&p) = rec.get(opt_col).and_then(|o| opt_idx.get(o)) else {
                continue;
            };
            rows[p] += 1;
            for (o, col) in cols.iter().enumerate() {
                let Some(cell) = col.and_then(|c| rec.get(c)) else {
                    continue;
                };
                let x = std::str::from_utf8(cell)
                    .ok()
                    .and_then(|s| s.parse::<f64>().ok());
                let Some(x) = x.filter(|x| x.is_finite()) else {
                    missing[o][p] += 1;
                    continue;
                };
                match &mut dists[o][p] {
                    Dist::Bins { lo, hi, counts } => {
                        let b = ((x - *lo) / (*hi - *lo) * counts.len() as f64).floor();
                        let b = (b.max(0.0) as usize).min(counts.len() - 1);
                        counts[b] += 1;
                    }
                    Dist::Exact { counts } => *counts.entry(x.round() as i64).or_insert(0) += 1,
                }
            }
        }
        Ok(Digest {
            rows,
            missing,
            outcomes: names.into_iter().map(|(n, _)| n).collect(),
            dists,
        })
    }
}
