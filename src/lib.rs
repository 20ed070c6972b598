//! cohesion: a policy-option scenario simulator.
//!
//! Data flows one way: a [`scenario`] file is loaded and validated against the declaration
//! of a [`model`]; the [`engine`] runs seeded Monte Carlo trials of every policy option in
//! parallel, driving the model; [`stats`] aggregates the results in bounded memory; and
//! [`output`] writes the tables and the manifest; [`plot`] draws charts from those tables and
//! [`report`] puts charts and tables on one HTML page. [`run`] strings these together for
//! `cohesion run`; [`explore`] does the same for an experimental design over the scenario's
//! assumptions (`cohesion explore`) and scenario discovery (`cohesion discover`); [`calibrate`]
//! fits named parameters to target statistics (`cohesion calibrate`, ABC-SMC); [`history`]
//! holds a finished hindcast run against the record of 2022–2024; [`game`] plays a wargame
//! session turn by turn at a prompt and [`serve`] serves the same session to the cells'
//! browsers; the binary's `cli` module only parses arguments and reports.

pub mod calibrate;
pub mod engine;
pub mod explore;
pub mod game;
pub mod history;
pub mod kernel;
pub mod model;
pub mod output;
pub mod plot;
pub mod report;
pub mod run;
pub mod scenario;
pub mod serve;
pub mod spec;
pub mod stats;

/// The version written in manifests.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
