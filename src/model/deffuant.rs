//! The Deffuant–Weisbuch (2000) bounded-confidence model, as a built-in reference model.
//!
//! Random pairs meet; when their opinions differ by less than ε both move a fraction μ
//! toward each other; a trial runs until the state is frozen (see `reference.rs`). Published results used in tests: complete consensus for ε > 1/2;
//! below, about ⌊1/(2ε)⌋ major clusters (N = 1000, uniform opinions, μ = 0.5).

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
        0.2,
        "confidence bound ε: a pair interacts when |x_i - x_j| < ε",
    ),
    ParamSpec::real(
        "tolerance",
        0.0,
        0.1,
        1e-6,
        "convergence: stop when no opinion moves more than this in a sweep",
    ),
    ParamSpec::real(
        "cluster_gap",
        0.0,
        1.0,
        0.01,
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
    ParamSpec::real(
        "mu",
        0.0,
        0.5,
        0.5,
        "convergence parameter μ: the fraction of the gap each side moves",
    ),
    ParamSpec::int(
        "sweeps_per_turn",
        1,
        100_000,
        1,
        "sweeps of N pair meetings per turn (the time series' resolution; outcomes do not depend on it)",
    ),
    ParamSpec::int(
        "max_sweeps",
        1,
        10_000_000,
        100_000,
        "cap on the sweeps of a trial: it runs past the last turn until frozen, at most this many (see `converged`)",
    ),
];

pub static SPEC: ModelSpec = ModelSpec {
    kind: "deffuant",
    title: "Deffuant–Weisbuch bounded confidence (random pairs)",
    description: "Each turn is sweeps_per_turn sweeps of N random pair meetings on the complete graph; a pair \
whose opinions differ by less than epsilon both move mu of the gap toward each other (Deffuant, Neau, Amblard & \
Weisbuch 2000, Adv. Complex Syst. 3). A trial runs until frozen (no group within epsilon spans more than \
tolerance), past the last turn if need be, at most max_sweeps. Published: consensus for epsilon > 1/2, else \
about floor(1/(2 epsilon)) major clusters.",
    params: PARAMS,
    actor_fields: &[],
    needs_actors: false,
    inject_kinds: reference::INJECTS,
};

/// The model: its declaration and its builder.
pub static MODEL: super::Model = super::Model {
    spec: &SPEC,
    build: |sc| reference::build(sc, Rule::Deffuant),
};
