//! `cohesion diff RUN_A RUN_B`: prints, per option and outcome, run B − run A with its 95%
//! interval and verdict, then what differs between the two runs' scenarios and settings.

use std::path::PathBuf;

use anyhow::Result;
use cohesion::plot::labels;
use cohesion::run::diff::{self, DiffRow};

#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    /// The first finished run (A).
    pub a: PathBuf,
    /// The second finished run (B); differences are B − A.
    pub b: PathBuf,
    /// Also write every row (family members included) to this CSV file.
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
    /// Show the members of families (`channel.Hungary`…) on the terminal too.
    #[arg(long)]
    pub all: bool,
}

fn num(v: f64, binary: bool) -> String {
    if binary {
        format!("{:.1}%", v * 100.0)
    } else {
        cohesion::plot::numbers::fmt_value(v, false)
    }
}

fn signed(v: f64, binary: bool) -> String {
    if binary {
        cohesion::plot::numbers::signed(v, 1, true)
    } else {
        cohesion::plot::numbers::fmt_diff(v, false)
    }
}

fn line(r: &DiffRow) -> [String; 6] {
    let binary = r.kind == "binary";
    [
        r.option.clone(),
        r.outcome.clone(),
        num(r.a, binary),
        num(r.b, binary),
        format!(
            "{} [{}, {}]",
            signed(r.diff, binary),
            signed(r.lo, binary),
            signed(r.hi, binary)
        ),
        r.verdict.word().to_string(),
    ]
}

pub fn diff_cmd(a: DiffArgs) -> Result<i32> {
    let d = diff::diff(&a.a, &a.b)?;
    println!(
        "B − A: {} minus {} ({})",
        a.b.display(),
        a.a.display(),
        if d.paired {
            "same seed and trials: paired trial by trial, as on common random numbers; yes/no outcomes with Newcombe's paired score interval"
        } else {
            "independent runs: Welch intervals from each run's mean and MCSE; yes/no outcomes with Newcombe's score interval"
        }
    );
    let mut table: Vec<[String; 6]> = vec![[
        "option".into(),
        "outcome".into(),
        "A".into(),
        "B".into(),
        "B − A [95% interval]".into(),
        "verdict".into(),
    ]];
    let hidden = d
        .rows
        .iter()
        .filter(|r| !a.all && r.outcome.contains('.'))
        .count();
    table.extend(
        d.rows
            .iter()
            .filter(|r| a.all || !r.outcome.contains('.'))
            .map(line),
    );
    let widths: Vec<usize> = (0..6)
        .map(|c| {
            table
                .iter()
                .map(|r| r[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for r in &table {
        let cells: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(c, s)| {
                let pad = widths[c] - s.chars().count();
                if (2..5).contains(&c) {
                    format!("{}{s}", " ".repeat(pad))
                } else {
                    format!("{s}{}", " ".repeat(pad))
                }
            })
            .collect();
        println!("{}", cells.join("  ").trim_end());
    }
    if hidden > 0 {
        println!("({hidden} rows of family members not shown: --all, or --out FILE.csv)");
    }
    let firm: Vec<String> = d
        .rows
        .iter()
        .filter(|r| r.verdict.firm() && !r.outcome.contains('.'))
        .map(|r| {
            format!(
                "{} {} ({})",
                r.option,
                labels::outcome(&r.outcome).name.to_lowercase(),
                r.verdict.word()
            )
        })
        .collect();
    println!(
        "firm differences: {}",
        if firm.is_empty() {
            "none".to_string()
        } else {
            firm.join("; ")
        }
    );
    println!();
    if d.changes.is_empty() {
        println!("what differs between the runs: nothing in the scenarios or run settings");
    } else {
        println!("what differs between the runs ({}):", d.changes.len());
        for c in &d.changes {
            println!("  {}: {} (A) → {} (B)", c.key, c.a, c.b);
        }
    }
    for n in &d.notes {
        println!("note: {n}");
    }
    if let Some(out) = &a.out {
        diff::write_csv(&d, out)?;
        println!("written: {}", out.display());
    }
    Ok(0)
}
