//! Which parameters drive one outcome: a panel for the baseline's outcome and one for each
//! option's paired difference from the baseline, parameters ranked by influence, on a scale
//! shared by the panels.
//!
//! Sobol': the light bar is the total index ST (with its 95% interval), the dark bar inside the
//! first-order index S1; their gap is the share of variance the parameter owes to interactions.
//! Morris: the bar is μ* (mean absolute elementary effect, with its interval), the ring σ.
//! Latin hypercube or factorial: Spearman's rank correlation, with its interval.

use anyhow::Result;

use super::canvas::{Canvas, Rect};
use super::exploration::{Bar, ExploreChart, ExploreData, panels, ranked_panel, short};
use super::labels;
use super::legend::{KeyItem, Swatch};
use super::style::{self, MUTED};
use crate::output::analysis::SensRow;

pub struct Sensitivity {
    pub outcome: String,
}

/// The panels of the chart, as (option, versus): the baseline's own outcome, then each
/// option's difference from the baseline (or each option's own outcome when there is one).
fn targets(d: &ExploreData, outcome: &str) -> Vec<(String, String)> {
    let base = &d.manifest.baseline;
    let mut t = Vec::new();
    for r in d.sensitivity.iter().filter(|r| r.outcome == outcome) {
        let keep = (r.versus.is_empty() && (&r.option == base || d.manifest.policies.len() == 1))
            || !r.versus.is_empty();
        let k = (r.option.clone(), r.versus.clone());
        if keep && !t.contains(&k) {
            t.push(k);
        }
    }
    t
}

fn main_index(method: &str) -> &'static str {
    match method {
        "sobol" => "ST",
        "morris" => "mu_star",
        _ => "rho",
    }
}

impl ExploreChart for Sensitivity {
    fn id(&self) -> String {
        format!("sensitivity-{}", self.outcome)
    }

    fn title(&self, _d: &ExploreData) -> String {
        format!(
            "What drives {}: influence of each uncertain parameter",
            labels::outcome(&self.outcome).name.to_lowercase()
        )
    }

    fn caption(&self, d: &ExploreData) -> String {
        let what = match d.manifest.design.as_str() {
            "sobol" => {
                "The light bar is the total Sobol' index ST (the share of the variance of the per-point mean that the parameter accounts for, alone or with others), with its bootstrap 95% interval; the dark bar is the first-order index S1 (alone); a long light bar over a short dark one means the parameter acts through interactions."
            }
            "morris" => {
                "The bar is Morris's μ*, the mean absolute change in the outcome when the parameter moves across its range (per unit of the scaled range), with a bootstrap 95% interval; the ring is σ, the spread of those changes (large σ: non-linear or interacting)."
            }
            _ => {
                "The bar is Spearman's rank correlation between the parameter and the per-point mean, with a bootstrap 95% interval."
            }
        };
        format!(
            "{what} The first panel is the baseline's outcome; the others are each option's paired difference from the baseline at the same point, on common random numbers: the parameters that decide whether the option does better or worse. Parameters are ranked by influence in each panel; all panels share one scale."
        )
    }

    fn legend(&self, d: &ExploreData) -> Vec<KeyItem> {
        match d.manifest.design.as_str() {
            "sobol" => vec![
                KeyItem::new(Swatch::Fill(MUTED, 0.3), "total index ST"),
                KeyItem::new(Swatch::Fill(MUTED, 1.0), "first-order index S1"),
                KeyItem::new(Swatch::Line(MUTED, 2.0, false), "95% interval"),
            ],
            "morris" => vec![
                KeyItem::new(Swatch::Fill(MUTED, 0.3), "μ* (mean |elementary effect|)"),
                KeyItem::new(Swatch::Dot(MUTED, true), "σ"),
                KeyItem::new(Swatch::Line(MUTED, 2.0, false), "95% interval of μ*"),
            ],
            _ => vec![
                KeyItem::new(Swatch::Fill(MUTED, 0.3), "Spearman's rank correlation"),
                KeyItem::new(Swatch::Line(MUTED, 2.0, false), "95% interval"),
            ],
        }
    }

    fn draw(&self, d: &ExploreData, c: &Canvas, b: Rect) -> Result<()> {
        let method = d.manifest.design.as_str();
        let method = match method {
            "sobol" => "sobol",
            "morris" => "morris",
            _ => "spearman",
        };
        let main = main_index(method);
        let ts = targets(d, &self.outcome);
        let rects = panels(c, b, ts.len());
        let pick = |t: &(String, String), index: &str| -> Vec<&SensRow> {
            d.sensitivity
                .iter()
                .filter(|r| {
                    r.outcome == self.outcome
                        && r.option == t.0
                        && r.versus == t.1
                        && r.index == index
                        && r.method == method
                })
                .collect()
        };
        // One scale for every panel.
        let (mut lo, mut hi) = (0.0f64, 0.0f64);
        for t in &ts {
            for r in pick(t, main)
                .into_iter()
                .chain(pick(t, "sigma"))
                .chain(pick(t, "noise"))
            {
                for v in [r.value, r.hi, r.lo] {
                    if v.is_finite() {
                        lo = lo.min(v);
                        hi = hi.max(v);
                    }
                }
            }
        }
        let (lo, hi) = match method {
            "sobol" => (lo.clamp(-0.1, 0.0), hi.clamp(0.2, 1.0)),
            "spearman" => (-1.0, 1.0),
            _ => (0.0, if hi > 0.0 { hi * 1.05 } else { 1.0 }),
        };
        let title_f = c.font(style::LABEL - 2.0).bold();
        let titles: Vec<String> = ts
            .iter()
            .map(|(o, v)| {
                if v.is_empty() {
                    format!("{o}: {}", labels::outcome(&self.outcome).name)
                } else {
                    format!("{o} − {v}")
                }
            })
            .collect();
        for ((t, r), title) in ts.iter().zip(&rects).zip(&titles) {
            let colour = d.colour(&t.0);
            let mut rows: Vec<Bar> = pick(t, main)
                .into_iter()
                .map(|m| {
                    let mut bar = Bar::new(m.parameter.clone(), colour);
                    bar.bar = Some((0.0, m.value));
                    if m.lo.is_finite() {
                        bar.bar_ci = Some((m.lo, m.hi));
                    }
                    bar.text = short(m.value);
                    bar
                })
                .collect();
            if method == "sobol" {
                for (bar, s1) in rows.iter_mut().zip(pick(t, "S1")) {
                    bar.inner = Some((0.0, s1.value));
                    bar.text = format!(
                        "ST {} · S1 {}",
                        short(bar.bar.map(|x| x.1).unwrap_or(f64::NAN)),
                        short(s1.value)
                    );
                }
            }
            if method == "morris" {
                for (bar, s) in rows.iter_mut().zip(pick(t, "sigma")) {
                    bar.marker = Some(s.value);
                }
            }
            // Most influential first: by the index (a negative Sobol' index is estimation noise
            // around zero), by its size for a correlation.
            let key = |b: &Bar| {
                let v = b.bar.map(|x| x.1).unwrap_or(f64::NAN);
                match (v.is_finite(), method == "spearman") {
                    (false, _) => f64::INFINITY,
                    (true, true) => -v.abs(),
                    (true, false) => -v,
                }
            };
            rows.sort_by(|a, b| key(a).total_cmp(&key(b)));
            // The noise row last: how much of what the bars explain could be luck.
            if let Some(n) = pick(t, "noise").first() {
                let mut bar = Bar::new("replication noise", MUTED);
                if method == "sobol" {
                    bar.bar = Some((0.0, n.value));
                    if n.lo.is_finite() {
                        bar.bar_ci = Some((n.lo, n.hi));
                    }
                    bar.text = format!("{:.0}% of the variance", 100.0 * n.value);
                } else {
                    bar.bar = Some((0.0, n.value));
                    bar.text = format!("μ* floor {}", short(n.value));
                }
                rows.push(bar);
            }
            let (lines, tf, _) = c.panel_titles(std::slice::from_ref(title), title_f, r.w());
            ranked_panel(c, *r, &lines[0], tf, &rows, lo, hi, false, None)?;
        }
        Ok(())
    }
}
