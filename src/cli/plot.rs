//! `cohesion plot DIR`: redraw the charts (and `report.html`) of an earlier run from its CSV
//! files, without simulating: a choice of charts, SVG and/or PNG, any size, larger type for a
//! projector.

use std::time::Instant;

use anyhow::Result;
use cohesion::plot::{self, Format, PlotOptions, RunData, Style};

use super::{PlotArgs, PlotFormat};

/// Parses `1600x900`.
pub fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s
        .split_once(['x', 'X', '×'])
        .ok_or_else(|| format!("`{s}` is not a size; write WIDTHxHEIGHT, e.g. 1920x1080"))?;
    let w: u32 = w
        .trim()
        .parse()
        .map_err(|_| format!("`{w}` is not a whole number of pixels"))?;
    let h: u32 = h
        .trim()
        .parse()
        .map_err(|_| format!("`{h}` is not a whole number of pixels"))?;
    Style {
        width: w,
        height: h,
        scale: 1.0,
    }
    .check()?;
    Ok((w, h))
}

fn options(a: &PlotArgs) -> PlotOptions {
    PlotOptions {
        style: Style {
            width: a.size.0,
            height: a.size.1,
            scale: a.scale,
        },
        format: match a.format {
            PlotFormat::Svg => Format::Svg,
            PlotFormat::Png => Format::Png,
            PlotFormat::Both => Format::Both,
        },
        only: a.charts.clone(),
        report: !a.no_report,
    }
}

/// `cohesion plot` on the output of `cohesion explore`.
fn replot_explore(a: &PlotArgs, t0: Instant) -> Result<i32> {
    use cohesion::plot::explore::{ExploreData, list, write_all};
    let data = ExploreData::load(&a.dir)?;
    if a.list {
        for (id, title, caption) in list(&data) {
            println!("{id}\n    {title}\n    {caption}");
        }
        return Ok(0);
    }
    let opts = options(a);
    let root = a.out.clone().unwrap_or_else(|| a.dir.clone());
    let drawn = write_all(&data, &root, &opts)?;
    if opts.report {
        cohesion::explore::report::write(&data, &drawn, &root)?;
    }
    if !a.quiet {
        for d in &drawn {
            for f in &d.files {
                println!("{}", f.display());
            }
        }
        if opts.report {
            println!("{}", root.join("report.html").display());
        }
        let files: usize = drawn.iter().map(|d| d.files.len()).sum();
        eprintln!(
            "{files} chart file(s) in {:.2} s",
            t0.elapsed().as_secs_f64()
        );
    }
    Ok(0)
}

pub fn plot(a: PlotArgs) -> Result<i32> {
    let style = Style {
        width: a.size.0,
        height: a.size.1,
        scale: a.scale,
    };
    style.check().map_err(|e| anyhow::anyhow!("--scale: {e}"))?;
    let t0 = Instant::now();
    if cohesion::output::explore::is_explore_dir(&a.dir) {
        return replot_explore(&a, t0);
    }
    let data = RunData::load(&a.dir)?;
    if a.list {
        for (id, title, caption) in plot::list(&data) {
            println!("{id}\n    {title}\n    {caption}");
        }
        return Ok(0);
    }
    let opts = PlotOptions {
        style,
        format: match a.format {
            PlotFormat::Svg => Format::Svg,
            PlotFormat::Png => Format::Png,
            PlotFormat::Both => Format::Both,
        },
        only: a.charts.clone(),
        report: !a.no_report,
    };
    let root = a.out.clone().unwrap_or_else(|| a.dir.clone());
    for f in plot::remove_stale_charts(&data, &root)? {
        if !a.quiet {
            eprintln!(
                "removed {} (this run no longer has that chart)",
                f.display()
            );
        }
    }
    let drawn = plot::write_all(&data, &root, &opts)?;
    if opts.report {
        cohesion::report::write(&data, &drawn, &root)?;
    }
    if !a.quiet {
        let files: usize = drawn.iter().map(|d| d.files.len()).sum();
        for d in &drawn {
            for f in &d.files {
                println!("{}", f.display());
            }
        }
        if opts.report {
            println!("{}", root.join("report.html").display());
        }
        eprintln!(
            "{files} chart file(s) in {:.2} s",
            t0.elapsed().as_secs_f64()
        );
    }
    Ok(0)
}
