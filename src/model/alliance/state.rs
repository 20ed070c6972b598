//! The state of one alliance trial: everything a turn reads and writes, and nothing else.
//!
//! Kept apart from the per-trial coefficients ([`super::Coeffs`], fixed for a trial) and the
//! scratch buffers ([`super::Workspace`], meaningless between turns), so that a `State` plus the
//! trial's random streams is a complete snapshot: clone both and the clone continues exactly as
//! the original would. A game's forecasts (N continuations from the current state), resumes and
//! branches rest on that. Per-ally quantities are parallel vectors indexed by ally (the
//! actor-table order), sized once and refilled in place every trial.

/// How the alliance labels the adversary, from least to most hostile.
pub const LABELS: &[&str] = &["partner", "competitor", "threat", "adversary"];
/// The alliance's dialogue channel, from most to least open.
pub const DIALOGUES: &[&str] = &["open", "conditional", "closed"];
/// Exposure classes of an ally (set in the scenario's actor table).
pub const EXPOSURES: &[&str] = &["frontline", "flank", "rear"];

/// Hostility of a label on [0, 1]: partner 0, competitor 1/3, threat 2/3, adversary 1.
#[inline]
pub fn hostility(label: usize) -> f64 {
    label as f64 / (LABELS.len() - 1) as f64
}

/// Openness of a dialogue state: open 1, conditional ½, closed 0.
#[inline]
pub fn openness(dialogue: usize) -> f64 {
    match dialogue {
        0 => 1.0,
        1 => 0.5,
        _ => 0.0,
    }
}

/// Everything that evolves during a trial.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// Turns completed (0 before the first turn).
    pub turn: usize,

    // ---- per ally ----
    /// Stance on Russia policy: 0 = engagement, 1 = confrontation.
    pub stance: Vec<f64>,
    /// Threat perception in [0, 1].
    pub threat: Vec<f64>,
    /// The level threat perception drifts back to (raised by shocks through `threat_memory`).
    pub threat_base: Vec<f64>,
    /// Whether the ally runs a unilateral channel to Moscow this turn.
    pub channel: Vec<bool>,
    /// Whether it ever did during the trial.
    pub opened: Vec<bool>,
    /// Resilience to hybrid attacks and disinformation in [0, 1].
    pub resilience: Vec<f64>,
    /// Stock of adversary inducements received (energy and trade offers), decaying.
    pub inducement: Vec<f64>,
    /// Energy dependence on the adversary in [0, 1] (Russian gas; falls after cut-offs).
    pub dependence: Vec<f64>,
    /// Defence expenditure, % of GDP.
    pub defence: Vec<f64>,
    /// Shift of the ally's domestic stance target from elections (random events).
    pub offset: Vec<f64>,
    /// Moscow's outstanding offer of bilateral dialogue to the ally (its outreach), decaying.
    pub offer: Vec<f64>,
    /// Share of public support for NATO eroded by disinformation, recovering, in [0, 1].
    pub support_loss: Vec<f64>,

    // ---- alliance ----
    /// Label in force (index into [`LABELS`]).
    pub label: usize,
    /// Label the alliance proposes (lever); adopted only at a summit, by consensus.
    pub proposed_label: usize,
    /// Dialogue state (index into [`DIALOGUES`]), set by the levers.
    pub dialogue: usize,
    /// How actively the alliance seeks dialogue, [0, 1] (lever).
    pub dialogue_effort: f64,
    /// Posture (forward presence, readiness), [0, 1] (lever, plus the threat response).
    pub posture: f64,
    /// Prepared costs of aggression (sanctions readiness), [0, 1] (lever).
    pub costs: f64,
    /// Counter-disinformation effort, [0, 1] (lever).
    pub counter_disinfo: f64,
    /// Investment in resilience (hybrid threats, corruption), [0, 1] (lever).
    pub resilience_investment: f64,
    /// Common growth of defence spending, percentage points of GDP per year (lever).
    pub spending_growth: f64,
    /// Whether the alliance states conditions under which it would soften its label (lever).
    pub conditions_stated: bool,
    /// The common line on Russia policy, [0, 1].
    pub line: f64,
    /// Deterrence credibility, [0, 1].
    pub credibility: f64,
    /// Whether the alliance reached consensus this turn.
    pub consensus: bool,
    /// Weighted share of allies within the consensus tolerance of the line.
    pub consensus_share: f64,
    /// Consecutive turns without consensus.
    pub no_consensus_run: usize,
    /// Cohesion index of this turn, [0, 1].
    pub cohesion: f64,
    /// Dispersion of stances this turn (2 × weighted sd), the index's first component.
    pub dispersion: f64,
    /// Weighted share of allies on unilateral channels.
    pub unilateral_share: f64,
    /// Number of allies on unilateral channels.
    pub unilateral_count: usize,
    /// Mean threat perception over allies (unweighted).
    pub threat_mean: f64,
    /// Logit of military intimidation next turn (logits, not probabilities, so that the draw
    /// can usually skip the exponential; see `adversary::below_logistic`).
    pub intimidation_logit: f64,
    /// Logit of aggression against a non-member next turn.
    pub aggression_logit: f64,
    /// Logit of an attack on an ally next turn.
    pub attack_logit: f64,

    // ---- adversary ----
    /// Risk appetite, [0, 1] (drawn per trial).
    pub risk_appetite: f64,
    /// Strategy mix: 0 = political (disinformation, inducements), 1 = military (coercion).
    pub strategy_military: f64,
    /// The adversary's reading of alliance cohesion (lagged).
    pub perceived_cohesion: f64,
    /// Whether the adversary has cut the dialogue channels (its mission suspended).
    pub dialogue_cut: bool,
    /// Energy-market stress in [0, 1] (random energy crunch), amplifying dependence.
    pub energy_stress: f64,
    /// Ally-turn slots (turn-major) left before the next government change; `None` until the
    /// first turn draws it.
    pub election_gap: Option<u64>,

    // ---- per-trial accumulators (so a snapshot can finish the trial) ----
    pub cohesion_sum: f64,
    pub cohesion_min: f64,
    pub consensus_sum: f64,
    pub unilateral_peak: usize,
    pub crises: usize,
    pub disinfo_campaigns: usize,
    pub inducements: usize,
    pub hybrid_attacks: usize,
    /// Turn (1-based) of the first attack on an ally.
    pub attack_turn: Option<usize>,
    /// Turn of the fracture (first turn at which a fracture criterion held).
    pub fracture_turn: Option<usize>,
    /// Turn at which the label last changed.
    pub label_change_turn: Option<usize>,
    /// Turn at which the label first changed.
    pub label_first_change_turn: Option<usize>,
    /// Consecutive turns in which the stated conditions of the label held (channels restored,
    /// no campaign, no crisis).
    pub conditions_run: usize,
    /// Whether this turn saw a hostile act that breaks the stated conditions.
    pub hostile_act: bool,
    pub dispersion_sum: f64,
    pub unilateral_sum: f64,
    /// Ally-turns with a unilateral channel open while Moscow kept NATO's channels cut.
    pub channels_while_cut: usize,
    /// Turns without consensus, and the longest run of them.
    pub deadlock_turns: usize,
    pub longest_deadlock: usize,
    /// Bilateral outreach offensives by Moscow.
    pub outreach: usize,

    // ---- per-ally accumulators ----
    /// Turns with a unilateral channel open.
    pub channel_months: Vec<u32>,
    /// Turns in which the ally dissented from the line and blocked consensus.
    pub blocked: Vec<u32>,
    /// Largest one-turn rise of threat perception.
    pub threat_jump_max: Vec<f64>,
    /// Sum of the monthly defence levels per calendar year, `[year * allies + i]` (the years
    /// of [`super::Coeffs::years`]).
    pub defence_year: Vec<f64>,
    /// Whether the ally had a unilateral channel open in some turn of the calendar year,
    /// `[year * allies + i]` (the years of [`super::Coeffs::years`]).
    pub channel_year: Vec<bool>,
}

impl State {
    /// A state for `n` allies, every value zero; [`super::init`] fills it for a trial.
    pub fn new(n: usize) -> Self {
        State {
            turn: 0,
            stance: vec![0.0; n],
            threat: vec![0.0; n],
            threat_base: vec![0.0; n],
            channel: vec![false; n],
            opened: vec![false; n],
            resilience: vec![0.0; n],
            inducement: vec![0.0; n],
            dependence: vec![0.0; n],
            defence: vec![0.0; n],
            offset: vec![0.0; n],
            offer: vec![0.0; n],
            support_loss: vec![0.0; n],
            label: 0,
            proposed_label: 0,
            dialogue: 0,
            dialogue_effort: 0.0,
            posture: 0.0,
            costs: 0.0,
            counter_disinfo: 0.0,
            resilience_investment: 0.0,
            spending_growth: 0.0,
            conditions_stated: false,
            line: 0.0,
            credibility: 0.0,
            consensus: true,
            consensus_share: 1.0,
            no_consensus_run: 0,
            cohesion: 0.0,
            dispersion: 0.0,
            unilateral_share: 0.0,
            unilateral_count: 0,
            threat_mean: 0.0,
            intimidation_logit: 0.0,
            aggression_logit: 0.0,
            attack_logit: 0.0,
            risk_appetite: 0.0,
            strategy_military: 0.0,
            perceived_cohesion: 0.0,
            dialogue_cut: false,
            energy_stress: 0.0,
            election_gap: None,
            cohesion_sum: 0.0,
            cohesion_min: 1.0,
            consensus_sum: 0.0,
            unilateral_peak: 0,
            crises: 0,
            disinfo_campaigns: 0,
            inducements: 0,
            hybrid_attacks: 0,
            attack_turn: None,
            fracture_turn: None,
            label_change_turn: None,
            label_first_change_turn: None,
            conditions_run: 0,
            hostile_act: false,
            dispersion_sum: 0.0,
            unilateral_sum: 0.0,
            channels_while_cut: 0,
            deadlock_turns: 0,
            longest_deadlock: 0,
            outreach: 0,
            channel_months: vec![0; n],
            blocked: vec![0; n],
            threat_jump_max: vec![0.0; n],
            defence_year: Vec::new(),
            channel_year: Vec::new(),
        }
    }

    /// Number of allies.
    pub fn allies(&self) -> usize {
        self.stance.len()
    }

    /// Effective openness of the dialogue channel: the state's openness × effort, damped
    /// while the adversary has cut its side (`cut_damping` ∈ [0, 1]).
    pub fn dialogue_openness(&self, cut_damping: f64) -> f64 {
        let o = openness(self.dialogue) * self.dialogue_effort;
        if self.dialogue_cut {
            o * (1.0 - cut_damping)
        } else {
            o
        }
    }

    /// Whether every state variable is within its documented range (used by tests).
    pub fn check_ranges(&self) -> Result<(), String> {
        let unit = |name: &str, v: &[f64]| -> Result<(), String> {
            match v.iter().position(|x| !(0.0..=1.0).contains(x)) {
                Some(i) => Err(format!("{name}[{i}] = {} outside [0, 1]", v[i])),
                None => Ok(()),
            }
        };
        unit("stance", &self.stance)?;
        unit("threat", &self.threat)?;
        unit("threat_base", &self.threat_base)?;
        unit("resilience", &self.resilience)?;
        unit("dependence", &self.dependence)?;
        unit("support_loss", &self.support_loss)?;
        if self.offer.iter().any(|x| !(*x >= 0.0 && x.is_finite())) {
            return Err("offer stock negative or not finite".into());
        }
        if self
            .inducement
            .iter()
            .any(|x| !(*x >= 0.0 && x.is_finite()))
        {
            return Err("inducement stock negative or not finite".into());
        }
        if self.defence.iter().any(|x| !(*x >= 0.0 && x.is_finite())) {
            return Err("defence spending negative or not finite".into());
        }
        for (name, x) in [
            ("line", self.line),
            ("credibility", self.credibility),
            ("consensus_share", self.consensus_share),
            ("cohesion", self.cohesion),
            ("unilateral_share", self.unilateral_share),
            ("threat_mean", self.threat_mean),
            ("perceived_cohesion", self.perceived_cohesion),
            ("energy_stress", self.energy_stress),
            ("posture", self.posture),
        ] {
            if !(0.0..=1.0).contains(&x) {
                return Err(format!("{name} = {x} outside [0, 1]"));
            }
        }
        if ![
            self.intimidation_logit,
            self.aggression_logit,
            self.attack_logit,
        ]
        .iter()
        .all(|x| x.is_finite())
        {
            return Err("a risk logit is not finite".into());
        }
        if self.label >= LABELS.len() || self.dialogue >= DIALOGUES.len() {
            return Err("label or dialogue index out of range".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostility_and_openness_are_ordered() {
        for l in 1..LABELS.len() {
            assert!(hostility(l) > hostility(l - 1));
        }
        assert_eq!(hostility(0), 0.0);
        assert_eq!(hostility(3), 1.0);
        assert!(openness(0) > openness(1) && openness(1) > openness(2));
    }

    #[test]
    fn fresh_state_is_sized_and_snapshot_is_a_deep_copy() {
        let mut s = State::new(5);
        assert_eq!(s.allies(), 5);
        let snap = s.clone();
        s.stance[2] = 0.7;
        assert_eq!(snap.stance[2], 0.0);
        assert_ne!(s, snap);
    }

    #[test]
    fn dialogue_openness_is_damped_when_cut() {
        let mut s = State::new(1);
        s.dialogue = 0;
        s.dialogue_effort = 0.8;
        assert!((s.dialogue_openness(0.5) - 0.8).abs() < 1e-15);
        s.dialogue_cut = true;
        assert!((s.dialogue_openness(0.5) - 0.4).abs() < 1e-15);
        s.dialogue = 2;
        assert_eq!(s.dialogue_openness(0.5), 0.0);
    }
}
