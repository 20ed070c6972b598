//! Forecasts: N Monte Carlo continuations from the current state under a proposed move.
//!
//! A forecast at turn `t` runs `n` continuations to the end of the horizon (or `until=`),
//! Blue holding the proposed move, the model playing the adversary, every hidden parameter
//! re-drawn per continuation. Continuation `k` draws from streams keyed by
//! (session seed, turn, k) only ([`forecast_seed`]), never from the session's own streams, so
//! asking for a forecast changes nothing in the session, the same request gives the same
//! answer, results do not depend on the number of threads, and two moves compared at the same
//! turn run on common random numbers (paired differences).
//!
//! Quantiles are exact (nearest rank over the sorted continuations). The terminal shows a
//! table and a text histogram; the session directory gets a fan chart as a hand-written,
//! deterministic SVG (the `plots` charts are not used here).

use serde::{Deserialize, Serialize};

use super::adapter::{FINAL_BINARY, FINALS, Paths, SERIES, label_name};
use crate::kernel::html::escape as esc;

/// The quantiles reported: p5, p25, p50, p75, p95.
pub const QS: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];
/// Bins of the text histogram of final cohesion over [0, 1].
pub const HIST_BINS: usize = 10;
/// The most continuations a forecast may ask for.
pub const MAX_N: usize = 100_000;

/// The key of the forecast streams of turn `turn` of a session with `seed`.
pub fn forecast_seed(seed: u64, turn: usize) -> u64 {
    let mut h = blake3::Hasher::new();
    h.update(b"cohesion/game/forecast/v1\0");
    h.update(&seed.to_le_bytes());
    h.update(&(turn as u64).to_le_bytes());
    let b = h.finalize();
    u64::from_le_bytes(b.as_bytes()[..8].try_into().unwrap_or([0; 8]))
}

/// Distribution of one outcome over the continuations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stat {
    pub name: String,
    pub mean: f64,
    /// p5, p25, p50, p75, p95.
    pub q: [f64; 5],
    /// A yes/no outcome: `mean` is its probability.
    pub binary: bool,
}

/// What a forecast showed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastSummary {
    pub n: usize,
    pub turns: Vec<usize>,
    /// Cohesion per turn: p5, p25, p50, p75, p95.
    pub bands: Vec<[f64; 5]>,
    /// Credibility per turn: p5, p25, p50, p75, p95.
    pub credibility_bands: Vec<[f64; 5]>,
    pub finals: Vec<Stat>,
    /// Counts of final cohesion in [`HIST_BINS`] equal bins over [0, 1].
    pub histogram: Vec<u64>,
}

/// A paired difference (B − A) over common random numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diff {
    pub name: String,
    pub mean: f64,
    /// 95% interval of the mean difference.
    pub lo: f64,
    pub hi: f64,
    /// Share of continuations where B's value is higher, and where they are equal.
    pub b_higher: f64,
    pub equal: f64,
}

/// Two moves side by side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareSummary {
    pub a: ForecastSummary,
    pub b: ForecastSummary,
    pub diffs: Vec<Diff>,
}

fn quantiles(v: &mut [f64]) -> [f64; 5] {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    QS.map(|q| {
        if n == 0 {
            return 0.0;
        }
        let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
        v[rank - 1]
    })
}

fn mean(v: &[f64]) -> f64 {
    // Sequential, in continuation order: deterministic.
    if v.is_empty() {
        0.0
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

/// Summarises the continuations.
pub fn summarize(p: &Paths) -> ForecastSummary {
    let (ns, nf, nt) = (SERIES.len(), FINALS.len(), p.turns.len());
    let mut col = vec![0.0; p.n];
    let band = |s: usize, t: usize, col: &mut Vec<f64>| {
        for (k, c) in col.iter_mut().enumerate() {
            *c = p.series[(k * nt + t) * ns + s];
        }
        quantiles(col)
    };
    let bands = (0..nt).map(|t| band(0, t, &mut col)).collect();
    let credibility_bands = (0..nt).map(|t| band(1, t, &mut col)).collect();
    let mut finals = Vec::with_capacity(nf);
    let mut histogram = vec![0u64; HIST_BINS];
    for f in 0..nf {
        for (k, c) in col.iter_mut().enumerate() {
            *c = p.finals[k * nf + f];
        }
        if f == 0 {
            for &x in &col {
                let b = ((x * HIST_BINS as f64) as usize).min(HIST_BINS - 1);
                histogram[b] += 1;
            }
        }
        let m = mean(&col);
        finals.push(Stat {
            name: FINALS[f].to_string(),
            mean: m,
            q: quantiles(&mut col),
            binary: FINAL_BINARY[f],
        });
    }
    ForecastSummary {
        n: p.n,
        turns: p.turns.clone(),
        bands,
        credibility_bands,
        finals,
        histogram,
    }
}

/// Compares two forecasts run on the same streams.
pub fn compare(a: &Paths, b: &Paths) -> CompareSummary {
    let nf = FINALS.len();
    let n = a.n.min(b.n);
    let diffs = (0..nf)
        .map(|f| {
            let d: Vec<f64> = (0..n)
                .map(|k| b.finals[k * nf + f] - a.finals[k * nf + f])
                .collect();
            let m = mean(&d);
            let var = if n > 1 {
                d.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1) as f64
            } else {
                0.0
            };
            let se = (var / n.max(1) as f64).sqrt();
            let higher = d.iter().filter(|&&x| x > 0.0).count() as f64 / n.max(1) as f64;
            let equal = d.iter().filter(|&&x| x == 0.0).count() as f64 / n.max(1) as f64;
            Diff {
                name: FINALS[f].to_string(),
                mean: m,
                lo: m - 1.96 * se,
                hi: m + 1.96 * se,
                b_higher: higher,
                equal,
            }
        })
        .collect();
    CompareSummary {
        a: summarize(a),
        b: summarize(b),
        diffs,
    }
}

fn stat_text(s: &Stat) -> String {
    if s.binary {
        format!("P = {:.3}", s.mean)
    } else if s.name == "label_final" {
        format!(
            "median {}  (p5 {}, p95 {})",
            label_name(s.q[2]),
            label_name(s.q[0]),
            label_name(s.q[4])
        )
    } else if s.name == "crises" || s.name == "unilateral_peak" {
        format!(
            "mean {:.2}  median {}  [p5 {} – p95 {}]",
            s.mean, s.q[2], s.q[0], s.q[4]
        )
    } else {
        format!(
            "mean {:.3}  median {:.3}  [p5 {:.3}  p25 {:.3}  p75 {:.3}  p95 {:.3}]",
            s.mean, s.q[2], s.q[0], s.q[1], s.q[3], s.q[4]
        )
    }
}

/// The forecast as text: outcomes, then a histogram of final cohesion.
pub fn render(f: &ForecastSummary, title: &str) -> String {
    let mut o = String::new();
    let (first, last) = (
        f.turns.first().copied().unwrap_or(0),
        f.turns.last().copied().unwrap_or(0),
    );
    o.push_str(&format!(
        "Forecast: {title}\n  {} continuations, turns {first}–{last}; the model plays the adversary, hidden parameters re-drawn\n",
        f.n
    ));
    for s in &f.finals {
        o.push_str(&format!("  {:<18} {}\n", s.name, stat_text(s)));
    }
    o.push_str(&histogram(&f.histogram, "final cohesion"));
    o
}

/// A text histogram over [0, 1].
pub fn histogram(h: &[u64], what: &str) -> String {
    let mut o = format!("  {what}:\n");
    let max = h.iter().copied().max().unwrap_or(0).max(1);
    let total: u64 = h.iter().sum::<u64>().max(1);
    for (i, &c) in h.iter().enumerate() {
        let lo = i as f64 / h.len() as f64;
        let hi = (i + 1) as f64 / h.len() as f64;
        let bar = "#".repeat(((c as f64 / max as f64) * 40.0).round() as usize);
        o.push_str(&format!(
            "    {lo:.1}–{hi:.1} |{bar:<40}| {:>5.1}%\n",
            100.0 * c as f64 / total as f64
        ));
    }
    o
}

/// Two forecasts side by side, with paired differences.
pub fn render_compare(c: &CompareSummary, a: &str, b: &str) -> String {
    let mut o = format!(
        "Comparison on common random numbers ({} continuations, turns {}–{})\n  A: {a}\n  B: {b}\n",
        c.a.n,
        c.a.turns.first().copied().unwrap_or(0),
        c.a.turns.last().copied().unwrap_or(0)
    );
    o.push_str(&format!(
        "  {:<18} {:>24} {:>24} {:>30} {:>8}\n",
        "outcome", "A median [p5, p95]", "B median [p5, p95]", "B − A mean [95% CI]", "P(B>A)"
    ));
    for ((sa, sb), d) in c.a.finals.iter().zip(&c.b.finals).zip(&c.diffs) {
        let cell = |s: &Stat| {
            if s.binary {
                format!("P = {:.3}", s.mean)
            } else {
                format!("{:.3} [{:.3}, {:.3}]", s.q[2], s.q[0], s.q[4])
            }
        };
        o.push_str(&format!(
            "  {:<18} {:>24} {:>24} {:>30} {:>8.3}\n",
            sa.name,
            cell(sa),
            cell(sb),
            format!("{:+.4} [{:+.4}, {:+.4}]", d.mean, d.lo, d.hi),
            d.b_higher
        ));
    }
    o.push_str(&histogram(&c.a.histogram, "A: final cohesion"));
    o.push_str(&histogram(&c.b.histogram, "B: final cohesion"));
    o
}

/// The value range a chart shows: the data's, padded, within [0, 1].
fn y_range(path: &[(usize, f64)], bands: &[[f64; 5]]) -> (f64, f64) {
    let vals = path
        .iter()
        .map(|p| p.1)
        .chain(bands.iter().flat_map(|b| [b[0], b[4]]));
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in vals {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.15).max(0.02);
    let lo = (((lo - pad) * 20.0).floor() / 20.0).max(0.0);
    let hi = (((hi + pad) * 20.0).ceil() / 20.0).min(1.0);
    if hi - lo < 0.1 {
        ((hi - 0.1).max(0.0), (lo + 0.1).min(1.0).max(hi))
    } else {
        (lo, hi)
    }
}

/// The x axis of a fan chart: turns 0 to `last`, labelled with calendar months when the
/// scenario is dated by month (`start_month`: the month index of turn 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Axis {
    pub last: usize,
    pub start_month: Option<i64>,
}

impl Axis {
    /// The label of turn `t`: its month (`Nov 2021`), `start` for turn 0, or the number.
    pub fn label(&self, t: usize) -> String {
        match self.start_month {
            Some(m) if t > 0 => crate::kernel::time::month_label(m + t as i64 - 1),
            Some(_) => "start".into(),
            None => t.to_string(),
        }
    }
}

/// One forecast's bands on a fan chart.
#[derive(Debug, Clone, Copy)]
pub struct Fan<'a> {
    /// Its name in the legend (for an overlay of two).
    pub label: &'a str,
    pub turns: &'a [usize],
    /// p5, p25, p50, p75, p95 per turn.
    pub bands: &'a [[f64; 5]],
}

/// Colours of the first and second fan: (p5–p95, p25–p75, median).
const FAN_COLOURS: [(&str, &str, &str); 2] = [
    ("#c6dbef", "#6baed6", "#08519c"),
    ("#c7e9c0", "#74c476", "#006d2c"),
];

/// A fan chart as a self-contained SVG: the session's path so far (turn, value) and each
/// forecast's p5–p95 and p25–p75 bands with the median (two forecasts are overlaid, the
/// second in green, translucent), on [0, 1]. The x axis runs from turn 0 to `axis.last`.
pub fn fan_svg(
    title: &str,
    what: &str,
    path: &[(usize, f64)],
    fans: &[Fan],
    axis: &Axis,
) -> String {
    let (w, h) = (720.0, 380.0);
    let (l, r, t, b) = (56.0, 16.0, 52.0, 40.0);
    let all: Vec<[f64; 5]> = fans
        .iter()
        .flat_map(|f| {
            f.bands
                .iter()
                .zip(f.turns)
                .filter(|(_, t)| **t <= axis.last)
        })
        .map(|(b, _)| *b)
        .collect();
    let path: Vec<(usize, f64)> = path.iter().copied().filter(|p| p.0 <= axis.last).collect();
    let (lo, hi) = y_range(&path, &all);
    let horizon = axis.last.max(1);
    let x = |turn: f64| l + (w - l - r) * turn / horizon as f64;
    let y = |v: f64| t + (h - t - b) * (1.0 - ((v - lo) / (hi - lo)).clamp(0.0, 1.0));
    let mut o = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"{w}\" height=\"{h}\" fill=\"white\"/>\n<text x=\"{l}\" y=\"20\" font-size=\"14\" font-weight=\"bold\">{}</text>\n",
        esc(title)
    );
    for k in 0..=4 {
        let v = lo + (hi - lo) * k as f64 / 4.0;
        o.push_str(&format!(
            "<line x1=\"{l}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#ddd\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{v:.2}</text>\n",
            w - r,
            y(v),
            y(v),
            l - 6.0,
            y(v) + 4.0
        ));
    }
    // Month labels are wider than turn numbers: fewer ticks.
    let most = if axis.start_month.is_some() { 8 } else { 12 };
    let step = horizon.div_ceil(most).max(1);
    let mut tk = 0;
    while tk <= axis.last {
        o.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\n",
            x(tk as f64),
            h - b + 16.0,
            esc(&axis.label(tk))
        ));
        tk += step;
    }
    o.push_str(&format!(
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text><text x=\"14\" y=\"{:.1}\" transform=\"rotate(-90 14 {:.1})\" text-anchor=\"middle\">{}</text>\n",
        (l + w - r) / 2.0,
        h - 6.0,
        if axis.start_month.is_some() { "month" } else { "turn" },
        h / 2.0,
        h / 2.0,
        esc(what)
    ));
    for (fi, fan) in fans.iter().enumerate() {
        let (outer, inner, median) = FAN_COLOURS[fi.min(1)];
        let opacity = if fi > 0 { " fill-opacity=\"0.55\"" } else { "" };
        let n = fan.turns.iter().take_while(|&&t| t <= axis.last).count();
        let (turns, bands) = (&fan.turns[..n], &fan.bands[..n]);
        // Bands open from the path's point just before the forecast's first turn ("now").
        let anchor = turns
            .first()
            .and_then(|&t0| path.iter().find(|p| p.0 + 1 == t0).copied());
        let band = |lo: usize, hi: usize, fill: &str| -> String {
            if turns.is_empty() {
                return String::new();
            }
            let mut pts: Vec<String> = Vec::new();
            if let Some((t0, v0)) = anchor {
                pts.push(format!("{:.1},{:.1}", x(t0 as f64), y(v0)));
            }
            for (i, &tn) in turns.iter().enumerate() {
                pts.push(format!("{:.1},{:.1}", x(tn as f64), y(bands[i][hi])));
            }
            for (i, &tn) in turns.iter().enumerate().rev() {
                pts.push(format!("{:.1},{:.1}", x(tn as f64), y(bands[i][lo])));
            }
            format!(
                "<polygon points=\"{}\" fill=\"{fill}\"{opacity} stroke=\"none\"/>\n",
                pts.join(" ")
            )
        };
        o.push_str(&band(0, 4, outer));
        o.push_str(&band(1, 3, inner));
        if !turns.is_empty() {
            let mut pts: Vec<String> = anchor
                .iter()
                .map(|(t0, v0)| format!("{:.1},{:.1}", x(*t0 as f64), y(*v0)))
                .collect();
            for (i, &tn) in turns.iter().enumerate() {
                pts.push(format!("{:.1},{:.1}", x(tn as f64), y(bands[i][2])));
            }
            o.push_str(&format!(
                "<polyline points=\"{}\" fill=\"none\" stroke=\"{median}\" stroke-width=\"2\" stroke-dasharray=\"5,3\"/>\n",
                pts.join(" ")
            ));
        }
    }
    if !path.is_empty() {
        let pts: Vec<String> = path
            .iter()
            .map(|(tn, v)| format!("{:.1},{:.1}", x(*tn as f64), y(*v)))
            .collect();
        o.push_str(&format!(
            "<polyline points=\"{}\" fill=\"none\" stroke=\"#d94801\" stroke-width=\"2.5\"/>\n",
            pts.join(" ")
        ));
    }
    if fans.len() > 1 {
        o.push_str(&format!("<g transform=\"translate({l:.1},30.0)\">"));
        let mut xo = 0.0;
        for (fi, fan) in fans.iter().enumerate().take(2) {
            let (_, inner, median) = FAN_COLOURS[fi];
            let name = format!("{}: {}", ["A", "B"][fi], fan.label);
            let short: String = name.chars().take(38).collect();
            o.push_str(&format!(
                "<rect x=\"{xo:.1}\" width=\"12\" height=\"8\" fill=\"{inner}\"/><line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"4\" y2=\"4\" stroke=\"{median}\" stroke-dasharray=\"5,3\" stroke-width=\"2\"/><text x=\"{:.1}\" y=\"8\">{}</text>",
                xo + 14.0,
                xo + 28.0,
                xo + 32.0,
                esc(&short)
            ));
            xo += 270.0;
        }
        o.push_str(&format!(
            "<line x1=\"{xo:.1}\" x2=\"{:.1}\" y1=\"4\" y2=\"4\" stroke=\"#d94801\" stroke-width=\"2.5\"/><text x=\"{:.1}\" y=\"8\">session</text></g>\n",
            xo + 16.0,
            xo + 20.0
        ));
    } else {
        o.push_str(&format!(
            "<g transform=\"translate({:.1},{:.1})\"><rect width=\"12\" height=\"8\" fill=\"#c6dbef\"/><text x=\"16\" y=\"8\">p5–p95</text><rect x=\"70\" width=\"12\" height=\"8\" fill=\"#6baed6\"/><text x=\"86\" y=\"8\">p25–p75</text><line x1=\"146\" x2=\"162\" y1=\"4\" y2=\"4\" stroke=\"#08519c\" stroke-dasharray=\"5,3\" stroke-width=\"2\"/><text x=\"166\" y=\"8\">median</text><line x1=\"220\" x2=\"236\" y1=\"4\" y2=\"4\" stroke=\"#d94801\" stroke-width=\"2.5\"/><text x=\"240\" y=\"8\">session</text></g>\n",
            l,
            30.0
        ));
    }
    o.push_str("</svg>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(n: usize, shift: f64) -> Paths {
        let (ns, nf, nt) = (SERIES.len(), FINALS.len(), 3);
        let mut series = vec![0.0; n * nt * ns];
        let mut finals = vec![0.0; n * nf];
        for k in 0..n {
            for t in 0..nt {
                for s in 0..ns {
                    series[(k * nt + t) * ns + s] = (k as f64 / n as f64 + shift).min(1.0);
                }
            }
            for f in 0..nf {
                finals[k * nf + f] = (k as f64 / n as f64 + shift).min(1.0);
            }
        }
        Paths {
            n,
            turns: vec![4, 5, 6],
            series,
            finals,
        }
    }

    #[test]
    fn quantiles_are_nearest_rank_and_the_histogram_counts_every_continuation() {
        let s = summarize(&paths(100, 0.0));
        let c = &s.finals[0];
        assert_eq!(c.q, [0.04, 0.24, 0.49, 0.74, 0.94]);
        assert_eq!(s.histogram.iter().sum::<u64>(), 100);
        assert_eq!(s.bands.len(), 3);
        assert!((c.mean - 0.495).abs() < 1e-12);
    }

    #[test]
    fn paired_differences_on_common_numbers() {
        let c = compare(&paths(50, 0.0), &paths(50, 0.0));
        assert!(c.diffs.iter().all(|d| d.mean == 0.0 && d.equal == 1.0));
        let c = compare(&paths(50, 0.0), &paths(50, 0.01));
        let d = &c.diffs[0];
        assert!(d.mean > 0.0 && d.lo <= d.mean && d.mean <= d.hi);
        let text = render_compare(&c, "A", "B");
        assert!(text.contains("common random numbers") && text.contains("cohesion_final"));
    }

    #[test]
    fn the_fan_chart_is_deterministic_svg() {
        let s = summarize(&paths(20, 0.0));
        let fan = Fan {
            label: "x",
            turns: &s.turns,
            bands: &s.bands,
        };
        let axis = Axis {
            last: 12,
            start_month: None,
        };
        let a = fan_svg("t", "cohesion", &[(3, 0.5)], &[fan], &axis);
        let b = fan_svg("t", "cohesion", &[(3, 0.5)], &[fan], &axis);
        assert_eq!(a, b);
        assert!(a.starts_with("<svg") && a.contains("<polygon") && a.contains("<polyline"));
        // Dated axes and a cut at `until`: the forecast runs to turn 6, the axis stops there.
        let dated = Axis {
            last: 5,
            start_month: crate::kernel::time::month_index("2021-10"),
        };
        let c = fan_svg("t", "cohesion", &[(3, 0.5)], &[fan, fan], &dated);
        assert!(c.contains(">Oct 2021<") && c.contains(">Feb 2022<"), "{c}");
        assert!(!c.contains(">Mar 2022<"));
        assert_eq!(c.matches("<polygon").count(), 4, "two fans overlaid");
        assert_ne!(forecast_seed(1, 2), forecast_seed(1, 3));
    }
}
