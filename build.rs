//! Records the target triple and, when built from a git checkout, the commit, for manifests.
fn main() {
    println!(
        "cargo:rustc-env=COHESION_TARGET={}",
        std::env::var("TARGET").unwrap_or_default()
    );
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let commit = git(&["rev-parse", "--short=12", "HEAD"]).unwrap_or_default();
    println!("cargo:rustc-env=COHESION_GIT_COMMIT={commit}");
    println!("cargo:rerun-if-changed=build.rs");
    // Rerun when the commit changes. The paths come from git: in a worktree `.git` is a
    // file, and a `rerun-if-changed` path that does not exist reruns (and rebuilds) always.
    if let (Some(dir), Some(common)) = (
        git(&["rev-parse", "--git-dir"]),
        git(&["rev-parse", "--git-common-dir"]),
    ) {
        for p in [
            format!("{dir}/HEAD"),
            format!("{common}/refs"),
            format!("{common}/packed-refs"),
        ] {
            if std::path::Path::new(&p).exists() {
                println!("cargo:rerun-if-changed={p}");
            }
        }
    }
}
