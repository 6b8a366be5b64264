//! `roster test` and `roster diff` through the binary: the shipped policies' cases pass,
//! `--bless` creates and then updates approved plans, and outputs do not depend on the
//! thread count.

use crate::support::{root, roster, roster_env, temp_dir};

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_shipped_policies_pass_their_own_cases() {
    let out = roster(["test", "policies/tests"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", String::from_utf8_lossy(&out.stderr));
    let last = text.lines().last().unwrap_or_default();
    assert!(last.ends_with(" passed, 0 failed"), "{last}");
    let passed: usize = last.split(' ').next().unwrap().parse().unwrap();
    assert!(passed >= 20, "{last}");
    for policy in
        ["default", "field-sales", "licensed-crm", "commerce-backoffice", "contact-center"]
    {
        assert!(text.contains(&format!("ok      {policy}/")), "no case for {policy}:\n{text}");
    }
}

#[test]
fn bless_creates_then_updates_the_approved_plan() {
    let dir = temp_dir("bless");
    let case = dir.join("suite").join("idle");
    std::fs::create_dir_all(&case).unwrap();
    // Case paths are relative to the case folder and stay inside the repository.
    let up = "../".repeat(case.strip_prefix(root()).unwrap().components().count());
    let write_case = |as_of: &str| {
        let text = format!(
            "policy = \"{up}tests/data/boundaries/policy.toml\"\nsnapshot = \"{up}tests/data/boundaries/snapshot\"\ncommand = \"plan\"\nas_of = \"{as_of}\"\n",
        );
        std::fs::write(case.join("case.toml"), text).unwrap();
    };
    let suite = dir.join("suite");
    let suite = suite.to_str().unwrap();
    write_case("2026-11-15T00:00:00Z");

    let missing = roster(["test", suite]);
    assert_eq!(missing.status.code(), Some(3), "a case without an approved plan fails");
    assert!(stdout(&missing).contains("FAILED  idle: no expected.json"), "{}", stdout(&missing));

    let created = roster(["test", suite, "--bless"]);
    assert_eq!(created.status.code(), Some(0));
    assert!(
        stdout(&created).contains("blessed idle: approved plan created"),
        "{}",
        stdout(&created)
    );
    let first = std::fs::read_to_string(case.join("expected.json")).unwrap();
    assert!(first.contains("\"as_of\": \"2026-11-15T00:00:00Z\""));
    assert!(stdout(&roster(["test", suite])).ends_with("1 passed, 0 failed\n"));

    write_case("2026-11-22T00:00:00Z");
    let failing = roster(["test", suite]);
    assert_eq!(failing.status.code(), Some(3), "a plan that differs fails with 3");
    assert!(stdout(&failing).contains("FAILED  idle: the plan differs"), "{}", stdout(&failing));
    assert!(stdout(&failing).contains("+ suspend (idle)"), "{}", stdout(&failing));

    let updated = roster(["test", suite, "--bless"]);
    assert!(
        stdout(&updated).contains("blessed idle: approved plan changed"),
        "{}",
        stdout(&updated)
    );
    let second = std::fs::read_to_string(case.join("expected.json")).unwrap();
    assert_ne!(first, second);
    let again = roster(["test", suite, "--bless"]);
    assert!(stdout(&again).contains("ok      idle"), "nothing left to bless: {}", stdout(&again));
    assert_eq!(std::fs::read_to_string(case.join("expected.json")).unwrap(), second);
}

#[test]
fn test_and_diff_outputs_do_not_depend_on_the_thread_count() {
    let runs: [&[&str]; 3] = [
        &["test", "policies/tests"],
        &["test", "tests/data/suite-failing"],
        &[
            "diff",
            "--policy",
            "policies/default.toml",
            "--policy",
            "policies/field-sales.toml",
            "--snapshot",
            "examples/field-sales",
            "--format",
            "json",
        ],
    ];
    for args in runs {
        let one = roster_env(args, &[("RAYON_NUM_THREADS", "1")]);
        let four = roster_env(args, &[("RAYON_NUM_THREADS", "4")]);
        assert_eq!(one.stdout, four.stdout, "{args:?}");
        assert_eq!(one.status.code(), four.status.code());
    }
}

#[test]
fn a_broken_case_exits_one_and_no_case_at_all_is_an_error() {
    let dir = temp_dir("suite-exits");
    let case = dir.join("suite").join("broken");
    std::fs::create_dir_all(&case).unwrap();
    std::fs::write(case.join("case.toml"), "policy = \"nope.toml\"\nsnapshot = \"nope\"\n")
        .unwrap();
    let suite = dir.join("suite");
    let out = roster(["test", suite.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("FAILED  broken: the case could not run"), "{}", stdout(&out));
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let out = roster(["test", empty.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no case found"));
    let out = roster(["test", empty.to_str().unwrap(), "--allow-empty"]);
    assert_eq!(out.status.code(), Some(0));
    let out = roster(["test", "policies/tests", "--filter", "no-such-case"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("no case under this folder has a name containing `no-such-case`"));
}

#[test]
fn bless_leaves_cases_whose_plans_differ_only_in_their_digests() {
    let dir = temp_dir("bless-digests");
    let policy = dir.join("policy.toml");
    let source = std::fs::read_to_string(root().join("tests/data/boundaries/policy.toml")).unwrap();
    std::fs::write(&policy, &source).unwrap();
    let up = |case: &std::path::Path| {
        "../".repeat(case.strip_prefix(root()).unwrap().components().count())
    };
    for (name, as_of) in [("early", "2026-11-15T00:00:00Z"), ("late", "2026-11-22T00:00:00Z")] {
        let case = dir.join("suite").join(name);
        std::fs::create_dir_all(&case).unwrap();
        std::fs::write(
            case.join("case.toml"),
            format!(
                "policy = \"../../policy.toml\"\nsnapshot = \"{}tests/data/boundaries/snapshot\"\nas_of = \"{as_of}\"\n",
                up(&case)
            ),
        )
        .unwrap();
    }
    let suite = dir.join("suite");
    let suite = suite.to_str().unwrap();
    let root_arg = root();
    let root_arg = root_arg.to_str().unwrap();
    assert_eq!(roster(["test", suite, "--root", root_arg, "--bless"]).status.code(), Some(0));
    let read = |name: &str| {
        std::fs::read_to_string(dir.join("suite").join(name).join("expected.json")).unwrap()
    };
    let (early, late) = (read("early"), read("late"));

    // A comment changes the policy's digest and nothing else: no file is rewritten.
    std::fs::write(&policy, format!("# reviewed\n{source}")).unwrap();
    let out = roster(["test", suite, "--root", root_arg, "--bless"]);
    assert!(
        stdout(&out).contains("ok      early") && stdout(&out).contains("ok      late"),
        "{}",
        stdout(&out)
    );
    assert_eq!((read("early"), read("late")), (early.clone(), late));
    // The cases still pass on their older digests.
    assert_eq!(roster(["test", suite, "--root", root_arg]).status.code(), Some(0));
    // Something a reviewer should read (a reason) is rewritten.
    std::fs::write(&policy, source.replacen("after = \"30d\"", "after = \"29d\"", 1)).unwrap();
    let out = roster(["test", suite, "--root", root_arg, "--bless"]);
    assert!(stdout(&out).contains("blessed"), "{}", stdout(&out));
    assert_ne!(read("early"), early);
}

#[test]
fn reports_go_to_out_and_the_step_summary() {
    let dir = temp_dir("suite-reports");
    let junit = dir.join("results.xml");
    let summary = dir.join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let out = roster_env(
        ["test", "tests/data/suite-failing", "--format", "junit", "--out", junit.to_str().unwrap()],
        &[("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())],
    );
    assert_eq!(out.status.code(), Some(1), "a broken case exits 1 whatever the format");
    assert!(out.stdout.is_empty(), "the report went to --out");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains(
            "<testsuite name=\"tests/data/suite-failing\" tests=\"4\" failures=\"2\" errors=\"1\""
        ),
        "{xml}"
    );
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.starts_with("earlier step\n### roster test tests/data/suite-failing"), "{md}");
    assert!(md.contains("| stale | failed |") && md.contains("| broken | broken |"), "{md}");

    let out = roster_env(
        ["check", "--policy", "policies/default.toml", "--snapshot", "examples/acme"],
        &[("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())],
    );
    assert_eq!(out.status.code(), Some(0));
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.contains("### roster check\n\n```text\npolicy policies/default.toml: ok"), "{md}");
    // Without the variable nothing is written anywhere else.
    let out = roster(["test", "policies/tests", "--format", "tap"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).starts_with("TAP version 13\n1..24\n"), "{}", stdout(&out));
}
