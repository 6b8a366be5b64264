//! The `roster` binary: parse arguments, run, exit with the command's code.

/// Loading a big snapshot allocates millions of small strings from several threads at
/// once; mimalloc's per-thread free lists make that markedly cheaper than the system
/// allocator (see docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    roster::cli::main()
}
