//! Every `tests/cases/<name>/cmd` runs the binary; the transcript (exit code, stdout,
//! stderr) is pinned as `tests/cases/snapshots/<name>.snap`. Review every accepted
//! snapshot as if it were code.

use crate::support::{case_args, root, roster, transcript};

#[test]
fn cases() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(root().join("tests/cases/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        let mut dirs: Vec<_> = std::fs::read_dir(root().join("tests/cases"))
            .expect("cases folder")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.join("cmd").is_file())
            .collect();
        dirs.sort();
        assert!(dirs.len() > 10, "the cases folder lost its cases");
        for dir in dirs {
            let name = dir.file_name().expect("name").to_string_lossy().into_owned();
            let args = case_args(&dir.join("cmd"));
            let out = roster(&args);
            insta::with_settings!({ description => format!("roster {}", args.join(" ")) }, {
                insta::assert_snapshot!(name, transcript(&out));
            });
        }
    });
}
