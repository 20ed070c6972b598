//! One PRIM question: where in the space of assumptions the answer is "yes".
//!
//! Left, the coverage–density trajectory: each dot a box PRIM went through, from the whole space
//! (coverage 100%, density = the share of yes overall) to small dense boxes; the ring marks the
//! chosen box. Right, the chosen box: each restricted parameter's range over the design (grey)
//! and the box's limits on it (coloured), with the quasi-p-value of each restricted limit.

use anyhow::Result;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{Canvas, Rect};
use super::exploration::{ExploreChart, ExploreData, short};
use super::legend::{KeyItem, Swatch};
use super::scale::Linear;
use super::style::{self, INK, MUTED};
use crate::output::analysis::{PrimLimit, PrimStep};

pub struct Discovery {
    pub question: String,
}

impl Discovery {
    fn steps<'a>(&self, d: &'a ExploreData) -> Vec<&'a PrimStep> {
        d.prim
            .iter()
            .filter(|s| s.question == self.question)
            .collect()
    }
    fn limits<'a>(&self, d: &'a ExploreData) -> Vec<&'a PrimLimit> {
        d.prim_box
            .iter()
            .filter(|s| s.question == self.question)
            .collect()
    }
    /// The option the question is about (the text before " has ").
    fn option(&self, d: &ExploreData) -> String {
        self.steps(d)
            .first()
            .and_then(|s| s.yes_when.split(" has ").next().map(str::to_string))
            .unwrap_or_default()
    }
}

/// A quasi-p-value as text.
pub fn qp_text(p: f64) -> String {
    if !p.is_finite() {
        String::new()
    } else if p < 0.001 {
        "p < 0.001".into()
    } else {
        format!("p = {p:.3}")
    }
}

impl ExploreChart for Discovery {
    fn id(&self) -> String {
        format!("prim-{}", self.question)
    }

    fn title(&self, d: &ExploreData) -> String {
        let when = self
            .steps(d)
            .first()
            .map(|s| s.yes_when.clone())
            .unwrap_or_default();
        format!("Where {when}")
    }

    fn caption(&self, d: &ExploreData) -> String {
        let s = self.steps(d);
        let (k, n) = s.first().map(|x| (x.k, x.n)).unwrap_or((0, 0));
        format!(
            "Scenario discovery (PRIM, peeling α = {}, minimum mass {}): the question holds at {k} of {n} design points. Left: every box PRIM went through, from the whole space to small dense boxes: coverage is the share of all yes-points inside the box, density the share of yes among the box's points; the ring is the chosen box (the densest with coverage at least {:.0}%, then with the restrictions whose quasi-p-values are all above {} lifted, which can move it off the line). Right: the chosen box's limits on each parameter it restricts, against the parameter's range in the design, with the quasi-p-value of each limit (the chance of so dense a box if that limit were not there).",
            d.manifest.prim.peel_alpha,
            d.manifest.prim.mass_min,
            100.0 * d.manifest.prim.min_coverage,
            d.manifest.prim.max_qp
        )
    }

    fn legend(&self, d: &ExploreData) -> Vec<KeyItem> {
        let col = d.colour(&self.option(d));
        vec![
            KeyItem::new(Swatch::Dot(MUTED, false), "peeling and pasting trajectory"),
            KeyItem::new(Swatch::Dot(col, true), "chosen box"),
            KeyItem::new(Swatch::Fill(col, 1.0), "the box's limits"),
            KeyItem::new(Swatch::Fill(MUTED, 0.25), "range in the design"),
        ]
    }

    fn draw(&self, d: &ExploreData, c: &Canvas, b: Rect) -> Result<()> {
        let steps = self.steps(d);
        let limits = self.limits(d);
        let col = d.colour(&self.option(d));
        let gap = c.px(70.0);
        let left_w = (b.w() - gap) * 2 / 5;
        let left = Rect::new(b.x0, b.y0, b.x0 + left_w, b.y1);
        let right = Rect::new(b.x0 + left_w + gap, b.y0, b.x1, b.y1);
        // Trade-off.
        let tf = c.font(style::LABEL - 2.0).bold();
        c.text(
            "Coverage and density of each box",
            left.x0,
            left.y0,
            tf,
            HPos::Left,
            VPos::Top,
        )?;
        let y_ax0 = super::axis::fit_axis(
            c,
            0.0,
            1.0,
            6,
            left.y1,
            left.y0,
            true,
            Some("density".into()),
            false,
        );
        let plot = Rect::new(
            left.x0 + super::axis::y_axis_width(c, &y_ax0),
            left.y0 + (tf.px * 1.6) as i32,
            left.x1,
            left.y1 - super::axis::x_axis_height(c, true),
        );
        let x_ax = super::axis::fit_axis(
            c,
            0.0,
            1.0,
            6,
            plot.x0,
            plot.x1,
            true,
            Some("coverage".into()),
            true,
        );
        let y_ax = super::axis::fit_axis(
            c,
            0.0,
            1.0,
            6,
            plot.y1,
            plot.y0,
            true,
            Some("density".into()),
            false,
        );
        super::axis::draw_x_axis(c, plot, &x_ax, true, true)?;
        super::axis::draw_y_axis(c, plot, &y_ax, true, true)?;
        let (xs, ys): (Linear, Linear) = (x_ax.scale, y_ax.scale);
        let pts: Vec<(i32, i32)> = steps
            .iter()
            .map(|s| (xs.clamp(s.coverage), ys.clamp(s.density)))
            .collect();
        let line: Vec<(i32, i32)> = steps
            .iter()
            .zip(&pts)
            .filter(|(s, _)| s.phase != "prune")
            .map(|(_, p)| *p)
            .collect();
        c.line(&line, MUTED, 0.6, c.st.stroke(2.0))?;
        for (s, &(x, y)) in steps.iter().zip(&pts) {
            if !s.chosen {
                c.dot(x, y, c.px(5.0), MUTED, false)?;
            }
        }
        for (s, &(x, y)) in steps.iter().zip(&pts) {
            if s.chosen {
                c.dot(x, y, c.px(12.0), col, true)?;
                let f = c.font(style::SMALL).bold();
                let text = format!(
                    "chosen: coverage {:.0}%, density {:.0}%",
                    100.0 * s.coverage,
                    100.0 * s.density
                );
                let right = x > (plot.x0 + plot.x1) / 2;
                let h = if right { HPos::Right } else { HPos::Left };
                let dx = if right { -c.px(16.0) } else { c.px(16.0) };
                if y < plot.y0 + c.px(60.0) {
                    c.label(&text, x + dx, y + c.px(16.0), f, h, VPos::Top)?;
                } else {
                    c.label(&text, x + dx, y - c.px(16.0), f, h, VPos::Bottom)?;
                }
            }
        }
        // The chosen box.
        c.text(
            "The chosen box",
            right.x0,
            right.y0,
            tf,
            HPos::Left,
            VPos::Top,
        )?;
        let body = Rect::new(
            right.x0,
            right.y0 + (tf.px * 1.6) as i32,
            right.x1,
            right.y1,
        );
        if limits.is_empty() {
            let f = c.font(style::LABEL);
            let lines = c.wrap(
                "No restriction: no box is denser than the whole space at the coverage asked for, so the yes-points are spread over the whole range of every parameter.",
                f,
                body.w(),
            );
            c.lines(&lines, body.x0, body.y0 + c.px(20.0), f)?;
            return Ok(());
        }
        let name_f = c.font(style::TICK).bold();
        let val_f = c.font(style::SMALL);
        let rh = (body.h() / limits.len() as i32).min(c.px(130.0));
        let bar = Linear::new(0.0, 1.0, body.x0, body.x1);
        for (j, l) in limits.iter().enumerate() {
            let y0 = body.y0 + j as i32 * rh;
            c.text(&l.parameter, body.x0, y0, name_f, HPos::Left, VPos::Top)?;
            let yc = y0 + (name_f.px * 1.3) as i32 + c.px(14.0);
            let span = (l.max - l.min).max(1e-300);
            let t = |v: f64| bar.clamp((v - l.min) / span);
            let half = c.px(9.0);
            c.fill(
                Rect::new(body.x0, yc - half, body.x1, yc + half),
                MUTED,
                0.25,
            )?;
            c.fill(
                Rect::new(
                    t(l.lower),
                    yc - half,
                    t(l.upper).max(t(l.lower) + 2),
                    yc + half,
                ),
                col,
                1.0,
            )?;
            c.line(
                &[(body.x0, yc - half), (body.x0, yc + half)],
                INK,
                1.0,
                c.st.stroke(1.5),
            )?;
            c.line(
                &[(body.x1, yc - half), (body.x1, yc + half)],
                INK,
                1.0,
                c.st.stroke(1.5),
            )?;
            let lo_text = if l.qp_lower.is_finite() {
                format!("from {} ({})", short(l.lower), qp_text(l.qp_lower))
            } else {
                format!("from {} (not restricted)", short(l.lower))
            };
            let hi_text = if l.qp_upper.is_finite() {
                format!("to {} ({})", short(l.upper), qp_text(l.qp_upper))
            } else {
                format!("to {} (not restricted)", short(l.upper))
            };
            let ty = yc + half + c.px(6.0);
            c.text(&lo_text, body.x0, ty, val_f, HPos::Left, VPos::Top)?;
            c.text(&hi_text, body.x1, ty, val_f, HPos::Right, VPos::Top)?;
            let range = format!("range {} to {}", short(l.min), short(l.max));
            c.text(
                &range,
                body.x1,
                y0,
                val_f.colour(MUTED),
                HPos::Right,
                VPos::Top,
            )?;
        }
        Ok(())
    }
}
