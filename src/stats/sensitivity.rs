//! Sensitivity indices from the outputs of a design: Sobol' first-order, total and second-order
//! indices (Saltelli's scheme), Morris's elementary effects, and Spearman rank correlations,
//! each with a bootstrap 95% interval.
//!
//! The estimators are those SALib uses, so an analyst can check one against the other:
//! first order after Saltelli et al. (2010), S_i = mean(f_B (f_ABi − f_A)) / V; total after
//! Jansen (1999), ST_i = mean((f_A − f_ABi)²) / 2V; second order
//! S_ij = mean(f_BAi f_ABj − f_A f_B) / V − S_i − S_j; V the variance of f over A and B. Outputs
//! are standardised first (mean 0, sd 1 over every point), as SALib does. Intervals are
//! percentile intervals over bootstrap resamples of the base rows (or trajectories, or points),
//! drawn from the resampling stream of the seed, one stream per statistic.
//!
//! A stochastic model's output at a point is a mean over R replications, with a replication
//! noise of variance s²/R that is independent from point to point. Left alone, that noise adds
//! to V and to the numerator of every total index (ST_i then tends to 1 for every parameter when
//! noise dominates). Given each point's noise variance, the estimators take it out (Hart,
//! Alexanderian and Gremaud 2017, "Efficient computation of Sobol' indices for stochastic
//! models", SIAM/ASA J. Uncertainty Quantification 5): V − mean(s²/R) in the denominators, and
//! mean((f_A − f_ABi)²)/2 − mean(s²_A/R + s²_ABi/R)/2 in the total index; the first-order and
//! second-order numerators are unbiased as they stand. The share of V that is noise is reported
//! too, so that an analyst sees when more replications are needed.

use crate::kernel::rng::{Purpose, below, stream};

/// A point estimate with its bootstrap 95% interval (NaN where undefined, e.g. a constant
/// output).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub value: f64,
    pub lo: f64,
    pub hi: f64,
}

impl Estimate {
    pub const NAN: Estimate = Estimate {
        value: f64::NAN,
        lo: f64::NAN,
        hi: f64::NAN,
    };
}

/// Sobol' indices of every dimension.
#[derive(Debug, Clone)]
pub struct SobolIndices {
    pub s1: Vec<Estimate>,
    pub st: Vec<Estimate>,
    /// (i, j, S_ij) for i < j, when the BA matrices were run.
    pub s2: Vec<(usize, usize, Estimate)>,
    /// The share of the variance of the per-point outputs that is replication noise.
    pub noise: Estimate,
}

/// Morris statistics of every dimension.
#[derive(Debug, Clone)]
pub struct MorrisIndices {
    /// Mean of the absolute elementary effects (Campolongo et al. 2007).
    pub mu_star: Vec<Estimate>,
    /// Mean of the elementary effects.
    pub mu: Vec<f64>,
    /// Their standard deviation (n − 1).
    pub sigma: Vec<f64>,
    /// The μ* that replication noise alone would give: the mean absolute difference of two
    /// independent point means, over the step (sqrt(2/π) × its sd / Δ), averaged over steps.
    pub noise_floor: f64,
}

/// The 2.5% and 97.5% points of bootstrap replicates (linear interpolation between order
/// statistics). Replicates where the statistic is undefined (a resample with a constant
/// output) are left out; if they are half or more, there is no interval (NaN).
fn percentile_interval(reps: &mut Vec<f64>) -> (f64, f64) {
    let n = reps.len();
    reps.retain(|x| !x.is_nan());
    if reps.is_empty() || 2 * reps.len() <= n {
        return (f64::NAN, f64::NAN);
    }
    reps.sort_by(f64::total_cmp);
    (quantile_sorted(reps, 0.025), quantile_sorted(reps, 0.975))
}

/// The q-quantile of sorted values, interpolating linearly between order statistics (the
/// default of R and NumPy).
pub fn quantile_sorted(xs: &[f64], q: f64) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    let h = (xs.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    xs[lo] + (h - lo as f64) * (xs[hi] - xs[lo])
}

/// Standardises a copy of `y` (mean 0, sd 1, population sd) and scales the noise variances
/// with it; `None` if constant or not finite.
fn standardise(y: &[f64], noise: &[f64]) -> Option<(Vec<f64>, Vec<f64>)> {
    if y.is_empty() || y.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let n = y.len() as f64;
    let mean = y.iter().sum::<f64>() / n;
    let var = y.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    if var <= 0.0 || !var.is_finite() {
        return None;
    }
    let sd = var.sqrt();
    Some((
        y.iter().map(|v| (v - mean) / sd).collect(),
        noise
            .iter()
            .map(|v| if v.is_finite() { v / var } else { 0.0 })
            .collect(),
    ))
}

/// Sobol' indices from the outputs `y` of a Saltelli design over `dims` parameters: `base`
/// groups of `dims + 2` points (A, AB_1…AB_D, B), or `2 dims + 2` with the BA matrices.
/// `noise`, when given, is each point's replication noise variance (s²/R), taken out as the
/// module says. `resamples` bootstrap replicates from resampling stream `stream_id` of `seed`.
pub fn sobol_indices(
    y: &[f64],
    noise: Option<&[f64]>,
    dims: usize,
    second_order: bool,
    resamples: usize,
    seed: u64,
    stream_id: u64,
) -> SobolIndices {
    let w = if second_order { 2 * dims + 2 } else { dims + 2 };
    let base = y.len() / w;
    let empty = SobolIndices {
        s1: vec![Estimate::NAN; dims],
        st: vec![Estimate::NAN; dims],
        s2: Vec::new(),
        noise: Estimate::NAN,
    };
    let zeros = vec![0.0; base * w];
    let noise = noise.map(|v| &v[..base * w]).unwrap_or(&zeros);
    let Some((y, nv)) = standardise(&y[..base * w], noise) else {
        let mut e = empty;
        if second_order {
            for i in 0..dims {
                for j in i + 1..dims {
                    e.s2.push((i, j, Estimate::NAN));
                }
            }
        }
        return e;
    };
    let a = |j: usize| y[j * w];
    let b = |j: usize| y[j * w + w - 1];
    let ab = |j: usize, i: usize| y[j * w + 1 + i];
    let ba = |j: usize, i: usize| y[j * w + 1 + dims + i];
    let na = |j: usize| nv[j * w];
    let nb = |j: usize| nv[j * w + w - 1];
    let nab = |j: usize, i: usize| nv[j * w + 1 + i];
    // All indices from the rows `rows` (a resample of 0..base, or 0..base itself).
    let pairs: Vec<(usize, usize)> = if second_order {
        (0..dims)
            .flat_map(|i| (i + 1..dims).map(move |j| (i, j)))
            .collect()
    } else {
        Vec::new()
    };
    // Returns the noise share of the variance.
    let compute = |rows: &[usize], s1: &mut [f64], st: &mut [f64], s2: &mut [f64]| -> f64 {
        let n = rows.len() as f64;
        let (mut sum, mut sum2, mut noise) = (0.0, 0.0, 0.0);
        for &j in rows {
            for v in [a(j), b(j)] {
                sum += v;
                sum2 += v * v;
            }
            noise += na(j) + nb(j);
        }
        let m = sum / (2.0 * n);
        let total = sum2 / (2.0 * n) - m * m;
        let noise = noise / (2.0 * n);
        // The variance of the mean response: without its noise; none left, no index.
        let var = if total - noise > 0.0 {
            total - noise
        } else {
            f64::NAN
        };
        for i in 0..dims {
            let (mut v1, mut vt, mut vn) = (0.0, 0.0, 0.0);
            for &j in rows {
                v1 += b(j) * (ab(j, i) - a(j));
                vt += (a(j) - ab(j, i)) * (a(j) - ab(j, i));
                vn += na(j) + nab(j, i);
            }
            s1[i] = v1 / n / var;
            st[i] = 0.5 * (vt - vn) / n / var;
        }
        for (k, &(i, jj)) in pairs.iter().enumerate() {
            let mut v = 0.0;
            for &j in rows {
                v += ba(j, i) * ab(j, jj) - a(j) * b(j);
            }
            s2[k] = v / n / var - s1[i] - s1[jj];
        }
        noise / total
    };
    let all: Vec<usize> = (0..base).collect();
    let (mut s1, mut st, mut s2) = (vec![0.0; dims], vec![0.0; dims], vec![0.0; pairs.len()]);
    let share = compute(&all, &mut s1, &mut st, &mut s2);
    let mut rn = Vec::with_capacity(resamples);
    let mut r1 = vec![Vec::with_capacity(resamples); dims];
    let mut rt = vec![Vec::with_capacity(resamples); dims];
    let mut r2 = vec![Vec::with_capacity(resamples); pairs.len()];
    let mut rng = stream(seed, Purpose::Resample, stream_id);
    let mut rows = vec![0usize; base];
    let (mut b1, mut bt, mut b2) = (vec![0.0; dims], vec![0.0; dims], vec![0.0; pairs.len()]);
    for _ in 0..resamples {
        for r in rows.iter_mut() {
            *r = below(&mut rng, base as u64) as usize;
        }
        rn.push(compute(&rows, &mut b1, &mut bt, &mut b2));
        for i in 0..dims {
            r1[i].push(b1[i]);
            rt[i].push(bt[i]);
        }
        for k in 0..pairs.len() {
            r2[k].push(b2[k]);
        }
    }
    let est = |v: f64, reps: &mut Vec<f64>| {
        let (lo, hi) = percentile_interval(reps);
        Estimate { value: v, lo, hi }
    };
    SobolIndices {
        s1: (0..dims).map(|i| est(s1[i], &mut r1[i])).collect(),
        st: (0..dims).map(|i| est(st[i], &mut rt[i])).collect(),
        s2: pairs
            .iter()
            .enumerate()
            .map(|(k, &(i, j))| (i, j, est(s2[k], &mut r2[k])))
            .collect(),
        noise: est(share, &mut rn),
    }
}

/// Morris statistics from the outputs `y` of `trajectories` trajectories of `dims + 1` points,
/// given each step's moved dimension and its signed move in unit coordinates, and each point's
/// replication noise variance (for the noise floor of μ*).
pub fn morris_indices(
    y: &[f64],
    noise: Option<&[f64]>,
    dims: usize,
    moves: &[(usize, f64)],
    resamples: usize,
    seed: u64,
    stream_id: u64,
) -> MorrisIndices {
    let per = dims + 1;
    let r = y.len() / per;
    // ee[i][t]: the elementary effect of dimension i in trajectory t.
    let mut ee = vec![vec![f64::NAN; r]; dims];
    let mut floor = 0.0;
    for t in 0..r {
        for s in 1..per {
            let (i, dx) = moves[t * per + s];
            let (p, q) = (t * per + s, t * per + s - 1);
            ee[i][t] = (y[p] - y[q]) / dx;
            if let Some(nv) = noise {
                let v = nv[p] + nv[q];
                if v.is_finite() {
                    floor += (2.0 / std::f64::consts::PI).sqrt() * v.sqrt() / dx.abs();
                }
            }
        }
    }
    let steps = (r * dims).max(1) as f64;
    let mut rng = stream(seed, Purpose::Resample, stream_id);
    let mut idx = vec![0usize; r];
    let mut reps = vec![Vec::with_capacity(resamples); dims];
    for _ in 0..resamples {
        for x in idx.iter_mut() {
            *x = below(&mut rng, r as u64) as usize;
        }
        for i in 0..dims {
            reps[i].push(idx.iter().map(|&t| ee[i][t].abs()).sum::<f64>() / r as f64);
        }
    }
    let mut out = MorrisIndices {
        mu_star: Vec::new(),
        mu: Vec::new(),
        sigma: Vec::new(),
        noise_floor: floor / steps,
    };
    for i in 0..dims {
        let n = r as f64;
        let mu = ee[i].iter().sum::<f64>() / n;
        let mu_star = ee[i].iter().map(|v| v.abs()).sum::<f64>() / n;
        let sigma = if r > 1 {
            (ee[i].iter().map(|v| (v - mu) * (v - mu)).sum::<f64>() / (n - 1.0)).sqrt()
        } else {
            f64::NAN
        };
        let (lo, hi) = percentile_interval(&mut reps[i]);
        out.mu_star.push(Estimate {
            value: mu_star,
            lo,
            hi,
        });
        out.mu.push(mu);
        out.sigma.push(sigma);
    }
    out
}

/// Ranks (1-based), ties given their average rank.
pub fn ranks(x: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]).then(a.cmp(&b)));
    let mut r = vec![0.0; x.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && x[idx[j + 1]] == x[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            r[k] = avg;
        }
        i = j + 1;
    }
    r
}

/// Pearson's correlation; NaN if either side is constant.
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    if x.is_empty() {
        return f64::NAN;
    }
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    if sxx <= 0.0 || syy <= 0.0 {
        return f64::NAN;
    }
    sxy / (sxx * syy).sqrt()
}

/// Spearman's rank correlation of each column of `x` (`n × dims`) with `y`, with bootstrap
/// intervals over resampled points.
pub fn spearman(
    x: &[f64],
    dims: usize,
    y: &[f64],
    resamples: usize,
    seed: u64,
    stream_id: u64,
) -> Vec<Estimate> {
    let n = y.len();
    if y.iter().any(|v| !v.is_finite()) || n < 3 {
        return vec![Estimate::NAN; dims];
    }
    let ry = ranks(y);
    let cols: Vec<Vec<f64>> = (0..dims)
        .map(|d| ranks(&(0..n).map(|p| x[p * dims + d]).collect::<Vec<_>>()))
        .collect();
    let mut rng = stream(seed, Purpose::Resample, stream_id);
    let mut reps = vec![Vec::with_capacity(resamples); dims];
    let mut idx = vec![0usize; n];
    let (mut bx, mut by) = (vec![0.0; n], vec![0.0; n]);
    for _ in 0..resamples {
        for i in idx.iter_mut() {
            *i = below(&mut rng, n as u64) as usize;
        }
        for (k, &i) in idx.iter().enumerate() {
            by[k] = y[i];
        }
        let rby = ranks(&by);
        for d in 0..dims {
            for (k, &i) in idx.iter().enumerate() {
                bx[k] = x[i * dims + d];
            }
            reps[d].push(pearson(&ranks(&bx), &rby));
        }
    }
    (0..dims)
        .map(|d| {
            let (lo, hi) = percentile_interval(&mut reps[d]);
            Estimate {
                value: pearson(&cols[d], &ry),
                lo,
                hi,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_like_numpy() {
        let xs = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_sorted(&xs, 0.5), 2.5);
        assert_eq!(quantile_sorted(&xs, 0.9), 3.7);
        assert_eq!(quantile_sorted(&xs, 0.0), 1.0);
    }

    #[test]
    fn ranks_average_ties_and_spearman_sees_monotone_links() {
        assert_eq!(ranks(&[3.0, 1.0, 3.0, 2.0]), vec![3.5, 1.0, 3.5, 2.0]);
        let x: Vec<f64> = (0..40).map(|i| i as f64 / 40.0).collect();
        let y: Vec<f64> = x.iter().map(|v| v * v * v).collect();
        let r = spearman(&x, 1, &y, 50, 1, 0);
        assert!((r[0].value - 1.0).abs() < 1e-12);
        let y2: Vec<f64> = x.iter().map(|v| -v).collect();
        assert!((spearman(&x, 1, &y2, 10, 1, 0)[0].value + 1.0).abs() < 1e-12);
    }

    #[test]
    fn morris_effects_of_a_linear_function_are_its_slopes() {
        // y = 3 u0 − u1 + 0 u2 on a Morris design: every elementary effect is the slope.
        let d = crate::stats::designs::Design::morris(3, 12, 4, 5);
        let y: Vec<f64> = (0..d.points())
            .map(|p| 3.0 * d.point(p)[0] - d.point(p)[1])
            .collect();
        let moves: Vec<(usize, f64)> = (0..d.points())
            .map(|p| match d.role[p] {
                crate::stats::designs::Role::Step(i) => (i, d.point(p)[i] - d.point(p - 1)[i]),
                _ => (0, 0.0),
            })
            .collect();
        let m = morris_indices(&y, None, 3, &moves, 50, 1, 0);
        for (i, slope) in [3.0, -1.0, 0.0].into_iter().enumerate() {
            assert!((m.mu[i] - slope).abs() < 1e-9, "{i}: {}", m.mu[i]);
            assert!((m.mu_star[i].value - f64::abs(slope)).abs() < 1e-9);
            assert!(m.sigma[i] < 1e-9);
        }
    }

    #[test]
    fn replication_noise_is_taken_out_of_the_indices() {
        // y = x0 + noise of variance 1/4 (as if R = 1, s² = 1/4) on a Saltelli design over two
        // parameters: V = 1/12 + 1/4; without the correction ST0 ≈ 1 and ST1 ≈ 0.75 (the noise
        // share); with it, ST0 ≈ 1 and ST1 ≈ 0.
        let d = crate::stats::designs::Design::saltelli(2, 4096, false, 9).unwrap();
        let mut rng = stream(3, Purpose::Dynamics, 0);
        let y: Vec<f64> = (0..d.points())
            .map(|p| d.point(p)[0] + 0.5 * crate::kernel::rng::normal(&mut rng))
            .collect();
        let nv = vec![0.25; d.points()];
        let raw = sobol_indices(&y, None, 2, false, 20, 1, 0);
        let fixed = sobol_indices(&y, Some(&nv), 2, false, 20, 1, 0);
        assert!(raw.st[1].value > 0.6, "{:?}", raw.st);
        assert!(fixed.st[1].value.abs() < 0.1, "{:?}", fixed.st);
        assert!((fixed.st[0].value - 1.0).abs() < 0.1, "{:?}", fixed.st);
        assert!((fixed.noise.value - 0.75).abs() < 0.05, "{:?}", fixed.noise);
    }

    #[test]
    fn a_constant_output_has_no_indices() {
        let s = sobol_indices(&[1.0; 50], None, 3, false, 10, 1, 0);
        assert!(s.s1.iter().all(|e| e.value.is_nan()));
    }
}
