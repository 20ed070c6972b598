//! The Hegselmann–Krause (2002) bounded-confidence model, as a built-in reference model.
//!
//! Synchronous updates on the complete graph: every agent moves to the mean opinion of all
//! agents within ε of it. Published result used in tests: consensus threshold ε_c ≈ 0.2 for
//! large N (Fortunato 2005).

use super::reference::{self, Rule};
use super::{ModelSpec, ParamSpec};

pub static PARAMS: &[ParamSpec] = &[
    ParamSpec::int(
        "agents",
        2,
        crate::scenario::keys::MAX_AGENTS,
        1000,
        "number of agents N; initial opinions uniform on [0, 1]",
    ),
    ParamSpec::real(
        "epsilon",
        0.0,
        1.0,
        0.25,
        "confidence bound ε: agents within ε (inclusive) influence each other",
    ),
    ParamSpec::real(
        "tolerance",
        0.0,
        0.1,
        1e-9,
        "convergence: stop when no opinion moves more than this in a turn",
    ),
    ParamSpec::real(
        "cluster_gap",
        0.0,
        1.0,
        1e-3,
        "opinions further apart than this belong to different clusters",
    )
    .outcome(),
    ParamSpec::real(
        "major_share",
        0.0,
        1.0,
        0.02,
        "a major cluster holds at least this share of agents",
    )
    .outcome(),
    ParamSpec::int(
        "max_steps",
        1,
        10_000_000,
        10_000,
        "cap on the updates of a trial: it runs past the last turn until converged, at most this many (see `converged`)",
    ),
];

pub static SPEC: ModelSpec = ModelSpec {
    kind: "hegselmann-krause",
    title: "Hegselmann–Krause bounded confidence (synchronous, complete graph)",
    description: "Each turn every agent adopts the mean opinion of all agents whose opinion is within epsilon \
of its own (Hegselmann & Krause 2002, JASSS 5(3)); a trial runs until no opinion moves by more than tolerance, \
past the last turn if need be, at most max_steps updates. With N = 1000 uniform opinions, consensus is reached in \
nearly every run for epsilon >= 0.25 and in none at 0.15 (consensus threshold about 0.2, Fortunato 2005).",
    params: PARAMS,
    actor_fields: &[],
    needs_actors: false,
    inject_kinds: reference::INJECTS,
};

/// The model: its declaration and its builder.
pub static MODEL: super::Model = super::Model {
    spec: &SPEC,
    build: |sc| reference::build(sc, Rule::HegselmannKrause),
};
