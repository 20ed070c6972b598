//! The alliance model's per-turn loop allocates nothing: after a runner's first trials, further
//! trials of `nato-2021` and its invasion hindcast — every option, summits (KTAB bargaining)
//! included — make no heap allocation. Counted with a global allocator that tallies the
//! allocations of this thread.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use cohesion::engine::rng::StreamKeys;
use cohesion::engine::{draw_uncertainties, set_params};
use cohesion::model::{Params, TrialOut};
use cohesion::scenario::{self, Origin};

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

#[test]
fn alliance_trials_allocate_nothing() {
    for name in ["nato-2021", "nato-2021-invasion"] {
        let sc = scenario::load(Origin::Builtin(format!("{name}.toml"))).expect("scenario");
        let sim = (sc.model.build)(&sc).expect("build");
        let keys = StreamKeys::new(11);
        let mut runner = sim.runner();
        let mut out = TrialOut::new(sim.outcomes().len(), sim.series().len(), sim.turns());
        let mut params = Params {
            values: sc.base.clone(),
        };
        let mut draws = vec![0.0; sc.uncertainties.len()];
        for k in 0..2 {
            draw_uncertainties(&sc, &keys, k, &mut draws);
            set_params(&sc, sc.baseline, &draws, &mut params);
            runner.run(&params, &mut keys.trial_streams(k), &mut out);
        }
        let mut total = 0;
        for k in 2..12 {
            for p in 0..sc.policies.len() {
                draw_uncertainties(&sc, &keys, k, &mut draws);
                set_params(&sc, p, &draws, &mut params);
                let mut st = keys.trial_streams(k);
                let before = COUNT.with(|c| c.get());
                runner.run(&params, &mut st, &mut out);
                total += COUNT.with(|c| c.get()) - before;
            }
        }
        assert_eq!(total, 0, "{name}: {total} allocations in 50 trials");
    }
}
