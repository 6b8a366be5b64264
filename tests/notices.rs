//! Staged notices over a simulated month of nightly runs, and the notices digest, through
//! the binary: `notify_before = ["14d", "7d", "1d"]` sends each stage exactly once, on the
//! night it opens, and the offboarding comes only after the last stage has aged.

use crate::support::{roster, temp_dir};
use serde_json::Value;
use std::path::Path;

const POLICY: &str = r#"
name = "staged"
[roles]
order = ["admin", "rep"]
[roles.permissions]
admin = ["manage_users"]
[idle]
after = "30d"
deactivate_after = "60d"
notify_before = ["7d", "14d", "1d"]
notify = ["user", "manager", "user:it-owner"]
"#;

/// Writes the snapshot: `boss` logs in every day, `rep` last logged in on 2026-01-01 and
/// was last warned at `notified` (if ever).
fn write_snapshot(dir: &Path, notified: Option<&str>, rep_status: &str) {
    std::fs::write(
        dir.join("users.csv"),
        format!(
            "id,email,name,role,status,manager_id,last_login_at,notified_at\n\
             boss,boss@x.example,Boss,admin,active,,2026-03-31,\n\
             rep,rep@x.example,Rep,rep,{rep_status},boss,2026-01-01,{}\n",
            notified.unwrap_or("")
        ),
    )
    .unwrap();
}

fn plan(dir: &Path, policy: &Path, day: &str, format: &str) -> String {
    let out = roster([
        "plan",
        "--policy",
        policy.to_str().unwrap(),
        "--snapshot",
        dir.to_str().unwrap(),
        "--as-of",
        day,
        "--format",
        format,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn three_stages_are_each_sent_once_and_escalation_waits_for_the_last() {
    let dir = temp_dir("notices-month");
    let policy = dir.join("policy.toml");
    std::fs::write(&policy, POLICY).unwrap();
    let snap = dir.join("snap");
    std::fs::create_dir(&snap).unwrap();
    let mut notified: Option<String> = None;
    write_snapshot(&snap, None, "active");
    // Due 2026-03-02 (60 days after 2026-01-01): stages open on 02-16, 02-23 and 03-01.
    let mut sent = Vec::new();
    let mut deactivated = None;
    let start = chrono::NaiveDate::from_ymd_opt(2026, 2, 5).unwrap();
    for offset in 0..40 {
        let day = (start + chrono::Duration::days(offset)).format("%Y-%m-%d").to_string();
        // Nightly at 06:00, when the export is taken.
        let p: Value =
            serde_json::from_str(&plan(&snap, &policy, &format!("{day}T06:00:00Z"), "json"))
                .unwrap();
        let of_rep = |kind: &str| {
            p["actions"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["user"] == "rep" && a["action"] == kind)
        };
        if of_rep("notify_user") {
            let a = p["actions"]
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["action"] == "notify_user")
                .unwrap();
            assert_eq!(a["announces"], "deactivate");
            assert_eq!(a["to"], serde_json::json!(["rep", "boss", "it-owner"]));
            sent.push(day.clone());
            // The mailer sent it: the next export carries the notice's time.
            notified = Some(format!("{day}T06:00:00Z"));
            write_snapshot(&snap, notified.as_deref(), "active");
        }
        if of_rep("deactivate") {
            assert!(deactivated.is_none());
            deactivated = Some(day.clone());
            write_snapshot(&snap, notified.as_deref(), "deactivated");
        }
    }
    assert_eq!(
        sent,
        ["2026-02-16", "2026-02-23", "2026-03-01"],
        "one notice per stage, when it opens"
    );
    assert_eq!(
        deactivated.as_deref(),
        Some("2026-03-02"),
        "offboarded once the last notice is 1d old"
    );
}

#[test]
fn a_run_that_misses_stages_sends_only_the_latest_and_a_login_starts_over() {
    let dir = temp_dir("notices-skip");
    let policy = dir.join("policy.toml");
    std::fs::write(&policy, POLICY).unwrap();
    write_snapshot(&dir, None, "active");
    // First run on 02-24: stages 14d and 7d are open, only the 7d notice goes out.
    let p: Value = serde_json::from_str(&plan(&dir, &policy, "2026-02-24", "json")).unwrap();
    let notices: Vec<&Value> =
        p["actions"].as_array().unwrap().iter().filter(|a| a["action"] == "notify_user").collect();
    assert_eq!(notices.len(), 1);
    assert!(
        notices[0]["reason"].as_str().unwrap().contains("stage 2 of 3: 7d before"),
        "{}",
        notices[0]
    );
    // Not deactivated on the due day without the last stage.
    write_snapshot(&dir, Some("2026-02-24T06:00:00Z"), "active");
    let p: Value = serde_json::from_str(&plan(&dir, &policy, "2026-03-02", "json")).unwrap();
    let kinds: Vec<&str> = p["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["user"] == "rep")
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"notify_user"), "the 1d stage first: {kinds:?}");
    assert!(!kinds.contains(&"deactivate"), "no deactivation before the last stage: {kinds:?}");
    // A login after the notices starts the clock over: no notice, no escalation.
    std::fs::write(
        dir.join("users.csv"),
        "id,email,name,role,status,manager_id,last_login_at,notified_at
         boss,boss@x.example,Boss,admin,active,,2026-03-31,
         rep,rep@x.example,Rep,rep,active,boss,2026-02-28,2026-02-24T06:00:00Z
",
    )
    .unwrap();
    let p: Value = serde_json::from_str(&plan(&dir, &policy, "2026-03-02", "json")).unwrap();
    assert!(p["actions"].as_array().unwrap().iter().all(|a| a["user"] != "rep"), "{p}");
}

#[test]
fn the_digest_groups_notices_by_recipient() {
    let dir = temp_dir("notices-digest");
    let policy = dir.join("policy.toml");
    std::fs::write(&policy, POLICY).unwrap();
    write_snapshot(&dir, None, "active");
    let digest: Value =
        serde_json::from_str(&plan(&dir, &policy, "2026-02-16", "notices")).unwrap();
    assert_eq!(digest["format"], "roster-notices/1");
    let recipients: Vec<&str> = digest["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["recipient"].as_str().unwrap())
        .collect();
    assert_eq!(recipients, ["boss", "it-owner", "rep"]);
    for r in digest["recipients"].as_array().unwrap() {
        let notices = r["notices"].as_array().unwrap();
        assert_eq!(notices.len(), 1);
        assert_eq!(notices[0]["user"], "rep");
        assert_eq!(notices[0]["email"], "rep@x.example");
        assert_eq!(notices[0]["date"], "2026-03-02");
    }
    assert_eq!(digest["recipients"][0]["email"], "boss@x.example");
    assert!(digest["recipients"][1].get("email").is_none(), "it-owner is not a user of the app");
    let csv = plan(&dir, &policy, "2026-02-16", "notices-csv");
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("recipient,recipient_name,recipient_email,user,user_name,user_email,announces,date,reason"));
    assert_eq!(lines.count(), 3);
}
