//! `[model] kind = "bargaining"`: KTAB's spatial bargaining model on its own.
//!
//! Analysts give a table of actors with a capability and, on up to three policy dimensions,
//! a position and a salience (0–100, as in KTAB's CSV inputs). Each trial perturbs
//! capabilities and positions by the (optionally uncertain) noise parameters and computes,
//! with KTAB's conventions (`smp.rs`), every actor's inferred risk attitude and the
//! probability that its position prevails, and the probability-weighted expected outcome.
//! With zero noise every trial reproduces KTAB's state-0 analysis exactly.

pub mod smp;
mod smp1d;

use super::{
    ActorField, FieldKind, ModelSpec, NoTrace, OutcomeKind, OutcomeSpec, ParamSpec, Params, Runner,
    SeriesSpec, Simulation, Tracer, TrialOut,
};
use crate::kernel::rng::{Streams, normal};
use crate::kernel::trace::Trace;
use crate::scenario::{Issues, Scenario};

const P_DIMS: usize = 0;
const P_CAP_NOISE: usize = 1;
const P_POS_NOISE: usize = 2;

static PARAMS: &[ParamSpec] = &[
    ParamSpec::int(
        "dimensions",
        1,
        3,
        2,
        "number of policy dimensions read from the actor table",
    ),
    ParamSpec::real(
        "capability_noise",
        0.0,
        2.0,
        0.0,
        "sd of the log-normal factor on each actor's capability, per trial",
    ),
    ParamSpec::real(
        "position_noise",
        0.0,
        50.0,
        0.0,
        "sd of normal noise on each position (0–100 scale), per trial",
    ),
];

const POS: FieldKind = FieldKind::Real {
    min: 0.0,
    max: 100.0,
};

static FIELDS: &[ActorField] = &[
    ActorField {
        name: "capability",
        kind: FieldKind::Real {
            min: 0.0,
            max: 1e12,
        },
        required: true,
        meaning: "influence (KTAB sCap)",
    },
    ActorField {
        name: "position_1",
        kind: POS,
        required: true,
        meaning: "position on dimension 1 (0–100)",
    },
    ActorField {
        name: "salience_1",
        kind: POS,
        required: true,
        meaning: "salience of dimension 1 (0–100)",
    },
    ActorField {
        name: "position_2",
        kind: POS,
        required: false,
        meaning: "position on dimension 2 (0–100)",
    },
    ActorField {
        name: "salience_2",
        kind: POS,
        required: false,
        meaning: "salience of dimension 2 (0–100)",
    },
    ActorField {
        name: "position_3",
        kind: POS,
        required: false,
        meaning: "position on dimension 3 (0–100)",
    },
    ActorField {
        name: "salience_3",
        kind: POS,
        required: false,
        meaning: "salience of dimension 3 (0–100)",
    },
];

pub static SPEC: ModelSpec = ModelSpec {
    kind: "bargaining",
    title: "KTAB spatial bargaining (state-0 win probabilities and risk attitudes)",
    description: "The spatial bargaining model of KAPSARC's KTAB (MIT licence): salience-weighted distance, \
utility u = (1 - d)(1 + d R) with risk attitudes R inferred from the risk-neutral probabilities, proportional \
voting v_k(i:j) = w_k (u_k(i) - u_k(j)), linear victory probabilities and the conditional probability that \
each position prevails. Reproduces KTAB's SOE-Pol-Comp reference values.",
    params: PARAMS,
    actor_fields: FIELDS,
    needs_actors: true,
    inject_kinds: &[],
};

/// The model: its declaration and its builder.
pub static MODEL: super::Model = super::Model { spec: &SPEC, build };

struct Bargaining {
    names: Vec<String>,
    capability: Vec<f64>,
    /// `[actor][dim]` on 0–1.
    position: Vec<Vec<f64>>,
    salience: Vec<Vec<f64>>,
    dims: usize,
    turns: usize,
    outcomes: Vec<OutcomeSpec>,
    series: Vec<SeriesSpec>,
}

fn build(sc: &Scenario) -> Result<Box<dyn Simulation>, Issues> {
    let mut issues = Issues::new();
    let Some(actors) = &sc.actors else {
        issues.add("actors", "the bargaining model needs an actor table");
        return Err(issues);
    };
    let dims = sc.base[P_DIMS] as usize;
    if sc.uncertainties.iter().any(|u| u.param == P_DIMS)
        || sc
            .policies
            .iter()
            .any(|p| p.levers.iter().any(|l| l.0 == P_DIMS))
    {
        issues.add("model.dimensions", "the number of dimensions is fixed by the actor table; it cannot be a lever or uncertain");
    }
    if sc.turns != 1 {
        issues.add(
            "scenario.turns",
            format!(
                "{} turns given; allowed: 1 (the model computes one bargaining state)",
                sc.turns
            ),
        );
    }
    let mut position = vec![vec![0.0; dims]; actors.len()];
    let mut salience = vec![vec![0.0; dims]; actors.len()];
    for d in 0..dims {
        let pos = actors.numbers(&format!("position_{}", d + 1));
        let sal = actors.numbers(&format!("salience_{}", d + 1));
        for a in 0..actors.len() {
            match (pos[a], sal[a]) {
                (Some(p), Some(s)) => {
                    position[a][d] = p / 100.0;
                    salience[a][d] = s / 100.0;
                }
                _ => issues.add_at(
                    actors.source.clone(),
                    None,
                    format!("actor {}, dimension {}", actors.names[a], d + 1),
                    format!(
                        "position_{0} and salience_{0} are required with dimensions = {dims}",
                        d + 1
                    ),
                ),
            }
        }
    }
    for (a, s) in salience.iter().enumerate() {
        if s.iter().all(|x| *x == 0.0) {
            issues.add_at(
                actors.source.clone(),
                None,
                format!("actor {}", actors.names[a]),
                "saliences are all zero; allowed: at least one > 0",
            );
        }
    }
    let capability: Vec<f64> = actors
        .numbers("capability")
        .into_iter()
        .map(|c| c.unwrap_or(0.0))
        .collect();
    let mut outcomes = Vec::new();
    for n in &actors.names {
        outcomes.push(OutcomeSpec::new(
            format!("win_prob.{n}"),
            OutcomeKind::Real { min: 0.0, max: 1.0 },
            format!("probability that {n}'s position prevails"),
        ));
    }
    for n in &actors.names {
        outcomes.push(OutcomeSpec::new(
            format!("risk.{n}"),
            OutcomeKind::Real {
                min: -0.5,
                max: 1.0,
            },
            format!("inferred risk attitude of {n}"),
        ));
    }
    let mut series = Vec::new();
    for d in 0..dims {
        outcomes.push(OutcomeSpec::new(
            format!("expected.{}", d + 1),
            OutcomeKind::Real {
                min: 0.0,
                max: 100.0,
            },
            format!(
                "probability-weighted expected position on dimension {} (0–100)",
                d + 1
            ),
        ));
        series.push(SeriesSpec::new(
            format!("expected.{}", d + 1),
            0.0,
            100.0,
            "expected position",
        ));
    }
    issues.into_result(())?;
    Ok(Box::new(Bargaining {
        names: actors.names.clone(),
        capability,
        position,
        salience,
        dims,
        turns: sc.turns,
        outcomes,
        series,
    }))
}

impl Simulation for Bargaining {
    fn outcomes(&self) -> &[OutcomeSpec] {
        &self.outcomes
    }
    fn series(&self) -> &[SeriesSpec] {
        &self.series
    }
    fn turns(&self) -> usize {
        self.turns
    }
    fn runner(&self) -> Box<dyn Runner + '_> {
        let actors = self
            .names
            .iter()
            .enumerate()
            .map(|(i, n)| smp::Actor {
                name: n.clone(),
                capability: self.capability[i],
                position: self.position[i].clone(),
                salience: self.salience[i].clone(),
            })
            .collect();
        Box::new(BargainingRunner { m: self, actors })
    }
}

struct BargainingRunner<'a> {
    m: &'a Bargaining,
    actors: Vec<smp::Actor>,
}

impl BargainingRunner<'_> {
    fn go<T: Tracer>(&mut self, p: &Params, st: &mut Streams, out: &mut TrialOut, tr: &mut T) {
        let (cn, pn) = (p.get(P_CAP_NOISE), p.get(P_POS_NOISE) / 100.0);
        for (i, a) in self.actors.iter_mut().enumerate() {
            a.capability = self.m.capability[i];
            a.position.copy_from_slice(&self.m.position[i]);
            if cn > 0.0 {
                a.capability *= libm::exp(cn * normal(&mut st.init));
            }
            if pn > 0.0 {
                for x in a.position.iter_mut() {
                    *x = (*x + pn * normal(&mut st.init)).clamp(0.0, 1.0);
                }
            }
        }
        let r = smp::analyse(&self.actors);
        let n = self.actors.len();
        for i in 0..n {
            out.outcomes[i] = r.win_probabilities[i].clamp(0.0, 1.0);
            out.outcomes[n + i] = r.risk_attitudes[i];
            if T::ENABLED {
                let a = &self.actors[i];
                tr.state(1, &a.name, "capability", a.capability);
                for d in 0..self.m.dims {
                    tr.state(
                        1,
                        &a.name,
                        &format!("position_{}", d + 1),
                        a.position[d] * 100.0,
                    );
                }
                tr.state(1, &a.name, "risk_attitude", r.risk_attitudes[i]);
                tr.state(1, &a.name, "win_probability", r.win_probabilities[i]);
            }
        }
        for d in 0..self.m.dims {
            let e = r.expected_position[d] * 100.0;
            out.outcomes[2 * n + d] = e;
            out.series[d] = e;
            if T::ENABLED {
                tr.state(1, "", &format!("expected_{}", d + 1), e);
            }
        }
        out.turns_run = 1;
    }
}

impl Runner for BargainingRunner<'_> {
    fn run(&mut self, p: &Params, st: &mut Streams, out: &mut TrialOut) {
        self.go(p, st, out, &mut NoTrace);
    }
    fn run_traced(&mut self, p: &Params, st: &mut Streams, out: &mut TrialOut, tr: &mut Trace) {
        self.go(p, st, out, tr);
    }
}
