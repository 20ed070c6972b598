//! `[model]` and `[outcomes]`: which model, and the values of its fixed parameters.

use super::super::access::type_of;
use super::super::access::{get_str, get_table, param_value};
use super::super::issues::Issues;
use super::super::keys::{self, KEY_OUTCOMES, MODEL_KIND, NEGLIGIBLE};
use crate::spec::{Group, ModelSpec};

/// The model `[model] kind` names, or `None` (reported) when it is missing or unknown.
pub(super) fn model(
    root: &toml::Table,
    models: &[&'static ModelSpec],
    issues: &mut Issues,
) -> Option<&'static ModelSpec> {
    let kinds = || models.iter().map(|m| m.kind).collect::<Vec<_>>().join(", ");
    let Some(msec) = get_table(root, MODEL_KIND.section, issues) else {
        if !root.contains_key(MODEL_KIND.section) {
            issues.add(
                MODEL_KIND.section,
                format!("missing `[model]` with `kind`; allowed kinds: {}", kinds()),
            );
        }
        return None;
    };
    let kind = get_str(msec, MODEL_KIND.name, MODEL_KIND.section, issues).unwrap_or_default();
    let found = models.iter().copied().find(|m| m.kind == kind);
    if found.is_none() {
        issues.add(
            MODEL_KIND.path(),
            format!("unknown model `{kind}`; allowed: {}", kinds()),
        );
    }
    found
}

/// The parameter values before levers and uncertainties: the declared defaults, then what
/// `[model]` and `[outcomes]` set.
pub(super) fn base_values(
    root: &toml::Table,
    spec: &'static ModelSpec,
    issues: &mut Issues,
) -> Vec<f64> {
    let mut base: Vec<f64> = spec.params.iter().map(|p| p.default).collect();
    for group in [Group::Model, Group::Outcomes] {
        let section = keys::section_of(group);
        let Some(t) = get_table(root, section, issues) else {
            continue;
        };
        let own = keys::allowed(section);
        for (k, v) in t.iter().filter(|(k, _)| !own.contains(&k.as_str())) {
            set_param(spec, group, k, v, &mut base, issues);
        }
    }
    base
}

/// Sets parameter `k` from its value in the section of `group`, or reports why not.
fn set_param(
    spec: &'static ModelSpec,
    group: Group,
    k: &str,
    v: &toml::Value,
    base: &mut [f64],
    issues: &mut Issues,
) {
    let section = keys::section_of(group);
    let path = format!("{section}.{k}");
    match spec.param_index(k) {
        Some(i) if spec.params[i].group == group => match param_value(&spec.params[i], v) {
            Ok(x) => base[i] = x,
            Err(e) => issues.add(path, e),
        },
        Some(i) => issues.add(
            path,
            format!(
                "`{k}` belongs in `[{}]`, not `[{section}]`",
                keys::section_of(spec.params[i].group)
            ),
        ),
        None => {
            let names: Vec<&str> = spec
                .params
                .iter()
                .filter(|p| p.group == group)
                .map(|p| p.name)
                .collect();
            issues.add(
                path,
                format!(
                    "model `{}` declares no parameter `{k}` in [{section}]; allowed: {}",
                    spec.kind,
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                ),
            );
        }
    }
}

/// `[outcomes] key` and `[outcomes] negligible`: their form here; the names are checked
/// against the model's outcomes once the simulation is built (`model::load_scenario`), since
/// a model's outcomes may depend on its actors.
pub(super) fn outcome_choices(
    root: &toml::Table,
    issues: &mut Issues,
) -> (Vec<String>, Vec<(String, f64)>) {
    let (mut key, mut bands) = (Vec::new(), Vec::new());
    let Some(t) = root.get(KEY_OUTCOMES.section).and_then(|v| v.as_table()) else {
        return (key, bands);
    };
    match t.get(KEY_OUTCOMES.name) {
        None => {}
        Some(toml::Value::Array(a)) => {
            for (i, v) in a.iter().enumerate() {
                match v.as_str() {
                    Some(s) if key.iter().any(|k| k == s) => issues.add(
                        format!("{}[{i}]", KEY_OUTCOMES.path()),
                        format!("`{s}` is listed twice; allowed: {}", KEY_OUTCOMES.allowed()),
                    ),
                    Some(s) => key.push(s.to_string()),
                    None => issues.add(
                        format!("{}[{i}]", KEY_OUTCOMES.path()),
                        format!(
                            "expected the name of an outcome (a string), found {}",
                            type_of(v)
                        ),
                    ),
                }
            }
        }
        Some(v) => issues.add(
            KEY_OUTCOMES.path(),
            format!("expected {}, found {}", KEY_OUTCOMES.allowed(), type_of(v)),
        ),
    }
    match t.get(NEGLIGIBLE.name) {
        None => {}
        Some(toml::Value::Table(b)) => {
            for (o, v) in b {
                let path = format!("{}.{o}", NEGLIGIBLE.path());
                let x = match v {
                    toml::Value::Float(x) => Some(*x),
                    toml::Value::Integer(i) => Some(*i as f64),
                    _ => None,
                };
                match x {
                    Some(x) if x.is_finite() && x >= 0.0 => bands.push((o.clone(), x)),
                    _ => issues.add(
                        path,
                        format!("expected a number ≥ 0 (the band's half-width, in the outcome's units), found {v}"),
                    ),
                }
            }
        }
        Some(v) => issues.add(
            NEGLIGIBLE.path(),
            format!("expected {}, found {}", NEGLIGIBLE.allowed(), type_of(v)),
        ),
    }
    (key, bands)
}
