//! `cohesion slurm`: arguments → the job scripts of a sharded run (see
//! [`cohesion::run::slurm`]) → optionally submitted.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use cohesion::run::slurm::{SlurmConfig, default_jobs_dir, follow, submit, write};

use super::TableFormat;

#[derive(clap::Args, Debug)]
pub struct SlurmArgs {
    /// Scenario file or built-in name.
    pub scenario: String,
    /// Number of shards (array tasks).
    #[arg(long, required = true)]
    pub shards: u64,
    /// Number of trials (default: the scenario's).
    #[arg(long, short = 'n')]
    pub trials: Option<u64>,
    /// Master seed (default: the scenario's, else a fresh one, fixed in the scripts).
    #[arg(long, short = 's')]
    pub seed: Option<u64>,
    /// Trials per statistics block (default: the scenario's).
    #[arg(long)]
    pub block_size: Option<u64>,
    /// Only these options, comma-separated (the baseline is always run too).
    #[arg(long)]
    pub policies: Option<String>,
    /// Do not draw charts or write report.html.
    #[arg(long)]
    pub no_charts: bool,
    /// Table format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: TableFormat,
    /// CPUs (worker threads) per shard.
    #[arg(long, short = 'j', default_value_t = 1)]
    pub threads: usize,
    /// The merged result's folder (default: output/<scenario>-<seed>).
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
    /// Folder for the scripts, logs and parts (default: <out>.slurm).
    #[arg(long)]
    pub jobs: Option<PathBuf>,
    /// Slurm partition.
    #[arg(long)]
    pub partition: Option<String>,
    /// Time limit per task (Slurm's format, e.g. 01:00:00).
    #[arg(long)]
    pub time: Option<String>,
    /// Memory per task (e.g. 2G).
    #[arg(long)]
    pub mem: Option<String>,
    /// Submit with sbatch (otherwise only write the scripts).
    #[arg(long)]
    pub submit: bool,
}

fn absolute(p: &std::path::Path) -> Result<PathBuf> {
    Ok(if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()?.join(p)
    })
}

pub fn slurm(a: SlurmArgs) -> Result<i32> {
    let sc = super::load_scenario(Some(&a.scenario))?;
    use cohesion::scenario::keys::{BLOCK_SIZE, SEED, TRIALS};
    let trials = super::within("--trials", a.trials, &TRIALS)?.unwrap_or(sc.run.trials);
    let block_size =
        super::within("--block-size", a.block_size, &BLOCK_SIZE)?.unwrap_or(sc.run.block_size);
    let blocks = trials.div_ceil(block_size);
    if a.shards == 0 || a.shards > blocks {
        bail!(
            "--shards {}: allowed: 1 to the number of blocks ({blocks} of {block_size} trials)",
            a.shards
        );
    }
    let threads = super::threads(Some(a.threads))?;
    let seed = super::within("--seed", a.seed, &SEED)?
        .or(sc.run.seed)
        .unwrap_or_else(cohesion::kernel::time::fresh_seed);
    let scenario = match &sc.origin {
        cohesion::scenario::Origin::File(p) => std::fs::canonicalize(p)
            .with_context(|| format!("cannot find {}", p.display()))?
            .display()
            .to_string(),
        cohesion::scenario::Origin::Builtin(_) => a.scenario.clone(),
    };
    let out = absolute(
        &a.out
            .clone()
            .unwrap_or_else(|| format!("output/{}-{seed}", sc.name).into()),
    )?;
    let jobs = absolute(&a.jobs.clone().unwrap_or_else(|| default_jobs_dir(&out)))?;
    let mut run_args = vec![
        "--trials".to_string(),
        trials.to_string(),
        "--seed".into(),
        seed.to_string(),
        "--block-size".into(),
        block_size.to_string(),
    ];
    if let Some(p) = &a.policies {
        run_args.extend(["--policies".into(), p.clone()]);
    }
    if a.no_charts {
        run_args.push("--no-charts".into());
    }
    run_args.extend([
        "--format".into(),
        super::run::table_format(a.format).as_str().into(),
    ]);
    let cfg = SlurmConfig {
        exe: std::env::current_exe().context("cannot find the cohesion executable")?,
        scenario,
        name: sc.name.clone(),
        run_args,
        shards: a.shards,
        partition: a.partition.clone(),
        time: a.time.clone(),
        mem: a.mem.clone(),
        cpus: threads,
        out,
        jobs,
    };
    write(&cfg)?;
    if a.submit {
        let (array, merge) = submit(&cfg)?;
        println!("{}", follow(&cfg, Some((&array, &merge))));
    } else {
        println!("{}", follow(&cfg, None));
    }
    Ok(0)
}
