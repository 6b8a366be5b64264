//! Every `tests/cases/<name>/cmd` runs the binary; the transcript (exit code, stdout,
//! stderr) is pinned as `tests/cases/snapshots/<name>.snap`. Review every accepted
//! snapshot as if it were code.
//!
//! The cases run in parallel (one worker per core), then their transcripts are compared
//! in name order, so a failure report is the same whatever finished first.

use crate::support::{case_args, root, roster_env, transcript};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

#[test]
fn cases() {
    let mut dirs: Vec<_> = std::fs::read_dir(root().join("tests/cases"))
        .expect("cases folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("cmd").is_file())
        .collect();
    dirs.sort();
    assert!(dirs.len() > 10, "the cases folder lost its cases");
    let runs: Vec<(Vec<String>, Mutex<Option<String>>)> =
        dirs.iter().map(|d| (case_args(&d.join("cmd")), Mutex::new(None))).collect();
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).max(2);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while let Some((args, slot)) = runs.get(next.fetch_add(1, Ordering::Relaxed)) {
                    *slot.lock().unwrap() = Some(transcript(&roster_env(args, &[])));
                }
            });
        }
    });
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(root().join("tests/cases/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for (dir, (args, slot)) in dirs.iter().zip(&runs) {
            let name = dir.file_name().expect("name").to_string_lossy().into_owned();
            let text = slot.lock().unwrap().take().expect("every case ran");
            insta::with_settings!({ description => format!("roster {}", args.join(" ")) }, {
                insta::assert_snapshot!(name, text);
            });
        }
    });
}
