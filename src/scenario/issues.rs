//! Problems found in a scenario, reported all at once.
//!
//! Validation never stops at the first problem: it collects every [`Issue`] of a file, each
//! naming the file, the key path (`policy[2].levers.dialogue`), the line and column where
//! the parser knows them, and what is allowed, so that an analyst fixes a file in one pass.

use std::fmt;

/// One problem in a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    /// The file the problem is in (filled in by the loader when the validator does not know).
    pub file: String,
    /// The key path, e.g. `policy[2].levers.dialogue`, or `row 4, column gdp` in a CSV.
    pub path: String,
    /// 1-based line and column, where known.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::kernel::text::terminal_safe;
        write!(f, "{}", terminal_safe(&self.file))?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        if self.path.is_empty() {
            write!(f, ": {}", terminal_safe(&self.message))
        } else {
            write!(
                f,
                ": {}: {}",
                terminal_safe(&self.path),
                terminal_safe(&self.message)
            )
        }
    }
}

/// All the problems of a scenario.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Issues(pub Vec<Issue>);

impl Issues {
    pub fn new() -> Self {
        Issues(Vec::new())
    }

    /// A problem at a key path of the scenario file (file and position found later).
    pub fn add(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(Issue {
            file: String::new(),
            path: path.into(),
            line: None,
            column: None,
            message: message.into(),
        });
    }

    /// A problem at a known place of a known file (e.g. a CSV row).
    pub fn add_at(
        &mut self,
        file: impl Into<String>,
        line: Option<usize>,
        path: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.0.push(Issue {
            file: file.into(),
            path: path.into(),
            line,
            column: None,
            message: message.into(),
        });
    }

    pub fn extend(&mut self, other: Issues) {
        self.0.extend(other.0);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// `Ok(v)` when there is no problem.
    pub fn into_result<T>(self, v: T) -> Result<T, Issues> {
        if self.0.is_empty() { Ok(v) } else { Err(self) }
    }
}

impl fmt::Display for Issues {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        writeln!(f, "{} problem{} found:", n, if n == 1 { "" } else { "s" })?;
        for i in &self.0 {
            writeln!(f, "  {i}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Issues {}
