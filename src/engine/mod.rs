//! The engine: the one place that schedules Monte Carlo work over threads and folds its
//! results in a fixed order.
//!
//! [`pool`] is the block runner every loop goes through (the trials of a run, a game's
//! forecast continuations, and any later design of experiments): a fixed block size, blocks
//! computed on a bounded pool of worker threads, outputs folded in block order, so that the
//! result is the same bits for any number of threads. [`trials`] is the run's job: the trials of
//! every policy option of a scenario on common random numbers, with their statistics, for all
//! blocks or a given list of them (a shard, the rest of a resumed run); [`stopping`] is the
//! rule that ends a run early once the asked precision is reached.
//! [`explore`] runs the points of an experimental design the same way (`cohesion explore`).
//! [`allies`] plays one option's trials on the calling thread and summarises the per-ally
//! outcomes.
//!
//! [`calibration`] is the calibration's job (ABC-SMC, its arithmetic in [`abc`]): generations
//! of simulations at proposed parameters, against target statistics of the model's outputs.

pub mod abc;
pub mod allies;
pub mod calibration;
pub mod explore;
pub mod pool;
pub mod stopping;
pub mod trials;

pub use allies::{AllySummary, ally_summary};
pub use calibration::{Calibration, CalibrationResult, GenerationSummary, Statistic, Target};
pub use pool::{BlockJob, EngineError, Finished, Flow, MAX_THREADS, Pool};
pub use stopping::Precision;
pub use trials::{
    BlockOutput, Experiment, RowFormatter, draw_uncertainties, set_params, trace_trial,
};
