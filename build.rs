//! Records the target triple and, when built from a git checkout, the commit, for manifests.
fn main() {
    println!(
        "cargo:rustc-env=COHESION_TARGET={}",
        std::env::var("TARGET").unwrap_or_default()
    );
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    println!("cargo:rustc-env=COHESION_GIT_COMMIT={commit}");
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs");
}
