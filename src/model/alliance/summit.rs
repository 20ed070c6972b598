//! Step 7: alliance decisions — the common line, consensus, and the label at summits.
//!
//! At a summit turn (an inject of kind `summit`) the Allies bargain over the common line with
//! KTAB's Spatial Model of Politics ([`smp`](crate::model::bargaining::smp), KAPSARC's
//! conventions: salience-weighted distance, u = (1 − d)(1 + d·R) with risk attitudes R
//! inferred from a risk-neutral pass, proportional voting v_k(i:j) = w_k (u_k(i) − u_k(j)),
//! linear victory probabilities, conditional probability of each position prevailing). The
//! positions are the allies' stances on one dimension; the voting weight is the ally's weight
//! × its salience (1 − salience_threat + salience_threat × τ_i: threatened allies care more),
//! since on one dimension KTAB's salience cancels out of the distance. The analysis runs on
//! the runner's workspace ([`Workspace::smp`]), so a summit allocates nothing. The new line is
//! KTAB's expected position (or a position drawn by its probabilities). NATO decides by
//! consensus: an ally further than `consensus_tolerance` from the line dissents, and each
//! dissenter blocks with probability `veto_propensity` if it finds the line too hard, and
//! `hawk_veto_share` times that if it finds it too soft (for those who want more, a text that
//! says less beats no text: consensus is the lowest common denominator); a blocked line is not
//! adopted, and the ally that blocked it is recorded. A
//! proposed label (lever) is adopted at a summit with the label on its agenda only if the line
//! was adopted, the line is close enough to the label's position, and no objector blocks it.
//! Between summits the line follows the weighted mean stance (the North Atlantic Council's
//! daily business) and consensus is tested against it every turn.

use rand::Rng;

use super::outcomes::weighted_mean;
use super::state::{LABELS, State};
use super::{Coeffs, P, Workspace};
use crate::kernel::rng::unit;
use crate::model::Tracer;

/// Probability that no dissenter blocks: (1 − veto_propensity)^dissenters.
#[inline]
pub fn pass_probability(veto: f64, dissenters: usize) -> f64 {
    libm::pow(1.0 - veto.clamp(0.0, 1.0), dissenters as f64)
}

/// Probability that a line passes: no dissenter on the engagement side blocks (each with
/// `veto`), and none on the confrontation side (each with `veto × hawk_share`).
#[inline]
pub fn line_pass_probability(veto: f64, hawk_share: f64, doves: usize, hawks: usize) -> f64 {
    pass_probability(veto, doves) * pass_probability(veto * hawk_share.clamp(0.0, 1.0), hawks)
}

/// Dissent against a line: (dissenters on the engagement side, on the confrontation side,
/// weighted share within tolerance, the furthest ally).
pub fn dissent(c: &Coeffs, s: &State, line: f64, tol: f64) -> (usize, usize, f64, usize) {
    let (mut doves, mut hawks, mut share, mut far, mut far_d) = (0, 0, 0.0, 0, -1.0);
    let n = s.allies();
    let (x, w) = (&s.stance[..n], &c.w[..n]);
    // Counts and selects rather than branches (who dissents varies). The share starts at +0.0
    // and only grows, so adding 0.0 for a dissenter leaves it unchanged, bit for bit.
    for i in 0..n {
        let d = (x[i] - line).abs();
        let out = d > tol;
        let below = x[i] < line;
        doves += (out & below) as usize;
        hawks += (out & !below) as usize;
        share += if out { 0.0 } else { w[i] };
        let further = d > far_d;
        far = if further { i } else { far };
        far_d = if further { d } else { far_d };
    }
    (doves, hawks, share.clamp(0.0, 1.0), far)
}

/// The ally that blocked a line when consensus failed on the uniform `u` (consensus held iff
/// u < the product of the dissenters' (1 − p_j)): the dissenters are heard from the furthest
/// from the line, dissenter j blocking with probability p_j (`veto` on the engagement side,
/// `veto × hawk_share` on the other), so the j-th is the first to block when
/// Π_{l≤j} (1 − p_l) ≤ u < Π_{l<j} (1 − p_l) — the same single uniform, the right
/// probabilities. `None` if nobody dissents or the uniform let the line pass.
pub fn blocker(
    s: &State,
    line: f64,
    tol: f64,
    veto: f64,
    hawk_share: f64,
    u: f64,
) -> Option<usize> {
    let v = veto.clamp(0.0, 1.0);
    let vh = v * hawk_share.clamp(0.0, 1.0);
    let k = s.stance.iter().filter(|&&x| (x - line).abs() > tol).count();
    // Dissenters from the furthest (ties by actor order), found without sorting.
    let mut prev: Option<(f64, usize)> = None;
    let mut q = 1.0;
    let mut last = None;
    for _ in 0..k {
        let mut best: Option<(f64, usize)> = None;
        for (i, &x) in s.stance.iter().enumerate() {
            let d = (x - line).abs();
            if d <= tol {
                continue;
            }
            let after_prev = match prev {
                None => true,
                Some((pd, pi)) => d < pd || (d == pd && i > pi),
            };
            let better = match best {
                None => true,
                Some((bd, bi)) => d > bd || (d == bd && i < bi),
            };
            if after_prev && better {
                best = Some((d, i));
            }
        }
        let Some((d, i)) = best else { break };
        prev = Some((d, i));
        let p = if s.stance[i] < line { v } else { vh };
        if p > 0.0 {
            last = Some(i);
        }
        q *= 1.0 - p;
        if p > 0.0 && u >= q {
            return Some(i);
        }
    }
    // Rounding at the boundary: the line failed by the product's other evaluation order.
    if u >= q { last } else { None }
}

/// Records the blocker of a failed consensus (drawn, not forced) in the state.
fn record_block(c: &Coeffs, s: &mut State, ws: &Workspace, line: f64, u: f64) {
    if s.consensus || ws.forced.consensus.is_some() {
        return;
    }
    let (tol, veto) = (c[P::ConsensusTolerance], c[P::VetoPropensity]);
    if let Some(i) = blocker(s, line, tol, veto, c[P::HawkVetoShare], u) {
        s.blocked[i] += 1;
    }
}

/// The stance that corresponds to label `label`: label_threshold × label / 3.
#[inline]
pub fn label_position(c: &Coeffs, label: usize) -> f64 {
    c[P::LabelThreshold] * label as f64 / (LABELS.len() - 1) as f64
}

/// Step 7 (decisions stream: three uniforms per turn, always drawn).
pub fn decide<R: Rng + ?Sized, T: Tracer>(
    c: &Coeffs,
    s: &mut State,
    ws: &mut Workspace,
    rng: &mut R,
    t: usize,
    tr: &mut T,
) {
    let n = s.allies();
    let tol = c[P::ConsensusTolerance];
    let veto = c[P::VetoPropensity];
    let u_line = unit(rng);
    let u_label = unit(rng);
    let u_pick = unit(rng);
    if ws.summit {
        let st = c[P::SalienceThreat];
        for i in 0..n {
            ws.caps[i] = c.w[i] * ((1.0 - st) + st * s.threat[i]);
        }
        ws.smp.analyse(&ws.caps[..n], &s.stance, &ws.sal[..n]);
        let candidate = if c.int(P::SummitOutcome) == 0 {
            ws.smp.expected[0]
        } else {
            let m = ws.smp.m;
            let u = super::adversary::weighted_pick(m, u_pick, |k| ws.smp.prob_unique[k]);
            s.stance[ws.smp.unique[u]]
        }
        .clamp(0.0, 1.0);
        let (doves, hawks, share, far) = dissent(c, s, candidate, tol);
        let k = doves + hawks;
        let p_ok = line_pass_probability(veto, c[P::HawkVetoShare], doves, hawks);
        ws.drawn.council_odds[0] = (p_ok, u_line);
        let ok = ws.forced.consensus.unwrap_or(u_line < p_ok);
        if T::ENABLED {
            let (smp, stance) = (&ws.smp, &s.stance);
            tr.event(t, "summit", "alliance", &|| {
                let best = (0..smp.m)
                    .max_by(|&a, &b| smp.prob_unique[a].total_cmp(&smp.prob_unique[b]))
                    .unwrap_or(0);
                format!(
                    "KTAB bargaining over the line: expected position {:.3}; most likely position {:.3} ({}'s, p = {:.3}); candidate line {:.3}; {} dissenter(s) beyond {tol}; {}",
                    smp.expected[0],
                    stance[smp.unique[best]],
                    c.names[smp.unique[best]],
                    smp.prob_unique[best],
                    candidate,
                    k,
                    if ok {
                        "adopted by consensus".to_string()
                    } else {
                        format!("BLOCKED (furthest: {})", c.names[far])
                    }
                )
            });
        }
        if ok {
            s.line = candidate;
        }
        s.consensus = ok;
        s.consensus_share = share;
        record_block(c, s, ws, candidate, u_line);
        if ws.label_on_agenda && s.proposed_label != s.label {
            let target = label_position(c, s.proposed_label);
            let hardening = s.proposed_label > s.label;
            let objectors = s
                .stance
                .iter()
                .filter(|&&x| {
                    if hardening {
                        x < target - tol
                    } else {
                        x > target + tol
                    }
                })
                .count();
            let supported = if hardening {
                candidate >= target - c[P::LabelSlack]
            } else {
                candidate <= target + c[P::LabelSlack]
            };
            let p_label = if ok && supported {
                pass_probability(veto, objectors)
            } else {
                0.0
            };
            ws.drawn.council_odds[1] = (p_label, u_label);
            let adopted = ws.forced.label.unwrap_or(u_label < p_label);
            ws.drawn.label = Some(adopted);
            if T::ENABLED {
                let (from, to) = (LABELS[s.label], LABELS[s.proposed_label]);
                tr.event(t, "decision", "alliance", &|| {
                    format!(
                        "label {from} → {to} (position {target:.2}): {} ({objectors} objector(s); line {} the label)",
                        if adopted { "ADOPTED" } else { "not adopted" },
                        if supported { "supports" } else { "does not support" }
                    )
                });
            }
            if adopted {
                s.label = s.proposed_label;
                s.label_change_turn = Some(t);
                if s.label_first_change_turn.is_none() {
                    s.label_first_change_turn = Some(t);
                }
            }
        }
    } else {
        let mean = weighted_mean(&c.w, &s.stance);
        ws.stance_mean = Some(mean);
        s.line = (s.line + c[P::LineAdjust] * (mean - s.line)).clamp(0.0, 1.0);
        let (doves, hawks, share, far) = dissent(c, s, s.line, tol);
        let k = doves + hawks;
        let p_ok = line_pass_probability(veto, c[P::HawkVetoShare], doves, hawks);
        ws.drawn.council_odds[0] = (p_ok, u_line);
        s.consensus = ws.forced.consensus.unwrap_or(u_line < p_ok);
        s.consensus_share = share;
        let line = s.line;
        record_block(c, s, ws, line, u_line);
        if T::ENABLED && !s.consensus {
            tr.event(t, "decision", &c.names[far], &|| {
                format!(
                    "no consensus in the North Atlantic Council: {k} ally(ies) beyond {tol} of the line {:.3}",
                    s.line
                )
            });
        }
    }
    ws.drawn.summit = ws.summit;
    ws.drawn.consensus = s.consensus;
    s.no_consensus_run = if s.consensus {
        0
    } else {
        s.no_consensus_run + 1
    };
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;
    use crate::model::NoTrace;

    #[test]
    fn consensus_needs_no_veto_and_pass_probability_falls_with_dissent() {
        assert_eq!(pass_probability(0.3, 0), 1.0);
        assert!(pass_probability(0.3, 2) < pass_probability(0.3, 1));
        assert_eq!(pass_probability(1.0, 1), 0.0);
    }

    #[test]
    fn a_summit_sets_the_line_by_bargaining_and_may_adopt_the_label() {
        let mut p = defaults();
        p.values[P::VetoPropensity.i()] = 0.0;
        p.values[P::LabelThreshold.i()] = 0.3;
        let (_, c, mut s, mut st, mut ws) = setup(&p);
        s.proposed_label = 3;
        ws.summit = true;
        ws.label_on_agenda = true;
        let mut tr = crate::kernel::trace::Trace::default();
        decide(&c, &mut s, &mut ws, &mut st.decisions, 4, &mut tr);
        assert!(s.consensus);
        assert!((s.line - ws.smp.expected[0]).abs() < 1e-15);
        assert_eq!(s.label, 3, "{:?}", tr.events);
        assert_eq!(s.label_change_turn, Some(4));
        assert!(tr.events.iter().any(|e| e.kind == "summit"));
    }

    #[test]
    fn the_first_blocker_is_drawn_with_the_sequential_probabilities() {
        // Three dissenters at distances 0.5 (dove), 0.4 (hawk), 0.3 (dove) — actors 0, 1, 2 —
        // and one ally within tolerance.
        let mut s = State::new(4);
        s.stance.copy_from_slice(&[0.0, 0.9, 0.2, 0.55]);
        let (line, tol, v, h) = (0.5, 0.2, 0.25, 0.4);
        let (q, qh) = (1.0 - v, 1.0 - v * h);
        let mut hits = [0usize; 4];
        let n = 200_000;
        for k in 0..n {
            let u = (k as f64 + 0.5) / n as f64;
            let b = blocker(&s, line, tol, v, h, u);
            // Blocked exactly when the pass probability says so.
            assert_eq!(b.is_some(), u >= line_pass_probability(v, h, 2, 1), "u {u}");
            if let Some(i) = b {
                hits[i] += 1;
            }
        }
        let share = |i: usize| hits[i] as f64 / n as f64;
        assert!((share(0) - v).abs() < 1e-4);
        assert!((share(1) - q * v * h).abs() < 1e-4);
        assert!((share(2) - q * qh * v).abs() < 1e-4);
        assert_eq!(hits[3], 0);
        assert_eq!(blocker(&s, line, tol, 0.0, h, 0.99), None);
        assert_eq!(blocker(&s, line, tol, 1.0, h, 0.0), Some(0));
        // Hawks never block when their share is zero.
        assert_ne!(blocker(&s, line, tol, 0.25, 0.0, 0.7), Some(1));
    }

    #[test]
    fn between_summits_the_line_follows_the_mean_and_vetoes_can_block() {
        let mut p = defaults();
        p.values[P::VetoPropensity.i()] = 1.0;
        p.values[P::ConsensusTolerance.i()] = 0.0;
        let (_, c, mut s, mut st, mut ws) = setup(&p);
        s.line = 0.0;
        decide(&c, &mut s, &mut ws, &mut st.decisions, 1, &mut NoTrace);
        assert!(s.line > 0.0);
        assert!(!s.consensus);
        assert_eq!(s.no_consensus_run, 1);
        assert_eq!(s.blocked.iter().sum::<u32>(), 1);
        decide(&c, &mut s, &mut ws, &mut st.decisions, 2, &mut NoTrace);
        assert_eq!(s.no_consensus_run, 2);
    }
}
