//! Random streams: every random number in cohesion comes from here.
//!
//! A stream is a pure function of (master seed, purpose, trial): a `ChaCha8Rng` whose key is
//! the BLAKE3 hash of the seed and the purpose's name, positioned on stream number `trial`.
//! Separate purposes get separate keys, so a policy option that draws more adversary moves
//! never shifts the scripted-event or uncertainty draws of another option (common random
//! numbers). There is no per-thread or unseeded generator anywhere: rand's default features
//! are off, so `rand::rng()` and `thread_rng` do not even exist in this build.
//!
//! The conversions below (`unit`, `below`, …) are written out rather than taken from
//! `RngExt` so that the mapping from bits to numbers is fixed by this file, not by a crate
//! version.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// What a stream is used for. Each purpose has its own key, hence its own independent stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Purpose {
    /// Drawing the uncertain parameters of a trial (once per trial, shared by every option).
    Uncertainty,
    /// Initial conditions of the model state (e.g. initial opinions).
    Init,
    /// Model dynamics that are not choices of an actor (e.g. which pair meets).
    Dynamics,
    /// The adversary's moves.
    Adversary,
    /// Random events beside the scripted injects.
    Events,
    /// Decisions of actors (unilateral channels, consensus, bargaining).
    Decisions,
    /// Building an experimental design (Sobol digital shifts, Latin hypercube permutations,
    /// Morris trajectories): stream = 0, or the trajectory.
    Design,
    /// Resampling for bootstrap intervals: stream = the statistic being resampled.
    Resample,
}

impl Purpose {
    pub const ALL: [Purpose; 8] = [
        Purpose::Uncertainty,
        Purpose::Init,
        Purpose::Dynamics,
        Purpose::Adversary,
        Purpose::Events,
        Purpose::Decisions,
        Purpose::Design,
        Purpose::Resample,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Purpose::Uncertainty => "uncertainty",
            Purpose::Init => "init",
            Purpose::Dynamics => "dynamics",
            Purpose::Adversary => "adversary",
            Purpose::Events => "events",
            Purpose::Decisions => "decisions",
            Purpose::Design => "design",
            Purpose::Resample => "resample",
        }
    }
}

/// The 32-byte ChaCha key of (seed, purpose).
pub fn stream_key(seed: u64, purpose: Purpose) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    h.update(b"cohesion/stream/v1\0");
    h.update(&seed.to_le_bytes());
    h.update(purpose.name().as_bytes());
    *h.finalize().as_bytes()
}

/// The master seed of a sub-experiment of the experiment seeded `seed`: the first eight bytes
/// of BLAKE3 of the seed, a label naming what the sub-experiment is for (e.g.
/// `"calibrate/model"`) and its index (e.g. a calibration's generation). Streams derived from it
/// are independent of the experiment's own streams and of every other (label, index).
pub fn derived_seed(seed: u64, label: &str, index: u64) -> u64 {
    let mut h = blake3::Hasher::new();
    h.update(b"cohesion/derived-seed/v1\0");
    h.update(&seed.to_le_bytes());
    h.update(label.as_bytes());
    h.update(b"\0");
    h.update(&index.to_le_bytes());
    let b = h.finalize();
    u64::from_le_bytes(b.as_bytes()[..8].try_into().expect("8 bytes"))
}

/// The generator for (seed, purpose, trial), at the start of its stream.
pub fn stream(seed: u64, purpose: Purpose, trial: u64) -> ChaCha8Rng {
    stream_from_key(&stream_key(seed, purpose), trial)
}

/// As [`stream`], from a precomputed key (cheap: no hashing).
pub fn stream_from_key(key: &[u8; 32], trial: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::from_seed(*key);
    rng.set_stream(trial);
    rng
}

/// Precomputed keys of every purpose for one master seed.
#[derive(Debug, Clone)]
pub struct StreamKeys {
    pub seed: u64,
    keys: [[u8; 32]; 8],
}

impl StreamKeys {
    pub fn new(seed: u64) -> Self {
        let keys = Purpose::ALL.map(|p| stream_key(seed, p));
        StreamKeys { seed, keys }
    }

    pub fn stream(&self, purpose: Purpose, trial: u64) -> ChaCha8Rng {
        let i = Purpose::ALL.iter().position(|p| *p == purpose).unwrap_or(0);
        stream_from_key(&self.keys[i], trial)
    }

    /// The model-facing streams of one trial, each at its start.
    pub fn trial_streams(&self, trial: u64) -> Streams {
        Streams {
            init: self.stream(Purpose::Init, trial),
            dynamics: self.stream(Purpose::Dynamics, trial),
            adversary: self.stream(Purpose::Adversary, trial),
            events: self.stream(Purpose::Events, trial),
            decisions: self.stream(Purpose::Decisions, trial),
        }
    }
}

/// The streams a model draws from during one trial of one policy option. Every option of a
/// trial starts from the same streams (common random numbers).
#[derive(Debug, Clone)]
pub struct Streams {
    pub init: ChaCha8Rng,
    pub dynamics: ChaCha8Rng,
    pub adversary: ChaCha8Rng,
    pub events: ChaCha8Rng,
    pub decisions: ChaCha8Rng,
}

/// A uniform double in [0, 1): the top 53 bits of one 64-bit word.
#[inline]
pub fn unit<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A uniform double in (0, 1): never exactly zero, for logarithms.
#[inline]
pub fn unit_open<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    ((rng.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
}

/// A uniform double in [lo, hi).
#[inline]
pub fn uniform<R: Rng + ?Sized>(rng: &mut R, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * unit(rng)
}

/// True with probability `p` (clamped to [0, 1]); always consumes exactly one word.
#[inline]
pub fn chance<R: Rng + ?Sized>(rng: &mut R, p: f64) -> bool {
    unit(rng) < p
}

/// A uniform integer in [0, n) without bias (Lemire's multiply-and-reject). `n` must be > 0.
#[inline]
pub fn below<R: Rng + ?Sized>(rng: &mut R, n: u64) -> u64 {
    debug_assert!(n > 0);
    let mut m = (rng.next_u64() as u128) * (n as u128);
    if (m as u64) < n {
        let t = n.wrapping_neg() % n;
        while (m as u64) < t {
            m = (rng.next_u64() as u128) * (n as u128);
        }
    }
    (m >> 64) as u64
}

/// A standard normal deviate (Box–Muller on the portable `libm` functions, one pair per call;
/// the second value is discarded so that the number of words drawn is fixed at two).
#[inline]
pub fn normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    let u1 = unit_open(rng);
    let u2 = unit(rng);
    libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(std::f64::consts::TAU * u2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_pure_functions_of_seed_purpose_trial() {
        let a = stream(7, Purpose::Adversary, 3).next_u64();
        let b = stream(7, Purpose::Adversary, 3).next_u64();
        assert_eq!(a, b);
        assert_ne!(a, stream(7, Purpose::Adversary, 4).next_u64());
        assert_ne!(a, stream(7, Purpose::Events, 3).next_u64());
        assert_ne!(a, stream(8, Purpose::Adversary, 3).next_u64());
        assert_eq!(
            a,
            StreamKeys::new(7).stream(Purpose::Adversary, 3).next_u64()
        );
    }

    /// The first words of every purpose's stream for seed 42 (trial 0: two words; trial 1: one),
    /// pinned when the derivation was fixed (BLAKE3 key of "cohesion/stream/v1", seed and
    /// purpose; ChaCha8 on stream = trial). If this fails, every seed's results have changed:
    /// that is a new stream version, to be named in CHANGELOG.md, never a silent edit here.
    #[test]
    fn golden_first_words_of_every_stream() {
        let golden: [(Purpose, [u64; 3]); 6] = [
            (
                Purpose::Uncertainty,
                [0x7f511d8e1c6aaa97, 0x8510bfe31f819887, 0x5526494ec4d9fab7],
            ),
            (
                Purpose::Init,
                [0x9d780ebe3c3509e3, 0x21b993b5652f7522, 0xa5eea6c26d56e281],
            ),
            (
                Purpose::Dynamics,
                [0xe3a0161ab1e0ce36, 0x5504c860b0ceb87e, 0x5b1219c5157e2a06],
            ),
            (
                Purpose::Adversary,
                [0x1bc64dae006f2b4b, 0xf5860314c874631e, 0x1d2e9ad9c0bd5ef3],
            ),
            (
                Purpose::Events,
                [0x74add7512de24c18, 0x97cfeb57db702d97, 0x9c9e72a64aa9b6ff],
            ),
            (
                Purpose::Decisions,
                [0x924c91de652ed193, 0xd28a8523cebf527f, 0x2d4a10f124ff2368],
            ),
        ];
        for (p, w) in golden {
            let mut r0 = stream(42, p, 0);
            let got = [r0.next_u64(), r0.next_u64(), stream(42, p, 1).next_u64()];
            assert_eq!(got, w, "stream words of {p:?} changed");
        }
        // The conversions from words to numbers are pinned too.
        let mut r = stream(7, Purpose::Dynamics, 3);
        assert_eq!(unit(&mut r).to_bits(), 4605821348640496985);
        assert_eq!(normal(&mut r).to_bits(), 13823236273374239073);
        assert_eq!(below(&mut r, 1000), 857);
        assert_eq!(uniform(&mut r, -2.0, 3.0).to_bits(), 4613423091602917598);
    }

    #[test]
    fn derived_seeds_are_pinned_and_distinct() {
        let a = derived_seed(42, "calibrate/model", 0);
        assert_eq!(a, derived_seed(42, "calibrate/model", 0));
        assert_ne!(a, derived_seed(42, "calibrate/model", 1));
        assert_ne!(a, derived_seed(42, "calibrate/proposal", 0));
        assert_ne!(a, derived_seed(43, "calibrate/model", 0));
        assert_ne!(a, 42);
        // Label and index cannot run into each other.
        assert_ne!(derived_seed(1, "a", 0x62), derived_seed(1, "ab", 0));
    }

    #[test]
    fn below_is_in_range_and_roughly_uniform() {
        let mut r = stream(1, Purpose::Dynamics, 0);
        let mut counts = [0u32; 7];
        for _ in 0..70_000 {
            counts[below(&mut r, 7) as usize] += 1;
        }
        for c in counts {
            assert!((9_000..11_000).contains(&c), "{counts:?}");
        }
    }

    #[test]
    fn normal_has_unit_moments() {
        let mut r = stream(1, Purpose::Dynamics, 1);
        let n = 200_000;
        let (mut s, mut s2) = (0.0, 0.0);
        for _ in 0..n {
            let x = normal(&mut r);
            s += x;
            s2 += x * x;
        }
        let m = s / n as f64;
        assert!(m.abs() < 0.01, "{m}");
        assert!((s2 / n as f64 - 1.0).abs() < 0.02);
    }
}
