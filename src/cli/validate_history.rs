//! `cohesion validate-history RUN`: a hindcast run against the record of 2022–2024; writes the
//! validation page and prints whether each check holds.

use anyhow::Result;
use cohesion::history::{self, Options, RecordSource};
use cohesion::plot::numbers::fixed_or_dash;

use super::ValidateHistoryArgs;

pub fn validate_history(a: ValidateHistoryArgs) -> Result<i32> {
    let out = a.out.clone().unwrap_or_else(|| {
        let name = a
            .run
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| "run".into());
        a.run.with_file_name(format!("{name}-validation"))
    });
    let opts = Options {
        run: a.run.clone(),
        option: a.option.clone(),
        record: a
            .record
            .clone()
            .map_or(RecordSource::Builtin, RecordSource::Dir),
    };
    let v = history::write(&opts, &out, a.force)?;
    if !a.quiet {
        let rho = |i: usize| fixed_or_dash(v.spending.get(i).and_then(|r| r.rho), 3, false);
        println!(
            "spending 2021 → 2024e, Spearman ρ over {} allies: model {}, exposure class {}, gap to 2% {}, trend {}",
            v.n_spending,
            rho(0),
            rho(1),
            rho(2),
            rho(3)
        );
        let (fm, fr) = v.front_rear();
        println!(
            "frontline ÷ rear mean change: model {}, record {}",
            fixed_or_dash(fm, 2, false),
            fixed_or_dash(fr, 2, false)
        );
        for r in &v.increment {
            println!(
                "out of sample 2023 → 2024e, {}: ρ {}, RMSE {} pp",
                r.name,
                fixed_or_dash(r.rho, 3, false),
                fixed_or_dash(r.rmse, 3, false)
            );
        }
        println!(
            "most channel months: {} (leaders who met Putin: {}); most blocking: {} (last ratifiers: {})",
            v.top_channels.join(", "),
            v.met_putin.join(", "),
            v.top_blockers.join(", "),
            v.last_ratifiers.join(", ")
        );
        let checks = v.checks();
        for (what, ok) in &checks {
            println!("{} {what}", if *ok { "holds:" } else { "FAILS:" });
        }
        println!("{}", out.join("validation.html").display());
    }
    Ok(0)
}
