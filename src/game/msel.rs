//! White's editing of the master scenario events list during a session: in-stride injects,
//! skips and delays (each a logged entry, allowed while the cells plan), and the list as a table.
//! What an entry is and which edits the model allows is the adapter's business.

use super::adapter::InjectSpec;
use super::effects::effect_lines;
use super::play::{Game, Phase, fields_text, rationale_line};
use super::session::Body;

impl Game {
    /// White adds an in-stride inject (its id must be the next one).
    pub(super) fn inject(
        &mut self,
        id: usize,
        inject: InjectSpec,
        rationale: String,
    ) -> Result<(Body, String), String> {
        self.need(Phase::Planning, "an in-stride inject")?;
        if id != self.world.msel_len() + 1 {
            return Err(format!(
                "in-stride inject id {id} out of sequence (next id is {})",
                self.world.msel_len() + 1
            ));
        }
        let before = self.inject_basis(inject.turn)?;
        self.world.add_inject(&inject)?;
        let after = self.inject_basis(inject.turn)?;
        let due = inject.turn;
        let effect = effect_lines(
            &format!(
                "Effect of the inject on turn {due} (the turn played without it and with it, on the same random numbers, with the levers in force{} and the adversary as the engine would play it):",
                if due > self.turn() {
                    " held until then"
                } else {
                    ""
                }
            ),
            &before,
            &after,
        );
        self.inject_effects.push((
            self.entries_done + 1,
            self.turn(),
            format!(
                "#{id} {} `{}`{} (turn {due})",
                inject.kind,
                inject.name,
                fields_text(&inject.fields)
            ),
            effect.clone(),
        ));
        let text = format!(
            "White in-stride inject #{id} for turn {}: {} `{}`{}\n{}{effect}",
            inject.turn,
            inject.kind,
            inject.name,
            fields_text(&inject.fields),
            rationale_line(&rationale)
        );
        Ok((
            Body::Inject {
                id,
                inject,
                rationale,
            },
            text,
        ))
    }

    /// White takes an inject still due off the list.
    pub(super) fn skip(&mut self, id: usize, rationale: String) -> Result<(Body, String), String> {
        self.need(Phase::Planning, "skipping an inject")?;
        let name = self.inject_name(id);
        self.world.skip(id)?;
        let text = format!(
            "White skips MSEL inject #{id} {name}\n{}",
            rationale_line(&rationale)
        );
        Ok((Body::Skip { id, rationale }, text))
    }

    /// White moves an inject still due to another turn (`delay` at the prompt: later only;
    /// `move`: earlier too).
    pub(super) fn delay(
        &mut self,
        id: usize,
        to: usize,
        rationale: String,
    ) -> Result<(Body, String), String> {
        self.need(Phase::Planning, "delaying an inject")?;
        let name = self.inject_name(id);
        let due = self.world.msel(id).map_or(0, |(s, _)| s.turn);
        self.world.delay(id, to)?;
        let verb = if to < due { "brings forward" } else { "delays" };
        let text = format!(
            "White {verb} MSEL inject #{id} {name} to turn {to}\n{}",
            rationale_line(&rationale)
        );
        Ok((Body::Delay { id, to, rationale }, text))
    }

    fn inject_name(&self, id: usize) -> String {
        match self.world.msel(id) {
            Some((s, _)) => format!("({} `{}`, turn {})", s.kind, s.name, s.turn),
            None => String::new(),
        }
    }

    /// The MSEL as a table.
    pub fn msel_text(&self) -> String {
        let mut o = String::from("Master scenario events list (MSEL):\n");
        let now = self.world.turn();
        for id in 1..=self.world.msel_len() {
            if let Some((s, active)) = self.world.msel(id) {
                let status = if !active {
                    "skipped"
                } else if s.turn <= now {
                    "released"
                } else if s.turn == now + 1 {
                    "due now"
                } else {
                    "scheduled"
                };
                let origin = if id > self.world.scenario.injects.len() {
                    " [in-stride]"
                } else {
                    ""
                };
                o.push_str(&format!(
                    "  #{id:<3} turn {:>3}  {:<10} {:<18} `{}`{}{origin}\n",
                    s.turn,
                    status,
                    s.kind,
                    s.name,
                    fields_text(&s.fields)
                ));
            }
        }
        o
    }
}
