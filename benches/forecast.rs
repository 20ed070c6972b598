//! Wargame forecast benchmark: 10,000 Monte Carlo continuations of `nato-2021` from the
//! start of the session (turn 1) to the end of the horizon (36 turns), as `forecast n=10000`
//! at the prompt computes them, on all cores (results do not depend on the thread count).
//!
//! Run with `cargo bench --bench forecast`. The requirement: under 2 s on the 2-core machine.

use std::time::Duration;

use cohesion::game::adapter::World;
use cohesion::game::forecast::{forecast_seed, summarize};
use cohesion::scenario::{self, Origin};
use criterion::{Criterion, criterion_group, criterion_main};

fn forecast(c: &mut Criterion) {
    let sc = scenario::load(Origin::Builtin("nato-2021.toml".into())).expect("nato-2021");
    let world = World::new(&sc, 2021).expect("world");
    let mv = world.levers.clone();
    let seed = forecast_seed(world.seed(), 1);
    let mut g = c.benchmark_group("forecast");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .warm_up_time(Duration::from_secs(2));
    g.bench_function("nato-2021/10000 continuations/36 turns", |b| {
        b.iter(|| {
            let p = world.forecast(std::slice::from_ref(&mv), 10_000, world.horizon(), seed);
            summarize(&p)
        })
    });
    g.finish();
}

criterion_group!(benches, forecast);
criterion_main!(benches);
