//! Charts and the report: every chart file exists and is a valid PNG or SVG of the requested
//! size with its title and labels; `cohesion plot DIR` redraws the same SVG bytes as
//! `cohesion run`; `report.html` holds every chart and table.
//!
//! Set `COHESION_KEEP_CHARTS=DIR` to keep the synthetic alliance run (with its charts) in DIR
//! for a look.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use cohesion::plot::{self, Format, PlotOptions, RunData, Style};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_cohesion"))
}

fn alliance_dir(tmp: &Path, name: &str) -> PathBuf {
    let dir = match std::env::var_os("COHESION_KEEP_CHARTS") {
        Some(d) => PathBuf::from(d).join(name),
        None => tmp.join(name),
    };
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
    common::alliance_run(&dir, 400, true);
    dir
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

/// What each chart's SVG must contain beside its title.
fn expected_labels(id: &str) -> Vec<&'static str> {
    let mut v = vec!["Scenario nato-2021", "seed 42"];
    match id {
        "dist-cohesion_final" => v.extend([
            "Final cohesion (index, 0–1)",
            "status-quo",
            "full-package",
            "median",
            "90% interval",
            "share of trials",
        ]),
        "dist-unilateral_peak" => v.extend(["(allies)", "dialogue"]),
        "boxes" => v.extend([
            "Lowest cohesion",
            "Final deterrence credibility",
            "middle 50%",
        ]),
        "probabilities" => v.extend([
            "Alliance fractures",
            "An ally is attacked",
            "Wilson 95% interval",
            "Probability (% of trials)",
        ]),
        "differences" => v.extend([
            "baseline (status-quo)",
            "(percentage",
            "better",
            "label-hostile",
        ]),
        "fan-cohesion" => v.extend([
            "Cohesion (index, 0–1)",
            "All options: medians",
            "Month (turn 1 = Oct 2021)",
            "Full-scale invasion of Ukraine",
            "Scripted injects",
        ]),
        "fan-unilateral_share" => v.extend(["Weighted share of allies on unilateral channels (%)"]),
        "timing" => v.extend([
            "Fracture",
            "Attack on an ally",
            "Share of trials in which it has happened (%)",
        ]),
        "channels" => v.extend(["Hungary", "United States", "probability", "counter-"]),
        _ => {}
    }
    v
}

#[test]
fn alliance_charts_are_valid_files_of_the_requested_size() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = alliance_dir(tmp.path(), "alliance");
    let data = RunData::load(&dir).unwrap();
    let drawn = plot::write_all(&data, &dir, &PlotOptions::default()).unwrap();
    let ids: Vec<&str> = drawn.iter().map(|d| d.id.as_str()).collect();
    for want in [
        "dist-cohesion_final",
        "dist-cohesion_min",
        "dist-credibility_final",
        "dist-unilateral_peak",
        "boxes",
        "probabilities",
        "differences",
        "fan-cohesion",
        "fan-credibility",
        "fan-unilateral_share",
        "fan-threat_mean",
        "timing",
        "channels",
    ] {
        assert!(ids.contains(&want), "no chart {want}; got {ids:?}");
    }
    for d in &drawn {
        let png = std::fs::read(dir.join("charts").join(format!("{}.png", d.id))).unwrap();
        assert_eq!(common::png_size(&png), (1600, 900), "{}", d.id);
        let svg = read(&dir.join("charts").join(format!("{}.svg", d.id)));
        assert_eq!(common::svg_size(&svg), (1600, 900), "{}", d.id);
        assert_eq!(svg, d.svg);
        let title = d.title.replace('&', "&amp;").replace('\'', "&#39;");
        assert!(
            svg.contains(&format!("<title>{}</title>", d.title.replace('&', "&amp;"))),
            "{}: no <title>",
            d.id
        );
        assert!(
            svg.contains(&title) || svg.contains(&d.title),
            "{}: title `{}` not drawn",
            d.id,
            d.title
        );
        for l in expected_labels(&d.id) {
            assert!(svg.contains(l), "{}: label `{l}` missing", d.id);
        }
        for bad in ["NaN", "=\"inf", "=\"-inf", ",inf", "-2147483648"] {
            assert!(
                !svg.contains(bad),
                "{}: non-finite or overflowed number `{bad}`",
                d.id
            );
        }
        assert!(
            !d.caption.is_empty() && !d.caption.contains('\n'),
            "{}: caption must be one line",
            d.id
        );
    }
    // The ally heatmap lists every ally once.
    let channels = &drawn.iter().find(|d| d.id == "channels").unwrap().svg;
    for a in common::ALLIES {
        assert!(
            channels.contains(&format!(">\n{a}\n</text>")) || channels.contains(a),
            "ally {a} missing"
        );
    }
}

#[test]
fn size_scale_format_and_choice_of_charts() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = alliance_dir(tmp.path(), "options");
    let out = tmp.path().join("slides");
    let st = bin()
        .args([
            "plot",
            dir.to_str().unwrap(),
            "--charts",
            "fan,probabilities",
            "--format",
            "png",
        ])
        .args([
            "--size",
            "1280x720",
            "--scale",
            "1.5",
            "--no-report",
            "-q",
            "--out",
            out.to_str().unwrap(),
        ])
        .status()
        .unwrap();
    assert!(st.success());
    let mut files: Vec<String> = std::fs::read_dir(out.join("charts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "fan-cohesion.png",
            "fan-credibility.png",
            "fan-threat_mean.png",
            "fan-unilateral_share.png",
            "probabilities.png"
        ]
    );
    for f in &files {
        let png = std::fs::read(out.join("charts").join(f)).unwrap();
        assert_eq!(common::png_size(&png), (1280, 720), "{f}");
    }
    assert!(!out.join("report.html").exists());
    // SVG at another size and scale: bigger type than at scale 1.
    let data = RunData::load(&dir).unwrap();
    let chart = plot::select(&data)
        .into_iter()
        .find(|c| c.id() == "probabilities")
        .unwrap();
    let small = plot::render_svg(
        chart.as_ref(),
        &data,
        Style {
            width: 1280,
            height: 720,
            scale: 1.0,
        },
    )
    .unwrap();
    let big = plot::render_svg(
        chart.as_ref(),
        &data,
        Style {
            width: 1280,
            height: 720,
            scale: 1.5,
        },
    )
    .unwrap();
    assert_eq!(common::svg_size(&big), (1280, 720));
    let max_font = |s: &str| {
        s.match_indices("font-size=\"")
            .map(|(i, m)| {
                s[i + m.len()..]
                    .split('"')
                    .next()
                    .unwrap()
                    .parse::<f64>()
                    .unwrap()
            })
            .fold(0.0f64, f64::max)
    };
    assert!(max_font(&big) > max_font(&small) * 1.4);
    // Unknown chart: an error that lists the available ones.
    let o = bin()
        .args([
            "plot",
            dir.to_str().unwrap(),
            "--charts",
            "pie",
            "--no-report",
        ])
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("no chart `pie`") && err.contains("fan-cohesion"),
        "{err}"
    );
    // Not a result directory.
    let o = bin()
        .args(["plot", tmp.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("no manifest.json"));
    // Bad size.
    let o = bin()
        .args(["plot", dir.to_str().unwrap(), "--size", "big"])
        .output()
        .unwrap();
    assert!(!o.status.success());
}

fn svgs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir.join("charts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "svg"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().to_string(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

/// `cohesion run` draws charts; `cohesion plot` of its folder draws the same bytes.
fn run_then_plot(scenario: &str, trials: &str, expect: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    let st = bin()
        .args([
            "run",
            scenario,
            "--trials",
            trials,
            "--seed",
            "11",
            "-q",
            "--out",
            run.to_str().unwrap(),
        ])
        .status()
        .unwrap();
    assert!(st.success());
    let first = svgs(&run);
    let names: Vec<&str> = first.iter().map(|(n, _)| n.as_str()).collect();
    for e in expect {
        assert!(names.contains(e), "{scenario}: no {e} in {names:?}");
    }
    for (n, b) in &first {
        assert_eq!(
            common::svg_size(std::str::from_utf8(b).unwrap()),
            (1600, 900),
            "{n}"
        );
        let png = std::fs::read(run.join("charts").join(n.replace(".svg", ".png"))).unwrap();
        assert_eq!(common::png_size(&png), (1600, 900), "{n}");
    }
    assert!(run.join("injects.csv").exists() && run.join("policies.csv").exists());
    let report = std::fs::read(run.join("report.html")).unwrap();
    // Redraw elsewhere, and in place (after removing the charts).
    let again = tmp.path().join("again");
    let st = bin()
        .args([
            "plot",
            run.to_str().unwrap(),
            "-q",
            "--out",
            again.to_str().unwrap(),
        ])
        .status()
        .unwrap();
    assert!(st.success());
    assert_eq!(
        svgs(&again),
        first,
        "{scenario}: plot drew other SVG bytes than run"
    );
    assert_eq!(
        std::fs::read(again.join("report.html")).unwrap(),
        report,
        "{scenario}: report differs"
    );
    std::fs::remove_dir_all(run.join("charts")).unwrap();
    let st = bin()
        .args(["plot", run.to_str().unwrap(), "-q", "--format", "svg"])
        .status()
        .unwrap();
    assert!(st.success());
    assert_eq!(svgs(&run), first);
}

#[test]
fn plot_redraws_the_svgs_of_a_bargaining_run_byte_for_byte() {
    run_then_plot(
        "reference/ktab-soe-pol-comp",
        "40",
        &[
            "family-win_prob.svg",
            "family-risk.svg",
            "family-expected.svg",
            "differences.svg",
        ],
    );
}

#[test]
fn plot_redraws_the_svgs_of_an_opinion_run_byte_for_byte() {
    run_then_plot(
        "reference/deffuant-0.2",
        "6",
        &[
            "dist-clusters.svg",
            "dist-major_clusters.svg",
            "boxes.svg",
            "probabilities.svg",
        ],
    );
}

#[test]
fn run_without_charts_writes_only_tables() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    let st = bin()
        .args([
            "run",
            "reference/ktab-soe-pol-comp",
            "--trials",
            "5",
            "--seed",
            "1",
            "-q",
            "--no-charts",
        ])
        .args(["--out", run.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(st.success());
    assert!(!run.join("charts").exists() && !run.join("report.html").exists());
    assert!(run.join("manifest.json").exists());
}

#[test]
fn report_holds_every_chart_and_table() {
    use scraper::{Html, Selector};
    let tmp = tempfile::tempdir().unwrap();
    let dir = alliance_dir(tmp.path(), "report");
    let data = RunData::load(&dir).unwrap();
    let opts = PlotOptions {
        format: Format::Svg,
        ..PlotOptions::default()
    };
    let drawn = plot::write_all(&data, &dir, &opts).unwrap();
    cohesion::report::write(&data, &drawn, &dir).unwrap();
    let text = read(&dir.join("report.html"));
    let doc = Html::parse_document(&text);
    let sel = |s: &str| Selector::parse(s).unwrap();
    let one = |s: &str| {
        doc.select(&sel(s))
            .next()
            .unwrap_or_else(|| panic!("report has no `{s}`"))
            .text()
            .collect::<String>()
    };
    assert!(one("h1").contains("nato-2021"));
    assert!(one("title").contains("nato-2021") && one("title").contains("seed 42"));
    assert!(one("p.description").contains("Russia suspends its mission to NATO"));
    let note = one("#note");
    assert!(
        note.contains("not forecasts") && note.contains("assumptions"),
        "{note}"
    );
    // Manifest facts.
    let manifest = one("#manifest-table");
    for want in [
        "cohesion version",
        "0.1.0",
        "Seed",
        "42",
        "Trials per option",
        "400",
        "Scenario hash (BLAKE3)",
        &"0".repeat(64),
    ] {
        assert!(manifest.contains(want), "manifest table lacks {want}");
    }
    // Options and their levers.
    let options = one("#options-table");
    for want in [
        "status-quo",
        "(baseline)",
        "label-hostile",
        "counter_disinformation",
        "0.6",
        "dialogue_effort",
        "NATO–Russia Council",
    ] {
        assert!(options.contains(want), "options table lacks {want}");
    }
    assert!(one("#injects-table").contains("Full-scale invasion of Ukraine"));
    // Every chart, inline, with a caption.
    let figs: Vec<_> = doc.select(&sel("figure.chart")).collect();
    assert_eq!(figs.len(), drawn.len());
    assert_eq!(drawn.len(), plot::select(&data).len());
    for (fig, d) in figs.iter().zip(&drawn) {
        assert_eq!(
            fig.value().attr("id"),
            Some(format!("chart-{}", d.id).as_str())
        );
        assert_eq!(
            fig.select(&sel("svg")).count(),
            1,
            "{}: no inline svg",
            d.id
        );
        let cap: String = fig
            .select(&sel("figcaption"))
            .next()
            .unwrap()
            .text()
            .collect();
        assert!(
            cap.contains(&d.title) && cap.contains(&d.caption),
            "{}: caption",
            d.id
        );
    }
    // Tables with data.
    let rows = |s: &str| doc.select(&sel(&format!("{s} tbody tr"))).count();
    assert_eq!(
        rows("#summary-table"),
        5 * 10,
        "one row per option and plain outcome"
    );
    assert_eq!(
        rows("#comparison-table"),
        4 * 10,
        "one row per other option and plain outcome"
    );
    assert_eq!(rows("#summary-channel"), 30, "one row per ally");
    assert!(one("#comparison-table").contains("better"));
    // Contents links point at things that exist.
    for a in doc.select(&sel("nav a")) {
        let href = a.value().attr("href").unwrap();
        let id = href.trim_start_matches('#');
        assert!(
            doc.select(&sel(&format!("[id=\"{id}\"]"))).next().is_some(),
            "dangling link {href}"
        );
    }
    // Self-contained, no script, printable.
    assert_eq!(
        doc.select(&sel("script, link, img, iframe, object"))
            .count(),
        0
    );
    assert!(!text.contains("src=") && !text.contains("url("));
    assert!(!text.contains("href=\"http"));
    assert!(text.contains("@media print"));
}

#[test]
fn charts_are_deterministic() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = alliance_dir(tmp.path(), "det");
    let a = RunData::load(&dir).unwrap();
    let b = RunData::load(&dir).unwrap();
    for (ca, cb) in plot::select(&a).iter().zip(plot::select(&b).iter()) {
        let sa = plot::render_svg(ca.as_ref(), &a, Style::default()).unwrap();
        let sb = plot::render_svg(cb.as_ref(), &b, Style::default()).unwrap();
        assert_eq!(sa, sb, "{}", ca.id());
    }
}

#[test]
fn a_run_without_injects_or_time_still_charts() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("plain");
    common::alliance_run(&dir, 60, false);
    let data = RunData::load(&dir).unwrap();
    assert!(data.injects.is_empty());
    let drawn = plot::write_all(
        &data,
        &dir,
        &PlotOptions {
            format: Format::Svg,
            ..PlotOptions::default()
        },
    )
    .unwrap();
    let fan = drawn.iter().find(|d| d.id == "fan-cohesion").unwrap();
    assert!(!fan.svg.contains("Scripted injects"));
}

/// Chart time for a five-option run with a large `trials.csv` (100,000 trials × 5 options,
/// made by repeating the synthetic trials). Not a timed test: run it with
/// `cargo test --release --test it plot:: -- --ignored --nocapture` to read the figures.
#[test]
#[ignore]
fn chart_time_for_a_large_five_option_run() {
    use std::io::Write;
    let tmp = tempfile::tempdir().unwrap();
    let dir = alliance_dir(tmp.path(), "large");
    let text = read(&dir.join("trials.csv"));
    let (header, rows) = text.split_once('\n').unwrap();
    let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join("trials.csv")).unwrap());
    writeln!(f, "{header}").unwrap();
    for rep in 0..250 {
        for line in rows.lines() {
            let (k, rest) = line.split_once(',').unwrap();
            writeln!(f, "{},{rest}", k.parse::<usize>().unwrap() + rep * 400).unwrap();
        }
    }
    drop(f);
    let t0 = std::time::Instant::now();
    let data = RunData::load(&dir).unwrap();
    let t_load = t0.elapsed().as_secs_f64();
    let t1 = std::time::Instant::now();
    let drawn = plot::write_all(&data, &dir, &PlotOptions::default()).unwrap();
    let t_draw = t1.elapsed().as_secs_f64();
    let rows: u64 = data.digest.as_ref().unwrap().rows.iter().sum();
    println!(
        "{rows} rows of trials.csv read in {t_load:.2} s; {} charts (SVG + PNG) and report.html drawn in {t_draw:.2} s",
        drawn.len()
    );
}
