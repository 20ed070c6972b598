//! Special functions that several layers need: the regularised incomplete beta function, its
//! inverse, and the binomial upper tail built on it.
//!
//! The distributions of uncertain parameters need the beta quantile (a design point is a
//! quantile of each parameter's distribution), and scenario discovery needs the binomial tail
//! (PRIM's quasi-p-values). Both rest on I_x(a, b), computed with the continued fraction of
//! Numerical Recipes (Press et al., 3rd ed., §6.4) evaluated by the modified Lentz method, on the
//! portable `libm` functions so that every platform gets the same bits.

/// ln B(a, b).
fn ln_beta(a: f64, b: f64) -> f64 {
    libm::lgamma(a) + libm::lgamma(b) - libm::lgamma(a + b)
}

/// The continued fraction of I_x(a, b) (valid where x < (a + 1) / (a + b + 2)).
fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    const EPS: f64 = 1e-16;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..10_000 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < EPS {
            break;
        }
    }
    h
}

/// The regularised incomplete beta function I_x(a, b) for a, b > 0 and x in [0, 1].
pub fn inc_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = a * libm::log(x) + b * libm::log1p(-x) - ln_beta(a, b);
    if x < (a + 1.0) / (a + b + 2.0) {
        libm::exp(ln_front) * beta_cf(a, b, x) / a
    } else {
        1.0 - libm::exp(ln_front) * beta_cf(b, a, 1.0 - x) / b
    }
}

/// The x in [0, 1] with I_x(a, b) = p: bisection narrowed by Newton steps, to full precision.
pub fn inc_beta_inv(a: f64, b: f64, p: f64) -> f64 {
    if p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    let mut x = a / (a + b);
    let lnb = ln_beta(a, b);
    for _ in 0..200 {
        let f = inc_beta(a, b, x) - p;
        if f == 0.0 {
            return x;
        }
        if f < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        // Newton step on the density; fall back to bisection when it leaves the bracket.
        let dens = libm::exp((a - 1.0) * libm::log(x) + (b - 1.0) * libm::log1p(-x) - lnb);
        let mut next = if dens.is_finite() && dens > 0.0 {
            x - f / dens
        } else {
            f64::NAN
        };
        if !(next > lo && next < hi) {
            next = 0.5 * (lo + hi);
        }
        if (next - x).abs() <= 4.0 * f64::EPSILON * x.max(f64::MIN_POSITIVE) || hi - lo < 1e-300 {
            return next;
        }
        x = next;
    }
    x
}

/// P(X ≥ k) for X ~ Binomial(n, p): the one-sided p-value of observing k or more successes.
pub fn binomial_upper_tail(k: u64, n: u64, p: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if k > n || p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    inc_beta(k as f64, (n - k + 1) as f64, p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incomplete_beta_matches_closed_forms() {
        // I_x(1, 1) = x; I_x(a, 1) = x^a; I_x(1, b) = 1 - (1 - x)^b.
        for x in [0.01, 0.3, 0.5, 0.77, 0.999] {
            assert!((inc_beta(1.0, 1.0, x) - x).abs() < 1e-15);
            assert!((inc_beta(3.5, 1.0, x) - libm::pow(x, 3.5)).abs() < 1e-14);
            assert!((inc_beta(1.0, 2.5, x) - (1.0 - libm::pow(1.0 - x, 2.5))).abs() < 1e-14);
        }
        // I_{1/2}(a, a) = 1/2 by symmetry.
        assert!((inc_beta(7.3, 7.3, 0.5) - 0.5).abs() < 1e-14);
    }

    #[test]
    fn the_inverse_inverts() {
        for (a, b) in [(2.0, 2.0), (0.5, 0.5), (2.0, 5.0), (30.0, 0.7)] {
            for p in [1e-9, 0.025, 0.3, 0.5, 0.9, 0.999] {
                let x = inc_beta_inv(a, b, p);
                assert!((inc_beta(a, b, x) - p).abs() < 1e-12, "{a} {b} {p} {x}");
            }
        }
    }

    #[test]
    fn binomial_tail_matches_direct_sums() {
        let n = 20u64;
        let p: f64 = 0.3;
        let pmf = |k: u64| {
            let mut c = 1.0;
            for i in 0..k {
                c = c * (n - i) as f64 / (i + 1) as f64;
            }
            c * p.powi(k as i32) * (1.0 - p).powi((n - k) as i32)
        };
        for k in 0..=n {
            let direct: f64 = (k..=n).map(pmf).sum();
            assert!((binomial_upper_tail(k, n, p) - direct).abs() < 1e-13, "{k}");
        }
        assert_eq!(binomial_upper_tail(21, 20, 0.3), 0.0);
    }
}
