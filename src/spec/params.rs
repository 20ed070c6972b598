//! Parameter declarations and the values a trial runs with.
//!
//! Every coefficient of a model is a declared parameter, so that a scenario can set it, a
//! policy option can pull it as a lever, or an uncertainty can sample it, and all three are
//! checked against the same declaration. Values are held as `f64` in declaration order (a
//! choice is held as the index of the chosen word), so a trial reads them by index without
//! hashing or allocation.

/// Where a parameter is set in a scenario file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// In `[model]`.
    Model,
    /// In `[outcomes]`: thresholds that define the outcomes.
    Outcomes,
}

/// The type and allowed values of a parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ParamKind {
    /// A real number in [min, max].
    Real { min: f64, max: f64 },
    /// A whole number in [min, max].
    Int { min: i64, max: i64 },
    /// true or false (held as 1.0 or 0.0).
    Bool,
    /// One of the words (held as its index).
    Choice(&'static [&'static str]),
}

/// The declaration of one parameter.
#[derive(Debug, Clone, Copy)]
pub struct ParamSpec {
    pub name: &'static str,
    pub group: Group,
    pub kind: ParamKind,
    /// The default value, as held (a choice's index, a bool's 0/1).
    pub default: f64,
    /// One line: what it means (and its unit).
    pub meaning: &'static str,
    /// Whether it is a lever: a policy choice (what a policy option is about, and what Blue
    /// sets turn by turn in a game) rather than a coefficient of the model or a threshold.
    pub lever: bool,
}

impl ParamSpec {
    pub const fn real(
        name: &'static str,
        min: f64,
        max: f64,
        default: f64,
        meaning: &'static str,
    ) -> Self {
        ParamSpec {
            name,
            group: Group::Model,
            kind: ParamKind::Real { min, max },
            default,
            meaning,
            lever: false,
        }
    }
    pub const fn int(
        name: &'static str,
        min: i64,
        max: i64,
        default: i64,
        meaning: &'static str,
    ) -> Self {
        ParamSpec {
            name,
            group: Group::Model,
            kind: ParamKind::Int { min, max },
            default: default as f64,
            meaning,
            lever: false,
        }
    }
    pub const fn boolean(name: &'static str, default: bool, meaning: &'static str) -> Self {
        ParamSpec {
            name,
            group: Group::Model,
            kind: ParamKind::Bool,
            default: if default { 1.0 } else { 0.0 },
            meaning,
            lever: false,
        }
    }
    pub const fn choice(
        name: &'static str,
        words: &'static [&'static str],
        default: usize,
        meaning: &'static str,
    ) -> Self {
        ParamSpec {
            name,
            group: Group::Model,
            kind: ParamKind::Choice(words),
            default: default as f64,
            meaning,
            lever: false,
        }
    }
    /// The same parameter, set in `[outcomes]` instead of `[model]`.
    pub const fn outcome(mut self) -> Self {
        self.group = Group::Outcomes;
        self
    }

    /// The same parameter, declared as a lever.
    pub const fn lever(mut self) -> Self {
        self.lever = true;
        self
    }

    /// The meaning as `describe` and `docs/SCENARIO.md` print it: a lever says so first.
    pub fn described(&self) -> String {
        if self.lever {
            format!("lever: {}", self.meaning)
        } else {
            self.meaning.to_string()
        }
    }

    /// The smallest and largest value as held.
    pub fn bounds(&self) -> (f64, f64) {
        match self.kind {
            ParamKind::Real { min, max } => (min, max),
            ParamKind::Int { min, max } => (min as f64, max as f64),
            ParamKind::Bool => (0.0, 1.0),
            ParamKind::Choice(w) => (0.0, (w.len() - 1) as f64),
        }
    }

    /// "a number from 0 to 1", "one of open, conditional, closed"…
    pub fn allowed(&self) -> String {
        match self.kind {
            ParamKind::Real { min, max } => format!("a number from {min} to {max}"),
            ParamKind::Int { min, max } => format!("a whole number from {min} to {max}"),
            ParamKind::Bool => "true or false".to_string(),
            ParamKind::Choice(w) => format!("one of {}", w.join(", ")),
        }
    }

    /// The type as a word, for `describe`.
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            ParamKind::Real { .. } => "real",
            ParamKind::Int { .. } => "integer",
            ParamKind::Bool => "bool",
            ParamKind::Choice(_) => "choice",
        }
    }

    /// The range as text, for `describe`.
    pub fn range_text(&self) -> String {
        match self.kind {
            ParamKind::Real { min, max } => format!("[{min}, {max}]"),
            ParamKind::Int { min, max } => format!("{min}..={max}"),
            ParamKind::Bool => "true/false".into(),
            ParamKind::Choice(w) => w.join(" / "),
        }
    }

    /// A held value as a user writes it.
    pub fn display(&self, v: f64) -> String {
        match self.kind {
            ParamKind::Real { .. } => crate::kernel::fmt::fmt_f64(v),
            ParamKind::Int { .. } => format!("{}", v as i64),
            ParamKind::Bool => (v != 0.0).to_string(),
            ParamKind::Choice(w) => w.get(v as usize).copied().unwrap_or("?").to_string(),
        }
    }
}

/// The values of every parameter of a model for one trial of one option, in declaration order.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    pub values: Vec<f64>,
}

impl Params {
    #[inline]
    pub fn get(&self, i: usize) -> f64 {
        self.values[i]
    }
    #[inline]
    pub fn int(&self, i: usize) -> i64 {
        self.values[i] as i64
    }
    #[inline]
    pub fn flag(&self, i: usize) -> bool {
        self.values[i] != 0.0
    }
    #[inline]
    pub fn choice(&self, i: usize) -> usize {
        self.values[i] as usize
    }
}
