//! Scenario files: the format, loading (with `extends`), and validation.
//!
//! A scenario is a TOML file (see `scenarios/` and the README) that names a model and gives
//! its actors, policy options (lever values, one the baseline), uncertain parameters (a
//! distribution each, drawn once per trial), scripted injects (the master scenario events
//! list) and outcome thresholds. [`load`] reads it and every file it pulls in, and checks all
//! of it against the model's declaration before any trial runs; every problem found is
//! returned at once, each naming file, key path, line and column, and what is allowed.
//!
//! Validation walks the raw TOML by hand (rather than through serde) so that it can report
//! every problem of a file, not only the first, with a message written for an analyst.

pub mod actors;
pub mod builtin;
pub mod dist;
pub mod issues;
pub mod source;

use crate::spec::{self, ModelSpec, ParamKind, ParamSpec};
pub use actors::{ActorTable, Cell};
pub use dist::Distribution;
pub use issues::{Issue, Issues};
pub use source::{Origin, SourceFile};

/// A validated scenario.
#[derive(Clone)]
pub struct Scenario {
    /// Short name (letters, digits, `-`, `_`, `.`), used in output folder names.
    pub name: String,
    pub description: String,
    /// The length of a turn ("month", "week", "step"…).
    pub turn_length: String,
    /// Number of turns in the horizon.
    pub turns: usize,
    /// Calendar date of turn 1, if the scenario is dated (e.g. "2021-10").
    pub start: Option<String>,
    pub sources: Vec<String>,
    /// The scenario file.
    pub origin: Origin,
    /// Every file read: the scenario, the files it extends, actor tables. Hashed in the manifest.
    pub files: Vec<SourceFile>,
    pub model: &'static ModelSpec,
    /// Parameter values before levers and uncertainties: defaults, then `[model]` and
    /// `[outcomes]`.
    pub base: Vec<f64>,
    pub actors: Option<ActorTable>,
    pub policies: Vec<Policy>,
    /// Index of the baseline option in `policies`.
    pub baseline: usize,
    pub uncertainties: Vec<Uncertainty>,
    /// Scripted injects, sorted by turn (stable: file order within a turn).
    pub injects: Vec<Inject>,
    /// Experiment defaults from `[run]`.
    pub run: RunDefaults,
}

impl std::fmt::Debug for Scenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scenario")
            .field("name", &self.name)
            .field("model", &self.model.kind)
            .field("turns", &self.turns)
            .finish_non_exhaustive()
    }
}

/// A named policy option: a bundle of lever values.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub name: String,
    pub description: String,
    pub baseline: bool,
    /// (parameter index, value as held), in file order.
    pub levers: Vec<(usize, f64)>,
}

/// A parameter drawn once per trial.
#[derive(Debug, Clone, PartialEq)]
pub struct Uncertainty {
    pub param: usize,
    pub name: String,
    pub dist: Distribution,
    pub description: String,
}

/// A scripted event at a given turn.
#[derive(Debug, Clone, PartialEq)]
pub struct Inject {
    /// 1-based turn.
    pub turn: usize,
    pub kind: String,
    pub name: String,
    pub date: Option<String>,
    pub description: String,
    /// Fields of the kind, as (field, value); numbers as `Cell::Number`.
    pub fields: Vec<(String, Cell)>,
}

impl Inject {
    pub fn number(&self, field: &str) -> Option<f64> {
        self.fields.iter().find_map(|(k, v)| match v {
            Cell::Number(x) if k == field => Some(*x),
            _ => None,
        })
    }
    pub fn word(&self, field: &str) -> Option<&str> {
        self.fields.iter().find_map(|(k, v)| match v {
            Cell::Text(s) if k == field => Some(s.as_str()),
            _ => None,
        })
    }
}

/// Experiment defaults a scenario may set in `[run]` (the command line overrides them).
#[derive(Debug, Clone, PartialEq)]
pub struct RunDefaults {
    pub trials: u64,
    /// Trials per block: statistics are folded block by block, in block order. Part of the
    /// experiment, not of the hardware.
    pub block_size: u64,
    pub seed: Option<u64>,
}

impl Default for RunDefaults {
    fn default() -> Self {
        RunDefaults {
            trials: 1000,
            block_size: 256,
            seed: None,
        }
    }
}

impl Scenario {
    pub fn param_spec(&self, i: usize) -> &'static ParamSpec {
        &self.model.params[i]
    }

    pub fn policy_index(&self, name: &str) -> Option<usize> {
        self.policies.iter().position(|p| p.name == name)
    }

    /// The scenario's parameter values with a policy's levers applied (no uncertainty).
    pub fn values_for(&self, policy: usize) -> Vec<f64> {
        let mut v = self.base.clone();
        for &(i, x) in &self.policies[policy].levers {
            v[i] = x;
        }
        v
    }
}

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
    let sc = validate(&origin, &stacked.table, models, &mut files, &mut issues);
    place_issues(&mut issues, &files, &stacked.table, &origin);
    match sc {
        Some(sc) if issues.is_empty() => {
            // Model-specific checks (actor attributes, inject fields) happen in build.
            match check(&sc) {
                Ok(()) => Ok(sc),
                Err(mut more) => {
                    place_issues(&mut more, &sc.files, &stacked.table, &origin);
                    Err(more)
                }
            }
        }
        _ => Err(issues),
    }
}

/// Gives every issue its file, line and column. Paths are those of the merged scenario;
/// an issue goes to the first file of the `extends` chain (the scenario, then its parents)
/// that writes its whole path, with the path in that file's own terms (entry indices of
/// `[[policy]]`, `[[uncertainty]]` and `[[inject]]` translated); failing that, to the first
/// file that writes its first key, at the nearest enclosing key written there.
fn place_issues(issues: &mut Issues, files: &[SourceFile], merged: &toml::Table, origin: &Origin) {
    let tomls: Vec<&SourceFile> = files
        .iter()
        .filter(|f| f.origin.display().ends_with(".toml"))
        .collect();
    let tables: Vec<toml::Table> = tomls
        .iter()
        .map(|f| f.text.parse().unwrap_or_default())
        .collect();
    for iss in &mut issues.0 {
        if !iss.file.is_empty() {
            continue;
        }
        let locals: Vec<String> = (0..tomls.len())
            .map(|k| local_path(&iss.path, merged, &tables, k).unwrap_or_else(|| iss.path.clone()))
            .collect();
        let top = iss.path.split(['.', '[']).next().unwrap_or("");
        let exact = (0..tomls.len())
            .find_map(|k| tomls[k].locate_exact(&locals[k]).map(|pos| (k, Some(pos))));
        let near = || {
            (0..tomls.len())
                .find(|&k| tables[k].contains_key(top))
                .map(|k| (k, tomls[k].locate(&locals[k])))
        };
        match exact.or_else(near) {
            Some((k, pos)) => {
                iss.file = tomls[k].name();
                iss.path = locals[k].clone();
                iss.line = pos.map(|p| p.0);
                iss.column = pos.map(|p| p.1);
            }
            None => {
                iss.file = origin.display();
                if let Some((l, c)) = files.first().and_then(|f| f.locate(&iss.path)) {
                    iss.line = Some(l);
                    iss.column = Some(c);
                }
            }
        }
    }
}

/// A key path of the merged scenario in the terms of file `k` of the chain (`tables` in
/// chain order, the scenario first), if its entry comes from that file. `[[policy]]` and
/// `[[uncertainty]]` entries merge by name and by parameter (the m-th merged entry with an
/// id is the m-th entry with it in a file); `[[inject]]` entries are appended, the deepest
/// parent's first.
fn local_path(
    path: &str,
    merged: &toml::Table,
    tables: &[toml::Table],
    k: usize,
) -> Option<String> {
    let (array, rest) = path.split_once('[')?;
    let (index, rest) = rest.split_once(']')?;
    let i: usize = index.parse().ok()?;
    let entries = |t: &toml::Table| {
        t.get(array)
            .and_then(|v| v.as_array())
            .cloned()
            .unwrap_or_default()
    };
    let j = match array {
        "policy" | "uncertainty" => {
            let key = if array == "policy" { "name" } else { "param" };
            let all = entries(merged);
            let id = all.get(i)?.get(key)?;
            let m = all[..i].iter().filter(|e| e.get(key) == Some(id)).count();
            entries(&tables[k])
                .iter()
                .enumerate()
                .filter(|(_, e)| e.get(key) == Some(id))
                .nth(m)?
                .0
        }
        "inject" => {
            let offset: usize = tables[k + 1..].iter().map(|t| entries(t).len()).sum();
            let j = i.checked_sub(offset)?;
            (j < entries(&tables[k]).len()).then_some(j)?
        }
        _ => return None,
    };
    Some(format!("{array}[{j}]{rest}"))
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn type_of(v: &toml::Value) -> &'static str {
    v.type_str()
}

/// Reports keys of `t` that are not in `allowed`.
fn check_keys(t: &toml::Table, path: &str, allowed: &[&str], issues: &mut Issues) {
    for k in t.keys() {
        if !allowed.contains(&k.as_str()) {
            issues.add(
                join(path, k),
                format!("unknown key `{k}`; allowed here: {}", allowed.join(", ")),
            );
        }
    }
}

fn get_table<'a>(root: &'a toml::Table, key: &str, issues: &mut Issues) -> Option<&'a toml::Table> {
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

fn get_str(t: &toml::Table, key: &str, path: &str, issues: &mut Issues) -> Option<String> {
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

fn get_num(t: &toml::Table, key: &str, path: &str, issues: &mut Issues) -> Option<f64> {
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

fn get_uint(
    t: &toml::Table,
    key: &str,
    path: &str,
    min: u64,
    max: u64,
    issues: &mut Issues,
) -> Option<u64> {
    match t.get(key) {
        None => None,
        Some(toml::Value::Integer(i)) if *i >= min as i64 && (*i as u64) <= max => Some(*i as u64),
        Some(toml::Value::Integer(i)) => {
            issues.add(
                join(path, key),
                format!("{i} is out of range; allowed: a whole number from {min} to {max}"),
            );
            None
        }
        Some(v) => {
            issues.add(
                join(path, key),
                format!(
                    "expected a whole number from {min} to {max}, found {}",
                    type_of(v)
                ),
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

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

const TOP_KEYS: &[&str] = &[
    "scenario",
    "run",
    "model",
    "outcomes",
    "actors",
    "actor",
    "policy",
    "uncertainty",
    "inject",
];
const TURN_LENGTHS: &[&str] = &["day", "week", "month", "quarter", "year", "step"];

fn validate(
    origin: &Origin,
    root: &toml::Table,
    models: &[&'static ModelSpec],
    files: &mut Vec<SourceFile>,
    issues: &mut Issues,
) -> Option<Scenario> {
    let mut allowed_top = TOP_KEYS.to_vec();
    allowed_top.push("extends");
    check_keys(root, "", &allowed_top, issues);

    // [scenario]
    let sec = get_table(root, "scenario", issues);
    if sec.is_none() && !root.contains_key("scenario") {
        issues.add(
            "scenario",
            "missing `[scenario]` section (name, description, turn_length, turns)",
        );
    }
    let empty = toml::Table::new();
    let sec = sec.unwrap_or(&empty);
    check_keys(
        sec,
        "scenario",
        &[
            "name",
            "description",
            "turn_length",
            "turns",
            "start",
            "sources",
        ],
        issues,
    );
    let name = get_str(sec, "name", "scenario", issues).unwrap_or_default();
    if !valid_name(&name) {
        issues.add(
            "scenario.name",
            format!("`{name}` is not a valid name; allowed: letters, digits, `-`, `_` and `.`, not empty"),
        );
    }
    let description = get_str(sec, "description", "scenario", issues).unwrap_or_default();
    let turn_length =
        get_str(sec, "turn_length", "scenario", issues).unwrap_or_else(|| "step".into());
    if !TURN_LENGTHS.contains(&turn_length.as_str()) {
        issues.add(
            "scenario.turn_length",
            format!(
                "`{turn_length}` is not allowed; allowed: one of {}",
                TURN_LENGTHS.join(", ")
            ),
        );
    }
    let turns = match get_uint(sec, "turns", "scenario", 1, 100_000, issues) {
        Some(t) => t as usize,
        None => {
            if !sec.contains_key("turns") {
                issues.add(
                    "scenario.turns",
                    "missing; allowed: a whole number from 1 to 100000",
                );
            }
            1
        }
    };
    let start = get_str(sec, "start", "scenario", issues);
    let sources = match sec.get("sources") {
        None => Vec::new(),
        Some(toml::Value::Array(a)) => a
            .iter()
            .enumerate()
            .filter_map(|(i, v)| match v.as_str() {
                Some(s) => Some(s.to_string()),
                None => {
                    issues.add(format!("scenario.sources[{i}]"), "expected text");
                    None
                }
            })
            .collect(),
        Some(v) => {
            issues.add(
                "scenario.sources",
                format!("expected an array of text, found {}", type_of(v)),
            );
            Vec::new()
        }
    };

    // [run]
    let mut run = RunDefaults::default();
    if let Some(r) = get_table(root, "run", issues) {
        check_keys(r, "run", &["trials", "block_size", "seed"], issues);
        if let Some(t) = get_uint(r, "trials", "run", 1, u32::MAX as u64 * 16, issues) {
            run.trials = t;
        }
        if let Some(b) = get_uint(r, "block_size", "run", 1, 1_000_000, issues) {
            run.block_size = b;
        }
        run.seed = get_uint(r, "seed", "run", 0, i64::MAX as u64, issues);
    }

    // [model]
    let kinds = || models.iter().map(|m| m.kind).collect::<Vec<_>>().join(", ");
    let Some(msec) = get_table(root, "model", issues) else {
        if !root.contains_key("model") {
            issues.add(
                "model",
                format!("missing `[model]` with `kind`; allowed kinds: {}", kinds()),
            );
        }
        return None;
    };
    let kind = get_str(msec, "kind", "model", issues).unwrap_or_default();
    let Some(spec) = models.iter().copied().find(|m| m.kind == kind) else {
        issues.add(
            "model.kind",
            format!("unknown model `{kind}`; allowed: {}", kinds()),
        );
        return None;
    };
    let mut base: Vec<f64> = spec.params.iter().map(|p| p.default).collect();
    for (section, group) in [
        ("model", spec::Group::Model),
        ("outcomes", spec::Group::Outcomes),
    ] {
        let Some(t) = get_table(root, section, issues) else {
            continue;
        };
        for (k, v) in t {
            if section == "model" && k == "kind" {
                continue;
            }
            let path = format!("{section}.{k}");
            match spec.params.iter().position(|p| p.name == k) {
                Some(i) if spec.params[i].group == group => match param_value(&spec.params[i], v) {
                    Ok(x) => base[i] = x,
                    Err(e) => issues.add(path, e),
                },
                Some(_) => issues.add(
                    path,
                    format!(
                        "`{k}` belongs in `[{}]`, not `[{section}]`",
                        if section == "model" {
                            "outcomes"
                        } else {
                            "model"
                        }
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
    }

    // Actors.
    let actors = actors::load(
        origin,
        root.get("actors"),
        root.get("actor"),
        spec.actor_fields,
        files,
        issues,
    );
    if spec.needs_actors
        && actors.is_none()
        && !root.contains_key("actors")
        && !root.contains_key("actor")
    {
        issues.add(
            "actors",
            format!("model `{}` needs an actor table: `[actors] file = \"….csv\"` or `[[actor]]` entries", spec.kind),
        );
    }

    // [[policy]]
    let mut policies = Vec::new();
    match root.get("policy") {
        None => issues.add(
            "policy",
            "no policy options; give at least one `[[policy]]`, one with `baseline = true`",
        ),
        Some(toml::Value::Array(a)) => {
            for (i, v) in a.iter().enumerate() {
                let path = format!("policy[{i}]");
                let Some(t) = v.as_table() else {
                    issues.add(path, "expected a table");
                    continue;
                };
                check_keys(
                    t,
                    &path,
                    &["name", "description", "baseline", "levers"],
                    issues,
                );
                let name = get_str(t, "name", &path, issues).unwrap_or_default();
                if !valid_name(&name) {
                    issues.add(
                        join(&path, "name"),
                        format!("`{name}` is not a valid option name; allowed: letters, digits, `-`, `_`, `.`"),
                    );
                } else if policies.iter().any(|p: &Policy| p.name == name) {
                    issues.add(
                        join(&path, "name"),
                        format!("duplicate policy option `{name}`; names must be unique"),
                    );
                }
                let baseline = match t.get("baseline") {
                    None => false,
                    Some(toml::Value::Boolean(b)) => *b,
                    Some(v) => {
                        issues.add(
                            join(&path, "baseline"),
                            format!("expected true or false, found {}", type_of(v)),
                        );
                        false
                    }
                };
                let mut levers = Vec::new();
                match t.get("levers") {
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
                                        spec.params.iter().map(|p| p.name).collect::<Vec<_>>().join(", ")
                                    ),
                                ),
                            }
                        }
                    }
                    Some(v) => issues.add(
                        join(&path, "levers"),
                        format!("expected a table of lever values, found {}", type_of(v)),
                    ),
                }
                policies.push(Policy {
                    name,
                    description: get_str(t, "description", &path, issues).unwrap_or_default(),
                    baseline,
                    levers,
                });
            }
        }
        Some(v) => issues.add(
            "policy",
            format!("expected `[[policy]]` entries, found {}", type_of(v)),
        ),
    }
    let baselines: Vec<usize> = policies
        .iter()
        .enumerate()
        .filter(|(_, p)| p.baseline)
        .map(|(i, _)| i)
        .collect();
    if !policies.is_empty() && baselines.is_empty() {
        issues.add(
            "policy",
            "no baseline option: mark exactly one `[[policy]]` with `baseline = true`",
        );
    }
    if baselines.len() > 1 {
        issues.add(
            format!("policy[{}].baseline", baselines[1]),
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

    // [[uncertainty]]
    let mut uncertainties: Vec<Uncertainty> = Vec::new();
    match root.get("uncertainty") {
        None => {}
        Some(toml::Value::Array(a)) => {
            for (i, v) in a.iter().enumerate() {
                let path = format!("uncertainty[{i}]");
                let Some(t) = v.as_table() else {
                    issues.add(path, "expected a table");
                    continue;
                };
                if let Some(u) = validate_uncertainty(spec, t, &path, issues) {
                    if uncertainties.iter().any(|x| x.param == u.param) {
                        issues.add(
                            join(&path, "param"),
                            format!(
                                "`{}` is already uncertain; one distribution per parameter",
                                u.name
                            ),
                        );
                    }
                    for p in &policies {
                        if p.levers.iter().any(|(pi, _)| *pi == u.param) {
                            issues.add(
                                join(&path, "param"),
                                format!(
                                    "`{}` is a lever of policy option `{}`; a parameter is either a lever or uncertain, not both",
                                    u.name, p.name
                                ),
                            );
                        }
                    }
                    uncertainties.push(u);
                }
            }
        }
        Some(v) => issues.add(
            "uncertainty",
            format!("expected `[[uncertainty]]` entries, found {}", type_of(v)),
        ),
    }

    // [[inject]]
    let mut injects = Vec::new();
    match root.get("inject") {
        None => {}
        Some(toml::Value::Array(a)) => {
            for (i, v) in a.iter().enumerate() {
                let path = format!("inject[{i}]");
                let Some(t) = v.as_table() else {
                    issues.add(path, "expected a table");
                    continue;
                };
                if let Some(inj) = validate_inject(spec, t, &path, turns, issues) {
                    injects.push(inj);
                }
            }
        }
        Some(v) => issues.add(
            "inject",
            format!("expected `[[inject]]` entries, found {}", type_of(v)),
        ),
    }
    injects.sort_by_key(|i: &Inject| i.turn);

    let baseline = baselines.first().copied().unwrap_or(0);
    Some(Scenario {
        name,
        description,
        turn_length,
        turns,
        start,
        sources,
        origin: origin.clone(),
        files: files.clone(),
        model: spec,
        base,
        actors,
        policies,
        baseline,
        uncertainties,
        injects,
        run,
    })
}

const DISTS: &[&str] = &["uniform", "triangular", "truncnormal", "beta", "choice"];

fn validate_uncertainty(
    spec: &'static ModelSpec,
    t: &toml::Table,
    path: &str,
    issues: &mut Issues,
) -> Option<Uncertainty> {
    let name = get_str(t, "param", path, issues);
    let Some(name) = name else {
        issues.add(
            join(path, "param"),
            "missing: the name of the parameter this distribution is for",
        );
        return None;
    };
    let Some(pi) = spec.param_index(&name) else {
        issues.add(
            join(path, "param"),
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
    let pspec = &spec.params[pi];
    let dist_name = get_str(t, "dist", path, issues).unwrap_or_default();
    let keys: &[&str] = match dist_name.as_str() {
        "uniform" => &["min", "max"],
        "triangular" => &["min", "mode", "max"],
        "truncnormal" => &["mean", "sd", "min", "max"],
        "beta" => &["alpha", "beta", "min", "max"],
        "choice" => &["values", "weights"],
        _ => {
            issues.add(
                join(path, "dist"),
                format!(
                    "unknown distribution `{dist_name}`; allowed: {}",
                    DISTS.join(", ")
                ),
            );
            return None;
        }
    };
    let mut allowed = vec!["param", "dist", "description"];
    allowed.extend_from_slice(keys);
    check_keys(t, path, &allowed, issues);
    let before = issues.len();
    let num = |k: &str, issues: &mut Issues| -> f64 {
        match get_num(t, k, path, issues) {
            Some(x) => x,
            None => {
                if !t.contains_key(k) && !(dist_name == "beta" && (k == "min" || k == "max")) {
                    issues.add(
                        join(path, k),
                        format!(
                            "missing; the {dist_name} distribution needs {}",
                            keys.join(", ")
                        ),
                    );
                }
                f64::NAN
            }
        }
    };
    let dist = match dist_name.as_str() {
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
        _ => {
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
                Some(toml::Value::Array(a)) => {
                    let w: Vec<f64> = a
                        .iter()
                        .map(|v| {
                            v.as_float()
                                .or(v.as_integer().map(|i| i as f64))
                                .unwrap_or(-1.0)
                        })
                        .collect();
                    if w.len() != values.len()
                        || w.iter().any(|x| x.is_nan() || *x < 0.0 || !x.is_finite())
                        || w.iter().sum::<f64>() <= 0.0
                    {
                        issues.add(
                            join(path, "weights"),
                            format!(
                                "expected {} non-negative numbers (one per value), not all zero",
                                values.len()
                            ),
                        );
                    }
                    w
                }
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
    };
    if issues.len() > before {
        return None;
    }
    // Shape checks.
    let mut bad = |k: &str, m: String| issues.add(join(path, k), m);
    match &dist {
        Distribution::Uniform { min, max }
        | Distribution::Beta { min, max, .. }
        | Distribution::TruncNormal { min, max, .. }
            if min >= max =>
        {
            bad(
                "max",
                format!(
                    "bounds are reversed or empty (min = {min}, max = {max}); allowed: min < max"
                ),
            );
            return None;
        }
        Distribution::Triangular { min, mode, max } => {
            if min >= max {
                bad(
                    "max",
                    format!(
                        "bounds are reversed or empty (min = {min}, max = {max}); allowed: min < max"
                    ),
                );
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
    match &dist {
        Distribution::TruncNormal { sd, .. } if *sd <= 0.0 => {
            bad("sd", format!("{sd} is not allowed; allowed: sd > 0"));
            return None;
        }
        Distribution::Beta { alpha, beta, .. } if *alpha <= 0.0 || *beta <= 0.0 => {
            bad(
                "alpha",
                format!("alpha = {alpha}, beta = {beta}; allowed: both > 0"),
            );
            return None;
        }
        _ => {}
    }
    if matches!(pspec.kind, ParamKind::Choice(_) | ParamKind::Bool)
        && !matches!(dist, Distribution::Choice { .. })
    {
        bad(
            "dist",
            format!("`{name}` is {}: only `choice` can draw it", pspec.allowed()),
        );
        return None;
    }
    let (lo, hi) = dist.support();
    let (plo, phi) = pspec.bounds();
    if lo < plo || hi > phi {
        bad(
            "dist",
            format!(
                "draws from [{lo}, {hi}] fall outside the range of `{name}`; allowed: {}",
                pspec.allowed()
            ),
        );
        return None;
    }
    Some(Uncertainty {
        param: pi,
        name,
        dist,
        description: get_str(t, "description", path, issues).unwrap_or_default(),
    })
}

fn validate_inject(
    spec: &'static ModelSpec,
    t: &toml::Table,
    path: &str,
    turns: usize,
    issues: &mut Issues,
) -> Option<Inject> {
    let turn = match t.get("turn") {
        Some(toml::Value::Integer(i)) if *i >= 1 && (*i as usize) <= turns => *i as usize,
        Some(toml::Value::Integer(i)) => {
            issues.add(
                join(path, "turn"),
                format!("turn {i} is outside the horizon; allowed: 1 to {turns}"),
            );
            return None;
        }
        Some(v) => {
            issues.add(
                join(path, "turn"),
                format!(
                    "expected a whole number from 1 to {turns}, found {}",
                    type_of(v)
                ),
            );
            return None;
        }
        None => {
            issues.add(
                join(path, "turn"),
                format!("missing; allowed: a whole number from 1 to {turns}"),
            );
            return None;
        }
    };
    let kinds: Vec<&str> = spec.inject_kinds.iter().map(|k| k.name).collect();
    let kind = get_str(t, "kind", path, issues).unwrap_or_default();
    let Some(ik) = spec.inject_kinds.iter().find(|k| k.name == kind) else {
        issues.add(
            join(path, "kind"),
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
        return None;
    };
    let mut allowed = vec!["turn", "kind", "name", "date", "description"];
    allowed.extend(ik.fields.iter().map(|f| f.name));
    check_keys(t, path, &allowed, issues);
    let mut fields = Vec::new();
    for f in ik.fields {
        let fp = join(path, f.name);
        match t.get(f.name) {
            None if f.required => issues.add(fp, format!("missing; allowed: {}", f.kind.allowed())),
            None => {}
            Some(v) => {
                let raw = match v {
                    toml::Value::String(s) => s.clone(),
                    toml::Value::Integer(i) => i.to_string(),
                    toml::Value::Float(x) => x.to_string(),
                    toml::Value::Boolean(b) => b.to_string(),
                    other => {
                        issues.add(
                            fp,
                            format!("expected {}, found {}", f.kind.allowed(), type_of(other)),
                        );
                        continue;
                    }
                };
                let cell = match f.kind {
                    spec::FieldKind::Real { min, max } => match raw.parse::<f64>() {
                        Ok(x) if x >= min && x <= max => Cell::Number(x),
                        _ => {
                            issues.add(
                                fp,
                                format!("`{raw}` is not allowed; allowed: {}", f.kind.allowed()),
                            );
                            continue;
                        }
                    },
                    spec::FieldKind::Int { min, max } => match raw.parse::<i64>() {
                        Ok(x) if x >= min && x <= max => Cell::Number(x as f64),
                        _ => {
                            issues.add(
                                fp,
                                format!("`{raw}` is not allowed; allowed: {}", f.kind.allowed()),
                            );
                            continue;
                        }
                    },
                    spec::FieldKind::Choice(w) if !w.contains(&raw.as_str()) => {
                        issues.add(
                            fp,
                            format!("`{raw}` is not allowed; allowed: {}", f.kind.allowed()),
                        );
                        continue;
                    }
                    _ => Cell::Text(raw),
                };
                fields.push((f.name.to_string(), cell));
            }
        }
    }
    Some(Inject {
        turn,
        name: get_str(t, "name", path, issues).unwrap_or_else(|| kind.clone()),
        kind,
        date: get_str(t, "date", path, issues),
        description: get_str(t, "description", path, issues).unwrap_or_default(),
        fields,
    })
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
