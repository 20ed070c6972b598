//! Validation of a scenario, section by section.
//!
//! [`validate`] reads the merged table of a scenario and the files it `extends`, one section
//! after the other in a fixed order (so problems are listed in the same order on every run),
//! and builds the [`Scenario`] when nothing is wrong. Every section's reader records each
//! problem it finds and goes on, so that one pass lists them all; only a missing or unknown
//! model stops it, since every later check depends on the model's declaration. The format's
//! own keys, ranges and defaults come from [`super::keys`]; the model's from its `ModelSpec`.

mod header;
mod inject;
mod params;
mod policy;
mod uncertainty;

use super::access::check_keys;
use super::actors::{self, ActorTable};
use super::issues::Issues;
use super::keys;
use super::source::{Origin, SourceFile};
use super::types::Scenario;
use crate::spec::ModelSpec;

/// Checks a merged scenario table against the format and the model it names; the scenario,
/// if it could be built (the caller still checks `issues`).
/// `actors_origin` is the file whose `[actors]` table `root` holds (its path is relative to it).
pub(super) fn validate(
    origin: &Origin,
    actors_origin: &Origin,
    root: &toml::Table,
    models: &[&'static ModelSpec],
    files: &mut Vec<SourceFile>,
    issues: &mut Issues,
) -> Option<Scenario> {
    check_keys(root, "", &keys::allowed(""), issues);
    let header = header::scenario(root, issues);
    let run = header::run(root, issues);
    let model = params::model(root, models, issues)?;
    let base = params::base_values(root, model, issues);
    let actors = actor_table(actors_origin, root, model, files, issues);
    let policies = policy::policies(root, model, issues);
    let baseline = policy::baseline(&policies, issues);
    let uncertainties = uncertainty::uncertainties(root, model, &policies, issues);
    let injects = inject::injects(root, model, header.turns, issues);
    let (key_outcomes, negligible) = params::outcome_choices(root, issues);
    Some(Scenario {
        name: header.name,
        description: header.description,
        turn_length: header.turn_length,
        turns: header.turns,
        start: header.start,
        sources: header.sources,
        origin: origin.clone(),
        files: files.clone(),
        model,
        base,
        actors,
        policies,
        baseline,
        uncertainties,
        injects,
        run,
        key_outcomes,
        negligible,
        table: root.clone(),
    })
}

/// `[actors]` or `[[actor]]`: the actor table, and whether the model needs one. `origin` is
/// the file that wrote the `[actors]` table.
fn actor_table(
    origin: &Origin,
    root: &toml::Table,
    model: &'static ModelSpec,
    files: &mut Vec<SourceFile>,
    issues: &mut Issues,
) -> Option<ActorTable> {
    let actors = actors::load(
        origin,
        root.get("actors"),
        root.get("actor"),
        model.actor_fields,
        files,
        issues,
    );
    if model.needs_actors
        && actors.is_none()
        && !root.contains_key("actors")
        && !root.contains_key("actor")
    {
        issues.add(
            "actors",
            format!("model `{}` needs an actor table: `[actors] file = \"….csv\"` or `[[actor]]` entries", model.kind),
        );
    }
    actors
}
