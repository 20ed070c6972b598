//! The `cohesion` binary: parse the command line, run the command, exit with its code.
mod cli;

fn main() {
    // A build for newer processors (x86-64-v3 by default) on an older one: say so and stop,
    // before an instruction it lacks ends the process with no explanation.
    let missing = cohesion::kernel::cpu::missing();
    if !missing.is_empty() {
        eprintln!(
            "error: this build of cohesion needs processor features this machine lacks ({}); build one for it with\n  RUSTFLAGS=\"-C target-cpu=x86-64\" cargo build --release",
            missing.join(", ")
        );
        std::process::exit(2);
    }
    // Like other command-line tools, stop quietly when the reader of our output goes away
    // (`cohesion scenarios | head`); Rust ignores SIGPIPE by default and `println!` panics.
    #[cfg(unix)]
    // SAFETY: setting a signal disposition to its default before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    std::process::exit(cli::main());
}
