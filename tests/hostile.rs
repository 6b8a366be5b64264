//! What roster may touch and what it may show, through the binary: `--out` onto devices,
//! FIFOs, sockets, folders, links and the run's own inputs; temporary files on signals,
//! write errors and exhausted memory; `roster test` and `--bless` kept inside their
//! suite; `man` and `generate` into folders with planted links; and hostile text kept
//! from driving a terminal. SECURITY.md states these guarantees.

use crate::support::{root, roster, temp_dir};
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const POLICY: &str = "policies/default.toml";

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `roster check --policy` on a policy whose TOML is `text`, written into a temp folder.
fn check_policy(name: &str, text: &str) -> Output {
    let policy = temp_dir(name).join("policy.toml");
    std::fs::write(&policy, text).unwrap();
    roster(["check", "--policy", s(&policy)])
}

fn plan_to(out: &Path) -> Output {
    roster(["plan", "--policy", POLICY, "--snapshot", "examples/acme", "--out", s(out)])
}

/// The names in a folder, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// No byte a terminal acts on: ESC, BEL, CSI (C1), a bare CR, or a bidi override.
fn assert_inert(text: &str) {
    for c in text.chars() {
        let bad = (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}');
        assert!(!bad, "raw {:?} reached the terminal:\n{text}", c);
    }
}

// 1. Devices, FIFOs, sockets, folders --------------------------------------------------

#[test]
fn a_character_device_is_written_and_stays_a_device() {
    let dir = temp_dir("hostile-device");
    // As root (containers, CI) a device node can be made; otherwise /dev/null is the device.
    let node = dir.join("null");
    let made =
        Command::new("mknod").args([s(&node), "c", "1", "3"]).status().is_ok_and(|s| s.success());
    let device = if made { node } else { PathBuf::from("/dev/null") };
    let out = plan_to(&device);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let meta = std::fs::symlink_metadata(&device).unwrap();
    assert!(meta.file_type().is_char_device(), "{} is no longer a device", device.display());
    if made {
        assert_eq!(names(&dir), ["null"], "nothing else is left beside it");
    }
}

#[test]
fn a_fifo_is_written_directly_and_stays_a_fifo() {
    let dir = temp_dir("hostile-fifo");
    let fifo = dir.join("plan.pipe");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    let out = plan_to(&fifo);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let bytes = reader.join().unwrap();
    let plan: serde_json::Value = serde_json::from_slice(&bytes).expect("the plan came through");
    assert_eq!(plan["format"], "roster-plan/1");
    assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    assert_eq!(names(&dir), ["plan.pipe"]);
}

#[test]
fn a_socket_a_folder_and_a_link_are_refused_and_left_alone() {
    let dir = temp_dir("hostile-refused");
    let socket = dir.join("plan.sock");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    let folder = dir.join("folder");
    std::fs::create_dir(&folder).unwrap();
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "keep me").unwrap();
    let link = dir.join("plan.json");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    for (target, says) in
        [(&socket, "is a socket"), (&folder, "is a folder"), (&link, "is a symbolic link")]
    {
        let out = plan_to(target);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(stderr(&out).contains(says), "{}: {}", target.display(), stderr(&out));
    }
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert!(std::fs::symlink_metadata(&socket).unwrap().file_type().is_socket());
    assert_eq!(names(&dir), ["folder", "plan.json", "plan.sock", "victim.txt"]);
}

// 2 and 4. Temporary files, modes, inputs ------------------------------------------------

#[test]
fn a_replaced_plan_keeps_its_mode_and_nothing_is_left_beside_it() {
    let dir = temp_dir("hostile-mode");
    let plan = dir.join("plan.json");
    std::fs::write(&plan, "old").unwrap();
    std::fs::set_permissions(&plan, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = plan_to(&plan);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let meta = std::fs::symlink_metadata(&plan).unwrap();
    assert!(meta.file_type().is_file());
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    assert_ne!(std::fs::read_to_string(&plan).unwrap(), "old");
    assert_eq!(names(&dir), ["plan.json"], "the temporary file is gone");
}

#[test]
fn out_naming_an_input_is_refused() {
    let dir = temp_dir("hostile-self");
    let policy = dir.join("policy.toml");
    std::fs::copy(root().join(POLICY), &policy).unwrap();
    let snap = dir.join("snap");
    std::fs::create_dir(&snap).unwrap();
    for f in ["users.csv", "teams.csv", "records.csv", "snapshot.toml"] {
        std::fs::copy(root().join("examples/acme").join(f), snap.join(f)).unwrap();
    }
    let sheet = dir.join("leavers.csv");
    std::fs::write(&sheet, "user,deactivate\nu013,y\n").unwrap();
    let before: Vec<Vec<u8>> = [&policy, &snap.join("users.csv"), &sheet]
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    let run = |out: &Path| {
        roster([
            "offboard",
            "--policy",
            s(&policy),
            "--snapshot",
            s(&snap),
            "--actor",
            "u001",
            "--requests",
            s(&sheet),
            "--out",
            s(out),
        ])
    };
    for out in [&policy, &snap.join("users.csv"), &sheet] {
        let o = run(out);
        assert_eq!(o.status.code(), Some(1), "--out {}: {}", out.display(), stderr(&o));
        assert!(stderr(&o).contains("is an input"), "{}", stderr(&o));
    }
    let after: Vec<Vec<u8>> = [&policy, &snap.join("users.csv"), &sheet]
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    assert_eq!(before, after, "no input was touched");
}

// 3. Failures remove the temporary file --------------------------------------------------

/// A snapshot big enough that a debug build spends a few seconds planning it.
fn big_snapshot() -> PathBuf {
    let dir = temp_dir("hostile-big");
    let out = roster(["generate", "--users", "150000", "--records", "300000", "--out", s(&dir)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    dir
}

fn temporaries(dir: &Path) -> Vec<String> {
    names(dir).into_iter().filter(|n| n.ends_with(".tmp")).collect()
}

#[test]
fn a_signal_removes_the_temporary_file_and_keeps_the_old_plan() {
    let snap = big_snapshot();
    let dir = temp_dir("hostile-signal");
    let plan = dir.join("plan.json");
    let mut landed = 0;
    for signal in ["TERM", "INT", "HUP"] {
        std::fs::write(&plan, "previous plan").unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_roster"))
            .args(["plan", "--policy", POLICY, "--snapshot", s(&snap), "--out", s(&plan)])
            .current_dir(root())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // The temporary file exists from the start (an unwritable --out fails first).
        let deadline = Instant::now() + Duration::from_secs(60);
        while temporaries(&dir).is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
        assert!(!temporaries(&dir).is_empty(), "no temporary file appeared");
        let kill =
            Command::new("kill").args([&format!("-{signal}"), &child.id().to_string()]).status();
        assert!(kill.unwrap().success());
        let status = child.wait().unwrap();
        if status.success() {
            continue; // the run was faster than the signal
        }
        landed += 1;
        assert_eq!(std::fs::read_to_string(&plan).unwrap(), "previous plan", "SIG{signal}");
        assert!(temporaries(&dir).is_empty(), "SIG{signal} left {:?}", temporaries(&dir));
    }
    assert!(landed > 0, "every run finished before its signal");
}

#[test]
fn running_out_of_memory_is_one_line_and_exit_one() {
    let snap = big_snapshot();
    let dir = temp_dir("hostile-oom");
    let plan = dir.join("plan.json");
    std::fs::write(&plan, "previous plan").unwrap();
    // 150 MB of address space: enough to start, not to plan 150,000 users (about 250 MB).
    let script = format!(
        "ulimit -v 150000; exec {} plan --policy {POLICY} --snapshot {} --out {}",
        env!("CARGO_BIN_EXE_roster"),
        s(&snap),
        s(&plan)
    );
    let out = Command::new("sh").args(["-c", &script]).current_dir(root()).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("out of memory"), "{err}");
    assert!(!err.contains("panicked") && !err.contains("abort"), "{err}");
    assert_eq!(std::fs::read_to_string(&plan).unwrap(), "previous plan");
    assert!(temporaries(&dir).is_empty(), "left {:?}", temporaries(&dir));
}

#[test]
fn a_full_disk_removes_the_temporary_file() {
    let dir = temp_dir("hostile-full");
    let plan = dir.join("plan.json");
    std::fs::write(&plan, "previous plan").unwrap();
    // A 4 KB file size limit stands in for a full disk: writing fails with EFBIG once
    // SIGXFSZ is ignored (as it is here: `trap '' XFSZ` is inherited across exec).
    let script = format!(
        "trap '' XFSZ; ulimit -f 4; exec {} plan --policy {POLICY} --snapshot examples/acme --out {}",
        env!("CARGO_BIN_EXE_roster"),
        s(&plan)
    );
    let out = Command::new("sh").args(["-c", &script]).current_dir(root()).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("cannot write"), "{err}");
    assert_eq!(std::fs::read_to_string(&plan).unwrap(), "previous plan");
    assert_eq!(names(&dir), ["plan.json"], "the partial temporary file is gone");
}

// 5 and 6. roster test stays inside its suite --------------------------------------------

/// A suite inside the repository with one case whose case.toml is `text`.
fn suite(name: &str, text: &str) -> (PathBuf, PathBuf) {
    let dir = temp_dir(name);
    let case = dir.join("suite").join("case");
    std::fs::create_dir_all(&case).unwrap();
    std::fs::write(case.join("case.toml"), text).unwrap();
    (dir.join("suite"), case)
}

/// `../` enough times to climb from `dir` to the repository root.
fn up(dir: &Path) -> String {
    "../".repeat(dir.strip_prefix(root()).unwrap().components().count())
}

#[test]
fn case_paths_cannot_leave_the_root() {
    let secret = temp_dir("hostile-secret-outside");
    let (suite_dir, case) = suite("hostile-escape", "");
    let depth = up(&case);
    // A file outside the root (the suite's own folder, with --root) that must not be read.
    std::fs::write(secret.join("shadow"), "root:SECRET-HASH:19000::::::\n").unwrap();
    let rel_secret =
        format!("{depth}target/test-tmp/{}/shadow", secret.file_name().unwrap().to_string_lossy());
    std::os::unix::fs::symlink(secret.join("shadow"), case.join("linked.toml")).unwrap();
    let escapes = [
        format!("policy = \"{rel_secret}\"\nsnapshot = \"x\"\n"),
        "policy = \"/etc/shadow\"\nsnapshot = \"x\"\n".to_owned(),
        format!("policy = \"linked.toml\"\nsnapshot = \"{depth}examples/acme\"\n"),
        format!("policy = \"{depth}{POLICY}\"\nsnapshot = \"{depth}examples/acme\"\nrequests = \"/etc/passwd\"\ncommand = \"offboard\"\nactor = \"u001\"\n"),
    ];
    for text in &escapes {
        std::fs::write(case.join("case.toml"), text).unwrap();
        let out = roster(["test", s(&suite_dir), "--root", s(&suite_dir)]);
        let text_out = stdout(&out);
        assert_eq!(out.status.code(), Some(1), "{text}\n{text_out}");
        // The report is fitted to 80 columns: compare its words.
        let flat = text_out.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains("leads outside") || flat.contains("is not a relative path"),
            "{text}\n{text_out}"
        );
        assert!(!text_out.contains("SECRET") && !text_out.contains("root:"), "{text_out}");
    }
}

#[test]
fn the_walk_does_not_follow_folder_links_and_bless_does_not_write_through_one() {
    let (suite_dir, case) = suite("hostile-walk", "");
    let depth = up(&case);
    std::fs::write(
        case.join("case.toml"),
        format!("policy = \"{depth}{POLICY}\"\nsnapshot = \"{depth}examples/acme\"\n"),
    )
    .unwrap();
    // Two link loops: a walk that followed them would never end.
    std::os::unix::fs::symlink("..", case.join("up")).unwrap();
    std::os::unix::fs::symlink(&suite_dir, suite_dir.join("again")).unwrap();
    let victim = temp_dir("hostile-walk-victim").join("victim.json");
    std::fs::write(&victim, "keep me").unwrap();
    std::os::unix::fs::symlink(&victim, case.join("expected.json")).unwrap();
    let out = roster(["test", s(&suite_dir), "--bless"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    assert!(text.contains("1 failed"), "one case, found once: {text}");
    assert!(text.contains("symbolic link"), "{text}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
    // Without the link, bless writes a regular file and leaves nothing else.
    std::fs::remove_file(case.join("expected.json")).unwrap();
    let out = roster(["test", s(&suite_dir), "--bless"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(std::fs::symlink_metadata(case.join("expected.json")).unwrap().is_file());
    assert_eq!(names(&case), ["case.toml", "expected.json", "up"]);
}

#[test]
fn the_bless_hint_shows_a_hostile_case_name_inert() {
    let dir = temp_dir("hostile-name");
    let case = dir.join("suite").join("evil\u{1b}]0;pwned\u{7}\nok      fake");
    std::fs::create_dir_all(&case).unwrap();
    let depth = up(&case);
    std::fs::write(
        case.join("case.toml"),
        format!("policy = \"{depth}{POLICY}\"\nsnapshot = \"{depth}examples/acme\"\n"),
    )
    .unwrap();
    let out = roster(["test", s(&dir.join("suite"))]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(3), "no approved plan yet");
    assert_inert(&text);
    assert!(!text.contains("\nok      fake"), "a name cannot fake a result line: {text}");
}

// 9. man and generate into folders with planted links -------------------------------------

#[test]
fn man_and_generate_never_write_through_a_planted_link() {
    let victim = temp_dir("hostile-planted-victim").join("victim");
    std::fs::write(&victim, "keep me").unwrap();
    for (command, file) in [("man", "roster-plan.1"), ("generate", "records.csv")] {
        let dir = temp_dir(&format!("hostile-planted-{command}"));
        std::os::unix::fs::symlink(&victim, dir.join(file)).unwrap();
        let out = match command {
            "man" => roster(["man", "--out", s(&dir)]),
            _ => roster(["generate", "--users", "20", "--out", s(&dir)]),
        };
        assert_eq!(out.status.code(), Some(1), "{command}: {}", stderr(&out));
        assert!(stderr(&out).contains("symbolic link"), "{}", stderr(&out));
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me", "{command}");
        assert!(!names(&dir).iter().any(|n| n.ends_with(".tmp")), "{:?}", names(&dir));
    }
}

// 7 and 9. Nothing hostile reaches a terminal ----------------------------------------------

/// A snapshot whose team names, kinds, states and header carry escapes.
fn escapes_snapshot() -> PathBuf {
    let dir = temp_dir("hostile-escapes");
    std::fs::write(
        dir.join("users.csv"),
        "id,email,name,role,status,manager_id,teams,last_login_at\n\
         u1,a@x.example,A,admin,active,,t1,2026-11-21T00:00:00Z\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("teams.csv"),
        "id,name,leader_id\nt1,\"Sales\u{1b}[2J\u{1b}]0;owned\u{7}\nfake line\u{202E}\",u1\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("records.csv"),
        "id,kind,owner_id,state\nr1,deal\u{1b}[31m,u1,open\u{9b}1m\n",
    )
    .unwrap();
    dir
}

#[test]
fn check_shows_the_exports_words_inert() {
    let out = roster(["check", "--policy", POLICY, "--snapshot", s(&escapes_snapshot())]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert_inert(&text);
    assert!(text.contains("Sales\\u{1b}[2J"), "{text}");
    assert!(!text.contains("\nfake line"), "a team name cannot add a line: {text}");
}

#[test]
fn check_shows_a_policys_role_names_inert() {
    let out = check_policy(
        "hostile-roles",
        "name = \"evil\"\n[roles]\norder = [\"admin\\u001b[2J\", \"rep\\u0007\\u202e\"]\n",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_inert(&stdout(&out));
    assert!(stdout(&out).contains("admin\\u{1b}[2J"), "{}", stdout(&out));
}

#[test]
fn error_snippets_and_headers_are_inert_and_bounded() {
    let dir = temp_dir("hostile-errors");
    // A policy line with escapes, and a JSON snapshot line with escapes.
    let out = check_policy(
        "hostile-errors-policy",
        "name = \"x\"\n[roles]\norder = [\"a\"]\n\u{1b}]0;owned\u{7} = 1\n",
    );
    assert_eq!(out.status.code(), Some(1));
    assert_inert(&stderr(&out));
    let json = dir.join("snap.json");
    std::fs::write(&json, "{\"users\": [{\"id\": \"\u{1b}[2J\", \"role\": 5}]}").unwrap();
    let out = roster(["check", "--policy", POLICY, "--snapshot", s(&json)]);
    assert_eq!(out.status.code(), Some(1));
    assert_inert(&stderr(&out));
    // A 5 MB header with a duplicate column and a missing one: a short message.
    let snap = dir.join("wide");
    std::fs::create_dir(&snap).unwrap();
    let huge = format!("x{}\u{1b}[2J", "y".repeat(5 << 20));
    std::fs::write(snap.join("users.csv"), format!("id,{huge},{huge},role\nu1,a,b,admin\n"))
        .unwrap();
    let out = roster(["check", "--policy", POLICY, "--snapshot", s(&snap)]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_inert(&err);
    assert!(err.len() < 4096, "{} bytes on stderr", err.len());
    assert!(err.contains("appears twice") && err.contains("missing required column"), "{err}");
}

// 10. Smaller defects ---------------------------------------------------------------------

#[test]
fn generate_refuses_counts_it_cannot_make() {
    for users in ["0", "18446744073709551615", "-1"] {
        let out = roster(["generate", "--users", users, "--out", "target/test-tmp/never"]);
        assert_eq!(out.status.code(), Some(2), "--users {users}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    }
    assert!(!root().join("target/test-tmp/never").exists());
}

#[test]
fn a_sheet_whose_columns_disagree_is_refused() {
    let dir = temp_dir("hostile-sheet");
    let sheet = dir.join("sheet.csv");
    // u013 is not the user with u014's e-mail.
    let email = std::fs::read_to_string(root().join("examples/acme/users.csv"))
        .unwrap()
        .lines()
        .find(|l| l.starts_with("u014,"))
        .unwrap()
        .split(',')
        .nth(1)
        .unwrap()
        .to_owned();
    std::fs::write(&sheet, format!("user_id,email,deactivate\nu013,{email},y\nu015,,y\n")).unwrap();
    let out = roster([
        "offboard",
        "--policy",
        POLICY,
        "--snapshot",
        "examples/acme",
        "--actor",
        "u001",
        "--requests",
        s(&sheet),
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("sheet.csv:2:") && err.contains("`u014`"), "{err}");
    // Columns that agree are fine.
    std::fs::write(&sheet, format!("user_id,email,deactivate\nu014,{email},y\n")).unwrap();
    let out = roster([
        "offboard",
        "--policy",
        POLICY,
        "--snapshot",
        "examples/acme",
        "--actor",
        "u001",
        "--requests",
        s(&sheet),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn scim_start_index_zero_and_quoted_booleans_are_refused() {
    let dir = temp_dir("hostile-scim");
    let list = |start: u32, active: &str| {
        format!(
            r#"{{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,"startIndex":{start},"Resources":[{{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"u1","userName":"a@x.example","roles":[{{"value":"admin"}}],"active":{active}}}]}}"#
        )
    };
    for (start, active, says) in [(0, "true", "startIndex 0"), (1, "\"true\"", "is a string")] {
        let file = dir.join("users.json");
        std::fs::write(&file, list(start, active)).unwrap();
        let out = roster(["check", "--policy", POLICY, "--snapshot", s(&file)]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(stderr(&out).contains(says), "{}", stderr(&out));
    }
    // The same file with startIndex 1 and a boolean passes both checks (and fails only for
    // want of a last login, which this export does not carry).
    std::fs::write(dir.join("users.json"), list(1, "true")).unwrap();
    let out = roster(["check", "--policy", POLICY, "--snapshot", s(&dir.join("users.json"))]);
    let err = stderr(&out);
    assert!(!err.contains("startIndex") && !err.contains("active"), "{err}");
    assert!(err.contains("last login"), "{err}");
}

#[test]
fn status_aliases_that_differ_only_by_case_must_agree() {
    let out = check_policy(
        "hostile-aliases",
        "name = \"x\"\n[roles]\norder = [\"a\"]\n[statuses.aliases]\nGone = \"deactivated\"\ngone = \"active\"\n",
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("aliases ignore case"), "{}", stderr(&out));
}

#[test]
fn durations_past_a_century_are_refused() {
    let text = std::fs::read_to_string(root().join(POLICY)).unwrap();
    let text = text.replacen("notify_before = \"7d\"", "notify_before = \"36500000d\"", 1);
    assert!(text.contains("36500000d"));
    let out = check_policy("hostile-duration", &text);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("up to 100 years"), "{}", stderr(&out));
}
