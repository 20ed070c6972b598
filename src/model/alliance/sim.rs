//! The alliance model bound to a scenario: the allies' data from the actor table and the
//! scripted injects of the master events list, read-only and shared by every worker.
//!
//! [`AllianceSim::from_scenario`] checks what the generic validator cannot (inject targets name
//! allies, GDP is positive) and compiles each `[[inject]]` into a [`ScriptedEvent`] of a
//! declared [`EventKind`]; a game replaces the events list with [`AllianceSim::with_events`].
//! Events are kept sorted by turn with an index of where each turn's events begin, so a turn finds
//! its injects without searching or allocating.

use super::outcomes::{outcome_specs, series_specs};
use super::spec::{EventKind, LOCK_IN, TIES};
use super::state::EXPOSURES;
use crate::model::{OutcomeSpec, Runner, SeriesSpec, Simulation};
use crate::scenario::{Issues, Scenario};

/// One ally's data from the actor table (blank cells kept as `None`).
#[derive(Debug, Clone, PartialEq)]
pub struct AllyData {
    pub name: String,
    pub accession_year: i64,
    pub gdp: f64,
    pub defence: Option<f64>,
    pub gas_imports: Option<f64>,
    pub gas_consumption: Option<f64>,
    pub cpi: f64,
    pub support: Option<f64>,
    /// Index into [`EXPOSURES`].
    pub exposure: usize,
    /// Structural ties with Russia before October 2021: the share of the four kinds of tie
    /// ([`TIES`]) the ally holds, in [0, 1].
    pub ties: f64,
    /// Whether a long-term Gazprom contract or TurkStream infrastructure locks the ally into
    /// Russian gas ([`LOCK_IN`]).
    pub lock_in: bool,
}

/// A scripted inject, compiled from the scenario (or added in a game).
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptedEvent {
    /// 1-based turn.
    pub turn: usize,
    pub kind: EventKind,
    pub name: String,
    pub severity: f64,
    /// Ally index, if the inject targets one ally.
    pub target: Option<usize>,
    pub label_on_agenda: bool,
    pub threat: f64,
    pub stance: f64,
    /// Shift of the target's domestic stance target (a `government_change`).
    pub offset: f64,
}

/// The alliance model built from a scenario: shared, read-only.
pub struct AllianceSim {
    pub allies: Vec<AllyData>,
    pub names: Vec<String>,
    pub turns: usize,
    /// Turns per year (from the scenario's turn length; a "step" counts as a month).
    pub turns_per_year: f64,
    /// Scripted events, sorted by turn.
    pub events: Vec<ScriptedEvent>,
    /// `event_start[t]..event_start[t + 1]` are the events of turn t (1-based; index 0 unused).
    event_start: Vec<usize>,
    /// The calendar month index (year × 12 + month − 1) of turn 1, for monthly scenarios with a
    /// start date; calendar-year outcomes exist only then.
    pub start_month: Option<i64>,
    outcomes: Vec<OutcomeSpec>,
    series: Vec<SeriesSpec>,
}

pub(super) fn build(sc: &Scenario) -> Result<Box<dyn Simulation>, Issues> {
    Ok(Box::new(AllianceSim::from_scenario(sc)?))
}

impl AllianceSim {
    /// Builds the model from a validated scenario, checking what the generic validator cannot
    /// (inject targets name allies).
    pub fn from_scenario(sc: &Scenario) -> Result<AllianceSim, Issues> {
        let mut issues = Issues::new();
        let Some(t) = &sc.actors else {
            issues.add(
                "actors",
                "the alliance model needs an actor table of allies (`[actors] file = …`)",
            );
            return Err(issues);
        };
        if t.len() < 2 {
            issues.add(
                "actors",
                "the alliance model needs at least two allies; allowed: 2 or more rows",
            );
            return Err(issues);
        }
        let num = |f: &str| t.numbers(f);
        let (acc, gdp, def) = (
            num("accession_year"),
            num("gdp_usd"),
            num("defence_pct_gdp"),
        );
        let (gi, gc, cpi, sup) = (
            num("ru_gas_share_imports_pct"),
            num("ru_gas_share_consumption_pct"),
            num("cpi"),
            num("nato_favourable_pct"),
        );
        let exp = t.words("exposure");
        let yes = |f: &str| -> Vec<bool> {
            t.words(f)
                .into_iter()
                .map(|w| w.as_deref() == Some("yes"))
                .collect()
        };
        let ties: Vec<Vec<bool>> = TIES.iter().map(|f| yes(f)).collect();
        let lock: Vec<Vec<bool>> = LOCK_IN.iter().map(|f| yes(f)).collect();
        let mut allies = Vec::with_capacity(t.len());
        for i in 0..t.len() {
            let exposure = exp[i]
                .as_deref()
                .and_then(|w| EXPOSURES.iter().position(|e| *e == w))
                .unwrap_or(2);
            if gdp[i].unwrap_or(0.0) <= 0.0 {
                issues.add_at(
                    t.source.clone(),
                    None,
                    format!("ally {}, column gdp_usd", t.names[i]),
                    "GDP must be positive; allowed: a number above 0",
                );
            }
            allies.push(AllyData {
                name: t.names[i].clone(),
                accession_year: acc[i].unwrap_or(1949.0) as i64,
                gdp: gdp[i].unwrap_or(1.0),
                defence: def[i],
                gas_imports: gi[i],
                gas_consumption: gc[i],
                cpi: cpi[i].unwrap_or(50.0),
                support: sup[i],
                exposure,
                ties: ties.iter().filter(|c| c[i]).count() as f64 / TIES.len() as f64,
                lock_in: lock.iter().any(|c| c[i]),
            });
        }
        let names: Vec<String> = allies.iter().map(|a| a.name.clone()).collect();
        let mut events = Vec::new();
        for (k, inj) in sc.injects.iter().enumerate() {
            // The validator admits only declared kinds; a kind the model does not know is
            // still an error here, never a silent default.
            let Some(kind) = EventKind::from_name(&inj.kind) else {
                issues.add(
                    format!("inject[{k}].kind"),
                    format!(
                        "model `alliance` has no inject kind `{}`; allowed: {}",
                        inj.kind,
                        EventKind::ALL.map(EventKind::name).join(", ")
                    ),
                );
                continue;
            };
            let target = match inj.word("target") {
                None => None,
                Some(w) => match names.iter().position(|n| n == w) {
                    Some(i) => Some(i),
                    None => {
                        issues.add(
                            format!("inject[{k}].target"),
                            format!("no ally named `{w}`; allowed: one of {}", names.join(", ")),
                        );
                        None
                    }
                },
            };
            events.push(ScriptedEvent {
                turn: inj.turn,
                kind,
                name: if inj.description.is_empty() {
                    inj.name.clone()
                } else {
                    format!("{}: {}", inj.name, inj.description)
                },
                severity: inj.number("severity").unwrap_or(1.0),
                target,
                label_on_agenda: inj.word("label_on_agenda") != Some("no"),
                threat: inj.number("threat").unwrap_or(0.0),
                stance: inj.number("stance").unwrap_or(0.0),
                offset: inj.number("offset").unwrap_or(0.0),
            });
        }
        if !issues.is_empty() {
            return Err(issues);
        }
        let turns_per_year = match sc.turn_length.as_str() {
            "day" => 365.0,
            "week" => 52.0,
            "quarter" => 4.0,
            "year" => 1.0,
            _ => 12.0,
        };
        let mut sim = AllianceSim::new(allies, sc.turns, turns_per_year, events);
        if sc.turn_length == "month" {
            sim.start_month = sc
                .start
                .as_deref()
                .and_then(crate::kernel::time::month_index);
            sim.outcomes = outcome_specs(&sim.names, &sim.years());
        }
        Ok(sim)
    }

    /// The calendar years after the start year that the run's turns reach (empty unless the
    /// scenario is monthly with a start date): the years of the `defence_<year>` outcomes.
    pub fn years(&self) -> Vec<i64> {
        let Some(m0) = self.start_month else {
            return Vec::new();
        };
        let first = m0.div_euclid(12) + 1;
        let last = (m0 + self.turns as i64 - 1).div_euclid(12);
        (first..=last).collect()
    }

    /// Index into [`AllianceSim::years`] of turn `t` (1-based), if it falls in one of them.
    pub fn year_of_turn(&self, t: usize) -> Option<usize> {
        let m0 = self.start_month?;
        let y = (m0 + t as i64 - 1).div_euclid(12);
        let first = m0.div_euclid(12) + 1;
        (y >= first && t >= 1 && t <= self.turns).then(|| (y - first) as usize)
    }

    /// The model from its parts; `events` are sorted here by turn (stably).
    pub fn new(
        allies: Vec<AllyData>,
        turns: usize,
        turns_per_year: f64,
        mut events: Vec<ScriptedEvent>,
    ) -> AllianceSim {
        events.sort_by_key(|e| e.turn);
        let mut event_start = vec![0usize; turns + 2];
        for t in 1..=turns + 1 {
            event_start[t] = events.iter().filter(|e| e.turn < t).count();
        }
        let names: Vec<String> = allies.iter().map(|a| a.name.clone()).collect();
        AllianceSim {
            outcomes: outcome_specs(&names, &[]),
            series: series_specs(),
            allies,
            names,
            turns,
            turns_per_year,
            events,
            event_start,
            start_month: None,
        }
    }

    /// The same model with another master scenario events list (skipped, delayed and
    /// in-stride injects of a game).
    pub fn with_events(&self, events: Vec<ScriptedEvent>) -> AllianceSim {
        let mut sim =
            AllianceSim::new(self.allies.clone(), self.turns, self.turns_per_year, events);
        sim.start_month = self.start_month;
        sim.outcomes = self.outcomes.clone();
        sim
    }

    /// The scripted events of turn `t` (1-based).
    pub fn events_at(&self, t: usize) -> &[ScriptedEvent] {
        if t == 0 || t > self.turns {
            return &[];
        }
        &self.events[self.event_start[t]..self.event_start[t + 1]]
    }

    /// Whether turn `t` holds a summit.
    pub fn is_summit(&self, t: usize) -> bool {
        self.events_at(t)
            .iter()
            .any(|e| e.kind == EventKind::Summit)
    }

    /// Number of allies.
    pub fn allies(&self) -> usize {
        self.allies.len()
    }
}

impl Simulation for AllianceSim {
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
        Box::new(self.alliance_runner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Origin;

    fn nato() -> Scenario {
        crate::model::load_scenario(Origin::Builtin("nato-2021.toml".into())).expect("scenario")
    }

    #[test]
    fn every_inject_is_bound_to_its_declared_kind() {
        let sc = nato();
        let sim = AllianceSim::from_scenario(&sc).expect("build");
        assert_eq!(sim.events.len(), sc.injects.len());
        for inj in &sc.injects {
            let e = sim
                .events
                .iter()
                .find(|e| e.name.starts_with(&inj.name))
                .unwrap();
            assert_eq!(e.kind.name(), inj.kind);
        }
        assert!((1..=sim.turns).any(|t| sim.is_summit(t)));
    }

    #[test]
    fn an_undeclared_inject_kind_is_an_error_not_a_shock() {
        let mut sc = nato();
        sc.injects[1].kind = "invasion".into();
        let Err(issues) = AllianceSim::from_scenario(&sc) else {
            panic!("an unknown inject kind was accepted");
        };
        let text = issues.to_string();
        assert!(text.contains("inject[1].kind"), "{text}");
        assert!(
            text.contains("no inject kind `invasion`; allowed: summit, aggression"),
            "{text}"
        );
    }

    #[test]
    fn events_are_indexed_by_turn_whatever_their_order() {
        let sc = nato();
        let sim = AllianceSim::from_scenario(&sc).expect("build");
        let mut reversed = sim.events.clone();
        reversed.reverse();
        let again = sim.with_events(reversed);
        for t in 0..=sim.turns + 1 {
            // The same events at each turn (in the new list's order within the turn).
            let (a, b) = (sim.events_at(t), again.events_at(t));
            assert_eq!(a.len(), b.len(), "turn {t}");
            assert!(b.iter().all(|e| a.contains(e)), "turn {t}");
            assert!(a.iter().all(|e| e.turn == t));
        }
        let total: usize = (1..=sim.turns).map(|t| sim.events_at(t).len()).sum();
        assert_eq!(total, sim.events.len());
    }
}
