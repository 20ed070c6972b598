//! `injects.csv`: the scenario's scripted injects (turn, date, kind, name, description), so
//! that charts and the report can mark them on the time axis from the output folder alone.

use std::path::Path;

use anyhow::{Context, Result};

use crate::scenario::Scenario;

/// Writes the injects of `sc`, in turn order (a header only when there are none).
pub fn write(sc: &Scenario, path: &Path) -> Result<()> {
    let mut w =
        csv::Writer::from_path(path).with_context(|| format!("cannot write {}", path.display()))?;
    w.write_record(["turn", "date", "kind", "name", "description"])?;
    for inj in &sc.injects {
        w.write_record([
            inj.turn.to_string().as_str(),
            inj.date.as_deref().unwrap_or(""),
            &inj.kind,
            &inj.name,
            &inj.description,
        ])?;
    }
    w.flush()
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
