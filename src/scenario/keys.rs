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
    /// Free text: newlines and tabs allowed, no other control character.
    Text,
    /// One line of text: no control character, at most [`MAX_NAME_CHARS`] characters.
    Line,
    /// An array of free text.
    TextList,
    /// A name used in file names and messages: letters, digits, `-`, `_`, `.`, not starting
    /// with `.`, 1 to [`MAX_NAME_CHARS`] characters.
    Name,
    /// One of the words.
    Word(&'static [&'static str]),
    /// A whole number in [min, max].
    Whole { min: u64, max: u64 },
    /// A turn of the horizon: a whole number from 1 to `scenario.turns`.
    Turn,
    /// true or false.
    Bool,
    /// A calendar date, as text (`YYYY-MM` or `YYYY-MM-DD`), checked against the calendar by
    /// `access::get_date`.
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
    /// An array of names of the model's outcomes.
    OutcomeList,
    /// A table of outcome = a number ≥ 0.
    OutcomeBands,
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
            KeyType::Text => "text (newlines and tabs allowed, no other control characters)".into(),
            KeyType::Line => format!(
                "one line of text, 1 to {MAX_NAME_CHARS} characters, without control characters"
            ),
            KeyType::TextList => "an array of text".into(),
            KeyType::Name => format!(
                "letters, digits, `-`, `_` and `.`, not starting with `.`, 1 to {MAX_NAME_CHARS} characters"
            ),
            KeyType::Word(w) => format!("one of {}", w.join(", ")),
            KeyType::Whole { min, max } => format!("a whole number from {min} to {max}"),
            KeyType::Turn => "a whole number from 1 to `scenario.turns`".into(),
            KeyType::Bool => "true or false".into(),
            KeyType::Date => crate::kernel::time::DATE_FORMS.into(),
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
            KeyType::OutcomeList => "an array of names of the model's outcomes".into(),
            KeyType::OutcomeBands => {
                "a table of outcome = a number ≥ 0, in the outcome's units (a yes/no outcome: a probability, 0.01 = 1 percentage point)".into()
            }
        }
    }

    /// The type as a word, for the docs.
    pub fn type_name(&self) -> &'static str {
        match self.ty {
            KeyType::Text | KeyType::Line | KeyType::Date | KeyType::Path => "text",
            KeyType::TextList => "text array",
            KeyType::Name | KeyType::ModelKind | KeyType::Param | KeyType::InjectKind => "name",
            KeyType::Word(_) | KeyType::Dist => "choice",
            KeyType::Whole { .. } | KeyType::Turn => "integer",
            KeyType::Bool => "bool",
            KeyType::ParamTable | KeyType::OutcomeBands => "table",
            KeyType::OutcomeList => "text array",
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
        meaning: "thresholds that define the model's outcomes; which outcomes decide between the options, and how small a difference is negligible",
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

/// The longest horizon a scenario may have. A run's memory grows with the horizon only
/// through what its outputs hold (a few numbers per turn, series and option), so this horizon
/// runs in well under 200 MB (`docs/RELIABILITY.md`).
pub const MAX_TURNS: u64 = 10_000;

/// The longest name (`scenario.name`, an option's or an actor's name, an inject's title), in
/// characters: a name becomes part of folder names, which most file systems cap at 255 bytes.
pub const MAX_NAME_CHARS: usize = 100;

/// The most actors an actor table may have.
pub const MAX_ACTORS: usize = 1000;

/// The most agents of the reference opinion models (`agents`, declared by each model with
/// this bound): each trial holds a few numbers per agent.
pub const MAX_AGENTS: i64 = 100_000;

/// The largest scenario or data file read, in bytes (checked before it is read).
pub const MAX_FILE_BYTES: u64 = 16 << 20;

pub const EXTENDS: KeySpec = key(
    "",
    "extends",
    KeyType::Path,
    Absent::Means("none"),
    "a scenario this file starts from: tables merge key by key, `[[policy]]` entries by `name`, `[[uncertainty]]` entries by `param` (one naming another `dist` replaces the parent's whole), `[[inject]]` entries are appended, an actor table is replaced",
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
    "what the scenario is about; `cohesion scenarios` shows its first line, the report all of it",
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
    "the calendar month of turn 1; the game and the charts label turns with it",
);
pub const SOURCES: KeySpec = key(
    "scenario",
    "sources",
    KeyType::TextList,
    Absent::Means("none"),
    "references for the data and assumptions",
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
    KeyType::Line,
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
    "what the option is (shown in the report and the game)",
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
    KeyType::Line,
    Absent::Means("the kind"),
    "a short title (in `injects.csv`, the report and the game)",
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

pub const KEY_OUTCOMES: KeySpec = key(
    "outcomes",
    "key",
    KeyType::OutcomeList,
    Absent::Means(
        "none: the report's bottom line then covers every outcome with a known better direction",
    ),
    "the outcomes that decide between the options: the report's bottom line ranks the options on these, first on the page",
);
pub const NEGLIGIBLE: KeySpec = key(
    "outcomes",
    "negligible",
    KeyType::OutcomeBands,
    Absent::Means("0 for every outcome: any difference whose interval excludes zero counts"),
    "per outcome, the largest difference too small to matter: a difference whose whole interval lies inside ±band is negligible, only one wholly beyond it is better or worse",
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
    KEY_OUTCOMES,
    NEGLIGIBLE,
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

#[cfg(test)]
mod tests {
    //! The declarations and the validator agree: every declared key is accepted with a value
    //! its declaration allows, and a whole number or word outside the declaration is refused
    //! with the declared range in the message.

    use super::*;
    use crate::scenario::{Issues, Origin, Scenario};

    /// A complete scenario for the Hegselmann–Krause model, with one entry of every array
    /// section the model takes.
    const BASE: &str = r#"
[scenario]
name = "keys"
turns = 10

[model]
kind = "hegselmann-krause"

[[policy]]
name = "a"
baseline = true

[[uncertainty]]
param = "tolerance"
dist = "uniform"
min = 1e-9
max = 1e-6

[[inject]]
turn = 1
kind = "shift"
amount = 0.1
"#;

    /// A value the declaration allows (paths are written beside the scenario by `load`).
    fn sample(k: &KeySpec) -> toml::Value {
        use toml::Value as V;
        match k.ty {
            KeyType::Text | KeyType::Line | KeyType::Name => V::String("x".into()),
            KeyType::TextList => V::Array(vec![V::String("x".into())]),
            KeyType::Word(w) => V::String(w[w.len() - 1].into()),
            KeyType::Whole { max, .. } => V::Integer(max as i64),
            KeyType::Turn => V::Integer(10),
            KeyType::Bool => V::Boolean(true),
            KeyType::Date => V::String("2021-10".into()),
            KeyType::Path if k.section.is_empty() => V::String("parent.toml".into()),
            KeyType::Path => V::String("actors.csv".into()),
            KeyType::ModelKind => V::String("hegselmann-krause".into()),
            KeyType::Param => V::String("tolerance".into()),
            KeyType::Dist => V::String("uniform".into()),
            KeyType::InjectKind => V::String("shift".into()),
            KeyType::ParamTable => {
                let mut t = toml::Table::new();
                t.insert("epsilon".into(), V::Float(0.2));
                V::Table(t)
            }
            KeyType::OutcomeList => V::Array(vec![V::String("clusters".into())]),
            KeyType::OutcomeBands => {
                let mut t = toml::Table::new();
                t.insert("clusters".into(), V::Float(0.5));
                V::Table(t)
            }
        }
    }

    /// The base scenario with `k` set to `v` (in the first entry of an array section).
    fn with(k: &KeySpec, v: toml::Value) -> toml::Table {
        let mut root: toml::Table = BASE.parse().unwrap();
        if k.section.is_empty() {
            root.insert(k.name.into(), v);
            return root;
        }
        let form = SECTIONS.iter().find(|s| s.name == k.section).unwrap().form;
        let entry = match form {
            Form::Table => root
                .entry(k.section)
                .or_insert_with(|| toml::Value::Table(toml::Table::new())),
            Form::Entries => {
                let a = root
                    .entry(k.section)
                    .or_insert_with(|| toml::Value::Array(vec![toml::Table::new().into()]));
                &mut a.as_array_mut().unwrap()[0]
            }
        };
        entry.as_table_mut().unwrap().insert(k.name.into(), v);
        root
    }

    fn load(root: &toml::Table) -> Result<Scenario, Issues> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("parent.toml"), BASE).unwrap();
        std::fs::write(dir.path().join("actors.csv"), "name\nA\nB\n").unwrap();
        let path = dir.path().join("s.toml");
        std::fs::write(&path, toml::to_string(root).unwrap()).unwrap();
        crate::model::load_scenario(Origin::File(path))
    }

    #[test]
    fn every_declared_key_is_accepted_with_an_allowed_value() {
        assert!(load(&BASE.parse().unwrap()).is_ok());
        for k in KEYS {
            let got = load(&with(k, sample(k)));
            assert!(got.is_ok(), "{}: {}", k.path(), got.unwrap_err());
        }
    }

    #[test]
    fn values_outside_a_declared_range_or_word_list_are_refused_with_it() {
        let mut checked = 0;
        for k in KEYS {
            let bad: Vec<toml::Value> = match k.ty {
                KeyType::Whole { min, max } => {
                    let mut b = vec![toml::Value::Integer(min as i64 - 1)];
                    if max < i64::MAX as u64 {
                        b.push(toml::Value::Integer(max as i64 + 1));
                    }
                    b
                }
                KeyType::Word(_) => vec![toml::Value::String("not-a-word".into())],
                _ => continue,
            };
            for v in bad {
                let issues = load(&with(k, v.clone())).expect_err(&k.path());
                let msg = issues.to_string();
                assert!(
                    msg.contains(&format!("{}: ", k.path())) && msg.contains(&k.allowed()),
                    "{} = {v}: {msg}",
                    k.path()
                );
                checked += 1;
            }
        }
        // turns (2), trials (2), block_size (2), seed (1), turn_length (1).
        assert_eq!(checked, 8);
    }

    #[test]
    fn run_defaults_are_the_declared_ones() {
        let sc = load(&BASE.parse().unwrap()).unwrap();
        assert_eq!(sc.run.trials, TRIALS.default_whole());
        assert_eq!(sc.run.block_size, BLOCK_SIZE.default_whole());
        assert_eq!(sc.turn_length, TURN_LENGTH.default_word().unwrap());
        // The figures the README's scenario example documents.
        assert_eq!((sc.run.trials, sc.run.block_size), (1000, 256));
    }

    #[test]
    fn the_top_level_allows_every_section_and_extends() {
        assert_eq!(
            allowed("").join(", "),
            "scenario, run, model, outcomes, actors, actor, policy, uncertainty, inject, extends"
        );
        for s in SECTIONS {
            assert!(
                keys_of(s.name).count() > 0 || !s.model_keys.is_empty(),
                "{}",
                s.name
            );
        }
    }
}
