//! The targets file of `cohesion calibrate`: what is calibrated, against what, at what budget.
//!
//! ```toml
//! [calibration]
//! option = "as-happened"          # the option simulated (default: the baseline)
//! parameters = ["spending_threat_response", "channel_base"]
//! trials_per_simulation = 8       # K: one simulation is the mean of K trials
//! simulations = 2000              # M per generation
//! population = 500                # N kept per generation
//! generations = 6
//!
//! [[target]]
//! name = "defence 2022: Poland"   # optional
//! statistic = "year_mean"         # or "outcome"
//! series = "defence.Poland"
//! year = 2022
//! minus = 2.2                     # optional constant subtracted (e.g. the 2021 level)
//! value = 0.2                     # the observed value
//! scale = 0.1                     # optional: the scale of a difference in the distance
//! use = "fit"                     # or "holdout": computed and reported, not fitted
//! baseline = 0.0                  # optional: a naive forecast reported beside the model's
//! ```
//!
//! Like a scenario, the file is checked whole before anything runs: every problem is listed with
//! the file, line and key and what is allowed. Names of outputs are checked against the model's
//! declared outcomes and series, parameters against its parameters, years against the
//! scenario's calendar. The statistics themselves are [`Statistic`]s: the engine only sees the
//! trait.

use crate::engine::Statistic;
use crate::kernel::time::month_index;
use crate::model::{ParamKind, Simulation, TrialOut};
use crate::scenario::{Distribution, Issues, Origin, Scenario, SourceFile};

/// Defaults of the `[calibration]` budget (docs/CALIBRATION.md says why).
pub const DEFAULT_TRIALS_PER_SIMULATION: u64 = 8;
pub const DEFAULT_SIMULATIONS: u64 = 2000;
pub const DEFAULT_GENERATIONS: usize = 6;

/// How a target's statistic is computed from one trial.
#[derive(Debug, Clone, PartialEq)]
pub enum StatKind {
    /// The value of an outcome (by index).
    Outcome(usize),
    /// The mean of a series over the turns `first..=last` (0-based) of one calendar year,
    /// minus a constant.
    YearMean {
        series: usize,
        stride: usize,
        first: usize,
        last: usize,
        minus: f64,
    },
}

impl Statistic for StatKind {
    fn of_trial(&self, out: &TrialOut) -> f64 {
        match *self {
            StatKind::Outcome(i) => out.outcomes[i],
            StatKind::YearMean {
                series,
                stride,
                first,
                last,
                minus,
            } => {
                let mut s = 0.0;
                for t in first..=last {
                    s += out.series[t * stride + series];
                }
                s / (last - first + 1) as f64 - minus
            }
        }
    }
}

/// One `[[target]]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetSpec {
    pub name: String,
    pub kind: StatKind,
    /// How it is described in outputs (`outcome sample_mean`, `series defence.Poland, 2022`).
    pub what: String,
    pub value: f64,
    pub scale: Option<f64>,
    pub fit: bool,
    pub baseline: Option<f64>,
}

/// A validated targets file.
#[derive(Debug, Clone)]
pub struct Targets {
    pub file: SourceFile,
    pub policy: usize,
    pub params: Vec<usize>,
    pub priors: Vec<Distribution>,
    /// Where each prior comes from (`[[uncertainty]]` or the declared range).
    pub prior_sources: Vec<String>,
    pub trials_per_simulation: u64,
    pub simulations: u64,
    pub population: usize,
    pub generations: usize,
    pub seed: Option<u64>,
    pub targets: Vec<TargetSpec>,
}

const SECTION_KEYS: &[&str] = &[
    "option",
    "parameters",
    "trials_per_simulation",
    "simulations",
    "population",
    "generations",
    "seed",
];
const TARGET_KEYS: &[&str] = &[
    "name",
    "statistic",
    "outcome",
    "series",
    "year",
    "minus",
    "value",
    "scale",
    "use",
    "baseline",
];

/// Reads and checks a targets file against a scenario and its built simulation.
pub fn load(origin: Origin, sc: &Scenario, sim: &dyn Simulation) -> Result<Targets, String> {
    let file = SourceFile::read(origin)?;
    let mut issues = Issues::new();
    let root: toml::Table = match toml::from_str(&file.text) {
        Ok(t) => t,
        Err(e) => return Err(format!("{}: not valid TOML: {}", file.name(), e.message())),
    };
    for k in root.keys() {
        if k != "calibration" && k != "target" {
            issues.add(
                k.clone(),
                format!("unknown key `{k}`; allowed here: calibration, target"),
            );
        }
    }
    let empty = toml::Table::new();
    let cal = match root.get("calibration") {
        Some(toml::Value::Table(t)) => t,
        Some(_) => {
            issues.add("calibration", "expected a table `[calibration]`");
            &empty
        }
        None => {
            issues.add(
                "calibration",
                "missing: a `[calibration]` table naming the parameters to calibrate",
            );
            &empty
        }
    };
    unknown_keys(cal, "calibration", SECTION_KEYS, &mut issues);
    let policy = match cal.get("option") {
        None => sc.baseline,
        Some(v) => match v.as_str().and_then(|n| sc.policy_index(n)) {
            Some(i) => i,
            None => {
                issues.add(
                    "calibration.option",
                    format!(
                        "no option {v} in scenario `{}`; allowed: {}",
                        sc.name,
                        names(sc.policies.iter().map(|p| p.name.as_str()))
                    ),
                );
                sc.baseline
            }
        },
    };
    let (params, priors, prior_sources) = parameters(cal, sc, policy, &mut issues);
    let whole = |k: &str, min: u64, max: u64, default: u64, issues: &mut Issues| -> u64 {
        match cal.get(k) {
            None => default,
            Some(toml::Value::Integer(i)) if (min as i64..=max as i64).contains(i) => *i as u64,
            Some(v) => {
                issues.add(
                    format!("calibration.{k}"),
                    format!("{v} is not allowed; allowed: a whole number from {min} to {max}"),
                );
                default
            }
        }
    };
    let trials_per_simulation = whole(
        "trials_per_simulation",
        1,
        100_000,
        DEFAULT_TRIALS_PER_SIMULATION,
        &mut issues,
    );
    let simulations = whole(
        "simulations",
        2,
        100_000_000,
        DEFAULT_SIMULATIONS,
        &mut issues,
    );
    let population = whole(
        "population",
        2,
        simulations,
        (simulations / 4).max(2),
        &mut issues,
    ) as usize;
    let generations = whole(
        "generations",
        1,
        1000,
        DEFAULT_GENERATIONS as u64,
        &mut issues,
    ) as usize;
    let seed = cal
        .get("seed")
        .map(|_| whole("seed", 0, i64::MAX as u64, 0, &mut issues));
    let targets = target_entries(&root, sc, sim, &mut issues);
    if issues.is_empty() && !targets.iter().any(|t| t.fit) {
        issues.add(
            "target",
            "no target to fit; allowed: at least one `[[target]]` with use = \"fit\" (the default)",
        );
    }
    if !issues.is_empty() {
        for i in &mut issues.0 {
            i.file = file.name();
            if let Some((l, c)) = file.locate(&i.path) {
                i.line = Some(l);
                i.column = Some(c);
            }
        }
        return Err(format!("invalid targets file: {issues}"));
    }
    Ok(Targets {
        file,
        policy,
        params,
        priors,
        prior_sources,
        trials_per_simulation,
        simulations,
        population,
        generations,
        seed,
        targets,
    })
}

fn names<'a>(it: impl Iterator<Item = &'a str>) -> String {
    it.collect::<Vec<_>>().join(", ")
}

/// Outcome names for an error message, a per-actor family (`channel_ever.Hungary`, …) shown
/// once as `channel_ever.<actor>` with the actors listed after, so the message stays readable.
fn outcome_names<'a>(it: impl Iterator<Item = &'a str>) -> String {
    let mut plain: Vec<String> = Vec::new();
    let mut actors: Vec<&str> = Vec::new();
    for name in it {
        match name.split_once('.') {
            Some((family, actor)) => {
                let form = format!("{family}.<actor>");
                if !plain.contains(&form) {
                    plain.push(form);
                }
                if !actors.contains(&actor) {
                    actors.push(actor);
                }
            }
            None => plain.push(name.to_string()),
        }
    }
    let mut text = plain.join(", ");
    if !actors.is_empty() {
        text.push_str(&format!("; <actor> one of: {}", actors.join(", ")));
    }
    text
}

fn unknown_keys(t: &toml::Table, path: &str, allowed: &[&str], issues: &mut Issues) {
    for k in t.keys() {
        if !allowed.contains(&k.as_str()) {
            issues.add(
                format!("{path}.{k}"),
                format!("unknown key `{k}`; allowed here: {}", allowed.join(", ")),
            );
        }
    }
}

/// `parameters`: real parameters of the model, not levers of the option; each with its prior.
fn parameters(
    cal: &toml::Table,
    sc: &Scenario,
    policy: usize,
    issues: &mut Issues,
) -> (Vec<usize>, Vec<Distribution>, Vec<String>) {
    let (mut idx, mut priors, mut sources) = (Vec::new(), Vec::new(), Vec::new());
    let list = match cal.get("parameters") {
        Some(toml::Value::Array(a)) if !a.is_empty() => a.clone(),
        _ => {
            issues.add(
                "calibration.parameters",
                "missing or empty: an array of the names of the model's parameters to calibrate",
            );
            return (idx, priors, sources);
        }
    };
    for (j, v) in list.iter().enumerate() {
        let at = format!("calibration.parameters[{j}]");
        let Some(name) = v.as_str() else {
            issues.add(at, format!("expected a parameter name, found {v}"));
            continue;
        };
        let Some(p) = sc.model.param_index(name) else {
            issues.add(
                at,
                format!(
                    "model `{}` declares no parameter `{name}`; allowed: {}",
                    sc.model.kind,
                    names(sc.model.params.iter().map(|p| p.name))
                ),
            );
            continue;
        };
        let spec = &sc.model.params[p];
        if !matches!(spec.kind, ParamKind::Real { .. }) {
            issues.add(
                at,
                format!(
                    "`{name}` is {}; allowed: a real-valued parameter",
                    spec.allowed()
                ),
            );
            continue;
        }
        if idx.contains(&p) {
            issues.add(at, format!("`{name}` is named twice"));
            continue;
        }
        if sc.policies[policy].levers.iter().any(|l| l.0 == p) {
            issues.add(
                at,
                format!(
                    "`{name}` is a lever of option `{}`; allowed: a parameter the option does not set",
                    sc.policies[policy].name
                ),
            );
            continue;
        }
        let (prior, source) = match sc.uncertainties.iter().find(|u| u.param == p) {
            Some(u) if u.dist.density(u.dist.support().0).is_some() => (
                u.dist.clone(),
                format!("[[uncertainty]] {}", describe(&u.dist)),
            ),
            Some(u) => {
                issues.add(
                    at,
                    format!(
                        "`{name}` is drawn from a `{}` distribution in the scenario, which has no density; allowed: a continuous prior (uniform, triangular, truncnormal, beta)",
                        u.dist.name()
                    ),
                );
                continue;
            }
            None => {
                let (lo, hi) = spec.bounds();
                let d = Distribution::Uniform { min: lo, max: hi };
                (d.clone(), format!("declared range: {}", describe(&d)))
            }
        };
        idx.push(p);
        priors.push(prior);
        sources.push(source);
    }
    (idx, priors, sources)
}

/// A distribution as people write it: `uniform(0, 1.5)`.
pub fn describe(d: &Distribution) -> String {
    use crate::kernel::fmt::fmt_f64 as f;
    match d {
        Distribution::Uniform { min, max } => format!("uniform({}, {})", f(*min), f(*max)),
        Distribution::Triangular { min, mode, max } => {
            format!("triangular({}, {}, {})", f(*min), f(*mode), f(*max))
        }
        Distribution::TruncNormal { mean, sd, min, max } => format!(
            "normal({}, {}) on [{}, {}]",
            f(*mean),
            f(*sd),
            f(*min),
            f(*max)
        ),
        Distribution::Beta {
            alpha,
            beta,
            min,
            max,
        } => format!(
            "beta({}, {}) on [{}, {}]",
            f(*alpha),
            f(*beta),
            f(*min),
            f(*max)
        ),
        other => other.name().to_string(),
    }
}

/// Every `[[target]]` entry.
fn target_entries(
    root: &toml::Table,
    sc: &Scenario,
    sim: &dyn Simulation,
    issues: &mut Issues,
) -> Vec<TargetSpec> {
    let entries = match root.get("target") {
        Some(toml::Value::Array(a)) => a.clone(),
        Some(_) => {
            issues.add("target", "expected `[[target]]` entries");
            return Vec::new();
        }
        None => {
            issues.add("target", "missing: at least one `[[target]]` entry");
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for (j, e) in entries.iter().enumerate() {
        let path = format!("target[{j}]");
        let Some(t) = e.as_table() else {
            issues.add(path, "expected a table");
            continue;
        };
        unknown_keys(t, &path, TARGET_KEYS, issues);
        if let Some(spec) = target(t, &path, sc, sim, issues) {
            if out.iter().any(|o: &TargetSpec| o.name == spec.name) {
                issues.add(
                    format!("{path}.name"),
                    format!(
                        "a target named `{}` exists already; allowed: a new name",
                        spec.name
                    ),
                );
            }
            out.push(spec);
        }
    }
    out
}

/// A number at `path.k`, if present and finite.
fn number(t: &toml::Table, k: &str, path: &str, issues: &mut Issues) -> Option<f64> {
    let v = t.get(k)?;
    match v.as_float().or(v.as_integer().map(|i| i as f64)) {
        Some(x) if x.is_finite() => Some(x),
        _ => {
            issues.add(
                format!("{path}.{k}"),
                format!("{v} is not allowed; allowed: a number"),
            );
            None
        }
    }
}

fn target(
    t: &toml::Table,
    path: &str,
    sc: &Scenario,
    sim: &dyn Simulation,
    issues: &mut Issues,
) -> Option<TargetSpec> {
    let before = issues.len();
    let text = |k: &str| t.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let statistic = text("statistic").unwrap_or_else(|| "outcome".into());
    let (kind, what) = match statistic.as_str() {
        "outcome" => {
            let Some(name) = text("outcome") else {
                issues.add(format!("{path}.outcome"), "missing: the name of an outcome");
                return None;
            };
            match sim.outcomes().iter().position(|o| o.name == name) {
                Some(i) => (StatKind::Outcome(i), format!("outcome {name}")),
                None => {
                    issues.add(
                        format!("{path}.outcome"),
                        format!(
                            "model `{}` has no outcome `{name}`; allowed: {}",
                            sc.model.kind,
                            outcome_names(sim.outcomes().iter().map(|o| o.name.as_str()))
                        ),
                    );
                    return None;
                }
            }
        }
        "year_mean" => year_mean(t, path, sc, sim, issues)?,
        other => {
            issues.add(
                format!("{path}.statistic"),
                format!("unknown statistic `{other}`; allowed: outcome, year_mean"),
            );
            return None;
        }
    };
    let value = number(t, "value", path, issues);
    if value.is_none() && !t.contains_key("value") {
        issues.add(format!("{path}.value"), "missing: the observed value");
    }
    let scale = number(t, "scale", path, issues);
    if let Some(s) = scale
        && s <= 0.0
    {
        issues.add(
            format!("{path}.scale"),
            format!("{s} is not allowed; allowed: a number > 0"),
        );
    }
    let fit = match text("use").as_deref() {
        None | Some("fit") => true,
        Some("holdout") => false,
        Some(other) => {
            issues.add(
                format!("{path}.use"),
                format!("`{other}` is not allowed; allowed: fit, holdout"),
            );
            true
        }
    };
    let baseline = number(t, "baseline", path, issues);
    if issues.len() > before {
        return None;
    }
    Some(TargetSpec {
        name: text("name").unwrap_or_else(|| what.clone()),
        kind,
        what,
        value: value?,
        scale,
        fit,
        baseline,
    })
}

/// `statistic = "year_mean"`: a series, a calendar year of the scenario's monthly turns.
fn year_mean(
    t: &toml::Table,
    path: &str,
    sc: &Scenario,
    sim: &dyn Simulation,
    issues: &mut Issues,
) -> Option<(StatKind, String)> {
    let Some(name) = t.get("series").and_then(|v| v.as_str()) else {
        issues.add(
            format!("{path}.series"),
            "missing: the name of a time series",
        );
        return None;
    };
    let Some(series) = sim.series().iter().position(|s| s.name == name) else {
        issues.add(
            format!("{path}.series"),
            format!(
                "model `{}` has no series `{name}`; allowed: {}",
                sc.model.kind,
                names(sim.series().iter().map(|s| s.name.as_str()))
            ),
        );
        return None;
    };
    let start = match (&sc.start, sc.turn_length.as_str()) {
        (Some(s), "month") => month_index(s),
        _ => None,
    };
    let Some(start) = start else {
        issues.add(
            format!("{path}.statistic"),
            format!(
                "a calendar year needs a dated scenario of monthly turns (`scenario.start`, turn_length = \"month\"); `{}` has turn_length = \"{}\"",
                sc.name, sc.turn_length
            ),
        );
        return None;
    };
    let Some(year) = t.get("year").and_then(|v| v.as_integer()) else {
        issues.add(
            format!("{path}.year"),
            "missing or not a whole number: the calendar year",
        );
        return None;
    };
    // Turn k (0-based) is month start + k; month index m is year m / 12.
    let turns: Vec<usize> = (0..sim.turns())
        .filter(|&k| (start + k as i64).div_euclid(12) == year)
        .collect();
    let (Some(&first), Some(&last)) = (turns.first(), turns.last()) else {
        let y0 = start.div_euclid(12);
        let y1 = (start + sim.turns() as i64 - 1).div_euclid(12);
        issues.add(
            format!("{path}.year"),
            format!("{year} has no turn in the scenario; allowed: {y0} to {y1}"),
        );
        return None;
    };
    let minus = number(t, "minus", path, issues).unwrap_or(0.0);
    let months = last - first + 1;
    Some((
        StatKind::YearMean {
            series,
            stride: sim.series().len(),
            first,
            last,
            minus,
        },
        format!("series {name}, mean of {year} ({months} months)"),
    ))
}

#[cfg(test)]
mod tests {
    use super::outcome_names;

    #[test]
    fn an_unknown_outcome_lists_a_per_actor_family_once() {
        let names = [
            "fracture",
            "channel_ever.Hungary",
            "channel_ever.Turkey",
            "defence_2022.Hungary",
            "defence_2022.Turkey",
        ];
        assert_eq!(
            outcome_names(names.into_iter()),
            "fracture, channel_ever.<actor>, defence_2022.<actor>; <actor> one of: Hungary, Turkey"
        );
    }
}
