//! Writers of a run's results: one small file per table, and the safe output directory.
//!
//! Every table is CSV with a header row and RFC 4180 quoting, in long ("tidy") layout so that
//! pandas and R read it directly. Floats are written in their shortest round-trip form;
//! whole numbers without a decimal point; a missing value as an empty cell (never "NaN").
//! [`parquet`] makes typed Parquet copies of those tables; [`codec`] is the exact binary form
//! of folded statistics that checkpoints and shard parts keep.
//! [`explore`] and [`analysis`] hold the tables of `cohesion explore` and `cohesion discover`.

pub mod allies;
pub mod analysis;
pub mod atomic;
pub mod codec;
pub mod explore;
pub mod injects;
pub mod manifest;
pub mod parquet;
pub mod policies;
pub mod tables;
pub mod trials;

pub use atomic::OutputDir;
