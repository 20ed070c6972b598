//! The block runner: the one place where work is spread over threads.
//!
//! Every Monte Carlo loop of cohesion (the trials of a run, the continuations of a game's
//! forecast, and any later design of experiments) is cut into numbered blocks of a fixed size
//! that belongs to the experiment, not to the machine. A [`BlockJob`] says how to compute one
//! block from its number alone; [`Pool::run`] computes blocks on the worker threads, a wave at
//! a time, while the calling thread folds the finished blocks strictly in the order it was
//! given. Whatever the number of threads and whichever block finishes first, the fold sees the
//! same blocks in the same order, so results are the same bits; and since only a few waves
//! exist at once, memory does not grow with the number of blocks. A job whose blocks are large
//! (a long horizon's statistics) says so ([`BlockJob::bytes_per_block`]), and its waves are cut
//! to [`WAVE_BYTES`] (never below one block per thread), so what is in flight stays bounded.
//!
//! A block is computed whole or not at all: when `cancel` is raised a job abandons its block
//! and returns `None`, and the run ends with [`EngineError::Interrupted`] without folding it.

use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

/// The most worker threads a pool may have (more only costs time starting them).
pub const MAX_THREADS: usize = 256;

/// The most bytes of finished blocks a wave should hold (see [`BlockJob::bytes_per_block`]).
pub const WAVE_BYTES: usize = 32 << 20;

/// Work cut into blocks that can be computed independently, from their number alone.
pub trait BlockJob: Sync {
    /// What one block yields.
    type Output: Send;
    /// Computes block `b` whole; `None` if `cancel` was raised before it finished.
    fn run_block(&self, b: u64, cancel: &AtomicBool) -> Option<Self::Output>;
    /// At most how many bytes one block's output holds (0: small, not worth counting).
    fn bytes_per_block(&self) -> usize {
        0
    }
}

/// What the fold tells the runner after each block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Fold the next block.
    Continue,
    /// Enough: fold no more blocks (adaptive stopping).
    Stop,
}

/// Why a run stopped early.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("interrupted")]
    Interrupted,
    #[error("--threads {0}: allowed: a whole number from 1 to {MAX_THREADS}")]
    TooManyThreads(usize),
    #[error("could not start {0} worker threads: {1}")]
    Threads(usize, String),
    #[error(transparent)]
    Sink(#[from] anyhow::Error),
}

/// How a run of blocks ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Finished {
    /// Blocks folded.
    pub folded: usize,
    /// Whether the fold asked to stop before every block was folded.
    pub stopped_early: bool,
}

/// Worker threads that compute blocks.
pub struct Pool {
    pool: rayon::ThreadPool,
    threads: usize,
}

impl Pool {
    /// A pool of `threads` workers (1 to [`MAX_THREADS`]).
    pub fn new(threads: usize) -> Result<Pool, EngineError> {
        if threads == 0 || threads > MAX_THREADS {
            return Err(EngineError::TooManyThreads(threads));
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| EngineError::Threads(threads, e.to_string()))?;
        Ok(Pool { pool, threads })
    }

    /// The number of cores, the default thread count.
    pub fn default_threads() -> usize {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .min(MAX_THREADS)
    }

    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Computes `blocks` with `job` and hands each output to `fold`, in the order of `blocks`.
    /// `items_per_block` (trials, continuations…) sizes the waves: at least two blocks per
    /// thread and about a thousand items, so that small blocks keep every worker busy.
    pub fn run<J: BlockJob>(
        &self,
        job: &J,
        blocks: &[u64],
        items_per_block: u64,
        fold: &mut dyn FnMut(u64, J::Output) -> anyhow::Result<Flow>,
        cancel: &AtomicBool,
    ) -> Result<Finished, EngineError> {
        let mut wave = (self.threads * 2)
            .max(1024u64.div_ceil(items_per_block.max(1)) as usize)
            .max(1);
        if let Some(fit) = WAVE_BYTES.checked_div(job.bytes_per_block()) {
            wave = wave.min(fit.max(self.threads));
        }
        let mut folded = 0usize;
        let mut stopped_early = false;
        // A producer computes waves on the pool while this thread folds the previous one: at
        // most three waves exist at once, consumed in order whatever order their blocks
        // finished in.
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<(u64, Option<J::Output>)>>(1);
        let stop = AtomicBool::new(false);
        std::thread::scope(|scope| -> Result<(), EngineError> {
            let stop_ref = &stop;
            scope.spawn(move || {
                for ids in blocks.chunks(wave) {
                    if cancel.load(Ordering::Relaxed) || stop_ref.load(Ordering::Relaxed) {
                        break;
                    }
                    let outs: Vec<(u64, Option<J::Output>)> = self.pool.install(|| {
                        ids.par_iter()
                            .map(|&b| (b, job.run_block(b, cancel)))
                            .collect()
                    });
                    if tx.send(outs).is_err() {
                        break;
                    }
                }
            });
            // Owned here so that an early return drops it and unblocks the producer.
            let rx = rx;
            for outs in rx.iter() {
                for (b, out) in outs {
                    let Some(out) = out.filter(|_| !cancel.load(Ordering::Relaxed)) else {
                        stop.store(true, Ordering::Relaxed);
                        return Err(EngineError::Interrupted);
                    };
                    let flow = fold(b, out).map_err(|e| {
                        stop.store(true, Ordering::Relaxed);
                        EngineError::Sink(e)
                    })?;
                    folded += 1;
                    if flow == Flow::Stop {
                        stop.store(true, Ordering::Relaxed);
                        stopped_early = folded < blocks.len();
                        return Ok(());
                    }
                }
            }
            Ok(())
        })?;
        if cancel.load(Ordering::Relaxed) && folded < blocks.len() && !stopped_early {
            return Err(EngineError::Interrupted);
        }
        Ok(Finished {
            folded,
            stopped_early,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Block b yields the sum of b's items, slowly enough for threads to interleave.
    struct Sums;
    impl BlockJob for Sums {
        type Output = Vec<u64>;
        fn run_block(&self, b: u64, cancel: &AtomicBool) -> Option<Vec<u64>> {
            let mut v = Vec::new();
            for i in 0..50 {
                if cancel.load(Ordering::Relaxed) {
                    return None;
                }
                v.push(b * 1000 + i);
            }
            Some(v)
        }
    }

    fn fold_all(threads: usize, blocks: &[u64]) -> Vec<u64> {
        let pool = Pool::new(threads).unwrap();
        let mut seen = Vec::new();
        let done = pool
            .run(
                &Sums,
                blocks,
                50,
                &mut |b, v| {
                    seen.push(b);
                    seen.extend(v);
                    Ok(Flow::Continue)
                },
                &AtomicBool::new(false),
            )
            .unwrap();
        assert_eq!(done.folded, blocks.len());
        seen
    }

    #[test]
    fn blocks_are_folded_in_the_order_given_for_any_thread_count() {
        let blocks: Vec<u64> = (0..97).collect();
        let one = fold_all(1, &blocks);
        assert_eq!(one, fold_all(2, &blocks));
        assert_eq!(one, fold_all(7, &blocks));
        let some = [5, 3, 90, 4];
        let firsts: Vec<u64> = fold_all(3, &some).chunks(51).map(|c| c[0]).collect();
        assert_eq!(firsts, some);
    }

    #[test]
    fn the_fold_can_stop_early_and_cancellation_folds_nothing_partial() {
        let pool = Pool::new(2).unwrap();
        let blocks: Vec<u64> = (0..40).collect();
        let mut n = 0;
        let done = pool
            .run(
                &Sums,
                &blocks,
                50,
                &mut |_, _| {
                    n += 1;
                    Ok(if n == 5 { Flow::Stop } else { Flow::Continue })
                },
                &AtomicBool::new(false),
            )
            .unwrap();
        assert_eq!((done.folded, done.stopped_early), (5, true));
        let cancel = AtomicBool::new(true);
        let r = pool.run(&Sums, &blocks, 50, &mut |_, _| Ok(Flow::Continue), &cancel);
        assert!(matches!(r, Err(EngineError::Interrupted)));
    }

    #[test]
    fn thread_counts_are_bounded() {
        assert!(matches!(Pool::new(0), Err(EngineError::TooManyThreads(0))));
        assert!(Pool::new(MAX_THREADS + 1).is_err());
    }
}
