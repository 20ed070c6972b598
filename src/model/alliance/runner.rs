//! Running the alliance model: the turn step, the initial state, and the runner that plays
//! whole trials for the engine.
//!
//! [`turn_with`] is the one step function: it takes explicit inputs ([`TurnInput`]: levers,
//! the turn's injects, whether the model plays the adversary), so a batch run ([`turn`], the
//! option's levers and the scenario's injects) and a wargame (Blue's levers, the injects White
//! releases, a human Red) drive the model through the same code. [`Workspace`] holds every
//! scratch buffer, sized once per runner, so a turn never allocates; it also memoises the
//! burn-in, which every option of a trial shares.

use super::coeffs::Coeffs;
use super::levers::{self, Levers};
use super::outcomes::{self, N_SERIES, series_row};
use super::params::{N_LEVERS, P, PARAMS};
use super::sim::{AllianceSim, ScriptedEvent};
use super::state::State;
use super::{adjudication, adversary, channels, deterrence, events, stance, summit, threat};
use crate::kernel::rng::{Streams, normal};
use crate::kernel::trace::Trace;
use crate::model::bargaining::smp::Smp;
use crate::model::opinion::HkScratch;
use crate::model::{NoTrace, Params, Runner, Tracer, TrialOut};

/// Scratch memory of one runner: per-turn effects of moves and events, and the buffers of the
/// consultation and bargaining steps. Sized once; nothing in it but the burn-in memo outlives
/// a turn.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// Threat shock each ally receives this turn (already exposure-scaled).
    pub shock: Vec<f64>,
    /// Disinformation intensity each ally receives this turn.
    pub disinfo: Vec<f64>,
    /// Resilience lost to hybrid attacks this turn.
    pub damage: Vec<f64>,
    /// Selection marks (inducement and outreach targets) and their scores.
    pub mark: Vec<bool>,
    pub score: Vec<f64>,
    /// The next stances of a Hegselmann–Krause step.
    pub next: Vec<f64>,
    /// Buffers of a Hegselmann–Krause consultation.
    pub hk: HkScratch,
    /// KTAB's bargaining at summits (one dimension: the stances).
    pub smp: Smp,
    /// Bargaining inputs: capability × salience, position.
    pub caps: Vec<f64>,
    pub sal: Vec<f64>,
    /// This turn holds a summit; the label is on its agenda.
    pub summit: bool,
    pub label_on_agenda: bool,
    /// This turn is a crisis (intimidation, aggression, attack).
    pub crisis: bool,
    /// This turn saw a hostile act (a campaign, a hybrid attack, a cut-off, a cut of channels,
    /// a crisis): it breaks the label's stated conditions.
    pub hostile: bool,
    /// The weighted mean stance, where this turn's council step computed it (the stances do
    /// not move again before the turn's measurement, which reuses it).
    pub stance_mean: Option<f64>,
    /// Wargame adjudication: values forced on this turn's outcomes (default: none).
    pub forced: adjudication::Forced,
    /// What was decided at each adjudicable draw this turn.
    pub drawn: adjudication::Drawn,
    /// The initial stances after the burn-in, for the inputs they were computed from (every
    /// option of a trial starts from the same ones: computed once, reused).
    burn: BurnCache,
}

/// Memo of the initial stances: valid when the non-lever parameters and the `init` stream are
/// exactly those it was computed from (the stances never depend on the levers).
#[derive(Debug, Clone)]
struct BurnCache {
    key: Vec<f64>,
    rng_before: Option<rand_chacha::ChaCha8Rng>,
    rng_after: Option<rand_chacha::ChaCha8Rng>,
    stance: Vec<f64>,
}

impl Workspace {
    pub fn new(n: usize) -> Self {
        Workspace {
            shock: vec![0.0; n],
            disinfo: vec![0.0; n],
            damage: vec![0.0; n],
            mark: vec![false; n],
            score: vec![0.0; n],
            next: vec![0.0; n],
            hk: HkScratch::new(n),
            smp: Smp::new(n, 1),
            caps: vec![0.0; n],
            sal: vec![1.0; n],
            summit: false,
            label_on_agenda: false,
            crisis: false,
            hostile: false,
            stance_mean: None,
            forced: adjudication::Forced::none(n),
            drawn: adjudication::Drawn::default(),
            burn: BurnCache {
                key: vec![f64::NAN; PARAMS.len()],
                rng_before: None,
                rng_after: None,
                stance: vec![0.0; n],
            },
        }
    }

    fn begin_turn(&mut self) {
        self.shock.fill(0.0);
        self.disinfo.fill(0.0);
        self.damage.fill(0.0);
        self.summit = false;
        self.label_on_agenda = false;
        self.crisis = false;
        self.hostile = false;
        self.stance_mean = None;
        self.drawn = adjudication::Drawn::default();
    }
}

/// Sets up the state of a trial at turn 0 (before the first turn) from its coefficients and
/// levers. Draws only from the `init` stream.
pub fn init<T: Tracer>(
    c: &Coeffs,
    s: &mut State,
    lv: &Levers,
    st: &mut Streams,
    ws: &mut Workspace,
    tr: &mut T,
) {
    let n = c.allies();
    debug_assert_eq!(s.allies(), n);
    *s = State {
        turn: 0,
        label: c.int(P::InitialLabel),
        risk_appetite: c[P::RiskAppetite],
        strategy_military: c[P::StrategyMilitary],
        // Reuse the vectors: `State::new` would allocate.
        stance: std::mem::take(&mut s.stance),
        threat: std::mem::take(&mut s.threat),
        threat_base: std::mem::take(&mut s.threat_base),
        channel: std::mem::take(&mut s.channel),
        opened: std::mem::take(&mut s.opened),
        resilience: std::mem::take(&mut s.resilience),
        inducement: std::mem::take(&mut s.inducement),
        dependence: std::mem::take(&mut s.dependence),
        defence: std::mem::take(&mut s.defence),
        offset: std::mem::take(&mut s.offset),
        offer: std::mem::take(&mut s.offer),
        support_loss: std::mem::take(&mut s.support_loss),
        channel_months: std::mem::take(&mut s.channel_months),
        blocked: std::mem::take(&mut s.blocked),
        threat_jump_max: std::mem::take(&mut s.threat_jump_max),
        defence_year: std::mem::take(&mut s.defence_year),
        channel_year: std::mem::take(&mut s.channel_year),
        ..State::new(0)
    };
    s.threat.copy_from_slice(&c.threat0);
    s.threat_base.copy_from_slice(&c.threat0);
    s.resilience.copy_from_slice(&c.resilience0);
    s.dependence.copy_from_slice(&c.dependence0);
    s.defence.copy_from_slice(&c.defence0);
    s.channel.fill(false);
    s.opened.fill(false);
    s.inducement.fill(0.0);
    s.offset.fill(0.0);
    s.offer.fill(0.0);
    s.support_loss.fill(0.0);
    s.channel_months.fill(0);
    s.blocked.fill(0);
    s.threat_jump_max.fill(0.0);
    // Sized once per runner (the first trial), refilled in place after.
    s.defence_year.clear();
    s.defence_year.resize(c.years.len() * n, 0.0);
    s.channel_year.clear();
    s.channel_year
        .resize(outcomes::channel_years(&c.years) * n, false);
    levers::set(s, lv);
    let cached =
        ws.burn.key[N_LEVERS..] == c.v[N_LEVERS..] && ws.burn.rng_before.as_ref() == Some(&st.init);
    if cached {
        s.stance.copy_from_slice(&ws.burn.stance);
        if let Some(r) = &ws.burn.rng_after {
            st.init.clone_from(r);
        }
    } else {
        let before = st.init.clone();
        let sd = c[P::InitialStanceSd];
        for i in 0..n {
            let target = stance::domestic_target(c, s, i);
            let noise = if sd > 0.0 {
                sd * normal(&mut st.init)
            } else {
                0.0
            };
            s.stance[i] = (target + noise).clamp(0.0, 1.0);
        }
        s.line = outcomes::weighted_mean(&c.w, &s.stance);
        // Warm-up: the 2021 stances as the model's own equilibrium of domestic pull and
        // consultation, without adversary or events (pairs drawn from the init stream).
        for _ in 0..c.int(P::BurnIn) {
            stance::update(c, s, ws, &mut st.init);
            s.line = outcomes::weighted_mean(&c.w, &s.stance);
        }
        ws.burn.key.copy_from_slice(&c.v[..]);
        ws.burn.rng_before = Some(before);
        ws.burn.rng_after = Some(st.init.clone());
        ws.burn.stance.copy_from_slice(&s.stance);
    }
    s.line = outcomes::weighted_mean(&c.w, &s.stance);
    outcomes::measure(c, s);
    s.perceived_cohesion = s.cohesion;
    s.credibility = deterrence::credibility_target(c, s, deterrence::spending_index(c, s));
    deterrence::set_risks(c, s);
    if T::ENABLED {
        trace_state(c, s, tr);
    }
}

/// Plays one turn: the nine steps in order. `lv` are the alliance's levers for this turn; the
/// injects are the scenario's for the turn and the adversary is the model's.
pub fn turn<T: Tracer>(
    sim: &AllianceSim,
    c: &Coeffs,
    s: &mut State,
    lv: &Levers,
    st: &mut Streams,
    ws: &mut Workspace,
    tr: &mut T,
) {
    let input = TurnInput {
        levers: lv,
        injects: sim.events_at(s.turn + 1),
        model_adversary: true,
    };
    turn_with(c, s, &input, st, ws, tr);
}

/// What a turn takes from outside the model: in a batch run the option's levers, the
/// scenario's injects and the model's adversary; in a wargame, Blue's levers, the injects White
/// releases (MSEL entries kept, skipped or delayed, in-stride ones added), and whether Red is
/// left to the model (when a Red cell plays, its moves come in as injects).
#[derive(Debug, Clone, Copy)]
pub struct TurnInput<'a> {
    pub levers: &'a Levers,
    pub injects: &'a [ScriptedEvent],
    pub model_adversary: bool,
}

/// One turn from explicit inputs (see [`TurnInput`]). The adversary's random numbers are drawn
/// whether or not the model plays it, so a turn with a human Red leaves every stream where the
/// model's own turn would.
pub fn turn_with<T: Tracer>(
    c: &Coeffs,
    s: &mut State,
    input: &TurnInput,
    st: &mut Streams,
    ws: &mut Workspace,
    tr: &mut T,
) {
    let t = s.turn + 1;
    ws.begin_turn();
    levers::apply(c, s, input.levers, t, tr); // 1
    if input.model_adversary {
        adversary::moves(c, s, ws, &mut st.adversary, t, tr); // 2
    } else {
        adversary::skip(c, s, &mut st.adversary);
    }
    events::apply(input.injects, c, s, ws, &mut st.events, t, tr); // 3
    // The threats do not move again before the measurement: their sum is kept for it.
    let threat_sum = threat::update(c, s, ws); // 4
    stance::update(c, s, ws, &mut st.dynamics); // 5
    channels::decide(c, s, &mut st.decisions, t, tr); // 6
    adjudication::force_channels(c, s, ws, t, tr);
    summit::decide(c, s, ws, &mut st.decisions, t, tr); // 7
    let stance_mean = match ws.stance_mean {
        Some(m) => m,
        None => outcomes::weighted_mean(&c.w, &s.stance),
    };
    outcomes::measure_from(c, s, stance_mean, threat_sum);
    deterrence::update(c, s, t, tr); // 8
    outcomes::record(c, s, ws, t, tr); // 9
    s.turn = t;
    if T::ENABLED {
        trace_state(c, s, tr);
    }
}

/// Records every state variable after a turn (turn 0: the initial state).
fn trace_state<T: Tracer>(c: &Coeffs, s: &State, tr: &mut T) {
    let t = s.turn;
    for (i, name) in c.names.iter().enumerate() {
        tr.state(t, name, "stance", s.stance[i]);
        tr.state(t, name, "threat", s.threat[i]);
        tr.state(t, name, "channel", if s.channel[i] { 1.0 } else { 0.0 });
        tr.state(t, name, "resilience", s.resilience[i]);
        tr.state(t, name, "inducement", s.inducement[i]);
        tr.state(t, name, "dependence", s.dependence[i]);
        tr.state(t, name, "defence_pct_gdp", s.defence[i]);
        tr.state(t, name, "weight", c.w[i]);
    }
    for (k, v) in [
        ("label", s.label as f64),
        ("proposed_label", s.proposed_label as f64),
        ("dialogue", s.dialogue as f64),
        ("dialogue_openness", s.dialogue_openness(c[P::CutDamping])),
        ("posture", s.posture),
        ("line", s.line),
        ("credibility", s.credibility),
        ("consensus", if s.consensus { 1.0 } else { 0.0 }),
        ("consensus_share", s.consensus_share),
        ("cohesion", s.cohesion),
        ("unilateral_share", s.unilateral_share),
        ("unilateral_count", s.unilateral_count as f64),
        ("threat_mean", s.threat_mean),
        (
            "intimidation_risk",
            adversary::logistic(s.intimidation_logit),
        ),
        ("aggression_risk", adversary::logistic(s.aggression_logit)),
        ("attack_risk", adversary::logistic(s.attack_logit)),
        ("energy_stress", s.energy_stress),
    ] {
        tr.state(t, "alliance", k, v);
    }
    for (k, v) in [
        ("risk_appetite", s.risk_appetite),
        ("strategy_military", s.strategy_military),
        ("perceived_cohesion", s.perceived_cohesion),
        ("dialogue_cut", if s.dialogue_cut { 1.0 } else { 0.0 }),
    ] {
        tr.state(t, "adversary", k, v);
    }
}

/// Runs trials of the alliance model; owns every buffer a trial needs.
pub struct AllianceRunner<'a> {
    pub sim: &'a AllianceSim,
    pub coeffs: Coeffs,
    pub state: State,
    pub ws: Workspace,
}

impl AllianceRunner<'_> {
    /// Prepares a trial: coefficients from `params`, the initial state.
    pub fn start<T: Tracer>(&mut self, params: &Params, st: &mut Streams, tr: &mut T) -> Levers {
        self.coeffs.fill(self.sim, params);
        let lv = Levers::from_coeffs(&self.coeffs);
        init(&self.coeffs, &mut self.state, &lv, st, &mut self.ws, tr);
        lv
    }

    /// Plays one turn with the given levers.
    pub fn step<T: Tracer>(&mut self, lv: &Levers, st: &mut Streams, tr: &mut T) {
        turn(
            self.sim,
            &self.coeffs,
            &mut self.state,
            lv,
            st,
            &mut self.ws,
            tr,
        );
    }

    fn go<T: Tracer>(&mut self, params: &Params, st: &mut Streams, out: &mut TrialOut, tr: &mut T) {
        let lv = self.start(params, st, tr);
        for t in 0..self.sim.turns {
            self.step(&lv, st, tr);
            out.series[t * N_SERIES..(t + 1) * N_SERIES].copy_from_slice(&series_row(&self.state));
        }
        out.turns_run = self.sim.turns;
        outcomes::finish(&self.coeffs, &self.state, &mut out.outcomes);
    }
}

impl Runner for AllianceRunner<'_> {
    fn run(&mut self, params: &Params, st: &mut Streams, out: &mut TrialOut) {
        self.go(params, st, out, &mut NoTrace);
    }
    fn run_traced(
        &mut self,
        params: &Params,
        st: &mut Streams,
        out: &mut TrialOut,
        tr: &mut Trace,
    ) {
        self.go(params, st, out, tr);
    }
}

impl AllianceSim {
    /// A concrete runner (the wargame and tests use it directly, without boxing).
    pub fn alliance_runner(&self) -> AllianceRunner<'_> {
        let n = self.allies();
        AllianceRunner {
            sim: self,
            coeffs: Coeffs::new(self),
            state: State::new(n),
            ws: Workspace::new(n),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::EventKind;
    use super::super::testutil::*;
    use super::*;
    use crate::kernel::rng::StreamKeys;
    use crate::model::Simulation;

    #[test]
    fn a_trial_stays_in_range_every_turn_and_is_deterministic() {
        let sim = sim(24);
        let mut run = sim.alliance_runner();
        let params = defaults();
        let keys = StreamKeys::new(11);
        let mut out = TrialOut::new(sim.outcomes().len(), N_SERIES, 24);
        let mut first = None;
        for rep in 0..2 {
            let mut st = keys.trial_streams(5);
            let lv = run.start(&params, &mut st, &mut NoTrace);
            for _ in 0..24 {
                run.step(&lv, &mut st, &mut NoTrace);
                run.state.check_ranges().unwrap();
            }
            let mut st = keys.trial_streams(5);
            run.run(&params, &mut st, &mut out);
            if rep == 0 {
                first = Some(out.outcomes.clone());
            } else {
                let a = first.as_ref().unwrap();
                assert!(
                    a.iter()
                        .zip(&out.outcomes)
                        .all(|(x, y)| x.to_bits() == y.to_bits())
                );
            }
        }
    }

    #[test]
    fn traced_run_equals_untraced_run() {
        let sim = sim(12);
        let mut run = sim.alliance_runner();
        let params = defaults();
        let keys = StreamKeys::new(1);
        let mut a = TrialOut::new(sim.outcomes().len(), N_SERIES, 12);
        let mut b = a.clone();
        run.run(&params, &mut keys.trial_streams(2), &mut a);
        let mut tr = Trace::default();
        run.run_traced(&params, &mut keys.trial_streams(2), &mut b, &mut tr);
        assert!(
            a.outcomes
                .iter()
                .zip(&b.outcomes)
                .all(|(x, y)| x.to_bits() == y.to_bits())
        );
        assert_eq!(a.series, b.series);
        // The last turn's row holds the final state's series, in the declared order.
        assert_eq!(a.series[11 * N_SERIES..], series_row(&run.state));
        assert!(
            tr.states
                .iter()
                .any(|r| r.variable == "stance" && r.turn == 12)
        );
    }

    #[test]
    fn the_burn_in_memo_changes_nothing() {
        let sim = sim(12);
        let keys = StreamKeys::new(5);
        let mut p = defaults();
        let mut out = TrialOut::new(sim.outcomes().len(), N_SERIES, 12);
        let mut fresh = out.clone();
        let mut memo = sim.alliance_runner();
        for k in 0..4u64 {
            for label in [2.0, 3.0] {
                p.values[P::Label.i()] = label;
                memo.run(&p, &mut keys.trial_streams(k), &mut out);
                sim.alliance_runner()
                    .run(&p, &mut keys.trial_streams(k), &mut fresh);
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&out.outcomes), bits(&fresh.outcomes));
                assert_eq!(bits(&out.series), bits(&fresh.series));
            }
        }
    }

    #[test]
    fn a_human_red_turn_keeps_the_streams_aligned_and_injects_replace_the_msel() {
        use rand::Rng;
        let sim = sim(12);
        let mut run = sim.alliance_runner();
        let keys = StreamKeys::new(4);
        let mut st = keys.trial_streams(0);
        let lv = run.start(&defaults(), &mut st, &mut NoTrace);
        let mut st2 = st.clone();
        let mut s2 = run.state.clone();
        run.step(&lv, &mut st, &mut NoTrace);
        let red = [ScriptedEvent {
            turn: 1,
            kind: EventKind::Aggression,
            name: "Red: invasion".into(),
            severity: 1.0,
            target: None,
            label_on_agenda: true,
            threat: 0.0,
            stance: 0.0,
            offset: 0.0,
        }];
        let input = TurnInput {
            levers: &lv,
            injects: &red,
            model_adversary: false,
        };
        let mut ws = Workspace::new(sim.allies());
        let mut tr = Trace::default();
        turn_with(&run.coeffs, &mut s2, &input, &mut st2, &mut ws, &mut tr);
        assert_eq!(st.adversary.next_u64(), st2.adversary.next_u64());
        assert!(tr.events.iter().any(|e| e.detail.contains("Red: invasion")));
        assert!(!tr.events.iter().any(|e| e.kind == "adversary"));
        assert!(s2.threat_mean > run.state.threat_mean);
    }

    #[test]
    fn a_snapshot_continues_exactly_like_the_original() {
        let sim = sim(12);
        let mut run = sim.alliance_runner();
        let keys = StreamKeys::new(3);
        let mut st = keys.trial_streams(0);
        let lv = run.start(&defaults(), &mut st, &mut NoTrace);
        for _ in 0..4 {
            run.step(&lv, &mut st, &mut NoTrace);
        }
        let (snap, mut st2) = (run.state.clone(), st.clone());
        for _ in 0..6 {
            run.step(&lv, &mut st, &mut NoTrace);
        }
        let after = run.state.clone();
        run.state = snap;
        for _ in 0..6 {
            run.step(&lv, &mut st2, &mut NoTrace);
        }
        assert_eq!(run.state, after);
    }
}
