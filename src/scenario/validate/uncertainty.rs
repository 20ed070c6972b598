//! `[[uncertainty]]`: a distribution for an uncertain parameter, drawn once per trial.
//!
//! An entry names the parameter and the distribution; the distribution's own keys are
//! declared in [`DISTS`](super::super::dist::DISTS). An entry is checked in three steps: its
//! keys and their values, then the shape of the distribution (bounds in order, positive
//! spread), then whether its draws fit the parameter (its type and range).

use super::super::access::{
    check_keys, for_each_entry, get_num, get_str, get_text, join, param_value, type_of,
};
use super::super::dist::{self, DistSpec, Distribution, Joint};
use super::super::issues::Issues;
use super::super::keys::{self, UNCERTAINTY_DIST, UNCERTAINTY_PARAM};
use super::super::types::{Policy, Uncertainty};
use crate::spec::{ModelSpec, ParamKind, ParamSpec};

const UNCERTAINTY: &str = "uncertainty";

/// Every valid `[[uncertainty]]` entry, in file order. A parameter may be uncertain once, and
/// not if it is a lever of an option.
pub(super) fn uncertainties(
    root: &toml::Table,
    spec: &'static ModelSpec,
    policies: &[Policy],
    issues: &mut Issues,
) -> Vec<Uncertainty> {
    let mut found: Vec<Uncertainty> = Vec::new();
    for_each_entry(root, UNCERTAINTY, issues, |path, t, issues| {
        let Some(u) = uncertainty(spec, t, &path, issues) else {
            return;
        };
        let at = join(&path, UNCERTAINTY_PARAM.name);
        if found.iter().any(|x| x.param == u.param) {
            issues.add(
                &at,
                format!(
                    "`{}` is already uncertain; one distribution per parameter",
                    u.name
                ),
            );
        }
        for p in policies {
            if p.levers.iter().any(|(pi, _)| *pi == u.param) {
                issues.add(
                    &at,
                    format!(
                        "`{}` is a lever of policy option `{}`; a parameter is either a lever or uncertain, not both",
                        u.name, p.name
                    ),
                );
            }
        }
        found.push(u);
    });
    resolve_joint(&mut found, issues);
    found
}

/// Gives every `empirical` entry of a joint group the index of the group's first entry, and
/// checks that the group's entries have the same rows (count and weights).
fn resolve_joint(found: &mut [Uncertainty], issues: &mut Issues) {
    for j in 0..found.len() {
        let Distribution::Empirical {
            joint: Some(joint),
            values,
            weights,
        } = &found[j].dist
        else {
            continue;
        };
        let lead = found
            .iter()
            .position(|u| {
                matches!(&u.dist, Distribution::Empirical { joint: Some(g), .. } if g.name == joint.name)
            })
            .unwrap_or(j);
        if let Distribution::Empirical {
            values: lv,
            weights: lw,
            ..
        } = &found[lead].dist
            && (lv.len() != values.len() || lw != weights)
        {
            issues.add(
                format!("{UNCERTAINTY}[{j}].joint"),
                format!(
                    "joint group `{}`: `{}` has {} rows, `{}` (its first entry) has {}; allowed: the same number of rows and the same weights in every entry of a group",
                    joint.name,
                    found[j].name,
                    values.len(),
                    found[lead].name,
                    lv.len()
                ),
            );
        }
        if let Distribution::Empirical {
            joint: Some(joint), ..
        } = &mut found[j].dist
        {
            joint.lead = lead;
        }
    }
}

/// One entry, or `None` when anything in it is wrong (reported).
fn uncertainty(
    spec: &'static ModelSpec,
    t: &toml::Table,
    path: &str,
    issues: &mut Issues,
) -> Option<Uncertainty> {
    let (pi, name) = param(spec, t, path, issues)?;
    let pspec = &spec.params[pi];
    let dspec = distribution(t, path, issues)?;
    let mut allowed = keys::allowed(UNCERTAINTY);
    allowed.extend(dspec.params.iter().map(|p| p.name));
    check_keys(t, path, &allowed, issues);
    let before = issues.len();
    let dist = read(dspec, pspec, t, path, issues);
    if issues.len() > before {
        return None;
    }
    check_shape(&dist, path, issues)?;
    check_fit(&dist, pspec, &name, path, issues)?;
    Some(Uncertainty {
        param: pi,
        name,
        dist,
        description: get_text(t, &keys::UNCERTAINTY_DESCRIPTION, path, issues).unwrap_or_default(),
    })
}

/// `param`: the index and name of a parameter the model declares.
fn param(
    spec: &'static ModelSpec,
    t: &toml::Table,
    path: &str,
    issues: &mut Issues,
) -> Option<(usize, String)> {
    let at = join(path, UNCERTAINTY_PARAM.name);
    let Some(name) = get_str(t, UNCERTAINTY_PARAM.name, path, issues) else {
        issues.add(
            at,
            "missing: the name of the parameter this distribution is for",
        );
        return None;
    };
    let Some(pi) = spec.param_index(&name) else {
        issues.add(
            at,
            format!(
                "model `{}` declares no parameter `{name}`; allowed: {}",
                spec.kind,
                spec.params
                    .iter()
                    .map(|p| p.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
        return None;
    };
    Some((pi, name))
}

/// `dist`: a declared distribution.
fn distribution(t: &toml::Table, path: &str, issues: &mut Issues) -> Option<&'static DistSpec> {
    let name = get_str(t, UNCERTAINTY_DIST.name, path, issues).unwrap_or_default();
    let found = dist::find(&name);
    if found.is_none() {
        issues.add(
            join(path, UNCERTAINTY_DIST.name),
            format!(
                "unknown distribution `{name}`; allowed: {}",
                dist::DISTS
                    .iter()
                    .map(|d| d.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    found
}

/// The distribution's parameters from the entry; a missing or wrong one is reported (and
/// read as NaN, so the caller discards the result).
fn read(
    d: &DistSpec,
    pspec: &ParamSpec,
    t: &toml::Table,
    path: &str,
    issues: &mut Issues,
) -> Distribution {
    let num = |k: &str, issues: &mut Issues| number(d, t, k, path, issues);
    match d.name {
        "uniform" => Distribution::Uniform {
            min: num("min", issues),
            max: num("max", issues),
        },
        "triangular" => Distribution::Triangular {
            min: num("min", issues),
            mode: num("mode", issues),
            max: num("max", issues),
        },
        "truncnormal" => Distribution::TruncNormal {
            mean: num("mean", issues),
            sd: num("sd", issues),
            min: num("min", issues),
            max: num("max", issues),
        },
        "beta" => {
            let (lo, hi) = pspec.bounds();
            let min = if t.contains_key("min") {
                num("min", issues)
            } else {
                lo.max(0.0)
            };
            let max = if t.contains_key("max") {
                num("max", issues)
            } else {
                hi.min(1.0)
            };
            Distribution::Beta {
                alpha: num("alpha", issues),
                beta: num("beta", issues),
                min,
                max,
            }
        }
        "choice" => choice(pspec, t, path, issues),
        "empirical" => empirical(pspec, t, path, issues),
        other => unreachable!("distribution `{other}` is declared in DISTS but not read"),
    }
}

/// A numeric parameter `k` of distribution `d`; NaN when missing or wrong (reported).
fn number(d: &DistSpec, t: &toml::Table, k: &str, path: &str, issues: &mut Issues) -> f64 {
    if let Some(x) = get_num(t, k, path, issues) {
        return x;
    }
    let optional = d.params.iter().any(|p| p.name == k && p.optional);
    if !t.contains_key(k) && !optional {
        let names: Vec<&str> = d.params.iter().map(|p| p.name).collect();
        issues.add(
            join(path, k),
            format!(
                "missing; the {} distribution needs {}",
                d.name,
                names.join(", ")
            ),
        );
    }
    f64::NAN
}

/// `choice`: values as the parameter is written, and optional weights.
fn choice(pspec: &ParamSpec, t: &toml::Table, path: &str, issues: &mut Issues) -> Distribution {
    let mut values = Vec::new();
    match t.get("values") {
        Some(toml::Value::Array(a)) if !a.is_empty() => {
            for (j, v) in a.iter().enumerate() {
                match param_value(pspec, v) {
                    Ok(x) => values.push(x),
                    Err(e) => issues.add(format!("{path}.values[{j}]"), e),
                }
            }
        }
        _ => issues.add(
            join(path, "values"),
            format!("expected a non-empty array of {}", pspec.allowed()),
        ),
    }
    let weights = match t.get("weights") {
        None => vec![1.0; values.len()],
        Some(toml::Value::Array(a)) => weights(a, values.len(), path, issues),
        Some(v) => {
            issues.add(
                join(path, "weights"),
                format!("expected an array of numbers, found {}", type_of(v)),
            );
            Vec::new()
        }
    };
    Distribution::Choice { values, weights }
}

/// `empirical`: a sample (values, optional weights) and an optional joint group.
fn empirical(pspec: &ParamSpec, t: &toml::Table, path: &str, issues: &mut Issues) -> Distribution {
    let Distribution::Choice { values, weights } = choice(pspec, t, path, issues) else {
        unreachable!("choice() reads a choice")
    };
    let joint = match t.get("joint") {
        None => None,
        Some(toml::Value::String(name)) if !name.trim().is_empty() => Some(Joint {
            name: name.clone(),
            lead: usize::MAX,
        }),
        Some(v) => {
            issues.add(
                join(path, "joint"),
                format!(
                    "expected a group name (a non-empty string), found {}",
                    type_of(v)
                ),
            );
            None
        }
    };
    Distribution::Empirical {
        values,
        weights,
        joint,
    }
}

/// `weights`: one non-negative number per value, not all zero.
fn weights(a: &[toml::Value], n: usize, path: &str, issues: &mut Issues) -> Vec<f64> {
    let w: Vec<f64> = a
        .iter()
        .map(|v| {
            v.as_float()
                .or(v.as_integer().map(|i| i as f64))
                .unwrap_or(-1.0)
        })
        .collect();
    if w.len() != n
        || w.iter().any(|x| x.is_nan() || *x < 0.0 || !x.is_finite())
        || w.iter().sum::<f64>() <= 0.0
    {
        issues.add(
            join(path, "weights"),
            format!("expected {n} non-negative numbers (one per value), not all zero"),
        );
    }
    w
}

/// Bounds in order, the mode within them, a positive spread; `None` when not (reported).
fn check_shape(dist: &Distribution, path: &str, issues: &mut Issues) -> Option<()> {
    let mut bad = |k: &str, m: String| issues.add(join(path, k), m);
    let reversed = |min: f64, max: f64| {
        format!("bounds are reversed or empty (min = {min}, max = {max}); allowed: min < max")
    };
    match dist {
        Distribution::Uniform { min, max }
        | Distribution::Beta { min, max, .. }
        | Distribution::TruncNormal { min, max, .. }
            if min >= max =>
        {
            bad("max", reversed(*min, *max));
            return None;
        }
        Distribution::Triangular { min, mode, max } => {
            if min >= max {
                bad("max", reversed(*min, *max));
                return None;
            }
            if mode < min || mode > max {
                bad(
                    "mode",
                    format!(
                        "{mode} is outside [min, max] = [{min}, {max}]; allowed: min <= mode <= max"
                    ),
                );
                return None;
            }
        }
        _ => {}
    }
    match dist {
        Distribution::TruncNormal { sd, .. } if *sd <= 0.0 => {
            bad("sd", format!("{sd} is not allowed; allowed: sd > 0"));
            None
        }
        Distribution::Beta { alpha, beta, .. } if *alpha <= 0.0 || *beta <= 0.0 => {
            bad(
                "alpha",
                format!("alpha = {alpha}, beta = {beta}; allowed: both > 0"),
            );
            None
        }
        _ => Some(()),
    }
}

/// Whether the draws fit the parameter: only `choice` for a choice or true/false parameter,
/// and every draw within its range.
fn check_fit(
    dist: &Distribution,
    pspec: &ParamSpec,
    name: &str,
    path: &str,
    issues: &mut Issues,
) -> Option<()> {
    let at = join(path, UNCERTAINTY_DIST.name);
    if matches!(pspec.kind, ParamKind::Choice(_) | ParamKind::Bool)
        && !matches!(dist, Distribution::Choice { .. })
    {
        issues.add(
            at,
            format!("`{name}` is {}: only `choice` can draw it", pspec.allowed()),
        );
        return None;
    }
    let (lo, hi) = dist.support();
    let (plo, phi) = pspec.bounds();
    if lo < plo || hi > phi {
        issues.add(
            at,
            format!(
                "draws from [{lo}, {hi}] fall outside the range of `{name}`; allowed: {}",
                pspec.allowed()
            ),
        );
        return None;
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every declared distribution is read into the distribution of its name, with its
    /// declared keys.
    #[test]
    fn every_declared_distribution_is_read() {
        let spec = crate::model::find("hegselmann-krause").unwrap().spec;
        for d in dist::DISTS {
            let mut t = toml::Table::new();
            t.insert("param".into(), "epsilon".into());
            t.insert("dist".into(), d.name.into());
            for p in d.params {
                let v: toml::Value = match p.name {
                    "min" => 0.1.into(),
                    "mode" => 0.2.into(),
                    "mean" => 0.3.into(),
                    "max" => 0.5.into(),
                    "sd" => 0.1.into(),
                    "alpha" | "beta" => 2.0.into(),
                    "values" => vec![toml::Value::from(0.2)].into(),
                    "weights" => vec![toml::Value::from(1.0)].into(),
                    "joint" => "posterior".into(),
                    other => panic!("no sample value for `{other}`"),
                };
                t.insert(p.name.into(), v);
            }
            let mut issues = Issues::new();
            let u = uncertainty(spec, &t, "uncertainty[0]", &mut issues);
            assert!(issues.is_empty(), "{}: {issues}", d.name);
            assert_eq!(u.unwrap().dist.name(), d.name);
        }
    }
}
