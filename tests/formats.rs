//! The exchange formats checked against their own rules, not only pinned: the SCIM Bulk
//! request against RFC 7644's message shapes and the snapshot it came from, the sheet
//! against its header and the plan.

use crate::support::roster;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const BULK_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const MANAGER: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager";
const STATUS: &str = "urn:roster:params:scim:schemas:extension:2.0:User:status";

/// The ids in a snapshot folder's users.csv.
fn user_ids(snapshot: &str) -> BTreeSet<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(snapshot).join("users.csv");
    let mut reader = csv::Reader::from_path(path).unwrap();
    let column = reader.headers().unwrap().iter().position(|h| h == "id").unwrap();
    reader.records().map(|r| r.unwrap().get(column).unwrap().to_owned()).collect()
}

fn run(args: &[&str]) -> Vec<u8> {
    let out = roster(args);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&segment[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// Checks a Bulk request's shape (RFC 7644 §3.7, §3.5.2) and that it only names users of
/// the snapshot. Returns, per user id, the PATCH operations as (path, value).
fn check_bulk_request(
    request: &Value,
    users: &BTreeSet<String>,
) -> BTreeMap<String, Vec<(String, Value)>> {
    let top = request.as_object().expect("a JSON object");
    assert_eq!(top.keys().collect::<Vec<_>>(), ["Operations", "schemas"], "{request}");
    assert_eq!(request["schemas"], serde_json::json!([BULK_REQUEST]));
    let operations = request["Operations"].as_array().expect("Operations is an array");
    let mut bulk_ids = BTreeSet::new();
    let mut by_user = BTreeMap::new();
    let mut previous: Option<String> = None;
    for op in operations {
        let keys: BTreeSet<&str> = op.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, BTreeSet::from(["bulkId", "data", "method", "path"]), "{op}");
        assert_eq!(op["method"], "PATCH");
        let bulk_id = op["bulkId"].as_str().expect("bulkId is a string");
        assert!(!bulk_id.is_empty());
        assert!(bulk_ids.insert(bulk_id.to_owned()), "duplicate bulkId {bulk_id}");
        let path = op["path"].as_str().unwrap();
        let segment = path.strip_prefix("/Users/").expect("a path under /Users/");
        assert!(!segment.contains('/'), "one resource per operation: {path}");
        let user = percent_decode(segment);
        assert!(users.contains(&user), "{path} names no user of the snapshot");
        if let Some(p) = &previous {
            assert_eq!(
                roster::plan::natural_cmp(p, &user),
                std::cmp::Ordering::Less,
                "operations are sorted by user id, once per user"
            );
        }
        previous = Some(user.clone());
        let data = &op["data"];
        assert_eq!(data["schemas"], serde_json::json!([PATCH_OP]));
        let patch_ops = data["Operations"].as_array().expect("PatchOp Operations");
        assert!(!patch_ops.is_empty(), "an empty PATCH: {op}");
        let mut ops = Vec::new();
        for p in patch_ops {
            assert_eq!(p["op"], "replace", "{p}");
            let path = p["path"].as_str().unwrap();
            let value = p["value"].clone();
            match path {
                "active" => assert!(value.is_boolean(), "{p}"),
                MANAGER => {
                    let object = value.as_object().expect("manager is a complex value");
                    assert_eq!(object.keys().collect::<Vec<_>>(), ["value"], "{p}");
                    let manager = value["value"].as_str().unwrap();
                    assert!(users.contains(manager), "manager {manager} is no user");
                    assert_ne!(manager, user, "a user is not their own manager");
                }
                STATUS => {
                    let s = value.as_str().expect("roster's status is a string");
                    assert!(["active", "idle", "suspended", "deactivated"].contains(&s), "{p}");
                }
                other => panic!("unexpected PATCH path {other}"),
            }
            ops.push((path.to_owned(), value));
        }
        by_user.insert(user, ops);
    }
    by_user
}

#[test]
fn scim_bulk_request_of_an_offboarding_follows_rfc_7644() {
    let snapshot = "examples/contact-center";
    let base = [
        "offboard",
        "--policy",
        "policies/contact-center.toml",
        "--snapshot",
        snapshot,
        "--actor",
        "u2",
        "--user",
        "u3",
        "--reports-to",
        "u4",
    ];
    let request: Value = serde_json::from_slice(&run(&[&base[..], &["--format", "scim"]].concat()))
        .expect("stdout is JSON alone");
    let plan: Value =
        serde_json::from_slice(&run(&[&base[..], &["--format", "json"]].concat())).unwrap();
    let by_user = check_bulk_request(&request, &user_ids(snapshot));

    // The request is the plan's User changes, nothing more and nothing less.
    let mut expected: BTreeMap<String, Vec<(String, Value)>> = BTreeMap::new();
    for a in plan["actions"].as_array().unwrap() {
        if a["action"] == "deactivate" {
            expected
                .entry(a["user"].as_str().unwrap().to_owned())
                .or_default()
                .push(("active".to_owned(), Value::Bool(false)));
        }
    }
    for r in plan["reassignments"].as_array().unwrap() {
        if r["what"] == "reports" {
            for id in r["ids"].as_array().unwrap() {
                expected
                    .entry(id.as_str().unwrap().to_owned())
                    .or_default()
                    .push((MANAGER.to_owned(), serde_json::json!({ "value": r["to"] })));
            }
        }
    }
    assert!(expected.len() > 2, "the example has a deactivation and manager changes");
    assert_eq!(by_user, expected);
}

#[test]
fn scim_bulk_request_of_a_nightly_plan_follows_rfc_7644() {
    let snapshot = "examples/acme";
    let out = roster([
        "plan",
        "--policy",
        "policies/default.toml",
        "--snapshot",
        snapshot,
        "--format",
        "scim",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let request: Value = serde_json::from_slice(&out.stdout).unwrap();
    let by_user = check_bulk_request(&request, &user_ids(snapshot));
    assert!(!by_user.is_empty());
    // What SCIM cannot carry is listed on stderr, not mixed into the request.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("note: the SCIM bulk request"), "{stderr}");
    assert!(stderr.contains("open opportunity records"), "{stderr}");
}

/// The ids of the users of a SCIM export.
fn scim_ids(file: &Path) -> BTreeSet<String> {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    v["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Applies a Bulk request's PATCH operations to a SCIM ListResponse, as a server would
/// (`active` in the core schema, roster's status and the manager in their extensions).
fn apply(export: &mut Value, request: &Value) {
    let roster_ext = "urn:roster:params:scim:schemas:extension:2.0:User";
    let enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    for op in request["Operations"].as_array().unwrap() {
        let id = percent_decode(op["path"].as_str().unwrap().trim_start_matches("/Users/"));
        let user = export["Resources"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|r| r["id"] == id.as_str())
            .expect("the user is in the export");
        for p in op["data"]["Operations"].as_array().unwrap() {
            match p["path"].as_str().unwrap() {
                "active" => user["active"] = p["value"].clone(),
                STATUS => user[roster_ext]["status"] = p["value"].clone(),
                MANAGER => user[enterprise]["manager"] = p["value"].clone(),
                other => panic!("{other}"),
            }
        }
    }
}

#[test]
fn a_bulk_request_applied_to_the_scim_export_reads_back_as_planned() {
    let dir = crate::support::temp_dir("scim-apply");
    crate::support::copy_dir(&crate::support::root().join("examples/scim"), &dir);
    let snap = dir.to_str().unwrap();
    let plan = |extra: &[&str]| {
        let mut args = vec!["plan", "--policy", "policies/default.toml", "--snapshot", snap];
        args.extend_from_slice(extra);
        roster(args)
    };
    let request: Value = serde_json::from_slice(&plan(&["--format", "scim"]).stdout).unwrap();
    let ids = scim_ids(&dir.join("users.scim.json"));
    let by_user = check_bulk_request(&request, &ids);
    // The export carries roster's status, so the request writes it beside `active`.
    assert!(by_user.values().flatten().any(|(path, _)| path == STATUS), "{request}");
    let file = dir.join("users.scim.json");
    let mut export: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    apply(&mut export, &request);
    std::fs::write(&file, serde_json::to_string_pretty(&export).unwrap()).unwrap();
    // Applied, the same plan has nothing left for SCIM to do for those users: a rescinded
    // invite is not rescinded again, a deactivated user is not deactivated again.
    let again: Value = serde_json::from_slice(&plan(&["--format", "json"]).stdout).unwrap();
    for a in again["actions"].as_array().unwrap() {
        let user = a["user"].as_str().unwrap();
        let action = a["action"].as_str().unwrap();
        let changes_status =
            ["deactivate", "suspend", "rescind_invite", "reactivate", "mark_idle", "mark_active"];
        assert!(
            !(by_user.contains_key(user) && changes_status.contains(&action)),
            "{user} gets {action} again after the request was applied"
        );
    }
    let request_again = plan(&["--format", "scim"]);
    let still: BTreeSet<String> = if request_again.stdout.is_empty() {
        BTreeSet::new()
    } else {
        let v: Value = serde_json::from_slice(&request_again.stdout).unwrap();
        check_bulk_request(&v, &ids).into_keys().collect()
    };
    let before: BTreeSet<String> = by_user.keys().cloned().collect();
    assert!(
        still.is_disjoint(&before),
        "asked again for {:?}",
        still.intersection(&before).collect::<Vec<_>>()
    );
}

#[test]
fn scim_patch_lines_carry_the_same_requests_as_the_bulk() {
    let args = |format: &str| {
        roster([
            "offboard",
            "--policy",
            "policies/default.toml",
            "--snapshot",
            "examples/scim",
            "--actor",
            "u002",
            "--user",
            "u013",
            "--user",
            "u004",
            "--format",
            format,
        ])
    };
    let bulk: Value = serde_json::from_slice(&args("scim").stdout).unwrap();
    let lines = String::from_utf8(args("scim-patch").stdout).unwrap();
    let from_lines: Vec<Value> = lines
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("one JSON object a line");
            assert_eq!(
                v.as_object().unwrap().keys().collect::<Vec<_>>(),
                ["body", "method", "path"]
            );
            assert_eq!(v["method"], "PATCH");
            serde_json::json!({ "path": v["path"], "data": v["body"] })
        })
        .collect();
    let from_bulk: Vec<Value> = bulk["Operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| serde_json::json!({ "path": o["path"], "data": o["data"] }))
        .collect();
    assert!(!from_lines.is_empty());
    assert_eq!(from_lines, from_bulk, "the same PATCH requests, in the same order");
}

#[test]
fn a_scim_export_in_pages_reads_as_the_whole() {
    let whole: Value = serde_json::from_str(
        &std::fs::read_to_string(crate::support::root().join("examples/scim/users.scim.json"))
            .unwrap(),
    )
    .unwrap();
    let resources = whole["Resources"].as_array().unwrap().clone();
    let total = resources.len();
    let dir = crate::support::temp_dir("scim-pages");
    for f in ["records.csv", "snapshot.toml"] {
        std::fs::copy(crate::support::root().join("examples/scim").join(f), dir.join(f)).unwrap();
    }
    let write_pages = |pages: &[std::ops::Range<usize>]| {
        for (i, r) in pages.iter().enumerate() {
            let page = serde_json::json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                "totalResults": total,
                "startIndex": r.start + 1,
                "itemsPerPage": r.len(),
                "Resources": resources[r.clone()],
            });
            std::fs::write(dir.join(format!("users.scim.{}.json", i + 1)), page.to_string())
                .unwrap();
        }
    };
    write_pages(&[0..15, 15..30, 30..total]);
    let plan = |snapshot: &str| {
        let out = roster([
            "plan",
            "--policy",
            "policies/default.toml",
            "--snapshot",
            snapshot,
            "--format",
            "json",
        ]);
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let strip =
        |t: &str| t.lines().filter(|l| !l.contains("sha256")).collect::<Vec<_>>().join("\n");
    let (code, paged, err) = plan(dir.to_str().unwrap());
    assert_eq!(code, Some(0), "{err}");
    let (_, single, _) = plan("examples/scim");
    assert_eq!(strip(&paged), strip(&single), "three pages plan as the one file");
    // A missing page is an error, not a smaller account.
    std::fs::remove_file(dir.join("users.scim.2.json")).unwrap();
    let (code, _, err) = plan(dir.to_str().unwrap());
    assert_eq!(code, Some(1));
    let says = format!("hold {} resources, and the server counted {total}", total - 15);
    assert!(err.contains(&says), "{err}");
    // A user on two pages is refused; so are pages beside the whole file.
    write_pages(&[0..15, 14..30, 30..total]);
    let (code, _, err) = plan(dir.to_str().unwrap());
    assert_eq!(code, Some(1));
    assert!(err.contains("duplicate"), "{err}");
    write_pages(&[0..15, 15..30, 30..total]);
    std::fs::copy(
        crate::support::root().join("examples/scim/users.scim.json"),
        dir.join("users.scim.json"),
    )
    .unwrap();
    let (code, _, err) = plan(dir.to_str().unwrap());
    assert_eq!(code, Some(1));
    assert!(err.contains("holds both users.scim.json and pages"), "{err}");
}
