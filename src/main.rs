//! The `cohesion` binary: parse the command line, run the command, exit with its code.
mod cli;

fn main() {
    std::process::exit(cli::main());
}
