//! Robustness of the options across the design: regret per outcome, and satisficing.
//!
//! Regret: one panel per outcome with a known better direction; per option, the bar runs to
//! the 90th percentile of its regret across the points (how far it falls short of the best
//! option there, in the outcome's units), the whisker to the maximum, the ring at the median;
//! options ranked by maximum regret (minimax regret, the most robust first). Satisficing: the
//! share of points at which each option meets each declared threshold.

use anyhow::Result;

use super::canvas::{Canvas, Rect};
use super::exploration::{Bar, ExploreChart, ExploreData, panels, ranked_panel, short};
use super::labels;
use super::legend::{KeyItem, Swatch};
use super::style::{self, MUTED};

pub struct Regret;

impl ExploreChart for Regret {
    fn id(&self) -> String {
        "robustness".into()
    }

    fn title(&self, _d: &ExploreData) -> String {
        "Robustness: how far each option falls short of the best one across the assumptions".into()
    }

    fn caption(&self, _d: &ExploreData) -> String {
        "At each design point, an option's regret is how far its mean outcome falls short of the best option's at that point (0 where it is the best), in the outcome's units. The bar runs to the 90th percentile of that regret over the points, the whisker to the maximum, the ring marks the median; options are ranked by maximum regret, the most robust at the top. Comparisons at a point are paired: every option faced the same luck.".into()
    }

    fn legend(&self, d: &ExploreData) -> Vec<KeyItem> {
        let mut k = super::legend::option_keys(&d.manifest.policies);
        k.push(KeyItem::new(
            Swatch::Fill(MUTED, 0.3),
            "regret to the 90th percentile",
        ));
        k.push(KeyItem::new(
            Swatch::Line(MUTED, 2.0, false),
            "to the maximum",
        ));
        k.push(KeyItem::new(Swatch::Dot(MUTED, true), "median"));
        k
    }

    fn draw(&self, d: &ExploreData, c: &Canvas, b: Rect) -> Result<()> {
        let mut outcomes: Vec<String> = Vec::new();
        for r in &d.robustness {
            if !outcomes.contains(&r.outcome) {
                outcomes.push(r.outcome.clone());
            }
        }
        let rects = panels(c, b, outcomes.len());
        let title_f = c.font(style::LABEL - 2.0).bold();
        for (o, r) in outcomes.iter().zip(&rects) {
            let mut rows: Vec<_> = d.robustness.iter().filter(|x| &x.outcome == o).collect();
            rows.sort_by_key(|x| x.rank);
            let label = labels::outcome(o);
            let hi = rows
                .iter()
                .map(|x| x.regret_max)
                .filter(|v| v.is_finite())
                .fold(0.0f64, f64::max);
            let bars: Vec<Bar> = rows
                .iter()
                .map(|x| {
                    let mut bar = Bar::new(x.option.clone(), d.colour(&x.option));
                    bar.bar = Some((0.0, x.regret_p90));
                    bar.bar_ci = Some((x.regret_p90, x.regret_max));
                    bar.marker = Some(x.regret_p50);
                    bar.text = format!("max {}", short(x.regret_max));
                    bar
                })
                .collect();
            let title = format!(
                "{} ({} is better)",
                label.name,
                if rows.first().map(|x| x.better.as_str()) == Some("higher") {
                    "higher"
                } else {
                    "lower"
                }
            );
            let (lines, tf, _) = c.panel_titles(&[title], title_f, r.w());
            ranked_panel(
                c,
                *r,
                &lines[0],
                tf,
                &bars,
                0.0,
                if hi > 0.0 { hi * 1.05 } else { 1.0 },
                label.percent,
                Some("regret".into()),
            )?;
        }
        Ok(())
    }
}

pub struct Satisficing;

impl ExploreChart for Satisficing {
    fn id(&self) -> String {
        "satisficing".into()
    }

    fn title(&self, _d: &ExploreData) -> String {
        "Satisficing: the share of assumptions under which each option meets the thresholds".into()
    }

    fn caption(&self, d: &ExploreData) -> String {
        format!(
            "The share of the {} design points at which an option's mean outcome meets each threshold the analyst declared ({}), and all of them together; options ranked by that share.",
            d.manifest.points,
            d.manifest.thresholds.join("; ")
        )
    }

    fn legend(&self, d: &ExploreData) -> Vec<KeyItem> {
        super::legend::option_keys(&d.manifest.policies)
    }

    fn draw(&self, d: &ExploreData, c: &Canvas, b: Rect) -> Result<()> {
        let mut crits: Vec<String> = Vec::new();
        for r in &d.satisficing {
            if !crits.contains(&r.criterion) {
                crits.push(r.criterion.clone());
            }
        }
        let rects = panels(c, b, crits.len());
        let title_f = c.font(style::LABEL - 2.0).bold();
        for (k, r) in crits.iter().zip(&rects) {
            let mut rows: Vec<_> = d.satisficing.iter().filter(|x| &x.criterion == k).collect();
            rows.sort_by_key(|x| x.rank);
            let bars: Vec<Bar> = rows
                .iter()
                .map(|x| {
                    let mut bar = Bar::new(x.option.clone(), d.colour(&x.option));
                    bar.bar = Some((0.0, x.share));
                    bar.inner = Some((0.0, x.share));
                    bar.text = format!("{:.0}%", 100.0 * x.share);
                    bar
                })
                .collect();
            let title = if k == "all" {
                "all thresholds".to_string()
            } else {
                k.clone()
            };
            let (lines, tf, _) = c.panel_titles(&[title], title_f, r.w());
            ranked_panel(c, *r, &lines[0], tf, &bars, 0.0, 1.0, true, None)?;
        }
        Ok(())
    }
}
