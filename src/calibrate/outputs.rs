//! The files of a calibration folder.
//!
//! * `posterior.csv`: the last generation's particles, `particle,weight,<parameters…>,distance`
//!   (weights sum to 1): weighted joint draws from the posterior.
//! * `prior.csv`: generation 0's proposals, `draw,<parameters…>`: draws from the prior.
//! * `generations.csv`: `generation,simulations,tolerance,ess,redraws`.
//! * `parameters.csv`: each parameter's prior, prior and posterior mean and sd, posterior
//!   quantiles, and the fitted targets whose statistics moved most with it over the prior draws
//!   (`informed_by`, by absolute correlation).
//! * `fit.csv`: every target's observed value beside the model's prior and posterior
//!   predictive mean (each simulation the mean of K trials) and the baseline's forecast if the
//!   targets file gives one; `fit_summary.csv`: per group (fit, holdout) the RMSE and Spearman
//!   ρ of the model and of the baseline against the observed values.
//! * `<scenario>-calibrated.toml`: a fragment that `extends` the scenario, names its actors
//!   file again (resolved from the fragment) and draws the calibrated parameters jointly
//!   (`dist = "empirical"`, `joint = "calibration"`).
//! * `manifest.json`, last.
//!
//! Every number is written by `kernel::fmt` (the shortest text that reads back exactly).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::{CalibrateConfig, targets};
use crate::engine::CalibrationResult;
use crate::engine::calibration::{weighted_mean_sd, weighted_quantile};
use crate::kernel::fmt::fmt_f64 as f;
use crate::output::OutputDir;
use crate::scenario::Origin;

/// The folder's format, raised when a file's columns change.
pub const FORMAT: &str = "cohesion-calibration/1";

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn write(dir: &OutputDir, name: &str, text: &str) -> Result<()> {
    crate::kernel::fs::write_atomic(&dir.file(name), text.as_bytes()).map_err(anyhow::Error::msg)
}

/// The fragment's file name: `<scenario>-calibrated.toml`.
pub fn fragment_name(cfg: &CalibrateConfig) -> String {
    format!("{}-calibrated.toml", cfg.scenario.name)
}

/// Every table and the fragment.
pub fn write_tables(cfg: &CalibrateConfig, r: &CalibrationResult, dir: &OutputDir) -> Result<()> {
    let sc = &cfg.scenario;
    let t = &cfg.targets;
    let names: Vec<&str> = t.params.iter().map(|&p| sc.model.params[p].name).collect();
    let d = names.len();
    let post = &r.posterior;
    let head = names.join(",");

    let mut s = format!("particle,weight,{head},distance\n");
    for (i, (row, w)) in post.theta.chunks_exact(d).zip(&post.weights).enumerate() {
        let vals: Vec<String> = row.iter().map(|x| f(*x)).collect();
        let _ = writeln!(
            s,
            "{i},{},{},{}",
            f(*w),
            vals.join(","),
            f(post.distance[i])
        );
    }
    write(dir, "posterior.csv", &s)?;

    let mut s = format!("draw,{head}\n");
    for (i, row) in r.prior_draws.chunks_exact(d).enumerate() {
        let vals: Vec<String> = row.iter().map(|x| f(*x)).collect();
        let _ = writeln!(s, "{i},{}", vals.join(","));
    }
    write(dir, "prior.csv", &s)?;

    let mut s = String::from("generation,simulations,tolerance,ess,redraws\n");
    for g in &r.generations {
        let _ = writeln!(
            s,
            "{},{},{},{},{}",
            g.generation,
            g.simulations,
            f(g.tolerance),
            f(g.ess),
            g.redraws
        );
    }
    write(dir, "generations.csv", &s)?;

    write(dir, "parameters.csv", &parameters_csv(cfg, r, &names))?;
    let (fit, summary) = fit_csv(cfg, r);
    write(dir, "fit.csv", &fit)?;
    write(dir, "fit_summary.csv", &summary)?;
    write_fragment(cfg, r, &names, dir)
}

/// Pearson correlation of two equally long columns (0 when either is constant).
fn correlation(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        if !(a.is_finite() && b.is_finite()) {
            continue;
        }
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    if sxx > 0.0 && syy > 0.0 {
        sxy / (sxx * syy).sqrt()
    } else {
        0.0
    }
}

fn parameters_csv(cfg: &CalibrateConfig, r: &CalibrationResult, names: &[&str]) -> String {
    let t = &cfg.targets;
    let d = names.len();
    let t_n = t.targets.len();
    let m = r.prior_draws.len() / d;
    let flat = vec![1.0 / m as f64; m];
    let post = &r.posterior;
    let mut s = String::from(
        "parameter,prior,prior_mean,prior_sd,posterior_mean,posterior_sd,posterior_p5,posterior_p50,posterior_p95,sd_ratio,informed_by\n",
    );
    for (j, name) in names.iter().enumerate() {
        let (pm, psd) = weighted_mean_sd(&r.prior_draws, d, j, &flat);
        let (qm, qsd) = weighted_mean_sd(&post.theta, d, j, &post.weights);
        let q = |p| weighted_quantile(&post.theta, d, j, &post.weights, p);
        let col: Vec<f64> = r.prior_draws.iter().skip(j).step_by(d).copied().collect();
        let mut corr: Vec<(f64, &str)> = t
            .targets
            .iter()
            .enumerate()
            .filter(|(_, tg)| tg.fit)
            .map(|(k, tg)| {
                let st: Vec<f64> = r.prior_stats.iter().skip(k).step_by(t_n).copied().collect();
                (correlation(&col, &st).abs(), tg.name.as_str())
            })
            .collect();
        corr.sort_by(|a, b| b.0.total_cmp(&a.0));
        let informed: Vec<String> = corr
            .iter()
            .filter(|c| c.0 >= 0.1)
            .take(3)
            .map(|(c, n)| format!("{n} (|r| = {:.2})", c))
            .collect();
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{},{},{}",
            name,
            csv_field(&t.prior_sources[j]),
            f(pm),
            f(psd),
            f(qm),
            f(qsd),
            f(q(0.05)),
            f(q(0.5)),
            f(q(0.95)),
            f(if psd > 0.0 { qsd / psd } else { f64::NAN }),
            csv_field(&informed.join("; "))
        );
    }
    s
}

/// Ranks with ties averaged.
fn ranks(v: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut r = vec![0.0; v.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            r[k] = avg;
        }
        i = j + 1;
    }
    r
}

/// Spearman's ρ (Pearson on ranks, ties averaged); NaN with fewer than 3 pairs.
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    if x.len() < 3 {
        return f64::NAN;
    }
    correlation(&ranks(x), &ranks(y))
}

fn fit_csv(cfg: &CalibrateConfig, r: &CalibrationResult) -> (String, String) {
    let t = &cfg.targets;
    let t_n = t.targets.len();
    let m = r.prior_stats.len() / t_n.max(1);
    let flat = vec![1.0 / m as f64; m];
    let post = &r.posterior;
    let mut s = String::from(
        "target,use,statistic,observed,prior_mean,posterior_mean,posterior_sd,error,baseline,baseline_error\n",
    );
    let mut groups: [(Vec<f64>, Vec<f64>, Vec<f64>); 2] = Default::default();
    for (k, tg) in t.targets.iter().enumerate() {
        let (pm, _) = weighted_mean_sd(&r.prior_stats, t_n, k, &flat);
        let (qm, qsd) = weighted_mean_sd(&post.stats, t_n, k, &post.weights);
        let base = tg.baseline.unwrap_or(f64::NAN);
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{},{}",
            csv_field(&tg.name),
            if tg.fit { "fit" } else { "holdout" },
            csv_field(&tg.what),
            f(tg.value),
            f(pm),
            f(qm),
            f(qsd),
            f(qm - tg.value),
            f(base),
            f(base - tg.value)
        );
        let g = &mut groups[usize::from(!tg.fit)];
        g.0.push(tg.value);
        g.1.push(qm);
        g.2.push(base);
    }
    let mut sum = String::from(
        "use,targets,rmse,spearman,baseline_targets,baseline_rmse,baseline_spearman\n",
    );
    for (name, (obs, model, base)) in ["fit", "holdout"].iter().zip(&groups) {
        if obs.is_empty() {
            continue;
        }
        let rmse = |p: &[f64], o: &[f64]| {
            (p.iter().zip(o).map(|(a, b)| (a - b) * (a - b)).sum::<f64>() / o.len() as f64).sqrt()
        };
        let with_base: Vec<usize> = (0..obs.len()).filter(|&i| base[i].is_finite()).collect();
        let bo: Vec<f64> = with_base.iter().map(|&i| obs[i]).collect();
        let bb: Vec<f64> = with_base.iter().map(|&i| base[i]).collect();
        let (brmse, brho) = if bo.is_empty() {
            (f64::NAN, f64::NAN)
        } else {
            (rmse(&bb, &bo), spearman(&bb, &bo))
        };
        let _ = writeln!(
            sum,
            "{name},{},{},{},{},{},{}",
            obs.len(),
            f(rmse(model, obs)),
            f(spearman(model, obs)),
            bo.len(),
            f(brmse),
            f(brho)
        );
    }
    (s, sum)
}

/// The relative path from folder `from` to file `to` (both made absolute first).
fn relative(from: &Path, to: &Path) -> PathBuf {
    let abs = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let (from, to) = (abs(from), abs(to));
    let a: Vec<_> = from.components().collect();
    let b: Vec<_> = to.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut p = PathBuf::new();
    for _ in common..a.len() {
        p.push("..");
    }
    for c in &b[common..] {
        p.push(c);
    }
    p
}

/// The scenario fragment. A built-in scenario's files are copied into `scenario/` beside it, so
/// the folder runs anywhere; a scenario on disk is named by its path relative to the folder.
fn write_fragment(
    cfg: &CalibrateConfig,
    r: &CalibrationResult,
    names: &[&str],
    dir: &OutputDir,
) -> Result<()> {
    let sc = &cfg.scenario;
    // Where a path of the fragment points to, from the output folder: the copy of a built-in
    // file, or a file on disk.
    let folder = {
        let parent = cfg.out.parent().filter(|p| !p.as_os_str().is_empty());
        let base = parent
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        std::fs::create_dir_all(&base).ok();
        std::fs::canonicalize(&base)
            .unwrap_or(base)
            .join(cfg.out.file_name().unwrap_or_default())
    };
    let path_of = |origin: &Origin| match origin {
        Origin::Builtin(n) => format!("scenario/{n}"),
        Origin::File(p) => relative(&folder, p).to_string_lossy().replace('\\', "/"),
    };
    // An actors file is resolved from the scenario given on the command line (the fragment),
    // not from the parent that names it: the fragment names it again.
    let actors = sc.actors.as_ref().and_then(|a| {
        sc.files
            .iter()
            .find(|f| f.origin.display() == a.source)
            .map(|f| path_of(&f.origin))
    });
    let extends = match &sc.origin {
        Origin::Builtin(name) => {
            for file in &sc.files {
                if let Origin::Builtin(n) = &file.origin {
                    let p = dir.path().join("scenario").join(n);
                    std::fs::create_dir_all(p.parent().unwrap_or(dir.path()))
                        .with_context(|| format!("cannot create {}", p.display()))?;
                    crate::kernel::fs::write_atomic(&p, file.text.as_bytes())
                        .map_err(anyhow::Error::msg)?;
                }
            }
            format!("scenario/{name}")
        }
        Origin::File(_) => path_of(&sc.origin),
    };
    let t = &cfg.targets;
    let post = &r.posterior;
    let d = names.len();
    let last = r.generations.last();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# {} with its calibrated parameters drawn jointly from the posterior of\n# `cohesion calibrate` (targets: {}; seed {}; {} generations of {} simulations,\n# each the mean of {} trials of `{}`; final tolerance {}).\n# Written by cohesion {}: rerun with `cohesion run` on this file.",
        sc.name,
        t.file.name(),
        cfg.seed,
        t.generations,
        t.simulations,
        t.trials_per_simulation,
        sc.policies[t.policy].name,
        last.map_or(String::new(), |g| f(g.tolerance)),
        env!("CARGO_PKG_VERSION"),
    );
    let _ = writeln!(s, "\nextends = {}", toml_string(&extends));
    let _ = writeln!(
        s,
        "\n[scenario]\nname = {}\ndescription = {}",
        toml_string(&format!("{}-calibrated", sc.name)),
        toml_string(&format!(
            "{} with {} calibrated ({} posterior draws)",
            sc.name,
            names.join(", "),
            post.weights.len()
        ))
    );
    if let Some(file) = &actors {
        let _ = writeln!(s, "\n[actors]\nfile = {}", toml_string(file));
    }
    let weights: Vec<String> = post.weights.iter().map(|w| f(*w)).collect();
    for (j, name) in names.iter().enumerate() {
        let values: Vec<String> = post
            .theta
            .iter()
            .skip(j)
            .step_by(d)
            .map(|x| f(*x))
            .collect();
        let _ = writeln!(
            s,
            "\n[[uncertainty]]\nparam = \"{name}\"\ndist = \"empirical\"\njoint = \"calibration\"\ndescription = {}\nvalues = [{}]\nweights = [{}]",
            toml_string(&format!(
                "calibrated: posterior of `cohesion calibrate` (prior {})",
                targets::describe(&t.priors[j])
            )),
            values.join(", "),
            weights.join(", ")
        );
    }
    write(dir, &fragment_name(cfg), &s)
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// `manifest.json`, written last.
pub fn write_manifest(
    cfg: &CalibrateConfig,
    r: &CalibrationResult,
    dir: &OutputDir,
    started: &str,
    wall: f64,
) -> Result<()> {
    let sc = &cfg.scenario;
    let t = &cfg.targets;
    let files: Vec<serde_json::Value> = sc
        .files
        .iter()
        .chain(std::iter::once(&t.file))
        .map(|f| serde_json::json!({"path": f.name(), "blake3": f.blake3}))
        .collect();
    let m = serde_json::json!({
        "format": FORMAT,
        "cohesion_version": env!("CARGO_PKG_VERSION"),
        "command_line": cfg.command_line,
        "scenario": sc.name,
        "scenario_path": sc.origin.display(),
        "targets_path": t.file.name(),
        "files": files,
        "model": sc.model.kind,
        "option": sc.policies[t.policy].name,
        "parameters": t.params.iter().map(|&p| sc.model.params[p].name).collect::<Vec<_>>(),
        // The data the calibration used: what was fitted, and what was held out (simulated and
        // reported in fit.csv, never in the distance).
        "targets": t.targets.iter().map(|tg| serde_json::json!({
            "name": tg.name,
            "use": if tg.fit { "fit" } else { "holdout" },
            "statistic": tg.what,
            "observed": tg.value,
        })).collect::<Vec<_>>(),
        "method": "ABC-SMC (population Monte Carlo; tolerance: distance of the population-th closest of each generation's simulations)",
        "seed": cfg.seed,
        "seed_generated": cfg.seed_generated,
        "trials_per_simulation": t.trials_per_simulation,
        "simulations_per_generation": t.simulations,
        "population": t.population,
        "generations": t.generations,
        "final_tolerance": r.generations.last().map(|g| g.tolerance),
        "block_size": cfg.block_size,
        "threads": cfg.threads,
        "fragment": fragment_name(cfg),
        "started": started,
        "finished": crate::kernel::time::now_rfc3339(),
        "wall_seconds": wall,
    });
    let text = serde_json::to_string_pretty(&m)? + "\n";
    write(dir, "manifest.json", &text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spearman_of_monotone_and_reversed_orders() {
        let x = [1.0, 2.0, 3.0, 4.0];
        assert!((spearman(&x, &[10.0, 20.0, 25.0, 100.0]) - 1.0).abs() < 1e-12);
        assert!((spearman(&x, &[4.0, 3.0, 2.0, 1.0]) + 1.0).abs() < 1e-12);
        // Ties averaged: ranks (1.5, 1.5, 3) against (1, 2, 3).
        let r = spearman(&[1.0, 1.0, 2.0], &[1.0, 2.0, 3.0]);
        assert!((r - 0.8660254037844386).abs() < 1e-12, "{r}");
        assert!(spearman(&[1.0, 2.0], &[1.0, 2.0]).is_nan());
    }

    #[test]
    fn relative_paths_climb_and_descend() {
        let p = relative(Path::new("/a/b/out"), Path::new("/a/c/s.toml"));
        assert_eq!(p, PathBuf::from("../../c/s.toml"));
    }
}
