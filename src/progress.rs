//! A progress line on stderr while roster loads and evaluates a big snapshot: which step it
//! is on and for how long. Only when stderr is a terminal, so logs and pipes never see it.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

/// Snapshots smaller than this load in well under a second: no progress line.
const BIG_BYTES: u64 = 32 << 20;

static BAR: OnceLock<ProgressBar> = OnceLock::new();

/// Shows the progress line if stderr is a terminal and the snapshot at `path` (a folder or
/// a file) is big.
pub fn begin(path: &Path) {
    // One line per run: a second snapshot (diff, --previous) goes on the same line.
    if BAR.get().is_some() || !std::io::stderr().is_terminal() || snapshot_bytes(path) < BIG_BYTES {
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
