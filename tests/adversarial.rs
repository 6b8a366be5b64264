//! Adversarial inputs, one test each: hostile encodings and line endings, huge cells and
//! headers, deep and cyclic manager graphs, calendar edges, out-of-range integers, empty
//! snapshots and huge policies; hostile names in every output format; and process hygiene
//! (SIGKILL during `--out`, exit codes).
//!
//! Each test asserts either a correct plan (specific facts of the JSON) or a clear error
//! (exit code 1, `file:line` in the message, no panic, no backtrace). Small fixtures live in
//! `tests/data/adversarial/` and `tests/data/regressions/` (inputs found by fuzzing, see
//! `fuzz/README.md`); the huge ones are generated into `temp_dir(..)` at test time.

use crate::support::{root, roster, temp_dir};
use serde_json::Value;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Instant;

const POLICY: &str = "policies/default.toml";
const AS_OF: &str = "2026-11-22T06:00:00Z";

/// Writes a CSV snapshot folder.
fn snapshot(name: &str, files: &[(&str, &[u8])]) -> PathBuf {
    let dir = temp_dir(&format!("adv-{name}"));
    for (file, bytes) in files {
        std::fs::write(dir.join(file), bytes).unwrap();
    }
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The process ended by itself (no signal such as SIGSEGV from a stack overflow, or
/// SIGABRT), and said nothing about a panic.
fn assert_no_panic(out: &Output) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.code().is_some(), "killed by a signal: {:?}\n{stderr}", out.status);
    for bad in ["panicked", "RUST_BACKTRACE", "stack backtrace", "overflowed its stack"] {
        assert!(!stderr.contains(bad), "stderr mentions {bad:?}:\n{stderr}");
    }
}

/// Exit code 0, and the JSON plan on stdout.
fn plan_of(out: &Output) -> Value {
    assert_no_panic(out);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("the plan is JSON")
}

/// `roster plan` with the default policy, at AS_OF, as JSON.
fn plan(dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["plan", "--policy", POLICY, "--snapshot", s(dir), "--format", "json"];
    if !extra.contains(&"--as-of") {
        args.extend_from_slice(&["--as-of", AS_OF]);
    }
    args.extend_from_slice(extra);
    plan_of(&roster(&args))
}

/// `COMMAND --policy POLICY --snapshot DIR --as-of AS_OF --format FORMAT`.
fn at_as_of<'a>(command: &'a str, dir: &'a Path, format: &'a str) -> Vec<&'a str> {
    vec![command, "--policy", POLICY, "--snapshot", s(dir), "--as-of", AS_OF, "--format", format]
}

/// `roster offboard --actor ACTOR --user USER` on `dir` as a JSON plan (exit 0).
fn offboard(dir: &Path, actor: &str, user: &str) -> Value {
    let mut args = at_as_of("offboard", dir, "json");
    args.extend(["--actor", actor, "--user", user]);
    plan_of(&roster(&args))
}

/// `roster plan` in one format, as text (exit 0).
fn plan_text(dir: &Path, format: &str) -> String {
    let out = roster(at_as_of("plan", dir, format));
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// A clear error: exit 1, every needle in stderr, no panic.
fn assert_clear_error(out: &Output, needles: &[&str]) -> String {
    assert_no_panic(out);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "expected a bad-input error, got:\n{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(out.stdout.is_empty(), "an error run printed a plan");
    for n in needles {
        assert!(stderr.contains(n), "stderr lacks {n:?}:\n{stderr}");
    }
    stderr
}

fn plan_error(dir: &Path, needles: &[&str]) -> String {
    let out = roster(["plan", "--policy", POLICY, "--snapshot", s(dir), "--as-of", AS_OF]);
    assert_clear_error(&out, needles)
}

/// The entries of a plan list whose `key` equals `value`.
fn with<'a>(plan: &'a Value, list: &str, key: &str, value: &str) -> Vec<&'a Value> {
    plan[list].as_array().unwrap().iter().filter(|v| v[key] == value).collect()
}

/// A user's actions, by name, in plan order.
fn actions_of(plan: &Value, user: &str) -> Vec<String> {
    with(plan, "actions", "user", user)
        .iter()
        .map(|a| a["action"].as_str().unwrap().to_owned())
        .collect()
}

fn without_digest(mut plan: Value) -> Value {
    plan["snapshot"]["sha256"] = Value::Null;
    plan
}

/// Runs `f`, and prints how long it took (visible with `--nocapture`).
fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let t = f();
    eprintln!("{what}: {:.2?}", start.elapsed());
    t
}

const HEADER: &str = "id,email,name,role,status,manager_id,teams,last_login_at";

/// A small org: u1 admin (recent), u2 rep idle since September, u3 idle-status rep who
/// logged in yesterday; t1 led by u1; two records of u2.
fn small_org(eol: &str) -> [(&'static str, Vec<u8>); 4] {
    let lines = |rows: &[&str]| rows.iter().map(|r| format!("{r}{eol}")).collect::<String>();
    [
        (
            "users.csv",
            lines(&[
                HEADER,
                "u1,a@x.example,Ann,admin,active,,t1,2026-11-20",
                "u2,b@x.example,Bob,rep,active,u1,t1,2026-09-01",
                "u3,c@x.example,\"Cy, Jr.\",rep,idle,u1,t1,2026-11-21",
            ])
            .into_bytes(),
        ),
        ("teams.csv", lines(&["id,name,leader_id", "t1,North,u1"]).into_bytes()),
        (
            "records.csv",
            lines(&["id,kind,owner_id,state", "o1,opportunity,u2,open", "c1,contact,u2,active"])
                .into_bytes(),
        ),
        ("snapshot.toml", lines(&["[account]", "seats = 10", "owner = \"u1\""]).into_bytes()),
    ]
}

fn write_org(name: &str, files: &[(&str, Vec<u8>)]) -> PathBuf {
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (*n, b.as_slice())).collect();
    snapshot(name, &refs)
}

// ---------------------------------------------------------------------------------------
// Encodings and line endings

#[test]
fn crlf_line_endings_plan_like_lf() {
    let lf = plan(&write_org("lf", &small_org("\n")), &[]);
    let crlf = plan(&write_org("crlf", &small_org("\r\n")), &[]);
    assert_eq!(without_digest(lf.clone()), without_digest(crlf));
    assert_eq!(lf["snapshot"]["users"], 3);
    assert_eq!(actions_of(&lf, "u2"), ["notify_user", "mark_idle"]);
    assert_eq!(actions_of(&lf, "u3"), ["mark_active"]);
}

#[test]
fn crlf_errors_name_the_right_line() {
    let users =
        "id,role,status,last_login_at\r\nu1,rep,active,2026-11-20\r\nu2,rep,active,yesterday\r\n";
    let dir = snapshot("crlf-error", &[("users.csv", users.as_bytes())]);
    plan_error(&dir, &["users.csv:3: last_login_at: `yesterday` is not a time"]);
}

#[test]
fn mixed_line_endings_lose_no_row() {
    // LF, CRLF, a lone CR and LF again: CSV treats each as a row end.
    let users = "id,role,status,last_login_at\nu1,rep,active,2026-11-20\r\nu2,rep,active,2026-11-20\ru3,rep,active,2026-11-20\nu4,rep,active,2026-01-01\n";
    let dir = snapshot("mixed-eol", &[("users.csv", users.as_bytes())]);
    let p = plan(&dir, &[]);
    assert_eq!(p["snapshot"]["users"], 4, "{p}");
    assert_eq!(p["summary"]["statuses_before"]["active"], 4);
    assert_eq!(actions_of(&p, "u4"), ["notify_user", "mark_idle"]);
}

#[test]
fn cr_only_line_endings_lose_no_row() {
    // Classic Mac OS line ends: every row must load (or the file must be refused), never a
    // silent empty snapshot.
    let users =
        "id,role,status,last_login_at\ru1,rep,active,2026-11-20\ru2,rep,active,2026-01-01\r";
    let records = "id,kind,owner_id,state\rc1,contact,u2,active\r";
    let dir =
        snapshot("cr-eol", &[("users.csv", users.as_bytes()), ("records.csv", records.as_bytes())]);
    let p = plan(&dir, &[]);
    assert_eq!(p["snapshot"]["users"], 2, "rows were dropped: {p}");
    assert_eq!(p["snapshot"]["records"], 1, "rows were dropped: {p}");
    assert_eq!(actions_of(&p, "u2"), ["notify_user", "mark_idle"]);
}

#[test]
fn quoted_newlines_and_quotes_in_names() {
    let users = "id,email,name,role,status,last_login_at\n\
        u1,a@x.example,\"Dana \"\"The Closer\"\"\nO'Brien, Jr.\",rep,active,2026-01-01\n\
        u2,b@x.example,Ann \"Q\" Smith,rep,active,2026-01-01\n";
    let dir = snapshot("quoted", &[("users.csv", users.as_bytes())]);
    let p = plan(&dir, &[]);
    assert_eq!(p["snapshot"]["users"], 2);
    assert_eq!(actions_of(&p, "u1"), ["notify_user", "mark_idle"]);
    let table = plan_text(&dir, "table");
    assert!(table.contains("Dana \"The Closer\"\\u{a}O'Brien, Jr. (u1)"), "{table}");
    assert!(table.contains("Ann \"Q\" Smith (u2)"), "{table}");

    // A row after a multi-line cell is reported on the line where it starts.
    let bad = format!("{users}u3,c@x.example,Cy,rep,active,not-a-date\n");
    let dir = snapshot("quoted-error", &[("users.csv", bad.as_bytes())]);
    plan_error(&dir, &["users.csv:5: last_login_at: `not-a-date` is not a time"]);
}

#[test]
fn a_utf8_bom_on_every_file_is_skipped() {
    let bom = |t: &str| [&b"\xEF\xBB\xBF"[..], t.as_bytes()].concat();
    let dir = snapshot(
        "bom",
        &[
            ("users.csv", &bom("id,role,status,teams,last_login_at\nu1,admin,active,t1,2026-11-20\nu2,rep,active,t1,2026-01-01\n")),
            ("teams.csv", &bom("id,name,leader_id\nt1,North,u1\n")),
            ("records.csv", &bom("id,kind,owner_id,state\nc1,contact,u2,active\n")),
            ("snapshot.toml", &bom("[account]\nowner = \"u1\"\n")),
        ],
    );
    let p = plan(&dir, &[]);
    assert_eq!(p["snapshot"]["users"], 2);
    assert_eq!(p["snapshot"]["records"], 1);
    // The BOM did not become part of a column name or id: no dangling reference.
    let codes: Vec<&str> =
        p["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert!(!codes.iter().any(|c| c.starts_with("dangling")), "{codes:?}");
    assert_eq!(actions_of(&p, "u2"), ["notify_user", "mark_idle"]);
}

#[test]
fn invalid_utf8_is_an_error_naming_the_line() {
    let users = b"id,name,role,status\nu1,Ann,rep,active\nu2,B\xFFb,rep,active\n";
    let dir = snapshot("bad-utf8", &[("users.csv", users)]);
    plan_error(&dir, &["users.csv:3: name: invalid UTF-8"]);

    let header = b"id,role,status,d\xFFpt\nu1,rep,active,x\n";
    let dir = snapshot("bad-utf8-header", &[("users.csv", header)]);
    plan_error(&dir, &["users.csv:1: column 4 of the header is not UTF-8"]);

    let json = b"{\n  \"users\": [\n    {\"id\": \"u1\", \"role\": \"rep\", \"status\": \"active\"},\n    {\"id\": \"u\xFF2\", \"role\": \"rep\", \"status\": \"active\"}\n  ]\n}\n";
    let dir = temp_dir("adv-bad-utf8-json");
    let file = dir.join("snap.json");
    std::fs::write(&file, json).unwrap();
    plan_error(&file, &["snap.json:4: invalid UTF-8"]);
}

#[test]
fn a_nul_byte_is_data_and_is_escaped_on_output() {
    let users = b"id,email,name,role,status,last_login_at\nu\x001,a@x.example,Nu\x00ll,rep,active,2026-01-01\n";
    let dir = snapshot("nul", &[("users.csv", users)]);
    let p = plan(&dir, &[]);
    assert_eq!(actions_of(&p, "u\u{0}1"), ["notify_user", "mark_idle"]);
    let table = plan_text(&dir, "table");
    assert!(!table.contains('\u{0}'), "a raw NUL reached the terminal");
    assert!(table.contains("Nu\\u{0}ll (u\\u{0}1)"), "{table}");
    let md = plan_text(&dir, "markdown");
    assert!(!md.contains('\u{0}'), "a raw NUL reached the Markdown report");
}

// ---------------------------------------------------------------------------------------
// Size

#[test]
fn a_ten_megabyte_cell() {
    let big = "x".repeat(10 << 20);
    let users = format!("id,email,name,role,status,last_login_at\nu1,a@x.example,{big},rep,active,2026-11-20\nu2,b@x.example,Bob,rep,active,2026-01-01\n");
    let dir = snapshot("big-cell", &[("users.csv", users.as_bytes())]);
    let p = timed("10 MB name: plan", || plan(&dir, &[]));
    assert_eq!(p["snapshot"]["users"], 2);
    assert_eq!(actions_of(&p, "u2"), ["notify_user", "mark_idle"]);

    // The same cell where a time belongs: a short, positioned error, not 10 MB of stderr.
    let users =
        format!("id,role,status,last_login_at\nu1,rep,active,2026-11-20\nu2,rep,active,{big}\n");
    let dir = snapshot("big-cell-error", &[("users.csv", users.as_bytes())]);
    let stderr =
        timed("10 MB bad time: error", || plan_error(&dir, &["users.csv:3: last_login_at: `xxxx"]));
    assert!(stderr.len() < 4096, "stderr is {} bytes", stderr.len());
}

#[test]
fn ten_thousand_columns() {
    let n = 10_000;
    let mut header = String::from("id,role,status,last_login_at");
    for c in 0..n {
        write!(header, ",c{c}").unwrap();
    }
    let row = |id: &str, login: &str| {
        let mut r = format!("{id},rep,active,{login}");
        for c in 0..n {
            write!(r, ",v{c}").unwrap();
        }
        r
    };
    let users = format!("{header}\n{}\n{}\n", row("u1", "2026-11-20"), row("u2", "2026-01-01"));
    let dir = snapshot("wide", &[("users.csv", users.as_bytes())]);
    let p = timed("10k columns: plan", || plan(&dir, &[]));
    assert_eq!(p["snapshot"]["users"], 2);
    assert_eq!(actions_of(&p, "u2"), ["notify_user", "mark_idle"]);

    // One cell short on line 3: a positioned width error.
    let short = format!("{header}\n{}\n{}\n", row("u1", "2026-11-20"), &row("u2", "x")[..]);
    let short = short.replacen(&format!(",v{}\n", n - 1), "\n", 2);
    let dir = snapshot("wide-short", &[("users.csv", short.as_bytes())]);
    plan_error(&dir, &["users.csv:2: the row has 10003 fields, the header has 10004"]);
}

#[test]
fn a_header_repeated_as_a_data_row() {
    let users = "id,role,status\nu1,rep,active\nid,role,status\nu2,rep,active\n";
    let dir = snapshot("header-twice", &[("users.csv", users.as_bytes())]);
    plan_error(
        &dir,
        &["users.csv:3: role: unknown role `role`", "users.csv:3: status: unknown status `status`"],
    );
}

#[test]
fn duplicate_column_names() {
    let dir = snapshot("dup-col", &[("users.csv", b"id,role,status,ROLE\nu1,rep,active,admin\n")]);
    plan_error(&dir, &["users.csv:1: column `ROLE` appears twice in the header"]);
    // Extra columns too, ignoring case.
    let dir =
        snapshot("dup-extra", &[("users.csv", b"id,role,status,Dept,dept \nu1,rep,active,a,b\n")]);
    plan_error(&dir, &["users.csv:1: column `dept` appears twice in the header"]);
}

// ---------------------------------------------------------------------------------------
// Manager graphs

const MILLION: usize = 1_000_000;

#[test]
fn a_manager_chain_one_million_deep() {
    // u0 (admin, active) <- u1 <- u2 <- ... <- u999999; everyone between is suspended, so
    // handing u999998's report over walks the whole chain up to u0.
    let mut users = String::with_capacity(48 * MILLION);
    users.push_str("id,email,role,status,manager_id,last_login_at\n");
    users.push_str("u0,u0@x.example,admin,active,,2026-11-20\n");
    for i in 1..MILLION {
        let status = if i == MILLION - 1 { "active" } else { "suspended" };
        writeln!(users, "u{i},u{i}@x.example,rep,{status},u{},2026-11-20", i - 1).unwrap();
    }
    let dir = snapshot(
        "chain",
        &[("users.csv", users.as_bytes()), ("snapshot.toml", b"[account]\nowner = \"u0\"\n")],
    );
    drop(users);
    let p = timed("1M chain: plan", || plan(&dir, &[]));
    assert_eq!(p["snapshot"]["users"], MILLION);
    assert!(with(&p, "findings", "code", "manager_cycle").is_empty());
    assert!(p["actions"].as_array().unwrap().is_empty(), "nobody is idle");

    let p = timed("1M chain: offboard", || offboard(&dir, "u0", "u999998"));
    let moved = with(&p, "reassignments", "what", "reports");
    assert_eq!(moved.len(), 1, "{p}");
    assert_eq!(moved[0]["to"], "u0");
    assert_eq!(moved[0]["via"], "manager_chain");
    assert_eq!(moved[0]["ids"], serde_json::json!(["u999999"]));
}

#[test]
fn a_manager_cycle_of_one_million_users() {
    let mut users = String::with_capacity(40 * MILLION);
    users.push_str("id,role,status,manager_id,last_login_at\n");
    for i in 0..MILLION {
        writeln!(users, "u{i},rep,active,u{},2026-11-20", (i + 1) % MILLION).unwrap();
    }
    let dir = snapshot("cycle", &[("users.csv", users.as_bytes())]);
    drop(users);
    let p = timed("1M cycle: plan", || plan(&dir, &[]));
    let cycles = with(&p, "findings", "code", "manager_cycle");
    assert_eq!(cycles.len(), 1, "one finding for the one cycle");
    let ids = cycles[0]["users"].as_array().unwrap();
    assert_eq!(ids.len(), MILLION);
    // Natural order: u0, u1, ..., u999999.
    assert!(ids.iter().enumerate().all(|(i, id)| id.as_str() == Some(&format!("u{i}"))));
    let reason = cycles[0]["reason"].as_str().unwrap();
    assert!(reason.starts_with("managers form a cycle of 1000000 users"), "{reason}");
}

#[test]
fn every_user_is_their_own_manager() {
    let users = "id,email,role,status,manager_id,last_login_at\n\
        u1,u1@x.example,admin,active,u1,2026-11-20\n\
        u2,u2@x.example,rep,active,u2,2026-11-20\n\
        u3,u3@x.example,rep,active,u3,2026-11-20\n\
        u4,u4@x.example,rep,active,u4,2026-11-20\n";
    let records = "id,kind,owner_id,state\nc1,contact,u2,active\n";
    let dir = snapshot(
        "self-managers",
        &[
            ("users.csv", users.as_bytes()),
            ("records.csv", records.as_bytes()),
            ("snapshot.toml", b"[account]\nowner = \"u1\"\n"),
        ],
    );
    let p = plan(&dir, &[]);
    let cycles = with(&p, "findings", "code", "manager_cycle");
    assert_eq!(cycles.len(), 4);
    for (i, c) in cycles.iter().enumerate() {
        let id = format!("u{}", i + 1);
        assert_eq!(c["users"], serde_json::json!([id]));
        assert_eq!(c["reason"], format!("{id} is their own manager"));
    }
    // Offboarding u2: its manager is itself (the leaver), so the contact goes to the owner.
    let p = offboard(&dir, "u1", "u2");
    let r = with(&p, "reassignments", "from", "u2");
    assert_eq!(r.len(), 1, "{p}");
    assert_eq!((r[0]["to"].as_str(), r[0]["via"].as_str()), (Some("u1"), Some("account_owner")));
    assert_eq!(p["summary"]["offboarded"]["u2"]["transferred"], 1);
}

#[test]
fn a_team_led_by_a_user_not_in_it() {
    // t1's leader u3 is in t2 only; u2 (in t1) leaves with an open opportunity.
    let users = "id,email,role,status,manager_id,teams,last_login_at\n\
        u1,u1@x.example,admin,active,,,2026-11-20\n\
        u2,u2@x.example,rep,active,u1,t1,2026-11-20\n\
        u3,u3@x.example,manager,active,u1,t2,2026-11-20\n";
    let dir = snapshot(
        "outside-leader",
        &[
            ("users.csv", users.as_bytes()),
            ("teams.csv", b"id,name,leader_id\nt1,North,u3\nt2,South,\n"),
            ("records.csv", b"id,kind,owner_id,state\no1,opportunity,u2,open\n"),
            ("snapshot.toml", b"[account]\nowner = \"u1\"\n"),
        ],
    );
    let p = offboard(&dir, "u1", "u2");
    let r = with(&p, "reassignments", "kind", "opportunity");
    assert_eq!(r.len(), 1, "{p}");
    assert_eq!((r[0]["to"].as_str(), r[0]["via"].as_str()), (Some("u3"), Some("team_leader")));
    // Leading a team one is not in is not, by itself, a finding.
    assert!(p["findings"].as_array().unwrap().is_empty(), "{p}");
}

const SHAPE_POLICY: &str = r#"
name = "shape"
[roles]
order = ["admin", "rep"]
[roles.permissions]
admin = ["manage_users"]
[deactivation]
receivers = ["active"]
[leaders]
direct_reports = "reassign"
direct_reports_to = ["manager", "account_owner"]
[records."*"]
states = { "*" = "transfer" }
transfer_to = ["CHAIN", "account_owner"]
"#;

/// `roster offboard` of a bulk sheet with a policy whose records go to `chain` first;
/// the plan and its size in bytes.
fn offboard_sheet(dir: &Path, chain: &str, sheet: &str) -> (Value, usize) {
    let policy = dir.join("policy.toml");
    std::fs::write(&policy, SHAPE_POLICY.replace("CHAIN", chain)).unwrap();
    std::fs::write(dir.join("leavers.csv"), sheet).unwrap();
    let out = roster([
        "offboard",
        "--policy",
        s(&policy),
        "--snapshot",
        s(dir),
        "--as-of",
        AS_OF,
        "--format",
        "json",
        "--actor",
        "u0",
        "--requests",
        s(&dir.join("leavers.csv")),
    ]);
    let size = out.stdout.len();
    (plan_of(&out), size)
}

#[test]
fn a_chain_of_twenty_thousand_leavers_costs_linear_time_and_output() {
    // u0 <- u1 <- ... <- u19999, one contact each, everyone but u0 leaves: each contact
    // passes every leaver above its owner. The plan names the first and last, and a count.
    const N: usize = 20_000;
    let mut users = String::from("id,email,role,status,manager_id,last_login_at\n");
    let mut records = String::from("id,kind,owner_id,state\n");
    let mut sheet = String::from("user,deactivate\n");
    users.push_str("u0,u0@x.example,admin,active,,2026-11-20\n");
    for i in 1..N {
        writeln!(users, "u{i},u{i}@x.example,rep,active,u{},2026-11-20", i - 1).unwrap();
        writeln!(records, "c{i},contact,u{i},active").unwrap();
        writeln!(sheet, "u{i},yes").unwrap();
    }
    let dir = snapshot(
        "leaver-chain",
        &[
            ("users.csv", users.as_bytes()),
            ("records.csv", records.as_bytes()),
            ("snapshot.toml", b"[account]\nowner = \"u0\"\n"),
        ],
    );
    let (p, bytes) =
        timed("20k leaver chain: offboard", || offboard_sheet(&dir, "manager", &sheet));
    let moved = with(&p, "reassignments", "what", "records");
    assert_eq!(moved.len(), N - 1);
    for r in &moved {
        assert_eq!(r["to"], "u0", "{r}");
        let i: usize = r["from"].as_str().unwrap()[1..].parse().unwrap();
        let through = r["through"].as_array().map_or(0, Vec::len);
        assert!(through <= 2, "{r}");
        if i > 1 {
            assert_eq!(r["hops"], i - 1, "{r}");
            assert_eq!(r["through"][0], format!("u{}", i - 1), "{r}");
        }
    }
    assert!(bytes < 1200 * N, "{bytes} bytes of plan for {N} leavers");
}

#[test]
fn least_loaded_peer_in_a_team_of_twenty_thousand_is_balanced() {
    // One team of 20,000 reps led by u0; every tenth leaves with 3 open records, which go
    // to the peers with the fewest records, ties by id.
    const N: usize = 20_000;
    let mut users = String::from("id,email,role,status,manager_id,teams,last_login_at\n");
    let mut records = String::from("id,kind,owner_id,state\n");
    let mut sheet = String::from("user,deactivate\n");
    users.push_str("u0,u0@x.example,admin,active,,,2026-11-20\n");
    for i in 1..=N {
        writeln!(users, "u{i},u{i}@x.example,rep,active,u0,t1,2026-11-20").unwrap();
        let owned = if i % 10 == 0 { 3 } else { i % 3 };
        for k in 0..owned {
            writeln!(records, "o{i}-{k},deal,u{i},open").unwrap();
        }
        if i % 10 == 0 {
            writeln!(sheet, "u{i},yes").unwrap();
        }
    }
    let dir = snapshot(
        "big-team",
        &[
            ("users.csv", users.as_bytes()),
            ("teams.csv", b"id,name,leader_id\nt1,Everyone,u0\n"),
            ("records.csv", records.as_bytes()),
            ("snapshot.toml", b"[account]\nowner = \"u0\"\n"),
        ],
    );
    let (p, _) = timed("20k team: offboard", || offboard_sheet(&dir, "least_loaded_peer", &sheet));
    let moved = with(&p, "reassignments", "what", "records");
    assert_eq!(moved.len(), N / 10);
    let mut receivers = std::collections::HashSet::new();
    for r in &moved {
        assert_eq!(r["via"], "least_loaded_peer", "{r}");
        let to: usize = r["to"].as_str().unwrap()[1..].parse().unwrap();
        // The users who own nothing (i % 3 == 0, not leaving) are 6,000 or so: enough for
        // every leaver, so each receiver owned nothing and receives once.
        assert!(to % 3 == 0 && to % 10 != 0, "{r}");
        assert!(receivers.insert(to), "{to} receives twice");
    }
}

// ---------------------------------------------------------------------------------------
// Calendar and numbers

#[test]
fn years_0001_and_9999_offsets_and_leap_days() {
    let users = "id,email,role,status,last_login_at\n\
        d1,d1@x.example,rep,active,0001-01-01\n\
        d2,d2@x.example,rep,active,9999-12-31T23:59:59+14:00\n\
        d3,d3@x.example,rep,active,2026-11-22T19:59:00+14:00\n\
        d4,d4@x.example,rep,active,2026-10-23T20:00:01-10:00\n\
        d5,d5@x.example,rep,active,2026-10-23T06:00:00Z\n\
        d6,d6@x.example,rep,active,2024-02-29\n\
        d7,d7@x.example,rep,active,2026-10-23 20:00:00+14:00\n";
    let dir = snapshot("dates", &[("users.csv", users.as_bytes())]);
    let p = plan(&dir, &[]);
    // Year 1: far past every threshold; warned before deactivation, marked idle.
    assert_eq!(actions_of(&p, "d1"), ["notify_user", "mark_idle"]);
    assert_eq!(with(&p, "actions", "user", "d1")[0]["date"], "2026-11-29");
    // A login in the future, or one minute before as_of at +14:00: not idle.
    assert!(actions_of(&p, "d2").is_empty());
    assert!(actions_of(&p, "d3").is_empty());
    // 2026-10-24T06:00:01Z is a second short of 29 days: not idle; exactly 30 days is.
    assert!(actions_of(&p, "d4").is_empty());
    assert_eq!(actions_of(&p, "d5"), ["mark_idle"]);
    assert_eq!(actions_of(&p, "d6"), ["notify_user", "mark_idle"]);
    // 2026-10-23T06:00:00Z written at +14:00 with a space: exactly 30 days.
    assert_eq!(actions_of(&p, "d7"), ["mark_idle"]);

    // The same snapshot planned at both ends of the calendar.
    let early = plan(&dir, &["--as-of", "0001-01-01"]);
    assert_eq!(early["as_of"], "0001-01-01T00:00:00Z");
    assert!(early["actions"].as_array().unwrap().is_empty(), "{early}");
    let late = plan(&dir, &["--as-of", "9999-12-31T23:59:59+14:00"]);
    assert_eq!(late["as_of"], "9999-12-31T09:59:59Z", "{late}");
    assert!(actions_of(&late, "d2").is_empty(), "d2 logged in at that very instant");
    assert_eq!(actions_of(&late, "d5"), ["notify_user", "mark_idle"]);

    // Past the year 9999 in UTC (9999-12-31 at -14:00 is 10000-01-01Z) is refused, in a
    // cell and in --as-of, so that every time roster writes can be read back.
    let beyond = "id,role,status,last_login_at\nu1,rep,active,2026-11-20\nu2,rep,active,9999-12-31T23:59:59-14:00\n";
    let dir = snapshot("dates-beyond", &[("users.csv", beyond.as_bytes())]);
    plan_error(&dir, &["users.csv:3: last_login_at: `9999-12-31T23:59:59-14:00` is not a time"]);
    let out = roster([
        "plan",
        "--policy",
        POLICY,
        "--snapshot",
        "examples/acme",
        "--as-of",
        "9999-12-31T23:59:59-14:00",
    ]);
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));

    // 2023 had no leap day.
    let bad = "id,role,status,last_login_at\nu1,rep,active,2023-02-29\n";
    let dir = snapshot("dates-bad", &[("users.csv", bad.as_bytes())]);
    plan_error(&dir, &["users.csv:2: last_login_at: `2023-02-29` is not a time"]);
}

#[test]
fn negative_and_overflowing_integers() {
    let users = "id,role,status,failed_logins,invite_resends\n\
        u1,rep,active,-1,0\n\
        u2,rep,active,4294967296,0\n\
        u3,rep,invited,0,99999999999999999999999\n\
        u4,rep,active,4294967295,0\n";
    let dir = snapshot("ints", &[("users.csv", users.as_bytes())]);
    plan_error(
        &dir,
        &[
            "users.csv:2: failed_logins: `-1` is not a count",
            "users.csv:3: failed_logins: `4294967296` is not a count",
            "users.csv:4: invite_resends: `99999999999999999999999` is not a count",
        ],
    );
    // The largest count is fine, and locks the account.
    let ok = "id,role,status,failed_logins\nu4,rep,active,4294967295\n";
    let dir = snapshot("ints-max", &[("users.csv", ok.as_bytes())]);
    assert_eq!(actions_of(&plan(&dir, &[]), "u4"), ["lock"]);

    for (name, meta, line) in [
        ("seats-negative", "# seats\n[account]\nseats = -1\n", "snapshot.toml:3"),
        ("seats-overflow", "[account]\nseats = 99999999999999999999\n", "snapshot.toml:2"),
    ] {
        let dir = snapshot(
            name,
            &[
                ("users.csv", b"id,role,status\nu1,rep,active\n"),
                ("snapshot.toml", meta.as_bytes()),
            ],
        );
        plan_error(&dir, &[line]);
    }

    // JSON numbers out of range.
    let dir = temp_dir("adv-ints-json");
    let file = dir.join("snap.json");
    std::fs::write(
        &file,
        "{\"users\": [\n {\"id\": \"u1\", \"role\": \"rep\", \"status\": \"active\", \"failed_logins\": -3},\n {\"id\": \"u2\", \"role\": \"rep\", \"status\": \"active\", \"failed_logins\": 18446744073709551616}\n]}\n",
    )
    .unwrap();
    plan_error(
        &file,
        &["snap.json:2:2: users[0].failed_logins", "snap.json:3:2: users[1].failed_logins"],
    );

    // Policy numbers.
    let dir = temp_dir("adv-ints-policy");
    for (name, text, needle) in [
        (
            "neg.toml",
            "name = \"x\"\n[roles]\norder = [\"rep\"]\n[lockout]\nmax_failed_logins = -1\n",
            "neg.toml:5:",
        ),
        (
            "big.toml",
            "name = \"x\"\n[roles]\norder = [\"rep\"]\n[idle]\nafter = \"99999999999999999999d\"\n",
            "big.toml:5:",
        ),
        (
            "huge.toml",
            "name = \"x\"\n[roles]\norder = [\"rep\"]\n[idle]\nafter = \"36600001d\"\n",
            "huge.toml:5:",
        ),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let out = roster(["check", "--policy", s(&path)]);
        assert_clear_error(&out, &[needle]);
    }
}

#[test]
fn an_empty_snapshot_header_only() {
    let dir = snapshot(
        "empty",
        &[
            ("users.csv", b"id,role,status\n"),
            ("teams.csv", b"id,name,leader_id\n"),
            ("records.csv", b"id,kind,owner_id,state\n"),
        ],
    );
    let p = plan(&dir, &[]);
    assert_eq!(p["snapshot"]["users"], 0);
    assert_eq!(p["snapshot"]["teams"], 0);
    assert_eq!(p["snapshot"]["records"], 0);
    for list in ["actions", "reassignments", "blocked", "findings"] {
        assert!(p[list].as_array().unwrap().is_empty(), "{list}: {p}");
    }
    assert_eq!(p["summary"]["statuses_before"]["active"], 0);
    let out = roster(["check", "--policy", POLICY, "--snapshot", s(&dir)]);
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(0));
    for format in ["table", "csv", "markdown", "yaml"] {
        assert!(!plan_text(&dir, format).is_empty());
    }
    // The JSON form of an empty snapshot.
    let file = dir.join("empty.json");
    std::fs::write(&file, "{\"users\": []}").unwrap();
    assert_eq!(plan(&file, &[])["snapshot"]["users"], 0);
    // An empty users.csv (no header at all) is an error.
    let dir = snapshot("empty-file", &[("users.csv", b"")]);
    plan_error(&dir, &["users.csv: the file is empty"]);
}

#[test]
fn a_policy_with_ten_thousand_overrides() {
    let mut policy = String::from(
        "name = \"many\"\n[roles]\norder = [\"admin\", \"rep\"]\n[idle]\nafter = \"30d\"\n",
    );
    for i in 0..10_000 {
        write!(
            policy,
            "\n[[idle.overrides]]\nwhere = {{ id = \"nobody{i}\" }}\nafter = \"{}d\"\n",
            i % 29 + 1
        )
        .unwrap();
    }
    policy.push_str("\n[[idle.overrides]]\nwhere = { id = \"u2\" }\nafter = \"1d\"\n");
    let dir = temp_dir("adv-overrides");
    let path = dir.join("policy.toml");
    std::fs::write(&path, &policy).unwrap();
    let snap = snapshot(
        "overrides-snap",
        &[(
            "users.csv",
            b"id,role,status,last_login_at\nu1,admin,active,2026-11-20\nu2,rep,active,2026-11-20\n",
        )],
    );
    let out = timed("10k overrides: plan", || {
        roster([
            "plan",
            "--policy",
            s(&path),
            "--snapshot",
            s(&snap),
            "--as-of",
            AS_OF,
            "--format",
            "json",
        ])
    });
    let p = plan_of(&out);
    // Only the 10,001st override matches u2: idle after one day.
    assert_eq!(actions_of(&p, "u2"), ["mark_idle"]);
    assert!(actions_of(&p, "u1").is_empty());

    // A mistake in the last override is reported at its line.
    let broken = policy.replace(
        "where = { id = \"u2\" }\nafter = \"1d\"",
        "where = { id = \"u2\" }\nafter = \"1 day\"",
    );
    let line = broken.lines().position(|l| l.contains("1 day")).unwrap() + 1;
    std::fs::write(&path, &broken).unwrap();
    let out = timed("10k overrides: error", || roster(["check", "--policy", s(&path)]));
    assert_clear_error(&out, &[&format!("policy.toml:{line}:")]);
}

// ---------------------------------------------------------------------------------------
// Output safety

const HOSTILE: [&str; 9] = [
    "=HYPERLINK(\"http://x\",\"y\")",
    "\u{1b}[2J",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "| a | b |",
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3\u{9b}31m\u{7}",
    "evil\u{202E}gpj.exe\u{2028}\u{2066}x",
];

/// A character a terminal or viewer acts on instead of showing: controls, bidirectional
/// overrides and isolates, line and paragraph separators.
fn hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
}

/// Users, teams and records whose ids and names are hostile strings; every hostile user is
/// deactivated by the idle rule (old login, warned in time), so that ids and names show up
/// in actions, reassignments, findings and the conservation table.
fn hostile_snapshot() -> PathBuf {
    let q = |t: &str| format!("\"{}\"", t.replace('"', "\"\""));
    let mut users =
        String::from("id,email,name,role,status,manager_id,teams,last_login_at,notified_at\n");
    users.push_str("boss,boss@x.example,Boss,admin,active,,,2026-11-20,\n");
    let mut teams = String::from("id,name,leader_id\n");
    let mut records = String::from("id,kind,owner_id,state\n");
    for (i, h) in HOSTILE.iter().enumerate() {
        let manager = if i == 0 { format!("{h}-gone") } else { "boss".to_owned() };
        writeln!(
            users,
            "{},h{i}@x.example,{},rep,active,{},{},2026-01-01,2026-11-01",
            q(h),
            q(h),
            q(&manager),
            q(&format!("T{h}"))
        )
        .unwrap();
        writeln!(teams, "{},{},boss", q(&format!("T{h}")), q(h)).unwrap();
        writeln!(records, "{},contact,{},active", q(&format!("R{h}")), q(h)).unwrap();
    }
    // One record of a user who is not there: a dangling owner with a hostile id.
    writeln!(records, "orphan,contact,{},active", q("<img src=x onerror=alert(2)>")).unwrap();
    // A user with a dangling manager: a finding that names them (and their hostile name).
    writeln!(
        users,
        "{},,{},rep,active,{},,2026-11-20,",
        q("<b>"),
        q("</td><script>"),
        q("`rm -rf`")
    )
    .unwrap();
    snapshot(
        "hostile",
        &[
            ("users.csv", users.as_bytes()),
            ("teams.csv", teams.as_bytes()),
            ("records.csv", records.as_bytes()),
            ("snapshot.toml", b"[account]\nowner = \"boss\"\nseats = 1\n"),
        ],
    )
}

#[test]
fn hostile_names_survive_json_and_yaml_as_data() {
    let dir = hostile_snapshot();
    let p = plan(&dir, &[]);
    for h in HOSTILE {
        assert!(actions_of(&p, h).contains(&"deactivate".to_owned()), "{h:?} not offboarded: {p}");
        assert!(p["summary"]["offboarded"].get(h).is_some());
    }
    let yaml = plan_text(&dir, "yaml");
    let from_yaml: Value = serde_yaml_ng::from_str(&yaml).expect("the YAML plan parses");
    assert_eq!(from_yaml, p, "YAML and JSON carry the same plan");
}

#[test]
fn csv_output_neutralises_formulas() {
    let text = plan_text(&hostile_snapshot(), "csv");
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let mut rows = 0;
    let mut seen_hyperlink = false;
    for row in reader.records() {
        let row = row.expect("the CSV plan parses");
        rows += 1;
        for cell in row.iter() {
            let first = cell.chars().next();
            assert!(
                !matches!(first, Some('=' | '+' | '-' | '@' | '\t' | '\r')),
                "CSV cell starts a formula: {cell:?}"
            );
            seen_hyperlink |= cell == "'=HYPERLINK(\"http://x\",\"y\")";
        }
    }
    assert!(rows > 20, "{text}");
    assert!(seen_hyperlink, "the hostile id is in the CSV, neutralised: {text}");
}

#[test]
fn markdown_output_escapes_markup() {
    let md = plan_text(&hostile_snapshot(), "markdown");
    assert!(!md.contains("<img"), "raw HTML: {md}");
    assert!(!md.contains("<script"), "raw HTML: {md}");
    assert!(md.contains("&lt;img src=x onerror=alert(1)&gt;"), "{md}");
    // `](` only ever appears escaped (`\](`), so no link can form.
    for (i, _) in md.match_indices("](") {
        assert_eq!(md.as_bytes().get(i.wrapping_sub(1)), Some(&b'\\'), "a link at byte {i}: {md}");
    }
    assert!(md.contains("\\| a \\| b \\|"), "pipes are escaped: {md}");
    // Table rows keep their column count: 4 cells in Actions, 3 in Blocked and Findings.
    let mut section = "";
    for line in md.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            section = h;
        }
        if line.starts_with('|') && !line.starts_with("|---") {
            let cells = line.replace("\\|", "").matches('|').count() - 1;
            let expected = match section {
                "Actions" => 4,
                "Blocked" | "Findings" => 3,
                "Offboarded" => 5,
                _ => cells,
            };
            assert_eq!(cells, expected, "a row with {cells} cells in {section}: {line}");
        }
    }
    if let Some(c) = md.chars().find(|c| hidden(*c) && *c != '\n') {
        panic!("hidden character {c:?} in Markdown output");
    }
}

#[test]
fn table_output_has_no_control_characters() {
    let table = plan_text(&hostile_snapshot(), "table");
    if let Some(c) = table.chars().find(|c| hidden(*c) && *c != '\n') {
        panic!("hidden character {c:?} in table output:\n{table}");
    }
    assert!(table.contains("evil\\u{202e}gpj.exe\\u{2028}\\u{2066}x"), "bidi is escaped: {table}");
    assert!(table.contains("\\u{1b}[2J"), "ESC is shown escaped: {table}");
    assert!(table.contains("\\u{9b}31m\\u{7}"), "C1 and BEL are shown escaped: {table}");
}

#[test]
fn json_output_is_valid_utf8_and_round_trips_hostile_text() {
    let dir = hostile_snapshot();
    let out = roster([
        "plan",
        "--policy",
        POLICY,
        "--snapshot",
        s(&dir),
        "--as-of",
        AS_OF,
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = std::str::from_utf8(&out.stdout).expect("JSON output is UTF-8");
    assert!(!text.contains('\u{1b}'), "JSON escapes control characters");
    let p: Value = serde_json::from_str(text).unwrap();
    let ids: Vec<&str> =
        p["actions"].as_array().unwrap().iter().map(|a| a["user"].as_str().unwrap()).collect();
    for h in HOSTILE {
        assert!(ids.contains(&h), "{h:?} is kept exactly");
    }
    let dangling = with(&p, "findings", "code", "dangling_owner");
    assert_eq!(dangling[0]["records"], serde_json::json!(["orphan"]));
}

// ---------------------------------------------------------------------------------------
// Process hygiene

/// A snapshot big enough that planning takes a while (and the plan is tens of megabytes).
fn big_snapshot(users: usize) -> PathBuf {
    let mut text = String::from(
        "id,email,role,status,last_login_at\nu0,u0@x.example,admin,active,2026-11-20\n",
    );
    for i in 1..users {
        writeln!(text, "u{i},u{i}@x.example,rep,active,2026-01-01").unwrap();
    }
    snapshot("big", &[("users.csv", text.as_bytes())])
}

#[cfg(unix)]
#[test]
fn sigkill_during_out_leaves_the_previous_file() {
    use std::os::unix::process::ExitStatusExt;
    use std::process::{Command, Stdio};
    use std::time::Duration;

    let snap = big_snapshot(200_000);
    let dir = temp_dir("adv-sigkill");
    let out_file = dir.join("plan.json");
    let mut killed_while_working = 0;
    let mut killed_while_writing = 0;
    for attempt in 0..12 {
        std::fs::write(&out_file, "previous plan").unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_roster"))
            .args([
                "plan",
                "--policy",
                POLICY,
                "--as-of",
                AS_OF,
                "--snapshot",
                s(&snap),
                "--out",
                s(&out_file),
            ])
            .current_dir(root())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // The temporary file has an unpredictable name beside the plan: `.plan.json.*.tmp`.
        let find_temp = || {
            std::fs::read_dir(&dir).ok()?.filter_map(Result::ok).map(|e| e.path()).find(|p| {
                p.file_name().is_some_and(|n| {
                    let n = n.to_string_lossy();
                    n.starts_with(".plan.json.") && n.ends_with(".tmp")
                })
            })
        };
        // Even attempts: kill as soon as the temporary file exists (while planning).
        // Odd attempts: kill once it has content (while writing).
        let want_content = attempt % 2 == 1;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let ready = match find_temp().map(std::fs::metadata) {
                Some(Ok(m)) => !want_content || m.len() > 0,
                _ => false,
            };
            if ready || child.try_wait().unwrap().is_some() || Instant::now() > deadline {
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        let _ = child.kill(); // SIGKILL
        let status = child.wait().unwrap();
        let now = std::fs::read(&out_file).unwrap();
        if status.signal() == Some(9) {
            assert_eq!(now, b"previous plan", "a SIGKILL changed --out (attempt {attempt})");
            if want_content {
                killed_while_writing += 1;
            } else {
                killed_while_working += 1;
            }
        } else {
            // The run finished first: then the file is the whole new plan.
            assert_eq!(status.code(), Some(0));
            let p: Value = serde_json::from_slice(&now).expect("a complete plan");
            assert_eq!(p["snapshot"]["users"], 200_000);
        }
        if let Some(temp) = find_temp() {
            let _ = std::fs::remove_file(temp);
        }
        if killed_while_working >= 2 && killed_while_writing >= 2 {
            break;
        }
    }
    eprintln!("SIGKILL landed {killed_while_working} times while planning, {killed_while_writing} while writing");
    assert!(killed_while_working >= 1, "no kill landed before the rename");
}

#[test]
fn exit_codes_are_the_documented_ones() {
    let code = |args: &[&str]| {
        let out = roster(args);
        assert_no_panic(&out);
        out.status.code()
    };
    let acme = ["--policy", POLICY, "--snapshot", "examples/acme", "--format", "json"];
    let with = |cmd: &str, extra: &[&str]| {
        let mut a = vec![cmd];
        a.extend_from_slice(&acme);
        a.extend_from_slice(extra);
        code(&a)
    };
    // 0: ran, help, version.
    assert_eq!(with("plan", &[]), Some(0));
    assert_eq!(code(&["--help"]), Some(0));
    assert_eq!(code(&["plan", "--help"]), Some(0));
    assert_eq!(code(&["--version"]), Some(0));
    assert_eq!(code(&["check", "--policy", POLICY, "--snapshot", "examples/acme"]), Some(0));
    // 1: bad input, unreadable file, unwritable output.
    assert_eq!(
        code(&["plan", "--policy", POLICY, "--snapshot", "tests/cases/err-bad-time/snap"]),
        Some(1)
    );
    assert_eq!(code(&["plan", "--policy", "no/such.toml", "--snapshot", "examples/acme"]), Some(1));
    assert_eq!(code(&["plan", "--policy", POLICY, "--snapshot", "no/such/folder"]), Some(1));
    assert_eq!(with("plan", &["--out", "target/no/such/dir/plan.json"]), Some(1));
    assert_eq!(with("offboard", &["--actor", "u002", "--requests", "no/such/sheet.csv"]), Some(1));
    // 2: usage.
    assert_eq!(code(&["plan"]), Some(2));
    assert_eq!(code(&["frobnicate"]), Some(2));
    assert_eq!(with("plan", &["--no-such-flag"]), Some(2));
    assert_eq!(with("plan", &["--as-of", "yesterday"]), Some(2));
    assert_eq!(with("plan", &["--format", "xml"]), Some(2));
    assert_eq!(with("plan", &["--fail-on", "everything"]), Some(2));
    assert_eq!(with("offboard", &["--actor", "u002"]), Some(2), "no target");
    assert_eq!(
        with(
            "offboard",
            &[
                "--actor",
                "u002",
                "--channel",
                "manual",
                "--requests",
                "examples/contact-center/bulk-deactivate.csv"
            ]
        ),
        Some(2)
    );
    // 3: a --fail-on condition held (and only then).
    assert_eq!(with("plan", &["--fail-on", "findings"]), Some(3));
    assert_eq!(with("plan", &["--fail-on", "actions"]), Some(3));
    assert_eq!(with("plan", &["--fail-on", "blocked"]), Some(0));
    assert_eq!(
        with("offboard", &["--actor", "u002", "--user", "u005", "--fail-on", "blocked"]),
        Some(3)
    );
    // A usage error wins over bad input it never reads.
    assert_eq!(
        code(&["plan", "--policy", "no/such.toml", "--snapshot", "x", "--as-of", "nope"]),
        Some(2)
    );
}

// ---------------------------------------------------------------------------------------
// Regressions found by fuzzing (fuzz/README.md): the minimised inputs are in
// tests/data/regressions/<target>-<name>.

#[test]
fn regression_requests_crlf_line() {
    // A CRLF requests sheet: the action's reason names the sheet line of its row.
    let sheet = root().join("tests/data/regressions/requests-crlf-line");
    let out = roster([
        "offboard",
        "--policy",
        POLICY,
        "--snapshot",
        "examples/acme",
        "--format",
        "json",
        "--actor",
        "u002",
        "--requests",
        s(&sheet),
    ]);
    let p = plan_of(&out);
    let deactivate = with(&p, "actions", "action", "deactivate");
    assert_eq!(deactivate.len(), 1, "{p}");
    let reason = deactivate[0]["reason"].as_str().unwrap();
    assert!(reason.contains("bulk sheet line 2"), "the row is on line 2: {reason}");
}

#[test]
fn regression_csv_snapshot_quote_in_header() {
    // `id,role,status,a"` LF `a`: a quote inside an unquoted header cell is a literal
    // character, so the second line is a data row of one field (a width error), not the
    // rest of a quoted header. It was silently dropped: 0 users and exit 0.
    let users =
        std::fs::read(root().join("tests/data/regressions/csv_snapshot-quote-in-header")).unwrap();
    let dir = snapshot("quote-in-header", &[("users.csv", &users)]);
    plan_error(&dir, &["users.csv:2: the row has 1 fields, the header has 4"]);
    // The same shape with a real row: the row loads, the column keeps its quote.
    let dir = snapshot(
        "quote-in-header-ok",
        &[("users.csv", b"id,role,status,last_login_at,dept\"x\nu1,rep,active,2026-01-01,d\n")],
    );
    let p = plan(&dir, &[]);
    assert_eq!(p["snapshot"]["users"], 1, "{p}");
    assert_eq!(actions_of(&p, "u1"), ["notify_user", "mark_idle"]);
}

/// Replaces Mermaid's `#NN;` entity codes by their characters.
fn mermaid_decode(label: &str) -> String {
    let mut out = String::new();
    let mut rest = label;
    while let Some(i) = rest.find('#') {
        out.push_str(&rest[..i]);
        let end = rest[i..].find(';').expect("an entity code ends with ;") + i;
        let code: u32 = rest[i + 1..end].parse().expect("a numeric entity code");
        out.push(char::from_u32(code).unwrap());
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The quoted label between `open` and `close`, checked to hold no character that could
/// end it or be read as syntax.
fn mermaid_label<'a>(line: &'a str, open: &str, close: &str) -> &'a str {
    let start = line.find(open).unwrap_or_else(|| panic!("no {open} in {line:?}")) + open.len();
    let end = line.rfind(close).unwrap_or_else(|| panic!("no {close} in {line:?}"));
    let label = &line[start..end];
    for bad in ['"', '<', '>', '`', '|', '%', '[', ']', '{', '}', '\\'] {
        assert!(!label.contains(bad), "{bad:?} in a label: {line:?}");
    }
    label
}

#[test]
fn mermaid_output_keeps_hostile_names_inside_labels() {
    let text = plan_text(&hostile_snapshot(), "mermaid");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("flowchart LR"));
    let mut labels = Vec::new();
    let mut edges = 0;
    for line in lines {
        let body = line.strip_prefix("  n").unwrap_or_else(|| panic!("not a node: {line:?}"));
        let digits = body.chars().take_while(char::is_ascii_digit).count();
        assert!(digits > 0, "{line:?}");
        let rest = &body[digits..];
        if rest.starts_with("[\"") {
            assert!(rest.ends_with("\"]"), "{line:?}");
            labels.push(mermaid_decode(mermaid_label(rest, "[\"", "\"]")));
        } else {
            let target = rest.strip_prefix(" -->|\"").expect("an edge");
            let (label, to) = target.rsplit_once("\"| n").expect("an edge target");
            mermaid_label(&format!("\"{label}\""), "\"", "\"");
            assert!(to.chars().all(|c| c.is_ascii_digit()), "{line:?}");
            edges += 1;
        }
    }
    assert_eq!(edges, HOSTILE.len(), "one edge per leaver: {text}");
    for h in HOSTILE {
        let shown: String = h.chars().map(|c| if hidden(c) { ' ' } else { c }).collect();
        assert!(labels.contains(&format!("{shown} ({shown})")), "{h:?} is a node: {text}");
    }
    assert!(labels.contains(&"Boss (boss)".to_owned()), "{text}");
}

#[test]
fn sheet_output_has_one_safe_row_per_affected_user() {
    let text = plan_text(&hostile_snapshot(), "sheet");
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().unwrap(),
        vec!["user_id", "email", "new_status", "deactivate", "new_manager", "new_team_leader"]
    );
    let mut ids = Vec::new();
    for row in reader.records() {
        let row = row.expect("the sheet parses");
        assert_eq!(row.len(), 6);
        for cell in row.iter() {
            assert!(
                !matches!(cell.chars().next(), Some('=' | '+' | '-' | '@' | '\t' | '\r')),
                "a cell starts a formula: {cell:?}"
            );
        }
        assert_eq!((&row[2], &row[3]), ("deactivated", "y"), "{row:?}");
        ids.push(row[0].to_owned());
    }
    let mut expected: Vec<String> = HOSTILE
        .iter()
        .map(|h| match h.chars().next() {
            Some('=' | '+' | '-' | '@') => format!("'{h}"),
            _ => (*h).to_owned(),
        })
        .collect();
    expected.sort();
    ids.sort();
    assert_eq!(ids, expected, "{text}");
}

#[test]
fn hostile_scim_list_responses_fail_clearly() {
    // The hostile seeds of the `scim_snapshot` fuzz target, through the binary: as a lone
    // file, and as `users.scim.json` in a folder. Each is refused with messages that name
    // the file, the resource and the attribute; none may panic.
    let dir = root().join("tests/data/adversarial/scim");
    let filters = dir.join("filters-match-nothing.toml");
    let cases: [(&str, &str, &[&str]); 9] = [
        ("deep-nesting.json", POLICY, &["Resources[0].", "flags: is a list, expected a value"]),
        // Nesting past serde_json's limit: the resource cannot be read, and the one-line
        // file is shown around the place, not whole.
        (
            "deep-nesting-beyond-limit.json",
            POLICY,
            &[
                ":1:414: Resources[1]: cannot be read: recursion limit exceeded",
                " 1 | …_at\": \"2026-11-01T00:00:00Z\"}}, [[[[",
            ],
        ),
        (
            "wrong-types.json",
            POLICY,
            &[
                "Resources[0].schemas: is neither a User nor a Group",
                "Resources[1].id: is an object, expected a value for `id`",
                "Resources[2].active: `1` is not true or false",
                "Resources[3].role: is empty",
                "Resources[10]: is not an object",
            ],
        ),
        ("wrong-types-document.json", POLICY, &[":1:87: invalid type: string \"2\", expected u64"]),
        (
            "huge-numbers.json",
            POLICY,
            &["`1e+25` is not a count", "`-1e+20` is not a count", "`1e+308` is not a time"],
        ),
        ("huge-total.json", POLICY, &["expected u64"]),
        (
            "huge-start-index.json",
            POLICY,
            &["is one page of a paged export", "from startIndex 18446744073709551615"],
        ),
        (
            "duplicate-ids.json",
            POLICY,
            &[
                "Resources[1].id: duplicate user id `u1` (first on line 7)",
                "Resources[4].id: duplicate team id `g1` (first on line 84)",
            ],
        ),
        (
            "filters-match-nothing.json",
            s(&filters),
            &["Resources[1].role: is empty", "Resources[2].externalId[primary].value: is empty"],
        ),
    ];
    for (file, policy, needles) in cases {
        let path = dir.join(file);
        let out = roster(["plan", "--policy", policy, "--snapshot", s(&path), "--as-of", AS_OF]);
        let stderr = assert_clear_error(&out, needles);
        assert!(stderr.contains(&format!("{file}:")), "{file}: no file named:\n{stderr}");
        // The same export as the users of a folder: the same problems.
        let bytes = std::fs::read(&path).unwrap();
        let folder = snapshot(&format!("scim-{file}"), &[("users.scim.json", &bytes)]);
        let out = roster(["plan", "--policy", policy, "--snapshot", s(&folder), "--as-of", AS_OF]);
        assert_clear_error(&out, needles);
    }
}

// ---------------------------------------------------------------------------------------
// Inputs that are not snapshot files

#[test]
fn a_fifo_a_device_or_an_oversized_file_is_refused_before_reading() {
    let acme = std::fs::read(root().join("examples/acme/users.csv")).unwrap();
    // A FIFO that nobody writes to would block the run forever.
    let dir = snapshot("fifo", &[("users.csv", &acme)]);
    let made = std::process::Command::new("mkfifo").arg(dir.join("records.csv")).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo is there");
    let out =
        timed("fifo records.csv", || roster(["check", "--policy", POLICY, "--snapshot", s(&dir)]));
    assert_clear_error(&out, &["records.csv: is a named pipe (FIFO), not a file roster can read"]);
    // A device never ends: /dev/zero would grow memory until the machine gives out.
    let dir = snapshot("device", &[]);
    std::os::unix::fs::symlink("/dev/zero", dir.join("users.csv")).unwrap();
    let out = roster(["check", "--policy", POLICY, "--snapshot", s(&dir)]);
    assert_clear_error(&out, &["users.csv: is not a regular file (a device or a socket)"]);
    // A file over the limit is refused from its size, before a byte is read (a sparse
    // file: it takes no disk space).
    let dir = snapshot("oversized", &[("users.csv", &acme)]);
    let big = std::fs::File::create(dir.join("records.csv")).unwrap();
    big.set_len(roster::snapshot::MAX_FILE_BYTES + 1).unwrap();
    let out = roster(["check", "--policy", POLICY, "--snapshot", s(&dir)]);
    assert_clear_error(
        &out,
        &["records.csv: the file is 4.0 GiB; roster reads snapshot files of up to 4 GiB"],
    );
    // The policy and a JSON snapshot go through the same checks.
    let out = roster(["check", "--policy", "/dev/zero"]);
    assert_clear_error(&out, &["/dev/zero"]);
    let out = roster(["check", "--policy", POLICY, "--snapshot", "/dev/zero"]);
    assert_clear_error(&out, &["/dev/zero: is not a regular file"]);
    // So do a FIFO as the policy and as a requests sheet.
    let dir = snapshot("fifo-inputs", &[]);
    for f in ["policy.toml", "sheet.csv"] {
        let made = std::process::Command::new("mkfifo").arg(dir.join(f)).status();
        assert!(made.is_ok_and(|s| s.success()));
    }
    let out = timed("fifo policy", || roster(["check", "--policy", s(&dir.join("policy.toml"))]));
    assert_clear_error(&out, &["policy.toml: is a named pipe (FIFO)"]);
    let out = timed("fifo sheet", || {
        roster([
            "offboard",
            "--policy",
            POLICY,
            "--snapshot",
            "examples/acme",
            "--actor",
            "u001",
            "--requests",
            s(&dir.join("sheet.csv")),
        ])
    });
    assert_clear_error(&out, &["sheet.csv: is a named pipe (FIFO)"]);
}

#[test]
fn a_header_of_a_hundred_thousand_columns_is_checked_in_linear_time() {
    let n = 100_000;
    let mut header = String::from("id,role,status,last_login_at");
    for c in 0..n {
        write!(header, ",c{c}").unwrap();
    }
    // The same column twice, at the very end: found without comparing every pair.
    header.push_str(",C7");
    let users = format!("{header}\n");
    let dir = snapshot("hundred-k-columns", &[("users.csv", users.as_bytes())]);
    let out = timed("100k columns: check", || {
        roster(["check", "--policy", POLICY, "--snapshot", s(&dir)])
    });
    let stderr =
        assert_clear_error(&out, &["users.csv:1: column `C7` appears twice in the header"]);
    assert!(stderr.len() < 4096, "stderr is {} bytes", stderr.len());
    // Without the repeat the header is fine, and a missing required column lists only a
    // few of the hundred thousand others.
    let users = format!("{}\n", header.trim_end_matches(",C7").replacen("role,", "", 1));
    let dir = snapshot("hundred-k-columns-missing", &[("users.csv", users.as_bytes())]);
    let out = timed("100k columns: missing role", || {
        roster(["check", "--policy", POLICY, "--snapshot", s(&dir)])
    });
    let stderr = assert_clear_error(
        &out,
        &["users.csv:1: missing required column `role`", "and 99983 more"],
    );
    assert!(stderr.len() < 4096, "stderr is {} bytes", stderr.len());
}
