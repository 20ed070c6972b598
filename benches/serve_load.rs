//! Load on `cohesion serve` (localhost only): 30 projector pages and the three cells sending
//! commands for one minute (forecasts excluded), on the shipped 30-ally scenario `nato-2021`.
//! Prints the commands' round-trip times (p50, p95, p99, max), checks that every projector
//! stream got every view without a gap, measures how long an event takes to reach a page on an
//! idle server, and reports the machine's load average during the run (the figure means little
//! without it).
//!
//! `cargo bench --bench serve_load` (a measurement, not a pass/fail test: CI runs a five-second
//! version on the small test scenario, `serve::under_load_no_projector_misses_an_event`, that
//! checks no event is dropped). `COHESION_LOAD_SECONDS` shortens or lengthens the run;
//! `COHESION_LOAD_SCENARIO` runs another scenario (a file or a built-in name).

#[path = "../tests/it/served.rs"]
#[allow(dead_code)]
mod served;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

fn pct(v: &[f64], p: f64) -> f64 {
    v[((p * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1]
}

/// The one-minute load average (Linux's /proc/loadavg), when there is one.
fn loadavg() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("serve_load: run with `cargo bench --bench serve_load`");
        return;
    }
    let secs: u64 = std::env::var("COHESION_LOAD_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let scenario = std::env::var("COHESION_LOAD_SCENARIO").unwrap_or_else(|_| "nato-2021".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    // The load average, sampled every 5 s while the run lasts.
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut v = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                v.extend(loadavg());
                for _ in 0..50 {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
            v.extend(loadavg());
            v
        })
    };
    let times = served::load_run(&scenario, 30, Duration::from_secs(secs));
    stop.store(true, Ordering::Relaxed);
    let loads = sampler.join().unwrap_or_default();
    let (lo, hi) = loads
        .iter()
        .fold((f64::INFINITY, 0.0f64), |(a, b), &x| (a.min(x), b.max(x)));
    println!(
        "serve_load: scenario `{scenario}`, {cores} cores, one-minute load average {lo:.1}–{hi:.1} during the run"
    );
    println!(
        "serve_load: 30 projector streams + 3 cells for {secs} s: {} commands, round trip p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms; every projector stream got every view",
        times.len(),
        pct(&times, 0.5),
        pct(&times, 0.95),
        pct(&times, 0.99),
        times.last().copied().unwrap_or(0.0)
    );
    let lat = served::event_latency(&scenario, 50);
    println!(
        "serve_load: command → event on an otherwise idle server (50 messages): p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        pct(&lat, 0.5),
        pct(&lat, 0.95),
        lat.last().copied().unwrap_or(0.0)
    );
}
