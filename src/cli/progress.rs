//! What a run tells a person while it works, on stderr only: a progress line while roster
//! loads and evaluates a big snapshot (only when stderr is a terminal, so logs and pipes
//! never see it), and with `ROSTER_TIMINGS=1` the time, CPU time and peak memory at the end
//! of each phase, for benchmarks and profiling.

use crate::snapshot::Progress;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Snapshots smaller than this load in well under a second: no progress line.
const BIG_BYTES: u64 = 32 << 20;

static BAR: OnceLock<ProgressBar> = OnceLock::new();
static START: OnceLock<Instant> = OnceLock::new();

/// The loader's progress, shown on the terminal and timed.
pub struct Terminal;

impl Progress for Terminal {
    fn step(&self, what: &str) {
        step(what);
    }

    fn phase(&self, name: &str) {
        phase(name);
    }
}

/// Starts the phase clock (the first call wins).
pub fn start() {
    START.get_or_init(Instant::now);
}

/// Shows the progress line if stderr is a terminal and the snapshot at `path` (a folder or
/// a file) is big.
pub fn begin(path: &Path) {
    // One line per run: a second snapshot (diff, --previous) goes on the same line.
    if snapshot_bytes(path) >= BIG_BYTES {
        begin_always();
    }
}

/// Shows the progress line if stderr is a terminal, whatever the size of the work (the
/// pages of a pull).
pub fn begin_always() {
    if BAR.get().is_some() || !std::io::stderr().is_terminal() {
        return;
    }
    let bar = ProgressBar::new_spinner();
    if let Ok(style) = ProgressStyle::with_template("{spinner} roster [{elapsed}] {msg}") {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(120));
    let _ = BAR.set(bar);
}

/// Names the step now under way.
pub fn step(message: &str) {
    if let Some(bar) = BAR.get() {
        bar.set_message(message.to_owned());
    }
}

/// Clears the progress line (before the output, a note or an error reaches the terminal).
pub fn end() {
    if let Some(bar) = BAR.get() {
        bar.finish_and_clear();
    }
}

fn snapshot_bytes(path: &Path) -> u64 {
    let size = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len());
    if path.is_dir() {
        std::fs::read_dir(path)
            .map(|entries| entries.flatten().map(|e| size(&e.path())).sum())
            .unwrap_or(0)
    } else {
        size(path)
    }
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
