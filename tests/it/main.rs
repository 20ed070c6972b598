//! The integration tests, in one binary: each test binary links the whole crate, so one binary
//! builds once and starts fast. (`tests/hot_loop_alloc.rs` stays apart: it installs a counting
//! global allocator.) Tests that guard a defect are named after the defect they guard.

mod common;
mod util;

mod alliance;
mod bottomline;
mod cli;
mod common_random_numbers;
mod determinism;
mod explore;
mod game;
mod golden;
mod invariants;
mod layers;
mod plot;
mod reference_models;
mod safe_output;
mod scale;
mod slurm;
mod validate;
