//! `roster plan --tenants` and `roster check --tenants` through the binary: each tenant's
//! plan is byte for byte a single run's, overrides apply, a broken tenant does not stop the
//! others, shards add up to the whole run, and `roster summary` merges them.

use crate::support::{root, roster, roster_env, temp_dir};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Every shipped example as a tenant: (id, policy, snapshot).
const SHIPPED: [(&str, &str, &str); 8] = [
    ("acme", "policies/default.toml", "examples/acme"),
    ("acme-json", "policies/default.toml", "examples/acme.json"),
    ("field-sales", "policies/field-sales.toml", "examples/field-sales"),
    ("licensed-crm", "policies/licensed-crm.toml", "examples/licensed-crm"),
    ("commerce", "policies/commerce-backoffice.toml", "examples/commerce-backoffice"),
    ("contact-center", "policies/contact-center.toml", "examples/contact-center"),
    ("vendor", "policies/vendor-export.toml", "examples/vendor-export"),
    ("scim", "policies/default.toml", "examples/scim"),
];

/// A tenants file in a fresh folder: every shipped example under its policy, Acme twice
/// more (one with an override), and one tenant whose snapshot is missing.
fn tenants_file(name: &str) -> (PathBuf, PathBuf) {
    let dir = temp_dir(name);
    let r = root();
    let mut text = format!("policy = \"{}\"\n", r.join("policies/default.toml").display());
    for (id, policy, snapshot) in SHIPPED {
        text.push_str(&format!(
            "\n[[tenant]]\nid = \"{id}\"\nsnapshot = \"{}\"\npolicy = \"{}\"\n",
            r.join(snapshot).display(),
            r.join(policy).display()
        ));
    }
    text.push_str(&format!(
        "\n[[tenant]]\nid = \"acme-60d\"\nsnapshot = \"{}\"\noverrides = {{ idle = {{ after = \"60d\" }} }}\n",
        r.join("examples/acme").display()
    ));
    text.push_str("\n[[tenant]]\nid = \"gone\"\nsnapshot = \"no-such-export\"\n");
    let file = dir.join("tenants.toml");
    std::fs::write(&file, text).unwrap();
    (dir, file)
}

fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

fn ids(summary: &serde_json::Value) -> Vec<String> {
    summary["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn each_tenant_is_planned_as_a_single_run_and_a_broken_one_stops_nothing() {
    let (dir, file) = tenants_file("tenants-all");
    let out = dir.join("out");
    let run = roster([
        "plan",
        "--tenants",
        s(&file),
        "--out-dir",
        s(&out),
        "--out",
        "plan.json",
        "--out",
        "plan.md",
    ]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "a failed tenant makes the run exit 1: {stderr}");
    assert!(
        stderr.contains("roster: tenant `gone` failed:") && stderr.contains("no such snapshot"),
        "{stderr}"
    );
    let sum = summary(&out);
    assert_eq!(sum["totals"]["tenants"], 10);
    assert_eq!(sum["totals"]["failed"], 1);
    let gone = sum["tenants"].as_array().unwrap().iter().find(|t| t["id"] == "gone").unwrap();
    assert_eq!(gone["status"], "failed");
    assert!(gone["error"].as_str().unwrap().contains("no such snapshot"));
    let text = std::fs::read_to_string(dir.join("tenants.toml")).unwrap();
    let r = root();
    for (id, policy, snapshot) in SHIPPED {
        assert!(text.contains(id));
        let single = dir.join(format!("{id}-single"));
        std::fs::create_dir_all(&single).unwrap();
        let one = roster([
            "plan",
            "--policy",
            s(&r.join(policy)),
            "--snapshot",
            s(&r.join(snapshot)),
            "--out",
            s(&single.join("plan.json")),
            "--out",
            s(&single.join("plan.md")),
        ]);
        assert!(
            matches!(one.status.code(), Some(0 | 3 | 4)),
            "{id}: {}",
            String::from_utf8_lossy(&one.stderr)
        );
        for name in ["plan.json", "plan.md"] {
            let a = std::fs::read(single.join(name)).unwrap();
            let b = std::fs::read(out.join(id).join(name)).unwrap();
            assert!(a == b, "{id}/{name} differs from a single run");
        }
    }
    // The override applies, and the policy it makes replays as a single run.
    let base: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("acme/plan.json")).unwrap()).unwrap();
    let late: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("acme-60d/plan.json")).unwrap()).unwrap();
    let idle = |p: &serde_json::Value| p["summary"]["actions"]["mark_idle"].as_u64().unwrap_or(0);
    assert!(
        idle(&late) < idle(&base),
        "after = 60d marks fewer users idle: {} vs {}",
        idle(&late),
        idle(&base)
    );
    let merged = out.join("acme-60d/policy.toml");
    assert!(std::fs::read_to_string(&merged).unwrap().contains("after = \"60d\""));
    let replay =
        roster(["plan", "--policy", s(&merged), "--snapshot", s(&r.join("examples/acme"))]);
    assert!(
        replay.stdout == std::fs::read(out.join("acme-60d/plan.json")).unwrap(),
        "the written policy replays the plan"
    );
}

#[test]
fn shards_add_up_to_the_whole_run_and_summary_merges_them() {
    let (dir, file) = tenants_file("tenants-shards");
    let whole = dir.join("whole");
    roster(["plan", "--tenants", s(&file), "--out-dir", s(&whole)]);
    let all: BTreeSet<String> = ids(&summary(&whole)).into_iter().collect();
    assert_eq!(all.len(), 10);
    let mut union = Vec::new();
    let mut dirs = Vec::new();
    for k in 0..3 {
        let shard = dir.join(format!("shard-{k}"));
        // Each shard in its own process, K from JOB_COMPLETION_INDEX as in an Indexed Job.
        let out = roster_env(
            ["plan", "--tenants", s(&file), "--out-dir", s(&shard), "--shard", "auto/3"],
            &[("JOB_COMPLETION_INDEX", &k.to_string())],
        );
        assert!(matches!(out.status.code(), Some(0 | 1 | 3 | 4)));
        let got = ids(&summary(&shard));
        for id in &got {
            let a = std::fs::read(shard.join(id).join("plan.json"));
            let b = std::fs::read(whole.join(id).join("plan.json"));
            assert_eq!(a.ok(), b.ok(), "{id} in shard {k}");
        }
        union.extend(got);
        dirs.push(shard);
    }
    let distinct: BTreeSet<String> = union.iter().cloned().collect();
    assert_eq!(union.len(), distinct.len(), "no tenant in two shards: {union:?}");
    assert_eq!(distinct, all, "the shards together are the whole");
    // ROSTER_SHARDS=N is auto/N.
    let env_shard = dir.join("env-shard");
    roster_env(
        ["plan", "--tenants", s(&file), "--out-dir", s(&env_shard)],
        &[("ROSTER_SHARDS", "3"), ("JOB_COMPLETION_INDEX", "1")],
    );
    assert_eq!(ids(&summary(&env_shard)), ids(&summary(&dirs[1])));
    // roster summary merges the shards into the whole run's summary (times aside).
    let merged = dir.join("merged");
    let mut args = vec!["summary".to_owned()];
    args.extend(dirs.iter().map(|d| s(d).to_owned()));
    args.extend(["--out-dir".to_owned(), s(&merged).to_owned()]);
    let out = roster(&args);
    assert_eq!(out.status.code(), Some(1), "a failed tenant in a shard fails the merge too");
    let (a, b) = (summary(&merged), summary(&whole));
    assert_eq!(a["totals"], b["totals"]);
    assert_eq!(ids(&a), ids(&b));
    assert_eq!(a["shards"], serde_json::json!([[0, 3], [1, 3], [2, 3]]));
    // The same shard twice is refused.
    let twice = roster(["summary", s(&dirs[0]), s(&dirs[0])]);
    assert_eq!(twice.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&twice.stderr).contains("is also in"));
}

#[test]
fn globs_checks_and_bad_tenant_files() {
    let dir = temp_dir("tenants-glob");
    let exports = dir.join("exports");
    for name in ["acme", "acme-eu"] {
        crate::support::copy_dir(&root().join("examples/acme"), &exports.join(name));
    }
    std::fs::copy(root().join("examples/acme.json"), exports.join("acme-us.json")).unwrap();
    std::fs::write(exports.join("notes.txt"), "not a snapshot").unwrap();
    let file = dir.join("tenants.toml");
    std::fs::write(
        &file,
        format!(
            "policy = \"{}\"\n[[tenant]]\nglob = \"exports/acme*\"\n",
            root().join("policies/default.toml").display()
        ),
    )
    .unwrap();
    let out = dir.join("out");
    let run = roster(["check", "--tenants", s(&file), "--out-dir", s(&out)]);
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    assert_eq!(ids(&summary(&out)), ["acme", "acme-eu", "acme-us"]);
    let check = std::fs::read_to_string(out.join("acme-eu/check.txt")).unwrap();
    assert!(check.contains("ok (41 users, 5 teams, 90 records)"), "{check}");

    // Problems of the file itself: all of them, at their lines.
    std::fs::write(
        &file,
        "[[tenant]]\nid = \"a/b\"\nsnapshot = \"x\"\npolicy = \"p.toml\"\n[[tenant]]\nid = \"one\"\nsnapshot = \"x\"\n\
         [[tenant]]\nid = \"two\"\nsnapshot = \"x\"\npolicy = \"p.toml\"\n[[tenant]]\nid = \"two\"\nsnapshot = \"y\"\npolicy = \"p.toml\"\n",
    )
    .unwrap();
    let bad = roster(["plan", "--tenants", s(&file), "--out-dir", s(&out)]);
    let err = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(bad.status.code(), Some(1), "{err}");
    assert!(err.contains(":2:6: tenant id `a/b` cannot name a folder"), "{err}");
    assert!(err.contains(":6:6: a tenant has no policy"), "{err}");
    assert!(err.contains(":13:6: tenant id `two` is listed twice (first on line 9)"), "{err}");
    // Usage: --tenants with --policy, a path as --out, --shard out of range.
    for (args, says) in [
        (vec!["--policy", "policies/default.toml"], "leave out --policy"),
        (vec!["--out", "x/plan.json"], "must be a file name"),
        (vec!["--shard", "3/3"], "it must be less than N"),
    ] {
        let mut all = vec!["plan", "--tenants", s(&file), "--out-dir", s(&out)];
        all.extend(args);
        let o = roster(all);
        assert_eq!(o.status.code(), Some(2), "{says}");
        assert!(
            String::from_utf8_lossy(&o.stderr).contains(says),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

#[test]
fn a_tight_memory_budget_runs_the_tenants_one_by_one_to_the_same_plans() {
    let (dir, file) = tenants_file("tenants-budget");
    let (wide, tight) = (dir.join("wide"), dir.join("tight"));
    roster(["plan", "--tenants", s(&file), "--out-dir", s(&wide)]);
    let out = roster([
        "plan",
        "--tenants",
        s(&file),
        "--out-dir",
        s(&tight),
        "--max-memory",
        "1M",
        "--jobs",
        "4",
    ]);
    assert_eq!(out.status.code(), Some(1), "the missing snapshot still fails alone");
    for id in ids(&summary(&wide)).iter().filter(|id| *id != "gone") {
        let a = std::fs::read(wide.join(id).join("plan.json")).unwrap();
        let b = std::fs::read(tight.join(id).join("plan.json")).unwrap();
        assert!(a == b, "{id}");
    }
    let bad =
        roster(["plan", "--tenants", s(&file), "--out-dir", s(&tight), "--max-memory", "lots"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("write a size such as 512M"));
}

#[test]
fn a_tenant_s_notes_are_said_with_its_id() {
    let dir = temp_dir("tenants-notes");
    let file = dir.join("tenants.toml");
    std::fs::write(
        &file,
        format!(
            "policy = \"{}\"\n[[tenant]]\nid = \"scim-dates\"\nsnapshot = \"{}\"\n",
            root().join("policies/default.toml").display(),
            root().join("tests/cases/scim-time-without-offset/snap").display()
        ),
    )
    .unwrap();
    let out = roster(["plan", "--tenants", s(&file), "--out-dir", s(&dir.join("out"))]);
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("roster: tenant `scim-dates`: note:") && err.contains("read as UTC"),
        "{err}"
    );
}
