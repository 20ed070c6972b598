//! Slurm for real: `tests/slurm/cluster.sh` starts a one-node Slurm cluster on this machine
//! (munged, slurmctld and slurmd started by hand as in the script's header), submits the job
//! array and merge job that `cohesion slurm --shards 3 --submit` writes, and compares the
//! merged result byte for byte with a single-process run; then checks that a failed shard
//! cancels the merge. Where Slurm cannot run (not root, packages missing) the test is skipped
//! with the reason, except in CI (`CI=true`), where it must run: `.ci/run` installs the
//! packages.

use std::process::Command;

#[test]
fn a_slurm_job_array_and_its_merge_give_the_bytes_of_one_process() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/slurm/cluster.sh");
    let o = Command::new("bash")
        .args([script, env!("CARGO_BIN_EXE_cohesion")])
        .output()
        .expect("cannot run bash");
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    if o.status.code() == Some(77) {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI must run the Slurm test, but it could not start a cluster:\n{out}\n{err}"
        );
        eprintln!(
            "SKIPPED: {}",
            out.lines().last().unwrap_or("Slurm not available")
        );
        return;
    }
    assert!(o.status.success(), "the Slurm test failed:\n{out}\n{err}");
    assert!(out.contains("equal the single-process run"), "{out}");
    assert!(out.contains("a failed shard cancels the merge"), "{out}");
}
