//! Sobol' low-discrepancy points from the Joe–Kuo direction numbers.
//!
//! The direction numbers are the first 100 dimensions of the published table
//! `new-joe-kuo-6.21201` (S. Joe and F. Y. Kuo, "Constructing Sobol sequences with better
//! two-dimensional projections", SIAM J. Sci. Comput. 30, 2635–2654, 2008), vendored with its
//! licence under `third_party/joe-kuo/`. Dimension 1 is van der Corput's sequence (all m = 1),
//! as in the authors' `sobol.cc`. Points come in Gray-code order, as in `sobol.cc` and
//! SciPy's `qmc.Sobol`, and each is computed from its index alone, so that a block of design
//! points can be built on any worker without the points before it.
//!
//! [`Sobol::unit`] applies a random digital shift (an XOR of each coordinate's 32 bits with a
//! seeded word, one per dimension): a randomised quasi-Monte Carlo design that keeps the net
//! structure of the points, never puts a point on a face of the cube, and gives a different
//! but equally good design for each seed. [`Sobol::bits`] gives the unshifted points.

use crate::kernel::rng::{Purpose, stream};
use rand::Rng;

/// The vendored table: header and dimensions 2 to 100.
const TABLE: &str = include_str!("../../third_party/joe-kuo/new-joe-kuo-6.21201.first100");

/// The most dimensions the vendored table gives.
pub const MAX_DIMS: usize = 100;

/// Bits per coordinate.
const BITS: usize = 32;

/// A Sobol' sequence in a fixed number of dimensions.
#[derive(Debug, Clone)]
pub struct Sobol {
    /// `v[d][k]`: direction number k + 1 of dimension d, scaled by 2^32.
    v: Vec<[u32; BITS]>,
    /// The digital shift of each dimension (zero: unshifted).
    shift: Vec<u32>,
}

impl Sobol {
    /// The first `dims` dimensions (1 to [`MAX_DIMS`]), unshifted.
    pub fn new(dims: usize) -> Result<Sobol, String> {
        if dims == 0 || dims > MAX_DIMS {
            return Err(format!(
                "a Sobol' sequence in {dims} dimensions; allowed: 1 to {MAX_DIMS}"
            ));
        }
        let mut v = Vec::with_capacity(dims);
        let mut first = [0u32; BITS];
        for (k, slot) in first.iter_mut().enumerate() {
            *slot = 1u32 << (BITS - 1 - k);
        }
        v.push(first);
        for line in TABLE.lines().skip(1).take(dims - 1) {
            let f: Vec<u32> = line
                .split_whitespace()
                .map(|w| w.parse().expect("the vendored table holds numbers"))
                .collect();
            let (s, a, m) = (f[1] as usize, f[2], &f[3..]);
            let mut vd = [0u32; BITS];
            for k in 0..BITS {
                vd[k] = if k < s {
                    m[k] << (BITS - 1 - k)
                } else {
                    let mut x = vd[k - s] ^ (vd[k - s] >> s);
                    for j in 1..s {
                        if (a >> (s - 1 - j)) & 1 == 1 {
                            x ^= vd[k - j];
                        }
                    }
                    x
                };
            }
            v.push(vd);
        }
        Ok(Sobol {
            shift: vec![0; dims],
            v,
        })
    }

    /// The same sequence with a random digital shift per dimension, drawn from the design
    /// stream of `seed`.
    pub fn shifted(dims: usize, seed: u64) -> Result<Sobol, String> {
        let mut s = Sobol::new(dims)?;
        let mut rng = stream(seed, Purpose::Design, 0);
        for x in &mut s.shift {
            *x = rng.next_u32();
        }
        Ok(s)
    }

    pub fn dims(&self) -> usize {
        self.v.len()
    }

    /// Point `i` (Gray-code order) as 32-bit integers, before the shift.
    pub fn bits(&self, i: u64, out: &mut [u32]) {
        let g = i ^ (i >> 1);
        for (d, slot) in out.iter_mut().enumerate().take(self.v.len()) {
            let mut x = 0u32;
            let mut rest = g;
            let mut k = 0;
            while rest != 0 && k < BITS {
                if rest & 1 == 1 {
                    x ^= self.v[d][k];
                }
                rest >>= 1;
                k += 1;
            }
            *slot = x;
        }
    }

    /// Point `i` in the open unit cube: shifted, at the centre of its 2^-32 cell.
    pub fn unit(&self, i: u64, out: &mut [f64]) {
        let mut b = vec![0u32; self.v.len()];
        self.bits(i, &mut b);
        for ((slot, x), s) in out.iter_mut().zip(&b).zip(&self.shift) {
            *slot = ((x ^ s) as f64 + 0.5) / 4_294_967_296.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(s: &Sobol, i: u64) -> Vec<f64> {
        let mut b = vec![0u32; s.dims()];
        s.bits(i, &mut b);
        b.iter().map(|&x| x as f64 / 4_294_967_296.0).collect()
    }

    #[test]
    fn points_match_scipy_unscrambled_sobol() {
        // scipy.stats.qmc.Sobol(5, scramble=False).random(8) (SciPy 1.x, same direction numbers).
        let want: [[f64; 5]; 8] = [
            [0.0, 0.0, 0.0, 0.0, 0.0],
            [0.5, 0.5, 0.5, 0.5, 0.5],
            [0.75, 0.25, 0.25, 0.25, 0.75],
            [0.25, 0.75, 0.75, 0.75, 0.25],
            [0.375, 0.375, 0.625, 0.875, 0.375],
            [0.875, 0.875, 0.125, 0.375, 0.875],
            [0.625, 0.125, 0.875, 0.625, 0.625],
            [0.125, 0.625, 0.375, 0.125, 0.125],
        ];
        let s = Sobol::new(5).unwrap();
        for (i, w) in want.iter().enumerate() {
            assert_eq!(raw(&s, i as u64), w.to_vec(), "point {i}");
        }
        // scipy.stats.qmc.Sobol(100, scramble=False).random(1024): point 1023, dims 96–100, and
        // point 777, dims 1, 2, 50, 51, 100.
        let s = Sobol::new(100).unwrap();
        let p = raw(&s, 1023);
        assert_eq!(
            &p[95..100],
            &[
                0.0224609375,
                0.5224609375,
                0.9208984375,
                0.9716796875,
                0.5302734375
            ]
        );
        let p = raw(&s, 777);
        assert_eq!(
            [p[0], p[1], p[49], p[50], p[99]],
            [
                0.6923828125,
                0.9365234375,
                0.9521484375,
                0.0830078125,
                0.5107421875
            ]
        );
    }

    #[test]
    fn shifted_points_stay_stratified_and_inside_the_cube() {
        // The first 2^m points of a digitally shifted Sobol' sequence still put exactly one point
        // in each of the 2^m intervals of every coordinate.
        let s = Sobol::shifted(7, 42).unwrap();
        let mut seen = vec![[false; 64]; 7];
        let mut u = [0.0; 7];
        for i in 0..64 {
            s.unit(i, &mut u);
            for (d, &x) in u.iter().enumerate() {
                assert!(x > 0.0 && x < 1.0);
                let cell = (x * 64.0) as usize;
                assert!(!seen[d][cell], "dimension {d}, cell {cell} twice");
                seen[d][cell] = true;
            }
        }
        assert!(Sobol::new(0).is_err() && Sobol::new(101).is_err());
    }
}
