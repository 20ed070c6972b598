//! `[model] kind = "alliance"`: the alliance-cohesion model (NATO and Russia after October 2021).
//!
//! Thirty allies, an alliance and an adversary play out monthly turns. Each turn runs nine steps,
//! one module each, in the order of the specification: the alliance's [`levers`] (1), the
//! [`adversary`]'s moves (2), scripted injects and random [`events`] (3), [`threat`] perception
//! (4), [`stance`]s by domestic pull and bounded-confidence consultation (5), unilateral
//! [`channels`] (6), [`summit`] bargaining with KTAB's spatial model and consensus (7),
//! [`deterrence`] credibility and escalation risks (8), and the turn's [`outcomes`] (9).
//!
//! Three kinds of data are kept apart, so that a wargame can step the model turn by turn and
//! forecast from any point: [`AllianceSim`] (the scenario: allies' data and the scripted
//! injects, read-only, shared by all workers; [`sim`]), [`Coeffs`] (every parameter value and
//! the per-ally attributes derived from them, fixed within a trial; [`coeffs`]), and [`State`]
//! (what evolves, a complete snapshot together with the trial's random streams; [`state`]).
//! [`Workspace`] holds the scratch buffers, sized once per runner, so the turn loop never
//! allocates; [`turn_with`] is the single-turn step with explicit [`Levers`] and injects: in a
//! batch run they come from the policy option and the scenario, in a game from the players
//! ([`runner`]), whose White cell may also force the turn's outcomes ([`adjudication`]).
//!
//! What the model declares is said once: every coefficient is a declared parameter
//! ([`PARAMS`], [`params`]; documented with its range and default in `docs/MODEL.md`, printed
//! by `cohesion describe alliance`), the levers are declared as such ([`LEVERS`]), each inject
//! kind is one variant of [`EventKind`] tied to its declaration in [`INJECTS`] ([`spec`]), and
//! the outcomes and time series are named beside the code that fills them ([`SERIES`],
//! [`series_row`]). This file only gathers the parts.

// Per-ally quantities are parallel vectors indexed by ally; index loops say that most plainly.
#![allow(clippy::needless_range_loop)]

pub mod adjudication;
pub mod adversary;
pub mod channels;
pub mod coeffs;
pub mod deterrence;
pub mod events;
pub mod levers;
pub mod outcomes;
pub mod params;
pub mod runner;
pub mod sim;
pub mod spec;
pub mod stance;
pub mod state;
pub mod summit;
pub mod threat;

pub use coeffs::Coeffs;
pub use levers::Levers;
pub use outcomes::{N_FIXED_OUTCOMES, N_SERIES, SERIES, series_row};
pub use params::{LEVERS, N_LEVERS, P, PARAMS};
pub use runner::{AllianceRunner, TurnInput, Workspace, init, turn, turn_with};
pub use sim::{AllianceSim, AllyData, ScriptedEvent};
pub use spec::{EventKind, FIELDS, INJECTS, MODEL, SPEC};
pub use state::State;

#[cfg(test)]
pub(crate) mod testutil {
    //! A small synthetic alliance for the step modules' unit tests.
    use super::*;
    use crate::kernel::rng::{StreamKeys, Streams};
    use crate::model::{NoTrace, Params};

    pub fn ally(name: &str, gdp: f64, exposure: usize, gas: f64, cpi: f64) -> AllyData {
        AllyData {
            name: name.to_string(),
            accession_year: 1949 + (gdp as i64 % 50),
            gdp,
            defence: Some(1.0 + gdp / 100.0),
            gas_imports: Some(gas),
            gas_consumption: Some(gas),
            cpi,
            support: None,
            exposure,
            ties: if gas > 80.0 { 0.5 } else { 0.0 },
            lock_in: gas > 95.0,
        }
    }

    pub fn sim(turns: usize) -> AllianceSim {
        let allies = vec![
            ally("A", 100.0, 2, 0.0, 80.0),
            ally("B", 40.0, 0, 90.0, 60.0),
            ally("C", 20.0, 1, 60.0, 40.0),
            ally("D", 10.0, 2, 30.0, 70.0),
            ally("E", 5.0, 0, 100.0, 50.0),
        ];
        AllianceSim::new(allies, turns, 12.0, Vec::new())
    }

    pub fn defaults() -> Params {
        Params {
            values: PARAMS.iter().map(|p| p.default).collect(),
        }
    }

    /// Coefficients, state at turn 0, streams and workspace for the synthetic alliance.
    pub fn setup(params: &Params) -> (AllianceSim, Coeffs, State, Streams, Workspace) {
        let sim = sim(12);
        let mut c = Coeffs::new(&sim);
        c.fill(&sim, params);
        let mut st = StreamKeys::new(7).trial_streams(3);
        let mut s = State::new(sim.allies());
        let lv = Levers::from_coeffs(&c);
        let mut ws = Workspace::new(sim.allies());
        init(&c, &mut s, &lv, &mut st, &mut ws, &mut NoTrace);
        (sim, c, s, st, ws)
    }
}
