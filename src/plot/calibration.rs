//! The diagnostics chart of a calibration: for every calibrated parameter the prior (generation
//! 0's draws) against the weighted posterior, as densities on shared bins, and the tolerance of
//! each generation. Drawn from the calibration folder's `prior.csv`, `posterior.csv` and
//! `generations.csv` alone, in the style of a run's charts (frame, axes, palette, fonts).

use std::path::Path;

use anyhow::{Context, Result, bail};
use plotters::style::text_anchor::{HPos, VPos};

use super::axis::{self, draw_x_axis, draw_y_axis};
use super::canvas::{Canvas, Rect};
use super::chart::draw_frame;
use super::layout::panel_grid;
use super::legend::{KeyItem, Swatch};
use super::numbers;
use super::scale::Linear;
use super::style::{self, INK, MUTED, PALETTE};

/// A calibration folder's data, as the chart needs it.
pub struct CalibrationData {
    pub params: Vec<String>,
    /// Prior draws (n × d).
    pub prior: Vec<f64>,
    /// Posterior particles (n × d) and weights.
    pub posterior: Vec<f64>,
    pub weights: Vec<f64>,
    /// (generation, tolerance).
    pub tolerance: Vec<(f64, f64)>,
    pub subtitle: String,
}

fn read_csv(path: &Path) -> Result<(Vec<String>, Vec<Vec<f64>>)> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut lines = text.lines();
    let head: Vec<String> = lines
        .next()
        .unwrap_or_default()
        .split(',')
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for (i, l) in lines.enumerate() {
        let row: Result<Vec<f64>, _> = l
            .split(',')
            .map(|c| {
                if c.is_empty() {
                    Ok(f64::NAN)
                } else {
                    c.parse::<f64>()
                }
            })
            .collect();
        match row {
            Ok(r) if r.len() == head.len() => rows.push(r),
            _ => bail!(
                "{}: line {}: expected {} numbers",
                path.display(),
                i + 2,
                head.len()
            ),
        }
    }
    Ok((head, rows))
}

impl CalibrationData {
    pub fn load(dir: &Path) -> Result<CalibrationData> {
        let (ph, prior) = read_csv(&dir.join("prior.csv"))?;
        let (qh, post) = read_csv(&dir.join("posterior.csv"))?;
        let (_, gens) = read_csv(&dir.join("generations.csv"))?;
        let params: Vec<String> = ph[1..].to_vec();
        if qh.len() != params.len() + 3 || qh[2..2 + params.len()] != params[..] {
            bail!("posterior.csv and prior.csv name different parameters");
        }
        let d = params.len();
        let manifest: serde_json::Value = std::fs::read_to_string(dir.join("manifest.json"))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        let subtitle = format!(
            "Scenario {} · option {} · seed {} · {} generations of {} simulations (each {} trials)",
            manifest["scenario"].as_str().unwrap_or("?"),
            manifest["option"].as_str().unwrap_or("?"),
            manifest["seed"],
            gens.len(),
            manifest["simulations_per_generation"],
            manifest["trials_per_simulation"],
        );
        Ok(CalibrationData {
            prior: prior.iter().flat_map(|r| r[1..=d].to_vec()).collect(),
            posterior: post.iter().flat_map(|r| r[2..2 + d].to_vec()).collect(),
            weights: post.iter().map(|r| r[1]).collect(),
            tolerance: gens.iter().map(|r| (r[0], r[2])).collect(),
            params,
            subtitle,
        })
    }
}

/// Densities of column `j` over `bins` equal bins of [lo, hi] (weights normalised).
fn density(
    values: &[f64],
    d: usize,
    j: usize,
    w: Option<&[f64]>,
    lo: f64,
    hi: f64,
    bins: usize,
) -> Vec<f64> {
    let n = values.len() / d;
    let width = (hi - lo) / bins as f64;
    let mut h = vec![0.0; bins];
    let mut total = 0.0;
    for i in 0..n {
        let x = values[i * d + j];
        let wi = w.map_or(1.0, |w| w[i]);
        total += wi;
        if x.is_finite() && width > 0.0 {
            let b = (((x - lo) / width) as usize).min(bins - 1);
            h[b] += wi;
        }
    }
    h.iter().map(|v| v / (total * width.max(1e-300))).collect()
}

fn range(values: &[f64], d: usize, j: usize) -> (f64, f64) {
    values
        .iter()
        .skip(j)
        .step_by(d)
        .filter(|x| x.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        })
}

/// Draws the chart on a canvas.
pub fn draw(data: &CalibrationData, c: &Canvas) -> Result<()> {
    let prior_c = plotters::prelude::RGBColor(165, 165, 165);
    let post_c = PALETTE[0];
    let legend = [
        KeyItem::new(Swatch::Fill(MUTED, 0.35), "prior (generation 0 draws)"),
        KeyItem::new(Swatch::Fill(post_c, 0.7), "posterior (weighted particles)"),
        KeyItem::new(Swatch::Line(INK, 3.0, false), "posterior mean"),
    ];
    let body = draw_frame(
        c,
        "Calibration: prior and posterior of each parameter, tolerance per generation",
        &data.subtitle,
        &legend,
    )?;
    let d = data.params.len();
    let k = d + 1;
    let gap = (c.px(48.0), c.px(36.0));
    let title_f = c.font(style::LABEL).bold();
    let overhead = (title_f.px * 1.5) as i32 + axis::x_axis_height(c, true);
    let (cols, rows) = panel_grid(
        k,
        (body.w(), body.h()),
        gap,
        overhead,
        (c.px(240.0), c.px(120.0)),
    );
    let cells = body.grid(rows, cols, gap.0, gap.1);
    for (p, cell) in cells.iter().enumerate().take(k) {
        let title = if p < d {
            let (m, s) = mean_sd(&data.posterior, d, p, &data.weights);
            format!(
                "{}: {} ± {}",
                data.params[p],
                numbers::fmt_value(m, false),
                numbers::fmt_value(s, false)
            )
        } else {
            "tolerance by generation".to_string()
        };
        let (t, tf) = c.fit_text(&title, title_f, cell.w());
        c.text(&t, cell.x0, cell.y0, tf, HPos::Left, VPos::Top)?;
        let inner = Rect::new(cell.x0, cell.y0 + (tf.px * 1.5) as i32, cell.x1, cell.y1);
        if p < d {
            param_panel(data, c, inner, p, prior_c, post_c)?;
        } else {
            tolerance_panel(data, c, inner)?;
        }
    }
    Ok(())
}

fn mean_sd(v: &[f64], d: usize, j: usize, w: &[f64]) -> (f64, f64) {
    let m: f64 = v
        .iter()
        .skip(j)
        .step_by(d)
        .zip(w)
        .map(|(x, wi)| x * wi)
        .sum();
    let var: f64 = v
        .iter()
        .skip(j)
        .step_by(d)
        .zip(w)
        .map(|(x, wi)| wi * (x - m) * (x - m))
        .sum();
    (m, var.sqrt())
}

fn param_panel(
    data: &CalibrationData,
    c: &Canvas,
    r: Rect,
    j: usize,
    prior_c: plotters::prelude::RGBColor,
    post_c: plotters::prelude::RGBColor,
) -> Result<()> {
    let d = data.params.len();
    let (a0, a1) = range(&data.prior, d, j);
    let (b0, b1) = range(&data.posterior, d, j);
    let (lo, hi) = (a0.min(b0), a1.max(b1));
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else {
        (lo - 0.5, lo + 0.5)
    };
    let bins = 40;
    let prior = density(&data.prior, d, j, None, lo, hi, bins);
    let post = density(&data.posterior, d, j, Some(&data.weights), lo, hi, bins);
    let top = prior
        .iter()
        .chain(&post)
        .copied()
        .fold(0.0f64, f64::max)
        .max(1e-12);
    let xh = axis::x_axis_height(c, false);
    let probe = axis::value_axis(0.0, top, 4, r.y1 - xh, r.y0, false, None);
    let plot = Rect::new(r.x0 + axis::y_axis_width(c, &probe), r.y0, r.x1, r.y1 - xh);
    let xa = axis::fit_axis(c, lo, hi, 6, plot.x0, plot.x1, false, None, true);
    let ya = axis::fit_axis(c, 0.0, top, 4, plot.y1, plot.y0, false, None, false);
    draw_y_axis(c, plot, &ya, true, true)?;
    draw_x_axis(c, plot, &xa, false, true)?;
    let x = Linear::new(xa.scale.d0, xa.scale.d1, plot.x0, plot.x1);
    let width = (hi - lo) / bins as f64;
    for (h, colour, alpha) in [(&prior, prior_c, 0.9), (&post, post_c, 0.7)] {
        for (b, &v) in h.iter().enumerate() {
            if v <= 0.0 {
                continue;
            }
            let (x0, x1) = (lo + b as f64 * width, lo + (b + 1) as f64 * width);
            let bar = Rect::new(
                x.clamp(x0),
                ya.scale.clamp(v),
                x.clamp(x1).max(x.clamp(x0) + 1),
                plot.y1,
            );
            c.fill(bar, colour, alpha)?;
        }
    }
    let (m, _) = mean_sd(&data.posterior, d, j, &data.weights);
    let xm = x.clamp(m);
    c.line(&[(xm, plot.y0), (xm, plot.y1)], INK, 1.0, c.st.stroke(3.0))?;
    Ok(())
}

fn tolerance_panel(data: &CalibrationData, c: &Canvas, r: Rect) -> Result<()> {
    let top = data
        .tolerance
        .iter()
        .map(|t| t.1)
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max)
        .max(1e-12);
    let last = data.tolerance.last().map_or(1.0, |t| t.0).max(1.0);
    let xh = axis::x_axis_height(c, true);
    let probe = axis::value_axis(
        0.0,
        top,
        4,
        r.y1 - xh,
        r.y0,
        false,
        Some("tolerance".into()),
    );
    let plot = Rect::new(r.x0 + axis::y_axis_width(c, &probe), r.y0, r.x1, r.y1 - xh);
    let mut xa = axis::fit_axis(
        c,
        0.0,
        last,
        6,
        plot.x0,
        plot.x1,
        false,
        Some("generation".into()),
        true,
    );
    xa.ticks.retain(|(v, _)| *v == v.trunc());
    let ya = axis::fit_axis(
        c,
        0.0,
        top,
        4,
        plot.y1,
        plot.y0,
        false,
        Some("tolerance".into()),
        false,
    );
    draw_y_axis(c, plot, &ya, true, true)?;
    draw_x_axis(c, plot, &xa, false, true)?;
    let pts: Vec<(i32, i32)> = data
        .tolerance
        .iter()
        .map(|&(g, t)| (xa.scale.clamp(g), ya.scale.clamp(t)))
        .collect();
    c.line(&pts, PALETTE[3], 1.0, c.st.stroke(3.0))?;
    for &(x, y) in &pts {
        c.dot(x, y, c.px(6.0), PALETTE[3], false)?;
    }
    if let Some(&(_, t)) = data.tolerance.last() {
        let f = c.font(style::SMALL).colour(MUTED);
        c.text(
            &format!("final {}", numbers::fmt_value(t, false)),
            plot.x1,
            plot.y0,
            f,
            HPos::Right,
            VPos::Top,
        )?;
    }
    Ok(())
}
