//! CPU per ally-turn of the full `nato-2021` model: every policy option of the scenario, its
//! 36 monthly turns and 30 allies, three KTAB summits per trial, the engine's statistics (block
//! moments and sketches) included; no CSV, charts or report. One thread.
//!
//! Run with `cargo bench --bench ally_turn`. Criterion's clock here is the process's CPU time
//! (`CLOCK_PROCESS_CPUTIME_ID`, every thread), not the wall clock, so the figure does not depend
//! on what else the machine runs; its throughput line counts ally-turns (elements), so
//! ns per ally-turn = 1,000 / (Melem/s). The figure is also printed directly. First, the
//! bench also times the whole `cohesion run nato-2021 --threads 1 --no-charts` process (CSV
//! writing and the conditions table included, a few ns more per ally-turn) by its user CPU
//! time: the figure. The README gives both and how they were measured.

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use cohesion::engine::Experiment;
use cohesion::scenario::Origin;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// Trials per measured run (every option runs each of them).
const TRIALS: u64 = 256;

fn per_ally_turn(c: &mut Criterion) {
    let sc = cohesion::model::load_scenario(Origin::Builtin("nato-2021.toml".into()))
        .expect("builtin scenario");
    let allies = cohesion::model::alliance::AllianceSim::from_scenario(&sc)
        .expect("build")
        .allies() as u64;
    let sim = cohesion::model::build(&sc).expect("build");
    let options = sc.policies.len() as u64;
    let ally_turns = TRIALS * options * sc.turns as u64 * allies;
    let exp = Experiment {
        scenario: &sc,
        sim: sim.as_ref(),
        policies: (0..sc.policies.len()).collect(),
        trials: TRIALS,
        seed: 1,
        block_size: 256,
        threads: 1,
    };
    let run = || {
        let cancel = AtomicBool::new(false);
        exp.run(&|_, _, _, _, _| {}, &mut |_, _| Ok(()), &|_| {}, &cancel)
            .expect("run")
    };
    // One warm run, then a direct figure over a few runs.
    let _ = run();
    let reps = 4;
    let t0 = cpu_seconds();
    for _ in 0..reps {
        let _ = run();
    }
    let ns = (cpu_seconds() - t0) * 1e9 / (reps as f64 * ally_turns as f64);
    eprintln!(
        "nato-2021: {TRIALS} trials × {options} options × {} turns × {allies} allies, 1 thread: {ns:.1} ns of CPU per ally-turn",
        sc.turns
    );
    whole_run(&sc, allies);
    let mut g = c.benchmark_group("nato_2021_cpu_per_ally_turn");
    g.throughput(Throughput::Elements(ally_turns))
        .sample_size(10)
        .measurement_time(Duration::from_secs(30))
        .warm_up_time(Duration::from_secs(2));
    g.bench_function(format!("{TRIALS}_trials_{options}_options_1_thread"), |b| {
        b.iter_custom(|iters| {
            let t0 = cpu_seconds();
            for _ in 0..iters {
                std::hint::black_box(run());
            }
            Duration::from_secs_f64(cpu_seconds() - t0)
        })
    });
    g.finish();
}

/// The figure: the whole `cohesion run nato-2021 --threads 1 --no-charts` process at
/// the scenario's trial count (reading the scenario, the model, the statistics, every CSV and
/// the conditions table; no charts or report), its user CPU time per ally-turn, median of
/// three runs (`COHESION_BENCH_WHOLE_RUNS` to change; 0 skips).
#[cfg(unix)]
fn whole_run(sc: &cohesion::scenario::Scenario, allies: u64) {
    let runs: usize = std::env::var("COHESION_BENCH_WHOLE_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    if runs == 0 {
        return;
    }
    let dir = tempfile::tempdir().expect("temporary folder");
    let ally_turns = sc.run.trials * sc.policies.len() as u64 * sc.turns as u64 * allies;
    let mut per: Vec<f64> = (0..runs)
        .map(|_| {
            let before = children_user_seconds();
            let st = std::process::Command::new(env!("CARGO_BIN_EXE_cohesion"))
                .args(["run", "nato-2021", "--threads", "1", "--seed", "1"])
                .args(["--no-charts", "--quiet", "--force", "--out"])
                .arg(dir.path().join("out"))
                .status()
                .expect("cohesion run");
            assert!(st.success(), "cohesion run failed");
            (children_user_seconds() - before) * 1e9 / ally_turns as f64
        })
        .collect();
    per.sort_by(f64::total_cmp);
    eprintln!(
        "nato-2021, whole `cohesion run --threads 1 --no-charts` process, {} trials ({ally_turns} ally-turns): {:.1} ns of user CPU per ally-turn (median of {runs}; all: {})",
        sc.run.trials,
        per[runs / 2],
        per.iter()
            .map(|x| format!("{x:.1}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
}

#[cfg(not(unix))]
fn whole_run(_: &cohesion::scenario::Scenario, _: u64) {}

/// User CPU seconds of the finished child processes so far.
#[cfg(unix)]
fn children_user_seconds() -> f64 {
    // SAFETY: `ru` is a valid, writable rusage; RUSAGE_CHILDREN is a constant the C library
    // defines.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) };
    if rc != 0 {
        return f64::NAN;
    }
    ru.ru_utime.tv_sec as f64 + ru.ru_utime.tv_usec as f64 * 1e-6
}

/// CPU seconds used by this process so far, every thread (`CLOCK_PROCESS_CPUTIME_ID`).
#[cfg(unix)]
fn cpu_seconds() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant the C library
    // defines.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return f64::NAN;
    }
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

/// Elsewhere: wall seconds since the first call (the figure is then a wall-clock one).
#[cfg(not(unix))]
fn cpu_seconds() -> f64 {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_secs_f64()
}

criterion_group!(benches, per_ally_turn);
criterion_main!(benches);
