//! `cohesion init NAME [DIR]`: an editable copy of a built-in scenario, with the files it
//! extends and the data tables it reads, at the same relative paths.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use cohesion::scenario::{self, Origin};

pub fn init(name: &str, dir: Option<PathBuf>, force: bool) -> Result<i32> {
    let origin = scenario::resolve(name).map_err(|e| anyhow::anyhow!(e))?;
    let Origin::Builtin(_) = origin else {
        bail!("`{name}` is a file, not a built-in scenario; see `cohesion scenarios`");
    };
    let sc = cohesion::model::load_scenario(origin).map_err(|e| anyhow::anyhow!("{e}"))?;
    let dir = dir.unwrap_or_else(|| PathBuf::from("."));
    for f in &sc.files {
        let Origin::Builtin(rel) = &f.origin else {
            continue;
        };
        let path = dir.join(rel);
        if path.exists() && !force {
            bail!("{} exists; use --force to overwrite", path.display());
        }
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).with_context(|| format!("cannot create {}", p.display()))?;
        }
        std::fs::write(&path, &f.text)
            .with_context(|| format!("cannot write {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(0)
}
