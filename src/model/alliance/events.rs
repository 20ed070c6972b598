//! Step 3: scripted injects from the scenario, then random events.
//!
//! Injects are the scenario's master events list (`[[inject]]`): dated real events such as the
//! suspension of Russia's mission, the full-scale invasion of Ukraine, or summits. Their effects
//! here are immediate and deterministic: threat shocks go to the turn's shock buffer (applied in
//! step 4), summits are flagged for step 7. Random events come after, from the `events` stream:
//! government changes in allies (a shift of the domestic stance target), energy-market crunches
//! (amplifying dependence), and the adversary restoring channels it cut (likelier the more open
//! the alliance's dialogue). Their number of draws does not depend on the policy option.

use rand::Rng;

use super::adversary::attack;
use super::state::State;
use super::{Coeffs, EventKind, P, ScriptedEvent, Workspace};
use crate::kernel::rng::unit;
use crate::model::Tracer;

/// Applies the scripted events of the turn.
pub fn scripted<T: Tracer>(
    evs: &[ScriptedEvent],
    c: &Coeffs,
    s: &mut State,
    ws: &mut Workspace,
    t: usize,
    tr: &mut T,
) {
    let n = s.allies();
    for e in evs {
        if T::ENABLED {
            tr.event(t, "inject", "", &|| e.name.clone());
        }
        let sev = e.severity;
        let all_or = |i: usize| e.target.is_none_or(|k| k == i);
        match e.kind {
            EventKind::Summit => {
                ws.summit = true;
                ws.label_on_agenda |= e.label_on_agenda;
            }
            EventKind::Aggression => {
                ws.crisis = true;
                ws.hostile = true;
                for i in 0..n {
                    ws.shock[i] += c[P::ShockAggression] * sev * c.exposure[i];
                }
            }
            EventKind::Attack => {
                if let Some(k) = e.target {
                    attack(c, s, ws, k, sev, t);
                }
            }
            EventKind::Hybrid => {
                s.hybrid_attacks += 1;
                ws.hostile = true;
                for i in 0..n {
                    if all_or(i) {
                        ws.shock[i] += c[P::ShockHybrid] * sev;
                        ws.damage[i] += c[P::HybridDamage] * sev * (1.0 - s.resilience[i]);
                    }
                }
            }
            EventKind::DialogueCut => {
                s.dialogue_cut = true;
                ws.hostile = true;
                for i in 0..n {
                    ws.shock[i] += c[P::ShockDialogueCut] * sev * c.exposure[i];
                }
            }
            EventKind::DialogueRestored => s.dialogue_cut = false,
            EventKind::Disinformation => {
                s.disinfo_campaigns += 1;
                ws.hostile = true;
                for x in ws.disinfo.iter_mut() {
                    *x += sev;
                }
            }
            EventKind::EnergyCutoff => {
                ws.hostile = true;
                let cut = sev.clamp(0.0, 1.0);
                for i in 0..n {
                    if all_or(i) {
                        // The cut-off itself is a hostile act, felt in proportion to dependence.
                        ws.shock[i] += c[P::ShockHybrid] * s.dependence[i];
                        s.dependence[i] *= 1.0 - cut;
                    }
                }
            }
            EventKind::Intimidation => {
                ws.crisis = true;
                ws.hostile = true;
                let shock = c[P::ShockIntimidation] * sev;
                for i in 0..n {
                    ws.shock[i] += match e.target {
                        Some(k) if k == i => shock,
                        _ => shock * c.exposure[i],
                    };
                }
            }
            EventKind::GovernmentChange => {
                if let Some(k) = e.target {
                    s.offset[k] = (s.offset[k] + e.offset).clamp(-0.5, 0.5);
                }
            }
            EventKind::Shock => {
                for i in 0..n {
                    if all_or(i) {
                        s.threat[i] = (s.threat[i] + e.threat).clamp(0.0, 1.0);
                        s.stance[i] = (s.stance[i] + e.stance).clamp(0.0, 1.0);
                    }
                }
            }
        }
    }
}

/// Draws the turn's random events.
pub fn random<R: Rng + ?Sized, T: Tracer>(
    c: &Coeffs,
    s: &mut State,
    rng: &mut R,
    t: usize,
    tr: &mut T,
) {
    s.energy_stress *= 1.0 - c[P::EnergyStressDecay];
    if unit(rng) < c[P::EnergyCrunchRate] {
        s.energy_stress = 1.0;
        if T::ENABLED {
            tr.event(t, "event", "", &|| {
                "energy-market crunch: gas prices spike, dependence weighs more".to_string()
            });
        }
    }
    let u_restore = unit(rng);
    if s.dialogue_cut {
        let p = restore_probability(c, s);
        if u_restore < p {
            s.dialogue_cut = false;
            if T::ENABLED {
                tr.event(t, "event", "adversary", &|| {
                    format!("the adversary restores its dialogue channels (p = {p:.3})")
                });
            }
        }
    }
    // Government changes: each ally-turn slot holds one with probability `rate`. Rather than
    // a draw per slot, the gap to the next change is drawn (geometric), so a turn usually
    // costs no draw at all; the count depends on the parameters, never on the option's state.
    let (rate, sd) = (c[P::ElectionRate], c[P::ElectionShift]);
    let n = s.allies() as u64;
    let mut gap = match s.election_gap {
        Some(g) => g,
        None => geometric_gap(rng, rate),
    };
    while gap < n {
        let i = gap as usize;
        // Uniform with standard deviation `sd`.
        let shift = sd * (2.0 * unit(rng) - 1.0) * libm::sqrt(3.0);
        s.offset[i] = (s.offset[i] + shift).clamp(-0.5, 0.5);
        if T::ENABLED {
            tr.event(t, "event", &c.names[i], &|| {
                format!("change of government: domestic stance target shifts by {shift:+.3}")
            });
        }
        gap = gap
            .saturating_add(1)
            .saturating_add(geometric_gap(rng, rate));
    }
    s.election_gap = Some(gap - n);
}

/// Chance this turn that the adversary restores the channels it cut: `dialogue_restore_rate` ×
/// the alliance's openness and effort, plus `condition_incentive` while a label more hostile than
/// the initial one stands with stated conditions for softening it.
pub fn restore_probability(c: &Coeffs, s: &State) -> f64 {
    let conditional = s.conditions_stated && s.label > c.int(P::InitialLabel);
    let incentive = if conditional {
        c[P::ConditionIncentive]
    } else {
        0.0
    };
    (c[P::DialogueRestoreRate] * s.dialogue_openness(0.0) + incentive).clamp(0.0, 1.0)
}

/// Slots before the next success of independent trials with probability `p`: ⌊ln u / ln(1 − p)⌋
/// (geometric on 0, 1, 2, …); never for p = 0.
pub fn geometric_gap<R: Rng + ?Sized>(rng: &mut R, p: f64) -> u64 {
    let u = crate::kernel::rng::unit_open(rng);
    if p <= 0.0 {
        return u64::MAX;
    }
    if p >= 1.0 {
        return 0;
    }
    let g = libm::log(u) / libm::log1p(-p);
    if g >= 1e18 { u64::MAX / 2 } else { g as u64 }
}

/// Step 3: scripted injects, then random events.
pub fn apply<R: Rng + ?Sized, T: Tracer>(
    evs: &[ScriptedEvent],
    c: &Coeffs,
    s: &mut State,
    ws: &mut Workspace,
    rng: &mut R,
    t: usize,
    tr: &mut T,
) {
    scripted(evs, c, s, ws, t, tr);
    random(c, s, rng, t, tr);
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;
    use crate::kernel::trace::Trace;
    use crate::model::NoTrace;

    fn ev(kind: EventKind, severity: f64, target: Option<usize>) -> ScriptedEvent {
        ScriptedEvent {
            turn: 1,
            kind,
            name: "test".into(),
            severity,
            target,
            label_on_agenda: true,
            threat: 0.1,
            stance: -0.1,
            offset: -0.1,
        }
    }

    #[test]
    fn an_invasion_shocks_exposed_allies_most() {
        let (_, c, mut s, _, mut ws) = setup(&defaults());
        scripted(
            &[ev(EventKind::Aggression, 1.0, None)],
            &c,
            &mut s,
            &mut ws,
            1,
            &mut NoTrace,
        );
        assert!(ws.crisis);
        // B is frontline, A rear.
        assert!(ws.shock[1] > ws.shock[0]);
        assert_eq!(ws.shock[1], c[P::ShockAggression]);
    }

    #[test]
    fn summits_cuts_cutoffs_and_shocks() {
        let (_, c, mut s, _, mut ws) = setup(&defaults());
        let mut tr = Trace::default();
        let evs = [
            ev(EventKind::Summit, 1.0, None),
            ev(EventKind::DialogueCut, 1.0, None),
            ev(EventKind::EnergyCutoff, 0.5, Some(1)),
            ev(EventKind::Shock, 1.0, Some(2)),
        ];
        let (dep1, dep2, th2) = (s.dependence[1], s.dependence[2], s.threat[2]);
        scripted(&evs, &c, &mut s, &mut ws, 1, &mut tr);
        assert!(ws.summit && ws.label_on_agenda && s.dialogue_cut);
        assert_eq!(s.dependence[1], dep1 * 0.5);
        assert_eq!(s.dependence[2], dep2);
        assert!((s.threat[2] - (th2 + 0.1)).abs() < 1e-15);
        assert_eq!(tr.events.len(), 4);
        s.check_ranges().unwrap();
    }

    #[test]
    fn random_events_draw_the_same_whatever_the_dialogue() {
        use rand::Rng;
        let (_, c, s0, st, _) = setup(&defaults());
        let mut ends = Vec::new();
        for (cut, dialogue) in [(true, 0), (false, 2)] {
            let mut s = s0.clone();
            s.dialogue_cut = cut;
            s.dialogue = dialogue;
            let mut rng = st.events.clone();
            random(&c, &mut s, &mut rng, 1, &mut NoTrace);
            ends.push(rng.next_u64());
        }
        assert_eq!(ends[0], ends[1]);
    }

    #[test]
    fn geometric_gaps_have_the_right_mean() {
        let (_, _, _, mut st, _) = setup(&defaults());
        let n = 100_000;
        let total: u64 = (0..n).map(|_| geometric_gap(&mut st.events, 0.02)).sum();
        let mean = total as f64 / n as f64;
        assert!((mean - 49.0).abs() < 1.0, "{mean}");
        assert_eq!(geometric_gap(&mut st.events, 0.0), u64::MAX);
        assert_eq!(geometric_gap(&mut st.events, 1.0), 0);
    }

    #[test]
    fn elections_happen_at_the_stated_rate() {
        let mut p = defaults();
        p.values[P::ElectionRate.i()] = 0.05;
        let (_, c, mut s, mut st, _) = setup(&p);
        let mut tr = Trace::default();
        let turns = 2000;
        for t in 1..=turns {
            random(&c, &mut s, &mut st.events, t, &mut tr);
        }
        let changes = tr
            .events
            .iter()
            .filter(|e| e.detail.contains("government"))
            .count();
        let expected = 0.05 * (turns * s.allies()) as f64;
        assert!(
            (changes as f64 - expected).abs() < 4.0 * expected.sqrt(),
            "{changes}"
        );
    }

    #[test]
    fn elections_shift_domestic_targets_within_bounds() {
        let mut p = defaults();
        p.values[P::ElectionRate.i()] = 0.2;
        p.values[P::ElectionShift.i()] = 0.5;
        let (_, c, mut s, mut st, _) = setup(&p);
        for t in 1..200 {
            random(&c, &mut s, &mut st.events, t, &mut NoTrace);
        }
        assert!(s.offset.iter().any(|&x| x != 0.0));
        assert!(s.offset.iter().all(|&x| (-0.5..=0.5).contains(&x)));
    }
}
