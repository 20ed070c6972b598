//! The scenario format's own keys, declared once.
//!
//! Every section and key of a scenario file that the format itself defines (as opposed to the
//! model's parameters, actor fields and inject fields, which its `spec::ModelSpec` declares)
//! is a [`Section`] or a [`KeySpec`] here: where it goes, its type and allowed values, its
//! default and its meaning. The validator takes its allowed-key lists, numeric ranges, word
//! lists and defaults from these declarations, and `cohesion describe --scenario-format`
//! (which writes the reference part of `docs/SCENARIO.md`) prints the same declarations, so
//! the documentation cannot disagree with the checks. A limit that the command line shares
//! with the file (trials, block size, seed) is read from the same constant.

use crate::spec::Group;

/// How a section is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// A table, `[name]`.
    Table,
    /// An array of tables, `[[name]]`, one entry each.
    Entries,
}

/// A top-level section of a scenario file.
#[derive(Debug, Clone, Copy)]
pub struct Section {
    /// The TOML key (`scenario`, `policy`…).
    pub name: &'static str,
    pub form: Form,
    /// Whether every scenario must have it (after `extends`).
    pub presence: Presence,
    pub meaning: &'static str,
    /// Keys the model declares for this section, beside the format's own (for the docs).
    pub model_keys: &'static str,
}

/// Whether a section must be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    Required,
    Optional,
    /// Required when the model says so (`ModelSpec::needs_actors`).
    IfModelNeeds,
}

/// The type and allowed values of a key.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum KeyType {
    /// Free text.
    Text,
    /// An array of free text.
    TextList,
    /// A name used in file names and messages: letters, digits, `-`, `_`, `.`; not empty.
    Name,
    /// One of the words.
    Word(&'static [&'static str]),
    /// A whole number in [min, max].
    Whole { min: u64, max: u64 },
    /// A turn of the horizon: a whole number from 1 to `scenario.turns`.
    Turn,
    /// true or false.
    Bool,
    /// A calendar date, as text.
    Date,
    /// The path of a file, relative to the file that names it (or a built-in name).
    Path,
    /// The kind of one of the models (`cohesion describe MODEL`).
    ModelKind,
    /// The name of one of the model's parameters.
    Param,
    /// The name of a distribution ([`super::dist::DISTS`]).
    Dist,
    /// One of the model's inject kinds.
    InjectKind,
    /// A table of parameter = value.
    ParamTable,
}

/// What a key holds when it is absent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Absent {
    /// The key must be given.
    Required,
    /// This number.
    Whole(u64),
    /// This word.
    Word(&'static str),
    /// This truth value.
    Bool(bool),
    /// Empty text.
    Empty,
    /// No value; the text says what that means.
    Means(&'static str),
}

/// The declaration of one key of the scenario format.
#[derive(Debug, Clone, Copy)]
pub struct KeySpec {
    /// The section it belongs to (`""` for the top level of the file).
    pub section: &'static str,
    pub name: &'static str,
    pub ty: KeyType,
    pub absent: Absent,
    /// One line: what it means.
    pub meaning: &'static str,
}

impl KeySpec {
    /// The key path in a file (`scenario.turns`, `run.seed`, `extends`).
    pub fn path(&self) -> String {
        if self.section.is_empty() {
            self.name.to_string()
        } else {
            format!("{}.{}", self.section, self.name)
        }
    }

    /// The range of a whole-number key. Panics for a key of another type (a programming error).
    pub const fn whole_range(&self) -> (u64, u64) {
        match self.ty {
            KeyType::Whole { min, max } => (min, max),
            _ => panic!("not a whole-number key"),
        }
    }

    /// The default of a key with a numeric default. Panics for another (a programming error).
    pub const fn default_whole(&self) -> u64 {
        match self.absent {
            Absent::Whole(x) => x,
            _ => panic!("key has no numeric default"),
        }
    }

    /// The words of a one-of-the-words key (empty for another type).
    pub fn words(&self) -> &'static [&'static str] {
        match self.ty {
            KeyType::Word(w) => w,
            _ => &[],
        }
    }

    /// The default of a word key, or `None`.
    pub fn default_word(&self) -> Option<&'static str> {
        match self.absent {
            Absent::Word(w) => Some(w),
            _ => None,
        }
    }

    /// What is allowed, as messages and the docs say it ("a whole number from 1 to 100000").
    pub fn allowed(&self) -> String {
        match self.ty {
            KeyType::Text => "text".into(),
            KeyType::TextList => "an array of text".into(),
            KeyType::Name => "letters, digits, `-`, `_` and `.`, not empty".into(),
            KeyType::Word(w) => format!("one of {}", w.join(", ")),
            KeyType::Whole { min, max } => format!("a whole number from {min} to {max}"),
            KeyType::Turn => "a whole number from 1 to `scenario.turns`".into(),
            KeyType::Bool => "true or false".into(),
            KeyType::Date => "text: a calendar date such as `2021-10` or `2022-06-29`".into(),
            KeyType::Path => "the path of a file (text), relative to this file".into(),
            KeyType::ModelKind => "the kind of a model (`cohesion describe`)".into(),
            KeyType::Param => "the name of a parameter of the model".into(),
            KeyType::Dist => format!(
                "one of {}",
                super::dist::DISTS
                    .iter()
                    .map(|d| d.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            KeyType::InjectKind => "an inject kind of the model".into(),
            KeyType::ParamTable => "a table of parameter = value".into(),
        }
    }

    /// The type as a word, for the docs.
    pub fn type_name(&self) -> &'static str {
        match self.ty {
            KeyType::Text | KeyType::Date | KeyType::Path => "text",
            KeyType::TextList => "text array",
            KeyType::Name | KeyType::ModelKind | KeyType::Param | KeyType::InjectKind => "name",
            KeyType::Word(_) | KeyType::Dist => "choice",
            KeyType::Whole { .. } | KeyType::Turn => "integer",
            KeyType::Bool => "bool",
            KeyType::ParamTable => "table",
        }
    }

    /// The default as the docs show it.
    pub fn default_text(&self) -> String {
        match self.absent {
            Absent::Required => "required".into(),
            Absent::Whole(x) => x.to_string(),
            Absent::Word(w) => format!("`{w}`"),
            Absent::Bool(b) => b.to_string(),
            Absent::Empty => "empty".into(),
            Absent::Means(m) => m.into(),
        }
    }
}

const fn key(
    section: &'static str,
    name: &'static str,
    ty: KeyType,
    absent: Absent,
    meaning: &'static str,
) -> KeySpec {
    KeySpec {
        section,
        name,
        ty,
        absent,
        meaning,
    }
}

/// The sections of a scenario file, in the order allowed-key messages list them.
pub static SECTIONS: &[Section] = &[
    Section {
        name: "scenario",
        form: Form::Table,
        presence: Presence::Required,
        meaning: "what the scenario is: its name, horizon and sources",
        model_keys: "",
    },
    Section {
        name: "run",
        form: Form::Table,
        presence: Presence::Optional,
        meaning: "experiment defaults; the command line overrides them",
        model_keys: "",
    },
    Section {
        name: "model",
        form: Form::Table,
        presence: Presence::Required,
        meaning: "the model and its fixed parameters",
        model_keys: "the model's parameters of section `model`",
    },
    Section {
        name: "outcomes",
        form: Form::Table,
        presence: Presence::Optional,
        meaning: "thresholds that define the model's outcomes",
        model_keys: "the model's parameters of section `outcomes`",
    },
    Section {
        name: "actors",
        form: Form::Table,
        presence: Presence::IfModelNeeds,
        meaning: "the actor table as a CSV file (or give `[[actor]]` entries instead, not both)",
        model_keys: "",
    },
    Section {
        name: "actor",
        form: Form::Entries,
        presence: Presence::IfModelNeeds,
        meaning: "the actor table inline, one entry per actor (or `[actors] file`, not both)",
        model_keys: "the model's actor fields; also `source…`, `note…`, `iso3`, `description` (provenance, not read)",
    },
    Section {
        name: "policy",
        form: Form::Entries,
        presence: Presence::Required,
        meaning: "the policy options: bundles of lever values, exactly one the baseline",
        model_keys: "",
    },
    Section {
        name: "uncertainty",
        form: Form::Entries,
        presence: Presence::Optional,
        meaning: "uncertain parameters: a distribution each, drawn once per trial",
        model_keys: "the distribution's parameters (see the table of distributions)",
    },
    Section {
        name: "inject",
        form: Form::Entries,
        presence: Presence::Optional,
        meaning: "scripted events (the master scenario events list), sorted by turn",
        model_keys: "the fields of the inject kind",
    },
];

/// The turn lengths `scenario.turn_length` allows.
pub const TURN_LENGTHS: &[&str] = &["day", "week", "month", "quarter", "year", "step"];

/// The longest horizon a scenario may have.
pub const MAX_TURNS: u64 = 100_000;

pub const EXTENDS: KeySpec = key(
    "",
    "extends",
    KeyType::Path,
    Absent::Means("none"),
    "a scenario this file starts from and overrides (see above)",
);
pub const NAME: KeySpec = key(
    "scenario",
    "name",
    KeyType::Name,
    Absent::Required,
    "short name, used in output folder names",
);
pub const DESCRIPTION: KeySpec = key(
    "scenario",
    "description",
    KeyType::Text,
    Absent::Empty,
    "what the scenario is about (the first line is its summary)",
);
pub const TURN_LENGTH: KeySpec = key(
    "scenario",
    "turn_length",
    KeyType::Word(TURN_LENGTHS),
    Absent::Word("step"),
    "the length of one turn",
);
pub const TURNS: KeySpec = key(
    "scenario",
    "turns",
    KeyType::Whole {
        min: 1,
        max: MAX_TURNS,
    },
    Absent::Required,
    "the number of turns in the horizon",
);
pub const START: KeySpec = key(
    "scenario",
    "start",
    KeyType::Date,
    Absent::Means("none: turns are not dated"),
    "calendar month of turn 1 (`YYYY-MM`); the game and charts label turns with it",
);
pub const SOURCES: KeySpec = key(
    "scenario",
    "sources",
    KeyType::TextList,
    Absent::Means("none"),
    "references for the data and assumptions (shown in the report)",
);
pub const TRIALS: KeySpec = key(
    "run",
    "trials",
    KeyType::Whole {
        min: 1,
        max: u32::MAX as u64 * 16,
    },
    Absent::Whole(1000),
    "trials per policy option (`--trials`)",
);
pub const BLOCK_SIZE: KeySpec = key(
    "run",
    "block_size",
    KeyType::Whole {
        min: 1,
        max: 1_000_000,
    },
    Absent::Whole(256),
    "trials per statistics block, folded in block order: part of the experiment (`--block-size`)",
);
pub const SEED: KeySpec = key(
    "run",
    "seed",
    KeyType::Whole {
        min: 0,
        max: i64::MAX as u64,
    },
    Absent::Means("a fresh seed, printed and recorded in the manifest"),
    "master seed of the random streams (`--seed`)",
);
pub const MODEL_KIND: KeySpec = key(
    "model",
    "kind",
    KeyType::ModelKind,
    Absent::Required,
    "which model runs the scenario",
);
pub const ACTORS_FILE: KeySpec = key(
    "actors",
    "file",
    KeyType::Path,
    Absent::Required,
    "CSV file with a header row, a `name` column and one column per actor field",
);
pub const ACTOR_NAME: KeySpec = key(
    "actor",
    "name",
    KeyType::Text,
    Absent::Required,
    "the actor's name, unique (injects name their target by it)",
);
pub const POLICY_NAME: KeySpec = key(
    "policy",
    "name",
    KeyType::Name,
    Absent::Required,
    "the option's name, unique; an entry of a file that extends another replaces the parent's entry of that name",
);
pub const POLICY_DESCRIPTION: KeySpec = key(
    "policy",
    "description",
    KeyType::Text,
    Absent::Empty,
    "what the option is",
);
pub const POLICY_BASELINE: KeySpec = key(
    "policy",
    "baseline",
    KeyType::Bool,
    Absent::Bool(false),
    "whether this is the baseline every other option is compared with (exactly one)",
);
pub const POLICY_LEVERS: KeySpec = key(
    "policy",
    "levers",
    KeyType::ParamTable,
    Absent::Means("none: the scenario's values"),
    "the parameter values this option sets, over `[model]` and `[outcomes]`",
);
pub const UNCERTAINTY_PARAM: KeySpec = key(
    "uncertainty",
    "param",
    KeyType::Param,
    Absent::Required,
    "the parameter drawn (not a lever of any option; one distribution per parameter)",
);
pub const UNCERTAINTY_DIST: KeySpec = key(
    "uncertainty",
    "dist",
    KeyType::Dist,
    Absent::Required,
    "its distribution; the distribution's parameters are keys of the same entry",
);
pub const UNCERTAINTY_DESCRIPTION: KeySpec = key(
    "uncertainty",
    "description",
    KeyType::Text,
    Absent::Empty,
    "what the uncertainty is and why this distribution",
);
pub const INJECT_TURN: KeySpec = key(
    "inject",
    "turn",
    KeyType::Turn,
    Absent::Required,
    "the turn at which it happens",
);
pub const INJECT_KIND: KeySpec = key(
    "inject",
    "kind",
    KeyType::InjectKind,
    Absent::Required,
    "what happens (the model's inject kinds)",
);
pub const INJECT_NAME: KeySpec = key(
    "inject",
    "name",
    KeyType::Text,
    Absent::Means("the kind"),
    "a short title, shown in charts and the game",
);
pub const INJECT_DATE: KeySpec = key(
    "inject",
    "date",
    KeyType::Date,
    Absent::Means("none"),
    "the calendar date of the event (copied to `injects.csv`)",
);
pub const INJECT_DESCRIPTION: KeySpec = key(
    "inject",
    "description",
    KeyType::Text,
    Absent::Empty,
    "what happened, with its source",
);

/// Every key of the format, section by section, in the order allowed-key messages list them.
pub static KEYS: &[KeySpec] = &[
    EXTENDS,
    NAME,
    DESCRIPTION,
    TURN_LENGTH,
    TURNS,
    START,
    SOURCES,
    TRIALS,
    BLOCK_SIZE,
    SEED,
    MODEL_KIND,
    ACTORS_FILE,
    ACTOR_NAME,
    POLICY_NAME,
    POLICY_DESCRIPTION,
    POLICY_BASELINE,
    POLICY_LEVERS,
    UNCERTAINTY_PARAM,
    UNCERTAINTY_DIST,
    UNCERTAINTY_DESCRIPTION,
    INJECT_TURN,
    INJECT_KIND,
    INJECT_NAME,
    INJECT_DATE,
    INJECT_DESCRIPTION,
];

/// The format's keys of a section (`""`: the top level), in declaration order.
pub fn keys_of(section: &str) -> impl Iterator<Item = &'static KeySpec> {
    KEYS.iter().filter(move |k| k.section == section)
}

/// The names of the format's keys of a section. At the top level: every section, then the
/// top-level keys.
pub fn allowed(section: &str) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = if section.is_empty() {
        SECTIONS.iter().map(|s| s.name).collect()
    } else {
        Vec::new()
    };
    names.extend(keys_of(section).map(|k| k.name));
    names
}

/// The section where parameters of a group are set.
pub fn section_of(group: Group) -> &'static str {
    match group {
        Group::Model => "model",
        Group::Outcomes => "outcomes",
    }
}
