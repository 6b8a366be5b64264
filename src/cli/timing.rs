//! `ROSTER_TIMINGS=1`: phase times on stderr, for benchmarks and profiling.

use std::sync::OnceLock;
use std::time::Instant;

static START: OnceLock<Instant> = OnceLock::new();

/// Starts the clock (the first call wins).
pub fn start() {
    START.get_or_init(Instant::now);
}

/// Prints how long the run has taken when a phase ends, if `ROSTER_TIMINGS` is set.
pub fn phase(name: &str) {
    if std::env::var_os("ROSTER_TIMINGS").is_some() {
        let elapsed = START.get_or_init(Instant::now).elapsed();
        eprintln!("timing: {name} done at {:.3}s", elapsed.as_secs_f64());
    }
}
