//! The alliance model's parameters: every coefficient, threshold and lever, declared once.
//!
//! One table, in the order of the turn's steps, gives each parameter its name, type, range,
//! default and meaning; the `params!` macro turns it into the index enum [`P`] and the
//! declaration table [`PARAMS`] in the same order, so a trial reads a value by index
//! (`c[P::Epsilon]`) and a scenario, a policy option or an uncertainty sets it by name. The
//! levers (what a policy option or Blue sets) form the table's first section: they are
//! declared as levers ([`ParamSpec::lever`]), listed in [`LEVERS`], and come first so that
//! the non-lever values a burn-in depends on are one contiguous tail (`[N_LEVERS..]`).

use super::state::{DIALOGUES, LABELS};
use crate::spec::ParamSpec;

/// Declares the parameters: an enum `P` of indices, the `PARAMS` table in the same order (the
/// `levers` section first, each declared as a lever) and the `LEVERS` list.
macro_rules! params {
    (
        levers { $($lid:ident => $lspec:expr),* $(,)? }
        others { $($id:ident => $spec:expr),* $(,)? }
    ) => {
        /// Index of each parameter in [`PARAMS`] (and in a trial's values).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(usize)]
        pub enum P { $($lid,)* $($id),* }
        /// Every parameter of the alliance model, in declaration order.
        pub static PARAMS: &[ParamSpec] = &[$($lspec.lever(),)* $($spec),*];
        /// Number of parameters: the length of [`PARAMS`].
        pub const N_PARAMS: usize = [$(stringify!($lid),)* $(stringify!($id)),*].len();
        /// Number of levers: the first `N_LEVERS` parameters of [`PARAMS`].
        pub const N_LEVERS: usize = [$(stringify!($lid)),*].len();
        /// The alliance's levers, in declaration order (the order the game shows them).
        pub const LEVERS: [P; N_LEVERS] = [$(P::$lid),*];
    };
}

const fn r(name: &'static str, min: f64, max: f64, default: f64, m: &'static str) -> ParamSpec {
    ParamSpec::real(name, min, max, default, m)
}

params! {
    // ---- step 1: levers (policy options set these; Blue in a game) ----
    levers {
        Label => ParamSpec::choice("label", LABELS, 2,
            "the label the alliance proposes for Russia (adopted at a summit by consensus)"),
        Dialogue => ParamSpec::choice("dialogue", DIALOGUES, 0,
            "the alliance's dialogue channel with Russia"),
        DialogueEffort => r("dialogue_effort", 0.0, 1.0, 0.3,
            "how actively the alliance seeks to reactivate dialogue (0 passive offer, 1 active)"),
        CounterDisinfo => r("counter_disinfo", 0.0, 1.0, 0.2,
            "counter-disinformation effort (share of allies actively answering disinformation)"),
        ResilienceInvestment => r("resilience_investment", 0.0, 1.0, 0.2,
            "investment in resilience against hybrid threats, corruption included"),
        Posture => r("posture", 0.0, 1.0, 0.5,
            "defensive posture (forward presence, readiness); 0.5 = 2021 enhanced forward presence"),
        CostsOfAggression => r("costs_of_aggression", 0.0, 1.0, 0.3,
            "prepared costs of aggression (sanctions readiness, support to partners)"),
        SpendingGrowth => r("spending_growth", -0.5, 1.0, 0.0,
            "common growth of defence spending, percentage points of GDP per year"),
        LabelConditions => ParamSpec::choice("label_conditions", &["none", "stated"], 0,
            "whether the alliance states the conditions under which it would soften its label (Moscow restores its channels and ends its campaigns)"),
    }

    others {
        // ---- step 2: the adversary ----
        RiskAppetite => r("risk_appetite", 0.0, 1.0, 0.5,
            "adversary's risk appetite (uncertain: drawn per trial)"),
        StrategyMilitary => r("strategy_military", 0.0, 1.0, 0.5,
            "adversary's strategy mix: 0 political (disinformation, inducements), 1 military coercion"),
        AdversaryLearning => r("adversary_learning", 0.0, 1.0, 0.3,
            "speed at which the adversary's reading of cohesion follows actual cohesion, per turn"),
        DisinfoBase => r("disinfo_base", -10.0, 5.0, -1.0,
            "logit of a disinformation campaign per turn (perfect cohesion, neutral mix and label)"),
        DisinfoBreadth => r("disinfo_breadth", 0.0, 2.0, 1.0,
            "reach of a campaign: it hits ally i with intensity min(1, breadth × (1 − resilience_i))"),
        InducementBase => r("inducement_base", -10.0, 5.0, -1.5,
            "logit of an inducement offensive (energy and trade offers) per turn"),
        InducementTargets => ParamSpec::int("inducement_targets", 1, 10, 2,
            "allies an inducement offensive reaches, drawn with probability ∝ (dependence + ties + floor) × (1 − stance)"),
        InducementTradeFloor => r("inducement_trade_floor", 0.0, 1.0, 0.1,
            "trade leverage an inducement has on an ally without gas dependence (targeting score floor)"),
        InducementDecay => r("inducement_decay", 0.0, 1.0, 0.15,
            "share of an ally's inducement stock that fades each turn"),
        HybridBase => r("hybrid_base", -10.0, 5.0, -1.4,
            "logit of a hybrid attack (cyber, sabotage, corruption) per turn"),
        MixGain => r("mix_gain", 0.0, 10.0, 2.0,
            "logit effect of the strategy mix on political vs military moves"),
        OpportunityGain => r("opportunity_gain", 0.0, 10.0, 2.0,
            "logit effect of perceived disunity (1 − read cohesion) on divide-and-rule moves and attack"),
        AppetiteGain => r("appetite_gain", 0.0, 10.0, 2.0,
            "logit effect of risk appetite (centred at 0.5) on hybrid and military moves"),
        InducementTies => r("inducement_ties", 0.0, 5.0, 1.0,
            "weight of structural ties with Russia in the targeting of inducements and bilateral outreach"),
        OutreachBase => r("outreach_base", -10.0, 5.0, -0.5,
            "logit of Moscow's bilateral outreach to chosen allies per turn while it keeps NATO-level channels cut"),
        OutreachTargets => ParamSpec::int("outreach_targets", 1, 10, 2,
            "allies one outreach approaches (drawn like inducement targets)"),
        CutBase => r("cut_base", -15.0, 5.0, -4.0,
            "logit per turn that Moscow cuts NATO-level channels while they are open (perfect cohesion, neutral mix)"),

        // ---- step 3: events ----
        ElectionRate => r("election_rate", 0.0, 0.2, 0.02,
            "probability per ally and turn of a government change that shifts its domestic stance"),
        ElectionShift => r("election_shift", 0.0, 0.5, 0.08,
            "standard deviation of that shift (uniform), stance units"),
        EnergyCrunchRate => r("energy_crunch_rate", 0.0, 0.5, 0.03,
            "probability per turn of an energy-market crunch (stress set to 1)"),
        EnergyStressDecay => r("energy_stress_decay", 0.0, 1.0, 0.2,
            "share of energy stress that fades each turn"),
        EnergyStressGain => r("energy_stress_gain", 0.0, 2.0, 0.5,
            "how much full energy stress amplifies the effect of dependence"),
        DialogueRestoreRate => r("dialogue_restore_rate", 0.0, 1.0, 0.05,
            "chance per turn that the adversary restores cut channels, at full dialogue openness"),
        ConditionIncentive => r("condition_incentive", 0.0, 0.5, 0.025,
            "CONTESTED: extra chance per turn that Moscow restores its channels when a hostile label comes with stated conditions"),
        DiversificationRate => r("diversification_rate", 0.0, 1.0, 0.1,
            "share of gas dependence shed per turn per unit of threat above the ally's start (diversification)"),
        LockIn => r("lock_in", 0.0, 1.0, 0.8,
            "share of diversification blocked by a long-term Gazprom contract or TurkStream infrastructure"),

        // ---- step 4: threat perception and resilience ----
        ThreatFrontline => r("threat_frontline", 0.0, 1.0, 0.7,
            "baseline threat perception of frontline allies (border Russia or Belarus)"),
        ThreatFlank => r("threat_flank", 0.0, 1.0, 0.5,
            "baseline threat perception of flank allies (eastern flank, Black Sea, Baltic littoral)"),
        ThreatRear => r("threat_rear", 0.0, 1.0, 0.3,
            "baseline threat perception of rear allies"),
        ExposureFlank => r("exposure_flank", 0.0, 1.0, 0.7,
            "share of a hostile act's shock felt by a flank ally (frontline = 1)"),
        ExposureRear => r("exposure_rear", 0.0, 1.0, 0.45,
            "share of a hostile act's shock felt by a rear ally"),
        ThreatDrift => r("threat_drift", 0.0, 1.0, 0.05,
            "share of the gap to baseline threat closed each turn"),
        ThreatMemory => r("threat_memory", 0.0, 1.0, 0.3,
            "share of a shock's rise in threat that becomes the new baseline"),
        ShockIntimidation => r("shock_intimidation", 0.0, 3.0, 0.1,
            "threat shock of military intimidation (exposure-scaled)"),
        ShockHybrid => r("shock_hybrid", 0.0, 3.0, 0.15,
            "threat shock of a hybrid attack on its target"),
        HybridSpillover => r("hybrid_spillover", 0.0, 1.0, 0.2,
            "share of a hybrid attack's shock felt by the other allies (exposure-scaled)"),
        HybridDamage => r("hybrid_damage", 0.0, 0.5, 0.05,
            "resilience lost by the target of a hybrid attack, × (1 − its resilience)"),
        ShockAggression => r("shock_aggression", 0.0, 3.0, 0.8,
            "threat shock of aggression against a non-member at severity 1 (exposure-scaled)"),
        ShockAttack => r("shock_attack", 0.0, 5.0, 2.0,
            "threat shock of an attack on an ally (full on the target, exposure-scaled elsewhere)"),
        ShockDialogueCut => r("shock_dialogue_cut", 0.0, 1.0, 0.03,
            "threat shock of the adversary cutting dialogue channels, at severity 1"),
        DisinfoErosion => r("disinfo_erosion", 0.0, 1.0, 0.1,
            "share of threat perception a campaign erodes in a targeted ally with zero resilience"),
        DisinfoStance => r("disinfo_stance", 0.0, 2.0, 0.5,
            "a campaign's erosion of stance toward engagement, relative to its erosion of threat perception"),
        DisinfoSupport => r("disinfo_support", 0.0, 5.0, 1.0,
            "a campaign's erosion of public support for NATO, relative to its erosion of threat perception"),
        SupportRecovery => r("support_recovery", 0.0, 1.0, 0.05,
            "share of eroded public support that recovers each turn"),
        CounterDisinfoEffect => r("counter_disinfo_effect", -1.0, 1.0, 0.3,
            "CONTESTED: share of disinformation erosion that full counter-disinformation removes (negative: it backfires)"),
        CounterDisinfoFocus => r("counter_disinfo_focus", 0.0, 1.0, 0.5,
            "how much each ally's counter-disinformation effort follows its own threat perception (0: every ally at the alliance's effort)"),
        ResilienceMin => r("resilience_min", 0.0, 1.0, 0.2,
            "initial resilience of an ally with CPI 0"),
        ResilienceMax => r("resilience_max", 0.0, 1.0, 0.8,
            "initial resilience of an ally with CPI 100"),
        ResilienceGain => r("resilience_gain", 0.0, 0.2, 0.02,
            "share of the gap to full resilience closed per turn at full investment"),

        // ---- step 5: stances ----
        Consultation => ParamSpec::choice("consultation", &["deffuant", "hegselmann-krause"], 0,
            "bounded-confidence rule of consultation among allies"),
        Epsilon => r("epsilon", 0.0, 1.0, 0.25,
            "confidence bound: allies heed partners whose stance is closer than this"),
        Mu => r("mu", 0.0, 0.5, 0.1,
            "Deffuant convergence rate (share of the gap moved, before weighting)"),
        ConsultationRounds => ParamSpec::int("consultation_rounds", 0, 10, 1,
            "consultation sweeps (Deffuant) or steps (HK) per turn"),
        DomesticPull => r("domestic_pull", 0.0, 1.0, 0.25,
            "share of the gap to the domestic stance target closed per turn"),
        LinePull => r("line_pull", 0.0, 1.0, 0.1,
            "pull toward the alliance line per turn, × public support for NATO"),
        SupportRally => r("support_rally", 0.0, 2.0, 0.5,
            "rise of public support for NATO per unit of threat above the ally's starting level"),
        InducementPull => r("inducement_pull", 0.0, 1.0, 0.1,
            "pull toward engagement per unit of inducement stock, × (1 − resilience)"),
        StanceBase => r("stance_base", -1.0, 1.0, 0.15,
            "domestic stance target at zero threat and zero dependence"),
        StanceThreat => r("stance_threat", 0.0, 2.0, 0.8,
            "rise of the domestic stance target per unit of threat perception"),
        StanceEnergy => r("stance_energy", 0.0, 1.0, 0.3,
            "fall of the domestic stance target per unit of energy dependence"),
        StanceTies => r("stance_ties", 0.0, 1.0, 0.3,
            "fall of the domestic stance target per unit of structural ties with Russia (share of the four kinds held)"),
        BurnIn => ParamSpec::int("burn_in", 0, 240, 12,
            "warm-up turns of domestic pull and consultation before turn 1 (no adversary, no events)"),
        InitialStanceSd => r("initial_stance_sd", 0.0, 0.5, 0.05,
            "standard deviation of initial stances around their domestic targets"),
        TenureSocialisation => r("tenure_socialisation", 0.0, 1.0, 0.3,
            "how much years of membership strengthen the pull toward the alliance line"),
        WeightGdpShare => r("weight_gdp_share", 0.0, 1.0, 0.5,
            "ally weight: share of economic weight (GDP) vs military weight (defence spending)"),
        WeightExponent => r("weight_exponent", 0.0, 1.0, 0.5,
            "ally weight = (economic/military share)^exponent, normalised (0.5 = square root)"),
        EnergyMeasure => ParamSpec::choice("energy_measure", &["imports", "consumption", "lower"], 2,
            "dependence: Russian share of gas imports, of consumption, or the lower of the two"),
        MissingGasDependence => r("missing_gas_dependence", 0.0, 1.0, 0.0,
            "dependence used where the gas data are blank (US, Canada, UK, Iceland, Montenegro)"),
        MissingNatoSupport => r("missing_nato_support", 0.0, 1.0, 0.53,
            "public support for NATO where Pew has no figure (Pew 2019 median across 16 allies)"),
        MissingDefencePct => r("missing_defence_pct", 0.0, 5.0, 0.0,
            "defence spending (% GDP) where NATO publishes none (Iceland: no armed forces)"),

        // ---- step 6: unilateral channels ----
        ChannelBase => r("channel_base", -15.0, 5.0, -5.0,
            "logit of running a unilateral channel, all drivers at zero"),
        ChannelInducement => r("channel_inducement", 0.0, 5.0, 1.0,
            "logit effect per unit of inducement stock × (1 − resilience)"),
        ChannelEngagement => r("channel_engagement", 0.0, 10.0, 2.0,
            "logit effect of an engagement-leaning stance (1 − stance)"),
        ChannelDependence => r("channel_dependence", 0.0, 10.0, 1.5,
            "logit effect of energy dependence"),
        ChannelThreat => r("channel_threat", 0.0, 10.0, 3.0,
            "logit effect of threat perception (lowers the chance)"),
        ChannelLabelCost => r("channel_label_cost", 0.0, 10.0, 1.5,
            "political cost (logit) of dealing with an actor labelled with full hostility"),
        ChannelDialogue => r("channel_dialogue", 0.0, 5.0, 1.0,
            "logit scale of the open NATO dialogue's effect on unilateral channels"),
        DialogueLegitimation => r("dialogue_legitimation", -1.0, 1.0, 0.0,
            "CONTESTED: open NATO dialogue substitutes for (−1) or legitimises (+1) unilateral channels"),
        ChannelPersistence => r("channel_persistence", 0.0, 10.0, 5.5,
            "logit bonus for keeping a channel already open (inertia)"),
        ChannelTies => r("channel_ties", 0.0, 10.0, 3.0,
            "logit effect of structural ties with Russia (share of the four kinds held)"),
        ChannelOffer => r("channel_offer", 0.0, 10.0, 1.5,
            "logit effect per unit of Moscow's outstanding offer of bilateral dialogue"),

        // ---- step 7: summits and consensus ----
        ConsensusTolerance => r("consensus_tolerance", 0.0, 1.0, 0.2,
            "an ally further than this from the line (or label position) dissents"),
        VetoPropensity => r("veto_propensity", 0.0, 1.0, 0.15,
            "probability that a dissenting ally blocks consensus in a turn"),
        HawkVetoShare => r("hawk_veto_share", 0.0, 1.0, 0.2,
            "how often an ally that finds the line too soft blocks it, relative to one that finds it too hard"),
        LineAdjust => r("line_adjust", 0.0, 1.0, 0.2,
            "between summits, share of the gap between line and weighted mean stance closed per turn"),
        LabelThreshold => r("label_threshold", 0.0, 1.0, 0.55,
            "stance that corresponds to the adversary label (label k sits at threshold × k/3)"),
        LabelSlack => r("label_slack", 0.0, 1.0, 0.15,
            "how far below a hardened label's position the bargained line may be and still carry it"),
        SalienceThreat => r("salience_threat", 0.0, 1.0, 0.5,
            "share of an ally's bargaining salience that comes from its threat perception"),
        SummitOutcome => ParamSpec::choice("summit_outcome", &["expected", "drawn"], 0,
            "summit line: KTAB's probability-weighted expected position, or one position drawn by it"),
        InitialLabel => ParamSpec::choice("initial_label", LABELS, 2,
            "label in force at the start (June 2021: Russia's actions a threat, not labelled hostile)"),
        LabelConditionTurns => ParamSpec::int("label_condition_turns", 1, 60, 3,
            "turns Moscow must keep its channels open without a campaign or crisis for stated conditions to be met"),

        // ---- step 8: deterrence and escalation ----
        CredibilityBase => r("credibility_base", 0.0, 1.0, 0.1,
            "deterrence credibility with zero cohesion, posture, spending and label"),
        CredibilityCohesion => r("credibility_cohesion", 0.0, 1.0, 0.35,
            "credibility per unit of cohesion"),
        CredibilityPosture => r("credibility_posture", 0.0, 1.0, 0.2,
            "credibility per unit of posture"),
        CredibilitySpending => r("credibility_spending", 0.0, 1.0, 0.2,
            "credibility per unit of the spending index (weighted share of the 2% goal met)"),
        CredibilityLabel => r("credibility_label", 0.0, 0.5, 0.05,
            "CONTESTED: credibility per unit of label hostility (a clear label sharpens posture)"),
        CredibilityCosts => r("credibility_costs", 0.0, 1.0, 0.1,
            "credibility per unit of prepared costs of aggression"),
        CredibilityAdjust => r("credibility_adjust", 0.0, 1.0, 0.2,
            "share of the gap to target credibility closed per turn"),
        PostureThreatResponse => r("posture_threat_response", 0.0, 2.0, 0.5,
            "posture raised per unit of mean threat above its initial level"),
        SpendingThreatResponse => r("spending_threat_response", 0.0, 20.0, 2.5,
            "extra defence spending (pp of GDP per year) per unit of an ally's threat above its start, × its exposure"),
        SpendingPledge => r("spending_pledge", 0.0, 5.0, 2.0,
            "the spending guideline allies below it converge to (% of GDP; Wales 2014: 2%)"),
        SpendingConvergence => r("spending_convergence", 0.0, 1.0, 0.07,
            "share of the gap to the guideline an ally below it closes per year"),
        IntimidationBase => r("intimidation_base", -10.0, 5.0, -0.1,
            "logit of military intimidation per turn (zero credibility, neutral drivers)"),
        AggressionBase => r("aggression_base", -15.0, 0.0, -4.2,
            "logit of aggression against a non-member per turn"),
        AttackBase => r("attack_base", -20.0, 0.0, -6.6,
            "logit of an attack on an ally per turn"),
        DeterrenceGain => r("deterrence_gain", 0.0, 20.0, 3.0,
            "logit reduction of intimidation and attack per unit of credibility"),
        DeterrenceGainHybrid => r("deterrence_gain_hybrid", 0.0, 20.0, 1.0,
            "logit reduction of hybrid attacks per unit of credibility"),
        CostsGain => r("costs_gain", 0.0, 20.0, 2.0,
            "logit reduction of aggression against non-members per unit of prepared costs"),
        LabelProvocation => r("label_provocation", -3.0, 3.0, 0.0,
            "CONTESTED: logit increase of every hostile move per unit of label hostility (negative: the label deters)"),
        DialogueDeescalation => r("dialogue_deescalation", -3.0, 3.0, 0.0,
            "CONTESTED: logit reduction of military moves per unit of dialogue openness (negative: dialogue emboldens)"),
        CutDamping => r("cut_damping", 0.0, 1.0, 0.5,
            "share of dialogue's effects lost while the adversary keeps its channels cut"),

        // ---- step 9: outcomes ----
        CohesionDispersionWeight => r("cohesion_dispersion_weight", 0.0, 2.0, 1.0,
            "cohesion index: weight of stance dispersion (2 × weighted sd)").outcome(),
        CohesionChannelWeight => r("cohesion_channel_weight", 0.0, 2.0, 1.0,
            "cohesion index: weight of the weighted share of allies on unilateral channels").outcome(),
        FractureTurns => ParamSpec::int("fracture_turns", 1, 1000, 3,
            "fracture: this many consecutive turns without consensus").outcome(),
        FractureUnilateralShare => r("fracture_unilateral_share", 0.0, 1.0, 0.25,
            "fracture: weighted share of allies on unilateral channels above this").outcome(),
    }
}

impl P {
    #[inline]
    pub const fn i(self) -> usize {
        self as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_is_within_its_range_and_names_are_unique() {
        for (i, p) in PARAMS.iter().enumerate() {
            let (lo, hi) = p.bounds();
            assert!(lo <= p.default && p.default <= hi, "{}", p.name);
            assert!(
                PARAMS[..i].iter().all(|q| q.name != p.name),
                "duplicate {}",
                p.name
            );
        }
        assert_eq!(PARAMS[P::Epsilon.i()].name, "epsilon");
        assert_eq!(P::FractureUnilateralShare.i(), PARAMS.len() - 1);
        assert_eq!(
            PARAMS[P::FractureUnilateralShare.i()].name,
            "fracture_unilateral_share"
        );
    }

    #[test]
    fn the_levers_are_declared_as_levers_and_come_first() {
        for (i, p) in PARAMS.iter().enumerate() {
            assert_eq!(p.lever, i < N_LEVERS, "{}", p.name);
        }
        for (i, l) in LEVERS.iter().enumerate() {
            assert_eq!(l.i(), i);
        }
        assert_eq!(LEVERS[0], P::Label);
        assert_eq!(PARAMS[N_LEVERS - 1].name, "label_conditions");
        assert!(PARAMS.iter().all(|p| !p.meaning.starts_with("lever")));
    }
}
