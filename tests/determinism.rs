//! The same inputs give the same bytes whatever the thread count.

use crate::support::roster_env;

fn run_with_threads(args: &[&str], threads: &str) -> Vec<u8> {
    let out = roster_env(args, &[("RAYON_NUM_THREADS", threads)]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

#[test]
fn plan_is_byte_identical_with_one_and_four_threads() {
    for (policy, snapshot) in [
        ("policies/default.toml", "examples/acme"),
        ("policies/default.toml", "examples/acme.json"),
        ("tests/data/boundaries/policy.toml", "tests/data/boundaries/snapshot"),
    ] {
        for format in ["json", "csv", "markdown", "table"] {
            let args = ["plan", "--policy", policy, "--snapshot", snapshot, "--format", format];
            let one = run_with_threads(&args, "1");
            let four = run_with_threads(&args, "4");
            assert_eq!(
                one, four,
                "{policy} on {snapshot} as {format} differs between 1 and 4 threads"
            );
        }
    }
}

#[test]
fn offboard_is_byte_identical_with_one_and_four_threads() {
    let args = [
        "offboard",
        "--policy",
        "tests/data/org/policy.toml",
        "--snapshot",
        "tests/data/org/snapshot",
        "--actor",
        "adm",
        "--user",
        "dana",
        "--user",
        "x1",
        "--user",
        "x2",
        "--user",
        "x3",
        "--user",
        "y1",
        "--user",
        "y2",
        "--user",
        "mgr_s",
        "--user",
        "iso",
        "--format",
        "json",
    ];
    assert_eq!(run_with_threads(&args, "1"), run_with_threads(&args, "4"));
}
