//! `[[policy]]`: the policy options, their lever values, and the one baseline.

use super::super::access::{
    check_keys, for_each_entry, get_str, get_text, join, param_value, type_of, valid_name,
};
use super::super::issues::Issues;
use super::super::keys::{self, POLICY_BASELINE, POLICY_LEVERS, POLICY_NAME};
use super::super::types::Policy;
use crate::spec::ModelSpec;

const POLICY: &str = "policy";

/// Every `[[policy]]` entry that is a table, in file order (with what is wrong reported).
pub(super) fn policies(
    root: &toml::Table,
    spec: &'static ModelSpec,
    issues: &mut Issues,
) -> Vec<Policy> {
    let mut policies: Vec<Policy> = Vec::new();
    let present = for_each_entry(root, POLICY, issues, |path, t, issues| {
        let p = policy(spec, t, &path, &policies, issues);
        policies.push(p);
    });
    // An empty array (`policy = []`) has no option either (found by the fuzzer: it ran).
    if !present || policies.is_empty() {
        issues.add(
            POLICY,
            "no policy options; give at least one `[[policy]]`, one with `baseline = true`",
        );
    }
    policies
}

/// One option; `earlier` are the options before it (names must be unique).
fn policy(
    spec: &'static ModelSpec,
    t: &toml::Table,
    path: &str,
    earlier: &[Policy],
    issues: &mut Issues,
) -> Policy {
    check_keys(t, path, &keys::allowed(POLICY), issues);
    let name = get_str(t, POLICY_NAME.name, path, issues).unwrap_or_default();
    if !valid_name(&name) {
        issues.add(
            join(path, POLICY_NAME.name),
            format!(
                "`{}` is not a valid option name; allowed: {}",
                crate::kernel::text::shown(&name),
                POLICY_NAME.allowed()
            ),
        );
    } else if earlier.iter().any(|p| p.name == name) {
        issues.add(
            join(path, POLICY_NAME.name),
            format!("duplicate policy option `{name}`; names must be unique"),
        );
    }
    let baseline = match t.get(POLICY_BASELINE.name) {
        None => false,
        Some(toml::Value::Boolean(b)) => *b,
        Some(v) => {
            issues.add(
                join(path, POLICY_BASELINE.name),
                format!(
                    "expected {}, found {}",
                    POLICY_BASELINE.allowed(),
                    type_of(v)
                ),
            );
            false
        }
    };
    let levers = levers(spec, t, path, issues);
    Policy {
        name,
        description: get_text(t, &keys::POLICY_DESCRIPTION, path, issues).unwrap_or_default(),
        baseline,
        levers,
    }
}

/// `levers`: (parameter index, value as held), in file order.
fn levers(
    spec: &'static ModelSpec,
    t: &toml::Table,
    path: &str,
    issues: &mut Issues,
) -> Vec<(usize, f64)> {
    let mut levers = Vec::new();
    match t.get(POLICY_LEVERS.name) {
        None => {}
        Some(toml::Value::Table(l)) => {
            for (k, v) in l {
                let lp = format!("{path}.levers.{k}");
                match spec.param_index(k) {
                    Some(pi) => match param_value(&spec.params[pi], v) {
                        Ok(x) => levers.push((pi, x)),
                        Err(e) => issues.add(lp, e),
                    },
                    None => issues.add(
                        lp,
                        format!(
                            "model `{}` declares no parameter `{k}`; allowed levers: {}",
                            spec.kind,
                            spec.params
                                .iter()
                                .map(|p| p.name)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ),
                }
            }
        }
        Some(v) => issues.add(
            join(path, POLICY_LEVERS.name),
            format!("expected a table of lever values, found {}", type_of(v)),
        ),
    }
    levers
}

/// The index of the baseline option; no baseline, or more than one, is reported.
pub(super) fn baseline(policies: &[Policy], issues: &mut Issues) -> usize {
    let baselines: Vec<usize> = policies
        .iter()
        .enumerate()
        .filter(|(_, p)| p.baseline)
        .map(|(i, _)| i)
        .collect();
    if !policies.is_empty() && baselines.is_empty() {
        issues.add(
            POLICY,
            "no baseline option: mark exactly one `[[policy]]` with `baseline = true`",
        );
    }
    if baselines.len() > 1 {
        issues.add(
            format!("{POLICY}[{}].{}", baselines[1], POLICY_BASELINE.name),
            format!(
                "more than one baseline ({}); allowed: exactly one option with `baseline = true`",
                baselines
                    .iter()
                    .map(|&i| policies[i].name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    baselines.first().copied().unwrap_or(0)
}
