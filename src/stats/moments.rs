//! Running mean and variance (Welford), mergeable in a fixed order (Chan et al.).
//!
//! Each block of trials folds its values in trial order; blocks are then merged in block
//! order. Both orders are fixed by the experiment, never by thread timing, so the result is
//! the same bits on 1 thread or 8, and shards run on other machines merge into exactly the
//! single-machine result.

/// Count, mean, sum of squared deviations, min and max of a stream of values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moments {
    pub n: u64,
    pub mean: f64,
    pub m2: f64,
    pub min: f64,
    pub max: f64,
}

impl Default for Moments {
    fn default() -> Self {
        Moments {
            n: 0,
            mean: 0.0,
            m2: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }
}

impl Moments {
    #[inline]
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
        self.min = self.min.min(x);
        self.max = self.max.max(x);
    }

    /// Adds the values summarised by `o` (which come after this one's in the fixed order).
    pub fn merge(&mut self, o: &Moments) {
        if o.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *o;
            return;
        }
        let n = self.n + o.n;
        let d = o.mean - self.mean;
        let nf = n as f64;
        self.mean += d * (o.n as f64 / nf);
        self.m2 += o.m2 + d * d * (self.n as f64 * o.n as f64 / nf);
        self.n = n;
        self.min = self.min.min(o.min);
        self.max = self.max.max(o.max);
    }

    /// Sample standard deviation (n − 1); 0 for fewer than two values.
    pub fn sd(&self) -> f64 {
        if self.n < 2 {
            0.0
        } else {
            (self.m2.max(0.0) / (self.n - 1) as f64).sqrt()
        }
    }

    /// Monte Carlo standard error of the mean.
    pub fn mcse(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.sd() / (self.n as f64).sqrt()
        }
    }

    /// Normal-approximation 95% interval of the mean.
    pub fn ci95(&self) -> (f64, f64) {
        let h = 1.959963984540054 * self.mcse();
        (self.mean - h, self.mean + h)
    }
}

/// The Wilson score 95% interval of a proportion k/n.
pub fn wilson95(k: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let z = 1.959963984540054_f64;
    let nf = n as f64;
    let p = k as f64 / nf;
    let z2 = z * z;
    let denom = 1.0 + z2 / nf;
    let centre = (p + z2 / (2.0 * nf)) / denom;
    let half = z * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt() / denom;
    // The interval always contains p (rounding put the lower end of 0/n at ~7e-18).
    ((centre - half).clamp(0.0, p), (centre + half).clamp(p, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welford_matches_two_pass_and_merge_matches_sequential() {
        let xs: Vec<f64> = (0..1000)
            .map(|i| ((i * 7919) % 1000) as f64 / 37.0)
            .collect();
        let mut all = Moments::default();
        xs.iter().for_each(|&x| all.push(x));
        let mean = xs.iter().sum::<f64>() / 1000.0;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 999.0;
        assert!((all.mean - mean).abs() < 1e-12);
        assert!((all.sd() - var.sqrt()).abs() < 1e-10);
        let mut merged = Moments::default();
        for chunk in xs.chunks(64) {
            let mut b = Moments::default();
            chunk.iter().for_each(|&x| b.push(x));
            merged.merge(&b);
        }
        assert!((merged.mean - all.mean).abs() < 1e-12);
        assert!((merged.m2 - all.m2).abs() < 1e-8);
        assert_eq!(
            (merged.min, merged.max, merged.n),
            (all.min, all.max, all.n)
        );
    }

    #[test]
    fn wilson_matches_published_example() {
        // Newcombe (1998), example: 81 of 263 → 0.2553 to 0.3662.
        let (lo, hi) = wilson95(81, 263);
        assert!(
            (lo - 0.2553).abs() < 5e-4 && (hi - 0.3662).abs() < 5e-4,
            "{lo} {hi}"
        );
        assert_eq!(wilson95(0, 10).0, 0.0);
        assert!(wilson95(10, 10).1 <= 1.0);
        // Regression: the lower end for 0 of 50 was 6.9e-18, outside the interval's p = 0.
        for n in 1..=1000 {
            assert_eq!(wilson95(0, n).0, 0.0, "n = {n}");
            assert_eq!(wilson95(n, n).1, 1.0, "n = {n}");
        }
    }
}
