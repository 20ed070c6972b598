//! Charts of an exploration, drawn from its CSV files alone: sensitivity indices per outcome,
//! each PRIM question's trajectory and chosen box, and the options' regret and satisficing.
//!
//! The same frame, type and colours as a run's charts; a small driver of its own because an
//! exploration's data ([`ExploreData`]) is not a run's. `cohesion plot DIR` on an exploration
//! redraws exactly what `cohesion explore` drew.

use std::path::Path;

use anyhow::{Context, Result};

use super::canvas::{self, Canvas};
pub use super::exploration::{ExploreChart, ExploreData};
use super::files::{self, Drawn, PlotOptions, picked};
use super::style::Style;
use super::{discovery, robust, sens};

/// The charts an exploration gets, in report order.
pub fn select(d: &ExploreData) -> Vec<Box<dyn ExploreChart>> {
    let mut out: Vec<Box<dyn ExploreChart>> = Vec::new();
    for o in &d.manifest.outcomes {
        if d.sensitivity.iter().any(|r| &r.outcome == o) {
            out.push(Box::new(sens::Sensitivity { outcome: o.clone() }));
        }
    }
    if !d.robustness.is_empty() {
        out.push(Box::new(robust::Regret));
    }
    if !d.satisficing.is_empty() {
        out.push(Box::new(robust::Satisficing));
    }
    for q in d.questions() {
        out.push(Box::new(discovery::Discovery { question: q }));
    }
    out
}

/// The second line of every chart.
pub fn subtitle(d: &ExploreData) -> String {
    let m = &d.manifest;
    format!(
        "Scenario {} · {} · seed {} · cohesion {}",
        m.scenario,
        d.design_text(),
        m.seed,
        m.cohesion_version
    )
}

fn draw_on(
    chart: &dyn ExploreChart,
    d: &ExploreData,
    area: &canvas::Area,
    st: Style,
) -> Result<()> {
    let c = Canvas { area, st };
    let body = super::chart::draw_frame(&c, &chart.title(d), &subtitle(d), &chart.legend(d))?;
    chart.draw(d, &c, body)?;
    area.present()?;
    Ok(())
}

/// Draws a chart as SVG text.
pub fn render_svg(chart: &dyn ExploreChart, d: &ExploreData, st: Style) -> Result<String> {
    canvas::svg_with(st, Some(&chart.title(d)), &|area| {
        draw_on(chart, d, area, st)
    })
}

/// Draws a chart as PNG bytes.
pub fn render_png(chart: &dyn ExploreChart, d: &ExploreData, st: Style) -> Result<Vec<u8>> {
    canvas::png_with(st, &|area| draw_on(chart, d, area, st))
}

/// Draws the selected charts into `root/charts/` (every chart as SVG for the report).
pub fn write_all(d: &ExploreData, root: &Path, opts: &PlotOptions) -> Result<Vec<Drawn>> {
    let charts = select(d);
    let ids: Vec<String> = charts.iter().map(|c| c.id()).collect();
    files::check_only(&ids, &opts.only, "this exploration")?;
    let dir = root.join("charts");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut drawn = Vec::new();
    for chart in &charts {
        let id = chart.id();
        let selected = picked(&id, &opts.only);
        if !selected && !opts.report {
            continue;
        }
        let svg = render_svg(chart.as_ref(), d, opts.style)?;
        let files = if selected {
            files::write_chart(&dir, &id, &svg, opts, &|| {
                render_png(chart.as_ref(), d, opts.style)
            })?
        } else {
            Vec::new()
        };
        drawn.push(Drawn {
            id,
            title: chart.title(d),
            caption: chart.caption(d),
            svg,
            files,
        });
    }
    Ok(drawn)
}

/// The charts an exploration gets, as (id, title, caption), without drawing them.
pub fn list(d: &ExploreData) -> Vec<(String, String, String)> {
    select(d)
        .iter()
        .map(|c| (c.id(), c.title(d), c.caption(d)))
        .collect()
}
