//! Generated shell integration: completion scripts for every shell, and the manual pages,
//! whose committed copies in docs/man must match what the binary prints.

use crate::support::{root, roster, temp_dir};

/// Every command a user can type after `roster`.
const COMMANDS: [&str; 11] = [
    "check",
    "plan",
    "offboard",
    "reactivate",
    "test",
    "diff",
    "explain",
    "generate",
    "schema",
    "completions",
    "man",
];

#[test]
fn completions_for_every_shell_name_every_command() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = roster(["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(script.len() > 500, "{shell}: a script of {} bytes", script.len());
        for command in COMMANDS {
            assert!(script.contains(command), "{shell}: `{command}` is not completed");
        }
        assert!(script.contains("--policy"), "{shell}: options are not completed");
    }
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let out = roster(["completions", "cmd.exe"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("possible values"));
}

#[test]
fn the_manual_page_has_its_sections_and_every_command() {
    let out = roster(["man"]);
    assert_eq!(out.status.code(), Some(0));
    let page = String::from_utf8(out.stdout).unwrap();
    for section in [
        ".TH roster 1",
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH DESCRIPTION",
        ".SH SUBCOMMANDS",
        ".SH EXAMPLES",
        ".SH \"EXIT STATUS\"",
        ".SH FILES",
        ".SH ENVIRONMENT",
        ".SH \"SEE ALSO\"",
    ] {
        assert!(page.contains(section), "no `{section}` in roster(1):\n{page}");
    }
    assert!(page.contains("\"roster 0.1.0\" \"roster manual\""), "the footer names roster");
    assert!(!page.contains(".SH EXTRA"));
    for command in COMMANDS {
        assert!(page.contains(&format!("roster\\-{command}(1)")), "roster(1) omits `{command}`");
    }
}

#[test]
fn every_command_page_has_examples_and_exit_status_and_no_extra() {
    let dir = temp_dir("man-sections");
    assert_eq!(roster(["man", "--out", dir.to_str().unwrap()]).status.code(), Some(0));
    for command in ["plan", "offboard", "reactivate", "explain", "test", "diff"] {
        let page = std::fs::read_to_string(dir.join(format!("roster-{command}.1"))).unwrap();
        for section in [".SH EXAMPLES", ".SH \"EXIT STATUS\"", ".SH \"SEE ALSO\""] {
            assert!(page.contains(section), "roster-{command}(1) has no {section}");
        }
        assert!(!page.contains(".SH EXTRA"), "roster-{command}(1) has an EXTRA section");
        assert!(page.contains("\"roster 0.1.0\""), "roster-{command}(1): footer");
    }
}

#[test]
fn the_committed_manual_pages_are_current() {
    let dir = temp_dir("man-pages");
    let out = roster(["man", "--out", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let names = |d: &std::path::Path| {
        let mut names: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let committed = root().join("docs/man");
    let regenerate = "regenerate them with `rm -r docs/man && cargo run -q -- man --out docs/man`";
    assert_eq!(names(&dir), names(&committed), "docs/man holds other pages; {regenerate}");
    for name in names(&dir) {
        let fresh = std::fs::read(dir.join(&name)).unwrap();
        let old = std::fs::read(committed.join(&name)).unwrap();
        assert!(fresh == old, "docs/man/{name} is stale; {regenerate}");
    }
    assert_eq!(
        std::fs::read(dir.join("roster.1")).unwrap(),
        roster(["man"]).stdout,
        "`roster man` prints the roster.1 that `--out` writes"
    );
}
