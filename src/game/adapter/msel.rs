//! The master scenario events list as White edits it: the scenario's injects, then in-stride
//! injects, numbered from 1; entries still due may be skipped or delayed. Every edit rebuilds the
//! model's list of scripted events from the entries still on the list.

use serde::{Deserialize, Serialize};

use super::World;
use crate::kernel::trace::EventRow;
use crate::model::alliance::{EventKind, INJECTS, ScriptedEvent};

/// An entry of the master scenario events list, as the game shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InjectSpec {
    pub kind: String,
    pub name: String,
    /// The turn it is due.
    pub turn: usize,
    pub date: Option<String>,
    pub description: String,
    /// Fields of the kind (`target`, `severity`…), as written.
    pub fields: Vec<(String, String)>,
}

impl World {
    /// Number of MSEL entries (scenario injects and in-stride injects), ids 1..=len.
    pub fn msel_len(&self) -> usize {
        self.events.len()
    }

    /// MSEL entry `id` (1-based) and whether it is still on the list.
    pub fn msel(&self, id: usize) -> Option<(InjectSpec, bool)> {
        let e = self.events.get(id.checked_sub(1)?)?;
        let scripted = self.scenario.injects.get(id - 1);
        let mut fields = Vec::new();
        if let Some(t) = e.target {
            fields.push(("target".into(), self.base.names[t].clone()));
        }
        match e.kind {
            EventKind::Summit => fields.push((
                "label_on_agenda".into(),
                if e.label_on_agenda { "yes" } else { "no" }.into(),
            )),
            EventKind::Shock => {
                fields.push(("threat".into(), crate::kernel::fmt::fmt_f64(e.threat)));
                fields.push(("stance".into(), crate::kernel::fmt::fmt_f64(e.stance)));
            }
            EventKind::DialogueRestored => {}
            EventKind::GovernmentChange => {
                fields.push(("offset".into(), crate::kernel::fmt::fmt_f64(e.offset)))
            }
            EventKind::Intimidation
            | EventKind::Aggression
            | EventKind::Attack
            | EventKind::Hybrid
            | EventKind::DialogueCut
            | EventKind::Disinformation
            | EventKind::EnergyCutoff => {
                fields.push(("severity".into(), crate::kernel::fmt::fmt_f64(e.severity)))
            }
        }
        let (name, description, date) = match scripted {
            Some(i) => (i.name.clone(), i.description.clone(), i.date.clone()),
            None => (e.name.clone(), String::new(), None),
        };
        Some((
            InjectSpec {
                kind: e.kind.name().to_string(),
                name,
                turn: e.turn,
                date,
                description,
                fields,
            },
            self.active[id - 1],
        ))
    }

    /// A turn's event as the game shows it: a forced outcome said as who set it
    /// ([`super::label_forced`]), and an inject with its kind, target ally and severity
    /// (`Massive grid attack (hybrid on Estonia, severity 3)`), which the model's trace names only.
    pub fn event_text(&self, e: &EventRow, marks: &[(String, &str)]) -> String {
        if e.kind != "inject" {
            return super::label_forced(&e.detail, marks);
        }
        let Some(id) = (0..self.events.len()).find(|&i| {
            self.active[i] && self.events[i].turn == e.turn && self.events[i].name == e.detail
        }) else {
            return e.detail.clone();
        };
        let Some((spec, _)) = self.msel(id + 1) else {
            return e.detail.clone();
        };
        let mut what = spec.kind.clone();
        for (k, v) in &spec.fields {
            match k.as_str() {
                "target" => what.push_str(&format!(" on {v}")),
                "severity" => what.push_str(&format!(", severity {v}")),
                _ => {}
            }
        }
        format!("{} ({what})", e.detail)
    }

    /// The ally an inject released at turn `turn` under the name `name` targets, if any.
    pub fn inject_target(&self, turn: usize, name: &str) -> Option<String> {
        (0..self.events.len())
            .find(|&i| self.active[i] && self.events[i].turn == turn && self.events[i].name == name)
            .and_then(|i| self.events[i].target)
            .map(|t| self.base.names[t].clone())
    }

    /// Ids of the MSEL entries due at turn `t` and still on the list.
    pub fn due(&self, t: usize) -> Vec<usize> {
        (0..self.events.len())
            .filter(|&i| self.active[i] && self.events[i].turn == t)
            .map(|i| i + 1)
            .collect()
    }

    /// Takes MSEL entry `id` off the list.
    pub fn skip(&mut self, id: usize) -> Result<(), String> {
        self.check_open(id)?;
        self.active[id - 1] = false;
        self.rebuild();
        Ok(())
    }

    /// Moves MSEL entry `id` to turn `to`.
    pub fn delay(&mut self, id: usize, to: usize) -> Result<(), String> {
        self.check_open(id)?;
        let t = self.turn() + 1;
        if to < t || to > self.horizon() {
            return Err(format!(
                "turn {to} is not playable; allowed: a turn from {t} to {}",
                self.horizon()
            ));
        }
        self.events[id - 1].turn = to;
        self.rebuild();
        Ok(())
    }

    fn check_open(&self, id: usize) -> Result<(), String> {
        let n = self.events.len();
        if id == 0 || id > n {
            return Err(format!(
                "no inject #{id}; allowed: an id from 1 to {n} (see `msel`)"
            ));
        }
        if !self.active[id - 1] {
            return Err(format!("inject #{id} was already skipped"));
        }
        if self.events[id - 1].turn <= self.turn() {
            return Err(format!(
                "inject #{id} was released at turn {}; only injects still due can change",
                self.events[id - 1].turn
            ));
        }
        Ok(())
    }

    /// Adds an in-stride inject; returns its MSEL id. Fields are checked against the kind.
    pub fn add_inject(&mut self, spec: &InjectSpec) -> Result<usize, String> {
        let t = self.turn() + 1;
        if spec.turn < t || spec.turn > self.horizon() {
            return Err(format!(
                "turn {} is not playable; allowed: a turn from {t} to {}",
                spec.turn,
                self.horizon()
            ));
        }
        let Some(event_kind) = EventKind::from_name(&spec.kind) else {
            return Err(format!(
                "no inject kind `{}`{}; allowed: one of {}",
                spec.kind,
                crate::kernel::suggest::did_you_mean(&spec.kind, inject_kinds()),
                inject_kinds().join(", ")
            ));
        };
        let kind = event_kind.spec();
        let mut ev = ScriptedEvent {
            turn: spec.turn,
            kind: event_kind,
            name: spec.name.clone(),
            severity: 1.0,
            target: None,
            label_on_agenda: true,
            threat: 0.0,
            stance: 0.0,
            offset: 0.0,
        };
        for (k, v) in &spec.fields {
            let Some(f) = kind.fields.iter().find(|f| f.name == k) else {
                let allowed: Vec<&str> = kind.fields.iter().map(|f| f.name).collect();
                return Err(format!(
                    "a `{}` inject has no field `{k}`{}; allowed: {}",
                    kind.name,
                    crate::kernel::suggest::did_you_mean(k, allowed.iter().copied()),
                    if allowed.is_empty() {
                        "none".to_string()
                    } else {
                        allowed.join(", ")
                    }
                ));
            };
            let bad = || format!("`{k}={v}`: allowed: {}", f.kind.allowed());
            match k.as_str() {
                "target" => {
                    ev.target = Some(self.ally(v)?);
                }
                "label_on_agenda" => {
                    ev.label_on_agenda = match v.as_str() {
                        "yes" => true,
                        "no" => false,
                        _ => return Err(bad()),
                    }
                }
                _ => {
                    let x: f64 = v.parse().map_err(|_| bad())?;
                    let (lo, hi) = match f.kind {
                        crate::model::FieldKind::Real { min, max } => (min, max),
                        _ => (f64::NEG_INFINITY, f64::INFINITY),
                    };
                    if !(x.is_finite() && (lo..=hi).contains(&x)) {
                        return Err(bad());
                    }
                    match k.as_str() {
                        "severity" => ev.severity = x,
                        "threat" => ev.threat = x,
                        "offset" => ev.offset = x,
                        _ => ev.stance = x,
                    }
                }
            }
        }
        for f in kind.fields.iter().filter(|f| f.required) {
            if !spec.fields.iter().any(|(k, _)| k == f.name) {
                let what = if f.name == "target" { "ALLY" } else { "…" };
                return Err(format!(
                    "an `{}` inject needs `{}={what}`",
                    kind.name, f.name
                ));
            }
        }
        self.events.push(ev);
        self.active.push(true);
        self.rebuild();
        Ok(self.events.len())
    }

    /// The model's scripted events: the entries still on the list.
    fn rebuild(&mut self) {
        let evs: Vec<ScriptedEvent> = self
            .events
            .iter()
            .zip(&self.active)
            .filter(|(_, a)| **a)
            .map(|(e, _)| e.clone())
            .collect();
        self.sim = self.base.with_events(evs);
    }
}

/// Every inject kind White can add in-stride.
pub fn inject_kinds() -> Vec<&'static str> {
    INJECTS.iter().map(|k| k.name).collect()
}

/// The fields inject kind `kind` takes.
pub fn inject_fields(kind: &str) -> Vec<&'static str> {
    INJECTS
        .iter()
        .find(|k| k.name == kind)
        .map(|k| k.fields.iter().map(|f| f.name).collect())
        .unwrap_or_default()
}
