//! Whether a difference matters: intervals for differences and a verdict against a band of
//! differences too small to matter.
//!
//! A difference between two options is read against the *negligible band* the scenario
//! declares for the outcome (`[outcomes] negligible.NAME`): it is *better* or *worse* only when
//! its whole 95% interval lies beyond the band on one side; *negligible* when the whole
//! interval lies inside the band (*detectable but negligible* when it also excludes zero: the
//! simulation sees the difference, and it is too small to matter); *undetermined* otherwise
//! (the interval reaches both into the band and beyond it). With no band declared the band is
//! zero and the verdict is the plain "does the interval exclude zero".
//!
//! Paired yes/no differences (the same trials under two options) use Newcombe's score interval
//! for the difference of paired proportions (Newcombe 1998, method 10), not the normal
//! approximation of the mean difference: with a handful of discordant trials the latter is far
//! too narrow, and a rare-event difference resting on four trials would read as firm.
//! Differences of two independent runs use Welch's interval from each run's mean and MCSE.

use super::moments::wilson95;

/// A verdict on a difference (option − baseline, or run B − run A).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Beyond the band, on the better side.
    Better,
    /// Beyond the band, on the worse side.
    Worse,
    /// Beyond the band, upward, for an outcome with no better direction.
    Higher,
    /// Beyond the band, downward, for an outcome with no better direction.
    Lower,
    /// Inside the band, interval includes zero.
    Negligible,
    /// Inside the band, interval excludes zero.
    DetectableNegligible,
    /// The interval reaches both into the band and beyond it, or there is no interval.
    Undetermined,
}

impl Verdict {
    /// The word written in tables (`comparison.csv`'s `verdict` column).
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Better => "better",
            Verdict::Worse => "worse",
            Verdict::Higher => "higher",
            Verdict::Lower => "lower",
            Verdict::Negligible => "negligible",
            Verdict::DetectableNegligible => "detectable but negligible",
            Verdict::Undetermined => "undetermined",
        }
    }

    /// Whether the verdict is a firm effect (may be drawn and labelled as one).
    pub fn firm(self) -> bool {
        matches!(
            self,
            Verdict::Better | Verdict::Worse | Verdict::Higher | Verdict::Lower
        )
    }

    /// The verdict named by [`Verdict::word`].
    pub fn parse(s: &str) -> Option<Verdict> {
        [
            Verdict::Better,
            Verdict::Worse,
            Verdict::Higher,
            Verdict::Lower,
            Verdict::Negligible,
            Verdict::DetectableNegligible,
            Verdict::Undetermined,
        ]
        .into_iter()
        .find(|v| v.word() == s)
    }
}

/// The verdict on a difference with 95% interval `[lo, hi]` against the band `±band`;
/// `higher_is_better` says which side is better, when known.
pub fn verdict(lo: f64, hi: f64, band: f64, higher_is_better: Option<bool>) -> Verdict {
    if !(lo.is_finite() && hi.is_finite()) || lo > hi {
        return Verdict::Undetermined;
    }
    let band = if band.is_finite() { band.max(0.0) } else { 0.0 };
    if lo >= -band && hi <= band {
        return if lo > 0.0 || hi < 0.0 {
            Verdict::DetectableNegligible
        } else {
            Verdict::Negligible
        };
    }
    let up = if lo > band {
        true
    } else if hi < -band {
        false
    } else {
        return Verdict::Undetermined;
    };
    match higher_is_better {
        Some(h) if h == up => Verdict::Better,
        Some(_) => Verdict::Worse,
        None if up => Verdict::Higher,
        None => Verdict::Lower,
    }
}

/// Newcombe's (1998) method 10: the 95% score interval for the difference θ = (f − g)/n of
/// two paired proportions, from the paired table `e` (yes under both), `f` (yes under the
/// first only), `g` (yes under the second only), `h` (yes under neither). It combines the
/// Wilson intervals of the two proportions with the correlation of the pairs (φ, with
/// Newcombe's continuity correction of a positive AD − BC by N/2).
pub fn newcombe_paired(e: u64, f: u64, g: u64, h: u64) -> (f64, f64) {
    let n = e + f + g + h;
    if n == 0 {
        return (-1.0, 1.0);
    }
    let nf = n as f64;
    let (p1, p2) = ((e + f) as f64 / nf, (e + g) as f64 / nf);
    let (l1, u1) = wilson95(e + f, n);
    let (l2, u2) = wilson95(e + g, n);
    let (ef, ff, gf, hf) = (e as f64, f as f64, g as f64, h as f64);
    let denom = (ef + ff) * (gf + hf) * (ef + gf) * (ff + hf);
    let phi = if denom > 0.0 {
        let b = ef * hf - ff * gf;
        let c = if b > nf / 2.0 {
            b - nf / 2.0
        } else if b < 0.0 {
            b
        } else {
            0.0
        };
        c / denom.sqrt()
    } else {
        0.0
    };
    let theta = p1 - p2;
    let (a1, b1) = (p1 - l1, u1 - p1);
    let (a2, b2) = (p2 - l2, u2 - p2);
    let delta = (a1 * a1 - 2.0 * phi * a1 * b2 + b2 * b2).max(0.0).sqrt();
    let eps = (b1 * b1 - 2.0 * phi * b1 * a2 + a2 * a2).max(0.0).sqrt();
    ((theta - delta).max(-1.0), (theta + eps).min(1.0))
}

/// The paired table (e, f, g, h) of a yes/no outcome from what the accumulators keep: the
/// trials `n` with both values, the yes count of the first side, and the sum of squares of the
/// paired differences (`m2 + n·mean²`, which is f + g for differences in {−1, 0, 1}) and their
/// sum (`n·mean` = f − g).
pub fn paired_table(n: u64, yes_a: u64, sum_d: f64, sum_d2: f64) -> (u64, u64, u64, u64) {
    let disc = sum_d2.round().max(0.0) as u64;
    let net = sum_d.round() as i64;
    let f = ((disc as i64 + net) / 2).max(0) as u64;
    let g = disc.saturating_sub(f);
    let e = yes_a.saturating_sub(f);
    let h = n.saturating_sub(e + f + g);
    (e, f, g, h)
}

/// Student's t quantile for the two-sided 95% interval with `df` degrees of freedom.
pub fn t975(df: f64) -> f64 {
    if !df.is_finite() || df > 1e7 {
        return 1.959963984540054;
    }
    let df = df.max(1.0);
    // P(|T| > t) = I_{df/(df+t²)}(df/2, 1/2) = 0.05.
    let x = crate::kernel::special::inc_beta_inv(df / 2.0, 0.5, 0.05);
    (df * (1.0 - x) / x).sqrt()
}

/// Welch's 95% interval for the difference `m_b − m_a` of two independent means, each with
/// its standard error and its number of values.
pub fn welch(m_a: f64, se_a: f64, n_a: u64, m_b: f64, se_b: f64, n_b: u64) -> (f64, f64, f64) {
    let d = m_b - m_a;
    let (va, vb) = (se_a * se_a, se_b * se_b);
    let v = va + vb;
    if v <= 0.0 {
        return (d, d, d);
    }
    let df = v * v
        / (if n_a > 1 {
            va * va / (n_a - 1) as f64
        } else {
            0.0
        } + if n_b > 1 {
            vb * vb / (n_b - 1) as f64
        } else {
            0.0
        })
        .max(1e-300);
    let h = t975(df) * v.sqrt();
    (d, d - h, d + h)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Newcombe (1998), "Improved confidence intervals for the difference between binomial
    /// proportions based on paired data", Statistics in Medicine 17:2635–2650, Table II:
    /// the limits of method 10 for each example table (e, f, g, h), to 4 decimals.
    const NEWCOMBE_TABLE_II: [(u64, u64, u64, u64, f64, f64); 18] = [
        (36, 12, 2, 0, 0.0569, 0.3404),
        (20, 12, 2, 16, 0.0562, 0.3292),
        (18, 12, 2, 18, 0.0562, 0.3290),
        (36, 14, 0, 0, 0.1528, 0.4167),
        (35, 14, 0, 1, 0.1461, 0.4175),
        (18, 14, 0, 18, 0.1441, 0.3963),
        (2, 97, 1, 0, 0.8721, 0.9854),
        (1, 97, 1, 1, 0.8736, 0.9850),
        (0, 29, 1, 0, 0.6666, 0.9882),
        (2, 98, 0, 0, 0.9178, 0.9945),
        (1, 98, 0, 1, 0.9171, 0.9916),
        (0, 30, 0, 0, 0.8395, 1.0),
        (54, 0, 0, 0, -0.0664, 0.0664),
        (53, 0, 0, 1, -0.0729, 0.0729),
        (30, 0, 0, 24, -0.0358, 0.0358),
        (29, 0, 0, 25, -0.0354, 0.0354),
        (28, 0, 0, 26, -0.0352, 0.0352),
        (27, 0, 0, 27, -0.0351, 0.0351),
    ];

    #[test]
    fn newcombe_method_10_reproduces_the_papers_table() {
        for (e, f, g, h, lo, hi) in NEWCOMBE_TABLE_II {
            let (a, b) = newcombe_paired(e, f, g, h);
            assert!(
                (a - lo).abs() < 1e-4 && (b - hi).abs() < 1e-4,
                "({e},{f},{g},{h}): got [{a:.5}, {b:.5}], paper [{lo}, {hi}]"
            );
        }
    }

    #[test]
    fn newcombe_method_10_agrees_with_another_implementation() {
        // Fagerland, Lydersen & Laake, "Statistical Analysis of Contingency Tables" (2017),
        // ch. 8, the Cavo et al. (2012) table, Newcombe square-and-add: -0.0621 (-0.1186 to
        // -0.0046); as their R package `contingencytables` prints it.
        let (a, b) = newcombe_paired(59, 6, 16, 80);
        assert!(
            (a + 0.1186).abs() < 6e-5 && (b + 0.0046).abs() < 6e-5,
            "[{a}, {b}]"
        );
    }

    #[test]
    fn four_discordant_trials_are_not_a_firm_effect() {
        // 1000 paired trials, 4 where the option has the event and the baseline not, none the
        // other way: the mean-difference normal interval excludes zero, Newcombe's does not.
        let (n, f) = (1000u64, 4u64);
        let mean = f as f64 / n as f64;
        let sd = ((f as f64 * (1.0 - mean).powi(2) + (n - f) as f64 * mean * mean)
            / (n - 1) as f64)
            .sqrt();
        let wald_lo = mean - 1.959963984540054 * sd / (n as f64).sqrt();
        assert!(wald_lo > 0.0);
        let (lo, hi) = newcombe_paired(10, f, 0, n - 10 - f);
        assert!(lo < 0.0 && hi > 0.0, "[{lo}, {hi}]");
        assert_eq!(verdict(lo, hi, 0.0, Some(false)), Verdict::Undetermined);
    }

    #[test]
    fn the_paired_table_is_recovered_from_moments() {
        // e = 5, f = 3, g = 1, h = 11: differences +1 ×3, −1 ×1, 0 ×16.
        let mut m = crate::stats::Moments::default();
        for d in [1.0, 1.0, 1.0, -1.0].into_iter().chain([0.0; 16]) {
            m.push(d);
        }
        let sum_d2 = m.m2 + m.n as f64 * m.mean * m.mean;
        let t = paired_table(m.n, 8, m.n as f64 * m.mean, sum_d2);
        assert_eq!(t, (5, 3, 1, 11));
    }

    #[test]
    fn verdicts_against_the_band() {
        let hib = Some(true);
        assert_eq!(verdict(0.02, 0.05, 0.01, hib), Verdict::Better);
        assert_eq!(verdict(-0.05, -0.02, 0.01, hib), Verdict::Worse);
        assert_eq!(verdict(-0.05, -0.02, 0.01, None), Verdict::Lower);
        assert_eq!(
            verdict(0.001, 0.003, 0.01, hib),
            Verdict::DetectableNegligible
        );
        assert_eq!(verdict(-0.003, 0.004, 0.01, hib), Verdict::Negligible);
        assert_eq!(verdict(0.005, 0.02, 0.01, hib), Verdict::Undetermined);
        assert_eq!(verdict(-0.02, 0.02, 0.01, hib), Verdict::Undetermined);
        // No band: any interval that excludes zero is an effect.
        assert_eq!(verdict(0.001, 0.003, 0.0, Some(false)), Verdict::Worse);
        assert_eq!(verdict(0.0, 0.0, 0.0, hib), Verdict::Negligible);
        for v in [
            Verdict::Better,
            Verdict::DetectableNegligible,
            Verdict::Undetermined,
        ] {
            assert_eq!(Verdict::parse(v.word()), Some(v));
        }
    }

    #[test]
    fn t_quantiles_match_tables() {
        // Student's t, 0.975 quantile (e.g. Abramowitz & Stegun, Table 26.10).
        for (df, t) in [
            (1.0, 12.706),
            (5.0, 2.571),
            (10.0, 2.228),
            (30.0, 2.042),
            (120.0, 1.980),
        ] {
            assert!((t975(df) - t).abs() < 1e-3, "df {df}: {}", t975(df));
        }
        // Welch: equal standard errors and sizes give df = 2(n − 1).
        let (d, lo, hi) = welch(1.0, 0.1, 11, 1.5, 0.1, 11);
        assert!((d - 0.5).abs() < 1e-12);
        let h = t975(20.0) * (0.02f64).sqrt();
        assert!((lo - (0.5 - h)).abs() < 1e-9 && (hi - (0.5 + h)).abs() < 1e-9);
    }
}
