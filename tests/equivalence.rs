//! A JSON snapshot and the equivalent CSV folder load to the same model.

use roster::snapshot;

#[test]
fn json_and_csv_examples_load_to_the_same_model() {
    let root = crate::support::root();
    let policy = roster::policy::load(&root.join("policies/default.toml")).expect("policy");
    let csv = snapshot::load(&root.join("examples/acme"), policy.reading(), &snapshot::Silent)
        .expect("csv snapshot");
    let json =
        snapshot::load(&root.join("examples/acme.json"), policy.reading(), &snapshot::Silent)
            .expect("json snapshot");
    assert_eq!(csv.users.len(), 41);
    assert_eq!(crate::support::canonical(&csv), crate::support::canonical(&json));
    assert_eq!(csv.attribute_names().len(), json.attribute_names().len());
}

#[test]
fn a_plan_from_json_equals_the_plan_from_csv_but_for_the_digest() {
    let root = crate::support::root();
    let policy = roster::policy::load(&root.join("policies/default.toml")).expect("policy");
    let plan = |p: &str| {
        let store =
            snapshot::load(&root.join(p), policy.reading(), &snapshot::Silent).expect("snapshot");
        let as_of = store.taken_at.expect("taken_at");
        let mut plan =
            roster::engine::nightly(&policy, &store, as_of, roster::engine::Extra::default())
                .expect("plan");
        plan.snapshot.sha256.clear();
        plan.into_owned()
    };
    assert_eq!(plan("examples/acme"), plan("examples/acme.json"));
    assert!(!plan("examples/acme").actions.is_empty());
}

/// The plan a command prints, byte for byte, but for the snapshot digest (which differs
/// with the bytes of the files, by design).
fn plan_json(args: &[&str]) -> String {
    let out = crate::support::roster(args);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let plan: serde_json::Value = serde_json::from_str(&text).expect("a JSON plan");
    let digest = plan["snapshot"]["sha256"].as_str().expect("a snapshot digest").to_owned();
    assert_eq!(text.matches(&digest).count(), 1);
    text.replace(&digest, "-")
}

#[test]
fn a_vendor_export_read_through_the_column_mapping_gives_the_canonical_plan() {
    // The mapping lives in the policy, so the two runs differ in the policy's name and
    // digest (and the snapshot's digest); every other byte must be the same.
    let run = |policy: &str, snapshot: &str| {
        let text =
            plan_json(&["plan", "--policy", policy, "--snapshot", snapshot, "--format", "json"]);
        let plan: serde_json::Value = serde_json::from_str(&text.replace("\"-\"", "\"\"")).unwrap();
        let digest = plan["policy"]["sha256"].as_str().unwrap().to_owned();
        let name = format!("\"name\": {}", plan["policy"]["name"]);
        assert_eq!(text.matches(&name).count(), 1);
        text.replace(&digest, "-").replace(&name, "\"name\": \"-\"")
    };
    let canonical = run("policies/default.toml", "examples/acme");
    assert_eq!(canonical, run("policies/vendor-export.toml", "examples/vendor-export"));
}

#[test]
fn a_scim_export_gives_the_same_plan_as_the_equivalent_csv_folder() {
    for command in [
        vec!["plan", "--policy", "policies/default.toml", "--format", "json"],
        vec![
            "offboard",
            "--policy",
            "policies/default.toml",
            "--format",
            "json",
            "--actor",
            "u002",
            "--user",
            "u013",
            "--user",
            "u005",
            "--user",
            "u003",
        ],
    ] {
        let run = |snapshot: &str| {
            let mut args = command.clone();
            args.extend(["--snapshot", snapshot]);
            plan_json(&args)
        };
        let csv = run("examples/acme");
        assert!(csv.contains("mark_idle") || csv.contains("deactivate"));
        assert_eq!(csv, run("examples/scim"), "{command:?}");
    }
}

#[test]
fn a_scim_export_loads_to_the_same_users_and_teams_as_the_csv_folder() {
    let root = crate::support::root();
    let policy = roster::policy::load(&root.join("policies/default.toml")).expect("policy");
    let csv = snapshot::load(&root.join("examples/acme"), policy.reading(), &snapshot::Silent)
        .expect("csv snapshot");
    let scim = snapshot::load(&root.join("examples/scim"), policy.reading(), &snapshot::Silent)
        .expect("scim folder");
    assert_eq!(crate::support::canonical(&csv), crate::support::canonical(&scim));
    // The lone file (detected by content) holds the same users and teams, and no records.
    let lone = snapshot::load(
        &root.join("examples/scim/users.scim.json"),
        policy.reading(),
        &snapshot::Silent,
    )
    .expect("lone scim file");
    let people = |s: &roster::snapshot::Store| {
        crate::support::canonical(s)
            .lines()
            .filter(|l| l.starts_with("user ") || l.starts_with("team "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(people(&csv), people(&lone));
    assert_eq!(lone.records.len(), 0);
}

#[test]
fn groups_may_sit_in_a_sibling_file() {
    let root = crate::support::root();
    let dir = crate::support::temp_dir("scim-split");
    let text = std::fs::read_to_string(root.join("examples/scim/users.scim.json")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let all = doc["Resources"].as_array().unwrap().clone();
    let (groups, users): (Vec<_>, Vec<_>) =
        all.into_iter().partition(|r| r["meta"]["resourceType"] == "Group");
    assert_eq!(groups.len(), 5);
    let list = |resources: Vec<serde_json::Value>| {
        let mut d = doc.clone();
        d["totalResults"] = resources.len().into();
        d["itemsPerPage"] = resources.len().into();
        d["Resources"] = resources.into();
        d.to_string()
    };
    std::fs::write(dir.join("groups.scim.json"), list(groups)).unwrap();
    std::fs::write(dir.join("users.scim.json"), list(users)).unwrap();
    for f in ["records.csv", "snapshot.toml"] {
        std::fs::copy(root.join("examples/scim").join(f), dir.join(f)).unwrap();
    }
    let policy = roster::policy::load(&root.join("policies/default.toml")).expect("policy");
    let split =
        snapshot::load(&dir, policy.reading(), &snapshot::Silent).expect("split scim folder");
    let whole = snapshot::load(&root.join("examples/scim"), policy.reading(), &snapshot::Silent)
        .expect("scim folder");
    assert_eq!(crate::support::canonical(&whole), crate::support::canonical(&split));
    // teams.csv as well as Group resources: one source of teams only.
    std::fs::copy(root.join("examples/acme/teams.csv"), dir.join("teams.csv")).unwrap();
    let err = snapshot::load(&dir, policy.reading(), &snapshot::Silent).unwrap_err().to_string();
    assert!(err.contains("teams.csv") && err.contains("Group resources"), "{err}");
}
