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
        for format in ["json", "csv", "markdown", "table", "scim", "sheet", "mermaid"] {
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

#[test]
fn a_large_snapshot_read_in_parallel_chunks_plans_like_its_json_twin() {
    // records.csv is over the size read in parallel chunks; snapshot.json is read in one
    // piece: both must give the same plan, with 1 or 4 threads.
    let dir = crate::support::temp_dir("chunks");
    let out = crate::support::roster(
        ["generate", "--users", "6000", "--records", "150000", "--seed", "7", "--json", "--out"]
            .into_iter()
            .map(std::ffi::OsString::from)
            .chain([dir.clone().into_os_string()]),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::metadata(dir.join("records.csv")).unwrap().len() > 4 << 20);
    let plan = |snapshot: &std::path::Path, threads: &str| {
        let out = roster_env(
            [
                "plan".as_ref(),
                "--policy".as_ref(),
                "policies/default.toml".as_ref(),
                "--format".as_ref(),
                "json".as_ref(),
                "--snapshot".as_ref(),
                snapshot.as_os_str(),
            ],
            &[("RAYON_NUM_THREADS", threads)],
        );
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let mut plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        plan["snapshot"]["sha256"] = serde_json::Value::Null;
        plan
    };
    let from_csv = plan(&dir, "4");
    assert_eq!(from_csv, plan(&dir, "1"));
    assert_eq!(from_csv, plan(&dir.join("snapshot.json"), "4"));
    assert!(from_csv["actions"].as_array().unwrap().len() > 100);
}
