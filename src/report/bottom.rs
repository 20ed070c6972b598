//! The bottom line of a run's report, first on the page, and "what drives it".
//!
//! The bottom line answers the question the report is read for: on the outcomes the scenario
//! marks as key (`[outcomes] key`), how do the options rank, and which differences from the
//! baseline are real and large enough to matter? Each difference carries its 95% interval and
//! a verdict against the scenario's negligible band (`[outcomes] negligible`, see
//! [`crate::stats::verdict`]): only a difference whose whole interval lies beyond the band is
//! called better or worse. A categorical outcome is shown as the share of trials in each
//! category, never as an average.
//!
//! "What drives it" reads the run's own draws (`trials.csv`): for each key outcome and option,
//! the uncertain parameters ranked by Spearman's rank correlation with the paired difference
//! option − baseline, and how often the option wins (beats the baseline by more than the band)
//! when the most influential parameter is low, middling or high. The full box of conditions
//! (PRIM) follows in [`super::conditions`].

use std::fmt::Write;

use anyhow::{Context, Result};

use crate::kernel::html::escape as esc;
use crate::plot::data::{Compared, Kind, RunData, open_table};
use crate::plot::labels;
use crate::plot::numbers::{fixed, signed};
use crate::stats::sensitivity::{pearson, ranks};
use crate::stats::verdict::{Verdict, verdict};

/// Trials read from `trials.csv` for "what drives it", at most (the first ones, in order).
pub const MAX_DRIVER_TRIALS: usize = 200_000;

/// The outcomes the bottom line covers, and whether the scenario declared them: its key
/// outcomes, or else every plain outcome with a known better direction (not turns).
pub fn key_outcomes(data: &RunData) -> (Vec<String>, bool) {
    let declared: Vec<String> = data
        .info
        .key_outcomes
        .iter()
        .filter(|o| data.kind(o).is_some())
        .cloned()
        .collect();
    if !declared.is_empty() {
        return (declared, true);
    }
    let fallback = data
        .plain_outcomes()
        .filter(|(n, k)| *k != Kind::Turn && labels::outcome(n).higher_is_better.is_some())
        .map(|(n, _)| n.clone())
        .collect();
    (fallback, false)
}

/// The verdict on a comparison row: the one `comparison.csv` records, else computed from its
/// interval (folders written before verdicts).
pub fn verdict_of(data: &RunData, r: &Compared) -> Option<Verdict> {
    if let Some(v) = r.verdict.as_deref().and_then(Verdict::parse) {
        return Some(v);
    }
    let (lo, hi) = (r.diff_lo95?, r.diff_hi95?);
    Some(verdict(
        lo,
        hi,
        data.info.band(&r.outcome),
        labels::outcome(&r.outcome).higher_is_better,
    ))
}

/// Decimals that show a difference to a tenth of the band (3 without a band).
fn decimals(band: f64) -> usize {
    if band > 0.0 {
        ((-(band / 10.0).log10()).ceil().max(0.0) as usize).min(6)
    } else {
        3
    }
}

/// A difference in the outcome's units (percentage points for a yes/no outcome).
pub fn diff_text(v: f64, binary: bool, band: f64) -> String {
    if binary {
        signed(v, 1, true)
    } else {
        signed(v, decimals(band), false)
    }
}

fn band_text(band: f64, binary: bool) -> String {
    if band <= 0.0 {
        "no negligible band declared: any difference the interval resolves counts".into()
    } else if binary {
        format!("negligible band ±{} pp", fixed(band * 100.0, 2, false))
    } else {
        format!("negligible band ±{}", fixed(band, decimals(band), false))
    }
}

/// A verdict as a table cell: firm ones in bold, the others muted.
pub fn verdict_cell(v: Option<Verdict>) -> String {
    match v {
        Some(v) if v.firm() => format!("<strong>{}</strong>", v.word()),
        Some(v) => format!("<span class=\"muted\">{}</span>", v.word()),
        None => "–".into(),
    }
}

fn swatch(data: &RunData, option: &str) -> String {
    match data.option_index(option) {
        Some(i) => format!(
            "<span class=\"sw\" style=\"background:{}\"></span>{}",
            crate::plot::style::hex(crate::plot::style::option_colour(i)),
            esc(option)
        ),
        None => esc(option),
    }
}

/// The bottom-line section.
pub fn section(h: &mut String, data: &RunData) {
    let (keys, declared) = key_outcomes(data);
    let base = &data.info.baseline;
    h.push_str("<section id=\"bottom-line\">\n<h2>Bottom line</h2>\n");
    if declared {
        let _ = writeln!(
            h,
            "<p>The options on the outcomes this scenario marks as key, each against the baseline (<strong>{}</strong>) over the same trials. A difference is <strong>better</strong> or <strong>worse</strong> only when its whole 95% interval lies beyond the scenario's negligible band; <em>negligible</em> when the whole interval lies inside the band (<em>detectable but negligible</em> when it also excludes zero); <em>undetermined</em> otherwise. More trials narrow the interval; they do not change the band.</p>",
            esc(base)
        );
    } else {
        let _ = writeln!(
            h,
            "<p>The scenario marks no key outcomes (<code>[outcomes] key</code>), so this covers every outcome with a known better direction, each option against the baseline (<strong>{}</strong>). A difference is <strong>better</strong> or <strong>worse</strong> only when its whole 95% interval lies beyond the negligible band (<code>[outcomes] negligible</code>; zero when not declared).</p>",
            esc(base)
        );
    }
    headlines(h, data, &keys);
    for o in &keys {
        match data.kind(o) {
            Some(Kind::Category) => category_table(h, data, o),
            Some(_) => ranking_table(h, data, o),
            None => {}
        }
    }
    h.push_str("</section>\n");
}

/// One sentence per option: where it is firmly better, firmly worse, and the rest.
fn headlines(h: &mut String, data: &RunData, keys: &[String]) {
    let base = data.baseline_index();
    h.push_str("<ul class=\"headlines\">\n");
    for (p, opt) in data.options().iter().enumerate() {
        if p == base {
            continue;
        }
        let mut better = Vec::new();
        let mut worse = Vec::new();
        let mut small = Vec::new();
        let mut open = Vec::new();
        for o in keys {
            let Some(r) = data.comparison(opt, o) else {
                continue;
            };
            let (Some(m), Some(v)) = (r.mean_diff, verdict_of(data, r)) else {
                continue;
            };
            let binary = data.kind(o) == Some(Kind::Binary);
            let name = labels::outcome(o).name.to_lowercase();
            let txt = format!(
                "{} ({})",
                esc(&name),
                diff_text(m, binary, data.info.band(o))
            );
            match v {
                Verdict::Better | Verdict::Higher => better.push(txt),
                Verdict::Worse | Verdict::Lower => worse.push(txt),
                Verdict::Negligible | Verdict::DetectableNegligible => small.push(esc(&name)),
                Verdict::Undetermined => open.push(esc(&name)),
            }
        }
        let mut parts = Vec::new();
        if !better.is_empty() {
            parts.push(format!("<strong>better</strong> on {}", better.join(", ")));
        }
        if !worse.is_empty() {
            parts.push(format!("<strong>worse</strong> on {}", worse.join(", ")));
        }
        if !small.is_empty() {
            parts.push(format!("negligible on {}", small.join(", ")));
        }
        if !open.is_empty() {
            parts.push(format!("undetermined on {}", open.join(", ")));
        }
        if parts.is_empty() {
            continue;
        }
        let _ = writeln!(h, "<li>{}: {}.</li>", swatch(data, opt), parts.join("; "));
    }
    h.push_str("</ul>\n");
}

/// The options ranked on one numeric or yes/no outcome, with differences and verdicts.
fn ranking_table(h: &mut String, data: &RunData, o: &str) {
    let label = labels::outcome(o);
    let binary = data.kind(o) == Some(Kind::Binary);
    let band = data.info.band(o);
    let mut rows: Vec<(usize, f64)> = data
        .options()
        .iter()
        .enumerate()
        .filter_map(|(p, opt)| {
            let s = data.summary(opt, o)?;
            Some((p, if binary { s.prob? } else { s.mean? }))
        })
        .collect();
    if rows.is_empty() {
        return;
    }
    match label.higher_is_better {
        Some(true) => rows.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0))),
        Some(false) => rows.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0))),
        None => {}
    }
    let direction = match label.higher_is_better {
        Some(true) => "higher is better; ranked best first",
        Some(false) => "lower is better; ranked best first",
        None => "no better direction; in option order",
    };
    let _ = writeln!(
        h,
        "<h3 id=\"bottom-{}\">{} <span class=\"muted\">({direction}; {})</span></h3>",
        esc(&labels::slug(o)),
        esc(&label.name),
        band_text(band, binary)
    );
    let _ = writeln!(
        h,
        "<table class=\"bottom\" id=\"bottom-table-{}\">\n<thead><tr><th class=\"num\">Rank</th><th>Option</th><th class=\"num\">{}</th><th class=\"num\">Difference from baseline [95% interval]</th><th>Verdict</th></tr></thead>\n<tbody>",
        esc(&labels::slug(o)),
        if binary { "Probability" } else { "Mean" }
    );
    let base = data.baseline_index();
    for (rank, (p, v)) in rows.iter().enumerate() {
        let opt = &data.options()[*p];
        let value = if binary {
            format!("{}%", fixed(*v * 100.0, 1, false))
        } else {
            fixed(*v, decimals(band).max(2), false)
        };
        let (diff, verdict) = if *p == base {
            ("baseline".to_string(), "–".to_string())
        } else {
            match data.comparison(opt, o) {
                Some(r) => match (r.mean_diff, r.diff_lo95, r.diff_hi95) {
                    (Some(m), Some(a), Some(b)) => (
                        format!(
                            "{} [{}, {}]",
                            diff_text(m, binary, band),
                            diff_text(a, binary, band),
                            diff_text(b, binary, band)
                        ),
                        verdict_cell(verdict_of(data, r)),
                    ),
                    _ => ("–".into(), "–".into()),
                },
                None => ("–".into(), "–".into()),
            }
        };
        let _ = writeln!(
            h,
            "<tr><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{value}</td><td class=\"num\">{diff}</td><td>{verdict}</td></tr>",
            rank + 1,
            swatch(data, opt)
        );
    }
    h.push_str("</tbody>\n</table>\n");
}

/// The share of trials in each category, per option.
pub fn category_table(h: &mut String, data: &RunData, o: &str) {
    let label = labels::outcome(o);
    let _ = writeln!(
        h,
        "<h3 id=\"bottom-{}\">{} <span class=\"muted\">(share of trials in each category; a category is never averaged)</span></h3>",
        esc(&labels::slug(o)),
        esc(&label.name)
    );
    let shares: Vec<Vec<(String, u64, f64)>> = (0..data.options().len())
        .map(|p| data.category_shares(o, p))
        .collect();
    let Some(first) = shares.iter().find(|s| !s.is_empty()) else {
        h.push_str("<p class=\"muted\">The distribution needs <code>trials.csv</code>, which this folder does not have.</p>\n");
        return;
    };
    let names: Vec<String> = first.iter().map(|(n, _, _)| n.clone()).collect();
    let _ = write!(
        h,
        "<table class=\"bottom\" id=\"bottom-table-{}\">\n<thead><tr><th>Option</th>",
        esc(&labels::slug(o))
    );
    for n in &names {
        let _ = write!(h, "<th class=\"num\">{}</th>", esc(n));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for (p, opt) in data.options().iter().enumerate() {
        let _ = write!(h, "<tr><td>{}</td>", swatch(data, opt));
        for n in &names {
            let s = shares[p]
                .iter()
                .find(|(m, _, _)| m == n)
                .map(|(_, _, s)| format!("{}%", fixed(*s * 100.0, 1, false)))
                .unwrap_or_else(|| "–".into());
            let _ = write!(h, "<td class=\"num\">{s}</td>");
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
}

/// The run's draws: each trial's uncertain parameters and the key outcomes of every option.
struct Draws {
    params: Vec<String>,
    /// Per parameter: its words when it is a choice (values are positions), else empty.
    words: Vec<Vec<String>>,
    /// `[param][trial]`.
    x: Vec<Vec<f64>>,
    /// `[outcome][option][trial]`.
    y: Vec<Vec<Vec<f64>>>,
}

fn read_draws(data: &RunData, outcomes: &[String]) -> Result<Option<Draws>> {
    let path = data.dir.join("trials.csv");
    if !path.exists() && !path.with_extension("parquet").exists() {
        return Ok(None);
    }
    let mut r = csv::Reader::from_reader(open_table(&path)?);
    let head: Vec<String> = r.headers()?.iter().map(str::to_string).collect();
    let known: Vec<&str> = data.outcomes.iter().map(|(n, _)| n.as_str()).collect();
    let Some(first) = head.iter().position(|h| known.contains(&h.as_str())) else {
        return Ok(None);
    };
    let params: Vec<String> = head.get(2..first).unwrap_or(&[]).to_vec();
    if params.is_empty() {
        return Ok(None);
    }
    let cols: Vec<Option<usize>> = outcomes
        .iter()
        .map(|o| head.iter().position(|h| h == o))
        .collect();
    let n_opt = data.options().len();
    let mut d = Draws {
        words: vec![Vec::new(); params.len()],
        x: vec![Vec::new(); params.len()],
        y: vec![vec![Vec::new(); n_opt]; outcomes.len()],
        params,
    };
    let mut rec = csv::StringRecord::new();
    let mut last = String::new();
    let mut trials = 0usize;
    while r
        .read_record(&mut rec)
        .with_context(|| format!("cannot read {}", path.display()))?
    {
        let (trial, opt) = (rec.get(0).unwrap_or(""), rec.get(1).unwrap_or(""));
        let Some(p) = data.option_index(opt) else {
            continue;
        };
        if trial != last {
            if trials == MAX_DRIVER_TRIALS {
                break;
            }
            trials += 1;
            last = trial.to_string();
            for k in 0..d.params.len() {
                let cell = rec.get(2 + k).unwrap_or("");
                let v = match cell.parse::<f64>() {
                    Ok(v) if d.words[k].is_empty() => v,
                    _ => {
                        let w = &mut d.words[k];
                        match w.iter().position(|x| x == cell) {
                            Some(i) => i as f64,
                            None => {
                                w.push(cell.to_string());
                                (w.len() - 1) as f64
                            }
                        }
                    }
                };
                d.x[k].push(v);
            }
            for per_opt in d.y.iter_mut() {
                for v in per_opt.iter_mut() {
                    v.push(f64::NAN);
                }
            }
        }
        for (o, c) in cols.iter().enumerate() {
            let v = c
                .and_then(|c| rec.get(c))
                .and_then(|s| s.parse::<f64>().ok())
                .unwrap_or(f64::NAN);
            if let Some(slot) = d.y[o][p].last_mut() {
                *slot = v;
            }
        }
    }
    Ok((trials >= 3).then_some(d))
}

/// One parameter's influence on a paired difference.
struct Influence {
    param: usize,
    rho: f64,
}

/// Which side of the band each trial's difference falls on: +1 the option wins, −1 it loses,
/// 0 within the band.
fn side(d: f64, band: f64, higher_is_better: bool) -> i8 {
    let d = if higher_is_better { d } else { -d };
    if d > band {
        1
    } else if d < -band {
        -1
    } else {
        0
    }
}

fn pct(k: usize, n: usize) -> String {
    if n == 0 {
        "–".into()
    } else {
        format!("{}%", fixed(k as f64 / n as f64 * 100.0, 0, false))
    }
}

/// The "what drives it" section (nothing when the run drew no uncertain parameter or has no
/// `trials.csv`).
pub fn drivers(h: &mut String, data: &RunData) -> Result<()> {
    let (keys, _) = key_outcomes(data);
    let keys: Vec<String> = keys
        .into_iter()
        .filter(|o| !matches!(data.kind(o), Some(Kind::Category | Kind::Turn) | None))
        .collect();
    if keys.is_empty() || data.options().len() < 2 {
        return Ok(());
    }
    let Some(d) = read_draws(data, &keys)? else {
        return Ok(());
    };
    let base = data.baseline_index();
    let n_all = d.x.first().map(Vec::len).unwrap_or(0);
    let xr: Vec<Vec<f64>> = d.x.iter().map(|c| ranks(c)).collect();
    h.push_str("<section id=\"drivers\">\n<h2>What drives it</h2>\n");
    let _ = writeln!(
        h,
        "<p>From the run's own draws ({n_all} trials of <code>trials.csv</code>): for each key outcome and option, the uncertain parameters ranked by Spearman's rank correlation ρ with the paired difference option − baseline (|ρ| below 2/√n, about {}, is indistinguishable from none), and how often the option <em>wins</em> (beats the baseline by more than the negligible band in that trial) or <em>loses</em>, overall and when the most influential parameter is low, middling or high. The region of assumptions where each option wins, as PRIM finds it, is in the next section.</p>",
        fixed(2.0 / (n_all.max(1) as f64).sqrt(), 3, false)
    );
    for (oi, o) in keys.iter().enumerate() {
        let label = labels::outcome(o);
        let hib = label.higher_is_better.unwrap_or(true);
        let band = data.info.band(o);
        let _ = writeln!(
            h,
            "<h3>{}</h3>\n<table class=\"drivers\" id=\"drivers-{}\">\n<thead><tr><th>Option</th><th class=\"num\">Wins / within band / loses</th><th>Most influential assumptions (ρ)</th><th>When it wins</th></tr></thead>\n<tbody>",
            esc(&label.name),
            esc(&labels::slug(o))
        );
        for p in 0..data.options().len() {
            if p == base {
                continue;
            }
            let (a, b) = (&d.y[oi][p], &d.y[oi][base]);
            let idx: Vec<usize> = (0..n_all)
                .filter(|&t| a[t].is_finite() && b[t].is_finite())
                .collect();
            if idx.len() < 3 {
                continue;
            }
            let diff: Vec<f64> = idx.iter().map(|&t| a[t] - b[t]).collect();
            let sides: Vec<i8> = diff.iter().map(|&x| side(x, band, hib)).collect();
            let count = |s: i8, sel: &mut dyn Iterator<Item = usize>| {
                sel.filter(|&i| sides[i] == s).count()
            };
            let n = idx.len();
            let wins = count(1, &mut (0..n));
            let loses = count(-1, &mut (0..n));
            let overall = format!(
                "{} / {} / {}",
                pct(wins, n),
                pct(n - wins - loses, n),
                pct(loses, n)
            );
            let dr = ranks(&diff);
            let mut infl: Vec<Influence> = (0..d.params.len())
                .map(|k| {
                    let col: Vec<f64> = if idx.len() == n_all {
                        xr[k].clone()
                    } else {
                        idx.iter().map(|&t| xr[k][t]).collect()
                    };
                    Influence {
                        param: k,
                        rho: pearson(&col, &dr),
                    }
                })
                .filter(|i| i.rho.is_finite())
                .collect();
            infl.sort_by(|x, y| {
                y.rho
                    .abs()
                    .total_cmp(&x.rho.abs())
                    .then(x.param.cmp(&y.param))
            });
            let noise = 2.0 / (n as f64).sqrt();
            let top: Vec<String> = infl
                .iter()
                .take(3)
                .map(|i| {
                    let faint = i.rho.abs() < noise;
                    let s = format!(
                        "<code>{}</code> {}",
                        esc(&d.params[i.param]),
                        signed(i.rho, 2, false)
                    );
                    if faint {
                        format!("<span class=\"muted\">{s}</span>")
                    } else {
                        s
                    }
                })
                .collect();
            let when = match infl.first().filter(|i| i.rho.abs() >= noise) {
                Some(i) => conditions(&d, i.param, &idx, &sides),
                None => {
                    "<span class=\"muted\">no parameter has a detectable influence</span>".into()
                }
            };
            let opt = &data.options()[p];
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td class=\"num\">{overall}</td><td>{}</td><td>{when}</td></tr>",
                swatch(data, opt),
                if top.is_empty() {
                    "–".to_string()
                } else {
                    top.join("<br>")
                }
            );
        }
        h.push_str("</tbody>\n</table>\n");
    }
    h.push_str("</section>\n");
    Ok(())
}

/// Win and loss shares when parameter `k` is low, middling or high (its thirds), or at each of
/// its values when it takes five or fewer.
fn conditions(d: &Draws, k: usize, idx: &[usize], sides: &[i8]) -> String {
    let xs: Vec<f64> = idx.iter().map(|&t| d.x[k][t]).collect();
    let mut distinct: Vec<f64> = xs.clone();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    let name = esc(&d.params[k]);
    let value = |v: f64| -> String {
        match d.words[k].get(v.round().max(0.0) as usize) {
            Some(w) if !d.words[k].is_empty() => w.clone(),
            _ => crate::plot::exploration::short(v),
        }
    };
    let groups: Vec<(String, Vec<usize>)> = if distinct.len() <= 5 {
        distinct
            .iter()
            .map(|&v| {
                (
                    format!("<code>{name}</code> = {}", esc(&value(v))),
                    (0..xs.len()).filter(|&i| xs[i] == v).collect(),
                )
            })
            .collect()
    } else {
        let mut sorted = xs.clone();
        sorted.sort_by(f64::total_cmp);
        let c1 = sorted[sorted.len() / 3];
        let c2 = sorted[2 * sorted.len() / 3];
        vec![
            (
                format!("<code>{name}</code> ≤ {}", value(c1)),
                (0..xs.len()).filter(|&i| xs[i] <= c1).collect(),
            ),
            (
                format!("{} – {}", value(c1), value(c2)),
                (0..xs.len())
                    .filter(|&i| xs[i] > c1 && xs[i] <= c2)
                    .collect(),
            ),
            (
                format!("&gt; {}", value(c2)),
                (0..xs.len()).filter(|&i| xs[i] > c2).collect(),
            ),
        ]
    };
    groups
        .iter()
        .filter(|(_, g)| !g.is_empty())
        .map(|(label, g)| {
            let w = g.iter().filter(|&&i| sides[i] == 1).count();
            let l = g.iter().filter(|&&i| sides[i] == -1).count();
            format!(
                "{label}: wins {}, loses {}",
                pct(w, g.len()),
                pct(l, g.len())
            )
        })
        .collect::<Vec<_>>()
        .join("<br>")
}
