//! Scenario discovery on a finished result: PRIM on one yes/no question, asked of a run or an
//! exploration. `cohesion discover` asks one question; a run's conditions table
//! ([`super::conditions`]) asks many of the same run through the same steps (its points read
//! once, then [`answer`] and [`solve`] per question), so that the report's boxes are the ones
//! `cohesion discover` prints for the same question. It sits with the report, below the
//! commands that use it (`run`, `explore`, the command line).
//!
//! On a run, the points are its trials: `trials.csv` holds every trial's draws of the uncertain
//! parameters and every option's outcomes on the same random numbers, so a paired question
//! ("trials where option A has fewer fractures than option B") is answered trial by trial. On
//! an exploration, the points are the design's, each with its mean over the replications. The
//! question is either a yes/no outcome of one option, a threshold on one option's outcome, or a
//! comparison of two options on one outcome.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::output::analysis::{PrimLimit, PrimStep, prim_rows};
use crate::output::explore::PrimSettings;
use crate::output::explore::{is_explore_dir, num, read_table};
use crate::plot::data::open_table;
use crate::plot::labels::slug;
use crate::stats::prim::{self, Data, Trajectory};

/// What to ask.
#[derive(Debug, Clone)]
pub struct Question {
    pub dir: PathBuf,
    pub option: String,
    pub versus: Option<String>,
    pub outcome: String,
    /// With `versus`: yes when the option's outcome is higher (else lower) than the other's.
    pub higher: bool,
    /// Without `versus`: yes when the outcome is above / below this value (a yes/no outcome
    /// of a run needs neither: yes is 1).
    pub above: Option<f64>,
    pub below: Option<f64>,
    pub prim: PrimSettings,
    /// A run: only its first trials, in trial order (all when `None`).
    pub max_trials: Option<usize>,
}

/// What PRIM found.
pub struct Discovery {
    /// "trials" or "design points".
    pub units: &'static str,
    pub yes_when: String,
    pub names: Vec<String>,
    /// Per parameter: its words when it is a choice (values are their positions), else empty.
    pub words: Vec<Vec<String>>,
    pub trajectory: Trajectory,
    pub chosen: usize,
    pub steps: Vec<PrimStep>,
    pub limits: Vec<PrimLimit>,
}

/// Parameter columns as numbers; a column of words becomes their positions in order of first
/// appearance.
pub struct Columns {
    pub names: Vec<String>,
    pub words: Vec<Vec<String>>,
    /// Row-major: point × parameter.
    pub x: Vec<f64>,
}

impl Columns {
    fn new(names: Vec<String>) -> Columns {
        let n = names.len();
        Columns {
            names,
            words: vec![Vec::new(); n],
            x: Vec::new(),
        }
    }
    fn push(&mut self, d: usize, cell: &str) {
        let v = num(cell);
        if v.is_finite() && self.words[d].is_empty() {
            self.x.push(v);
        } else {
            let w = &mut self.words[d];
            let i = match w.iter().position(|x| x == cell) {
                Some(i) => i,
                None => {
                    w.push(cell.to_string());
                    w.len() - 1
                }
            };
            self.x.push(i as f64);
        }
    }
}

fn allowed(list: &[String]) -> String {
    list.join(", ")
}

/// Checks the names asked for against those the result has.
pub fn check(q: &Question, options: &[String], outcomes: &[String]) -> Result<()> {
    let dir = q.dir.display();
    if !options.contains(&q.option) {
        bail!(
            "--option {}: no option of that name in {dir}; allowed: {}",
            q.option,
            allowed(options)
        );
    }
    if let Some(v) = &q.versus {
        if !options.contains(v) {
            bail!(
                "--versus {v}: no option of that name in {dir}; allowed: {}",
                allowed(options)
            );
        }
        if *v == q.option {
            bail!(
                "--versus {v}: the same option as --option; allowed: another of {}",
                allowed(options)
            );
        }
    }
    if !outcomes.contains(&q.outcome) {
        bail!(
            "--outcome {}: no outcome of that name in {dir}; allowed: {}",
            q.outcome,
            allowed(outcomes)
        );
    }
    if q.versus.is_some() && (q.above.is_some() || q.below.is_some()) {
        bail!(
            "--above and --below are for one option's outcome; allowed with --versus: --higher or nothing (lower)"
        );
    }
    if q.above.is_some() && q.below.is_some() {
        bail!("--above and --below together; allowed: one of them");
    }
    Ok(())
}

/// The yes/no of each point, and the question in words.
pub fn answer(
    q: &Question,
    a: &[f64],
    b: Option<&[f64]>,
    binary: bool,
) -> Result<(Vec<bool>, String)> {
    if let (Some(v), Some(b)) = (&q.versus, b) {
        let word = if q.higher { "higher" } else { "lower" };
        let y = a
            .iter()
            .zip(b)
            .map(|(x, z)| if q.higher { x > z } else { x < z })
            .collect();
        return Ok((y, format!("{} has {word} {} than {v}", q.option, q.outcome)));
    }
    if let Some(t) = q.above {
        return Ok((
            a.iter().map(|x| *x > t).collect(),
            format!("{} has {} above {t}", q.option, q.outcome),
        ));
    }
    if let Some(t) = q.below {
        return Ok((
            a.iter().map(|x| *x < t).collect(),
            format!("{} has {} below {t}", q.option, q.outcome),
        ));
    }
    if !binary {
        bail!(
            "--outcome {} is not a yes/no outcome here; allowed: --versus OPTION (a paired comparison), or --above X / --below X",
            q.outcome
        );
    }
    Ok((
        a.iter().map(|x| *x == 1.0).collect(),
        format!("{} has {} = yes", q.option, q.outcome),
    ))
}

/// Runs PRIM on the question.
pub fn discover(q: &Question) -> Result<Discovery> {
    if !q.dir.join("manifest.json").exists() {
        bail!(
            "{} has no manifest.json: not a finished `cohesion run` or `cohesion explore` result",
            q.dir.display()
        );
    }
    let explore = is_explore_dir(&q.dir);
    let (cols, a, b, binary) = if explore {
        load_explore(q)?
    } else {
        load_run(q)?
    };
    let (y, yes_when) = answer(q, &a, b.as_deref(), binary)?;
    let units = if explore { "design points" } else { "trials" };
    let order = prim::Order::new(&cols.x, cols.names.len());
    solve(q, &cols, &order, &y, yes_when, units)
}

/// PRIM on the yes/no `y` of the points `cols` (in the `order` of `prim::Order::new(&cols.x,
/// cols.names.len())`, made once for every question asked of them), and the box chosen as
/// `q.prim` says. An error when there are no points or no yes among them.
pub fn solve(
    q: &Question,
    cols: &Columns,
    order: &prim::Order,
    y: &[bool],
    yes_when: String,
    units: &'static str,
) -> Result<Discovery> {
    let data = Data {
        x: &cols.x,
        dims: cols.names.len(),
        y,
    };
    let mut t = prim::prim_ordered(
        &data,
        order,
        prim::Options {
            peel_alpha: q.prim.peel_alpha,
            paste_alpha: q.prim.paste_alpha,
            mass_min: q.prim.mass_min,
        },
    )
    .with_context(|| format!("{}: no {units} to analyse", q.dir.display()))?;
    if t.k == 0 {
        bail!(
            "no {units} of {} where {yes_when}: nothing to discover",
            q.dir.display()
        );
    }
    let question = format!(
        "{}-{}-{}",
        slug(&q.option),
        q.versus
            .as_deref()
            .map(slug)
            .unwrap_or_else(|| "alone".into()),
        slug(&q.outcome)
    );
    let (steps, limits, chosen) =
        prim_rows(&question, &yes_when, &mut t, &data, &cols.names, &q.prim);
    Ok(Discovery {
        units,
        yes_when,
        names: cols.names.clone(),
        words: cols.words.clone(),
        trajectory: t,
        chosen,
        steps,
        limits,
    })
}

/// The points' parameters, the option's outcome, the other option's, and whether the outcome
/// is yes/no.
type Loaded = (Columns, Vec<f64>, Option<Vec<f64>>, bool);

/// A run's options (in order) and its outcomes with their kinds (`summary.csv`'s `kind`).
pub type Layout = (Vec<String>, Vec<(String, String)>);

/// Reads a run's [`Layout`] from its `summary.csv`.
pub fn run_layout(dir: &Path) -> Result<Layout> {
    let path = dir.join("summary.csv");
    let mut r = csv::Reader::from_reader(open_table(&path)?);
    let mut outcomes: Vec<(String, String)> = Vec::new();
    let mut options: Vec<String> = Vec::new();
    for rec in r.records() {
        let rec = rec.with_context(|| format!("cannot read {}", path.display()))?;
        let (opt, o, kind) = (
            rec.get(0).unwrap_or(""),
            rec.get(1).unwrap_or(""),
            rec.get(2).unwrap_or(""),
        );
        if !options.iter().any(|x| x == opt) {
            options.push(opt.to_string());
        }
        if !outcomes.iter().any(|(n, _)| n == o) {
            outcomes.push((o.to_string(), kind.to_string()));
        }
    }
    Ok((options, outcomes))
}

/// A run's trials as points: the draws of each trial and, for each outcome read, every
/// option's value in that trial.
pub struct RunPoints {
    pub cols: Columns,
    pub options: Vec<String>,
    /// `[outcome][option][trial]`, NaN where the option has no row or no value.
    pub values: Vec<Vec<Vec<f64>>>,
    /// Trials read.
    pub trials: usize,
}

/// Reads `trials.csv` (or `trials.parquet`) of the run in `dir`: the draws and the values of
/// `outcomes` for each of `options`, for the first `max_trials` trials in trial order (all
/// when `None`). An error when the run drew no uncertain parameter.
pub fn read_run(
    dir: &Path,
    options: &[String],
    outcomes: &[String],
    all_outcomes: &[String],
    max_trials: Option<usize>,
) -> Result<RunPoints> {
    let path = dir.join("trials.csv");
    let mut r =
        csv::Reader::from_reader(open_table(&path).with_context(|| {
            format!("cannot read {} (the run's per-trial table)", path.display())
        })?);
    let head: Vec<String> = r.headers()?.iter().map(str::to_string).collect();
    let first_outcome = head
        .iter()
        .position(|h| all_outcomes.contains(h))
        .with_context(|| format!("{}: no outcome columns", path.display()))?;
    let params: Vec<String> = head.get(2..first_outcome).unwrap_or(&[]).to_vec();
    if params.is_empty() {
        bail!(
            "{}: the run drew no uncertain parameter, so there is no space of assumptions to search",
            path.display()
        );
    }
    let oc: Vec<usize> = outcomes
        .iter()
        .map(|o| {
            head.iter()
                .position(|h| h == o)
                .with_context(|| format!("{}: no column {o}", path.display()))
        })
        .collect::<Result<_>>()?;
    let mut cols = Columns::new(params);
    let mut values = vec![vec![Vec::new(); options.len()]; outcomes.len()];
    let mut rec = csv::StringRecord::new();
    let mut last_trial = String::new();
    let mut trials = 0usize;
    while r
        .read_record(&mut rec)
        .with_context(|| format!("cannot read {}", path.display()))?
    {
        let (trial, opt) = (rec.get(0).unwrap_or(""), rec.get(1).unwrap_or(""));
        if trial != last_trial {
            if Some(trials) == max_trials {
                break;
            }
            trials += 1;
            last_trial = trial.to_string();
            for d in 0..cols.names.len() {
                cols.push(d, rec.get(2 + d).unwrap_or(""));
            }
            for per_opt in values.iter_mut() {
                for v in per_opt.iter_mut() {
                    v.push(f64::NAN);
                }
            }
        }
        let Some(p) = options.iter().position(|x| x == opt) else {
            continue;
        };
        for (k, &c) in oc.iter().enumerate() {
            if let Some(slot) = values[k][p].last_mut() {
                *slot = num(rec.get(c).unwrap_or(""));
            }
        }
    }
    Ok(RunPoints {
        cols,
        options: options.to_vec(),
        values,
        trials,
    })
}

/// Why an outcome cannot be asked about in a run, if it cannot: the turn of an event is
/// missing when the event did not happen.
pub fn turn_error(outcome: &str, outcomes: &[(String, String)]) -> Option<String> {
    let kind = outcomes.iter().find(|(n, _)| n == outcome)?;
    (kind.1 == "turn").then(|| {
        format!(
            "--outcome {outcome}: the turn of an event is missing when it did not happen and cannot be compared; allowed: {}",
            outcomes
                .iter()
                .filter(|(_, k)| k != "turn")
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

/// A run: the draws of each trial and the outcome of the options asked about.
fn load_run(q: &Question) -> Result<Loaded> {
    let (options, outcomes) = run_layout(&q.dir)?;
    let names: Vec<String> = outcomes.iter().map(|(n, _)| n.clone()).collect();
    check(q, &options, &names)?;
    if let Some(e) = turn_error(&q.outcome, &outcomes) {
        bail!(e);
    }
    let binary = outcomes
        .iter()
        .any(|(n, k)| *n == q.outcome && k == "binary");
    let mut asked = vec![q.option.clone()];
    asked.extend(q.versus.iter().cloned());
    let mut pts = read_run(
        &q.dir,
        &asked,
        std::slice::from_ref(&q.outcome),
        &names,
        q.max_trials,
    )?;
    let mut v = pts.values.swap_remove(0);
    let b = q.versus.as_ref().map(|_| v.swap_remove(1));
    let a = v.swap_remove(0);
    Ok((pts.cols, a, b, binary))
}

/// An exploration: the design's parameter values and the per-point means.
fn load_explore(q: &Question) -> Result<Loaded> {
    let m = crate::output::explore::ExploreManifest::read(&q.dir)?;
    let (rhead, rows) = read_table(&q.dir.join("results.csv"))?;
    let outcomes: Vec<String> = rhead[3..]
        .iter()
        .filter(|h| !h.ends_with("_mcse"))
        .cloned()
        .collect();
    check(q, &m.policies, &outcomes)?;
    let (dhead, design) = read_table(&q.dir.join("design.csv"))?;
    let mut cols = Columns::new(dhead[3..].to_vec());
    for r in &design {
        for d in 0..cols.names.len() {
            cols.push(d, r.get(3 + d).unwrap_or(""));
        }
    }
    let oc = rhead
        .iter()
        .position(|h| *h == q.outcome)
        .expect("checked above");
    let n = design.len();
    let (mut a, mut b) = (vec![f64::NAN; n], vec![f64::NAN; n]);
    for r in &rows {
        let p: usize = r.get(0).unwrap_or("").parse().unwrap_or(usize::MAX);
        if p >= n {
            continue;
        }
        let v = num(r.get(oc).unwrap_or(""));
        if r.get(1) == Some(q.option.as_str()) {
            a[p] = v;
        } else if r.get(1) == q.versus.as_deref() {
            b[p] = v;
        }
    }
    let b = q.versus.as_ref().map(|_| b);
    Ok((cols, a, b, false))
}

/// Where to write the tables of a discovery (`--out DIR`): `prim.csv` and `prim_box.csv`.
pub fn write(d: &Discovery, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    crate::output::analysis::write_prim(&dir.join("prim.csv"), &d.steps)?;
    crate::output::analysis::write_prim_box(&dir.join("prim_box.csv"), &d.limits)?;
    Ok(())
}

impl Discovery {
    /// A parameter value as the user reads it (a choice's word).
    pub fn value(&self, d: usize, v: f64) -> String {
        match self.words[d].get(v.round().max(0.0) as usize) {
            Some(w) if !self.words[d].is_empty() => w.clone(),
            _ => crate::plot::exploration::short(v),
        }
    }
}
