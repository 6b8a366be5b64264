//! `ROSTER_TIMINGS=1`: phase times on stderr, for benchmarks and profiling.

use std::sync::OnceLock;
use std::time::Instant;

static START: OnceLock<Instant> = OnceLock::new();

/// Starts the clock (the first call wins).
pub fn start() {
    START.get_or_init(Instant::now);
}

/// Prints how long the run has taken when a phase ends, if `ROSTER_TIMINGS` is set: wall
/// time, and on Linux the CPU time of all threads (steadier on a busy machine) and the
/// peak resident memory so far.
pub fn phase(name: &str) {
    if std::env::var_os("ROSTER_TIMINGS").is_some() {
        let elapsed = START.get_or_init(Instant::now).elapsed();
        let cpu = cpu_seconds().map(|c| format!(", cpu {c:.2}s")).unwrap_or_default();
        let rss = peak_rss_mb().map(|m| format!(", peak {m} MB")).unwrap_or_default();
        eprintln!("timing: {name} done at {:.3}s{cpu}{rss}", elapsed.as_secs_f64());
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

/// The peak resident set size so far (`VmHWM` in `/proc/self/status`), in MB.
fn peak_rss_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}
