//! Step 2: the adversary's moves.
//!
//! The adversary plays divide and rule. Its reading of alliance cohesion follows actual
//! cohesion with a lag; each turn it draws, independently, whether to run each kind of move,
//! with logit-linear probabilities in its risk appetite, strategy mix, perceived disunity,
//! the alliance's credibility, the label (which may provoke) and the dialogue channel:
//!
//! * disinformation campaigns, reaching each ally with an intensity ∝ (1 − resilience);
//! * inducements (energy and trade offers) to a few allies drawn with probability ∝ their
//!   attractiveness (dependence, structural ties, engagement-leaning stance);
//! * hybrid attacks (cyber, sabotage, corruption), aimed ∝ (1 − resilience) × exposure;
//! * military intimidation, aggression against a non-member and, rarely, an attack on an ally,
//!   whose probabilities step 8 ([`super::deterrence`]) computed at the end of last turn;
//! * divide and rule through the channels: while NATO-level channels are open Moscow may cut
//!   them; while they are cut it offers bilateral dialogue to chosen allies (outreach), drawn
//!   like inducement targets, whose offers raise their odds of a unilateral channel (step 6).
//!
//! Every uniform is drawn every turn whether or not it is used (a number of draws per turn
//! that depends on the parameters only, [`draws_per_turn`]), so options of the same trial
//! compare moves on common random numbers.

use rand::Rng;

use super::state::{State, hostility};
use super::{Coeffs, P, Workspace};
use crate::kernel::rng::unit;
use crate::model::Tracer;

/// The logistic function, on the portable `libm::exp`.
#[inline]
pub fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + libm::exp(-x))
}

/// Whether the uniform `u` falls below `logistic(x)`: the same decision as `u < logistic(x)`,
/// but the exponential is computed only when a cheap bound cannot decide. For a = |x| > ½,
/// e^a ≥ q = 1 + a + a²/2 + a³/6, so logistic(−a) = 1/(1 + e^a) ≤ b = 1/(1 + q), with a
/// relative margin far above rounding: u ≥ b settles x < 0 (no), u < 1 − b settles x > 0
/// (yes). Both tests are written as multiplications, without a division. What they leave open
/// is settled by [`exp_close`], an approximation of e^{−x} within a known relative error, with
/// a margin a thousand times wider than that error: only a uniform within about 10⁻⁶ of the
/// probability (relative) reaches the exact `libm::exp`, so the decision is the exact one.
#[inline]
pub fn below_logistic(u: f64, x: f64) -> bool {
    let a = x.abs();
    // Both bounds as data, one branch on whether either settled it (almost always, and so
    // well predicted), none on the random outcome itself. They never hold together.
    let q1 = 2.0 + a + a * a * (0.5 + a * (1.0 / 6.0)); // 1 + q
    let v = u * q1;
    let no = (x < 0.0) & (v >= 1.0);
    let yes = (x > 0.0) & (v < q1 - 1.0);
    if (a > 0.5) & (no | yes) {
        return yes;
    }
    // u < 1 / (1 + e^{−x}) ⟺ u (1 + e^{−x}) < 1 (u ≥ 0). With E within a relative 10⁻⁹ of
    // e^{−x}, u (1 + E) is within a relative 10⁻⁹ (plus rounding) of u (1 + e^{−x}), and
    // `logistic` itself within a few ulps of the true value: outside 1 ± 10⁻⁶ the exact
    // comparison must agree.
    if let Some(e) = exp_close(-x) {
        let v = u * (1.0 + e);
        let (yes, no) = (v < 1.0 - 1e-6, v > 1.0 + 1e-6);
        if yes | no {
            return yes;
        }
    }
    u < logistic(x)
}

/// e^y within a relative error below 10⁻⁹ for |y| ≤ 700 (`None` beyond, or for NaN): with
/// y = k ln 2 + r and |r| ≤ ½ ln 2 + 10⁻¹² (the reduction's rounding is below 2 × 10⁻¹³
/// absolute), e^r by its Taylor polynomial of degree 8 (remainder below r⁹/9! × e^{|r|} <
/// 3 × 10⁻¹⁰), times 2^k built exactly. Not a replacement for `libm::exp`: a screen that lets
/// [`below_logistic`] decide without it.
#[inline]
pub fn exp_close(y: f64) -> Option<f64> {
    if y.is_nan() || y.abs() > 700.0 {
        return None;
    }
    const LN2: f64 = std::f64::consts::LN_2;
    let k = (y * (1.0 / LN2)).round();
    let r = y - k * LN2;
    // Horner on the Taylor coefficients 1/j!, j = 0..8.
    let p = 1.0
        + r * (1.0
            + r * (1.0 / 2.0
                + r * (1.0 / 6.0
                    + r * (1.0 / 24.0
                        + r * (1.0 / 120.0
                            + r * (1.0 / 720.0 + r * (1.0 / 5040.0 + r * (1.0 / 40320.0))))))));
    // |k| ≤ 1010: 2^k is a normal double, built exactly from its exponent bits.
    let scale = f64::from_bits(((k as i64 + 1023) as u64) << 52);
    Some(p * scale)
}

/// Logit shift of every hostile move from the label (provocation, a contested effect).
#[inline]
pub fn provocation(c: &Coeffs, label: usize) -> f64 {
    c[P::LabelProvocation] * hostility(label)
}

/// Logits of this turn's political and hybrid moves: (disinformation, inducement, hybrid).
pub fn political_logits(c: &Coeffs, s: &State) -> (f64, f64, f64) {
    let disunity = 1.0 - s.perceived_cohesion;
    let political = c[P::MixGain] * (0.5 - s.strategy_military);
    let prov = provocation(c, s.label);
    let opp = c[P::OpportunityGain] * disunity;
    let dis = c[P::DisinfoBase] + political + opp + prov;
    let ind = c[P::InducementBase] + political + opp;
    let hyb = c[P::HybridBase] + c[P::AppetiteGain] * (s.risk_appetite - 0.5) + opp + prov
        - c[P::DeterrenceGainHybrid] * s.credibility;
    (dis, ind, hyb)
}

/// Intensity with which a campaign reaches an ally of resilience `r`: breadth × (1 − r), at
/// most 1 (campaigns are aimed at, and penetrate, the least resilient allies most).
#[inline]
pub fn disinfo_reach(c: &Coeffs, resilience: f64) -> f64 {
    (c[P::DisinfoBreadth] * (1.0 - resilience)).clamp(0.0, 1.0)
}

/// Attractiveness of an ally to Moscow's offers (inducements and bilateral outreach):
/// (dependence + inducement_ties × ties + trade floor) × (1 − stance).
#[inline]
pub fn inducement_score(c: &Coeffs, dependence: f64, ties: f64, stance: f64) -> f64 {
    (dependence + c[P::InducementTies] * ties + c[P::InducementTradeFloor]) * (1.0 - stance)
}

/// Uniforms the adversary draws per turn: eight for its moves and their targets, one per
/// inducement target, one for outreach and one per outreach target, one for cutting channels.
#[inline]
pub fn draws_per_turn(c: &Coeffs, n: usize) -> usize {
    8 + c.int(P::InducementTargets).min(n) + 1 + c.int(P::OutreachTargets).min(n) + 1
}

/// Draws `k` distinct allies with probability ∝ their attractiveness (sequentially, without
/// replacement: each uniform picks among the allies not yet picked), one uniform each, always
/// drawn; marks them in `mark` (nothing is marked unless `pick`). `score` is scratch space.
pub fn draw_targets<R: Rng + ?Sized>(
    c: &Coeffs,
    s: &State,
    score: &mut [f64],
    mark: &mut [bool],
    k: usize,
    rng: &mut R,
    pick: bool,
) {
    let n = s.allies();
    mark.fill(false);
    let mut total = 0.0;
    if pick {
        for i in 0..n {
            score[i] = inducement_score(c, s.dependence[i], c.ties[i], s.stance[i]).max(0.0);
            total += score[i];
        }
    }
    for _ in 0..k.min(n) {
        let u = unit(rng);
        if !pick || total <= 0.0 {
            continue;
        }
        let mut x = u * total;
        let mut chosen = None;
        for i in 0..n {
            if mark[i] || score[i] <= 0.0 {
                continue;
            }
            chosen = Some(i);
            if x < score[i] {
                break;
            }
            x -= score[i];
        }
        if let Some(i) = chosen {
            mark[i] = true;
            total -= score[i];
        }
    }
}

/// Logit of Moscow's bilateral outreach while NATO-level channels are cut.
pub fn outreach_logit(c: &Coeffs, s: &State) -> f64 {
    c[P::OutreachBase]
        + c[P::MixGain] * (0.5 - s.strategy_military)
        + c[P::OpportunityGain] * (1.0 - s.perceived_cohesion)
}

/// Logit of Moscow cutting NATO-level channels while they are open.
pub fn cut_logit(c: &Coeffs, s: &State) -> f64 {
    c[P::CutBase]
        + c[P::MixGain] * (0.5 - s.strategy_military)
        + c[P::OpportunityGain] * (1.0 - s.perceived_cohesion)
        + provocation(c, s.label)
}

/// The index drawn with probability ∝ `weight(i)` using the uniform `u` (the last positive
/// weight if rounding leaves `u` beyond the total; 0 if every weight is zero).
pub fn weighted_pick(n: usize, u: f64, weight: impl Fn(usize) -> f64) -> usize {
    let total: f64 = (0..n).map(&weight).sum();
    let mut x = u * total;
    let mut last = 0;
    for i in 0..n {
        let w = weight(i);
        if w > 0.0 {
            last = i;
            if x < w {
                return i;
            }
            x -= w;
        }
    }
    last
}

/// Two uniforms in [0, 1) with 32 bits each, from one 64-bit word of `rng` (enough resolution
/// for yes/no draws; halves the words drawn).
#[inline]
pub fn unit_pair<R: Rng + ?Sized>(rng: &mut R) -> (f64, f64) {
    let w = rng.next_u64();
    const SCALE: f64 = 1.0 / (1u64 << 32) as f64;
    ((w >> 32) as f64 * SCALE, (w & 0xffff_ffff) as f64 * SCALE)
}

/// Step 2: updates the adversary's reading, draws its moves, and records their effects in the
/// workspace (threat shocks, disinformation, resilience damage) and in the inducement stocks.
pub fn moves<R: Rng + ?Sized, T: Tracer>(
    c: &Coeffs,
    s: &mut State,
    ws: &mut Workspace,
    rng: &mut R,
    t: usize,
    tr: &mut T,
) {
    let n = s.allies();
    s.perceived_cohesion += c[P::AdversaryLearning] * (s.cohesion - s.perceived_cohesion);
    s.perceived_cohesion = s.perceived_cohesion.clamp(0.0, 1.0);
    let decay = 1.0 - c[P::InducementDecay];
    for x in &mut s.inducement {
        *x *= decay;
    }
    for x in &mut s.offer {
        *x *= decay;
    }
    let (l_dis, l_ind, l_hyb) = political_logits(c, s);
    // Fixed draws, in a fixed order.
    let u_dis = unit(rng);
    let u_ind = unit(rng);
    let u_hyb = unit(rng);
    let u_hyb_target = unit(rng);
    let u_int = unit(rng);
    let u_agg = unit(rng);
    let u_att = unit(rng);
    let u_att_target = unit(rng);
    ws.drawn.adversary_odds = [
        (l_dis, u_dis),
        (l_ind, u_ind),
        (l_hyb, u_hyb),
        (s.intimidation_logit, u_int),
        (s.aggression_logit, u_agg),
        (s.attack_logit, u_att),
    ];

    // Disinformation: every ally is reached, with an intensity that falls with resilience.
    let campaign = ws
        .forced
        .disinformation
        .unwrap_or_else(|| below_logistic(u_dis, l_dis));
    ws.drawn.disinformation = campaign;
    if campaign {
        for i in 0..n {
            ws.disinfo[i] += disinfo_reach(c, s.resilience[i]);
        }
        s.disinfo_campaigns += 1;
        ws.hostile = true;
        if T::ENABLED {
            let ws = &*ws;
            let p_dis = logistic(l_dis);
            tr.event(t, "adversary", "adversary", &|| {
                let mut hit: Vec<(f64, &str)> = (0..n)
                    .filter(|&i| ws.disinfo[i] > 0.0)
                    .map(|i| (ws.disinfo[i], c.names[i].as_str()))
                    .collect();
                hit.sort_by(|a, b| b.0.total_cmp(&a.0));
                let most: Vec<String> = hit
                    .iter()
                    .take(5)
                    .map(|(d, name)| format!("{name} {d:.2}"))
                    .collect();
                format!(
                    "disinformation campaign (p = {p_dis:.3}); most exposed: {}",
                    most.join(", ")
                )
            });
        }
    }

    // Inducements: k allies drawn ∝ attractiveness, without replacement, without allocation.
    ws.drawn.inducement = ws
        .forced
        .inducement
        .unwrap_or_else(|| below_logistic(u_ind, l_ind));
    let k_ind = c.int(P::InducementTargets);
    if ws.drawn.inducement {
        s.inducements += 1;
    }
    let mut mark = std::mem::take(&mut ws.mark);
    let mut score = std::mem::take(&mut ws.score);
    draw_targets(c, s, &mut score, &mut mark, k_ind, rng, ws.drawn.inducement);
    // Nothing is marked without an offensive (the usual turn): no scan then.
    if ws.drawn.inducement {
        for i in (0..n).filter(|&i| mark[i]) {
            s.inducement[i] += 1.0;
        }
    }
    if T::ENABLED && ws.drawn.inducement {
        let p_ind = logistic(l_ind);
        for i in (0..n).filter(|&i| mark[i]) {
            tr.event(t, "adversary", &c.names[i], &|| {
                format!(
                    "inducement offer (energy/trade; p = {p_ind:.3}; dependence {:.2}, ties {:.2}, stance {:.2})",
                    s.dependence[i], c.ties[i], s.stance[i]
                )
            });
        }
    }

    // Divide and rule through the channels: outreach while NATO's are cut, or cutting them.
    let l_out = outreach_logit(c, s);
    let u_out = unit(rng);
    let outreach = s.dialogue_cut && below_logistic(u_out, l_out);
    if outreach {
        s.outreach += 1;
    }
    let k_out = c.int(P::OutreachTargets);
    draw_targets(c, s, &mut score, &mut mark, k_out, rng, outreach);
    if outreach {
        for i in (0..n).filter(|&i| mark[i]) {
            s.offer[i] += 1.0;
        }
    }
    if T::ENABLED && outreach {
        let p = logistic(l_out);
        for i in (0..n).filter(|&i| mark[i]) {
            tr.event(t, "adversary", &c.names[i], &|| {
                format!(
                    "offer of bilateral dialogue while NATO's channels are cut (p = {p:.3}; ties {:.2}, stance {:.2})",
                    c.ties[i], s.stance[i]
                )
            });
        }
    }
    ws.mark = mark;
    ws.score = score;
    let l_cut = cut_logit(c, s);
    let u_cut = unit(rng);
    if !s.dialogue_cut && below_logistic(u_cut, l_cut) {
        s.dialogue_cut = true;
        ws.hostile = true;
        for i in 0..n {
            ws.shock[i] += c[P::ShockDialogueCut] * c.exposure[i];
        }
        if T::ENABLED {
            let p = logistic(l_cut);
            tr.event(t, "adversary", "adversary", &|| {
                format!("the adversary cuts NATO-level channels (p = {p:.4})")
            });
        }
    }

    // Hybrid attack on one ally.
    ws.drawn.hybrid = match ws.forced.hybrid {
        Some(forced) => forced,
        None => below_logistic(u_hyb, l_hyb)
            .then(|| weighted_pick(n, u_hyb_target, |i| (1.0 - s.resilience[i]) * c.exposure[i])),
    };
    if let Some(target) = ws.drawn.hybrid {
        let p_hyb = logistic(l_hyb);
        s.hybrid_attacks += 1;
        ws.hostile = true;
        let shock = c[P::ShockHybrid];
        let spill = c[P::HybridSpillover];
        for i in 0..n {
            ws.shock[i] += if i == target {
                shock
            } else {
                shock * spill * c.exposure[i]
            };
        }
        ws.damage[target] += c[P::HybridDamage] * (1.0 - s.resilience[target]);
        if T::ENABLED {
            tr.event(t, "adversary", &c.names[target], &|| {
                format!(
                    "hybrid attack (cyber, sabotage, corruption; p = {p_hyb:.3}; resilience {:.2})",
                    s.resilience[target]
                )
            });
        }
    }

    // Military moves, with the risks step 8 set at the end of last turn.
    ws.drawn.intimidation = ws
        .forced
        .intimidation
        .unwrap_or_else(|| below_logistic(u_int, s.intimidation_logit));
    if ws.drawn.intimidation {
        ws.crisis = true;
        ws.hostile = true;
        for i in 0..n {
            ws.shock[i] += c[P::ShockIntimidation] * c.exposure[i];
        }
        if T::ENABLED {
            let p = logistic(s.intimidation_logit);
            tr.event(t, "adversary", "adversary", &|| {
                format!("military intimidation (p = {p:.3}): exercises, airspace incidents")
            });
        }
    }
    ws.drawn.aggression = ws
        .forced
        .aggression
        .unwrap_or_else(|| below_logistic(u_agg, s.aggression_logit));
    if ws.drawn.aggression {
        ws.crisis = true;
        ws.hostile = true;
        for i in 0..n {
            ws.shock[i] += c[P::ShockAggression] * c.exposure[i];
        }
        if T::ENABLED {
            let p = logistic(s.aggression_logit);
            tr.event(t, "adversary", "adversary", &|| {
                format!("aggression against a non-member (p = {p:.4})")
            });
        }
    }
    ws.drawn.attack = match ws.forced.attack {
        Some(forced) => forced,
        None => below_logistic(u_att, s.attack_logit)
            .then(|| weighted_pick(n, u_att_target, |i| c.exposure[i])),
    };
    if let Some(target) = ws.drawn.attack {
        attack(c, s, ws, target, 1.0, t);
        if T::ENABLED {
            let p = logistic(s.attack_logit);
            tr.event(t, "adversary", &c.names[target], &|| {
                format!("ARMED ATTACK on an ally (p = {p:.5})")
            });
        }
    }
}

/// The adversary's step when a human cell plays it: the reading of cohesion and the decay of
/// inducements still happen, and the same uniforms are drawn (and discarded) as in [`moves`], so
/// every later draw is where the model's own turn would have left it.
pub fn skip<R: Rng + ?Sized>(c: &Coeffs, s: &mut State, rng: &mut R) {
    s.perceived_cohesion += c[P::AdversaryLearning] * (s.cohesion - s.perceived_cohesion);
    s.perceived_cohesion = s.perceived_cohesion.clamp(0.0, 1.0);
    let decay = 1.0 - c[P::InducementDecay];
    for x in &mut s.inducement {
        *x *= decay;
    }
    for x in &mut s.offer {
        *x *= decay;
    }
    for _ in 0..draws_per_turn(c, s.allies()) {
        unit(rng);
    }
}

/// The effects of an attack on ally `target` at `severity`: a full shock on the target, an
/// exposure-scaled one on every other ally; a crisis; the first attack's turn is recorded.
pub fn attack(
    c: &Coeffs,
    s: &mut State,
    ws: &mut Workspace,
    target: usize,
    severity: f64,
    t: usize,
) {
    ws.crisis = true;
    ws.hostile = true;
    let shock = c[P::ShockAttack] * severity;
    for i in 0..s.allies() {
        ws.shock[i] += if i == target {
            shock
        } else {
            shock * c.exposure[i]
        };
    }
    if s.attack_turn.is_none() {
        s.attack_turn = Some(t);
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;
    use crate::model::NoTrace;

    #[test]
    fn below_logistic_decides_exactly_as_the_direct_comparison() {
        use crate::kernel::rng::{Purpose, stream, uniform};
        let mut r = stream(8, Purpose::Decisions, 0);
        for _ in 0..200_000 {
            let x = uniform(&mut r, -12.0, 12.0);
            let u = unit(&mut r);
            assert_eq!(below_logistic(u, x), u < logistic(x), "u {u} x {x}");
            // Close to the threshold, where only the exponential can decide.
            let p = logistic(x);
            for v in [p, p * (1.0 - 1e-12), p * (1.0 + 1e-12)] {
                if (0.0..1.0).contains(&v) {
                    assert_eq!(below_logistic(v, x), v < p);
                }
            }
        }
    }

    #[test]
    fn the_exponential_screen_is_within_its_stated_error() {
        use crate::kernel::rng::{Purpose, stream, uniform};
        let mut r = stream(9, Purpose::Decisions, 0);
        let mut worst = 0.0f64;
        for k in 0..400_000 {
            let y = if k % 2 == 0 {
                uniform(&mut r, -40.0, 40.0)
            } else {
                uniform(&mut r, -700.0, 700.0)
            };
            let e = exp_close(y).unwrap();
            worst = worst.max((e / libm::exp(y) - 1.0).abs());
        }
        assert!(worst < 1e-9, "{worst}");
        for y in [700.0, -700.0, 0.0, -0.0, 0.5 * std::f64::consts::LN_2] {
            assert!(
                (exp_close(y).unwrap() / libm::exp(y) - 1.0).abs() < 1e-9,
                "{y}"
            );
        }
        for y in [700.5, -700.5, f64::INFINITY, f64::NEG_INFINITY, f64::NAN] {
            assert_eq!(exp_close(y), None, "{y}");
        }
        // Where the screen hands over: uniforms at a relative 10⁻⁶ (and just inside, outside)
        // of the probability, and extreme logits.
        for x in [
            -800.0, -700.0, -30.0, -3.0, -0.4, 0.0, 0.3, 2.0, 30.0, 700.0, 800.0,
        ] {
            let p = logistic(x);
            for f in [
                0.0, 1e-7, 9e-7, 1e-6, 1.1e-6, 2e-6, 1e-3, -1e-7, -9e-7, -1e-6, -1.1e-6, -2e-6,
                -1e-3,
            ] {
                let u = p * (1.0 + f);
                if (0.0..1.0).contains(&u) {
                    assert_eq!(below_logistic(u, x), u < p, "u {u} x {x}");
                }
            }
            assert_eq!(below_logistic(0.0, x), 0.0 < p, "x {x}");
        }
        assert!(!below_logistic(0.3, f64::NAN));
    }

    #[test]
    fn weighted_pick_follows_weights() {
        let w = [0.0, 1.0, 3.0, 0.0];
        assert_eq!(weighted_pick(4, 0.0, |i| w[i]), 1);
        assert_eq!(weighted_pick(4, 0.24, |i| w[i]), 1);
        assert_eq!(weighted_pick(4, 0.26, |i| w[i]), 2);
        assert_eq!(weighted_pick(4, 0.999_999, |i| w[i]), 2);
        assert_eq!(weighted_pick(4, 0.5, |_| 0.0), 0);
    }

    #[test]
    fn unit_pairs_are_uniform_halves() {
        use crate::kernel::rng::{Purpose, stream};
        let mut r = stream(2, Purpose::Decisions, 0);
        let (mut lo, mut hi) = (0, 0);
        for _ in 0..100_000 {
            let (a, b) = unit_pair(&mut r);
            assert!((0.0..1.0).contains(&a) && (0.0..1.0).contains(&b));
            lo += (a < 0.5) as u32;
            hi += (b < 0.5) as u32;
        }
        assert!((49_000..51_000).contains(&lo) && (49_000..51_000).contains(&hi));
    }

    #[test]
    fn more_resilience_never_raises_the_reach_of_disinformation() {
        let (_, c, _, _, _) = setup(&defaults());
        let mut last = f64::INFINITY;
        for k in 0..=100 {
            let p = disinfo_reach(&c, k as f64 / 100.0);
            assert!(p <= last);
            last = p;
        }
    }

    #[test]
    fn inducements_go_to_the_most_dependent_least_aligned() {
        let (_, c, _, _, _) = setup(&defaults());
        assert!(inducement_score(&c, 0.9, 0.0, 0.2) > inducement_score(&c, 0.9, 0.0, 0.6));
        assert!(inducement_score(&c, 0.9, 0.0, 0.2) > inducement_score(&c, 0.1, 0.0, 0.2));
        assert!(inducement_score(&c, 0.1, 0.5, 0.2) > inducement_score(&c, 0.1, 0.0, 0.2));
    }

    #[test]
    fn targets_are_drawn_in_proportion_to_attractiveness_without_repeats() {
        use crate::kernel::rng::{Purpose, stream};
        let (_, c, s, _, _) = setup(&defaults());
        let n = s.allies();
        let mut score = vec![0.0; n];
        let mut mark = vec![false; n];
        let mut rng = stream(4, Purpose::Adversary, 0);
        let mut first = vec![0usize; n];
        let draws = 100_000;
        let weights: Vec<f64> = (0..n)
            .map(|i| inducement_score(&c, s.dependence[i], c.ties[i], s.stance[i]))
            .collect();
        let total: f64 = weights.iter().sum();
        for _ in 0..draws {
            let before = rng.clone();
            draw_targets(&c, &s, &mut score, &mut mark, 2, &mut rng, true);
            assert_eq!(mark.iter().filter(|&&m| m).count(), 2);
            // The first pick alone (k = 1, same uniform) follows the weights.
            let mut r1 = before;
            draw_targets(&c, &s, &mut score, &mut mark, 1, &mut r1, true);
            first[mark.iter().position(|&m| m).unwrap()] += 1;
        }
        for i in 0..n {
            let p = weights[i] / total;
            let got = first[i] as f64 / draws as f64;
            assert!((got - p).abs() < 4.0 * (p * (1.0 - p) / draws as f64).sqrt() + 1e-9);
        }
        // Not picking still draws the same uniforms.
        let (mut a, mut b) = (rng.clone(), rng.clone());
        draw_targets(&c, &s, &mut score, &mut mark, 2, &mut a, false);
        assert!(!mark.iter().any(|&m| m));
        draw_targets(&c, &s, &mut score, &mut mark, 2, &mut b, true);
        assert_eq!(a.next_u64(), b.next_u64());
    }

    #[test]
    fn provocation_grows_with_the_label_and_military_mix_shifts_moves() {
        let mut p = defaults();
        p.values[P::LabelProvocation.i()] = 1.0;
        let (_, c, mut s, _, _) = setup(&p);
        assert!(provocation(&c, 3) > provocation(&c, 2));
        s.label = 2;
        let (d2, _, h2) = political_logits(&c, &s);
        s.label = 3;
        let (d3, _, h3) = political_logits(&c, &s);
        assert!(d3 > d2 && h3 > h2);
        s.strategy_military = 0.9;
        let (d_mil, i_mil, _) = political_logits(&c, &s);
        s.strategy_military = 0.1;
        let (d_pol, i_pol, _) = political_logits(&c, &s);
        assert!(d_pol > d_mil && i_pol > i_mil);
    }

    #[test]
    fn moves_draw_a_fixed_number_of_uniforms() {
        use rand::Rng;
        let (_, c, s0, st, mut ws) = setup(&defaults());
        let mut ends = Vec::new();
        for cohesion in [0.0, 1.0] {
            let mut s = s0.clone();
            s.cohesion = cohesion;
            s.perceived_cohesion = cohesion;
            let mut rng = st.adversary.clone();
            moves(&c, &mut s, &mut ws, &mut rng, 1, &mut NoTrace);
            ends.push(rng.next_u64());
            s.check_ranges().unwrap();
        }
        assert_eq!(ends[0], ends[1]);
    }

    #[test]
    fn an_attack_shocks_the_target_fully_and_records_the_turn() {
        let (_, c, mut s, _, mut ws) = setup(&defaults());
        attack(&c, &mut s, &mut ws, 3, 1.0, 5);
        assert_eq!(ws.shock[3], c[P::ShockAttack]);
        assert!(ws.shock[0] <= ws.shock[3]);
        assert_eq!(s.attack_turn, Some(5));
        attack(&c, &mut s, &mut ws, 1, 1.0, 7);
        assert_eq!(s.attack_turn, Some(5));
        assert!(ws.crisis);
    }
}
