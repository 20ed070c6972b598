//! Step 1: the alliance's levers for the turn.
//!
//! A lever is a parameter declared as one ([`LEVERS`](super::LEVERS)): a policy option sets it
//! for a whole run (`[[policy]] levers = {…}`), Blue sets it turn by turn in a game. The values
//! are gathered in [`Levers`], a plain value that the turn function takes as input, so a batch
//! run and a game drive the model the same way. Applying them is immediate for posture, efforts
//! and the dialogue channel; the label is only *proposed* here and can change only at a summit,
//! by consensus (step 7).

use super::state::{DIALOGUES, LABELS, State};
use super::{Coeffs, P};
use crate::model::Tracer;

/// The alliance's choices for one turn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Levers {
    /// Proposed label (index into [`LABELS`]).
    pub label: usize,
    /// Dialogue channel (index into [`DIALOGUES`]).
    pub dialogue: usize,
    pub dialogue_effort: f64,
    pub counter_disinfo: f64,
    pub resilience_investment: f64,
    pub posture: f64,
    pub costs_of_aggression: f64,
    /// Percentage points of GDP per year.
    pub spending_growth: f64,
    /// The alliance states the conditions under which it would soften its label: once Moscow
    /// has met them for `label_condition_turns` turns, the proposed label is one step softer.
    pub label_conditions: bool,
}

impl Levers {
    /// The levers a trial's parameters set (the policy option's values, else the scenario's).
    pub fn from_coeffs(c: &Coeffs) -> Self {
        Levers {
            label: c.int(P::Label).min(LABELS.len() - 1),
            dialogue: c.int(P::Dialogue).min(DIALOGUES.len() - 1),
            dialogue_effort: c[P::DialogueEffort],
            counter_disinfo: c[P::CounterDisinfo],
            resilience_investment: c[P::ResilienceInvestment],
            posture: c[P::Posture],
            costs_of_aggression: c[P::CostsOfAggression],
            spending_growth: c[P::SpendingGrowth],
            label_conditions: c.int(P::LabelConditions) == 1,
        }
    }
}

/// Writes the levers into the state (no trace, no draw).
pub fn set(s: &mut State, lv: &Levers) {
    s.proposed_label = lv.label;
    s.dialogue = lv.dialogue;
    s.dialogue_effort = lv.dialogue_effort.clamp(0.0, 1.0);
    s.counter_disinfo = lv.counter_disinfo.clamp(0.0, 1.0);
    s.resilience_investment = lv.resilience_investment.clamp(0.0, 1.0);
    s.posture = lv.posture.clamp(0.0, 1.0);
    s.costs = lv.costs_of_aggression.clamp(0.0, 1.0);
    s.spending_growth = lv.spending_growth;
    s.conditions_stated = lv.label_conditions;
}

/// The label the alliance proposes this turn: the lever's, or one step softer while the
/// stated conditions have held for `label_condition_turns` turns (channels restored, no
/// campaign, no crisis).
pub fn proposed_label(c: &Coeffs, s: &State, lv: &Levers) -> usize {
    let met = lv.label_conditions && s.conditions_run >= c.int(P::LabelConditionTurns);
    if met && lv.label > 0 {
        lv.label - 1
    } else {
        lv.label
    }
}

/// Step 1: applies the turn's levers, recording every change as a decision.
pub fn apply<T: Tracer>(c: &Coeffs, s: &mut State, lv: &Levers, t: usize, tr: &mut T) {
    let proposed = proposed_label(c, s, lv);
    if T::ENABLED {
        if proposed != s.proposed_label || t == 1 {
            tr.event(t, "lever", "alliance", &|| {
                format!(
                    "proposed label: {} (in force: {}){}",
                    LABELS[proposed],
                    LABELS[s.label],
                    if proposed != lv.label {
                        "; the stated conditions are met"
                    } else if lv.label_conditions {
                        "; with stated conditions for softening it"
                    } else {
                        ""
                    }
                )
            });
        }
        if lv.dialogue != s.dialogue || t == 1 {
            tr.event(t, "lever", "alliance", &|| {
                format!(
                    "dialogue channel: {} (effort {})",
                    DIALOGUES[lv.dialogue], lv.dialogue_effort
                )
            });
        }
        if t == 1 {
            tr.event(t, "lever", "alliance", &|| {
                format!(
                    "posture {}, costs of aggression {}, counter-disinformation {}, resilience investment {}, spending growth {} pp/yr",
                    lv.posture,
                    lv.costs_of_aggression,
                    lv.counter_disinfo,
                    lv.resilience_investment,
                    lv.spending_growth
                )
            });
        }
    }
    set(s, lv);
    s.proposed_label = proposed;
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;
    use crate::kernel::trace::Trace;
    use crate::model::NoTrace;

    #[test]
    fn levers_come_from_the_parameters() {
        let mut p = defaults();
        p.values[P::Label.i()] = 3.0;
        p.values[P::CounterDisinfo.i()] = 0.9;
        let (_, c, _, _, _) = setup(&p);
        let lv = Levers::from_coeffs(&c);
        assert_eq!(lv.label, 3);
        assert_eq!(lv.counter_disinfo, 0.9);
        assert_eq!(lv.dialogue, 0);
    }

    #[test]
    fn applying_proposes_the_label_without_adopting_it() {
        let (_, c, mut s, _, _) = setup(&defaults());
        let mut lv = Levers::from_coeffs(&c);
        lv.label = 3;
        lv.dialogue = 1;
        let before = s.label;
        let mut tr = Trace::default();
        apply(&c, &mut s, &lv, 1, &mut tr);
        assert_eq!(s.proposed_label, 3);
        assert_eq!(s.label, before);
        assert_eq!(s.dialogue, 1);
        assert!(tr.events.iter().any(|e| e.detail.contains("adversary")));
        // A lever out of range is clamped.
        lv.posture = 2.0;
        apply(&c, &mut s, &lv, 2, &mut NoTrace);
        assert_eq!(s.posture, 1.0);
    }

    #[test]
    fn the_declared_levers_are_exactly_the_parameters_levers_reads() {
        use super::super::{LEVERS, PARAMS};
        let sim = sim(2);
        let base = defaults();
        let mut c = Coeffs::new(&sim);
        c.fill(&sim, &base);
        let lv0 = Levers::from_coeffs(&c);
        for (i, p) in PARAMS.iter().enumerate() {
            let (lo, hi) = p.bounds();
            let mut q = base.clone();
            q.values[i] = if p.default == hi { lo } else { hi };
            c.fill(&sim, &q);
            let read = Levers::from_coeffs(&c) != lv0;
            assert_eq!(read, LEVERS.iter().any(|l| l.i() == i), "{}", p.name);
        }
    }
}
