//! `cohesion merge` (the parts of a sharded run into one result) and `cohesion rerun` (a
//! finished run again from its manifest, compared byte for byte).

use std::path::PathBuf;
use std::sync::atomic::Ordering;

use anyhow::Result;
use cohesion::run::merge::{MergeConfig, merge as merge_parts};
use cohesion::run::rerun::{RerunConfig, rerun as rerun_dir};

#[derive(clap::Args, Debug)]
pub struct MergeArgs {
    /// Part folders written by `cohesion run … --shard I/N` (every shard exactly once).
    #[arg(required = true)]
    pub parts: Vec<PathBuf>,
    /// The merged result's folder.
    #[arg(long, short = 'o', required = true)]
    pub out: PathBuf,
    /// Replace an earlier result at --out.
    #[arg(long)]
    pub force: bool,
    /// Print nothing but errors.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

pub fn merge(a: MergeArgs) -> Result<i32> {
    let r = merge_parts(&MergeConfig {
        parts: a.parts.clone(),
        out: a.out.clone(),
        force: a.force,
        command_line: std::env::args().collect(),
    })?;
    if !a.quiet {
        println!(
            "merged {} parts ({} blocks, {} trials) in {:.2} s\nresults: {}",
            a.parts.len(),
            r.blocks,
            r.trials,
            r.wall_seconds,
            r.out.display()
        );
    }
    Ok(0)
}

#[derive(clap::Args, Debug)]
pub struct RerunArgs {
    /// A finished run's folder (with its manifest.json).
    pub dir: PathBuf,
    /// Where to write the new result (default: DIR-rerun beside it).
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// Replace an earlier result at the output folder.
    #[arg(long)]
    pub force: bool,
    /// No progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Exit code 0 when the new result is byte-identical, 1 when it differs.
pub fn rerun(a: RerunArgs) -> Result<i32> {
    let cancel = super::signals::cancel_on_signals();
    let bar = super::run::progress_bar(a.quiet, 0);
    let progress = |done: u64| {
        if let Some(b) = &bar {
            b.set_position(done);
        }
    };
    let result = rerun_dir(
        &RerunConfig {
            dir: a.dir.clone(),
            out: a.out.clone(),
            threads: super::threads(a.threads)?,
            force: a.force,
            command_line: std::env::args().collect(),
        },
        &progress,
        cancel,
    );
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    if cancel.load(Ordering::SeqCst) && result.is_err() {
        if let Err(e) = &result {
            eprintln!("{e:#}");
        }
        return Ok(super::signals::exit_code());
    }
    let r = result?;
    if !r.changed_inputs.is_empty() {
        println!("changed since the run: {}", r.changed_inputs.join("; "));
    }
    if let Some(v) = &r.other_version {
        println!(
            "the run was made by cohesion {v}; this is {}",
            cohesion::VERSION
        );
    }
    if r.identical() {
        println!(
            "byte-identical: {} repeats {} ({} trials)",
            r.run.out.display(),
            a.dir.display(),
            r.run.trials
        );
        Ok(0)
    } else {
        println!(
            "NOT identical: {} differs from {} in {} file(s):",
            r.run.out.display(),
            a.dir.display(),
            r.differing.len()
        );
        for f in &r.differing {
            println!("  {f}");
        }
        Ok(1)
    }
}
