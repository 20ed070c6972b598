//! `cohesion validate`: the scenario checks alone; stops at the first file with errors,
//! listing all of its errors.

use anyhow::Result;
use cohesion::scenario;

pub fn validate(files: &[String]) -> Result<i32> {
    for f in files {
        let origin = match scenario::resolve(f) {
            Ok(o) => o,
            Err(e) => {
                eprintln!("{f}: {e}");
                return Ok(2);
            }
        };
        match cohesion::model::load_scenario(origin) {
            Ok(sc) => println!(
                "{f}: ok ({} model, {} options, {} uncertainties, {} injects, {} turns)",
                sc.model.kind,
                sc.policies.len(),
                sc.uncertainties.len(),
                sc.injects.len(),
                sc.turns
            ),
            Err(issues) => {
                eprint!("{f}: {issues}");
                return Ok(2);
            }
        }
    }
    Ok(0)
}
