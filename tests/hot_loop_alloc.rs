//! The per-turn hot loop allocates nothing: after a runner's first trial (which may size its
//! buffers), further trials of every built-in time-stepped model make no heap allocation.
//! Counted with a global allocator that tallies allocations on this thread.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use cohesion::kernel::rng::StreamKeys;
use cohesion::model::{Params, TrialOut};
use cohesion::scenario::Origin;

struct Counting;

thread_local! {
    static COUNT: Cell<u64> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        COUNT.with(|c| c.set(c.get() + 1));
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        COUNT.with(|c| c.set(c.get() + 1));
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static A: Counting = Counting;

fn allocations_per_trial(name: &str) -> u64 {
    let sc =
        cohesion::model::load_scenario(Origin::Builtin(format!("{name}.toml"))).expect("scenario");
    let sim = cohesion::model::build(&sc).expect("build");
    let keys = StreamKeys::new(11);
    let mut runner = sim.runner();
    let mut out = TrialOut::new(sim.outcomes().len(), sim.series().len(), sim.turns());
    let mut params = Params {
        values: sc.base.clone(),
    };
    let mut draws = vec![0.0; sc.uncertainties.len()];
    // Warm-up: first trials may size buffers.
    for k in 0..3 {
        cohesion::engine::draw_uncertainties(&sc, &keys, k, &mut draws);
        cohesion::engine::set_params(&sc, sc.baseline, &draws, &mut params);
        let mut st = keys.trial_streams(k);
        runner.run(&params, &mut st, &mut out);
    }
    let mut total = 0;
    for k in 3..13 {
        for p in 0..sc.policies.len() {
            cohesion::engine::draw_uncertainties(&sc, &keys, k, &mut draws);
            cohesion::engine::set_params(&sc, p, &draws, &mut params);
            let mut st = keys.trial_streams(k);
            let before = COUNT.with(|c| c.get());
            runner.run(&params, &mut st, &mut out);
            total += COUNT.with(|c| c.get()) - before;
        }
    }
    total
}

#[test]
fn hegselmann_krause_trials_allocate_nothing() {
    assert_eq!(allocations_per_trial("reference/hk-0.25"), 0);
}

#[test]
fn deffuant_trials_allocate_nothing() {
    assert_eq!(allocations_per_trial("reference/deffuant-0.6"), 0);
}

#[test]
fn toy_model_trials_allocate_nothing() {
    // The calibration's simulations run these by the million.
    assert_eq!(allocations_per_trial("reference/toy-normal"), 0);
    assert_eq!(allocations_per_trial("reference/toy-nonlinear"), 0);
}

#[test]
fn the_counter_sees_allocations() {
    // KTAB's state-0 analysis builds its matrices per call: proves the counter counts.
    assert!(allocations_per_trial("reference/ktab-soe-pol-comp") > 0);
}

#[test]
fn alliance_trials_allocate_nothing() {
    assert_eq!(allocations_per_trial("nato-2021"), 0);
    assert_eq!(allocations_per_trial("nato-2021-invasion"), 0);
}
