//! The processor features this build was compiled for, checked once at start-up.
//!
//! x86-64 builds target x86-64-v3 by default (`.cargo/config.toml`): the compiler may use
//! those instructions anywhere, so on an older processor the program would die of an illegal
//! instruction at some arbitrary point. [`missing`] lists the features the build assumes and
//! the processor lacks, so that `main` can say so and stop before any of them is used.

/// The features this build was compiled to assume that the processor does not have (empty
/// on other architectures, and for a build without them).
pub fn missing() -> Vec<&'static str> {
    #[allow(unused_mut)]
    let mut out = Vec::new();
    #[cfg(target_arch = "x86_64")]
    {
        macro_rules! check {
            ($($f:tt),*) => {$(
                if cfg!(target_feature = $f) && !std::arch::is_x86_feature_detected!($f) {
                    out.push($f);
                }
            )*};
        }
        check!(
            "sse3", "ssse3", "sse4.1", "sse4.2", "popcnt", "avx", "avx2", "bmi1", "bmi2", "fma",
            "lzcnt", "movbe", "f16c", "xsave"
        );
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_build_machine_has_what_the_build_assumes() {
        // The tests run on the machine they were built for.
        assert_eq!(super::missing(), Vec::<&str>::new());
    }
}
