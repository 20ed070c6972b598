//! `[scenario]` and `[run]`: what the scenario is, and the experiment's defaults.

use super::super::access::{
    check_keys, get_date, get_str, get_table, get_text, get_whole, type_of, valid_name,
};
use super::super::issues::Issues;
use super::super::keys::{self, BLOCK_SIZE, NAME, SEED, START, TRIALS, TURN_LENGTH, TURNS};
use super::super::types::RunDefaults;

/// The values of `[scenario]`.
pub(super) struct Header {
    pub name: String,
    pub description: String,
    pub turn_length: String,
    pub turns: usize,
    pub start: Option<String>,
    pub sources: Vec<String>,
}

const SCENARIO: &str = "scenario";

/// Reads `[scenario]`; a missing or wrong value is reported and replaced by a placeholder
/// (an empty name, one turn) so that the sections after it can still be checked.
pub(super) fn scenario(root: &toml::Table, issues: &mut Issues) -> Header {
    let sec = get_table(root, SCENARIO, issues);
    if sec.is_none() && !root.contains_key(SCENARIO) {
        issues.add(
            SCENARIO,
            "missing `[scenario]` section (name, description, turn_length, turns)",
        );
    }
    let empty = toml::Table::new();
    let sec = sec.unwrap_or(&empty);
    check_keys(sec, SCENARIO, &keys::allowed(SCENARIO), issues);
    let name = get_str(sec, NAME.name, SCENARIO, issues).unwrap_or_default();
    if !valid_name(&name) {
        issues.add(
            NAME.path(),
            format!(
                "`{}` is not a valid name; allowed: {}",
                crate::kernel::text::shown(&name),
                NAME.allowed()
            ),
        );
    }
    let description = get_text(sec, &keys::DESCRIPTION, SCENARIO, issues).unwrap_or_default();
    let turn_length = turn_length(sec, issues);
    let turns = match get_whole(sec, &TURNS, SCENARIO, issues) {
        Some(t) => t as usize,
        None => {
            if !sec.contains_key(TURNS.name) {
                issues.add(
                    TURNS.path(),
                    format!("missing; allowed: {}", TURNS.allowed()),
                );
            }
            1
        }
    };
    Header {
        name,
        description,
        turn_length,
        turns,
        start: get_date(sec, &START, SCENARIO, issues),
        sources: sources(sec, issues),
    }
}

/// `turn_length`: one of the declared words, the declared default when absent.
fn turn_length(sec: &toml::Table, issues: &mut Issues) -> String {
    let default = TURN_LENGTH.default_word().unwrap_or_default();
    let value = get_str(sec, TURN_LENGTH.name, SCENARIO, issues).unwrap_or_else(|| default.into());
    if !TURN_LENGTH.words().contains(&value.as_str()) {
        issues.add(
            TURN_LENGTH.path(),
            format!(
                "`{value}` is not allowed; allowed: {}",
                TURN_LENGTH.allowed()
            ),
        );
    }
    value
}

/// `sources`: an array of text.
fn sources(sec: &toml::Table, issues: &mut Issues) -> Vec<String> {
    let path = keys::SOURCES.path();
    match sec.get(keys::SOURCES.name) {
        None => Vec::new(),
        Some(toml::Value::Array(a)) => a
            .iter()
            .enumerate()
            .filter_map(|(i, v)| match v.as_str() {
                Some(s) => match super::super::access::text_problem(s, false) {
                    None => Some(s.to_string()),
                    Some(why) => {
                        issues.add(
                            format!("{path}[{i}]"),
                            format!("{why}; allowed: {}", keys::SOURCES.allowed()),
                        );
                        None
                    }
                },
                None => {
                    issues.add(format!("{path}[{i}]"), "expected text");
                    None
                }
            })
            .collect(),
        Some(v) => {
            issues.add(
                path,
                format!("expected {}, found {}", keys::SOURCES.allowed(), type_of(v)),
            );
            Vec::new()
        }
    }
}

/// Reads `[run]`: the declared defaults, overridden by what the file gives.
pub(super) fn run(root: &toml::Table, issues: &mut Issues) -> RunDefaults {
    const RUN: &str = "run";
    let mut run = RunDefaults::default();
    if let Some(r) = get_table(root, RUN, issues) {
        check_keys(r, RUN, &keys::allowed(RUN), issues);
        if let Some(t) = get_whole(r, &TRIALS, RUN, issues) {
            run.trials = t;
        }
        if let Some(b) = get_whole(r, &BLOCK_SIZE, RUN, issues) {
            run.block_size = b;
        }
        run.seed = get_whole(r, &SEED, RUN, issues);
    }
    run
}
