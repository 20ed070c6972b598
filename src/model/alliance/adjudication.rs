//! Wargame adjudication hooks: the turn's adjudicable outcomes, and values forced on them.
//!
//! A wargame's White cell may override what the engine drew (semi-rigid adjudication), set it
//! outright (free adjudication), and a human Red cell chooses the adversary's moves instead of
//! the model. The step functions consult [`Forced`] (kept in the [`Workspace`]) at each
//! adjudicable draw and record what was decided in [`Drawn`]:
//!
//! * the adversary's moves (step 2): disinformation campaign, inducement offensive, hybrid
//!   attack and its target, military intimidation, aggression against a non-member, an armed
//!   attack on an ally and its target;
//! * unilateral channels (step 6), per ally;
//! * the consensus of the turn (North Atlantic Council or summit line) and, at a summit with the
//!   label on the agenda, whether the proposed label is adopted (step 7).
//!
//! Every uniform is still drawn when a value is forced, so forcing one outcome never shifts
//! another draw. The default is "nothing forced": a batch run pays one predictable branch per
//! adjudicable draw and allocates nothing. White's edits of the master scenario events list
//! (skipped, delayed and in-stride injects) are a new events list for
//! [`AllianceSim::with_events`](super::AllianceSim::with_events).

use super::state::State;
use super::{Coeffs, Workspace};
use crate::model::Tracer;

/// Values forced on the turn's adjudicable outcomes (`None`: the engine's draw stands).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Forced {
    pub disinformation: Option<bool>,
    pub inducement: Option<bool>,
    /// `Some(None)`: no hybrid attack; `Some(Some(i))`: a hybrid attack on ally `i`.
    pub hybrid: Option<Option<usize>>,
    pub intimidation: Option<bool>,
    pub aggression: Option<bool>,
    /// `Some(None)`: no attack on an ally; `Some(Some(i))`: an armed attack on ally `i`.
    pub attack: Option<Option<usize>>,
    /// Consensus of the turn (at a summit: whether the bargained line is adopted).
    pub consensus: Option<bool>,
    /// Whether the proposed label is adopted (only at a summit with the label on the agenda).
    pub label: Option<bool>,
    /// Per ally: whether it runs a unilateral channel this turn (empty or all `None`: drawn).
    pub channels: Vec<Option<bool>>,
}

impl Forced {
    /// Nothing forced, for `n` allies (sized once: forcing a channel never allocates).
    pub fn none(n: usize) -> Self {
        Forced {
            channels: vec![None; n],
            ..Forced::default()
        }
    }

    /// Clears every forced value, keeping the buffer.
    pub fn clear(&mut self) {
        let mut channels = std::mem::take(&mut self.channels);
        channels.fill(None);
        *self = Forced {
            channels,
            ..Forced::default()
        };
    }

    /// Whether any value is forced.
    pub fn any(&self) -> bool {
        self.disinformation.is_some()
            || self.inducement.is_some()
            || self.hybrid.is_some()
            || self.intimidation.is_some()
            || self.aggression.is_some()
            || self.attack.is_some()
            || self.consensus.is_some()
            || self.label.is_some()
            || self.channels.iter().any(Option::is_some)
    }
}

/// What was decided this turn at each adjudicable draw (drawn or forced). Unilateral channels
/// are in [`State::channel`] after the turn.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Drawn {
    pub disinformation: bool,
    pub inducement: bool,
    pub hybrid: Option<usize>,
    pub intimidation: bool,
    pub aggression: bool,
    pub attack: Option<usize>,
    /// The turn held a summit.
    pub summit: bool,
    pub consensus: bool,
    /// `Some(adopted)` when a label change was put to a summit.
    pub label: Option<bool>,
    /// (logit, uniform drawn) of the adversary's moves, in the order disinformation,
    /// inducement, hybrid, intimidation, aggression, attack: a move is made when the uniform
    /// is below the logistic of the logit (unless forced). Logits, so that a batch run
    /// computes no exponential for this record.
    pub adversary_odds: [(f64, f64); 6],
    /// (probability, uniform drawn) of the turn's consensus and of a label's adoption.
    pub council_odds: [(f64, f64); 2],
}

/// Step 6 (after the draws): imposes forced unilateral channels.
pub fn force_channels<T: Tracer>(c: &Coeffs, s: &mut State, ws: &Workspace, t: usize, tr: &mut T) {
    // A batch run forces nothing: one pass without branches says so.
    if !ws
        .forced
        .channels
        .iter()
        .fold(false, |a, f| a | f.is_some())
    {
        return;
    }
    for (i, f) in ws.forced.channels.iter().enumerate() {
        if let Some(open) = *f {
            if T::ENABLED && open != s.channel[i] {
                tr.event(t, "override", &c.names[i], &|| {
                    format!(
                        "unilateral channel forced {}",
                        if open { "open" } else { "closed" }
                    )
                });
            }
            s.channel[i] = open;
            s.opened[i] |= open;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::super::*;
    use crate::kernel::rng::StreamKeys;
    use crate::model::NoTrace;

    #[test]
    fn forcing_an_outcome_changes_it_and_no_other_draw() {
        let sim = sim(6);
        let mut run = sim.alliance_runner();
        let keys = StreamKeys::new(9);
        let mut st = keys.trial_streams(0);
        let lv = run.start(&defaults(), &mut st, &mut NoTrace);
        let (s0, st0) = (run.state.clone(), st.clone());
        run.step(&lv, &mut st, &mut NoTrace);
        let drawn = run.ws.drawn;
        let free = run.state.clone();
        // Force the opposite of the drawn intimidation and an attack on ally 2.
        run.state = s0.clone();
        let mut st = st0.clone();
        run.ws.forced.intimidation = Some(!drawn.intimidation);
        run.ws.forced.attack = Some(Some(2));
        run.ws.forced.channels[1] = Some(true);
        run.step(&lv, &mut st, &mut NoTrace);
        assert_eq!(run.ws.drawn.intimidation, !drawn.intimidation);
        assert_eq!(run.ws.drawn.attack, Some(2));
        assert_eq!(run.state.attack_turn, Some(1));
        assert!(run.state.channel[1]);
        assert_eq!(run.ws.drawn.disinformation, drawn.disinformation);
        assert_ne!(run.state, free);
        // Clearing restores the free draw exactly.
        run.ws.forced.clear();
        assert!(!run.ws.forced.any());
        run.state = s0;
        let mut st = st0;
        run.step(&lv, &mut st, &mut NoTrace);
        assert_eq!(run.state, free);
    }

    #[test]
    fn an_edited_events_list_is_played() {
        let sim = sim(4);
        let ev = ScriptedEvent {
            turn: 2,
            kind: EventKind::Summit,
            name: "extra summit".into(),
            severity: 1.0,
            target: None,
            label_on_agenda: true,
            threat: 0.0,
            stance: 0.0,
            offset: 0.0,
        };
        let edited = sim.with_events(vec![ev]);
        assert!(edited.is_summit(2) && !edited.is_summit(1));
        assert!(!sim.is_summit(2));
    }
}
