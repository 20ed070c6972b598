//! `report.html`: one self-contained page per run, to open from a file browser, read, print
//! and forward.
//!
//! It opens with the bottom line ([`bottom`]: the options ranked on the scenario's key
//! outcomes, each difference with its interval and verdict, and what drives it) and the
//! conditions under which each option wins ([`conditions`], from `conditions.csv`), then holds the
//! scenario's name and description, a plain note on what the numbers are (and
//! are not), the manifest's key facts, the policy options and their levers, the scripted
//! injects, every chart inlined as SVG with a one-line caption, and the summary and
//! comparison tables. No script, no network, no external file; CSS for screen and print.

pub mod bottom;
pub mod conditions;
pub mod discover;

use std::fmt::Write;

use crate::kernel::html::escape as esc;
use crate::plot::data::{Kind, RunData};
use crate::plot::numbers::{fixed_or_dash, fmt_value, signed};
use crate::plot::{Drawn, labels, style};

/// The stylesheet of every page cohesion writes (the run report, the validation page).
pub const CSS: &str = r#"
:root { --ink: #1a1a1a; --muted: #5a5a5a; --rule: #d9d9d9; --zebra: #f6f6f6; --note: #fff8e1; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", Verdana, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--ink);
       max-width: 1180px; margin: 0 auto; padding: 24px 28px 48px; line-height: 1.45; font-size: 16px; }
h1 { font-size: 30px; margin: 0 0 6px; }
h2 { font-size: 22px; margin: 36px 0 10px; border-bottom: 2px solid var(--rule); padding-bottom: 4px; }
h3 { font-size: 18px; margin: 22px 0 8px; }
p.description { font-size: 18px; margin: 4px 0 14px; }
.note { background: var(--note); border-left: 6px solid #e69f00; padding: 12px 16px; margin: 14px 0; }
nav ol { columns: 2; margin: 6px 0; padding-left: 22px; }
nav a, a { color: #0060a0; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 4px; font-size: 14px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--rule); vertical-align: top; }
th { background: #ececec; }
tbody tr:nth-child(even) td { background: var(--zebra); }
table.grouped tbody { border-top: 2px solid #b0b0b0; }
table.grouped tbody tr td { background: none; }
table.grouped tbody:nth-of-type(even) td, table.grouped tbody:nth-of-type(even) th { background: var(--zebra); }
th[scope="rowgroup"] { background: none; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.meta th { width: 220px; background: none; }
table.meta td { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 13px; word-break: break-all; }
.sw { display: inline-block; width: 14px; height: 14px; border-radius: 3px; margin-right: 6px; vertical-align: -2px;
      -webkit-print-color-adjust: exact; print-color-adjust: exact; }
figure.chart { margin: 22px 0 30px; }
figure.chart svg { display: block; width: 100%; height: auto; border: 1px solid var(--rule); }
figcaption { margin-top: 6px; color: var(--ink); font-size: 15px; }
figcaption .file { color: var(--muted); font-size: 13px; white-space: nowrap; }
.muted { color: var(--muted); }
ul.headlines { font-size: 17px; margin: 8px 0 14px; padding-left: 22px; }
ul.headlines li { margin: 4px 0; }
footer { margin-top: 40px; color: var(--muted); font-size: 13px; border-top: 1px solid var(--rule); padding-top: 8px; }
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  body { max-width: none; padding: 0; font-size: 11pt; }
  nav { display: none; }
  h2 { break-after: avoid; }
  figure.chart { break-inside: avoid; page-break-inside: avoid; }
  figure.chart svg { border: none; max-height: 150mm; }
  tr { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  .note { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

fn swatch(i: usize) -> String {
    format!(
        "<span class=\"sw\" style=\"background:{}\"></span>",
        style::hex(style::option_colour(i))
    )
}

fn opt_cell(data: &RunData, option: &str) -> String {
    match data.option_index(option) {
        Some(i) => format!("{}{}", swatch(i), esc(option)),
        None => esc(option),
    }
}

/// The first cell of a group of rows: the outcome's name, and its column name beneath.
fn group_head(rows: usize, name: &str, outcome: &str) -> String {
    format!(
        "<th scope=\"rowgroup\" rowspan=\"{rows}\">{}<br><code class=\"muted\">{}</code></th>",
        esc(name),
        esc(outcome)
    )
}

fn num(v: Option<f64>, percent: bool) -> String {
    v.map(|v| fmt_value(v, percent))
        .unwrap_or_else(|| "–".into())
}

/// Writes `root/report.html` whole from the run's data and its drawn charts.
pub fn write(data: &RunData, charts: &[Drawn], root: &std::path::Path) -> anyhow::Result<()> {
    crate::kernel::fs::write_atomic(&root.join("report.html"), html(data, charts).as_bytes())
        .map_err(anyhow::Error::msg)
}

/// The whole page.
pub fn html(data: &RunData, charts: &[Drawn]) -> String {
    let info = &data.info;
    let mut h = String::new();
    let title = format!("{} — cohesion report, seed {}", info.scenario, info.seed);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"cohesion {}\">\n<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n",
        esc(&info.version),
        esc(&title),
        CSS
    );
    let _ = write!(h, "<header>\n<h1>{}</h1>\n", esc(&info.scenario));
    if !info.description.is_empty() {
        let _ = writeln!(h, "<p class=\"description\">{}</p>", esc(&info.description));
    }
    let _ = write!(
        h,
        "<p class=\"note\" id=\"note\"><strong>What these numbers are.</strong> Everything on this page is a distribution of the outcomes of a model, run {} times per policy option under the assumptions stated in the scenario (its parameters, the ranges of its uncertainties, the policy options and the scripted injects listed below). They are not forecasts: they show how the options compare <em>if</em> those assumptions hold, and how widely the outcomes vary under them. Intervals reflect the number of trials, not doubt about the assumptions themselves.</p>\n</header>\n",
        info.trials
    );
    bottom::section(&mut h, data);
    if let Err(e) = bottom::drivers(&mut h, data) {
        let _ = writeln!(
            h,
            "<p class=\"muted\">What drives it: not available ({}).</p>",
            esc(&format!("{e:#}"))
        );
    }
    conditions::section(&mut h, data);
    // Contents.
    h.push_str("<nav>\n<h2>Contents</h2>\n<ol>\n<li><a href=\"#bottom-line\">Bottom line</a></li>\n<li><a href=\"#conditions\">When each option wins</a></li>\n<li><a href=\"#run\">The run</a></li>\n<li><a href=\"#options\">Policy options</a></li>\n");
    if !data.injects.is_empty() {
        h.push_str("<li><a href=\"#injects\">Scripted injects</a></li>\n");
    }
    for d in charts {
        let _ = writeln!(
            h,
            "<li><a href=\"#chart-{}\">{}</a></li>",
            esc(&d.id),
            esc(&d.title)
        );
    }
    h.push_str("<li><a href=\"#summary\">Summary of outcomes</a></li>\n");
    if data.has_comparison() {
        h.push_str("<li><a href=\"#comparison\">Differences from the baseline</a></li>\n");
    }
    h.push_str("</ol>\n</nav>\n");
    // The run.
    h.push_str("<section id=\"run\">\n<h2>The run</h2>\n<table class=\"meta\" id=\"manifest-table\">\n<tbody>\n");
    let mut meta: Vec<(&str, String)> = vec![
        ("Scenario", info.scenario.clone()),
        ("Scenario file", info.scenario_path.clone()),
        ("Scenario hash (BLAKE3)", info.scenario_blake3.clone()),
        ("Model", info.model.clone()),
        ("Seed", info.seed.to_string()),
        ("Trials per option", info.trials.to_string()),
        ("Block size", info.block_size.to_string()),
        ("Baseline option", info.baseline.clone()),
        ("cohesion version", info.version.clone()),
    ];
    if let Some(g) = &info.git_commit {
        meta.push(("Git commit", g.clone()));
    }
    meta.push(("Started", info.started.clone()));
    meta.push(("Quantile accuracy", info.quantile_accuracy.clone()));
    for (k, v) in meta {
        let _ = writeln!(
            h,
            "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
            esc(k),
            esc(&v)
        );
    }
    h.push_str("</tbody>\n</table>\n<p class=\"muted\">The full record (command line, every input file's hash, timings) is in <code>manifest.json</code>; every number here comes from the CSV files beside this page.</p>\n</section>\n");
    // Options.
    h.push_str("<section id=\"options\">\n<h2>Policy options</h2>\n<table id=\"options-table\">\n<thead><tr><th>Option</th><th>Description</th><th>Levers</th></tr></thead>\n<tbody>\n");
    let table = data.policy_table();
    let names: Vec<String> = if table.is_empty() {
        data.options().to_vec()
    } else {
        table.iter().map(|r| r.name.clone()).collect()
    };
    for name in names {
        let row = table.iter().find(|r| r.name == name);
        let is_base = row.map(|r| r.baseline).unwrap_or(name == info.baseline);
        let levers = row
            .map(|r| {
                r.levers
                    .iter()
                    .map(|(l, v)| format!("<code>{}</code> = {}", esc(l), esc(v)))
                    .collect::<Vec<_>>()
                    .join("<br>")
            })
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "<span class=\"muted\">scenario defaults</span>".into());
        let _ = writeln!(
            h,
            "<tr><td>{}{}</td><td>{}</td><td>{}</td></tr>",
            opt_cell(data, &name),
            if is_base {
                " <strong>(baseline)</strong>"
            } else {
                ""
            },
            esc(row.map(|r| r.description.as_str()).unwrap_or("")),
            levers
        );
    }
    h.push_str("</tbody>\n</table>\n</section>\n");
    // Injects.
    if !data.injects.is_empty() {
        h.push_str("<section id=\"injects\">\n<h2>Scripted injects</h2>\n<p>Events that happen in every trial at a fixed turn (numbered as on the time charts).</p>\n<table id=\"injects-table\">\n<thead><tr><th class=\"num\">#</th><th class=\"num\">Turn</th><th>Date</th><th>Kind</th><th>Event</th></tr></thead>\n<tbody>\n");
        for (i, inj) in data.injects.iter().enumerate() {
            let desc = if inj.description.is_empty() {
                String::new()
            } else {
                format!("<br><span class=\"muted\">{}</span>", esc(&inj.description))
            };
            let _ = writeln!(
                h,
                "<tr><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}{}</td></tr>",
                i + 1,
                inj.turn,
                esc(&inj.date),
                esc(&inj.kind),
                esc(&inj.name),
                desc
            );
        }
        h.push_str("</tbody>\n</table>\n</section>\n");
    }
    // Charts.
    h.push_str("<section id=\"charts\">\n<h2>Charts</h2>\n");
    for d in charts {
        let svg = d.svg.trim_end();
        let _ = write!(
            h,
            "<figure class=\"chart\" id=\"chart-{id}\">\n{svg}\n<figcaption><strong>{title}.</strong> {cap} <span class=\"file\">(charts/{id}.svg, .png)</span></figcaption>\n</figure>\n",
            id = esc(&d.id),
            title = esc(&d.title),
            cap = esc(&d.caption),
        );
    }
    h.push_str("</section>\n");
    summary_tables(&mut h, data);
    comparison_table(&mut h, data);
    let allies = if !data.has_allies() {
        ""
    } else {
        "<code>allies.csv</code>, "
    };
    let _ = write!(
        h,
        "<footer>Made by cohesion {} from <code>summary.csv</code>, <code>timeseries.csv</code>, <code>comparison.csv</code>, <code>conditions.csv</code>, {allies}<code>trials.csv</code>, <code>injects.csv</code>, <code>policies.csv</code> and <code>manifest.json</code>. Redraw with <code>cohesion plot DIR</code>.</footer>\n</body>\n</html>\n",
        esc(&info.version)
    );
    h
}

/// Decimals that resolve differences of about a tenth of `spread` (at least one more than
/// the spread's own order of magnitude needs).
fn decimals_for(spread: f64) -> usize {
    if spread.is_nan() || spread <= 0.0 || !spread.is_finite() {
        return 2;
    }
    ((-(spread / 10.0).log10()).ceil().max(0.0) as usize).min(6)
}

fn summary_tables(h: &mut String, data: &RunData) {
    h.push_str("<section id=\"summary\">\n<h2>Summary of outcomes</h2>\n<p>Per outcome and option, over all trials: the mean with the 95% interval of the mean, percentiles, and for yes/no outcomes the probability with its Wilson 95% interval. All columns, unrounded, are in <code>summary.csv</code>.</p>\n");
    h.push_str("<table id=\"summary-table\" class=\"grouped\">\n<thead><tr><th>Outcome</th><th>Option</th><th class=\"num\">n</th><th class=\"num\">Mean [95% CI]</th><th class=\"num\">5%</th><th class=\"num\">25%</th><th class=\"num\">Median</th><th class=\"num\">75%</th><th class=\"num\">95%</th><th class=\"num\">Probability [95% CI]</th></tr></thead>\n");
    for (o, kind) in data.plain_outcomes() {
        let label = labels::outcome(o);
        if *kind == Kind::Category {
            category_rows(h, data, o, &label.name);
            continue;
        }
        let rows: Vec<_> = data
            .options()
            .iter()
            .filter_map(|opt| data.summary(opt, o).map(|r| (opt, r)))
            .collect();
        let lo = rows
            .iter()
            .filter_map(|(_, r)| r.p5.or(r.min))
            .fold(f64::INFINITY, f64::min);
        let hi = rows
            .iter()
            .filter_map(|(_, r)| r.p95.or(r.max))
            .fold(f64::NEG_INFINITY, f64::max);
        // Means to the resolution of their interval, quantiles to a tenth of the spread.
        let ci = rows
            .iter()
            .filter_map(|(_, r)| Some(r.mean_hi95? - r.mean_lo95?))
            .filter(|w| *w > 0.0)
            .fold(f64::INFINITY, f64::min);
        let d_spread = decimals_for(hi - lo);
        let d_mean = if ci.is_finite() {
            d_spread.max(decimals_for(ci * 10.0) + 1).min(6)
        } else {
            d_spread
        };
        let d_q = if matches!(kind, Kind::Count | Kind::Turn) {
            0
        } else {
            d_spread
        };
        h.push_str("<tbody>\n");
        for (k, (opt, r)) in rows.iter().enumerate() {
            let first = if k == 0 {
                group_head(rows.len(), &label.name, o)
            } else {
                String::new()
            };
            let pct = |v: Option<f64>| fixed_or_dash(v, 1, true);
            let (mean, prob) = if *kind == Kind::Binary {
                (
                    String::new(),
                    format!(
                        "{} [{}, {}]",
                        pct(r.prob),
                        pct(r.prob_lo95),
                        pct(r.prob_hi95)
                    ),
                )
            } else {
                (
                    format!(
                        "{} [{}, {}]",
                        fixed_or_dash(r.mean, d_mean, false),
                        fixed_or_dash(r.mean_lo95, d_mean, false),
                        fixed_or_dash(r.mean_hi95, d_mean, false)
                    ),
                    String::new(),
                )
            };
            let q = |v| {
                if *kind == Kind::Binary {
                    String::new()
                } else {
                    fixed_or_dash(v, d_q, false)
                }
            };
            let _ = writeln!(
                h,
                "<tr>{first}<td>{}</td><td class=\"num\">{}</td><td class=\"num\">{mean}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{prob}</td></tr>",
                opt_cell(data, opt),
                r.n,
                q(r.p5),
                q(r.p25),
                q(r.p50),
                q(r.p75),
                q(r.p95),
            );
        }
        h.push_str("</tbody>\n");
    }
    h.push_str("</table>\n");
    // Families, wide: one row per member, one column per option. Of the per-ally metrics
    // (allies.csv) only the headline ones get a table; the page notes where the rest are.
    let ally_metrics = data.ally_metrics();
    // Only a run with the headline metrics hides the others (a model with other per-actor
    // families, e.g. a bargaining model's, keeps all its tables).
    let headline = REPORT_ALLY_METRICS
        .iter()
        .any(|h| ally_metrics.iter().any(|m| m == h));
    let shown = |p: &str| {
        !headline || !ally_metrics.iter().any(|m| m == p) || REPORT_ALLY_METRICS.contains(&p)
    };
    for (prefix, kind) in data.families() {
        if !shown(&prefix) {
            continue;
        }
        let (title, _, percent) = labels::family(&prefix);
        let what = if kind == Kind::Binary {
            "probability"
        } else {
            "mean"
        };
        let _ = write!(
            h,
            "<h3>{} ({what} per option)</h3>\n<table id=\"summary-{}\" class=\"family\">\n<thead><tr><th>{}</th>",
            esc(&title),
            esc(&labels::slug(&prefix)),
            esc(&prefix)
        );
        for opt in data.options() {
            let _ = write!(h, "<th class=\"num\">{}</th>", opt_cell(data, opt));
        }
        h.push_str("</tr></thead>\n<tbody>\n");
        for (n, member) in data.members(&prefix) {
            let _ = write!(h, "<tr><td>{}</td>", esc(&member));
            for opt in data.options() {
                let v = data
                    .summary(opt, &n)
                    .and_then(|r| if kind == Kind::Binary { r.prob } else { r.mean });
                let _ = write!(
                    h,
                    "<td class=\"num\">{}</td>",
                    num(v, percent || kind == Kind::Binary)
                );
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</tbody>\n</table>\n");
    }
    let rest: Vec<String> = ally_metrics
        .iter()
        .filter(|m| !shown(m))
        .map(|m| format!("<code>{}</code>", esc(m)))
        .collect();
    if !rest.is_empty() {
        let _ = writeln!(
            h,
            "<p class=\"muted\" id=\"allies-note\">Per ally, also in <code>allies.csv</code> (mean, sd, 5th/50th/95th percentiles per option): {}.</p>",
            rest.join(", ")
        );
    }
    h.push_str("</section>\n");
}

/// A categorical outcome in the summary table: per option, the share of trials in each
/// category (never an average).
fn category_rows(h: &mut String, data: &RunData, o: &str, name: &str) {
    let n = data.options().len();
    h.push_str("<tbody>\n");
    for (p, opt) in data.options().iter().enumerate() {
        let first = if p == 0 {
            group_head(n, name, o)
        } else {
            String::new()
        };
        let shares = data.category_shares(o, p);
        let text = if shares.is_empty() {
            "distribution in <code>trials.csv</code>".to_string()
        } else {
            shares
                .iter()
                .map(|(c, _, s)| format!("{} {}%", esc(c), fixed_or_dash(Some(*s), 1, true)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(
            h,
            "<tr>{first}<td>{}</td><td class=\"num\">{}</td><td colspan=\"7\">{text}</td></tr>",
            opt_cell(data, opt),
            data.summary(opt, o).map(|r| r.n).unwrap_or(0),
        );
    }
    h.push_str("</tbody>\n");
}

/// The per-ally metrics the report shows as tables (the rest are in `allies.csv`).
const REPORT_ALLY_METRICS: [&str; 4] = [
    "channel_ever",
    "channel_months",
    "blocked_consensus",
    "defence_change_pp",
];

fn comparison_table(h: &mut String, data: &RunData) {
    if !data.has_comparison() {
        return;
    }
    let _ = write!(
        h,
        "<section id=\"comparison\">\n<h2>Differences from the baseline</h2>\n<p>Each option against the baseline (<strong>{}</strong>) over the same trials and random numbers: the mean paired difference and its 95% interval (yes/no outcomes in percentage points, with Newcombe's paired score interval), and the verdict against the outcome's negligible band (as in the bottom line). Categorical outcomes have no difference of means; per-member outcomes are in <code>comparison.csv</code>.</p>\n<table id=\"comparison-table\" class=\"grouped\">\n<thead><tr><th>Outcome</th><th>Option</th><th class=\"num\">Mean difference</th><th class=\"num\">95% interval</th><th>Verdict</th></tr></thead>\n",
        esc(&data.info.baseline)
    );
    for (o, kind) in data.plain_outcomes() {
        let label = labels::outcome(o);
        let pp = *kind == Kind::Binary;
        let rows: Vec<_> = data
            .options()
            .iter()
            .filter_map(|opt| data.comparison(opt, o).map(|r| (opt, r)))
            .filter_map(|(opt, r)| match (r.mean_diff, r.diff_lo95, r.diff_hi95) {
                (Some(m), Some(a), Some(b)) => Some((opt, m, a, b)),
                _ => None,
            })
            .collect();
        if rows.is_empty() {
            continue;
        }
        let width = rows
            .iter()
            .map(|r| r.3 - r.2)
            .filter(|w| *w > 0.0)
            .fold(f64::INFINITY, f64::min);
        let width = if width.is_finite() {
            width
        } else {
            rows.iter().map(|r| r.1.abs()).fold(0.0, f64::max)
        };
        let d = decimals_for(width * if pp { 100.0 } else { 1.0 } * 10.0) + 1;
        h.push_str("<tbody>\n");
        for (k, (opt, m, a, b)) in rows.iter().enumerate() {
            let (m, a, b) = (*m, *a, *b);
            let reading = data
                .comparison(opt, o)
                .and_then(|r| bottom::verdict_of(data, r))
                .map(|v| {
                    if v.firm() {
                        format!("<strong>{}</strong>", v.word())
                    } else {
                        v.word().to_string()
                    }
                })
                .unwrap_or_else(|| "–".into());
            let first = if k == 0 {
                group_head(rows.len(), &label.name, o)
            } else {
                String::new()
            };
            let _ = writeln!(
                h,
                "<tr>{first}<td>{}</td><td class=\"num\">{}</td><td class=\"num\">[{}, {}]</td><td>{}</td></tr>",
                opt_cell(data, opt),
                signed(m, d, pp),
                signed(a, d, pp),
                signed(b, d, pp),
                reading
            );
        }
        h.push_str("</tbody>\n");
    }
    h.push_str("</table>\n</section>\n");
}
