//! Load on `cohesion serve` (localhost only): 30 projector pages and the three cells sending
//! commands for one minute (forecasts excluded). Prints the commands' round-trip times
//! (p50, p95, max), checks that every projector stream got every view without a gap, and
//! measures how long an event takes to reach a page on an idle server.
//!
//! `cargo bench --bench serve_load` (a measurement, not a pass/fail test: CI runs a five-second
//! version, `serve::under_load_no_projector_misses_an_event`, that checks no event is dropped).

#[path = "../tests/it/served.rs"]
#[allow(dead_code)]
mod served;

use std::time::Duration;

fn pct(v: &[f64], p: f64) -> f64 {
    v[((p * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1]
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
    let times = served::load_run(30, Duration::from_secs(secs));
    println!(
        "serve_load: 30 projector streams + 3 cells for {secs} s: {} commands, round trip p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms; every projector stream got every view",
        times.len(),
        pct(&times, 0.5),
        pct(&times, 0.95),
        pct(&times, 0.99),
        times.last().copied().unwrap_or(0.0)
    );
    let lat = served::event_latency(50);
    println!(
        "serve_load: command → event on an idle server (50 messages): p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        pct(&lat, 0.5),
        pct(&lat, 0.95),
        lat.last().copied().unwrap_or(0.0)
    );
}
