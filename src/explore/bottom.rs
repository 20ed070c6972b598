//! The bottom line of an exploration's report, first on the page: on the scenario's key
//! outcomes, the options ranked by their mean over the design points, each option's
//! difference from the baseline averaged over the points (paired point by point: every option
//! faced the same assumptions and luck there) with its 95% interval over the points and a
//! verdict against the negligible band, and the share of points where the option beats the
//! baseline by more than the band.
//!
//! The interval here is over the explored space of assumptions (plus simulation noise), not
//! over trials of one set of assumptions: it says whether the option's advantage holds on
//! average across the ranges explored. Categorical outcomes have no mean and are left out.

use std::fmt::Write;

use crate::kernel::html::escape as esc;
use crate::output::explore::{ExploreManifest, num, read_table};
use crate::plot::labels;
use crate::plot::numbers::fixed;
use crate::report::bottom::{diff_text, verdict_cell};
use crate::stats::verdict::{t975, verdict};

/// The outcomes covered: the scenario's key outcomes present in `results.csv`, else the
/// analysed outcomes with a known better direction.
fn keys(m: &ExploreManifest, head: &[String]) -> (Vec<String>, bool) {
    let present = |o: &String| head.contains(o);
    let declared: Vec<String> = m
        .key_outcomes
        .iter()
        .filter(|o| present(o))
        .cloned()
        .collect();
    if !declared.is_empty() {
        return (declared, true);
    }
    let v = m
        .outcomes
        .iter()
        .filter(|o| present(o) && labels::outcome(o).higher_is_better.is_some())
        .cloned()
        .collect();
    (v, false)
}

/// Writes the section (nothing when `results.csv` cannot be read or there is one option).
pub fn section(
    h: &mut String,
    dir: &std::path::Path,
    m: &ExploreManifest,
    colour: &dyn Fn(&str) -> String,
) {
    let Ok((head, rows)) = read_table(&dir.join("results.csv")) else {
        return;
    };
    let n_opt = m.policies.len();
    let Some(base) = m.policies.iter().position(|p| *p == m.baseline) else {
        return;
    };
    if n_opt < 2 {
        return;
    }
    let (keys, declared) = keys(m, &head);
    if keys.is_empty() {
        return;
    }
    let points = m.points as usize;
    h.push_str("<section id=\"bottom-line\">\n<h2>Bottom line</h2>\n");
    let _ = writeln!(
        h,
        "<p>{} Per option: its mean over the {points} design points; its difference from the baseline (<strong>{}</strong>), averaged over the points where both ran on the same assumptions and random numbers, with the 95% interval over the points and the verdict against the negligible band (better or worse only when the whole interval lies beyond it); and the share of points where it beats the baseline by more than the band. The interval spans the explored ranges of the assumptions: an option that is better on average may still lose under some of them (see what decides each comparison below).</p>",
        if declared {
            "The outcomes the scenario marks as key."
        } else {
            "The scenario marks no key outcomes (<code>[outcomes] key</code>): every analysed outcome with a known better direction."
        },
        esc(&m.baseline)
    );
    let col = |name: &str| head.iter().position(|h| h == name);
    for o in &keys {
        let Some(c) = col(o) else { continue };
        // values[option][point]
        let mut v = vec![vec![f64::NAN; points]; n_opt];
        for r in &rows {
            let p: usize = r.get(0).unwrap_or("").parse().unwrap_or(usize::MAX);
            let Some(k) = m.policies.iter().position(|x| Some(x.as_str()) == r.get(1)) else {
                continue;
            };
            if p < points {
                v[k][p] = num(r.get(c).unwrap_or(""));
            }
        }
        let label = labels::outcome(o);
        let band = m.negligible.get(o).copied().unwrap_or(0.0);
        let hib = label.higher_is_better;
        let mean_of = |xs: &[f64]| {
            let f: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
            f.iter().sum::<f64>() / f.len().max(1) as f64
        };
        let mut order: Vec<(usize, f64)> = (0..n_opt).map(|k| (k, mean_of(&v[k]))).collect();
        match hib {
            Some(true) => order.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0))),
            Some(false) => order.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0))),
            None => {}
        }
        let _ = writeln!(
            h,
            "<h3 id=\"bottom-{}\">{} <span class=\"muted\">({}; negligible band {})</span></h3>\n<table class=\"bottom\" id=\"bottom-table-{}\">\n<thead><tr><th class=\"num\">Rank</th><th>Option</th><th class=\"num\">Mean over points</th><th class=\"num\">Difference from baseline [95% interval over points]</th><th>Verdict</th><th class=\"num\">Points where it wins</th></tr></thead>\n<tbody>",
            esc(&labels::slug(o)),
            esc(&label.name),
            match hib {
                Some(true) => "higher is better; ranked best first",
                Some(false) => "lower is better; ranked best first",
                None => "no better direction",
            },
            if band > 0.0 {
                format!("±{}", crate::plot::numbers::fmt_value(band, false))
            } else {
                "not declared".into()
            },
            esc(&labels::slug(o)),
        );
        for (rank, (k, mean)) in order.iter().enumerate() {
            let (diff, verdict_html, wins) = if *k == base {
                ("baseline".to_string(), "–".to_string(), "–".to_string())
            } else {
                let d: Vec<f64> = (0..points)
                    .map(|p| v[*k][p] - v[base][p])
                    .filter(|x| x.is_finite())
                    .collect();
                let n = d.len();
                if n < 2 {
                    ("–".into(), "–".into(), "–".into())
                } else {
                    let md = d.iter().sum::<f64>() / n as f64;
                    let var = d.iter().map(|x| (x - md).powi(2)).sum::<f64>() / (n - 1) as f64;
                    let half = t975((n - 1) as f64) * (var / n as f64).sqrt();
                    let (lo, hi) = (md - half, md + half);
                    let up = hib.unwrap_or(true);
                    let w = d
                        .iter()
                        .filter(|&&x| if up { x > band } else { -x > band })
                        .count();
                    (
                        format!(
                            "{} [{}, {}]",
                            diff_text(md, false, band),
                            diff_text(lo, false, band),
                            diff_text(hi, false, band)
                        ),
                        verdict_cell(Some(verdict(lo, hi, band, hib))),
                        if hib.is_some() {
                            format!("{}%", fixed(w as f64 / n as f64 * 100.0, 0, false))
                        } else {
                            "–".into()
                        },
                    )
                }
            };
            let _ = writeln!(
                h,
                "<tr><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{diff}</td><td>{verdict_html}</td><td class=\"num\">{wins}</td></tr>",
                rank + 1,
                colour(&m.policies[*k]),
                crate::plot::numbers::fmt_value(*mean, false)
            );
        }
        h.push_str("</tbody>\n</table>\n");
    }
    h.push_str("</section>\n");
}
