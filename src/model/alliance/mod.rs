//! `[model] kind = "alliance"`: the alliance-cohesion model (NATO and Russia after October 2021).
//!
//! Thirty allies, an alliance and an adversary play out monthly turns. Each turn runs nine steps,
//! one module each, in the order of the specification: the alliance's [`levers`] (1), the
//! [`adversary`]'s moves (2), scripted injects and random [`events`] (3), [`threat`] perception
//! (4), [`stance`]s by domestic pull and bounded-confidence consultation (5), unilateral
//! [`channels`] (6), [`summit`] bargaining with KTAB's spatial model and consensus (7),
//! [`deterrence`] credibility and escalation risks (8), and the turn's [`outcomes`] (9).
//!
//! The model is split into three kinds of data so that it can later be stepped turn by turn by
//! wargame players and forecast from any point: [`AllianceSim`] (the scenario: allies' data and
//! the scripted injects, read-only, shared by all workers), [`Coeffs`] (every parameter value
//! and the per-ally attributes derived from them, fixed within a trial), and [`State`] (what
//! evolves, a complete snapshot together with the trial's random streams). [`Workspace`] holds
//! the scratch buffers; it is sized once per runner, so the turn loop never allocates.
//! [`turn`] is the public single-turn step with explicit [`Levers`]: in a batch run they come
//! from the policy option, in a game from the players.
//!
//! Every coefficient is a declared parameter ([`PARAMS`]), documented with its range and default
//! in `docs/MODEL.md`; `cohesion describe alliance` prints the table.

// Per-ally quantities are parallel vectors indexed by ally; index loops say that most plainly.
#![allow(clippy::needless_range_loop)]

pub mod adjudication;
pub mod adversary;
pub mod channels;
pub mod deterrence;
pub mod events;
pub mod levers;
pub mod outcomes;
pub mod stance;
pub mod state;
pub mod summit;
pub mod threat;

pub use levers::Levers;
pub use state::State;

use super::opinion::HkScratch;
use super::{
    ActorField, FieldKind, InjectKind, ModelSpec, NoTrace, OutcomeKind, OutcomeSpec, ParamSpec,
    Params, Runner, SeriesSpec, Simulation, Tracer, TrialOut,
};
use crate::kernel::rng::{Streams, normal};
use crate::kernel::trace::Trace;
use crate::scenario::{Issues, Scenario};
use state::{DIALOGUES, EXPOSURES, LABELS};

/// Declares the parameters: an enum `P` of indices and the `PARAMS` table, in the same order.
macro_rules! params {
    ($($id:ident => $spec:expr),* $(,)?) => {
        /// Index of each parameter in [`PARAMS`] (and in a trial's values).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(usize)]
        pub enum P { $($id),* }
        /// Every parameter of the alliance model, in declaration order.
        pub static PARAMS: &[ParamSpec] = &[$($spec),*];
    };
}

const fn r(name: &'static str, min: f64, max: f64, default: f64, m: &'static str) -> ParamSpec {
    ParamSpec::real(name, min, max, default, m)
}

params! {
    // ---- step 1: levers (policy options set these) ----
    Label => ParamSpec::choice("label", LABELS, 2,
        "lever: the label the alliance proposes for Russia (adopted at a summit by consensus)"),
    Dialogue => ParamSpec::choice("dialogue", DIALOGUES, 0,
        "lever: the alliance's dialogue channel with Russia"),
    DialogueEffort => r("dialogue_effort", 0.0, 1.0, 0.3,
        "lever: how actively the alliance seeks to reactivate dialogue (0 passive offer, 1 active)"),
    CounterDisinfo => r("counter_disinfo", 0.0, 1.0, 0.2,
        "lever: counter-disinformation effort (share of allies actively answering disinformation)"),
    ResilienceInvestment => r("resilience_investment", 0.0, 1.0, 0.2,
        "lever: investment in resilience against hybrid threats, corruption included"),
    Posture => r("posture", 0.0, 1.0, 0.5,
        "lever: defensive posture (forward presence, readiness); 0.5 = 2021 enhanced forward presence"),
    CostsOfAggression => r("costs_of_aggression", 0.0, 1.0, 0.3,
        "lever: prepared costs of aggression (sanctions readiness, support to partners)"),
    SpendingGrowth => r("spending_growth", -0.5, 1.0, 0.05,
        "lever: common growth of defence spending, percentage points of GDP per year"),

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
        "allies targeted by an inducement offensive (most dependent × least aligned)"),
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
    CounterDisinfoEffect => r("counter_disinfo_effect", 0.0, 1.0, 0.5,
        "CONTESTED: share of disinformation erosion that full counter-disinformation removes"),
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

    // ---- step 7: summits and consensus ----
    ConsensusTolerance => r("consensus_tolerance", 0.0, 1.0, 0.2,
        "an ally further than this from the line (or label position) dissents"),
    VetoPropensity => r("veto_propensity", 0.0, 1.0, 0.15,
        "probability that a dissenting ally blocks consensus in a turn"),
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
    SpendingThreatResponse => r("spending_threat_response", 0.0, 5.0, 0.5,
        "extra defence spending (pp of GDP per year) per unit of an ally's threat above its start"),
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
    LabelProvocation => r("label_provocation", 0.0, 3.0, 0.5,
        "CONTESTED: logit increase of every hostile move per unit of label hostility"),
    DialogueDeescalation => r("dialogue_deescalation", 0.0, 3.0, 0.5,
        "CONTESTED: logit reduction of military moves per unit of dialogue openness"),
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

impl P {
    #[inline]
    pub const fn i(self) -> usize {
        self as usize
    }
}

const REAL_NONNEG: FieldKind = FieldKind::Real {
    min: 0.0,
    max: 1e15,
};

/// The actor-table columns the model reads (see `docs/MODEL.md` for how each becomes an attribute).
pub static FIELDS: &[ActorField] = &[
    ActorField {
        name: "accession_year",
        kind: FieldKind::Int {
            min: 1949,
            max: 2100,
        },
        required: true,
        meaning: "year the ally joined NATO (tenure strengthens the pull toward the line)",
    },
    ActorField {
        name: "gdp_usd",
        kind: REAL_NONNEG,
        required: true,
        meaning: "GDP, current US$ (economic weight)",
    },
    ActorField {
        name: "defence_pct_gdp",
        kind: FieldKind::Real {
            min: 0.0,
            max: 20.0,
        },
        required: false,
        meaning: "defence expenditure, % of GDP (military weight, spending index); blank → missing_defence_pct",
    },
    ActorField {
        name: "ru_gas_share_imports_pct",
        kind: FieldKind::Real {
            min: 0.0,
            max: 100.0,
        },
        required: false,
        meaning: "Russian share of natural-gas imports, %; blank → see energy_measure",
    },
    ActorField {
        name: "ru_gas_share_consumption_pct",
        kind: FieldKind::Real {
            min: 0.0,
            max: 1000.0,
        },
        required: false,
        meaning: "imports from Russia as % of inland consumption (capped at 100); blank → see energy_measure",
    },
    ActorField {
        name: "cpi",
        kind: FieldKind::Real {
            min: 0.0,
            max: 100.0,
        },
        required: true,
        meaning: "Corruption Perceptions Index, 0–100 (initial resilience)",
    },
    ActorField {
        name: "nato_favourable_pct",
        kind: FieldKind::Real {
            min: 0.0,
            max: 100.0,
        },
        required: false,
        meaning: "public with a favourable view of NATO, %; blank → missing_nato_support",
    },
    ActorField {
        name: "exposure",
        kind: FieldKind::Choice(EXPOSURES),
        required: true,
        meaning: "frontline, flank or rear (a scenario assumption)",
    },
];

const SEVERITY: ActorField = ActorField {
    name: "severity",
    kind: FieldKind::Real { min: 0.0, max: 3.0 },
    required: false,
    meaning: "strength relative to the reference event (default 1)",
};
const TARGET: ActorField = ActorField {
    name: "target",
    kind: FieldKind::Text,
    required: false,
    meaning: "the ally concerned (its name in the actor table); blank = all allies",
};

/// The scripted injects the model understands.
pub static INJECTS: &[InjectKind] = &[
    InjectKind {
        name: "summit",
        meaning: "NATO summit: the Allies bargain over the common line (KTAB SMP) and decide by consensus",
        fields: &[ActorField {
            name: "label_on_agenda",
            kind: FieldKind::Choice(&["yes", "no"]),
            required: false,
            meaning: "whether the label can change at this summit (Strategic Concept); default yes",
        }],
    },
    InjectKind {
        name: "aggression",
        meaning: "adversary aggression against a non-member (severity 1 = full-scale invasion); a crisis",
        fields: &[SEVERITY],
    },
    InjectKind {
        name: "attack",
        meaning: "armed attack on an ally; a crisis",
        fields: &[
            ActorField {
                name: "target",
                kind: FieldKind::Text,
                required: true,
                meaning: "the ally attacked",
            },
            SEVERITY,
        ],
    },
    InjectKind {
        name: "hybrid",
        meaning: "hybrid attack (cyber, sabotage, corruption) on one ally or all",
        fields: &[TARGET, SEVERITY],
    },
    InjectKind {
        name: "dialogue_cut",
        meaning: "the adversary cuts dialogue channels (mission suspended, offices closed)",
        fields: &[SEVERITY],
    },
    InjectKind {
        name: "dialogue_restored",
        meaning: "the adversary restores its dialogue channels",
        fields: &[],
    },
    InjectKind {
        name: "disinformation",
        meaning: "a disinformation campaign against every ally (severity = intensity)",
        fields: &[SEVERITY],
    },
    InjectKind {
        name: "energy_cutoff",
        meaning: "the adversary cuts gas supplies: dependence falls by severity (share), threat rises",
        fields: &[TARGET, SEVERITY],
    },
    InjectKind {
        name: "shock",
        meaning: "in-stride inject: shift threat and/or stance of one ally or all",
        fields: &[
            TARGET,
            ActorField {
                name: "threat",
                kind: FieldKind::Real {
                    min: -1.0,
                    max: 1.0,
                },
                required: false,
                meaning: "added to threat perception",
            },
            ActorField {
                name: "stance",
                kind: FieldKind::Real {
                    min: -1.0,
                    max: 1.0,
                },
                required: false,
                meaning: "added to stance",
            },
        ],
    },
];

pub static SPEC: ModelSpec = ModelSpec {
    kind: "alliance",
    title: "Alliance cohesion under an adversary's divide-and-rule (NATO–Russia)",
    description: "Allies with real attributes (GDP, defence spending, Russian gas dependence, CPI, public support, \
exposure) hold a stance on Russia policy, a threat perception, a resilience and possibly a unilateral channel to \
Moscow. Each monthly turn: levers; adversary moves (disinformation, inducements, hybrid attacks, intimidation, \
aggression, rarely an attack on an ally); injects and random events; threat perception; stances by domestic pull \
and bounded-confidence consultation (Deffuant or Hegselmann–Krause, weighted); logistic choice of unilateral \
channels; at summits KTAB spatial bargaining over the common line and consensus; deterrence credibility and \
escalation risks; outcomes. See docs/MODEL.md.",
    params: PARAMS,
    actor_fields: FIELDS,
    needs_actors: true,
    inject_kinds: INJECTS,
};

/// The model: its declaration and its builder.
pub static MODEL: super::Model = super::Model { spec: &SPEC, build };

/// One ally's data from the actor table (blank cells kept as `None`).
#[derive(Debug, Clone, PartialEq)]
pub struct AllyData {
    pub name: String,
    pub accession_year: i64,
    pub gdp: f64,
    pub defence: Option<f64>,
    pub gas_imports: Option<f64>,
    pub gas_consumption: Option<f64>,
    pub cpi: f64,
    pub support: Option<f64>,
    /// Index into [`EXPOSURES`].
    pub exposure: usize,
}

/// What a scripted inject does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Summit,
    Aggression,
    Attack,
    Hybrid,
    DialogueCut,
    DialogueRestored,
    Disinformation,
    EnergyCutoff,
    Shock,
}

/// A scripted inject, compiled from the scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptedEvent {
    /// 1-based turn.
    pub turn: usize,
    pub kind: EventKind,
    pub name: String,
    pub severity: f64,
    /// Ally index, if the inject targets one ally.
    pub target: Option<usize>,
    pub label_on_agenda: bool,
    pub threat: f64,
    pub stance: f64,
}

/// The alliance model built from a scenario: shared, read-only.
pub struct AllianceSim {
    pub allies: Vec<AllyData>,
    pub names: Vec<String>,
    pub turns: usize,
    /// Turns per year (from the scenario's turn length; a "step" counts as a month).
    pub turns_per_year: f64,
    /// Scripted events, sorted by turn.
    pub events: Vec<ScriptedEvent>,
    /// `event_start[t]..event_start[t + 1]` are the events of turn t (1-based; index 0 unused).
    event_start: Vec<usize>,
    outcomes: Vec<OutcomeSpec>,
    series: Vec<SeriesSpec>,
}

/// Number of per-trial outcomes before the per-ally `channel.<name>` outcomes.
pub const N_FIXED_OUTCOMES: usize = 18;

fn build(sc: &Scenario) -> Result<Box<dyn Simulation>, Issues> {
    Ok(Box::new(AllianceSim::from_scenario(sc)?))
}

impl AllianceSim {
    /// Builds the model from a validated scenario, checking what the generic validator cannot
    /// (inject targets name allies).
    pub fn from_scenario(sc: &Scenario) -> Result<AllianceSim, Issues> {
        let mut issues = Issues::new();
        let Some(t) = &sc.actors else {
            issues.add(
                "actors",
                "the alliance model needs an actor table of allies (`[actors] file = …`)",
            );
            return Err(issues);
        };
        if t.len() < 2 {
            issues.add(
                "actors",
                "the alliance model needs at least two allies; allowed: 2 or more rows",
            );
            return Err(issues);
        }
        let num = |f: &str| t.numbers(f);
        let (acc, gdp, def) = (
            num("accession_year"),
            num("gdp_usd"),
            num("defence_pct_gdp"),
        );
        let (gi, gc, cpi, sup) = (
            num("ru_gas_share_imports_pct"),
            num("ru_gas_share_consumption_pct"),
            num("cpi"),
            num("nato_favourable_pct"),
        );
        let exp = t.words("exposure");
        let mut allies = Vec::with_capacity(t.len());
        for i in 0..t.len() {
            let exposure = exp[i]
                .as_deref()
                .and_then(|w| EXPOSURES.iter().position(|e| *e == w))
                .unwrap_or(2);
            if gdp[i].unwrap_or(0.0) <= 0.0 {
                issues.add_at(
                    t.source.clone(),
                    None,
                    format!("ally {}, column gdp_usd", t.names[i]),
                    "GDP must be positive; allowed: a number above 0",
                );
            }
            allies.push(AllyData {
                name: t.names[i].clone(),
                accession_year: acc[i].unwrap_or(1949.0) as i64,
                gdp: gdp[i].unwrap_or(1.0),
                defence: def[i],
                gas_imports: gi[i],
                gas_consumption: gc[i],
                cpi: cpi[i].unwrap_or(50.0),
                support: sup[i],
                exposure,
            });
        }
        let names: Vec<String> = allies.iter().map(|a| a.name.clone()).collect();
        let mut events = Vec::new();
        for (k, inj) in sc.injects.iter().enumerate() {
            let kind = match inj.kind.as_str() {
                "summit" => EventKind::Summit,
                "aggression" => EventKind::Aggression,
                "attack" => EventKind::Attack,
                "hybrid" => EventKind::Hybrid,
                "dialogue_cut" => EventKind::DialogueCut,
                "dialogue_restored" => EventKind::DialogueRestored,
                "disinformation" => EventKind::Disinformation,
                "energy_cutoff" => EventKind::EnergyCutoff,
                _ => EventKind::Shock,
            };
            let target = match inj.word("target") {
                None => None,
                Some(w) => match names.iter().position(|n| n == w) {
                    Some(i) => Some(i),
                    None => {
                        issues.add(
                            format!("inject[{k}].target"),
                            format!("no ally named `{w}`; allowed: one of {}", names.join(", ")),
                        );
                        None
                    }
                },
            };
            events.push(ScriptedEvent {
                turn: inj.turn,
                kind,
                name: if inj.description.is_empty() {
                    inj.name.clone()
                } else {
                    format!("{}: {}", inj.name, inj.description)
                },
                severity: inj.number("severity").unwrap_or(1.0),
                target,
                label_on_agenda: inj.word("label_on_agenda") != Some("no"),
                threat: inj.number("threat").unwrap_or(0.0),
                stance: inj.number("stance").unwrap_or(0.0),
            });
        }
        if !issues.is_empty() {
            return Err(issues);
        }
        events.sort_by_key(|e| e.turn);
        let turns = sc.turns;
        let mut event_start = vec![0usize; turns + 2];
        for t in 1..=turns + 1 {
            event_start[t] = events.iter().filter(|e| e.turn < t).count();
        }
        let turns_per_year = match sc.turn_length.as_str() {
            "day" => 365.0,
            "week" => 52.0,
            "quarter" => 4.0,
            "year" => 1.0,
            _ => 12.0,
        };
        Ok(AllianceSim {
            outcomes: outcome_specs(&names),
            series: series_specs(),
            allies,
            names,
            turns,
            turns_per_year,
            events,
            event_start,
        })
    }

    /// The scripted events of turn `t` (1-based).
    pub fn events_at(&self, t: usize) -> &[ScriptedEvent] {
        if t == 0 || t > self.turns {
            return &[];
        }
        &self.events[self.event_start[t]..self.event_start[t + 1]]
    }

    /// Whether turn `t` holds a summit.
    pub fn is_summit(&self, t: usize) -> bool {
        self.events_at(t)
            .iter()
            .any(|e| e.kind == EventKind::Summit)
    }

    /// Number of allies.
    pub fn allies(&self) -> usize {
        self.allies.len()
    }

    /// A concrete runner (the wargame and tests use it directly, without boxing).
    pub fn alliance_runner(&self) -> AllianceRunner<'_> {
        let n = self.allies.len();
        AllianceRunner {
            sim: self,
            coeffs: Coeffs::new(self),
            state: State::new(n),
            ws: Workspace::new(n),
        }
    }
}

fn outcome_specs(names: &[String]) -> Vec<OutcomeSpec> {
    let unit = OutcomeKind::Real { min: 0.0, max: 1.0 };
    let mut v = vec![
        OutcomeSpec::new("cohesion_final", unit, "cohesion index at the last turn"),
        OutcomeSpec::new("cohesion_mean", unit, "mean cohesion index over the turns"),
        OutcomeSpec::new("cohesion_min", unit, "lowest cohesion index over the turns"),
        OutcomeSpec::new(
            "fracture",
            OutcomeKind::Binary,
            "1 if the alliance fractured (no consensus for fracture_turns turns, or unilateral share above fracture_unilateral_share)",
        ),
        OutcomeSpec::new("fracture_turn", OutcomeKind::Turn, "turn of the fracture"),
        OutcomeSpec::new(
            "unilateral_peak",
            OutcomeKind::Count,
            "largest number of allies on unilateral channels in one turn",
        ),
        OutcomeSpec::new(
            "credibility_final",
            unit,
            "deterrence credibility at the last turn",
        ),
        OutcomeSpec::new(
            "crises",
            OutcomeKind::Count,
            "turns with military intimidation, aggression or an attack on an ally",
        ),
        OutcomeSpec::new(
            "ally_attacked",
            OutcomeKind::Binary,
            "1 if an ally was attacked",
        ),
        OutcomeSpec::new(
            "attack_turn",
            OutcomeKind::Turn,
            "turn of the first attack on an ally",
        ),
        OutcomeSpec::new(
            "label_final",
            OutcomeKind::Count,
            "label in force at the end: 0 partner, 1 competitor, 2 threat, 3 adversary",
        ),
        OutcomeSpec::new(
            "label_change_turn",
            OutcomeKind::Turn,
            "turn at which the label last changed",
        ),
        OutcomeSpec::new(
            "consensus_share",
            unit,
            "mean over turns of the weighted share of allies within tolerance of the line",
        ),
        OutcomeSpec::new(
            "threat_final",
            unit,
            "mean threat perception at the last turn",
        ),
        OutcomeSpec::new(
            "line_final",
            unit,
            "the common line at the last turn (0 engagement, 1 confrontation)",
        ),
        OutcomeSpec::new(
            "disinfo_campaigns",
            OutcomeKind::Count,
            "disinformation campaigns",
        ),
        OutcomeSpec::new("inducements", OutcomeKind::Count, "inducement offensives"),
        OutcomeSpec::new("hybrid_attacks", OutcomeKind::Count, "hybrid attacks"),
    ];
    debug_assert_eq!(v.len(), N_FIXED_OUTCOMES);
    for n in names {
        v.push(OutcomeSpec::new(
            format!("channel.{n}"),
            OutcomeKind::Binary,
            format!("1 if {n} ran a unilateral channel to Moscow at some point"),
        ));
    }
    v
}

fn series_specs() -> Vec<SeriesSpec> {
    vec![
        SeriesSpec::new("cohesion", 0.0, 1.0, "cohesion index"),
        SeriesSpec::new("credibility", 0.0, 1.0, "deterrence credibility"),
        SeriesSpec::new(
            "unilateral_share",
            0.0,
            1.0,
            "weighted share of allies on unilateral channels",
        ),
        SeriesSpec::new(
            "threat_mean",
            0.0,
            1.0,
            "mean threat perception over allies",
        ),
    ]
}

/// Every parameter value of one trial and the per-ally attributes derived from them and from
/// the data. Fixed within a trial; refilled in place for the next.
#[derive(Debug, Clone)]
pub struct Coeffs {
    /// Parameter values, indexed by [`P`].
    pub v: Vec<f64>,
    /// Ally names (for traces).
    pub names: Vec<String>,
    /// Ally weight (economic and military), normalised to sum 1.
    pub w: Vec<f64>,
    /// Initial (and baseline) threat perception.
    pub threat0: Vec<f64>,
    /// Share of an alliance-wide shock the ally feels.
    pub exposure: Vec<f64>,
    /// Initial resilience (from CPI).
    pub resilience0: Vec<f64>,
    /// Initial energy dependence.
    pub dependence0: Vec<f64>,
    /// Initial defence spending, % GDP.
    pub defence0: Vec<f64>,
    /// Strength of the pull toward the line: public support × socialisation by tenure.
    pub support: Vec<f64>,
    /// Mean initial threat perception (reference of the posture's threat response).
    pub threat_mean0: f64,
    /// Turns per year (rates given per year are divided by it).
    pub turns_per_year: f64,
    /// The (weight_gdp_share, weight_exponent, missing_defence_pct) the weights were computed
    /// for: options of one trial share them, so `fill` recomputes them only when they change.
    weights_for: [f64; 3],
}

impl std::ops::Index<P> for Coeffs {
    type Output = f64;
    #[inline]
    fn index(&self, p: P) -> &f64 {
        &self.v[p.i()]
    }
}

impl Coeffs {
    pub fn new(sim: &AllianceSim) -> Self {
        let n = sim.allies();
        Coeffs {
            v: PARAMS.iter().map(|p| p.default).collect(),
            names: sim.names.clone(),
            w: vec![0.0; n],
            threat0: vec![0.0; n],
            exposure: vec![0.0; n],
            resilience0: vec![0.0; n],
            dependence0: vec![0.0; n],
            defence0: vec![0.0; n],
            support: vec![0.0; n],
            threat_mean0: 0.0,
            turns_per_year: sim.turns_per_year,
            weights_for: [f64::NAN; 3],
        }
    }

    /// Number of allies.
    pub fn allies(&self) -> usize {
        self.w.len()
    }

    #[inline]
    pub fn int(&self, p: P) -> usize {
        self.v[p.i()] as usize
    }

    /// Refills every value from a trial's parameters and the data. Allocates nothing.
    pub fn fill(&mut self, sim: &AllianceSim, params: &Params) {
        self.v.copy_from_slice(&params.values);
        let alpha = self[P::WeightGdpShare];
        let gamma = self[P::WeightExponent];
        let missing_def = self[P::MissingDefencePct];
        let (mut gdp_total, mut mil_total) = (0.0, 0.0);
        for a in &sim.allies {
            gdp_total += a.gdp;
            mil_total += a.gdp * a.defence.unwrap_or(missing_def);
        }
        let latest = sim
            .allies
            .iter()
            .map(|a| a.accession_year)
            .max()
            .unwrap_or(1949);
        let earliest = sim
            .allies
            .iter()
            .map(|a| a.accession_year)
            .min()
            .unwrap_or(1949);
        let span = (latest - earliest).max(1) as f64;
        let soc = self[P::TenureSocialisation];
        let key = [alpha, gamma, missing_def];
        let new_weights = key != self.weights_for;
        let mut w_total = 0.0;
        for (i, a) in sim.allies.iter().enumerate() {
            let def = a.defence.unwrap_or(missing_def);
            if new_weights {
                let econ = a.gdp / gdp_total;
                let mil = if mil_total > 0.0 {
                    a.gdp * def / mil_total
                } else {
                    0.0
                };
                let share = alpha * econ + (1.0 - alpha) * mil;
                // A floor keeps every weight positive (the weighted rules divide by weights).
                let w = libm::pow(share, gamma).max(1e-12);
                self.w[i] = w;
                w_total += w;
            }
            self.threat0[i] = match a.exposure {
                0 => self[P::ThreatFrontline],
                1 => self[P::ThreatFlank],
                _ => self[P::ThreatRear],
            };
            self.exposure[i] = match a.exposure {
                0 => 1.0,
                1 => self[P::ExposureFlank],
                _ => self[P::ExposureRear],
            };
            let (rmin, rmax) = (self[P::ResilienceMin], self[P::ResilienceMax]);
            self.resilience0[i] = (rmin + (rmax - rmin) * a.cpi / 100.0).clamp(0.0, 1.0);
            let imports = a.gas_imports.map(|x| (x / 100.0).clamp(0.0, 1.0));
            let consumption = a.gas_consumption.map(|x| (x / 100.0).clamp(0.0, 1.0));
            let dep = match (self.int(P::EnergyMeasure), imports, consumption) {
                (0, Some(x), _) | (1, _, Some(x)) => Some(x),
                (2, Some(x), Some(y)) => Some(x.min(y)),
                (2, Some(x), None) | (2, None, Some(x)) => Some(x),
                _ => None,
            };
            self.dependence0[i] = dep.unwrap_or(self[P::MissingGasDependence]);
            self.defence0[i] = def;
            let tenure = (latest - a.accession_year) as f64 / span;
            let support = a
                .support
                .map(|s| s / 100.0)
                .unwrap_or(self[P::MissingNatoSupport]);
            self.support[i] = support * (1.0 - soc + soc * tenure);
        }
        if new_weights {
            for w in &mut self.w {
                *w /= w_total;
            }
            self.weights_for = key;
        }
        self.threat_mean0 = self.threat0.iter().sum::<f64>() / self.threat0.len() as f64;
    }
}

/// Scratch memory of one runner: per-turn effects of moves and events, and the buffers of the
/// consultation and bargaining steps. Sized once; nothing in it survives a turn.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// Threat shock each ally receives this turn (already exposure-scaled).
    pub shock: Vec<f64>,
    /// Disinformation intensity each ally receives this turn.
    pub disinfo: Vec<f64>,
    /// Resilience lost to hybrid attacks this turn.
    pub damage: Vec<f64>,
    /// Selection marks (inducement targets).
    pub mark: Vec<bool>,
    /// The next stances of a Hegselmann–Krause step.
    pub next: Vec<f64>,
    pub hk: HkScratch,
    pub smp: summit::Smp,
    /// Bargaining inputs: capability × salience, position.
    pub caps: Vec<f64>,
    pub sal: Vec<f64>,
    /// This turn holds a summit; the label is on its agenda.
    pub summit: bool,
    pub label_on_agenda: bool,
    /// This turn is a crisis (intimidation, aggression, attack).
    pub crisis: bool,
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

/// The levers are the first parameters in [`PARAMS`].
pub const N_LEVERS: usize = 8;

impl Workspace {
    pub fn new(n: usize) -> Self {
        Workspace {
            shock: vec![0.0; n],
            disinfo: vec![0.0; n],
            damage: vec![0.0; n],
            mark: vec![false; n],
            next: vec![0.0; n],
            hk: HkScratch::new(n),
            smp: summit::Smp::new(n, 1),
            caps: vec![0.0; n],
            sal: vec![1.0; n],
            summit: false,
            label_on_agenda: false,
            crisis: false,
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
        ws.burn.key.copy_from_slice(&c.v);
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
    threat::update(c, s, ws); // 4
    stance::update(c, s, ws, &mut st.dynamics); // 5
    channels::decide(c, s, &mut st.decisions, t, tr); // 6
    adjudication::force_channels(c, s, ws, t, tr);
    summit::decide(c, s, ws, &mut st.decisions, t, tr); // 7
    outcomes::measure(c, s);
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

impl Simulation for AllianceSim {
    fn outcomes(&self) -> &[OutcomeSpec] {
        &self.outcomes
    }
    fn series(&self) -> &[SeriesSpec] {
        &self.series
    }
    fn turns(&self) -> usize {
        self.turns
    }
    fn runner(&self) -> Box<dyn Runner + '_> {
        Box::new(self.alliance_runner())
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
        let s_n = 4;
        for t in 0..self.sim.turns {
            self.step(&lv, st, tr);
            let s = &self.state;
            let row = &mut out.series[t * s_n..(t + 1) * s_n];
            row[0] = s.cohesion;
            row[1] = s.credibility;
            row[2] = s.unilateral_share;
            row[3] = s.threat_mean;
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

#[cfg(test)]
pub(crate) mod testutil {
    //! A small synthetic alliance for the step modules' unit tests.
    use super::*;
    use crate::kernel::rng::StreamKeys;

    pub fn ally(name: &str, gdp: f64, exposure: usize, gas: f64, cpi: f64) -> AllyData {
        AllyData {
            name: name.to_string(),
            accession_year: 1949 + (gdp as i64 % 50),
            gdp,
            defence: Some(1.0 + gdp / 100.0),
            gas_imports: Some(gas),
            gas_consumption: Some(gas),
            cpi,
            support: None,
            exposure,
        }
    }

    pub fn sim(turns: usize) -> AllianceSim {
        let allies = vec![
            ally("A", 100.0, 2, 0.0, 80.0),
            ally("B", 40.0, 0, 90.0, 60.0),
            ally("C", 20.0, 1, 60.0, 40.0),
            ally("D", 10.0, 2, 30.0, 70.0),
            ally("E", 5.0, 0, 100.0, 50.0),
        ];
        let names = allies.iter().map(|a| a.name.clone()).collect::<Vec<_>>();
        AllianceSim {
            outcomes: outcome_specs(&names),
            series: series_specs(),
            allies,
            names,
            turns,
            turns_per_year: 12.0,
            events: Vec::new(),
            event_start: vec![0; turns + 2],
        }
    }

    pub fn defaults() -> Params {
        Params {
            values: PARAMS.iter().map(|p| p.default).collect(),
        }
    }

    /// Coefficients, state at turn 0, streams and workspace for the synthetic alliance.
    pub fn setup(params: &Params) -> (AllianceSim, Coeffs, State, Streams, Workspace) {
        let sim = sim(12);
        let mut c = Coeffs::new(&sim);
        c.fill(&sim, params);
        let mut st = StreamKeys::new(7).trial_streams(3);
        let mut s = State::new(sim.allies());
        let lv = Levers::from_coeffs(&c);
        let mut ws = Workspace::new(sim.allies());
        init(&c, &mut s, &lv, &mut st, &mut ws, &mut NoTrace);
        (sim, c, s, st, ws)
    }
}

#[cfg(test)]
mod tests {
    use super::testutil::*;
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
        assert_eq!(
            PARAMS[P::FractureUnilateralShare.i()].name,
            "fracture_unilateral_share"
        );
    }

    #[test]
    fn coefficients_are_normalised_and_in_range() {
        let (_, c, s, _, _) = setup(&defaults());
        let total: f64 = c.w.iter().sum();
        assert!((total - 1.0).abs() < 1e-12);
        assert!(c.w[0] > c.w[1] && c.w[1] > c.w[4], "{:?}", c.w);
        assert!(c.w.iter().all(|&w| w > 0.0));
        s.check_ranges().unwrap();
        assert_eq!(c.dependence0[1], 0.9);
        assert!(c.resilience0[0] > c.resilience0[2]);
    }

    #[test]
    fn a_trial_stays_in_range_every_turn_and_is_deterministic() {
        let sim = sim(24);
        let mut run = sim.alliance_runner();
        let params = defaults();
        let keys = crate::kernel::rng::StreamKeys::new(11);
        let mut out = TrialOut::new(sim.outcomes().len(), 4, 24);
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
        let keys = crate::kernel::rng::StreamKeys::new(1);
        let mut a = TrialOut::new(sim.outcomes().len(), 4, 12);
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
        assert!(
            tr.states
                .iter()
                .any(|r| r.variable == "stance" && r.turn == 12)
        );
    }

    #[test]
    fn the_levers_come_first_and_the_burn_in_memo_changes_nothing() {
        assert_eq!(PARAMS[N_LEVERS - 1].name, "spending_growth");
        assert_eq!(P::SpendingGrowth.i(), N_LEVERS - 1);
        let sim = sim(12);
        let keys = crate::kernel::rng::StreamKeys::new(5);
        let mut p = defaults();
        let mut out = TrialOut::new(sim.outcomes().len(), 4, 12);
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
        let keys = crate::kernel::rng::StreamKeys::new(4);
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
        let keys = crate::kernel::rng::StreamKeys::new(3);
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
