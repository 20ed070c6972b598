//! Round numbers for axes and histograms: a linear map from data values to pixels, round tick
//! steps (1, 2, 2.5 or 5 × 10^k), ranges widened to them, and histogram bins on round edges.
//!
//! Pure arithmetic with no drawing in it, so that the data layer (which bins `trials.csv`) and
//! the axes share one notion of a round step.

/// A linear map from data values to pixels.
#[derive(Debug, Clone, Copy)]
pub struct Linear {
    pub d0: f64,
    pub d1: f64,
    pub p0: i32,
    pub p1: i32,
}

impl Linear {
    pub fn new(d0: f64, d1: f64, p0: i32, p1: i32) -> Linear {
        let d1 = if (d1 - d0).abs() < 1e-300 {
            d0 + 1.0
        } else {
            d1
        };
        Linear { d0, d1, p0, p1 }
    }
    pub fn map(&self, v: f64) -> i32 {
        let t = (v - self.d0) / (self.d1 - self.d0);
        (self.p0 as f64 + t * (self.p1 - self.p0) as f64).round() as i32
    }
    /// The same, clamped to the pixel range.
    pub fn clamp(&self, v: f64) -> i32 {
        let (a, b) = (self.p0.min(self.p1), self.p0.max(self.p1));
        self.map(v).clamp(a, b)
    }
}

/// A round step that cuts `range` into about `target` parts: 1, 2, 2.5 or 5 × 10^k.
pub fn nice_step(range: f64, target: usize) -> f64 {
    let range = if range > 0.0 && range.is_finite() {
        range
    } else {
        1.0
    };
    let raw = range / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let nf = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 2.5 {
        2.5
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    nf * mag
}

/// `[lo, hi]` widened to multiples of a round step; returns (lo, hi, step).
pub fn nice_range(lo: f64, hi: f64, target: usize) -> (f64, f64, f64) {
    let (lo, hi) = if hi - lo > 1e-12 {
        (lo, hi)
    } else {
        // A single value: a window around it that does not cross zero needlessly.
        let w = if lo.abs() < 1e-12 {
            1.0
        } else {
            lo.abs() * 0.2
        };
        if lo >= 0.0 && lo - w / 2.0 < 0.0 {
            (0.0, w.max(lo * 2.0))
        } else {
            (lo - w / 2.0, hi + w / 2.0)
        }
    };
    let step = nice_step(hi - lo, target);
    let a = (lo / step + 1e-9).floor() * step;
    let b = (hi / step - 1e-9).ceil() * step;
    (a, b, step)
}

/// Multiples of `step` in `[lo, hi]`.
pub fn ticks(lo: f64, hi: f64, step: f64) -> Vec<f64> {
    let mut out = Vec::new();
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    for k in first..=last {
        let v = k as f64 * step;
        out.push(if v.abs() < step * 1e-9 { 0.0 } else { v });
    }
    out
}

/// A tidy histogram range around `[lo, hi]`: bin edges on round numbers, 20–60 bins.
pub fn histogram_bins(lo: f64, hi: f64) -> (f64, f64, usize) {
    let (mut lo, mut hi) = (lo, hi);
    if hi - lo <= 1e-12 || (hi - lo).is_nan() {
        let w = if lo.abs() < 1e-12 {
            1.0
        } else {
            lo.abs() * 0.2
        };
        lo -= w / 2.0;
        hi += w / 2.0;
    }
    let step = nice_step(hi - lo, 5);
    let lo2 = (lo / step).floor() * step;
    let hi2 = (hi / step).ceil() * step;
    let steps = ((hi2 - lo2) / step).round().max(1.0) as usize;
    let mut per = 1;
    for k in [10, 5, 4, 2, 1] {
        if steps * k <= 60 {
            per = k;
            break;
        }
    }
    let mut bins = steps * per;
    while bins < 20 && bins * 2 <= 60 {
        bins *= 2;
    }
    (lo2, hi2, bins)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_steps_ranges_and_ticks() {
        assert_eq!(nice_step(1.0, 5), 0.2);
        assert_eq!(nice_step(0.6, 5), 0.2);
        assert_eq!(nice_step(12.0, 5), 2.5);
        assert_eq!(nice_range(0.0, 1.0, 5), (0.0, 1.0, 0.2));
        assert_eq!(nice_range(0.03, 0.97, 5), (0.0, 1.0, 0.2));
        let (a, b, _) = nice_range(7.0, 91.0, 8);
        assert!(a <= 7.0 && b >= 91.0 && a >= 0.0);
        // A single value gets a window that does not cross zero.
        let (a, b, _) = nice_range(0.0, 0.0, 5);
        assert!(a == 0.0 && b > 0.0);
        assert_eq!(ticks(0.0, 1.0, 0.25), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
    }

    #[test]
    fn histogram_bins_are_round_and_cover_the_range() {
        for (lo, hi) in [
            (0.0, 1.0),
            (0.2345, 0.8712),
            (7.0, 91.0),
            (0.5, 0.5),
            (-3.2, 4.1),
        ] {
            let (a, b, n) = histogram_bins(lo, hi);
            assert!(a <= lo && b >= hi, "{lo}..{hi} -> {a}..{b}");
            assert!((20..=60).contains(&n), "{n} bins for {lo}..{hi}");
        }
        assert_eq!(histogram_bins(0.0, 1.0), (0.0, 1.0, 50));
    }

    #[test]
    fn a_linear_map_runs_either_way_and_clamps() {
        let x = Linear::new(0.0, 10.0, 100, 200);
        assert_eq!((x.map(0.0), x.map(5.0), x.map(10.0)), (100, 150, 200));
        let y = Linear::new(0.0, 1.0, 500, 100);
        assert_eq!((y.map(0.25), y.clamp(2.0), y.clamp(-1.0)), (400, 100, 500));
        // An empty data range does not divide by zero.
        assert_eq!(Linear::new(3.0, 3.0, 0, 10).map(3.0), 0);
    }
}
