//! The effect of an inject or a cell's move, shown the moment it is entered: the turn it acts
//! on, played on a copy of the world once without it and once with it, on common random
//! numbers, compared as White's override preview compares an adjudication before and after an
//! override ([`report_diff`]: outcomes that flip, probabilities that move, alliance and
//! per-ally deltas "Estonia threat 0.520 → 0.610 (+0.090)").
//!
//! Every projection draws from the turn's effect streams (a seed derived from the session's,
//! the turn and `game/effect`), common to the turn with and without what is assessed and
//! independent of the session's own streams, so trying moves or injects teaches nothing about
//! the session's draws. What a projection knows follows who reads it, so an effect never leaks
//! what its reader may not see:
//! * an inject is White's (as the MSEL edits are), and the projector's when White puts
//!   `effects` on it: it is played with the levers in force and the adversary as the engine
//!   would play it (no cell's pending move);
//! * a cell's move is read by that cell (and White): Blue's is played against Blue's previous
//!   move with the adversary as the engine would play it (Red's sealed move left out), Red's
//!   against Red's previous move with the levers in force (Blue's pending move left out).
//!
//! Each projection is a pure function of the log so far: replay recomputes the same text.

use super::adapter::{Move, TurnReport};
use super::adjudication::red_forced;
use super::allies::report_diff;
use super::play::Game;
use super::session::MoveRec;
use crate::kernel::rng::{StreamKeys, derived_seed};

impl Game {
    /// The streams a cell's move effect is played on this turn (common to the turn with and
    /// without the move; independent of the session's own).
    fn effect_keys(&self) -> StreamKeys {
        StreamKeys::new(derived_seed(
            self.world.seed(),
            "game/effect",
            self.turn() as u64,
        ))
    }

    /// The effect of Blue's move `new` against Blue's move so far (or the levers in force),
    /// as the transcript's lines.
    pub(super) fn blue_effect(&self, new: &MoveRec) -> Result<String, String> {
        let keys = self.effect_keys();
        let t = self.turn();
        let old = self.rec_to_move(&self.current_move())?;
        let new = self.rec_to_move(new)?;
        let play = |m: &Move| {
            self.world
                .project(m, &[], t, Some(&keys))
                .map_err(|e| e.to_string())
        };
        Ok(effect_lines(
            &format!(
                "Effect of the move on turn {t} (the turn played with Blue's previous move and with this one, on the same random numbers; the adversary as the engine would play it):"
            ),
            &play(&old)?,
            &play(&new)?,
        ))
    }

    /// The effect of Red's moves `new` (canonical pairs) against Red's moves so far (or no
    /// hostile move), with the levers in force.
    pub(super) fn red_effect(&self, new: &[(String, String)]) -> Result<String, String> {
        let keys = self.effect_keys();
        let t = self.turn();
        let old = red_forced(self.pending_red.as_ref().map_or(&[][..], |(m, _)| m));
        let lv = self.world.levers.clone();
        let play = |f: &[(String, String)]| {
            self.world
                .project(&lv, f, t, Some(&keys))
                .map_err(|e| e.to_string())
        };
        Ok(effect_lines(
            &format!(
                "Effect of the move on turn {t} (the turn played with Red's previous move and with this one, on the same random numbers; Blue's levers in force):"
            ),
            &play(&old)?,
            &play(&red_forced(new))?,
        ))
    }

    /// The turn an inject due at turn `due` acts on, on public knowledge only: the levers in
    /// force held to `due`, the adversary as the engine would play it, on the turn's effect
    /// streams (so White may put the effect on the projector without showing a sealed move or
    /// the session's draws).
    pub(super) fn inject_basis(&self, due: usize) -> Result<TurnReport, String> {
        self.world
            .project(&self.world.levers, &[], due, Some(&self.effect_keys()))
            .map_err(|e| e.to_string())
    }
}

/// An effect's transcript lines: a heading, then what changes from `before` to `after`.
pub fn effect_lines(heading: &str, before: &TurnReport, after: &TurnReport) -> String {
    format!("  {heading}\n{}", report_diff(before, after, "    "))
}
