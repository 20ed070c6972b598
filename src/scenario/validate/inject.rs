//! `[[inject]]`: the scripted events, each of a kind the model declares, with its fields.

use super::super::access::{
    check_keys, for_each_entry, get_date, get_str, get_text, join, text_problem, type_of,
};
use super::super::actors::Cell;
use super::super::issues::Issues;
use super::super::keys::{self, INJECT_DATE, INJECT_KIND, INJECT_NAME, INJECT_TURN};
use super::super::types::Inject;
use crate::spec::{ActorField, FieldKind, InjectKind, ModelSpec};

const INJECT: &str = "inject";

/// Every valid `[[inject]]` entry, sorted by turn (stable: file order within a turn).
pub(super) fn injects(
    root: &toml::Table,
    spec: &'static ModelSpec,
    turns: usize,
    issues: &mut Issues,
) -> Vec<Inject> {
    let mut injects = Vec::new();
    for_each_entry(root, INJECT, issues, |path, t, issues| {
        if let Some(inj) = inject(spec, t, &path, turns, issues) {
            injects.push(inj);
        }
    });
    injects.sort_by_key(|i: &Inject| i.turn);
    injects
}

/// One entry, or `None` when its turn or kind is wrong (reported).
fn inject(
    spec: &'static ModelSpec,
    t: &toml::Table,
    path: &str,
    turns: usize,
    issues: &mut Issues,
) -> Option<Inject> {
    let turn = turn(t, path, turns, issues)?;
    let kind = get_str(t, INJECT_KIND.name, path, issues).unwrap_or_default();
    let ik = inject_kind(spec, &kind, path, issues)?;
    let mut allowed = keys::allowed(INJECT);
    allowed.extend(ik.fields.iter().map(|f| f.name));
    check_keys(t, path, &allowed, issues);
    let fields = fields(ik, t, path, issues);
    Some(Inject {
        turn,
        name: get_text(t, &INJECT_NAME, path, issues).unwrap_or_else(|| kind.clone()),
        kind,
        date: get_date(t, &INJECT_DATE, path, issues),
        description: get_text(t, &keys::INJECT_DESCRIPTION, path, issues).unwrap_or_default(),
        fields,
    })
}

/// `turn`: within the horizon, 1 to `turns`.
fn turn(t: &toml::Table, path: &str, turns: usize, issues: &mut Issues) -> Option<usize> {
    let at = join(path, INJECT_TURN.name);
    match t.get(INJECT_TURN.name) {
        Some(toml::Value::Integer(i)) if *i >= 1 && (*i as usize) <= turns => Some(*i as usize),
        Some(toml::Value::Integer(i)) => {
            issues.add(
                at,
                format!("turn {i} is outside the horizon; allowed: 1 to {turns}"),
            );
            None
        }
        Some(v) => {
            issues.add(
                at,
                format!(
                    "expected a whole number from 1 to {turns}, found {}",
                    type_of(v)
                ),
            );
            None
        }
        None => {
            issues.add(
                at,
                format!("missing; allowed: a whole number from 1 to {turns}"),
            );
            None
        }
    }
}

/// `kind`: one the model declares.
fn inject_kind(
    spec: &'static ModelSpec,
    kind: &str,
    path: &str,
    issues: &mut Issues,
) -> Option<&'static InjectKind> {
    let found = spec.inject_kinds.iter().find(|k| k.name == kind);
    if found.is_none() {
        let kinds: Vec<&str> = spec.inject_kinds.iter().map(|k| k.name).collect();
        issues.add(
            join(path, INJECT_KIND.name),
            format!(
                "model `{}` has no inject kind `{kind}`; allowed: {}",
                spec.kind,
                if kinds.is_empty() {
                    "none (this model takes no injects)".into()
                } else {
                    kinds.join(", ")
                }
            ),
        );
    }
    found
}

/// The fields of the kind that the entry gives, as (field, value); a missing required field
/// or a wrong value is reported.
fn fields(
    ik: &InjectKind,
    t: &toml::Table,
    path: &str,
    issues: &mut Issues,
) -> Vec<(String, Cell)> {
    let mut fields = Vec::new();
    for f in ik.fields {
        let at = join(path, f.name);
        match t.get(f.name) {
            None if f.required => issues.add(at, format!("missing; allowed: {}", f.kind.allowed())),
            None => {}
            Some(v) => match cell(f, v) {
                Ok(c) => fields.push((f.name.to_string(), c)),
                Err(e) => issues.add(at, e),
            },
        }
    }
    fields
}

/// The value of a field, checked against its declaration (numbers as `Cell::Number`).
fn cell(f: &ActorField, v: &toml::Value) -> Result<Cell, String> {
    let raw = match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(x) => x.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        other => {
            return Err(format!(
                "expected {}, found {}",
                f.kind.allowed(),
                type_of(other)
            ));
        }
    };
    let not_allowed = |raw: &str| {
        format!(
            "`{}` is not allowed; allowed: {}",
            crate::kernel::text::shown(raw),
            f.kind.allowed()
        )
    };
    match f.kind {
        FieldKind::Real { min, max } => match raw.parse::<f64>() {
            Ok(x) if x >= min && x <= max => Ok(Cell::Number(x)),
            _ => Err(not_allowed(&raw)),
        },
        FieldKind::Int { min, max } => match raw.parse::<i64>() {
            Ok(x) if x >= min && x <= max => Ok(Cell::Number(x as f64)),
            _ => Err(not_allowed(&raw)),
        },
        FieldKind::Choice(w) if !w.contains(&raw.as_str()) => Err(not_allowed(&raw)),
        _ => match text_problem(&raw, true) {
            None => Ok(Cell::Text(raw)),
            Some(why) => Err(format!("{why}; allowed: {}", f.kind.allowed())),
        },
    }
}
