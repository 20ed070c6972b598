//! Reading raw TOML values with a message for every wrong one.
//!
//! The validator walks the parsed TOML by hand (not through serde) so that it can report every
//! problem of a file, not only the first. These helpers are its vocabulary: each reads one key
//! of one table, returns the value when it is right, and otherwise adds an [`Issue`] at the
//! key's path that says what was found and what is allowed. An absent key is not a problem
//! here: the caller knows whether the key is required.
//!
//! [`Issue`]: super::issues::Issue

use super::issues::Issues;
use super::keys::{KeySpec, KeyType, MAX_NAME_CHARS};
use crate::kernel::text::{code_point, first_hidden_char, shown};
use crate::spec::{ParamKind, ParamSpec};

/// `path.key`, or `key` at the top level.
pub(super) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// The TOML type of a value, as messages name it ("integer", "string", "array"…).
pub(super) fn type_of(v: &toml::Value) -> &'static str {
    v.type_str()
}

/// Reports keys of `t` that are not in `allowed`.
pub(super) fn check_keys(t: &toml::Table, path: &str, allowed: &[&str], issues: &mut Issues) {
    for k in t.keys() {
        if !allowed.contains(&k.as_str()) {
            issues.add(
                join(path, &shown(k)),
                format!(
                    "unknown key `{}`; allowed here: {}",
                    shown(k),
                    allowed.join(", ")
                ),
            );
        }
    }
}

/// The top-level table `[key]`, if given as a table.
pub(super) fn get_table<'a>(
    root: &'a toml::Table,
    key: &str,
    issues: &mut Issues,
) -> Option<&'a toml::Table> {
    match root.get(key) {
        None => None,
        Some(toml::Value::Table(t)) => Some(t),
        Some(v) => {
            issues.add(
                key,
                format!("expected a table `[{key}]`, found {}", type_of(v)),
            );
            None
        }
    }
}

/// Calls `each(path, entry, issues)` for every entry of the top-level array of tables
/// `[[key]]`, in file order, with its path (`key[i]`); an entry that is not a table, or a
/// `key` that is not an array, is reported instead. Returns whether `key` is present.
pub(super) fn for_each_entry<'a>(
    root: &'a toml::Table,
    key: &str,
    issues: &mut Issues,
    mut each: impl FnMut(String, &'a toml::Table, &mut Issues),
) -> bool {
    match root.get(key) {
        None => return false,
        Some(toml::Value::Array(a)) => {
            for (i, v) in a.iter().enumerate() {
                let path = format!("{key}[{i}]");
                match v.as_table() {
                    Some(t) => each(path, t, issues),
                    None => issues.add(path, "expected a table"),
                }
            }
        }
        Some(v) => issues.add(
            key,
            format!("expected `[[{key}]]` entries, found {}", type_of(v)),
        ),
    }
    true
}

/// A text value.
pub(super) fn get_str(
    t: &toml::Table,
    key: &str,
    path: &str,
    issues: &mut Issues,
) -> Option<String> {
    match t.get(key) {
        None => None,
        Some(toml::Value::String(s)) => Some(s.clone()),
        Some(v) => {
            issues.add(
                join(path, key),
                format!("expected text, found {}", type_of(v)),
            );
            None
        }
    }
}

/// A date key (`KeyType::Date`): `YYYY-MM` or `YYYY-MM-DD`, a date the calendar has.
pub(super) fn get_date(
    t: &toml::Table,
    key: &KeySpec,
    path: &str,
    issues: &mut Issues,
) -> Option<String> {
    let s = get_str(t, key.name, path, issues)?;
    match crate::kernel::time::parse_date(&s) {
        Ok(_) => Some(s),
        Err(why) => {
            issues.add(
                join(path, key.name),
                format!("`{}`: {why}; allowed: {}", shown(&s), key.allowed()),
            );
            None
        }
    }
}

/// A text key (`KeyType::Text`, several lines allowed, or `KeyType::Line`, one line of a
/// bounded length): refused when it holds a character a terminal would not show as itself.
pub(super) fn get_text(
    t: &toml::Table,
    key: &KeySpec,
    path: &str,
    issues: &mut Issues,
) -> Option<String> {
    let s = get_str(t, key.name, path, issues)?;
    match text_problem(&s, key.ty == KeyType::Line) {
        None => Some(s),
        Some(why) => {
            issues.add(
                join(path, key.name),
                format!("{why}; allowed: {}", key.allowed()),
            );
            None
        }
    }
}

/// What is wrong with a text value, if anything: a hidden character (any but newline and tab
/// in text of several lines), or for one line, emptiness or more than [`MAX_NAME_CHARS`].
pub(super) fn text_problem(s: &str, one_line: bool) -> Option<String> {
    if let Some(c) = first_hidden_char(s, !one_line) {
        return Some(format!(
            "`{}` holds the control character {}",
            shown(s),
            code_point(c)
        ));
    }
    let n = s.chars().count();
    if one_line && (s.trim().is_empty() || n > MAX_NAME_CHARS) {
        return Some(format!("`{}` has {n} characters", shown(s)));
    }
    None
}

/// A finite number (an integer is taken as a number).
pub(super) fn get_num(t: &toml::Table, key: &str, path: &str, issues: &mut Issues) -> Option<f64> {
    match t.get(key) {
        None => None,
        Some(toml::Value::Float(x)) if x.is_finite() => Some(*x),
        Some(toml::Value::Integer(i)) => Some(*i as f64),
        Some(v) => {
            issues.add(
                join(path, key),
                format!("expected a finite number, found {}", type_of(v)),
            );
            None
        }
    }
}

/// A whole number within the range the key declares.
pub(super) fn get_whole(
    t: &toml::Table,
    key: &KeySpec,
    path: &str,
    issues: &mut Issues,
) -> Option<u64> {
    let (min, max) = key.whole_range();
    match t.get(key.name) {
        None => None,
        Some(toml::Value::Integer(i)) if *i >= min as i64 && (*i as u64) <= max => Some(*i as u64),
        Some(toml::Value::Integer(i)) => {
            issues.add(
                join(path, key.name),
                format!("{i} is out of range; allowed: {}", key.allowed()),
            );
            None
        }
        Some(v) => {
            issues.add(
                join(path, key.name),
                format!("expected {}, found {}", key.allowed(), type_of(v)),
            );
            None
        }
    }
}

/// A parameter value from TOML, as held, or what is wrong with it.
pub fn param_value(spec: &ParamSpec, v: &toml::Value) -> Result<f64, String> {
    match (spec.kind, v) {
        (ParamKind::Real { min, max }, toml::Value::Float(_) | toml::Value::Integer(_)) => {
            let x = v
                .as_float()
                .unwrap_or_else(|| v.as_integer().unwrap_or(0) as f64);
            if x.is_finite() && x >= min && x <= max {
                Ok(x)
            } else {
                Err(format!("{x} is out of range; allowed: {}", spec.allowed()))
            }
        }
        (ParamKind::Int { min, max }, toml::Value::Integer(i)) => {
            if *i >= min && *i <= max {
                Ok(*i as f64)
            } else {
                Err(format!("{i} is out of range; allowed: {}", spec.allowed()))
            }
        }
        (ParamKind::Bool, toml::Value::Boolean(b)) => Ok(if *b { 1.0 } else { 0.0 }),
        (ParamKind::Choice(words), toml::Value::String(s)) => {
            match words.iter().position(|w| w == s) {
                Some(i) => Ok(i as f64),
                None => Err(format!("`{s}` is not allowed; allowed: {}", spec.allowed())),
            }
        }
        (_, v) => Err(format!("expected {}, found {}", spec.allowed(), type_of(v))),
    }
}

/// Whether `s` is a valid name (`KeyType::Name`): letters, digits, `-`, `_`, `.`, not
/// starting with `.` (a hidden folder), 1 to [`MAX_NAME_CHARS`] characters.
pub(super) fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_NAME_CHARS
        && !s.starts_with('.')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}
