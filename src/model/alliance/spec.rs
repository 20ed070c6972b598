//! The alliance model's declaration: the actor-table columns it reads, the inject kinds it
//! understands, and the [`ModelSpec`] that the scenario validator and `cohesion describe` read.
//!
//! Inject kinds are declared once, in the `inject_kinds!` table below: it makes both the enum
//! [`EventKind`] that the turn matches exhaustively and the [`INJECTS`] declarations, in the
//! same order, so a new kind cannot be declared without the model handling it (nor handled
//! without being declared).

use super::params::PARAMS;
use super::state::EXPOSURES;
use crate::model::Model;
use crate::spec::{ActorField, FieldKind, InjectKind, ModelSpec};

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
    ActorField {
        name: "rosatom_newbuild_agreement",
        kind: YES_NO,
        required: true,
        meaning: "structural tie: an intergovernmental agreement with Russia for a Rosatom-built nuclear plant, in force before October 2021",
    },
    ActorField {
        name: "russian_air_defence_purchase_since_2014",
        kind: YES_NO,
        required: true,
        meaning: "structural tie: a Russian air-defence system bought since 2014",
    },
    ActorField {
        name: "long_term_gazprom_contract_2020_2021",
        kind: YES_NO,
        required: true,
        meaning: "structural tie and energy lock-in: a long-term Gazprom supply contract signed in 2020–2021",
    },
    ActorField {
        name: "turkstream_landfall_or_transit",
        kind: YES_NO,
        required: true,
        meaning: "structural tie and energy lock-in: TurkStream lands on or transits the ally's territory",
    },
];

const YES_NO: FieldKind = FieldKind::Choice(&["yes", "no"]);

/// The structural-tie columns: an ally's ties are the share of them marked `yes`.
pub const TIES: [&str; 4] = [
    "rosatom_newbuild_agreement",
    "russian_air_defence_purchase_since_2014",
    "long_term_gazprom_contract_2020_2021",
    "turkstream_landfall_or_transit",
];
/// The tie columns that lock an ally into Russian gas (contract or pipeline infrastructure).
pub const LOCK_IN: [&str; 2] = [
    "long_term_gazprom_contract_2020_2021",
    "turkstream_landfall_or_transit",
];

const SEVERITY: ActorField = ActorField {
    name: "severity",
    kind: FieldKind::Real { min: 0.0, max: 3.0 },
    required: false,
    meaning: "strength relative to the reference event (default 1)",
};
const TARGET_ALLY: ActorField = ActorField {
    name: "target",
    kind: FieldKind::Text,
    required: true,
    meaning: "the ally concerned (its name in the actor table)",
};
const TARGET: ActorField = ActorField {
    name: "target",
    kind: FieldKind::Text,
    required: false,
    meaning: "the ally concerned (its name in the actor table); blank = all allies",
};

/// Declares the inject kinds: the enum `EventKind` and the `INJECTS` table in the same order.
macro_rules! inject_kinds {
    ($($kind:ident => $decl:expr),* $(,)?) => {
        /// What a scripted inject does: one variant per inject kind the model declares.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(usize)]
        pub enum EventKind { $($kind),* }
        impl EventKind {
            /// Every kind, in declaration order (the order of [`INJECTS`]).
            pub const ALL: [EventKind; [$(stringify!($kind)),*].len()] = [$(EventKind::$kind),*];
        }
        /// The scripted injects the model understands, indexed by [`EventKind`].
        pub static INJECTS: [InjectKind; EventKind::ALL.len()] = [$($decl),*];
    };
}

inject_kinds! {
    Summit => InjectKind {
        name: "summit",
        meaning: "NATO summit: the Allies bargain over the common line (KTAB SMP) and decide by consensus",
        fields: &[ActorField {
            name: "label_on_agenda",
            kind: FieldKind::Choice(&["yes", "no"]),
            required: false,
            meaning: "whether the label can change at this summit (Strategic Concept); default yes",
        }],
    },
    Aggression => InjectKind {
        name: "aggression",
        meaning: "adversary aggression against a non-member (severity 1 = full-scale invasion); a crisis",
        fields: &[SEVERITY],
    },
    Attack => InjectKind {
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
    Hybrid => InjectKind {
        name: "hybrid",
        meaning: "hybrid attack (cyber, sabotage, corruption) on one ally or all",
        fields: &[TARGET, SEVERITY],
    },
    DialogueCut => InjectKind {
        name: "dialogue_cut",
        meaning: "the adversary cuts dialogue channels (mission suspended, offices closed)",
        fields: &[SEVERITY],
    },
    DialogueRestored => InjectKind {
        name: "dialogue_restored",
        meaning: "the adversary restores its dialogue channels",
        fields: &[],
    },
    Disinformation => InjectKind {
        name: "disinformation",
        meaning: "a disinformation campaign against every ally (severity = intensity)",
        fields: &[SEVERITY],
    },
    EnergyCutoff => InjectKind {
        name: "energy_cutoff",
        meaning: "the adversary cuts gas supplies: dependence falls by severity (share), threat rises",
        fields: &[TARGET, SEVERITY],
    },
    Intimidation => InjectKind {
        name: "intimidation",
        meaning: "military intimidation or a military incident (arms-control exits, a missile on an ally's soil): a threat shock on one ally in full and, exposure-scaled, on the others (or on all); a crisis",
        fields: &[TARGET, SEVERITY],
    },
    GovernmentChange => InjectKind {
        name: "government_change",
        meaning: "a change of government in one ally shifts its domestic stance target",
        fields: &[
            TARGET_ALLY,
            ActorField {
                name: "offset",
                kind: FieldKind::Real {
                    min: -1.0,
                    max: 1.0,
                },
                required: true,
                meaning: "shift of the ally's domestic stance target (negative: toward engagement)",
            },
        ],
    },
    Shock => InjectKind {
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
}

impl EventKind {
    /// The declaration of this kind.
    pub fn spec(self) -> &'static InjectKind {
        &INJECTS[self as usize]
    }

    /// The kind's name in a scenario (`kind = "summit"`).
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// The kind called `name`, if the model declares one.
    pub fn from_name(name: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// The declaration of the alliance model.
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
    inject_kinds: &INJECTS,
};

/// The model: its declaration and its builder.
pub static MODEL: Model = Model {
    spec: &SPEC,
    build: super::sim::build,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_inject_kind_is_declared_once_under_its_own_name() {
        assert_eq!(INJECTS.len(), EventKind::ALL.len());
        for (i, &k) in EventKind::ALL.iter().enumerate() {
            assert_eq!(k as usize, i);
            assert!(std::ptr::eq(k.spec(), &INJECTS[i]));
            assert_eq!(EventKind::from_name(k.name()), Some(k));
            assert!(
                INJECTS[..i].iter().all(|d| d.name != k.name()),
                "{}",
                k.name()
            );
        }
        assert_eq!(EventKind::Summit.name(), "summit");
        assert_eq!(EventKind::DialogueCut.name(), "dialogue_cut");
        assert_eq!(EventKind::from_name("Summit"), None);
        assert_eq!(EventKind::from_name("invasion"), None);
        assert!(std::ptr::eq(SPEC.inject_kinds, &INJECTS[..]));
    }
}
