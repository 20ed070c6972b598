//! The inputs of every chart and of the report, read back from a run's output directory.
//!
//! Charts read only these files — `manifest.json` (or the same manifest in memory during a
//! run), `summary.csv`, `timeseries.csv`, `comparison.csv`, `allies.csv`, `injects.csv`,
//! `policies.csv` and `trials.csv` — so that `cohesion plot DIR` draws exactly what `cohesion run`
//! drew.
//! A folder written with `--format parquet` holds `NAME.parquet` instead of `NAME.csv`; each
//! is read back as the CSV text it was made from.
//! The long tables are kept compact, since a 10,000-turn horizon writes hundreds of thousands
//! of rows: each row's numbers only, indexed once by (option, name) in sorted vectors, with
//! every name held once; lookups cost a binary search, never a scan of the table.
//! `trials.csv` may hold millions of rows: it is streamed once into fixed histograms
//! ([`Digest`]) of the plain (undotted) outcomes. Every row of every table is checked as it
//! is read (`tables`): a folder that was edited or damaged is refused with the file, row and
//! column, never drawn wrong. A folder of another format version is read when this version
//! knows its format, and refused with the version otherwise.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};

use super::scale::histogram_bins;
pub use super::tables::open as open_table;
use super::tables::{self, Frame, Names, find, first_repeat, sort_keyed};
pub use super::tables::{
    AllyRow, AllyStats, Compared, ComparisonRow, InjectRow, Kind, PolicyRow, SeriesPoint,
    SeriesRow, Summary, SummaryRow,
};
use crate::output::manifest::Manifest;

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
    /// The turns of the horizon (for folders written before it was recorded: the longest
    /// horizon a scenario may have).
    pub turns: usize,
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
            turns: m.turns.unwrap_or(crate::scenario::keys::MAX_TURNS as usize),
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
    /// Metrics in the order of `timeseries.csv`.
    pub metrics: Vec<String>,
    /// Turns in the time series (0 when there is none).
    pub turns: usize,
    pub injects: Vec<InjectRow>,
    pub policies: Vec<PolicyRow>,
    /// `None` when `trials.csv` is absent.
    pub digest: Option<Digest>,
    /// The names of the categories of each categorical outcome (position = value).
    pub categories: BTreeMap<String, Vec<String>>,
    /// Outcome name → position in `outcomes`.
    outcome_idx: BTreeMap<String, u32>,
    /// `summary.csv`, sorted by (option, outcome).
    summary: Vec<((u32, u32), Summary)>,
    /// `comparison.csv`, sorted by (option, outcome).
    comparison: Vec<((u32, u32), Compared)>,
    /// `timeseries.csv` in file order, keyed by (option, metric).
    series: Vec<((u32, u32), SeriesPoint)>,
    /// The allies and per-ally metrics of `allies.csv`, in file order.
    ally_names: Vec<String>,
    ally_metrics: Vec<String>,
    /// `allies.csv`, sorted by (option, ally, metric).
    allies: Vec<((u32, u32, u32), AllyStats)>,
}

/// Whether this version reads run folders of `format`; what to do otherwise.
fn check_format(format: &str, path: &Path) -> Result<()> {
    use crate::output::manifest::FORMAT;
    // Folders written before formats were versioned have none: the same tables.
    if format.is_empty() || format == FORMAT {
        return Ok(());
    }
    let version = |f: &str| {
        f.strip_prefix("cohesion-run/")
            .and_then(|v| v.parse::<u32>().ok())
    };
    let (this, theirs) = (version(FORMAT), version(format));
    // An older version's folders hold the same tables, minus columns added since.
    if let (Some(this), Some(theirs)) = (this, theirs)
        && theirs >= 1
        && theirs < this
    {
        return Ok(());
    }
    let newer = theirs.zip(this).is_some_and(|(t, h)| t > h);
    if newer {
        bail!(
            "{}: format `{format}` was written by a newer cohesion; this version reads {FORMAT} and older: use a newer cohesion, or run the scenario again with this one",
            path.display()
        );
    }
    bail!(
        "{}: format `{}` is not a cohesion run folder format; this version reads {FORMAT} (run the scenario again to get a folder it reads)",
        path.display(),
        crate::kernel::text::shown(format)
    )
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
        check_format(&manifest.format, &mpath)?;
        RunData::load_with(dir, &manifest)
    }

    /// Reads the CSV files of `dir`, with the manifest given (during a run it is not yet
    /// written).
    pub fn load_with(dir: &Path, manifest: &Manifest) -> Result<RunData> {
        let info = RunInfo::from(manifest);
        if info.policies.is_empty() || !info.policies.contains(&info.baseline) {
            bail!(
                "{}: the manifest lists no options, or not its baseline `{}`",
                dir.join("manifest.json").display(),
                crate::kernel::text::shown(&info.baseline)
            );
        }
        let frame = Frame {
            options: &info.policies,
            baseline: &info.baseline,
            trials: info.trials,
            turns: info.turns,
        };
        let spath = dir.join("summary.csv");
        let opt_id = |name: &str| info.policies.iter().position(|p| p == name).unwrap_or(0) as u32;
        let mut outcomes: Vec<(String, Kind)> = Vec::new();
        let mut outcome_idx: BTreeMap<String, u32> = BTreeMap::new();
        let mut categories = BTreeMap::new();
        let mut summary: Vec<((u32, u32), Summary)> =
            Vec::with_capacity(tables::rows_at_most(&spath));
        let mut rows_at: Vec<usize> = Vec::with_capacity(summary.capacity());
        tables::each(
            &spath,
            false,
            &|r: &SummaryRow| frame.summary(r),
            &mut |at, r: SummaryRow| {
                let kind = Kind::parse(&r.kind).unwrap_or(Kind::Real);
                if let Some(names) = r.kind.strip_prefix("category:") {
                    let names: Vec<String> = names.split('|').map(str::to_string).collect();
                    categories.insert(r.outcome.clone(), names);
                }
                let o = match outcome_idx.get(&r.outcome) {
                    None => {
                        let o = outcomes.len() as u32;
                        outcomes.push((r.outcome.clone(), kind));
                        outcome_idx.insert(r.outcome.clone(), o);
                        o
                    }
                    Some(&o) if outcomes[o as usize].1 != kind => {
                        return Err(format!(
                            "column kind: outcome `{}` is `{}` here and another kind above",
                            crate::kernel::text::shown(&r.outcome),
                            r.kind
                        ));
                    }
                    Some(&o) => o,
                };
                summary.push(((opt_id(&r.option), o), Summary::from(&r)));
                rows_at.push(at);
                Ok(())
            },
        )?;
        if summary.is_empty() {
            bail!(
                "{}: no rows; a run writes one per option and outcome",
                spath.display()
            );
        }
        if let Some(i) = first_repeat(&summary) {
            let (p, o) = summary[i].0;
            bail!(
                "{}: row {}: option `{}` and outcome `{}` appear twice",
                spath.display(),
                rows_at[i],
                info.policies[p as usize],
                crate::kernel::text::shown(&outcomes[o as usize].0)
            );
        }
        drop(rows_at);
        sort_keyed(&mut summary, false);
        let mut metrics = Names::default();
        let tspath = dir.join("timeseries.csv");
        let mut series: Vec<((u32, u32), SeriesPoint)> =
            Vec::with_capacity(tables::rows_at_most(&tspath));
        let mut turns = 0;
        tables::each(
            &tspath,
            true,
            &|r: &SeriesRow| frame.series(r),
            &mut |_, r: SeriesRow| {
                let key = (opt_id(&r.option), metrics.id(&r.metric));
                turns = turns.max(r.turn);
                series.push((key, SeriesPoint::from(&r)));
                Ok(())
            },
        )?;
        series.shrink_to_fit();
        let cpath = dir.join("comparison.csv");
        let mut comparison: Vec<((u32, u32), Compared)> =
            Vec::with_capacity(tables::rows_at_most(&cpath));
        let mut verdicts: BTreeMap<String, Arc<str>> = BTreeMap::new();
        let shared: Vec<Arc<str>> = outcomes
            .iter()
            .map(|(n, _)| Arc::from(n.as_str()))
            .collect();
        let known = |o: &str| outcome_idx.contains_key(o);
        tables::each(
            &cpath,
            true,
            &|r: &ComparisonRow| frame.comparison(r, &known),
            &mut |_, r: ComparisonRow| {
                let o = outcome_idx[&r.outcome];
                let verdict = r.verdict.as_ref().map(|v| {
                    verdicts
                        .entry(v.clone())
                        .or_insert_with(|| Arc::from(v.as_str()))
                        .clone()
                });
                let c = Compared {
                    outcome: shared[o as usize].clone(),
                    n: r.n,
                    mean_diff: r.mean_diff,
                    sd_diff: r.sd_diff,
                    mcse: r.mcse,
                    diff_lo95: r.diff_lo95,
                    diff_hi95: r.diff_hi95,
                    verdict,
                };
                comparison.push(((opt_id(&r.option), o), c));
                Ok(())
            },
        )?;
        drop(shared);
        // A repeated (option, outcome) keeps its last row, as the index by name did.
        sort_keyed(&mut comparison, true);
        let mut ally_names = Names::default();
        let mut ally_metrics = Names::default();
        let apath = dir.join("allies.csv");
        let mut allies: Vec<((u32, u32, u32), AllyStats)> =
            Vec::with_capacity(tables::rows_at_most(&apath));
        tables::each(
            &apath,
            true,
            &|r: &AllyRow| frame.ally(r),
            &mut |_, r: AllyRow| {
                let key = (
                    opt_id(&r.option),
                    ally_names.id(&r.ally),
                    ally_metrics.id(&r.metric),
                );
                allies.push((key, AllyStats::from(&r)));
                Ok(())
            },
        )?;
        // A repeated (option, ally, metric) keeps its first row, as the search by name did.
        sort_keyed(&mut allies, false);
        let injects: Vec<InjectRow> =
            tables::read(&dir.join("injects.csv"), true, &|r| frame.inject(r))?;
        let policies: Vec<PolicyRow> =
            tables::read(&dir.join("policies.csv"), true, &|r| frame.policy(r))?;
        let mut data = RunData {
            dir: dir.to_path_buf(),
            info,
            outcomes,
            metrics: metrics.order,
            turns,
            injects,
            policies,
            digest: None,
            categories,
            outcome_idx,
            summary,
            comparison,
            series,
            ally_names: ally_names.order,
            ally_metrics: ally_metrics.order,
            allies,
        };
        let tpath = dir.join("trials.csv");
        if tables::exists(&tpath) {
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
        self.outcome_idx
            .get(outcome)
            .map(|&o| self.outcomes[o as usize].1)
    }

    /// The (option, outcome) key of the index.
    fn key(&self, option: &str, outcome: &str) -> Option<(u32, u32)> {
        Some((
            self.option_index(option)? as u32,
            *self.outcome_idx.get(outcome)?,
        ))
    }

    pub fn summary(&self, option: &str, outcome: &str) -> Option<&Summary> {
        find(&self.summary, self.key(option, outcome)?)
    }

    pub fn comparison(&self, option: &str, outcome: &str) -> Option<&Compared> {
        find(&self.comparison, self.key(option, outcome)?)
    }

    /// Whether the run has `comparison.csv` rows.
    pub fn has_comparison(&self) -> bool {
        !self.comparison.is_empty()
    }

    /// Whether the run has `allies.csv` rows.
    pub fn has_allies(&self) -> bool {
        !self.allies.is_empty()
    }

    /// The turns of one option and metric, by turn.
    pub fn series_of(&self, option: &str, metric: &str) -> Vec<&SeriesPoint> {
        let key = self
            .option_index(option)
            .zip(self.metrics.iter().position(|m| m == metric));
        let Some((p, m)) = key else {
            return Vec::new();
        };
        let key = (p as u32, m as u32);
        let mut v: Vec<&SeriesPoint> = self
            .series
            .iter()
            .filter(|(k, _)| *k == key)
            .map(|(_, s)| s)
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
        let mut seen = std::collections::BTreeSet::new();
        for (n, k) in &self.outcomes {
            if let Some((prefix, _)) = n.split_once('.')
                && seen.insert(prefix)
            {
                out.push((prefix.to_string(), *k));
            }
        }
        out
    }

    /// The members of the family `prefix`, in summary order: (outcome, member), e.g.
    /// (`channel_ever.Hungary`, `Hungary`).
    pub fn members(&self, prefix: &str) -> Vec<(String, String)> {
        self.outcomes
            .iter()
            .filter_map(|(n, _)| {
                let member = n.strip_prefix(prefix)?.strip_prefix('.')?;
                Some((n.clone(), member.to_string()))
            })
            .collect()
    }

    /// The per-ally metrics of `allies.csv`, in file order.
    pub fn ally_metrics(&self) -> Vec<String> {
        self.ally_metrics.clone()
    }

    /// The allies of `allies.csv`, in file order.
    pub fn ally_names(&self) -> Vec<String> {
        self.ally_names.clone()
    }

    /// The row of `allies.csv` for (option, ally, metric).
    pub fn ally(&self, option: &str, ally: &str, metric: &str) -> Option<&AllyStats> {
        let key = (
            self.option_index(option)? as u32,
            self.ally_names.iter().position(|a| a == ally)? as u32,
            self.ally_metrics.iter().position(|m| m == metric)? as u32,
        );
        find(&self.allies, key)
    }

    /// The smallest and largest value of an outcome over every option (from the summary).
    pub fn range(&self, outcome: &str) -> Option<(f64, f64)> {
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for p in self.options() {
            if let Some(Summary {
                min: Some(a),
                max: Some(b),
                ..
            }) = self.summary(p, outcome)
            {
                lo = lo.min(*a);
                hi = hi.max(*b);
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
        let mut r = csv::Reader::from_reader(tables::open(path)?);
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
        let mut row = 1u64;
        while r
            .read_byte_record(&mut rec)
            .with_context(|| format!("cannot read {}", path.display()))?
        {
            row += 1;
            let bad = |what: String| anyhow::anyhow!("{}: row {row}: {what}", path.display());
            let option = rec.get(opt_col).unwrap_or_default();
            let Some(&p) = opt_idx.get(option) else {
                return Err(bad(format!(
                    "column option: `{}` is not an option of this run; allowed: {}",
                    crate::kernel::text::shown(&String::from_utf8_lossy(option)),
                    self.info.policies.join(", ")
                )));
            };
            rows[p] += 1;
            for (o, col) in cols.iter().enumerate() {
                let Some(cell) = col.and_then(|c| rec.get(c)) else {
                    continue;
                };
                if cell.is_empty() {
                    missing[o][p] += 1;
                    continue;
                }
                let x = std::str::from_utf8(cell)
                    .ok()
                    .and_then(|s| s.parse::<f64>().ok());
                let x = match x {
                    Some(x) => x,
                    None => {
                        return Err(bad(format!(
                            "column {}: `{}` is not a number; allowed: a number, or blank",
                            names[o].0,
                            crate::kernel::text::shown(&String::from_utf8_lossy(cell))
                        )));
                    }
                };
                tables::number(&names[o].0, Some(x)).map_err(bad)?;
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
