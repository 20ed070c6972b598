//! The report's "when each option wins" section and `conditions.csv`, through the binary: the
//! boxes are the ones `cohesion discover` finds for the same question on the same folder, the
//! bytes do not depend on the thread count, and a run without uncertainties or with one option
//! says so.

use std::collections::BTreeMap;
use std::path::Path;

use crate::util::{self, Table, run_ok};

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

const HEADER: &str =
    "outcome,option,versus,parameter,lower,upper,quasi_p,coverage,density,base_rate";

/// A question (outcome, option, versus) and its rows.
type Question = ((String, String, String), Vec<Vec<String>>);

/// The questions of a conditions table, in order, each with its rows.
fn questions(t: &Table) -> Vec<Question> {
    let (o, a, b) = (t.col("outcome"), t.col("option"), t.col("versus"));
    let mut out: Vec<Question> = Vec::new();
    for r in &t.rows {
        let key = (r[o].clone(), r[a].clone(), r[b].clone());
        match out.last_mut() {
            Some((k, rows)) if *k == key => rows.push(r.clone()),
            _ => out.push((key, vec![r.clone()])),
        }
    }
    out
}

#[test]
fn the_report_says_when_each_option_wins_and_its_boxes_are_discovers() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one");
    let two = dir.path().join("two");
    let args = |threads: &'static str| {
        vec![
            "--trials",
            "1200",
            "--policies",
            "label-hostile,dialogue,full-package",
            "--threads",
            threads,
        ]
    };
    util::run_to("nato-2021", &one, 5, &args("1"));
    util::run_to("nato-2021", &two, 5, &args("2"));
    // The table and the report's section are the same bytes at 1 and 2 threads (the rest of
    // the report records the command line and the time).
    let section = |dir: &Path| {
        let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
        let i = html
            .find("<section id=\"conditions\">")
            .expect("no conditions section");
        let j = i + html[i..].find("</section>").unwrap();
        html[i..j].to_string()
    };
    let read = |dir: &Path| std::fs::read(dir.join("conditions.csv")).unwrap();
    assert!(
        read(&one) == read(&two),
        "conditions.csv differs between 1 and 2 threads"
    );
    assert!(
        section(&one) == section(&two),
        "the section differs between 1 and 2 threads"
    );
    let text = std::fs::read_to_string(one.join("conditions.csv")).unwrap();
    assert_eq!(text.lines().next(), Some(HEADER));
    let t = Table::read(&one.join("conditions.csv"));
    let qs = questions(&t);
    // Every key outcome, every option against the baseline.
    for o in ["fracture", "cohesion_final", "credibility_final", "crises"] {
        for a in ["label-hostile", "dialogue", "full-package"] {
            assert!(
                qs.iter()
                    .any(|((x, y, z), _)| x == o && y == a && z == "status-quo"),
                "no question {a} versus status-quo on {o}"
            );
        }
    }
    let html = std::fs::read_to_string(one.join("report.html")).unwrap();
    let sec = html
        .split("<section id=\"conditions\">")
        .nth(1)
        .expect("no conditions section")
        .split("</section>")
        .next()
        .unwrap();
    let uncertain = [
        "risk_appetite",
        "strategy_military",
        "label_provocation",
        "credibility_label",
        "dialogue_legitimation",
        "dialogue_deescalation",
        "counter_disinfo_effect",
        "condition_incentive",
        "disinfo_erosion",
    ];
    let mut boxes = 0;
    for ((outcome, option, versus), rows) in &qs {
        let param = &rows[0][t.col("parameter")];
        // The same question asked of `cohesion discover`, its tables written beside.
        let out = dir
            .path()
            .join(format!("discover-{outcome}-{option}-{versus}"));
        let mut args = vec![
            "discover",
            p(&one),
            "--option",
            option,
            "--versus",
            versus,
            "--outcome",
            outcome,
            "--out",
            p(&out),
        ];
        if matches!(outcome.as_str(), "cohesion_final" | "credibility_final") {
            args.push("--higher");
        }
        if rows[0][t.col("density")].is_empty() {
            // The option never does better: discover has nothing to discover either.
            let d = util::run(&args);
            assert!(!d.status.success());
            assert!(
                util::stderr(&d).contains("nothing to discover"),
                "{}",
                util::stderr(&d)
            );
            assert_eq!(t.num(&rows[0], "base_rate"), 0.0);
            continue;
        }
        let d = run_ok(&args);
        let printed = util::stdout(&d);
        let steps = Table::read(&out.join("prim.csv"));
        let chosen = steps.row(&[("chosen", "1")]);
        let first = steps.row(&[("step", "0")]);
        let base = steps.num(first, "k") / steps.num(first, "n");
        assert!(
            (t.num(&rows[0], "base_rate") - base).abs() < 1e-12,
            "{outcome} {option} {versus}: base rate"
        );
        let limits = Table::read(&out.join("prim_box.csv"));
        if param.is_empty() {
            // No box: discover's chosen box restricts nothing, or barely beats the base rate.
            let density = steps.num(chosen, "density");
            assert!(
                limits.rows.is_empty() || density < 1.1 * base,
                "{outcome} {option} {versus}: conditions.csv has no box, discover has\n{printed}"
            );
            continue;
        }
        boxes += 1;
        assert!(uncertain.contains(&param.as_str()), "{param}");
        for (c, s) in [("coverage", "coverage"), ("density", "density")] {
            assert_eq!(
                t.num(&rows[0], c),
                steps.num(chosen, s),
                "{outcome} {option} {versus}: {c}"
            );
        }
        assert_eq!(
            rows.len(),
            limits.rows.len(),
            "{outcome} {option} {versus}: restricted parameters\n{printed}"
        );
        let by_name: BTreeMap<&str, &Vec<String>> = limits
            .rows
            .iter()
            .map(|r| (r[limits.col("parameter")].as_str(), r))
            .collect();
        for r in rows {
            let name = r[t.col("parameter")].as_str();
            assert!(printed.contains(name), "discover does not name {name}");
            let l = by_name
                .get(name)
                .unwrap_or_else(|| panic!("discover has no limit on {name}"));
            for (side, qp) in [("lower", "qp_lower"), ("upper", "qp_upper")] {
                let mine = &r[t.col(side)];
                let theirs = &l[limits.col(side)];
                if l[limits.col(qp)].is_empty() {
                    assert!(mine.is_empty(), "{name} {side}: unrestricted in discover");
                } else {
                    assert_eq!(mine, theirs, "{outcome} {option} {versus}: {name} {side}");
                }
            }
            let qps: Vec<f64> = ["qp_lower", "qp_upper"]
                .iter()
                .map(|c| &l[limits.col(c)])
                .filter(|s| !s.is_empty())
                .map(|s| s.parse().unwrap())
                .collect();
            let least = qps.iter().copied().fold(f64::INFINITY, f64::min);
            assert_eq!(t.num(r, "quasi_p"), least, "{name} quasi-p");
        }
        // The report's sentence names the option, the parameter and its limit.
        let limit = &rows[0][t.col(if rows[0][t.col("lower")].is_empty() {
            "upper"
        } else {
            "lower"
        })];
        let v: f64 = limit.parse().unwrap();
        let shown = if v.abs() >= 1.0 {
            format!("{v:.2}")
        } else {
            format!("{v:.3}")
        };
        assert!(
            sec.contains(&format!("<code>{param}</code> ")) && sec.contains(&shown),
            "the report does not show {param} at {shown}"
        );
    }
    assert!(boxes > 0, "no question found a box:\n{text}");
    assert!(sec.contains("mainly when"), "{sec}");
    assert!(sec.contains("coverage") && sec.contains("overall"));

    // `cohesion plot` redraws the section from conditions.csv alone.
    let first_param = t
        .rows
        .iter()
        .map(|r| r[t.col("parameter")].clone())
        .find(|s| !s.is_empty())
        .unwrap();
    std::fs::write(
        one.join("conditions.csv"),
        text.replace(&first_param, "made_up_parameter"),
    )
    .unwrap();
    run_ok(&["plot", p(&one), "--charts", "boxes", "-q"]);
    let redrawn = std::fs::read_to_string(one.join("report.html")).unwrap();
    assert!(redrawn.contains("<code>made_up_parameter</code>"));
}

#[test]
fn without_uncertainties_or_with_one_option_the_section_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let fixed = dir.path().join("fixed");
    util::run_to("reference/hk-0.2", &fixed, 1, &["--trials", "40"]);
    let text = std::fs::read_to_string(fixed.join("conditions.csv")).unwrap();
    assert_eq!(
        text.trim_end(),
        HEADER,
        "a run without uncertainties has no boxes"
    );
    let html = std::fs::read_to_string(fixed.join("report.html")).unwrap();
    let sec = html
        .split("<section id=\"conditions\">")
        .nth(1)
        .expect("no conditions section");
    assert!(
        sec.contains("drew no uncertain parameter") || sec.contains("one option"),
        "{}",
        &sec[..sec.len().min(600)]
    );

    let alone = dir.path().join("alone");
    util::run_to(
        "nato-2021",
        &alone,
        2,
        &["--trials", "50", "--policies", "status-quo"],
    );
    let html = std::fs::read_to_string(alone.join("report.html")).unwrap();
    let sec = html
        .split("<section id=\"conditions\">")
        .nth(1)
        .expect("no conditions section");
    assert!(sec.starts_with("\n<h2>When each option wins</h2>\n<p>The run has one option"));
}
