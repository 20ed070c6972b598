//! `cohesion slurm`: a run as a Slurm job array of shards and a merge job that waits for it.
//!
//! The jobs folder (`<out>.slurm/` unless given) receives:
//!
//! - `shards.sbatch`: an array job `--array=1-N`; task I runs
//!   `cohesion run … --shards N --shard-from-env SLURM_ARRAY_TASK_ID --resume` into
//!   `parts/part-I`. `--resume` and `--requeue` let a pre-empted or requeued task continue from
//!   its checkpoint instead of starting over (Slurm stops a job with SIGTERM first);
//! - `merge.sbatch`: `cohesion merge` of the N parts, named one by one so that a missing part
//!   is an error that names it, into the final folder;
//! - `submit.sh`: submits the array, then the merge with `--dependency=afterok:ARRAY` and
//!   `--kill-on-invalid-dep=yes` (the merge runs only if every task succeeded, and is
//!   cancelled rather than left pending if one failed), and prints both job ids.
//!
//! Every path in the scripts is absolute, and the seed is fixed when the command is written
//! (drawn fresh if none is given), so every task runs the same experiment wherever and
//! whenever Slurm starts it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// What `cohesion slurm` writes.
pub struct SlurmConfig {
    /// The `cohesion` executable to run (absolute).
    pub exe: PathBuf,
    /// The scenario, as `cohesion run` takes it (absolute path or built-in name).
    pub scenario: String,
    /// The scenario's name (for job names).
    pub name: String,
    /// Options passed to every shard's `cohesion run` (trials, seed, block size…).
    pub run_args: Vec<String>,
    pub shards: u64,
    pub partition: Option<String>,
    pub time: Option<String>,
    pub mem: Option<String>,
    /// CPUs per task (the shard's `--threads`).
    pub cpus: usize,
    /// The merged result (absolute).
    pub out: PathBuf,
    /// Where scripts, logs and parts go (absolute).
    pub jobs: PathBuf,
}

/// Quotes a word for the shell.
pub fn sh(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

fn header(c: &SlurmConfig, job: &str, log: &str) -> String {
    let mut h = String::from("#!/bin/bash\n");
    let _ = writeln!(h, "#SBATCH --job-name={}", sh(job));
    let _ = writeln!(h, "#SBATCH --output={}", sh(log));
    if let Some(p) = &c.partition {
        let _ = writeln!(h, "#SBATCH --partition={}", sh(p));
    }
    if let Some(t) = &c.time {
        let _ = writeln!(h, "#SBATCH --time={}", sh(t));
    }
    if let Some(m) = &c.mem {
        let _ = writeln!(h, "#SBATCH --mem={}", sh(m));
    }
    h
}

/// The part folder of shard `i`.
pub fn part_dir(c: &SlurmConfig, i: u64) -> PathBuf {
    c.jobs.join("parts").join(format!("part-{i}"))
}

/// The text of the array job.
pub fn shards_script(c: &SlurmConfig) -> String {
    let mut s = header(
        c,
        &format!("cohesion-{}", c.name),
        &c.jobs.join("logs/shard-%a.out").display().to_string(),
    );
    let _ = writeln!(s, "#SBATCH --array=1-{}", c.shards);
    let _ = writeln!(s, "#SBATCH --cpus-per-task={}", c.cpus);
    s.push_str("#SBATCH --requeue\n#SBATCH --open-mode=append\nset -euo pipefail\n");
    let _ = write!(
        s,
        "exec {} run {}",
        sh(&c.exe.display().to_string()),
        sh(&c.scenario)
    );
    for a in &c.run_args {
        let _ = write!(s, " {}", sh(a));
    }
    let _ = writeln!(
        s,
        " --shards {} --shard-from-env SLURM_ARRAY_TASK_ID --resume --quiet --threads \"${{SLURM_CPUS_PER_TASK:-{}}}\" --out {}\"$SLURM_ARRAY_TASK_ID\"",
        c.shards,
        c.cpus,
        sh(&format!("{}/part-", c.jobs.join("parts").display()))
    );
    s
}

/// The text of the merge job.
pub fn merge_script(c: &SlurmConfig) -> String {
    let mut s = header(
        c,
        &format!("cohesion-{}-merge", c.name),
        &c.jobs.join("logs/merge.out").display().to_string(),
    );
    s.push_str("#SBATCH --cpus-per-task=1\nset -euo pipefail\n");
    let _ = write!(s, "exec {} merge", sh(&c.exe.display().to_string()));
    for i in 1..=c.shards {
        let _ = write!(s, " {}", sh(&part_dir(c, i).display().to_string()));
    }
    let _ = writeln!(s, " --out {}", sh(&c.out.display().to_string()));
    s
}

/// The text of the submission script.
pub fn submit_script(c: &SlurmConfig) -> String {
    let j = |f: &str| sh(&c.jobs.join(f).display().to_string());
    format!(
        "#!/bin/bash\n# Submits the shards of `{name}` as a job array and the merge after it.\nset -euo pipefail\narray=$(sbatch --parsable {shards})\narray=${{array%%;*}}\nmerge=$(sbatch --parsable --dependency=afterok:\"$array\" --kill-on-invalid-dep=yes {merge})\nmerge=${{merge%%;*}}\necho \"$array $merge\"\n",
        name = c.name,
        shards = j("shards.sbatch"),
        merge = j("merge.sbatch"),
    )
}

/// Writes the three scripts (and the logs and parts folders) into the jobs folder.
pub fn write(c: &SlurmConfig) -> Result<()> {
    if c.shards == 0 {
        bail!("--shards must be at least 1");
    }
    for d in ["logs", "parts"] {
        let p = c.jobs.join(d);
        std::fs::create_dir_all(&p).with_context(|| format!("cannot create {}", p.display()))?;
    }
    for (f, text) in [
        ("shards.sbatch", shards_script(c)),
        ("merge.sbatch", merge_script(c)),
        ("submit.sh", submit_script(c)),
    ] {
        let p = c.jobs.join(f);
        crate::kernel::fs::write_atomic(&p, text.as_bytes()).map_err(anyhow::Error::msg)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755))
                .with_context(|| format!("cannot make {} executable", p.display()))?;
        }
    }
    Ok(())
}

/// Runs `submit.sh`; returns the array's and the merge's job ids.
pub fn submit(c: &SlurmConfig) -> Result<(String, String)> {
    let script = c.jobs.join("submit.sh");
    let o = std::process::Command::new("bash")
        .arg(&script)
        .output()
        .with_context(|| format!("cannot run {}", script.display()))?;
    if !o.status.success() {
        bail!(
            "submitting failed ({}): {}",
            o.status,
            String::from_utf8_lossy(&o.stderr).trim()
        );
    }
    let text = String::from_utf8_lossy(&o.stdout);
    let mut ids = text.split_whitespace();
    match (ids.next(), ids.next()) {
        (Some(a), Some(m)) => Ok((a.to_string(), m.to_string())),
        _ => bail!("sbatch printed no job ids: {text}"),
    }
}

/// How to follow the jobs, for the terminal.
pub fn follow(c: &SlurmConfig, ids: Option<(&str, &str)>) -> String {
    let jobs = c.jobs.display();
    let mut s = String::new();
    match ids {
        Some((a, m)) => {
            let _ = writeln!(
                s,
                "submitted: shards as job array {a} ({} tasks), merge as job {m} (runs after every shard succeeded)",
                c.shards
            );
            let _ = writeln!(s, "follow:    squeue -j {a},{m}");
        }
        None => {
            let _ = writeln!(s, "written:   {jobs}/shards.sbatch, {jobs}/merge.sbatch");
            let _ = writeln!(
                s,
                "submit:    {jobs}/submit.sh   (or run again with --submit)"
            );
            let _ = writeln!(s, "follow:    squeue -u \"$USER\"");
        }
    }
    let _ = writeln!(s, "logs:      {jobs}/logs/");
    let _ = writeln!(s, "parts:     {jobs}/parts/part-1 … part-{}", c.shards);
    let _ = write!(s, "result:    {}", c.out.display());
    s
}

/// The jobs folder for a result folder: `<out>.slurm`.
pub fn default_jobs_dir(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(".slurm");
    out.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_name_every_part_and_chain_the_merge() {
        let c = SlurmConfig {
            exe: "/opt/bin/cohesion".into(),
            scenario: "/s/my scenario.toml".into(),
            name: "nato".into(),
            run_args: vec!["--trials".into(), "900".into(), "--seed".into(), "7".into()],
            shards: 3,
            partition: Some("short".into()),
            time: Some("00:10:00".into()),
            mem: None,
            cpus: 2,
            out: "/r/out".into(),
            jobs: "/r/out.slurm".into(),
        };
        let a = shards_script(&c);
        assert!(a.contains("#SBATCH --array=1-3\n"), "{a}");
        assert!(a.contains("#SBATCH --partition=short\n"));
        assert!(a.contains("'/s/my scenario.toml' --trials 900 --seed 7 --shards 3"));
        assert!(a.contains("--shard-from-env SLURM_ARRAY_TASK_ID --resume"));
        let m = merge_script(&c);
        for i in 1..=3 {
            assert!(m.contains(&format!("/r/out.slurm/parts/part-{i}")), "{m}");
        }
        assert!(m.contains("--out /r/out\n"));
        assert!(submit_script(&c).contains("--dependency=afterok:\"$array\""));
        assert_eq!(sh("it's"), r"'it'\''s'");
    }
}
