//! `report.html` of an exploration: one self-contained page, as for a run.
//!
//! First what decides each comparison (for every option against the baseline and every
//! analysed outcome: the most influential assumptions and the region of assumptions where the
//! option does better), then robustness, the sensitivity charts, the scenario-discovery boxes
//! and charts, the design and the record. Everything comes from the CSV files beside it, so
//! `cohesion plot DIR` rewrites the same page.

use std::fmt::Write;
use std::path::Path;

use crate::kernel::html::escape as esc;
use crate::output::analysis::SensRow;
use crate::plot::exploration::{ExploreData, short};
use crate::plot::{Drawn, labels, style};

fn swatch(d: &ExploreData, option: &str) -> String {
    format!(
        "<span class=\"sw\" style=\"background:{}\"></span>{}",
        style::hex(d.colour(option)),
        esc(option)
    )
}

fn figure(h: &mut String, c: &Drawn) {
    let _ = write!(
        h,
        "<figure class=\"chart\" id=\"chart-{id}\">\n{svg}\n<figcaption><strong>{title}.</strong> {cap} <span class=\"file\">(charts/{id}.svg, .png)</span></figcaption>\n</figure>\n",
        id = esc(&c.id),
        svg = c.svg.trim_end(),
        title = esc(&c.title),
        cap = esc(&c.caption),
    );
}

fn method_of(d: &ExploreData) -> (&'static str, &'static str, &'static str) {
    match d.manifest.design.as_str() {
        "sobol" => ("sobol", "ST", "total Sobol' index ST"),
        "morris" => ("morris", "mu_star", "Morris μ*"),
        _ => ("spearman", "rho", "Spearman's ρ"),
    }
}

/// The parameters of one (option, versus, outcome), most influential first.
fn ranked<'a>(d: &'a ExploreData, option: &str, versus: &str, outcome: &str) -> Vec<&'a SensRow> {
    let (method, index, _) = method_of(d);
    let mut v: Vec<&SensRow> = d
        .sensitivity
        .iter()
        .filter(|r| {
            r.method == method
                && r.index == index
                && r.option == option
                && r.versus == versus
                && r.outcome == outcome
        })
        .collect();
    // Influence: the index itself (a negative Sobol' index or μ is estimation noise around
    // zero); for a correlation, its size.
    let key = |r: &&SensRow| match (r.value.is_finite(), index == "rho") {
        (false, _) => f64::INFINITY,
        (true, true) => -r.value.abs(),
        (true, false) => -r.value,
    };
    v.sort_by(|a, b| key(a).total_cmp(&key(b)));
    v
}

/// The noise row of one (option, versus, outcome), as text.
fn noise(d: &ExploreData, option: &str, versus: &str, outcome: &str) -> String {
    d.sensitivity
        .iter()
        .find(|r| {
            r.index == "noise" && r.option == option && r.versus == versus && r.outcome == outcome
        })
        .map(|r| {
            if r.method == "sobol" {
                format!("{:.0}%", 100.0 * r.value)
            } else {
                short(r.value)
            }
        })
        .unwrap_or_else(|| "–".into())
}

fn interval(r: &SensRow) -> String {
    if r.lo.is_finite() {
        format!("{} ({} to {})", short(r.value), short(r.lo), short(r.hi))
    } else {
        short(r.value)
    }
}

/// The chosen box of a question, in words: "label_provocation 0 – 0.62, …".
fn box_text(d: &ExploreData, q: &str) -> String {
    let lim: Vec<String> = d
        .prim_box
        .iter()
        .filter(|l| l.question == q)
        .map(|l| {
            let lo = if l.qp_lower.is_finite() {
                format!("{} ≤ ", short(l.lower))
            } else {
                String::new()
            };
            let hi = if l.qp_upper.is_finite() {
                format!(" ≤ {}", short(l.upper))
            } else {
                String::new()
            };
            format!("<code>{lo}{}{hi}</code>", esc(&l.parameter))
        })
        .collect();
    if lim.is_empty() {
        "no region stands out".into()
    } else {
        lim.join(" and ")
    }
}

/// "When each option wins" on the key outcomes: a sentence per option from the PRIM box of
/// "the option does better than the baseline" (`prim.csv`, `prim_box.csv`), worded as in a
/// run's report.
fn conditions(h: &mut String, d: &ExploreData) {
    let m = &d.manifest;
    let mut keys: Vec<&String> = m
        .key_outcomes
        .iter()
        .filter(|o| m.outcomes.contains(o))
        .collect();
    if keys.is_empty() {
        keys = m.outcomes.iter().collect();
    }
    keys.retain(|o| labels::outcome(o).higher_is_better.is_some());
    let others: Vec<&String> = m.policies.iter().filter(|p| **p != m.baseline).collect();
    h.push_str("<section id=\"conditions\">\n<h2>When each option wins</h2>\n");
    if others.is_empty() || keys.is_empty() {
        h.push_str("<p>The exploration has one option, or no outcome with a better direction: there is nothing to compare.</p>\n</section>\n");
        return;
    }
    let _ = writeln!(
        h,
        "<p>For each key outcome and each option against the baseline (<strong>{}</strong>): the region of assumptions where the option's mean over the replications beats the baseline's, as PRIM finds it over the {} design points (the densest box covering at least {:.0}% of the points where it does better, keeping restrictions with a quasi-p-value of at most {}). <em>Coverage</em> is the share of those points inside the box, <em>density</em> the share of the box's points where the option does better, against the share over all points; a box whose density is under {}× that share is not called a condition.</p>",
        esc(&m.baseline),
        m.points,
        100.0 * m.prim.min_coverage,
        m.prim.max_qp,
        crate::report::conditions::MIN_LIFT
    );
    for o in keys {
        let _ = writeln!(
            h,
            "<h3>{}</h3>\n<ul class=\"conditions\" id=\"conditions-{}\">",
            esc(&labels::outcome(o).name),
            esc(&labels::slug(o))
        );
        for opt in &others {
            let q = format!(
                "{}-better-{}",
                super::analyse::slug(opt),
                super::analyse::slug(o)
            );
            let steps: Vec<_> = d.prim.iter().filter(|s| s.question == q).collect();
            let limits: Vec<_> = d.prim_box.iter().filter(|l| l.question == q).collect();
            let rows =
                crate::report::conditions::rows_from_prim(o, opt, &m.baseline, &steps, &limits);
            let _ = writeln!(
                h,
                "<li>{}</li>",
                crate::report::conditions::sentence_text(&rows, false, false, "design points")
            );
        }
        h.push_str("</ul>\n");
    }
    h.push_str("</section>\n");
}

/// Writes `root/report.html` whole.
pub fn write(d: &ExploreData, charts: &[Drawn], root: &Path) -> anyhow::Result<()> {
    crate::kernel::fs::write_atomic(&root.join("report.html"), html(d, charts).as_bytes())
        .map_err(anyhow::Error::msg)
}

/// The whole page.
pub fn html(d: &ExploreData, charts: &[Drawn]) -> String {
    let m = &d.manifest;
    let (_, _, index_name) = method_of(d);
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"cohesion {}\">\n<title>{} — cohesion exploration, seed {}</title>\n<style>{}</style>\n</head>\n<body>\n",
        esc(&m.cohesion_version),
        esc(&m.scenario),
        m.seed,
        crate::report::CSS
    );
    let _ = write!(
        h,
        "<header>\n<h1>{}: which assumptions decide the answer</h1>\n<p class=\"description\">{}</p>\n",
        esc(&m.scenario),
        esc(&m.scenario_description)
    );
    let _ = write!(
        h,
        "<p class=\"note\" id=\"note\"><strong>What these numbers are.</strong> Instead of drawing the scenario's uncertain parameters at random in every trial, this exploration placed them at {} design points ({}) and ran every policy option {} times at each point, on the same random numbers for every option. Each point's result is the mean over those replications. The question is no longer \"how do the options compare on average\" but \"under which assumptions does each option do better, and which assumptions matter\". The ranges explored are the scenario's own; nothing here says which assumption is true.</p>\n</header>\n",
        m.points,
        esc(&d.design_text()),
        m.replications
    );
    super::bottom::section(&mut h, &d.dir, m, &|o| swatch(d, o));
    conditions(&mut h, d);
    h.push_str("<nav>\n<h2>Contents</h2>\n<ol>\n<li><a href=\"#bottom-line\">Bottom line</a></li>\n<li><a href=\"#conditions\">When each option wins</a></li>\n<li><a href=\"#decides\">What decides each comparison</a></li>\n");
    if !d.robustness.is_empty() {
        h.push_str("<li><a href=\"#robustness\">Robustness</a></li>\n");
    }
    h.push_str("<li><a href=\"#sensitivity\">Sensitivity</a></li>\n");
    if !d.prim.is_empty() {
        h.push_str("<li><a href=\"#discovery\">Scenario discovery</a></li>\n");
    }
    h.push_str("<li><a href=\"#design\">The design</a></li>\n<li><a href=\"#record\">The record</a></li>\n</ol>\n</nav>\n");
    // What decides each comparison.
    h.push_str("<section id=\"decides\">\n<h2>What decides each comparison</h2>\n");
    let others: Vec<&String> = m.policies.iter().filter(|p| **p != m.baseline).collect();
    if others.is_empty() {
        let _ = write!(
            h,
            "<p>The scenario has one option, so there is nothing to compare; the table ranks the parameters by {} for each outcome.</p>\n<table id=\"drivers-table\">\n<thead><tr><th>Outcome</th><th>Most influential</th><th>Next</th><th>Third</th></tr></thead>\n<tbody>\n",
            esc(index_name)
        );
        for o in &m.outcomes {
            let r = ranked(d, &m.baseline, "", o);
            let cell = |i: usize| {
                r.get(i)
                    .map(|x| format!("<code>{}</code> {}", esc(&x.parameter), interval(x)))
                    .unwrap_or_else(|| "–".into())
            };
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&labels::outcome(o).name),
                cell(0),
                cell(1),
                cell(2)
            );
        }
        h.push_str("</tbody>\n</table>\n");
    } else {
        let _ = write!(
            h,
            "<p>For each option against the baseline ({}) and each outcome: the share of design points at which the option does better; the assumptions that most move the paired difference (by {}, with bootstrap 95% intervals); how much of the variation between points is replication noise (the share of variance for a Sobol' design, the μ* that noise alone gives for Morris: indices close to it are not distinguishable from luck); and the region of assumptions where the option does better, as PRIM finds it (the densest box covering at least {:.0}% of those points, keeping only restrictions with a quasi-p-value of at most {}; its coverage and density).</p>\n<table class=\"grouped\" id=\"decides-table\">\n<thead><tr><th>Option</th><th>Outcome</th><th class=\"num\">Better at</th><th>Most influential assumption</th><th>Next</th><th class=\"num\">Noise</th><th>Where the option does better</th><th class=\"num\">Coverage</th><th class=\"num\">Density</th></tr></thead>\n",
            esc(&m.baseline),
            esc(index_name),
            100.0 * m.prim.min_coverage,
            m.prim.max_qp
        );
        for o in others {
            h.push_str("<tbody>\n");
            for (k, out) in m.outcomes.iter().enumerate() {
                let r = ranked(d, o, &m.baseline, out);
                let cell = |i: usize| {
                    r.get(i)
                        .map(|x| format!("<code>{}</code> {}", esc(&x.parameter), interval(x)))
                        .unwrap_or_else(|| "–".into())
                };
                let q = format!(
                    "{}-better-{}",
                    super::analyse::slug(o),
                    super::analyse::slug(out)
                );
                let steps: Vec<_> = d.prim.iter().filter(|s| s.question == q).collect();
                let (better, region, cov, den) =
                    match (steps.first(), steps.iter().find(|s| s.chosen)) {
                        (Some(f), Some(c)) => (
                            format!("{:.0}%", 100.0 * f.k as f64 / f.n.max(1) as f64),
                            box_text(d, &q),
                            format!("{:.0}%", 100.0 * c.coverage),
                            format!("{:.0}%", 100.0 * c.density),
                        ),
                        _ if labels::outcome(out).higher_is_better.is_none() => (
                            "–".into(),
                            "<span class=\"muted\">no better direction for this outcome</span>"
                                .into(),
                            "–".into(),
                            "–".into(),
                        ),
                        _ => ("0%".into(), "nowhere".into(), "–".into(), "–".into()),
                    };
                let name = if k == 0 {
                    format!(
                        "<th scope=\"rowgroup\" rowspan=\"{}\">{}</th>",
                        m.outcomes.len(),
                        swatch(d, o)
                    )
                } else {
                    String::new()
                };
                let _ = writeln!(
                    h,
                    "<tr>{name}<td>{}</td><td class=\"num\">{better}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{region}</td><td class=\"num\">{cov}</td><td class=\"num\">{den}</td></tr>",
                    esc(&labels::outcome(out).name),
                    cell(0),
                    cell(1),
                    noise(d, o, &m.baseline, out)
                );
            }
            h.push_str("</tbody>\n");
        }
        h.push_str("</table>\n");
    }
    h.push_str("</section>\n");
    // Robustness.
    if !d.robustness.is_empty() {
        h.push_str("<section id=\"robustness\">\n<h2>Robustness</h2>\n<p>Regret: at each design point, how far an option falls short of the best option there (0 where it is the best). Options are ranked per outcome by their maximum regret (the most robust first), then by the 90th percentile.</p>\n<table id=\"robustness-table\">\n<thead><tr><th>Outcome</th><th class=\"num\">Rank</th><th>Option</th><th class=\"num\">Mean</th><th class=\"num\">Median regret</th><th class=\"num\">90th pct regret</th><th class=\"num\">Max regret</th><th class=\"num\">Best at</th></tr></thead>\n<tbody>\n");
        let mut rows: Vec<_> = d.robustness.iter().collect();
        rows.sort_by(|a, b| {
            let oa = m.outcomes.iter().position(|o| *o == a.outcome);
            let ob = m.outcomes.iter().position(|o| *o == b.outcome);
            oa.cmp(&ob).then(a.rank.cmp(&b.rank))
        });
        for r in rows {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{:.0}%</td></tr>",
                esc(&labels::outcome(&r.outcome).name),
                r.rank,
                swatch(d, &r.option),
                short(r.mean),
                short(r.regret_p50),
                short(r.regret_p90),
                short(r.regret_max),
                100.0 * r.best_share
            );
        }
        h.push_str("</tbody>\n</table>\n");
        if !d.satisficing.is_empty() {
            h.push_str("<table id=\"satisficing-table\">\n<thead><tr><th>Threshold</th><th class=\"num\">Rank</th><th>Option</th><th class=\"num\">Points meeting it</th></tr></thead>\n<tbody>\n");
            for r in &d.satisficing {
                let _ = writeln!(
                    h,
                    "<tr><td>{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{} of {} ({:.0}%)</td></tr>",
                    esc(&r.criterion),
                    r.rank,
                    swatch(d, &r.option),
                    r.met,
                    r.points,
                    100.0 * r.share
                );
            }
            h.push_str("</tbody>\n</table>\n");
        }
        for c in charts
            .iter()
            .filter(|c| c.id == "robustness" || c.id == "satisficing")
        {
            figure(&mut h, c);
        }
        h.push_str("</section>\n");
    }
    // Sensitivity.
    h.push_str("<section id=\"sensitivity\">\n<h2>Sensitivity</h2>\n<p>All indices, with their intervals, are in <code>sensitivity.csv</code> (second-order Sobol' indices too, when asked for).</p>\n");
    for c in charts.iter().filter(|c| c.id.starts_with("sensitivity-")) {
        figure(&mut h, c);
    }
    h.push_str("</section>\n");
    // Discovery.
    if !d.prim.is_empty() {
        h.push_str("<section id=\"discovery\">\n<h2>Scenario discovery</h2>\n<p>PRIM boxes for every comparison above (trajectories in <code>prim.csv</code>, chosen boxes with quasi-p-values in <code>prim_box.csv</code>). Ask another question of these results, or of any run, with <code>cohesion discover DIR --option A --versus B --outcome O</code>.</p>\n<details>\n<summary>The charts, one per question</summary>\n");
        for c in charts.iter().filter(|c| c.id.starts_with("prim-")) {
            figure(&mut h, c);
        }
        h.push_str("</details>\n</section>\n");
    }
    // Design.
    h.push_str("<section id=\"design\">\n<h2>The design</h2>\n<table id=\"design-table\">\n<thead><tr><th>Parameter</th><th>Role</th><th>Explored over</th></tr></thead>\n<tbody>\n");
    for p in &m.parameters {
        let _ = writeln!(
            h,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            esc(&p.name),
            esc(&p.role),
            esc(&p.distribution)
        );
    }
    let _ = write!(
        h,
        "</tbody>\n</table>\n<p>{}. {}.</p>\n",
        esc(&d.design_text()),
        esc(&m.randomisation)
    );
    if let Ok((_, rows)) = crate::output::explore::read_table(&d.dir.join("policies.csv")) {
        h.push_str("<table id=\"options-table\">\n<thead><tr><th>Option</th><th>Lever</th><th>Value</th></tr></thead>\n<tbody>\n");
        for r in rows {
            let _ = writeln!(
                h,
                "<tr><td>{}{}</td><td><code>{}</code></td><td>{}</td></tr>",
                swatch(d, r.get(0).unwrap_or("")),
                if r.get(1) == Some("true") {
                    " <strong>(baseline)</strong>"
                } else {
                    ""
                },
                esc(r.get(2).unwrap_or("")),
                esc(r.get(3).unwrap_or(""))
            );
        }
        h.push_str("</tbody>\n</table>\n");
    }
    h.push_str("</section>\n");
    // Record.
    h.push_str("<section id=\"record\">\n<h2>The record</h2>\n<table class=\"meta\" id=\"manifest-table\">\n<tbody>\n");
    let mut meta: Vec<(&str, String)> = vec![
        ("Scenario", m.scenario.clone()),
        ("Scenario file", m.scenario_path.clone()),
        ("Scenario hash (BLAKE3)", m.scenario_blake3.clone()),
        ("Model", m.model.clone()),
        ("Seed", m.seed.to_string()),
        ("Design", d.design_text()),
        ("Bootstrap resamples", m.bootstrap.to_string()),
        ("Baseline option", m.baseline.clone()),
        ("cohesion version", m.cohesion_version.clone()),
    ];
    if let Some(g) = &m.git_commit {
        meta.push(("Git commit", g.clone()));
    }
    meta.push(("Started", m.started.clone()));
    for (k, v) in meta {
        let _ = writeln!(
            h,
            "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
            esc(k),
            esc(&v)
        );
    }
    let _ = write!(
        h,
        "</tbody>\n</table>\n</section>\n<footer>Made by cohesion {} from <code>sensitivity.csv</code>, <code>prim.csv</code>, <code>prim_box.csv</code>, <code>robustness.csv</code>, <code>satisficing.csv</code>, <code>policies.csv</code> and <code>manifest.json</code> (per-point results in <code>results.csv</code>, the design in <code>design.csv</code>). Redraw with <code>cohesion plot DIR</code>.</footer>\n</body>\n</html>\n",
        esc(&m.cohesion_version)
    );
    h
}
