//! Two toy models whose posteriors are known from outside the program, built in so that the
//! calibration (`cohesion calibrate`) can be checked end to end through the binary.
//!
//! * `toy-normal`: n observations y_j ~ N(θ, σ²) with σ known; the outcome is the sample mean,
//!   a sufficient statistic. Under a normal prior θ ~ N(μ₀, τ₀²) the posterior is normal with
//!   precision 1/τ₀² + n/σ² and mean (μ₀/τ₀² + n ȳ/σ²) / precision (the conjugate result).
//! * `toy-nonlinear`: n observations at each of x = 0 and x = 1 of y = a·e^{b x} + σ ε; the
//!   outcomes are the two sample means (sufficient for (a, b) given σ). The posterior has no
//!   closed form; the tests integrate it numerically on a grid.
//!
//! Both draw only from the `dynamics` stream, a fixed number of words per trial (two per
//! observation), and run one turn.

use super::{
    ModelSpec, NoTrace, OutcomeKind, OutcomeSpec, ParamSpec, Params, Runner, SeriesSpec,
    Simulation, Tracer, TrialOut,
};
use crate::kernel::rng::{Streams, normal};
use crate::kernel::trace::Trace;
use crate::scenario::{Issues, Scenario};

/// Which toy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Toy {
    Normal,
    Nonlinear,
}

/// Bound of the outcomes' declared range (far outside anything the parameters' ranges give).
const BOUND: f64 = 1e9;

pub static NORMAL_PARAMS: &[ParamSpec] = &[
    ParamSpec::real(
        "theta",
        -100.0,
        100.0,
        0.0,
        "the unknown mean θ of the observations",
    ),
    ParamSpec::real(
        "sigma",
        1e-6,
        100.0,
        1.0,
        "the known standard deviation σ of one observation",
    ),
    ParamSpec::int(
        "observations",
        1,
        100_000,
        10,
        "number n of observations in a sample",
    ),
];

pub static NONLINEAR_PARAMS: &[ParamSpec] = &[
    ParamSpec::real("a", -100.0, 100.0, 1.0, "level a: the mean of y at x = 0"),
    ParamSpec::real(
        "b",
        -5.0,
        5.0,
        0.0,
        "growth rate b: the mean of y at x = 1 is a·e^b",
    ),
    ParamSpec::real(
        "sigma",
        1e-6,
        100.0,
        1.0,
        "the known standard deviation σ of one observation",
    ),
    ParamSpec::int(
        "observations",
        1,
        100_000,
        10,
        "number n of observations at each x",
    ),
];

pub static NORMAL_SPEC: ModelSpec = ModelSpec {
    kind: "toy-normal",
    title: "Toy: the mean of a normal sample with known variance (for checking calibration)",
    description: "n observations y_j ~ N(theta, sigma^2), sigma known; the outcome is their sample mean. \
Under a normal prior on theta the posterior is normal in closed form (conjugate), which `cohesion calibrate` \
is checked against.",
    params: NORMAL_PARAMS,
    actor_fields: &[],
    needs_actors: false,
    inject_kinds: &[],
};

pub static NONLINEAR_SPEC: ModelSpec = ModelSpec {
    kind: "toy-nonlinear",
    title: "Toy: an exponential curve a·e^(b x) observed at x = 0 and 1 (for checking calibration)",
    description: "n observations at each of x = 0 and x = 1 of y = a e^(b x) + sigma eps, sigma known; the \
outcomes are the two sample means. The posterior of (a, b) is computed by numerical integration on a grid in \
the tests, which `cohesion calibrate` is checked against.",
    params: NONLINEAR_PARAMS,
    actor_fields: &[],
    needs_actors: false,
    inject_kinds: &[],
};

pub static NORMAL: super::Model = super::Model {
    spec: &NORMAL_SPEC,
    build: |sc| build(sc, Toy::Normal),
};

pub static NONLINEAR: super::Model = super::Model {
    spec: &NONLINEAR_SPEC,
    build: |sc| build(sc, Toy::Nonlinear),
};

struct ToySim {
    toy: Toy,
    outcomes: Vec<OutcomeSpec>,
    series: Vec<SeriesSpec>,
}

fn build(sc: &Scenario, toy: Toy) -> Result<Box<dyn Simulation>, Issues> {
    let mut issues = Issues::new();
    if sc.turns != 1 {
        issues.add(
            "scenario.turns",
            format!(
                "{} turns given; allowed: 1 (a toy model draws one sample)",
                sc.turns
            ),
        );
    }
    issues.into_result(())?;
    let real = OutcomeKind::Real {
        min: -BOUND,
        max: BOUND,
    };
    let names: &[(&str, &str)] = match toy {
        Toy::Normal => &[("sample_mean", "mean of the n observations")],
        Toy::Nonlinear => &[
            ("mean_y0", "mean of the n observations at x = 0"),
            ("mean_y1", "mean of the n observations at x = 1"),
        ],
    };
    Ok(Box::new(ToySim {
        toy,
        outcomes: names
            .iter()
            .map(|(n, m)| OutcomeSpec::new(*n, real, *m))
            .collect(),
        series: names
            .iter()
            .map(|(n, m)| SeriesSpec::new(*n, -BOUND, BOUND, *m))
            .collect(),
    }))
}

impl Simulation for ToySim {
    fn outcomes(&self) -> &[OutcomeSpec] {
        &self.outcomes
    }
    fn series(&self) -> &[SeriesSpec] {
        &self.series
    }
    fn turns(&self) -> usize {
        1
    }
    fn runner(&self) -> Box<dyn Runner + '_> {
        Box::new(ToyRunner { toy: self.toy })
    }
}

struct ToyRunner {
    toy: Toy,
}

/// The mean of `n` draws of N(mean, sd²) from `st.dynamics`.
fn sample_mean(mean: f64, sd: f64, n: usize, st: &mut Streams) -> f64 {
    let mut s = 0.0;
    for _ in 0..n {
        s += normal(&mut st.dynamics);
    }
    mean + sd * s / n as f64
}

impl ToyRunner {
    fn go<T: Tracer>(&mut self, p: &Params, st: &mut Streams, out: &mut TrialOut, tr: &mut T) {
        let n = p.int(match self.toy {
            Toy::Normal => 2,
            Toy::Nonlinear => 3,
        }) as usize;
        match self.toy {
            Toy::Normal => {
                let m = sample_mean(p.get(0), p.get(1), n, st);
                out.outcomes[0] = m;
            }
            Toy::Nonlinear => {
                let (a, b, sd) = (p.get(0), p.get(1), p.get(2));
                out.outcomes[0] = sample_mean(a, sd, n, st);
                out.outcomes[1] = sample_mean(a * libm::exp(b), sd, n, st);
            }
        }
        let k = out.outcomes.len();
        out.series[..k].copy_from_slice(&out.outcomes[..k]);
        out.turns_run = 1;
        if T::ENABLED {
            for (i, &v) in out.outcomes.iter().enumerate() {
                tr.state(1, "", &format!("statistic{i}"), v);
            }
        }
    }
}

impl Runner for ToyRunner {
    fn run(&mut self, p: &Params, st: &mut Streams, out: &mut TrialOut) {
        self.go(p, st, out, &mut NoTrace);
    }
    fn run_traced(&mut self, p: &Params, st: &mut Streams, out: &mut TrialOut, tr: &mut Trace) {
        self.go(p, st, out, tr);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::rng::StreamKeys;

    #[test]
    fn sample_means_have_the_model_moments() {
        let keys = StreamKeys::new(3);
        let n = 20_000;
        let (mut s, mut s2) = (0.0, 0.0);
        for k in 0..n {
            let m = sample_mean(2.0, 1.5, 9, &mut keys.trial_streams(k));
            s += m;
            s2 += m * m;
        }
        let mean = s / n as f64;
        let var = s2 / n as f64 - mean * mean;
        // The mean of 9 draws: mean 2, variance 1.5² / 9 = 0.25.
        assert!((mean - 2.0).abs() < 0.01, "{mean}");
        assert!((var - 0.25).abs() < 0.01, "{var}");
    }
}
