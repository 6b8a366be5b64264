//! The `roster` binary: parse arguments, run, exit with the command's code.

fn main() -> std::process::ExitCode {
    roster::cli::main()
}
