//! Step 6: unilateral channels to Moscow, by logistic choice.
//!
//! Every ally decides each turn whether to run its own channel. The utility of doing so is
//!
//! ```text
//! U_i = channel_base + channel_inducement I_i (1 − r_i) + channel_engagement (1 − x_i)
//!     + channel_dependence e_i − channel_threat τ_i − cost(label)
//!     + channel_ties k_i + channel_offer O_i
//!     + channel_dialogue × dialogue_legitimation × o + channel_persistence [open last turn]
//! cost(label) = channel_label_cost × hostility(label)
//! P(channel) = 1 / (1 + e^{−U_i})
//! ```
//!
//! `k_i` is the ally's structural ties with Russia (the share of the four kinds it held before
//! October 2021: a Rosatom new-build agreement, a Russian air-defence purchase, a long-term
//! Gazprom contract, TurkStream): projects that need continuing state-to-state dealings with
//! Moscow. `O_i` is Moscow's outstanding offer of bilateral dialogue (its outreach while NATO's
//! channels are cut, step 2), taken up according to everything else in U_i.
//! `o` is the effective openness of the alliance's dialogue channel. Whether an open NATO
//! dialogue *substitutes* for unilateral channels (allies can talk to Moscow through NATO:
//! legitimation < 0) or *legitimises* them (bilateral talks for their own sake become respectable:
//! legitimation > 0) is contested; `dialogue_legitimation` is meant to be drawn as an
//! uncertainty. One 32-bit uniform per ally per turn (two per random word), always drawn.

use rand::Rng;

use super::adversary::{below_logistic, logistic, unit_pair};
use super::state::{State, hostility};
use super::{Coeffs, P};
use crate::model::Tracer;

/// Political cost (in logit units) of dealing with an actor carrying `label`: never lower for a
/// more hostile label (the coefficient is non-negative).
#[inline]
pub fn political_cost(c: &Coeffs, label: usize) -> f64 {
    c[P::ChannelLabelCost] * hostility(label)
}

/// What an ally's choice depends on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Drivers {
    pub inducement: f64,
    pub resilience: f64,
    pub stance: f64,
    pub dependence: f64,
    pub threat: f64,
    pub ties: f64,
    pub offer: f64,
    pub label: usize,
    /// Effective openness of the NATO dialogue channel.
    pub openness: f64,
    pub open_now: bool,
}

/// Utility (logit) of running a unilateral channel.
#[inline]
pub fn utility(c: &Coeffs, d: &Drivers) -> f64 {
    c[P::ChannelBase]
        + c[P::ChannelInducement] * d.inducement * (1.0 - d.resilience)
        + c[P::ChannelEngagement] * (1.0 - d.stance)
        + c[P::ChannelDependence] * d.dependence
        - c[P::ChannelThreat] * d.threat
        + c[P::ChannelTies] * d.ties
        + c[P::ChannelOffer] * d.offer
        - political_cost(c, d.label)
        + c[P::ChannelDialogue] * c[P::DialogueLegitimation] * d.openness
        + if d.open_now {
            c[P::ChannelPersistence]
        } else {
            0.0
        }
}

/// Probability of running a unilateral channel.
#[inline]
pub fn probability(c: &Coeffs, d: &Drivers) -> f64 {
    logistic(utility(c, d))
}

/// The drivers of ally `i` in state `s`.
#[inline]
pub fn drivers(c: &Coeffs, s: &State, i: usize) -> Drivers {
    Drivers {
        inducement: s.inducement[i],
        resilience: s.resilience[i],
        stance: s.stance[i],
        dependence: s.dependence[i] * (1.0 + c[P::EnergyStressGain] * s.energy_stress),
        threat: s.threat[i],
        ties: c.ties[i],
        offer: s.offer[i],
        label: s.label,
        openness: s.dialogue_openness(c[P::CutDamping]),
        open_now: s.channel[i],
    }
}

/// The coefficients of [`utility`] gathered once per turn, with the terms shared by every ally
/// (base, label cost, dialogue) folded into one constant. Same value as [`utility`] up to the
/// order of additions.
#[derive(Debug, Clone, Copy)]
struct TurnUtility {
    constant: f64,
    inducement: f64,
    engagement: f64,
    dependence: f64,
    threat: f64,
    ties: f64,
    offer: f64,
    persistence: f64,
}

impl TurnUtility {
    #[inline]
    fn of(c: &Coeffs, s: &State) -> Self {
        TurnUtility {
            constant: c[P::ChannelBase] + c[P::ChannelEngagement] - political_cost(c, s.label)
                + c[P::ChannelDialogue]
                    * c[P::DialogueLegitimation]
                    * s.dialogue_openness(c[P::CutDamping]),
            inducement: c[P::ChannelInducement],
            engagement: c[P::ChannelEngagement],
            dependence: c[P::ChannelDependence] * (1.0 + c[P::EnergyStressGain] * s.energy_stress),
            threat: c[P::ChannelThreat],
            ties: c[P::ChannelTies],
            offer: c[P::ChannelOffer],
            persistence: c[P::ChannelPersistence],
        }
    }

    /// The utility of ally `i` ([`decide`] writes the same expression on slices).
    #[cfg(test)]
    fn at(&self, c: &Coeffs, s: &State, i: usize) -> f64 {
        let open = if s.channel[i] { self.persistence } else { 0.0 };
        self.constant + self.inducement * s.inducement[i] * (1.0 - s.resilience[i])
            - self.engagement * s.stance[i]
            + self.dependence * s.dependence[i]
            - self.threat * s.threat[i]
            + self.ties * c.ties[i]
            + self.offer * s.offer[i]
            + open
    }
}

/// Step 6: every ally decides (decisions stream).
///
/// The per-ally vectors are taken as slices of one length before the loop (addresses in
/// registers, no bounds checks); the utility is `TurnUtility::at`'s expression, term for
/// term.
pub fn decide<R: Rng + ?Sized, T: Tracer>(
    c: &Coeffs,
    s: &mut State,
    rng: &mut R,
    t: usize,
    tr: &mut T,
) {
    let tu = TurnUtility::of(c, s);
    let n = s.allies();
    let (inducement, resilience, stance) = (&s.inducement[..n], &s.resilience[..n], &s.stance[..n]);
    let (dependence, threat, offer) = (&s.dependence[..n], &s.threat[..n], &s.offer[..n]);
    let ties = &c.ties[..n];
    let channel = &mut s.channel[..n];
    let opened = &mut s.opened[..n];
    let mut pair = (0.0, 0.0);
    for i in 0..n {
        // One word per two allies: its high half for the even ally, its low half for the next.
        let draw = if i % 2 == 0 {
            pair = unit_pair(rng);
            pair.0
        } else {
            pair.1
        };
        let open_now = if channel[i] { tu.persistence } else { 0.0 };
        let u = tu.constant + tu.inducement * inducement[i] * (1.0 - resilience[i])
            - tu.engagement * stance[i]
            + tu.dependence * dependence[i]
            - tu.threat * threat[i]
            + tu.ties * ties[i]
            + tu.offer * offer[i]
            + open_now;
        let open = below_logistic(draw, u);
        if T::ENABLED && open != channel[i] {
            let p = logistic(u);
            tr.event(t, "decision", &c.names[i], &|| {
                if open {
                    format!(
                        "opens a unilateral channel to Moscow (p = {p:.3}; stance {:.2}, threat {:.2}, dependence {:.2}, inducements {:.2})",
                        stance[i], threat[i], dependence[i], inducement[i]
                    )
                } else {
                    format!("closes its unilateral channel (p of keeping it = {p:.3})")
                }
            });
        }
        channel[i] = open;
        opened[i] |= open;
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;

    fn base() -> Drivers {
        Drivers {
            inducement: 0.5,
            resilience: 0.4,
            stance: 0.3,
            dependence: 0.5,
            threat: 0.4,
            ties: 0.0,
            offer: 0.0,
            label: 2,
            openness: 0.5,
            open_now: false,
        }
    }

    #[test]
    fn more_energy_dependence_never_makes_a_channel_less_likely() {
        for legit in [-1.0, 0.0, 1.0] {
            let mut p = defaults();
            p.values[P::DialogueLegitimation.i()] = legit;
            let (_, c, _, _, _) = setup(&p);
            for open_now in [false, true] {
                for label in 0..4 {
                    let mut d = Drivers {
                        open_now,
                        label,
                        ..base()
                    };
                    let mut last = 0.0;
                    for k in 0..=200 {
                        d.dependence = k as f64 / 100.0;
                        let pr = probability(&c, &d);
                        assert!(pr >= last, "dependence {}", d.dependence);
                        last = pr;
                    }
                }
            }
        }
    }

    #[test]
    fn a_hostile_label_never_lowers_the_political_cost() {
        let mut p = defaults();
        for cost in [0.0, 0.7, 1.5, 10.0] {
            p.values[P::ChannelLabelCost.i()] = cost;
            let (_, c, _, _, _) = setup(&p);
            for l in 1..4 {
                assert!(political_cost(&c, l) >= political_cost(&c, l - 1));
                let d = Drivers { label: l, ..base() };
                let e = Drivers {
                    label: l - 1,
                    ..base()
                };
                assert!(probability(&c, &d) <= probability(&c, &e));
            }
        }
    }

    #[test]
    fn drivers_point_the_documented_way() {
        let (_, c, _, _, _) = setup(&defaults());
        let p0 = probability(&c, &base());
        assert!(
            probability(
                &c,
                &Drivers {
                    inducement: 2.0,
                    ..base()
                }
            ) > p0
        );
        assert!(
            probability(
                &c,
                &Drivers {
                    stance: 0.1,
                    ..base()
                }
            ) > p0
        );
        assert!(
            probability(
                &c,
                &Drivers {
                    threat: 0.9,
                    ..base()
                }
            ) < p0
        );
        assert!(
            probability(
                &c,
                &Drivers {
                    open_now: true,
                    ..base()
                }
            ) > p0
        );
    }

    #[test]
    fn dialogue_substitutes_or_legitimises_by_the_sign_of_the_parameter() {
        for (legit, more) in [(-1.0, false), (1.0, true)] {
            let mut p = defaults();
            p.values[P::DialogueLegitimation.i()] = legit;
            let (_, c, _, _, _) = setup(&p);
            let closed = probability(
                &c,
                &Drivers {
                    openness: 0.0,
                    ..base()
                },
            );
            let open = probability(
                &c,
                &Drivers {
                    openness: 1.0,
                    ..base()
                },
            );
            assert_eq!(open > closed, more);
        }
    }

    #[test]
    fn the_turn_form_equals_the_utility() {
        let (_, c, mut s, _, _) = setup(&defaults());
        s.energy_stress = 0.4;
        s.inducement[2] = 1.3;
        s.channel[3] = true;
        s.offer[1] = 0.7;
        s.dialogue_cut = true;
        let tu = TurnUtility::of(&c, &s);
        for i in 0..s.allies() {
            let a = tu.at(&c, &s, i);
            let b = utility(&c, &drivers(&c, &s, i));
            assert!((a - b).abs() < 1e-12, "{a} {b}");
        }
    }

    #[test]
    fn decide_records_openings() {
        let mut p = defaults();
        p.values[P::ChannelBase.i()] = 10.0;
        let (_, c, mut s, mut st, _) = setup(&p);
        decide(&c, &mut s, &mut st.decisions, 1, &mut crate::model::NoTrace);
        assert!(s.channel.iter().all(|&x| x) && s.opened.iter().all(|&x| x));
    }
}
