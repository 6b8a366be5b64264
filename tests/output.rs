//! Process hygiene: atomic `--out`, early failure on an unwritable `--out`, quiet broken
//! pipes, `--fail-on` exit codes.

use crate::support::{roster, temp_dir};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// `roster plan --policy POLICY --snapshot SNAPSHOT --out OUT`.
fn plan_to(policy: &str, snapshot: &str, out: &Path) -> Output {
    roster(["plan", "--policy", policy, "--snapshot", snapshot, "--out", out.to_str().unwrap()])
}

#[test]
fn a_failing_run_with_out_leaves_no_file() {
    let dir = temp_dir("out-fails");
    let out_file = dir.join("plan.json");
    let out = plan_to("policies/default.toml", "tests/cases/err-bad-time/snap", &out_file);
    assert_eq!(out.status.code(), Some(1));
    assert!(!out_file.exists(), "a failed run must not write --out");
    let leftovers: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert!(leftovers.is_empty(), "no temporary file is left behind: {leftovers:?}");
}

#[test]
fn a_failing_run_keeps_the_previous_out_file() {
    let dir = temp_dir("out-keeps");
    let out_file = dir.join("plan.json");
    std::fs::write(&out_file, "previous plan").unwrap();
    let out =
        plan_to("tests/cases/err-policy-bad-duration/policy.toml", "examples/acme", &out_file);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&out_file).unwrap(), "previous plan");
}

#[test]
fn out_writes_json_and_replaces_the_previous_file() {
    let dir = temp_dir("out-writes");
    let out_file = dir.join("plan.json");
    std::fs::write(&out_file, "previous plan").unwrap();
    let out = plan_to("policies/default.toml", "examples/acme", &out_file);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.is_empty());
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out_file).unwrap()).unwrap();
    assert_eq!(plan["format"], "roster-plan/1");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
}

#[test]
fn an_unwritable_out_is_an_error_before_any_work() {
    // The policy is broken too: the --out error must come first.
    let out = roster([
        "plan",
        "--policy",
        "tests/cases/err-policy-bad-duration/policy.toml",
        "--snapshot",
        "examples/acme",
        "--out",
        "target/no/such/folder/plan.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--out: cannot write target/no/such/folder/plan.json"), "{stderr}");
    assert!(!stderr.contains("30 days"), "the policy was not read: {stderr}");
}

#[test]
fn fail_on_exits_three_only_when_the_list_is_not_empty() {
    let base = [
        "plan",
        "--policy",
        "policies/default.toml",
        "--snapshot",
        "examples/acme",
        "--format",
        "json",
    ];
    let with = |extra: &[&str]| roster(base.iter().chain(extra).copied()).status.code();
    assert_eq!(with(&[]), Some(0));
    assert_eq!(with(&["--fail-on", "findings"]), Some(3));
    assert_eq!(with(&["--fail-on", "actions"]), Some(3));
    assert_eq!(with(&["--fail-on", "blocked"]), Some(0), "the acme plan has no blocked entry");
    assert_eq!(with(&["--fail-on", "blocked,findings"]), Some(3));
}

#[test]
fn fail_on_takes_codes_says_what_held_and_ignores_findings_on_request() {
    let base = [
        "plan",
        "--policy",
        "policies/default.toml",
        "--snapshot",
        "examples/acme",
        "--format",
        "json",
    ];
    let run = |extra: &[&str]| roster(base.iter().chain(extra).copied());
    let stderr = |o: &Output| String::from_utf8_lossy(&o.stderr).into_owned();
    // The acme plan has one seat_overage finding, one deactivation and no manager_cycle
    // refusal; it has 10 findings in all.
    let o = run(&["--fail-on", "finding:seat_overage"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("--fail-on held: finding:seat_overage (1)"), "{}", stderr(&o));
    let o = run(&["--fail-on", "finding:identity_reused,blocked:protected,actions:reactivate"]);
    assert_eq!(o.status.code(), Some(0), "none of these is in the plan: {}", stderr(&o));
    assert!(stderr(&o).is_empty(), "nothing is said when nothing held: {}", stderr(&o));
    let o = run(&["--fail-on", "actions:deactivate"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("actions:deactivate (1)"), "{}", stderr(&o));
    // Ignoring every code the plan has turns `findings` off; the plan still lists them.
    let plan: serde_json::Value = serde_json::from_slice(&run(&[]).stdout).unwrap();
    let mut codes: Vec<String> = plan["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_owned())
        .collect();
    codes.sort();
    codes.dedup();
    let ignore = codes.join(",");
    let o = run(&["--fail-on", "findings", "--ignore-finding", &ignore]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let again: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(again["findings"], plan["findings"]);
    let (last, rest) = codes.split_last().unwrap();
    let o = run(&["--fail-on", "findings", "--ignore-finding", &rest.join(",")]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("findings ("), "{} (not ignored: {last})", stderr(&o));
    // Unknown codes are usage errors with a suggestion.
    let o = run(&["--fail-on", "finding:seat_overag"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("did you mean `seat_overage`"), "{}", stderr(&o));
    let o = run(&["--ignore-finding", "nope"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_held_plan_is_written_marked_and_exits_four_unless_accepted() {
    let dir = temp_dir("held");
    let out_file = dir.join("plan.json");
    let policy = "tests/cases/plan-acme-held/policy.toml";
    let run = |extra: &[&str]| {
        let mut args = vec!["plan", "--policy", policy, "--snapshot", "examples/acme", "--out"];
        args.push(out_file.to_str().unwrap());
        args.extend_from_slice(extra);
        roster(args)
    };
    let held = run(&[]);
    let stderr = String::from_utf8_lossy(&held.stderr).into_owned();
    assert_eq!(held.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("exit 4: the plan is held by [safety]: max_actions 10% allows 4"),
        "{stderr}"
    );
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out_file).unwrap()).unwrap();
    assert_eq!(plan["held"]["max_actions"]["count"], 22);
    assert_eq!(plan["held"]["max_actions"]["allowed"], 4);
    assert!(plan["findings"].as_array().unwrap().iter().any(|f| f["code"] == "safety_limit"));
    let accepted = run(&["--accept-held"]);
    assert_eq!(accepted.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&accepted.stderr).contains("accepted with --accept-held"));
    // Accepting does not hide a --fail-on condition.
    assert_eq!(run(&["--accept-held", "--fail-on", "finding:safety_limit"]).status.code(), Some(3));
}

#[test]
fn several_outs_take_their_format_from_the_extension() {
    let dir = temp_dir("outs");
    let (json, md, html, yaml) = (
        dir.join("plan.json"),
        dir.join("report.md"),
        dir.join("report.html"),
        dir.join("plan.yml"),
    );
    let out = roster([
        "plan",
        "--policy",
        "policies/default.toml",
        "--snapshot",
        "examples/acme",
        "--out",
        json.to_str().unwrap(),
        "--out",
        md.to_str().unwrap(),
        "--out",
        html.to_str().unwrap(),
        "--out",
        yaml.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.is_empty());
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(plan["format"], "roster-plan/1");
    assert!(std::fs::read_to_string(&md).unwrap().starts_with("# roster plan: default"));
    assert!(std::fs::read_to_string(&html).unwrap().starts_with("<!DOCTYPE html>"));
    let from_yaml: serde_json::Value =
        serde_yaml_ng::from_str(&std::fs::read_to_string(&yaml).unwrap()).unwrap();
    assert_eq!(from_yaml, plan);
    // One --out with --format: the format wins; alone, `report.md` is Markdown.
    let single = dir.join("report2.md");
    let out = roster([
        "plan",
        "--policy",
        "policies/default.toml",
        "--snapshot",
        "examples/acme",
        "--out",
        single.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(std::fs::read_to_string(&single).unwrap().starts_with("# roster plan"));
    // Usage errors, before anything is written.
    let bad = |args: &[&str], says: &str| {
        let mut all =
            vec!["plan", "--policy", "policies/default.toml", "--snapshot", "examples/acme"];
        all.extend_from_slice(args);
        let out = roster(all);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
    };
    let txt = dir.join("plan.txt");
    bad(&["--out", txt.to_str().unwrap()], "does not know the extension `.txt`");
    bad(
        &["--out", json.to_str().unwrap(), "--out", md.to_str().unwrap(), "--format", "json"],
        "--format applies to stdout or to a single --out",
    );
    bad(&["--out", json.to_str().unwrap(), "--out", json.to_str().unwrap()], "is named twice");
    let bare = dir.join("plan");
    bad(&["--out", json.to_str().unwrap(), "--out", bare.to_str().unwrap()], "has no extension");
    assert!(!txt.exists() && !bare.exists());
}

#[test]
fn a_closed_pipe_ends_quietly() {
    // Several megabytes of plan, far more than a pipe buffers.
    let dir = temp_dir("pipe");
    let mut users = String::from("id,role,status,last_login_at\n");
    for i in 0..20_000 {
        users.push_str(&format!("u{i},rep,active,2020-01-01\n"));
    }
    std::fs::write(dir.join("users.csv"), users).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_roster"))
        .args([
            "plan",
            "--policy",
            "policies/default.toml",
            "--as-of",
            "2026-11-22",
            "--format",
            "json",
            "--snapshot",
        ])
        .arg(&dir)
        .current_dir(crate::support::root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one byte, then close our end, as `| head -c1` would.
    let mut stdout = child.stdout.take().unwrap();
    let mut one = [0u8; 1];
    stdout.read_exact(&mut one).unwrap();
    drop(stdout);
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "exit {status:?}, stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
