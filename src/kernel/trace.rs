//! The full record of one traced trial: every state per turn and actor, every event and
//! decision. Models write through the [`Tracer`] trait; untraced runs pass [`NoTrace`], whose
//! methods are empty and inline to nothing, so the hot loop pays nothing for tracing.

use serde::{Deserialize, Serialize};

/// Receives the detail of a traced trial. `NoTrace` compiles to nothing.
pub trait Tracer {
    const ENABLED: bool;
    /// A state variable of an actor (or of the whole system, with actor "") after a turn.
    fn state(&mut self, turn: usize, actor: &str, variable: &str, value: f64);
    /// An event or decision during a turn.
    fn event(&mut self, turn: usize, kind: &str, actor: &str, detail: &dyn Fn() -> String);
}

/// The tracer of untraced runs.
pub struct NoTrace;

impl Tracer for NoTrace {
    const ENABLED: bool = false;
    #[inline(always)]
    fn state(&mut self, _: usize, _: &str, _: &str, _: f64) {}
    #[inline(always)]
    fn event(&mut self, _: usize, _: &str, _: &str, _: &dyn Fn() -> String) {}
}

/// One state variable of one actor after one turn (actor "" for the whole system).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StateRow {
    pub turn: usize,
    pub actor: String,
    pub variable: String,
    pub value: f64,
}

/// One event or decision during a turn.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EventRow {
    pub turn: usize,
    pub kind: String,
    pub actor: String,
    pub detail: String,
}

/// The record of a traced trial.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Trace {
    pub states: Vec<StateRow>,
    pub events: Vec<EventRow>,
}

impl Tracer for Trace {
    const ENABLED: bool = true;
    fn state(&mut self, turn: usize, actor: &str, variable: &str, value: f64) {
        self.states.push(StateRow {
            turn,
            actor: actor.to_string(),
            variable: variable.to_string(),
            value,
        });
    }
    fn event(&mut self, turn: usize, kind: &str, actor: &str, detail: &dyn Fn() -> String) {
        self.events.push(EventRow {
            turn,
            kind: kind.to_string(),
            actor: actor.to_string(),
            detail: detail(),
        });
    }
}
