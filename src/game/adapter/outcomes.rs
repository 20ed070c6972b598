//! The turn's adjudicable outcomes as `key = value` pairs: the adversary's moves, the council's
//! consensus and label decisions, and each ally's channel to Moscow. White's overrides and a human
//! Red cell's moves set them ([`World::check_outcome`], forced into the model's [`Forced`]); a
//! played turn reports the model's [`Drawn`] outcomes in the same words.

use super::World;
use crate::model::alliance::adjudication::{Drawn, Forced};

/// The adversary's adjudicable moves (what a human Red cell chooses).
pub const ADVERSARY_KEYS: [&str; 6] = [
    "disinformation",
    "inducement",
    "hybrid",
    "intimidation",
    "aggression",
    "attack",
];

impl World {
    /// Every outcome key White may set this turn (`channel.<ally>` for each ally).
    pub fn outcome_keys(&self) -> Vec<String> {
        let mut v: Vec<String> = ADVERSARY_KEYS.iter().map(|s| s.to_string()).collect();
        v.push("consensus".into());
        v.push("label".into());
        v.extend(self.base.names.iter().map(|n| format!("channel.{n}")));
        v
    }

    /// Checks `key = value` and returns it in canonical form.
    pub fn check_outcome(&self, key: &str, value: &str) -> Result<(String, String), String> {
        let mut f = Forced::none(self.allies().len());
        self.force(&mut f, key, value)
    }

    /// Sets `key = value` in `f`; returns the canonical pair.
    pub(super) fn force(
        &self,
        f: &mut Forced,
        key: &str,
        value: &str,
    ) -> Result<(String, String), String> {
        let yes_no = |v: &str| -> Result<bool, String> {
            match v {
                "yes" | "true" | "1" => Ok(true),
                "no" | "false" | "0" => Ok(false),
                _ => Err(format!("`{key}={v}`: allowed: yes or no")),
            }
        };
        let target = |v: &str| -> Result<Option<usize>, String> {
            if v == "none" || v == "no" {
                Ok(None)
            } else {
                self.ally(v)
                    .map(Some)
                    .map_err(|e| format!("`{key}={v}`: {e}, or none"))
            }
        };
        let name = |t: Option<usize>| t.map_or("none".to_string(), |i| self.base.names[i].clone());
        let yn = |b: bool| if b { "yes" } else { "no" }.to_string();
        let canon = match key {
            "disinformation" => {
                let b = yes_no(value)?;
                f.disinformation = Some(b);
                yn(b)
            }
            "inducement" => {
                let b = yes_no(value)?;
                f.inducement = Some(b);
                yn(b)
            }
            "intimidation" => {
                let b = yes_no(value)?;
                f.intimidation = Some(b);
                yn(b)
            }
            "aggression" => {
                let b = yes_no(value)?;
                f.aggression = Some(b);
                yn(b)
            }
            "consensus" => {
                let b = yes_no(value)?;
                f.consensus = Some(b);
                yn(b)
            }
            "label" => {
                let b = yes_no(value)?;
                f.label = Some(b);
                yn(b)
            }
            "hybrid" => {
                let t = target(value)?;
                f.hybrid = Some(t);
                name(t)
            }
            "attack" => {
                let t = target(value)?;
                f.attack = Some(t);
                name(t)
            }
            _ => {
                let Some(ally) = key.strip_prefix("channel.") else {
                    let keys = self.outcome_keys();
                    return Err(format!(
                        "no outcome `{key}`{}; allowed: {}, consensus, label, channel.<ally>",
                        crate::kernel::suggest::did_you_mean(key, keys.iter().map(String::as_str)),
                        ADVERSARY_KEYS.join(", ")
                    ));
                };
                let i = self.ally(ally)?;
                let open = match value {
                    "open" | "yes" => true,
                    "closed" | "no" => false,
                    _ => return Err(format!("`{key}={value}`: allowed: open or closed")),
                };
                f.channels[i] = Some(open);
                return Ok((
                    format!("channel.{}", self.base.names[i]),
                    if open { "open" } else { "closed" }.into(),
                ));
            }
        };
        Ok((key.to_string(), canon))
    }

    /// The adjudicable outcomes a turn decided (channels: those open or changed).
    pub(super) fn outcomes(&self, d: &Drawn, before: &[bool]) -> Vec<(String, String)> {
        let yn = |b: bool| if b { "yes" } else { "no" }.to_string();
        let name = |t: Option<usize>| t.map_or("none".to_string(), |i| self.base.names[i].clone());
        let mut v = vec![
            ("disinformation".to_string(), yn(d.disinformation)),
            ("inducement".into(), yn(d.inducement)),
            ("hybrid".into(), name(d.hybrid)),
            ("intimidation".into(), yn(d.intimidation)),
            ("aggression".into(), yn(d.aggression)),
            ("attack".into(), name(d.attack)),
            ("consensus".into(), yn(d.consensus)),
        ];
        if let Some(l) = d.label {
            v.push(("label".into(), yn(l)));
        }
        for (i, n) in self.base.names.iter().enumerate() {
            let now = self.state.channel[i];
            if now || before[i] {
                v.push((
                    format!("channel.{n}"),
                    if now { "open" } else { "closed" }.into(),
                ));
            }
        }
        v
    }
}
