//! Text for people fits the terminal: every command of `tests/render/commands.txt` on the
//! shipped examples, at 80 columns, and the width follows `COLUMNS`.

use crate::support::{root, roster_env};

/// The commands of `tests/render/commands.txt`, split into arguments.
pub fn commands() -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(root().join("tests/render/commands.txt")).unwrap();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split_whitespace().map(str::to_owned).collect())
        .collect()
}

fn widest(text: &[u8]) -> (usize, String) {
    String::from_utf8_lossy(text)
        .lines()
        .map(|l| (l.chars().count(), l.to_owned()))
        .max_by_key(|(w, _)| *w)
        .unwrap_or_default()
}

#[test]
fn every_command_fits_80_columns() {
    let commands = commands();
    assert!(commands.len() > 30, "the command list is read");
    for args in commands {
        for columns in [None, Some("80")] {
            let env: Vec<(&str, &str)> = columns.map(|c| ("COLUMNS", c)).into_iter().collect();
            let out = roster_env(&args, &env);
            assert_eq!(
                out.status.code(),
                Some(0),
                "{args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            for stream in [&out.stdout, &out.stderr] {
                let (w, line) = widest(stream);
                assert!(w <= 80, "{args:?} with COLUMNS={columns:?}: {w} columns: {line}");
            }
        }
    }
}

#[test]
fn the_width_follows_columns() {
    let args = [
        "plan",
        "--policy",
        "policies/default.toml",
        "--snapshot",
        "examples/acme",
        "--format",
        "table",
    ];
    let wide = roster_env(args, &[("COLUMNS", "200")]);
    let narrow = roster_env(args, &[("COLUMNS", "50")]);
    let (w, _) = widest(&wide.stdout);
    assert!(w > 80 && w <= 200, "{w}");
    let (w, line) = widest(&narrow.stdout);
    assert!(w <= 50, "{w}: {line}");
    // The same text in the same order, whatever the width (a word longer than a line is
    // cut, so compare what is not space).
    let ink = |b: &[u8]| {
        String::from_utf8_lossy(b).chars().filter(|c| !c.is_whitespace()).collect::<String>()
    };
    assert_eq!(ink(&wide.stdout), ink(&narrow.stdout));
    // Too narrow to be useful: 40 columns is the floor.
    let tiny = roster_env(args, &[("COLUMNS", "10")]);
    let (w, _) = widest(&tiny.stdout);
    assert!(w <= 40 && w > 10, "{w}");
}

#[test]
fn errors_fit_too() {
    let out = roster_env(
        ["plan", "--policy", "policies/field-sales.toml", "--snapshot", "examples/acme"],
        &[("COLUMNS", "80")],
    );
    assert_eq!(out.status.code(), Some(1));
    let (w, line) = widest(&out.stderr);
    assert!(w <= 80, "{w}: {line}");
}
