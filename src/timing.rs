//! `ROSTER_TIMINGS=1`: phase times on stderr, for benchmarks and profiling.

use std::sync::OnceLock;
use std::time::Instant;

static START: OnceLock<Instant> = OnceLock::new();

/// Starts the clock (the first call wins).
pub fn start() {
    START.get_or_init(Instant::now);
}

/// Prints how long the run has taken when a phase ends, if `ROSTER_TIMINGS` is set: wall
/// time, and on Linux the CPU time of all threads (steadier on a busy machine).
pub fn phase(name: &str) {
    if std::env::var_os("ROSTER_TIMINGS").is_some() {
        let elapsed = START.get_or_init(Instant::now).elapsed();
        match cpu_seconds() {
            Some(cpu) => {
                eprintln!("timing: {name} done at {:.3}s (cpu {cpu:.2}s)", elapsed.as_secs_f64())
            }
            None => eprintln!("timing: {name} done at {:.3}s", elapsed.as_secs_f64()),
        }
    }
}

/// User + system time of the process so far, from `/proc/self/stat` (in clock ticks of
/// 1/100 s, the Linux default).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    let mut fields = rest.split(' ').skip(11);
    let utime: f64 = fields.next()?.parse().ok()?;
    let stime: f64 = fields.next()?.parse().ok()?;
    Some((utime + stime) / 100.0)
}
