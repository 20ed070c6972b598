//! The arithmetic of ABC-SMC (population Monte Carlo ABC, Beaumont, Cornuet, Marin & Robert
//! 2009): the prior, the perturbation kernel, the importance weights, the tolerance.
//!
//! Generation 0 draws parameters from the prior; generation g ≥ 1 picks a particle of the
//! previous population by its weight and moves it by a Gaussian kernel whose covariance is the
//! population's weighted covariance Σ, redrawing while the prior density is zero. (Beaumont et
//! al. use 2Σ; with a fixed budget per generation the tolerance stops shrinking once the
//! proposals' spread dominates it, and the narrower kernel lets it reach about half the
//! tolerance at the same acceptance fraction; docs/CALIBRATION.md.) Each
//! generation simulates a fixed number M of proposals; its tolerance ε_g is the distance of the
//! N-th closest, so the N closest are its population (a shrinking tolerance set by quantiles,
//! as in Del Moral, Doucet & Jasra 2012 and Lenormand, Jabot & Deffuant 2013). A particle θ of
//! generation g ≥ 1 weighs π(θ) / Σ_j W_j K(θ − θ_j), the prior over the proposal density.
//!
//! Everything here is sequential and allocation-light; the parallel part (simulating the
//! proposals) is in `calibration.rs`. Sums run in a fixed order, so the same inputs give the
//! same bits.

use rand::Rng;

use crate::kernel::rng::{normal, unit};
use crate::scenario::Distribution;

/// The prior: independent marginals, one per calibrated parameter.
#[derive(Debug, Clone)]
pub struct Prior {
    pub marginals: Vec<Distribution>,
}

impl Prior {
    pub fn dims(&self) -> usize {
        self.marginals.len()
    }

    /// One draw of every parameter, in order.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R, out: &mut [f64]) {
        for (d, x) in self.marginals.iter().zip(out.iter_mut()) {
            *x = d.sample(rng);
        }
    }

    /// The prior density at `x` (0 outside the support).
    pub fn density(&self, x: &[f64]) -> f64 {
        self.marginals
            .iter()
            .zip(x)
            .map(|(d, &v)| d.density(v).unwrap_or(0.0))
            .product()
    }
}

/// The weighted mean and covariance (row-major d × d) of `theta` (n × d, row-major) under
/// normalised weights `w`.
pub fn weighted_moments(theta: &[f64], w: &[f64], d: usize) -> (Vec<f64>, Vec<f64>) {
    let mut mean = vec![0.0; d];
    for (row, &wi) in theta.chunks_exact(d).zip(w) {
        for (m, &x) in mean.iter_mut().zip(row) {
            *m += wi * x;
        }
    }
    let mut cov = vec![0.0; d * d];
    for (row, &wi) in theta.chunks_exact(d).zip(w) {
        for a in 0..d {
            for b in 0..d {
                cov[a * d + b] += wi * (row[a] - mean[a]) * (row[b] - mean[b]);
            }
        }
    }
    (mean, cov)
}

/// The kernel's covariance as a multiple of the population's (see the module note).
pub const KERNEL_SCALE: f64 = 1.0;

/// The Gaussian perturbation kernel N(0, KERNEL_SCALE · Σ) of a population, by its Cholesky
/// factor.
#[derive(Debug, Clone)]
pub struct Kernel {
    d: usize,
    /// Lower-triangular L with L Lᵀ = KERNEL_SCALE · Σ (row-major).
    l: Vec<f64>,
}

impl Kernel {
    /// The kernel of the population `theta` (n × d) with normalised weights `w`. A degenerate
    /// direction (zero variance) gets a small positive one, so the kernel always moves.
    pub fn of_population(theta: &[f64], w: &[f64], d: usize) -> Kernel {
        let (_, mut cov) = weighted_moments(theta, w, d);
        for c in cov.iter_mut() {
            *c *= KERNEL_SCALE;
        }
        let scale = (0..d).map(|a| cov[a * d + a]).fold(0.0, f64::max);
        let mut jitter = if scale > 0.0 { scale * 1e-12 } else { 1e-12 };
        loop {
            if let Some(l) = cholesky(&cov, d) {
                return Kernel { d, l };
            }
            for a in 0..d {
                cov[a * d + a] += jitter;
            }
            jitter *= 10.0;
        }
    }

    /// `center` moved by one draw of the kernel (d standard normals).
    pub fn perturb<R: Rng + ?Sized>(&self, center: &[f64], rng: &mut R, out: &mut [f64]) {
        let d = self.d;
        let mut z = [0.0f64; MAX_DIMS];
        for zi in z.iter_mut().take(d) {
            *zi = normal(rng);
        }
        for a in 0..d {
            let row = &self.l[a * d..=a * d + a];
            let mut s = center[a];
            for (l, zb) in row.iter().zip(&z) {
                s += l * zb;
            }
            out[a] = s;
        }
    }

    /// The squared Mahalanobis length of `diff` under the kernel's covariance: |L⁻¹ diff|².
    pub fn mahalanobis2(&self, diff: &[f64]) -> f64 {
        let d = self.d;
        let mut y = [0.0f64; MAX_DIMS];
        let mut q = 0.0;
        for a in 0..d {
            let row = &self.l[a * d..a * d + a];
            let mut s = diff[a];
            for (l, yb) in row.iter().zip(&y) {
                s -= l * yb;
            }
            y[a] = s / self.l[a * d + a];
            q += y[a] * y[a];
        }
        q
    }
}

/// The most parameters one calibration may have (the kernel works on stack arrays).
pub const MAX_DIMS: usize = 32;

/// The Cholesky factor of a symmetric matrix, or `None` if it is not positive definite.
fn cholesky(a: &[f64], d: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..=i {
            let mut s = a[i * d + j];
            for k in 0..j {
                s -= l[i * d + k] * l[j * d + k];
            }
            if i == j {
                if s <= 0.0 || !s.is_finite() {
                    return None;
                }
                l[i * d + i] = libm::sqrt(s);
            } else {
                l[i * d + j] = s / l[j * d + j];
            }
        }
    }
    Some(l)
}

/// Cumulative sums of normalised weights, for [`pick`].
pub fn cumulative(w: &[f64]) -> Vec<f64> {
    let mut acc = 0.0;
    w.iter()
        .map(|x| {
            acc += x;
            acc
        })
        .collect()
}

/// The index a uniform `u` ∈ [0, 1) selects from cumulative weights (the last on round-off).
pub fn pick(cum: &[f64], u: f64) -> usize {
    let total = cum.last().copied().unwrap_or(1.0);
    cum.partition_point(|&c| c <= u * total)
        .min(cum.len().saturating_sub(1))
}

/// A proposal of generation g ≥ 1: an ancestor by weight, moved by the kernel, redrawn while
/// the prior density is zero. Returns how many draws fell outside the prior's support; after
/// `MAX_REDRAWS` of them the ancestor itself is proposed (it is inside).
pub fn propose<R: Rng + ?Sized>(
    prior: &Prior,
    kernel: &Kernel,
    theta: &[f64],
    cum: &[f64],
    rng: &mut R,
    out: &mut [f64],
) -> u64 {
    let d = prior.dims();
    for redraws in 0..MAX_REDRAWS {
        let j = pick(cum, unit(rng));
        kernel.perturb(&theta[j * d..(j + 1) * d], rng, out);
        if prior.density(out) > 0.0 {
            return redraws;
        }
    }
    let j = pick(cum, unit(rng));
    out.copy_from_slice(&theta[j * d..(j + 1) * d]);
    MAX_REDRAWS
}

/// Draws outside the prior's support a proposal may make before it falls back on its ancestor.
pub const MAX_REDRAWS: u64 = 10_000;

/// Normalised importance weights of new particles `theta` (n × d) against the previous
/// population `prev` (m × d, normalised weights `prev_w`): π(θ) / Σ_j W_j K(θ − θ_j), computed
/// in logarithms so that far particles do not underflow.
pub fn importance_weights(
    prior: &Prior,
    kernel: &Kernel,
    theta: &[f64],
    prev: &[f64],
    prev_w: &[f64],
) -> Vec<f64> {
    let d = prior.dims();
    let mut diff = [0.0f64; MAX_DIMS];
    let mut q = vec![0.0f64; prev_w.len()];
    let logw: Vec<f64> = theta
        .chunks_exact(d)
        .map(|x| {
            let mut q_min = f64::INFINITY;
            for (qj, p) in q.iter_mut().zip(prev.chunks_exact(d)) {
                for ((df, xa), pa) in diff.iter_mut().zip(x).zip(p) {
                    *df = xa - pa;
                }
                *qj = kernel.mahalanobis2(&diff[..d]);
                q_min = q_min.min(*qj);
            }
            let s: f64 = q
                .iter()
                .zip(prev_w)
                .map(|(&qj, &wj)| wj * libm::exp(-0.5 * (qj - q_min)))
                .sum();
            libm::log(prior.density(x)) + 0.5 * q_min - libm::log(s)
        })
        .collect();
    normalise_log(&logw)
}

/// exp(logw) normalised to sum 1 (−∞ gives 0).
pub fn normalise_log(logw: &[f64]) -> Vec<f64> {
    let top = logw.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !top.is_finite() {
        return vec![1.0 / logw.len() as f64; logw.len()];
    }
    let w: Vec<f64> = logw.iter().map(|&l| libm::exp(l - top)).collect();
    let s: f64 = w.iter().sum();
    w.into_iter().map(|x| x / s).collect()
}

/// Kish's effective sample size of normalised weights: 1 / Σ w².
pub fn ess(w: &[f64]) -> f64 {
    1.0 / w.iter().map(|x| x * x).sum::<f64>()
}

/// The indices of the `n` smallest distances, closest first (ties: lower index first), and the
/// tolerance: the n-th smallest distance.
pub fn closest(distance: &[f64], n: usize) -> (Vec<usize>, f64) {
    let mut order: Vec<usize> = (0..distance.len()).collect();
    order.sort_by(|&a, &b| distance[a].total_cmp(&distance[b]).then(a.cmp(&b)));
    order.truncate(n);
    let eps = order.last().map_or(f64::INFINITY, |&i| distance[i]);
    (order, eps)
}

/// The distance of simulated statistics `s` from the observed `y`: the Euclidean norm of
/// (s_j − y_j) / scale_j over the statistics used (`used`); +∞ if any used one is not finite.
pub fn distance(s: &[f64], y: &[f64], scale: &[f64], used: &[bool]) -> f64 {
    let mut q = 0.0;
    for (((sj, yj), cj), &u) in s.iter().zip(y).zip(scale).zip(used) {
        if u {
            let z = (sj - yj) / cj;
            if !z.is_finite() {
                return f64::INFINITY;
            }
            q += z * z;
        }
    }
    libm::sqrt(q)
}

/// A robust scale of one statistic over a generation's simulations: 1.4826 × its median
/// absolute deviation, else its standard deviation, else 1 (a statistic that never varies).
pub fn robust_scale(values: &mut [f64]) -> f64 {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if finite.is_empty() {
        return 1.0;
    }
    let med = median(&mut finite.clone());
    let mut dev: Vec<f64> = finite.iter().map(|v| (v - med).abs()).collect();
    let mad = 1.4826 * median(&mut dev);
    if mad > 0.0 {
        return mad;
    }
    let n = finite.len() as f64;
    let mean = finite.iter().sum::<f64>() / n;
    let sd = libm::sqrt(finite.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n);
    if sd > 0.0 { sd } else { 1.0 }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::rng::{Purpose, stream};

    #[test]
    fn kernel_draws_have_the_kernel_covariance() {
        // A population with covariance [[1, 0.5], [0.5, 2]] (equal weights).
        let mut r = stream(1, Purpose::Dynamics, 0);
        let n = 40_000;
        let mut theta = Vec::with_capacity(2 * n);
        for _ in 0..n {
            let (a, b) = (normal(&mut r), normal(&mut r));
            theta.push(a);
            theta.push(0.5 * a + libm::sqrt(1.75) * b);
        }
        let w = vec![1.0 / n as f64; n];
        let k = Kernel::of_population(&theta, &w, 2);
        let mut draws = Vec::with_capacity(2 * n);
        let mut out = [0.0; 2];
        for _ in 0..n {
            k.perturb(&[0.0, 0.0], &mut r, &mut out);
            draws.extend_from_slice(&out);
        }
        let (m, c) = weighted_moments(&draws, &w, 2);
        assert!(m[0].abs() < 0.03 && m[1].abs() < 0.04, "{m:?}");
        for (got, want) in c.iter().zip([1.0, 0.5, 0.5, 2.0]) {
            assert!((got - KERNEL_SCALE * want).abs() < 0.1 * want, "{c:?}");
        }
        // The Mahalanobis length of (1, 0) under S = KERNEL_SCALE · Σ: S₁₁⁻¹ = S₂₂ / det S.
        let q = k.mahalanobis2(&[1.0, 0.0]);
        let (_, cov) = weighted_moments(&theta, &w, 2);
        let det = KERNEL_SCALE * KERNEL_SCALE * (cov[0] * cov[3] - cov[1] * cov[2]);
        assert!((q - KERNEL_SCALE * cov[3] / det).abs() < 1e-9, "{q}");
    }

    #[test]
    fn a_degenerate_population_still_gives_a_kernel() {
        let k = Kernel::of_population(&[1.0, 2.0, 1.0, 2.0], &[0.5, 0.5], 2);
        let mut out = [0.0; 2];
        k.perturb(&[1.0, 2.0], &mut stream(2, Purpose::Dynamics, 0), &mut out);
        assert!(out.iter().all(|x| x.is_finite()));
    }

    #[test]
    fn pick_follows_the_weights() {
        let cum = cumulative(&[0.25, 0.0, 0.75]);
        assert_eq!(pick(&cum, 0.0), 0);
        assert_eq!(pick(&cum, 0.2499), 0);
        assert_eq!(pick(&cum, 0.25), 2);
        assert_eq!(pick(&cum, 0.9999), 2);
    }

    #[test]
    fn weights_of_prior_draws_against_a_wide_kernel_follow_the_prior() {
        // One previous particle at 0 and a kernel much wider than the prior: the proposal
        // density is nearly flat over the prior's support, so weights ∝ prior density.
        let prior = Prior {
            marginals: vec![Distribution::Triangular {
                min: 0.0,
                mode: 0.0,
                max: 1.0,
            }],
        };
        let k = Kernel::of_population(&[-1e3, 1e3], &[0.5, 0.5], 1);
        let w = importance_weights(&prior, &k, &[0.25, 0.75], &[0.0], &[1.0]);
        assert!((w[0] / w[1] - 3.0).abs() < 1e-5, "{w:?}");
    }

    #[test]
    fn closest_breaks_ties_by_index_and_distance_skips_unused() {
        let (idx, eps) = closest(&[0.3, 0.1, 0.3, f64::INFINITY, 0.2], 3);
        assert_eq!(idx, vec![1, 4, 0]);
        assert_eq!(eps, 0.3);
        let d = distance(
            &[1.0, 5.0, 3.0],
            &[0.0, 0.0, 0.0],
            &[1.0, 1.0, 2.0],
            &[true, false, true],
        );
        assert!((d - libm::sqrt(1.0 + 2.25)).abs() < 1e-15);
        assert_eq!(
            distance(&[f64::NAN], &[0.0], &[1.0], &[true]),
            f64::INFINITY
        );
    }

    #[test]
    fn robust_scale_is_the_normal_sd_for_normal_values() {
        let mut r = stream(3, Purpose::Dynamics, 0);
        let mut v: Vec<f64> = (0..50_000).map(|_| 2.0 * normal(&mut r)).collect();
        assert!((robust_scale(&mut v) - 2.0).abs() < 0.05);
        assert_eq!(robust_scale(&mut [1.0, 1.0]), 1.0);
        // MAD zero but values differ: the sd.
        let s = robust_scale(&mut [0.0, 0.0, 0.0, 4.0]);
        assert!((s - libm::sqrt(3.0)).abs() < 1e-12);
    }
}
