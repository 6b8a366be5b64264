//! The project's own docs stay true: ARCHITECTURE.md's code map names every file under
//! `src/` and nothing else, and CHANGELOG.md keeps its form.

use crate::support::root;
use std::collections::BTreeSet;
use std::path::Path;

/// Every `.rs` file under `src/`, relative to the repository root.
fn source_files() -> BTreeSet<String> {
    let mut files = BTreeSet::new();
    let mut dirs = vec![root().join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(root()).unwrap();
                files.insert(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    files
}

/// The files the code map names: `src/x.rs` anywhere, `dir/y.rs` as a path from `src/`, and
/// `y.rs` under a `### \`src/dir/\`` heading, which names `src/dir/y.rs`.
fn mapped_files(text: &str) -> BTreeSet<String> {
    let map = text
        .split("\n## Code map")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("ARCHITECTURE.md has a `## Code map` section");
    let mut files = BTreeSet::new();
    let mut folder: Option<String> = None;
    for line in map.lines() {
        if let Some(heading) = line.strip_prefix("### ") {
            folder = heading
                .strip_prefix("`src/")
                .and_then(|h| h.strip_suffix("/`"))
                .map(|d| format!("src/{d}/"));
        }
        for quoted in line.split('`').skip(1).step_by(2) {
            if !quoted.ends_with(".rs") || quoted.contains(' ') {
                continue;
            }
            let path = match &folder {
                _ if quoted.starts_with("src/") => quoted.to_owned(),
                // `render/explain.rs`: a path from src/.
                _ if quoted.contains('/') => format!("src/{quoted}"),
                Some(dir) => format!("{dir}{quoted}"),
                None => format!("src/{quoted}"),
            };
            files.insert(path);
        }
    }
    files
}

#[test]
fn the_code_map_names_every_source_file_and_no_other() {
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let mapped = mapped_files(&text);
    let existing = source_files();
    let missing: Vec<_> = existing.difference(&mapped).collect();
    let stale: Vec<_> = mapped.difference(&existing).collect();
    assert!(missing.is_empty(), "ARCHITECTURE.md's code map does not name {missing:?}");
    assert!(
        stale.is_empty(),
        "ARCHITECTURE.md's code map names files that do not exist: {stale:?}"
    );
}

#[test]
fn src_holds_only_stage_folders_and_small_leaves() {
    for entry in std::fs::read_dir(root().join("src")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let lines = std::fs::read_to_string(&path).unwrap().lines().count();
        assert!(
            ["main.rs", "lib.rs"].contains(&name.as_str()) || lines <= 400,
            "src/{name} has {lines} lines: a loose module beside the stage folders should be a small leaf"
        );
        let text = std::fs::read_to_string(&path).unwrap();
        if !["main.rs", "lib.rs"].contains(&name.as_str()) {
            for stage in
                ["cli", "engine", "policy", "snapshot", "rules", "offboard", "plan", "render"]
            {
                assert!(
                    !text.contains(&format!("crate::{stage}")),
                    "src/{name} is a leaf but names crate::{stage}"
                );
            }
        }
    }
}

#[test]
fn the_changelog_keeps_a_changelog_form() {
    let text = std::fs::read_to_string(root().join("CHANGELOG.md")).unwrap();
    assert!(text.starts_with("# Changelog\n"), "CHANGELOG.md starts with `# Changelog`");
    assert!(text.contains("keepachangelog.com"), "CHANGELOG.md names its form");
    assert!(text.contains("\n## [Unreleased]\n"), "CHANGELOG.md has an [Unreleased] section");
    let allowed = ["Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"];
    for line in text.lines().filter(|l| l.starts_with("### ")) {
        let kind = &line[4..];
        assert!(
            allowed.contains(&kind),
            "CHANGELOG.md: `{line}` is not a Keep a Changelog heading"
        );
    }
    assert!(Path::new(&root().join("CHANGELOG.md")).is_file());
}

/// The codes between backticks in the first column of a Markdown table that follows
/// `heading` in `text`.
fn codes_in_table(text: &str, heading: &str) -> BTreeSet<String> {
    let section = text.split(heading).nth(1).unwrap_or_else(|| panic!("no {heading}"));
    let mut codes = BTreeSet::new();
    for line in
        section.lines().skip_while(|l| !l.starts_with('|')).take_while(|l| l.starts_with('|'))
    {
        let first = line.split('|').nth(1).unwrap_or("");
        for part in first.split('`').skip(1).step_by(2) {
            codes.insert(part.to_owned());
        }
    }
    codes
}

#[test]
fn the_reference_lists_every_finding_code_fail_on_accepts() {
    let text = std::fs::read_to_string(root().join("docs/reference.md")).unwrap();
    let documented = codes_in_table(&text, "### All finding codes");
    let known: BTreeSet<String> =
        roster::plan::FINDING_CODES.iter().map(|c| (*c).to_owned()).collect();
    assert_eq!(documented, known, "docs/reference.md's finding codes and plan::FINDING_CODES");
}
