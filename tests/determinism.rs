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
    // users.csv and records.csv are over the size read in parallel chunks; snapshot.json
    // is read in one piece: both must give the same plan, with 1 or 4 threads.
    let dir = crate::support::temp_dir("chunks");
    let out = crate::support::roster(
        ["generate", "--users", "30000", "--records", "150000", "--seed", "7", "--json", "--out"]
            .into_iter()
            .map(std::ffi::OsString::from)
            .chain([dir.clone().into_os_string()]),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::metadata(dir.join("records.csv")).unwrap().len() > 4 << 20);
    assert!(std::fs::metadata(dir.join("users.csv")).unwrap().len() > 4 << 20);
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

#[test]
fn errors_in_a_large_users_file_come_in_file_order_whatever_the_chunks() {
    // users.csv over the parallel size, with bad rows in different chunks and an id
    // repeated far from its first row: the same messages, in line order, with 1 or 4
    // threads (different chunk boundaries).
    let dir = crate::support::temp_dir("user-chunks");
    let out = crate::support::roster(
        ["generate", "--users", "40000", "--records", "0", "--seed", "3", "--out"]
            .into_iter()
            .map(std::ffi::OsString::from)
            .chain([dir.clone().into_os_string()]),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let users = dir.join("users.csv");
    let text = std::fs::read_to_string(&users).unwrap();
    assert!(text.len() > 4 << 20);
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (status, login) = (col("status"), col("last_login_at"));
    let set = |lines: &mut Vec<String>, n: usize, c: usize, v: &str| {
        let mut cells: Vec<String> = lines[n - 1].split(',').map(str::to_owned).collect();
        cells[c] = v.to_owned();
        lines[n - 1] = cells.join(",");
    };
    set(&mut lines, 101, status, "bogus");
    lines[200].push_str(",extra");
    let first_id = lines[10].split(',').next().unwrap().to_owned();
    set(&mut lines, 30001, 0, &first_id);
    set(&mut lines, 39001, login, "yesterday");
    std::fs::write(&users, lines.join("\n") + "\n").unwrap();
    let check = |threads: &str| {
        let out = roster_env(
            [
                "check".as_ref(),
                "--policy".as_ref(),
                "policies/default.toml".as_ref(),
                "--snapshot".as_ref(),
                dir.as_os_str(),
            ],
            &[("RAYON_NUM_THREADS", threads)],
        );
        assert_eq!(out.status.code(), Some(1));
        String::from_utf8(out.stderr).unwrap()
    };
    let four = check("4");
    assert_eq!(four, check("1"));
    let at = |needle: &str| four.find(needle).unwrap_or_else(|| panic!("{needle} in {four}"));
    assert!(at("users.csv:101:") < at("users.csv:201:"));
    assert!(at("users.csv:201:") < at("users.csv:30001:"));
    assert!(at("users.csv:30001:") < at("users.csv:39001:"));
    assert!(four.contains("(first on line 11)"), "{four}");
}

#[test]
fn a_generated_directory_reconciles_the_same_whatever_the_thread_count() {
    // `roster generate --directory` twice gives the same bytes, and its HR export, read
    // with policies/directory.toml's mapping, gives the same reconciled plan on 1 or 4
    // threads, with every kind of directory outcome in it.
    let dir = crate::support::temp_dir("directory-scale");
    let generate = |out: &std::path::Path| {
        let out = crate::support::roster(
            [
                "generate",
                "--users",
                "20000",
                "--records",
                "40000",
                "--seed",
                "5",
                "--directory",
                "--out",
            ]
            .into_iter()
            .map(std::ffi::OsString::from)
            .chain([out.as_os_str().to_owned()]),
        );
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    generate(&dir.join("a"));
    generate(&dir.join("b"));
    let hr = std::fs::read(dir.join("a/directory.csv")).unwrap();
    assert_eq!(hr, std::fs::read(dir.join("b/directory.csv")).unwrap());
    let snapshot = dir.join("a");
    let directory = dir.join("a/directory.csv");
    let plan = |threads: &str| {
        let out = roster_env(
            [
                "plan".as_ref(),
                "--policy".as_ref(),
                "policies/directory.toml".as_ref(),
                "--format".as_ref(),
                "json".as_ref(),
                "--snapshot".as_ref(),
                snapshot.as_os_str(),
                "--directory".as_ref(),
                directory.as_os_str(),
            ],
            &[("RAYON_NUM_THREADS", threads)],
        );
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    };
    let four = plan("4");
    assert_eq!(four, plan("1"));
    let plan: serde_json::Value = serde_json::from_slice(&four).unwrap();
    let codes: std::collections::BTreeSet<&str> =
        plan["findings"].as_array().unwrap().iter().filter_map(|f| f["code"].as_str()).collect();
    for code in [
        "undeprovisioned",
        "unmatched_account",
        "leave_date",
        "manager_mismatch",
        "moved",
        "ambiguous_match",
    ] {
        assert!(codes.contains(code), "no {code} in the reconciled plan");
    }
    let by_directory =
        plan["actions"].as_array().unwrap().iter().filter(|a| a["rule"] == "directory").count();
    assert!(by_directory > 100);
}
