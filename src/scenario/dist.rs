//! Distributions of uncertain parameters, drawn once per trial.
//!
//! Each sampler uses a fixed number of uniform words where it can (inverse CDFs), and the
//! portable `libm` functions, so the same seed gives the same parameter values on any
//! platform. Beta uses Marsaglia–Tsang gamma variates (rejection, still deterministic).
//!
//! `empirical` draws a row of a finite sample, such as a calibration's posterior; entries that
//! name the same `joint` group share the row, so parameters calibrated together are drawn
//! together (the engine's `draw_uncertainties` does the sharing). The continuous distributions
//! also give their density, the prior density of a calibration.
//! [`Distribution::quantile`] maps a coordinate of the unit cube to a value, which is how an
//! experimental design (`cohesion explore`) places its points in each parameter's distribution.

use crate::kernel::rng::{normal, unit, unit_open};
use rand::Rng;

/// A distribution as a scenario file names it: its keys in an `[[uncertainty]]` entry.
#[derive(Debug, Clone, Copy)]
pub struct DistSpec {
    /// The value of `dist`.
    pub name: &'static str,
    /// Its parameters, in the order messages list them.
    pub params: &'static [DistParam],
    pub meaning: &'static str,
}

/// One parameter of a distribution.
#[derive(Debug, Clone, Copy)]
pub struct DistParam {
    pub name: &'static str,
    /// What it is, and its default when it may be left out.
    pub meaning: &'static str,
    /// Whether it may be left out.
    pub optional: bool,
}

const fn param(name: &'static str, meaning: &'static str) -> DistParam {
    DistParam {
        name,
        meaning,
        optional: false,
    }
}

const fn optional(name: &'static str, meaning: &'static str) -> DistParam {
    DistParam {
        name,
        meaning,
        optional: true,
    }
}

const MIN: DistParam = param("min", "smallest value");
const MAX: DistParam = param("max", "largest value (min < max)");

/// Every distribution a scenario may name, in the order messages list them.
pub static DISTS: &[DistSpec] = &[
    DistSpec {
        name: "uniform",
        params: &[MIN, MAX],
        meaning: "every value in [min, max] equally likely",
    },
    DistSpec {
        name: "triangular",
        params: &[
            MIN,
            param("mode", "most likely value (min <= mode <= max)"),
            MAX,
        ],
        meaning: "triangular density rising from min to mode and falling to max",
    },
    DistSpec {
        name: "truncnormal",
        params: &[
            param("mean", "mean of the normal before truncation"),
            param(
                "sd",
                "standard deviation of the normal before truncation (> 0)",
            ),
            MIN,
            MAX,
        ],
        meaning: "a normal(mean, sd) restricted to [min, max]",
    },
    DistSpec {
        name: "beta",
        params: &[
            param("alpha", "first shape parameter (> 0)"),
            param("beta", "second shape parameter (> 0)"),
            optional(
                "min",
                "smallest value; default: the larger of 0 and the parameter's minimum",
            ),
            optional(
                "max",
                "largest value; default: the smaller of 1 and the parameter's maximum",
            ),
        ],
        meaning: "a Beta(alpha, beta) scaled from [0, 1] to [min, max]",
    },
    DistSpec {
        name: "choice",
        params: &[
            param(
                "values",
                "the values, as the parameter is written (numbers, words, true/false); not empty",
            ),
            optional(
                "weights",
                "one non-negative weight per value, not all zero; default: all equal",
            ),
        ],
        meaning: "one of the values, with the given weights (normalised); the only distribution for a choice or true/false parameter",
    },
    DistSpec {
        name: "empirical",
        params: &[
            param(
                "values",
                "the sample, one number per row (e.g. posterior draws); not empty",
            ),
            optional(
                "weights",
                "one non-negative weight per row, not all zero; default: all equal",
            ),
            optional(
                "joint",
                "a group name: entries of one group draw the same row, so their parameters are drawn jointly (same number of rows and the same weights in every entry of the group)",
            ),
        ],
        meaning: "row r of a finite sample with probability weights[r] (normalised); written by `cohesion calibrate` for a posterior",
    },
];

/// The declaration of the distribution a scenario names `name`.
pub fn find(name: &str) -> Option<&'static DistSpec> {
    DISTS.iter().find(|d| d.name == name)
}

/// A distribution of one parameter, in the units the parameter is held in.
#[derive(Debug, Clone, PartialEq)]
pub enum Distribution {
    Uniform {
        min: f64,
        max: f64,
    },
    Triangular {
        min: f64,
        mode: f64,
        max: f64,
    },
    /// A normal(mean, sd) restricted to [min, max].
    TruncNormal {
        mean: f64,
        sd: f64,
        min: f64,
        max: f64,
    },
    /// A Beta(alpha, beta), scaled from [0, 1] to [min, max].
    Beta {
        alpha: f64,
        beta: f64,
        min: f64,
        max: f64,
    },
    /// One of the values, with the given weights (normalised).
    Choice {
        values: Vec<f64>,
        weights: Vec<f64>,
    },
    /// Row r of a finite sample with probability weights[r] (normalised). Entries of one joint
    /// group share the row drawn.
    Empirical {
        values: Vec<f64>,
        weights: Vec<f64>,
        joint: Option<Joint>,
    },
}

/// The joint group of an `empirical` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Joint {
    /// The group's name, as the scenario writes it.
    pub name: String,
    /// Index (among the scenario's uncertainties) of the group's first entry, which draws the
    /// row for the whole group.
    pub lead: usize,
}

impl Distribution {
    /// The smallest and largest value the distribution can give.
    pub fn support(&self) -> (f64, f64) {
        match self {
            Distribution::Uniform { min, max }
            | Distribution::Triangular { min, max, .. }
            | Distribution::TruncNormal { min, max, .. }
            | Distribution::Beta { min, max, .. } => (*min, *max),
            Distribution::Choice { values, .. } | Distribution::Empirical { values, .. } => (
                values.iter().copied().fold(f64::INFINITY, f64::min),
                values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            ),
        }
    }

    /// The name written in scenario files.
    pub fn name(&self) -> &'static str {
        match self {
            Distribution::Uniform { .. } => "uniform",
            Distribution::Triangular { .. } => "triangular",
            Distribution::TruncNormal { .. } => "truncnormal",
            Distribution::Beta { .. } => "beta",
            Distribution::Choice { .. } => "choice",
            Distribution::Empirical { .. } => "empirical",
        }
    }

    /// The row of a weighted sample that the uniform `u` ∈ [0, 1) selects (inverse CDF).
    pub fn row(weights: &[f64], u: f64) -> usize {
        let total: f64 = weights.iter().sum();
        let mut u = u * total;
        for (r, w) in weights.iter().enumerate() {
            if u < *w {
                return r;
            }
            u -= w;
        }
        weights.len().saturating_sub(1)
    }

    /// The density at `x` of a continuous distribution (0 outside its support); `None` for
    /// `choice` and `empirical`, which have none.
    pub fn density(&self, x: f64) -> Option<f64> {
        if matches!(
            self,
            Distribution::Choice { .. } | Distribution::Empirical { .. }
        ) {
            return None;
        }
        let (lo, hi) = self.support();
        if !(lo <= x && x <= hi) {
            return Some(0.0);
        }
        Some(match self {
            Distribution::Uniform { min, max } => 1.0 / (max - min),
            Distribution::Triangular { min, mode, max } => {
                let (a, c, b) = (*min, *mode, *max);
                if x < c {
                    2.0 * (x - a) / ((b - a) * (c - a))
                } else if x > c {
                    2.0 * (b - x) / ((b - a) * (b - c))
                } else {
                    2.0 / (b - a)
                }
            }
            Distribution::TruncNormal { mean, sd, min, max } => {
                let z = (x - mean) / sd;
                let mass = norm_cdf((max - mean) / sd) - norm_cdf((min - mean) / sd);
                libm::exp(-0.5 * z * z) / (sd * libm::sqrt(std::f64::consts::TAU) * mass)
            }
            Distribution::Beta {
                alpha,
                beta,
                min,
                max,
            } => {
                let w = max - min;
                let t = (x - min) / w;
                let log_b = libm::lgamma(*alpha) + libm::lgamma(*beta) - libm::lgamma(alpha + beta);
                let log_d =
                    (alpha - 1.0) * libm::log(t) + (beta - 1.0) * libm::log(1.0 - t) - log_b;
                libm::exp(log_d) / w
            }
            Distribution::Choice { .. } | Distribution::Empirical { .. } => unreachable!(),
        })
    }

    /// One draw.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Distribution::Uniform { min, max } => min + (max - min) * unit(rng),
            Distribution::Triangular { min, mode, max } => {
                let u = unit(rng);
                let (a, c, b) = (*min, *mode, *max);
                if b <= a {
                    return a;
                }
                let f = (c - a) / (b - a);
                if u < f {
                    a + libm::sqrt(u * (b - a) * (c - a))
                } else {
                    b - libm::sqrt((1.0 - u) * (b - a) * (b - c))
                }
            }
            Distribution::TruncNormal { mean, sd, min, max } => {
                let pa = norm_cdf((min - mean) / sd);
                let pb = norm_cdf((max - mean) / sd);
                let p = pa + (pb - pa) * unit_open(rng);
                (mean + sd * norm_inv(p)).clamp(*min, *max)
            }
            Distribution::Beta {
                alpha,
                beta,
                min,
                max,
            } => {
                let x = gamma(*alpha, rng);
                let y = gamma(*beta, rng);
                let b = if x + y > 0.0 { x / (x + y) } else { 0.5 };
                min + (max - min) * b
            }
            Distribution::Choice { values, weights } => {
                let total: f64 = weights.iter().sum();
                let mut u = unit(rng) * total;
                for (v, w) in values.iter().zip(weights) {
                    if u < *w {
                        return *v;
                    }
                    u -= w;
                }
                *values.last().unwrap_or(&0.0)
            }
            Distribution::Empirical {
                values, weights, ..
            } => values[Distribution::row(weights, unit(rng))],
        }
    }
}

impl Distribution {
    /// The value below which a share `u` (in [0, 1]) of the distribution lies: the inverse CDF.
    /// `u = 0` and `u = 1` give the ends of the support; a choice gives the value whose
    /// cumulative weight first exceeds `u`, an empirical sample the same over its values in
    /// increasing order (its marginal: a design places each coordinate independently, so
    /// the rows of a `joint` group are not kept together).
    pub fn quantile(&self, u: f64) -> f64 {
        let u = u.clamp(0.0, 1.0);
        match self {
            Distribution::Uniform { min, max } => min + (max - min) * u,
            Distribution::Triangular { min, mode, max } => {
                let (a, c, b) = (*min, *mode, *max);
                if b <= a {
                    return a;
                }
                let f = (c - a) / (b - a);
                if u < f {
                    a + libm::sqrt(u * (b - a) * (c - a))
                } else {
                    b - libm::sqrt((1.0 - u) * (b - a) * (b - c))
                }
            }
            Distribution::TruncNormal { mean, sd, min, max } => {
                let pa = norm_cdf((min - mean) / sd);
                let pb = norm_cdf((max - mean) / sd);
                let p = pa + (pb - pa) * u;
                (mean + sd * norm_inv(p)).clamp(*min, *max)
            }
            Distribution::Beta {
                alpha,
                beta,
                min,
                max,
            } => min + (max - min) * crate::kernel::special::inc_beta_inv(*alpha, *beta, u),
            Distribution::Choice { values, weights } => {
                let total: f64 = weights.iter().sum();
                let mut acc = 0.0;
                for (v, w) in values.iter().zip(weights) {
                    acc += w;
                    if u * total < acc {
                        return *v;
                    }
                }
                // u = 1: the last value with positive weight.
                values
                    .iter()
                    .zip(weights)
                    .rev()
                    .find(|(_, w)| **w > 0.0)
                    .map(|(v, _)| *v)
                    .unwrap_or(0.0)
            }
            Distribution::Empirical {
                values, weights, ..
            } => {
                // The weighted quantile of the marginal: the rows in order of their values.
                let mut order: Vec<usize> = (0..values.len()).collect();
                order.sort_by(|&a, &b| values[a].total_cmp(&values[b]).then(a.cmp(&b)));
                let total: f64 = weights.iter().sum();
                let mut acc = 0.0;
                for &r in &order {
                    acc += weights[r];
                    if u * total < acc {
                        return values[r];
                    }
                }
                order
                    .iter()
                    .rev()
                    .find(|&&r| weights[r] > 0.0)
                    .map(|&r| values[r])
                    .unwrap_or(0.0)
            }
        }
    }
}

/// The standard normal CDF.
pub fn norm_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
}

/// The standard normal quantile (Acklam's rational approximation, refined by one Halley step
/// to full double precision).
pub fn norm_inv(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    const A: [f64; 6] = [
        -3.969683028665376e+01,
        2.209460984245205e+02,
        -2.759285104469687e+02,
        1.38357751867269e+02,
        -3.066479806614716e+01,
        2.506628277459239e+00,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e+01,
        1.615858368580409e+02,
        -1.556989798598866e+02,
        6.680131188771972e+01,
        -1.328068155288572e+01,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-03,
        -3.223964580411365e-01,
        -2.400758277161838e+00,
        -2.549732539343734e+00,
        4.374664141464968e+00,
        2.938163982698783e+00,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-03,
        3.224671290700398e-01,
        2.445134137142996e+00,
        3.754408661907416e+00,
    ];
    let pl = 0.02425;
    let x = if p < pl {
        let q = libm::sqrt(-2.0 * libm::log(p));
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - pl {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = libm::sqrt(-2.0 * libm::log(1.0 - p));
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    // One Halley step.
    let e = norm_cdf(x) - p;
    let u = e * libm::sqrt(std::f64::consts::TAU) * libm::exp(x * x / 2.0);
    x - u / (1.0 + x * u / 2.0)
}

/// A Gamma(shape, 1) variate (Marsaglia & Tsang 2000; shape < 1 by the boost u^(1/shape)).
fn gamma<R: Rng + ?Sized>(shape: f64, rng: &mut R) -> f64 {
    if shape < 1.0 {
        let g = gamma(shape + 1.0, rng);
        return g * libm::pow(unit_open(rng), 1.0 / shape);
    }
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / libm::sqrt(9.0 * d);
    loop {
        let x = normal(rng);
        let v = 1.0 + c * x;
        if v <= 0.0 {
            continue;
        }
        let v = v * v * v;
        let u = unit_open(rng);
        if libm::log(u) < 0.5 * x * x + d - d * v + d * libm::log(v) {
            return d * v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::rng::{Purpose, stream};

    fn moments(d: &Distribution) -> (f64, f64, f64, f64) {
        let mut r = stream(5, Purpose::Uncertainty, 0);
        let n = 100_000;
        let (mut s, mut s2, mut lo, mut hi) = (0.0, 0.0, f64::INFINITY, f64::NEG_INFINITY);
        for _ in 0..n {
            let x = d.sample(&mut r);
            s += x;
            s2 += x * x;
            lo = lo.min(x);
            hi = hi.max(x);
        }
        let m = s / n as f64;
        (m, s2 / n as f64 - m * m, lo, hi)
    }

    #[test]
    fn samplers_match_their_moments_and_support() {
        let (m, v, lo, hi) = moments(&Distribution::Uniform { min: 2.0, max: 4.0 });
        assert!((m - 3.0).abs() < 0.01 && (v - 4.0 / 12.0).abs() < 0.01 && lo >= 2.0 && hi < 4.0);
        let (m, _, lo, hi) = moments(&Distribution::Triangular {
            min: 0.0,
            mode: 0.25,
            max: 1.0,
        });
        assert!((m - 1.25 / 3.0).abs() < 0.01 && lo >= 0.0 && hi <= 1.0);
        let (m, v, _, _) = moments(&Distribution::Beta {
            alpha: 2.0,
            beta: 5.0,
            min: 0.0,
            max: 1.0,
        });
        assert!((m - 2.0 / 7.0).abs() < 0.005, "{m}");
        assert!((v - 10.0 / (49.0 * 8.0)).abs() < 0.002);
        let (m, _, lo, hi) = moments(&Distribution::Beta {
            alpha: 0.5,
            beta: 0.5,
            min: 1.0,
            max: 3.0,
        });
        assert!((m - 2.0).abs() < 0.01 && lo >= 1.0 && hi <= 3.0);
        let (m, v, lo, hi) = moments(&Distribution::TruncNormal {
            mean: 0.5,
            sd: 10.0,
            min: 0.0,
            max: 1.0,
        });
        assert!((m - 0.5).abs() < 0.01 && (v - 1.0 / 12.0).abs() < 0.01 && lo >= 0.0 && hi <= 1.0);
        let (m, _, lo, hi) = moments(&Distribution::TruncNormal {
            mean: 0.0,
            sd: 1.0,
            min: 0.0,
            max: 9.0,
        });
        assert!((m - 0.7979).abs() < 0.01 && lo >= 0.0 && hi <= 9.0);
        let (m, _, lo, hi) = moments(&Distribution::Choice {
            values: vec![0.0, 1.0, 2.0],
            weights: vec![1.0, 1.0, 2.0],
        });
        assert!((m - 1.25).abs() < 0.01 && lo == 0.0 && hi == 2.0);
    }

    #[test]
    fn densities_integrate_to_one_and_vanish_outside_the_support() {
        let ds = [
            Distribution::Uniform { min: 2.0, max: 4.0 },
            Distribution::Triangular {
                min: 0.0,
                mode: 0.25,
                max: 1.0,
            },
            Distribution::TruncNormal {
                mean: 0.3,
                sd: 0.4,
                min: 0.0,
                max: 2.0,
            },
            Distribution::Beta {
                alpha: 2.0,
                beta: 5.0,
                min: -1.0,
                max: 3.0,
            },
        ];
        for d in &ds {
            let (lo, hi) = d.support();
            let n = 200_000;
            let h = (hi - lo) / n as f64;
            // Midpoint rule.
            let total: f64 = (0..n)
                .map(|k| d.density(lo + (k as f64 + 0.5) * h).unwrap() * h)
                .sum();
            assert!((total - 1.0).abs() < 1e-6, "{d:?}: {total}");
            assert_eq!(d.density(lo - 0.1), Some(0.0));
            assert_eq!(d.density(hi + 0.1), Some(0.0));
        }
        // Beta(2, 5) on [0, 1] at 0.2: 30 · 0.2 · 0.8⁴.
        let b = Distribution::Beta {
            alpha: 2.0,
            beta: 5.0,
            min: 0.0,
            max: 1.0,
        };
        assert!((b.density(0.2).unwrap() - 30.0 * 0.2 * 0.8f64.powi(4)).abs() < 1e-12);
        let e = Distribution::Empirical {
            values: vec![1.0],
            weights: vec![1.0],
            joint: None,
        };
        assert_eq!(e.density(1.0), None);
    }

    #[test]
    fn empirical_rows_follow_their_weights() {
        let (m, _, lo, hi) = moments(&Distribution::Empirical {
            values: vec![0.0, 1.0, 2.0],
            weights: vec![1.0, 0.0, 3.0],
            joint: None,
        });
        assert!((m - 1.5).abs() < 0.01 && lo == 0.0 && hi == 2.0, "{m}");
        assert_eq!(Distribution::row(&[1.0, 0.0, 3.0], 0.2), 0);
        assert_eq!(Distribution::row(&[1.0, 0.0, 3.0], 0.25), 2);
    }

    #[test]
    fn quantiles_invert_the_cdfs() {
        let u = Distribution::Uniform { min: 2.0, max: 4.0 };
        assert_eq!(
            (u.quantile(0.0), u.quantile(0.5), u.quantile(1.0)),
            (2.0, 3.0, 4.0)
        );
        let t = Distribution::Triangular {
            min: 0.0,
            mode: 0.25,
            max: 1.0,
        };
        // The CDF at the mode is (mode - min) / (max - min).
        assert!((t.quantile(0.25) - 0.25).abs() < 1e-15);
        let n = Distribution::TruncNormal {
            mean: 0.0,
            sd: 1.0,
            min: -10.0,
            max: 10.0,
        };
        assert!((n.quantile(0.975) - 1.959963984540054).abs() < 1e-9);
        assert_eq!(n.quantile(0.0), -10.0);
        // Beta(2, 2): CDF 3x² − 2x³; its median is 1/2 and F(0.2) = 0.104.
        let b = Distribution::Beta {
            alpha: 2.0,
            beta: 2.0,
            min: 0.0,
            max: 1.0,
        };
        assert!((b.quantile(0.5) - 0.5).abs() < 1e-12);
        assert!((b.quantile(0.104) - 0.2).abs() < 1e-12);
        let c = Distribution::Choice {
            values: vec![0.0, 1.0, 2.0],
            weights: vec![1.0, 1.0, 2.0],
        };
        assert_eq!(
            [0.0, 0.24, 0.25, 0.49, 0.5, 0.99, 1.0].map(|u| c.quantile(u)),
            [0.0, 0.0, 1.0, 1.0, 2.0, 2.0, 2.0]
        );
        // An empirical sample, rows out of order: 2 (w 1), 0 (w 1), 1 (w 2).
        let e = Distribution::Empirical {
            values: vec![2.0, 0.0, 1.0],
            weights: vec![1.0, 1.0, 2.0],
            joint: None,
        };
        assert_eq!(
            [0.0, 0.24, 0.25, 0.74, 0.75, 1.0].map(|u| e.quantile(u)),
            [0.0, 0.0, 1.0, 1.0, 2.0, 2.0]
        );
    }

    #[test]
    fn norm_inv_inverts_norm_cdf() {
        for p in [1e-10, 0.001, 0.02, 0.3, 0.5, 0.9, 0.999] {
            assert!(
                (norm_cdf(norm_inv(p)) - p).abs() < 1e-12 * p.max(1e-3) * 1e3,
                "{p}"
            );
        }
        assert!((norm_inv(0.975) - 1.959963984540054).abs() < 1e-12);
    }
}
