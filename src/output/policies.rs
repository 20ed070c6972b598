//! `policies.csv`: the options run and their levers, one row per (option, lever), long
//! layout; an option that sets no lever has one row with `lever` and `value` blank.
//! Columns: option, baseline, lever, value (as written in a scenario file), description.

use std::path::Path;

use anyhow::{Context, Result};

use crate::scenario::Scenario;

/// Writes the options at `policies` (indices into the scenario's options, in run order).
pub fn write(sc: &Scenario, policies: &[usize], path: &Path) -> Result<()> {
    let mut w =
        csv::Writer::from_path(path).with_context(|| format!("cannot write {}", path.display()))?;
    w.write_record(["option", "baseline", "lever", "value", "description"])?;
    for &i in policies {
        let p = &sc.policies[i];
        let base = if p.baseline { "true" } else { "false" };
        if p.levers.is_empty() {
            w.write_record([p.name.as_str(), base, "", "", &p.description])?;
        }
        for &(param, value) in &p.levers {
            let spec = sc.param_spec(param);
            w.write_record([
                p.name.as_str(),
                base,
                spec.name,
                &spec.display(value),
                &p.description,
            ])?;
        }
    }
    w.flush()
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
