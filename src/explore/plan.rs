//! What an exploration varies and where: the design's columns (the scenario's uncertain
//! parameters, then any explored levers), the design itself, and each point's parameter values.
//!
//! Every check on the request happens here, before anything runs, and each failure names what
//! is allowed: a design needs at least one parameter; Morris needs an even number of levels, no
//! more than its trajectories; Saltelli's scheme takes at most 50 parameters; a factorial has
//! `levels^parameters` points and takes no `--points`.

use anyhow::{Result, bail};

use crate::engine::explore::{Column, MAX_POINTS, MAX_REPLICATIONS};
use crate::output::explore::DesignParam;
use crate::scenario::{Distribution, Scenario};
use crate::spec::ParamKind;
use crate::stats::designs::{Design, Kind};

/// The largest design (rows of design.csv) a factorial may have.
pub const MAX_FACTORIAL_POINTS: usize = 1_000_000;

/// What the user asked for.
#[derive(Debug, Clone)]
pub struct Request {
    pub design: Kind,
    /// Sobol': base rows N; LHS: points; Morris: trajectories; factorial: must be `None`.
    pub points: Option<u64>,
    pub replications: u64,
    /// Morris and factorial.
    pub levels: Option<usize>,
    pub second_order: bool,
    /// `None`: no levers; `Some(empty)`: every lever the options set; else these.
    pub levers: Option<Vec<String>>,
    pub seed: u64,
}

/// Default sizes.
pub const DEFAULT_SOBOL_BASE: u64 = 256;
pub const DEFAULT_LHS_POINTS: u64 = 200;
pub const DEFAULT_MORRIS_TRAJECTORIES: u64 = 20;
pub const DEFAULT_MORRIS_LEVELS: usize = 4;
pub const DEFAULT_FACTORIAL_LEVELS: usize = 3;

/// The design and everything needed to run it.
pub struct Plan {
    pub names: Vec<String>,
    pub columns: Vec<Column>,
    pub params: Vec<DesignParam>,
    pub design: Design,
    /// Parameter values as held, `points × columns`.
    pub values: Vec<f64>,
}

/// The levers of a scenario: every parameter some option sets, in order of first mention.
pub fn levers(sc: &Scenario) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    for p in &sc.policies {
        for &(i, _) in &p.levers {
            if !out.contains(&i) {
                out.push(i);
            }
        }
    }
    out
}

fn lever_names(sc: &Scenario) -> String {
    let l = levers(sc);
    if l.is_empty() {
        "none (no option sets a lever)".into()
    } else {
        l.iter()
            .map(|&i| sc.model.params[i].name)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn dist_text(d: &Distribution) -> String {
    let f = crate::kernel::fmt::fmt_f64;
    match d {
        Distribution::Uniform { min, max } => format!("uniform({}, {})", f(*min), f(*max)),
        Distribution::Triangular { min, mode, max } => {
            format!("triangular({}, {}, {})", f(*min), f(*mode), f(*max))
        }
        Distribution::TruncNormal { mean, sd, min, max } => format!(
            "truncnormal(mean {}, sd {}, {} to {})",
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
            "beta({}, {}) on {} to {}",
            f(*alpha),
            f(*beta),
            f(*min),
            f(*max)
        ),
        Distribution::Choice { values, weights } => format!(
            "choice({})",
            values
                .iter()
                .zip(weights)
                .map(|(v, w)| format!("{} w{}", f(*v), f(*w)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Distribution::Empirical { values, joint, .. } => match joint {
            Some(j) => format!("empirical({} rows, joint {})", values.len(), j.name),
            None => format!("empirical({} rows)", values.len()),
        },
    }
}

/// Checks the request against the scenario and builds the design.
pub fn plan(sc: &Scenario, req: &Request) -> Result<Plan> {
    let mut columns = Vec::new();
    let mut names = Vec::new();
    let mut params = Vec::new();
    for u in &sc.uncertainties {
        columns.push(Column {
            param: u.param,
            lever: false,
        });
        names.push(u.name.clone());
        params.push(DesignParam {
            name: u.name.clone(),
            role: "uncertainty".into(),
            distribution: dist_text(&u.dist),
        });
    }
    if let Some(list) = &req.levers {
        let all = levers(sc);
        let chosen: Vec<usize> = if list.is_empty() {
            all.clone()
        } else {
            let mut v = Vec::new();
            for n in list {
                match sc.model.param_index(n).filter(|i| all.contains(i)) {
                    Some(i) if !v.contains(&i) => v.push(i),
                    Some(_) => {}
                    None => bail!(
                        "--levers: `{n}` is not a lever of scenario `{}`; allowed: {}",
                        sc.name,
                        lever_names(sc)
                    ),
                }
            }
            v
        };
        for i in chosen {
            if columns.iter().any(|c| c.param == i) {
                bail!(
                    "--levers: `{}` is already an uncertain parameter of scenario `{}`; allowed: {}",
                    sc.model.params[i].name,
                    sc.name,
                    lever_names(sc)
                );
            }
            let spec = &sc.model.params[i];
            columns.push(Column {
                param: i,
                lever: true,
            });
            names.push(spec.name.to_string());
            params.push(DesignParam {
                name: spec.name.to_string(),
                role: "lever".into(),
                distribution: format!("uniform over {}", spec.allowed()),
            });
        }
    }
    let dims = columns.len();
    if dims == 0 {
        bail!(
            "scenario `{}` has no [[uncertainty]] entries{}: a design needs at least one parameter to vary; allowed: a scenario with [[uncertainty]] entries, or --levers with levers of the scenario ({})",
            sc.name,
            if req.levers.is_some() {
                " and no levers"
            } else {
                " and no --levers were given"
            },
            lever_names(sc)
        );
    }
    if req.replications == 0 || req.replications > MAX_REPLICATIONS {
        bail!(
            "--replications {}: allowed: a whole number from 1 to {MAX_REPLICATIONS}",
            req.replications
        );
    }
    if let Some(0) = req.points {
        bail!("--points 0: allowed: a whole number of at least 1");
    }
    let design = match req.design {
        Kind::Sobol => {
            if let Some(l) = req.levels {
                bail!("--levels {l} is for Morris and factorial designs; a Sobol' design has none");
            }
            if 2 * dims > crate::stats::sobol::MAX_DIMS {
                bail!(
                    "a Sobol' design over {dims} parameters; allowed: at most {} (Saltelli's scheme uses twice as many Sobol' dimensions, and {} are vendored)",
                    crate::stats::sobol::MAX_DIMS / 2,
                    crate::stats::sobol::MAX_DIMS
                );
            }
            let n = req.points.unwrap_or(DEFAULT_SOBOL_BASE);
            check_size(n * Design::saltelli_width(dims, req.second_order) as u64)?;
            Design::saltelli(dims, n as usize, req.second_order, req.seed)
                .map_err(anyhow::Error::msg)?
        }
        Kind::Lhs => {
            no_levels(req)?;
            let n = req.points.unwrap_or(DEFAULT_LHS_POINTS);
            check_size(n)?;
            Design::lhs(dims, n as usize, req.seed)
        }
        Kind::Morris => {
            no_second(req)?;
            let r = req.points.unwrap_or(DEFAULT_MORRIS_TRAJECTORIES);
            let p = req.levels.unwrap_or(DEFAULT_MORRIS_LEVELS);
            if p as u64 > r {
                bail!(
                    "--levels {p} with --points {r}: a Morris design needs no more levels than trajectories (points); allowed: an even number of levels from 2 to {}",
                    r - r % 2
                );
            }
            if p < 2 || p % 2 == 1 {
                bail!(
                    "--levels {p}: allowed for Morris: an even number from 2 to {} (Δ = p / (2(p − 1)) keeps the grid symmetric only for even p)",
                    r - r % 2
                );
            }
            check_size(r * (dims as u64 + 1))?;
            Design::morris(dims, r as usize, p, req.seed)
        }
        Kind::Factorial => {
            no_second(req)?;
            if let Some(n) = req.points {
                bail!(
                    "--points {n}: a full factorial has levels^parameters points; set --levels instead (allowed: no --points with --design factorial)"
                );
            }
            let l = req.levels.unwrap_or(DEFAULT_FACTORIAL_LEVELS);
            let n = (l as f64).powi(dims as i32);
            if l == 0 || n > MAX_FACTORIAL_POINTS as f64 {
                bail!(
                    "--levels {l} over {dims} parameters gives {n} points; allowed: levels from 1 with levels^{dims} at most {MAX_FACTORIAL_POINTS}"
                );
            }
            Design::factorial(dims, l)
        }
    };
    // Map the unit coordinates to parameter values.
    let mut values = vec![0.0; design.u.len()];
    for p in 0..design.points() {
        for (c, col) in columns.iter().enumerate() {
            let u = design.u[p * dims + c];
            let spec = &sc.model.params[col.param];
            let x = if col.lever {
                let (lo, hi) = spec.bounds();
                match spec.kind {
                    ParamKind::Real { .. } => lo + (hi - lo) * u,
                    ParamKind::Int { .. } => (lo + (hi - lo) * u).round(),
                    ParamKind::Bool | ParamKind::Choice(_) => {
                        ((u * (hi + 1.0)).floor()).clamp(0.0, hi)
                    }
                }
            } else {
                let u_spec = sc
                    .uncertainties
                    .iter()
                    .find(|x| x.param == col.param)
                    .expect("a column per uncertainty");
                let x = u_spec.dist.quantile(u);
                match spec.kind {
                    ParamKind::Real { .. } => x,
                    _ => x.round(),
                }
            };
            values[p * dims + c] = x;
        }
    }
    Ok(Plan {
        names,
        columns,
        params,
        design,
        values,
    })
}

fn check_size(points: u64) -> Result<()> {
    if points > MAX_POINTS {
        bail!("a design of {points} points; allowed: at most {MAX_POINTS}");
    }
    Ok(())
}

fn no_levels(req: &Request) -> Result<()> {
    if let Some(l) = req.levels {
        bail!(
            "--levels {l} is for Morris and factorial designs; allowed with --design {}: none",
            req.design.name()
        );
    }
    no_second(req)
}

fn no_second(req: &Request) -> Result<()> {
    if req.second_order && req.design != Kind::Sobol {
        bail!(
            "--second-order is for Sobol' designs; allowed with --design {}: none",
            req.design.name()
        );
    }
    Ok(())
}
