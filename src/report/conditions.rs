//! "When each option wins": the conditions under which each option does better, found by PRIM
//! on the run's own draws, written to `conditions.csv` and drawn in the report.
//!
//! For each key outcome (`[outcomes] key`, else every plain outcome with a known better
//! direction) with a better direction, and each option other than the baseline, the question is
//! `cohesion discover`'s paired one: "trials where the option does better than the baseline on
//! this outcome" (for a yes/no outcome: it avoids the event where the baseline has it, or has it
//! where the baseline does not). When neither of the two best options on the outcome is the
//! baseline, the two are also asked about against each other, both ways. Each question goes
//! through [`super::discover`]'s steps with its default settings ([`DEFAULT_PRIM`]), so a box
//! here is the one `cohesion discover DIR --option A --versus B --outcome O` prints.
//!
//! The run computes the table once, after `trials.csv` is written, one question per block of
//! the engine's pool (on the run's threads; the rows come back in the questions' order): the first
//! [`MAX_CONDITION_TRIALS`] trials in trial order are read once for every question (PRIM's time
//! grows with the points it peels, and a bigger sample changes a box little), so a 100,000-trial
//! run costs no more here than a 20,000-trial one. The report, and `cohesion plot` when it
//! redraws the report, read the table back; nothing is recomputed.
//!
//! `conditions.csv` has one row per restricted parameter of each question's box:
//! `outcome,option,versus,parameter,lower,upper,quasi_p,coverage,density,base_rate`. A blank
//! `lower` or `upper` leaves that side unrestricted; `quasi_p` is the smaller of the restricted
//! limits' quasi-p-values. A question without a box that improves materially on the base rate
//! (no restriction survives pruning, or the box's density is below [`MIN_LIFT`] times the base
//! rate) has one row with a blank parameter, coverage 1 and density equal to the base rate; a
//! question whose option never does better has one row with a blank parameter and coverage
//! and density blank.

use std::fmt::Write;
use std::path::Path;
use std::sync::atomic::AtomicBool;

use anyhow::{Context, Result};

use super::discover::{Question, answer, read_run, run_layout, solve};
use crate::engine::pool::{BlockJob, Flow, Pool};
use crate::kernel::fmt::fmt_f64;
use crate::kernel::html::escape as esc;
use crate::output::explore::{DEFAULT_PRIM, num, read_table};
use crate::plot::data::{Kind, RunData, open_table};
use crate::plot::exploration::short;
use crate::plot::labels;
use crate::plot::numbers::fixed;
use crate::stats::prim::Order;

/// The file in the run's folder.
pub const FILE: &str = "conditions.csv";

/// Its columns.
pub const HEADER: [&str; 10] = [
    "outcome",
    "option",
    "versus",
    "parameter",
    "lower",
    "upper",
    "quasi_p",
    "coverage",
    "density",
    "base_rate",
];

/// Trials PRIM reads, at most: the first ones in trial order.
pub const MAX_CONDITION_TRIALS: usize = 20_000;

/// A box counts as a condition only when its density is at least this many times the base rate.
pub const MIN_LIFT: f64 = 1.1;

/// One row of `conditions.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub outcome: String,
    pub option: String,
    pub versus: String,
    /// Blank: no box (see the module documentation).
    pub parameter: String,
    /// The limit as text (a number, or a choice's word); blank when that side is unrestricted.
    pub lower: String,
    pub upper: String,
    pub quasi_p: f64,
    pub coverage: f64,
    pub density: f64,
    pub base_rate: f64,
}

impl Row {
    /// A constructor of one question's rows: (parameter, lower, upper, quasi-p, coverage,
    /// density, base rate) → the row, with the question's outcome and options filled in.
    fn maker<'a>(
        outcome: &'a str,
        option: &'a str,
        versus: &'a str,
    ) -> impl Fn(String, String, String, f64, f64, f64, f64) -> Row + 'a {
        move |parameter, lower, upper, quasi_p, coverage, density, base_rate| Row {
            outcome: outcome.into(),
            option: option.into(),
            versus: versus.into(),
            parameter,
            lower,
            upper,
            quasi_p,
            coverage,
            density,
            base_rate,
        }
    }
}

/// The outcomes asked about: the declared key outcomes that are not categories or turns and
/// have a better direction, else every plain such outcome.
fn outcomes_asked(declared: &[String], kinds: &[(String, String)]) -> Vec<(String, bool)> {
    let ok = |n: &str, k: &str| {
        let kind = Kind::parse(k);
        matches!(kind, Some(Kind::Real | Kind::Count | Kind::Binary))
            && labels::outcome(n).higher_is_better.is_some()
    };
    let pick = |n: &String| {
        kinds
            .iter()
            .find(|(m, _)| m == n)
            .filter(|(m, k)| ok(m, k))
            .map(|(m, k)| (m.clone(), k == "binary"))
    };
    let keys: Vec<(String, bool)> = declared.iter().filter_map(pick).collect();
    if !declared.is_empty() {
        return keys;
    }
    kinds
        .iter()
        .filter(|(n, _)| !n.contains('.'))
        .map(|(n, _)| n)
        .filter_map(pick)
        .collect()
}

/// The two best options on an outcome by their mean in `summary.csv` (ties: the earlier).
fn best_two(dir: &Path, options: &[String], outcome: &str, higher: bool) -> Result<Vec<usize>> {
    let path = dir.join("summary.csv");
    let mut r = csv::Reader::from_reader(open_table(&path)?);
    let mut means = vec![f64::NAN; options.len()];
    for rec in r.records() {
        let rec = rec.with_context(|| format!("cannot read {}", path.display()))?;
        if rec.get(1) == Some(outcome)
            && let Some(p) = options.iter().position(|o| Some(o.as_str()) == rec.get(0))
        {
            means[p] = num(rec.get(4).unwrap_or(""));
        }
    }
    let mut order: Vec<usize> = (0..options.len())
        .filter(|&p| means[p].is_finite())
        .collect();
    order.sort_by(|&a, &b| {
        let c = means[a].total_cmp(&means[b]);
        if higher { c.reverse() } else { c }.then(a.cmp(&b))
    });
    order.truncate(2);
    Ok(order)
}

/// One question to ask: the question, the outcome's place among those read, the two
/// options' places, and whether the outcome is yes/no.
type Asked = (Question, usize, usize, usize, bool);

/// The questions, each a block of the engine's pool: PRIM on one question is independent of
/// the others, and the pool hands the rows back in the questions' order.
struct Questions<'a> {
    asked: Vec<Asked>,
    pts: &'a super::discover::RunPoints,
    /// The points' order for PRIM, made once for every question.
    order: Order,
}

impl BlockJob for Questions<'_> {
    type Output = Result<Vec<Row>>;
    fn run_block(&self, b: u64, _cancel: &AtomicBool) -> Option<Self::Output> {
        let (q, k, a, v, binary) = &self.asked[b as usize];
        let values = &self.pts.values[*k];
        Some(
            answer(q, &values[*a], Some(&values[*v]), *binary)
                .and_then(|(y, yes_when)| ask(q, &self.pts.cols, &self.order, &y, yes_when)),
        )
    }
}

/// Computes the table for the run in `dir` (its `summary.csv` and `trials.csv`) on `threads`
/// threads (the bytes do not depend on it): no rows when it has one option, drew no uncertain
/// parameter or has no outcome to ask about.
pub fn compute(
    dir: &Path,
    declared: &[String],
    baseline: &str,
    threads: usize,
) -> Result<Vec<Row>> {
    let (options, kinds) = run_layout(dir)?;
    let Some(base) = options.iter().position(|o| o == baseline) else {
        return Ok(Vec::new());
    };
    let asked = outcomes_asked(declared, &kinds);
    let all: Vec<String> = kinds.iter().map(|(n, _)| n.clone()).collect();
    if options.len() < 2 || asked.is_empty() || uncertain_params(dir, &all)?.is_empty() {
        return Ok(Vec::new());
    }
    let names: Vec<String> = asked.iter().map(|(n, _)| n.clone()).collect();
    let pts = read_run(dir, &options, &names, &all, Some(MAX_CONDITION_TRIALS))?;
    let mut job = Questions {
        asked: Vec::new(),
        order: Order::new(&pts.cols.x, pts.cols.names.len()),
        pts: &pts,
    };
    for (k, (outcome, binary)) in asked.iter().enumerate() {
        let higher = labels::outcome(outcome).higher_is_better == Some(true);
        let mut pairs: Vec<(usize, usize)> = (0..options.len())
            .filter(|&p| p != base)
            .map(|p| (p, base))
            .collect();
        let best = best_two(dir, &options, outcome, higher)?;
        if best.len() == 2 && !best.contains(&base) {
            pairs.push((best[0], best[1]));
            pairs.push((best[1], best[0]));
        }
        for (a, b) in pairs {
            let q = question(dir, &options[a], &options[b], outcome, higher);
            job.asked.push((q, k, a, b, *binary));
        }
    }
    let blocks: Vec<u64> = (0..job.asked.len() as u64).collect();
    let mut rows = Vec::new();
    let pool = Pool::new(threads.clamp(1, crate::engine::pool::MAX_THREADS))?;
    pool.run(
        &job,
        &blocks,
        1,
        &mut |_, out| {
            rows.extend(out?);
            Ok(Flow::Continue)
        },
        &AtomicBool::new(false),
    )?;
    Ok(rows)
}

/// The question "`option` does better than `versus` on `outcome`" as `cohesion discover` asks it.
fn question(dir: &Path, option: &str, versus: &str, outcome: &str, higher: bool) -> Question {
    Question {
        dir: dir.to_path_buf(),
        option: option.into(),
        versus: Some(versus.into()),
        outcome: outcome.into(),
        higher,
        above: None,
        below: None,
        prim: DEFAULT_PRIM,
        max_trials: Some(MAX_CONDITION_TRIALS),
    }
}

/// The rows of one question.
fn ask(
    q: &Question,
    cols: &super::discover::Columns,
    order: &Order,
    y: &[bool],
    yes_when: String,
) -> Result<Vec<Row>> {
    let versus = q.versus.clone().unwrap_or_default();
    let row = Row::maker(&q.outcome, &q.option, &versus);
    let n = y.len();
    let k = y.iter().filter(|&&v| v).count();
    if n == 0 || k == 0 {
        return Ok(vec![row(
            String::new(),
            String::new(),
            String::new(),
            f64::NAN,
            f64::NAN,
            f64::NAN,
            0.0,
        )]);
    }
    let base = k as f64 / n as f64;
    let d = solve(q, cols, order, y, yes_when, "trials")?;
    let b = &d.trajectory.boxes[d.chosen];
    if d.limits.is_empty() || b.density < MIN_LIFT * base {
        return Ok(vec![row(
            String::new(),
            String::new(),
            String::new(),
            f64::NAN,
            1.0,
            base,
            base,
        )]);
    }
    let text = |di: usize, v: f64| {
        if d.words[di].is_empty() {
            fmt_f64(v)
        } else {
            d.value(di, v)
        }
    };
    Ok(d.limits
        .iter()
        .map(|l| {
            let di = d.names.iter().position(|x| *x == l.parameter).unwrap_or(0);
            let side = |qp: f64, v: f64| {
                if qp.is_finite() {
                    text(di, v)
                } else {
                    String::new()
                }
            };
            let qp = [l.qp_lower, l.qp_upper]
                .into_iter()
                .filter(|p| p.is_finite())
                .fold(f64::NAN, f64::min);
            row(
                l.parameter.clone(),
                side(l.qp_lower, l.lower),
                side(l.qp_upper, l.upper),
                qp,
                b.coverage,
                b.density,
                base,
            )
        })
        .collect())
}

/// The uncertain parameters of the run in `dir`: the columns of `trials.csv` between `option`
/// and the first outcome.
pub fn uncertain_params(dir: &Path, outcomes: &[String]) -> Result<Vec<String>> {
    let path = dir.join("trials.csv");
    let mut r = csv::Reader::from_reader(open_table(&path)?);
    let head: Vec<String> = r
        .headers()
        .with_context(|| format!("cannot read {}", path.display()))?
        .iter()
        .map(str::to_string)
        .collect();
    let first = head
        .iter()
        .position(|h| outcomes.contains(h))
        .unwrap_or(head.len());
    Ok(head.get(2..first).unwrap_or(&[]).to_vec())
}

fn cell(x: f64) -> String {
    if x.is_finite() {
        fmt_f64(x)
    } else {
        String::new()
    }
}

/// Writes the table.
pub fn write(path: &Path, rows: &[Row]) -> Result<()> {
    let mut w =
        csv::Writer::from_path(path).with_context(|| format!("cannot write {}", path.display()))?;
    w.write_record(HEADER)?;
    for r in rows {
        w.write_record([
            r.outcome.clone(),
            r.option.clone(),
            r.versus.clone(),
            r.parameter.clone(),
            r.lower.clone(),
            r.upper.clone(),
            cell(r.quasi_p),
            cell(r.coverage),
            cell(r.density),
            cell(r.base_rate),
        ])?;
    }
    w.flush()
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Reads the table back (`None` when the folder has none: a run written before it existed).
pub fn read(dir: &Path) -> Result<Option<Vec<Row>>> {
    let path = dir.join(FILE);
    if !path.exists() {
        return Ok(None);
    }
    let (head, recs) = read_table(&path)?;
    let mut idx = [0usize; 10];
    for (i, h) in HEADER.iter().enumerate() {
        idx[i] = head
            .iter()
            .position(|x| x == h)
            .with_context(|| format!("{}: no column `{h}`", path.display()))?;
    }
    let s = |r: &csv::StringRecord, i: usize| r.get(idx[i]).unwrap_or("").to_string();
    Ok(Some(
        recs.iter()
            .map(|r| Row {
                outcome: s(r, 0),
                option: s(r, 1),
                versus: s(r, 2),
                parameter: s(r, 3),
                lower: s(r, 4),
                upper: s(r, 5),
                quasi_p: num(&s(r, 6)),
                coverage: num(&s(r, 7)),
                density: num(&s(r, 8)),
                base_rate: num(&s(r, 9)),
            })
            .collect(),
    ))
}

/// "does better than" in words for the outcome.
fn better_words(outcome: &str, binary: bool, count: bool) -> (String, String) {
    let label = labels::outcome(outcome);
    let name = labels::lower_first(&label.name);
    let higher = label.higher_is_better == Some(true);
    if binary {
        if higher {
            (format!("has the event ({name}) where"), "does not".into())
        } else {
            (format!("avoids the event ({name}) where"), "has it".into())
        }
    } else {
        let word = match (higher, count) {
            (true, true) => "more",
            (false, true) => "fewer",
            (true, false) => "higher",
            (false, false) => "lower",
        };
        (format!("has {word} {name} than"), String::new())
    }
}

fn limit_text(v: &str) -> String {
    let x = num(v);
    if x.is_finite() {
        short(x)
    } else {
        v.to_string()
    }
}

fn qp_text(p: f64) -> String {
    if !p.is_finite() {
        String::new()
    } else if p < 0.001 {
        "quasi-p &lt; 0.001".into()
    } else {
        format!("quasi-p {}", fixed(p, 3, false))
    }
}

fn pc(x: f64, decimals: usize) -> String {
    format!("{}%", fixed(x * 100.0, decimals, false))
}

/// The section of the run's report (after "what drives it").
pub fn section(h: &mut String, data: &RunData) {
    h.push_str("<section id=\"conditions\">\n<h2>When each option wins</h2>\n");
    if data.options().len() < 2 {
        h.push_str("<p>The run has one option: there is nothing to compare.</p>\n</section>\n");
        return;
    }
    let rows = match read(&data.dir) {
        Ok(Some(r)) => r,
        Ok(None) => {
            h.push_str("<p class=\"muted\">This run has no <code>conditions.csv</code> (it was written by an earlier version of cohesion); ask <code>cohesion discover DIR --option A --versus B --outcome O</code> for the conditions under which one option does better than another.</p>\n</section>\n");
            return;
        }
        Err(e) => {
            let _ = writeln!(
                h,
                "<p class=\"muted\">Not available ({}).</p>\n</section>",
                esc(&format!("{e:#}"))
            );
            return;
        }
    };
    if rows.is_empty() {
        let all: Vec<String> = data.outcomes.iter().map(|(n, _)| n.clone()).collect();
        let why = match uncertain_params(&data.dir, &all) {
            Ok(p) if p.is_empty() => {
                "the run drew no uncertain parameter, so every trial faced the same assumptions and there is no space of assumptions to search"
            }
            _ => "no key outcome has a better direction to compare the options on",
        };
        let _ = writeln!(h, "<p>No conditions: {why}.</p>\n</section>");
        return;
    }
    let n = (data.info.trials as usize).min(MAX_CONDITION_TRIALS);
    let _ = writeln!(
        h,
        "<p>Under which of the scenario's uncertain assumptions does each option do better? For each key outcome, each option against the baseline (<strong>{}</strong>) and the two best options against each other: PRIM (scenario discovery, as <code>cohesion discover</code> runs it with its default settings) on the run's own draws ({}), asked \"in which trials does A do better than B\" trial by trial (both faced the same draws and the same luck). The box is the region of assumptions where A does better most often: its <em>coverage</em> is the share of all the trials where A does better that fall inside it, its <em>density</em> the share of the trials inside it where A does better, against the rate over all trials. Each restricted limit carries its quasi-p-value (a one-sided binomial test of that limit, Bryant and Lempert 2010); a box is shown only when a restriction survives at quasi-p ≤ {} and its density is at least {}× the overall rate. Every box is in <code>conditions.csv</code>; the command under each sentence shows the whole peeling trajectory.</p>",
        esc(&data.info.baseline),
        if (data.info.trials as usize) > MAX_CONDITION_TRIALS {
            format!("the first {n} of its {} trials", data.info.trials)
        } else {
            format!("all {n} trials")
        },
        DEFAULT_PRIM.max_qp,
        MIN_LIFT
    );
    let mut i = 0;
    let mut last_outcome = String::new();
    while i < rows.len() {
        let r = &rows[i];
        let mut j = i + 1;
        while j < rows.len()
            && rows[j].outcome == r.outcome
            && rows[j].option == r.option
            && rows[j].versus == r.versus
        {
            j += 1;
        }
        if r.outcome != last_outcome {
            if !last_outcome.is_empty() {
                h.push_str("</ul>\n");
            }
            let _ = writeln!(
                h,
                "<h3>{}</h3>\n<ul class=\"conditions\" id=\"conditions-{}\">",
                esc(&labels::outcome(&r.outcome).name),
                esc(&labels::slug(&r.outcome))
            );
            last_outcome = r.outcome.clone();
        }
        sentence(h, data, &rows[i..j]);
        i = j;
    }
    h.push_str("</ul>\n</section>\n");
}

/// One question's sentence, from the run's data.
fn sentence(h: &mut String, data: &RunData, rows: &[Row]) {
    let r = &rows[0];
    let kind = data.kind(&r.outcome);
    let higher = labels::outcome(&r.outcome).higher_is_better == Some(true);
    let command = format!(
        "cohesion discover DIR --option {} --versus {} --outcome {}{}{}",
        r.option,
        r.versus,
        r.outcome,
        if higher { " --higher" } else { "" },
        if data.info.trials as usize > MAX_CONDITION_TRIALS {
            format!(" --max-trials {MAX_CONDITION_TRIALS}")
        } else {
            String::new()
        }
    );
    let text = sentence_text(
        rows,
        kind == Some(Kind::Binary),
        kind == Some(Kind::Count),
        "trials",
    );
    let _ = writeln!(
        h,
        "<li>{text}<br><code class=\"muted\">{}</code></li>",
        esc(&command)
    );
}

/// One question's sentence (HTML): the rows of its box, whether the outcome is yes/no or a
/// count, and what the points are ("trials", "design points").
pub fn sentence_text(rows: &[Row], binary: bool, count: bool, units: &str) -> String {
    let r = &rows[0];
    let (verb, tail) = better_words(&r.outcome, binary, count);
    let who = |o: &str| format!("<strong>{}</strong>", esc(o));
    let does = if tail.is_empty() {
        format!("{} {verb} {}", who(&r.option), who(&r.versus))
    } else {
        format!("{} {verb} {} {tail}", who(&r.option), who(&r.versus))
    };
    let at = if units == "trials" { "in" } else { "at" };
    if !r.density.is_finite() {
        format!("{does} {at} none of these {units}.")
    } else if r.parameter.is_empty() && r.base_rate >= 1.0 {
        format!("{does} {at} every one of these {units}.")
    } else if r.parameter.is_empty() {
        format!(
            "{does} {at} {} of the {units}; no condition among the uncertainties singles out where it does (no box improves materially on that rate).",
            pc(r.base_rate, 1)
        )
    } else {
        let limits: Vec<String> = rows
            .iter()
            .map(|l| {
                let p = format!("<code>{}</code>", esc(&l.parameter));
                let range = match (l.lower.is_empty(), l.upper.is_empty()) {
                    (false, true) => format!("{p} ≥ {}", esc(&limit_text(&l.lower))),
                    (true, false) => format!("{p} ≤ {}", esc(&limit_text(&l.upper))),
                    _ => format!(
                        "{p} between {} and {}",
                        esc(&limit_text(&l.lower)),
                        esc(&limit_text(&l.upper))
                    ),
                };
                format!("{range} ({})", qp_text(l.quasi_p))
            })
            .collect();
        format!(
            "{does} mainly when {}: coverage {}, density {} vs {} overall.",
            limits.join(" and "),
            pc(r.coverage, 0),
            pc(r.density, 1),
            pc(r.base_rate, 1)
        )
    }
}

/// The rows of one question from an exploration's PRIM tables (its steps and chosen box), by
/// the rule of [`ask`]: a blank parameter when no box improves materially on the base rate.
pub fn rows_from_prim(
    outcome: &str,
    option: &str,
    versus: &str,
    steps: &[&crate::output::analysis::PrimStep],
    limits: &[&crate::output::analysis::PrimLimit],
) -> Vec<Row> {
    let row = Row::maker(outcome, option, versus);
    let (Some(first), Some(chosen)) = (steps.first(), steps.iter().find(|s| s.chosen)) else {
        return vec![row(
            String::new(),
            String::new(),
            String::new(),
            f64::NAN,
            f64::NAN,
            f64::NAN,
            0.0,
        )];
    };
    let base = first.k as f64 / first.n.max(1) as f64;
    if limits.is_empty() || chosen.density < MIN_LIFT * base {
        return vec![row(
            String::new(),
            String::new(),
            String::new(),
            f64::NAN,
            1.0,
            base,
            base,
        )];
    }
    limits
        .iter()
        .map(|l| {
            let side = |qp: f64, v: f64| {
                if qp.is_finite() {
                    fmt_f64(v)
                } else {
                    String::new()
                }
            };
            row(
                l.parameter.clone(),
                side(l.qp_lower, l.lower),
                side(l.qp_upper, l.upper),
                [l.qp_lower, l.qp_upper]
                    .into_iter()
                    .filter(|p| p.is_finite())
                    .fold(f64::NAN, f64::min),
                chosen.coverage,
                chosen.density,
                base,
            )
        })
        .collect()
}
