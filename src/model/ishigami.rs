//! The Ishigami–Homma (1990) test function, as a built-in model for checking sensitivity
//! analysis: y = sin x1 + a sin² x2 + b x3⁴ sin x1, with x1, x2, x3 uniform on [−π, π].
//!
//! Its Sobol' indices are known in closed form (Saltelli et al., "Global Sensitivity Analysis:
//! The Primer", 2008, §4.9; Sobol' and Levitan 1999): with a = 7, b = 0.1, S1 = 0.3139,
//! S2 = 0.4424, S3 = 0, ST1 = 0.5576, ST2 = 0.4424, ST3 = 0.2437, and S13 = 0.2437. The model is
//! deterministic (it draws nothing from its streams) and lasts one turn; the shipped scenario
//! `ishigami` draws x1, x2, x3 as uncertainties, so `cohesion explore ishigami` must give back
//! those numbers.

use super::{
    Model, ModelSpec, OutcomeKind, OutcomeSpec, ParamSpec, Params, Runner, SeriesSpec, Simulation,
    Trace, TrialOut,
};
use crate::kernel::rng::Streams;
use crate::scenario::Scenario;
use crate::scenario::issues::Issues;

const PI: f64 = std::f64::consts::PI;

pub static PARAMS: &[ParamSpec] = &[
    ParamSpec::real("x1", -PI, PI, 0.0, "first input (radians)"),
    ParamSpec::real("x2", -PI, PI, 0.0, "second input (radians)"),
    ParamSpec::real("x3", -PI, PI, 0.0, "third input (radians)"),
    ParamSpec::real(
        "a",
        0.0,
        100.0,
        7.0,
        "weight of sin² x2 (7 in the usual benchmark)",
    ),
    ParamSpec::real(
        "b",
        0.0,
        10.0,
        0.1,
        "weight of x3⁴ sin x1 (0.1 in the usual benchmark)",
    ),
];

pub static SPEC: ModelSpec = ModelSpec {
    kind: "ishigami",
    title: "Ishigami–Homma test function (sensitivity analysis benchmark)",
    description: "y = sin x1 + a sin² x2 + b x3⁴ sin x1 (Ishigami & Homma 1990). With x1, x2, x3 uniform on \
[−π, π], a = 7 and b = 0.1, the Sobol' indices are S1 = 0.3139, S2 = 0.4424, S3 = 0 and ST1 = 0.5576, \
ST2 = 0.4424, ST3 = 0.2437 (Saltelli et al. 2008). Deterministic; one turn.",
    params: PARAMS,
    actor_fields: &[],
    needs_actors: false,
    inject_kinds: &[],
};

pub static MODEL: Model = Model { spec: &SPEC, build };

/// The function itself.
pub fn ishigami(x1: f64, x2: f64, x3: f64, a: f64, b: f64) -> f64 {
    let s2 = libm::sin(x2);
    let x3_2 = x3 * x3;
    libm::sin(x1) * (1.0 + b * x3_2 * x3_2) + a * s2 * s2
}

struct Ishigami {
    outcomes: Vec<OutcomeSpec>,
}

fn build(_sc: &Scenario) -> Result<Box<dyn Simulation>, Issues> {
    Ok(Box::new(Ishigami {
        outcomes: vec![OutcomeSpec::new(
            "y",
            // |y| <= 1 + a + b π⁴ for the parameter ranges; the histogram range covers a ≤ 100,
            // b ≤ 10 only roughly, which affects quantiles, not means or indices.
            OutcomeKind::Real {
                min: -20.0,
                max: 20.0,
            },
            "the Ishigami function at the trial's inputs",
        )],
    }))
}

impl Simulation for Ishigami {
    fn outcomes(&self) -> &[OutcomeSpec] {
        &self.outcomes
    }
    fn series(&self) -> &[SeriesSpec] {
        &[]
    }
    fn turns(&self) -> usize {
        1
    }
    fn runner(&self) -> Box<dyn Runner + '_> {
        Box::new(IshigamiRunner)
    }
}

struct IshigamiRunner;

impl Runner for IshigamiRunner {
    fn run(&mut self, p: &Params, _streams: &mut Streams, out: &mut TrialOut) {
        out.outcomes[0] = ishigami(p.get(0), p.get(1), p.get(2), p.get(3), p.get(4));
        out.turns_run = 1;
    }
    fn run_traced(&mut self, p: &Params, s: &mut Streams, out: &mut TrialOut, _trace: &mut Trace) {
        self.run(p, s, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_form_indices_follow_from_the_variances() {
        // Saltelli et al. (2008) §4.9: V = a²/8 + bπ⁴/5 + b²π⁸/18 + 1/2,
        // V1 = (1 + bπ⁴/5)²/2, V2 = a²/8, V13 = b²π⁸(1/18 − 1/50).
        let (a, b) = (7.0f64, 0.1f64);
        let pi4 = PI.powi(4);
        let v = a * a / 8.0 + b * pi4 / 5.0 + b * b * pi4 * pi4 / 18.0 + 0.5;
        let v1 = 0.5 * (1.0 + b * pi4 / 5.0).powi(2);
        let v2 = a * a / 8.0;
        let v13 = b * b * pi4 * pi4 * (1.0 / 18.0 - 1.0 / 50.0);
        assert!((v1 / v - 0.3139).abs() < 5e-5);
        assert!((v2 / v - 0.4424).abs() < 5e-5);
        assert!(((v1 + v13) / v - 0.5576).abs() < 5e-5);
        assert!((v13 / v - 0.2437).abs() < 5e-5);
        // And the function is the published one.
        assert!((ishigami(PI / 2.0, PI / 2.0, 1.0, a, b) - (1.1 + 7.0)).abs() < 1e-12);
    }
}
