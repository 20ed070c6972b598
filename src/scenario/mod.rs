//! Scenario files: the format, loading (with `extends`), and validation.
//!
//! A scenario is a TOML file (see `scenarios/`, the README and `docs/SCENARIO.md`) that names
//! a model and gives its actors, policy options (lever values, one the baseline), uncertain
//! parameters (a distribution each, drawn once per trial), scripted injects (the master
//! scenario events list) and outcome thresholds. [`load`] reads it and every file it pulls
//! in, and checks all of it against the model's declaration before any trial runs; every
//! problem found is returned at once, each naming file, key path, line and column, and what
//! is allowed.
//!
//! The parts: [`types`] (what a validated scenario is), [`keys`] (the format's own keys,
//! declared once for the validator and the docs), [`source`] (files and `extends`),
//! `access` (reading raw TOML values), `validate` (one reader per section), `place` (the
//! file, line and column of a problem), [`actors`] and [`dist`] (actor tables and
//! distributions), and [`format`] (the reference of the format, printed by
//! `cohesion describe --scenario-format`).

mod access;
pub mod actors;
pub mod builtin;
pub mod dist;
pub mod format;
pub mod issues;
pub mod keys;
mod place;
pub mod source;
pub mod types;
mod validate;

use crate::spec::ModelSpec;
pub use access::param_value;
pub use actors::{ActorTable, Cell};
pub use dist::{Distribution, Joint};
pub use issues::{Issue, Issues};
pub use source::{Origin, SourceFile};
pub use types::{Inject, Policy, RunDefaults, Scenario, Uncertainty};

/// Reads and validates a scenario and everything it pulls in. `models` are the declarations a
/// `[model] kind` may name; `check` runs the chosen model's own checks (actor attributes,
/// inject targets) on a scenario that passed the generic ones. `model::load_scenario` passes
/// the built-in models.
pub fn load(
    origin: Origin,
    models: &[&'static ModelSpec],
    check: &dyn Fn(&Scenario) -> Result<(), Issues>,
) -> Result<Scenario, Issues> {
    let stacked = source::load_stacked(origin.clone())?;
    let mut files = stacked.files;
    let mut issues = Issues::new();
    let actors_origin = stacked.actors_origin.unwrap_or_else(|| origin.clone());
    let sc = validate::validate(
        &origin,
        &actors_origin,
        &stacked.table,
        models,
        &mut files,
        &mut issues,
    );
    place::place_issues(&mut issues, &files, &stacked.table, &origin);
    match sc {
        Some(sc) if issues.is_empty() => {
            // Model-specific checks (actor attributes, inject fields) happen in build.
            match check(&sc) {
                Ok(()) => Ok(sc),
                Err(mut more) => {
                    place::place_issues(&mut more, &sc.files, &stacked.table, &origin);
                    Err(more)
                }
            }
        }
        _ => Err(issues),
    }
}

/// Resolves what a user typed as a scenario: an existing file, or a built-in name
/// (`nato-2021`, `reference/hk-0.25`, with or without `.toml`).
pub fn resolve(arg: &str) -> Result<Origin, String> {
    let p = std::path::Path::new(arg);
    if p.is_file() {
        return Ok(Origin::File(p.to_path_buf()));
    }
    let name = if arg.ends_with(".toml") {
        arg.to_string()
    } else {
        format!("{arg}.toml")
    };
    let name = name.strip_prefix("scenarios/").unwrap_or(&name).to_string();
    if builtin::get(&name).is_some() {
        return Ok(Origin::Builtin(name));
    }
    Err(format!(
        "no scenario file `{arg}` and no built-in scenario of that name; built-in: {}",
        builtin::scenario_names().join(", ")
    ))
}
