//! The integration tests, in one binary: each test binary links the whole crate, so one binary
//! builds once and starts fast. (`tests/hot_loop_alloc.rs` stays apart: it installs a counting
//! global allocator.) Tests that guard a defect are named after the defect they guard.

mod common;
mod util;

mod alliance;
mod bad_input;
mod bottomline;
mod browser;
mod calibrate;
mod channel_record;
mod cli;
mod common_random_numbers;
mod conditions;
mod determinism;
mod effects;
mod explore;
mod fuzz;
mod game;
mod golden;
mod history;
mod invariants;
mod layers;
mod plot;
mod plot_input;
mod reference_models;
mod safe_output;
mod scale;
mod serve;
mod served;
mod session_log;
mod signals;
mod slurm;
mod validate;
