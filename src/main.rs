//! The `roster` binary: parse arguments, run, exit with the command's code.

/// The system allocator, except that running out of memory ends roster with a one-line
/// message, exit code 1 and no temporary file left, instead of an abort.
#[global_allocator]
static ALLOCATOR: roster::cli::Allocator = roster::cli::Allocator;

fn main() -> std::process::ExitCode {
    roster::cli::main()
}
