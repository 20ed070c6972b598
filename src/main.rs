//! The `cohesion` binary: parse the command line, run the command, exit with its code.
mod cli;

fn main() {
    // Like other command-line tools, stop quietly when the reader of our output goes away
    // (`cohesion scenarios | head`); Rust ignores SIGPIPE by default and `println!` panics.
    #[cfg(unix)]
    // SAFETY: setting a signal disposition to its default before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    std::process::exit(cli::main());
}
