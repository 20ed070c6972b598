//! Writers of a run's results: one small file per table, and the safe output directory.
//!
//! Every table is CSV with a header row and RFC 4180 quoting, in long ("tidy") layout so that
//! pandas and R read it directly. Floats are written in their shortest round-trip form;
//! whole numbers without a decimal point; a missing value as an empty cell (never "NaN").

pub mod allies;
pub mod atomic;
pub mod injects;
pub mod manifest;
pub mod policies;
pub mod tables;
pub mod trials;

pub use atomic::OutputDir;
